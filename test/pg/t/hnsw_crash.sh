#!/usr/bin/env bash
# kill -9 of the whole server while sessions insert into an llmspell_hnsw index; after crash
# recovery (WAL replay of the GenericXLog records) the index verifies and keeps its recall.
set -euo pipefail
root=${LLMSPELL_ROOT:-$(cd "$(dirname "$0")/../../.." && pwd)}
source "$root/test/pg/lib/tap.sh"
source "$root/test/pg/lib/hnsw_fixture.sh"
cluster=$(mktemp -d /tmp/llmspell-crash.XXXXXX)
trap '"$root/scripts/pg-cluster" stop "$cluster"' EXIT
"$root/scripts/pg-cluster" start "$cluster" >/dev/null
source "$cluster/env"
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

tap_plan 6
q <<SQL
CREATE EXTENSION llmspell;
CREATE TABLE items (id serial PRIMARY KEY, embedding vector(64) NOT NULL);
$(hnsw_sql_functions)
INSERT INTO items (embedding) SELECT embedding(i % 20, random() - 0.5, random() - 0.5, 64) FROM generate_series(1, 2000) i;
CREATE INDEX items_hnsw ON items USING llmspell_hnsw (embedding vector_cosine_ops);
SQL
# Two sessions insert in many small transactions until the server dies under them.
for s in 1 2; do
  (for _ in $(seq 400); do
     q -c "INSERT INTO items (embedding) SELECT embedding(i % 20, random() - 0.5, random() - 0.5, 64) FROM generate_series(1, 5) i" || exit 0
   done) >/dev/null 2>&1 &
done
# A third session inserts 50 rows and never commits. Any commit after its index records flushes
# them to WAL, so recovery replays index elements whose heap rows are aborted, as it would for
# any transaction in flight at the crash; until VACUUM they are index elements without a row.
q -c "BEGIN; INSERT INTO items (embedding) SELECT embedding(i % 20, 0.3, 0.3, 64) FROM generate_series(1, 50) i; SELECT pg_sleep(600)" \
  >/dev/null 2>&1 &
for _ in $(seq 100); do
  [[ $(q -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'") == 1 ]] && break
  sleep 0.1
done
sleep 2
q -c "INSERT INTO items (embedding) VALUES (embedding(1, 0, 0, 64))"
"$root/scripts/pg-cluster" crash "$cluster"
wait || true
"$root/scripts/pg-cluster" restart "$cluster"
tap_ok 0 "server killed with SIGKILL during inserts and restarted"
rows=$(q -c "SELECT count(*) FROM items")
tap_cmp "$rows" '>' 2000 "rows committed before the crash are there ($rows)"
read -r live reachable broken < <(q -F ' ' -c "SELECT live, reachable, broken_links FROM llmspell_hnsw_verify('items_hnsw')")
tap_ok "$((!(live >= rows + 50 && reachable == live && broken == 0)))" \
  "after recovery every row and the aborted transaction's 50 are in the index, reachable, no broken link ($live/$reachable/$broken, $rows rows)"
q -c "VACUUM items"
read -r live reachable broken < <(q -F ' ' -c "SELECT live, reachable, broken_links FROM llmspell_hnsw_verify('items_hnsw')")
tap_is "$live/$reachable/$broken" "$rows/$rows/0" "VACUUM removes the aborted rows' elements: exactly the rows remain"
recall=$(q -c "SELECT recall(64)")
tap_cmp "$recall" '>=' 0.95 "recall@10 after recovery: $recall"
q -c "INSERT INTO items (embedding) SELECT embedding(i % 20, 0, 0, 64) FROM generate_series(1, 100) i"
read -r live reachable broken < <(q -F ' ' -c "SELECT live, reachable, broken_links FROM llmspell_hnsw_verify('items_hnsw')")
tap_is "$live/$reachable/$broken" "$((rows + 100))/$((rows + 100))/0" "and it takes new rows"
