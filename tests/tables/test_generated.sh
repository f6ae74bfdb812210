#!/bin/bash
# The generated tables in src/tables are what tools/gen_tables.py makes of the audit source tree in
# AUDIT_SOURCE_DIR (an unpacked audit 3.0.9 source: `tools/gen_tables.py --fetch` documents how to
# get one). Without AUDIT_SOURCE_DIR the test is skipped (exit 77): it needs the upstream files.
# The generator runs twice, so a nondeterministic generator fails too.
set -uo pipefail
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
if [[ -z ${AUDIT_SOURCE_DIR:-} ]]; then
  echo "test_generated: AUDIT_SOURCE_DIR is not set: skipped"
  exit 77
fi
for round in 1 2; do
  if ! python3 "$SOURCE_DIR/tools/gen_tables.py" --check "$AUDIT_SOURCE_DIR"; then
    echo "test_generated: src/tables differs from the generator's output (round $round)"
    exit 1
  fi
done
echo "test_generated: src/tables matches tools/gen_tables.py $AUDIT_SOURCE_DIR"
