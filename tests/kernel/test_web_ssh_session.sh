#!/usr/bin/env bash
# `auditlens web` in a real browser on a real SSH session: the test's own sshd on a loopback port,
# a user with a key, the agent writing a store; the user logs in and runs commands, one failing and
# one whose command line is hostile HTML (`<img src=x onerror=...>`, `<script>`); a second login
# waits, while the web page's live view is open, for a file of the test, then runs a marker
# command. Headless Chromium (tests/web/browser_check.py, over the DevTools protocol) checks the
# sessions list, the timeline's commands in order, one event opened, the hostile text shown as text
# with nothing run, the process tree and the live view; screenshots go to
# $BUILD_DIR/test-artifacts/web/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init web_ssh_session
T=$KT_TMP
chmod 755 "$T"
SHOTS=${BUILD_DIR:-$T}/test-artifacts/web
command -v chromium >/dev/null && $PY -c 'import websocket' 2>/dev/null ||
  { echo "web_ssh_session: needs chromium and python3-websocket (scripts/install-deps.sh test)" >&2; exit 1; }

kt_need_sshd
U=alweb$$
kt_login_user "$U" "$T/userkey"
UID_=$(id -u "$U")
SSH_PORT=$(kt_free_port)
kt_sshd_config "$T" "$SSH_PORT" "$U" "LogLevel VERBOSE"

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve,execveat -F auid=$UID_ -k exec
-a always,exit -F arch=b64 -S execve -F exe=/usr/sbin/sshd -k exec
-a always,exit -F arch=b64 -S accept,accept4,bind -F saddr_fam=2 -F exe=/usr/sbin/sshd -k network
-a never,exit -F arch=b64 -S clone -F a0&0x10000 -k fork
-a always,exit -F arch=b64 -S clone,fork,vfork -F auid=$UID_ -k fork
-a always,exit -F arch=b64 -S exit_group -F auid=$UID_ -k exit
RULES
DB=$T/store/auditlens.db
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" store.enabled= "store.path=\"$DB\""
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"
kt_start_sshd "$T" "$SSH_PORT"
SSH=("${KT_SSH[@]}" -i "$T/userkey" -o BatchMode=yes -o IdentitiesOnly=yes "$U@127.0.0.1")

# The commands, read by the login's shell from standard input: each an execve with these args.
HOSTILE1='<img src=x onerror="window.__pwned=1;document.title=\"pwned\"">'
HOSTILE2='<script>window.__pwned=2;document.title="pwned"</script>'
cat >"$T/commands.sh" <<CMDS
/bin/ls /
/bin/cat /nonexistent
/bin/echo '$HOSTILE1' '$HOSTILE2'
/bin/true all-done
CMDS
"${SSH[@]}" 'bash -s' <"$T/commands.sh" >"$T/ssh.out" 2>"$T/ssh.err" || true
kt_check "the SSH session ran" grep -q 'pwned' "$T/ssh.out"

session_ids() {  # STATE: the ids of the user's sessions in that state
  "$AUDITLENS" sessions --config "$T/config.toml" --user "$U" --json 2>/dev/null |
    $PY -c 'import json,sys; print(" ".join(s["id"] for s in map(json.loads, sys.stdin) if s["state"] == sys.argv[1]))' "$1"
}
closed_one() { [[ -n $(session_ids closed) ]]; }
kt_check "the store has the closed login" kt_wait_for 15 closed_one
SID=$(session_ids closed)

# The second login: waits for $T/live-go (the browser check makes it once the live view is open),
# then runs the marker (computed by the remote shell: the shell's own command line, shown before,
# does not hold it).
MARKER=live-marker-$(( $$ + 1 ))
"${SSH[@]}" "/usr/bin/python3 -c 'import os,time
while not os.path.exists(\"$T/live-go\"): time.sleep(0.2)'; /bin/echo live-marker-\$(( $$ + 1 )); /bin/sleep 1" \
  >"$T/ssh2.out" 2>&1 </dev/null &
SSH2=$!
kt_track_pid "$SSH2"
open_one() { [[ -n $(session_ids active) || -n $(session_ids open) ]]; }
kt_check "the store has the open login" kt_wait_for 15 open_one
LIVE=$(session_ids active)
[[ -n $LIVE ]] || LIVE=$(session_ids open)

WEB_PORT=$(kt_free_port)
"$AUDITLENS" web --db "$DB" --listen "127.0.0.1:$WEB_PORT" --token-file "$T/web-token" >"$T/web.out" 2>"$T/web.err" &
WEB=$!
kt_track_pid "$WEB"
kt_check "auditlens web starts" kt_wait_for 10 grep -q "serving http://127.0.0.1:$WEB_PORT/" "$T/web.out"
kt_check "the token file is made 0600" bash -c "[[ \$(stat -c %a '$T/web-token') == 600 ]]"

mkdir -p "$SHOTS"
set +e
$PY "$SOURCE_DIR/tests/web/browser_check.py" --url "http://127.0.0.1:$WEB_PORT" --token "$(cat "$T/web-token")" \
  --session "$SID" --user "$U" \
  --commands '["/bin/ls /", "/bin/cat /nonexistent", "/bin/echo", "/bin/true all-done"]' \
  --hostile "$($PY -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$HOSTILE1" "$HOSTILE2")" \
  --shots "$SHOTS" --live-session "$LIVE" --live-go "$T/live-go" --live-marker "$MARKER" >"$T/browser.out" 2>&1
BROWSER_RC=$?
set -e
cat "$T/browser.out"
kt_check "the page works in Chromium (browser_check.py: $(tail -1 "$T/browser.out"))" test "$BROWSER_RC" -eq 0
kt_check "a screenshot of each page" bash -c "for p in sessions timeline event tree live; do [[ -s '$SHOTS/'\$p.png ]] || exit 1; done"

wait "$SSH2" 2>/dev/null || true
kill -TERM "$WEB"
wait "$WEB" && rc=0 || rc=$?
kt_check "auditlens web exits 0 on SIGTERM" test "$rc" -eq 0
kill -TERM "$AGENT"
wait "$AGENT" || true
kt_check "kernel has no registered daemon after stop" bash -c "auditctl -s | grep -q '^pid 0'"
kt_finish
