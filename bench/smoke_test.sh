#!/usr/bin/env bash
# Smoke test of the showdown harness: tiny storms under the floor consumer (and auditlens when its
# binary can `run --rules --output`), one round. Asserts only that the harness runs, that every
# generated event was counted by the consumer, and that the kernel's audit state is as before.
# No timing is asserted. Root and the kernel audit subsystem needed; exits 77 (skip) without them.
#
# Environment: BENCH_BUILD or BUILD_DIR (a build tree with the bench tools; default build/bench),
# AUDITLENS (the agent's binary; default build/release/auditlens).
# Prints one line per check and ends with `N passed, M failed`.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
export BENCH_BUILD=${BENCH_BUILD:-${BUILD_DIR:-$REPO/build/bench}}

if [[ $(id -u) != 0 ]] || ! command -v auditctl >/dev/null || ! auditctl -s >/dev/null 2>&1; then
  echo "skipped: needs root and the kernel audit subsystem"
  exit 77
fi

N_OPEN=2000 N_EXEC=30 N_CONNECT=200
passed=0 failed=0
check() {  # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "ok - $what"
    passed=$((passed + 1))
  else
    echo "FAIL - $what"
    failed=$((failed + 1))
  fi
}

kernel_state() {
  auditctl -s | awk '$1 ~ /^(enabled|failure|pid|rate_limit|backlog_limit|backlog_wait_time)$/ { printf "%s=%s ", $1, $2 }'
  auditctl -l | grep -c 'key=alb_bench'
}

source "$HERE/lib.sh"  # for auditlens_usable and the paths
consumers=floor
auditlens_usable && consumers+=,auditlens

out=$(mktemp -d /tmp/auditlens-bench-smoke.XXXXXX)
trap 'rm -rf "$out"' EXIT
before=$(with_kernel_lock bash -c "$(declare -f kernel_state); kernel_state")

bash "$HERE/run.sh" --rounds 1 --consumers "$consumers" --storms open,exec,connect \
  --n-open $N_OPEN --n-exec $N_EXEC --n-connect $N_CONNECT --no-parse --out "$out" >"$out/stdout" 2>"$out/stderr"
rc=$?
check "run.sh exits 0" test $rc = 0
((rc == 0)) || { tail -20 "$out/stderr"; }

after=$(with_kernel_lock bash -c "$(declare -f kernel_state); kernel_state")
check "kernel audit state restored ($after)" test "$before" = "$after"

check "report written" test -s "$out/summary.md" -a -s "$out/summary.json"

# One check per storm x consumer: the storm made the expected number of events, the consumer got
# them all.
expected() { case $1 in open) echo $N_OPEN ;; exec) echo $N_EXEC ;; connect) echo $((2 * N_CONNECT)) ;; esac; }
IFS=, read -ra names <<<"$consumers"
for consumer in "${names[@]}"; do
  for storm in open exec connect; do
    row=$(grep "\"storm\":\"$storm\",\"consumer\":\"$consumer\"" "$out/results.jsonl" 2>/dev/null)
    events=$(sed -n 's/.*"events":\([0-9]*\).*/\1/p' <<<"$row")
    delivered=$(sed -n 's/.*"delivered":\([0-9]*\).*/\1/p' <<<"$row")
    check "$storm storm under $consumer: $(expected $storm) generated, ${events:-none} counted by the storm, ${delivered:-none} by the consumer" \
      test -n "$row" -a "${events:-x}" = "$(expected $storm)" -a "${delivered:-y}" = "$(expected $storm)"
  done
done

echo "$passed passed, $failed failed"
((failed == 0))
