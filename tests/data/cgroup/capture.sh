#!/bin/bash
# Captures real /proc/PID/cgroup files for tests/unit/cgroup_identity_test.cc: a `sleep` is moved
# into a cgroup tree named the way a container runtime names it, its /proc/PID/cgroup is copied
# here, then it is killed and the tree removed (trap). Manual, root only; nothing else is touched.
# Usage: tests/data/cgroup/capture.sh [OUTDIR]   (OUTDIR defaults to this script's directory)
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)}
root=/sys/fs/cgroup
[ "$(id -u)" = 0 ] || { echo "capture.sh: needs root" >&2; exit 1; }

# Every mounted hierarchy: the v1 ones (one directory per mount) and the unified one.
hierarchies=()
while read -r _ dir type opts _; do
  case $type in cgroup|cgroup2) hierarchies+=("$dir") ;; esac
done < /proc/self/mounts
[ ${#hierarchies[@]} -gt 0 ] || { echo "capture.sh: no cgroup hierarchy mounted" >&2; exit 1; }

sleeper=
made=()
cleanup() {
  if [ -n "$sleeper" ]; then kill "$sleeper" 2>/dev/null || true; wait "$sleeper" 2>/dev/null || true; fi
  sleeper=
  # Deepest first.
  for ((i = ${#made[@]} - 1; i >= 0; i--)); do rmdir "${made[$i]}" 2>/dev/null || true; done
  made=()
}
trap cleanup EXIT

# capture NAME DIR... : DIR components (each one directory name, may hold any byte but '/').
capture() {
  local name=$1; shift
  sleep 300 & sleeper=$!
  local h path c
  for h in "${hierarchies[@]}"; do
    path=$h
    for c in "$@"; do
      path=$path/$c
      if [ ! -d "$path" ]; then
        mkdir "$path"; made+=("$path")
        # A new v1 cpuset group starts with no cpus and mems: it takes its parent's.
        if [ -f "$path/cpuset.cpus" ]; then
          cat "${path%/*}/cpuset.cpus" > "$path/cpuset.cpus"
          cat "${path%/*}/cpuset.mems" > "$path/cpuset.mems"
        fi
      fi
    done
    echo "$sleeper" > "$path/cgroup.procs"
  done
  cat "/proc/$sleeper/cgroup" > "$out/$name.txt"
  echo "captured $name.txt"
  cleanup
}

id=4c5e3b8f1a2d6e7f90817263544536271809a0b1c2d3e4f5a6b7c8d9e0f1a2b3
pod=5f0e9a3c-8b1d-4e2f-9a6b-7c8d9e0f1a2b

cat /proc/self/cgroup > "$out/self.txt"; echo "captured self.txt"
capture docker_cgroupfs docker "$id"
capture docker_systemd system.slice "docker-$id.scope"
capture kubepods_systemd_containerd kubepods.slice kubepods-burstable.slice \
  "kubepods-burstable-pod${pod//-/_}.slice" "cri-containerd-$id.scope"
capture kubepods_cgroupfs_crio_conmon kubepods besteffort "pod$pod" "crio-conmon-$id"
capture podman_rootless user.slice user-1000.slice user@1000.service user.slice \
  "libpod-$id.scope" container
capture lxc_payload lxc.payload.web-01
capture nspawn_payload machine.slice 'machine-my\x2dbox.scope' payload
capture user_service user.slice user-1000.slice user@1000.service app.slice gpg-agent.service
