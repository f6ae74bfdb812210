#!/usr/bin/env bash
# Containers in the store, end to end (issue 21, "Store and query"). No runtime runs here
# (NOTES.md), so, as test_container_identity.sh does, the test makes the cgroup a podman container
# has (machine.slice/libpod-<64 hex>.scope, in every writable hierarchy) and runs a marker program
# in it (a copy of bash, $T/almark, picked out by the rules) twice:
#   session: from an SSH login of a test user (its own sshd on loopback: pam_loginuid gives the
#     processes the session's auid and ses), as `podman exec` from an SSH session would: a wrapper
#     the user starts waits while the test moves it into the container's cgroup, then execs the
#     marker;
#   outside: started by the test itself, outside any login session (this test runs with no audit
#     session; if it has one, that part is said and not checked).
# In the container the marker creates a file in a watched directory and runs a command that fails
# (exit 3). The agent writes its store; then:
#   `auditlens containers` lists the container (short id, podman), with both markers' processes and
#   one login session (plain and --json);
#   `auditlens timeline --container` (by a 12-character prefix, by the full id) shows both markers'
#   commands, the file and the failure, in time order, the session's command marked with its
#   session; a prefix shorter than 12 is refused (exit 1);
#   `auditlens sessions --container` gives the SSH session, and the session's own timeline marks
#   the marker's command [container <short id>] and not the commands outside it.
# Skipped (77) where no cgroup hierarchy is writable.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init container_store
T=$KT_TMP
chmod 755 "$T"
TAG=alstore$$

if ! kt_cgroup_writable "$TAG-probe"; then
  echo "$KT_NAME: skipped: no cgroup hierarchy is writable here (mounted: $(awk '$3 ~ /^cgroup/ {printf "%s ", $2}' /proc/self/mounts))" >&2
  exit 77
fi
echo "# writable cgroup hierarchies: ${KT_CGROUP_ROOTS[*]}"
kt_need_sshd

U=alctr$$
kt_login_user "$U" "$T/userkey"
UID_=$(id -u "$U")
CID=$(printf '%s' "$TAG" | sha256sum | cut -c1-64)
SHORT=${CID:0:12}
echo "# container id $CID"

M=$T/almark
cp /bin/bash "$M"
chmod 755 "$M"
mkdir -p "$T/w" "$T/pids"
chmod 777 "$T/w" "$T/pids"
# The marker waits until the test has seen its exec in the output (so the agent read its cgroup
# while it was there: a process gone by then is taken to be where its parent was).
cat >"$T/inside.sh" <<'INSIDE'
role=$1
read -r _ <"$GO2.$role"
: >"$W/$role.created"
"$M" -c 'exit 3'
exit 0
INSIDE
chmod 755 "$T/inside.sh"

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve,execveat -F auid=$UID_ -k exec
-a always,exit -F arch=b64 -S execve -F exe=/usr/sbin/sshd -k exec
-a always,exit -F arch=b64 -S execve -F exe=$M -k exec
-a always,exit -F arch=b64 -S exit_group -F auid=$UID_ -k exit
-a always,exit -F arch=b64 -S exit_group -F exe=$M -k exit
-a never,exit -F arch=b64 -S clone -F a0&0x10000 -k fork
-a always,exit -F arch=b64 -S clone,fork,vfork -F auid=$UID_ -k fork
-w $T/w -p wa -k watched
RULES
DB=$T/store/auditlens.db
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" store.enabled= "store.path=\"$DB\"" \
  "enrich.containers=true"
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"
kt_check "the store file exists" kt_wait_for 5 test -f "$DB"

SSH_PORT=$(kt_free_port)
kt_sshd_config "$T" "$SSH_PORT" "$U"
kt_start_sshd "$T" "$SSH_PORT"

# run_in_container ROLE PID: moves PID (a wrapper waiting on $T/go.ROLE) into the container's cgroup
# in every writable hierarchy, lets it exec the marker, and once the marker's exec is in the output
# lets the marker go on ($GO2.ROLE).
run_in_container() {
  local role=$1 pid=$2 entered=1
  kt_cgroup_enter "$pid" machine.slice "libpod-$CID.scope" || entered=0
  kt_check "$role: the wrapper entered the container's cgroup" test "$entered" = 1
  grep -E '^[0-9]+:' "/proc/$pid/cgroup" | cut -d: -f3- | sort -u | sed "s/^/# $role: /"
  echo go >"$T/go.$role"
  kt_check "$role: the marker's exec is in the output" \
    kt_wait_for 15 grep -qF "\"pid\":$pid,\"parent\"" "$T/out.json"
  echo go >"$GO2.$role"
}

# session: the user's wrapper, from an SSH login.
GO2=$T/go2
mkfifo -m 666 "$T/go.session" "$GO2.session" "$GO2.outside"
export T M GO2
W=$T/w
export W
"${KT_SSH[@]}" -i "$T/userkey" -o BatchMode=yes -o IdentitiesOnly=yes "$U@127.0.0.1" \
  "echo \$\$ >$T/pids/session; read -r _ <$T/go.session; W=$W M=$M GO2=$GO2 exec $M $T/inside.sh session" \
  >"$T/ssh.out" 2>"$T/ssh.err" 9>&- &
SSH_PID=$!
kt_track_pid "$SSH_PID"
kt_check "session: the user's wrapper runs" kt_wait_for 15 test -s "$T/pids/session"
run_in_container session "$(cat "$T/pids/session")"
set +e
wait "$SSH_PID"
set -e
kt_check "session: the marker ran in the container" test -f "$T/w/session.created"

# outside: the test's own wrapper, in no login session.
own_auid=$(cat /proc/self/loginuid)
mkfifo "$T/go.outside"
bash -c 'read -r _ <"$1"; exec "$M" "$T/inside.sh" outside' _ "$T/go.outside" 9>&- &
OUT_PID=$!
kt_track_pid "$OUT_PID"
run_in_container outside "$OUT_PID"
wait "$OUT_PID" || true
kt_check "outside: the marker ran in the container" test -f "$T/w/outside.created"

# The store, while the agent runs: the container with its processes of both.
listed() {
  "$AUDITLENS" containers --db "$DB" --json >"$T/containers.json" 2>"$T/containers.err" &&
    $PY - "$T/containers.json" "$CID" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
c = [r for r in rows if r["id"] == sys.argv[2]]
sys.exit(0 if c and c[0]["processes"] >= 4 and c[0]["sessions"] >= 1 else 1)
PY
}
kt_check "auditlens containers lists the container with the processes of both markers" kt_wait_for 20 listed
kill -TERM "$AGENT"
wait "$AGENT" || true

"$AUDITLENS" containers --db "$DB" --json >"$T/containers.json"
"$AUDITLENS" containers --db "$DB" >"$T/containers.txt"
echo "--- auditlens containers"
cat "$T/containers.txt"
kt_check "containers (plain): its short id and runtime" grep -qE "^$SHORT +- +- +podman " "$T/containers.txt"
set +e
"$AUDITLENS" timeline --db "$DB" --container "$SHORT" >"$T/ctimeline.txt"
rc_short=$?
"$AUDITLENS" timeline --db "$DB" --container "$CID" --json >"$T/ctimeline.json"
rc_full=$?
"$AUDITLENS" timeline --db "$DB" --container "${CID:0:8}" >/dev/null 2>"$T/tooshort.err"
rc_tooshort=$?
"$AUDITLENS" sessions --db "$DB" --container "$SHORT" --json >"$T/csessions.json"
rc_sessions=$?
set -e
echo "--- auditlens timeline --container $SHORT"
cat "$T/ctimeline.txt"
kt_check "timeline --container by a 12-character prefix: exit 0" test "$rc_short" -eq 0
kt_check "timeline --container by the full id: exit 0" test "$rc_full" -eq 0
kt_check "timeline --container with 8 characters: exit 1, says why" \
  bash -c "[[ $rc_tooshort -eq 1 ]] && grep -q 'at least 12' '$T/tooshort.err'"
kt_check "sessions --container: exit 0" test "$rc_sessions" -eq 0
SID=$($PY -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print(r[0]["id"] if len(r)==1 else "")' "$T/csessions.json")
kt_check "sessions --container gives the one SSH session ($SID)" test -n "$SID"
"$AUDITLENS" timeline --db "$DB" "$SID" >"$T/stimeline.txt"
"$AUDITLENS" timeline --db "$DB" "$SID" --json >"$T/stimeline.json"
echo "--- auditlens timeline $SID"
cat "$T/stimeline.txt"

checks=$($PY - "$T" "$CID" "$SID" "$own_auid" <<'PY'
import json, sys
T, cid, sid, own_auid = sys.argv[1:5]
def check(ok, what):
    print(("ok - " if ok else "not ok - ") + what)

c = [json.loads(l) for l in open(T + "/containers.json")]
mine = [r for r in c if r["id"] == cid]
check(len(mine) == 1, "containers --json: the container once")
if mine:
    r = mine[0]
    check(r.get("runtime") == "podman" and r.get("short_id") == cid[:12],
          f"containers --json: runtime podman, short id ({r.get('runtime')}, {r.get('short_id')})")
    check(r["processes"] >= 4, f"containers --json: both markers and their commands ({r['processes']} processes)")
    check(r["sessions"] == 1, f"containers --json: one login session ran in it ({r['sessions']})")
    check(r["first_seen_ms"] <= r["last_seen_ms"], "containers --json: first seen before last seen")

t = json.load(open(T + "/ctimeline.json"))
check(t.get("container", {}).get("id") == cid, "timeline --container --json: the container")
entries = t.get("entries", [])
def find(pred):
    return [e for e in entries if pred(e)]
sess_cmd = find(lambda e: e["kind"] == "command" and "inside.sh session" in e["text"])
out_cmd = find(lambda e: e["kind"] == "command" and "inside.sh outside" in e["text"])
check(len(sess_cmd) == 1, f"timeline --container: the session's marker ({len(sess_cmd)})")
check(len(out_cmd) == 1, f"timeline --container: the marker outside sessions ({len(out_cmd)})")
if sess_cmd:
    # A container's timeline names a session on the entry where it begins; the marker's, or the
    # entry it is nested under: its wrapper shell is in the container too when the agent read the
    # shell's cgroup after the test moved it there (the read is asynchronous to the test).
    i = entries.index(sess_cmd[0])
    named = sess_cmd[0].get("session")
    depth = sess_cmd[0]["depth"]
    for e in reversed(entries[:i]):
        if named:
            break
        if e["depth"] < depth:
            named, depth = e.get("session"), e["depth"]
    check(named == sid, f"timeline --container: the session's marker, or the entry it is nested under, names its session ({named})")
if out_cmd:
    if own_auid == "4294967295":
        check("session" not in out_cmd[0], "timeline --container: the marker outside sessions names none")
    else:
        print(f"# this test runs in an audit session (auid {own_auid}): 'outside' is in it; not checked")
fails = find(lambda e: e["kind"] == "command" and "exit 3" in e["text"] and e.get("status") == "exit 3")
check(len(fails) == 2, f"timeline --container: both failed commands, exit 3 ({len(fails)})")
files = find(lambda e: e["kind"] == "file" and ".created" in e["text"])
check(len(files) == 2, f"timeline --container: both files created ({len(files)})")
times = [e["time"] for e in entries if e["depth"] == 0]
check(times == sorted(times), "timeline --container: in time order")
text = open(T + "/ctimeline.txt").read()
check(f"Container {cid[:12]} (podman)" in text, "timeline --container (plain): its header")
check(f"[session {sid}]" in text, "timeline --container (plain): the session's command is marked with it")

s = json.load(open(T + "/stimeline.json"))
se = s.get("entries", [])
marked = [e for e in se if e.get("container", {}).get("id") == cid]
check(any("inside.sh session" in e["text"] for e in marked),
      "session timeline --json: the marker's command carries the container")
unmarked_outside = [e for e in se if e["kind"] == "command" and "inside.sh" not in e["text"]
                    and "exit 3" not in e["text"] and "container" in e]
check(not unmarked_outside, f"session timeline --json: commands outside it are not marked ({len(unmarked_outside)})")
check(any(c.get("id") == cid for c in s.get("containers", [])), "session timeline --json: the session's containers")
st = open(T + "/stimeline.txt").read()
check(f"[container {cid[:12]}]" in st, "session timeline (plain): [container <short id>] on the marker")
check(not any("inside.sh outside" in e["text"] for e in se), "session timeline: not the marker outside it")
PY
) || true
kt_checks_from "" "$checks"
if ((KT_FAILED)); then
  echo "# agent log:"
  tail -5 "$T/agent.log"
fi
kt_finish
