#!/usr/bin/env bash
# pg_dump / pg_restore round trip of a table with vectors, in custom and plain formats.
# Runs under test/pg/run-tests, which exports PGHOST/PGPORT/PGUSER for the throwaway cluster.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"; for db in dump_src dump_custom dump_plain; do dropdb --if-exists "$db"; done' EXIT

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
fingerprint() {
  psql -X -At -d "$1" -c "SELECT count(*) || ':' || md5(string_agg(id || '=' || embedding::text, ',' ORDER BY id))
                          FROM items"
}

echo "1..5"
createdb dump_src
psql_q -d dump_src <<'SQL'
CREATE SCHEMA llmspell;
CREATE EXTENSION llmspell SCHEMA llmspell;
CREATE TABLE items (id int PRIMARY KEY, embedding llmspell.vector(3) NOT NULL);
INSERT INTO items
  SELECT i, ARRAY[random() * 2 - 1, i * 1e-3, 1.0 / i]::real[]::llmspell.vector(3)
  FROM generate_series(1, 2000) i;
CREATE INDEX items_hnsw ON items USING llmspell_hnsw (embedding llmspell.vector_l2_ops);
SQL
want=$(fingerprint dump_src)

pg_dump -Fc -d dump_src -f "$work/db.dump"
createdb dump_custom
if pg_restore -d dump_custom --exit-on-error "$work/db.dump"; then
  echo "ok 1 - pg_restore of a custom-format dump succeeds"
else
  echo "not ok 1 - pg_restore of a custom-format dump succeeds"
fi
got=$(fingerprint dump_custom)
if [[ "$got" == "$want" ]]; then echo "ok 2 - custom format: identical vectors"; else
  echo "not ok 2 - custom format: identical vectors"; echo "# want $want got $got"; fi

pg_dump -d dump_src -f "$work/db.sql"
createdb dump_plain
if psql_q -d dump_plain -f "$work/db.sql" >/dev/null; then
  echo "ok 3 - plain dump restores through psql"
else
  echo "not ok 3 - plain dump restores through psql"
fi
got=$(fingerprint dump_plain)
typ=$(psql -X -At -d dump_plain -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                                    WHERE attrelid = 'items'::regclass AND attname = 'embedding'")
if [[ "$got" == "$want" && "$typ" == "llmspell.vector(3)" ]]; then
  echo "ok 4 - plain format: identical vectors and column type $typ"
else
  echo "not ok 4 - plain format: identical vectors and column type"; echo "# want $want got $got ($typ)"
fi
verify=$(psql -X -At -d dump_custom -c "SELECT live || '/' || reachable || '/' || broken_links
                                       FROM llmspell.llmspell_hnsw_verify('items_hnsw')")
if [[ "$verify" == "2000/2000/0" ]]; then echo "ok 5 - the restore rebuilt the HNSW index ($verify)"; else
  echo "not ok 5 - the restore rebuilt the HNSW index"; echo "# verify: $verify"; fi
