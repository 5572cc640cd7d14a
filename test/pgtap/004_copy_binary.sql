-- COPY ... (FORMAT binary) round trip through a server-side file.
BEGIN;
CREATE EXTENSION llmspell;
SELECT plan(3);

CREATE TEMP TABLE t_src (id int, v vector(4));
INSERT INTO t_src SELECT i, ARRAY[i, -i, i * 0.001, 1e-30]::real[] FROM generate_series(1, 500) i;
SELECT lives_ok($$COPY t_src TO '/tmp/llmspell_copy_binary.bin' (FORMAT binary)$$, 'COPY TO binary');
CREATE TEMP TABLE t_dst (id int, v vector(4));
SELECT lives_ok($$COPY t_dst FROM '/tmp/llmspell_copy_binary.bin' (FORMAT binary)$$, 'COPY FROM binary');
SELECT is((SELECT count(*) FROM t_src s JOIN t_dst d USING (id) WHERE s.v = d.v), 500::bigint,
          'every vector comes back bit for bit');

SELECT * FROM finish();
ROLLBACK;
