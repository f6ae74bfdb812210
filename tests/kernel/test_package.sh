#!/usr/bin/env bash
# Packaging: the .deb built with CPack (packaging/cpack.cmake) installs with apt on this machine
# (its dependencies resolved by apt), gives a working `auditlens`, the systemd unit (accepted by
# systemd-analyze verify), the default config (root's, valid) and the directories; removing and
# purging it leaves the machine as it was. It never starts the agent. Needs root and BUILD_DIR (a
# configured and built tree); refuses to touch an auditlens package installed by someone else.
set -uo pipefail
BUILD_DIR=${BUILD_DIR:?set BUILD_DIR to a built auditlens build directory}
PASSED=0
FAILED=0
check() {
  local what=$1
  shift
  if "$@"; then PASSED=$((PASSED + 1)); echo "ok - $what"; else FAILED=$((FAILED + 1)); echo "not ok - $what"; fi
}
finish() { echo "$PASSED passed, $FAILED failed"; [[ $FAILED -eq 0 ]]; exit; }
if [[ $(id -u) -ne 0 ]]; then echo "package: needs root"; check "running as root" false; finish; fi
if dpkg-query -W -f='${Status}' auditlens 2>/dev/null | grep -q "install ok installed"; then
  echo "package: an auditlens package is already installed here; not touching it"
  check "no auditlens package installed before the test" false
  finish
fi
T=$(mktemp -d /tmp/auditlens-package.XXXXXX)
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)
had_log_dir=0
[[ -d /var/log/auditlens ]] && had_log_dir=1
had_state_dir=0
[[ -d /var/lib/auditlens ]] && had_state_dir=1
cleanup() {
  if dpkg-query -W -f='${Status}' auditlens 2>/dev/null | grep -q "ok installed\|config-files"; then
    DEBIAN_FRONTEND=noninteractive "${APT[@]}" purge auditlens >/dev/null 2>&1 || true
  fi
  # The package creates these; whatever was there before the test stays.
  [[ $had_log_dir == 0 ]] && rmdir /var/log/auditlens 2>/dev/null
  [[ $had_state_dir == 0 ]] && rm -rf /var/lib/auditlens
  rm -rf "$T"
}
trap cleanup EXIT

# Build the package from the build tree, into a directory of its own.
check "cpack builds the .deb" cpack -G DEB --config "$BUILD_DIR/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1
DEB=$(ls "$T"/pkg/auditlens_*.deb 2>/dev/null | head -1)
[[ -n $DEB ]] || { cat "$T/cpack.log"; finish; }
echo "package: $(basename "$DEB") ($(stat -c %s "$DEB") bytes)"
check "the package depends on the shared libraries it links" bash -c "dpkg-deb -f '$DEB' Depends | grep -q libaudit1"
check "its conffiles are the config and the unit's defaults" bash -c \
  "dpkg-deb --ctrl-tarfile '$DEB' | tar -xO ./conffiles | sort | tr '\n' ' ' | grep -qx '/etc/auditlens/auditlens.toml /etc/default/auditlens '"

# Install with apt (dependencies from the archive when missing).
DEBIAN_FRONTEND=noninteractive "${APT[@]}" install "$DEB" >"$T/install.log" 2>&1
check "apt-get install ./auditlens_*.deb succeeds" test $? -eq 0 || tail -20 "$T/install.log"
check "dpkg says installed" bash -c "dpkg-query -W -f='\${Status}' auditlens | grep -q 'install ok installed'"
check "/usr/bin/auditlens --version" bash -c "/usr/bin/auditlens --version | grep -q '^auditlens [0-9]'"
check "/usr/bin/auditlens parse works" bash -c \
  "echo 'type=USER_LOGIN msg=audit(1795345652.369:10): pid=1 uid=0 res=success' | /usr/bin/auditlens parse 2>/dev/null | grep -q '\"serial\":10'"
UNIT=$(dpkg -L auditlens | grep '/systemd/system/auditlens.service$' | head -1)
check "the systemd unit is installed ($UNIT)" test -f "$UNIT"
check "the unit restarts on failure" grep -q '^Restart=on-failure' "$UNIT"
check "the unit is hardened (ProtectSystem=strict, NoNewPrivileges, a capability bounding set)" bash -c \
  "grep -q '^ProtectSystem=strict' '$UNIT' && grep -q '^NoNewPrivileges=yes' '$UNIT' && grep -q '^CapabilityBoundingSet=CAP_AUDIT_CONTROL' '$UNIT'"
if command -v systemd-analyze >/dev/null; then
  # Offline: verifies syntax, every option and the ExecStart binary (resolved from the search path).
  systemd-analyze verify "$UNIT" >"$T/verify.log" 2>&1
  check "systemd-analyze verify accepts the unit" test $? -eq 0 || cat "$T/verify.log"
fi
check "the config is root's and not writable by others" bash -c \
  "[[ \$(stat -c '%u %a' /etc/auditlens/auditlens.toml) == '0 644' ]]"
# `status --config` parses the config (and only reads the kernel's status).
check "the installed config is valid" bash -c "/usr/bin/auditlens status --config /etc/auditlens/auditlens.toml >/dev/null"
check "/var/log/auditlens is 0750 and /var/lib/auditlens 0700" bash -c \
  "[[ \$(stat -c %a /var/log/auditlens) == 750 || $had_log_dir == 1 ]] && [[ \$(stat -c %a /var/lib/auditlens) == 700 || $had_state_dir == 1 ]]"
check "installing did not start an agent" bash -c "! pgrep -x -f '/usr/bin/auditlens run.*' >/dev/null"

# Remove, then purge: nothing of the package is left.
DEBIAN_FRONTEND=noninteractive "${APT[@]}" remove auditlens >"$T/remove.log" 2>&1
check "apt-get remove succeeds" test $? -eq 0
check "the binary and the unit are gone" bash -c "[[ ! -e /usr/bin/auditlens && ! -e '$UNIT' ]]"
check "the conffiles stay until purge" test -f /etc/auditlens/auditlens.toml
DEBIAN_FRONTEND=noninteractive "${APT[@]}" purge auditlens >"$T/purge.log" 2>&1
check "apt-get purge succeeds" test $? -eq 0
check "nothing of the package is left" bash -c \
  "! dpkg-query -W -f='\${Status}' auditlens 2>/dev/null | grep -q installed && [[ ! -e /etc/auditlens/auditlens.toml && ! -e /etc/default/auditlens ]]"
finish
