#!/bin/bash
# The generated tables in src/tables are what tools/gen_tables.py makes of the audit source tree in
# AUDIT_SOURCE_DIR (an unpacked audit 3.0.9 source). Without AUDIT_SOURCE_DIR the generator gets
# Debian's source package itself (`--fetch`, through the machine's own apt sources); only when that
# cannot be had (no archive reachable) is the test skipped (exit 77). The generator runs twice, so a
# nondeterministic generator fails too.
set -uo pipefail
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
if [[ -n ${AUDIT_SOURCE_DIR:-} ]]; then
  source_args=("$AUDIT_SOURCE_DIR")
else
  source_args=(--fetch)
  # Whether the source package can be had at all: a failure here is no verdict on the tables.
  if ! out=$(python3 "$SOURCE_DIR/tools/gen_tables.py" --check --fetch 2>&1) &&
      ! grep -q 'out of date' <<<"$out"; then
    echo "$out" | tail -5
    echo "test_generated: no AUDIT_SOURCE_DIR and the audit source package cannot be fetched: skipped"
    exit 77
  fi
fi
for round in 1 2; do
  if ! python3 "$SOURCE_DIR/tools/gen_tables.py" --check "${source_args[@]}"; then
    echo "test_generated: src/tables differs from the generator's output (round $round)"
    exit 1
  fi
done
echo "test_generated: src/tables matches tools/gen_tables.py ${source_args[*]}"
