-- 001_initial: the llmspell schema, the extensions the tables need, shared trigger functions.
--
-- `llmspell database migrate` runs each file in its own transaction with
--   search_path = llmspell, <schema of the llmspell extension, if elsewhere>, public
-- and records it in llmspell.schema_migrations. Every file can be applied again
-- (`llmspell database migrations apply --migration NAME --force`): objects are created
-- IF NOT EXISTS and functions, triggers and policies are replaced.
--
-- CREATE EXTENSION llmspell needs a superuser (the extension loads a C library); when the
-- migrating role is not one, a superuser runs `CREATE EXTENSION llmspell SCHEMA llmspell` first.

CREATE SCHEMA IF NOT EXISTS llmspell;
COMMENT ON SCHEMA llmspell IS 'llmspell-storage: application tables (see migrations/postgres)';

-- The vector type, its operators and the llmspell_hnsw index access method.
CREATE EXTENSION IF NOT EXISTS llmspell SCHEMA llmspell;
-- Equality on scalar columns inside GiST exclusion constraints (bi-temporal graph keys), and
-- tenant_id leading GIN indexes (graph properties).
CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA llmspell;
CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA llmspell;

-- updated_at follows every change unless the statement sets it explicitly.
CREATE OR REPLACE FUNCTION llmspell.set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION llmspell.set_updated_at() IS
  'BEFORE UPDATE trigger: updated_at = now() unless the UPDATE sets updated_at itself';
