#!/usr/bin/env bash
# Runs bench_graph on SQLite and on a throwaway PostgreSQL cluster (started here, stopped on
# exit): the graph tables in schema llmspell as the migrations lay them out, loaded as the
# superuser and queried as a role under row-level security, as an application queries them.
#   test/bench/bench_graph.sh [BUILD_DIR] [bench_graph options...]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-bench}
shift || true
cluster=$(mktemp -d /tmp/llmspell-pg.XXXXXX)
trap 'scripts/pg-cluster stop "$cluster"' EXIT
scripts/pg-cluster start "$cluster" >/dev/null
# shellcheck disable=SC1091
source "$cluster/env"
createdb graph_bench
psql -X -q -v ON_ERROR_STOP=1 -d graph_bench >/dev/null <<SQL
SET client_min_messages = warning;
CREATE SCHEMA llmspell;
CREATE EXTENSION llmspell SCHEMA llmspell;
SET search_path = llmspell;
\i $PWD/pg_extension/sql/graph_schema.sql
ALTER DATABASE graph_bench SET search_path = llmspell;
-- The queries run as an application would: a role without BYPASSRLS, under the tenant policy.
CREATE ROLE llmspell_graph_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
GRANT USAGE ON SCHEMA llmspell TO llmspell_graph_reader;
GRANT SELECT ON graph_entities, graph_relationships TO llmspell_graph_reader;
SQL
"$build/test/bench/bench_graph" --pg "host=$PGHOST port=$PGPORT user=postgres dbname=graph_bench" \
  --pg-role llmspell_graph_reader "$@"
