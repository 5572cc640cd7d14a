-- 014_row_level_security: tenant isolation on every tenant table.
--
-- Each table gets row-level security ENABLED and FORCED (the owner is subject to it too; only
-- superusers and BYPASSRLS roles are not) and one policy per command on
--   tenant_id = current_setting('app.tenant_id', true)
-- With app.tenant_id unset (NULL) or empty, no row matches (tenant_id is never empty): a session
-- without a tenant sees nothing and can write nothing. Set the tenant per transaction, so that a
-- pooled connection carries nothing over to the next client:
--   BEGIN; SELECT llmspell.set_tenant('acme'); ... COMMIT;
-- (the same as SET LOCAL app.tenant_id = 'acme' or set_config('app.tenant_id', 'acme', true)).

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'embeddings_384', 'embeddings_768', 'embeddings_1536', 'embeddings_3072',
    'graph_entities', 'graph_relationships', 'procedural_patterns', 'agent_states', 'kv_store',
    'workflow_states', 'sessions', 'artifact_content', 'artifacts', 'event_log', 'hook_history']
  LOOP
    EXECUTE format('ALTER TABLE llmspell.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE llmspell.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS tenant_select ON llmspell.%I', t);
    EXECUTE format('DROP POLICY IF EXISTS tenant_insert ON llmspell.%I', t);
    EXECUTE format('DROP POLICY IF EXISTS tenant_update ON llmspell.%I', t);
    EXECUTE format('DROP POLICY IF EXISTS tenant_delete ON llmspell.%I', t);
    EXECUTE format($p$CREATE POLICY tenant_select ON llmspell.%I FOR SELECT
                      USING (tenant_id = current_setting('app.tenant_id', true))$p$, t);
    EXECUTE format($p$CREATE POLICY tenant_insert ON llmspell.%I FOR INSERT
                      WITH CHECK (tenant_id = current_setting('app.tenant_id', true))$p$, t);
    EXECUTE format($p$CREATE POLICY tenant_update ON llmspell.%I FOR UPDATE
                      USING (tenant_id = current_setting('app.tenant_id', true))
                      WITH CHECK (tenant_id = current_setting('app.tenant_id', true))$p$, t);
    EXECUTE format($p$CREATE POLICY tenant_delete ON llmspell.%I FOR DELETE
                      USING (tenant_id = current_setting('app.tenant_id', true))$p$, t);
  END LOOP;
END
$$;

-- The tenant of the current transaction (reset at COMMIT or ROLLBACK).
CREATE OR REPLACE FUNCTION llmspell.set_tenant(tenant text) RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT set_config('app.tenant_id', tenant, true)
$$;
COMMENT ON FUNCTION llmspell.set_tenant(text) IS
  'Sets app.tenant_id for the current transaction only (set_config(..., true))';
