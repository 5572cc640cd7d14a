-- 009_workflow_states: workflow executions and their status lifecycle
--   pending -> running -> completed | failed | cancelled   (pending may also fail or be cancelled)
-- The first trigger refuses any other status change; the second stamps started_at when a
-- workflow starts and completed_at when it ends, and keeps updated_at.

CREATE TABLE IF NOT EXISTS workflow_states (
  tenant_id      TEXT NOT NULL CHECK (tenant_id <> ''),
  workflow_id    TEXT NOT NULL CHECK (workflow_id <> ''),
  workflow_name  TEXT NOT NULL,
  status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  current_step   INTEGER NOT NULL DEFAULT 0 CHECK (current_step >= 0),
  state          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(state)),
  error_message  TEXT,
  started_at     INTEGER,
  completed_at   INTEGER,
  created_at     INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  updated_at     INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, workflow_id),
  CONSTRAINT workflow_states_pending_check
    CHECK (status <> 'pending' OR (started_at IS NULL AND completed_at IS NULL)),
  CONSTRAINT workflow_states_completed_at_check
    CHECK (completed_at IS NULL OR status IN ('completed', 'failed', 'cancelled')),
  CONSTRAINT workflow_states_order_check
    CHECK (started_at IS NULL OR completed_at IS NULL OR started_at <= completed_at)
) STRICT;
CREATE INDEX IF NOT EXISTS workflow_states_status_idx ON workflow_states
  (tenant_id, status, updated_at);
CREATE INDEX IF NOT EXISTS workflow_states_name_idx ON workflow_states (tenant_id, workflow_name);

CREATE TRIGGER IF NOT EXISTS workflow_states_transition BEFORE UPDATE OF status ON workflow_states
WHEN NEW.status IS NOT OLD.status
  AND NOT ((OLD.status = 'pending' AND NEW.status IN ('running', 'failed', 'cancelled'))
           OR (OLD.status = 'running' AND NEW.status IN ('completed', 'failed', 'cancelled')))
BEGIN
  SELECT RAISE(ABORT, 'workflow_states: invalid status transition');
END;
CREATE TRIGGER IF NOT EXISTS workflow_states_after_insert AFTER INSERT ON workflow_states
WHEN NEW.status <> 'pending'
BEGIN
  UPDATE workflow_states SET
    started_at = CASE WHEN NEW.status IN ('running', 'completed') THEN coalesce(started_at, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))
                      ELSE started_at END,
    completed_at = CASE WHEN NEW.status IN ('completed', 'failed', 'cancelled')
                        THEN coalesce(completed_at, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) ELSE completed_at END
   WHERE tenant_id = NEW.tenant_id AND workflow_id = NEW.workflow_id;
END;
CREATE TRIGGER IF NOT EXISTS workflow_states_after_update AFTER UPDATE ON workflow_states
BEGIN
  UPDATE workflow_states SET
    started_at = CASE WHEN NEW.status IS NOT OLD.status AND NEW.status IN ('running', 'completed')
                      THEN coalesce(started_at, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) ELSE started_at END,
    completed_at = CASE WHEN NEW.status IS NOT OLD.status
                             AND NEW.status IN ('completed', 'failed', 'cancelled')
                        THEN coalesce(completed_at, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) ELSE completed_at END,
    updated_at = CASE WHEN NEW.updated_at IS OLD.updated_at THEN CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) ELSE updated_at END
   WHERE tenant_id = NEW.tenant_id AND workflow_id = NEW.workflow_id;
END;
