#!/usr/bin/env bash
# `auditlens run` as the audit daemon against the real kernel: it registers, loads a narrow rule
# behind its self-exclusion, a known program runs, and its events arrive as decoded JSON; on
# SIGTERM the kernel is exactly as before (rules, status, no registered pid).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init agent_daemon
T=$KT_TMP
mkdir -p "$T/w"
chmod 755 "$T" "$T/w"
cp /bin/true "$T/w/prog"
echo secret >"$T/w/secret"
chmod 600 "$T/w/secret"
cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve -F dir=$T/w -k kt_exec
-a always,exit -F arch=b64 -S openat,open,creat -F dir=$T/w -k kt_file
RULES
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json"

kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon $AGENT
kt_check "self-exclusion rule names the agent's pid" bash -c "auditctl -l | grep -q -- '-F pid=$AGENT'"
kt_check "the configured rule is loaded" bash -c "auditctl -l | grep -q 'key=kt_exec'"
kt_check "auditing is enabled while it runs" bash -c "auditctl -s | grep -q '^enabled 1'"

# The known activity.
"$T/w/prog" "arg one" "$(printf 'caf\xc3\xa9')" "$(printf 'bad\xff')" '"quoted"'
touch "$T/w/a b.txt"
setpriv --reuid=65534 --regid=65534 --clear-groups cat "$T/w/secret" 2>/dev/null || true
kt_check "status file shows the agent running" kt_wait_for 5 test -s "$T/status.json"
kt_check "auditlens status reports the agent" bash -c "'$AUDITLENS' status --config '$T/config.toml' | grep -qi 'running'"

# logrotate: the file is moved away, SIGHUP makes the agent open a new one (0600).
kt_wait_for 5 test -s "$T/out.json"
mv "$T/out.json" "$T/out.json.1"
kill -HUP $AGENT
sleep 0.3
"$T/w/prog" after-rotation
kt_check "after SIGHUP the agent writes a new output file" kt_wait_for 5 grep -q after-rotation "$T/out.json"
kt_check "the new output file is mode 0600" bash -c "[[ \$(stat -c %a '$T/out.json') == 600 ]]"

kill -TERM $AGENT
wait $AGENT
rc=$?
cat "$T/out.json.1" "$T/out.json" >"$T/all.json"
kt_check "agent exits 0 on SIGTERM" test "$rc" -eq 0

$PY - "$T/all.json" "$T/w" <<'PY' && kt_check "events decoded as expected" true || kt_check "events decoded as expected" false
import json, sys
out, w = sys.argv[1], sys.argv[2]
events = [json.loads(l) for l in open(out, encoding="utf-8")]
def find(pred):
    return [e for e in events if pred(e)]
ok = True
def expect(cond, what):
    global ok
    if not cond:
        ok = False
        print("FAIL:", what, file=sys.stderr)
for e in events:
    expect(isinstance(e.get("event", {}).get("sequence"), int) and e.get("@timestamp", "").endswith("Z"), "event.sequence and @timestamp")
execs = find(lambda e: e.get("process", {}).get("executable") == w + "/prog" and "after-rotation" not in e["process"]["args"])
expect(len(execs) == 1, f"one exec of prog, got {len(execs)}")
expect(len(find(lambda e: "after-rotation" in e.get("process", {}).get("args", []))) == 1, "the exec after rotation, once")
if execs:
    e = execs[0]
    args = e["process"]["args"]
    enc = e.get("auditd", {}).get("encoded", [])
    expect(args[0] == w + "/prog" and args[1] == "arg one" and args[2] == "café" and args[4] == '"quoted"', f"args {args}")
    expect(args[3] == "bad%FF" and "process.args[3]" in enc, f"non-UTF-8 arg percent-encoded and listed: {args[3]} {enc}")
    expect(e["event"]["action"] == "exec" and e["event"]["outcome"] == "success", "exec action/outcome")
    expect("kt_exec" in e.get("tags", []), "exec tag")
    expect(e["user"]["name"] == "root", "user name")
    types = [r["type"] for r in e["auditd"]["records"]]
    expect(types[0] == "SYSCALL" and "EXECVE" in types and "PROCTITLE" in types, f"record types {types}")
    sysrec = e["auditd"]["records"][0]
    expect(sysrec["arch"] == "x86_64" and sysrec["syscall"] == "execve", "syscall record decoded")
creates = find(lambda e: e.get("file", {}).get("path") == w + "/a b.txt")
expect(len(creates) >= 1, "create of 'a b.txt' with its decoded path")
fails = find(lambda e: e.get("file", {}).get("path") == w + "/secret")
expect(len(fails) == 1 and fails[0]["event"]["outcome"] == "failure", "failed open is a failure")
if fails:
    expect(fails[0]["auditd"]["records"][0]["exit"] == "EACCES(Permission denied)", "exit decoded to errno")
    expect(fails[0]["user"]["name"] == "nobody", "the failing user is nobody")
losses = find(lambda e: e["event"]["kind"] == "pipeline_error")
expect(not losses, f"no loss events: {losses}")
sys.exit(0 if ok else 1)
PY

kt_check "kernel has no registered daemon after stop" bash -c "auditctl -s | grep -q '^pid 0'"
kt_check "the agent's rules are gone" bash -c "[[ \"\$(auditctl -l)\" == \"$KT_SAVED_RULES\" ]]"
kt_check "enabled is back to ${KT_SAVED[enabled]}" bash -c "auditctl -s | grep -q '^enabled ${KT_SAVED[enabled]}'"
kt_check "backlog_limit is back to ${KT_SAVED[backlog_limit]}" bash -c "auditctl -s | grep -q '^backlog_limit ${KT_SAVED[backlog_limit]}$'"
kt_finish
