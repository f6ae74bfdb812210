#!/usr/bin/env bash
# `auditlens trace` on handmade rows in a private PostgreSQL (tests/pg/pg_server.sh) with the
# agent's own schema (the migrations of src/store/pg_schema.h): a command that ran in a container
# marked with it (name and image from the containers table); hops joined by Community ID within
# the window, upward and downward from the traced session, a loop in the data not followed twice,
# a hop outside the window left out (and followed with a wider --window), a session id two hosts
# share (ambiguous without HOST:), an unknown session, an unreachable database, a database without
# the schema; text and JSON.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIR=${SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
AUDITLENS=${AUDITLENS:?set AUDITLENS to the auditlens binary}
PY=/usr/bin/python3
source "$HERE/pg_test.sh"
pg_test_init trace_rows
URL=$PG_URL

# The schema exactly as the agent creates it.
pg_apply_schema "$SOURCE_DIR"

# Hosts h1..h4. alice on h1 (logged in from outside the fleet) ssh'd to bob on h2; bob went on to
# carol on h3 and, 200 s later, to dave on h4; carol's session then connected back to bob's flow's
# Community ID (a loop in the data). Session ids: bob's and carol's are both bb-7.
T0=1795400000000
$PY - "$T0" >"$T/rows.sql" <<'PY'
import json, sys
t0 = int(sys.argv[1])
out = []
def q(v):
    if v is None: return "NULL"
    if isinstance(v, int): return str(v)
    return "'" + str(v).replace("'", "''") + "'"
def session(host, sid, user, start, cid, src, dst):
    out.append(f"INSERT INTO auditlens.sessions(host, boot_id, id, ses, auid, \"user\", service, source_ip, source_port, dest_ip, dest_port, terminal, start_ms, end_ms, last_seen_ms, state, failures, from_proc, community_id) VALUES ({q(host)}, 'b', {q(sid)}, 7, 1000, {q(user)}, 'sshd', {q(src[0])}, {src[1]}, {q(dst[0])}, {dst[1]}, 'ssh', {start}, {start + 600000}, {start + 600000}, 'closed', 0, 0, {q(cid)});")
serial = [0]
def execute(host, sid, t, entity, parent, role, args):
    serial[0] += 1
    detail = json.dumps({"exe": "/usr/bin/" + args[0], "args": args, "cwd": "/home/x"})
    out.append(f"INSERT INTO auditlens.events(host, boot_id, time_ms, serial, session_id, entity_id, pid, uid, kind, action, outcome, role, detail) VALUES ({q(host)}, 'b', {t}, {serial[0]}, {q(sid)}, {q(entity)}, 100, 1000, 'exec', 'execve', 'success', {q(role)}, {q(detail)});")
    out.append(f"INSERT INTO auditlens.processes(host, boot_id, entity_id, pid, ppid, parent_entity, exe, args, uid, euid, auid, ses, session_id, role, origin, start_ms, exit_ms, exit_code) VALUES ({q(host)}, 'b', {q(entity)}, 100, 99, {q(parent)}, {q('/usr/bin/' + args[0])}, {q(json.dumps(args))}, 1000, 1000, 1000, 7, {q(sid)}, {q(role)}, 'exec', {t}, {t + 50000}, 0);")
def connect(host, sid, t, entity, local, remote, cid):
    serial[0] += 1
    detail = json.dumps({"op": "connect", "family": "inet", "transport": "tcp", "local": {"ip": local[0], "port": local[1]}, "remote": {"ip": remote[0], "port": remote[1]}, "community_id": cid})
    out.append(f"INSERT INTO auditlens.events(host, boot_id, time_ms, serial, session_id, entity_id, pid, uid, kind, action, outcome, role, detail) VALUES ({q(host)}, 'b', {t}, {serial[0]}, {q(sid)}, {q(entity)}, 100, 1000, 'network', 'connect', 'success', 'command', {q(detail)});")
    out.append(f"INSERT INTO auditlens.connections(host, boot_id, time_ms, serial, session_id, entity_id, pid, op, direction, transport, local_ip, local_port, remote_ip, remote_port, community_id) VALUES ({q(host)}, 'b', {t}, {serial[0]}, {q(sid)}, {q(entity)}, 100, 'connect', 'outbound', 'tcp', {q(local[0])}, {local[1]}, {q(remote[0])}, {remote[1]}, {q(cid)});")

session("h1", "aa-3", "alice", t0, "1:origin", ("192.0.2.9", 50000), ("10.9.0.1", 22))
execute("h1", "aa-3", t0 + 100, "a-sh", None, "shell", ["bash", "-c", "id; ssh bob@10.9.0.2"])
execute("h1", "aa-3", t0 + 200, "a-id", "a-sh", "command", ["id"])
execute("h1", "aa-3", t0 + 300, "a-ssh", "a-sh", "command", ["ssh", "bob@10.9.0.2"])
connect("h1", "aa-3", t0 + 310, "a-ssh", ("10.9.0.1", 40001), ("10.9.0.2", 22), "1:hop12")

session("h2", "bb-7", "bob", t0 + 400, "1:hop12", ("10.9.0.1", 40001), ("10.9.0.2", 22))
execute("h2", "bb-7", t0 + 500, "b-sh", None, "shell", ["bash"])
execute("h2", "bb-7", t0 + 600, "b-ssh1", "b-sh", "command", ["ssh", "carol@10.9.0.3"])
connect("h2", "bb-7", t0 + 610, "b-ssh1", ("10.9.0.2", 40002), ("10.9.0.3", 22), "1:hop23")
execute("h2", "bb-7", t0 + 200000, "b-ssh2", "b-sh", "command", ["ssh", "dave@10.9.0.4"])
connect("h2", "bb-7", t0 + 200010, "b-ssh2", ("10.9.0.2", 40003), ("10.9.0.4", 22), "1:hop24")

session("h3", "bb-7", "carol", t0 + 700, "1:hop23", ("10.9.0.2", 40002), ("10.9.0.3", 22))
execute("h3", "bb-7", t0 + 800, "c-sh", None, "shell", ["bash", "-c", "uname; ls /"])
execute("h3", "bb-7", t0 + 900, "c-uname", "c-sh", "command", ["uname"])
execute("h3", "bb-7", t0 + 1000, "c-ls", "c-sh", "command", ["ls", "/"])
connect("h3", "bb-7", t0 + 1100, "c-ls", ("10.9.0.3", 40004), ("10.9.0.2", 22), "1:hop12")

# dave's login starts 150 s after bob's connect: outside the default window of 120 s.
session("h4", "dd-1", "dave", t0 + 350010, "1:hop24", ("10.9.0.2", 40003), ("10.9.0.4", 22))
execute("h4", "dd-1", t0 + 350100, "d-sh", None, "shell", ["bash"])
print("\n".join(out))
PY
pg_psql "$T/pg" -f "$T/rows.sql" >/dev/null
# carol's `ls /` ran in a container of h3 (fleet schema version 3): its hop marks it.
pg_psql "$T/pg" -c "UPDATE auditlens.processes SET container_id = repeat('c', 64), container_runtime = 'docker'
    WHERE host = 'h3' AND entity_id = 'c-ls';
  INSERT INTO auditlens.containers(host, id, runtime, name, image, first_seen_ms, last_seen_ms)
    VALUES ('h3', repeat('c', 64), 'docker', 'web-3', 'docker.io/library/busybox:1', $T0, $T0);" >/dev/null

trace() { TZ=UTC "$AUDITLENS" trace --postgres "$URL" "$@"; }
trace h3:bb-7 >"$T/carol.txt"
trace h3:bb-7 --json >"$T/carol.json"
trace aa-3 --json >"$T/alice.json"
trace aa-3 --window 400 --json >"$T/alice-wide.json"
trace aa-3 --color always >"$T/alice-colour.txt"
echo "--- auditlens trace h3:bb-7"
cat "$T/carol.txt"
echo "---"

$PY - "$T" <<'PY' && check "trace: hops, users, commands, links, notes (JSON)" true || check "trace: hops, users, commands, links, notes (JSON)" false
import json, sys
T = sys.argv[1]
ok = True
def expect(cond, what):
    global ok
    if not cond:
        ok = False
        print("FAIL:", what, file=sys.stderr)
def commands(hop):
    return [e["detail"]["args"] for e in hop["entries"] if e["kind"] == "command"]
c = json.load(open(T + "/carol.json"))
hops = c["hops"]
expect([(h["host"], h["session"]["user"]) for h in hops] == [("h1", "alice"), ("h2", "bob"), ("h3", "carol")],
       f"upward chain h1 alice -> h2 bob -> h3 carol: {[(h['host'], h['session'].get('user')) for h in hops]}")
expect(c["session"] == {"host": "h3", "id": "bb-7"}, f"the traced session: {c['session']}")
expect([h["focus"] for h in hops] == [False, False, True], "the focus is carol's")
expect([h["from_hop"] for h in hops] == [None, 1, 2], f"from_hop: {[h['from_hop'] for h in hops]}")
if len(hops) == 3:
    expect(commands(hops[0]) == [["id"], ["ssh", "bob@10.9.0.2"]], f"alice's commands: {commands(hops[0])}")
    expect(commands(hops[1]) == [["ssh", "carol@10.9.0.3"], ["ssh", "dave@10.9.0.4"]], f"bob's commands: {commands(hops[1])}")
    expect(commands(hops[2]) == [["uname"], ["ls", "/"]], f"carol's commands: {commands(hops[2])}")
    expect(hops[1]["via"]["community_id"] == "1:hop12" and hops[1]["via"]["host"] == "h1"
           and hops[1]["via"]["source"] == {"ip": "10.9.0.1", "port": 40001}, f"hop 2 via: {hops[1]['via']}")
    expect(hops[2]["via"]["community_id"] == "1:hop23", f"hop 3 via: {hops[2]['via']}")
    expect([l["to_hop"] for l in hops[0]["links"]] == [2] and [l["to_hop"] for l in hops[1]["links"]] == [3],
           "links: only the path above the focus")
    expect(hops[2]["session"]["community_id"] == "1:hop23" and hops[2]["session"]["host"] == "h3", "session members")
notes = " | ".join(c["notes"])
expect("h1:aa-3: no agent in the database recorded the connect from 192.0.2.9:50000" in notes, f"origin note: {notes}")
expect("h3:bb-7: led to h2:bb-7, already in the trace" in notes, f"loop note: {notes}")

a = json.load(open(T + "/alice.json"))
expect([h["host"] for h in a["hops"]] == ["h1", "h2", "h3"], f"downward from alice (dave's login is outside the window): {[h['host'] for h in a['hops']]}")
expect(a["hops"][0]["focus"] and a["window_ms"] == 120000, "alice is the focus; window 120 s")
w = json.load(open(T + "/alice-wide.json"))
expect([h["host"] for h in w["hops"]] == ["h1", "h2", "h3", "h4"] and w["hops"][3]["from_hop"] == 2
       and w["hops"][3]["depth"] == 2, f"--window 400 follows bob's second hop to dave: {[(h['host'], h['from_hop']) for h in w['hops']]}")
sys.exit(0 if ok else 1)
PY

lines() { grep -n "$2" "$1" | head -1 | cut -d: -f1; }
ordered() {
  local f=$1 prev=0 n
  shift
  for p in "$@"; do
    n=$(lines "$f" "$p")
    [[ -n $n && $n -gt $prev ]] || { echo "not in order: $p" >&2; return 1; }
    prev=$n
  done
}
check "text: the hops in order, each with its user, commands and the connect to the next" \
  ordered "$T/carol.txt" "^Trace of h3:bb-7 (carol): 3 sessions" "h1 (alice) → h2 (bob) → h3 (carol)" \
  "^\[1\] h1  alice via sshd, session aa-3" "logged in from 192.0.2.9:50000 → 10.9.0.1:22  (Community ID 1:origin)" \
  "\$ id" "\$ ssh bob@10.9.0.2" "=> hop \[2\] h2 (10.9.0.1:40001 → 10.9.0.2:22, Community ID 1:hop12)" \
  "^  \[2\] h2  bob via sshd, session bb-7" "\$ ssh carol@10.9.0.3" "=> hop \[3\] h3" \
  "^    \[3\] h3  carol via sshd, session bb-7  <- traced session" "\$ uname" "\$ ls /" \
  "note: h1:aa-3: no agent"
check "text: the command that ran in a container is marked with its name and image" \
  grep -q '\$ ls /  \[container web-3 (docker.io/library/busybox:1)\]' "$T/carol.txt"
check "text: the others are not" bash -c "! grep -q 'uname.*\[container' '$T/carol.txt'"
check "JSON: the entry's container" $PY -c "
import json, sys
c = json.load(open(sys.argv[1]))
e = [e for h in c['hops'] for e in h['entries'] if e['kind'] == 'command' and e['text'] == 'ls /']
sys.exit(0 if len(e) == 1 and e[0]['container'] == {'id': 'c' * 64, 'name': 'web-3', 'image': 'docker.io/library/busybox:1', 'runtime': 'docker'} else 1)
" "$T/carol.json"
check "text without a terminal has no colour" bash -c "! grep -q \$'\\x1b' '$T/carol.txt'"
check "--color always has colour" grep -q $'\x1b\[' "$T/alice-colour.txt"

set +e
trace bb-7 >/dev/null 2>"$T/ambiguous.err"; rc_amb=$?
trace nosuch >/dev/null 2>"$T/unknown.err"; rc_unknown=$?
"$AUDITLENS" trace --postgres "postgresql://postgres:secret@127.0.0.1:1/auditlens" aa-3 >/dev/null 2>"$T/unreachable.err"; rc_down=$?
"$AUDITLENS" trace --postgres "postgresql://postgres@127.0.0.1:$PORT/postgres" aa-3 >/dev/null 2>"$T/noschema.err"; rc_schema=$?
"$AUDITLENS" trace --postgres "$URL" --window 0 aa-3 >/dev/null 2>"$T/window.err"; rc_window=$?
# key=value strings (quotes, escapes, a bare space) and a malformed URI libpq quotes pieces of.
"$AUDITLENS" trace --postgres "host=127.0.0.1 port=1 password='hunter 2\\'x' dbname=auditlens" aa-3 >/dev/null 2>"$T/kv.err"; rc_kv=$?
"$AUDITLENS" trace --postgres "host=127.0.0.1 port=1 password=hunter3 zz9" aa-3 >/dev/null 2>"$T/kvbad.err"; rc_kvbad=$?
"$AUDITLENS" trace --postgres "postgresql://postgres:hunter4%zz@127.0.0.1:1/auditlens" aa-3 >/dev/null 2>"$T/uribad.err"; rc_uribad=$?
set -e
check "key=value string: exit 1, password masked" \
  bash -c "[[ $rc_kv == 1 ]] && grep -q \"cannot reach the fleet database host=127.0.0.1 port=1 password=\*\*\* dbname=auditlens: \" '$T/kv.err' && ! grep -q hunter '$T/kv.err'"
check "libpq's parse error quoting a piece of the password: masked" \
  bash -c "[[ $rc_kvbad == 1 ]] && grep -q 'missing \"=\" after \"\*\*\*\"' '$T/kvbad.err' && ! grep -q 'hunter\|zz9' '$T/kvbad.err'"
check "libpq's percent-encoding error: masked" \
  bash -c "[[ $rc_uribad == 1 ]] && grep -q 'invalid percent-encoded token' '$T/uribad.err' && ! grep -q hunter '$T/uribad.err'"
check "an id two hosts have: exit 1, asks for HOST:ID" \
  bash -c "[[ $rc_amb == 1 ]] && grep -q \"'bb-7' names several sessions (h2:bb-7, h3:bb-7, ...): give HOST:SESSION\" '$T/ambiguous.err'"
check "an unknown session: exit 1, says so" \
  bash -c "[[ $rc_unknown == 1 ]] && grep -q 'no session nosuch in the fleet database' '$T/unknown.err'"
check "an unreachable database: exit 1, says so, no password shown" \
  bash -c "[[ $rc_down == 1 ]] && grep -q 'cannot reach the fleet database postgresql://postgres:\*\*\*@127.0.0.1:1/auditlens' '$T/unreachable.err' && ! grep -q secret '$T/unreachable.err'"
check "a database without the schema: exit 1, says so" \
  bash -c "[[ $rc_schema == 1 ]] && grep -q 'has no auditlens fleet schema' '$T/noschema.err'"
check "--window 0 is a usage error (exit 2)" bash -c "[[ $rc_window == 2 ]] && grep -q 'window' '$T/window.err'"

pg_test_finish
