-- 011_artifacts: session artifacts over content-addressed, de-duplicated storage.
--
-- artifact_content holds each distinct content once per tenant, keyed by its SHA-256 (lower-case
-- hex, computed by the application over the uncompressed bytes), at most 100 MiB. artifacts
-- reference it; the triggers keep artifact_content.reference_count and sessions.artifact_count
-- exact, and remove content once nothing references it any more. Foreign keys need
-- PRAGMA foreign_keys = ON (the llmspell CLI sets it). Writing an artifact:
--   INSERT INTO artifact_content (...) VALUES (...) ON CONFLICT DO NOTHING;
--   INSERT INTO artifacts (...) VALUES (...);
-- Content stored but never referenced (a writer that failed half-way):
--   DELETE FROM artifact_content WHERE tenant_id = ? AND reference_count = 0 AND created_at < :cutoff;

CREATE TABLE IF NOT EXISTS artifact_content (
  tenant_id        TEXT NOT NULL CHECK (tenant_id <> ''),
  content_hash     TEXT NOT NULL
                     CHECK (length(content_hash) = 64 AND content_hash NOT GLOB '*[^0-9a-f]*'),
  content          BLOB NOT NULL CHECK (length(content) <= 104857600),
  size_bytes       INTEGER NOT NULL CHECK (size_bytes BETWEEN 0 AND 104857600),
  is_compressed    INTEGER NOT NULL DEFAULT 0 CHECK (is_compressed IN (0, 1)),
  reference_count  INTEGER NOT NULL DEFAULT 0 CHECK (reference_count >= 0),
  created_at       INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, content_hash),
  CONSTRAINT artifact_content_size_check CHECK (is_compressed OR length(content) = size_bytes)
) STRICT;

CREATE TABLE IF NOT EXISTS artifacts (
  tenant_id      TEXT NOT NULL CHECK (tenant_id <> ''),
  artifact_id    TEXT NOT NULL CHECK (artifact_id <> ''),
  session_id     TEXT NOT NULL,
  name           TEXT NOT NULL,
  artifact_type  TEXT NOT NULL DEFAULT 'file',
  mime_type      TEXT NOT NULL DEFAULT 'application/octet-stream',
  content_hash   TEXT NOT NULL,
  size_bytes     INTEGER NOT NULL CHECK (size_bytes BETWEEN 0 AND 104857600),
  metadata       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  created_at     INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  updated_at     INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, artifact_id),
  CONSTRAINT artifacts_session_fkey FOREIGN KEY (tenant_id, session_id)
    REFERENCES sessions (tenant_id, session_id) ON DELETE CASCADE,
  CONSTRAINT artifacts_content_fkey FOREIGN KEY (tenant_id, content_hash)
    REFERENCES artifact_content (tenant_id, content_hash)
) STRICT;
CREATE INDEX IF NOT EXISTS artifacts_session_idx ON artifacts (tenant_id, session_id, name);
CREATE INDEX IF NOT EXISTS artifacts_content_idx ON artifacts (tenant_id, content_hash);

CREATE TRIGGER IF NOT EXISTS artifacts_after_insert AFTER INSERT ON artifacts
BEGIN
  UPDATE artifact_content SET reference_count = reference_count + 1
   WHERE tenant_id = NEW.tenant_id AND content_hash = NEW.content_hash;
  UPDATE sessions SET artifact_count = artifact_count + 1
   WHERE tenant_id = NEW.tenant_id AND session_id = NEW.session_id;
END;
-- New reference first: an UPDATE that keeps its content must not drop the count to zero.
CREATE TRIGGER IF NOT EXISTS artifacts_after_update_references
AFTER UPDATE OF tenant_id, session_id, content_hash ON artifacts
BEGIN
  UPDATE artifact_content SET reference_count = reference_count + 1
   WHERE tenant_id = NEW.tenant_id AND content_hash = NEW.content_hash;
  UPDATE sessions SET artifact_count = artifact_count + 1
   WHERE tenant_id = NEW.tenant_id AND session_id = NEW.session_id;
  UPDATE artifact_content SET reference_count = reference_count - 1
   WHERE tenant_id = OLD.tenant_id AND content_hash = OLD.content_hash;
  DELETE FROM artifact_content
   WHERE tenant_id = OLD.tenant_id AND content_hash = OLD.content_hash AND reference_count = 0;
  UPDATE sessions SET artifact_count = artifact_count - 1
   WHERE tenant_id = OLD.tenant_id AND session_id = OLD.session_id;
END;
CREATE TRIGGER IF NOT EXISTS artifacts_after_delete AFTER DELETE ON artifacts
BEGIN
  UPDATE artifact_content SET reference_count = reference_count - 1
   WHERE tenant_id = OLD.tenant_id AND content_hash = OLD.content_hash;
  DELETE FROM artifact_content
   WHERE tenant_id = OLD.tenant_id AND content_hash = OLD.content_hash AND reference_count = 0;
  UPDATE sessions SET artifact_count = artifact_count - 1
   WHERE tenant_id = OLD.tenant_id AND session_id = OLD.session_id;
END;
CREATE TRIGGER IF NOT EXISTS artifacts_updated_at AFTER UPDATE ON artifacts
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE artifacts SET updated_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) WHERE tenant_id = NEW.tenant_id AND artifact_id = NEW.artifact_id;
END;
