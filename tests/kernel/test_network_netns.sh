#!/usr/bin/env bash
# One connection between two hosts: two network namespaces joined by a veth pair (10.201.0.0/24
# and fd00:201::/64, created and removed here; traffic never leaves this machine). A server in one
# namespace, a client in the other, over IPv4 and IPv6; the agent (audit is global: it sees both)
# must give the connect and the accept the same 5-tuple and the same Community ID, looking each
# socket up in its own namespace. Both lookup methods: pidfd and sock_diag (which opens its
# sock_diag socket inside each process's namespace).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init network_netns
command -v ip >/dev/null || { echo "network_netns: needs ip (iproute2)" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
T=$KT_TMP
mkdir -p "$T/bin"
chmod 755 "$T" "$T/bin"
cc -O2 -Wall -o "$T/bin/netpeer" "$HERE/net/netpeer.c"

NSA=kt_alA_$$
NSB=kt_alB_$$
AGENT=""
cleanup() {
  [[ -n $AGENT ]] && kill -CONT "$AGENT" 2>/dev/null
  kt_restore
}
trap cleanup EXIT
kt_netns_pair "$NSA" "$NSB" "alA$$" "alB$$" 10.201.0 fd00:201

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S connect,accept,accept4,bind,listen -F exe=$T/bin/netpeer -k kt_net
RULES

run_method() {
  local name=$1 dir="$T/$1" port
  mkdir -p "$dir"
  kt_agent_config "$dir/config.toml" "$dir" "$T/rules" "$dir/out.json"
  AUDITLENS_NETWORK=$name AUDITLENS_NETWORK_BUDGET_MS=200 kt_start_agent "$dir/config.toml" "$dir/agent.log"
  kt_check "$name: agent registers as the audit daemon and is running" \
    kt_wait_for 10 kt_agent_running "$AGENT" "$dir/agent.log"
  for ip in 10.201.0.1 fd00:201::1; do
    port=$((20000 + RANDOM % 20000))
    ip netns exec "$NSA" "$T/bin/netpeer" serve "$ip" "$port" 1500 "$dir/serve.json" &
    local server=$!
    kt_check "$name: client in $NSB connects to [$ip]:$port in $NSA" \
      ip netns exec "$NSB" "$T/bin/netpeer" connect "$ip" "$port" 1500 "$dir/connect.json"
    kt_check "$name: server in $NSA accepted" wait "$server"
  done
  sleep 0.5
  kill -TERM "$AGENT"
  local rc=0
  wait "$AGENT" || rc=$?
  AGENT=""
  kt_check "$name: agent exits 0" test "$rc" -eq 0
  local checks crc=0
  checks=$($PY "$HERE/net/check_network.py" "$dir/out.json" --pair "$dir/serve.json" "$dir/connect.json") || crc=$?
  kt_check "$name: check_network.py ran to its end (exit $crc: 0 all good, 1 some failed)" test "$crc" -le 1
  kt_checks_from "$name: " "$checks"
}

run_method pidfd
run_method sock_diag

ip netns del "$NSA"
ip netns del "$NSB"
kt_check "the test's namespaces are gone" bash -c "! ip netns list | grep -q 'kt_al[AB]_$$'"
kt_check "kernel has no registered daemon after the runs" bash -c "auditctl -s | grep -q '^pid 0'"
kt_check "rules are back as they were" bash -c "[[ \"\$(auditctl -l)\" == \"$KT_SAVED_RULES\" ]]"
kt_finish
