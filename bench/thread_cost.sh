#!/usr/bin/env bash
# Where the agent's CPU goes, thread by thread, over one storm (root; a quiet machine):
#
#   bench/thread_cost.sh STORM N [auditlens run arguments...]     STORM: exec, connect or open
#
# Starts `auditlens run --rules R --output F ARGS` as bench/run.sh does (the storm's narrow rule,
# the kernel baseline of bench/lib.sh, the kernel lock, everything restored at the end), waits for it
# to settle, reads each thread's CPU (/proc/PID/task/*/schedstat: user and system, nanoseconds),
# runs the storm (N operations: bench/run.sh's sizes are exec 3000, connect 20000, open 200000),
# waits until the agent's CPU is flat, reads them again, and prints each thread's name and µs per
# event (the storm's events: a connect storm of N makes 2N). The receive/pipeline thread is "main",
# the outputs' writers "out-file", "out-syslog", ...; threads without a name of their own are
# "thread TID". A syslog output needs its collector running (bench/syslog_sink.py).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
(($# >= 2)) || die "usage: bench/thread_cost.sh STORM N [auditlens run arguments...]"
STORM=$1 N=$2
shift 2
[[ $(id -u) == 0 ]] || die "run as root"
for t in bench_storm bench_noop bench_proc; do
  [[ -x $TOOLS/$t ]] || die "$TOOLS/$t is not built (run bench/run.sh --quick once)"
done
WORK=$(mktemp -d /tmp/auditlens-thread-cost.XXXXXX)
trap bench_on_exit EXIT
trap 'exit 130' INT TERM HUP

write_storm_rules "$STORM" "$WORK/rules"
[[ $STORM == open ]] && : >"$WORK/bench.file"
begin_measurement
"$AUDITLENS" run --rules "$WORK/rules" --output "$WORK/events.json" "$@" >"$WORK/out" 2>"$WORK/err" 9>&- &
CONSUMER_PID=$!
for ((i = 0; i < 200; i++)); do
  kill -0 "$CONSUMER_PID" 2>/dev/null || { cat "$WORK/err" >&2; die "the agent exited at start"; }
  [[ $(status_field pid) == "$CONSUMER_PID" ]] && auditctl -l | grep -q "key=$BENCH_KEY" && break
  sleep 0.05
done
sleep 0.5
wait_settled "$CONSUMER_PID"

# "TID NAME CPU_NS" for every thread of the agent.
threads() {
  local t
  for t in /proc/"$CONSUMER_PID"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' _ <"$t/comm")" "$(cut -d' ' -f1 "$t/schedstat")"
  done
}
threads >"$WORK/before"
# shellcheck disable=SC2046  # the storm command is words
$(storm_command "$STORM" "$N") >"$WORK/storm.out" || die "the storm failed"
last=$(cpu_ns_of "$CONSUMER_PID")
for ((i = 0; i < 150; i++)); do
  sleep 0.2
  now=$(cpu_ns_of "$CONSUMER_PID")
  ((now - last < 1000000)) && break
  last=$now
done
threads >"$WORK/after"
events=$(field_of "$(grep '^storm=' "$WORK/storm.out")" events)
echo "$(grep '^storm=' "$WORK/storm.out")"
join <(sort "$WORK/before") <(sort "$WORK/after") |
  awk -v e="$events" -v pid="$CONSUMER_PID" '{ d = ($5 - $3) / 1000; all += d
      name = $2 == "auditlens" ? ($1 == pid ? "main" : "thread " $1) : $2; t[name] += d }
    END { for (n in t) printf "%-16s %10.0f us  %6.2f us/event\n", n, t[n], t[n] / e
          printf "%-16s %10.0f us  %6.2f us/event\n", "(all threads)", all, all / e }' | sort -k1,1
