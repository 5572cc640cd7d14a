-- Tenancy, the static part: the application role and row-level security on every tenant table,
-- as the migrations leave them.
BEGIN;
\ir include/llmspell_schema.psql
SELECT plan(14);

CREATE FUNCTION pg_temp.tables() RETURNS SETOF text LANGUAGE sql AS $$
  SELECT unnest(ARRAY['embeddings_384', 'embeddings_768', 'embeddings_1536', 'embeddings_3072',
    'graph_entities', 'graph_relationships', 'procedural_patterns', 'agent_states', 'kv_store',
    'workflow_states', 'sessions', 'artifact_content', 'artifacts', 'event_log', 'hook_history'])
$$;
CREATE FUNCTION pg_temp.failing(condition text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  result text[];
BEGIN
  EXECUTE format('SELECT coalesce(array_agg(t ORDER BY t), ''{}'') FROM pg_temp.tables() t
                  JOIN pg_class c ON c.relname = t AND c.relnamespace = ''llmspell''::regnamespace
                  WHERE NOT (%s)', condition) INTO result;
  RETURN result;
END $$;

SELECT has_role('llmspell_app', 'the application role exists');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'llmspell_app'), false, 'llmspell_app: rolsuper is false');
SELECT is((SELECT rolbypassrls FROM pg_roles WHERE rolname = 'llmspell_app'), false, 'llmspell_app: rolbypassrls is false');
SELECT is((SELECT rolcreaterole OR rolcreatedb OR rolreplication FROM pg_roles WHERE rolname = 'llmspell_app'), false,
          'llmspell_app: no CREATEROLE, CREATEDB or REPLICATION');
SELECT is((SELECT rolpassword FROM pg_authid WHERE rolname = 'llmspell_app'), NULL,
          'llmspell_app: no password comes from the migrations');
SELECT is(pg_temp.failing($$pg_get_userbyid(c.relowner) <> 'llmspell_app'$$), '{}'::text[],
          'llmspell_app owns none of the 15 tables');
SELECT is((SELECT count(*) FROM pg_temp.tables() t
           WHERE has_table_privilege('llmspell_app', 'llmspell.' || t, 'SELECT, INSERT, UPDATE, DELETE')), 15::bigint,
          'llmspell_app may read and write all 15 tables');
SELECT is((SELECT count(*) FROM pg_temp.tables() t
           WHERE has_table_privilege('llmspell_app', 'llmspell.' || t, 'TRUNCATE, REFERENCES, TRIGGER')), 0::bigint,
          '... and nothing more (no TRUNCATE, which row-level security would not stop)');
SELECT is(pg_temp.failing('c.relrowsecurity'), '{}'::text[], 'relrowsecurity on all 15 tables');
SELECT is(pg_temp.failing('c.relforcerowsecurity'), '{}'::text[], 'relforcerowsecurity on all 15 tables');
-- One policy per command, each on exactly the tenant setting.
SELECT is(pg_temp.failing($$(SELECT array_agg(p.polcmd::text ORDER BY p.polcmd) FROM pg_policy p WHERE p.polrelid = c.oid)
                            = ARRAY['a', 'd', 'r', 'w']$$), '{}'::text[],
          'select, insert, update and delete policies on all 15 tables');
SELECT is(pg_temp.failing($$NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND
                              (coalesce(pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
                                 <> '(tenant_id = current_setting(''app.tenant_id''::text, true))'
                               OR (p.polwithcheck IS NOT NULL AND pg_get_expr(p.polwithcheck, p.polrelid)
                                 <> '(tenant_id = current_setting(''app.tenant_id''::text, true))')))$$),
          '{}'::text[], 'every policy is tenant_id = current_setting(''app.tenant_id'', true)');
SELECT is(pg_temp.failing($$(SELECT bool_and(p.polpermissive AND p.polroles = '{0}') FROM pg_policy p WHERE p.polrelid = c.oid)$$),
          '{}'::text[], 'the policies are permissive and apply to every role');
-- The partitions of event_log are reached through event_log only.
SELECT is((SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'llmspell.event_log'::regclass
             AND has_table_privilege('llmspell_app', c.oid, 'SELECT, INSERT, UPDATE, DELETE')), 0::bigint,
          'llmspell_app has no privilege on the event_log partitions themselves');

SELECT * FROM finish();
ROLLBACK;
