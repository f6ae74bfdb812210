# shellcheck shell=bash
# The start and end of a test on a private PostgreSQL (sourced by tests/pg/test_*.sh after
# `set -euo pipefail`; sources pg_server.sh).
#
# Interface:
#   pg_test_init NAME
#       Needs root (PostgreSQL runs as the postgres user). Makes the test's temp dir T
#       (/tmp/auditlens-NAME.XXXXXX, removed on exit with every cluster this shell started), starts
#       a cluster in $T/pg on a random PORT (exits when it cannot start), and sets PG_URL as
#       pg_start does.
#   check DESCRIPTION COMMAND...   runs COMMAND, prints "ok - ..." or "not ok - ..." and counts.
#   pg_test_finish                  prints the counts; fails when a check failed (the last command).

# shellcheck source=pg_server.sh
source "$(dirname "${BASH_SOURCE[0]}")/pg_server.sh"

PASSED=0
FAILED=0
check() {
  local what=$1
  shift
  if "$@"; then PASSED=$((PASSED + 1)); echo "ok - $what"; else FAILED=$((FAILED + 1)); echo "not ok - $what"; fi
}

pg_test_init() {
  local name=$1
  [[ $(id -u) -eq 0 ]] || { echo "$name: needs root (runs PostgreSQL as the postgres user)" >&2; exit 1; }
  T=$(mktemp -d "/tmp/auditlens-${name//_/-}.XXXXXX")
  trap 'pg_stop_all; rm -rf "$T"' EXIT
  PORT=$((30000 + RANDOM % 20000))
  pg_start "$T/pg" "$PORT" >/dev/null
}

pg_test_finish() {
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
}
