-- 010_sessions: conversation/work sessions: active, archived or expired, with an optional expiry.
--
-- last_accessed_at is touched on reads by the application. To keep hot sessions from writing a
-- new row version on every read, an UPDATE that changes nothing but last_accessed_at, less than
-- 60 seconds after the stored value, is skipped, and such touches never move updated_at.
-- artifact_count is maintained by the triggers of artifacts (011_artifacts).

CREATE TABLE IF NOT EXISTS llmspell.sessions (
  tenant_id         text NOT NULL CHECK (tenant_id <> ''),
  session_id        text NOT NULL CHECK (session_id <> ''),
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived', 'expired')),
  name              text,
  metadata          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  state             jsonb NOT NULL DEFAULT '{}',
  artifact_count    integer NOT NULL DEFAULT 0 CHECK (artifact_count >= 0),
  expires_at        timestamptz,
  last_accessed_at  timestamptz NOT NULL DEFAULT now(),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sessions_pkey PRIMARY KEY (tenant_id, session_id)
);
CREATE INDEX IF NOT EXISTS sessions_status_idx ON llmspell.sessions
  (tenant_id, status, last_accessed_at);
CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON llmspell.sessions
  (tenant_id, expires_at) WHERE status = 'active' AND expires_at IS NOT NULL;

CREATE OR REPLACE FUNCTION llmspell.sessions_before_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF to_jsonb(NEW) - 'last_accessed_at' = to_jsonb(OLD) - 'last_accessed_at' THEN
    -- A touch: throttled, and not a change of the session's content.
    IF NEW.last_accessed_at >= OLD.last_accessed_at
       AND NEW.last_accessed_at < OLD.last_accessed_at + interval '60 seconds' THEN
      RETURN NULL;
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER sessions_before_update BEFORE UPDATE ON llmspell.sessions
  FOR EACH ROW EXECUTE FUNCTION llmspell.sessions_before_update();

-- Marks the current tenant's active sessions past their expiry as expired; returns how many.
CREATE OR REPLACE FUNCTION llmspell.expire_sessions() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
  WITH expired AS (
    UPDATE llmspell.sessions SET status = 'expired'
    WHERE status = 'active' AND expires_at IS NOT NULL AND expires_at <= now()
    RETURNING 1)
  SELECT count(*) FROM expired
$$;
