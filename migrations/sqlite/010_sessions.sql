-- 010_sessions: conversation/work sessions: active, archived or expired, with an optional expiry.
--
-- last_accessed_at is touched on reads by the application. To keep hot sessions from writing on
-- every read, an UPDATE that changes nothing but last_accessed_at, less than 60 seconds after the
-- stored value, is skipped (RAISE(IGNORE)), and such touches never move updated_at.
-- artifact_count is maintained by the triggers of artifacts (011_artifacts).

CREATE TABLE IF NOT EXISTS sessions (
  tenant_id         TEXT NOT NULL CHECK (tenant_id <> ''),
  session_id        TEXT NOT NULL CHECK (session_id <> ''),
  status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived', 'expired')),
  name              TEXT,
  metadata          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  state             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(state)),
  artifact_count    INTEGER NOT NULL DEFAULT 0 CHECK (artifact_count >= 0),
  expires_at        INTEGER,
  last_accessed_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  created_at        INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  updated_at        INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, session_id)
) STRICT;
CREATE INDEX IF NOT EXISTS sessions_status_idx ON sessions (tenant_id, status, last_accessed_at);
CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON sessions (tenant_id, expires_at)
  WHERE status = 'active' AND expires_at IS NOT NULL;

CREATE TRIGGER IF NOT EXISTS sessions_touch_throttle BEFORE UPDATE OF last_accessed_at ON sessions
WHEN NEW.tenant_id IS OLD.tenant_id AND NEW.session_id IS OLD.session_id
  AND NEW.status IS OLD.status AND NEW.name IS OLD.name AND NEW.metadata IS OLD.metadata
  AND NEW.state IS OLD.state AND NEW.artifact_count IS OLD.artifact_count
  AND NEW.expires_at IS OLD.expires_at AND NEW.created_at IS OLD.created_at
  AND NEW.updated_at IS OLD.updated_at
  AND NEW.last_accessed_at >= OLD.last_accessed_at
  AND NEW.last_accessed_at < OLD.last_accessed_at + 60000000
BEGIN
  SELECT RAISE(IGNORE);
END;
CREATE TRIGGER IF NOT EXISTS sessions_updated_at AFTER UPDATE ON sessions
WHEN NEW.updated_at IS OLD.updated_at
  AND NOT (NEW.tenant_id IS OLD.tenant_id AND NEW.session_id IS OLD.session_id
           AND NEW.status IS OLD.status AND NEW.name IS OLD.name AND NEW.metadata IS OLD.metadata
           AND NEW.state IS OLD.state AND NEW.artifact_count IS OLD.artifact_count
           AND NEW.expires_at IS OLD.expires_at AND NEW.created_at IS OLD.created_at)
BEGIN
  UPDATE sessions SET updated_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) WHERE tenant_id = NEW.tenant_id AND session_id = NEW.session_id;
END;
