-- NULL in, NULL out, as with SQL's built-in functions.
.nullvalue NULL
SELECT vector(NULL), typeof(vector(NULL));
SELECT vector_to_text(NULL), vector_dims(NULL), vector_normalize(NULL);
SELECT vec_distance_l2(NULL, '[1]'), vec_distance_cosine('[1]', NULL), vec_inner_product(NULL, NULL);
-- A NULL argument wins over an invalid other one.
SELECT vec_distance_l2(NULL, 'not a vector');
-- A zero vector has no direction: its cosine distance is NULL.
SELECT vec_distance_cosine('[0,0]', '[1,1]');
-- Rows without a vector get a NULL distance, which sorts first.
CREATE TABLE t(id INTEGER, v BLOB);
INSERT INTO t VALUES (1, vector('[1,0]')), (2, NULL), (3, vector('[0,1]'));
SELECT id, vec_distance_l2(v, '[1,0]') FROM t ORDER BY 2;
