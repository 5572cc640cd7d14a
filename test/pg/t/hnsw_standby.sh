#!/usr/bin/env bash
# A streaming standby replays the index's WAL and answers the same k-NN queries with the same rows.
set -euo pipefail
root=${LLMSPELL_ROOT:-$(cd "$(dirname "$0")/../../.." && pwd)}
source "$root/test/pg/lib/tap.sh"
source "$root/test/pg/lib/hnsw_fixture.sh"
primary=$(mktemp -d /tmp/llmspell-primary.XXXXXX)
standby=$(mktemp -d /tmp/llmspell-standby.XXXXXX)
trap '"$root/scripts/pg-cluster" stop "$standby"; "$root/scripts/pg-cluster" stop "$primary"' EXIT
"$root/scripts/pg-cluster" start "$primary" >/dev/null
on_primary() { (source "$primary/env" && psql -X -q -At -v ON_ERROR_STOP=1 "$@"); }
on_standby() { (source "$standby/env" && psql -X -q -At -v ON_ERROR_STOP=1 "$@"); }

tap_plan 5
on_primary <<SQL
CREATE EXTENSION llmspell;
CREATE TABLE items (id serial PRIMARY KEY, tenant text NOT NULL, embedding vector(96) NOT NULL);
$(hnsw_sql_functions)
INSERT INTO items (tenant, embedding)
  SELECT 't' || (i % 3), embedding(i % 20, random() - 0.5, random() - 0.5, 96) FROM generate_series(1, 3000) i;
CREATE INDEX items_hnsw ON items USING llmspell_hnsw (embedding vector_cosine_ops, tenant);
SQL
"$root/scripts/pg-cluster" standby "$primary" "$standby" >/dev/null
tap_ok 0 "standby created with pg_basebackup and streaming"
# Changes after the base backup reach the standby only through WAL.
on_primary <<'SQL'
INSERT INTO items (tenant, embedding)
  SELECT 't' || (i % 3), embedding(i % 20, random() - 0.5, random() - 0.5, 96) FROM generate_series(1, 1000) i;
DELETE FROM items WHERE id % 5 = 0;
VACUUM items;
SQL
lsn=$(on_primary -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 100); do
  done_=$(on_standby -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")
  [[ "$done_" == t ]] && break
  sleep 0.2
done
tap_is "$done_" t "the standby replayed up to the primary's WAL position"
query="SET enable_seqscan = off; SELECT string_agg(id::text, ',') FROM (SELECT id FROM items WHERE tenant = 't1' ORDER BY embedding <=> (SELECT embedding FROM items WHERE id = 7) LIMIT 10) s"
want=$(on_primary -c "$query")
got=$(on_standby -c "$query")
tap_is "$got" "$want" "the standby's index answers the same k-NN query with the same rows"
plan=$(on_standby -c "SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM items WHERE tenant = 't1' ORDER BY embedding <=> (SELECT embedding FROM items WHERE id = 7) LIMIT 10" | tr '\n' ' ')
[[ "$plan" == *"Index Scan using items_hnsw"* ]]; tap_ok $? "through the index on the standby"
read -r live reachable broken < <(on_standby -F ' ' -c "SELECT live, reachable, broken_links FROM llmspell_hnsw_verify('items_hnsw')")
rows=$(on_standby -c "SELECT count(*) FROM items")
tap_is "$live/$reachable/$broken" "$rows/$rows/0" "the replayed index verifies on the standby"
