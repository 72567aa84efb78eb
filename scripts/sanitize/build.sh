#!/usr/bin/env bash
# Configures and builds the sanitizer folder build/sanitize: clang 14, AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer, -O1 with line tables, plus the libFuzzer targets (CNN_FUZZ). Shared by
# scripts/test.sh --sanitize and scripts/fuzz.sh so CI compiles it once. Usage: scripts/sanitize/build.sh TARGET...
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/install-deps.sh --sanitize
cmake -S . -B build/sanitize -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DCNN_FUZZ=ON -DCNN_WERROR=ON \
  -DCNN_BUILD_EXAMPLES=OFF -DCNN_BUILD_BENCH=OFF >/dev/null
cmake --build build/sanitize -j"$(nproc)" --target "$@"
