#!/usr/bin/env bash
# ThreadSanitizer over the threaded paths: the data loader's workers (tests/data/test_loader_workers.cpp) and
# concurrent inference (tests/deploy/test_concurrent_forward.cpp, test_predictor.cpp), built with clang 14 in
# build/tsan. OpenMP runs one thread (OMP_NUM_THREADS=1): libomp and oneDNN's libgomp are not instrumented, so
# their barriers look like races to TSan; cnnkit's own threads (loader workers, std::thread callers) still race
# freely. Any report fails the run. Usage: scripts/tsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --sanitize
tests=(test_loader_workers test_concurrent_forward test_predictor)
cmake -S . -B build/tsan -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DCNN_SANITIZE=thread -DCNN_WERROR=ON \
  -DCNN_BUILD_EXAMPLES=OFF -DCNN_BUILD_BENCH=OFF >/dev/null
cmake --build build/tsan -j"$(nproc)" --target "${tests[@]}"
export OMP_NUM_THREADS=1 TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
export CNN_SHARED_DIR="${CNN_SHARED_DIR:-$PWD/../shared}"
for t in "${tests[@]}"; do
  exe=$(find build/tsan/tests -name "$t" -type f -executable | head -n 1)
  echo "tsan: $t"
  "$exe" --gtest_brief=1
done
echo "tsan: no data race reported"
