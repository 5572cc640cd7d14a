-- Operators and functions against hand-computed values, ordering (btree), aggregates, and exact
-- k-NN with ORDER BY ... LIMIT.
BEGIN;
CREATE EXTENSION llmspell;
SELECT plan(30);

-- a = [1,2,3], b = [4,5,6]: |a-b|^2 = 27, a.b = 32, |a| = sqrt(14), |b| = sqrt(77).
SELECT is(round(('[1,2,3]'::vector <-> '[4,5,6]')::numeric, 5), 5.19615, '<-> is L2 (sqrt 27)');
SELECT is(round(l2_distance('[1,2,3]', '[4,5,6]')::numeric, 5), 5.19615, 'l2_distance');
SELECT is(l2_squared_distance('[1,2,3]', '[4,5,6]'), 27::float8, 'l2_squared_distance');
SELECT is(inner_product('[1,2,3]', '[4,5,6]'), 32::float8, 'inner_product');
SELECT is('[1,2,3]'::vector <#> '[4,5,6]', -32::float8, '<#> is the negative inner product');
SELECT is(round(('[1,2,3]'::vector <=> '[4,5,6]')::numeric, 6),
          round((1 - 32 / sqrt(14.0 * 77.0))::numeric, 6), '<=> is 1 - cos');
SELECT is(round(cosine_distance('[1,2,3]', '[4,5,6]')::numeric, 6),
          round((1 - 32 / sqrt(14.0 * 77.0))::numeric, 6), 'cosine_distance');
SELECT is(cosine_distance('[1,2]', '[-2,-4]'), 2::float8, 'opposite vectors are at cosine distance 2');
SELECT is(cosine_distance('[1,2]', '[0,0]')::text, 'NaN', 'cosine with a zero vector is NaN');
SELECT is(('[1,2,3]'::vector + '[4,5,6]')::text, '[5,7,9]', '+');
SELECT is(('[1,2,3]'::vector - '[4,5,6]')::text, '[-3,-3,-3]', '-');
SELECT is(vector_norm('[3,4]'), 5::float8, 'vector_norm');
SELECT is(l2_normalize('[3,4]')::text, '[0.6,0.8]', 'l2_normalize');
SELECT is(l2_normalize('[0,0]')::text, '[0,0]', 'l2_normalize keeps a zero vector');
SELECT is(vector_dims('[1,2,3,4]'), 4, 'vector_dims');

SELECT throws_ok($$SELECT '[1,2]'::vector <-> '[1,2,3]'$$, '22000',
                 'different vector dimensions 2 and 3', 'dimension mismatch in <->');
SELECT throws_ok($$SELECT '[1,2]'::vector <=> '[1,2,3]'$$, '22000', NULL, 'dimension mismatch in <=>');
SELECT throws_ok($$SELECT '[1,2]'::vector + '[1]'$$, '22000', NULL, 'dimension mismatch in +');
SELECT throws_ok($$SELECT '[3e38]'::vector + '[3e38]'$$, '22003', 'value out of range: overflow',
                 'overflow in +');

-- Ordering: =, <>, <, btree, DISTINCT, GROUP BY, UNIQUE.
SELECT ok('[1,2,3]'::vector = '[1,2,3]', '=');
SELECT ok('[1,2,3]'::vector <> '[1,2,4]', '<>');
SELECT ok('[1,2,3]'::vector < '[1,2,4]' AND '[1,2]'::vector < '[1,2,3]', '< element-wise, then by length');
CREATE TEMP TABLE t_ord (id int, v vector);
INSERT INTO t_ord VALUES (1, '[1,1]'), (2, '[0,5]'), (3, '[1,1]'), (4, '[2,0]');
SELECT is((SELECT count(DISTINCT v) FROM t_ord), 3::bigint, 'DISTINCT');
SELECT results_eq($$SELECT v::text, count(*) FROM t_ord GROUP BY v ORDER BY v$$,
                  $$VALUES ('[0,5]', 1::bigint), ('[1,1]', 2), ('[2,0]', 1)$$, 'GROUP BY and ORDER BY');
CREATE TEMP TABLE t_uniq (v vector UNIQUE);
INSERT INTO t_uniq VALUES ('[1,2]');
SELECT throws_ok($$INSERT INTO t_uniq VALUES ('[1,2]')$$, '23505', NULL, 'UNIQUE through the btree opclass');

-- Aggregates.
SELECT is((SELECT avg(v)::text FROM t_ord), '[1,1.75]', 'avg');
SELECT is((SELECT sum(v)::text FROM t_ord), '[4,7]', 'sum');
SELECT is((SELECT avg(v) FROM t_ord WHERE false), NULL, 'avg of no rows is NULL');

-- Exact k-NN.
CREATE TEMP TABLE t_knn (id int, embedding vector(2));
INSERT INTO t_knn SELECT i, ARRAY[cos(i * 0.1), sin(i * 0.1)]::real[]::vector FROM generate_series(0, 62) i;
SELECT results_eq($$SELECT id FROM t_knn ORDER BY embedding <=> '[1,0.1]' LIMIT 3$$,
                  $$VALUES (1), (0), (2)$$, 'ORDER BY <=> LIMIT k returns the nearest first');
SELECT results_eq($$SELECT id FROM t_knn ORDER BY embedding <-> '[0,1]' LIMIT 2$$,
                  $$VALUES (16), (15)$$, 'ORDER BY <-> LIMIT k');

SELECT * FROM finish();
ROLLBACK;
