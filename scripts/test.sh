#!/usr/bin/env bash
# Builds auditlens and runs every test: unit tests, tests against the real kernel (root), the
# differential test against libauparse and the benchmark smoke test. Usage, as root:
# scripts/test.sh [CTEST ARGS...] (installs the test set of scripts/install-deps.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"

# Kernel tests take the kernel audit state in turn with anyone else on the machine.
ctest --preset release --timeout 900 "$@"
