#!/usr/bin/env bash
# Both ends of every connection, against the real kernel: the agent runs with a narrow rule on a
# test program (tests/kernel/net/netpeer.c) that serves and connects over 127.0.0.1 and ::1
# (blocking, non-blocking, dual-stack), sends UDP (bound, connected, unbound), is refused, and uses
# unix sockets (path and abstract). Each connect and its accept carry the same 5-tuple and the same
# Community ID, equal to the kernel's own view of both sockets and to a Community ID computed
# independently (tests/kernel/net/check_network.py). Then, with the agent stopped while the
# program runs, sockets that are gone before the lookup: closed, descriptor reused (and recycled
# faster than the agent looks), process exited: the events say so. Both lookup methods are run: pidfd (the default) and sock_diag.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init network_local
HERE=$(cd "$(dirname "$0")" && pwd)
T=$KT_TMP
mkdir -p "$T/bin" "$T/unix"
chmod 755 "$T" "$T/bin"
cc -O2 -Wall -o "$T/bin/netpeer" "$HERE/net/netpeer.c"

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S connect,accept,accept4,bind,listen,sendto,recvfrom -F exe=$T/bin/netpeer -k kt_net
RULES

AGENT=""
resume_agent() { [[ -n $AGENT ]] && kill -CONT "$AGENT" 2>/dev/null; return 0; }
trap 'resume_agent; kt_restore' EXIT

# run_method NAME AUDITLENS_NETWORK: the whole scenario with one lookup method.
run_method() {
  local name=$1 mode=$2 dir="$T/$1"
  mkdir -p "$dir"
  cat >"$dir/config.toml" <<TOML
[agent]
state_path = "$dir/agent.state"
status_path = "$dir/status.json"
[rules]
path = "$T/rules"
[output]
path = "$dir/out.json"
[store]
enabled = false
TOML
  # sock_diag's TCP dumps take ~0.5 ms each: a budget that the burst of the flows cannot spend
  # (this test checks the answers; the budget has its unit test).
  local budget=20
  [[ $mode == sock_diag ]] && budget=200
  AUDITLENS_NETWORK=$mode AUDITLENS_NETWORK_BUDGET_MS=$budget "$AUDITLENS" run --config "$dir/config.toml" \
    2>"$dir/agent.log" &
  AGENT=$!
  kt_track_pid "$AGENT"
  kt_check "$name: agent registers as the audit daemon and is running" \
    kt_wait_for 10 kt_agent_running "$AGENT" "$dir/agent.log"

  # Live flows, kept open 1.5 s: the agent looks them up within milliseconds.
  kt_check "$name: netpeer flows ran" "$T/bin/netpeer" flows "$dir/manifest.json" 1500 "$T/unix"

  # Gone before the lookup: the agent is stopped while the program closes, reuses, exits; its
  # events wait in the kernel's queue and are looked up once it goes on (well within 2 s).
  kill -STOP "$AGENT"
  "$T/bin/netpeer" gone "$dir/gone.json" 1500 &
  local peer=$!
  gone_done() { [[ $(grep -c . "$dir/gone.json" 2>/dev/null) -ge 4 ]]; }
  kt_wait_for 5 gone_done || true
  sleep 0.2
  kill -CONT "$AGENT"
  wait "$peer"
  kt_check "$name: netpeer gone ran" gone_done

  sleep 0.5
  kill -TERM "$AGENT"
  local rc=0
  wait "$AGENT" || rc=$?
  AGENT=""
  kt_check "$name: agent exits 0" test "$rc" -eq 0
  echo "# $name: $(grep -c kt_net "$dir/out.json") events"
  local checks crc=0
  checks=$($PY "$HERE/net/check_network.py" "$dir/out.json" "$dir/manifest.json" --gone "$dir/gone.json" --method "$name") || crc=$?
  kt_check "$name: check_network.py ran to its end (exit $crc: 0 all good, 1 some failed)" test "$crc" -le 1
  kt_checks_from "$name: " "$checks"
}

run_method pidfd pidfd
run_method sock_diag sock_diag

kt_check "kernel has no registered daemon after the runs" bash -c "auditctl -s | grep -q '^pid 0'"
kt_check "rules are back as they were" bash -c "[[ \"\$(auditctl -l)\" == \"$KT_SAVED_RULES\" ]]"
kt_finish
