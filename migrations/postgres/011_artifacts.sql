-- 011_artifacts: session artifacts over content-addressed, de-duplicated storage.
--
-- artifact_content holds each distinct content once per tenant, keyed by its SHA-256 (lower-case
-- hex, computed by the application over the uncompressed bytes), at most 100 MiB. artifacts
-- reference it; the triggers keep artifact_content.reference_count and sessions.artifact_count
-- exact, and remove content once nothing references it any more; artifact_content_cleanup()
-- removes content that was stored but never referenced (a writer that failed half-way). Writing
-- an artifact:
--   INSERT INTO artifact_content (...) VALUES (...) ON CONFLICT DO NOTHING;
--   INSERT INTO artifacts (...) VALUES (...);

CREATE TABLE IF NOT EXISTS llmspell.artifact_content (
  tenant_id        text NOT NULL CHECK (tenant_id <> ''),
  content_hash     text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  content          bytea NOT NULL CHECK (octet_length(content) <= 104857600),
  size_bytes       bigint NOT NULL CHECK (size_bytes BETWEEN 0 AND 104857600),
  is_compressed    boolean NOT NULL DEFAULT false,
  reference_count  integer NOT NULL DEFAULT 0 CHECK (reference_count >= 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT artifact_content_pkey PRIMARY KEY (tenant_id, content_hash),
  CONSTRAINT artifact_content_size_check CHECK (is_compressed OR octet_length(content) = size_bytes)
);

CREATE TABLE IF NOT EXISTS llmspell.artifacts (
  tenant_id      text NOT NULL CHECK (tenant_id <> ''),
  artifact_id    text NOT NULL CHECK (artifact_id <> ''),
  session_id     text NOT NULL,
  name           text NOT NULL,
  artifact_type  text NOT NULL DEFAULT 'file',
  mime_type      text NOT NULL DEFAULT 'application/octet-stream',
  content_hash   text NOT NULL,
  size_bytes     bigint NOT NULL CHECK (size_bytes BETWEEN 0 AND 104857600),
  metadata       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT artifacts_pkey PRIMARY KEY (tenant_id, artifact_id),
  CONSTRAINT artifacts_session_fkey FOREIGN KEY (tenant_id, session_id)
    REFERENCES llmspell.sessions (tenant_id, session_id) ON DELETE CASCADE,
  CONSTRAINT artifacts_content_fkey FOREIGN KEY (tenant_id, content_hash)
    REFERENCES llmspell.artifact_content (tenant_id, content_hash)
);
CREATE INDEX IF NOT EXISTS artifacts_session_idx ON llmspell.artifacts (tenant_id, session_id, name);
CREATE INDEX IF NOT EXISTS artifacts_content_idx ON llmspell.artifacts (tenant_id, content_hash);
CREATE OR REPLACE TRIGGER artifacts_updated_at BEFORE UPDATE ON llmspell.artifacts
  FOR EACH ROW EXECUTE FUNCTION llmspell.set_updated_at();

CREATE OR REPLACE FUNCTION llmspell.artifacts_references() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- New reference first: an UPDATE that keeps its content must not drop the count to zero.
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE llmspell.artifact_content SET reference_count = reference_count + 1
      WHERE tenant_id = NEW.tenant_id AND content_hash = NEW.content_hash;
    UPDATE llmspell.sessions SET artifact_count = artifact_count + 1
      WHERE tenant_id = NEW.tenant_id AND session_id = NEW.session_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE llmspell.artifact_content SET reference_count = reference_count - 1
      WHERE tenant_id = OLD.tenant_id AND content_hash = OLD.content_hash;
    DELETE FROM llmspell.artifact_content
      WHERE tenant_id = OLD.tenant_id AND content_hash = OLD.content_hash AND reference_count = 0;
    UPDATE llmspell.sessions SET artifact_count = artifact_count - 1
      WHERE tenant_id = OLD.tenant_id AND session_id = OLD.session_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER artifacts_references
  AFTER INSERT OR DELETE OR UPDATE OF tenant_id, session_id, content_hash ON llmspell.artifacts
  FOR EACH ROW EXECUTE FUNCTION llmspell.artifacts_references();

-- Removes the current tenant's content that nothing has referenced for `older_than`; returns how
-- many rows.
CREATE OR REPLACE FUNCTION llmspell.artifact_content_cleanup(older_than interval DEFAULT '1 hour')
RETURNS bigint
LANGUAGE sql VOLATILE AS $$
  WITH deleted AS (
    DELETE FROM llmspell.artifact_content
    WHERE reference_count = 0 AND created_at < now() - older_than
    RETURNING 1)
  SELECT count(*) FROM deleted
$$;
