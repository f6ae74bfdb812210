#!/usr/bin/env bash
# Security promises of `auditlens run`, against the real kernel:
# - a config or rules file (or rules.d file, or a directory above them) that others can change is
#   refused with a message naming it, before anything in the kernel is touched;
# - outputs and state are created private (0600; the state directory 0700);
# - it never runs a shell: the binary imports no system/popen/exec*/fork/posix_spawn, and the
#   sources call none of them;
# - its own activity is not audited (no feedback loop), even by a rule that matches its writes;
# - it never sets immutable or panic mode: asked to by config or rules, it refuses, and the kernel
#   never shows enabled 2 or failure 2. (A kernel already immutable cannot be made so here —
#   setting it is forbidden — so that decision is a unit test: tests/unit/security_test.cc.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init security
T=$KT_TMP
SRC=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
mkdir -p "$T/w" "$T/watched"
: >"$T/w/file"
cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S openat,open -F dir=$T/w -k kt_sec
-w $T/watched -p wa -k kt_self
RULES
chmod 0644 "$T/rules"
cat >"$T/config.toml" <<TOML
[agent]
status_path = "$T/watched/status.json"
state_path = "$T/watched/state/agent.state"
[kernel]
backlog_limit = 8192
[rules]
path = "$T/rules"
[output]
path = "$T/out/events.json"
[store]
enabled = false
TOML
chmod 0644 "$T/config.toml"
kstat() { auditctl -s | awk -v k="$1" '$1 == k {print $2}'; }
registered_as() { [[ $(kstat pid) == "$1" ]]; }
rules_before=$(auditctl -l)

# refused CONFIG [ARGS...]: exit 1, a message matching $EXPECT, and the kernel untouched.
refused() {
  local rc=0
  timeout 20 "$AUDITLENS" run "$@" >"$T/refused.out" 2>"$T/refused.err" || rc=$?
  [[ $rc -eq 1 ]] || { kt_log "exit $rc: $(cat "$T/refused.err")"; return 1; }
  grep -q -- "$EXPECT" "$T/refused.err" || { kt_log "message: $(cat "$T/refused.err")"; return 1; }
  [[ $(kstat pid) == 0 || $(kstat pid) == "${KT_SAVED[pid]}" ]] || return 1
  [[ "$(auditctl -l)" == "$rules_before" ]] || { kt_log "rules changed"; return 1; }
}

# 1. Files others can change.
cp "$T/config.toml" "$T/open.toml"
chmod 0666 "$T/open.toml"
EXPECT="refusing config file $T/open.toml: it is writable by all users (uid 0, gid 0, mode 0666)"
kt_check "a world-writable config file is refused" refused --config "$T/open.toml"
cp "$T/config.toml" "$T/group.toml"
chgrp 100 "$T/group.toml"
chmod 0664 "$T/group.toml"
EXPECT="refusing config file $T/group.toml: it is writable by a group other than root"
kt_check "a config file writable by a non-root group is refused" refused --config "$T/group.toml"
chgrp 0 "$T/group.toml"
cp "$T/rules" "$T/open.rules"
chmod 0646 "$T/open.rules"
EXPECT="refusing rules path $T/open.rules: it is writable by all users"
kt_check "a world-writable rules file (--rules) is refused" refused --config "$T/config.toml" --rules "$T/open.rules"
sed "s|^path = \"$T/rules\"|path = \"$T/open.rules\"|" "$T/config.toml" >"$T/via.toml"
chmod 0644 "$T/via.toml"
kt_check "a world-writable rules file (rules.path) is refused" refused --config "$T/via.toml"
mkdir -p "$T/rules.d"
cp "$T/rules" "$T/rules.d/10-ok.rules"
cp "$T/rules" "$T/rules.d/20-open.rules"
chmod 0644 "$T/rules.d/10-ok.rules"
chmod 0666 "$T/rules.d/20-open.rules"
EXPECT="refusing rules file $T/rules.d/20-open.rules: it is writable by all users"
kt_check "a world-writable file in a rules.d directory is refused" refused --config "$T/config.toml" --rules "$T/rules.d"
mkdir -p "$T/opendir"
cp "$T/config.toml" "$T/opendir/c.toml"
chmod 0644 "$T/opendir/c.toml"
chmod 0777 "$T/opendir"
EXPECT="refusing config file $T/opendir/c.toml: the directory $T/opendir above it is writable by all users"
kt_check "a config file in a directory anyone can write is refused" refused --config "$T/opendir/c.toml"
chmod 0755 "$T/opendir"

# 2. Immutable and panic are refused, from config and from rules.
printf '[kernel]\nfailure = 2\n' >"$T/panic.toml"
chmod 0644 "$T/panic.toml"
EXPECT="'kernel.failure' 2 (panic on lost records) is refused"
kt_check "kernel.failure = 2 in the config is refused" refused --config "$T/panic.toml"

# 3. A normal run: private files, no feedback loop, immutable/panic lines in rules refused.
cat "$T/rules" >"$T/rules.bad"
printf -- '-e 2\n-f 2\n' >>"$T/rules.bad"
chmod 0644 "$T/rules.bad"
umask 022
"$AUDITLENS" run --config "$T/config.toml" --rules "$T/rules.bad" 2>"$T/agent.log" &
AGENT=$!
kt_track_pid $AGENT
kt_check "the agent registers" kt_wait_for 10 registered_as $AGENT
kt_wait_for 10 bash -c "auditctl -l | grep -q kt_self"
kt_check "-e 2 in a rules file is refused" grep -q "rules.bad:3: .*-e 2" "$T/agent.log"
kt_check "-f 2 in a rules file is refused" grep -q "rules.bad:4: .*-f 2" "$T/agent.log"
# The agent rewrites its status (every second) and state (after each flush) inside the watched
# directory; a shell writes there too.
cat "$T/w/file" >/dev/null
sleep 3.5
bash -c 'echo x >"$1/watched/by-shell"' _ "$T"
sleep 1.5
kt_check "the kernel is never immutable while the agent runs" test "$(kstat enabled)" = 1
kt_check "the kernel never panics on loss while the agent runs" test "$(kstat failure)" != 2
kill -TERM $AGENT
wait $AGENT && rc=0 || rc=$?
kt_check "the agent exits 0" test $rc -eq 0
kt_check "the output file is 0600" test "$(stat -c %a "$T/out/events.json")" = 600
kt_check "the state file is 0600" test "$(stat -c %a "$T/watched/state/agent.state")" = 600
kt_check "the state directory is 0700" test "$(stat -c %a "$T/watched/state")" = 700
kt_check "enabled and failure are back, never 2" bash -c "[[ \$(auditctl -s | awk '/^enabled/{print \$2}') == ${KT_SAVED[enabled]} && \$(auditctl -s | awk '/^failure/{print \$2}') == ${KT_SAVED[failure]} ]]"
$PY - "$T/out/events.json" "$AGENT" <<'PY' && kt_check "no event of the agent's own writes; the shell's write is audited" true || kt_check "no event of the agent's own writes; the shell's write is audited" false
import json, sys
events = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
agent = int(sys.argv[2])
watched = [e for e in events if "kt_self" in e.get("tags", [])]
own = [e for e in watched if e.get("process", {}).get("pid") == agent]
other = [e for e in watched if e.get("process", {}).get("pid") != agent]
print(f"  kt_self events: {len(watched)}, by the agent: {len(own)}, by others: {len(other)}", file=sys.stderr)
sys.exit(0 if not own and other else 1)
PY

# 4. No shell, ever: nothing that runs a program is imported or called.
imports=$(nm -D --undefined-only "$AUDITLENS" | awk '{print $NF}' | sed 's/@.*//' |
  grep -E '^(system|popen|execl|execlp|execle|execv|execve|execvp|execvpe|fexecve|fork|vfork|posix_spawn|posix_spawnp|wordexp)$' || true)
kt_check "the binary imports no way to run a program (${imports:-none})" test -z "$imports"
calls=$(grep -rnE '(^|[^_a-zA-Z.>])(system|popen|execl|execlp|execle|execv|execve|execvp|execvpe|fork|vfork|posix_spawnp?|wordexp)[[:space:]]*\(' \
  "$SRC/src" --include='*.cc' --include='*.h' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(//|#)' || true)
kt_check "the sources call none of them" test -z "$calls"
[[ -z $calls ]] || echo "$calls" | head -5
kt_finish
