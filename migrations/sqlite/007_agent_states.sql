-- 007_agent_states: the persisted state of each agent.
-- checksum is the SHA-256 (lower-case hex) the application computes over the state it wrote;
-- schema_version is the version of the state's format; data_version counts the changes of the
-- state itself and is advanced by the trigger whenever an UPDATE changes state without setting it.

CREATE TABLE IF NOT EXISTS agent_states (
  tenant_id       TEXT NOT NULL CHECK (tenant_id <> ''),
  agent_id        TEXT NOT NULL CHECK (agent_id <> ''),
  agent_type      TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (json_valid(state)),
  checksum        TEXT NOT NULL
                    CHECK (length(checksum) = 64 AND checksum NOT GLOB '*[^0-9a-f]*'),
  schema_version  INTEGER NOT NULL DEFAULT 1 CHECK (schema_version >= 1),
  data_version    INTEGER NOT NULL DEFAULT 1 CHECK (data_version >= 1),
  created_at      INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  updated_at      INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, agent_id)
) STRICT;
CREATE INDEX IF NOT EXISTS agent_states_type_idx ON agent_states (tenant_id, agent_type);
CREATE INDEX IF NOT EXISTS agent_states_updated_idx ON agent_states (tenant_id, updated_at);
CREATE TRIGGER IF NOT EXISTS agent_states_after_update AFTER UPDATE ON agent_states
WHEN NEW.updated_at IS OLD.updated_at
  OR (NEW.state IS NOT OLD.state AND NEW.data_version IS OLD.data_version)
BEGIN
  UPDATE agent_states SET
    updated_at = CASE WHEN NEW.updated_at IS OLD.updated_at THEN CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) ELSE NEW.updated_at END,
    data_version = CASE WHEN NEW.state IS NOT OLD.state AND NEW.data_version IS OLD.data_version
                        THEN OLD.data_version + 1 ELSE NEW.data_version END
   WHERE tenant_id = NEW.tenant_id AND agent_id = NEW.agent_id;
END;
