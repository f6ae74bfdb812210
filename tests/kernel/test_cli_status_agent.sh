#!/usr/bin/env bash
# `auditlens status` exit codes against a real agent (tests/cli/test_cli_exit_codes.sh has the
# others, against status files it writes): 0 while the agent runs with a working output, 4 while
# its output fails (a file on a full 1 MiB tmpfs), 3 once it stopped; --json exits the same.
# The agent runs with one narrow rule on a private directory; the kernel is restored on exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init cli_status_agent
T=$KT_TMP
DISK=$T/disk
kt_watch_opens kt_cli_status
write_config() { # OUTPUT
  kt_agent_config "$T/config.toml" "$T" "$T/rules" "$1" output.max_spool_bytes=65536
}
status_rc() { # ARGS: the exit code of auditlens status --config
  local rc=0
  "$AUDITLENS" status --config "$T/config.toml" "$@" >/dev/null 2>&1 || rc=$?
  echo "$rc"
}
status_is() { [[ $(status_rc) == "$1" && $(status_rc --json) == "$1" ]]; }
poke() { for _ in $(seq "$1"); do cat "$T/w/file" >/dev/null; done; }

# 1. A healthy agent: 0.
write_config "$T/out.json"
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "the agent registers" kt_wait_for 10 kt_is_daemon $AGENT
kt_check "its status file appears" kt_wait_for 5 test -s "$T/status.json"
poke 5
kt_check "its events are written" kt_wait_for 5 grep -q kt_cli_status "$T/out.json"
kt_check "status: running and healthy, exit 0 (also --json)" status_is 0
kill -TERM $AGENT
rc=0
wait $AGENT || rc=$?
kt_check "the agent stops cleanly" test "$rc" -eq 0
kt_check "status after it stopped: exit 3 (also --json)" status_is 3

# 2. Its output on a full filesystem: 4 while it fails.
kt_tmpfs "$DISK" size=1m
head -c 2000000 /dev/zero >"$DISK/filler" 2>/dev/null || true
write_config "$DISK/out.json"
kt_start_agent "$T/config.toml" "$T/agent2.log"
kt_check "the agent registers again" kt_wait_for 10 kt_is_daemon $AGENT
output_failing() { poke 50; grep -q '"output_failing":true' "$T/status.json"; }
kt_check "the agent reports its output failing" kt_wait_for 15 output_failing
kt_check "status: output failing, exit 4 (also --json)" status_is 4
kill -TERM $AGENT
wait $AGENT || true
kt_check "status after it stopped: exit 3 again" status_is 3
kt_finish
