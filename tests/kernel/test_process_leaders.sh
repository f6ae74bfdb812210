#!/usr/bin/env bash
# ECS's session and group leaders against the kernel's own answer. A user of the test runs three
# programs that each print their pid, session id and process group (os.getsid, os.getpgid); the
# agent, with the default rules' setsid/setpgid lines and a narrow exec rule for that user, must
# name the same pids as process.session_leader and process.group_leader of each program's exec:
#   plain   - started by a shell: its session and group are the shell's (inherited, not audited);
#   setsid  - setsid(1) makes it the leader of a new session and group (the setsid syscall);
#   job     - a shell with job control (set -m) puts the job in its own group (setpgid, called by
#             the shell and by the child).
# The leaders' entity ids must be those of the leaders' own images in the same output, and every
# event must stay ECS-valid.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init process_leaders
T=$KT_TMP
chmod 755 "$T"
HERE=$(cd "$(dirname "$0")" && pwd)

U=allead$$
useradd -M -d /nonexistent -s /bin/bash "$U"
KT_USERS+=("$U")
UID_=$(id -u "$U")

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve -F uid=$UID_ -k kt_lead
-a always,exit -F arch=b64 -S setsid,setpgid -F success=1 -F uid=$UID_ -k kt_lead
RULES
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json"
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"

# Each program prints "NAME pid sid pgid" into its own file.
cat >"$T/ids.py" <<'PY'
import os, sys
with open(sys.argv[2], "w") as f:
    f.write(f"{sys.argv[1]} {os.getpid()} {os.getsid(0)} {os.getpgid(0)}\n")
PY
chmod 644 "$T/ids.py"
mkdir -m 777 "$T/ids"
as_user() { setpriv --reuid="$UID_" --regid="$UID_" --clear-groups "$@"; }
as_user bash -c "$PY $T/ids.py plain $T/ids/plain.ids" 9>&-
as_user setsid --wait $PY "$T/ids.py" setsid "$T/ids/setsid.ids" 9>&-
as_user bash -c "set -m; $PY $T/ids.py job $T/ids/job.ids & wait" 9>&-

# bash, python (plain); setsid, python; bash, python (job): 6 execs, and setsid/setpgid events.
kt_check "the programs' execs are in the output" kt_wait_for 10 bash -c "[[ \$(grep -c '\"action\":\"exec\"' '$T/out.json' 2>/dev/null) -ge 6 ]]"
sleep 0.5
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
AGENT=""
kt_check "agent exits 0" test "$rc" -eq 0

checks=$($PY - "$T/out.json" "$T" <<'PY'
import json, sys
out, d = sys.argv[1], sys.argv[2]
events = [json.loads(line) for line in open(out, encoding="utf-8") if line.strip()]
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
images = {}  # entity id -> pid, for every image an event shows
for e in events:
    p = e.get("process", {})
    if "entity_id" in p:
        images[p["entity_id"]] = p.get("pid")
for name in ("plain", "setsid", "job"):
    try:
        _, pid, sid, pgid = open(f"{d}/ids/{name}.ids").read().split()
    except (OSError, ValueError):
        check(False, f"{name}: the program wrote its ids")
        continue
    pid, sid, pgid = int(pid), int(sid), int(pgid)
    # (setpriv and bash try each directory of PATH: the failed execs before are not the program.)
    ex = [e for e in events if e["event"].get("action") == "exec" and e["event"].get("outcome") == "success"
          and e.get("process", {}).get("pid") == pid and e["process"].get("name") == "python3"]
    check(len(ex) == 1, f"{name}: one exec of python3 as pid {pid}")
    if not ex:
        continue
    p = ex[0]["process"]
    sl, gl = p.get("session_leader", {}), p.get("group_leader", {})
    # A sid or pgid of 0 means the leader is outside this pid namespace (a CI runner in a
    # container, say): there is no leader to name, so the output must not invent one.
    leaders = []
    for what, leader, kid in (("session", sl, sid), ("group", gl, pgid)):
        if kid == 0:
            check(not leader, f"{name}: the kernel's {what} id is 0 (leader outside this pid namespace): no {what}_leader")
            continue
        check(leader.get("pid") == kid, f"{name}: {what}_leader.pid {leader.get('pid')} is the kernel's {what} id {kid}")
        check(leader.get("same_as_process") == (kid == pid),
              f"{name}: {what}_leader.same_as_process is {kid == pid}")
        leaders.append((what, leader))
    for what, leader in leaders:
        if leader.get("pid") == pid:
            check(leader.get("entity_id") == p.get("entity_id"), f"{name}: it leads its {what} itself: its own entity id")
        elif leader.get("entity_id") in images:
            check(images[leader["entity_id"]] == leader.get("pid"), f"{name}: the {what} leader's entity id is the image of pid {leader.get('pid')}")
        else:
            check("entity_id" in leader and "start" in leader, f"{name}: the {what} leader has an entity id and a start")
# What the job's shell did: setpgid for the job, audited and categorized.
sp = [e for e in events if e["event"].get("action") == "setpgid"]
check(len(sp) >= 1 and all(e["event"].get("category") == ["process"] and e["event"].get("type") == ["change"] for e in sp),
      f"setpgid events are process/change ({len(sp)})")
ss = [e for e in events if e["event"].get("action") == "setsid"]
check(len(ss) >= 1, f"the setsid event is there ({len(ss)})")
PY
) || true
kt_checks_from "" "$checks"
ecs=$($PY "$HERE/../ecs/check_ecs.py" --require ecs.version --require host.os.type "$T/out.json" 2>&1) && ok=0 || ok=$?
echo "$ecs" | tail -3
kt_check "every event is ECS-valid (check_ecs.py)" test "$ok" -eq 0
kt_finish
