#!/usr/bin/env bash
# Runs each cases/*.sql through the real sqlite3 shell with the module loaded and compares
# stdout+stderr with cases/*.expected.
#
#   run_shell_tests.sh MODULE_PATH
#
# A case runs with -bail (stop at the first error) unless its first line is "-- no-bail", which
# lets one file list several failing statements and their error lines.
# Environment: SQLITE3 (shell to run, default sqlite3); LLMSPELL_SANITIZE_CXX (set when the module
# is built with ASan/UBSan: the compiler whose sanitizer runtimes to preload into the
# uninstrumented shell).
set -u

if [ $# -ne 1 ]; then
  echo "usage: $0 MODULE_PATH" >&2
  exit 2
fi
module=$1
sqlite3=${SQLITE3:-sqlite3}
cases_dir=$(cd "$(dirname "$0")/cases" && pwd)

if [ ! -f "$module" ]; then
  echo "module not found: $module" >&2
  exit 2
fi

preload=
if [ -n "${LLMSPELL_SANITIZE_CXX:-}" ]; then
  # The runtimes must come first in the process, before the module is dlopen()ed.
  preload="$("$LLMSPELL_SANITIZE_CXX" -print-file-name=libasan.so):$("$LLMSPELL_SANITIZE_CXX" -print-file-name=libubsan.so)"
  # sqlite3 itself is not instrumented, and its allocations at exit are not ours to judge.
  export ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
fi

run_sqlite3() {
  if [ -n "$preload" ]; then
    LD_PRELOAD="$preload${LD_PRELOAD:+:$LD_PRELOAD}" "$sqlite3" "$@"
  else
    "$sqlite3" "$@"
  fi
}

actual=$(mktemp)
trap 'rm -f "$actual"' EXIT

passed=0
failed=0
for sql in "$cases_dir"/*.sql; do
  name=$(basename "$sql" .sql)
  expected="$cases_dir/$name.expected"
  bail=-bail
  if head -n 1 "$sql" | grep -q '^-- no-bail'; then bail=; fi
  # -cmd runs .load before the file is read, so error line numbers match the case file.
  # -batch keeps the shell non-interactive; stdin is the case file.
  run_sqlite3 -batch $bail -cmd ".load $module" :memory: <"$sql" >"$actual" 2>&1
  if [ ! -f "$expected" ]; then
    echo "FAIL $name: missing $expected"
    failed=$((failed + 1))
  elif diff -u "$expected" "$actual" >/dev/null; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    diff -u --label "$name.expected" --label "$name (actual)" "$expected" "$actual"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
