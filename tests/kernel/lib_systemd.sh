# shellcheck shell=bash
# A real systemd (Debian's /lib/systemd/systemd) for the tests of the unit and of the install,
# on a machine whose PID 1 is not systemd. Sourced after lib.sh. What it is and what it is not:
#
# - The test re-executes itself in a private mount namespace (ksd_enter, before kt_init). There
#   /run is made a mount point (a bind mount of itself, as /run is a tmpfs of its own on a real
#   host: systemd 252's user manager otherwise hides /run behind an empty tmpfs in units with
#   ProtectControlGroups=, where auditd's PID file and the agent's status file live), and
#   /run/systemd is a fresh tmpfs with /run/systemd/system in it (so `[ -d /run/systemd/system ]`,
#   sd_booted(), says yes), and systemd runs as root's *user* manager with XDG_RUNTIME_DIR=/run: its
#   private socket is then /run/systemd/private, the one plain `systemctl` (system scope, as root)
#   talks to, so scripts/install.sh's own `systemctl daemon-reload / enable / start` reach it.
# - The process stays in the initial PID and user namespaces (audit netlink works) and the manager
#   applies the units' sandbox (capability bounding set, NoNewPrivileges, seccomp, ProtectSystem=,
#   RestrictAddressFamilies=, RestrictNamespaces=, ...) as the system manager would.
# - Unit search path (SYSTEMD_UNIT_PATH): a private directory first, then /etc/systemd/system. The
#   private directory holds stand-ins for the targets a service's default dependencies name
#   (basic.target: empty; shutdown.target, started by ksd_stop as a shutdown would), a link to /lib/systemd/system/
#   auditd.service when that file exists (so a removed auditd is absent here too), and the test's
#   own drop-ins (KSD_UNITS/NAME.service.d). /lib/systemd/system as a whole is left out on purpose:
#   its basic.target and multi-user.target would pull in this VM's whole boot (networking, ...).
# - Enabling and masking are done client-side (SYSTEMCTL_INSTALL_CLIENT_SIDE=1, the same code the
#   system manager runs): they change /etc/systemd/system for real, as on a real host, because a
#   user manager would write them into ~/.config instead.
# - Differences from the system manager: LogsDirectory=/StateDirectory= resolve under
#   $XDG_STATE_HOME (here a temp dir), not /var/log and /var/lib; the unit's ReadWritePaths= keeps
#   /var/log/auditlens and /var/lib/auditlens writable, so they must exist (install.sh and the
#   tests create them, 0700 as the unit would). RuntimeDirectory= is /run/auditlens as on a real
#   host. No journald: a test drop-in sends the services' stdout/stderr to a file.
# - The manager gets a cgroup of its own (auditlens-ksd-PID in each hierarchy), removed at the end.
#
# On a machine where systemd is PID 1 the tests are skipped (exit 77): the second manager would
# hide the real one.
#
# Provides: ksd_enter "$@" (first thing in a test; exits 77 where systemd is PID 1), ksd_start, ksd_stop (stops the services
# cleanly, then the manager), ksd_log_dropin UNIT FILE, ksd_cleanup (for the EXIT trap), KSD_UNITS,
# KSD_DIR.

KSD_PID=""
KSD_DIR=""
KSD_UNITS=""
KSD_CG=""

ksd_enter() {
  if [[ -z ${KSD_IN_NAMESPACE:-} ]]; then
    KSD_IN_NAMESPACE=1 exec unshare -m --propagation private bash "$0" "$@"
  fi
  [[ -x /lib/systemd/systemd ]] || { echo "needs systemd (/lib/systemd/systemd)" >&2; exit 1; }
  if [[ -d /run/systemd/system ]] && ! mountpoint -q /run/systemd; then
    # A real systemd runs this machine. These tests start a manager of their own, which would hide
    # the real one's /run/systemd and drive /etc/systemd/system beside it: skipped (ctest: 77).
    echo "$(basename "$0" .sh): skipped: systemd is PID 1 on this machine (/run/systemd/system);" \
      "this test runs a systemd of its own and only on machines without one as PID 1" >&2
    exit 77
  fi
  mountpoint -q /run || mount --bind /run /run
  mount -t tmpfs -o mode=0755 tmpfs /run/systemd
  mkdir -p /run/systemd/system
}

ksd_start() {
  KSD_DIR=${KSD_DIR:-$KT_TMP/systemd}
  KSD_UNITS=$KSD_DIR/units
  mkdir -p "$KSD_UNITS" "$KSD_DIR/state" "$KSD_DIR/config"
  printf '[Unit]\nDescription=stand-in for basic.target (test manager)\nDefaultDependencies=no\n' >"$KSD_UNITS/basic.target"
  printf '[Unit]\nDescription=nothing to start (test manager)\nDefaultDependencies=no\n' >"$KSD_UNITS/ksd-idle.target"
  # What every service's default dependencies conflict with: starting it stops them, cleanly.
  printf '[Unit]\nDescription=shutdown (test manager)\nDefaultDependencies=no\n' >"$KSD_UNITS/shutdown.target"
  rm -f "$KSD_UNITS/auditd.service"
  [[ -e /lib/systemd/system/auditd.service ]] && ln -s /lib/systemd/system/auditd.service "$KSD_UNITS/auditd.service"
  export SYSTEMCTL_INSTALL_CLIENT_SIDE=1 SYSTEMD_PAGER=cat
  KSD_CG=auditlens-ksd-$$
  (
    # The manager's own cgroup, so that it does not adopt this machine's root cgroup.
    for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
      [[ -d $h ]] || continue
      mkdir -p "$h/$KSD_CG" && echo "$BASHPID" >"$h/$KSD_CG/cgroup.procs"
    done
    export XDG_RUNTIME_DIR=/run XDG_STATE_HOME=$KSD_DIR/state XDG_CONFIG_HOME=$KSD_DIR/config
    export SYSTEMD_UNIT_PATH=$KSD_UNITS:/etc/systemd/system
    exec /lib/systemd/systemd --user --unit=ksd-idle.target --log-target=console --log-level=info
  ) >>"$KSD_DIR/manager.log" 2>&1 </dev/null &
  KSD_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    [[ $(systemctl is-system-running 2>/dev/null) == running ]] && return 0
    kill -0 "$KSD_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "systemd did not start (see $KSD_DIR/manager.log):" >&2
  tail -20 "$KSD_DIR/manager.log" >&2
  return 1
}

# ksd_log_dropin UNIT FILE: the unit's stdout and stderr appended to FILE (no journald here).
ksd_log_dropin() {
  mkdir -p "$KSD_UNITS/$1.d"
  printf '[Service]\nStandardOutput=append:%s\nStandardError=append:%s\n' "$2" "$2" >"$KSD_UNITS/$1.d/90-test-log.conf"
}

# Every process left in the manager's cgroups (after it is gone), then the cgroups themselves.
ksd_reap_cgroups() {
  local h pid
  [[ -n $KSD_CG ]] || return 0
  for h in /sys/fs/cgroup/*; do
    [[ -d $h/$KSD_CG ]] || continue
    while read -r pid; do kill -KILL "$pid" 2>/dev/null; done < <(find "$h/$KSD_CG" -name cgroup.procs -exec cat {} + 2>/dev/null)
  done
  sleep 0.2
  for h in /sys/fs/cgroup/*; do
    [[ -d $h/$KSD_CG ]] || continue
    find "$h/$KSD_CG" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  return 0
}

# Stops every active service cleanly (SIGTERM, their ExecStop), as a shutdown would, then the
# manager. Returns 0 when the manager exited by itself.
ksd_alive() { [[ -n $KSD_PID && -e /proc/$KSD_PID && $(cut -d' ' -f3 "/proc/$KSD_PID/stat" 2>/dev/null) != Z ]]; }

ksd_stop() {
  local rc=0 i units
  [[ -n $KSD_PID ]] || return 0
  if ksd_alive; then
    units=$(systemctl list-units --type=service --state=active,activating,reloading --plain --no-legend 2>/dev/null | awk '{print $1}')
    # shellcheck disable=SC2086
    [[ -n $units ]] && timeout 60 systemctl stop $units >/dev/null 2>&1
    timeout 60 systemctl start shutdown.target >/dev/null 2>&1
    # The manager's Exit() method (its units are stopped by now).
    timeout 30 systemctl --force exit >/dev/null 2>&1 || true
    for ((i = 0; i < 150; i++)); do ksd_alive || break; sleep 0.1; done
    if ksd_alive; then
      kill -KILL "$KSD_PID" 2>/dev/null
      rc=1
    fi
  fi
  wait "$KSD_PID" 2>/dev/null
  KSD_PID=""
  ksd_reap_cgroups
  return $rc
}

ksd_cleanup() {
  ksd_stop || true
  return 0
}
