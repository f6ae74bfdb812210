#!/usr/bin/env bash
# A busy agent loses nothing. With the default receive settings the agent is stopped (SIGSTOP) for
# the whole of a storm of 10,000 audited opens (50,000 records), then continued: the netlink socket
# buffer must have held every record. When it fills, the kernel's send fails and it prints the
# records to the console and drops them (unless audit was on at boot), which stalls the audited
# programs too; the old 8 MiB default held about 18,000 records. Checks: every storm event is in
# the output, no loss event, and the kernel printed none of the storm's records.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init agent_busy
T=$KT_TMP
mkdir -p "$T/w"
: >"$T/w/file"
cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S openat -F path=$T/w/file -k kt_busy
RULES
# Paths only: every receive and kernel setting is the embedded default.
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" \
  store.enabled= "store.path=\"$T/store.db\"" "store.postgres_spool_path=\"$T/spool\""
printed() { dmesg 2>/dev/null | grep -c 'key="kt_busy"' || true; }
printed_before=$(printed)
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers" kt_wait_for 10 kt_is_daemon $AGENT
kt_wait_for 10 bash -c "auditctl -l | grep -q kt_busy"
sleep 0.3
N=10000
kill -STOP $AGENT
start=$(date +%s.%N)
kt_open_storm "$T/w/file" $N
end=$(date +%s.%N)
kt_log "storm of $N opens with the agent stopped took $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }') s"
kill -CONT $AGENT
# Storm events in the output (the rule's own CONFIG_CHANGE events carry the key too).
storm_events() { grep '"kt_busy"' "$T/out.json" 2>/dev/null | grep -vc CONFIG_CHANGE || true; }
delivered() { (($(storm_events) >= N)); }
kt_wait_for 30 delivered || true
kill -TERM $AGENT
wait $AGENT || true
count=$(storm_events)
kt_log "storm events in the output: $count of $N"
kt_check "every storm event delivered ($count of $N)" test "$count" -eq "$N"
losses=$(grep -c '"kind":"pipeline_error"' "$T/out.json" || true)
kt_check "no loss event ($losses)" test "$losses" -eq 0
printed_after=$(printed)
kt_check "the kernel printed none of the storm's records ($((printed_after - printed_before)))" \
  test "$printed_after" -eq "$printed_before"
kt_finish
