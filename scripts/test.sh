#!/usr/bin/env bash
# The README's second command (and what .ci/run calls): installs the dependencies, builds with warnings as
# errors, and runs the whole test suite with CTest.
# scripts/test.sh --sanitize [LABELS]: the same under ASan + LSan + UBSan (clang 14, build/sanitize), for the test
# folders LABELS (a ctest -L regex over folder names; default below, the part that fits CI's time: see
# docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--sanitize" ]]; then
  labels="${2:-tensor|io|data|train|fuzz}"
  targets=(cnn)
  for label in ${labels//|/ }; do targets+=("cnn_tests_${label}"); done
  bash scripts/sanitize/build.sh "${targets[@]}"
  source scripts/sanitize/env.sh
  # EndToEnd.* trains MNIST to an accuracy: past 300 s under ASan, and the same code paths run in the train tests.
  ctest --test-dir build/sanitize --output-on-failure -j"$(nproc)" -L "^(${labels})\$" -E '^EndToEnd\.'
  exit 0
fi
bash scripts/install-deps.sh
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=Release -DCNN_WERROR=ON
cmake --build build/test -j"$(nproc)"
ctest --test-dir build/test --output-on-failure -j"$(nproc)"
