#!/usr/bin/env bash
# `auditlens import --postgres` into a private PostgreSQL (tests/pg/pg_server.sh) with the fleet
# schema (`auditlens fleet migrate`): a recorded SSH session's log becomes host lab-1's rows (its
# session, its events), `auditlens trace` finds the session there, importing it again adds no row,
# 300 generated sessions (more rows than the fleet ring holds) arrive whole because the reader
# waits for the database, and an unreachable database is an error (exit 1) rather than rows left
# in a spool.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIR=${SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
AUDITLENS=${AUDITLENS:?set AUDITLENS to the auditlens binary}
LOG=$SOURCE_DIR/tests/data/sessions/ssh_interactive_sudo_su.log
source "$HERE/pg_test.sh"
pg_test_init import_fleet
URL=$PG_URL

"$AUDITLENS" fleet migrate --postgres "$URL" >/dev/null 2>"$T/migrate.err"
check "fleet migrate: exit 0" test $? -eq 0
rows() {
  pg_psql "$T/pg" -c "SELECT (SELECT count(*) FROM auditlens.sessions WHERE host='lab-1')||' '||(SELECT count(*) FROM auditlens.events WHERE host='lab-1')||' '||(SELECT count(*) FROM auditlens.processes WHERE host='lab-1')"
}
set +e
"$AUDITLENS" import --postgres "$URL" --host lab-1 "$LOG" >/dev/null 2>"$T/import.err"
rc=$?
set -e
check "import --postgres: exit 0 ($rc)" test $rc -eq 0
first=$(rows)
read -r sessions events processes <<<"$first"
check "import --postgres: the session, its events and processes are host lab-1's rows ($first)" \
  test "$sessions" -eq 1 -a "$events" -gt 100 -a "$processes" -gt 10
SID=$(pg_psql "$T/pg" -c "SELECT id FROM auditlens.sessions WHERE host='lab-1'")
"$AUDITLENS" trace --postgres "$URL" "lab-1:$SID" >"$T/trace.txt" 2>&1 || true
check "trace finds the imported session" grep -q "alice5679" "$T/trace.txt"
"$AUDITLENS" import --postgres "$URL" --host lab-1 "$LOG" >/dev/null 2>"$T/again.err"
check "import again: exit 0" test $? -eq 0
check "import again: no row added" test "$(rows)" == "$first"
# More rows than the fleet store's ring holds (16,384), read as fast as the file goes: the reader
# waits for the database, nothing is dropped.
python3 "$SOURCE_DIR/bench/session_gen.py" --sessions 300 --seed 3 --no-eoe --first-ses 5000 \
  --output "$T/many.log" 2>/dev/null
set +e
"$AUDITLENS" import --postgres "$URL" --host lab-2 "$T/many.log" >/dev/null 2>"$T/many.err"
rc=$?
set -e
check "300 sessions --postgres: exit 0, nothing dropped ($rc)" test $rc -eq 0
many=$(pg_psql "$T/pg" -c "SELECT count(*) FROM auditlens.sessions WHERE host='lab-2' AND ses BETWEEN 5000 AND 5299 AND end_ms IS NOT NULL")
check "300 sessions --postgres: all 300 logins stored and ended ($many)" test "$many" -eq 300
many_events=$(pg_psql "$T/pg" -c "SELECT count(*) FROM auditlens.events WHERE host='lab-2'")
check "300 sessions --postgres: more event rows than the ring holds ($many_events)" test "$many_events" -gt 16384
set +e
"$AUDITLENS" import --postgres "postgresql://postgres@127.0.0.1:1/auditlens?connect_timeout=2" \
  --host lab-1 "$LOG" >/dev/null 2>"$T/down.err"
rc=$?
set -e
check "an unreachable database: exit 1 ($rc)" test $rc -eq 1
check "  ... saying the rows were not taken" grep -q "the fleet store did not take every row" "$T/down.err"
check "  ... and no spool left behind" bash -c "! ls -d /tmp/auditlens-import-spool.* 2>/dev/null | grep -q ."
pg_test_finish
