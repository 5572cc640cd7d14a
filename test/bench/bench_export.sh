#!/usr/bin/env bash
# `make bench`: storage export/import throughput and peak memory at 100k and 1M rows (SQLite and a
# throwaway PostgreSQL cluster; the extension must be installed). test/bench/bench_export.py does
# the work.   test/bench/bench_export.sh [LLMSPELL] [ROWS...]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=${1:-$root/build-bench/cli/llmspell}
shift || true
work=$(mktemp -d /tmp/llmspell-bench-export.XXXXXX)
chmod 755 "$work"
cluster=$work/pg
trap '"$root/scripts/pg-cluster" stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$root/scripts/pg-cluster" start "$cluster" >/dev/null
# shellcheck disable=SC1091
source "$cluster/env"
python3 "$root/test/bench/bench_export.py" "$bin" \
  "postgresql://postgres@localhost:$PGPORT/postgres?host=$PGHOST" "$work" "$@"
