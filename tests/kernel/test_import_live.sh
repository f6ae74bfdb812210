#!/usr/bin/env bash
# The end-to-end check of issue 23: a session from a log equals the live one. Debian's auditd runs
# as the audit daemon (a private config: ENRICHED log in the test's directory, node= a made-up
# host name) and `auditlens run --passive` beside it, with a store. A real SSH login (the test's
# own sshd on a loopback port) runs commands, one of them failing. Then auditd's log is imported
# into a fresh store with `auditlens import` (no --host, no --resolve-names: the log's node= and
# ENRICHED names only), and its sessions and timeline must show the same login (user, source, end)
# and the same commands, in the same order, with the same outcomes, as the live agent's store.
# Every kernel setting and rule is restored (lib.sh kt_restore); auditd is stopped.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init import_live
T=$KT_TMP
chmod 755 "$T"
kt_need_sshd

U=alimp$$
kt_login_user "$U" "$T/userkey"
UID_=$(id -u "$U")
SSH_PORT=$(kt_free_port)
kt_sshd_config "$T" "$SSH_PORT" "$U" "LogLevel VERBOSE"

mkdir -p "$T/auditd/plugins"
cat >"$T/auditd/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $T/auditd/audit.log
log_format = ENRICHED
name_format = user
name = kt-import-host
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
auditd -n -c "$T/auditd" 2>"$T/auditd.err" 9>&- &
AUDITD=$!
kt_track_pid $AUDITD
kt_check "auditd registers" kt_wait_for 10 kt_is_daemon "$AUDITD"

# The session's rules (as test_ssh_session.sh): loaded by the passive agent, removed on its exit.
cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve,execveat -F auid=$UID_ -k exec
-a always,exit -F arch=b64 -S execve -F exe=/usr/sbin/sshd -k exec
-a always,exit -F arch=b64 -S setuid,setgid,setreuid,setregid,setresuid,setresgid -F auid=$UID_ -k privilege
-a never,exit -F arch=b64 -S clone -F a0&0x10000 -k fork
-a always,exit -F arch=b64 -S clone,fork,vfork -F auid=$UID_ -k fork
-a always,exit -F arch=b64 -S exit_group -F auid=$UID_ -k exit
RULES
LIVE_DB=$T/live/auditlens.db
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" store.enabled= "store.path=\"$LIVE_DB\""
"$AUDITLENS" run --passive --config "$T/config.toml" 2>"$T/agent.log" 9>&- &
AGENT=$!
kt_track_pid $AGENT
kt_check "the passive agent loads its rules beside auditd" kt_wait_for 10 \
  grep -q "passive: loaded [0-9]* rules beside the running audit daemon (pid $AUDITD" "$T/agent.log"

kt_start_sshd "$T" "$SSH_PORT"
set +e
"${KT_SSH[@]}" -i "$T/userkey" -o BatchMode=yes -o IdentitiesOnly=yes "$U@127.0.0.1" \
  "ls / >/dev/null; cat /nonexistent; id -un; echo done" >"$T/ssh.out" 2>"$T/ssh.err"
set -e
kt_check "the SSH session ran" grep -q '^done$' "$T/ssh.out"

closed() {
  "$AUDITLENS" sessions --db "$LIVE_DB" --user "$U" --json >"$T/live.sessions" 2>/dev/null &&
    grep -q '"state":"closed"' "$T/live.sessions"
}
kt_check "the live agent's store has the closed session" kt_wait_for 15 closed
sleep 1
kill -TERM $AGENT
wait $AGENT || true
kill -TERM $AUDITD
wait $AUDITD || true
kt_check "auditd's log holds the session's records" grep -q "node=kt-import-host type=USER_START" "$T/auditd/audit.log"

"$AUDITLENS" sessions --db "$LIVE_DB" --user "$U" --json >"$T/live.sessions"
LIVE_SID=$($PY -c 'import json,sys; print([json.loads(l)["id"] for l in open(sys.argv[1]) if json.loads(l)["state"]=="closed"][0])' "$T/live.sessions")
"$AUDITLENS" timeline --db "$LIVE_DB" "$LIVE_SID" --json >"$T/live.timeline"

IMP_DB=$T/imported/auditlens.db
"$AUDITLENS" import --db "$IMP_DB" "$T/auditd" >"$T/import.out" 2>"$T/import.err"
kt_check "import of auditd's log: exit 0" test $? -eq 0
kt_check "import: the host is the log's node=" grep -q '^  hosts:     1 (kt-import-host)' "$T/import.err"
"$AUDITLENS" sessions --db "$IMP_DB" --user "$U" --json >"$T/imp.sessions" 2>&1
IMP_SID=$($PY -c 'import json,sys; print([json.loads(l)["id"] for l in open(sys.argv[1]) if json.loads(l)["state"]=="closed"][0])' "$T/imp.sessions" || true)
kt_check "import: the closed session of $U is in the imported store" test -n "$IMP_SID"
"$AUDITLENS" timeline --db "$IMP_DB" "$IMP_SID" --json >"$T/imp.timeline" 2>&1 || true
echo "--- live: $(cat "$T/live.sessions")"
echo "--- imported: $(cat "$T/imp.sessions")"

if $PY - "$T" "$U" <<'PY'; then kt_check "imported session and timeline equal the live agent's" true; else kt_check "imported session and timeline equal the live agent's" false; fi
import json, sys
T, user = sys.argv[1:3]
ok = True
def expect(cond, what):
    global ok
    if not cond:
        ok = False
        print("FAIL:", what, file=sys.stderr)
def closed(path):
    return [json.loads(l) for l in open(path) if json.loads(l)["state"] == "closed"][0]
live, imp = closed(T + "/live.sessions"), closed(T + "/imp.sessions")
for k in ("user", "service", "source", "destination", "start", "end", "duration_ms", "commands", "failures"):
    expect(live.get(k) == imp.get(k), f"session {k}: live {live.get(k)!r}, imported {imp.get(k)!r}")
expect(imp["user"] == user, f"the user is {user}: {imp['user']}")
def commands(path):
    t = json.load(open(path))
    return [(e["kind"], e["time"], e["detail"].get("args"), e.get("failed"), e.get("status"), e["depth"])
            for e in t["entries"] if e["kind"] in ("login", "shell", "command", "logout")]
lc, ic = commands(T + "/live.timeline"), commands(T + "/imp.timeline")
expect(lc == ic, f"timelines differ:\n live     {lc}\n imported {ic}")
args = [c[2] for c in lc if c[0] == "command"]
expect(args[:3] == [["ls", "/"], ["cat", "/nonexistent"], ["id", "-un"]], f"the commands: {args}")
sys.exit(0 if ok else 1)
PY
kt_check "no name of this machine: the store's host is the log's" \
  test "$(sqlite3 "$IMP_DB" "SELECT group_concat(DISTINCT host) FROM sessions")" == "kt-import-host"
kt_finish
