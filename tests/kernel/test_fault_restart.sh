#!/usr/bin/env bash
# Faults: the agent stopped (SIGSTOP: the kernel's backlog overflows, so it loses records the
# agent never hears of) and killed (SIGKILL) in the middle of a storm and started again, then stopped
# cleanly (SIGTERM) in the middle of another storm, then started once more. Every serial from the
# first delivered to the last one delivered is either delivered or inside a serial-gap loss event
# — including the gap across the SIGKILL, which only the durable state ([agent] state_path) can
# report — and the kernel's lost counter is accounted for by kernel-lost loss events, including
# what it lost while no agent was reading. SIGTERM drains: the stopped agent's state says clean
# and names its last delivered serial, and nothing inside its run is missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init fault_restart
T=$KT_TMP
mkdir -p "$T/w"
: >"$T/w/file"
cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S openat,open -F dir=$T/w -k kt_fault
RULES
# backlog_wait_time = 0: while no agent reads (after the SIGKILL), audited programs must not wait.
cat >"$T/config.toml" <<TOML
[agent]
status_path = "$T/status.json"
state_path = "$T/state/agent.state"
[kernel]
backlog_limit = 1024
backlog_wait_time = 0
[rules]
path = "$T/rules"
[output]
path = "$T/unused.json"
# A small socket buffer, so that the kernel does lose records while agent a is stopped (the
# default 64 MiB holds the whole second of the storm: tests/kernel/test_agent_busy.sh).
[receive]
buffer_bytes = 1048576
[store]
enabled = false
TOML

start_agent() { # NAME → $AGENT
  "$AUDITLENS" run --config "$T/config.toml" --output "$T/out_$1.json" 2>"$T/agent_$1.log" &
  AGENT=$!
  kt_track_pid $AGENT
  kt_wait_for 10 kt_is_daemon $AGENT || { kt_log "agent $1 did not register"; cat "$T/agent_$1.log" >&2; }
  kt_wait_for 10 bash -c "auditctl -l | grep -q kt_fault"
}
# A storm of about 5000 audited opens a second for $1 seconds.
storm() {
  $PY -c "
import os, sys, time
p, end = sys.argv[1], time.time() + float(sys.argv[2])
while time.time() < end:
    for _ in range(50):
        os.close(os.open(p, os.O_RDONLY))
    time.sleep(0.01)
" "$T/w/file" "$1"
}

lost_before=$(auditctl -s | awk '/^lost/{print $2}')

# 1. SIGKILL during a storm, restart at once.
start_agent a
A=$AGENT
storm 6 &
STORM=$!
sleep 2
lost_at_stop=$(auditctl -s | awk '/^lost/{print $2}')
kill -STOP $A
sleep 1
lost_at_kill=$(auditctl -s | awk '/^lost/{print $2}')
{ kill -KILL $A; wait $A; } 2>/dev/null || true
kt_check "the killed agent left a state file" test -s "$T/state/agent.state"
kt_check "the state file is private (0600)" test "$(stat -c %a "$T/state/agent.state")" = 600
start_agent b
B=$AGENT
wait $STORM
sleep 4.5  # the serial-gap grace (3 s) and a kernel-lost tick

# 2. SIGTERM during a storm: a clean drain.
storm 4 &
STORM=$!
sleep 1.5
kill -TERM $B
rc=0
wait $B || rc=$?
kt_check "agent b exits 0 on SIGTERM" test $rc -eq 0
kill $STORM 2>/dev/null || true
wait $STORM 2>/dev/null || true
cp "$T/state/agent.state" "$T/state_after_b"

# 3. Start again after a clean stop, a few events, stop.
start_agent c
C=$AGENT
for _ in 1 2 3; do cat "$T/w/file" >/dev/null; done
sleep 4.5
kill -TERM $C
rc=0
wait $C || rc=$?
kt_check "agent c exits 0" test $rc -eq 0
lost_after=$(auditctl -s | awk '/^lost/{print $2}')

kt_check "agent b resumed from the killed agent's state" grep -q "resuming after serial .* (unclean shutdown of pid $A)" "$T/agent_b.log"
kt_check "agent c resumed after a clean shutdown" grep -q "resuming after serial .* (clean shutdown of pid $B)" "$T/agent_c.log"
resumed_b=$(sed -n 's/.*resuming after serial \([0-9]*\) .*/\1/p' "$T/agent_b.log" | head -1)

$PY - "$T" "$resumed_b" "$((lost_after - lost_before))" "$((lost_at_kill - lost_at_stop))" <<'PY' && kt_check "every serial is delivered or in a loss event, across SIGKILL and SIGTERM" true || kt_check "every serial is delivered or in a loss event, across SIGKILL and SIGTERM" false
import json, sys
T, resumed_b, lost_delta, lost_while_stopped = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ok = True
def expect(cond, what):
    global ok
    ok = ok and cond
    print(("ok   " if cond else "FAIL ") + what, file=sys.stderr)

runs = {}
for name in "abc":
    events, broken = [], 0
    with open(f"{T}/out_{name}.json", encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                events.append(json.loads(line))
            except ValueError:
                broken += 1
    runs[name] = events
    # A SIGKILL can cut at most the one write in progress.
    expect(broken <= (1 if name == "a" else 0), f"run {name}: {broken} broken lines")

def delivered(evs):
    return {e["event"]["sequence"] for e in evs if e["event"]["kind"] == "event"}
def losses(evs, cause):
    return [e["auditd"]["loss"] for e in evs if e["event"]["kind"] == "pipeline_error" and e["auditd"]["loss"]["cause"] == cause]
all_events = [e for n in "abc" for e in runs[n]]
got = delivered(all_events)
gaps = [(l["first_serial"], l["last_serial"]) for l in losses(all_events, "serial-gap")]
lo, hi = min(got), max(got)
missing = [s for s in range(lo, hi + 1) if s not in got]
unaccounted = [s for s in missing if not any(a <= s <= b for a, b in gaps)]
print(f"serials {lo}..{hi}: {len(got)} delivered, {len(missing)} missing, gaps {gaps[:8]}", file=sys.stderr)
expect(not unaccounted, f"unaccounted serials: {unaccounted[:10]} ({len(unaccounted)})")

# The SIGKILL: b says so, and reports the serials after the saved one that never reached it.
b = runs["b"]
expect(any(l["cause"] == "agent-restart" for l in (e.get("auditd", {}).get("loss", {}) for e in b if e["event"]["kind"] == "pipeline_error")),
       "run b starts with an agent-restart notice")
b_gaps = [(l["first_serial"], l["last_serial"]) for l in losses(b, "serial-gap")]
expect(any(a == resumed_b + 1 for a, _ in b_gaps), f"run b reports a gap right after serial {resumed_b}: {b_gaps[:4]}")
restart_reasons = [e["event"].get("reason", "") for e in b if e["event"]["kind"] == "pipeline_error"
                   and e["auditd"]["loss"]["cause"] == "serial-gap" and e["auditd"]["loss"]["first_serial"] == resumed_b + 1]
expect(any("while auditlens was not running" in r for r in restart_reasons),
       f"the restart gap says it happened while auditlens was not running: {restart_reasons[:1]}")
a_got = delivered(runs["a"])
expect(max(a_got) > resumed_b - 100000 and resumed_b <= max(a_got), f"a delivered up to {max(a_got)}, b resumed after {resumed_b}")
# Nothing the killed agent wrote is below the resume point without being written: every serial of
# a up to the resume point is delivered or was reported by a itself.
a_gaps = [(l["first_serial"], l["last_serial"]) for l in losses(runs["a"], "serial-gap")]
a_lo = min(a_got)
a_unaccounted = [s for s in range(a_lo, resumed_b + 1)
                 if s not in a_got and not any(x <= s <= y for x, y in a_gaps)]
expect(not a_unaccounted, f"the saved serial was really delivered: {a_unaccounted[:5]}")

# The SIGTERM: nothing missing inside b's run, and its state names its last serial, clean.
b_got = delivered(b)
b_first, b_last = min(b_got), max(b_got)
inside = [s for s in range(b_first, b_last + 1) if s not in b_got]
# On a busy machine the kernel may drop records at its backlog limit (backlog_wait_time is 0
# here): only then may serials inside b's run be missing, and only inside b's own gap events.
b_kernel_lost = sum(l["count"] for l in losses(b, "kernel-lost")[1:])  # after its catch-up
b_run_gaps = [(x, y) for x, y in b_gaps if x >= b_first]
if b_kernel_lost > 0:
    stray = [s for s in inside if not any(x <= s <= y for x, y in b_run_gaps)]
    expect(not stray, f"run b ({b_first}..{b_last}): {len(inside)} missing, all in b's gaps (the kernel dropped {b_kernel_lost} records)")
else:
    expect(not inside, f"run b ({b_first}..{b_last}) is complete: missing {inside[:10]} ({len(inside)})")
state = dict(l.split("=", 1) for l in open(f"{T}/state_after_b").read().split("\n") if "=" in l)
expect(state["clean"] == "1", "b's state says clean")
expect(int(state["delivered_through"]) >= b_last, f"b's state delivered_through {state['delivered_through']} >= its last serial {b_last}")

# The kernel's lost counter: all of it reported, including while no agent read (c and b catch up).
reported = sum(l["count"] for l in losses(all_events, "kernel-lost"))
expect(reported >= lost_delta, f"kernel-lost events count {reported} >= the kernel's lost delta {lost_delta}")
expect(lost_while_stopped > 0, f"the kernel lost {lost_while_stopped} records while agent a was stopped")
b_reported = sum(l["count"] for l in losses(b, "kernel-lost"))
expect(b_reported >= lost_while_stopped,
       f"b reports what the kernel lost while a was stopped and then killed: {b_reported} >= {lost_while_stopped}")
expect(not losses(runs["c"], "agent-restart"), "no agent-restart notice after a clean stop")
sys.exit(0 if ok else 1)
PY
kt_finish
