-- Tenancy without a tenant: as llmspell_app, with app.tenant_id never set (NULL) or empty (what a
-- transaction-local setting leaves behind), every table reads as empty and refuses every write.
BEGIN;
\ir include/llmspell_schema.psql
\ir include/llmspell_fixture.psql
SELECT plan(15 * 8 + 5);

-- One row of tenant_a per table, readable by llmspell_app, for the INSERT attempts.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM pg_temp.tenant_tables() LOOP
    EXECUTE format('CREATE TEMP TABLE sample_%1$s AS SELECT * FROM llmspell.%1$I WHERE tenant_id = ''tenant_a'' LIMIT 1',
                   t.name);
    EXECUTE format('GRANT SELECT ON pg_temp.sample_%s TO llmspell_app', t.name);
  END LOOP;
END $$;

CREATE FUNCTION pg_temp.unset_matrix() RETURNS TABLE (ok boolean, description text) LANGUAGE plpgsql AS $$
DECLARE
  t record;
  setting text;
  n bigint;
BEGIN
  FOR t IN SELECT * FROM pg_temp.tenant_tables() LOOP
    FOREACH setting IN ARRAY ARRAY[NULL, ''] LOOP
      -- NULL: never set in this session; '': set to empty.
      IF setting IS NOT NULL THEN
        PERFORM set_config('app.tenant_id', setting, true);
      END IF;
      EXECUTE format('SELECT count(*) FROM llmspell.%I', t.name) INTO n;
      ok := n = 0;
      description := format('%s, tenant %s: no row visible', t.name, coalesce(quote_literal(setting), 'unset'));
      RETURN NEXT;

      BEGIN
        EXECUTE format('INSERT INTO llmspell.%1$I SELECT * FROM pg_temp.sample_%1$s', t.name);
        ok := false;
      EXCEPTION
        WHEN insufficient_privilege THEN ok := SQLERRM LIKE '%row-level security%';
        WHEN OTHERS THEN ok := false; RAISE WARNING '%: %', t.name, SQLERRM;
      END;
      description := format('%s, tenant %s: inserting a row of tenant_a is refused', t.name,
                            coalesce(quote_literal(setting), 'unset'));
      RETURN NEXT;

      EXECUTE format('WITH u AS (UPDATE llmspell.%I SET tenant_id = tenant_id RETURNING 1) SELECT count(*) FROM u',
                     t.name) INTO n;
      ok := n = 0;
      description := format('%s, tenant %s: UPDATE changes nothing', t.name, coalesce(quote_literal(setting), 'unset'));
      RETURN NEXT;
    END LOOP;
    -- With the setting empty, a row with an empty tenant_id would pass the policy: the tables'
    -- CHECK (tenant_id <> '') refuses it.
    BEGIN
      EXECUTE format('INSERT INTO llmspell.%1$I SELECT (jsonb_populate_record(NULL::llmspell.%1$I,
                        to_jsonb(s) || ''{"tenant_id": ""}'')).* FROM pg_temp.sample_%1$s s', t.name);
      ok := false;
    EXCEPTION
      WHEN check_violation THEN ok := true;
      WHEN OTHERS THEN ok := false; RAISE WARNING '%: %', t.name, SQLERRM;
    END;
    description := format('%s, tenant '''': a row with an empty tenant_id is refused', t.name);
    RETURN NEXT;

    EXECUTE format('WITH d AS (DELETE FROM llmspell.%I RETURNING 1) SELECT count(*) FROM d', t.name) INTO n;
    ok := n = 0;
    description := format('%s, tenant '''': DELETE removes nothing', t.name);
    RETURN NEXT;
    PERFORM set_config('app.tenant_id', NULL, true);
  END LOOP;
END $$;

SET LOCAL ROLE llmspell_app;
SELECT is(current_setting('app.tenant_id', true), NULL, 'app.tenant_id is unset in this session');
SELECT ok(ok, description) FROM pg_temp.unset_matrix();
SELECT throws_ok($$SELECT llmspell.record_pattern('global', 'k', 'v')$$, NULL, NULL,
                 'record_pattern() without a tenant writes nothing');
SELECT is((SELECT count(*) FROM (SELECT 1 FROM llmspell.embeddings_384
                                 ORDER BY embedding <=> pg_temp.fixture_vector(384, 1) LIMIT 5) s),
          0::bigint, 'a nearest-neighbour search without a tenant finds nothing');
SELECT is(llmspell.hook_history_cleanup(interval '0 seconds', 1000), 0::bigint,
          'hook_history_cleanup() without a tenant deletes nothing');
RESET ROLE;
SELECT is((SELECT count(*) FROM llmspell.hook_history), 2::bigint, '(both tenants'' hook history is still there)');

SELECT * FROM finish();
ROLLBACK;
