#!/usr/bin/env bash
# container.id, runtime, name, image and the Kubernetes pod labels, end to end with real runtimes
# (issue 21): a podman container and a docker container (a private dockerd), each running a copy
# of busybox-static bind-mounted from the test ($T/bin/busybox at /t/busybox: the rules pick out that
# file, the same inode inside and outside), started after the agent, then `podman exec` / `docker
# exec` twice into each: `sh -c 'cat /w/file; sleep 1'` (an exec of sh, a child cat and its open
# of the bind-mounted $T/w/file, a child sleep).
# The agent reads podman's state from its storage (containers.storage) and docker's through its API
# socket (containers.docker_root points nowhere, so the state file cannot answer). Checks:
# - every event of /t/busybox is in one of the two containers, with its full id and runtime;
# - a child (cat) is in its parent's (sh) container;
# - once the runtime answered (the second exec's events, at the latest), events carry the
#   container's name and image (name and tag), and docker's pod labels as orchestrator.namespace
#   and orchestrator.resource.name;
# - the status file counts the lookups, and every event passes check_ecs.py.
# Each runtime that cannot run a container here is skipped, saying why (exit 77 when neither can).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_containers.sh"
kt_init container_runtimes
trap 'kc_cleanup; kt_restore' EXIT
T=$KT_TMP
chmod 755 "$T"
HERE=$(cd "$(dirname "$0")" && pwd)
# podman refuses a runroot longer than 50 characters: a short directory of its own (kc_cleanup
# deletes it).
kc_init "$(mktemp -d /tmp/alc.XXXXXX)"

mkdir -p "$T/bin" "$T/w"
cp /bin/busybox "$T/bin/busybox"
: >"$T/w/file"
chmod -R a+rX "$T/bin" "$T/w"

podman_ok=0 docker_ok=0 st=0
kc_podman_can_run && podman_ok=1 || { st=$?; [[ $st == "$KC_SKIP" ]] || exit 1; echo "skip - podman: $KC_WHY"; }
if kc_docker_start; then
  kc_docker_can_run && docker_ok=1 || { st=$?; [[ $st == "$KC_SKIP" ]] || exit 1; echo "skip - docker: $KC_WHY"; }
else
  st=$?
  [[ $st == "$KC_SKIP" ]] || exit 1
  echo "skip - docker: $KC_WHY"
fi
if ((!podman_ok && !docker_ok)); then
  echo "$KT_NAME: skipped: no container runtime runs here"
  exit 77
fi

OUT=$T/out.json
cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve -F exe=$T/bin/busybox -k kt_rt
-a always,exit -F arch=b64 -S openat,open -F dir=$T/w -k kt_rt
RULES
kt_agent_config "$T/agent.toml" "$T" "$T/rules" "$OUT" \
  "containers.storage=\"$KC_PODMAN_ROOT\"" "containers.podman_socket=\"\"" \
  "containers.docker_root=\"$T/no-docker-state\"" "containers.docker_socket=\"$KC_DOCKER_SOCK\"" \
  "store.enabled=true" "store.path=\"$T/store.db\""
# An sshd of the test that lets root in with a key of the test (its own authorized_keys file): the
# SSH session runs `podman exec`, whose processes keep the session's login uid and session id
# (podman, conmon and runc inherit them), so they are that session's commands too.
# (StrictModes no: the key file is under /tmp, which is world-writable.)
kt_need_sshd
SSH_PORT=$(kt_free_port)
mkdir -p "$T/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/key"
cp "$T/ssh/key.pub" "$T/ssh/authorized_keys"
kt_sshd_config "$T/ssh" "$SSH_PORT" root "PermitRootLogin prohibit-password" "StrictModes no" \
  "AuthorizedKeysFile $T/ssh/authorized_keys"
kt_start_sshd "$T/ssh" "$SSH_PORT"
kt_start_agent "$T/agent.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"

mounts=(-v "$T/bin:/t:ro" -v "$T/w:/w")
declare -A ids=()
if ((podman_ok)); then
  ids[podman]=$(kc_podman_run "alt-pod-$$" "${mounts[@]}" -- /t/busybox sleep 600)
fi
if ((docker_ok)); then
  ids[docker]=$(kc_docker_run "alt-dock-$$" "${mounts[@]}" --label io.kubernetes.pod.name=web-0 \
    --label io.kubernetes.pod.namespace=shop -- /t/busybox sleep 600)
fi
# sh lives a second (the agent reads a process's cgroup when it handles its exec: a process gone by
# then is placed by what it was before, or its parent: `runc exec`, outside the container); cat and
# sleep are its children.
CMD='/t/busybox cat /w/file; /t/busybox sleep 1'
run_in() {  # RUNTIME: one exec into its container
  case $1 in
    podman) kc_podman exec "alt-pod-$$" /t/busybox sh -c "$CMD" ;;
    docker) kc_docker exec "alt-dock-$$" /t/busybox sh -c "$CMD" ;;
  esac
}
for rt in "${!ids[@]}"; do run_in "$rt"; done
# The second exec after the first one's events are out (the catalog asked by then).
has_all_ids() {
  local rt
  for rt in "${!ids[@]}"; do grep -qF "\"id\":\"${ids[$rt]}\"" "$OUT" 2>/dev/null || return 1; done
}
kt_check "the containers' events are in the output" kt_wait_for 20 has_all_ids
sleep 1
for rt in "${!ids[@]}"; do run_in "$rt"; done
if [[ -n ${ids[podman]:-} ]]; then
  # The same exec from an SSH login.
  kt_check "an SSH session runs podman exec" "${KT_SSH[@]}" -i "$T/ssh/key" root@127.0.0.1 \
    "$(printf '%q ' "${KC_PODMAN[@]}" exec "alt-pod-$$" /t/busybox sh -c "/t/busybox cat /w/file; /t/busybox sleep 1; echo ssh-exec")"
fi
sleep 1.5
kill -TERM "$AGENT"
wait "$AGENT" && rc=0 || rc=$?
kt_check "agent exits 0" test "$rc" -eq 0

cp "$OUT" /tmp/rt_out.json 2>/dev/null || true
checks=$($PY - "$OUT" "$T/status.json" "${ids[podman]:-}" "${ids[docker]:-}" "alt-pod-$$" "alt-dock-$$" "$T/bin/busybox" <<'PY'
import json, sys
out, status, pid_, did, pname, dname = sys.argv[1:7]
events = [json.loads(l) for l in open(out, encoding="utf-8") if l.strip()]
import hashlib
busybox_sha = hashlib.sha256(open(sys.argv[7], "rb").read()).hexdigest()
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
ours = [e for e in events if e.get("process", {}).get("executable") == "/t/busybox"]
check(len(ours) > 0, f"events of /t/busybox are there ({len(ours)})")
cases = {}
if pid_: cases["podman"] = (pid_, pname, None)
if did: cases["docker"] = (did, dname, ("shop", "web-0"))
ids = {c[0]: rt for rt, c in cases.items()}
outside = [e for e in ours if e.get("container", {}).get("id") not in ids]
check(not outside, f"every event of /t/busybox is in one of the containers ({len(outside)} outside: "
      f"{[e.get('container') for e in outside[:3]]})")
by_pid = {}
for e in ours:
    by_pid.setdefault(e["process"]["pid"], e)
for rt, (cid, name, pod) in cases.items():
    mine = [e for e in ours if e.get("container", {}).get("id") == cid]
    check(len(mine) >= 9, f"{rt}: its events ({len(mine)}: the container's sleep, and twice sh, cat, its open, sleep)")
    check(all(e["container"].get("runtime") == rt for e in mine), f"{rt}: container.runtime is {rt}")
    # A child is in its parent's container.
    cats = [e for e in mine if e["event"].get("action") == "exec" and e["process"].get("args", [None, None])[1:2] == ["cat"]]
    inherited = [e for e in cats if e["process"].get("parent", {}).get("pid") in by_pid and
                 by_pid[e["process"]["parent"]["pid"]].get("container", {}).get("id") == cid]
    check(len(cats) >= 2 and len(inherited) == len(cats), f"{rt}: each cat is in its sh's container ({len(inherited)}/{len(cats)})")
    named = [e for e in mine if e["container"].get("name") == name]
    hashed = [e for e in mine if e["process"].get("hash", {}).get("sha256") == busybox_sha]
    check(len(hashed) >= 1, f"{rt}: the program's SHA-256 (read through the process: its path is the container's) is on {len(hashed)} of its events")
    last = mine[-3:]
    check(all(e["container"].get("name") == name for e in last),
          f"{rt}: once answered, events carry container.name {name} ({len(named)}/{len(mine)} do; "
          f"the last: {[e['container'].get('name') for e in last]})")
    check(all(e["container"].get("image", {}).get("name") == "localhost/auditlens-busybox" and
              e["container"]["image"].get("tag") == ["test"] for e in last),
          f"{rt}: and container.image name localhost/auditlens-busybox, tag test ({last[-1]['container'].get('image')})")
    if pod:
        o = last[-1].get("orchestrator", {})
        check(o.get("namespace") == pod[0] and o.get("resource", {}).get("name") == pod[1] and
              o.get("type") == "kubernetes",
              f"{rt}: its Kubernetes labels are orchestrator.namespace and resource.name ({o})")
    # Before the answer: the id alone, never a wrong name.
    check(all(e["container"].get("name") in (None, name) for e in mine), f"{rt}: no event names another container")
if pid_:
    sh = [e for e in ours if e["event"].get("action") == "exec" and "ssh-exec" in " ".join(e["process"].get("args", []))]
    check(len(sh) == 1, f"podman: the SSH session's exec of sh is there ({len(sh)})")
    if sh:
        ses = sh[0].get("auditd", {}).get("session", {})
        check(ses.get("service") == "sshd" and ses.get("user", {}).get("name") == "root" and ses.get("id"),
              f"podman: it is in the SSH login session ({ses})")
        check(sh[0].get("container", {}).get("id") == pid_, "podman: and in the container")
        pid = sh[0]["process"]["pid"]
        kids = [e for e in ours if e["process"].get("parent", {}).get("pid") == pid or e["process"]["pid"] == pid]
        check(len(kids) >= 3 and all(e.get("auditd", {}).get("session", {}).get("id") == ses.get("id") and
                                     e.get("container", {}).get("id") == pid_ for e in kids),
              f"podman: its children's events too ({len(kids)}) are in that session and container")
        lead = sh[0].get("process", {}).get("entry_leader", {})
        check(lead.get("entry_meta", {}).get("type") == "sshd", f"podman: its entry leader is the sshd of the login ({lead.get('entry_meta')})")
        print(f"# SESSION {ses.get('id')}")
s = json.load(open(status)).get("containers", {})
check(s.get("found", 0) >= len(cases) and s.get("lookups", 0) >= len(cases),
      f"the status file counts the lookups ({s})")
PY
) || true
kt_checks_from "" "$checks"

# The store: the containers, what ran in each, and the SSH session's timeline with its commands
# marked as the container's.
AL=("$AUDITLENS")
listing=$("${AL[@]}" containers --db "$T/store.db" --color never 2>&1) || true
echo "$listing" | sed 's/^/# /'
for rt in "${!ids[@]}"; do
  case $rt in podman) name=alt-pod-$$ ;; docker) name=alt-dock-$$ ;; esac
  kt_check "$rt: auditlens containers lists $name with its image" \
    grep -qE "${ids[$rt]:0:12}.*$name.*localhost/auditlens-busybox:test" <<<"$listing"
  tl=$("${AL[@]}" timeline --db "$T/store.db" --color never --container "$name" 2>&1) || true
  kt_check "$rt: timeline --container $name shows the commands run in it (cat, sleep)" \
    bash -c 'grep -q "cat /w/file" <<<"$1" && grep -q "sleep 1" <<<"$1"' _ "$tl"
done
session=$(sed -n 's/^# SESSION //p' <<<"$checks")
if [[ -n ${ids[podman]:-} && -n $session ]]; then
  tl=$("${AL[@]}" timeline --db "$T/store.db" --color never "$session" 2>&1) || true
  echo "$tl" | sed 's/^/# /'
  kt_check "the SSH session's timeline shows the commands run in the container, marked as its" \
    bash -c 'grep -E "cat /w/file" <<<"$1" | grep -q "\[container alt-pod-$2"' _ "$tl" "$$"
  sl=$("${AL[@]}" sessions --db "$T/store.db" --color never --container "alt-pod-$$" 2>&1) || true
  kt_check "sessions --container alt-pod-$$ lists the SSH session" grep -q "${session:0:8}" <<<"$sl"
fi
ecs=$($PY "$HERE/../ecs/check_ecs.py" --require ecs.version --require host.os.type "$OUT" 2>&1) && ok=0 || ok=$?
echo "$ecs" | tail -2
kt_check "every event is ECS-valid (check_ecs.py)" test "$ok" -eq 0
kt_finish
