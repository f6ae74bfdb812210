#!/usr/bin/env bash
# Removes what scripts/install.sh installed, as root: stops the agent cleanly (SIGTERM: it removes
# its rules and puts the kernel's audit settings back), removes /usr/local/sbin/auditlens, its
# unit and drop-ins in /etc/systemd/system and its /etc/default/auditlens, and puts auditd back
# as install.sh found it when --replace-auditd masked it (unmasked; enabled and started again if
# it was). Keeps the events (/var/log/auditlens) and the agent's state and store
# (/var/lib/auditlens), and says so: they are audit records, deleting them is the
# administrator's decision. The .deb is removed with apt-get remove/purge instead.
# Usage: scripts/uninstall.sh
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
if (($#)); then echo "uninstall.sh: no arguments expected (--help)" >&2; exit 2; fi
if [[ $(id -u) != 0 ]]; then echo "uninstall.sh: run as root" >&2; exit 1; fi
say() { echo "uninstall.sh: $*"; }

BIN=/usr/local/sbin/auditlens
UNIT=/etc/systemd/system/auditlens.service
DROPINS=/etc/systemd/system/auditlens.service.d
DEFAULTS=/etc/default/auditlens
INSTALL_STATE=/var/lib/auditlens/source-install
MARK="# written by auditlens scripts/install.sh"
systemd=0
[[ -d /run/systemd/system ]] && systemd=1

if [[ -f $UNIT ]] && ! grep -q "^ExecStart=$BIN " "$UNIT"; then
  echo "uninstall.sh: $UNIT was not installed by scripts/install.sh (its ExecStart is not $BIN); not touching it" >&2
  exit 1
fi

# 1. The agent, stopped cleanly.
if ((systemd)) && [[ -f $UNIT ]]; then
  systemctl stop auditlens.service || true
  systemctl disable auditlens.service >/dev/null 2>&1 || true
  say "stopped and disabled auditlens.service"
fi
for pid in $(pgrep -f "^$BIN run( |\$)" || true); do
  if [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$BIN"* ]]; then
    say "stopping auditlens (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "uninstall.sh: auditlens (pid $pid) did not stop within 30 s; not removing it" >&2
      exit 1
    fi
  fi
done

# 2. Its files.
rm -f "$BIN" "$UNIT" "$DROPINS/replace-auditd.conf" "$DROPINS/fleet-store.conf"
rmdir "$DROPINS" 2>/dev/null || true
[[ -d $DROPINS ]] && say "kept $DROPINS: it holds drop-ins of your own"
if [[ -f $DEFAULTS ]] && grep -qF "$MARK" "$DEFAULTS"; then
  rm -f "$DEFAULTS"
  if [[ -f $DEFAULTS.before-auditlens-install ]]; then
    mv "$DEFAULTS.before-auditlens-install" "$DEFAULTS"
    say "put back the $DEFAULTS that was there before install.sh"
  fi
fi
if ((systemd)); then systemctl daemon-reload || true; fi
say "removed $BIN and its unit"

# 3. auditd, as it was before --replace-auditd.
declare -A was=()
if [[ -f $INSTALL_STATE ]]; then
  while IFS='=' read -r k v; do [[ -n $k ]] && was[$k]=$v; done <"$INSTALL_STATE"
  rm -f "$INSTALL_STATE"
fi
if [[ ${was[auditd_masked_by_install]:-} == yes ]]; then
  if ((systemd)); then
    systemctl unmask auditd.service
    say "unmasked auditd (install.sh --replace-auditd had masked it)"
    if [[ ${was[auditd_enabled]:-} == yes ]]; then
      systemctl enable auditd.service
      say "enabled auditd again (it was before install.sh)"
    fi
    systemctl daemon-reload || true
    if [[ ${was[auditd_running]:-} == yes ]]; then
      systemctl start auditd.service && say "started auditd again (it ran before install.sh)"
    fi
  elif [[ ${was[auditd_running]:-} == yes ]]; then
    say "auditd ran before install.sh --replace-auditd stopped it; start it again as this host does (no systemd here)"
  fi
fi

say "kept the events in /var/log/auditlens and the agent's state and store in /var/lib/auditlens" \
  "(remove them with rm -r when you no longer need them)"
