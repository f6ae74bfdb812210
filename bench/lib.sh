# shellcheck shell=bash
# Shared pieces of the showdown harness (sourced by bench/run.sh). Bash; needs root.
#
# The kernel's audit state is global and shared with everyone on the machine, so every measurement
# is bracketed by begin_measurement / end_measurement: take the kernel lock, save the status, set
# the baseline, ... then stop the consumer, delete our rules, restore the status, release the lock.
# bench_on_exit (installed as the EXIT trap by run.sh) does the same whatever happened.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
BENCH_BUILD=${BENCH_BUILD:-$REPO_DIR/build/bench}
TOOLS=$BENCH_BUILD/bench
AUDITLENS=${AUDITLENS:-$REPO_DIR/build/release/auditlens}
# shellcheck source=../scripts/kernel_lock.sh
source "$REPO_DIR/scripts/kernel_lock.sh"
BENCH_KEY=alb_bench           # every rule of ours carries this key: cleanup deletes by it
PY=/usr/bin/python3           # Debian's python: the one with python3-audit (auparse)

# Debian's default kernel settings (/etc/audit/rules.d/audit.rules: -b 8192, --backlog_wait_time
# 60000, -f 1), applied alike under every consumer; auditd would load them through augenrules.
BASE_BACKLOG_LIMIT=8192
BASE_BACKLOG_WAIT=60000

WORK=""                       # this run's temporary directory
MEASURING=0                   # 1 between begin_measurement and end_measurement
CONSUMER_PID=""
STORM_PID=""
declare -A SAVED=()

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

# --- the kernel lock -----------------------------------------------------------------------------

take_kernel_lock() { kernel_lock_take bench "${LOCK_WAIT:-1800}" || die "could not take $KERNEL_LOCK"; }
release_kernel_lock() { kernel_lock_release; }

# --- kernel status -------------------------------------------------------------------------------

# Fills the associative array named $1 from `auditctl -s`.
read_status() {
  local -n out=$1
  local k v
  out=()
  while read -r k v _; do
    [[ -n $k ]] && out[$k]=$v
  done < <(auditctl -s)
  [[ -n ${out[enabled]:-} ]] || die "auditctl -s gave no status"
}

status_field() { auditctl -s | awk -v k="$1" '$1 == k { print $2 }'; }

pid_alive() { [[ -n $1 && $1 != 0 ]] && kill -0 "$1" 2>/dev/null; }

# The kernel notices a dead daemon only when it next sends it a record: one user message (while
# enabled) makes it drop a stale registration.
flush_stale_daemon() {
  local pid
  pid=$(status_field pid)
  if [[ $pid != 0 ]] && ! pid_alive "$pid"; then
    auditctl -e 1 >/dev/null
    auditctl -m "${BENCH_KEY}_flush_stale_daemon" 2>/dev/null
    sleep 0.1
  fi
}

begin_measurement() {
  take_kernel_lock
  MEASURING=1
  read_status SAVED
  [[ ${SAVED[enabled]} == 2 ]] && die "audit is immutable (enabled 2): cannot benchmark"
  if [[ ${SAVED[pid]} != 0 ]] && pid_alive "${SAVED[pid]}"; then
    die "another audit daemon is registered: pid ${SAVED[pid]} ($(readlink "/proc/${SAVED[pid]}/exe"))"
  fi
  pgrep -x auditd >/dev/null && die "auditd is running (pid $(pgrep -x auditd | head -1)): stop it first"
  local foreign
  foreign=$(auditctl -l | grep -v -e "key=$BENCH_KEY" -e '^No rules' || true)
  [[ -z $foreign ]] || log "bench: warning: audit rules of someone else are loaded (they add cost): $foreign"
  delete_bench_rules
  flush_stale_daemon
  auditctl -e 1 -r 0 -b "$BASE_BACKLOG_LIMIT" --backlog_wait_time "$BASE_BACKLOG_WAIT" >/dev/null ||
    die "could not set the kernel baseline"
  # failure stays what it was (1 here): never 2.
}

delete_bench_rules() {
  local rule
  while read -r rule; do
    [[ $rule == -a* ]] || continue
    # auditctl -l prints rules in the syntax -a takes; -d with the same fields deletes it.
    # shellcheck disable=SC2086  # our rules have no spaces inside fields
    auditctl -d ${rule#-a } >/dev/null 2>&1 || log "bench: could not delete rule: $rule"
  done < <(auditctl -l | grep -e "key=$BENCH_KEY")
}

restore_status() {
  [[ -n ${SAVED[enabled]:-} ]] || return 0
  flush_stale_daemon
  local args=(-r "${SAVED[rate_limit]}" -b "${SAVED[backlog_limit]}"
              --backlog_wait_time "${SAVED[backlog_wait_time]}")
  [[ ${SAVED[failure]} == 2 ]] || args+=(-f "${SAVED[failure]}")
  auditctl "${args[@]}" >/dev/null || log "bench: could not restore rate/backlog settings"
  # enabled last: a 2 here never comes from us (begin_measurement refuses to run under it).
  [[ ${SAVED[enabled]} == 2 ]] || auditctl -e "${SAVED[enabled]}" >/dev/null ||
    log "bench: could not restore enabled=${SAVED[enabled]}"
}

end_measurement() {
  stop_process STORM_PID
  stop_process CONSUMER_PID
  delete_bench_rules
  restore_status
  local now_pid
  now_pid=$(status_field pid)
  [[ $now_pid == 0 ]] || log "bench: warning: kernel still has audit pid $now_pid registered"
  MEASURING=0
  SAVED=()
  release_kernel_lock
}

bench_on_exit() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if ((MEASURING)); then
    log "bench: restoring the kernel audit state"
    end_measurement
  fi
  [[ -n $WORK && -d $WORK && -z ${BENCH_KEEP_WORK:-} ]] && rm -rf "$WORK"
  exit "$rc"
}

# Stops the process whose pid is in the variable named $1 (TERM, then KILL after 30 s).
stop_process() {
  local -n pidvar=$1
  local pid=$pidvar i
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 300; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "bench: pid $pid ignored SIGTERM for 30 s: killing it"
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  wait "$pid" 2>/dev/null
  pidvar=""
}

# --- consumers -----------------------------------------------------------------------------------
# start_consumer NAME RULES_FILE DIR: starts it in the background (CONSUMER_PID), its output in DIR.
# CONSUMER_LOADS_RULES=1 when the consumer loads the storm's rules itself.

auditlens_usable() {
  [[ -x $AUDITLENS ]] || return 1
  local help
  help=$("$AUDITLENS" run --help 2>&1) || return 1
  [[ $help == *--rules* && $help == *--output* ]]
}

write_auditd_conf() {  # DIR FORMAT
  local dir=$1 format=$2
  mkdir -p "$dir/conf" "$dir/log"
  chmod 0750 "$dir/conf"
  # Debian's auditd.conf as installed, with three changes: the log goes to our directory, in the
  # format being measured, and is never rotated (rotation at 8 MB x 5 files would delete events
  # before they are counted; a rename per 8 MB costs nothing measurable).
  sed -e "s|^log_file *=.*|log_file = $dir/log/audit.log|" \
      -e "s|^log_format *=.*|log_format = $format|" \
      -e "s|^max_log_file_action *=.*|max_log_file_action = IGNORE|" \
      /etc/audit/auditd.conf >"$dir/conf/auditd.conf"
  chmod 0640 "$dir/conf/auditd.conf"
}

start_consumer() {
  local name=$1 rules=$2 dir=$3
  mkdir -p "$dir"
  CONSUMER_LOADS_RULES=0
  case $name in
    floor | floor-core)
      # floor-core: the same floor receiving through auditlens's AuditNetlink (for comparison).
      local bin=bench_floor
      [[ $name == floor-core ]] && bin=bench_floor_core
      [[ -x $TOOLS/$bin ]] || die "$TOOLS/$bin is not built"
      "$TOOLS/$bin" >"$dir/floor.out" 2>"$dir/floor.err" 9>&- &
      ;;
    auditd-enriched | auditd-raw)
      local format=ENRICHED
      [[ $name == auditd-raw ]] && format=RAW
      write_auditd_conf "$dir" "$format"
      auditd -n -c "$dir/conf" >"$dir/auditd.err" 2>&1 9>&- &
      ;;
    auditd-laurel)
      # auditd (RAW) with Debian's laurel as its only plugin: the package's config.toml with its
      # directory changed to DIR/laurel and its rotation size raised (bench/get_laurel.sh finds or
      # unpacks the package).
      local laurel laurel_conf
      { read -r laurel; read -r laurel_conf; } < <(bash "$BENCH_DIR/get_laurel.sh" "$WORK/laurel-pkg") ||
        die "laurel is not available"
      write_auditd_conf "$dir" RAW
      getent passwd _laurel >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin _laurel
      mkdir -p "$dir/plugins" "$dir/laurel"
      chown _laurel "$dir/laurel"
      # Its log is not rotated away while events are counted: the package rotates at 5 MB and
      # keeps 10 files, fewer than a storm writes (as auditd's max_log_file_action = IGNORE).
      sed -e "s|^directory *=.*|directory = \"$dir/laurel\"|" \
          -e "s|^size *=.*|size = 100000000000|" "$laurel_conf" >"$dir/laurel.toml"
      printf '%s\n' "active = yes" "direction = out" "type = always" "format = string" \
        "path = $laurel" "args = --config $dir/laurel.toml" >"$dir/plugins/laurel.conf"
      chmod 0640 "$dir/plugins/laurel.conf"
      sed -i -e "/^plugin_dir *=/d" "$dir/conf/auditd.conf"
      echo "plugin_dir = $dir/plugins" >>"$dir/conf/auditd.conf"
      auditd -n -c "$dir/conf" >"$dir/auditd.err" 2>&1 9>&- &
      ;;
    auditlens)
      CONSUMER_LOADS_RULES=1
      # shellcheck disable=SC2086  # extra arguments are words on purpose
      "$AUDITLENS" run --rules "$rules" --output "$dir/events.json" ${AUDITLENS_RUN_ARGS:-} \
        >"$dir/auditlens.out" 2>"$dir/auditlens.err" 9>&- &
      ;;
    *) die "unknown consumer $name" ;;
  esac
  CONSUMER_PID=$!
  # Ready when the kernel has it as its daemon (and, for auditlens, its rules are in).
  local i
  for ((i = 0; i < 200; i++)); do
    kill -0 "$CONSUMER_PID" 2>/dev/null || { cat "$dir"/*.err >&2; die "$name exited at start"; }
    if [[ $(status_field pid) == "$CONSUMER_PID" ]]; then
      ((CONSUMER_LOADS_RULES)) || return 0
      auditctl -l | grep -q "key=$BENCH_KEY" && return 0
    fi
    sleep 0.05
  done
  die "$name did not register as audit daemon within 10 s"
}

# Sends SIGUSR1 to the floor and prints its snapshot line.
floor_snapshot() {
  local dir=$1 before i
  before=$(grep -c '^snapshot ' "$dir/floor.out")
  kill -USR1 "$CONSUMER_PID"
  for ((i = 0; i < 100; i++)); do
    (($(grep -c '^snapshot ' "$dir/floor.out") > before)) && break
    sleep 0.02
  done
  grep '^snapshot ' "$dir/floor.out" | tail -1
}

field_of() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }

# Whether the consumer has shown the marker message yet.
marker_seen() {
  local name=$1 dir=$2 marker=$3
  case $name in
    floor*)
      local snap
      snap=$(floor_snapshot "$dir")
      (($(field_of "$snap" user) > FLOOR_USER0))
      ;;
    auditd-laurel) tail -c 65536 "$dir/laurel/audit.log" 2>/dev/null | grep -q "$marker" ;;
    auditd-*) tail -c 65536 "$dir/log/audit.log" 2>/dev/null | grep -q "$marker" ;;
    auditlens) tail -c 65536 "$dir/events.json" 2>/dev/null | grep -q "$marker" ;;
  esac
}

cpu_ns_of() { "$TOOLS/bench_proc" "$1" | sed -n 's/^cpu_ns=\([0-9]*\) .*/\1/p'; }

# Before the storm: waits until the consumer's start-up work is over, so that the measurement is of
# events, not of starting (for auditlens: seeding its process table from /proc, opening the store,
# and hashing the programs of its first events, its own among them: 78 MB unstripped, ~10 ms of CPU
# that fell in the first rounds' measurements, 3 µs per event of an exec storm of 3,000). Done when
# the CPU grew by less than 1 ms in each 200 ms for 1.2 s (the hasher reads 64 MiB a second, then
# sleeps out the second: a shorter quiet can be its pause); gives up after 20 s (then says so).
wait_settled() {
  local pid=$1 start=$SECONDS last now flat=0
  last=$(cpu_ns_of "$pid")
  while ((SECONDS - start < 20)); do
    sleep 0.2
    now=$(cpu_ns_of "$pid")
    [[ -n $now ]] || return 0
    if ((now - last < 1000000)); then flat=$((flat + 1)); else flat=0; fi
    last=$now
    ((flat >= 6)) && return 0
  done
  log "bench: the consumer's CPU did not settle within 20 s of its start; measuring anyway"
}

# After the storm: waits until the consumer has taken in everything (the marker sent after the storm
# arrived and its CPU stopped growing; or, for consumers that buffer their writes, 1 s of flat CPU
# with an empty kernel backlog). Gives up after 180 s. Prints how it ended.
wait_drained() {
  local name=$1 dir=$2 marker=$3
  local start=$SECONDS last now flat=0 seen=0
  last=$(cpu_ns_of "$CONSUMER_PID")
  while ((SECONDS - start < 180)); do
    sleep 0.2
    now=$(cpu_ns_of "$CONSUMER_PID")
    [[ -n $now ]] || { echo "exited"; return; }
    if ((now - last < 1000000)); then flat=$((flat + 1)); else flat=0; fi
    last=$now
    ((seen)) || { marker_seen "$name" "$dir" "$marker" && seen=1; }
    if ((seen && flat >= 1)); then echo "marker"; return; fi
    if ((flat >= 5)) && [[ $(status_field backlog) == 0 ]]; then echo "idle"; return; fi
  done
  echo "timeout"
}

# Events of the storm that reached the consumer (counted after it stopped, so all was flushed).
count_delivered() {
  local name=$1 dir=$2
  case $name in
    floor*) echo $(($(field_of "$FLOOR_SNAP1" syscall) - $(field_of "$FLOOR_SNAP0" syscall))) ;;
    # auditd: only the SYSCALL record of an event carries the rule key.
    # laurel: one JSON object per event, its SYSCALL's key as "key":"..." (a rule change's
    # CONFIG_CHANGE carries the key too, and has no SYSCALL).
    auditd-laurel) cat "$dir"/laurel/audit.log* 2>/dev/null | grep -F '"SYSCALL":{' | grep -c "\"key\":\"$BENCH_KEY\"" ;;
    auditd-*) cat "$dir"/log/audit.log* 2>/dev/null | grep '^type=SYSCALL ' | grep -c "key=\"$BENCH_KEY\"" ;;
    # auditlens: one JSON object per line; the events of the storm carry the key as a JSON string
    # ("alb_bench", quotes included); so do the CONFIG_CHANGE events of loading/deleting the rule,
    # which are not storm events.
    auditlens) grep -F "\"$BENCH_KEY\"" "$dir/events.json" 2>/dev/null | grep -ci -v config_change ;;
  esac
}

# --- storms --------------------------------------------------------------------------------------

# Writes the storm's rules (auditctl syntax, one per line) to FILE.
write_storm_rules() {
  local storm=$1 file=$2
  case $storm in
    open) echo "-a always,exit -F arch=b64 -S openat -F path=$WORK/bench.file -F key=$BENCH_KEY" ;;
    exec) echo "-a always,exit -F arch=b64 -S execve -F exe=$TOOLS/bench_noop -F key=$BENCH_KEY" ;;
    connect)
      echo "-a always,exit -F arch=b64 -S connect -S accept -S accept4 -F exe=$TOOLS/bench_storm -F key=$BENCH_KEY"
      ;;
    *) die "unknown storm $storm" ;;
  esac >"$file"
}

load_rules() {
  local rule
  while read -r rule; do
    # shellcheck disable=SC2086
    [[ -n $rule ]] && { auditctl $rule >/dev/null || die "auditctl $rule failed"; }
  done <"$1"
}

storm_command() {  # STORM N
  case $1 in
    open) echo "$TOOLS/bench_storm open $2 $WORK/bench.file" ;;
    exec) echo "$TOOLS/bench_storm exec $2 $TOOLS/bench_noop" ;;
    connect) echo "$TOOLS/bench_storm connect $2" ;;
  esac
}
