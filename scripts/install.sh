#!/usr/bin/env bash
# Installs dependencies, builds auditlens, installs it to /usr/local/sbin and starts the agent with
# its embedded defaults. Usage: sudo scripts/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then echo "install.sh: run as root" >&2; exit 1; fi
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target auditlens
install -m 0755 build/release/auditlens /usr/local/sbin/auditlens
install -d -m 0700 /var/log/auditlens

args=(run)
if pgrep -x auditd >/dev/null; then
  # Another audit daemon owns the kernel stream: read beside it rather than fight it.
  echo "install.sh: auditd is running; starting auditlens as a passive reader (stop auditd to let auditlens be the daemon)"
  args+=(--passive)
fi

if [ -d /run/systemd/system ] && [ -f packaging/auditlens.service ]; then
  install -m 0644 packaging/auditlens.service /etc/systemd/system/auditlens.service
  systemctl daemon-reload
  systemctl enable --now auditlens
  echo "install.sh: auditlens runs under systemd (systemctl status auditlens)"
else
  if pid=$(pgrep -x auditlens); then
    echo "install.sh: auditlens already runs (pid $pid)"
  else
    nohup /usr/local/sbin/auditlens "${args[@]}" >>/var/log/auditlens/agent.log 2>&1 &
    sleep 1
    if kill -0 $! 2>/dev/null; then
      echo "install.sh: auditlens started (pid $!); events in /var/log/auditlens/events.json, agent log in /var/log/auditlens/agent.log"
    else
      echo "install.sh: auditlens did not start:" >&2; tail -5 /var/log/auditlens/agent.log >&2; exit 1
    fi
  fi
fi
/usr/local/sbin/auditlens status || true
