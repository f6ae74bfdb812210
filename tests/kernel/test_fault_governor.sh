#!/usr/bin/env bash
# The overload governor against the real kernel: with a CPU ceiling far below what a storm costs,
# the agent sets the kernel rate limit after [governor] sustain_s, says so (a governor loss event
# and a log line; the kernel's drops become kernel-lost events), and puts the previous limit back
# once the storm has passed for release_s — or when it is stopped while acting. Off by default:
# the same storm under the embedded defaults leaves the rate limit alone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init fault_governor
T=$KT_TMP
kt_watch_opens kt_gov
write_config() { # MAX_CPU
  kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" kernel.backlog_limit=8192 \
    kernel.backlog_wait_time=0 governor.max_cpu="$1" governor.sustain_s=2 governor.release_s=3 \
    governor.rate_limit=200
}
kstat() { auditctl -s | awk -v k="$1" '$1 == k {print $2}'; }
rate_is() { [[ $(kstat rate_limit) == "$1" ]]; }
status_field() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$T/status.json" "$1"; }
storm() { # SECONDS: audited opens as fast as Python goes
  $PY -c "
import os, sys, time
p, end = sys.argv[1], time.time() + float(sys.argv[2])
while time.time() < end:
    for _ in range(200):
        os.close(os.open(p, os.O_RDONLY))
" "$T/w/file" "$1"
}
start_agent() {
  kt_start_agent "$T/config.toml" "$T/agent.log"
  kt_wait_for 10 kt_is_daemon $AGENT || kt_log "agent did not register"
  kt_wait_for 10 bash -c "auditctl -l | grep -q kt_gov"
}
RATE0=${KT_SAVED[rate_limit]}

# 1. Off (max_cpu = 0): a storm changes nothing.
write_config 0
start_agent
storm 4
kt_check "off: the rate limit is untouched during a storm" rate_is "$RATE0"
kt_check "off: the status says governor off" test "$(status_field governor)" = off
kill -TERM $AGENT
wait $AGENT || true
kt_check "off: no governor event" bash -c "! grep -q '\"cause\":\"governor\"' '$T/out.json'"
rm -f "$T/out.json"

# 2. A ceiling of 2% CPU: the storm makes the governor act, then it stands down.
write_config 2
start_agent
kt_check "on: the status says watching" kt_wait_for 3 bash -c "grep -q '\"governor\":\"watching\"' '$T/status.json'"
storm 8 &
STORM=$!
kt_check "on: the governor sets the kernel rate limit during the storm" kt_wait_for 7 rate_is 200
kt_check "on: the status says engaged" kt_wait_for 2 bash -c "grep -q '\"governor\":\"engaged\"' '$T/status.json'"
kt_check "on: still acting while the storm lasts" rate_is 200
wait $STORM
kt_check "on: the previous limit is back after the storm" kt_wait_for 10 rate_is "$RATE0"
kt_check "on: the log says it acted" grep -q "governor: the agent used .* CPU, above its 2% ceiling, for 2 s: the governor set the kernel rate limit to 200" "$T/agent.log"
kt_check "on: the log says it stood down" grep -q "governor: the load passed" "$T/agent.log"

# 3. Stopped while acting: the limit goes back too.
storm 6 &
STORM=$!
kt_check "again: the governor acts on the next storm" kt_wait_for 7 rate_is 200
kill -TERM $AGENT
wait $AGENT && rc=0 || rc=$?
kt_check "again: agent exits 0" test $rc -eq 0
kt_check "again: stopping while acting puts the limit back" rate_is "$RATE0"
wait $STORM

$PY - "$T/out.json" <<'PY' && kt_check "governor loss events: act, stand down, act, stand down; the kernel's drops reported" true || kt_check "governor loss events: act, stand down, act, stand down; the kernel's drops reported" false
import json, sys
events = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
gov = [e["event"]["reason"] for e in events if e["event"]["kind"] == "pipeline_error" and e["auditd"]["loss"]["cause"] == "governor"]
for d in gov:
    print("  governor: " + d, file=sys.stderr)
ok = len(gov) == 4
ok = ok and "set the kernel rate limit to 200" in gov[0] and "put the kernel rate limit back" in gov[1]
ok = ok and "set the kernel rate limit to 200" in gov[2] and "the agent stops" in gov[3]
lost = sum(e["auditd"]["loss"]["count"] for e in events if e["event"]["kind"] == "pipeline_error" and e["auditd"]["loss"]["cause"] == "kernel-lost")
print(f"  kernel-lost while governed: {lost}", file=sys.stderr)
sys.exit(0 if ok and lost > 0 else 1)
PY
kt_finish
