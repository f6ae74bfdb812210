#!/usr/bin/env bash
# The showdown: auditlens against auditd and against the floor, on identical storms of audited
# syscalls, each consumer alone in turn. Root only. See bench/README.md for what is measured.
#
#   bench/run.sh                 full run: 5 rounds of open/exec/connect × all consumers, then the
#                                offline parse benchmark; prints the table, writes results
#   bench/run.sh --quick         small storms, 1 round, small parse log: checks the harness works
#
# Options:
#   --rounds N          rounds per storm × consumer (median reported)          [5]
#   --storms LIST       comma-separated: open,exec,connect                       [all]
#   --consumers LIST    floor,auditd-enriched,auditd-raw,auditlens               [all; auditlens
#                       is skipped with a note when its binary has no `run --rules --output`;
#                       floor-core (the floor on auditlens's AuditNetlink) and auditd-laurel
#                       (auditd RAW with Debian's laurel as its plugin) only when asked]
#   --n-open N --n-exec N --n-connect N   storm sizes                [200000, 3000, 20000 pairs]
#   --no-parse / --parse-only             skip / only run the offline parse benchmark
#   --parse-records N   records in the generated raw log for the parse benchmark [1200000]
#   --parse-rounds N    rounds of each parser (median)                          [3]
#   --out DIR           where results go [build/bench/results/DATE-TIME, linked as results/latest]
#   --update-docs       also put the summary into docs/performance.md (between its bench:latest
#                       markers)
#   --quick             = --rounds 1 --n-open 20000 --n-exec 300 --n-connect 2000
#                         --parse-records 60000 --parse-rounds 1
# Environment: AUDITLENS (binary, default build/release/auditlens; the run records the tree's commit),
# AUDITLENS_RUN_ARGS (extra
# arguments to `auditlens run`), BENCH_BUILD (build dir of the bench tools, default build/bench),
# BENCH_KEEP_WORK=1 (keep the temporary directory with every consumer's output), STORM_TIMEOUT
# (seconds a storm may take before it is killed and the run fails; 900).
#
# The kernel lock (/tmp/auditlens-kernel.lock) is taken for each measurement and released between
# them; when an ancestor already holds it (`flock LOCK bench/run.sh`), it is used as is.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=5
STORMS=open,exec,connect
CONSUMERS=floor,auditd-enriched,auditd-raw,auditlens
N_OPEN=200000
N_EXEC=3000
N_CONNECT=20000
DO_STORMS=1
DO_PARSE=1
PARSE_RECORDS=1200000
PARSE_ROUNDS=3
OUT=""
QUICK=0
UPDATE_DOCS=0

while (($#)); do
  case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --storms) STORMS=$2; shift ;;
    --consumers) CONSUMERS=$2; shift ;;
    --n-open) N_OPEN=$2; shift ;;
    --n-exec) N_EXEC=$2; shift ;;
    --n-connect) N_CONNECT=$2; shift ;;
    --no-parse) DO_PARSE=0 ;;
    --parse-only) DO_STORMS=0 ;;
    --parse-records) PARSE_RECORDS=$2; shift ;;
    --parse-rounds) PARSE_ROUNDS=$2; shift ;;
    --out) OUT=$2; shift ;;
    --update-docs) UPDATE_DOCS=1 ;;
    --quick) QUICK=1; ROUNDS=1; N_OPEN=20000; N_EXEC=300; N_CONNECT=2000; PARSE_RECORDS=60000
             PARSE_ROUNDS=1 ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

[[ $(id -u) == 0 ]] || die "run as root (the benchmark registers audit daemons and loads rules)"
command -v auditctl >/dev/null && command -v auditd >/dev/null || die "needs auditd (apt-get install auditd)"

# The tools: built in our own build dir if missing.
if [[ ! -x $TOOLS/bench_floor || ! -x $TOOLS/bench_storm || ! -x $TOOLS/bench_noop || ! -x $TOOLS/bench_proc ]]; then
  log "bench: building the bench tools in $BENCH_BUILD"
  [[ -f $BENCH_BUILD/build.ninja || -f $BENCH_BUILD/Makefile ]] ||
    cmake -S "$REPO_DIR" -B "$BENCH_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2 ||
    die "cmake configure failed"
  cmake --build "$BENCH_BUILD" --target bench_tools >&2 || die "building the bench tools failed"
fi

STAMP=$(date +%Y%m%d-%H%M%S)
if [[ -z $OUT ]]; then
  OUT=$BENCH_BUILD/results/$STAMP
  mkdir -p "$OUT" && ln -sfn "$STAMP" "$BENCH_BUILD/results/latest"
fi
mkdir -p "$OUT" || die "cannot create $OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

WORK=$(mktemp -d /tmp/auditlens-bench.XXXXXX)
chmod 0755 "$WORK"
trap bench_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Which consumers can run.
declare -a RUN_CONSUMERS=()
IFS=, read -ra wanted <<<"$CONSUMERS"
for c in "${wanted[@]}"; do
  case $c in
    floor | floor-core | auditd-enriched | auditd-raw | auditd-laurel) RUN_CONSUMERS+=("$c") ;;
    auditlens)
      if auditlens_usable; then
        RUN_CONSUMERS+=("$c")
      else
        log "bench: auditlens skipped: $AUDITLENS missing or without \`run --rules FILE --output FILE\`"
        echo '{"skipped":"auditlens","reason":"binary missing or no run --rules/--output"}' >>"$RESULTS"
      fi
      ;;
    *) die "unknown consumer $c" ;;
  esac
done
IFS=, read -ra RUN_STORMS <<<"$STORMS"

storm_size() {
  case $1 in open) echo "$N_OPEN" ;; exec) echo "$N_EXEC" ;; connect) echo "$N_CONNECT" ;; esac
}

# Machine facts for the report.
{
  printf '{"machine":{"date":"%s","host":"%s","kernel":"%s","cpu":"%s","cores":%s,"mem_gib":%s,' \
    "$(date -Iseconds)" "$(hostname)" "$(uname -r)" \
    "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" "$(nproc)" \
    "$(awk '/^MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
  printf '"loadavg_at_start":"%s","commit":"%s","auditd":"%s","auditlens":"%s","quick":%s,"rounds":%s}}\n' \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$(git -C "$REPO_DIR" describe --always --dirty 2>/dev/null)" \
    "$(dpkg-query -W -f='${Version}' auditd 2>/dev/null)" \
    "$( (auditlens_usable && "$AUDITLENS" --version 2>/dev/null) | head -1)" "$QUICK" "$ROUNDS"
} >>"$RESULTS"

kauditd_pid=$(pgrep -x kauditd | head -1)

# One measurement: STORM CONSUMER ROUND.
measure() {
  local storm=$1 name=$2 round=$3 n
  n=$(storm_size "$storm")
  local dir=$WORK/$storm-$name-$round
  mkdir -p "$dir"
  local rules=$dir/rules
  write_storm_rules "$storm" "$rules"
  # Created before the rules exist: creating it is not a storm event.
  [[ $storm == open ]] && : >"$WORK/bench.file"

  # Each consumer alone: the output of the one before (hundreds of MB of log) is written back now,
  # not by the kernel's flusher during this measurement.
  sync
  begin_measurement
  start_consumer "$name" "$rules" "$dir"
  ((CONSUMER_LOADS_RULES)) || load_rules "$rules"
  # Let start-up work (the kernel's hold queue, the rule-change events, the consumer's own
  # start-up: wait_settled) pass before the baseline.
  sleep 0.5
  wait_settled "$CONSUMER_PID"
  if [[ $name == floor* ]]; then
    FLOOR_SNAP0=$(floor_snapshot "$dir")
    FLOOR_USER0=$(field_of "$FLOOR_SNAP0" user)
  fi
  local lost0 cpu0 kcpu0=0
  lost0=$(status_field lost)
  cpu0=$(cpu_ns_of "$CONSUMER_PID")
  [[ -n $kauditd_pid ]] && kcpu0=$(cpu_ns_of "$kauditd_pid")

  # A consumer that stops reading makes every audited syscall wait (backlog_wait_time): the storm
  # gets a deadline so the run always ends and restores the kernel.
  # shellcheck disable=SC2046
  timeout -k 5 "${STORM_TIMEOUT:-900}" $(storm_command "$storm" "$n") >"$dir/storm.out" 2>"$dir/storm.err" 9>&- &
  STORM_PID=$!
  wait "$STORM_PID"
  local storm_rc=$?
  STORM_PID=""

  # The marker does not contain the rule key, so counting events by key never counts it.
  local marker=alb_drain_${storm}_${name}_${round}_$RANDOM
  auditctl -m "$marker" || log "bench: auditctl -m failed"
  local drained
  drained=$(wait_drained "$name" "$dir" "$marker")
  local probe cpu1 hwm lost1 kcpu1=0
  probe=$("$TOOLS/bench_proc" "$CONSUMER_PID")
  cpu1=$(field_of "$probe" cpu_ns)
  hwm=$(field_of "$probe" hwm_kb)
  lost1=$(status_field lost)
  [[ -n $kauditd_pid ]] && kcpu1=$(cpu_ns_of "$kauditd_pid")
  [[ $name == floor* ]] && FLOOR_SNAP1=$(floor_snapshot "$dir")
  stop_process CONSUMER_PID
  local delivered
  delivered=$(count_delivered "$name" "$dir")
  end_measurement

  # For the floor: records and receive batches during the measurement (how much each wake-up carried).
  local floor_extra=""
  if [[ $name == floor* ]]; then
    floor_extra=$(printf ',"floor_records":%s,"floor_batches":%s' \
      "$(($(field_of "$FLOOR_SNAP1" records) - $(field_of "$FLOOR_SNAP0" records)))" \
      "$(($(field_of "$FLOOR_SNAP1" batches) - $(field_of "$FLOOR_SNAP0" batches)))")
  fi

  local line events errors elapsed rate
  line=$(grep '^storm=' "$dir/storm.out")
  events=$(field_of "$line" events)
  errors=$(field_of "$line" errors)
  elapsed=$(field_of "$line" elapsed_s)
  rate=$(field_of "$line" rate)
  if [[ $storm_rc != 0 || -z $events ]]; then
    cat "$dir/storm.err" >&2
    die "storm $storm failed under $name (rc $storm_rc$([[ $storm_rc == 124 ]] && echo ": timed out"))"
  fi
  [[ -n $cpu0 && -n $cpu1 ]] || die "could not read the CPU time of $name"
  printf '{"storm":"%s","consumer":"%s","round":%s,"events":%s,"errors":%s,"delivered":%s,"elapsed_s":%s,"rate":%s,"cpu_ns":%s,"hwm_kb":%s,"lost_delta":%s,"kauditd_cpu_ns":%s,"drained":"%s"%s}\n' \
    "$storm" "$name" "$round" "$events" "$errors" "${delivered:-0}" "$elapsed" "$rate" \
    "$((cpu1 - cpu0))" "${hwm:-0}" "$((lost1 - lost0))" "$((kcpu1 - kcpu0))" "$drained" "$floor_extra" >>"$RESULTS"
  log "$(printf 'bench: %-8s %-16s round %s: %9.2f us/event  rate %9.0f/s  delivered %s/%s  lost %s  rss %s kB  (%s)' \
    "$storm" "$name" "$round" "$(awk -v c=$((cpu1 - cpu0)) -v e="$events" 'BEGIN {print c / 1000 / e}')" \
    "$rate" "${delivered:-0}" "$events" "$((lost1 - lost0))" "${hwm:-0}" "$drained")"
  [[ -n ${BENCH_KEEP_WORK:-} ]] || rm -rf "$dir"
}

if ((DO_STORMS)); then
  for ((round = 1; round <= ROUNDS; round++)); do
    # Consumers interleaved within a round: slow drifts of the machine hit all of them alike.
    for storm in "${RUN_STORMS[@]}"; do
      for name in "${RUN_CONSUMERS[@]}"; do
        measure "$storm" "$name" "$round"
      done
    done
  done
fi

if ((DO_PARSE)); then
  source "$BENCH_DIR/parse_bench.sh"
  run_parse_bench
fi

report_args=(--markdown "$OUT/summary.md" --json "$OUT/summary.json")
((UPDATE_DOCS)) && report_args+=(--docs "$REPO_DIR/docs/performance.md")
"$PY" "$BENCH_DIR/report.py" "$RESULTS" "${report_args[@]}" | tee "$OUT/table.txt"
log "bench: results in $OUT"
