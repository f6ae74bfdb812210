#!/usr/bin/env bash
# Packaging: the .deb built with CPack (packaging/cpack.cmake) installs with apt on this machine
# (its dependencies resolved by apt), gives a working `auditlens`, the systemd unit (accepted by
# systemd-analyze verify, ExecStart=/usr/bin/auditlens), the default config (root's, 0600: it may
# hold a password, and valid), /etc/default/auditlens and the logrotate file as conffiles, every
# page of docs/, the drop-ins, the directories (0700). A first install never starts the agent. An
# upgrade (the same .deb installed again) restarts a running agent; logrotate with the shipped
# file rotates events.json and the agent reopens it (SIGHUP); postinst warns about a source
# install in /usr/local/sbin; removing stops the agent (the kernel back as found) and purging
# leaves the machine as it was. The package scripts talk to a real systemd (lib_systemd.sh), which
# runs the packaged unit. Needs root and BUILD_DIR (a configured and built tree); refuses to touch
# an auditlens package or a source install made by someone else.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_systemd.sh"
ksd_enter "$@"
kt_init package
BUILD_DIR=${BUILD_DIR:?set BUILD_DIR to a built auditlens build directory}
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$KT_TMP
if dpkg-query -W -f='${Status}' auditlens 2>/dev/null | grep -q "install ok installed"; then
  echo "package: an auditlens package is already installed here; not touching it"
  kt_check "no auditlens package installed before the test" false
  kt_finish
  exit
fi
if [[ -e /usr/local/sbin/auditlens ]]; then
  echo "package: a source install (/usr/local/sbin/auditlens) is here; not touching it"
  kt_check "no source install before the test" false
  kt_finish
  exit
fi
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)
had_log_dir=0
[[ -d /var/log/auditlens ]] && had_log_dir=1
had_state_dir=0
[[ -d /var/lib/auditlens ]] && had_state_dir=1
had_run_dir=0
[[ -d /run/auditlens ]] && had_run_dir=1
FAKE_SOURCE_INSTALL=0
# A policy-rc.d that denies (container images ship one: "exit 101") makes deb-systemd-invoke skip
# postinst's restart on an upgrade, as Debian means it to. This test is of a real server, which has
# none: an existing one is set aside for the test and put back after (also after a run that was
# killed: the saved copy is put back first).
POLICY=/usr/sbin/policy-rc.d
POLICY_SAVED=/usr/sbin/policy-rc.d.auditlens-test-saved
[[ -e $POLICY_SAVED && ! -e $POLICY ]] && mv "$POLICY_SAVED" "$POLICY"
[[ -e $POLICY ]] && mv "$POLICY" "$POLICY_SAVED"
cleanup() {
  [[ -e $POLICY_SAVED ]] && mv "$POLICY_SAVED" "$POLICY"
  ksd_stop || true
  if dpkg-query -W -f='${Status}' auditlens 2>/dev/null | grep -q "ok installed\|config-files"; then
    DEBIAN_FRONTEND=noninteractive "${APT[@]}" purge auditlens >/dev/null 2>&1 || true
  fi
  ((FAKE_SOURCE_INSTALL)) && rm -f /usr/local/sbin/auditlens
  # The package creates these; whatever was there before the test stays.
  [[ $had_log_dir == 0 ]] && rm -rf /var/log/auditlens
  [[ $had_state_dir == 0 ]] && rm -rf /var/lib/auditlens
  [[ $had_run_dir == 0 ]] && rm -rf /run/auditlens
  kt_restore
}
trap cleanup EXIT
ksd_start || { kt_check "systemd starts" false; kt_finish; exit; }

# Build the package from the build tree, into a directory of its own.
kt_check "cpack builds the .deb" cpack -G DEB --config "$BUILD_DIR/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1
DEB=$(ls "$T"/pkg/auditlens_*.deb 2>/dev/null | head -1)
[[ -n $DEB ]] || { cat "$T/cpack.log"; kt_finish; exit; }
echo "package: $(basename "$DEB") ($(stat -c %s "$DEB") bytes)"
kt_check "the package depends on the shared libraries it links" bash -c "dpkg-deb -f '$DEB' Depends | grep -q libaudit1"
kt_check "its conffiles are the config, the unit's defaults and the logrotate file" bash -c \
  "dpkg-deb --ctrl-tarfile '$DEB' | tar -xO ./conffiles | sort | tr '\n' ' ' | grep -qx '/etc/auditlens/auditlens.toml /etc/default/auditlens /etc/logrotate.d/auditlens '"

# Install with apt (dependencies from the archive when missing).
DEBIAN_FRONTEND=noninteractive "${APT[@]}" install "$DEB" >"$T/install.log" 2>&1
kt_check "apt-get install ./auditlens_*.deb succeeds" test $? -eq 0 || tail -20 "$T/install.log"
kt_check "dpkg says installed" bash -c "dpkg-query -W -f='\${Status}' auditlens | grep -q 'install ok installed'"
kt_check "/usr/bin/auditlens --version" bash -c "/usr/bin/auditlens --version | grep -q '^auditlens [0-9]'"
kt_check "/usr/bin/auditlens parse works" bash -c \
  "echo 'type=USER_LOGIN msg=audit(1795345652.369:10): pid=1 uid=0 res=success' | /usr/bin/auditlens parse 2>/dev/null | grep -q '\"sequence\":10'"
UNIT=$(dpkg -L auditlens | grep '/systemd/system/auditlens.service$' | head -1)
kt_check "the systemd unit is installed ($UNIT)" test -f "$UNIT"
kt_check "the unit runs /usr/bin/auditlens (absolute: a source install cannot shadow it)" \
  grep -q '^ExecStart=/usr/bin/auditlens run ' "$UNIT"
kt_check "the unit restarts on failure and never gives up (StartLimitIntervalSec=0)" bash -c \
  "grep -q '^Restart=on-failure' '$UNIT' && grep -q '^StartLimitIntervalSec=0' '$UNIT'"
kt_check "the unit is hardened (ProtectSystem=strict, NoNewPrivileges, a capability bounding set)" bash -c \
  "grep -q '^ProtectSystem=strict' '$UNIT' && grep -q '^NoNewPrivileges=yes' '$UNIT' && grep -q '^CapabilityBoundingSet=CAP_AUDIT_CONTROL' '$UNIT'"
if command -v systemd-analyze >/dev/null; then
  # Offline: verifies syntax, every option and the ExecStart binary.
  systemd-analyze verify "$UNIT" >"$T/verify.log" 2>&1
  kt_check "systemd-analyze verify accepts the unit" test $? -eq 0 || cat "$T/verify.log"
fi
kt_check "the drop-ins are shipped (fleet-store.conf, replace-auditd.conf)" bash -c \
  "[[ -f /usr/share/auditlens/systemd/fleet-store.conf && -f /usr/share/auditlens/systemd/replace-auditd.conf ]]"
kt_check "the config is root's and 0600 (it may hold a password)" bash -c \
  "[[ \$(stat -c '%u %a' /etc/auditlens/auditlens.toml) == '0 600' ]]"
# A dry run of the installed config (run --check-config reads and checks it, touching nothing).
/usr/bin/auditlens run --check-config --config /etc/auditlens/auditlens.toml >"$T/check-config.log" 2>&1
kt_check "the installed config is valid (run --check-config)" test $? -eq 0 || tail -5 "$T/check-config.log"
ndocs=$(ls "$SOURCE_DIR"/docs/*.md | wc -l)
kt_check "every page of docs/ is in /usr/share/doc/auditlens ($ndocs)" bash -c \
  "[[ \$(ls /usr/share/doc/auditlens/*.md | wc -l) -eq $ndocs ]]"
kt_check "/etc/logrotate.d/auditlens is installed and logrotate reads it" bash -c \
  "[[ -f /etc/logrotate.d/auditlens ]] && logrotate -d -s '$T/logrotate.debug.state' /etc/logrotate.d/auditlens >'$T/logrotate-d.log' 2>&1"
kt_check "/var/log/auditlens and /var/lib/auditlens are 0700 (as the unit's LogsDirectoryMode=)" bash -c \
  "[[ \$(stat -c %a /var/log/auditlens) == 700 || $had_log_dir == 1 ]] && [[ \$(stat -c %a /var/lib/auditlens) == 700 || $had_state_dir == 1 ]]"
kt_check "installing did not start an agent" bash -c "! pgrep -f '^/usr/bin/auditlens run' >/dev/null && [[ \$(systemctl is-active auditlens.service) != active ]]"

# The packaged unit under systemd (the test manager reads /etc/systemd/system, not /usr/lib: the
# package's unit is linked in), started by hand as an administrator would.
ln -sf "$UNIT" "$KSD_UNITS/auditlens.service"
ksd_log_dropin auditlens.service "$T/agent.log"
systemctl daemon-reload
main_pid() { systemctl show -p MainPID --value auditlens.service; }
registered() { local p; p=$(main_pid); [[ $p != 0 ]] && kt_is_daemon "$p"; }
systemctl start auditlens.service
kt_check "the packaged unit starts the agent, which registers" kt_wait_for 10 registered
PID1=$(main_pid)

# Upgrade: the same .deb again. postinst restarts the running agent.
DEBIAN_FRONTEND=noninteractive "${APT[@]}" install --reinstall "$DEB" >"$T/reinstall.log" 2>&1
kt_check "apt-get install --reinstall (an upgrade) succeeds" test $? -eq 0 || tail -20 "$T/reinstall.log"
restarted() { local p; p=$(main_pid); [[ $p != 0 && $p != "$PID1" ]] && kt_is_daemon "$p"; }
kt_check "the upgrade restarted the running agent (pid $PID1 -> a new one, registered)" kt_wait_for 15 restarted
PID2=$(main_pid)

# logrotate with the shipped file: events.json renamed, the agent reopens a new one.
marker_seen() { /bin/echo "$1" >/dev/null; grep -qF "$1" "$2" 2>/dev/null; }
kt_check "events arrive before the rotation" kt_wait_for 10 marker_seen kt-pkg-before-$$ /var/log/auditlens/events.json
logrotate -f -s "$T/logrotate.state" /etc/logrotate.d/auditlens >"$T/logrotate.log" 2>&1
kt_check "logrotate -f /etc/logrotate.d/auditlens succeeds" test $? -eq 0 || cat "$T/logrotate.log"
kt_check "the rotated file is events.json.1" grep -qF kt-pkg-before-$$ /var/log/auditlens/events.json.1
kt_check "after the rotation the agent writes a new events.json (SIGHUP reopened it)" \
  kt_wait_for 10 marker_seen kt-pkg-after-$$ /var/log/auditlens/events.json
kt_check "the new events.json is 0600" bash -c "[[ \$(stat -c %a /var/log/auditlens/events.json) == 600 ]]"
kt_check "the agent is the same process after the rotation (pid $PID2)" bash -c "[[ \$(systemctl show -p MainPID --value auditlens.service) == $PID2 ]]"

# A source install beside the package: postinst says so.
printf '#!/bin/sh\nexit 0\n' >/usr/local/sbin/auditlens && chmod 755 /usr/local/sbin/auditlens && FAKE_SOURCE_INSTALL=1
DEBIAN_FRONTEND=noninteractive "${APT[@]}" install --reinstall "$DEB" >"$T/reinstall2.log" 2>&1
kt_check "postinst warns about a source install in /usr/local/sbin" grep -q '/usr/local/sbin/auditlens' "$T/reinstall2.log"
rm -f /usr/local/sbin/auditlens
FAKE_SOURCE_INSTALL=0

# Remove, then purge: the agent stopped cleanly, nothing of the package left.
DEBIAN_FRONTEND=noninteractive "${APT[@]}" remove auditlens >"$T/remove.log" 2>&1
kt_check "apt-get remove succeeds" test $? -eq 0
kt_check "removing stopped the agent (unit inactive)" bash -c "[[ \$(systemctl is-active auditlens.service) != active ]]"
kt_check "removing put the kernel back (no registered daemon, rules as found)" bash -c \
  "auditctl -s | grep -q '^pid 0' && [[ \"\$(auditctl -l)\" == \"$KT_SAVED_RULES\" ]]"
kt_check "the binary and the unit are gone" bash -c "[[ ! -e /usr/bin/auditlens && ! -e '$UNIT' ]]"
kt_check "the conffiles stay until purge" test -f /etc/auditlens/auditlens.toml
DEBIAN_FRONTEND=noninteractive "${APT[@]}" purge auditlens >"$T/purge.log" 2>&1
kt_check "apt-get purge succeeds" test $? -eq 0
kt_check "nothing of the package is left" bash -c \
  "! dpkg-query -W -f='\${Status}' auditlens 2>/dev/null | grep -q installed && [[ ! -e /etc/auditlens/auditlens.toml && ! -e /etc/default/auditlens && ! -e /etc/logrotate.d/auditlens ]]"
kt_check "the agent's log has no EPERM" bash -c "! grep -iE 'EPERM|not permitted' '$T/agent.log'"
kt_finish
