#!/usr/bin/env bash
# docker/postgres without a Docker engine: what can be checked here is. The compose file parses
# and starts the service the guide describes; the Dockerfile builds with the steps the tests use
# (scripts/install-deps, make install, make install-cli); the init script, run for real against
# the throwaway cluster as the image's entrypoint would, leaves a database that passes
# `llmspell database health` and the compose health check.
# Runs under test/pg/run-tests (PGHOST/PGPORT/PGUSER); the CLI is $LLMSPELL, else build/cli/llmspell.
set -uo pipefail
root=${LLMSPELL_ROOT:-$(cd "$(dirname "$0")/../../.." && pwd)}
# shellcheck disable=SC1091
source "$root/test/pg/lib/tap.sh"
llmspell=${LLMSPELL:-$root/build/cli/llmspell}
dir=$root/docker/postgres
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists docker_init' EXIT
unset DATABASE_URL LLMSPELL_CONFIG LLMSPELL_MIGRATIONS_DIR

tap_plan 19
# The compose file as JSON (YAML parsed by PyYAML: python3-yaml, from scripts/install-deps).
compose=$(python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' \
  "$dir/docker-compose.yml" 2>"$work/yaml.err")
tap_ok $? "docker-compose.yml parses as YAML"
[[ -s "$work/yaml.err" ]] && sed 's/^/#   /' "$work/yaml.err"
q() { jq -r "$1" <<<"$compose"; }
tap_is "$(q '.services | keys | join(",")')" "postgres" "one service, postgres"
tap_is "$(q '.services.postgres.container_name')" "llmspell_postgres_dev" "container llmspell_postgres_dev"
tap_is "$(q '.services.postgres.environment | "\(.POSTGRES_DB) \(.POSTGRES_USER)"')" "llmspell_dev llmspell" \
  "database llmspell_dev, user llmspell"
[[ "$(q '.services.postgres.environment.POSTGRES_PASSWORD')" == '${POSTGRES_PASSWORD'* ]]
tap_ok $? "the password comes from the environment (\$POSTGRES_PASSWORD)"
tap_is "$(q '.services.postgres.volumes[0]')" "llmspell_postgres_data:/var/lib/postgresql/data" \
  "the data directory on a named volume"
tap_is "$(q '.volumes | keys | join(",")')" "llmspell_postgres_data" "... declared at the top level"
tap_is "$(q '.services.postgres.healthcheck.test[0]')" "CMD-SHELL" "a health check"
health=$(q '.services.postgres.healthcheck.test[1]')
grep -q 'pg_isready' <<<"$health"
tap_ok $? "... with pg_isready"
[[ "$(q '.services.postgres.ports[0]')" == *":5432" ]]
tap_ok $? "port 5432 published"
context=$(cd "$dir/$(q '.services.postgres.build.context')" && pwd)
tap_is "$context" "$root" "the build context is the repository root"
[[ -f "$context/$(q '.services.postgres.build.dockerfile')" ]]
tap_ok $? "... and the Dockerfile is where the compose file says"

# The Dockerfile: PostgreSQL 15, built with the very scripts and targets the tests use.
from=$(awk '/^FROM /{print $2; exit}' "$dir/Dockerfile")
[[ "$from" == postgres:15* ]]
tap_ok $? "based on the official PostgreSQL 15 image ($from)"
run=$(awk '/^RUN /,/[^\\]$/' "$dir/Dockerfile" | tr '\n' ' ')
ok=0
grep -q 'scripts/install-deps' <<<"$run" && [[ -x "$root/scripts/install-deps" ]] || ok=1
for target in install install-cli; do
  grep -Eq "make [^&]*\\b$target\\b" <<<"$run" && grep -q "^$target:" "$root/Makefile" || ok=1
done
tap_ok $ok "RUN: scripts/install-deps, make install, make install-cli (as make test-pg and the CLI tests)"
copied=$(awk '/^COPY docker\/postgres\//{print $2}' "$dir/Dockerfile")
grep -qx 'build-\*' "$root/.dockerignore" && grep -qx '.git' "$root/.dockerignore"
tap_ok $? ".dockerignore keeps build directories and .git out of the image"

[[ -n "$copied" && -x "$root/$copied/10-llmspell.sh" ]]
tap_ok $? "the init scripts ($copied) are there and executable"

# The init script, as the entrypoint runs it: POSTGRES_USER / POSTGRES_DB set, the server's socket.
createdb docker_init
mkdir -p "$work/bin"
ln -s "$llmspell" "$work/bin/llmspell"
for f in "$root/$copied"/*.sh; do
  PATH=$work/bin:$PATH POSTGRES_USER=$PGUSER POSTGRES_DB=docker_init bash "$f" >"$work/init.log" 2>&1 || {
    sed 's/^/#   /' "$work/init.log"
    break
  }
done
DATABASE_URL="postgresql://$PGUSER@localhost:$PGPORT/docker_init?host=$PGHOST" "$llmspell" database health >"$work/health.log" 2>&1
tap_ok $? "the init script leaves a database that passes llmspell database health"
[[ $(cat "$work/health.log" | grep -c 'Migrations: 15/15 applied') -eq 1 ]] || sed 's/^/#   /' "$work/health.log"
# The health check's own command, pointed at that database.
check=$(sed -e "s|/var/run/postgresql|$PGHOST|; s|user=llmspell'|user=$PGUSER'|; s|llmspell_dev|docker_init|g" \
            -e "s|-U llmspell|-U $PGUSER|; s|llmspell database health|'$llmspell' database health|" <<<"$health")
bash -c "$check" >/dev/null 2>&1
tap_ok $? "the compose health check passes there"
bash -c "$(sed 's/docker_init/no_such_db/g' <<<"$check")" >/dev/null 2>&1
tap_is "$?" 1 "... and fails on a database that is not there"
exit $((_tap_failed > 0))
