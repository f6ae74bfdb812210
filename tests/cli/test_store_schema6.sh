#!/usr/bin/env bash
# Store schema version 6 (issue 22: fewer bytes per session) shows exactly what version 5 showed.
# (Version 7 adds only the processes' labels column: the stores made and upgraded here are 7.)
# tests/data/store/v5-12-sessions.db.xz is a version 5 store that auditlens at cc3de96 (the last
# version 5 writer) made with `import --host fixture-1` from tests/data/store/12-sessions.log.xz
# (bench/session_gen.py --sessions 12 --seed 3 --start-time '2026-12-01 00:00:00' --no-eoe: 19
# session rows, failed logins among them). Byte for byte (bench/store_compare.sh: `sessions` with
# its filters, every `timeline` in text, JSON and by ses number, `containers`, and the web API's
# session pages, timelines, trees, events and single events):
# - the version 5 store, read as it is, against the same log imported now (version 6);
# - the version 5 store upgraded in place (the writer opens it: `import` of a log of one daemon
#   record, which adds no row) against the same, and it is then version 6 and smaller.
source "$(dirname "$0")/lib.sh"
cli_init schema6
DATA=$SRC/tests/data/store
for tool in xz sqlite3 curl python3; do
  command -v $tool >/dev/null || { echo "not ok - $tool missing (scripts/install-deps.sh test)"; exit 1; }
done
xz -dc "$DATA/12-sessions.log.xz" >"$T/12-sessions.log"
xz -dc "$DATA/v5-12-sessions.db.xz" >"$T/v5.db"
version() { sqlite3 "$1" "SELECT value FROM meta WHERE key='schema_version'"; }
pages() { sqlite3 "$1" "SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count)"; }
check "the fixture is a version 5 store of 19 sessions" \
  test "$(version "$T/v5.db") $(sqlite3 "$T/v5.db" 'SELECT count(*) FROM sessions')" = "5 19"

"$AUDITLENS" import --host fixture-1 --db "$T/v6.db" --progress never "$T/12-sessions.log" >/dev/null 2>"$T/v6.err"
check "the same log imported now: exit 0, version 7 (6 with the processes' labels)" \
  test "$? $(version "$T/v6.db") $(sqlite3 "$T/v6.db" "SELECT count(*) FROM pragma_table_info('processes') WHERE name = 'labels'")" = "0 7 1"
check "the same rows: sessions, processes, events" test \
  "$(sqlite3 "$T/v6.db" 'SELECT (SELECT count(*) FROM sessions),(SELECT count(*) FROM processes),(SELECT count(*) FROM events)')" = \
  "$(sqlite3 "$T/v5.db" 'SELECT (SELECT count(*) FROM sessions),(SELECT count(*) FROM processes),(SELECT count(*) FROM events)')"
check "version 6 holds codes: entity ids as integers, session keys as integers, compact details" test \
  "$(sqlite3 "$T/v6.db" "SELECT count(*) FROM events WHERE typeof(entity_id) != 'integer' OR typeof(session_id) != 'integer' OR typeof(kind) != 'integer' OR (detail IS NOT NULL AND typeof(detail) NOT IN ('blob','text'))")" = 0
bash "$SRC/bench/store_compare.sh" "$AUDITLENS" "$T/v5.db" "$AUDITLENS" "$T/v6.db" 19 >"$T/compare-fresh.out" 2>&1
check "version 5 read as it is = version 6 of the same log (byte for byte)" test $? -eq 0
cat "$T/compare-fresh.out"

cp "$T/v5.db" "$T/upgraded.db"
# A log the store has not seen, of one daemon record (no row of its own): the writer opens the store.
echo 'type=DAEMON_START msg=audit(1796428800.000:1): op=start ver=3.1 format=raw kernel=6.1.0 auid=4294967295 pid=100 uid=0 ses=4294967295 res=success' >"$T/daemon.log"
"$AUDITLENS" import --host fixture-1 --db "$T/upgraded.db" --progress never "$T/daemon.log" >/dev/null 2>"$T/upgraded.err"
check "the writer upgrades the version 5 store in place (exit 0, version 7)" \
  test "$? $(version "$T/upgraded.db") $(sqlite3 "$T/upgraded.db" "SELECT count(*) FROM pragma_table_info('processes') WHERE name = 'labels'")" = "0 7 1"
check "the upgrade keeps every row" test \
  "$(sqlite3 "$T/upgraded.db" 'SELECT (SELECT count(*) FROM sessions),(SELECT count(*) FROM processes),(SELECT count(*) FROM events)')" = \
  "$(sqlite3 "$T/v5.db" 'SELECT (SELECT count(*) FROM sessions),(SELECT count(*) FROM processes),(SELECT count(*) FROM events)')"
bash "$SRC/bench/store_compare.sh" "$AUDITLENS" "$T/v5.db" "$AUDITLENS" "$T/upgraded.db" 19 >"$T/compare-upgraded.out" 2>&1
check "version 5 = the same store upgraded to 6 (byte for byte)" test $? -eq 0
cat "$T/compare-upgraded.out"
sqlite3 "$T/upgraded.db" VACUUM
sqlite3 "$T/v5.db" VACUUM
check "the upgraded store is smaller ($(pages "$T/upgraded.db") pages against $(pages "$T/v5.db"))" \
  test "$(pages "$T/upgraded.db")" -lt "$(pages "$T/v5.db")"

cli_finish
