#!/usr/bin/env bash
# The agent's memory under a sustained load of short-lived programs (issue 19: peak RSS ≤ 32 MB
# with everything on). Root only; takes the kernel lock.
#
# Starts `auditlens run` as the audit daemon with its embedded defaults — the default rules,
# network enrichment, the process tree, login sessions and the SQLite store all on — only its files
# moved to a temporary directory. Then N execs of /bin/true by an unprivileged user (nobody) with no
# login uid, in a few parallel streams (bench_storm exec under setpriv): each is one exec event, and
# the default rules report neither their forks nor their exits (those rules need a login uid), so
# the agent never sees them end. The agent's VmRSS and VmHWM (/proc/PID/status) are sampled every
# second during the load, until the agent has drained it (a marker message reached its output), and
# for an idle period after it.
#
#   bench/exec_plateau.sh [--execs N] [--streams S] [--idle SECONDS] [--out DIR]
#
# Options:
#   --execs N        execs of /bin/true in all                                          [120000]
#   --streams S      parallel streams (each N/S execs)                                       [4]
#   --idle SECONDS   how long to keep sampling after the load was drained                   [30]
#   --out DIR        keep the samples (samples.tsv), the agent's status file and log there
#                    [a temporary directory, removed at the end]
# Environment: AUDITLENS (binary, default build/release/auditlens), BENCH_BUILD (build dir of the
# bench tools, default build/bench; built there when missing), LOAD_TIMEOUT (seconds the load may
# take before it is killed; 900).
#
# Prints the execs done, the events the agent wrote, what was lost (its loss events and the kernel's
# lost counter), peak RSS (VmHWM), RSS when the load was drained and after the idle period, and the
# RSS curve (events written so far against RSS). Everything it changes in the kernel — the daemon
# registration, the rules, enabled/rate/backlog settings — is put back by the EXIT trap whatever
# happens (bench/lib.sh: begin_measurement / end_measurement), and the rules list is restored to
# exactly what it was even if the agent had to be killed.
set -uo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EXECS=120000
STREAMS=4
IDLE=30
OUT=""
LOAD_USER=nobody

while (($#)); do
  case $1 in
    --execs) EXECS=$2; shift ;;
    --streams) STREAMS=$2; shift ;;
    --idle) IDLE=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
for v in EXECS STREAMS IDLE; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "--${v,,} needs a non-negative integer, not '${!v}'"
done
((EXECS >= STREAMS && STREAMS >= 1)) || die "--execs must be at least --streams, and --streams at least 1"

[[ $(id -u) == 0 ]] || die "run as root (the benchmark registers the agent as the audit daemon)"
command -v auditctl >/dev/null || die "needs auditctl (scripts/install-deps.sh)"
command -v setpriv >/dev/null || die "needs setpriv (util-linux)"
id -u "$LOAD_USER" >/dev/null 2>&1 || die "no user $LOAD_USER on this host"
[[ -x $AUDITLENS ]] || die "no auditlens binary at $AUDITLENS (build it, or set AUDITLENS=...)"

if [[ ! -x $TOOLS/bench_storm ]]; then
  log "bench: building the bench tools in $BENCH_BUILD"
  [[ -f $BENCH_BUILD/build.ninja || -f $BENCH_BUILD/Makefile ]] ||
    cmake -S "$REPO_DIR" -B "$BENCH_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2 ||
    die "cmake configure failed"
  cmake --build "$BENCH_BUILD" --target bench_storm >&2 || die "building bench_storm failed"
fi

WORK=$(mktemp -d /tmp/auditlens-plateau.XXXXXX)
chmod 0755 "$WORK"
[[ -n $OUT ]] || OUT=$WORK/out
mkdir -p "$OUT" || die "cannot create $OUT"
SAVED_RULES=""
SAMPLER_PID=""
declare -a LOAD_PIDS=()

# The rules list back to exactly what it was (the agent removes its rules on a clean stop; after a
# SIGKILL they would stay).
restore_rules() {
  [[ -n $SAVED_RULES ]] || return 0
  [[ $(auditctl -l) == "$SAVED_RULES" ]] && return 0
  log "bench: putting the rules list back as it was"
  auditctl -D >/dev/null 2>&1
  local rule
  if [[ $SAVED_RULES != "No rules" ]]; then
    while IFS= read -r rule; do
      # shellcheck disable=SC2086  # auditctl -l prints each rule in the syntax auditctl takes
      auditctl $rule >/dev/null 2>&1 || log "bench: could not restore rule: $rule"
    done <<<"$SAVED_RULES"
  fi
}

plateau_end() {
  local p
  for p in "${LOAD_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${LOAD_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  LOAD_PIDS=()
  stop_process SAMPLER_PID
  stop_process CONSUMER_PID
  restore_rules
  SAVED_RULES=""
  end_measurement
}

# shellcheck disable=SC2317  # the EXIT trap
on_exit() {
  local rc=$?
  if ((MEASURING)); then
    log "bench: restoring the kernel audit state"
    plateau_end
  fi
  (exit "$rc")
  bench_on_exit
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

json_num() {  # KEY FILE: the number of a top-level "KEY":N in a one-line JSON object
  sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$2" 2>/dev/null | head -1
}
status_kb() {  # PID FIELD: VmRSS / VmHWM / RssAnon in kB
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# The agent's config: the embedded defaults with only its files moved here (the store's spool is
# used only with store.postgres, which stays off).
D=$WORK/agent
mkdir -p "$D"
cat >"$D/config.toml" <<EOF
[agent]
state_path = "$D/state"
status_path = "$D/status.json"
[output]
path = "$D/events.json"
[store]
path = "$D/store/auditlens.db"
postgres_spool_path = "$D/fleet-spool"
EOF
# The load runs as nobody: its program must be reachable by it.
cp "$TOOLS/bench_storm" "$WORK/bench_storm"
chmod 0755 "$WORK/bench_storm"

begin_measurement
SAVED_RULES=$(auditctl -l)
[[ $SAVED_RULES == "No rules" ]] ||
  log "bench: warning: rules are already loaded (they add events and cost): $SAVED_RULES"
lost0=$(status_field lost)

"$AUDITLENS" run --config "$D/config.toml" >"$D/agent.out" 2>"$D/agent.log" 9>&- &
CONSUMER_PID=$!
for ((i = 0; i < 200; i++)); do
  kill -0 "$CONSUMER_PID" 2>/dev/null || { cat "$D/agent.log" >&2; die "the agent exited at start"; }
  [[ $(status_field pid) == "$CONSUMER_PID" && -s $D/status.json ]] && break
  sleep 0.05
done
[[ $(status_field pid) == "$CONSUMER_PID" ]] || die "the agent did not register as audit daemon within 10 s"
sleep 1  # its start-up work (seeding the process table from /proc, the rule-change events)
rss_start=$(status_kb "$CONSUMER_PID" VmRSS)
anon_start=$(status_kb "$CONSUMER_PID" RssAnon)
log "bench: agent pid $CONSUMER_PID registered, RSS $rss_start kB; load: $EXECS execs of /bin/true by $LOAD_USER in $STREAMS streams"

# The sampler: one line a second, `seconds phase events VmRSS VmHWM RssAnon` (phase from
# $WORK/phase; events from the status file, rewritten every second). VmRSS is RssAnon (the heap and
# buffers) plus RssFile (the pages of the binary and libraries in use).
echo start >"$WORK/phase"
(
  t0=$SECONDS
  while kill -0 "$CONSUMER_PID" 2>/dev/null; do
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$((SECONDS - t0))" "$(cat "$WORK/phase")" \
      "$(json_num events "$D/status.json")" "$(status_kb "$CONSUMER_PID" VmRSS)" \
      "$(status_kb "$CONSUMER_PID" VmHWM)" "$(status_kb "$CONSUMER_PID" RssAnon)"
    sleep 1
  done
) >"$OUT/samples.tsv" 9>&- &
# shellcheck disable=SC2034  # read by stop_process SAMPLER_PID (a nameref)
SAMPLER_PID=$!

# The load. The streams get no login uid (a session's processes would have their exits reported):
# a shell started from a login keeps its auid, which root may set back to unset (4294967295).
echo load >"$WORK/phase"
per=$((EXECS / STREAMS))
t_load0=$(date +%s.%N)
for ((s = 0; s < STREAMS; s++)); do
  n=$per
  ((s == STREAMS - 1)) && n=$((EXECS - per * (STREAMS - 1)))
  (
    if [[ $(cat /proc/self/loginuid) != 4294967295 ]]; then
      echo 4294967295 >/proc/self/loginuid 2>/dev/null ||
        log "bench: warning: cannot unset the login uid ($(cat /proc/self/loginuid)): the load's exits will be reported"
    fi
    exec timeout -k 5 "${LOAD_TIMEOUT:-900}" setpriv --reuid="$LOAD_USER" --regid="$(id -g "$LOAD_USER")" \
      --clear-groups "$WORK/bench_storm" exec "$n" /bin/true
  ) >"$WORK/load.$s.out" 2>"$WORK/load.$s.err" 9>&- &
  LOAD_PIDS+=($!)
done
load_failed=0
for p in "${LOAD_PIDS[@]}"; do wait "$p" || load_failed=1; done
LOAD_PIDS=()
t_load1=$(date +%s.%N)
execs_done=0 exec_errors=0
for ((s = 0; s < STREAMS; s++)); do
  line=$(grep '^storm=' "$WORK/load.$s.out")
  execs_done=$((execs_done + $(field_of "$line" events)))
  exec_errors=$((exec_errors + $(field_of "$line" errors)))
done
((load_failed)) && { cat "$WORK"/load.*.err >&2; log "bench: a load stream failed (see above)"; }

# Drained when the marker sent after the load is in the output (written every 200 ms).
echo drain >"$WORK/phase"
marker=alb_plateau_drain_$RANDOM$RANDOM
auditctl -m "$marker" || log "bench: auditctl -m failed"
drained=timeout
for ((i = 0; i < 1800; i++)); do
  grep -q "$marker" "$D/events.json" 2>/dev/null && { drained=marker; break; }
  sleep 0.1
done
rss_load=$(status_kb "$CONSUMER_PID" VmRSS)
anon_load=$(status_kb "$CONSUMER_PID" RssAnon)
hwm_load=$(status_kb "$CONSUMER_PID" VmHWM)
events_load=$(wc -l <"$D/events.json")

echo idle >"$WORK/phase"
sleep "$IDLE"
sleep 1.1  # one more status file write
rss_idle=$(status_kb "$CONSUMER_PID" VmRSS)
anon_idle=$(status_kb "$CONSUMER_PID" RssAnon)
hwm_idle=$(status_kb "$CONSUMER_PID" VmHWM)
cp "$D/status.json" "$OUT/status.json"
AUDITLENS_STATUS=$("$AUDITLENS" status --config "$D/config.toml" 2>&1)
lost1=$(status_field lost)

plateau_end
cp "$D/agent.log" "$OUT/agent.log"

exec_events=$(grep -c '"action":"exec' "$D/events.json")
load_uid=$(id -u "$LOAD_USER")
load_exec_events=$(grep -F "\"executable\":\"/usr/bin/true\"" "$D/events.json" |
  grep -F "\"user\":{\"id\":\"$load_uid\"" | grep -c '"action":"exec')
loss_lines=$(grep -c '"loss":{"cause"' "$D/events.json")
st=$OUT/status.json
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

echo "exec_plateau: $(git -C "$REPO_DIR" describe --always --dirty 2>/dev/null), $AUDITLENS"
printf 'execs done           %s (%s failed) in %.1f s, %s streams as %s (login uid unset)\n' \
  "$execs_done" "$exec_errors" "$(awk -v a="$t_load0" -v b="$t_load1" 'BEGIN { print b - a }')" \
  "$STREAMS" "$LOAD_USER"
echo "drained              $drained"
echo "events written       $(wc -l <"$D/events.json") lines in the output (exec events in the output: $exec_events, of them /usr/bin/true by $LOAD_USER: $load_exec_events)"
echo "lost                 agent lost_events $(json_num lost_events "$st"), loss events $(json_num loss_events "$st") (lines with a loss object: $loss_lines), kernel lost +$((lost1 - lost0)), enobufs $(json_num enobufs "$st")"
echo "RSS at start         $rss_start kB ($(mb "$rss_start")), of it anonymous $anon_start kB"
echo "peak RSS (VmHWM)     $hwm_idle kB ($(mb "$hwm_idle"))"
echo "RSS at end of load   $rss_load kB ($(mb "$rss_load")), of it anonymous $anon_load kB; VmHWM then $hwm_load kB, $events_load events written by then"
printf "%-21s%s\n" "RSS after ${IDLE} s idle" "$rss_idle kB ($(mb "$rss_idle")), of it anonymous $anon_idle kB"
procs=$(grep -o '"[a-z_]*process[a-z_]*":[0-9]*' "$st" | tr '\n' ' ')
if [[ -n $procs ]]; then
  echo "process table        $procs"
else
  echo "process table        (the status file does not show its size)"
fi
echo "auditlens status:"
while IFS= read -r line; do echo "  $line"; done <<<"$AUDITLENS_STATUS"
echo "RSS curve (seconds, phase, events written, VmRSS kB, VmHWM kB, RssAnon kB):"
# At most about 30 lines: every k-th sample, and always the last.
awk -v n="$(wc -l <"$OUT/samples.tsv")" 'BEGIN { k = int((n + 29) / 30); if (k < 1) k = 1 }
  (NR - 1) % k == 0 || NR == n { printf "  %5s  %-5s  %8s  %7s  %7s  %7s\n", $1, $2, $3, $4, $5, $6 }' "$OUT/samples.tsv"
[[ $OUT == "$WORK/out" ]] || log "bench: samples, status and agent log in $OUT"
((load_failed)) && exit 1
exit 0
