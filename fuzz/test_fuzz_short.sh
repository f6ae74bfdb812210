#!/usr/bin/env bash
# CI's fuzz run (ctest label fuzz): builds the fuzz targets with clang (libFuzzer, ASan, UBSan) in a
# build directory of their own, replays the inputs that once crashed them (fuzz/regressions), and
# fuzzes each target for FUZZ_SECONDS (default 60) from the seed corpus of tests/data.
# Environment: SOURCE_DIR, BUILD_DIR (the main build; the fuzz build goes to BUILD_DIR/fuzz-ci).
set -uo pipefail
SRC=${SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
FUZZ_BUILD=${BUILD_DIR:-$SRC/build/release}/fuzz-ci
SECONDS_EACH=${FUZZ_SECONDS:-60}
PASSED=0
FAILED=0
fail() { echo "not ok - $*"; FAILED=$((FAILED + 1)); }
pass() { echo "ok - $*"; PASSED=$((PASSED + 1)); }

if ! command -v clang++ >/dev/null; then
  fail "clang++ is needed to build the fuzz targets (scripts/install-deps.sh installs it)"
  echo "$PASSED passed, $FAILED failed"
  exit 1
fi
if [[ ! -f $FUZZ_BUILD/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S "$SRC" -B "$FUZZ_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAUDITLENS_FUZZ=ON -DAUDITLENS_BUILD_TESTS=OFF -DAUDITLENS_BUILD_BENCH=OFF >"$FUZZ_BUILD.configure.log" 2>&1 ||
    { fail "configure the fuzz build (see $FUZZ_BUILD.configure.log)"; echo "$PASSED passed, $FAILED failed"; exit 1; }
fi
if cmake --build "$FUZZ_BUILD" -j "$(nproc)" --target fuzz_record fuzz_parse fuzz_pipeline fuzz_rules >"$FUZZ_BUILD.build.log" 2>&1; then
  pass "fuzz targets build with clang, ASan and UBSan"
else
  tail -20 "$FUZZ_BUILD.build.log"
  fail "fuzz targets build (see $FUZZ_BUILD.build.log)"
  echo "$PASSED passed, $FAILED failed"
  exit 1
fi
for t in fuzz_record fuzz_parse fuzz_pipeline fuzz_rules; do
  line=$("$SRC/fuzz/run.sh" "$FUZZ_BUILD" "$SECONDS_EACH" "$FUZZ_BUILD/work" "$t" 2>"$FUZZ_BUILD/$t.err")
  rc=$?
  echo "$line"
  if [[ $rc -eq 0 ]] && [[ $line == *" crashes=0 "* ]] && [[ $line != *" execs=0 "* ]]; then
    pass "$t: ${SECONDS_EACH}s without a crash, leak, timeout or UBSan report"
  else
    cat "$FUZZ_BUILD/$t.err"
    fail "$t (inputs in $FUZZ_BUILD/work/crashes/$t)"
  fi
done
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
