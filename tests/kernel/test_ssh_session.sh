#!/usr/bin/env bash
# A real SSH login, end to end: the test runs its own sshd on a loopback port (Debian's PAM config,
# so pam_loginuid gives the session its auid and ses), creates a user with a key, and starts the
# agent with a store in a temp dir. The user logs in, runs a command that succeeds, one that fails,
# one that opens a TCP connection to a listener of the test, one that creates a file in a watched
# directory, and logs out; a password login with a wrong password fails. Then `auditlens sessions`
# (while the agent runs, and after) shows both logins with the right user, address and ports, and
# `auditlens timeline` shows exactly those commands, in order, nested under the session's shell,
# with the connection (both ends, Community ID) and the file change, plain and as JSON.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init ssh_session
T=$KT_TMP
chmod 755 "$T"

kt_need_sshd

U=alsess$$
kt_login_user "$U" "$T/userkey"
UID_=$(id -u "$U")
H=$(getent passwd "$U" | cut -d: -f6)
mkdir -p "$H/watched"
chown "$U:$U" "$H/watched"

SSH_PORT=$(kt_free_port)
kt_sshd_config "$T" "$SSH_PORT" "$U" "PasswordAuthentication yes" "LogLevel VERBOSE"

# Narrow rules: the test user's session (auid) and the test's sshd; the same syscalls as the
# default rules (src/rules/default_rules.h), plus a watch on the user's directory.
cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve,execveat -F auid=$UID_ -k exec
-a always,exit -F arch=b64 -S execve -F exe=/usr/sbin/sshd -k exec
-a always,exit -F arch=b64 -S connect,accept,accept4,bind -F saddr_fam=2 -F auid=$UID_ -k network
-a always,exit -F arch=b64 -S connect,accept,accept4,bind -F saddr_fam=10 -F auid=$UID_ -k network
-a always,exit -F arch=b64 -S accept,accept4 -F a1=0 -F success=1 -F auid=$UID_ -k network
-a always,exit -F arch=b64 -S accept,accept4,bind -F saddr_fam=2 -F exe=/usr/sbin/sshd -k network
-a always,exit -F arch=b64 -S accept,accept4,bind -F saddr_fam=10 -F exe=/usr/sbin/sshd -k network
-a always,exit -F arch=b64 -S setuid,setgid,setreuid,setregid,setresuid,setresgid -F auid=$UID_ -k privilege
-a never,exit -F arch=b64 -S clone -F a0&0x10000 -k fork
-a always,exit -F arch=b64 -S clone,fork,vfork -F auid=$UID_ -k fork
-a always,exit -F arch=b64 -S exit_group -F auid=$UID_ -k exit
-w $H/watched -p wa -k watched
RULES
DB=$T/store/auditlens.db
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" store.enabled= "store.path=\"$DB\""

kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"
kt_check "the store file exists, mode 0600" kt_wait_for 5 bash -c "[[ \$(stat -c %a '$DB' 2>/dev/null) == 600 ]]"

kt_start_sshd "$T" "$SSH_PORT"

# The peer of the session's connection: accepts one connection, reports the client's port, holds
# the connection until the client closes it.
kt_tcp_listener "$T/listener"

SSH=("${KT_SSH[@]}")
# The connection is held half a second, so the network enricher finds our end of it.
CONNECT="import socket, time; s = socket.create_connection((\"127.0.0.1\", $LPORT)); time.sleep(0.5); s.close()"
set +e
"${SSH[@]}" -i "$T/userkey" -o BatchMode=yes -o IdentitiesOnly=yes "$U@127.0.0.1" \
  "touch ~/watched/new.txt; ls / >/dev/null; cat /nonexistent; /usr/bin/python3 -c '$CONNECT'; echo done" \
  >"$T/ssh.out" 2>"$T/ssh.err"
SSH_RC=$?
set -e
kt_check "the SSH session ran (exit $SSH_RC)" grep -q '^done$' "$T/ssh.out"
CLIENT_PORT=$(sed -n "s/.*Accepted publickey for $U from 127.0.0.1 port \([0-9]*\).*/\1/p" "$T/sshd.log" | head -1)
kt_check "sshd logged the client's port ($CLIENT_PORT)" test -n "$CLIENT_PORT"

# A password login that fails (the account has no password): a failed login of its own.
printf '#!/bin/sh\necho wrong-password\n' >"$T/askpass"
chmod 755 "$T/askpass"
SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none setsid -w "${SSH[@]}" \
  -o PreferredAuthentications=password -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 \
  "$U@127.0.0.1" true </dev/null >/dev/null 2>"$T/ssh-fail.err" || true

session_json() { "$AUDITLENS" sessions --config "$T/config.toml" --user "$U" --json; }
closed_and_failed() {
  session_json >"$T/sessions-live.json" 2>/dev/null &&
    grep -q '"state":"closed"' "$T/sessions-live.json" && grep -q '"state":"failed"' "$T/sessions-live.json"
}
kt_check "auditlens sessions shows the login and the failed one while the agent runs" kt_wait_for 15 closed_and_failed
LIVE_SID=$($PY -c 'import json,sys; print([json.loads(l)["id"] for l in open(sys.argv[1]) if json.loads(l)["state"]=="closed"][0])' "$T/sessions-live.json")
kt_check "auditlens timeline reads the session while the agent runs" \
  bash -c "'$AUDITLENS' timeline --config '$T/config.toml' '$LIVE_SID' | grep -q '\$ cat /nonexistent  FAILED: exit 1'"

kill -TERM $AGENT
wait $AGENT
rc=$?
kt_check "agent exits 0 on SIGTERM" test "$rc" -eq 0
kt_check "no store-full loss events" bash -c "! grep -q '\"cause\":\"store-full\"' '$T/out.json'"

session_json >"$T/sessions.json"
"$AUDITLENS" sessions --config "$T/config.toml" >"$T/sessions.txt"
SID=$($PY -c 'import json,sys; print([json.loads(l)["id"] for l in open(sys.argv[1]) if json.loads(l)["state"]=="closed"][0])' "$T/sessions.json")
"$AUDITLENS" timeline --config "$T/config.toml" "$SID" >"$T/timeline.txt"
"$AUDITLENS" timeline --config "$T/config.toml" "$SID" --json >"$T/timeline.json"
"$AUDITLENS" timeline --db "$DB" "$SID" --color always >"$T/timeline-colour.txt"
echo "--- auditlens timeline $SID"
cat "$T/timeline.txt"
echo "---"

kt_check "sessions (plain) has the user, 127.0.0.1 and the client's port" \
  grep -q "$SID  *$U  *sshd  *127.0.0.1:$CLIENT_PORT " "$T/sessions.txt"
kt_check "timeline without a terminal has no colour" bash -c "! grep -q \$'\\x1b' '$T/timeline.txt'"
kt_check "timeline --color always has colour" grep -q $'\x1b\[' "$T/timeline-colour.txt"

$PY - "$T" "$U" "$H" "$CLIENT_PORT" "$SSH_PORT" "$LPORT" <<'PY' && kt_check "sessions and timeline (JSON and plain) say what happened" true || kt_check "sessions and timeline (JSON and plain) say what happened" false
import json, sys
T, user, home, client_port, ssh_port, lport = sys.argv[1:7]
ok = True
def expect(cond, what):
    global ok
    if not cond:
        ok = False
        print("FAIL:", what, file=sys.stderr)

sessions = [json.loads(l) for l in open(T + "/sessions.json")]
closed = [s for s in sessions if s["state"] == "closed"]
failed = [s for s in sessions if s["state"] == "failed"]
expect(len(closed) == 1, f"one closed session of {user}: {sessions}")
expect(len(failed) == 1, f"one failed login of {user}: {sessions}")
if closed:
    s = closed[0]
    expect(s["user"] == user and s["service"] == "sshd", f"user and service: {s}")
    expect(s["source"] == {"ip": "127.0.0.1", "port": int(client_port)}, f"source: {s['source']}")
    expect(s.get("destination") == {"ip": "127.0.0.1", "port": int(ssh_port)}, f"destination: {s.get('destination')}")
    expect(s["commands"] == 4, f"4 commands: {s['commands']}")
    expect(s["failures"] == 1, f"1 failure: {s['failures']}")
    expect(s["end"] is not None and 0 <= s["duration_ms"] < 60000, f"ended: {s}")
if failed:
    f = failed[0]
    expect(f["user"] == user and f["service"] == "sshd" and f["source"]["ip"] == "127.0.0.1", f"failed login: {f}")
    expect(f["auth_failures"] == 1, f"one password attempt, one failure: {f}")

t = json.load(open(T + "/timeline.json"))
entries = t["entries"]
kinds = [e["kind"] for e in entries]
expect(kinds[0] == "login" and kinds[-1] == "logout", f"login first, logout last: {kinds}")
expect("login-scripts" in kinds, f"the motd scripts folded into one line: {kinds}")
commands = [e for e in entries if e["kind"] == "command"]
shell = [e for e in entries if e["kind"] == "shell"]
got = [e["detail"]["args"] for e in commands]
expect(len(got) == 4 and got[0] == ["touch", home + "/watched/new.txt"] and got[1] == ["ls", "/"]
       and got[2] == ["cat", "/nonexistent"] and got[3][:2] == ["/usr/bin/python3", "-c"]
       and got[3][2].startswith("import socket"), f"exactly the four commands, in order: {got}")
expect(len(shell) == 1 and shell[0]["detail"]["args"][:2] == ["bash", "-c"] and shell[0]["depth"] == 0,
       f"one shell, at the top: {shell}")
expect(all(e["depth"] == 1 for e in commands), f"commands nested under the shell: {[e['depth'] for e in commands]}")
by_args = {e["detail"]["args"][0]: e for e in commands}
cat = by_args.get("cat", {"failed": False, "detail": {}, "status": ""})
expect(cat["failed"] and cat["detail"].get("exit_code") == 1 and cat["status"] == "exit 1",
       f"cat failed with exit 1: {cat}")
expect(all(a in by_args and not by_args[a]["failed"] and by_args[a]["detail"].get("exit_code") == 0
           for a in ("touch", "ls", "/usr/bin/python3")), "the others succeeded with exit 0")
idx = {id(e): i for i, e in enumerate(entries)}
files = [e for e in entries if e["kind"] == "file"]
expect(len(files) == 1 and files[0]["detail"]["op"] == "created" and files[0]["detail"]["path"] == home + "/watched/new.txt"
       and files[0]["detail"].get("rule") == "watched", f"the file change: {files}")
if files:
    i = idx[id(files[0])]
    expect(entries[i - 1]["kind"] == "command" and entries[i - 1]["detail"]["args"][0] == "touch" and files[0]["depth"] == 2,
           "the file change is under touch")
nets = [e for e in entries if e["kind"] == "network"]
expect(len(nets) == 1, f"one connection: {nets}")
if nets:
    n = nets[0]
    d = n["detail"]
    i = idx[id(n)]
    expect(entries[i - 1]["detail"]["args"][0] == "/usr/bin/python3" and n["depth"] == 2, "the connection is under python3")
    expect(d["op"] == "connect" and d["remote"] == {"ip": "127.0.0.1", "port": int(lport)}, f"remote end: {d}")
    peer = int(open(T + "/listener.peer").read())
    expect(d.get("local") == {"ip": "127.0.0.1", "port": peer}, f"local end {d.get('local')}, the listener saw port {peer}")
    expect(d.get("community_id", "").startswith("1:"), f"community id: {d}")
expect(t["session"]["id"] == closed[0]["id"] if closed else False, "timeline of that session")

text = open(T + "/timeline.txt").read()
lines = text.splitlines()
expect(any(f"logged in via sshd from 127.0.0.1:{client_port}" in l for l in lines), "plain: the login line")
order = [next((i for i, l in enumerate(lines) if f"$ {c}" in l), -1) for c in
         (f"touch {home}/watched/new.txt", "ls /", "cat /nonexistent", "/usr/bin/python3 -c")]
expect(-1 not in order and order == sorted(order), f"plain: the commands in order {order}")
cat_line = next((l for l in lines if "$ cat /nonexistent" in l), "")
expect("FAILED: exit 1" in cat_line, f"plain: cat marked failed: {cat_line!r}")
expect(any(f"created {home}/watched/new.txt" in l for l in lines), "plain: the file change")
expect(any(f"-> 127.0.0.1:{lport}" in l and "community id 1:" in l for l in lines), "plain: the connection with both ends")
expect(any("logged out" in l for l in lines), "plain: the logout")
sys.exit(0 if ok else 1)
PY

kt_check "kernel has no registered daemon after stop" bash -c "auditctl -s | grep -q '^pid 0'"
kt_finish
