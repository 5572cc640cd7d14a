-- The backend-local vector cache of llmspell_hnsw scans (llmspell.hnsw_cache_mb): a scan returns
-- the same rows with and without it; after a VACUUM freed slots that new rows then reused, a warm
-- cache is not trusted (the metapage's generation moved); after inserts changed the links of
-- cached nodes, their cached links are not walked (the partition's link_edits moved).
-- Runs outside a transaction block (VACUUM needs that) in a schema of its own, dropped at the end.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS hnsw_cache_test CASCADE;
CREATE SCHEMA hnsw_cache_test;
SET search_path = hnsw_cache_test, public;
CREATE EXTENSION llmspell SCHEMA hnsw_cache_test;
SELECT plan(7);

\ir include/hnsw_helpers.psql
SELECT setseed(0.7);
CREATE TABLE items (id int PRIMARY KEY, embedding vector(96));
SELECT pg_temp.fill('items', 2000, 96);
CREATE INDEX items_cos ON items USING llmspell_hnsw (embedding vector_cosine_ops);
CREATE TABLE queries AS SELECT q, pg_temp.embedding(q % 20, random() - 0.5, random() - 0.5, 96) AS v
  FROM generate_series(1, 40) q;
SET enable_seqscan = off;

-- The ten nearest ids of every query, through the index.
CREATE FUNCTION pg_temp.answers() RETURNS TABLE (q int, ids int[]) LANGUAGE sql AS $$
  SELECT q, (SELECT array_agg(id) FROM (SELECT id FROM items ORDER BY embedding <=> v LIMIT 10) s)
    FROM queries ORDER BY q
$$;

SET llmspell.hnsw_cache_mb = 0;
CREATE TEMP TABLE uncached AS SELECT * FROM pg_temp.answers();
SET llmspell.hnsw_cache_mb = 64;
SELECT results_eq('SELECT * FROM pg_temp.answers()', 'SELECT * FROM uncached',
                  'a cold cache returns the rows of an uncached scan');
SELECT results_eq('SELECT * FROM pg_temp.answers()', 'SELECT * FROM uncached',
                  'and so does the warm cache');
SET llmspell.hnsw_cache_mb = 1;
SELECT results_eq('SELECT * FROM pg_temp.answers()', 'SELECT * FROM uncached',
                  'and a cache too small for the index, evicting as it goes');

-- Delete half, VACUUM (slots freed), insert new rows into those slots: the warm cache of this
-- backend holds the old vectors of the reused slots.
SET llmspell.hnsw_cache_mb = 64;
CREATE TEMP TABLE warm AS SELECT * FROM pg_temp.answers();
DELETE FROM items WHERE id % 2 = 0;
VACUUM items;
CREATE TEMP TABLE sizes AS SELECT pg_relation_size('items_cos') AS before;
INSERT INTO items (id, embedding)
  SELECT 10000 + i, pg_temp.embedding((i + 7) % 20, random() - 0.5, random() - 0.5, 96)
  FROM generate_series(1, 1000) i;
SELECT ok(pg_relation_size('items_cos') <= (SELECT before FROM sizes) * 1.1,
          'the new rows took the freed slots');
CREATE TEMP TABLE cached_after AS SELECT * FROM pg_temp.answers();
SET llmspell.hnsw_cache_mb = 0;  -- (this also drops the cache)
CREATE TEMP TABLE uncached_after AS SELECT * FROM pg_temp.answers();
SELECT results_eq('SELECT * FROM cached_after', 'SELECT * FROM uncached_after',
                  'after VACUUM and slot reuse a warm cache returns the uncached rows');

-- Warm the cache (vectors and level-0 links), then insert rows close to every query: the old
-- nodes near them get new links. Walking the cached copies of their old lists would never reach
-- the new rows.
SET llmspell.hnsw_cache_mb = 64;
CREATE TEMP TABLE warm_again AS SELECT * FROM pg_temp.answers();
INSERT INTO items (id, embedding)
  SELECT 20000 + i, pg_temp.embedding(i % 20, random() - 0.5, random() - 0.5, 96)
  FROM generate_series(1, 500) i;
CREATE TEMP TABLE cached_grown AS SELECT * FROM pg_temp.answers();
SET llmspell.hnsw_cache_mb = 0;
CREATE TEMP TABLE uncached_grown AS SELECT * FROM pg_temp.answers();
SELECT results_eq('SELECT * FROM cached_grown', 'SELECT * FROM uncached_grown',
                  'after inserts changed cached links a warm cache returns the uncached rows');

SELECT results_eq($$SELECT live, reachable, broken_links FROM llmspell_hnsw_verify('items_cos')$$,
                  $$VALUES (2500::bigint, 2500::bigint, 0::bigint)$$, 'the index is sound');

SELECT * FROM finish();
DROP SCHEMA hnsw_cache_test CASCADE;
