#!/usr/bin/env bash
# Beside a running auditd (a real one on a private config; like a stock auditd it loads no rules):
# 1. `auditlens run` refuses to take over, names the daemon that holds the kernel, suggests --passive.
# 2. `run --passive` with a rules file adds the file's rules and its self-exclusion, skips the
#    file's -D and -b, and changes no setting (enabled, failure, pid, rate, backlog); it gets the
#    event auditd logs, with the same serial. `auditctl -D` followed by the other daemon's rules
#    coming back (what auditd's start does: augenrules runs -D, then loads its rules) is followed by
#    ours coming back too (log line, status counters, a rules-removed loss event), and events flow
#    again. On exit exactly our rules are gone: the other daemon's rule and every setting are as
#    before.
# 3. `run --passive` with no rules path loads the embedded default rules, says so in one line, gets
#    their events, and removes them all on exit.
# 4. Without CAP_AUDIT_CONTROL (only CAP_AUDIT_READ) passive mode refuses to start and says how to
#    proceed; with `[rules] load = false` it runs, changes nothing in the kernel, and reads what the
#    other daemon's rules produce.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init agent_passive
T=$KT_TMP
mkdir -p "$T/w" "$T/o" "$T/auditd/plugins"
chmod 755 "$T" "$T/w" "$T/o"
cp /bin/true "$T/w/prog"
cp /bin/true "$T/o/prog"
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

# --- 1: no takeover -------------------------------------------------------------------------------
set +e
timeout 20 "$AUDITLENS" run --rules /dev/null --output "$T/refused.json" 2>"$T/refused.err"
rc=$?
set -e
kt_check "a second daemon is refused (exit $rc)" test "$rc" -ne 0
kt_check "the refusal names auditd's pid and executable" \
  bash -c "grep -q 'pid $AUDITD' '$T/refused.err' && grep -q 'auditd' '$T/refused.err'"
kt_check "the refusal suggests --passive" grep -q -- '--passive' "$T/refused.err"
kt_check "auditd still holds the kernel" auditd_registered

# The other daemon's own rule (a stand-in for what its rules.d would load).
OTHER_RULE=(-a always,exit -F arch=b64 -S execve -F dir="$T/o" -k kt_other)
auditctl "${OTHER_RULE[@]}" >/dev/null
# What passive mode must leave exactly as it found it.
settings() {
  auditctl -s | awk '$1 ~ /^(enabled|failure|pid|rate_limit|backlog_limit|backlog_wait_time)$/ {print $1, $2}'
}
SETTINGS_BEFORE=$(settings)
RULES_BEFORE=$(auditctl -l)
settings_unchanged() { [[ $(settings) == "$SETTINGS_BEFORE" ]]; }
rules_unchanged() { [[ $(auditctl -l) == "$RULES_BEFORE" ]]; }
all_unchanged() { settings_unchanged && rules_unchanged; }

# --- 2: a rules file, auditctl -D while running ---------------------------------------------------
cat >"$T/rules" <<RULES
-D
-b 321
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
self_exclusions() { auditctl -l | grep -cE "^-a never,exit .*-F pid=$AGENT( |\$)" || true; }
ours_loaded() { auditctl -l | grep -q key=kt_passive && [[ $(self_exclusions) == 1 ]]; }
kt_check "passive agent loads its rule and its self-exclusion" kt_wait_for 10 ours_loaded
kt_check "it says what it loaded beside whom" kt_wait_for 5 \
  grep -q "passive: loaded 1 rules beside the running audit daemon (pid $AUDITD, .*auditd); they are removed on exit" "$T/agent.log"
kt_check "it skips the file's -D and -b" bash -c \
  "grep -q \"passive: skipped '-D'\" '$T/agent.log' && grep -q \"passive: skipped '-b 321'\" '$T/agent.log'"
kt_check "the other daemon's rule is still there" bash -c "auditctl -l | grep -q key=kt_other"
kt_check "no kernel setting changed" settings_unchanged
sleep 0.5
"$T/w/prog" passive-marker
got() { grep -q "$1" "$2" 2>/dev/null; }
kt_check "passive agent receives the event" kt_wait_for 10 got passive-marker "$T/out.json"
kt_check "auditd logged the same event" kt_wait_for 10 grep -q 'kt_passive' "$T/auditd/audit.log"
if got passive-marker "$T/out.json"; then
  serial_ours=$($PY -c "import json,sys; print([json.loads(l)['event']['sequence'] for l in open(sys.argv[1]) if 'passive-marker' in l][0])" "$T/out.json")
  kt_check "same serial as auditd's record ($serial_ours)" grep -q "audit([0-9.]*:$serial_ours)" "$T/auditd/audit.log"
fi
"$T/o/prog" other-marker
kt_check "it also gets the other daemon's rule's events" kt_wait_for 10 got other-marker "$T/out.json"

# What auditd's (re)start does to the rules: -D, then its own rules.
auditctl -D >/dev/null
auditctl "${OTHER_RULE[@]}" >/dev/null
kt_check "after auditctl -D our rules come back" kt_wait_for 10 ours_loaded
kt_check "the restore is logged" kt_wait_for 5 \
  grep -q "passive: [0-9]* of our rules.* had been deleted from the kernel" "$T/agent.log"
kt_check "and counted in the status file" kt_wait_for 5 \
  grep -qE '"rules_restores":[1-9][0-9]*,"rules_restored":([2-9]|[1-9][0-9]+)[,}]' "$T/status.json"
kt_check "and reported as a rules-removed loss event" kt_wait_for 5 got '"cause":"rules-removed"' "$T/out.json"
once_each() { [[ $(auditctl -l | grep -c key=kt_passive) == 1 && $(self_exclusions) == 1 ]]; }
kt_check "each of our rules is in the kernel once" once_each
"$T/w/prog" passive-marker-again
kt_check "events of the restored rule arrive" kt_wait_for 10 got passive-marker-again "$T/out.json"
kt_check "no kernel setting changed" settings_unchanged

kill -TERM $AGENT
wait $AGENT
kt_check "passive agent exits cleanly" test $? -eq 0
kt_check "on exit exactly its rules are gone (the other daemon's rule stays)" rules_unchanged
kt_check "and every setting is as before, auditd still registered" settings_unchanged

# --- 3: the embedded default rules ----------------------------------------------------------------
"$AUDITLENS" run --passive --config "$T/config.toml" 2>"$T/agent-default.log" &
AGENT=$!
kt_track_pid $AGENT
loaded_line() { grep -o "passive: loaded [0-9]* rules beside the running audit daemon (pid $AUDITD" "$T/agent-default.log"; }
has_loaded_line() { loaded_line >/dev/null; }
kt_check "passive agent loads the default rules and says so" kt_wait_for 10 has_loaded_line
n=$(loaded_line | awk '{print $3}' || echo 0)
all_loaded() {
  [[ $(auditctl -l | wc -l) -eq $(($(wc -l <<<"$RULES_BEFORE") + n + 1)) ]]
}
kt_check "the kernel has the other daemon's rule, its $n rules and its self-exclusion" all_loaded
kt_check "no kernel setting changed" settings_unchanged
sleep 0.5
"$T/w/prog" default-marker
exec_event() { grep default-marker "$T/out.json" 2>/dev/null | grep -q '"tags":\["exec"\]'; }
kt_check "events of the default rules arrive (exec)" kt_wait_for 10 exec_event
kill -TERM $AGENT
wait $AGENT
kt_check "passive agent exits cleanly" test $? -eq 0
kt_check "on exit every default rule is gone" rules_unchanged
kt_check "and every setting is as before" settings_unchanged

# --- 4: without CAP_AUDIT_CONTROL ------------------------------------------------------------
set +e
setpriv --bounding-set -audit_control -- "$AUDITLENS" run --passive --config "$T/config.toml" \
  >/dev/null 2>"$T/nocap.err"
rc=$?
set -e
kt_check "without CAP_AUDIT_CONTROL passive mode refuses to start (exit $rc)" test "$rc" -ne 0
kt_check "the refusal says why and how to proceed" bash -c \
  "grep -q 'needs CAP_AUDIT_CONTROL' '$T/nocap.err' && grep -q 'load = false' '$T/nocap.err'"
kt_check "nothing changed" all_unchanged
cat >"$T/readonly.toml" <<TOML
[agent]
state_path = "$T/ro.state"
status_path = "$T/ro-status.json"
[rules]
load = false
[output]
path = "$T/ro.json"
[store]
enabled = false
TOML
setpriv --bounding-set -audit_control -- "$AUDITLENS" run --passive --config "$T/readonly.toml" \
  2>"$T/ro.log" &
AGENT=$!
kt_track_pid $AGENT
kt_check "with [rules] load = false it runs on CAP_AUDIT_READ alone" kt_wait_for 10 \
  grep -q "passive: \[rules\] load = false" "$T/ro.log"
sleep 0.5
"$T/o/prog" readonly-marker
kt_check "it reads what the other daemon's rule produces" kt_wait_for 10 got readonly-marker "$T/ro.json"
kt_check "it put nothing in the kernel" rules_unchanged
kill -TERM $AGENT
wait $AGENT
kt_check "it exits cleanly" test $? -eq 0
kt_check "rules and settings as before" all_unchanged

kill -TERM $AUDITD
wait $AUDITD || true
kt_finish
