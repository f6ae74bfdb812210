#!/usr/bin/env bash
# The store at scale (issue 22): for each N, a log of N SSH sessions (bench/session_gen.py) replayed
# into a fresh SQLite store by bench_replay (the agent's stages without the kernel, read straight
# from the file) or, with --via import, by `auditlens import` (the same stages, no JSON lines, no
# retention: what a user runs on auditd's logs), then the store and the queries on it measured. No
# kernel, no root needed.
#
#   bench/store_scale.sh [--sessions "1000 10000"] [--per-second R] [--seed S] [--runs K]
#                        [--via replay|import] [--build DIR] [--keep DIR] [--markdown-only]
#
# --sessions   the sizes, in one quoted list (default "1000 10000"; 100000 makes a 14 GB log)
# --per-second session starts per second in the generated log (default 10)
# --runs       runs of each query; their median is reported (default 5)
# --via        replay (default: bench_replay, the store's default 1 GiB max_bytes applies, so
#              100,000 sessions are trimmed by size) or import (`auditlens import --host bench` of
#              the log without EOE records, as auditd writes it; nothing is deleted)
# --build      the build tree with auditlens and bench/bench_replay (default build/release;
#              AUDITLENS and BENCH_REPLAY in the environment name the binaries themselves)
# --keep DIR   keep the stores (DIR/store-N.db) instead of deleting them
# --markdown-only  no progress on stderr (the generator's and bench_replay's lines)
# Environment: TMPDIR for the logs and stores (default /tmp; N=100000 needs about 17 GB free).
#
# Per N it prints one markdown table row:
# - records/s: the log's records ÷ the wall time of bench_replay (reading, pipeline, store writer
#   until its last row is written and the WAL checkpointed);
# - rows written, rows written/s: rows the store wrote (bench_replay's "store: N rows written"
#   line) and that ÷ the same wall time: the writer's rate when rows were dropped;
# - writer CPU s, writer rows/s: the CPU time of the store's writer thread and rows written ÷ it
#   (the same line; "-" from a bench_replay that does not print it): the writer's own rate on
#   one core, whatever else runs;
# - rows dropped: rows the store's full ring refused (the same line; 0 when bench_replay waits for
#   the writer, as it does since issue 22 unless given --drop-when-full);
# - logins stored / made: session rows whose ses is one the generator gave, against N; failed:
#   rows of the failed password attempts (one per copy of the "command" recording) against made;
# - open: stored logins with no end (every generated login ends);
# - bytes/session: the database file with its -wal and -shm ÷ N; bytes/stored login: ÷ the logins
#   stored (they differ when rows were dropped or retention deleted sessions);
# - sessions, sessions --since, timeline: median wall ms of `auditlens sessions --db DB` (its
#   default: the 200 most recent), `sessions --since T` with T the start of the 1000th most recent
#   login (the result count is shown), and `timeline ID` of the middle login; process start
#   included, output to /dev/null.
# Timings are only meaningful on a quiet machine (nothing else running: see bench/README.md).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
SIZES="1000 10000" RATE=10 SEED=1 RUNS=5 BUILD=$REPO/build/release KEEP="" MD_ONLY=0 VIA=replay
PYTHON=${PYTHON:-python3}
FIRST_SES=100

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --sessions) SIZES=$2; shift 2 ;;
    --per-second) RATE=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --via) VIA=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    --markdown-only) MD_ONLY=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "store_scale: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $VIA == replay || $VIA == import ]] || { echo "store_scale: --via is replay or import" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "store_scale: --runs must be at least 1" >&2; exit 2; }
for n in $SIZES; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "store_scale: not a session count: '$n'" >&2; exit 2; }
done
AUDITLENS=${AUDITLENS:-$BUILD/auditlens} REPLAY=${BENCH_REPLAY:-$BUILD/bench/bench_replay}
for tool in "$AUDITLENS" "$REPLAY"; do
  [[ -x $tool ]] || { echo "store_scale: $tool missing: cmake --build --preset release --target auditlens bench_replay" >&2; exit 1; }
done
command -v sqlite3 >/dev/null || { echo "store_scale: needs the sqlite3 command (apt-get install sqlite3)" >&2; exit 1; }
[[ -z $KEEP ]] || mkdir -p "$KEEP"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/auditlens-store-scale.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
say() { ((MD_ONLY)) || printf '%s\n' "$*" >&2; }

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# Median wall ms of RUNS runs of a command (its output discarded; a failure stops the script).
median_ms() {
  local times=() i t0 t1
  for ((i = 0; i < RUNS; i++)); do
    t0=${EPOCHREALTIME/./}
    "$@" >/dev/null 2>"$WORK/query.err" || { cat "$WORK/query.err" >&2; return 1; }
    t1=${EPOCHREALTIME/./}
    times+=($(((t1 - t0) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}
q() { sqlite3 -batch -noheader "$DB" "$1"; }

rows=()
for n in $SIZES; do
  LOG=$WORK/sessions-$n.log DB=$WORK/store-$n.db
  # Start late enough that the whole log lies in the past and within the store's age retention.
  span_s=$(((n + RATE - 1) / RATE + 60))
  start=$(($(date +%s) - span_s - 3600))
  say "store_scale: N=$n: generating"
  t0=$(now_ms)
  eoe=()
  [[ $VIA == import ]] && eoe=(--no-eoe)
  gen=$("$PYTHON" "$HERE/session_gen.py" --sessions "$n" --per-second "$RATE" --seed "$SEED" \
    --start-time "$start" --first-ses $FIRST_SES "${eoe[@]}" --output "$LOG" --summary 2>&1)
  gen_ms=$(($(now_ms) - t0))
  say "$gen"
  commands=$(sed -n 's/.*(command \([0-9]*\).*/\1/p' <<<"$gen")
  [[ -n $commands ]] || commands=0
  records=$(wc -l <"$LOG")
  log_bytes=$(stat -c %s "$LOG")

  say "store_scale: N=$n: $VIA of $records records into the store"
  t0=$(now_ms)
  if [[ $VIA == import ]]; then
    replay=$("$AUDITLENS" import --db "$DB" --host bench --progress never "$LOG" 2>&1) || {
      echo "$replay" >&2
      exit 1
    }
  else
    replay=$("$REPLAY" "$LOG" --store "$DB" --no-network 2>&1) || {
      echo "$replay" >&2
      exit 1
    }
  fi
  replay_ms=$(($(now_ms) - t0))
  say "$replay"
  rm -f "$LOG"
  dropped=$(sed -n 's/.*rows written in .* transactions, \([0-9]*\) dropped.*/\1/p' <<<"$replay")
  written=$(sed -n 's/.*store: \([0-9]*\) rows written.*/\1/p' <<<"$replay")
  writer_cpu=$(sed -n 's/.*writer thread \([0-9.]*\) s CPU.*/\1/p' <<<"$replay")
  malformed=$(sed -n 's/.* events, \([0-9]*\) malformed lines.*/\1/p' <<<"$replay")
  [[ -n $malformed ]] || malformed=$(sed -n 's/^  malformed: \([0-9]*\) lines.*/\1/p' <<<"$replay")
  [[ -n $dropped && -n $written ]] || { echo "store_scale: no store counters from $VIA:" >&2; echo "$replay" >&2; exit 1; }

  last_ses=$((FIRST_SES + n - 1))
  logins=$(q "SELECT count(*) FROM sessions WHERE ses BETWEEN $FIRST_SES AND $last_ses")
  open=$(q "SELECT count(*) FROM sessions WHERE ses BETWEEN $FIRST_SES AND $last_ses AND end_ms IS NULL")
  failed=$(q "SELECT count(*) FROM sessions WHERE ses IS NULL AND state = 'failed'")
  bytes=0
  for f in "$DB" "$DB-wal" "$DB-shm"; do [[ -e $f ]] && bytes=$((bytes + $(stat -c %s "$f"))); done

  # --since: the start (to the second, UTC) of the 1000th most recent login; a session still
  # running then counts too, so a few more than 1000 may match.
  since_ms=$(q "SELECT start_ms FROM sessions WHERE ses BETWEEN $FIRST_SES AND $last_ses ORDER BY start_ms DESC LIMIT 1 OFFSET $((n > 1000 ? 999 : n - 1))")
  since=$(date -u -d "@$((since_ms / 1000))" '+%Y-%m-%d %H:%M:%S')
  since_count=$(TZ=UTC "$AUDITLENS" sessions --db "$DB" --since "$since" --json | wc -l)
  middle=$(q "SELECT id FROM sessions WHERE ses = $((FIRST_SES + n / 2))")
  [[ -n $middle ]] || middle=$(q "SELECT id FROM sessions WHERE ses IS NOT NULL ORDER BY start_ms LIMIT 1 OFFSET $((logins / 2))")

  say "store_scale: N=$n: timing the queries ($RUNS runs each)"
  t_sessions=$(median_ms "$AUDITLENS" sessions --db "$DB" --color never)
  t_since=$(TZ=UTC median_ms "$AUDITLENS" sessions --db "$DB" --since "$since" --color never)
  t_timeline=$(median_ms "$AUDITLENS" timeline --db "$DB" --color never "$middle")

  rate=$(awk -v r="$records" -v ms="$replay_ms" 'BEGIN { printf "%d", r / (ms / 1000) }')
  row_rate=$(awk -v r="$written" -v ms="$replay_ms" 'BEGIN { printf "%d", r / (ms / 1000) }')
  writer_rate=-
  [[ -n $writer_cpu ]] && writer_rate=$(awk -v r="$written" -v s="$writer_cpu" 'BEGIN { printf "%s", (s > 0) ? int(r / s) : "-" }')
  per=$(awk -v b="$bytes" -v n="$n" 'BEGIN { printf "%d", b / n }')
  per_stored=$(awk -v b="$bytes" -v n="$logins" 'BEGIN { printf "%s", n ? int(b / n) : "-" }')
  rows+=("| $n | $records | $((log_bytes / 1048576)) | $((gen_ms / 1000)).$(((gen_ms % 1000) / 100)) | $((replay_ms / 1000)).$(((replay_ms % 1000) / 100)) | $rate | $written | $row_rate | ${writer_cpu:--} | $writer_rate | $dropped | $logins / $n | $failed / $commands | $open | $((bytes / 1048576)) | $per | $per_stored | $t_sessions | $t_since ($since_count) | $t_timeline |")
  [[ ${malformed:-0} == 0 ]] || say "store_scale: N=$n: bench_replay found $malformed malformed lines"
  if [[ -n $KEEP ]]; then
    for f in "$DB" "$DB-wal" "$DB-shm"; do [[ -e $f ]] && mv "$f" "$KEEP/"; done
  else
    rm -f "$DB" "$DB-wal" "$DB-shm"
  fi
done

echo "| sessions | records | log MB | generate s | replay s | records/s | rows written | rows written/s | writer CPU s | writer rows/s | rows dropped | logins stored | failed logins stored | open | store MB | bytes/session | bytes/stored login | sessions ms | sessions --since ms (results) | timeline ms |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo '?') $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); --via $VIA --per-second $RATE --seed $SEED, medians of $RUNS runs"
