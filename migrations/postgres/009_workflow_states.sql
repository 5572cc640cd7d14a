-- 009_workflow_states: workflow executions and their status lifecycle
--   pending -> running -> completed | failed | cancelled   (pending may also fail or be cancelled)
-- The trigger refuses any other status change and stamps started_at when a workflow starts and
-- completed_at when it ends; the CHECKs keep the timestamps consistent with the status.

CREATE TABLE IF NOT EXISTS llmspell.workflow_states (
  tenant_id      text NOT NULL CHECK (tenant_id <> ''),
  workflow_id    text NOT NULL CHECK (workflow_id <> ''),
  workflow_name  text NOT NULL,
  status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  current_step   integer NOT NULL DEFAULT 0 CHECK (current_step >= 0),
  state          jsonb NOT NULL DEFAULT '{}',
  error_message  text,
  started_at     timestamptz,
  completed_at   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflow_states_pkey PRIMARY KEY (tenant_id, workflow_id),
  CONSTRAINT workflow_states_pending_check
    CHECK (status <> 'pending' OR (started_at IS NULL AND completed_at IS NULL)),
  CONSTRAINT workflow_states_completed_at_check
    CHECK (completed_at IS NULL OR status IN ('completed', 'failed', 'cancelled')),
  CONSTRAINT workflow_states_order_check
    CHECK (started_at IS NULL OR completed_at IS NULL OR started_at <= completed_at)
);
CREATE INDEX IF NOT EXISTS workflow_states_status_idx ON llmspell.workflow_states
  (tenant_id, status, updated_at);
CREATE INDEX IF NOT EXISTS workflow_states_name_idx ON llmspell.workflow_states
  (tenant_id, workflow_name);

CREATE OR REPLACE FUNCTION llmspell.workflow_states_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status
     AND NOT ((OLD.status = 'pending' AND NEW.status IN ('running', 'failed', 'cancelled'))
              OR (OLD.status = 'running' AND NEW.status IN ('completed', 'failed', 'cancelled'))) THEN
    RAISE EXCEPTION 'workflow %: invalid status transition % -> %', OLD.workflow_id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation',
            HINT = 'pending -> running | failed | cancelled; running -> completed | failed | cancelled';
  END IF;
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
    IF NEW.status IN ('running', 'completed') THEN
      NEW.started_at := coalesce(NEW.started_at, now());
    END IF;
    IF NEW.status IN ('completed', 'failed', 'cancelled') THEN
      NEW.completed_at := coalesce(NEW.completed_at, now());
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER workflow_states_lifecycle BEFORE INSERT OR UPDATE ON llmspell.workflow_states
  FOR EACH ROW EXECUTE FUNCTION llmspell.workflow_states_lifecycle();
CREATE OR REPLACE TRIGGER workflow_states_updated_at BEFORE UPDATE ON llmspell.workflow_states
  FOR EACH ROW EXECUTE FUNCTION llmspell.set_updated_at();
