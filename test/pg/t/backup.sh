#!/usr/bin/env bash
# scripts/backup end to end: a database migrated by the llmspell CLI and filled with a sample in
# all 15 tables is backed up, restored into a fresh database, and both hold the same content;
# the retention deletes only old backups, and a failed dump writes and deletes nothing.
# Runs under test/pg/run-tests (PGHOST/PGPORT/PGUSER of the throwaway cluster); the CLI is
# $LLMSPELL, else build/cli/llmspell.
set -uo pipefail
root=${LLMSPELL_ROOT:-$(cd "$(dirname "$0")/../../.." && pwd)}
# shellcheck disable=SC1091
source "$root/test/pg/lib/tap.sh"
llmspell=${LLMSPELL:-$root/build/cli/llmspell}
work=$(mktemp -d)
trap 'rm -rf "$work"; for db in backup_src backup_restored; do dropdb --if-exists "$db"; done' EXIT
unset DATABASE_URL LLMSPELL_CONFIG LLMSPELL_MIGRATIONS_DIR

tap_plan 16
url() { echo "postgresql://$PGUSER@localhost:$PGPORT/$1?host=$PGHOST"; }
# Every table of the schema (the 15, the migration history), row by row in a fixed order: the
# same content gives the same line whatever the physical order of the rows.
fingerprint() {
  local t
  for t in $(psql -X -At -d "$1" -c "SELECT c.relname FROM pg_class c
               WHERE c.relnamespace = 'llmspell'::regnamespace AND c.relkind IN ('r', 'p')
                 AND NOT c.relispartition ORDER BY 1"); do
    psql -X -At -d "$1" -c "SELECT '$t ' || count(*) || ' ' || coalesce(md5(string_agg(r::text, E'\n' ORDER BY r::text)), '-')
                            FROM llmspell.$t r"
  done
}

createdb backup_src
DATABASE_URL=$(url backup_src) "$llmspell" database migrate >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d backup_src -f "$root/test/pg/data/sample.sql" >/dev/null
want=$(fingerprint backup_src)
tap_is "$(grep -c '' <<<"$want")" 16 "the source has the 15 tables and the migration history"
tap_is "$(awk '$2 == 0' <<<"$want")" "" "... every one of them with rows"

backups=$work/backups
mkdir -p "$backups"
touch -d '10 days ago' "$backups/llmspell_20000101_000000.sql.gz"
touch -d '4 days ago' "$backups/llmspell_20000102_000000.sql.gz"
touch -d '1 day ago' "$backups/llmspell_20000103_000000.sql.gz"
touch -d '10 days ago' "$backups/notes.txt"

PGDATABASE=nonexistent_db "$root/scripts/backup" --dir "$backups" --keep-days 3 >"$work/fail.log" 2>&1
tap_is "$?" 1 "a failed pg_dump: exit status 1"
tap_is "$(ls -A "$backups" | sort | tr '\n' ' ')" \
  "llmspell_20000101_000000.sql.gz llmspell_20000102_000000.sql.gz llmspell_20000103_000000.sql.gz notes.txt " \
  "... no file written (not even a partial one), none deleted"

out=$(DATABASE_URL=$(url backup_src) "$root/scripts/backup" --dir "$backups" --keep-days 3)
tap_is "$?" 0 "backup of the populated database"
file=$(sed -n 's/^backup: \(.*\.sql\.gz\) ([0-9]* bytes)$/\1/p' <<<"$out")
[[ "$file" =~ /llmspell_[0-9]{8}_[0-9]{6}\.sql\.gz$ && -s "$file" ]]
tap_ok $? "... writes llmspell_YYYYmmdd_HHMMSS.sql.gz ($(basename "$file"))"
gzip -t "$file"
tap_ok $? "... a complete gzip file"
[[ ! -e "$backups/llmspell_20000101_000000.sql.gz" && ! -e "$backups/llmspell_20000102_000000.sql.gz" ]]
tap_ok $? "... deletes the backups older than 3 days"
[[ -e "$backups/llmspell_20000103_000000.sql.gz" && -e "$backups/notes.txt" ]]
tap_ok $? "... keeps the younger one and files that are not backups"

"$root/scripts/backup" --help | grep -q 'gunzip -c .* | psql -v ON_ERROR_STOP=1'
tap_ok $? "--help gives the restore command"

# The restore as --help describes it, into a fresh database of the same cluster.
createdb backup_restored
gunzip -c "$file" | psql -X -q -v ON_ERROR_STOP=1 -d backup_restored >/dev/null 2>"$work/restore.err"
tap_ok $? "restore through gunzip | psql -v ON_ERROR_STOP=1"
got=$(fingerprint backup_restored)
tap_is "$got" "$want" "the restored database holds the same rows in every table"

# With `llmspell storage export`, the comparison a user runs: identical exports.
if "$llmspell" --help | grep -Eq '^ +storage '; then
  DATABASE_URL=$(url backup_src) "$llmspell" storage export --backend postgres --output "$work/src.json" >/dev/null 2>&1
  DATABASE_URL=$(url backup_restored) "$llmspell" storage export --backend postgres --output "$work/restored.json" >/dev/null 2>&1
  diff <(jq -S .data "$work/src.json") <(jq -S .data "$work/restored.json") >"$work/export.diff"
  tap_ok $? "llmspell storage export of both: identical .data"
else
  tap_ok 0 "# SKIP llmspell storage export is not built yet"
fi

DATABASE_URL=$(url backup_restored) "$llmspell" database health >"$work/health.log" 2>&1
tap_ok $? "llmspell database health on the restored database: all present"
verify=$(psql -X -At -d backup_restored -c "SELECT live || '/' || broken_links
                                           FROM llmspell.llmspell_hnsw_verify('llmspell.embeddings_384_hnsw')" 2>&1 || true)
tap_is "$verify" "55/0" "... its HNSW index rebuilt with every row, no broken link"
got=$(psql -X -At -d backup_restored -c "SET search_path = llmspell, public;
  SELECT count(*) FROM (SELECT id FROM embeddings_384 WHERE tenant_id = 'globex'
    ORDER BY embedding <=> (SELECT embedding FROM embeddings_384 WHERE tenant_id = 'globex' AND id = 'doc-1')
    LIMIT 10) x" | tail -1)
tap_is "$got" "10" "... and answers a tenant's search"
exit $((_tap_failed > 0))
