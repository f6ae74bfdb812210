#!/usr/bin/env bash
# Bad input for `auditlens parse` (no kernel needed): truncated lines, binary garbage, NUL bytes,
# lines of 1 and 2 MiB, 50 MB of random bytes, 50 MB without a newline, 50 MB of records of one
# endless event. Every bad line is reported with its file and line number; the good lines around
# them still become events; the output is whole JSON lines with valid UTF-8; it never crashes or
# hangs, and its memory stays bounded (peak RSS measured with /usr/bin/time -v).
set -uo pipefail
AUDITLENS=${AUDITLENS:?set AUDITLENS to the auditlens binary}
SRC=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/auditlens-hostile.XXXXXX)
trap '[[ -n ${KEEP_TMP:-} ]] || rm -rf "$T"' EXIT
PASSED=0
FAILED=0
check() {
  local what=$1
  shift
  if "$@"; then PASSED=$((PASSED + 1)); echo "ok - $what"; else FAILED=$((FAILED + 1)); echo "not ok - $what"; fi
}
# Runs `auditlens parse` under time -v with a deadline; sets RC, RSS_KB, SECS.
run_parse() { # OUT ERR ARGS...
  local out=$1 err=$2
  shift 2
  /usr/bin/time -v -o "$T/time.txt" timeout 120 "$AUDITLENS" parse "$@" >"$out" 2>"$err"
  RC=$?
  RSS_KB=$(awk -F': ' '/Maximum resident set size/{print $2}' "$T/time.txt")
  SECS=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$T/time.txt")
}
valid_json_lines() { # FILE: every line one JSON object, strict UTF-8
  $PY - "$1" <<'PY'
import json, sys
n = 0
with open(sys.argv[1], encoding="utf-8", errors="strict") as f:
    for n, line in enumerate(f, 1):
        if not line.endswith("\n") or not isinstance(json.loads(line), dict):
            print(f"line {n} is not a JSON object", file=sys.stderr)
            sys.exit(1)
sys.exit(0)
PY
}

# 1. Good records with bad lines between them.
GOOD=$SRC/tests/data/unit/machine_enriched.log  # every line a valid record
good_lines=$(grep -c . "$GOOD")
$PY - "$GOOD" "$T/mixed.log" <<'PY'
import random, sys
random.seed(1)
good = open(sys.argv[1], "rb").read().split(b"\n")
good = [l for l in good if l]
bad = [
    good[0][:25],                                        # truncated inside the stamp
    bytes(random.randrange(256) for _ in range(300)).replace(b"\n", b" "),  # binary garbage
    b"\0" * 64,                                          # NUL bytes only
    b"type=SYSCALL msg=audit(\0\0\0.1:2): a=b",           # NULs in the stamp
    b"x" * (1 << 20),                                    # exactly 1 MiB: read, refused as a record
    b"type=PATH msg=audit(1.000:1): name=" + b"A" * (2 << 20),  # 2 MiB: skipped as too long
]
out, numbers = [], []
for i, l in enumerate(good):
    out.append(l)
    if i < len(bad):
        out.append(bad[i])
        numbers.append(len(out))
open(sys.argv[2], "wb").write(b"\n".join(out) + b"\n")
open(sys.argv[2] + ".bad", "w").write(" ".join(map(str, numbers)))
PY
run_parse "$T/mixed.json" "$T/mixed.err" "$T/mixed.log"
check "mixed: exit 0 (RC=$RC)" test "$RC" -eq 0
for n in $(cat "$T/mixed.log.bad"); do
  check "mixed: line $n is reported with its number" grep -q "^auditlens parse: $T/mixed.log:$n: " "$T/mixed.err"
done
check "mixed: the 2 MiB line is named as too long" grep -q "mixed.log:[0-9]*: line longer than 1 MiB, skipped" "$T/mixed.err"
check "mixed: only the bad lines are reported" test "$(grep -c "mixed.log:[0-9]*: " "$T/mixed.err")" -eq "$(wc -w <"$T/mixed.log.bad")"
"$AUDITLENS" parse "$GOOD" >"$T/good.json" 2>/dev/null
check "mixed: the good lines give the same events as alone" test "$(wc -l <"$T/mixed.json")" -eq "$(wc -l <"$T/good.json")"
check "mixed: output is valid JSON lines" valid_json_lines "$T/mixed.json"
"$AUDITLENS" parse --strict "$T/mixed.log" >/dev/null 2>&1
check "mixed: --strict exits 1" test $? -eq 1
check "mixed: the summary counts the records ($good_lines) and malformed lines" grep -q "auditlens parse: $good_lines records, .* 6 malformed lines" "$T/mixed.err"

# 2. 50 MB of random bytes.
head -c 50000000 /dev/urandom >"$T/random.bin"
run_parse "$T/random.json" "$T/random.err" "$T/random.bin"
echo "random 50 MB: exit $RC, ${SECS}, peak RSS ${RSS_KB} KB"
check "random: no crash, exit 1 (no record read)" test "$RC" -eq 1
check "random: says no record was read" grep -q "no audit record read" "$T/random.err"
check "random: bounded memory (< 64 MB peak RSS)" test "$RSS_KB" -lt 65536
check "random: at most 100 lines reported one by one, then a count" bash -c "[[ \$(grep -c 'random.bin:[0-9]*: ' '$T/random.err') -eq 100 ]] && grep -q 'more malformed lines not shown' '$T/random.err'"
check "random: nothing written" test ! -s "$T/random.json"

# 3. 50 MB without a single newline.
head -c 50000000 /dev/zero | tr '\0' 'a' >"$T/oneline.txt"
run_parse "$T/oneline.json" "$T/oneline.err" "$T/oneline.txt"
echo "one 50 MB line: exit $RC, ${SECS}, peak RSS ${RSS_KB} KB"
check "one line: exit 1 (no record read)" test "$RC" -eq 1
check "one line: bounded memory (< 64 MB peak RSS)" test "$RSS_KB" -lt 65536
check "one line: reported as line 1, too long" grep -q "oneline.txt:1: line longer than 1 MiB, skipped" "$T/oneline.err"

# 4. 50 MB of records of one event that never ends (same serial, no PROCTITLE).
$PY - "$T/endless.log" <<'PY'
import sys
line = b"type=PATH msg=audit(1795345652.368:77): item=0 name=\"/tmp/" + b"p" * 400 + b"\" nametype=NORMAL\n"
with open(sys.argv[1], "wb") as f:
    f.write(line * (50000000 // len(line)))
PY
run_parse "$T/endless.json" "$T/endless.err" "$T/endless.log"
echo "one endless event, 50 MB: exit $RC, ${SECS}, peak RSS ${RSS_KB} KB"
check "endless event: exit 0" test "$RC" -eq 0
# The assembler lets an event go at 64 MiB of records; the event and its JSON are in memory once.
check "endless event: bounded memory (< 400 MB peak RSS)" test "$RSS_KB" -lt 409600
check "endless event: output is valid JSON lines" valid_json_lines "$T/endless.json"

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
