-- The extension is relocatable and keeps to its schema, so it can live beside another extension
-- that owns a type called "vector" (pgvector) in public.
BEGIN;
SELECT plan(5);

CREATE SCHEMA llmspell;
CREATE EXTENSION llmspell SCHEMA llmspell;
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'llmspell'), true, 'relocatable');
SELECT is((SELECT n.nspname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE t.typname = 'vector'), 'llmspell', 'the type lives in the chosen schema');
SELECT is(llmspell.l2_distance('[0,0]'::llmspell.vector, '[3,4]'::llmspell.vector), 5::float8,
          'schema-qualified use');
-- A stand-in for pgvector's type in public: no clash.
CREATE TYPE public.vector AS (x float4[]);
SELECT is((SELECT count(*) FROM pg_type WHERE typname = 'vector'), 2::bigint,
          'a second "vector" type in another schema coexists');
CREATE SCHEMA other;
ALTER EXTENSION llmspell SET SCHEMA other;
SELECT is(other.vector_dims('[1,2,3]'::other.vector), 3, 'ALTER EXTENSION ... SET SCHEMA moves it');

SELECT * FROM finish();
ROLLBACK;
