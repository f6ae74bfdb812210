# Shared by the kernel tests (sourced). The kernel's audit state is global: every test takes the
# kernel lock, saves the state, and restores it on exit whatever happened (rules, status fields,
# registered daemon, processes it started). Never sets enabled=2 or failure=2.
#
# Provides: kt_init NAME, kt_check DESCRIPTION COMMAND..., kt_track_pid PID, kt_finish,
# kt_wait_for SECONDS COMMAND..., kt_need_sshd, kt_tmp (a private temp dir), $PY (python with auparse),
# kt_netns_pair (two network namespaces joined by a veth pair, removed by kt_restore),
# kt_agent_config (a config for `auditlens run`), kt_start_agent (starts it, sets $AGENT),
# kt_free_port, kt_login_user and kt_sshd_config (a user with a key and an sshd for real logins),
# kt_checks_from (a checker's "ok - " / "not ok - " lines as checks), kt_watch_opens (a rule on
# the opens in a private directory), kt_tmpfs (a small file system, unmounted by kt_restore),
# kt_cgroup_roots / kt_cgroup_writable / kt_cgroup_enter (processes moved into cgroup trees the
# test makes under every mounted hierarchy, removed by kt_restore).

# shellcheck source=../../scripts/kernel_lock.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/kernel_lock.sh"
KT_LOCK=$KERNEL_LOCK
PY=/usr/bin/python3
KT_PASSED=0
KT_FAILED=0
KT_PIDS=()
KT_NETNS=()
KT_MOUNTS=()
KT_USERS=()
KT_RUN_SSHD_CREATED=""
KT_CGROUP_ROOTS=()
KT_CGROUP_MADE_ROOT=()
KT_CGROUP_MADE_REL=()
declare -A KT_SAVED=()
KT_SAVED_RULES=""

kt_log() { printf '%s: %s\n' "$KT_NAME" "$*" >&2; }


kt_read_status() {
  local -n out=$1
  local k v
  while read -r k v _; do [[ -n $k ]] && out[$k]=$v; done < <(auditctl -s)
}

kt_restore() {
  local pid user uid
  for user in "${KT_USERS[@]}"; do
    uid=$(id -u "$user" 2>/dev/null) && { pkill -KILL -U "$uid" 2>/dev/null || true; }
    userdel -r "$user" >/dev/null 2>&1 || true
  done
  [[ -n $KT_RUN_SSHD_CREATED ]] && { rmdir /run/sshd 2>/dev/null || true; }
  for pid in "${KT_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${KT_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  kt_cgroup_remove
  # Rules: back to exactly what was there.
  if [[ "$(auditctl -l)" != "$KT_SAVED_RULES" ]]; then
    auditctl -D >/dev/null 2>&1 || true
    if [[ $KT_SAVED_RULES != "No rules" && -n $KT_SAVED_RULES ]]; then
      while IFS= read -r rule; do
        # shellcheck disable=SC2086
        auditctl $rule >/dev/null 2>&1 || kt_log "could not restore rule: $rule"
      done <<<"$KT_SAVED_RULES"
    fi
  fi
  declare -A now=()
  kt_read_status now
  [[ ${now[backlog_limit]} != "${KT_SAVED[backlog_limit]}" ]] && auditctl -b "${KT_SAVED[backlog_limit]}" >/dev/null
  [[ ${now[rate_limit]} != "${KT_SAVED[rate_limit]}" ]] && auditctl -r "${KT_SAVED[rate_limit]}" >/dev/null
  [[ ${now[backlog_wait_time]} != "${KT_SAVED[backlog_wait_time]}" ]] &&
    auditctl --backlog_wait_time "${KT_SAVED[backlog_wait_time]}" >/dev/null
  if [[ ${now[failure]} != "${KT_SAVED[failure]}" && ${KT_SAVED[failure]} != 2 ]]; then
    auditctl -f "${KT_SAVED[failure]}" >/dev/null
  fi
  if [[ ${now[enabled]} != "${KT_SAVED[enabled]}" && ${KT_SAVED[enabled]} != 2 ]]; then
    auditctl -e "${KT_SAVED[enabled]}" >/dev/null
  fi
  local ns mnt
  for mnt in "${KT_MOUNTS[@]}"; do
    umount -l "$mnt" 2>/dev/null || true
  done
  for ns in "${KT_NETNS[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  [[ -n ${KT_TMP:-} && -d $KT_TMP && -z ${KEEP_TMP:-} ]] && rm -rf "$KT_TMP"
  return 0
}

kt_init() {
  KT_NAME=$1
  if [[ $(id -u) -ne 0 ]]; then echo "$KT_NAME: needs root" >&2; exit 1; fi
  command -v auditctl >/dev/null || { echo "$KT_NAME: needs auditctl (scripts/install-deps.sh)" >&2; exit 1; }
  AUDITLENS=${AUDITLENS:?set AUDITLENS to the auditlens binary}
  kernel_lock_take "$KT_NAME" || exit 1
  kt_read_status KT_SAVED
  if [[ ${KT_SAVED[enabled]} == 2 ]]; then
    echo "$KT_NAME: audit is immutable (enabled 2) until reboot; nothing can be tested"
    echo "0 passed, 0 failed"
    exit 0
  fi
  if [[ ${KT_SAVED[pid]} != 0 ]] && kill -0 "${KT_SAVED[pid]}" 2>/dev/null; then
    echo "$KT_NAME: another audit daemon runs (pid ${KT_SAVED[pid]}): stop it first" >&2
    exit 1
  fi
  KT_SAVED_RULES=$(auditctl -l)
  KT_TMP=$(mktemp -d "/tmp/auditlens-$KT_NAME.XXXXXX")
  trap kt_restore EXIT
  trap 'exit 130' INT TERM
}

kt_track_pid() { KT_PIDS+=("$1"); }

kt_check() {
  local what=$1
  shift
  if "$@"; then
    KT_PASSED=$((KT_PASSED + 1))
    echo "ok - $what"
  else
    KT_FAILED=$((KT_FAILED + 1))
    echo "not ok - $what"
  fi
}

# sshd and ssh, for the tests that log in for real: scripts/install-deps.sh installs them; this
# installs them when missing, never letting the package start an sshd on port 22.
kt_need_sshd() {
  [[ -x /usr/sbin/sshd && -x /usr/bin/ssh ]] && return 0
  kt_log "installing openssh-server and openssh-client (without starting sshd)"
  export DEBIAN_FRONTEND=noninteractive
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  if ! apt-get install -y -qq --no-install-recommends openssh-server openssh-client >"$KT_TMP/apt.log" 2>&1; then
    apt-get update -qq >>"$KT_TMP/apt.log" 2>&1 || true
    apt-get install -y -qq --no-install-recommends openssh-server openssh-client >>"$KT_TMP/apt.log" 2>&1 || true
  fi
  rm -f /usr/sbin/policy-rc.d
  [[ -x /usr/sbin/sshd ]] || { kt_log "could not install openssh-server (see $KT_TMP/apt.log)"; exit 1; }
}

# kt_netns_pair NSA NSB VA VB PREFIX [PREFIX6]: two network namespaces joined by a veth pair, VA
# in NSA with PREFIX.1/24, VB in NSB with PREFIX.2/24 (and PREFIX6::1/64, PREFIX6::2/64 without
# duplicate address detection when PREFIX6 is given), lo and the veth ends up. kt_restore deletes
# both namespaces (the veth pair goes with them), whatever happens.
kt_netns_pair() {
  local nsa=$1 nsb=$2 va=$3 vb=$4 prefix=$5 prefix6=${6:-} ns
  KT_NETNS+=("$nsa" "$nsb")
  ip netns add "$nsa"
  ip netns add "$nsb"
  ip link add "$va" type veth peer name "$vb"
  ip link set "$va" netns "$nsa"
  ip link set "$vb" netns "$nsb"
  ip -n "$nsa" addr add "$prefix.1/24" dev "$va"
  ip -n "$nsb" addr add "$prefix.2/24" dev "$vb"
  if [[ -n $prefix6 ]]; then
    ip -n "$nsa" -6 addr add "$prefix6::1/64" dev "$va" nodad
    ip -n "$nsb" -6 addr add "$prefix6::2/64" dev "$vb" nodad
  fi
  for ns in "$nsa" "$nsb"; do ip -n "$ns" link set lo up; done
  ip -n "$nsa" link set "$va" up
  ip -n "$nsb" link set "$vb" up
}

# kt_agent_config FILE DIR RULES OUTPUT [SECTION.KEY=VALUE...]: writes a config for `auditlens run`
# to FILE: the state and status files in DIR, the rules from RULES, the events to OUTPUT, no SQLite
# store (store.enabled = false), the full output profile (these tests read the enrichment: names,
# leaders, ancestry; the default profile, brief, is what the tests that run the embedded defaults
# read, and tests/cli/test_brief_profile.sh checks it). Each further argument adds a key or
# replaces one of these (VALUE as TOML: strings quoted by the caller); an empty VALUE leaves the
# key out. Sections: agent, kernel, rules, receive, output, enrich, governor, store, containers.
kt_agent_config() {
  local file=$1 dir=$2 rules=$3 output=$4 kv key sec printed
  shift 4
  local -A value=()
  local -a order=()
  for kv in "agent.state_path=\"$dir/agent.state\"" "agent.status_path=\"$dir/status.json\"" \
    "rules.path=\"$rules\"" "output.path=\"$output\"" "output.profile=\"full\"" "store.enabled=false" "$@"; do
    key=${kv%%=*}
    case $kv in
      agent.?*=* | kernel.?*=* | rules.?*=* | receive.?*=* | output.?*=* | enrich.?*=* | governor.?*=* | store.?*=* | containers.?*=*) ;;
      *) kt_log "kt_agent_config: not SECTION.KEY=VALUE with a known section: $kv"; return 1 ;;
    esac
    [[ -v value[$key] ]] || order+=("$key")
    value[$key]=${kv#*=}
  done
  {
    for sec in agent kernel rules receive output enrich governor store containers; do
      printed=0
      for key in "${order[@]}"; do
        [[ ${key%%.*} == "$sec" && -n ${value[$key]} ]] || continue
        ((printed)) || echo "[$sec]"
        printed=1
        echo "${key#*.} = ${value[$key]}"
      done
    done
  } >"$file"
}

# kt_start_agent CONFIG LOG: `auditlens run --config CONFIG` in the background, its standard error
# to LOG, without the kernel lock's fd 9; sets AGENT to its pid and tracks it (kt_restore stops
# it). Environment assignments before the call reach the agent.
kt_start_agent() {
  "$AUDITLENS" run --config "$1" 2>"$2" 9>&- &
  AGENT=$!
  kt_track_pid "$AGENT"
}

# kt_free_port: a TCP port free on 127.0.0.1 (now).
kt_free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# kt_login_user USER KEY: a local user (bash, a home) for SSH key logins: no password can match
# ('*'), KEY (an ed25519 key made here, no passphrase) in its authorized_keys. kt_restore kills its
# processes and removes it with its home.
kt_login_user() {
  local user=$1 key=$2 home
  KT_USERS+=("$user")
  useradd -m -s /bin/bash "$user"
  usermod -p '*' "$user"
  home=$(getent passwd "$user" | cut -d: -f6)
  mkdir -p "$home/.ssh"
  ssh-keygen -q -t ed25519 -N '' -f "$key"
  cp "$key.pub" "$home/.ssh/authorized_keys"
  chown -R "$user:$user" "$home/.ssh"
  chmod 700 "$home/.ssh"
  chmod 600 "$home/.ssh/authorized_keys"
}

# kt_sshd_config DIR PORT USER [LINE...]: DIR/hostkey and DIR/sshd_config for an sshd of the test
# on 127.0.0.1:PORT (its pid file DIR/sshd.pid) that lets only USER in, by key through PAM, no
# password, no motd; each LINE (an sshd_config line) replaces the line of the same keyword or is
# added. Makes /run/sshd (sshd's privilege separation directory) when missing; kt_restore removes
# it then.
kt_sshd_config() {
  local dir=$1 port=$2 user=$3 line extra
  shift 3
  local -a lines=("Port $port" "ListenAddress 127.0.0.1" "HostKey $dir/hostkey" "PidFile $dir/sshd.pid"
    "UsePAM yes" "PubkeyAuthentication yes" "PasswordAuthentication no" "KbdInteractiveAuthentication no"
    "AllowUsers $user" "PrintMotd no")
  local -A keyword=()
  for line in "${lines[@]}"; do keyword[${line%% *}]=1; done
  ssh-keygen -q -t ed25519 -N '' -f "$dir/hostkey"
  {
    for line in "${lines[@]}"; do
      for extra in "$@"; do
        [[ ${extra%% *} == "${line%% *}" ]] && line=$extra
      done
      echo "$line"
    done
    for extra in "$@"; do
      [[ -v keyword[${extra%% *}] ]] || echo "$extra"
    done
  } >"$dir/sshd_config"
  [[ -d /run/sshd ]] || { mkdir -p /run/sshd && KT_RUN_SSHD_CREATED=1; }
}

# kt_watch_opens KEY: $KT_TMP/w/file (empty) and $KT_TMP/rules, one rule auditing open and openat
# in $KT_TMP/w with KEY.
kt_watch_opens() {
  mkdir -p "$KT_TMP/w"
  : >"$KT_TMP/w/file"
  echo "-a always,exit -F arch=b64 -S openat,open -F dir=$KT_TMP/w -k $1" >"$KT_TMP/rules"
}

# kt_tmpfs DIR OPTIONS: a tmpfs mounted on DIR (made) with OPTIONS (e.g. size=1m); kt_restore
# unmounts it (lazily) if it is still there.
kt_tmpfs() {
  mkdir -p "$1"
  KT_MOUNTS+=("$1")
  mount -t tmpfs -o "$2" tmpfs "$1"
}

# cgroup trees named the way container runtimes and systemd name theirs, made by the test under
# every mounted hierarchy (v1 controllers, named v1 hierarchies such as name=systemd, the v2
# one), with processes of the test moved into them. A component is one directory name: any bytes
# the kernel takes (it refuses '/' and a line break), and a path may be longer than PATH_MAX:
# directories are reached by relative cd, one component at a time.

# kt_cgroup_roots: KT_CGROUP_ROOTS, the directory of every mounted cgroup hierarchy
# (/proc/self/mounts' cgroup and cgroup2 lines).
kt_cgroup_roots() {
  local _dev dir type _rest
  KT_CGROUP_ROOTS=()
  while read -r _dev dir type _rest; do
    case $type in cgroup | cgroup2) KT_CGROUP_ROOTS+=("$dir") ;; esac
  done </proc/self/mounts
}

# kt_cgroup_enter_one ROOT PID COMPONENT...: makes ROOT/COMPONENT/... where missing (recorded
# for kt_cgroup_remove) and writes PID into its cgroup.procs. A new v1 cpuset group starts with
# no cpus and no mems, so no task may join it: it takes its parent's, as a runtime does. Fails
# (saying why on stderr) when a directory cannot be made or entered, or the kernel refuses the
# move. Leaves the working directory as it was.
kt_cgroup_enter_one() {
  local root=$1 pid=$2 back=$PWD rel="" c rc=0
  shift 2
  cd -- "$root" || return 1
  for c in "$@"; do
    if [[ ! -d $c ]]; then
      mkdir -- "$c" || { rc=1; break; }
      KT_CGROUP_MADE_ROOT+=("$root")
      KT_CGROUP_MADE_REL+=("${rel:+$rel/}$c")
      if [[ -f $c/cpuset.cpus && -f cpuset.cpus && -z $(<"$c/cpuset.cpus") ]]; then
        { cat cpuset.cpus >"$c/cpuset.cpus" && cat cpuset.mems >"$c/cpuset.mems"; } || { rc=1; break; }
      fi
    fi
    cd -- "$c" || { rc=1; break; }
    rel=${rel:+$rel/}$c
  done
  if ((rc == 0)); then echo "$pid" >cgroup.procs || rc=1; fi
  cd -- "$back" || true
  return "$rc"
}

# kt_cgroup_enter PID COMPONENT...: moves PID into COMPONENT/... of every hierarchy of
# KT_CGROUP_ROOTS (kt_cgroup_enter_one in each). Fails when any hierarchy failed (each is named on
# stderr); the others are entered all the same.
kt_cgroup_enter() {
  local pid=$1 root rc=0
  shift
  for root in "${KT_CGROUP_ROOTS[@]}"; do
    kt_cgroup_enter_one "$root" "$pid" "$@" || { kt_log "could not move $pid into a cgroup under $root"; rc=1; }
  done
  return "$rc"
}

# kt_cgroup_in ROOT REL COMMAND...: COMMAND run in a subshell whose working directory is
# ROOT/REL (REL: components joined by '/'), reached one component at a time.
kt_cgroup_in() {
  local root=$1 rel=$2 part
  shift 2
  (
    local -a parts=()
    cd -- "$root" || exit 1
    [[ -z $rel ]] || IFS=/ read -r -a parts <<<"$rel"
    for part in "${parts[@]}"; do cd -- "$part" || exit 1; done
    "$@"
  )
}

# kt_cgroup_remove: every cgroup kt_cgroup_enter made, deepest first, under every hierarchy; the
# processes still in them (the test's own, moved there) are killed first and waited for (5 s).
# Run by kt_restore; safe to run twice.
kt_cgroup_remove() {
  local i n=${#KT_CGROUP_MADE_REL[@]} pid left
  ((n > 0)) || return 0
  for _ in $(seq 50); do
    left=0
    for ((i = 0; i < n; i++)); do
      while read -r pid; do
        [[ -n $pid ]] || continue
        left=1
        kill -KILL "$pid" 2>/dev/null || true
      done < <(kt_cgroup_in "${KT_CGROUP_MADE_ROOT[$i]}" "${KT_CGROUP_MADE_REL[$i]}" cat cgroup.procs 2>/dev/null)
    done
    ((left)) || break
    sleep 0.1
  done
  for ((i = n - 1; i >= 0; i--)); do
    local rel=${KT_CGROUP_MADE_REL[$i]}
    local parent="" last=$rel
    [[ $rel == */* ]] && { parent=${rel%/*}; last=${rel##*/}; }
    kt_cgroup_in "${KT_CGROUP_MADE_ROOT[$i]}" "$parent" rmdir -- "$last" 2>/dev/null ||
      kt_log "could not remove the cgroup ${KT_CGROUP_MADE_ROOT[$i]}/${rel:0:200}"
  done
  KT_CGROUP_MADE_ROOT=()
  KT_CGROUP_MADE_REL=()
}

# kt_cgroup_writable NAME: keeps in KT_CGROUP_ROOTS (kt_cgroup_roots first) the hierarchies in
# which a cgroup NAME can be made and a process (a sleep of the test) moved into it; says on
# stderr which cannot; removes NAME again. Fails when no hierarchy is writable.
kt_cgroup_writable() {
  local root probe
  local -a ok=()
  kt_cgroup_roots
  sleep 60 9>&- &
  probe=$!
  for root in "${KT_CGROUP_ROOTS[@]}"; do
    if kt_cgroup_enter_one "$root" "$probe" "$1" 2>"$KT_TMP/cgroup_probe.err"; then
      ok+=("$root")
    else
      kt_log "cgroup hierarchy $root not writable here: $(tr '\n' ' ' <"$KT_TMP/cgroup_probe.err")"
    fi
  done
  kill -KILL "$probe" 2>/dev/null || true
  wait "$probe" 2>/dev/null || true
  kt_cgroup_remove
  KT_CGROUP_ROOTS=("${ok[@]}")
  ((${#ok[@]} > 0))
}

# Whether PID is the kernel's registered audit daemon.
kt_is_daemon() { [[ $(auditctl -s | awk '/^pid/{print $2}') == "$1" ]]; }
# kt_agent_running PID LOG: the agent PID is the kernel's audit daemon and has said, on its standard
# error (LOG), that it is running. It registers first, then loads its rules, enables auditing and
# opens its stores, and says so as it starts reading: a syscall made between the registration and
# the rules makes no event at all, so a test starts its programs only once this holds.
kt_agent_running() { kt_is_daemon "$1" && grep -q 'running as the audit daemon' "$2"; }

# A storm: N open()+close() of FILE (read-only) from one process.
kt_open_storm() {
  $PY -c "
import os, sys
p = sys.argv[1]
for _ in range(int(sys.argv[2])):
    os.close(os.open(p, os.O_RDONLY))
" "$1" "$2"
}

# Polls COMMAND every 0.1 s until it succeeds or SECONDS pass.
kt_wait_for() {
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# kt_checks_from PREFIX TEXT: each "ok - WHAT" or "not ok - WHAT" line of TEXT (a checker's
# verdicts) as a check of this test, "PREFIXWHAT"; other lines (a checker's explanations) are
# printed as they are.
kt_checks_from() {
  local prefix=$1 line
  while IFS= read -r line; do
    case $line in
      "ok - "*) kt_check "$prefix${line#ok - }" true ;;
      "not ok - "*) kt_check "$prefix${line#not ok - }" false ;;
      *) [[ -z $line ]] || echo "$line" ;;
    esac
  done <<<"$2"
}

# kt_start_sshd DIR PORT: the sshd kt_sshd_config made in DIR, in the background (SSHD is its pid),
# and a check that it listens on 127.0.0.1:PORT. KT_SSH is the ssh command for it (no config, no
# host key checks; append the options and the destination).
kt_start_sshd() {
  /usr/sbin/sshd -D -f "$1/sshd_config" -E "$1/sshd.log" 9>&- &
  SSHD=$!
  kt_track_pid "$SSHD"
  kt_check "sshd listens on 127.0.0.1:$2" kt_wait_for 10 bash -c "ss -ltn 'sport = :$2' | grep -q LISTEN"
  KT_SSH=(ssh -F /dev/null -p "$2" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
    -o LogLevel=ERROR -o ConnectTimeout=10)
}

# kt_tcp_listener PREFIX: a listener on 127.0.0.1 (a free port) in the background that accepts one
# connection and holds it until the client closes it (60 s at most for the client to come). Its
# port goes to PREFIX.port (LPORT is set to it), the client's port to PREFIX.peer; LISTENER is its
# pid.
kt_tcp_listener() {
  $PY - "$1" 9>&- <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
with open(sys.argv[1] + ".port", "w") as f:
    f.write(str(s.getsockname()[1]))
s.settimeout(60)
c, peer = s.accept()
with open(sys.argv[1] + ".peer", "w") as f:
    f.write(str(peer[1]))
c.settimeout(10)
try:
    c.recv(1)
except OSError:
    pass
PY
  LISTENER=$!
  kt_track_pid "$LISTENER"
  kt_wait_for 5 test -s "$1.port" || true
  LPORT=$(cat "$1.port")
}

kt_finish() {
  echo "$KT_PASSED passed, $KT_FAILED failed"
  [[ $KT_FAILED -eq 0 ]]
}
