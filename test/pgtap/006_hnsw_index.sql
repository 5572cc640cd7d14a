-- The llmspell_hnsw index: planner use, recall against exact search for every metric and for
-- 384 to 3072 dimensions, completeness under extra WHERE conditions, VACUUM, bad input.
-- Runs outside a transaction block (VACUUM needs that) in a schema of its own, dropped at the end.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS hnsw_test CASCADE;
CREATE SCHEMA hnsw_test;
SET search_path = hnsw_test, public;
CREATE EXTENSION llmspell SCHEMA hnsw_test;
SELECT plan(24);

\ir include/hnsw_helpers.psql
SELECT setseed(0.42);

-- 384 dimensions, each metric.
CREATE TABLE t384 (id int PRIMARY KEY, embedding vector(384));
SELECT pg_temp.fill('t384', 3000, 384);
CREATE INDEX t384_l2 ON t384 USING llmspell_hnsw (embedding vector_l2_ops);
CREATE INDEX t384_cos ON t384 USING llmspell_hnsw (embedding vector_cosine_ops);
CREATE INDEX t384_ip ON t384 USING llmspell_hnsw (embedding vector_ip_ops) WITH (m = 24, ef_construction = 100);
ANALYZE t384;
SELECT ok(pg_temp.recall('t384', '<->', 384) >= 0.95, 'L2 recall@10 >= 0.95 at 384 dimensions');
SELECT ok(pg_temp.recall('t384', '<=>', 384) >= 0.95, 'cosine recall@10 >= 0.95 at 384 dimensions');
SELECT ok(pg_temp.recall('t384', '<#>', 384) >= 0.95, 'inner product recall@10 >= 0.95 at 384 dimensions');

SELECT matches(pg_temp.plan_of($$SELECT id FROM t384 ORDER BY embedding <=> (SELECT embedding FROM t384 WHERE id = 1) LIMIT 10$$),
               'Index Scan using t384_cos', 'the planner uses the index for ORDER BY <=> LIMIT');
SELECT matches(pg_temp.plan_of($$SELECT id FROM t384 ORDER BY embedding <-> (SELECT embedding FROM t384 WHERE id = 1) LIMIT 10$$),
               'Index Scan using t384_l2', 'and the L2 index for <->');
SELECT doesnt_match(pg_temp.plan_of($$SELECT id FROM t384 ORDER BY embedding <=> (SELECT embedding FROM t384 WHERE id = 1)$$),
                    'llmspell|t384_cos', 'but not to sort the whole table');

-- Completeness: other conditions reject 90% of the rows; the scan goes on until LIMIT is met.
SELECT is((SELECT count(*) FROM (SELECT id FROM t384 WHERE id % 10 = 3
           ORDER BY embedding <=> (SELECT embedding FROM t384 WHERE id = 7) LIMIT 250) s),
          250::bigint, 'WHERE + LIMIT returns every row asked for');
SELECT is((SELECT count(*) FROM (SELECT id FROM t384 WHERE id % 10 = 3
           ORDER BY embedding <=> (SELECT embedding FROM t384 WHERE id = 7) LIMIT 1000) s),
          300::bigint, 'and every matching row when fewer exist than the LIMIT');

-- Settings.
BEGIN;
SET LOCAL llmspell.hnsw_ef_search = 200;
SELECT is(current_setting('llmspell.hnsw_ef_search'), '200', 'ef_search is settable per transaction');
SELECT ok(pg_temp.recall('t384', '<=>', 384) >= 0.98, 'a larger ef_search finds more true neighbours');
COMMIT;

-- 768, 1536 and 3072 dimensions (3072 stores float16 in the index and rechecks the order).
CREATE TABLE t768 (id int PRIMARY KEY, embedding vector(768));
SELECT pg_temp.fill('t768', 2000, 768);
CREATE INDEX ON t768 USING llmspell_hnsw (embedding vector_cosine_ops);
SELECT ok(pg_temp.recall('t768', '<=>', 768) >= 0.95, 'cosine recall@10 >= 0.95 at 768 dimensions');
CREATE TABLE t1536 (id int PRIMARY KEY, embedding vector(1536));
SELECT pg_temp.fill('t1536', 2000, 1536);
CREATE INDEX ON t1536 USING llmspell_hnsw (embedding vector_cosine_ops);
SELECT ok(pg_temp.recall('t1536', '<=>', 1536) >= 0.95, 'cosine recall@10 >= 0.95 at 1536 dimensions');
CREATE TABLE t3072 (id int PRIMARY KEY, embedding vector(3072));
SELECT pg_temp.fill('t3072', 1500, 3072);
CREATE INDEX t3072_idx ON t3072 USING llmspell_hnsw (embedding vector_cosine_ops);
SELECT ok(pg_temp.recall('t3072', '<=>', 3072) >= 0.95, 'cosine recall@10 >= 0.95 at 3072 dimensions');
SELECT results_eq(
  $$SELECT live, reachable, broken_links FROM llmspell_hnsw_verify('t3072_idx')$$,
  $$VALUES (1500::bigint, 1500::bigint, 0::bigint)$$, 'the 3072-dimension index verifies');

-- A graph that outgrows maintenance_work_mem: written as far as it fits, the rest inserted.
SET maintenance_work_mem = '1MB';
SELECT lives_ok($$CREATE INDEX t384_small_mem ON t384 USING llmspell_hnsw (embedding vector_cosine_ops)$$,
                'a build beyond maintenance_work_mem completes');
RESET maintenance_work_mem;
SELECT results_eq($$SELECT live, reachable, broken_links FROM llmspell_hnsw_verify('t384_small_mem')$$,
                  $$VALUES (3000::bigint, 3000::bigint, 0::bigint)$$, 'and holds every row, reachable');
DROP INDEX t384_cos;
SELECT ok(pg_temp.recall('t384', '<=>', 384) >= 0.95, 'with recall@10 >= 0.95');
ALTER INDEX t384_small_mem RENAME TO t384_cos;

-- Delete half, VACUUM: recall holds, every live row stays reachable, slots are reused.
DELETE FROM t384 WHERE id % 2 = 0;
VACUUM t384;
SELECT setseed(0.43);
SELECT results_eq($$SELECT live, reachable, broken_links FROM llmspell_hnsw_verify('t384_cos')$$,
                  $$VALUES (1500::bigint, 1500::bigint, 0::bigint)$$, 'after VACUUM every live row is reachable');
SELECT ok(pg_temp.recall('t384', '<=>', 384) >= 0.95, 'recall holds after deleting half and vacuuming');
CREATE TEMP TABLE sizes AS SELECT pg_relation_size('t384_cos') AS before;
INSERT INTO t384 (id, embedding)
  SELECT 10000 + i, pg_temp.embedding(i % 20, random() - 0.5, random() - 0.5, 384) FROM generate_series(1, 1500) i;
SELECT ok(pg_relation_size('t384_cos') <= (SELECT before FROM sizes) * 1.1,
          'reinserting as many rows reuses the freed slots');

-- Bad input.
SELECT throws_ok($$CREATE INDEX ON t384 USING llmspell_hnsw (embedding vector_l2_ops) WITH (m = 1)$$,
                 '22023', NULL, 'm below its range');
SELECT throws_ok($$CREATE INDEX ON t384 USING llmspell_hnsw (embedding vector_l2_ops) WITH (ef_construction = 5000)$$,
                 '22023', NULL, 'ef_construction above its range');
CREATE TABLE nodims (id int, embedding vector);
SELECT throws_ok($$CREATE INDEX ON nodims USING llmspell_hnsw (embedding vector_l2_ops)$$,
                 '22023', 'column "embedding" has no dimensions', 'a column without dimensions');
SET enable_seqscan = off;
SELECT throws_ok($$SELECT id FROM t384 ORDER BY embedding <=> '[1,2,3]' LIMIT 1$$,
                 '22000', NULL, 'a query vector of the wrong dimension');
RESET enable_seqscan;

SELECT * FROM finish();
DROP SCHEMA hnsw_test CASCADE;
