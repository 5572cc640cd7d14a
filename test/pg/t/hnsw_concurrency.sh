#!/usr/bin/env bash
# Several sessions insert and search at once (pgbench), while CREATE INDEX CONCURRENTLY and
# REINDEX CONCURRENTLY run; then the index verifies: every row reachable, no broken link.
set -euo pipefail
root=${LLMSPELL_ROOT:-$(cd "$(dirname "$0")/../../.." && pwd)}
source "$root/test/pg/lib/tap.sh"
source "$root/test/pg/lib/hnsw_fixture.sh"
cluster=$(mktemp -d /tmp/llmspell-conc.XXXXXX)
work=$(mktemp -d)
trap '"$root/scripts/pg-cluster" stop "$cluster"; rm -rf "$work"' EXIT
"$root/scripts/pg-cluster" start "$cluster" >/dev/null
source "$cluster/env"
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
pgbench=$(pg_config --bindir)/pgbench

tap_plan 6
q <<SQL
CREATE EXTENSION llmspell;
CREATE TABLE items (id serial PRIMARY KEY, tenant text NOT NULL, embedding vector(32) NOT NULL);
$(hnsw_sql_functions)
INSERT INTO items (tenant, embedding)
  SELECT 't' || (i % 4), embedding(i % 20, random() - 0.5, random() - 0.5, 32) FROM generate_series(1, 2000) i;
CREATE INDEX items_hnsw ON items USING llmspell_hnsw (embedding vector_cosine_ops, tenant);
SQL
cat >"$work/insert.sql" <<'SQL'
\set t random(0, 3)
INSERT INTO items (tenant, embedding) SELECT 't' || :t, embedding((random() * 19)::int, random() - 0.5, random() - 0.5, 32) FROM generate_series(1, 3);
SQL
cat >"$work/search.sql" <<'SQL'
\set t random(0, 3)
SET enable_seqscan = off;
SELECT id FROM items WHERE tenant = 't' || :t ORDER BY embedding <=> embedding((random() * 19)::int, 0, 0, 32) LIMIT 10;
SQL
"$pgbench" -n -c 4 -j 2 -T 8 -f "$work/insert.sql@2" -f "$work/search.sql@1" >"$work/bench.log" 2>&1 &
bench=$!
sleep 1
q -c "CREATE INDEX CONCURRENTLY items_hnsw2 ON items USING llmspell_hnsw (embedding vector_l2_ops)"
tap_ok $? "CREATE INDEX CONCURRENTLY while sessions insert and search"
q -c "REINDEX INDEX CONCURRENTLY items_hnsw2"
tap_ok $? "REINDEX CONCURRENTLY"
wait "$bench"
failed=$(grep -Eo 'number of failed transactions: [0-9]+' "$work/bench.log" | head -1 | awk '{print $NF}')
done_=$(grep -Eo 'number of transactions actually processed: [0-9]+' "$work/bench.log" | head -1 | awk '{print $NF}')
tap_is "${failed:-0}" 0 "pgbench: $done_ transactions (4 clients inserting and searching), none failed"
rows=$(q -c "SELECT count(*) FROM items")
for idx in items_hnsw items_hnsw2; do
  read -r live reachable broken < <(q -F ' ' -c "SELECT live, reachable, broken_links FROM llmspell_hnsw_verify('$idx')")
  tap_is "$live/$reachable/$broken" "$rows/$rows/0" "$idx: all $rows rows in the index, reachable, no broken link"
done
recall=$(q -c "SELECT recall(32)")
tap_cmp "$recall" '>=' 0.95 "recall@10 after concurrent inserts: $recall"
