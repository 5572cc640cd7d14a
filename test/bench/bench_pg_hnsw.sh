#!/usr/bin/env bash
# bench_pg_hnsw: the llmspell_hnsw PostgreSQL index beside an exact sequential scan and the
# in-memory core (common/hnsw) on the same seeded data, in one run, on a throwaway cluster.
#
#   test/bench/bench_pg_hnsw.sh [--quick] [--tenant-only] [--ef-construction-100k N]
#
# Per dataset: CREATE INDEX time with max_parallel_maintenance_workers = 0 and 1 (1 and 2 build
# threads), index size, then per llmspell.hnsw_ef_search: recall@10 computed in SQL against the
# exact ground truth loaded with the data (written by bench_dataset, never computed in
# PostgreSQL), QPS of 1 and 2 pgbench clients (-M prepared, a random query id per transaction),
# QPS in the server (1 and 2 backends each running the same statement in a PL/pgSQL loop: the
# index, executor and heap without the client round trip, which is what the core is compared
# with), the exact scan's QPS (enable_indexscan = off) and the core's figures (bench_dataset core).
# Then tenant isolation (RLS as a non-superuser role) and the targets, computed from the
# measured numbers. --quick shrinks every dataset 10x and every timed run, for a smoke run;
# --tenant-only loads the 100k dataset and runs the tenant isolation part alone.
#
# Needs the extension installed (make install) and build-bench/test/bench/bench_dataset
# (make bench builds it). Tables go to stdout, progress to stderr. BENCH_PG_KEEP=1 keeps the
# cluster and its tables afterwards, for a closer look.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BENCH_DATASET:-$root/build-bench/test/bench/bench_dataset}

quick=0
tenant_only=0
efc_100k=64
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --tenant-only) tenant_only=1 ;;
    --ef-construction-100k) efc_100k=${2:?}; shift ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_pg_hnsw: unknown argument $1 (--quick, --tenant-only, --ef-construction-100k N)" >&2; exit 2 ;;
  esac
  shift
done

# ---- settings -----------------------------------------------------------------------------------
dims=768
nq=200         # queries: recall is over all of them, pgbench picks one at random per transaction
k=10
efs=(10 20 40 80 160)
m=16
efc_50k=64
target_recall=0.95
tenant=t10     # owns 10% of the rows
if ((quick)); then
  n_small=5000 n_large=10000
  t_index=2 t_exact=2 alt_rounds=2 alt_seconds=0.5 tenant_slice=0.25 tenant_rounds_n=2
  core_seconds=0.5
else
  n_small=50000 n_large=100000
  t_index=6 t_exact=5 alt_rounds=4 alt_seconds=1 tenant_slice=0.5 tenant_rounds_n=12
  core_seconds=3
fi

# ---- checks -------------------------------------------------------------------------------------
sharedir=$(pg_config --sharedir)
if [[ ! -f $sharedir/extension/llmspell.control ]]; then
  echo "bench_pg_hnsw: the llmspell extension is not installed ($sharedir/extension/llmspell.control" \
    "is missing): run 'make install' (as root) first" >&2
  exit 1
fi
if [[ ! -x $bin ]]; then
  echo "bench_pg_hnsw: $bin not found: run 'make bench' (or cmake --build build-bench --target" \
    "bench_dataset) first" >&2
  exit 1
fi
bindir=$(pg_config --bindir)
pgbench=$bindir/pgbench
clk_tck=$(getconf CLK_TCK)

start_time=$SECONDS
log() {
  local s=$((SECONDS - start_time))
  printf '[bench_pg_hnsw %d:%02d] %s\n' $((s / 60)) $((s % 60)) "$*" >&2
}
die() {
  echo "bench_pg_hnsw: $*" >&2
  exit 1
}
calc() { awk "BEGIN { printf \"%s\", ($1) }"; }
as_postgres() {
  if [[ $(id -un) == postgres ]]; then "$@"; else runuser -u postgres -- "$@"; fi
}

# ---- the cluster --------------------------------------------------------------------------------
cluster=$(mktemp -d /tmp/llmspell-pgbench.XXXXXX)
tmp=$(mktemp -d /tmp/llmspell-pgbench-files.XXXXXX)
chmod 755 "$tmp"
cleanup() {
  if [[ ${BENCH_PG_KEEP:-0} == 1 ]]; then
    log "BENCH_PG_KEEP=1: cluster kept in $cluster (scripts/pg-cluster stop $cluster), files in $tmp"
    return
  fi
  "$root/scripts/pg-cluster" stop "$cluster" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
log "starting a PostgreSQL cluster in $cluster"
"$root/scripts/pg-cluster" start "$cluster" >&2
# shared_buffers needs a restart: every table and index of the run fits in it.
cat >>"$cluster/data/postgresql.conf" <<CONF
shared_buffers = 4GB
maintenance_work_mem = 2GB
max_parallel_maintenance_workers = 1
max_wal_size = 8GB
jit = off
# Each backend's scan cache holds every vector of the largest index (100k x 768: 300 MB).
llmspell.hnsw_cache_mb = 512
CONF
as_postgres "$bindir/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null
"$root/scripts/pg-cluster" restart "$cluster" >&2
# shellcheck disable=SC1091
source "$cluster/env"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
sql -c "CREATE EXTENSION llmspell" -c "CREATE EXTENSION pg_prewarm"

# ---- measuring ----------------------------------------------------------------------------------
# CREATE INDEX with max_parallel_maintenance_workers = $workers; prints "wall_seconds cpu_seconds",
# the CPU time being the backend's (all its build threads), from /proc/self/stat.
build_index() {
  local table=$1 index=$2 columns=$3 workers=$4 efc=$5
  sql -F ' ' <<SQL
SET max_parallel_maintenance_workers = $workers;
SET client_min_messages = warning;
DROP INDEX IF EXISTS $index;
CHECKPOINT;
SELECT split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint AS cpu0,
       clock_timestamp() AS t0
  FROM pg_read_file('/proc/self/stat') s \gset
CREATE INDEX $index ON $table USING llmspell_hnsw ($columns) WITH (m = $m, ef_construction = $efc);
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 2),
       round((split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint - :cpu0)::numeric / $clk_tck, 2)
  FROM pg_read_file('/proc/self/stat') s;
SQL
}

# Recall@k of the index at one ef_search over all queries, against the loaded ground truth, and
# the backend's CPU microseconds per query (from /proc/self/schedstat: the lesser of two more
# passes over the queries, so that the first touches of shared memory by this new backend are
# not counted). Prints "recall cpu_us". $5: extra settings (e.g. the tenant); $6: role.
index_recall() {
  local table=$1 queries=$2 truth=$3 ef=$4 settings=${5:-} role=${6:-postgres}
  local pass="SELECT to_char(sum(hits)::float8 / sum(total), 'FM0.0000') AS recall FROM (
  SELECT cardinality(t.ids) AS total,
         (SELECT count(*) FROM (SELECT id FROM $table ORDER BY embedding <=> q.embedding LIMIT $k) a
           WHERE a.id = ANY (t.ids)) AS hits
    FROM $queries q JOIN $truth t USING (qid)) s"
  local cpu="SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint"
  sql -U "$role" -F ' ' <<SQL
SET enable_seqscan = off;
SET llmspell.hnsw_ef_search = $ef;
$settings
$pass \gset
$cpu AS c0 \gset
$pass \gset
$cpu AS c1 \gset
$pass \gset
SELECT :'recall', round(least(:c1 - :c0, ($cpu) - :c1) / 1000.0 / (SELECT count(*) FROM $queries));
SQL
}

# pgbench: prints the QPS (tps without connection time); fails on any failed transaction.
# $1 clients, $2 seconds, $3 script, $4 PGOPTIONS, $5 role.
bench() {
  local clients=$1 secs=$2 script=$3 options=$4 role=${5:-postgres} out
  out=$tmp/pgbench.log
  if ! PGOPTIONS=$options "$pgbench" -n -M prepared -U "$role" -c "$clients" -j "$clients" \
    -T "$secs" -f "$script" >"$out" 2>&1; then
    cat "$out" >&2
    die "pgbench failed"
  fi
  local failed tps
  failed=$(awk -F': ' '/number of failed transactions/ {print $2 + 0}' "$out")
  tps=$(awk '/^tps = / {print $3; exit}' "$out")
  [[ -n $tps && ${failed:-0} == 0 ]] || { cat "$out" >&2; die "pgbench: no result or failed transactions"; }
  printf '%.1f' "$tps"
}

# A PL/pgSQL function $1(seconds) running the search statement over the queries of $3 on table
# $2 until `seconds` have passed; returns queries per second of wall time. Static SQL: its plan is
# cached like a prepared statement's.
loop_function() {
  sql <<SQL
CREATE OR REPLACE FUNCTION $1(secs float8) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE
  v vector;
  r int;
  n bigint := 0;
  t0 timestamptz := clock_timestamp();
  elapsed float8;
BEGIN
  LOOP
    FOR v IN SELECT embedding FROM $3 ORDER BY qid LOOP
      FOR r IN SELECT id FROM $2 ORDER BY embedding <=> v LIMIT $k LOOP
        NULL;
      END LOOP;
      n := n + 1;
    END LOOP;
    elapsed := extract(epoch FROM clock_timestamp() - t0);
    EXIT WHEN elapsed >= secs;
  END LOOP;
  RETURN n / elapsed;
END
\$\$;
GRANT EXECUTE ON FUNCTION $1(float8) TO PUBLIC;
SQL
}

# One core search run of $alt_seconds s at ef $1, 1 thread, by the bench_dataset core --serve
# process of the current dataset: sets core_qps (not a $(...) subshell: it owns the coprocess's
# pipes).
core_run() {
  local word ef clients cpu
  echo "qps $1 1 $alt_seconds" >&"$core_in"
  read -r -u "$core_out" word ef clients core_qps cpu || die "bench_dataset core --serve stopped"
  [[ $word == qps ]] || die "bench_dataset core --serve: unexpected reply: $word"
}

# QPS in the server: $2 backends run loop function $1 for $3 seconds at once (after a warm-up of
# their own); prints the sum. $4 settings, $5 role.
in_server() {
  local fn=$1 backends=$2 secs=$3 settings=$4 role=${5:-postgres} i total=0
  for ((i = 0; i < backends; i++)); do
    printf '%s\n' "$settings" "SELECT $fn(0.5);" "SELECT round($fn($secs)::numeric, 1);" |
      sql -U "$role" | tail -1 >"$tmp/in_server.$i" &
  done
  wait
  for ((i = 0; i < backends; i++)); do
    [[ -s $tmp/in_server.$i ]] || die "in-server loop $fn failed"
    total=$(calc "$total + $(cat "$tmp/in_server.$i")")
  done
  printf '%.1f' "$total"
}

search_script() {  # $1 file, $2 table, $3 queries table
  cat >"$1" <<SQL
\\set q random(1, $nq)
SELECT id FROM $2 ORDER BY embedding <=> (SELECT embedding FROM $3 WHERE qid = :q) LIMIT $k;
SQL
}

# The plan of the pgbench statement on one line.
plan_of() {  # $1 table, $2 queries table, $3 settings, $4 role
  printf '%s\n' "$3" \
    "EXPLAIN (COSTS OFF) SELECT id FROM $1 ORDER BY embedding <=> (SELECT embedding FROM $2 WHERE qid = 1) LIMIT $k;" |
    sql -U "${4:-postgres}" | sed -E 's/^ *(->)? *//; s/  +/ /g' | paste -sd '|' | sed 's/|/; /g'
}

mb() { calc "$1 / 1048576"; }

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- one dataset --------------------------------------------------------------------------------
declare -A R  # results: R[name,key]

# load_dataset NAME N: tables items_NAME (id, tenant_id, embedding), queries_NAME, truth_NAME
# (and truth_NAME_TENANT for the tenant's rows only).
load_dataset() {
  local name=$1 n=$2
  log "$name: generating $n x $dims (clustered, cosine) and loading it with COPY"
  sql <<SQL
CREATE TABLE items_$name (id int NOT NULL, tenant_id text NOT NULL, embedding vector($dims) NOT NULL);
CREATE TABLE queries_$name (qid int PRIMARY KEY, embedding vector($dims) NOT NULL);
CREATE TABLE truth_$name (qid int PRIMARY KEY, ids int[] NOT NULL);
CREATE TABLE truth_${name}_$tenant (qid int PRIMARY KEY, ids int[] NOT NULL);
SQL
  local t0=$SECONDS
  "$bin" dump --n "$n" --dims "$dims" --seed 1768 --query-seed 2768 --queries "$nq" --k "$k" \
    --metric cosine --queries-out "$tmp/queries.tsv" --truth-out "$tmp/truth.tsv" \
    --tenant-truth "$tenant" --tenant-truth-out "$tmp/truth_tenant.tsv" |
    sql -c "COPY items_$name FROM STDIN"
  sql -c "COPY queries_$name FROM STDIN" <"$tmp/queries.tsv"
  sql -c "COPY truth_$name FROM STDIN" <"$tmp/truth.tsv"
  sql -c "COPY truth_${name}_$tenant FROM STDIN" <"$tmp/truth_tenant.tsv"
  sql -c "VACUUM ANALYZE items_$name" -c "ANALYZE queries_$name" -c "ANALYZE truth_$name" -c "CHECKPOINT"
  R[$name,load]=$((SECONDS - t0))
  R[$name,table_bytes]=$(sql -c "SELECT pg_table_size('items_$name')")
  log "$name: loaded in ${R[$name,load]} s, table $(mb "${R[$name,table_bytes]}") MB (heap + TOAST)"
}

run_dataset() {
  local name=$1 n=$2 efc=$3
  local table=items_$name queries=queries_$name truth=truth_$name index=${name}_hnsw
  R[$name,n]=$n R[$name,efc]=$efc
  load_dataset "$name" "$n"

  log "$name: in-memory core (bench_dataset core: build on 1 and 2 threads, search)"
  # It stays up (--serve), holding its index, for the runs alternated with PostgreSQL's below.
  coproc CORE { "$bin" core --n "$n" --dims "$dims" --seed 1768 --query-seed 2768 --queries "$nq" \
    --k "$k" --metric cosine --m "$m" --ef-construction "$efc" --threads 1,2 \
    --ef "$(IFS=,; echo "${efs[*]}")" --clients 1,2 --seconds "$core_seconds" --serve; }
  core_in=${CORE[1]} core_out=${CORE[0]} core_pid=$CORE_PID
  local what="" a b c d e
  while read -r -u "$core_out" what a b c d e; do
    case $what in
      build) R[$name,core_build$a]=$b R[$name,core_build_cpu$a]=$c ;;
      memory) R[$name,core_bytes]=$a ;;
      # The 1-thread QPS (d) is measured again below, alternated with PostgreSQL's.
      search) R[$name,core_recall$a]=$b R[$name,core_cpu$a]=$c R[$name,core_qps2_$a]=$e ;;
      ready) break ;;
    esac
  done
  [[ $what == ready ]] || die "bench_dataset core failed"

  for workers in 0 1; do
    log "$name: CREATE INDEX (m=$m, ef_construction=$efc), max_parallel_maintenance_workers=$workers (load $(load_avg))"
    read -r wall cpu < <(build_index "$table" "$index" "embedding vector_cosine_ops" "$workers" "$efc")
    R[$name,build$((workers + 1))]=$wall R[$name,build_cpu$((workers + 1))]=$cpu
    log "$name: built in $wall s ($cpu s CPU)"
  done
  R[$name,index_bytes]=$(sql -c "SELECT pg_relation_size('$index')")
  R[$name,verify]=$(sql -F ' ' -c "SELECT partitions, live, reachable, broken_links FROM llmspell_hnsw_verify('$index')")
  sql -c "SELECT pg_prewarm('$table'), pg_prewarm(reltoastrelid) FROM pg_class WHERE relname = '$table'" \
    -c "SELECT pg_prewarm('$index')" >/dev/null
  search_script "$tmp/search_$name.sql" "$table" "$queries"
  loop_function "loop_$name" "$table" "$queries"
  R[$name,plan_index]=$(plan_of "$table" "$queries" "")
  R[$name,plan_exact]=$(plan_of "$table" "$queries" "SET enable_indexscan = off;")

  for ef in "${efs[@]}"; do
    log "$name: ef_search=$ef: recall over $nq queries, pgbench 1 and 2 clients x $t_index s," \
      "in-server loop 1 and 2 backends x $t_index s"
    read -r "R[$name,recall$ef]" "R[$name,cpu$ef]" < <(index_recall "$table" "$queries" "$truth" "$ef")
    R[$name,qps1_$ef]=$(bench 1 "$t_index" "$tmp/search_$name.sql" "-c llmspell.hnsw_ef_search=$ef")
    R[$name,qps2_$ef]=$(bench 2 "$t_index" "$tmp/search_$name.sql" "-c llmspell.hnsw_ef_search=$ef")
    # 1 backend against 1 core thread: short runs of each in turn, the order alternating, so that
    # both see the same machine (a shared VM whose speed drifts by 20% within minutes).
    local round pg_sum=0 core_sum=0
    for ((round = 0; round < alt_rounds; round++)); do
      ((round % 2)) || core_run "$ef"
      pg_sum=$(calc "$pg_sum + $(in_server "loop_$name" 1 "$alt_seconds" "SET llmspell.hnsw_ef_search = $ef;")")
      ((round % 2 == 0)) || core_run "$ef"
      core_sum=$(calc "$core_sum + $core_qps")
    done
    R[$name,srv1_$ef]=$(calc "sprintf(\"%.1f\", $pg_sum / $alt_rounds)")
    R[$name,alt_core$ef]=$(calc "sprintf(\"%.1f\", $core_sum / $alt_rounds)")
    R[$name,srv2_$ef]=$(in_server "loop_$name" 2 "$t_index" "SET llmspell.hnsw_ef_search = $ef;")
    log "$name: ef_search=$ef: recall ${R[$name,recall$ef]}, ${R[$name,cpu$ef]} us CPU/query," \
      "pgbench ${R[$name,qps1_$ef]} / ${R[$name,qps2_$ef]} QPS, in-server ${R[$name,srv1_$ef]} / ${R[$name,srv2_$ef]} QPS," \
      "core (alternated) ${R[$name,alt_core$ef]} QPS"
  done
  exec {core_in}>&-
  wait "$core_pid" || die "bench_dataset core failed"

  log "$name: exact scan: recall on 10 queries, pgbench 1 and 2 clients x $t_exact s"
  R[$name,exact_recall]=$(sql <<SQL
SET enable_indexscan = off;
SELECT to_char(sum(hits)::float8 / sum(total), 'FM0.0000') FROM (
  SELECT cardinality(t.ids) AS total,
         (SELECT count(*) FROM (SELECT id FROM $table ORDER BY embedding <=> q.embedding LIMIT $k) a
           WHERE a.id = ANY (t.ids)) AS hits
    FROM $queries q JOIN $truth t USING (qid) WHERE q.qid <= 10) s;
SQL
)
  R[$name,exact_qps1]=$(bench 1 "$t_exact" "$tmp/search_$name.sql" "-c enable_indexscan=off")
  R[$name,exact_qps2]=$(bench 2 "$t_exact" "$tmp/search_$name.sql" "-c enable_indexscan=off")
  log "$name: exact scan ${R[$name,exact_qps1]} / ${R[$name,exact_qps2]} QPS"
  print_dataset "$name"
}

# The smallest ef whose recall reaches the target (prefix: "" for PostgreSQL, "core_"), or "".
first_ef() {
  local name=$1 prefix=$2 ef
  for ef in "${efs[@]}"; do
    if [[ $(calc "${R[$name,${prefix}recall$ef]} >= $target_recall") == 1 ]]; then
      echo "$ef"
      return
    fi
  done
}

print_dataset() {
  local name=$1 n=${R[$1,n]} ef
  echo
  echo "== $name: $n x $dims clustered (datasets.h, seeds 1768/2768, normalised), cosine," \
    "m=$m, ef_construction=${R[$name,efc]}; $nq queries, recall@$k =="
  echo "  loaded with COPY in ${R[$name,load]} s; table $(printf '%.1f' "$(mb "${R[$name,table_bytes]}")") MB (heap + TOAST)"
  echo
  printf '  %-28s %10s %10s %11s %11s %12s\n' build "1 thread" "2 threads" "CPU 1 thr" "CPU 2 thr" size
  printf '  %s\n' "$(printf '%.0s-' {1..88})"
  printf '  %-28s %8.2f s %8.2f s %9.2f s %9.2f s %9.1f MB\n' "llmspell_hnsw (PostgreSQL)" \
    "${R[$name,build1]}" "${R[$name,build2]}" "${R[$name,build_cpu1]}" "${R[$name,build_cpu2]}" \
    "$(mb "${R[$name,index_bytes]}")"
  printf '  %-28s %8.2f s %8.2f s %9.2f s %9.2f s %9.1f MB\n' "core (in memory)" \
    "${R[$name,core_build1]}" "${R[$name,core_build2]}" "${R[$name,core_build_cpu1]}" \
    "${R[$name,core_build_cpu2]}" "$(mb "${R[$name,core_bytes]}")"
  read -r parts live reach broken <<<"${R[$name,verify]}"
  echo "  PostgreSQL: 1/2 threads = max_parallel_maintenance_workers 0/1; size = pg_relation_size;" \
    "llmspell_hnsw_verify: $live live, $reach reachable, $broken broken links"
  echo "  core: add_batch; size = Index::memory_bytes(). CPU: the backend's / the process's CPU seconds"
  echo "    (all build threads): wall time above CPU time / threads is time spent waiting for a core."
  echo
  printf '  %-28s %4s %9s %19s %19s %9s %17s\n' search ef recall@10 "pgbench QPS" \
    "in-server QPS" "us CPU/q" "core faster, by:"
  printf '  %-28s %4s %9s %9s %9s %9s %9s %9s %8s %8s\n' "" "" "" "1 cl." "2 cl." "1 be." "2 be." \
    "(1 be.)" "QPS 1" "CPU/q"
  printf '  %s\n' "$(printf '%.0s-' {1..112})"
  for ef in "${efs[@]}"; do
    printf '  %-28s %4s %9s %9s %9s %9s %9s %9s %7sx %7sx\n' "llmspell_hnsw (PostgreSQL)" "$ef" \
      "${R[$name,recall$ef]}" "${R[$name,qps1_$ef]}" "${R[$name,qps2_$ef]}" "${R[$name,srv1_$ef]}" \
      "${R[$name,srv2_$ef]}" "${R[$name,cpu$ef]}" \
      "$(calc "sprintf(\"%.2f\", ${R[$name,alt_core$ef]} / ${R[$name,srv1_$ef]})")" \
      "$(calc "sprintf(\"%.2f\", ${R[$name,cpu$ef]} / ${R[$name,core_cpu$ef]})")"
  done
  for ef in "${efs[@]}"; do
    printf '  %-28s %4s %9s %9s %9s %9s %9s %9s\n' "core (in memory)" "$ef" "${R[$name,core_recall$ef]}" \
      - - "${R[$name,alt_core$ef]}" "${R[$name,core_qps2_$ef]}" "${R[$name,core_cpu$ef]}"
  done
  printf '  %-28s %4s %9s %9s %9s\n' "exact scan (seq scan)" "-" "${R[$name,exact_recall]}*" \
    "${R[$name,exact_qps1]}" "${R[$name,exact_qps2]}"
  echo "  pgbench QPS: pgbench -n -M prepared -T $t_index (exact scan: -T $t_exact), -c/-j 1 or 2,"
  echo "    a random query id of $nq per transaction: the query vector is read by a subquery. One query"
  echo "    is a client round trip: on this machine the client and the wake-ups cost more than the scan."
  echo "  in-server QPS: 1 or 2 backends, each running the statement over the $nq queries in a PL/pgSQL"
  echo "    loop (plan cached): index scan, executor and heap fetches, no client. 1 backend: the mean of"
  echo "    $alt_rounds runs of $alt_seconds s, alternated with $alt_rounds runs of the core's 1 thread (its 1 be. figure),"
  echo "    so that both see the same machine; 2 backends: one run of $t_index s."
  echo "  core QPS: threads of bench_dataset looping over the queries; 2 threads: one run of $core_seconds s."
  echo "  us CPU/q: CPU time per query of the one searching backend (PostgreSQL: the recall pass, whole"
  echo "    statement, no client round trip) or thread (core): what QPS would be on an idle core."
  echo "  * exact scan recall over the first 10 queries: checks the loaded ground truth against <=>."
  echo "  plan (index):      ${R[$name,plan_index]}"
  echo "  plan (exact scan): ${R[$name,plan_exact]}"
}

# ---- tenant isolation ---------------------------------------------------------------------------
# In-server QPS of the tenant's search three ways, in ONE backend, in short alternating runs:
# RLS (SET ROLE bench_app: the policy applies), WHERE (RESET ROLE: the owner, the same search with
# the condition written in the query) and own table (as bench_app). Runs in separate backends
# minutes apart differ by 20% on this shared VM whatever they run; alternating runs of
# $tenant_slice s in one backend see the same machine, and the order rotates each round. Prints
# "variant qps cpu_us" lines: each variant's mean over the rounds (equal durations: total queries
# over total time) and the backend's CPU microseconds per query (/proc/self/schedstat).
tenant_rounds() {
  local ef=$1 round i v script
  local -A fn=([rls]=loop_tenant_rls [where]=loop_tenant_where [plain]=loop_tenant_plain)
  local -A role=([rls]="SET ROLE bench_app;" [where]="RESET ROLE;" [plain]="SET ROLE bench_app;")
  local order=(rls where plain)
  local cpu="split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint"
  local now="extract(epoch FROM clock_timestamp())"
  script="SET llmspell.hnsw_ef_search = $ef; SET app.tenant_id = '$tenant';"
  for v in "${order[@]}"; do  # warm-up: this backend's scan cache, the plans
    script+=$'\n'"${role[$v]} SELECT ${fn[$v]}(0.5);"
  done
  for ((round = 0; round < tenant_rounds_n; round++)); do
    for ((i = 0; i < 3; i++)); do
      v=${order[(round + i) % 3]}
      script+=$'\n'"${role[$v]} SELECT $cpu AS c0, $now AS t0 \\gset"
      script+=$'\n'"SELECT ${fn[$v]}($tenant_slice) AS q \\gset"
      script+=$'\n'"SELECT '$v', :q, ($cpu - :c0) / 1000.0 / (:q * ($now - :t0));"
    done
  done
  printf '%s\n' "$script" | sql -F ' ' | awk 'NF == 3 { n[$1]++; q[$1] += $2; c[$1] += $3 }
    END { for (v in n) printf "%s %.1f %.1f\n", v, q[v] / n[v], c[v] / n[v] }'
}

run_tenant() {
  local name=$1 efc=$2 table=items_$1 queries=queries_$1 truth=truth_$1_$tenant
  local small=items_${1}_$tenant ef
  log "tenant: index (embedding vector_cosine_ops, tenant_id) on $table, 2 threads"
  sql -c "DROP INDEX IF EXISTS ${name}_hnsw"
  read -r 'R[tenant,build]' 'R[tenant,build_cpu]' < <(build_index "$table" "${name}_tenant_hnsw" \
    "embedding vector_cosine_ops, tenant_id" 1 "$efc")
  R[tenant,index_bytes]=$(sql -c "SELECT pg_relation_size('${name}_tenant_hnsw')")
  R[tenant,verify]=$(sql -F ' ' -c "SELECT partitions, live, reachable, broken_links FROM llmspell_hnsw_verify('${name}_tenant_hnsw')")
  log "tenant: table $small with only the rows of $tenant, index (embedding vector_cosine_ops), 2 threads"
  sql <<SQL
CREATE TABLE $small AS SELECT id, embedding FROM $table WHERE tenant_id = '$tenant';
VACUUM ANALYZE $small;
SQL
  R[tenant,rows]=$(sql -c "SELECT count(*) FROM $small")
  read -r 'R[tenant,small_build]' 'R[tenant,small_build_cpu]' < <(build_index "$small" "${small}_hnsw" \
    "embedding vector_cosine_ops" 1 "$efc")
  {
    sql <<SQL
ALTER TABLE $table ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON $table USING (tenant_id = current_setting('app.tenant_id', true));
CREATE ROLE bench_app LOGIN NOSUPERUSER NOBYPASSRLS;
GRANT SELECT ON $table, $small, $queries, $truth TO bench_app;
-- Only to read its own CPU time from /proc/self/schedstat.
GRANT pg_read_server_files TO bench_app;
GRANT EXECUTE ON FUNCTION pg_read_file(text) TO bench_app;
SELECT pg_prewarm('$small'), pg_prewarm('${small}_hnsw'), pg_prewarm('${name}_tenant_hnsw');
SQL
  } >/dev/null
  loop_function loop_tenant_rls "$table" "$queries"
  loop_function loop_tenant_where "$table WHERE tenant_id = '$tenant'" "$queries"
  loop_function loop_tenant_plain "$small" "$queries"
  R[tenant,plan_rls]=$(plan_of "$table" "$queries" "SET app.tenant_id = '$tenant';" bench_app)
  R[tenant,plan_plain]=$(plan_of "$small" "$queries" "" bench_app)
  R[tenant,check]=$(sql -U bench_app -c "SET app.tenant_id = '$tenant'" \
    -c "SELECT count(*) FILTER (WHERE tenant_id <> '$tenant') || ' of ' || count(*) FROM (SELECT tenant_id FROM $table ORDER BY embedding <=> (SELECT embedding FROM $queries WHERE qid = 1) LIMIT 100) s")
  for ef in "${efs[@]}"; do
    log "tenant: ef_search=$ef: recall, then in-server QPS, 1 backend: $tenant_rounds_n rounds" \
      "of RLS, WHERE, own table, $tenant_slice s each"
    read -r "R[tenant,recall_rls$ef]" _ < <(index_recall "$table" "$queries" "$truth" "$ef" "SET app.tenant_id = '$tenant';" bench_app)
    read -r "R[tenant,recall_where$ef]" _ < <(index_recall "$table WHERE tenant_id = '$tenant'" "$queries" "$truth" "$ef")
    read -r "R[tenant,recall_plain$ef]" _ < <(index_recall "$small" "$queries" "$truth" "$ef" "" bench_app)
    local variant qps cpu_us
    while read -r variant qps cpu_us; do
      R[tenant,qps_$variant$ef]=$qps R[tenant,cpu_$variant$ef]=$(printf '%.0f' "$cpu_us")
    done < <(tenant_rounds "$ef")
    R[tenant,cpu_overhead$ef]=$(calc "sprintf(\"%.1f\", 100 * (${R[tenant,cpu_rls$ef]} / ${R[tenant,cpu_where$ef]} - 1))")
    R[tenant,overhead$ef]=$(calc "sprintf(\"%.1f\", 100 * (1 - ${R[tenant,qps_rls$ef]} / ${R[tenant,qps_where$ef]}))")
    R[tenant,vs_own$ef]=$(calc "sprintf(\"%.1f\", 100 * (1 - ${R[tenant,qps_rls$ef]} / ${R[tenant,qps_plain$ef]}))")
    log "tenant: ef_search=$ef: QPS RLS ${R[tenant,qps_rls$ef]}, WHERE ${R[tenant,qps_where$ef]}," \
      "own table ${R[tenant,qps_plain$ef]}: RLS costs ${R[tenant,overhead$ef]}%; CPU/query RLS" \
      "${R[tenant,cpu_rls$ef]} us, WHERE ${R[tenant,cpu_where$ef]} us, own table ${R[tenant,cpu_plain$ef]} us"
  done
  echo
  echo "== tenant isolation: $table (${R[$name,n]} rows), tenant $tenant owning" \
    "${R[tenant,rows]} rows, as role bench_app (NOSUPERUSER NOBYPASSRLS) =="
  read -r parts live reach broken <<<"${R[tenant,verify]}"
  echo "  RLS: index (embedding vector_cosine_ops, tenant_id), policy tenant_id = current_setting('app.tenant_id', true):"
  echo "       build ${R[tenant,build]} s (${R[tenant,build_cpu]} s CPU, 2 threads), $(printf '%.1f' "$(mb "${R[tenant,index_bytes]}")") MB," \
    "$parts partitions, $live live, $reach reachable, $broken broken links"
  echo "       first query, LIMIT 100: rows of other tenants returned: ${R[tenant,check]}"
  echo "  WHERE: the same table and index, WHERE tenant_id = '$tenant' written in the query, as the"
  echo "       table owner (RLS does not apply): the same search without isolation enforced."
  echo "  own table: $small holding only $tenant's rows, index (embedding vector_cosine_ops):"
  echo "       build ${R[tenant,small_build]} s (${R[tenant,small_build_cpu]} s CPU, 2 threads)"
  echo
  printf '  %4s %8s %8s %8s %9s %9s %9s %8s %9s %6s %6s %6s %8s\n' ef recall recall recall "QPS" "QPS" \
    "QPS" "RLS" "RLS vs" "us" "us" "us" "RLS"
  printf '  %4s %8s %8s %8s %9s %9s %9s %8s %9s %6s %6s %6s %8s\n' "" RLS WHERE own RLS WHERE own \
    "costs" "own tbl" RLS WHERE own "CPU"
  printf '  %s\n' "$(printf '%.0s-' {1..112})"
  for ef in "${efs[@]}"; do
    printf '  %4s %8s %8s %8s %9s %9s %9s %7s%% %8s%% %6s %6s %6s %7s%%\n' "$ef" \
      "${R[tenant,recall_rls$ef]}" "${R[tenant,recall_where$ef]}" "${R[tenant,recall_plain$ef]}" \
      "${R[tenant,qps_rls$ef]}" "${R[tenant,qps_where$ef]}" "${R[tenant,qps_plain$ef]}" \
      "${R[tenant,overhead$ef]}" "${R[tenant,vs_own$ef]}" "${R[tenant,cpu_rls$ef]}" \
      "${R[tenant,cpu_where$ef]}" "${R[tenant,cpu_plain$ef]}" "${R[tenant,cpu_overhead$ef]}"
  done
  echo "  QPS and us: in-server, one backend alternating RLS (SET ROLE bench_app), WHERE (the owner)"
  echo "    and own table (bench_app), $tenant_rounds_n rounds of $tenant_slice s each, the order rotating;"
  echo "    the mean over the rounds. us: the backend's CPU time per query (/proc/self/schedstat)."
  echo "    No client round trip dilutes the differences."
  echo "  RLS costs: QPS lost against WHERE. RLS vs own tbl: against a table of the tenant's rows only,"
  echo "    whose heap is 10x smaller (its pages stay in the CPU caches): information."
  echo "  Recall against the exact top-$k among $tenant's rows (bench_app is granted"
  echo "    pg_read_server_files, only to read its CPU time from /proc/self/schedstat)."
  echo "  RLS CPU: CPU per query added by RLS against WHERE."
  echo "  plan (RLS):   ${R[tenant,plan_rls]}"
  echo "  plan (plain): ${R[tenant,plan_plain]}"
}

# ---- targets ------------------------------------------------------------------------------------
verdict() { [[ $(calc "$1") == 1 ]] && echo PASS || echo MISS; }

print_targets() {
  local name ef pg_ef core_ef
  echo
  echo "== targets (computed from the figures above; QPS at recall $target_recall = QPS of the smallest"
  echo "   ef_search whose recall@10 reaches $target_recall, 1 client / 1 thread) =="
  printf '  %-62s %-9s %-34s %s\n' target goal measured verdict
  printf '  %s\n' "$(printf '%.0s-' {1..114})"
  for name in small large; do
    local label="${R[$name,n]} x $dims"
    pg_ef=$(first_ef "$name" "")
    core_ef=$(first_ef "$name" core_)
    if [[ -n $pg_ef ]]; then
      local ratio
      ratio=$(calc "sprintf(\"%.0f\", ${R[$name,qps1_$pg_ef]} / ${R[$name,exact_qps1]})")
      local goal="info" v="(info)"
      if [[ $name == large ]]; then goal=">= 200x"; v=$(verdict "$ratio >= 200"); fi
      printf '  %-62s %-9s %-34s %s\n' "$label: QPS at recall $target_recall vs exact scan" "$goal" \
        "${ratio}x (ef=$pg_ef: ${R[$name,qps1_$pg_ef]} vs ${R[$name,exact_qps1]})" "$v"
    else
      printf '  %-62s %-9s %-34s %s\n' "$label: QPS at recall $target_recall vs exact scan" \
        "$([[ $name == large ]] && echo '>= 200x' || echo info)" "recall $target_recall not reached" MISS
    fi
    if [[ -n $pg_ef && -n $core_ef ]]; then
      local r
      r=$(calc "sprintf(\"%.2f\", ${R[$name,alt_core$core_ef]} / ${R[$name,srv1_$pg_ef]})")
      printf '  %-62s %-9s %-34s %s\n' "$label: core QPS / PostgreSQL in-server QPS, at recall $target_recall" \
        "<= 1.5x" "${r}x (core ef=$core_ef ${R[$name,alt_core$core_ef]}, PG ef=$pg_ef ${R[$name,srv1_$pg_ef]})" \
        "$(verdict "$r <= 1.5")"
      r=$(calc "sprintf(\"%.2f\", ${R[$name,cpu$pg_ef]} / ${R[$name,core_cpu$core_ef]})")
      printf '  %-62s %-9s %-34s %s\n' "$label:   the same in CPU time per query (PG / core)" \
        "<= 1.5x" "${r}x (${R[$name,cpu$pg_ef]} vs ${R[$name,core_cpu$core_ef]} us)" "(info)"
      r=$(calc "sprintf(\"%.2f\", ${R[$name,alt_core$core_ef]} / ${R[$name,qps1_$pg_ef]})")
      printf '  %-62s %-9s %-34s %s\n' "$label:   the same through pgbench, 1 client (round trips)" \
        "info" "${r}x (PG ${R[$name,qps1_$pg_ef]})" "(info)"
    else
      printf '  %-62s %-9s %-34s %s\n' "$label: core QPS / PostgreSQL QPS at recall $target_recall" \
        "<= 1.5x" "recall $target_recall not reached" MISS
    fi
    local threads
    for threads in 1 2; do
      local b
      b=$(calc "sprintf(\"%.2f\", ${R[$name,build$threads]} / ${R[$name,core_build$threads]})")
      printf '  %-62s %-9s %-34s %s\n' "$label: PostgreSQL build / core build, $threads thread(s)" "<= 2x" \
        "${b}x (${R[$name,build$threads]} s vs ${R[$name,core_build$threads]} s)" "$(verdict "$b <= 2")"
      b=$(calc "sprintf(\"%.2f\", ${R[$name,build_cpu$threads]} / ${R[$name,core_build_cpu$threads]})")
      printf '  %-62s %-9s %-34s %s\n' "$label:   the same in CPU seconds" "<= 2x" \
        "${b}x (${R[$name,build_cpu$threads]} s vs ${R[$name,core_build_cpu$threads]} s)" "(info)"
    done
  done
  local b=${R[small,build2]}
  printf '  %-62s %-9s %-34s %s\n' "${R[small,n]} x $dims, m=16, ef_construction=64, 2 processes: build" \
    "< 9 s" "$b s" "$(verdict "$b < 9")"
  printf '  %-62s %-9s %-34s %s\n' "${R[small,n]} x $dims: index size (reference index: 195 MB at 50k)" \
    "info" "$(printf '%.1f' "$(mb "${R[small,index_bytes]}")") MB" "(info)"
  print_tenant_targets
}

print_tenant_targets() {
  local ef sum=0 worst=-1000 count=0
  for ef in "${efs[@]}"; do
    sum=$(calc "$sum + ${R[tenant,overhead$ef]}")
    worst=$(calc "(${R[tenant,overhead$ef]} > $worst) ? ${R[tenant,overhead$ef]} : $worst")
    count=$((count + 1))
  done
  local mean
  mean=$(calc "sprintf(\"%.1f\", $sum / $count)")
  printf '  %-62s %-9s %-34s %s\n' "tenant isolation: QPS lost to RLS vs WHERE, mean over ef_search" "< 5%" \
    "${mean}% (worst ef: ${worst}%)" "$(verdict "$mean < 5")"
  sum=0 worst=-1000
  for ef in "${efs[@]}"; do
    sum=$(calc "$sum + ${R[tenant,cpu_overhead$ef]}")
    worst=$(calc "(${R[tenant,cpu_overhead$ef]} > $worst) ? ${R[tenant,cpu_overhead$ef]} : $worst")
  done
  mean=$(calc "sprintf(\"%.1f\", $sum / $count)")
  printf '  %-62s %-9s %-34s %s\n' "tenant isolation: CPU/query added by RLS vs WHERE, mean over ef" "< 5%" \
    "${mean}% (worst ef: ${worst}%)" "$(verdict "$mean < 5")"
  sum=0
  for ef in "${efs[@]}"; do sum=$(calc "$sum + ${R[tenant,vs_own$ef]}"); done
  mean=$(calc "sprintf(\"%.1f\", $sum / $count)")
  printf '  %-62s %-9s %-34s %s\n' "tenant: QPS of RLS vs a table of the tenant's rows only, mean" "info" \
    "${mean}% lower" "(info)"
}

# ---- the run ------------------------------------------------------------------------------------
echo "bench_pg_hnsw: $(date -u '+%Y-%m-%d %H:%M UTC'), $(psql -X -At -c 'SELECT version()' | cut -d, -f1)"
echo "  CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores," \
  "core kernels: $(awk '/^kernel/ {print $2}' <("$bin" core --n 100 --dims 8 --queries 1 --threads 1 --ef 10 --clients 1 --seconds 0.01 2>/dev/null))"
echo "  cluster: shared_buffers 4GB, maintenance_work_mem 2GB, jit off, fsync off, other settings default"
echo "  load average at start: $(load_avg)$( ((quick)) && echo '; --quick: datasets 10x smaller, short runs')"

if ((tenant_only)); then
  R[large,n]=$n_large
  load_dataset large "$n_large"
  run_tenant large "$efc_100k"
  echo
  echo "== targets (--tenant-only: the tenant isolation lines) =="
  print_tenant_targets
else
  run_dataset small "$n_small" "$efc_50k"
  run_dataset large "$n_large" "$efc_100k"
  run_tenant large "$efc_100k"
  print_targets
fi
if ((quick)); then
  echo "  --quick: datasets 10x smaller than the targets' sizes; the verdicts are only a smoke test."
fi
echo
echo "  load average at end: $(load_avg); total $((SECONDS - start_time)) s"
log "done in $((SECONDS - start_time)) s"
