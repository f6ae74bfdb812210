#!/usr/bin/env bash
# What the network enricher costs per event, with and without enrichment (docs/performance.md):
#  1. callgrind: user-space instructions of Pipeline::OnEvent (decode + enrich + format) per event,
#     load-independent; the agent runs under valgrind while `netpeer hold N` makes N loopback TCP
#     connections (connect + accept4 events) and keeps them open, so lookups find their sockets;
#  2. the agent natively: its CPU (user, system) from its status file, per event, same storm.
# Root; takes the kernel lock (the agent restores the kernel's state on SIGTERM).
#
#   AUDITLENS=build/net/auditlens tests/kernel/net/lookup_cost.sh [N]      (N connections, 500)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
AUDITLENS=$(realpath "${AUDITLENS:?set AUDITLENS}")
N=${1:-500}
T=$(mktemp -d /tmp/auditlens-lookup-cost.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
cc -O2 -o "$T/netpeer" "$HERE/netpeer.c"
echo "-a always,exit -F arch=b64 -S connect,accept4 -F exe=$T/netpeer -k kt_cost" >"$T/rules"

# shellcheck source=../../../scripts/kernel_lock.sh
source "$HERE/../../../scripts/kernel_lock.sh"
kernel_lock_take lookup_cost || exit 1

registered() { [[ $(auditctl -s | awk '/^pid/{print $2}') == "$1" ]]; }
wait_registered() {
  for _ in $(seq 600); do registered "$1" && return 0; sleep 0.1; done
  return 1
}
# run MODE WRAPPER...: the agent (under WRAPPER, if any) during one hold storm; prints events.
run() {
  local mode=$1
  shift
  rm -f "$T/out.json" "$T/status.json"
  cat >"$T/config.toml" <<TOML
[agent]
status_path = "$T/status.json"
state_path = ""
[rules]
path = "$T/rules"
[output]
path = "$T/out.json"
[store]
enabled = false
TOML
  AUDITLENS_NETWORK=$mode "$@" "$AUDITLENS" run --config "$T/config.toml" 2>"$T/agent.log" &
  local agent=$!
  # under valgrind the registered pid is valgrind's own process (it execs in place)
  wait_registered "$agent" || { cat "$T/agent.log" >&2; kill "$agent"; return 1; }
  sleep 1.5
  cp "$T/status.json" "$T/status.before"  # the agent's CPU so far (start-up), written every 1 s
  "$T/netpeer" hold "$N" 20000 &
  local peer=$!
  # drained: every event written (2 per connection)
  for _ in $(seq 1200); do
    [[ $(grep -c kt_cost "$T/out.json" 2>/dev/null) -ge $((2 * N)) ]] && break
    sleep 0.1
  done
  sleep 1
  cp "$T/status.json" "$T/status.final" 2>/dev/null || true
  kill -TERM "$agent"
  wait "$agent" || true
  kill "$peer" 2>/dev/null || true
  wait "$peer" 2>/dev/null || true
  grep -c kt_cost "$T/out.json"
}

# valgrind 3.19 does not implement pidfd_getfd (ENOSYS: every pidfd lookup is refused under it), so
# callgrind measures "records" (the enricher without a lookup) and sock_diag; the CPU columns
# come from native runs.
export AUDITLENS_NETWORK_BUDGET_MS=0  # measure every lookup
printf '%-10s %8s %12s %12s\n' mode events "Ir/event" "found"
for mode in off records sock_diag; do
  events=$(run "$mode" valgrind --tool=callgrind --callgrind-out-file="$T/cg.$mode" \
    "--toggle-collect=auditlens::Pipeline::OnEvent(auditlens::Event const&)")
  ir=$(callgrind_annotate "$T/cg.$mode" 2>/dev/null | awk '/PROGRAM TOTALS/ && !n++ {gsub(",","",$1); print $1}')
  found=$(grep kt_cost "$T/out.json" | grep -c '"local_end":"socket"' || true)
  printf '%-10s %8s %12s %12s\n' "$mode" "$events" "$((ir / events))" "$found/$events"
done
printf '\n%-10s %8s %12s %12s %12s\n' mode events "found" "cpu_us/ev" "sys_us/ev"
for mode in off pidfd sock_diag; do
  events=$(run "$mode")
  found=$(grep kt_cost "$T/out.json" | grep -c '"local_end":"socket"' || true)
  read -r cpu sys < <(python3 -c "
import json
a, b = json.load(open('$T/status.before')), json.load(open('$T/status.final'))
print(b['cpu_user_us'] + b['cpu_system_us'] - a['cpu_user_us'] - a['cpu_system_us'], b['cpu_system_us'] - a['cpu_system_us'])")
  printf '%-10s %8s %12s %12s %12s\n' "$mode" "$events" "$found/$events" \
    "$(python3 -c "print(round($cpu / $events, 2))")" "$(python3 -c "print(round($sys / $events, 2))")"
done
