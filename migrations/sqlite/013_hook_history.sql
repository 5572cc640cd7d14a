-- 013_hook_history: executions of hooks, kept for replay and debugging.
-- hook_context is the hook's context as compressed by the application (context_compressed says
-- whether it is; context_size is the uncompressed size). retention_priority decides what cleanup
-- keeps:
--   DELETE FROM hook_history WHERE tenant_id = ? AND executed_at < :cutoff AND retention_priority < :keep;

CREATE TABLE IF NOT EXISTS hook_history (
  tenant_id             TEXT NOT NULL CHECK (tenant_id <> ''),
  execution_id          TEXT NOT NULL CHECK (execution_id <> ''),
  hook_id               TEXT NOT NULL,
  hook_type             TEXT NOT NULL,
  correlation_id        TEXT,
  hook_context          BLOB NOT NULL,
  context_compressed    INTEGER NOT NULL DEFAULT 1 CHECK (context_compressed IN (0, 1)),
  context_size          INTEGER NOT NULL CHECK (context_size >= 0),
  result_data           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(result_data)),
  executed_at           INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  duration_ms           INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
  triggering_component  TEXT,
  component_id          TEXT,
  modified_operation    INTEGER NOT NULL DEFAULT 0 CHECK (modified_operation IN (0, 1)),
  tags                  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  retention_priority    INTEGER NOT NULL DEFAULT 0,
  created_at            INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, execution_id)
) STRICT;
CREATE INDEX IF NOT EXISTS hook_history_hook_idx ON hook_history (tenant_id, hook_id, executed_at);
CREATE INDEX IF NOT EXISTS hook_history_correlation_idx ON hook_history (tenant_id, correlation_id);
CREATE INDEX IF NOT EXISTS hook_history_retention_idx ON hook_history
  (tenant_id, retention_priority, executed_at);
