-- Text and binary I/O of the vector type, the vector(n) modifier, and every input error with
-- its SQLSTATE.
BEGIN;
CREATE EXTENSION llmspell;
SELECT plan(25);

SELECT is('[1,2,3]'::vector::text, '[1,2,3]', 'text round trip');
SELECT is('  [ 1.5 , -2e3,+3.25E-2 ]  '::vector::text, '[1.5,-2000,0.0325]',
          'spaces, signs and exponents are accepted');
SELECT is('[0.1,1e-07,3.4028235e+38]'::vector::text, '[0.1,1e-07,3.4028235e+38]',
          'shortest exact float text');
SELECT is('[1e-60]'::vector::text, '[0]', 'underflow reads as zero, like float4');
SELECT is('[1,2,3]'::vector(3)::text, '[1,2,3]', 'typmod accepts matching dimensions');
CREATE TEMP TABLE t_io (v vector(3));
SELECT is(format_type(atttypid, atttypmod), 'vector(3)', 'vector(3) column keeps its modifier')
  FROM pg_attribute WHERE attrelid = 't_io'::regclass AND attname = 'v';
SELECT lives_ok($$INSERT INTO t_io VALUES ('[1,2,3]')$$, 'insert of the right dimension');
SELECT throws_ok($$INSERT INTO t_io VALUES ('[1,2]')$$, '22000', 'expected 3 dimensions, not 2',
                 'insert of the wrong dimension is refused');
SELECT throws_ok($$SELECT '[1,2,3,4]'::vector(3)$$, '22000', 'expected 3 dimensions, not 4',
                 'cast to a smaller vector(n) is refused');

-- Bad text: 22P02 with the position in the detail.
SELECT throws_ok($$SELECT '[1,a]'::vector$$, '22P02',
                 'invalid input syntax for type vector: "[1,a]"', 'letter in a vector');
SELECT throws_ok($$SELECT '[]'::vector$$, '22P02', 'invalid input syntax for type vector: "[]"',
                 'empty vector');
SELECT throws_ok($$SELECT '1,2'::vector$$, '22P02', NULL, 'missing [');
SELECT throws_ok($$SELECT '[1,2'::vector$$, '22P02', NULL, 'missing ]');
SELECT throws_ok($$SELECT '[1,2]x'::vector$$, '22P02', NULL, 'trailing garbage');
SELECT throws_ok($$SELECT '[NaN]'::vector$$, '22P02', NULL, 'NaN');
SELECT throws_ok($$SELECT '[1,Infinity]'::vector$$, '22P02', NULL, 'infinity');
SELECT throws_ok($$SELECT '[1e39]'::vector$$, '22003', NULL, 'beyond the float4 range');
SELECT throws_ok($$SELECT ('[' || repeat('1,', 16000) || '1]')::vector$$, '54000',
                 'vector cannot have more than 16000 dimensions', '16001 dimensions');
SELECT is(vector_dims(('[' || repeat('1,', 15999) || '1]')::vector), 16000,
          '16000 dimensions are allowed');

CREATE FUNCTION pg_temp.error_detail(input text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
  PERFORM input::vector;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN d;
END $$;
SELECT is(pg_temp.error_detail('[1,,2]'), 'At position 3: expected a number.',
          'the detail gives the position of the error');

-- Type modifier limits.
SELECT throws_ok($$CREATE TEMP TABLE t_bad (v vector(0))$$, '22023', NULL, 'vector(0)');
SELECT throws_ok($$CREATE TEMP TABLE t_bad (v vector(16001))$$, '54000', NULL, 'vector(16001)');
SELECT throws_ok($$CREATE TEMP TABLE t_bad (v vector(3, 4))$$, '22023', NULL, 'vector(3, 4)');

-- Binary form (COPY BINARY round trips are in 004).
SELECT is(vector_send('[1,2]'::vector), '\x000200003f80000040000000'::bytea,
          'binary form: int16 dims, int16 zero, big-endian float4');
SELECT is(vector_dims('[1,2,3]'), 3, 'vector_dims');

SELECT * FROM finish();
ROLLBACK;
