#!/usr/bin/env bash
# Runs the fuzz targets for a while each and reports executions and crashes.
# Usage: fuzz/run.sh FUZZ_BUILD_DIR SECONDS_PER_TARGET WORKDIR [TARGET...]
#   FUZZ_BUILD_DIR: a build configured with -DAUDITLENS_FUZZ=ON and clang (see fuzz/CMakeLists.txt)
#   WORKDIR: corpora grow in WORKDIR/corpus/<target>, crashes land in WORKDIR/crashes/<target>
# Prints one "fuzz: TARGET seconds=S execs=N crashes=C" line per target; exits 1 if any crashed.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:?usage: run.sh FUZZ_BUILD_DIR SECONDS WORKDIR [TARGET...]}
SECONDS_EACH=${2:?seconds per target}
WORK=${3:?work dir}
shift 3
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(fuzz_record fuzz_parse fuzz_pipeline fuzz_rules)
mkdir -p "$WORK"
# Seeds are made once per work dir, and again when a target's are missing (a work dir of an older
# tree, before that target existed).
for t in "${TARGETS[@]}"; do
  [[ -d $WORK/seeds/${t#fuzz_} ]] || { "$SRC/fuzz/make_corpus.sh" "$WORK/seeds" >&2; break; }
done
failed=0
for t in "${TARGETS[@]}"; do
  seeds=$WORK/seeds/${t#fuzz_}
  corpus=$WORK/corpus/$t
  crashes=$WORK/crashes/$t
  mkdir -p "$corpus" "$crashes"
  # Inputs that once crashed a target are run first, every time (fuzz/regressions/TARGET).
  REGRESSIONS=()
  [[ -d $SRC/fuzz/regressions/$t ]] && REGRESSIONS=("$SRC/fuzz/regressions/$t")
  log=$WORK/$t.log
  start=$(date +%s)
  rc=0
  # -rss_limit_mb: a leak or an unbounded buffer is a finding too. -timeout: a hang is one.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$BUILD/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=1024 \
      -max_len=65536 -dict="$SRC/fuzz/audit.dict" -print_final_stats=1 \
      -artifact_prefix="$crashes/" "$corpus" "$seeds" \
      ${REGRESSIONS[@]+"${REGRESSIONS[@]}"} >"$log" 2>&1 || rc=$?
  end=$(date +%s)
  execs=$(awk '/stat::number_of_executed_units/{print $NF}' "$log" | tail -1)
  n_crashes=$(find "$crashes" -type f | wc -l)
  echo "fuzz: $t seconds=$((end - start)) execs=${execs:-0} crashes=$n_crashes corpus=$(ls "$corpus" | wc -l) rc=$rc"
  if ((rc != 0 || n_crashes != 0)); then
    failed=1
    grep -m5 -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" >&2 || true
  fi
done
exit $failed
