#!/usr/bin/env bash
# Installs the Debian 12 packages auditlens needs, in three nested sets:
#   scripts/install-deps.sh runtime   what the agent needs to run: its shared libraries
#   scripts/install-deps.sh build     runtime + the compiler, cmake, ninja, the -dev libraries and
#                                     help2man (the man pages): what scripts/install.sh uses
#   scripts/install-deps.sh test      build + everything the tests and the benchmark use: auditd
#                                     and python3-audit (reference peers), PostgreSQL, sshd, clang
#                                     (fuzz), valgrind, strace, systemd, logrotate, podman,
#                                     docker.io, busybox-static, ...
# No argument means `test` (what scripts/test.sh, the developer's command, needs). Idempotent:
# does nothing when every package of the set is present. Run as root.
#
# The runtime and build sets hold no daemon. The test set installs auditd, postgresql,
# openssh-server and docker.io (dockerd, containerd) without starting them (policy-rc.d below: the
# tests start their own, on their own ports and state), but their packages (and podman's) leave
# them enabled for the next boot: that set is for test machines, never for a host you only
# install auditlens on.
set -euo pipefail

set_name=${1:-test}
RUNTIME=(libaudit1 libtomlplusplus3 libfmt9 libsqlite3-0 libpq5 libssl3 libarchive13)
BUILD=(
  "${RUNTIME[@]}"
  build-essential cmake ninja-build pkg-config git
  libaudit-dev libcli11-dev libtomlplusplus-dev libfmt-dev libsqlite3-dev libpq-dev libssl-dev libcpp-httplib-dev
  # compressed logs for `auditlens import` (src/record/log_file.cc)
  libarchive-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # the man pages, made from the program's --help at build time (man/man.cmake)
  help2man
)
TEST=(
  "${BUILD[@]}"
  # the reference peers (auditd, libauparse for Python) and the tools the kernel tests use;
  # auditd also gives auditctl, with which every kernel test saves and restores the kernel state
  auditd python3 python3-audit iproute2 procps psmisc valgrind sqlite3
  # the SSH session end-to-end test (tests/kernel/test_ssh_session.sh) runs its own sshd on a
  # loopback port
  openssh-server openssh-client
  # the fleet store tests start private PostgreSQL clusters of their own (tests/pg/pg_server.sh)
  postgresql
  # the fuzz targets (fuzz/, ctest label fuzz): clang and its libFuzzer/sanitizer runtimes
  clang libclang-rt-14-dev
  # the unit's tests: a real systemd manager (tests/kernel/lib_systemd.sh), unshare, strace for
  # the syscall check, logrotate for the shipped rotation file, dpkg-dev for the package test
  systemd util-linux strace logrotate dpkg-dev
  # man renders the man pages in the CLI tests (tests/cli)
  man-db
  # the import test (tests/cli/test_import.sh) compresses rotated logs with each
  gzip xz-utils zstd
  # real container runtimes (tests/kernel/lib_containers.sh), each on state of the test's own: podman
  # with runc (crun, its default, cannot start a container on a host without CAP_SYS_RESOURCE in
  # the bounding set or with hybrid cgroups), the image made from busybox-static's /bin/busybox
  # (no registry is needed), and docker.io (dockerd, containerd, runc), of which the tests start a
  # private dockerd (own data root, exec root and socket; no iptables, no bridge)
  podman runc busybox-static docker.io
  # the syslog outputs' tests (tests/kernel/test_output_syslog.sh) start a private rsyslogd (own
  # config, work directory and sockets, on a loopback port) as their collector
  rsyslog
  # the web page's tests (tests/web): a real headless browser driven over its DevTools protocol
  # (python3-websocket), curl for the API, openssl for a self-signed certificate
  chromium python3-websocket curl openssl
  # the benchmark's web server under load (bench/web_load.sh): nginx and ab (apache2-utils)
  nginx apache2-utils
)
case $set_name in
  runtime) PACKAGES=("${RUNTIME[@]}") ;;
  build) PACKAGES=("${BUILD[@]}") ;;
  test) PACKAGES=("${TEST[@]}") ;;
  -h | --help)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "install-deps: unknown set '$set_name' (runtime, build or test)" >&2
    exit 2
    ;;
esac
if [[ $(id -u) != 0 ]]; then echo "install-deps: run as root" >&2; exit 1; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps ($set_name): installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # auditd's, openssh-server's, postgresql's, nginx's and docker.io's maintainer scripts try to start their
  # daemons; the tests start their own when needed. A policy-rc.d already there is the administrator's: kept.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
