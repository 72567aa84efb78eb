#!/usr/bin/env bash
# The README's second command (and what .ci/run calls): installs the dependencies, builds with warnings as
# errors, and runs the whole test suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=Release -DCNN_WERROR=ON
cmake --build build/test -j"$(nproc)"
ctest --test-dir build/test --output-on-failure -j"$(nproc)"
