-- Casts between vector and arrays.
BEGIN;
CREATE EXTENSION llmspell;
SELECT plan(12);

SELECT is(ARRAY[1.5,2,3]::real[]::vector::text, '[1.5,2,3]', 'real[] -> vector');
SELECT is(ARRAY[1,2,3]::integer[]::vector::text, '[1,2,3]', 'integer[] -> vector');
SELECT is(ARRAY[1.25,2]::numeric[]::vector::text, '[1.25,2]', 'numeric[] -> vector');
SELECT is(ARRAY[0.5,2]::double precision[]::vector::text, '[0.5,2]', 'double precision[] -> vector');
SELECT is('[1,2.5]'::vector::real[], ARRAY[1,2.5]::real[], 'vector -> real[]');
SELECT is(ARRAY[1,2,3]::vector(3)::text, '[1,2,3]', 'array -> vector(n)');
SELECT throws_ok($$SELECT ARRAY[1,2,3]::vector(2)$$, '22000', 'expected 2 dimensions, not 3',
                 'array -> vector(n) checks the dimension');
SELECT throws_ok($$SELECT ARRAY[1,NULL]::integer[]::vector$$, '22004', NULL, 'NULL element');
SELECT throws_ok($$SELECT ARRAY[[1,2],[3,4]]::integer[]::vector$$, '22000', NULL, 'multi-dimensional array');
SELECT throws_ok($$SELECT ARRAY['NaN']::real[]::vector$$, '22000', NULL, 'NaN element');
SELECT throws_ok($$SELECT ARRAY[1e300]::double precision[]::vector$$, '22003', NULL, 'beyond float4');
SELECT throws_ok($$SELECT '{}'::real[]::vector$$, '22000', 'vector must have at least 1 dimension',
                 'empty array');

SELECT * FROM finish();
ROLLBACK;
