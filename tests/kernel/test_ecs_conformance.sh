#!/usr/bin/env bash
# ECS conformance of a real run (issue 20): the agent runs with the shipped default rules
# ($BUILD_DIR/rules.d/10-default.rules, from src/rules/default_rules.h) plus two narrow rules of
# the test's own (a watch on a directory of the SSH user, for file creation, change and deletion;
# opens in a private directory, for the storm below). While it runs:
# - a real SSH key login on a loopback sshd of the test (Debian's PAM, so pam_loginuid gives the
#   session its auid and ses): the user creates a file in the watched directory, changes it
#   (appends to it, chmod) and deletes it, runs a command that succeeds and one that fails, opens a TCP connection to a
#   listener of the test, and logs out; then a password login with a wrong password fails;
# - the kernel loses records: the agent is stopped (SIGSTOP) during a short open() storm with a
#   tiny backlog and backlog_wait_time 0, so the output must carry a loss event.
# Then every line the agent wrote is checked: tests/ecs/check_ecs.py on the whole output (every
# path outside auditd.* an ECS field of the right type with an allowed value; ecs.version and
# host.os.type on every event), and tests/kernel/ecs/check_conformance.py (exec categorisation,
# process.entry_leader on every event of a login session, and that the run contains each kind of
# event above). A second output writes the same events in the default profile, brief: ECS as well,
# the same events, each session event with its session's id. The kernel's state (backlog, rate, backlog_wait_time, rules, registered pid) is put
# back by the trap whatever happens.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init ecs_conformance
T=$KT_TMP
chmod 755 "$T"
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${BUILD_DIR:?set BUILD_DIR to the build directory (its rules.d is used)}
DEFAULTS=$BUILD_DIR/rules.d/10-default.rules
AGENT=""
# A stopped agent cannot act on SIGTERM: wake it before kt_restore stops it.
cleanup() {
  if [[ -n $AGENT ]]; then kill -CONT "$AGENT" 2>/dev/null || true; fi
  kt_restore
}
trap cleanup EXIT

kt_need_sshd
kt_check "the shipped default rules are built ($DEFAULTS)" test -s "$DEFAULTS"

U=alecs$$
kt_login_user "$U" "$T/userkey"
H=$(getent passwd "$U" | cut -d: -f6)
mkdir -p "$H/watched"
chown "$U:$U" "$H/watched"
mkdir -p "$T/storm"
: >"$T/storm/file"

SSH_PORT=$(kt_free_port)
kt_sshd_config "$T" "$SSH_PORT" "$U" "PasswordAuthentication yes" "LogLevel VERBOSE"

# The rules: the shipped defaults as they are, and the test's two narrow rules after them.
mkdir "$T/rules.d"
cp "$DEFAULTS" "$T/rules.d/10-default.rules"
cat >"$T/rules.d/90-conformance.rules" <<RULES
-w $H/watched -p wa -k conf_files
-a always,exit -F arch=b64 -S openat,open -F dir=$T/storm -k conf_storm
RULES
EXPECTED=$(cat "$T"/rules.d/*.rules | grep -c -v -e '^#' -e '^[[:space:]]*$')

# backlog_wait_time 0: while the agent is stopped the kernel drops records instead of making
# audited tasks wait. A small socket buffer, so that the kernel's backlog fills during the storm.
kt_agent_config "$T/config.toml" "$T" "$T/rules.d" "$T/out.json" \
  kernel.backlog_wait_time=0 receive.buffer_bytes=65536
# The same events in the default profile, brief, through a second output.
printf '[[outputs]]\ntype = "file"\npath = "%s"\nprofile = "brief"\n' "$T/brief.json" >>"$T/config.toml"
kt_start_agent "$T/config.toml" "$T/agent.log"
# out_has EXPR: whether an event of the output makes the Python expression EXPR true (names: e the
# event, event its "event" object, records its auditd.records). Parsed, not grepped: the default
# rules audit every exec, so a grep's own arguments would be in the output it reads.
out_has() {
  $PY -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if not isinstance(e, dict):
        continue
    event = e.get("event") if isinstance(e.get("event"), dict) else {}
    auditd = e.get("auditd") if isinstance(e.get("auditd"), dict) else {}
    records = [r for r in auditd.get("records") or [] if isinstance(r, dict)]
    if eval(sys.argv[2]):
        sys.exit(0)
sys.exit(1)' "$T/out.json" "$1" 2>/dev/null
}
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"
loaded() { grep -q ", $EXPECTED rules loaded" "$T/agent.log"; }
kt_check "agent loaded the $EXPECTED rules (defaults and the test's two)" kt_wait_for 5 loaded
loaded || sed 's/^/#   agent: /' "$T/agent.log"

kt_start_sshd "$T" "$SSH_PORT"

# The peer of the session's connection: accepts one connection, holds it until the client closes.
kt_tcp_listener "$T/listener"

SSH=("${KT_SSH[@]}")
# The connection is held half a second, so the network enricher finds our end of it.
CONNECT="import socket, time; s = socket.create_connection((\"127.0.0.1\", $LPORT)); time.sleep(0.5); s.close()"
F=$H/watched/conformance.txt
set +e
"${SSH[@]}" -i "$T/userkey" -o BatchMode=yes -o IdentitiesOnly=yes "$U@127.0.0.1" \
  "touch $F; echo changed >>$F; chmod 600 $F; rm $F; ls / >/dev/null; cat /nonexistent; /usr/bin/python3 -c '$CONNECT'; echo done" \
  >"$T/ssh.out" 2>"$T/ssh.err"
SSH_RC=$?
set -e
kt_check "the SSH session ran (exit $SSH_RC)" grep -q '^done$' "$T/ssh.out"

# A password login that fails (the account has no password).
printf '#!/bin/sh\necho wrong-password\n' >"$T/askpass"
chmod 755 "$T/askpass"
SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none setsid -w "${SSH[@]}" \
  -o PreferredAuthentications=password -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 \
  "$U@127.0.0.1" true </dev/null >/dev/null 2>"$T/ssh-fail.err" || true
kt_check "sshd logged the failed password" \
  kt_wait_for 5 grep -q "Failed password for $U from 127.0.0.1" "$T/sshd.log"
# Both logins are in the output before the storm (whose losses could otherwise take their last
# records): the logout's USER_END and the failed USER_AUTH of the user.
pam_record() { out_has "any(r.get('type') == '$1' and r.get('acct') == '$U' and r.get('res') == '$2' for r in records)"; }
kt_check "the agent wrote the logout (USER_END)" kt_wait_for 10 pam_record USER_END success
kt_check "the agent wrote the failed password (USER_AUTH)" kt_wait_for 10 pam_record USER_AUTH failed

# The loss: a tiny backlog, the agent stopped, a short storm of audited opens (the conf_storm rule).
declare -A before=()
kt_read_status before
lost_before=${before[lost]}
auditctl -b 64 >/dev/null
kill -STOP "$AGENT"
kt_open_storm "$T/storm/file" 5000
kill -CONT "$AGENT"
auditctl -b "${before[backlog_limit]}" >/dev/null
declare -A after=()
kt_read_status after
kt_check "the storm made the kernel lose records (lost ${lost_before} -> ${after[lost]})" \
  test "${after[lost]}" -gt "$lost_before"
kt_check "the agent reported the loss" kt_wait_for 15 out_has "event.get('kind') == 'pipeline_error'"

kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
AGENT=""
kt_check "agent exits 0 on SIGTERM" test "$rc" -eq 0
echo "# $(grep -c . "$T/out.json") events written"

# 1. ECS, field by field, on every line.
ecs_rc=0
$PY "$SRC/tests/ecs/check_ecs.py" --require ecs.version --require host.os.type "$T/out.json" \
  >"$T/check_ecs.out" 2>&1 || ecs_rc=$?
echo "# check_ecs.py (exit $ecs_rc):"
sed 's/^/#   /' "$T/check_ecs.out"
kt_check "1. every event is ECS (check_ecs.py, ecs.version and host.os.type required)" test "$ecs_rc" -eq 0

# 1b. The brief lines (the agent's default profile): ECS too, the same events in the same order,
# and every event of the SSH session carries the session's id.
brief_rc=0
$PY "$SRC/tests/ecs/check_ecs.py" "$T/brief.json" >"$T/check_ecs_brief.out" 2>&1 || brief_rc=$?
sed 's/^/#   brief: /' "$T/check_ecs_brief.out" | tail -3
kt_check "1b. every brief event is ECS (check_ecs.py)" test "$brief_rc" -eq 0
kt_check "1b. the brief output has the same events, in the same order" $PY -c '
import json, sys
seq = lambda f: [(e["event"]["kind"], e["event"].get("sequence"), e["@timestamp"]) for e in map(json.loads, open(f))]
sys.exit(0 if seq(sys.argv[1]) == seq(sys.argv[2]) else 1)' "$T/out.json" "$T/brief.json"
kt_check "1b. brief events of the SSH session carry its id as full ones do" $PY -c '
import json, sys
ids = lambda f: [e.get("auditd", {}).get("session", {}).get("id") for e in map(json.loads, open(f))]
full, brief = ids(sys.argv[1]), ids(sys.argv[2])
sys.exit(0 if full == brief and any(full) else 1)' "$T/out.json" "$T/brief.json"

# 2-4. Exec categorisation, entry leaders, and that every kind of event is there.
crc=0
checks=$($PY "$HERE/ecs/check_conformance.py" --user "$U" --uid "$(id -u "$U")" \
  --listener-port "$LPORT" --file "$F" "$T/out.json") || crc=$?
kt_check "check_conformance.py ran to its end (exit $crc)" test "$crc" -le 1
# Its verdicts as checks of this test, each followed by its explanation (the offending lines).
kt_checks_from "" "$checks"

kt_check "the kernel has no registered daemon" kt_wait_for 5 bash -c "auditctl -s | grep -q '^pid 0'"
kt_finish
