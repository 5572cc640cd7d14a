-- 013_hook_history: executions of hooks, kept for replay and debugging.
-- hook_context is the hook's context as compressed by the application (context_compressed says
-- whether it is; context_size is the uncompressed size). retention_priority decides what cleanup
-- keeps: hook_history_cleanup(older_than, keep_priority) deletes the current tenant's executions
-- older than `older_than` whose priority is below `keep_priority`.

CREATE TABLE IF NOT EXISTS llmspell.hook_history (
  tenant_id             text NOT NULL CHECK (tenant_id <> ''),
  execution_id          text NOT NULL CHECK (execution_id <> ''),
  hook_id               text NOT NULL,
  hook_type             text NOT NULL,
  correlation_id        text,
  hook_context          bytea NOT NULL,
  context_compressed    boolean NOT NULL DEFAULT true,
  context_size          bigint NOT NULL CHECK (context_size >= 0),
  result_data           jsonb NOT NULL DEFAULT '{}',
  executed_at           timestamptz NOT NULL DEFAULT now(),
  duration_ms           bigint NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
  triggering_component  text,
  component_id          text,
  modified_operation    boolean NOT NULL DEFAULT false,
  tags                  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
  retention_priority    integer NOT NULL DEFAULT 0,
  created_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT hook_history_pkey PRIMARY KEY (tenant_id, execution_id)
);
CREATE INDEX IF NOT EXISTS hook_history_hook_idx ON llmspell.hook_history (tenant_id, hook_id, executed_at);
CREATE INDEX IF NOT EXISTS hook_history_correlation_idx ON llmspell.hook_history
  (tenant_id, correlation_id);
CREATE INDEX IF NOT EXISTS hook_history_retention_idx ON llmspell.hook_history
  (tenant_id, retention_priority, executed_at);

CREATE OR REPLACE FUNCTION llmspell.hook_history_cleanup(older_than interval, keep_priority integer DEFAULT 1)
RETURNS bigint
LANGUAGE sql VOLATILE AS $$
  WITH deleted AS (
    DELETE FROM llmspell.hook_history
    WHERE executed_at < now() - older_than AND retention_priority < keep_priority
    RETURNING 1)
  SELECT count(*) FROM deleted
$$;
