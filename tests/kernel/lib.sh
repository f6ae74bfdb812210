# Shared by the kernel tests (sourced). The kernel's audit state is global: every test takes the
# kernel lock, saves the state, and restores it on exit whatever happened (rules, status fields,
# registered daemon, processes it started). Never sets enabled=2 or failure=2.
#
# Provides: kt_init NAME, kt_check DESCRIPTION COMMAND..., kt_track_pid PID, kt_finish,
# kt_wait_for SECONDS COMMAND..., kt_need_sshd, kt_tmp (a private temp dir), $PY (python with auparse).

# shellcheck source=../../scripts/kernel_lock.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/kernel_lock.sh"
KT_LOCK=$KERNEL_LOCK
PY=/usr/bin/python3
KT_PASSED=0
KT_FAILED=0
KT_PIDS=()
declare -A KT_SAVED=()
KT_SAVED_RULES=""

kt_log() { printf '%s: %s\n' "$KT_NAME" "$*" >&2; }


kt_read_status() {
  local -n out=$1
  local k v
  while read -r k v _; do [[ -n $k ]] && out[$k]=$v; done < <(auditctl -s)
}

kt_restore() {
  local pid
  for pid in "${KT_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${KT_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
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

# Whether PID is the kernel's registered audit daemon.
kt_is_daemon() { [[ $(auditctl -s | awk '/^pid/{print $2}') == "$1" ]]; }

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

kt_finish() {
  echo "$KT_PASSED passed, $KT_FAILED failed"
  [[ $KT_FAILED -eq 0 ]]
}
