-- Tenancy under concurrency: a pool of four connections, logged in as a member of llmspell_app,
-- serves four tenants in interleaved rounds; all four run at the same time (dblink's asynchronous
-- queries). Each use sets the tenant for its own transaction only, reads every table and writes an
-- event. No use ever sees a row of another tenant, and a connection used without a tenant right
-- after serving one sees nothing: nothing carries over from one client to the next.
-- Committed data is needed (other sessions read it), so this runs in a database of its own.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS llmspell_rls_pool WITH (FORCE);
CREATE DATABASE llmspell_rls_pool;
\c llmspell_rls_pool
SET client_min_messages = warning;
CREATE EXTENSION pgtap;
CREATE EXTENSION dblink;
\ir include/llmspell_schema.psql
\ir include/llmspell_fixture.psql
DO $$ BEGIN PERFORM pg_temp.load_fixture('tenant_c'); PERFORM pg_temp.load_fixture('tenant_d'); END $$;
DROP ROLE IF EXISTS llmspell_pool_test;
CREATE ROLE llmspell_pool_test LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE llmspell_app;
SELECT plan(7);

-- One use of a pooled connection: the tenant for this transaction only (NULL: none), every table
-- read, one event written. Returns the rows seen of other tenants and of its own.
CREATE FUNCTION public.pool_probe(tenant text, round int)
RETURNS TABLE (foreign_rows bigint, own_rows bigint) LANGUAGE plpgsql AS $$
DECLARE
  t text;
  n bigint;
  f bigint;
BEGIN
  foreign_rows := 0;
  own_rows := 0;
  IF tenant IS NOT NULL THEN
    PERFORM set_config('app.tenant_id', tenant, true);
  END IF;
  PERFORM pg_sleep(random() * 0.004);
  FOREACH t IN ARRAY ARRAY['embeddings_384', 'embeddings_768', 'embeddings_1536', 'embeddings_3072',
      'graph_entities', 'graph_relationships', 'procedural_patterns', 'agent_states', 'kv_store',
      'workflow_states', 'sessions', 'artifact_content', 'artifacts', 'event_log', 'hook_history'] LOOP
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE tenant_id IS DISTINCT FROM $1) FROM llmspell.%I', t)
      INTO n, f USING tenant;
    own_rows := own_rows + n - f;
    foreign_rows := foreign_rows + f;
  END LOOP;
  IF tenant IS NOT NULL THEN
    INSERT INTO llmspell.event_log (tenant_id, event_id, event_type)
    VALUES (tenant, format('pool-%s-%s', round, pg_backend_pid()), 'pool.probe');
  END IF;
  RETURN NEXT;
END $$;

CREATE TABLE pool_results (round int, conn int, tenant text, foreign_rows bigint, own_rows bigint);
DO $$
DECLARE
  dsn text := format('host=%s port=%s dbname=%s user=llmspell_pool_test',
                     split_part(current_setting('unix_socket_directories'), ',', 1),
                     current_setting('port'), current_database());
  tenants text[] := ARRAY['tenant_a', 'tenant_b', 'tenant_c', 'tenant_d'];
  sent text[] := ARRAY[NULL, NULL, NULL, NULL]::text[];
BEGIN
  FOR i IN 1..4 LOOP
    PERFORM dblink_connect('pool' || i, dsn);
  END LOOP;
  FOR r IN 1..50 LOOP
    FOR i IN 1..4 LOOP
      -- Now and then a connection is used without a tenant, right after it served one.
      sent[i] := CASE WHEN (r + i) % 5 = 0 THEN NULL ELSE tenants[1 + (r * 7 + i * 3) % 4] END;
      PERFORM dblink_send_query('pool' || i, format('SELECT * FROM public.pool_probe(%L, %s)', sent[i], r));
    END LOOP;
    FOR i IN 1..4 LOOP
      INSERT INTO pool_results
        SELECT r, i, sent[i], x.foreign_rows, x.own_rows
        FROM dblink_get_result('pool' || i) AS x(foreign_rows bigint, own_rows bigint);
      -- The empty result that ends the query.
      PERFORM * FROM dblink_get_result('pool' || i) AS x(foreign_rows bigint, own_rows bigint);
    END LOOP;
  END LOOP;
  FOR i IN 1..4 LOOP
    PERFORM dblink_disconnect('pool' || i);
  END LOOP;
END $$;

SELECT is((SELECT count(*) FROM pool_results), 200::bigint, '200 uses of 4 pooled connections, 4 at a time');
SELECT is((SELECT count(DISTINCT tenant) FROM pool_results), 4::bigint, '... serving 4 tenants in turn');
SELECT is((SELECT sum(foreign_rows) FROM pool_results WHERE tenant IS NOT NULL), 0::numeric,
          'no use ever saw a row of another tenant');
SELECT is((SELECT count(*) FROM pool_results WHERE tenant IS NULL), 40::bigint,
          '40 uses without a tenant, each right after the connection served one');
SELECT is((SELECT sum(foreign_rows) FROM pool_results WHERE tenant IS NULL), 0::numeric,
          '... and they saw nothing: no tenant carried over to the next client');
SELECT is((SELECT count(*) FROM pool_results WHERE tenant IS NOT NULL AND own_rows < (SELECT sum(per_tenant) FROM pg_temp.tenant_tables())), 0::bigint,
          'every use with a tenant saw all of its own rows');
SELECT results_eq($$SELECT tenant_id, count(*) FROM llmspell.event_log WHERE event_type = 'pool.probe'
                    GROUP BY 1 ORDER BY 1$$,
                  $$SELECT tenant, count(*) FROM pool_results WHERE tenant IS NOT NULL GROUP BY 1 ORDER BY 1$$,
                  'each write landed with the tenant that made it');

SELECT * FROM finish();
\c llmspell_test
SET client_min_messages = warning;
DROP DATABASE llmspell_rls_pool WITH (FORCE);
DROP ROLE llmspell_pool_test;
-- llmspell_app was created by the migrations of the dropped database; other databases of this
-- cluster may still use it.
DO $$
BEGIN
  DROP ROLE IF EXISTS llmspell_app;
EXCEPTION WHEN dependent_objects_still_exist THEN
END $$;
