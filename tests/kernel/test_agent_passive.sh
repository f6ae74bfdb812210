#!/usr/bin/env bash
# Beside a running auditd: `auditlens run` refuses to take over and names the daemon that holds the
# kernel; `auditlens run --passive` reads the multicast feed and gets the same event auditd logs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init agent_passive
T=$KT_TMP
mkdir -p "$T/w" "$T/auditd/plugins"
chmod 755 "$T" "$T/w"
cp /bin/true "$T/w/prog"
cat >"$T/auditd/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $T/auditd/audit.log
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = 20
max_log_file = 50
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $T/auditd/plugins
end_of_event_timeout = 2
CONF
chmod 600 "$T/auditd/auditd.conf"
auditd -n -c "$T/auditd" 2>"$T/auditd.err" &
AUDITD=$!
kt_track_pid $AUDITD
auditd_registered() { [[ $(auditctl -s | awk '/^pid/{print $2}') == "$AUDITD" ]]; }
kt_check "auditd registers" kt_wait_for 10 auditd_registered

set +e
timeout 20 "$AUDITLENS" run --rules /dev/null --output "$T/refused.json" 2>"$T/refused.err"
rc=$?
set -e
kt_check "a second daemon is refused (exit $rc)" test "$rc" -ne 0
kt_check "the refusal names auditd's pid and executable" \
  bash -c "grep -q 'pid $AUDITD' '$T/refused.err' && grep -q 'auditd' '$T/refused.err'"
kt_check "the refusal suggests --passive" grep -q -- '--passive' "$T/refused.err"
kt_check "auditd still holds the kernel" auditd_registered

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve -F dir=$T/w -k kt_passive
RULES
cat >"$T/config.toml" <<TOML
[agent]
state_path = "$T/agent.state"
status_path = "$T/status.json"
[output]
path = "$T/out.json"
[store]
enabled = false
TOML
"$AUDITLENS" run --passive --config "$T/config.toml" --rules "$T/rules" 2>"$T/agent.log" &
AGENT=$!
kt_track_pid $AGENT
kt_check "passive agent loads its rule" kt_wait_for 10 bash -c "auditctl -l | grep -q key=kt_passive"
sleep 0.5
"$T/w/prog" passive-marker
got_event() { grep -q passive-marker "$T/out.json" 2>/dev/null; }
kt_check "passive agent receives the event" kt_wait_for 10 got_event
kt_check "auditd logged the same event" kt_wait_for 10 grep -q 'kt_passive' "$T/auditd/audit.log"
if got_event; then
  serial_ours=$($PY -c "import json,sys; print([json.loads(l)['serial'] for l in open(sys.argv[1]) if 'passive-marker' in l][0])" "$T/out.json")
  kt_check "same serial as auditd's record ($serial_ours)" grep -q "audit([0-9.]*:$serial_ours)" "$T/auditd/audit.log"
fi
kill -TERM $AGENT
wait $AGENT
kt_check "passive agent exits cleanly" test $? -eq 0
kt_check "passive agent removed its rules and left auditd registered" \
  bash -c "! auditctl -l | grep -q kt_passive && [[ \$(auditctl -s | awk '/^pid/{print \$2}') == $AUDITD ]]"
kill -TERM $AUDITD
wait $AUDITD || true
kt_finish
