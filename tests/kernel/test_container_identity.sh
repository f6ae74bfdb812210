#!/usr/bin/env bash
# container.*, orchestrator.* and service.name from /proc/PID/cgroup, end to end (issue 21). No
# runtime runs here (NOTES.md: podman run and crun fail on this machine), so the test builds the
# cgroup trees a runtime would, under every mounted hierarchy (kt_cgroup_enter), and runs a marker
# program in each: a copy of bash ($T/almark) that the rules pick out by its executable, plus
# opens of $T/w/file (a non-exec event of the same processes). In each case:
#   a wrapper, moved into the case's cgroups while it waits, execs the marker (P); P waits until
#   its exec is in the output (so the agent read its cgroup while it was there), opens the file,
#   runs the marker again as a child that waits for its own exec and opens the file (A), and as a
#   child that exits at once (B: likely gone before the agent reads it, so it takes P's), then
#   opens the file again.
# Every event of P, A and B must carry exactly the case's container {id, runtime}, orchestrator
# (kubernetes pod uid, under kubepods) and service.name, or none of them where none is expected.
# One more (early) is in its docker container before the agent starts: its open, the only event,
# must carry the container the agent read from /proc at start.
# Cases: docker (cgroupfs and systemd drivers), containerd under kubepods (systemd driver), CRI-O
# under kubepods (cgroupfs driver), podman, LXC, systemd-nspawn, a systemd service outside any
# container, a plain cgroup of the test, the test's own cgroup (no container), and hostile names:
# a quote, a backslash, a tab and 250 bytes below a docker container (inside it: that container)
# and the same at the top (nothing); a path longer than the kernel writes (it cuts it at 4095
# bytes) below a docker container and a line break (refused by this kernel: then skipped), which
# must still give valid events with no container or the right one. Every event must pass check_ecs.py. Skipped (77) where no cgroup
# hierarchy is writable.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init container_identity
T=$KT_TMP
chmod 755 "$T"
HERE=$(cd "$(dirname "$0")" && pwd)
TAG=altest$$

if ! kt_cgroup_writable "$TAG-probe"; then
  echo "$KT_NAME: skipped: no cgroup hierarchy is writable here (mounted: $(awk '$3 ~ /^cgroup/ {printf "%s ", $2}' /proc/self/mounts))" >&2
  exit 77
fi
echo "# writable cgroup hierarchies: ${KT_CGROUP_ROOTS[*]}"
# The service comes from the name=systemd hierarchy, else the v2 one (cgroup_identity.h).
service_root=$(awk '$3 == "cgroup" && $4 ~ /(^|,)name=systemd(,|$)/ {print $2; exit}' /proc/self/mounts)
[[ -n $service_root ]] || service_root=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
service_known=0
for r in "${KT_CGROUP_ROOTS[@]}"; do [[ $r == "$service_root" ]] && service_known=1; done
((service_known)) || echo "# the service hierarchy ($service_root) is not writable: services are not checked"

M=$T/almark
cp /bin/bash "$M"
mkdir -p "$T/w" "$T/pids"
: >"$T/w/file"
OUT=$T/out.json
cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve -F exe=$M -k kt_cgi
-a always,exit -F arch=b64 -S openat,open -F dir=$T/w -k kt_cgi
RULES

# The marker's script: mark.sh ROLE CASE (see above). It writes its pid to $T/pids/CASE.ROLE.
cat >"$T/mark.sh" <<'MARK'
role=$1 case=$2
echo "$$" >"$T/pids/$case.$role"
seen() {
  local i
  for ((i = 0; i < 150; i++)); do
    grep -qF "\"pid\":$$," "$OUT" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "mark.sh: $case.$role ($$): its exec never reached the output" >&2
}
case $role in
  parent)
    seen
    : <"$T/w/file"
    "$M" "$T/mark.sh" child "$case"
    "$M" "$T/mark.sh" quick "$case"
    : <"$T/w/file"
    ;;
  child)
    seen
    : <"$T/w/file"
    ;;
  early)
    read -r _ <"$T/go.$case.open"
    : <"$T/w/file"
    ;;
esac
MARK
export T M OUT


: >"$T/expect.tsv"
ncases=0
# run_case NAME MODE CONTAINER_ID RUNTIME POD SERVICE [COMPONENT...]: the case in the cgroup
# COMPONENT/... of every writable hierarchy (none: the test's own). MODE: exact (container,
# orchestrator and service as given, absent where empty), own (no container, no orchestrator;
# the service is whatever the test's own cgroup gives), hostile (no container or the given one,
# no orchestrator, no service).
run_case() {
  local name=$1
  enter_case "$@"
  echo go >"$T/go.$name"
  wait "$CASE_PID" || true
}
# enter_case (run_case's arguments): the wrapper, waiting on $T/go.NAME in its cgroups
# (CASE_PID); its line in expect.tsv.
enter_case() {
  local name=$1 mode=$2 cid=$3 runtime=$4 pod=$5 service=$6 entered=1
  shift 6
  mkfifo "$T/go.$name"
  bash -c 'read -r _ <"$1"; exec "$M" "$T/mark.sh" "$2" "$3"' _ "$T/go.$name" \
    "$([[ $mode == early ]] && echo early || echo parent)" "$name" 9>&- &
  CASE_PID=$!
  kt_track_pid "$CASE_PID"
  if (($# > 0)); then kt_cgroup_enter "$CASE_PID" "$@" || entered=0; fi
  kt_check "$name: the wrapper entered its cgroup in every writable hierarchy" test "$entered" = 1
  # The paths its /proc/PID/cgroup names (one when every hierarchy was entered).
  grep -E '^[0-9]+:' "/proc/$CASE_PID/cgroup" | cut -d: -f3- | sort -u | cut -c1-160 | sed "s/^/# $name: /"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$mode" "$cid" "$runtime" "$pod" "$service" >>"$T/expect.tsv"
  ncases=$((ncases + 1))
}

id1=4c5e3b8f1a2d6e7f90817263544536271809a0b1c2d3e4f5a6b7c8d9e0f1a2b3
id2=9f8e7d6c5b4a39281706f5e4d3c2b1a0998877665544332211ffeeddccbbaa00
id3=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
id4=a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
id5=5555555555555555555555555555555555555555555555555555555555555555
id6=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
id7=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
id8=deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef
pod1=5f0e9a3c-8b1d-4e2f-9a6b-7c8d9e0f1a2b
pod2=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
id9=9999999999999999999999999999999999999999999999999999999999999999

# early: a marker that is in its container before the agent starts (so the agent knows it from
# its reading of /proc at start, not from an exec) opens the file once the agent runs.
mkfifo "$T/go.early.open"
enter_case early early "$id9" docker "" "" docker "$id9"
echo go >"$T/go.early"
kt_check "early: the marker runs before the agent starts" kt_wait_for 10 bash -c "[[ \$(readlink /proc/$CASE_PID/exe) == '$M' ]]"
early_pid=$CASE_PID

# The runtimes misbehave: docker's API socket accepts connections and never answers (its state
# directory does not exist), and podman's storage holds a containers.json that is not JSON. Events
# must flow all the same, carrying the ids; the status file counts the timeouts and the bad state.
mkdir -p "$T/storage/overlay-containers"
printf '[{"id": "\x01 not json' >"$T/storage/overlay-containers/containers.json"
$PY - "$T/slow-docker.sock" 9>&- <<'SLOW' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(64)
held = []
while True:
    c, _ = s.accept()
    held.append(c)  # never read, never answered
SLOW
kt_track_pid $!
kt_wait_for 5 test -S "$T/slow-docker.sock"
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$OUT" "containers.docker_root=\"$T/no-docker\"" \
  "containers.docker_socket=\"$T/slow-docker.sock\"" "containers.socket_timeout_ms=300" \
  "containers.storage=\"$T/storage\""
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"
echo go >"$T/go.early.open"
wait "$early_pid" || true


run_case docker exact "$id1" docker "" "" docker "$id1"
run_case docker_systemd exact "$id2" docker "" "" system.slice "docker-$id2.scope"
run_case kubepods_containerd exact "$id3" containerd "$pod1" "" kubepods.slice kubepods-besteffort.slice \
  "kubepods-besteffort-pod${pod1//-/_}.slice" "cri-containerd-$id3.scope"
run_case kubepods_crio exact "$id4" cri-o "$pod2" "" kubepods burstable "pod$pod2" "crio-$id4"
run_case podman exact "$id5" podman "" "" machine.slice "libpod-$id5.scope" container
run_case lxc exact "$TAG-web" lxc "" "" "lxc.payload.$TAG-web"
run_case nspawn exact "$TAG-my-box" systemd-nspawn "" "" machine.slice "machine-$TAG\\x2dmy\\x2dbox.scope" payload
run_case service exact "" "" "" "$TAG.service" system.slice "$TAG.service"
run_case plain exact "" "" "" "" "$TAG-plain"
run_case own own "" "" "" ""
long=$(printf 'x%.0s' {1..250})
run_case hostile_quote exact "$id6" docker "" "" docker "$id6" "$TAG\"q'\\"$'\t'"$long"
run_case hostile_top exact "" "" "" "" "$TAG\"q'\\"$'\t'"$long"
d3000=$(printf 'd%.0s' {1..3000})
run_case hostile_deep hostile "$id7" docker "" "" docker "$id7" "$d3000" "${d3000}e"
# A line break in a cgroup name would let a name forge a following /proc/PID/cgroup line.
nl_name="$TAG"$'\n'"0::/docker/$id8"
if mkdir "${KT_CGROUP_ROOTS[0]}/$nl_name" 2>/dev/null; then
  rmdir "${KT_CGROUP_ROOTS[0]}/$nl_name"
  run_case hostile_newline hostile "" "" "" "" "$nl_name"
else
  echo "# the kernel refuses a line break in a cgroup name (${KT_CGROUP_ROOTS[0]}): no newline case"
fi

# Each case: 3 execs (P, A, B) and 3 opens (P twice, A once); early: one open.
want=$(((ncases - 1) * 6 + 1))
kt_check "the cases' $want events are in the output" kt_wait_for 20 bash -c "[[ \$(grep -c kt_cgi '$OUT' 2>/dev/null) -ge $want ]]"
sleep 0.5
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
AGENT=""
kt_check "agent exits 0" test "$rc" -eq 0
# The agent's cgroup counters (reads; unreadable: mostly the quick children, gone before their
# read; over_budget), for the log: how many of the quick children were gone is a race.
$PY -c 'import json, sys; print("# status:", json.dumps(json.load(open(sys.argv[1])).get("cgroups")))' "$T/status.json" || true
containers_status=$($PY -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get("containers", {})))' "$T/status.json" || true)
kt_check "the status file counts the docker socket's timeouts and podman's bad state ($containers_status)" \
  $PY -c 'import json, sys; c = json.loads(sys.argv[1]); sys.exit(0 if c.get("timeouts", 0) >= 1 and c.get("bad_state", 0) >= 1 and c.get("found", 1) == 0 else 1)' "$containers_status"
kt_check "auditlens status shows the containers counters" \
  bash -c "'$AUDITLENS' status --config '$T/config.toml' 2>/dev/null | grep -q '^  containers .*\"timeouts\"'"

checks=$($PY - "$OUT" "$T" "$service_known" <<'PY'
import json, sys
out, d, service_known = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
events, bad = [], 0
for n, line in enumerate(open(out, "rb"), 1):
    try:
        events.append(json.loads(line.decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as e:
        bad += 1
        print(f"# line {n} is not JSON ({e}): {line[:300]!r}")
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
check(bad == 0 and events, f"every output line is one JSON object ({len(events)} events, {bad} not)")

def ident(e):
    return {k: e[k] for k in ("container", "orchestrator", "service") if k in e}
def show(e):
    p = e.get("process", {})
    return (f"#   {e.get('event', {}).get('action')} pid {p.get('pid')} ppid {p.get('parent', {}).get('pid')}: "
            + json.dumps(ident(e))[:400])
own_service = set()
for row in open(f"{d}/expect.tsv", encoding="utf-8"):
    name, mode, cid, runtime, pod, service = row.rstrip("\n").split("\t")
    want = {}
    if cid:
        want["container"] = {"id": cid, "runtime": runtime}
        if runtime in ("lxc", "systemd-nspawn"):
            want["container"]["name"] = cid  # their id is the container's name
    if pod:
        want["orchestrator"] = {"type": "kubernetes", "resource": {"type": "pod", "id": pod}}
    if service:
        want["service"] = {"name": service}
    pids = {}
    roles = ("early",) if mode == "early" else ("parent", "child", "quick")
    for role in roles:
        try:
            pids[role] = int(open(f"{d}/pids/{name}.{role}").read())
        except (OSError, ValueError):
            pass
    check(len(pids) == len(roles), f"{name}: the marker ran as {', '.join(roles)} ({sorted(pids)})")
    mine = [e for e in events if e.get("process", {}).get("pid") in pids.values()]
    if mode == "early":
        ops = [e for e in mine if e.get("event", {}).get("action") in ("open", "openat")]
        check(len(mine) == 1 and len(ops) == 1, f"{name}: one event, its open ({len(mine)} events)")
        mode = "exact"
    for role, pid in pids.items():
        if role == "early":
            continue
        ex = [e for e in mine if e["process"]["pid"] == pid and e.get("event", {}).get("action") == "exec"]
        check(len(ex) == 1, f"{name}: one exec event of the {role} (pid {pid})")
        if role == "parent":
            op = [e for e in mine if e["process"]["pid"] == pid and e.get("event", {}).get("action") in ("open", "openat")]
            check(len(op) == 2, f"{name}: two open events of the parent ({len(op)})")
        if role == "child":
            op = [e for e in mine if e["process"]["pid"] == pid and e.get("event", {}).get("action") in ("open", "openat")]
            check(len(op) == 1, f"{name}: one open event of the child ({len(op)})")
    if "child" in pids and "parent" in pids:
        ch = [e for e in mine if e["process"]["pid"] == pids["child"] and e.get("event", {}).get("action") == "exec"]
        check(bool(ch) and ch[0]["process"].get("parent", {}).get("pid") == pids["parent"],
              f"{name}: the child's parent is the marker")
    if not mine:
        continue
    if mode == "exact":
        got = [ident(e) for e in mine]
        if not service_known:
            for g in got:
                g.pop("service", None)
            want.pop("service", None)
        wrong = [e for e, g in zip(mine, got) if g != want]
        check(not wrong, f"{name}: all {len(mine)} events carry exactly {json.dumps(want)}")
    elif mode == "own":
        wrong = [e for e in mine if "container" in e or "orchestrator" in e]
        check(not wrong, f"{name}: no container and no orchestrator on its {len(mine)} events")
        own_service |= {json.dumps(e.get("service")) for e in mine}
        print(f"# {name}: service on the test's own cgroup: {sorted(own_service)}")
    else:
        def fine(e):
            c = e.get("container")
            return (c is None or (cid and c == want.get("container"))) and "orchestrator" not in e and "service" not in e
        wrong = [e for e in mine if not fine(e)]
        check(not wrong, f"{name}: all {len(mine)} events carry no container or {json.dumps(want.get('container'))}, no orchestrator, no service")
        print(f"# {name}: container seen: {sorted({json.dumps(e.get('container')) for e in mine})}")
    for e in wrong[:6]:
        print(show(e))
PY
) || true
kt_checks_from "" "$checks"
ecs=$($PY "$HERE/../ecs/check_ecs.py" --require ecs.version --require host.os.type "$OUT" 2>&1) && ok=0 || ok=$?
echo "$ecs" | tail -5
kt_check "every event is ECS-valid (check_ecs.py)" test "$ok" -eq 0
if ((KT_FAILED)); then
  echo "# agent log:"
  tail -5 "$T/agent.log"
fi
kt_finish
