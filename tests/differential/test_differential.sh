#!/bin/bash
# The differential test (run by ctest with AUDITLENS, SOURCE_DIR and BUILD_DIR set): every decoded
# value of `auditlens parse` must equal libauparse's interpretation of the same log.
#
#   1. the committed corpora, tests/data/differential/*.log (made on a machine like this one);
#   2. a fresh corpus made now by generate_corpus.sh from this machine's kernel (when root, with
#      auditd; generate_corpus.sh takes /tmp/auditlens-kernel.lock and restores the kernel state).
#
# Ends with `N passed, M failed` over all values compared; exits non-zero on any mismatch.
# KEEP_CORPUS=DIR keeps the fresh corpus (and auditlens' output) there.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=${SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
AUDITLENS=${AUDITLENS:-${BUILD_DIR:-$SOURCE_DIR/build}/auditlens}
PY=/usr/bin/python3   # Debian's python: ctypes and libauparse.so.0 (the pyenv one is not needed)

if [[ ! -x $AUDITLENS ]]; then
  echo "test_differential: no auditlens binary at $AUDITLENS" >&2
  exit 1
fi
if ! "$PY" -c 'import ctypes; ctypes.CDLL("libauparse.so.0")' 2>/dev/null; then
  echo "test_differential: libauparse.so.0 is missing (Debian package libauparse0)" >&2
  exit 1
fi

passed=0
failed=0
status=0

# Runs compare.py on a log, adds its counts to the totals.
compare() {
  local log=$1 out rc line
  out=$("$PY" "$HERE/compare.py" --auditlens "$AUDITLENS" "$log" 2>&1)
  rc=$?
  printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
  if [[ -z $line ]]; then
    echo "test_differential: compare.py gave no result for $log (exit $rc)"
    failed=$((failed + 1))
    status=1
    return
  fi
  local p f
  read -r p _ f _ <<<"$line"
  echo "$(basename "$log"): $p passed, $f failed"
  passed=$((passed + p))
  failed=$((failed + f))
  ((rc == 0)) || status=1
}

shopt -s nullglob
corpora=("$SOURCE_DIR"/tests/data/differential/*.log)
if ((${#corpora[@]} == 0)); then
  echo "test_differential: no committed corpus in tests/data/differential"
  status=1
fi
for log in "${corpora[@]}"; do
  compare "$log"
done

# A fresh corpus from this machine's kernel.
tmp=$(mktemp -d /tmp/auditlens-difftest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bash "$HERE/generate_corpus.sh" "$tmp/fresh.log"
rc=$?
case $rc in
  0)
    compare "$tmp/fresh.log"
    if [[ -n ${KEEP_CORPUS:-} ]]; then
      mkdir -p "$KEEP_CORPUS"
      cp "$tmp/fresh.log" "$KEEP_CORPUS/"
      "$AUDITLENS" parse "$tmp/fresh.log" >"$KEEP_CORPUS/fresh.jsonl" 2>/dev/null
    fi
    ;;
  77)
    echo "test_differential: fresh corpus skipped (see above); committed corpora only"
    ;;
  *)
    echo "test_differential: generate_corpus.sh failed (exit $rc)"
    status=1
    ;;
esac

echo "$passed passed, $failed failed"
if ((failed > 0)); then status=1; fi
exit "$status"
