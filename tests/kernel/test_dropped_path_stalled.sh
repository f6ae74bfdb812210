#!/usr/bin/env bash
# The file of dropped events (output.dropped_path) never holds up the agent: it is written by a
# thread of its own from a bounded spool. Here it is a FIFO whose reader is stopped (as a hung
# network filesystem would be): the events that are kept still reach [output] at once, the
# status file stays fresh, the output shows as the failing one in `auditlens status` once its
# write has waited, SIGTERM stops the agent within seconds, and its log says what the file of
# dropped events did not get.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init dropped_stalled
T=$KT_TMP
mkdir -p "$T/w/drop" "$T/w/keep"
: >"$T/w/drop/file"
: >"$T/w/keep/file"
mkfifo "$T/dropped.fifo"
echo "-a always,exit -F arch=b64 -S openat -F dir=$T/w -k kt_dstall" >"$T/rules"
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" kernel.backlog_limit=8192 \
  "output.dropped_path=\"$T/dropped.fifo\""
printf '\n[[filters]]\nname = "dropdir"\naction = "drop"\npath = "%s"\n' "$T/w/drop" >>"$T/config.toml"
cat "$T/dropped.fifo" >"$T/dropped.bin" 9>&- &
READER=$!
kt_track_pid "$READER"
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "the agent runs" kt_wait_for 15 kt_agent_running "$AGENT" "$T/agent.log"

kt_open_storm "$T/w/drop/file" 50
kt_check "dropped events reach the FIFO's reader" kt_wait_for 10 bash -c "[[ \$(grep -c . '$T/dropped.bin') -ge 50 ]]"
kill -STOP "$READER"
kt_open_storm "$T/w/drop/file" 3000  # far more than the FIFO holds
: >"$T/w/keep/marker"
kt_check "with the dropped events' reader stopped, a kept event still reaches [output] at once" \
  kt_wait_for 5 grep -q marker "$T/out.json"
kt_check "the status file stays fresh" kt_wait_for 5 bash -c "'$AUDITLENS' status --config '$T/config.toml' >'$T/status1.txt' 2>&1; [[ \$? -ne 3 ]]"
rc=0
kt_wait_for 20 bash -c "'$AUDITLENS' status --config '$T/config.toml' >'$T/status2.txt' 2>&1; [[ \$? -eq 4 ]]" || rc=$?
kt_check "auditlens status exits 4 and names the file of dropped events (its spool overflowed, or its write waited)" \
  bash -c "[[ $rc -eq 0 ]] && grep -q 'dropped.fifo' '$T/status2.txt'" || cat "$T/status2.txt"
t0=$(date +%s)
kill -TERM "$AGENT"
for _ in $(seq 100); do kill -0 "$AGENT" 2>/dev/null || break; sleep 0.1; done
kt_check "SIGTERM stops the agent within 10 s although the reader is still stopped" \
  bash -c "! kill -0 $AGENT 2>/dev/null"
rc=0
wait "$AGENT" || rc=$?
AGENT=""
kt_check "the agent exits 0" test "$rc" -eq 0
kt_check "its log says what the file of dropped events did not get" \
  grep -q "dropped.fifo: [0-9]* bytes of events could not be written at exit" "$T/agent.log"
kill -CONT "$READER" 2>/dev/null || true
kt_finish
