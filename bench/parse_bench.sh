# shellcheck shell=bash
# The offline half of the showdown (sourced by bench/run.sh after lib.sh): `auditlens parse` against
# libauparse on the same large raw auditd log, in records per second.
#
# The log is made on this machine by this kernel: auditd (log_format=RAW) records mixed storms of
# opens, execs with arguments (some hex-encoded), loopback connects and accepts, plus user messages,
# until it holds PARSE_RECORDS lines. It is kept in the build dir and reused by later runs.

# Generates LOG with at least PARSE_RECORDS records (one per line).
generate_parse_log() {
  local log=$1 dir=$WORK/parse-gen
  mkdir -p "$dir"
  : >"$WORK/bench.file"
  local storm
  for storm in open exec connect; do write_storm_rules "$storm" "$dir/rules.$storm"; done
  cat "$dir"/rules.* >"$dir/rules"
  begin_measurement
  start_consumer auditd-raw "$dir/rules" "$dir"
  load_rules "$dir/rules"
  local lines=0 batch=0
  # A long argument makes EXECVE records of some size; one with a space is hex-encoded.
  local long_arg
  long_arg=$(printf 'x%.0s' {1..600})
  while ((lines < PARSE_RECORDS)); do
    batch=$((batch + 1))
    "$TOOLS/bench_storm" open 20000 "$WORK/bench.file" >/dev/null 9>&- || die "open storm failed"
    "$TOOLS/bench_storm" exec 500 "$TOOLS/bench_noop" -v "two words" "--long=$long_arg" >/dev/null 9>&- ||
      die "exec storm failed"
    "$TOOLS/bench_storm" connect 4000 >/dev/null 9>&- || die "connect storm failed"
    local i
    for ((i = 0; i < 20; i++)); do auditctl -m "parse bench batch $batch message $i" 9>&-; done
    sleep 0.5  # auditd writes behind; the count below only decides whether to go on
    lines=$(cat "$dir"/log/audit.log* | wc -l)
    log "bench: parse log: $lines records so far"
  done
  stop_process CONSUMER_PID
  end_measurement
  mkdir -p "$(dirname "$log")"
  cat "$dir"/log/audit.log >"$log.tmp" && mv "$log.tmp" "$log"
  rm -rf "$dir"
}

# Runs a command PARSE_ROUNDS times under /usr/bin/time, appending one JSON line per round.
# time_parser NAME RECORDS STDOUT CMD...  (STDOUT: where the parser's output goes)
time_parser() {
  local name=$1 records=$2 sink=$3 round out
  shift 3
  for ((round = 1; round <= PARSE_ROUNDS; round++)); do
    out=$WORK/parse-$name-$round
    # Wall time from the clock in ns (time's %e has only 10 ms steps); CPU and peak RSS from time.
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f 'user=%U sys=%S maxrss_kb=%M' -o "$out.time" "$@" >"${sink:-$out.stdout}" 2>"$out.stderr" ||
      { cat "$out.stderr" >&2; log "bench: $name failed on the parse log"; return 1; }
    t1=$(date +%s%N)
    local t wall user sys rss
    t=$(cat "$out.time")
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    user=$(field_of "$t" user)
    sys=$(field_of "$t" sys)
    rss=$(field_of "$t" maxrss_kb)
    local walked
    [[ -n $sink ]] || walked=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$out.stdout" | tail -1)
    printf '{"parse":"%s","round":%s,"records":%s,"records_walked":%s,"wall_s":%s,"user_s":%s,"sys_s":%s,"maxrss_kb":%s}\n' \
      "$name" "$round" "$records" "${walked:-null}" "$wall" "$user" "$sys" "$rss" >>"$RESULTS"
    log "$(printf 'bench: parse %-16s round %s: %s records in %s s (%s records/s)' "$name" "$round" \
      "$records" "$wall" "$(awk -v r="$records" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0) ? r / w : 0 }')")"
  done
}

auditlens_parse_usable() {
  [[ -x $AUDITLENS ]] && "$AUDITLENS" parse --help >/dev/null 2>&1
}

run_parse_bench() {
  local log=$BENCH_BUILD/parse-data/raw-$PARSE_RECORDS.log
  if [[ ! -s $log ]]; then
    log "bench: generating a raw auditd log of >= $PARSE_RECORDS records in $log"
    generate_parse_log "$log"
  fi
  local records
  records=$(wc -l <"$log")
  printf '{"parse_log":{"path":"%s","records":%s,"bytes":%s}}\n' "$log" "$records" "$(stat -c %s "$log")" >>"$RESULTS"
  cat "$log" >/dev/null  # in the page cache for every parser alike
  if auditlens_parse_usable; then
    time_parser auditlens "$records" /dev/null "$AUDITLENS" parse "$log"
  else
    log "bench: auditlens parse skipped: $AUDITLENS missing or without a parse command"
    echo '{"skipped":"auditlens parse","reason":"binary missing or no parse command"}' >>"$RESULTS"
  fi
  time_parser auparse-python "$records" "" "$PY" "$BENCH_DIR/auparse_walk.py" "$log"
}
