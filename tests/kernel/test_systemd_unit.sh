#!/usr/bin/env bash
# The systemd unit under systemd: the agent runs from packaging/auditlens.service (its whole
# [Service] sandbox: capability bounding set, NoNewPrivileges, SystemCallFilter=,
# RestrictNamespaces=, RestrictAddressFamilies=, ProtectSystem=strict, ...) started by Debian's
# systemd 252 (a real manager, see lib_systemd.sh for how it runs on a machine without systemd as
# PID 1). Only ExecStart= is changed (the binary under test, a config of the test's own), and
# test drop-ins add a log file, a writable directory for the outputs and, in one run, the socket
# lookup method. Checked:
#   - systemd applied the sandbox (seccomp filter, no_new_privs, bounding set of the process);
#   - the agent registers, receives events from its rules;
#   - the default socket lookup (pidfd_getfd) gives both ends of loopback connections, and the
#     pidfd path a connection between two network namespaces;
#   - `systemctl kill -s HUP` (logrotate's postrotate) reopens the output: events after it go to
#     a new file;
#   - the sock_diag lookup setns()es into another network namespace (RestrictNamespaces=net);
#   - the fleet store: with the default unit the agent cannot reach PostgreSQL over TCP (no
#     AF_INET), with packaging/fleet-store.conf it can and its rows arrive;
#   - `systemctl stop` puts the kernel back (no registered pid, the rules as found);
#   - the agent's log has no EPERM ("Operation not permitted") anywhere.
# AUDITLENS_UNIT=FILE tests another unit file (the unit before issue 18 fails here: pidfd_getfd is
# not in @system-service on systemd 252, setns is refused by RestrictNamespaces=yes).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_systemd.sh"
ksd_enter "$@"
kt_init systemd_unit
command -v ip >/dev/null || { echo "systemd_unit: needs ip (iproute2)" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
UNIT_SRC=${AUDITLENS_UNIT:-$REPO/packaging/auditlens.service}
AUDITLENS=$(readlink -f "$AUDITLENS")
T=$KT_TMP
mkdir -p "$T/bin" "$T/unix" "$T/out"
chmod 755 "$T" "$T/bin"
cc -O2 -Wall -o "$T/bin/netpeer" "$HERE/net/netpeer.c"
source "$REPO/tests/pg/pg_server.sh"

NSA=kt_suA_$$
NSB=kt_suB_$$
cleanup() {
  ksd_cleanup
  kt_restore
}
trap cleanup EXIT
kt_netns_pair "$NSA" "$NSB" "suA$$" "suB$$" 10.202.0

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S connect,accept,accept4,bind,listen,sendto,recvfrom -F exe=$T/bin/netpeer -k kt_net
RULES

ksd_start || { kt_check "systemd starts" false; kt_finish; exit; }
kt_check "systemd (a real manager) runs" bash -c "[[ \$(systemctl is-system-running) == running ]]"

# The unit under test: the real file with only ExecStart= pointing at this build and a config of
# the test's own. Drop-ins (test-only): the log file, $T/out writable for the outputs.
write_unit() {
  sed "s|^ExecStart=.*|ExecStart=$AUDITLENS run --config $T/config.toml|" "$UNIT_SRC" >"$KSD_UNITS/auditlens.service"
  ksd_log_dropin auditlens.service "$T/agent.log"
  printf '[Service]\nReadWritePaths=%s\n' "$T/out" >"$KSD_UNITS/auditlens.service.d/80-test-paths.conf"
}
# write_config [POSTGRES_URL]
write_config() {
  cat >"$T/config.toml" <<TOML
[agent]
state_path = "$T/out/agent.state"
status_path = "$T/out/status.json"
[rules]
path = "$T/rules"
[output]
path = "$T/out/out.json"
[enrich]
network_budget_ms = 0
[store]
enabled = false
index_all_events = true
TOML
  if [[ -n ${1:-} ]]; then
    printf 'postgres = "%s"\npostgres_spool_path = "%s"\n' "$1" "$T/out/fleet-spool" >>"$T/config.toml"
  fi
}
main_pid() { systemctl show -p MainPID --value auditlens.service; }
registered() { local p; p=$(main_pid); [[ $p != 0 ]] && kt_is_daemon "$p"; }
# Registered and running: the agent writes its status file once a second from its reading loop (the
# file is removed before each start), after its rules, auditing and stores are up. A syscall made
# between the registration and the rules makes no event at all.
running() { registered && [[ -s $T/out/status.json ]]; }
kernel_clean() { auditctl -s | grep -q '^pid 0' && [[ "$(auditctl -l)" == "$KT_SAVED_RULES" ]]; }
# pair DIR IP: a server in $NSA, a client in $NSB connecting to it.
pair() {
  local dir=$1 ip=$2 port=$((20000 + RANDOM % 20000)) server rc=0
  ip netns exec "$NSA" "$T/bin/netpeer" serve "$ip" "$port" 1500 "$dir/serve.json" &
  server=$!
  ip netns exec "$NSB" "$T/bin/netpeer" connect "$ip" "$port" 1500 "$dir/connect.json" || rc=1
  wait "$server" || rc=1
  return $rc
}
# report NAME CHECK_NETWORK_ARGS...: check_network.py's verdicts as this test's checks.
report() {
  local name=$1 checks crc=0
  shift
  checks=$($PY "$HERE/net/check_network.py" "$@") || crc=$?
  kt_check "$name: check_network.py ran to its end (exit $crc)" test "$crc" -le 1
  kt_checks_from "$name: " "$checks"
}
stop_agent() {
  systemctl stop auditlens.service
  kt_check "$1: systemctl stop: the unit is inactive (not failed)" bash -c \
    "[[ \$(systemctl show -p ActiveState --value auditlens.service) == inactive ]]"
  kt_check "$1: the kernel is back (no registered daemon, rules as found)" kt_wait_for 5 kernel_clean
}

# --- Run 1: the default lookup (pidfd_getfd), loopback flows, SIGHUP, two network namespaces.
write_unit
write_config
systemctl daemon-reload
rm -f "$T/out/status.json"
systemctl start auditlens.service || true
kt_check "pidfd: the unit starts (active)" bash -c "[[ \$(systemctl show -p ActiveState --value auditlens.service) == active ]]"
kt_check "pidfd: the agent registers as the audit daemon and is running" kt_wait_for 10 running
PID=$(main_pid)
kt_check "the sandbox is applied: seccomp filter on, no_new_privs" bash -c \
  "grep -q '^Seccomp:[[:space:]]*2' /proc/$PID/status && grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$PID/status"
# CAP_AUDIT_CONTROL 30, CAP_AUDIT_READ 37, CAP_NET_ADMIN 12, CAP_DAC_READ_SEARCH 2,
# CAP_SYS_PTRACE 19, CAP_SYS_ADMIN 21
want_caps=$(printf '%016x' $(((1 << 30) | (1 << 37) | (1 << 12) | (1 << 2) | (1 << 19) | (1 << 21))))
kt_check "the sandbox is applied: the capability bounding set is the unit's ($want_caps)" \
  grep -q "^CapBnd:[[:space:]]*$want_caps" "/proc/$PID/status"
kt_check "the sandbox is applied: / is read-only for the agent (ProtectSystem=strict)" bash -c \
  "grep -E '^[0-9]+ [0-9]+ [0-9:]+ / / ro[, ]' /proc/$PID/mountinfo >/dev/null"

mkdir -p "$T/r1"
kt_check "pidfd: netpeer flows (loopback, IPv4 and IPv6) ran" "$T/bin/netpeer" flows "$T/r1/manifest.json" 1500 "$T/unix"
sleep 0.5
mv "$T/out/out.json" "$T/r1/out.before-hup.json"
systemctl kill -s HUP auditlens.service
same_agent() { [[ $(main_pid) == "$PID" ]] && kill -0 "$PID"; }
kt_check "pidfd: after SIGHUP the agent runs on (same process)" same_agent
kt_check "pidfd: a connection between two network namespaces" pair "$T/r1" 10.202.0.1
sleep 0.5
kt_check "pidfd: SIGHUP reopened the output (the events after it are in a new out.json)" \
  grep -q kt_net "$T/out/out.json"
stop_agent pidfd
cp "$T/out/out.json" "$T/r1/out.after-hup.json"
report "pidfd loopback" "$T/r1/out.before-hup.json" "$T/r1/manifest.json" --method pidfd
report "pidfd netns" "$T/r1/out.after-hup.json" --pair "$T/r1/serve.json" "$T/r1/connect.json"

# --- Run 2: the sock_diag lookup, which setns()es into the client's and the server's namespace.
rm -f "$T/out/out.json"
printf '[Service]\nEnvironment=AUDITLENS_NETWORK=sock_diag AUDITLENS_NETWORK_BUDGET_MS=200\n' \
  >"$KSD_UNITS/auditlens.service.d/80-test-sock-diag.conf"
systemctl daemon-reload
rm -f "$T/out/status.json"
systemctl start auditlens.service || true
kt_check "sock_diag: the agent registers as the audit daemon and is running" kt_wait_for 10 running
mkdir -p "$T/r2"
kt_check "sock_diag: a connection between two network namespaces" pair "$T/r2" 10.202.0.1
sleep 0.5
stop_agent sock_diag
report "sock_diag netns" "$T/out/out.json" --pair "$T/r2/serve.json" "$T/r2/connect.json"
rm -f "$KSD_UNITS/auditlens.service.d/80-test-sock-diag.conf"

# --- Run 3: the fleet store over TCP: refused by the default unit, allowed by the drop-in.
fleet_status() {
  $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["fleet"]["connected"])' "$T/out/status.json" 2>/dev/null
}
connected() { [[ $(fleet_status) == True ]]; }
not_connected() { [[ $(fleet_status) == False ]]; }
if pg_start "$T/pg" "$(kt_free_port)" >/dev/null; then
  write_config "$PG_URL"
  systemctl daemon-reload
  systemctl start auditlens.service || true
  kt_check "fleet, default unit: the agent registers" kt_wait_for 10 registered
  "$T/bin/netpeer" flows "$T/r1/manifest2.json" 300 "$T/unix" >/dev/null 2>&1 || true
  sleep 3
  kt_check "fleet, default unit: no TCP to PostgreSQL (AF_INET is not allowed)" not_connected
  kt_check "fleet, default unit: the agent says why (address family not supported)" \
    grep -qi 'address family not supported' "$T/agent.log"
  stop_agent "fleet, default unit"
  cp "$REPO/packaging/fleet-store.conf" "$KSD_UNITS/auditlens.service.d/fleet-store.conf"
  systemctl daemon-reload
  systemctl start auditlens.service || true
  kt_check "fleet, with fleet-store.conf: the agent registers" kt_wait_for 10 registered
  kt_check "fleet, with fleet-store.conf: connected to PostgreSQL over TCP" kt_wait_for 15 connected
  "$T/bin/netpeer" flows "$T/r1/manifest3.json" 300 "$T/unix" >/dev/null 2>&1 || true
  rows() { [[ $(pg_psql "$T/pg" -c "select count(*) from auditlens.events" 2>/dev/null) -gt 0 ]]; }
  kt_check "fleet, with fleet-store.conf: the events reach PostgreSQL" kt_wait_for 15 rows
  stop_agent "fleet, with fleet-store.conf"
  rm -f "$KSD_UNITS/auditlens.service.d/fleet-store.conf"
else
  kt_check "a private PostgreSQL starts (tests/pg/pg_server.sh)" false
fi

kt_check "the agent's log has no EPERM (Operation not permitted)" bash -c \
  "! grep -iE 'EPERM|not permitted' '$T/agent.log'"
grep -iE 'EPERM|not permitted' "$T/agent.log" | head -5 | sed 's/^/# /' || true
kt_check "systemd stops cleanly" ksd_stop
kt_finish
