#!/usr/bin/env bash
# Smoke test of the store-at-scale tools (bench/session_gen.py, bench/store_scale.sh): a log of 20
# generated SSH sessions is well-formed (bench/session_check.py, libauparse when python3-audit is
# installed, `auditlens parse`), is the same for the same seed, and bench_replay stores its 20
# logins, each closed, each its own user, with the failed attempts of the "command" recording and
# nothing dropped; then store_scale.sh runs once on 20 sessions and prints its row, through
# bench_replay and through `auditlens import`. Last, 300 sessions through bench_replay with the
# smallest ring (64 rows): the reader waits for the writer, so nothing is dropped, all 300 logins
# are stored and closed, and every ended one has its listing summary. Counts only: no timing is
# asserted. No kernel, no root.
#
# Environment: AUDITLENS (default build/release/auditlens), BENCH_REPLAY (default
# build/release/bench/bench_replay). Prints one line per check and ends with `N passed, M failed`.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
AUDITLENS=${AUDITLENS:-$REPO/build/release/auditlens}
BENCH_REPLAY=${BENCH_REPLAY:-$REPO/build/release/bench/bench_replay}
PYTHON=${PYTHON:-python3}
N=20 FIRST_SES=100

passed=0 failed=0
check() {  # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "ok - $what"
    passed=$((passed + 1))
  else
    echo "FAIL - $what"
    failed=$((failed + 1))
  fi
}
command -v sqlite3 >/dev/null || { echo "skipped: needs sqlite3"; exit 77; }

work=$(mktemp -d /tmp/auditlens-store-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Two days ago: inside the store's age retention (30 days of the wall clock).
start=$((($(date +%s) / 86400 - 2) * 86400))
gen() { "$PYTHON" "$HERE/session_gen.py" --sessions $N --seed 7 --start-time "$start" --first-ses $FIRST_SES "$@"; }

gen --output "$work/a.log" --summary 2>"$work/summary"
check "session_gen exits 0" test $? = 0
commands=$(sed -n 's/.*(command \([0-9]*\).*/\1/p' "$work/summary")
gen >"$work/b.log"
check "the same seed gives the same log (file and stdout)" cmp -s "$work/a.log" "$work/b.log"
gen --seed 8 >"$work/c.log"
check "another seed gives another log" bash -c "! cmp -s '$work/a.log' '$work/c.log'"

auparse=""
/usr/bin/python3 -c 'import auparse' 2>/dev/null && auparse=--auparse
out=$(/usr/bin/python3 "$HERE/session_check.py" "$work/a.log" --distinct-pids $auparse)
rc=$?
echo "$out"
check "session_check: stamps, serials strictly increasing, events whole, hex valid, no pid in two sessions${auparse:+, libauparse agrees}" test $rc = 0

"$AUDITLENS" parse "$work/a.log" >/dev/null 2>"$work/parse.err"
check "auditlens parse exits 0" test $? = 0
lines=$(wc -l <"$work/a.log")
check "auditlens parse: $lines records, 0 malformed lines ($(tail -1 "$work/parse.err"))" \
  grep -q "^auditlens parse: $lines records, [0-9]* events, 0 malformed lines$" "$work/parse.err"

"$BENCH_REPLAY" "$work/a.log" --store "$work/store.db" --no-network >/dev/null 2>"$work/replay.err"
check "bench_replay exits 0" test $? = 0
check "bench_replay: nothing dropped, no write error, no malformed line" \
  bash -c "grep -q ' 0 dropped, 0 write errors' '$work/replay.err' && grep -q ' 0 malformed lines' '$work/replay.err'"
q() { sqlite3 -batch -noheader "$work/store.db" "$1"; }
range="ses BETWEEN $FIRST_SES AND $((FIRST_SES + N - 1))"
check "the store has the $N logins" test "$(q "SELECT count(*) FROM sessions WHERE $range")" = $N
check "every login is closed" test "$(q "SELECT count(*) FROM sessions WHERE $range AND end_ms IS NOT NULL AND state = 'closed'")" = $N
check "$N distinct users (u00000000...)" test "$(q "SELECT count(DISTINCT user) FROM sessions WHERE $range AND user LIKE 'u%'")" = $N
check "the ${commands:-?} failed password attempts are stored" \
  test "$(q "SELECT count(*) FROM sessions WHERE ses IS NULL AND state = 'failed'")" = "${commands:-x}"

gen --users 3 --output "$work/u.log"
"$BENCH_REPLAY" "$work/u.log" --store "$work/u.db" --no-network >/dev/null 2>&1
check "--users 3: 3 distinct users" \
  test "$(sqlite3 -batch -noheader "$work/u.db" "SELECT count(DISTINCT user) FROM sessions WHERE $range")" = 3

TMPDIR=$work bash "$HERE/store_scale.sh" --sessions $N --runs 1 --markdown-only \
  --build "$(dirname "$AUDITLENS")" >"$work/scale.md" 2>"$work/scale.err"
rc=$?
cat "$work/scale.md"
[[ $rc == 0 ]] || tail -5 "$work/scale.err"
check "store_scale.sh exits 0 with a row of $N logins stored, 0 dropped, 0 open" \
  grep -Eq "^\| $N \| [0-9]+ \| .* \| 0 \| $N / $N \| [0-9]+ / [0-9]+ \| 0 \|" "$work/scale.md"
check "store_scale.sh removed its temp files" bash -c "! ls -d '$work'/auditlens-store-scale.* 2>/dev/null"
TMPDIR=$work bash "$HERE/store_scale.sh" --sessions $N --runs 1 --markdown-only --via import \
  --build "$(dirname "$AUDITLENS")" >"$work/scale-import.md" 2>"$work/scale-import.err"
rc=$?
cat "$work/scale-import.md"
[[ $rc == 0 ]] || tail -5 "$work/scale-import.err"
check "store_scale.sh --via import: a row of $N logins stored, 0 dropped, 0 open" \
  grep -Eq "^\| $N \| [0-9]+ \| .* \| 0 \| $N / $N \| [0-9]+ / [0-9]+ \| 0 \|" "$work/scale-import.md"

# A file as input: with a 64-row ring the reader waits for the writer; nothing is dropped.
M=300
gen --sessions $M --output "$work/m.log" 2>/dev/null
"$BENCH_REPLAY" "$work/m.log" --store "$work/m.db" --no-network --queue-rows 64 >/dev/null 2>"$work/m.err"
check "bench_replay --queue-rows 64 on $M sessions exits 0" test $? = 0
grep 'rows written' "$work/m.err"
check "$M sessions, 64-row ring: 0 dropped, no write error" grep -q ' [1-9][0-9]* rows written in .* 0 dropped, 0 write errors' "$work/m.err"
mrange="ses BETWEEN $FIRST_SES AND $((FIRST_SES + M - 1))"
check "$M sessions, 64-row ring: all $M logins stored and closed" \
  test "$(sqlite3 -batch -noheader "$work/m.db" "SELECT count(*) FROM sessions WHERE $mrange AND end_ms IS NOT NULL AND state = 'closed'")" = $M

check "$M sessions: every ended session has its listing summary when the replay ends" \
  test "$(sqlite3 -batch -noheader "$work/m.db" "SELECT count(*) FROM sessions WHERE summarized IS NULL AND (end_ms IS NOT NULL OR state = 'failed')")" = 0

echo "$passed passed, $failed failed"
((failed == 0))
