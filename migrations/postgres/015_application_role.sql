-- 015_application_role: llmspell_app, the role applications use.
--
-- It is neither superuser nor BYPASSRLS and owns no table, so row-level security always applies
-- to it. It is created NOLOGIN, without a password: `llmspell database migrate` gives it LOGIN and
-- a password taken from LLMSPELL_APP_PASSWORD or [storage.postgresql] app_password (sent to the
-- server as a SCRAM verifier, never in clear), or an administrator grants it to a login role:
--   CREATE ROLE my_service LOGIN PASSWORD '...' IN ROLE llmspell_app;
-- Creating a role needs CREATEROLE; a pre-existing llmspell_app with SUPERUSER or BYPASSRLS is
-- refused rather than silently trusted.

DO $$
DECLARE
  r record;
BEGIN
  SELECT rolsuper, rolbypassrls INTO r FROM pg_roles WHERE rolname = 'llmspell_app';
  IF NOT FOUND THEN
    CREATE ROLE llmspell_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  ELSIF r.rolsuper OR r.rolbypassrls THEN
    RAISE EXCEPTION 'role llmspell_app exists with SUPERUSER or BYPASSRLS: row-level security would not apply to it'
      USING HINT = 'ALTER ROLE llmspell_app NOSUPERUSER NOBYPASSRLS, then migrate again';
  END IF;
  -- Tables in the llmspell schema resolve without qualification in this database.
  EXECUTE format('ALTER ROLE llmspell_app IN DATABASE %I SET search_path = llmspell, public',
                 current_database());
END
$$;

GRANT USAGE ON SCHEMA llmspell TO llmspell_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON
  llmspell.embeddings_384, llmspell.embeddings_768, llmspell.embeddings_1536, llmspell.embeddings_3072,
  llmspell.graph_entities, llmspell.graph_relationships, llmspell.procedural_patterns,
  llmspell.agent_states, llmspell.kv_store, llmspell.workflow_states, llmspell.sessions,
  llmspell.artifact_content, llmspell.artifacts, llmspell.event_log, llmspell.hook_history
  TO llmspell_app;
GRANT USAGE ON SEQUENCE llmspell.event_log_sequence TO llmspell_app;
GRANT EXECUTE ON FUNCTION llmspell.event_log_create_partitions(integer) TO llmspell_app;
-- Read access to the migration history, so that `llmspell database health` works as the
-- application (the table exists when `llmspell database migrate` runs this file).
DO $$
BEGIN
  IF to_regclass('llmspell.schema_migrations') IS NOT NULL THEN
    GRANT SELECT ON llmspell.schema_migrations TO llmspell_app;
  END IF;
END
$$;
