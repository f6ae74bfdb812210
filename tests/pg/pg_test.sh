# shellcheck shell=bash
# The start and end of a test on a private PostgreSQL (sourced by tests/pg/test_*.sh after
# `set -euo pipefail`; sources pg_server.sh).
#
# Interface:
#   pg_test_init NAME
#       Needs root (PostgreSQL runs as the postgres user). Makes the test's temp dir T
#       (/tmp/auditlens-NAME.XXXXXX, removed on exit with every cluster this shell started), starts
#       a cluster in $T/pg on a free PORT (exits when it cannot start), and sets PG_URL as
#       pg_start does.
#   pg_apply_schema SOURCE_DIR      the fleet schema exactly as the agent creates it (every migration
#                                   of src/store/pg_schema.h, in order) in the test's cluster, with
#                                   default partitions for events and connections: for tests that
#                                   write rows by hand.
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
  PORT=$(pg_free_port)
  pg_start "$T/pg" "$PORT" >/dev/null
}

pg_apply_schema() {
  /usr/bin/python3 - "$1/src/store/pg_schema.h" >"$T/schema.sql" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
boot = re.search(r'kPgBootstrap\[\] =\s*((?:"[^"]*"\s*)+);', text)
print("".join(re.findall(r'"([^"]*)"', boot.group(1))) + ";")
block = text[text.index("kPgMigrations[] = {"):]
block = block[:block.index("\n};")]
for sql in re.findall(r'R"SQL\((.*?)\)SQL"', block, re.S):
    print(sql)
PY
  pg_psql "$T/pg" -f "$T/schema.sql" >/dev/null
  pg_psql "$T/pg" -c "CREATE TABLE auditlens.events_all PARTITION OF auditlens.events DEFAULT;
  CREATE TABLE auditlens.connections_all PARTITION OF auditlens.connections DEFAULT;" >/dev/null
}

pg_test_finish() {
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
}
