-- Tenancy, the leak matrix: two tenants with identical ids and data in all 15 tables; as
-- llmspell_app each sees, changes and deletes its own rows only, by table scan, by key lookup
-- and through the HNSW index, and can neither write rows of the other nor move its rows there.
BEGIN;
\ir include/llmspell_schema.psql
\ir include/llmspell_fixture.psql
SELECT plan(15 * 2 * 8 + 4);

-- One check per (table, tenant, kind), run as llmspell_app. Changes are undone at once (raising
-- an exception rolls the block back), so every check starts from the fixture.
CREATE FUNCTION pg_temp.leak_matrix() RETURNS TABLE (ok boolean, description text) LANGUAGE plpgsql AS $$
DECLARE
  t record;
  me text;
  other text;
  n bigint;
  foreign_rows bigint;
  left_over bigint;
  pk text;
  key_value text;
BEGIN
  FOR t IN SELECT * FROM pg_temp.tenant_tables() LOOP
    -- The primary key's column after tenant_id.
    SELECT a.attname INTO pk FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[1]
     WHERE i.indrelid = ('llmspell.' || t.name)::regclass AND i.indisprimary;
    FOREACH me IN ARRAY ARRAY['tenant_a', 'tenant_b'] LOOP
      other := CASE me WHEN 'tenant_a' THEN 'tenant_b' ELSE 'tenant_a' END;
      PERFORM set_config('app.tenant_id', me, true);

      EXECUTE format('SELECT count(*), count(*) FILTER (WHERE tenant_id <> $1) FROM llmspell.%I', t.name)
        INTO n, foreign_rows USING me;
      ok := n = t.per_tenant;
      description := format('%s as %s: a scan sees its %s rows (saw %s)', t.name, me, t.per_tenant, n);
      RETURN NEXT;
      ok := foreign_rows = 0;
      description := format('%s as %s: ... and no row of another tenant', t.name, me);
      RETURN NEXT;

      -- The key exists for both tenants: looked up by key alone, through an index.
      EXECUTE format('SELECT min(%I::text) FROM llmspell.%I', pk, t.name) INTO key_value;
      PERFORM set_config('enable_seqscan', 'off', true);
      EXECUTE format('SELECT count(*), count(*) FILTER (WHERE tenant_id <> $2) FROM llmspell.%I WHERE %I = $1',
                     t.name, pk) INTO n, foreign_rows USING key_value, me;
      PERFORM set_config('enable_seqscan', 'on', true);
      ok := n >= 1 AND foreign_rows = 0;
      description := format('%s as %s: looking up %s = %L, a key both tenants have, finds its own rows only',
                            t.name, me, pk, key_value);
      RETURN NEXT;

      BEGIN
        EXECUTE format('WITH u AS (UPDATE llmspell.%I SET %s RETURNING tenant_id)
                        SELECT count(*), count(*) FILTER (WHERE tenant_id <> $1) FROM u', t.name, t.touch)
          INTO n, foreign_rows USING me;
        ok := n = t.per_tenant AND foreign_rows = 0;
        RAISE EXCEPTION USING ERRCODE = 'assert_failure';
      EXCEPTION WHEN assert_failure THEN
      END;
      description := format('%s as %s: UPDATE without WHERE changes its %s rows, none of another tenant',
                            t.name, me, t.per_tenant);
      RETURN NEXT;

      BEGIN
        EXECUTE format('WITH d AS (DELETE FROM llmspell.%I WHERE %s RETURNING tenant_id) SELECT count(*) FROM d',
                       t.name, t.delete_where) INTO n;
        PERFORM set_config('app.tenant_id', other, true);
        EXECUTE format('SELECT count(*) FROM llmspell.%I', t.name) INTO left_over;
        ok := n = t.deletable AND left_over = t.per_tenant;
        RAISE EXCEPTION USING ERRCODE = 'assert_failure';
      EXCEPTION WHEN assert_failure THEN
      END;
      PERFORM set_config('app.tenant_id', me, true);
      description := format('%s as %s: DELETE removes its own rows, none of the other tenant''s', t.name, me);
      RETURN NEXT;

      -- Writing a row of the other tenant: a copy of one of its own rows with tenant_id changed.
      BEGIN
        EXECUTE format('INSERT INTO llmspell.%1$I SELECT (jsonb_populate_record(NULL::llmspell.%1$I,
                          to_jsonb(t) || jsonb_build_object(''tenant_id'', $1))).* FROM llmspell.%1$I t LIMIT 1',
                       t.name) USING other;
        ok := false;
      EXCEPTION
        WHEN insufficient_privilege THEN ok := SQLERRM LIKE '%row-level security%';
        WHEN OTHERS THEN ok := false; RAISE WARNING '%: %', t.name, SQLERRM;
      END;
      description := format('%s as %s: inserting a row of %s is refused', t.name, me, other);
      RETURN NEXT;

      BEGIN
        EXECUTE format('UPDATE llmspell.%I SET tenant_id = $1', t.name) USING other;
        ok := false;
      EXCEPTION
        WHEN insufficient_privilege THEN ok := SQLERRM LIKE '%row-level security%';
        -- The graph's versions are immutable: refused before the policy is even asked.
        WHEN integrity_constraint_violation THEN ok := t.name LIKE 'graph_%';
        WHEN OTHERS THEN ok := false; RAISE WARNING '%: %', t.name, SQLERRM;
      END;
      description := format('%s as %s: moving its rows to %s is refused', t.name, me, other);
      RETURN NEXT;

      -- A third tenant with no rows sees none of either.
      PERFORM set_config('app.tenant_id', 'tenant_c', true);
      EXECUTE format('SELECT count(*) FROM llmspell.%I', t.name) INTO n;
      ok := n = 0;
      description := format('%s: a tenant without rows sees none (checked after %s)', t.name, me);
      RETURN NEXT;
    END LOOP;
  END LOOP;
  PERFORM set_config('app.tenant_id', '', true);
END $$;

SET LOCAL ROLE llmspell_app;
SELECT ok(ok, description) FROM pg_temp.leak_matrix();

-- The HNSW index over identical vectors of both tenants: each tenant's own graph only.
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT set_config('app.tenant_id', 'tenant_a', true);
SELECT is(ARRAY(SELECT tenant_id || ':' || id FROM llmspell.embeddings_768
                ORDER BY embedding <=> pg_temp.fixture_vector(768, 1) LIMIT 10),
          ARRAY['tenant_a:doc-1', 'tenant_a:doc-2', 'tenant_a:doc-3'],
          'HNSW index scan as tenant_a: its three rows of six identical ones');
SELECT set_config('app.tenant_id', 'tenant_b', true);
SELECT is((SELECT array_agg(DISTINCT tenant_id) FROM (SELECT tenant_id FROM llmspell.embeddings_3072
                ORDER BY embedding <=> pg_temp.fixture_vector(3072, 3) LIMIT 10) s),
          ARRAY['tenant_b'], 'HNSW index scan as tenant_b (3072 dimensions): its own rows only');
SELECT set_config('app.tenant_id', 'tenant_c', true);
SELECT is((SELECT count(*) FROM (SELECT 1 FROM llmspell.embeddings_384
                                 ORDER BY embedding <=> pg_temp.fixture_vector(384, 1) LIMIT 10) s),
          0::bigint, 'HNSW index scan as a tenant without rows: nothing');
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT throws_ok('SELECT count(*) FROM llmspell.event_log_default', '42501', NULL,
                 'the partitions of event_log cannot be read directly');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
