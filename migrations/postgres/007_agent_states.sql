-- 007_agent_states: the persisted state of each agent.
-- checksum is the SHA-256 (lower-case hex) the application computes over the state it wrote;
-- schema_version is the version of the state's format; data_version counts the changes of the
-- state itself and is advanced by the trigger whenever an UPDATE changes state without setting it.

CREATE TABLE IF NOT EXISTS llmspell.agent_states (
  tenant_id       text NOT NULL CHECK (tenant_id <> ''),
  agent_id        text NOT NULL CHECK (agent_id <> ''),
  agent_type      text NOT NULL,
  state           jsonb NOT NULL,
  checksum        text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
  schema_version  integer NOT NULL DEFAULT 1 CHECK (schema_version >= 1),
  data_version    bigint NOT NULL DEFAULT 1 CHECK (data_version >= 1),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT agent_states_pkey PRIMARY KEY (tenant_id, agent_id)
);
CREATE INDEX IF NOT EXISTS agent_states_type_idx ON llmspell.agent_states (tenant_id, agent_type);
CREATE INDEX IF NOT EXISTS agent_states_updated_idx ON llmspell.agent_states (tenant_id, updated_at);

CREATE OR REPLACE FUNCTION llmspell.agent_states_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state IS DISTINCT FROM OLD.state AND NEW.data_version = OLD.data_version THEN
    NEW.data_version := OLD.data_version + 1;
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER agent_states_data_version BEFORE UPDATE ON llmspell.agent_states
  FOR EACH ROW EXECUTE FUNCTION llmspell.agent_states_data_version();
CREATE OR REPLACE TRIGGER agent_states_updated_at BEFORE UPDATE ON llmspell.agent_states
  FOR EACH ROW EXECUTE FUNCTION llmspell.set_updated_at();
