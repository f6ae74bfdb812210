#!/usr/bin/env bash
# Installs everything auditlens needs to build, test and benchmark on Debian 12. Idempotent: does
# nothing when all packages are present.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git
  # the man pages, made from the program's --help (man/man.cmake); man-db renders them in tests
  help2man man-db
  # libraries
  libaudit-dev libcli11-dev libtomlplusplus-dev libfmt-dev libsqlite3-dev libpq-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # tests and the showdown: the reference peers (auditd, libauparse for Python) and tools
  auditd python3 python3-audit iproute2 procps psmisc valgrind
  # the SSH session end-to-end test (tests/kernel/test_ssh_session.sh) runs its own sshd on a
  # loopback port; policy-rc.d below keeps the package from starting one on port 22
  openssh-server openssh-client sqlite3
  # the fleet store tests start private PostgreSQL clusters of their own (tests/pg/pg_server.sh);
  # policy-rc.d below keeps the package from starting the distro's cluster
  postgresql
  # the fuzz targets (fuzz/, ctest label fuzz): clang and its libFuzzer/sanitizer runtimes
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # auditd's, openssh-server's and postgresql's maintainer scripts try to start their daemons; the tests start
  # them themselves when needed.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
