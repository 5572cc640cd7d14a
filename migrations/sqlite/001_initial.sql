-- 001_initial: marks the file as an llmspell database.
--
-- `llmspell database migrate` runs each file inside a savepoint of its own, with the llmspell
-- module loaded (vector_dims() in CHECK constraints, the llmspell_hnsw virtual table) and
-- foreign keys on, and records it in schema_migrations. The SQLite schema mirrors the PostgreSQL
-- one (migrations/postgres) with SQLite's types:
--   ids and text      TEXT
--   times             INTEGER microseconds since 1970-01-01 UTC; 9223372036854775807 is infinity
--   JSON              TEXT holding valid JSON (json_valid)
--   bytes, vectors    BLOB (vectors as float32 little-endian, the module's encoding)
-- There is no row-level security in SQLite: llmspell_set_tenant() scopes the module's virtual
-- tables and functions to a tenant; plain queries filter on tenant_id themselves.
-- Every file can be applied again (`llmspell database migrations apply --migration NAME --force`).

-- "LLSP": lets tools tell an llmspell database from any other SQLite file.
PRAGMA application_id = 1280070480;
