# A private PostgreSQL 15 cluster for tests (sourced by bash test scripts). Never touches the
# distro's `main` cluster: the cluster lives in the test's own directory, on its own port.
#
# Interface:
#   pg_start DIR PORT [LISTEN]
#       Creates DIR (owned by the postgres user; DIR's ancestors get o+x so that user can reach
#       it), initdb's a cluster into DIR/data, starts it with its unix socket in DIR and TCP on
#       LISTEN:PORT (LISTEN defaults to 127.0.0.1; "*" listens on every address, e.g. for network
#       namespace test hosts reaching it over a veth pair), creates database `auditlens`.
#       Authentication is `trust` for local sockets, 127.0.0.0/8, ::1 and 10.0.0.0/8, plus any
#       CIDRs in $PG_TRUST_EXTRA (space separated). Test clusters only.
#       Exports PG_URL=postgresql://postgres@127.0.0.1:PORT/auditlens, PG_DIR, PG_PORT and prints
#       PG_URL. Returns non-zero (with the server log on stderr) when the cluster cannot start.
#   pg_stop DIR      fast shutdown (clients disconnected, data kept); fine if not running.
#   pg_kill DIR      immediate shutdown (like a crash; the next start recovers), data kept.
#   pg_restart DIR   starts a stopped cluster of DIR again, same port and settings.
#   pg_running DIR   true when the cluster of DIR accepts connections.
#   pg_psql DIR ARGS...   psql -XAtq -v ON_ERROR_STOP=1 on database auditlens over DIR's socket.
#   pg_stop_all      stops every cluster this shell started (called from the EXIT trap).
#   pg_free_port     prints a TCP port free on 127.0.0.1 now (the kernel's choice), for PORT.
#
# Cleanup: pg_start chains pg_stop_all into the shell's EXIT trap (keeping the trap that is
# already set, e.g. kt_restore from tests/kernel/lib.sh — so call pg_start AFTER kt_init), and
# starts a small watchdog that stops the cluster immediately if the test shell dies without
# running its trap (SIGKILL, a ctest timeout). No cluster outlives the test.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_STARTED_DIRS=()
declare -A PG_WATCHDOGS=()

pg__log() { printf 'pg_server: %s\n' "$*" >&2; }

pg__as_pg() { runuser -u postgres -- "$@"; }

pg__port() { cat "$1/port" 2>/dev/null; }

# Every ancestor of DIR must be searchable by the postgres user (mktemp -d makes 0700 dirs).
pg__open_path() {
  local d
  d=$(dirname "$(readlink -f "$1")")
  while [[ $d != / ]]; do
    if ! pg__as_pg test -x "$d" 2>/dev/null; then chmod o+x "$d" || return 1; fi
    d=$(dirname "$d")
  done
}

pg__watchdog() {
  local dir=$1 parent=$2
  (
    trap '' INT TERM HUP
    while kill -0 "$parent" 2>/dev/null; do sleep 1; done
    if [[ -f $dir/data/postmaster.pid ]]; then
      runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 20 stop
    fi
  ) </dev/null >/dev/null 2>&1 &
  PG_WATCHDOGS[$dir]=$!
  disown "$!" 2>/dev/null || true
}

pg__chain_trap() {
  [[ ${PG_TRAP_SET:-} == 1 ]] && return 0
  local prev
  prev=$(trap -p EXIT)
  prev=${prev#trap -- \'}
  prev=${prev%\' EXIT}
  # shellcheck disable=SC2064
  trap "pg_stop_all; ${prev:-:}" EXIT
  PG_TRAP_SET=1
}

pg_running() {
  local dir=$1 port
  port=$(pg__port "$dir") || return 1
  "$PG_BIN/pg_isready" -q -h "$dir" -p "$port" -t 1 >/dev/null 2>&1
}

pg_restart() {
  local dir=$1 port
  port=$(pg__port "$dir") || { pg__log "no cluster in $dir"; return 1; }
  pg_running "$dir" && return 0
  if ! pg__as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    </dev/null >/dev/null 2>&1; then
    pg__log "cluster in $dir did not start; its log:"
    tail -n 30 "$dir/server.log" >&2
    return 1
  fi
}

# A TCP port free on 127.0.0.1 now, chosen by the kernel (a random number can be a port another
# test's connection holds as its own end: "could not bind ... Address already in use").
pg_free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_start() {
  local dir=$1 port=$2 listen=${3:-127.0.0.1} cidr
  if [[ -z $dir || -z $port ]]; then pg__log "usage: pg_start DIR PORT [LISTEN]"; return 2; fi
  [[ -x $PG_BIN/initdb ]] || { pg__log "no PostgreSQL server in $PG_BIN (scripts/install-deps.sh)"; return 1; }
  mkdir -p "$dir" || return 1
  dir=$(readlink -f "$dir")
  chown postgres:postgres "$dir" && chmod 0700 "$dir" || return 1
  pg__open_path "$dir" || { pg__log "postgres cannot reach $dir"; return 1; }
  if [[ ! -f $dir/data/PG_VERSION ]]; then
    pg__as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { pg__log "initdb failed:"; cat "$dir/initdb.log" >&2; return 1; }
    {
      echo "port = $port"
      echo "listen_addresses = '$listen'"
      echo "unix_socket_directories = '$dir'"
      echo "fsync = off"
      echo "full_page_writes = off"
      echo "shared_buffers = 64MB"
      echo "max_connections = 50"
      echo "logging_collector = off"
    } >>"$dir/data/postgresql.conf"
    {
      echo "local all all trust"
      for cidr in 127.0.0.0/8 ::1/128 10.0.0.0/8 ${PG_TRUST_EXTRA:-}; do
        echo "host all all $cidr trust"
      done
    } >"$dir/data/pg_hba.conf"
    echo "$port" >"$dir/port"
  fi
  PG_STARTED_DIRS+=("$dir")
  pg__chain_trap
  pg__watchdog "$dir" "$$"
  pg_restart "$dir" || return 1
  if [[ -z $("$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -XAtq -d postgres \
    -c "select 1 from pg_database where datname = 'auditlens'" 2>/dev/null) ]]; then
    "$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -Xq -d postgres -c 'create database auditlens' >/dev/null ||
      { pg__log "cannot create database auditlens"; return 1; }
  fi
  PG_DIR=$dir
  PG_PORT=$port
  PG_URL="postgresql://postgres@127.0.0.1:$port/auditlens"
  export PG_DIR PG_PORT PG_URL
  echo "$PG_URL"
}

pg_stop() {
  local dir=$1
  [[ -f $dir/data/postmaster.pid ]] || return 0
  pg__as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
    pg__as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1
}

pg_kill() {
  local dir=$1
  [[ -f $dir/data/postmaster.pid ]] || return 0
  pg__as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1
}

pg_psql() {
  local dir=$1 port
  shift
  port=$(pg__port "$dir") || { pg__log "no cluster in $dir"; return 1; }
  "$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -d auditlens -XAtq -v ON_ERROR_STOP=1 "$@"
}

pg_stop_all() {
  local dir
  for dir in "${PG_STARTED_DIRS[@]}"; do
    pg_stop "$dir"
    if [[ -n ${PG_WATCHDOGS[$dir]:-} ]]; then kill -KILL "${PG_WATCHDOGS[$dir]}" 2>/dev/null || true; fi
  done
  PG_STARTED_DIRS=()
  return 0
}
