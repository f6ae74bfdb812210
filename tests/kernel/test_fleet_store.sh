#!/usr/bin/env bash
# The PostgreSQL fleet store against the real kernel and a private PostgreSQL (tests/pg/
# pg_server.sh): the agent (daemon, SQLite store on too) writes a narrow rule's events to the
# database; a login session (a shell that sets its loginuid) touches hostile file names and makes
# a TCP connect over loopback. The database then holds exactly the events of the JSON output (every
# (time, serial) once), the session, its processes, the connection with its Community ID, the
# host. Then PostgreSQL is stopped in the middle of a storm: the rows go to the spool, which grows
# and is reported in the status file; PostgreSQL comes back, the spool is replayed, and again the
# database holds exactly the JSON output's events, none twice. Last, with the database down and a
# tiny spool, the rows that do not fit are reported as "fleet-spool-full" loss events. After each
# run the kernel is as it was.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../pg/pg_server.sh"
kt_init fleet_store
T=$KT_TMP
mkdir -p "$T/w" "$T/bin"
chmod 755 "$T" "$T/w" "$T/bin"
# The only program whose connects the rule records: a python that keeps the socket it connected
# (bash's /dev/tcp moves the socket to another fd and closes the one it connected, so its local end
# is found only when the agent looks faster than bash: the event then says "socket_closed").
cp "$(readlink -f /usr/bin/python3)" "$T/bin/netsh"

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PGPORT=$(free_port)
kt_check "a private PostgreSQL starts" pg_start "$T/pg" "$PGPORT"
q() { pg_psql "$T/pg" -c "$1"; }

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S openat,open,creat,unlink,unlinkat,rename,renameat -F dir=$T/w -k kt_fleet
-a always,exit -F arch=b64 -S connect -F exe=$T/bin/netsh -k kt_fleet_net
RULES

# write_config NAME SPOOL_MAX [SQLITE] [HOST] [PASSIVE] [RULES]: an agent config of its own
# directory; SQLITE=false leaves the SQLite store out (PostgreSQL only); RULES a file in $T.
write_config() {
  local dir="$T/$1"
  mkdir -p "$dir"
  cat >"$dir/config.toml" <<TOML
[agent]
hostname = "${4:-fleet-a}"
machine_id = "test-machine-${4:-fleet-a}"
passive = ${5:-false}
state_path = "$dir/agent.state"
status_path = "$dir/status.json"
[rules]
path = "$T/${6:-rules}"
[output]
path = "$dir/out.json"
[enrich]
network_budget_ms = 0  # the connect's local end is looked up however loaded the machine is
[store]
enabled = ${3:-true}
path = "$dir/store.db"
index_all_events = true  # every event, not only sessions': the database must match the output
postgres = "$PG_URL"
postgres_spool_path = "$dir/fleet-spool"
postgres_spool_max_bytes = $2
TOML
}

AGENT=""
start_agent() {
  "$AUDITLENS" run --config "$T/$1/config.toml" 2>"$T/$1/agent.log" &
  AGENT=$!
  kt_track_pid "$AGENT"
  kt_wait_for 10 kt_agent_running "$AGENT" "$T/$1/agent.log"
}
stop_agent() {
  kill -TERM "$AGENT"
  local rc=0
  wait "$AGENT" || rc=$?
  AGENT=""
  return $rc
}
# status NAME KEY: a member of the fleet object of the status file.
status() {
  $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["fleet"][sys.argv[2]])' \
    "$T/$1/status.json" "$2" 2>/dev/null
}
connected() { [[ $(status "$1" connected) == True ]]; }

# Opens (creates) files in $T/w: N opens at about RATE per second.
storm() {
  $PY - "$T/w" "$1" "$2" <<'PY'
import os, sys, time
d, n, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = time.monotonic()
for i in range(n):
    with open(os.path.join(d, "s%d" % (i % 64)), "w"):
        pass
    ahead = (i + 1) / rate - (time.monotonic() - start)
    if ahead > 0.005:
        time.sleep(ahead)
PY
}

# same_events NAME: the database holds exactly the JSON output's events: each (time, serial)
# once, none missing, none extra. Prints what differs.
same_events() {
  q "select time_ms, serial from auditlens.events where host = 'fleet-a'" >"$T/$1/pg_events.txt" || return 1
  $PY - "$T/$1/out.json" "$T/$1/pg_events.txt" "$T/$1/expected.txt" <<'PY'
import json, sys, datetime
want = []
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if e["event"]["kind"] == "pipeline_error":
        continue
    t = datetime.datetime.strptime(e["@timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    want.append((round(t.timestamp() * 1000), e["event"]["sequence"]))
open(sys.argv[3], "w").write("".join("%d %d\n" % w for w in want))
got = [tuple(int(x) for x in l.split("|")) for l in open(sys.argv[2]) if l.strip()]
ws, gs = set(want), set(got)
ok = len(want) == len(ws) and len(got) == len(gs) and ws == gs
if not ok:
    print("json %d events (%d distinct), database %d rows (%d distinct); missing %s; extra %s" % (
        len(want), len(ws), len(got), len(gs), sorted(ws - gs)[:5], sorted(gs - ws)[:5]), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
# Events keep coming that the rule does not choose (ANOM_ABEND of any crashing program, ...): the
# output has them at once, the database a batch later. Compared until equal, 15 s at most.
same_events_soon() {
  local i
  for ((i = 0; i < 30; i++)); do
    same_events "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  same_events "$1"
}
# json_events NAME: events (not losses) in the JSON output so far.
json_events() { grep -vc '"kind":"pipeline_error"' "$T/$1/out.json" 2>/dev/null || true; }
pg_events() { q "select count(*) from auditlens.events where host = 'fleet-a'" 2>/dev/null; }
caught_up() {
  local j p
  j=$(json_events "$1")
  p=$(pg_events)
  [[ -n $p && $j -gt 0 && $p == "$j" && $(status "$1" spool_rows) == 0 ]]
}

# --- 1: live writing -------------------------------------------------------------------------
# Three agents start at once on the empty database (the daemon and two passive readers posing as
# other hosts): the schema is migrated once, the day's partitions made once, all three write.
write_config live 268435456
# The passive readers load no rules of their own (the daemon's are the test's).
echo "# none: the daemon's rules are enough" >"$T/no-rules"
write_config passive-b 268435456 false fleet-b true no-rules
write_config passive-c 268435456 false fleet-c true no-rules
PASSIVE=()
for p in passive-b passive-c; do
  "$AUDITLENS" run --config "$T/$p/config.toml" 2>"$T/$p/agent.log" &
  PASSIVE+=($!)
  kt_track_pid $!
done
kt_check "live: agent registers as the audit daemon" start_agent live
kt_check "live: the fleet store connects" kt_wait_for 15 connected live
kt_check "live: the passive agents' fleet stores connect" kt_wait_for 15 bash -c "
  grep -q '\"connected\":true' '$T/passive-b/status.json' && grep -q '\"connected\":true' '$T/passive-c/status.json'"
# Version 3: the roles and row-level security (2), the containers (3). The agents here connect as
# the owner; the roles themselves are tested by tests/pg/test_fleet_roles.sh.
migrated() { [[ $(q 'select max(version) from auditlens.schema_migrations') == 3 ]]; }
kt_check "live: the schema is migrated (version 3)" migrated

# A login session: a shell that sets its loginuid (the kernel's LOGIN record starts a session), then
# creates hostile names and connects over loopback.
LPORT=$(free_port)
$PY -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
c, _ = s.accept(); c.recv(100); c.close()' "$LPORT" &
LISTENER=$!
# Python starts slowly on a loaded machine: a connect before the listen would be refused (and a
# refused socket has no local end to record).
listening() { [[ -n $(ss -Hltn "sport = :$LPORT") ]]; }
kt_wait_for 20 listening || kt_log "the listener on port $LPORT did not start"
cat >"$T/session.sh" <<SESSION
cd "$T/w"
touch "tab	name" "new
line" 'back\\slash' "\$(printf 'bad\\xff')" 'quote"d' "caf\$(printf '\\xc3\\xa9')" 'percent%41'
rm -f "tab	name"
# The socket stays open a moment: the agent looks its local end up while the process lives.
"$T/bin/netsh" -c 'import socket, time
s = socket.create_connection(("127.0.0.1", $LPORT)); s.sendall(b"hello\\n"); time.sleep(1); s.close()'
SESSION
kt_check "live: the session ran" setsid bash -c "echo 0 >/proc/self/loginuid && bash '$T/session.sh'"
wait "$LISTENER" || true
storm 1500 1500
kt_check "live: the database catches up with the JSON output" kt_wait_for 30 caught_up live
kt_check "live: the database holds exactly the JSON output's events" same_events_soon live

# The paths of the session's file events, as the JSON output writes them (invalid UTF-8
# percent-encoded), from their detail.
hostile_names() {
  q "select encode(convert_to(detail->>'path', 'UTF8'), 'hex') from auditlens.events
     where host = 'fleet-a' and session_id is not null and kind = 'file'" >"$T/paths.hex" || return 1
  $PY - "$T/paths.hex" "$T/w" <<'PY'
import sys
got = {bytes.fromhex(l.strip()).decode() for l in open(sys.argv[1]) if l.strip()}
w = sys.argv[2]
want = {w + "/" + n for n in ["tab\tname", "new\nline", "back\\slash", "bad%FF", 'quote"d', "caf\u00e9", "percent%41"]}
if not want <= got:
    print("missing paths:", sorted(want - got), "got:", sorted(got)[:10], file=sys.stderr)
    sys.exit(1)
PY
}
kt_check "live: hostile names arrive intact in the session events' detail" hostile_names
session_row() {
  [[ $(q "select count(*) from auditlens.sessions where host = 'fleet-a' and auid = 0
          and boot_id = '$(cat /proc/sys/kernel/random/boot_id)' and start_ms > 0") -ge 1 ]]
}
kt_check "live: the session is in the sessions table" session_row
session_processes() {
  [[ $(q $'select count(*) from auditlens.processes p join auditlens.sessions s
           on s.host = p.host and s.id = p.session_id
         where p.host = \'fleet-a\' and p.exe = \'/usr/bin/touch\' and p.args->>1 = E\'tab\\tname\'
           and p.args->>2 = E\'new\\nline\' and p.args->>3 = E\'back\\\\slash\'') -ge 1 ]]
}
kt_check "live: the session's processes are in the processes table (touch, its hostile args)" session_processes
connection_row() {
  [[ $(q "select count(*) from auditlens.connections c join auditlens.events e using (host, time_ms, serial)
          where c.host = 'fleet-a' and c.op = 'connect' and c.direction = 'outbound'
            and c.remote_ip = '127.0.0.1' and c.remote_port = $LPORT and c.local_ip = '127.0.0.1'
            and c.local_port > 0 and c.community_id like '1:%' and c.transport = 'tcp'
            and c.session_id is not null and c.session_id = e.session_id and e.kind = 'network'") == 1 ]] && return 0
  # What there is instead, for the log.
  q "select op, direction, local_ip, local_port, remote_ip, remote_port, community_id, session_id, error
     from auditlens.connections where host = 'fleet-a'" >&2 || true
  grep -F '"kt_fleet_net"' "$T/live/out.json" | head -3 >&2 || true
  return 1
}
kt_check "live: the connect is a connections row with both ends and a Community ID" connection_row
host_row() {
  [[ $(q "select machine_id || ' ' || (boot_id = '$(cat /proc/sys/kernel/random/boot_id)')::text
          from auditlens.hosts where host = 'fleet-a'") == 'test-machine-fleet-a true' ]]
}
kt_check "live: the host row has its machine id and boot id" host_row
partitions() {
  [[ $(q "select count(*) from pg_inherits where inhparent = 'auditlens.events'::regclass") -ge 2 &&
     $(q "select count(*) from only auditlens.events") == 0 ]]
}
kt_check "live: events are in daily partitions (today's and tomorrow's made)" partitions
three_hosts() {
  [[ $(q "select count(*) from auditlens.schema_migrations") == 3 &&
     $(q "select string_agg(host, ',' order by host) from auditlens.hosts") == fleet-a,fleet-b,fleet-c &&
     $(q "select count(distinct host) from auditlens.events") == 3 ]]
}
kt_check "live: three agents at once: each migration once, three hosts writing events" three_hosts
no_errors() { ! grep -i 'refused\|error\|disabled' "$T/live/agent.log" "$T/passive-b/agent.log" "$T/passive-c/agent.log"; }
kt_check "live: no agent logged an error" no_errors
for p in "${PASSIVE[@]}"; do kill -TERM "$p"; wait "$p" || true; done

# --- 2: PostgreSQL stops mid-storm, comes back -------------------------------------------------
storm 12000 1500 &
STORM=$!
sleep 2
kt_check "outage: PostgreSQL stops in the middle of the storm" pg_stop "$T/pg"
disconnected() { [[ $(status live connected) == False ]]; }
kt_check "outage: the status file says the fleet store is not connected" kt_wait_for 10 disconnected
spooling() { [[ $(status live spool_rows) -gt 0 && $(status live spool_bytes) -gt 16 ]]; }
kt_check "outage: rows go to the spool" kt_wait_for 10 spooling
first=$(status live spool_rows)
sleep 2
grew() { [[ $(status live spool_rows) -gt $first ]]; }
kt_check "outage: the spool grows while the storm goes on (from $first rows)" grew
has_error() { [[ -n $(status live last_error) ]]; }
kt_check "outage: the status file has the last error ($(status live last_error))" has_error
kt_check "outage: the spool file is 0600" test "$(stat -c %a "$T/live/fleet-spool")" == 600
wait "$STORM"
kt_check "outage: PostgreSQL comes back" pg_restart "$T/pg"
kt_check "outage: the spool is replayed and the database catches up" kt_wait_for 60 caught_up live
kt_check "outage: nothing lost, nothing twice" same_events_soon live
replayed() { [[ $(status live replayed_rows) -gt 0 && $(status live spooled_rows) -ge $(status live replayed_rows) ]]; }
kt_check "outage: the replay is counted" replayed
none_dropped() { [[ $(status live spool_dropped) == 0 && $(status live queue_dropped) == 0 ]]; }
kt_check "outage: no rows dropped" none_dropped
kt_check "outage: no loss events in the output" bash -c "! grep -q '\"kind\":\"pipeline_error\"' '$T/live/out.json'"
kt_check "live: agent exits 0 on SIGTERM" stop_agent
kt_check "live: after exit, the database holds exactly the JSON output's events" same_events live
logged() {
  grep -q 'PostgreSQL unreachable' "$T/live/agent.log" &&
    [[ $(grep -c 'connected to PostgreSQL' "$T/live/agent.log") -ge 2 ]]
}
kt_check "live: the agent's log says it lost and regained the database" logged
kt_check "live: kernel has no registered daemon after stop" bash -c "auditctl -s | grep -q '^pid 0'"
kt_check "live: the agent's rules are gone" bash -c "[[ \"\$(auditctl -l)\" == \"$KT_SAVED_RULES\" ]]"

# --- 3: the database down and a tiny spool: explicit losses; PostgreSQL only --------------------
pg_stop "$T/pg"
write_config tiny 4096 false
kt_check "tiny: agent registers with the database down" start_agent tiny
storm 400 1000
spool_dropped() { [[ $(status tiny spool_dropped) -gt 0 ]]; }
kt_check "tiny: the status file counts rows dropped by the full spool" kt_wait_for 10 spool_dropped
lossy() { grep -q '"cause":"fleet-spool-full"' "$T/tiny/out.json"; }
kt_check "tiny: fleet-spool-full loss events in the JSON output" kt_wait_for 5 lossy
counted() {
  local n
  n=$($PY -c '
import json, sys
print(sum(json.loads(l)["auditd"]["loss"]["count"] for l in open(sys.argv[1]) if "fleet-spool-full" in l))' "$T/tiny/out.json")
  [[ $n -gt 0 && $n -le $(status tiny spool_dropped) ]]
}
kt_check "tiny: the loss events count the dropped rows" counted
kt_check "tiny: the spool stayed within its limit" test "$(stat -c %s "$T/tiny/fleet-spool")" -le 4096
kt_check "tiny: the events still reached the JSON output" test "$(json_events tiny)" -ge 400
kt_check "tiny: agent exits 0 on SIGTERM" stop_agent
kt_check "tiny: no SQLite store was made" test ! -e "$T/tiny/store.db"
left=$(status tiny spool_rows)
kt_check "tiny: rows are left in the spool at exit ($left)" test "$left" -gt 0
# The next start, with the database back: what the spool kept is replayed.
kt_check "restart: PostgreSQL comes back" pg_restart "$T/pg"
kt_check "restart: agent registers" start_agent tiny
replayed_all() { [[ $(status tiny replayed_rows) -ge $left && $(status tiny spool_rows) == 0 ]]; }
kt_check "restart: the spool of the previous run is replayed" kt_wait_for 20 replayed_all
kt_check "restart: agent exits 0 on SIGTERM" stop_agent
kt_check "tiny: kernel has no registered daemon after stop" bash -c "auditctl -s | grep -q '^pid 0'"
kt_check "tiny: the agent's rules are gone" bash -c "[[ \"\$(auditctl -l)\" == \"$KT_SAVED_RULES\" ]]"
kt_check "enabled is back to ${KT_SAVED[enabled]}" bash -c "auditctl -s | grep -q '^enabled ${KT_SAVED[enabled]}'"
kt_finish
