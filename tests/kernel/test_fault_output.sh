#!/usr/bin/env bash
# Faults at the output: (1) a full filesystem (a 2 MiB tmpfs), (2) a reader that stops reading
# the pipe on standard output. In both, during a storm:
# - the agent keeps reading the kernel: the audited program is never made to wait (the kernel's
#   backlog_wait_time_actual does not grow) and the kernel loses nothing (lost does not grow);
# - it keeps at most output.max_spool_bytes in memory, then drops the oldest lines;
# - once the output works again (space freed, the reader reads), it writes what it kept, an
#   output-full loss event with the number of lines dropped, and the events that follow;
# - the output holds whole JSON lines only, and every serial missing from it is in a serial-gap
#   event or among the dropped lines.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init fault_output
T=$KT_TMP
DISK=$T/disk
kt_watch_opens kt_out
SPOOL=1048576
write_config() { # OUTPUT
  kt_agent_config "$T/config.toml" "$T" "$T/rules" "$1" kernel.backlog_limit=8192 output.max_spool_bytes=$SPOOL
}
kstat() { auditctl -s | awk -v k="$1" '$1 == k {print $2}'; }
status_field() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$T/status.json" "$1"; }
# N audited opens at 10000 a second (about 50000 records/s: well within what the agent reads even
# on a busy machine, so any wait is the output's fault); prints the seconds it took.
storm() {
  $PY -c "
import os, sys, time
p, n, rate = sys.argv[1], int(sys.argv[2]), 10000
t = time.monotonic()
for i in range(n):
    os.close(os.open(p, os.O_RDONLY))
    if i % 100 == 99:
        ahead = t + (i + 1) / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
print(f'{time.monotonic() - t:.2f}')
" "$T/w/file" "$1"
}
# Checks an output file: whole JSON lines; output-full counts; accounting of missing serials.
check_output() { # FILE LABEL DROPPED_FROM_STATUS MARKER
  $PY - "$@" <<'PY'
import json, sys
path, label, dropped_status, marker = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ok = True
def expect(cond, what):
    global ok
    ok = ok and cond
    print(("ok   " if cond else "FAIL ") + f"{label}: {what}", file=sys.stderr)
events, broken = [], 0
for line in open(path, encoding="utf-8", errors="replace"):
    try:
        events.append(json.loads(line))
    except ValueError:
        broken += 1
expect(broken == 0, f"{broken} broken lines in {len(events)}")
losses = [e["auditd"]["loss"] for e in events if e["event"]["kind"] == "pipeline_error"]
full = [l for l in losses if l["cause"] == "output-full"]
dropped = sum(l["count"] for l in full)
expect(len(full) > 0 and dropped > 0, f"output-full loss events: {len(full)}, {dropped} lines dropped")
expect(dropped == dropped_status, f"they count all the agent dropped ({dropped_status})")
got = {e["event"]["sequence"] for e in events if e["event"]["kind"] == "event"}
gaps = [(l["first_serial"], l["last_serial"]) for l in losses if l["cause"] == "serial-gap"]
lo, hi = min(got), max(got)
missing = [s for s in range(lo, hi + 1) if s not in got and not any(a <= s <= b for a, b in gaps)]
expect(len(missing) <= dropped, f"{len(missing)} serials missing without a gap, at most the {dropped} dropped lines")
after = [e for e in events if e["event"]["kind"] == "event" and marker in json.dumps(e)]
expect(len(after) > 0, f"events after the recovery are written ({marker})")
full_at = max(i for i, e in enumerate(events) if e["event"]["kind"] == "pipeline_error" and e["auditd"]["loss"]["cause"] == "output-full")
marker_at = min(i for i, e in enumerate(events) if marker in json.dumps(e)) if after else -1
expect(full_at < marker_at, "the loss event comes before the events that follow the recovery")
sys.exit(0 if ok else 1)
PY
}

# --- 1. A full filesystem --------------------------------------------------------------------
kt_tmpfs "$DISK" size=2m,mode=0700
dd if=/dev/zero of="$DISK/filler" bs=64k count=24 status=none  # 1.5 MiB: the disk fills fast
write_config "$DISK/out.json"
kt_start_agent "$T/config.toml" "$T/agent1.log"
kt_check "agent registers" kt_wait_for 10 kt_is_daemon $AGENT
kt_wait_for 10 bash -c "auditctl -l | grep -q kt_out"
sleep 0.5
waited_before=$(kstat backlog_wait_time_actual)
lost_before=$(kstat lost)
secs=$(storm 30000)
sleep 2.5  # a status tick and a retry after the storm
waited_after=$(kstat backlog_wait_time_actual)
lost_after=$(kstat lost)
echo "disk full: storm of 30000 opens took ${secs}s; backlog wait ${waited_before} -> ${waited_after}, lost ${lost_before} -> ${lost_after}"
kt_check "disk full: the agent is alive" kill -0 $AGENT
kt_check "disk full: the audited program never waited for the agent" test "$waited_after" = "$waited_before"
kt_check "disk full: the kernel lost nothing (the agent kept reading)" test "$lost_after" = "$lost_before"
kt_check "disk full: the agent says the output is failing" test "$(status_field output_failing)" = True
kt_check "disk full: lines were dropped" test "$(status_field output_dropped_lines)" -gt 0
kt_check "disk full: the spool stays within max_spool_bytes" test "$(status_field output_spool_bytes)" -le $SPOOL
kt_check "disk full: the log names the cause" grep -q "No space left on device: keeping up to $SPOOL bytes" "$T/agent1.log"
# Space returns.
rm -f "$DISK/filler"
sleep 1.5
: >"$T/w/after_disk_marker" && cat "$T/w/after_disk_marker" >/dev/null
sleep 4.5
kt_check "disk full: the output recovers" test "$(status_field output_failing)" = False
kt_check "disk full: the log says it recovered" grep -q "the output is writable again" "$T/agent1.log"
dropped1=$(status_field output_dropped_lines)
kill -TERM $AGENT
wait $AGENT && rc=0 || rc=$?
kt_check "disk full: agent exits 0" test $rc -eq 0
kt_check "disk full: output file is 0600" test "$(stat -c %a "$DISK/out.json")" = 600
check_output "$DISK/out.json" "disk full" "$dropped1" after_disk_marker &&
  kt_check "disk full: whole lines, output-full events, every missing serial accounted for" true ||
  kt_check "disk full: whole lines, output-full events, every missing serial accounted for" false
umount "$DISK"

# --- 2. A reader that stops reading ----------------------------------------------------------
write_config "-"
mkfifo "$T/fifo"
# The reader opens the pipe, reads nothing for 12 s, then everything until the agent closes it.
$PY -c "
import sys, time, shutil
with open(sys.argv[1], 'rb') as src:
    time.sleep(12)
    with open(sys.argv[2], 'wb') as dst:
        shutil.copyfileobj(src, dst)
" "$T/fifo" "$T/piped.json" &
READER=$!
kt_track_pid $READER
"$AUDITLENS" run --config "$T/config.toml" >"$T/fifo" 2>"$T/agent2.log" &
AGENT=$!
kt_track_pid $AGENT
kt_check "pipe: agent registers" kt_wait_for 10 kt_is_daemon $AGENT
kt_wait_for 10 bash -c "auditctl -l | grep -q kt_out"
waited_before=$(kstat backlog_wait_time_actual)
lost_before=$(kstat lost)
secs=$(storm 30000)
sleep 1.5
waited_after=$(kstat backlog_wait_time_actual)
lost_after=$(kstat lost)
echo "stopped reader: storm of 30000 opens took ${secs}s; backlog wait ${waited_before} -> ${waited_after}, lost ${lost_before} -> ${lost_after}"
kt_check "pipe: the audited program never waited for the agent" test "$waited_after" = "$waited_before"
kt_check "pipe: the kernel lost nothing" test "$lost_after" = "$lost_before"
kt_check "pipe: the agent says the output is failing" test "$(status_field output_failing)" = True
kt_check "pipe: the spool stays within max_spool_bytes" test "$(status_field output_spool_bytes)" -le $SPOOL
# The reader wakes up (12 s after it opened the pipe).
kt_check "pipe: the output recovers when the reader reads again" \
  kt_wait_for 30 bash -c "[[ \$($PY -c \"import json; print(json.load(open('$T/status.json'))['output_failing'])\") == False ]]"
: >"$T/w/after_pipe_marker" && cat "$T/w/after_pipe_marker" >/dev/null
sleep 2.5
dropped2=$(status_field output_dropped_lines)
kill -TERM $AGENT
wait $AGENT && rc=0 || rc=$?
kt_check "pipe: agent exits 0" test $rc -eq 0
wait $READER || true
check_output "$T/piped.json" "pipe" "$dropped2" after_pipe_marker &&
  kt_check "pipe: whole lines, output-full events, every missing serial accounted for" true ||
  kt_check "pipe: whole lines, output-full events, every missing serial accounted for" false
kt_finish
