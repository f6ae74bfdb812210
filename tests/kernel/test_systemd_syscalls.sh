#!/usr/bin/env bash
# Every syscall the agent makes is allowed by the unit's SystemCallFilter=. The agent runs under
# `strace -f` (outside systemd: strace sees everything from the first execve, startup included)
# doing what the other kernel tests make it do: register as the audit daemon and load rules,
# receive events, look up sockets with pidfd_getfd (loopback TCP/UDP/unix flows) and with
# sock_diag in another network namespace (setns), reopen its output on SIGHUP, write to a fleet
# store over TCP (a private PostgreSQL), write its SQLite store, stop and restore the kernel; then
# once more in passive mode (the multicast feed, as beside auditd). Each syscall name in the
# traces is looked up in the filter of packaging/auditlens.service, its @groups expanded with
# `systemd-analyze syscall-filter` (the systemd that runs the unit); the test fails naming every
# syscall the filter would refuse. AUDITLENS_UNIT=FILE checks another unit file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init systemd_syscalls
command -v strace >/dev/null || { echo "systemd_syscalls: needs strace (scripts/install-deps.sh test)" >&2; exit 1; }
command -v systemd-analyze >/dev/null || { echo "systemd_syscalls: needs systemd-analyze" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
UNIT_SRC=${AUDITLENS_UNIT:-$REPO/packaging/auditlens.service}
T=$KT_TMP
mkdir -p "$T/bin" "$T/unix"
chmod 755 "$T" "$T/bin"
cc -O2 -Wall -o "$T/bin/netpeer" "$HERE/net/netpeer.c"
source "$REPO/tests/pg/pg_server.sh"

NSA=kt_scA_$$
NSB=kt_scB_$$
AGENT=""
kt_netns_pair "$NSA" "$NSB" "scA$$" "scB$$" 10.203.0

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S connect,accept,accept4,bind,listen,sendto,recvfrom -F exe=$T/bin/netpeer -k kt_net
RULES
kt_check "a private PostgreSQL starts" pg_start "$T/pg" "$(kt_free_port)" >/dev/null
# write_config NAME [PASSIVE]
write_config() {
  mkdir -p "$T/$1"
  cat >"$T/$1/config.toml" <<TOML
[agent]
passive = ${2:-false}
state_path = "$T/$1/agent.state"
status_path = "$T/$1/status.json"
[rules]
path = "$T/rules"
[output]
path = "$T/$1/out.json"
[enrich]
network_budget_ms = 0
[store]
enabled = true
path = "$T/$1/store.db"
index_all_events = true
postgres = "${PG_URL:-}"
postgres_spool_path = "$T/$1/fleet-spool"
TOML
}
# Ready: the agent registers first, then loads its rules and turns auditing on, then opens its
# stores, and says "running as the audit daemon" as it starts reading. A syscall made between the
# registration and the rules makes no event at all: the test's programs start only once it is
# ready, never at the registration alone.
ready() { kt_is_daemon "$AGENT" && grep -q 'running as the audit daemon' "$T/$1/agent.log"; }
# The agent is strace's child: $AGENT is the agent's pid once it has exec'd.
start_traced() {
  local name=$1
  shift
  env "$@" strace -f -qq -o "$T/$name/trace" "$AUDITLENS" run --config "$T/$name/config.toml" 2>"$T/$name/agent.log" &
  TRACER=$!
  kt_track_pid "$TRACER"
  local i
  for ((i = 0; i < 100; i++)); do
    AGENT=$(pgrep -P "$TRACER" -x auditlens || true)
    [[ -n $AGENT ]] && return 0
    sleep 0.1
  done
  return 1
}
stop_traced() {
  kill -TERM "$AGENT"
  local rc=0
  wait "$TRACER" || rc=$?
  AGENT=""
  return $rc
}
# Both ends hold the connection 4 s: the agent runs under strace, several times slower, and must
# still find the client's socket open when it handles the connect.
pair() {
  local dir=$1 port=$((20000 + RANDOM % 20000)) server rc=0
  ip netns exec "$NSA" "$T/bin/netpeer" serve 10.203.0.1 "$port" 4000 "$dir/serve.json" &
  server=$!
  ip netns exec "$NSB" "$T/bin/netpeer" connect 10.203.0.1 "$port" 4000 "$dir/connect.json" || rc=1
  wait "$server" || rc=1
  return $rc
}
# The client's connect has its local end as the client saw it (netpeer's manifest: 10.203.0.2 and
# its port), looked up in the client's namespace. When not, says why: every kt_net event the agent
# wrote (none at all: the syscalls came before the rules), the manifests and the agent's log.
client_local_end() {
  $PY - "$1" <<'PY'
import json, sys
d = sys.argv[1]
truth = [json.loads(l) for l in open(d + "/connect.json")]
want = {(m["pid"], tuple(m["client_local"])) for m in truth}
events, ok = [], False
for line in open(d + "/out.json", errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if "kt_net" not in e.get("tags", []):
        continue
    r = (e.get("auditd", {}).get("records") or [{}])[0]
    src = e.get("source") or {}
    events.append("#   %s %s pid %s exit %s source %s destination %s network %s" % (
        e.get("@timestamp"), r.get("syscall"), e.get("process", {}).get("pid"), r.get("exit"),
        json.dumps(e.get("source")), json.dumps(e.get("destination")),
        json.dumps(e.get("auditd", {}).get("network"))))
    if r.get("syscall") == "connect" and r.get("exit") == "0" and \
            (e.get("process", {}).get("pid"), (src.get("ip"), src.get("port"))) in want:
        ok = True
if not ok:
    print("# no successful connect with the client's local end %s; the kt_net events in %s/out.json:"
          % (sorted(want), d))
    print("\n".join(events) or "#   (none)")
sys.exit(0 if ok else 1)
PY
  local rc=$?
  if ((rc != 0)); then
    echo "# the client's and the server's manifests:"
    sed 's/^/#   /' "$1/connect.json" "$1/serve.json" 2>/dev/null || true
    echo "# the agent's log:"
    sed 's/^/#   /' "$1/agent.log" 2>/dev/null || true
  fi
  return "$rc"
}
fleet_rows() { [[ $(pg_psql "$T/pg" -c "select count(*) from auditlens.events" 2>/dev/null) -gt 0 ]]; }

# Run 1: the audit daemon, pidfd lookups, SIGHUP, the fleet store and the SQLite store.
write_config pidfd
kt_check "pidfd: the traced agent starts" start_traced pidfd
kt_check "pidfd: it registers as the audit daemon and is running (rules loaded)" kt_wait_for 15 ready pidfd
kt_check "pidfd: netpeer flows ran" "$T/bin/netpeer" flows "$T/pidfd/manifest.json" 1000 "$T/unix"
mv "$T/pidfd/out.json" "$T/pidfd/out.1.json"
kill -HUP "$AGENT"
kt_check "pidfd: a connection between two network namespaces" pair "$T/pidfd"
kt_check "pidfd: the events reach PostgreSQL" kt_wait_for 15 fleet_rows
kt_check "pidfd: the output was reopened after SIGHUP" kt_wait_for 5 grep -q kt_net "$T/pidfd/out.json"
kt_check "pidfd: the agent exits 0" stop_traced

# Run 2: sock_diag, setns into the namespaces.
write_config sock_diag
# No lookup time budget (the config's network_budget_ms = 0): the traced agent's wall time is no
# measure of what a lookup costs.
kt_check "sock_diag: the traced agent starts" start_traced sock_diag AUDITLENS_NETWORK=sock_diag
kt_check "sock_diag: it registers as the audit daemon and is running (rules loaded)" kt_wait_for 15 ready sock_diag
kt_check "sock_diag: a connection between two network namespaces" pair "$T/sock_diag"
sleep 0.5
kt_check "sock_diag: the agent exits 0" stop_traced
kt_check "sock_diag: the connect has its local end (looked up in the client's namespace)" \
  client_local_end "$T/sock_diag"

# Run 3: passive, the multicast feed (rules loaded, as beside auditd). A passive reader does not
# enable auditing (auditd does): the test does, and kt_restore puts the flag back.
auditctl -e 1 >/dev/null
write_config passive true
kt_check "passive: the traced agent starts" start_traced passive
passive_up() { grep -q 'passive\|multicast' "$T/passive/agent.log" 2>/dev/null; }
kt_check "passive: it says it reads passively" kt_wait_for 15 passive_up
kt_check "passive: netpeer flows ran" "$T/bin/netpeer" flows "$T/passive/manifest.json" 300 "$T/unix"
sleep 0.5
kt_check "passive: the agent exits 0" stop_traced
kt_check "passive: it received the events" grep -q kt_net "$T/passive/out.json"

# The unit's filter, expanded.
expand() {
  local s
  for s in $(systemd-analyze syscall-filter "$1" | awk 'NR > 1 && $1 !~ /^#/ && NF {print $1}'); do
    if [[ $s == @* ]]; then expand "$s"; else echo "$s"; fi
  done
}
filter=$(sed -n 's/^SystemCallFilter=//p' "$UNIT_SRC")
kt_check "the unit has an allow-list SystemCallFilter= ($filter)" bash -c "[[ -n '$filter' && '$filter' != '~'* ]]"
for item in $filter; do
  if [[ $item == @* ]]; then expand "$item"; else echo "$item"; fi
done | sort -u >"$T/allowed"
cat "$T"/*/trace | sed -nE 's/^[0-9]+ +(<\.\.\. )?([a-z0-9_]+)[( ].*/\2/p' | sort -u >"$T/used"
echo "# the agent made $(wc -l <"$T/used") different syscalls; the filter allows $(wc -l <"$T/allowed")"
kt_check "the traces hold syscalls (strace worked)" grep -qx pidfd_getfd "$T/used"
missing=$(comm -23 "$T/used" "$T/allowed" | tr '\n' ' ')
kt_check "every syscall the agent made is allowed by the unit's SystemCallFilter= (refused: ${missing:-none})" \
  test -z "$missing"
kt_check "kernel has no registered daemon after the runs" bash -c "auditctl -s | grep -q '^pid 0'"
kt_finish
