# shellcheck shell=bash
# The CLI tests' shared pieces (sourced; no kernel): cli_init NAME sets AUDITLENS (required), SRC,
# PY and T (a temp directory, removed at exit unless KEEP_TMP is set; a test with more to clean
# sets CLI_CLEANUP to a function run first); check WHAT CMD... runs CMD and prints "ok - WHAT" or
# "not ok - WHAT", counting both; cli_finish prints the counts and fails when a check failed.
set -uo pipefail
AUDITLENS=${AUDITLENS:?set AUDITLENS to the auditlens binary}
SRC=${SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PY=/usr/bin/python3
PASSED=0
FAILED=0
CLI_CLEANUP=""

cli_init() {
  T=$(mktemp -d "/tmp/auditlens-$1.XXXXXX")
  trap cli_on_exit EXIT
}

cli_on_exit() {
  [[ -n $CLI_CLEANUP ]] && "$CLI_CLEANUP"
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$T"
}

check() {
  local what=$1
  shift
  if "$@"; then PASSED=$((PASSED + 1)); echo "ok - $what"; else FAILED=$((FAILED + 1)); echo "not ok - $what"; fi
}

cli_finish() {
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
}
