-- Tenant-scoped search through the index under row-level security, as an application role:
-- the tenant condition of the policy is applied during the graph walk (each tenant has a graph
-- of its own), so small tenants keep their recall and never see another tenant's rows.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS tenant_test CASCADE;
CREATE SCHEMA tenant_test;
SET search_path = tenant_test, public;
CREATE EXTENSION llmspell SCHEMA tenant_test;
SELECT plan(12);

\ir include/hnsw_helpers.psql
SELECT setseed(0.7);
CREATE TABLE docs (id int PRIMARY KEY, tenant_id text NOT NULL, embedding vector(64) NOT NULL);
-- 20000 rows: tenants owning 50%, 10%, 1% and 0.1% of them, the rest to "other".
INSERT INTO docs
  SELECT i, CASE WHEN i % 1000 = 0 THEN 't0.1' WHEN i % 100 = 1 THEN 't1' WHEN i % 10 = 2 THEN 't10'
                 WHEN i % 2 = 1 THEN 't50' ELSE 'other' END,
         pg_temp.embedding(i % 20, random() - 0.5, random() - 0.5, 64)
  FROM generate_series(1, 20000) i;
CREATE INDEX docs_hnsw ON docs USING llmspell_hnsw (embedding vector_cosine_ops, tenant_id);
ANALYZE docs;
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE docs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON docs USING (tenant_id = current_setting('app.tenant_id', true));
DROP ROLE IF EXISTS llmspell_tenant_test;
CREATE ROLE llmspell_tenant_test NOSUPERUSER NOBYPASSRLS;
GRANT USAGE ON SCHEMA tenant_test TO llmspell_tenant_test;
GRANT SELECT ON docs TO llmspell_tenant_test;

SET ROLE llmspell_tenant_test;
SELECT is((SELECT count(*) FROM docs), 0::bigint, 'with no tenant set, no rows');

SELECT set_config('app.tenant_id', 't1', false);
SELECT is(pg_temp.recall('docs', '<=>', 64) >= 0.95, true, 'tenant with 1% of the rows: recall@10 >= 0.95');
SELECT set_config('app.tenant_id', 't0.1', false);
SELECT is(pg_temp.recall('docs', '<=>', 64) >= 0.95, true, 'tenant with 0.1% of the rows: recall@10 >= 0.95');
SELECT is((SELECT count(*) FROM (SELECT id FROM docs ORDER BY embedding <=> pg_temp.embedding(3, 0, 0, 64) LIMIT 50) s),
          20::bigint, 'a tiny tenant gets all of its rows, not fewer');
SELECT set_config('app.tenant_id', 't10', false);
SELECT is(pg_temp.recall('docs', '<=>', 64) >= 0.95, true, 'tenant with 10% of the rows: recall@10 >= 0.95');
SELECT set_config('app.tenant_id', 't50', false);
SELECT is(pg_temp.recall('docs', '<=>', 64) >= 0.95, true, 'tenant with 50% of the rows: recall@10 >= 0.95');

-- The index does the tenant filtering: the policy's condition is an index condition.
SELECT matches(pg_temp.plan_of($$SELECT id FROM docs ORDER BY embedding <=> '[1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0]' LIMIT 10$$),
               'Index Cond: \(tenant_id = current_setting', 'the RLS condition is applied inside the index');

-- No row of another tenant comes back, through the index or otherwise.
SELECT set_config('app.tenant_id', 't1', false);
SET enable_seqscan = off;
SELECT is((SELECT count(*) FROM (SELECT tenant_id FROM docs ORDER BY embedding <=> pg_temp.embedding(5, 0.1, 0.2, 64) LIMIT 500) s
           WHERE tenant_id <> 't1'), 0::bigint, 'index scan: zero rows of other tenants');
SELECT is((SELECT count(*) FROM (SELECT id FROM docs ORDER BY embedding <=> pg_temp.embedding(5, 0.1, 0.2, 64) LIMIT 500) s),
          200::bigint, 'index scan: exactly the tenant''s 200 rows');
RESET enable_seqscan;
SELECT throws_ok($$INSERT INTO docs VALUES (999999, 't1', pg_temp.embedding(1, 0, 0, 64))$$, '42501', NULL,
                 'the application role cannot write (no grant)');
SELECT set_config('app.tenant_id', 'nobody', false);
SELECT is((SELECT count(*) FROM (SELECT id FROM docs ORDER BY embedding <=> pg_temp.embedding(5, 0.1, 0.2, 64) LIMIT 10) s),
          0::bigint, 'an unknown tenant sees nothing');
RESET ROLE;
SELECT results_eq($$SELECT partitions, live, reachable, broken_links FROM llmspell_hnsw_verify('docs_hnsw')$$,
                  $$VALUES (5::bigint, 20000::bigint, 20000::bigint, 0::bigint)$$,
                  'one graph per tenant, every row reachable');

SELECT * FROM finish();
RESET ROLE;
DROP SCHEMA tenant_test CASCADE;
DROP ROLE llmspell_tenant_test;
