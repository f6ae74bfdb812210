# shellcheck shell=bash
# Real container runtimes for the tests (podman, and docker when its daemon starts here), with
# state of their own: nothing touches the machine's default storage (/var/lib/containers/storage,
# /var/lib/docker) or a daemon the machine may run. Sourced after lib.sh (or alone, by a script
# that calls kc_cleanup itself). No registry is reachable: the one image is made locally from
# /bin/busybox of busybox-static (`podman import` / `docker import` of a rootfs tarball).
#
# Where the state lives (KC_DIR is $KT_TMP/containers, or the directory given to kc_init):
#   podman   --root    $KC_DIR/podman/root     containers storage: overlay-containers/containers.json
#                                              (the "names" and the "metadata" JSON string with
#                                              image-name), overlay-containers/ID/userdata/config.json
#                                              (the OCI spec, written when the container is
#                                              initialised or started), libpod/bolt_state.db
#            --runroot $KC_DIR/podman/run      overlay-containers/ID/userdata (pid files, hosts, ...)
#            --tmpdir  $KC_DIR/podman/tmp      libpod's run state (exits/, events/events.log)
#   docker   --data-root $KC_DIR/docker/root   containers/ID/config.v2.json, hostconfig.json
#            --exec-root $KC_DIR/docker/exec   its own containerd: containerd/containerd.sock and
#                                              the bundles of running containers
#                                              (containerd/daemon/io.containerd.runtime.v2.task/moby/ID/config.json)
#            API socket  $KC_DIR/docker/docker.sock
# Outside KC_DIR the tools write a few fixed paths of their own: /var/lib/containers/cache (podman's
# blob cache), /run/runc (runc's state, for podman's containers), /run/containerd/s (the containerd
# shims' sockets), /run/docker/plugins, and cgroups
# named libpod_parent/ and docker/ in every hierarchy. kc_cleanup removes each of these that did
# not exist at kc_init.
#
# Running containers: crun, podman's default runtime, cannot start one on a machine whose bounding
# set lacks CAP_SYS_RESOURCE (its setrlimit of podman's default nofile/nproc limits is refused) or
# with hybrid cgroups ("cgroups in hybrid mode not supported"). Podman here uses runc and runs
# containers with limits no higher than 1024 files and processes (lowering needs no capability).
#
# Status of every function: 0 done; 1 failed (a real error: the test fails); 77 (KC_SKIP) this
# machine cannot do it, KC_WHY says why (printed too), and the test says "skip - $KC_WHY".
#
# Provides: kc_init [DIR], kc_image, kc_podman_create NAME [OPTION...] [-- COMMAND...],
# kc_podman_can_run, kc_podman_run NAME [OPTION...] [-- COMMAND...], kc_docker_start,
# kc_docker_image, kc_docker_create NAME [OPTION...] [-- COMMAND...], kc_docker_can_run,
# kc_docker_run NAME [OPTION...] [-- COMMAND...], kc_cleanup (for the EXIT trap, idempotent),
# kc_podman ARGS... and kc_docker ARGS... (the tools on the private state: use these, not plain
# podman/docker); KC_PODMAN and KC_DOCKER (those commands as arrays), KC_IMAGE,
# KC_PODMAN_ROOT, KC_PODMAN_RUNROOT, KC_PODMAN_TMPDIR, KC_DOCKER_ROOT, KC_DOCKER_EXEC,
# KC_DOCKER_SOCK, KC_WHY.

KC_SKIP=77
KC_IMAGE=localhost/auditlens-busybox:test
KC_DIR=""
KC_WHY=""
KC_PODMAN=()
KC_DOCKER=()
KC_DOCKERD_PID=""
KC_PODMAN_RUN_STATUS=""
KC_DOCKER_RUN_STATUS=""
KC_CREATED_PATHS=()
# The fixed paths and cgroup names the tools make outside KC_DIR (see above).
KC_FIXED_PATHS=(/var/lib/containers /run/runc /run/containerd /run/docker /run/libpod)
KC_CGROUP_NAMES=(libpod_parent docker)
# Lower than any hard limit, so that setting them needs no CAP_SYS_RESOURCE.
KC_RUN_LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# kc_podman ARGS... / kc_docker ARGS...: podman / the docker client on the private state, without
# the kernel lock's fd 9 (conmon and the containers outlive the call and would hold the lock).
kc_podman() { "${KC_PODMAN[@]}" "$@" 9>&-; }
kc_docker() { "${KC_DOCKER[@]}" "$@" 9>&-; }

kc_log() { printf '%s: %s\n' "${KT_NAME:-lib_containers}" "$*" >&2; }

# kc_skip WHY: sets KC_WHY, says it, returns 77.
kc_skip() {
  KC_WHY=$1
  kc_log "cannot here: $KC_WHY"
  return $KC_SKIP
}

# kc_init [DIR]: the private state directory (made; default $KT_TMP/containers) and what existed
# before among the fixed paths the tools make outside it.
kc_init() {
  local p h
  KC_DIR=${1:-${KT_TMP:?kc_init: give a directory or call kt_init first}/containers}
  mkdir -p "$KC_DIR"
  KC_DIR=$(cd "$KC_DIR" && pwd)
  KC_PODMAN_ROOT=$KC_DIR/podman/root
  KC_PODMAN_RUNROOT=$KC_DIR/podman/run
  KC_PODMAN_TMPDIR=$KC_DIR/podman/tmp
  KC_DOCKER_ROOT=$KC_DIR/docker/root
  KC_DOCKER_EXEC=$KC_DIR/docker/exec
  KC_DOCKER_SOCK=$KC_DIR/docker/docker.sock
  KC_CREATED_PATHS=()
  for p in "${KC_FIXED_PATHS[@]}"; do [[ -e $p ]] || KC_CREATED_PATHS+=("$p"); done
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [[ -e ${h}cgroup.procs ]] || continue
    for p in "${KC_CGROUP_NAMES[@]}"; do [[ -e $h$p ]] || KC_CREATED_PATHS+=("$h$p"); done
  done
  # --network-config-dir: the cni configuration stays private too (only --network none is used).
  KC_PODMAN=(podman --root "$KC_PODMAN_ROOT" --runroot "$KC_PODMAN_RUNROOT" --tmpdir "$KC_PODMAN_TMPDIR"
    --storage-driver overlay --cgroup-manager cgroupfs --events-backend file --runtime runc
    --network-config-dir "$KC_DIR/podman/net")
  KC_DOCKER=(/usr/bin/docker -H "unix://$KC_DOCKER_SOCK")
}

# kc_rootfs: $KC_DIR/rootfs.tar, a root file system of busybox-static (/bin/busybox and a link per
# applet), made once.
kc_rootfs() {
  local r=$KC_DIR/rootfs applet
  [[ -s $KC_DIR/rootfs.tar ]] && return 0
  [[ -x /bin/busybox ]] || { kc_skip "no /bin/busybox (busybox-static: scripts/install-deps.sh test)"; return; }
  if LC_ALL=C readelf -l /bin/busybox 2>/dev/null | grep -q 'INTERP'; then
    kc_skip "/bin/busybox is dynamically linked (the busybox package): the image needs busybox-static"
    return
  fi
  rm -rf "$r"
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/proc" "$r/sys" "$r/dev"
  cp /bin/busybox "$r/bin/busybox"
  while read -r applet; do
    [[ $applet == busybox ]] || ln -s busybox "$r/bin/$applet"
  done < <(/bin/busybox --list)
  echo 'root:x:0:0:root:/:/bin/sh' >"$r/etc/passwd"
  echo 'root:x:0:' >"$r/etc/group"
  tar -C "$r" --numeric-owner -cf "$KC_DIR/rootfs.tar.part" . || { kc_log "tar of $r failed"; return 1; }
  mv "$KC_DIR/rootfs.tar.part" "$KC_DIR/rootfs.tar"
  rm -rf "$r"
}

# kc_need_podman: podman and runc are there, kc_init was called.
kc_need_podman() {
  [[ -n $KC_DIR ]] || { kc_log "kc_init first"; return 1; }
  command -v podman >/dev/null || { kc_skip "podman is not installed (scripts/install-deps.sh test)"; return; }
  command -v runc >/dev/null || { kc_skip "runc is not installed (scripts/install-deps.sh test)"; return; }
}

# kc_image: $KC_IMAGE in the private podman storage, imported from the busybox rootfs (once).
kc_image() {
  kc_need_podman || return
  kc_podman image exists "$KC_IMAGE" 2>/dev/null && return 0
  kc_rootfs || return
  kc_podman import --quiet --change 'CMD ["/bin/sh"]' "$KC_DIR/rootfs.tar" "$KC_IMAGE" >/dev/null ||
    { kc_log "podman import of $KC_DIR/rootfs.tar failed"; return 1; }
}

# kc_split_args OPTS_ARRAY CMD_ARRAY ARGS...: ARGS before "--" into OPTS, after it into CMD
# (default: sleep 3600).
kc_split_args() {
  local -n opts_=$1 cmd_=$2
  shift 2
  opts_=()
  cmd_=()
  while (($#)); do
    [[ $1 == -- ]] && { shift; cmd_=("$@"); break; }
    opts_+=("$1")
    shift
  done
  ((${#cmd_[@]})) || cmd_=(sleep 3600)
}

# kc_podman_create NAME [OPTION...] [-- COMMAND...]: `podman create --name NAME` (no network) of
# $KC_IMAGE; prints the container's full id. The container is only created: its state is in the
# storage (containers.json), nothing runs.
kc_podman_create() {
  local name=$1 id
  shift
  local -a opts cmd
  kc_split_args opts cmd "$@"
  kc_image || return
  id=$(kc_podman create --name "$name" --network none "${opts[@]}" "$KC_IMAGE" "${cmd[@]}") ||
    { kc_log "podman create --name $name failed"; return 1; }
  echo "$id"
}

# kc_podman_can_run: whether a podman container runs here (tried once: `true` in a container).
kc_podman_can_run() {
  local out
  if [[ -z $KC_PODMAN_RUN_STATUS ]]; then
    kc_image || return
    if out=$(kc_podman run --rm --network none "${KC_RUN_LIMITS[@]}" "$KC_IMAGE" true 2>&1); then
      KC_PODMAN_RUN_STATUS=0
    else
      KC_PODMAN_RUN_STATUS=$KC_SKIP
      KC_PODMAN_RUN_WHY="podman run fails here: $(tail -n 1 <<<"$out")"
    fi
  fi
  [[ $KC_PODMAN_RUN_STATUS == 0 ]] || { kc_skip "$KC_PODMAN_RUN_WHY"; return; }
}

# kc_podman_run NAME [OPTION...] [-- COMMAND...]: `podman run -d --name NAME` (no network, low
# limits) of $KC_IMAGE; prints the container's full id. 77 where no container runs here.
kc_podman_run() {
  local name=$1 id
  shift
  local -a opts cmd
  kc_split_args opts cmd "$@"
  kc_podman_can_run || return
  id=$(kc_podman run -d --name "$name" --network none "${KC_RUN_LIMITS[@]}" "${opts[@]}" \
    "$KC_IMAGE" "${cmd[@]}") || { kc_log "podman run --name $name failed"; return 1; }
  echo "$id"
}

# kc_docker_start: a dockerd of the test (its own data root, exec root, socket, containerd, no
# networking set-up, no iptables), waited for up to 60 s. 77 when it is not installed or does not
# come up (KC_WHY has the end of its log, $KC_DIR/docker/dockerd.log).
kc_docker_start() {
  local d=$KC_DIR/docker
  [[ -n $KC_DIR ]] || { kc_log "kc_init first"; return 1; }
  [[ -n $KC_DOCKERD_PID ]] && return 0
  if ! command -v dockerd >/dev/null || [[ ! -x /usr/bin/docker ]]; then
    kc_skip "docker.io is not installed (scripts/install-deps.sh test)"
    return
  fi
  mkdir -p "$KC_DOCKER_ROOT" "$KC_DOCKER_EXEC"
  echo '{}' >"$d/daemon.json"
  dockerd --config-file "$d/daemon.json" --data-root "$KC_DOCKER_ROOT" --exec-root "$KC_DOCKER_EXEC" \
    -H "unix://$KC_DOCKER_SOCK" --pidfile "$d/dockerd.pid" --iptables=false --ip6tables=false \
    --ip-forward=false --ip-masq=false --bridge=none --userland-proxy=false \
    >"$d/dockerd.log" 2>&1 9>&- &
  KC_DOCKERD_PID=$!
  for _ in $(seq 600); do
    kc_docker version >/dev/null 2>&1 && return 0
    if ! kill -0 "$KC_DOCKERD_PID" 2>/dev/null; then
      KC_DOCKERD_PID=""
      kc_skip "dockerd exited at start: $(grep -v '^$' "$d/dockerd.log" | tail -n 1)"
      return
    fi
    sleep 0.1
  done
  kc_skip "dockerd did not answer on $KC_DOCKER_SOCK within 60 s: $(tail -n 1 "$d/dockerd.log")"
}

# kc_docker_image: $KC_IMAGE in the test's dockerd, imported from the busybox rootfs (once).
kc_docker_image() {
  kc_docker_start || return
  kc_docker image inspect "$KC_IMAGE" >/dev/null 2>&1 && return 0
  kc_rootfs || return
  kc_docker import --change 'CMD ["/bin/sh"]' "$KC_DIR/rootfs.tar" "$KC_IMAGE" >/dev/null ||
    { kc_log "docker import of $KC_DIR/rootfs.tar failed"; return 1; }
}

# kc_docker_create NAME [OPTION...] [-- COMMAND...]: `docker create --name NAME` (no network) of
# $KC_IMAGE; prints the full id.
kc_docker_create() {
  local name=$1 id
  shift
  local -a opts cmd
  kc_split_args opts cmd "$@"
  kc_docker_image || return
  id=$(kc_docker create --name "$name" --network none "${opts[@]}" "$KC_IMAGE" "${cmd[@]}") ||
    { kc_log "docker create --name $name failed"; return 1; }
  echo "$id"
}

# kc_docker_can_run: whether a docker container runs here (tried once).
kc_docker_can_run() {
  local out
  if [[ -z $KC_DOCKER_RUN_STATUS ]]; then
    kc_docker_image || return
    if out=$(kc_docker run --rm --network none "$KC_IMAGE" true 2>&1); then
      KC_DOCKER_RUN_STATUS=0
    else
      KC_DOCKER_RUN_STATUS=$KC_SKIP
      KC_DOCKER_RUN_WHY="docker run fails here: $(tail -n 1 <<<"$out")"
    fi
  fi
  [[ $KC_DOCKER_RUN_STATUS == 0 ]] || { kc_skip "$KC_DOCKER_RUN_WHY"; return; }
}

# kc_docker_run NAME [OPTION...] [-- COMMAND...]: `docker run -d --name NAME` (no network) of
# $KC_IMAGE; prints the full id. 77 where no container runs here.
kc_docker_run() {
  local name=$1 id
  shift
  local -a opts cmd
  kc_split_args opts cmd "$@"
  kc_docker_can_run || return
  id=$(kc_docker run -d --name "$name" --network none "${opts[@]}" "$KC_IMAGE" "${cmd[@]}") ||
    { kc_log "docker run --name $name failed"; return 1; }
  echo "$id"
}

# kc_cleanup: removes every container and image of the test, stops its dockerd (and its
# containerd), unmounts what is left under KC_DIR, deletes KC_DIR and the fixed paths and cgroups
# the tools made outside it (those absent at kc_init). Idempotent; always returns 0.
kc_cleanup() {
  local p m
  [[ -n $KC_DIR ]] || return 0
  # Every step may fail (nothing to remove, a daemon already gone): none stops the others, also
  # under set -e.
  if [[ -n $KC_DOCKERD_PID ]]; then
    { kc_docker ps -aq | xargs -r "${KC_DOCKER[@]}" rm -f; } >/dev/null 2>&1 || true
    kc_docker image rm -f "$KC_IMAGE" >/dev/null 2>&1 || true
    kill -TERM "$KC_DOCKERD_PID" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$KC_DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$KC_DOCKERD_PID" 2>/dev/null || true
    wait "$KC_DOCKERD_PID" 2>/dev/null || true
    KC_DOCKERD_PID=""
  fi
  if [[ -d $KC_PODMAN_ROOT ]] && command -v podman >/dev/null; then
    kc_podman rm -af -t 0 >/dev/null 2>&1 || true
    kc_podman image rm -af >/dev/null 2>&1 || true
  fi
  # The managed containerd and its shims stop with dockerd; a shim left behind still holds a mount.
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v d="$KC_DIR/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r)
  rm -rf "$KC_DIR" || true
  for p in "${KC_CREATED_PATHS[@]}"; do
    if [[ $p == /sys/fs/cgroup/* ]]; then
      [[ -d $p ]] && { find "$p" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
    else
      rm -rf "$p" || true
    fi
  done
  KC_DIR=""
  return 0
}
