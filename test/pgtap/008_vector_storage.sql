-- Where vectors are stored: in the heap row while the row fits on a page (no TOAST lookup when
-- an index scan's ORDER BY reads them), out of line only beyond that.
BEGIN;
CREATE EXTENSION llmspell;
SELECT plan(4);

SELECT is((SELECT typstorage FROM pg_type WHERE typname = 'vector'), 'm', 'vector defaults to storage main');

CREATE TABLE t_768 (id int, v vector(768));
-- sin() values: floats that do not compress, like real embeddings.
CREATE FUNCTION pg_temp.wave(seed int, dims int) RETURNS vector LANGUAGE sql AS
  $$SELECT array_agg(sin(seed * 7919 + j)::real ORDER BY j)::vector FROM generate_series(1, dims) j$$;
INSERT INTO t_768 SELECT i, pg_temp.wave(i, 768) FROM generate_series(1, 50) i;
CREATE TABLE t_1536 (id int, meta text, v vector(1536));
-- A large text column moves out of line first; the vector stays in the row.
INSERT INTO t_1536 SELECT i, repeat(md5(i::text), 400), pg_temp.wave(i, 1536)
  FROM generate_series(1, 20) i;
CREATE TABLE t_3072 (id int, v vector(3072));
INSERT INTO t_3072 SELECT i, array_fill(i::real, ARRAY[3072])::vector FROM generate_series(1, 5) i;

-- pg_column_size of an in-line value is its full size; a TOAST pointer is 18 bytes.
SELECT ok((SELECT bool_and(pg_column_size(v) >= 768 * 4) FROM t_768)
          AND (SELECT pg_relation_size(reltoastrelid) = 0 FROM pg_class WHERE relname = 't_768'),
          '768 dimensions stay in the row, the TOAST table stays empty');
SELECT cmp_ok((SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = 't_1536'),
              '<', 20 * 1536 * 4::bigint,
              '1536 dimensions stay in the row beside a large text column (only the text in TOAST)');
SELECT ok((SELECT bool_and(v = array_fill(id::real, ARRAY[3072])::vector) FROM t_3072),
          '3072 dimensions (larger than a page) are stored out of line and read back intact');

SELECT * FROM finish();
ROLLBACK;
