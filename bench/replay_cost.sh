#!/usr/bin/env bash
# Instructions per event of the agent's stages on one storm, load-independent (callgrind counts
# user-space instructions of every thread, the store's included):
#
#   bench/replay_cost.sh BUILD SMALL.log LARGE.log [bench_replay options...]
#
# SMALL and LARGE are two prefixes of one raw storm log (the large one with more events); the
# difference of their totals divided by the difference of their event counts is the cost of an
# event without start-up (seeding from /proc, opening the store). Prints "events instructions/event".
set -euo pipefail
build=$1 small=$2 large=$3
shift 3
run() {
  local out events ir
  out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$build/bench_replay" "$@" 2>&1)
  events=$(sed -n 's/.* records, \([0-9]*\) events,.*/\1/p' <<<"$out")
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$out")
  [[ -n $events && -n $ir ]] || { echo "replay_cost: no result from $*:" >&2; echo "$out" >&2; exit 1; }
  echo "$events $ir"
}
read -r e1 i1 < <(run "$small" "$@")
read -r e2 i2 < <(run "$large" "$@")
echo "$((e2 - e1)) $(((i2 - i1) / (e2 - e1)))"
