#!/usr/bin/env bash
# Builds auditlens from this tree and installs it on this machine, as root (no sudo needed):
#   /usr/local/sbin/auditlens                      the program
#   /etc/systemd/system/auditlens.service          the unit, ExecStart=/usr/local/sbin/auditlens
#                                                  (systemd hosts; drop-ins beside it, see below)
#   /etc/default/auditlens                         AUDITLENS_ARGS: the mode chosen here, kept
#                                                  across reboots and re-installs
#   /var/log/auditlens, /var/lib/auditlens (0700)  events; state and store
# then starts the agent (systemd: enabled, so it starts at every boot; without systemd: in the
# background, and nothing starts it again at boot). Only the build set of install-deps.sh is
# installed: no auditd, PostgreSQL or sshd. Uninstall: scripts/uninstall.sh.
#
# Usage: scripts/install.sh [--beside-auditd | --replace-auditd]
#   (default)         auditd enabled or running: beside it, as --beside-auditd; else the agent is
#                     the audit daemon
#   --beside-auditd   auditd stays the audit daemon (its audit.log goes on); the agent reads the
#                     kernel's multicast copy (--passive) and loads its own rules, after auditd's
#                     own (the unit's After=auditd.service)
#   --replace-auditd  auditd is stopped, disabled and masked; the agent becomes the audit daemon,
#                     and a drop-in adds Conflicts=auditd.service. scripts/uninstall.sh unmasks it
# Why beside is the default: taking over silently would end the administrator's audit.log trail.
# With [store] postgres in /etc/auditlens/auditlens.toml the fleet-store drop-in is added
# (AF_INET/AF_INET6 for the unit). Details: docs/operations.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

mode=auto
for arg in "$@"; do
  case $arg in
    --beside-auditd) mode=beside ;;
    --replace-auditd) mode=replace ;;
    -h | --help)
      sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install.sh: unknown option '$arg' (--beside-auditd, --replace-auditd, --help)" >&2
      exit 2
      ;;
  esac
done
if [[ $(id -u) != 0 ]]; then echo "install.sh: run as root" >&2; exit 1; fi
say() { echo "install.sh: $*"; }

if dpkg-query -W -f='${Status}' auditlens 2>/dev/null | grep -q 'install ok installed'; then
  echo "install.sh: the auditlens package is installed (/usr/bin/auditlens); use one or the other:" \
    "remove it first (apt-get remove auditlens), or upgrade it with a new .deb" >&2
  exit 1
fi

BIN=/usr/local/sbin/auditlens
UNIT=/etc/systemd/system/auditlens.service
DROPINS=/etc/systemd/system/auditlens.service.d
DEFAULTS=/etc/default/auditlens
CONFIG=/etc/auditlens/auditlens.toml
# What install.sh found and did, for scripts/uninstall.sh (auditd put back as it was).
INSTALL_STATE=/var/lib/auditlens/source-install
MARK="# written by auditlens scripts/install.sh"

scripts/install-deps.sh build
[[ -f build/release/CMakeCache.txt ]] || cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target auditlens
install -d -m 0700 /var/log/auditlens /var/lib/auditlens
# Stripped, as the package installs it: 3 MB instead of 78 (build/release/auditlens keeps the debug
# information, for gdb). The agent hashes the programs of its events, its own among them
# (process.hash.sha256): 78 MB took 0.3 s of CPU at every start.
install -s -m 0755 build/release/auditlens "$BIN.new"
mv -f "$BIN.new" "$BIN"
say "installed $BIN ($("$BIN" --version 2>/dev/null | head -1))"

systemd=0
[[ -d /run/systemd/system ]] && systemd=1

# auditd: installed? enabled (starts at boot)? running now?
auditd_enabled=no
auditd_running=no
auditd_installed=no
if [[ -x /sbin/auditd || -x /usr/sbin/auditd ]]; then auditd_installed=yes; fi
if ((systemd)); then
  state=$(systemctl is-enabled auditd.service 2>/dev/null || true)
  case $state in
    enabled | enabled-runtime | static | alias | indirect | generated) auditd_enabled=yes ;;
  esac
  [[ $(systemctl is-active auditd.service 2>/dev/null || true) == active ]] && auditd_running=yes
fi
pgrep -x auditd >/dev/null && auditd_running=yes
# An enable link left by a removed package (its unit file gone) starts nothing at boot.
[[ $auditd_installed == no ]] && auditd_enabled=no
if [[ $auditd_installed == yes ]]; then
  say "auditd is installed (enabled at boot: $auditd_enabled, running: $auditd_running)"
fi

# A re-install keeps --replace-auditd (auditd is masked by then, so it would not be seen).
if [[ $mode == auto && -f $DEFAULTS ]] && grep -qF "$MARK (replace mode" "$DEFAULTS"; then
  mode=replace
  say "keeping the replace mode of the last install (auditlens is the audit daemon, auditd masked)"
fi
if [[ $mode == auto ]]; then
  if [[ $auditd_running == yes || ($systemd == 1 && $auditd_enabled == yes) ]]; then
    mode=beside
    say "default with auditd: auditlens runs BESIDE it (passive, with its own rules); auditd stays" \
      "the audit daemon and keeps writing /var/log/audit/audit.log. To make auditlens the audit" \
      "daemon instead: scripts/install.sh --replace-auditd"
  else
    mode=daemon
  fi
elif [[ $mode == replace && $auditd_installed == no && $auditd_running == no ]]; then
  mode=daemon
fi

# The mode, persisted: the unit (or a restart by hand) reads AUDITLENS_ARGS from $DEFAULTS.
args=()
[[ -f $CONFIG ]] && args+=(--config "$CONFIG")
[[ $mode == beside ]] && args+=(--passive)

if [[ -e $DEFAULTS ]] && ! grep -qF "$MARK" "$DEFAULTS"; then
  cp -p "$DEFAULTS" "$DEFAULTS.before-auditlens-install"
  say "kept the previous $DEFAULTS as $DEFAULTS.before-auditlens-install"
fi
{
  echo "$MARK ($mode mode; re-run it to change, or edit and restart auditlens)."
  echo "# Arguments of \`auditlens run\` for the service: --passive reads beside auditd."
  echo "AUDITLENS_ARGS=\"${args[*]}\""
} >"$DEFAULTS"
chmod 0644 "$DEFAULTS"

# What auditd looked like before any install.sh touched it (the first run's view is kept).
if [[ ! -f $INSTALL_STATE ]]; then
  printf 'auditd_enabled=%s\nauditd_running=%s\n' "$auditd_enabled" "$auditd_running" >"$INSTALL_STATE"
fi

if [[ $mode == replace ]]; then
  say "--replace-auditd: stopping, disabling and masking auditd; auditlens becomes the audit daemon" \
    "(auditd's /var/log/audit/audit.log gets no more records; scripts/uninstall.sh unmasks it)"
  if ((systemd)); then
    systemctl stop auditd.service 2>/dev/null || true
    systemctl disable auditd.service >/dev/null 2>&1 || true
    systemctl mask auditd.service
  elif pid=$(pgrep -x auditd); then
    kill -TERM $pid
    for _ in $(seq 100); do pgrep -x auditd >/dev/null || break; sleep 0.1; done
  fi
  echo "auditd_masked_by_install=yes" >>"$INSTALL_STATE"
fi

fleet_store=no
if [[ -f $CONFIG ]] && awk '/^[[:space:]]*\[/{s=$0} s~/^[[:space:]]*\[store\]/ && /^[[:space:]]*postgres[[:space:]]*=[[:space:]]*"[^"]+"/{f=1} END{exit !f}' "$CONFIG"; then
  fleet_store=yes
fi

if ((systemd)); then
  sed "s|^ExecStart=/usr/bin/auditlens |ExecStart=$BIN |" packaging/auditlens.service >"$UNIT.new"
  grep -q "^ExecStart=$BIN run " "$UNIT.new" || { echo "install.sh: could not set ExecStart in the unit" >&2; exit 1; }
  sed -i "1i # Installed by scripts/install.sh from $SRC (a copy of packaging/auditlens.service, ExecStart=$BIN)." "$UNIT.new"
  chmod 0644 "$UNIT.new"
  mv -f "$UNIT.new" "$UNIT"
  install -d -m 0755 "$DROPINS"
  if [[ $mode == replace ]]; then
    install -m 0644 packaging/replace-auditd.conf "$DROPINS/replace-auditd.conf"
  else
    rm -f "$DROPINS/replace-auditd.conf"
  fi
  if [[ $fleet_store == yes ]]; then
    install -m 0644 packaging/fleet-store.conf "$DROPINS/fleet-store.conf"
    say "[store] postgres is set in $CONFIG: $DROPINS/fleet-store.conf lets the unit use TCP (AF_INET, AF_INET6)"
  elif [[ -f $DROPINS/fleet-store.conf ]] && cmp -s packaging/fleet-store.conf "$DROPINS/fleet-store.conf"; then
    rm -f "$DROPINS/fleet-store.conf"
  fi
  rmdir "$DROPINS" 2>/dev/null || true
  systemctl daemon-reload
  if [[ $mode == beside && $auditd_running == no && $auditd_enabled == yes ]]; then
    say "auditd is enabled but not running: starting it first (as boot would)"
    systemctl start auditd.service || say "auditd did not start (systemctl status auditd)"
  fi
  systemctl enable auditlens.service
  # restart: a running agent (an earlier install) gets the new binary and arguments.
  if ! systemctl restart auditlens.service; then
    echo "install.sh: auditlens did not start (systemctl status auditlens; journalctl -u auditlens)" >&2
    exit 1
  fi
  sleep 1
  if [[ $(systemctl is-active auditlens.service) != active ]]; then
    echo "install.sh: auditlens is not running (systemctl status auditlens; journalctl -u auditlens)" >&2
    exit 1
  fi
  say "auditlens runs under systemd ($mode mode) and starts at every boot: systemctl status auditlens"
else
  # No systemd (a container, another init): started in the background now, NOT at boot.
  # Agents only (`auditlens run`), never another user's `auditlens parse` or `status`.
  for pid in $(pgrep -f "^$BIN run( |\$)" || true); do
    if [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$BIN"* ]]; then
      say "stopping the running auditlens (pid $pid) to start the new one"
      kill -TERM "$pid"
      for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
  if pid=$(pgrep -f '(^|/)auditlens run( |$)' | head -1) && [[ -n $pid ]]; then
    echo "install.sh: another auditlens runs (pid $pid, $(readlink /proc/$pid/exe)); stop it first" >&2
    exit 1
  fi
  # shellcheck disable=SC2086
  nohup "$BIN" run "${args[@]}" >>/var/log/auditlens/agent.log 2>&1 </dev/null &
  pid=$!
  sleep 1
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "install.sh: auditlens did not start:" >&2
    tail -5 /var/log/auditlens/agent.log >&2
    exit 1
  fi
  say "auditlens started in the background (pid $pid, $mode mode); agent log in /var/log/auditlens/agent.log"
  say "no systemd here: NOTHING starts auditlens again after a reboot. Run it under this host's" \
    "supervisor (docs/operations.md, \"Without systemd\") with: $BIN run ${args[*]}"
fi
say "events in /var/log/auditlens/events.json (0600); \`auditlens status\` shows the agent's counters"
"$BIN" status || true
