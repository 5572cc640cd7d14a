#!/usr/bin/env bash
# Traversals read the key indexes directly (graph_probe.cpp) only where row-level security lets
# them: these tests compare their answers with the SQL path (llmspell.graph_direct_probes = off)
# on a database migrated by the CLI, with a history of versions in two tenants holding the same
# ids, before and after VACUUM (heap fetches, then all-visible pages), and check that every
# condition that must send a read back to SQL does: a restrictive policy, a changed or missing key
# index, a missing privilege, row_security = off.
# Runs under test/pg/run-tests (PGHOST/PGPORT/PGUSER of the throwaway cluster); the CLI is
# $LLMSPELL, else build/cli/llmspell.
set -uo pipefail
root=${LLMSPELL_ROOT:-$(cd "$(dirname "$0")/../../.." && pwd)}
# shellcheck disable=SC1091
source "$root/test/pg/lib/tap.sh"
llmspell=${LLMSPELL:-$root/build/cli/llmspell}
db=graph_probes
role=llmspell_probe_app
trap 'dropdb --if-exists $db; psql -X -q -c "DROP ROLE IF EXISTS $role" >/dev/null' EXIT
unset DATABASE_URL LLMSPELL_CONFIG LLMSPELL_MIGRATIONS_DIR

tap_plan 16
admin() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
app() { psql -X -q -At -v ON_ERROR_STOP=1 -d "host=$PGHOST port=$PGPORT user=$role dbname=$db" "$@"; }

dropdb --if-exists $db
createdb $db
DATABASE_URL="postgresql://$PGUSER@localhost:$PGPORT/$db?host=$PGHOST" "$llmspell" database migrate \
  >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<SQL
SET client_min_messages = warning;
DROP ROLE IF EXISTS $role;
CREATE ROLE $role LOGIN NOSUPERUSER NOBYPASSRLS;
GRANT USAGE ON SCHEMA llmspell TO $role;
GRANT SELECT, INSERT, UPDATE, DELETE ON llmspell.graph_entities, llmspell.graph_relationships
  TO $role;
ALTER ROLE $role SET search_path = llmspell;
SQL

# One statement (one transaction) per write; the same ids in both tenants, different edges.
history() {  # history TENANT SEED PHASE
  awk -v tenant="$1" -v seed="$2" -v phase="$3" 'BEGIN {
    srand(seed); q = "\x27"
    types[0] = "knows"; types[1] = "works_at"; types[2] = "it" q q "s \"quoted\""
    printf "SET app.tenant_id = %s%s%s;\n", q, tenant, q
    if (phase == 1) {
      for (i = 0; i < 200; i++)
        printf "SELECT graph_add_entity(%se%d%s, %s%s%s, %sn%d%s, %s{}%s, %s2024-01-01%s);\n",
               q, i, q, q, (i % 10 == 3 ? "secret" : (i % 3 ? "person" : "org")), q, q, i, q,
               q, q, q, q
      for (r = 0; r < 1500; r++) {
        f = int(rand() * 200); t = int(rand() * 200); if (t == f) t = (t + 1) % 200
        printf "SELECT graph_add_relationship(%sr%d%s, %se%d%s, %se%d%s, %s%s%s, %s{}%s, %s2024-03-01%s::timestamptz + %s%d days%s);\n",
               q, r, q, q, f, q, q, t, q, q, types[int(rand() * 3)], q, q, q, q, q, q, int(rand() * 300), q
      }
      for (h = 0; h < 60; h++)  # a hub: small budgets page through its edges
        printf "SELECT graph_add_relationship(%sh%d%s, %se0%s, %se%d%s, %sknows%s, %s{}%s, %s2024-02-01%s);\n",
               q, h, q, q, q, q, 1 + h * 3, q, q, q, q, q, q, q
      # Four parallel edges to each neighbour: a page of edges holds fewer new entities than the
      # budget has room for, so the walk continues after the last (neighbour, relationship id).
      for (n = 20; n < 70; n++) for (k = 0; k < 4; k++)
        printf "SELECT graph_add_relationship(%sp%d_%d%s, %se198%s, %se%d%s, %sknows%s, %s{}%s, %s2024-02-01%s);\n",
               q, n, k, q, q, q, q, n, q, q, q, q, q, q, q
    } else {
      for (r = 150; r < 190; r++)
        printf "SELECT graph_update_relationship(%sr%d%s, %s%s%s);\n", q, r, q, q, types[(r + 1) % 3], q
      for (r = 0; r < 100; r++) printf "SELECT graph_end_relationship(%sr%d%s, %s2025-03-01%s);\n", q, r, q, q, q
      for (r = 100; r < 150; r++) printf "SELECT graph_retract_relationship(%sr%d%s);\n", q, r, q
      printf "SELECT graph_retract_relationship(%sh7%s);\n", q, q
      for (i = 10; i < 70; i++)
        printf "SELECT graph_update_entity(%se%d%s, name => %sm%d%s);\n", q, i, q, q, i, q
      for (i = 70; i < 100; i++)
        printf "SELECT graph_update_entity(%se%d%s, name => %sc%d%s, valid_from => %s2024-05-01%s);\n",
               q, i, q, q, i, q, q, q
      for (i = 100; i < 120; i++) printf "SELECT graph_end_entity(%se%d%s, %s2025-01-01%s);\n", q, i, q, q, q
    }
  }'
}
# A write the history makes impossible (an edge already ended with its endpoint) just fails: both
# paths then read the same history.
write() { psql -X -q -At -d "host=$PGHOST port=$PGPORT user=$role dbname=$db" >/dev/null 2>&1; }
history a 1 1 | write
history b 2 1 | write
t1=$(app -c "SELECT now()")
history a 1 2 | write
history b 2 2 | write
rows=$(app -c "SET app.tenant_id = 'a'" -c "SELECT count(*) FROM graph_entities")
tap_cmp "$rows" ">" 300 "a history of entity versions was written as the application role"

# Every traversal shape the store serves, as one fingerprint: directions, type filters, as-of
# points in the past (valid and transaction), budgets that page through the hub's edges.
fingerprint() {  # fingerprint TENANT [SETTING...]
  local tenant=$1
  shift
  local settings=("$@")
  {
    echo "SET app.tenant_id = '$tenant';"
    for s in "${settings[@]}"; do echo "$s;"; done
    cat <<SQL
SELECT count(*) || ' ' || md5(string_agg(x, E'\n' ORDER BY x)) FROM (
  SELECT c.n || ':' || s || ':' || t.entity_id || ' ' || t.depth || ' ' || t.path::text || ' '
         || t.relationships::text || ' ' || t.truncated AS x
  FROM generate_series(0, 199, 7) s,
  LATERAL (VALUES
    (1, 4, ARRAY['knows'], 'out', 1000, NULL::timestamptz, NULL::timestamptz, 'e0'),
    (2, 3, NULL, 'both', 300, NULL, NULL, 'e0'),
    (3, 2, ARRAY['works_at', 'it''s "quoted"'], 'in', 1000, NULL, NULL, 'e0'),
    (4, 4, NULL, 'out', 5, NULL, NULL, 'e0'),
    (5, 10, NULL, 'both', 20, NULL, NULL, 'e0'),
    (6, 3, NULL, 'both', 1000, '2024-06-01', '$t1', 'e0'),
    (7, 4, ARRAY['knows'], 'out', 1000, '2024-06-01', NULL, 'e0'),
    (8, 3, NULL, 'in', 1000, '2025-06-01', NULL, 'e0'),
    (9, 1, NULL, 'out', 40, NULL, NULL, 'e198'),
    (10, 2, ARRAY['knows'], 'both', 45, '2024-06-01', NULL, 'e198'))
    AS c(n, depth, types, dir, budget, v, tx, hub),
  LATERAL graph_traverse(ARRAY['e' || s, c.hub], c.depth, c.types, c.dir, c.budget, c.v, c.tx) t
) q;
SQL
  } | app 2>&1
}
says_sql() { grep -c "read through SQL" <<<"$1"; }

off="SET llmspell.graph_direct_probes = off"
debug="SET client_min_messages = debug1"
a_on=$(fingerprint a "$debug")
a_off=$(fingerprint a "$off")
b_on=$(fingerprint b)
b_off=$(fingerprint b "$off")
tap_is "$(says_sql "$a_on")" 0 "the application role's traversals read the key indexes directly"
tap_cmp "$(cut -d' ' -f1 <<<"$a_off")" ">" 5000 "... the fingerprint covers thousands of rows"
tap_is "$(grep -v DEBUG <<<"$a_on")" "$a_off" "tenant a: the direct path answers as SQL does (before VACUUM)"
tap_is "$b_on" "$b_off" "tenant b: the direct path answers as SQL does (before VACUUM)"
tap_ok "$([[ $a_off != "$b_off" ]]; echo $?)" "... and the tenants' answers differ (same ids, other edges)"

admin -c "VACUUM (ANALYZE) llmspell.graph_entities, llmspell.graph_relationships"
visible=$(admin -c "SELECT bool_and(relallvisible > 0) FROM pg_class
                    WHERE oid IN ('llmspell.graph_entities'::regclass, 'llmspell.graph_relationships'::regclass)")
tap_is "$visible" t "VACUUM marked the graph's heap pages all-visible"
tap_is "$(fingerprint a)" "$a_off" "tenant a after VACUUM (no heap fetches): the same answers"
tap_is "$(fingerprint b)" "$b_off" "tenant b after VACUUM: the same answers"

# Another permissive policy only adds rows: the direct path stays on, the tenant filter holds.
admin -c "CREATE POLICY see_everything ON llmspell.graph_relationships FOR SELECT USING (true)"
out=$(fingerprint a "$debug")
tap_is "$(says_sql "$out"):$(grep -v DEBUG <<<"$out")" "0:$a_off" \
  "with a permissive policy added: direct, and nothing of tenant b shows"
admin -c "DROP POLICY see_everything ON llmspell.graph_relationships"

# A restrictive policy hides rows the tenant filter would keep: only SQL applies it.
admin -c "CREATE POLICY no_secrets ON llmspell.graph_entities AS RESTRICTIVE FOR SELECT
            USING (entity_type <> 'secret')"
secrets_query="SELECT count(*) FROM generate_series(0, 199, 7) s,
                 graph_traverse(ARRAY['e' || s], 3, NULL, 'both', 1000) t
               WHERE t.entity_id IN (SELECT 'e' || i FROM generate_series(3, 199, 10) i)"
hidden=$(app -c "SET app.tenant_id = 'a'" -c "$debug" -c "$secrets_query" 2>&1)
tap_is "$(grep -v DEBUG <<<"$hidden"):$(says_sql "$hidden" | awk '{print ($1 > 0)}')" "0:1" \
  "a restrictive policy: the reads go through SQL and no hidden entity is reached"
admin -c "DROP POLICY no_secrets ON llmspell.graph_entities"
shown=$(app -c "SET app.tenant_id = 'a'" -c "$secrets_query")
tap_cmp "$shown" ">" 0 "... without it, the same traversals reach those entities"

# A key index that is gone or defined otherwise is not read directly (in a rolled-back change).
out=$({
  echo "BEGIN;"
  echo "DROP INDEX llmspell.graph_entities_key, llmspell.graph_relationships_out_key;"
  echo "CREATE INDEX graph_relationships_out_key ON llmspell.graph_relationships
          (hashtextextended(tenant_id || ':' || from_entity, 0), to_entity, relationship_id)
          INCLUDE (tenant_id, from_entity, valid_time_start, valid_time_end,
                   transaction_time_start, transaction_time_end);"
  echo "SET LOCAL ROLE $role; SET LOCAL search_path = llmspell; $debug;"
  echo "SELECT count(*) FROM graph_traverse(ARRAY['e0'], 3, NULL, 'out') t;"
  echo "ROLLBACK;"
} | psql -X -q -At -d $db -v ON_ERROR_STOP=1 -c "SET app.tenant_id = 'a'" -f - 2>&1)
reasons=$(grep -o "read through SQL: .*" <<<"$out" | sort -u | tr '\n' '|')
tap_is "$reasons" "read through SQL: the key index is missing or not as migration 017 defines it|" \
  "a dropped key index and one defined otherwise send the reads to SQL"

errors=$({
  app -v VERBOSITY=verbose -c "SET app.tenant_id = 'a'" -c "SET row_security = off" \
    -c "SELECT count(*) FROM graph_traverse(ARRAY['e0'], 2)"
  admin -c "REVOKE SELECT ON llmspell.graph_relationships FROM $role"
  app -v VERBOSITY=verbose -c "SET app.tenant_id = 'a'" -c "SELECT count(*) FROM graph_traverse(ARRAY['e0'], 2)"
  admin -c "GRANT SELECT ON llmspell.graph_relationships TO $role"
} 2>&1 | grep -o "ERROR:  [0-9A-Z]*" | tr '\n' ' ')
tap_is "$errors" "ERROR:  42501 ERROR:  42501 " \
  "row_security = off and a revoked SELECT raise insufficient_privilege, as through SQL"

# A role that bypasses row security (the superuser) reads directly; the tenant filter holds.
out=$(psql -X -q -At -d $db -c "SET search_path = llmspell" -c "SET app.tenant_id = 'a'" \
  -c "$debug" -c "SELECT count(*) FROM graph_traverse(ARRAY['e0'], 3, NULL, 'both')" 2>&1)
want=$(app -c "SET app.tenant_id = 'a'" -c "SELECT count(*) FROM graph_traverse(ARRAY['e0'], 3, NULL, 'both')")
tap_is "$(says_sql "$out"):$(grep -v DEBUG <<<"$out")" "0:$want" \
  "a superuser (row security off for it) reads directly and sees tenant a's graph only"

# Inside a transaction, a traversal sees the transaction's own writes, a retraction included
# (heap fetches under the statement's snapshot), directly as through SQL.
out=$(app <<'SQL' 2>&1
SET app.tenant_id = 'c';
SELECT graph_add_entity('a', 'p') IS NULL, graph_add_entity('b', 'p') IS NULL,
       graph_add_relationship('r1', 'a', 'b', 'knows') IS NULL;
BEGIN;
SELECT graph_add_entity('c', 'p') IS NULL, graph_add_relationship('r2', 'b', 'c', 'knows') IS NULL,
       graph_retract_relationship('r1') IS NULL, graph_add_relationship('r3', 'a', 'c', 'knows') IS NULL;
SET client_min_messages = debug1;
SELECT 'direct ' || string_agg(entity_id || depth, ',' ORDER BY entity_id) FROM graph_traverse(ARRAY['a'], 3);
SET client_min_messages = notice;
SET LOCAL llmspell.graph_direct_probes = off;
SELECT 'sql ' || string_agg(entity_id || depth, ',' ORDER BY entity_id) FROM graph_traverse(ARRAY['a'], 3);
ROLLBACK;
SELECT 'after ' || string_agg(entity_id || depth, ',' ORDER BY entity_id) FROM graph_traverse(ARRAY['a'], 3);
SQL
)
tap_is "$(grep -v '^f|f|f' <<<"$out" | tr '\n' ' ')" "direct a0,c1 sql a0,c1 after a0,b1 " \
  "a transaction's own writes: seen directly as through SQL, gone after ROLLBACK"
