#!/usr/bin/env bash
# The graph functions in PostgreSQL against the model (golden scenarios, cross-tenant matrix,
# random histories), driven by build/test/sqlite/graph_tests as an application role without
# BYPASSRLS, in a database laid out as the migrations lay it out (schema llmspell).
# Runs under test/pg/run-tests, which exports PGHOST/PGPORT/PGUSER for the throwaway cluster.
set -euo pipefail
root=${LLMSPELL_ROOT:-$(cd "$(dirname "$0")/../../.." && pwd)}
binary=$root/build/test/sqlite/graph_tests
trap 'dropdb --if-exists graph_oracle; psql -X -q -c "DROP ROLE IF EXISTS llmspell_graph_oracle" >/dev/null' EXIT

echo "1..2"
if [[ ! -x $binary ]]; then
  echo "not ok 1 - $binary is built (cmake --build build)"
  echo "not ok 2 - # SKIP no binary"
  exit 1
fi
dropdb --if-exists graph_oracle
createdb graph_oracle
psql -X -q -v ON_ERROR_STOP=1 -d graph_oracle >/dev/null <<SQL
SET client_min_messages = warning;
DROP ROLE IF EXISTS llmspell_graph_oracle;
CREATE ROLE llmspell_graph_oracle LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE SCHEMA llmspell;
CREATE EXTENSION llmspell SCHEMA llmspell;
SET search_path = llmspell;
\i $root/pg_extension/sql/graph_schema.sql
GRANT USAGE ON SCHEMA llmspell TO llmspell_graph_oracle;
GRANT SELECT, INSERT, UPDATE, DELETE ON graph_entities, graph_relationships TO llmspell_graph_oracle;
ALTER ROLE llmspell_graph_oracle SET search_path = llmspell;
SQL
echo "ok 1 - graph tables and functions set up in schema llmspell"
conninfo="host=$PGHOST port=$PGPORT user=llmspell_graph_oracle dbname=graph_oracle"
if out=$(LLMSPELL_GRAPH_PG=$conninfo "$binary" --gtest_filter='PgGraph.*' 2>&1); then
  echo "ok 2 - golden, cross-tenant and oracle tests on PostgreSQL as an RLS-bound role"
else
  echo "not ok 2 - golden, cross-tenant and oracle tests on PostgreSQL as an RLS-bound role"
  echo "$out" | sed 's/^/# /' | tail -60
fi
echo "$out" | grep -E '^\[  (PASSED|FAILED|SKIPPED) ' | sed 's/^/# /'
