-- no-bail: every statement below fails; the shell reports each error and goes on.
SELECT vector('[1,x]');
SELECT vector('[]');
SELECT vector(x'');
SELECT vector(x'000000000000');
SELECT vector(x'0000c07f');
SELECT vector(zeroblob(64004));
SELECT vector('[' || (SELECT group_concat('1', ',') FROM generate_series(1, 16001)) || ']');
SELECT vector(42);
SELECT vector(4.2);
SELECT vec_distance_l2('[1,2,3]', '[1,2,3,4]');
SELECT vec_distance_cosine('[1,2]', 'oops');
SELECT vec_inner_product('[1e39]', '[1]');
SELECT vector_dims('[1,2');
SELECT vector_to_text('[1,2] extra');
SELECT vector_normalize(x'0000803f00');
CREATE TABLE t(v BLOB CHECK (vector_dims(v) = 3));
INSERT INTO t VALUES (vector('[1,2]'));
INSERT INTO t VALUES ('[1,2,3');
