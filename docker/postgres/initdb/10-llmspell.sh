#!/usr/bin/env bash
# Runs once, when the container starts on an empty data volume (the postgres image's
# /docker-entrypoint-initdb.d): creates the llmspell extension and applies every migration to
# $POSTGRES_DB with the llmspell program, over the local socket of the temporary server the
# entrypoint runs. The volume keeps the result; `llmspell database migrate` applies later ones.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE SCHEMA IF NOT EXISTS llmspell;
CREATE EXTENSION IF NOT EXISTS llmspell SCHEMA llmspell;
SQL

# POSTGRES_USER is the image's superuser: it may create the extension's companions and roles.
DATABASE_URL="postgresql:///$POSTGRES_DB?host=${PGHOST:-/var/run/postgresql}&user=$POSTGRES_USER" \
  llmspell database migrate
