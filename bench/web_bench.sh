#!/usr/bin/env bash
# `auditlens web` on a store at scale (issue 24): a log of N SSH sessions (bench/session_gen.py)
# replayed into a fresh store by bench_replay, plus one session made to hold C commands (the rows of
# one of its commands copied C times, each with its own time, serial, pid and entity id: the
# timeline reads them as C commands), then the API timed with curl against a running
# `auditlens web`: the median wall time of RUNS requests (the server's whole answer, loopback).
#
#   bench/web_bench.sh [--sessions N] [--commands C] [--runs K] [--build DIR] [--keep DIR]
#
# --sessions  sessions in the store (default 10000: about 2 million events)
# --commands  commands of the big session (default 5000)
# --runs      requests per figure; their median is reported (default 7)
# --build     the build tree with auditlens and bench/bench_replay (default build/release)
# --keep DIR  keep the store (DIR/web-bench.db)
# --store DB  time a store kept before (its big session is the one with the most events)
#
# (The summaries the writer had not done when bench_replay closed the store are done first, by
# opening it again: the listing reads stored summaries, as it would from a running agent's store.)
# Prints a markdown table: each request, what it returned, and its median ms. The targets (issue
# 24): the sessions page ≤ 200 ms on 10,000 sessions / 1,000,000 events; the timeline of a 5,000-
# command session ≤ 300 ms. Timings only mean something on a quiet machine (bench/README.md).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
N=10000 C=5000 RUNS=7 BUILD=$REPO/build/release KEEP="" REUSE=""
while (($#)); do
  case $1 in
    --sessions) N=$2; shift 2 ;;
    --commands) C=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    --store) REUSE=$2; shift 2 ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "web_bench: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
AUDITLENS=${AUDITLENS:-$BUILD/auditlens} REPLAY=${BENCH_REPLAY:-$BUILD/bench/bench_replay}
for tool in "$AUDITLENS" "$REPLAY"; do
  [[ -x $tool ]] || { echo "web_bench: $tool missing: cmake --build --preset release --target auditlens bench_replay" >&2; exit 1; }
done
PY=/usr/bin/python3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/auditlens-web-bench.XXXXXX")
WEB=
trap '[[ -n $WEB ]] && kill $WEB 2>/dev/null; rm -rf "$WORK"' EXIT
DB=$WORK/web-bench.db

# The summaries the store's writer had not done when bench_replay closed the store (a close gives
# them 2 s) are done by opening it again, as the agent does in its spare time (docs/performance.md,
# "Listings and retention"): until then a listing builds each missing one.
complete_summaries() {
  : >"$WORK/empty.log"
  for _ in $(seq 40); do
    [[ $(sqlite3 "$DB" "SELECT count(*) FROM sessions WHERE summarized IS NULL AND (end_ms IS NOT NULL OR state = 'failed')") == 0 ]] && break
    "$REPLAY" "$WORK/empty.log" --store "$DB" --no-network >/dev/null 2>&1
  done
}

if [[ -n $REUSE ]]; then
  cp "$REUSE" "$DB"
  complete_summaries
  BIG=$(sqlite3 "$DB" "SELECT s.id FROM events e JOIN sessions s ON s.key = e.session_id GROUP BY e.session_id ORDER BY count(*) DESC LIMIT 1")
  C=$(sqlite3 "$DB" "SELECT count(*) FROM processes WHERE entity_id LIKE 'webbench%'")
else
echo "web_bench: generating $N sessions and replaying them into $DB" >&2
$PY "$HERE/session_gen.py" --sessions "$N" --seed 1 --output "$WORK/s.log" >&2
"$REPLAY" "$WORK/s.log" --store "$DB" --no-network >"$WORK/replay.out" 2>&1
rm -f "$WORK/s.log"
complete_summaries

# The big session: the longest interactive one gets C copies of one of its commands' rows.
BIG=$($PY - "$DB" "$C" <<'PY'
import sqlite3, sys
db, count = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db)
# Store schema 6 (docs/store.md "Codes"): the events hold the session's key, the entity id's code,
# kind 1 = exec, 9 = logout, role 4 = command, outcome 1 = success; a detail written here as JSON
# text is read as it is.
key, sid = con.execute("SELECT e.session_id, s.id FROM events e JOIN sessions s ON s.key = e.session_id GROUP BY e.session_id ORDER BY count(*) DESC LIMIT 1").fetchone()
ev = con.execute("SELECT * FROM events WHERE session_id = ? AND kind = 1 AND role = 4 AND outcome = 1 ORDER BY time_ms LIMIT 1", (key,)).fetchone()
ecols = [d[0] for d in con.execute("SELECT * FROM events LIMIT 0").description]
proc = con.execute("SELECT * FROM processes WHERE entity_id = printf('%016x', ?)", (ev[ecols.index("entity_id")],)).fetchone()
pcols = [d[0] for d in con.execute("SELECT * FROM processes LIMIT 0").description]
end = con.execute("SELECT max(time_ms) FROM events WHERE session_id = ? AND kind != 9", (key,)).fetchone()[0]
serial = con.execute("SELECT max(serial) FROM events").fetchone()[0] + 1000000
import json
# A command each 500 ms after the session's last event (apart enough not to fold as a shell's
# startup files), each with its own last argument (no two alike, so none merge into a count); the
# session's end and logout records move after them.
for i in range(count):
    t = end + 500 * (i + 1)
    e = dict(zip(ecols, ev)); p = dict(zip(pcols, proc))
    entity = "webbench%08d" % i
    d = {"exe": p["exe"], "args": json.loads(p["args"]) + ["n%d" % i], "cwd": p["cwd"]}
    e.update(time_ms=t, serial=serial + i, entity_id=entity, pid=900000 + i, detail=json.dumps(d))
    p.update(entity_id=entity, pid=900000 + i, start_ms=t, exit_ms=t + 1, previous_entity=None,
             args=json.dumps(d["args"]))
    con.execute("INSERT INTO events(%s) VALUES (%s)" % (",".join(e), ",".join("?" * len(e))), list(e.values()))
    con.execute("INSERT INTO processes(%s) VALUES (%s)" % (",".join(p), ",".join("?" * len(p))), list(p.values()))
shift = 500 * (count + 1)
con.execute("UPDATE events SET time_ms = time_ms + ? WHERE session_id = ? AND kind = 9", (shift, key))
con.execute("UPDATE sessions SET end_ms = end_ms + ?, last_seen_ms = last_seen_ms + ? WHERE id = ?", (shift, shift, sid))
con.execute("UPDATE sessions SET summarized = NULL WHERE id = ?", (sid,))
con.commit()
print(sid)
PY
)
fi
EVENTS=$(sqlite3 "$DB" "SELECT count(*) FROM events")
SESSIONS=$(sqlite3 "$DB" "SELECT count(*) FROM sessions")

PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$AUDITLENS" web --db "$DB" --listen "127.0.0.1:$PORT" --token-file "$WORK/token" >"$WORK/web.out" 2>&1 &
WEB=$!
for _ in $(seq 50); do grep -q serving "$WORK/web.out" && break; sleep 0.1; done
TOKEN=$(cat "$WORK/token")
U=http://127.0.0.1:$PORT

# median_ms PATH: the median of RUNS requests' total time (after one warm-up request).
median_ms() {
  local path=$1 t=()
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$U$path"
  for _ in $(seq "$RUNS"); do
    t+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$U$path")")
  done
  printf '%s\n' "${t[@]}" | sort -n | awk -v n="$RUNS" '{a[NR]=$1} END {printf "%.1f", a[int((n+1)/2)] * 1000}'
}
count() { curl -s -H "Authorization: Bearer $TOKEN" "$U$1" | $PY -c "import json,sys; d=json.load(sys.stdin); print($2)"; }

MID=$(sqlite3 "$DB" "SELECT start_ms || ':' || id FROM sessions ORDER BY start_ms DESC, id DESC LIMIT 1 OFFSET $((SESSIONS / 2))")
LAST=$(sqlite3 "$DB" "SELECT start_ms || ':' || id FROM sessions ORDER BY start_ms DESC, id DESC LIMIT 1 OFFSET $((SESSIONS - 60))")
USER1=$(sqlite3 "$DB" "SELECT user FROM sessions WHERE user IS NOT NULL LIMIT 1 OFFSET $((SESSIONS / 3))")
ENC() { $PY -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

echo
OPEN=$(sqlite3 "$DB" "SELECT count(*) FROM sessions WHERE end_ms IS NULL AND state != 'failed'")
PENDING=$(sqlite3 "$DB" "SELECT count(*) FROM sessions WHERE summarized IS NULL")
echo "Store: $SESSIONS sessions ($OPEN open, $PENDING without a stored summary), $EVENTS events; the big"
echo "session $BIG has $C added commands. $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| request | answer | median ms |"
echo "|---|---|---:|"
row() { echo "| \`$1\` | $2 | $(median_ms "$1") |"; }
row "/api/sessions?limit=50" "$(count /api/sessions?limit=50 'len(d["sessions"])') sessions"
row "/api/sessions?limit=50&cursor=$(ENC "$MID")" "$(count "/api/sessions?limit=50&cursor=$(ENC "$MID")" 'len(d["sessions"])') sessions (page $((SESSIONS / 100)))"
row "/api/sessions?limit=50&cursor=$(ENC "$LAST")" "$(count "/api/sessions?limit=50&cursor=$(ENC "$LAST")" 'len(d["sessions"])') sessions (the last page)"
row "/api/sessions?limit=50&user=$USER1" "$(count "/api/sessions?limit=50&user=$USER1" 'len(d["sessions"])') sessions"
row "/api/sessions?limit=50&failed=1" "$(count "/api/sessions?limit=50&failed=1" 'len(d["sessions"])') sessions"
row "/api/timeline?id=$BIG" "$(count "/api/timeline?id=$BIG" 'sum(e["count"] for e in d["entries"] if e["kind"] == "command")') commands"
row "/api/tree?id=$BIG" "$(count "/api/tree?id=$BIG" 'd["processes"]') processes"
row "/api/events?id=$BIG&after=$(sqlite3 "$DB" "SELECT time_ms || ':' || serial FROM events WHERE session_id = '$BIG' ORDER BY time_ms DESC, serial DESC LIMIT 1 OFFSET 10")" "10 events"
if [[ -n $KEEP ]]; then mkdir -p "$KEEP" && cp "$DB" "$KEEP/web-bench.db"; fi
