#!/usr/bin/env bash
# Issue 18's "Done when": as root, without sudo, the README's first command (scripts/install.sh)
# leaves a running agent that receives events and comes back after a simulated reboot, with and
# without auditd; scripts/uninstall.sh then leaves the machine as it was.
#
# What the simulation is (see lib_systemd.sh): Debian's real systemd 252 runs as a manager whose
# private socket plain `systemctl` reaches, loading units from /etc/systemd/system (where
# install.sh puts its unit, drop-ins, enable links and auditd's mask) and auditd's own unit from
# /lib/systemd/system. install.sh runs unchanged against it (systemd detected, daemon-reload,
# enable, restart, mask). A "boot" is: a fresh manager, the kernel's audit state as a boot leaves
# it (no registered daemon, no rules, the settings this machine had when the test began), then
# `systemctl start` of those of auditd.service and auditlens.service that are enabled, in one
# transaction (so After=auditd.service orders them as at boot). A "shutdown" is `systemctl stop`
# of every running service (SIGTERM, as at shutdown), then the manager exits.
# What it is not: PID 1 does not change and the machine does not reboot; only these two units are
# started (starting multi-user.target would start this VM's whole boot: networking, sshd,
# PostgreSQL, ...); the manager runs as root's user manager (LogsDirectory=/StateDirectory= under
# a temp dir; install.sh creates /var/log/auditlens and /var/lib/auditlens, which the unit's
# ReadWritePaths= opens), and a test drop-in sends the agent's stderr to a file (no journald).
#
# Cases:
#   1. auditd installed and enabled, default: auditd is the audit daemon, auditlens runs beside it
#      (passive, its own rules loaded) and receives events; the same after the reboot.
#   2. --replace-auditd: auditd masked and not running, auditlens the registered daemon; the same
#      after the reboot; uninstall unmasks and re-enables auditd.
#   3. no systemd (install.sh run where /run/systemd/system does not exist, as in a container):
#      the agent runs in the background, install.sh says nothing restarts it at boot.
#   4. auditd absent: its package removed (dpkg --remove, then reinstalled from the same .deb at
#      the end, whatever happens); auditlens is the daemon; the same after the reboot.
# At the end auditd is enabled/disabled/masked as it was found, the kernel's audit state restored.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_systemd.sh"
ksd_enter "$@"
kt_init install_reboot
REPO=$(cd "$(dirname "$0")/../.." && pwd)
T=$KT_TMP
mkdir -p "$T/bin"
export SYSTEMCTL_INSTALL_CLIENT_SIDE=1 SYSTEMD_PAGER=cat

for f in /usr/local/sbin/auditlens /etc/systemd/system/auditlens.service; do
  if [[ -e $f ]]; then
    echo "install_reboot: $f exists (auditlens is installed here); not touching it"
    kt_check "no auditlens installed before the test" false
    kt_finish
    exit
  fi
done
if dpkg-query -W -f='${Status}' auditlens 2>/dev/null | grep -q 'ok installed'; then
  echo "install_reboot: the auditlens package is installed here; not touching it"
  kt_check "no auditlens package before the test" false
  kt_finish
  exit
fi
# auditctl, kept for the kernel's restore when auditd's package (which has it) is removed.
cp "$(command -v auditctl)" "$T/bin/auditctl"
export PATH=$T/bin:$PATH

AUDITD_STATE0=$(systemctl is-enabled auditd.service 2>/dev/null || true)
HAD_LOG=0 HAD_LIB=0 HAD_RUN=0 HAD_DEFAULTS=0
[[ -d /var/log/auditlens ]] && HAD_LOG=1
[[ -d /var/lib/auditlens ]] && HAD_LIB=1
[[ -d /run/auditlens ]] && HAD_RUN=1
[[ -e /etc/default/auditlens ]] && HAD_DEFAULTS=1
AUDITD_DEB=""
AUDITD_REMOVED=0
echo "# auditd.service is $AUDITD_STATE0 here; it is put back so at the end"

put_auditd_back() {
  if ((AUDITD_REMOVED)) && [[ -n $AUDITD_DEB ]]; then
    local policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      policy=1
    fi
    DEBIAN_FRONTEND=noninteractive dpkg -i "$AUDITD_DEB" >"$T/dpkg-reinstall.log" 2>&1 ||
      kt_log "could not reinstall $AUDITD_DEB (see $T/dpkg-reinstall.log)"
    ((policy)) && rm -f /usr/sbin/policy-rc.d
    AUDITD_REMOVED=0
  fi
  case $AUDITD_STATE0 in
    enabled) systemctl unmask auditd.service >/dev/null 2>&1; systemctl enable auditd.service >/dev/null 2>&1 ;;
    disabled) systemctl unmask auditd.service >/dev/null 2>&1; systemctl disable auditd.service >/dev/null 2>&1 ;;
    masked) systemctl mask auditd.service >/dev/null 2>&1 ;;
  esac
  return 0
}
restore_machine() {
  ksd_stop || true
  if [[ -e /usr/local/sbin/auditlens || -e /etc/systemd/system/auditlens.service ]]; then
    bash "$REPO/scripts/uninstall.sh" >>"$T/uninstall-cleanup.log" 2>&1 || true
  fi
  put_auditd_back
  ((HAD_LOG)) || rm -rf /var/log/auditlens
  ((HAD_LIB)) || rm -rf /var/lib/auditlens
  ((HAD_RUN)) || rm -rf /run/auditlens
  ((HAD_DEFAULTS)) || rm -f /etc/default/auditlens
  kt_restore
}
trap restore_machine EXIT

# boot: a fresh manager, then the enabled ones of auditd and auditlens, in one transaction.
boot() {
  ksd_start || return 1
  ksd_log_dropin auditlens.service "$T/agent.log"
  systemctl daemon-reload
  local u units=()
  # Enabled and loadable (a Wants= link to a unit that is gone starts nothing at boot).
  for u in auditd.service auditlens.service; do
    [[ $(systemctl is-enabled "$u" 2>/dev/null) == enabled &&
      $(systemctl show -p LoadState --value "$u") == loaded ]] && units+=("$u")
  done
  echo "# boot starts: ${units[*]:-nothing}"
  ((${#units[@]} == 0)) || systemctl start "${units[@]}" || true
  return 0
}
# shutdown, then the kernel as a boot leaves it: no daemon, no rules, this machine's settings.
reboot_machine() {
  ksd_stop
  auditctl -D >/dev/null
  declare -A now=()
  kt_read_status now
  [[ ${now[backlog_limit]} != "${KT_SAVED[backlog_limit]}" ]] && auditctl -b "${KT_SAVED[backlog_limit]}" >/dev/null
  [[ ${now[rate_limit]} != "${KT_SAVED[rate_limit]}" ]] && auditctl -r "${KT_SAVED[rate_limit]}" >/dev/null
  [[ ${now[backlog_wait_time]} != "${KT_SAVED[backlog_wait_time]}" ]] && auditctl --backlog_wait_time "${KT_SAVED[backlog_wait_time]}" >/dev/null
  [[ ${now[failure]} != "${KT_SAVED[failure]}" ]] && auditctl -f "${KT_SAVED[failure]}" >/dev/null
  [[ ${now[enabled]} != "${KT_SAVED[enabled]}" ]] && auditctl -e "${KT_SAVED[enabled]}" >/dev/null
  kt_check "$CASE: after the shutdown no audit daemon is registered and no rule is loaded" bash -c \
    "auditctl -s | grep -q '^pid 0' && [[ \$(auditctl -l) == 'No rules' ]]"
  boot
}

main_pid() { systemctl show -p MainPID --value "$1"; }
active() { [[ $(systemctl is-active "$1" 2>/dev/null) == active ]]; }
# An exec with a marker of its own appears in the events file.
receives_events() {
  local marker=kt-install-$RANDOM$RANDOM i
  for ((i = 0; i < 50; i++)); do
    /bin/echo "$marker" >/dev/null
    grep -qF "$marker" /var/log/auditlens/events.json 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
agent_is_daemon() { local p; p=$(main_pid auditlens.service); [[ $p != 0 ]] && kt_is_daemon "$p"; }
auditd_is_daemon() { local p; p=$(main_pid auditd.service); [[ $p != 0 ]] && kt_is_daemon "$p"; }
agent_passive() {
  local p
  p=$(main_pid auditlens.service)
  [[ $p != 0 ]] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- '--passive'
}
no_eperm() { ! grep -iE 'EPERM|not permitted' "$T/agent.log"; }

# check_running MODE: beside | daemon | replace
check_running() {
  local mode=$1 when=$2
  kt_check "$CASE, $when: auditlens.service is active" kt_wait_for 10 active auditlens.service
  case $mode in
    beside)
      kt_check "$CASE, $when: auditd is the registered audit daemon" kt_wait_for 10 auditd_is_daemon
      kt_check "$CASE, $when: auditlens runs passive (--passive)" kt_wait_for 10 agent_passive
      ;;
    replace | daemon)
      kt_check "$CASE, $when: auditlens is the registered audit daemon" kt_wait_for 10 agent_is_daemon
      kt_check "$CASE, $when: auditd does not run" bash -c "! pgrep -x auditd >/dev/null"
      ;;
  esac
  [[ $mode == replace ]] && kt_check "$CASE, $when: auditd.service is masked" bash -c \
    "[[ \$(systemctl is-enabled auditd.service 2>/dev/null) == masked ]]"
  kt_check "$CASE, $when: the agent receives events (an exec of this test is in events.json)" receives_events
  kt_check "$CASE, $when: the agent's log has no EPERM" no_eperm
}

# run_case NAME MODE [INSTALL FLAGS]
run_case() {
  CASE=$1
  local mode=$2
  shift 2
  : >"$T/agent.log"
  boot || { kt_check "$CASE: systemd starts" false; return; }
  # A booted host with auditd enabled has it running when the administrator installs.
  local rc=0
  (cd / && env -u AUDITLENS bash "$REPO/scripts/install.sh" "$@") >"$T/$CASE.install.log" 2>&1 || rc=$?
  sed 's/^/# /' "$T/$CASE.install.log" | grep 'install.sh:' || true
  kt_check "$CASE: scripts/install.sh $* exits 0 (as root, no sudo)" test "$rc" -eq 0
  check_running "$mode" "after install"
  kt_check "$CASE: auditlens.service is enabled (starts at boot)" bash -c \
    "[[ \$(systemctl is-enabled auditlens.service) == enabled ]]"
  kt_check "$CASE: the unit runs /usr/local/sbin/auditlens" grep -q '^ExecStart=/usr/local/sbin/auditlens run ' \
    /etc/systemd/system/auditlens.service
  reboot_machine || { kt_check "$CASE: systemd starts after the reboot" false; return; }
  check_running "$mode" "after the reboot"
  bash "$REPO/scripts/uninstall.sh" >"$T/$CASE.uninstall.log" 2>&1
  kt_check "$CASE: scripts/uninstall.sh exits 0" test $? -eq 0
  sed 's/^/# /' "$T/$CASE.uninstall.log"
  kt_check "$CASE: uninstalled: no binary, no unit, no agent" bash -c \
    "[[ ! -e /usr/local/sbin/auditlens && ! -e /etc/systemd/system/auditlens.service ]] && ! pgrep -f '^/usr/local/sbin/auditlens run' >/dev/null"
  kt_check "$CASE: uninstalled: the events are kept" test -s /var/log/auditlens/events.json
  ksd_stop
  kt_check "$CASE: the kernel is clean (no daemon, no rules)" bash -c \
    "auditctl -s | grep -q '^pid 0' && [[ \$(auditctl -l) == '$KT_SAVED_RULES' ]]"
}

if [[ -e /lib/systemd/system/auditd.service ]]; then
  systemctl unmask auditd.service >/dev/null 2>&1
  systemctl enable auditd.service >/dev/null 2>&1
  run_case "auditd enabled, default" beside
  run_case "auditd enabled, --replace-auditd" replace --replace-auditd
  kt_check "auditd enabled, --replace-auditd: uninstall unmasked and re-enabled auditd" bash -c \
    "[[ \$(systemctl is-enabled auditd.service) == enabled ]]"
else
  echo "# auditd is not installed here: only the case without it"
fi

# No systemd (as in a container): install.sh starts the agent in the background and says that
# nothing starts it at boot; uninstall.sh stops it. Run where /run/systemd is this machine's own.
no_systemd() { unshare -m --propagation private bash -c 'umount -l /run/systemd && exec "$@"' _ "$@"; }
CASE="no systemd"
: >"$T/agent.log"
rc=0
no_systemd env -u AUDITLENS bash "$REPO/scripts/install.sh" >"$T/no-systemd.install.log" 2>&1 || rc=$?
sed 's/^/# /' "$T/no-systemd.install.log" | grep 'install.sh:' || true
kt_check "$CASE: scripts/install.sh exits 0" test "$rc" -eq 0
kt_check "$CASE: it says nothing starts the agent at boot" grep -q 'NOTHING starts auditlens again after a reboot' \
  "$T/no-systemd.install.log"
bg_agent() { local p; p=$(pgrep -f '^/usr/local/sbin/auditlens run' | head -1); [[ -n $p && $(readlink "/proc/$p/exe") == /usr/local/sbin/auditlens ]] && kt_is_daemon "$p"; }
kt_check "$CASE: the background agent is the registered audit daemon" kt_wait_for 10 bg_agent
kt_check "$CASE: the agent receives events" receives_events
no_systemd bash "$REPO/scripts/uninstall.sh" >"$T/no-systemd.uninstall.log" 2>&1
kt_check "$CASE: scripts/uninstall.sh exits 0" test $? -eq 0
kt_check "$CASE: uninstalled: no agent, no binary, the kernel clean" bash -c \
  "! pgrep -f '^/usr/local/sbin/auditlens run' >/dev/null && [[ ! -e /usr/local/sbin/auditlens ]] && auditctl -s | grep -q '^pid 0' && [[ \$(auditctl -l) == '$KT_SAVED_RULES' ]]"

# Without auditd: its package removed for real (its unit file, binary and enable link go).
if dpkg-query -W -f='${Status}' auditd 2>/dev/null | grep -q 'ok installed'; then
  version=$(dpkg-query -W -f='${Version}' auditd)
  AUDITD_DEB=$(ls /var/cache/apt/archives/auditd_"${version/:/%3a}"_*.deb 2>/dev/null | head -1)
  if [[ -z $AUDITD_DEB ]]; then
    (cd "$T" && apt-get download "auditd=$version" >"$T/apt-download.log" 2>&1) || true
    AUDITD_DEB=$(ls "$T"/auditd_*.deb 2>/dev/null | head -1)
  fi
  if [[ -z $AUDITD_DEB ]]; then
    kt_check "auditd's .deb is at hand to reinstall it (apt-get download auditd=$version)" false
  else
    cp "$AUDITD_DEB" "$T/" 2>/dev/null || true
    AUDITD_DEB=$T/$(basename "$AUDITD_DEB")
    AUDITD_REMOVED=1
    DEBIAN_FRONTEND=noninteractive dpkg --remove auditd >"$T/dpkg-remove.log" 2>&1
    kt_check "auditd's package is removed" bash -c "[[ ! -e /sbin/auditd && ! -e /lib/systemd/system/auditd.service ]]"
    run_case "auditd absent" daemon
    put_auditd_back
    kt_check "auditd's package is back" bash -c "[[ -x /sbin/auditd && -e /lib/systemd/system/auditd.service ]]"
  fi
else
  run_case "auditd absent" daemon
fi
kt_check "auditd.service is $AUDITD_STATE0 again, as found" bash -c \
  "[[ \$(systemctl is-enabled auditd.service 2>/dev/null || true) == '$AUDITD_STATE0' ]]"
kt_finish
