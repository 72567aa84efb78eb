#!/usr/bin/env bash
# Trains and infers simplecnn (batch 64, random MNIST-shaped data) with cnnkit's oneDNN backend and with PyTorch,
# alternating the two for a few rounds, then prints images/s for both and the ratio cnnkit / PyTorch.
# Usage: bench/run.sh [--threads 2] [--steps 50] [--warmup 5] [--rounds 3] [--build-dir build-bench]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=2 steps=50 warmup=5 rounds=3 build_dir="$root/build-bench"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

torch_python=/usr/bin/python3
if ! "$torch_python" -c 'import torch' 2>/dev/null; then
  echo "run.sh: $torch_python cannot import torch" >&2
  echo "HINT: PyTorch 1.13 is expected at /usr/bin/python3 (Debian's python3-torch)" >&2
  exit 1
fi

echo "building bench_simplecnn in $build_dir ..." >&2
mkdir -p "$build_dir"
if ! { cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCNN_BUILD_TESTS=OFF -DCNN_BUILD_BENCH=ON &&
       cmake --build "$build_dir" --target bench_simplecnn -j "$(nproc)"; } >"$build_dir/bench-build.log" 2>&1; then
  tail -n 30 "$build_dir/bench-build.log" >&2
  echo "run.sh: the build failed (full log: $build_dir/bench-build.log)" >&2
  exit 1
fi

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
common=(--threads "$threads" --steps "$steps" --warmup "$warmup")
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds ..." >&2
  CNN_BACKEND=onednn "$build_dir/bench/bench_simplecnn" "${common[@]}" | tee -a "$results" >&2
  "$torch_python" "$root/bench/bench_simplecnn.py" "${common[@]}" | tee -a "$results" >&2
done
"$torch_python" "$root/bench/summarize.py" "$results" --threads "$threads" --steps "$steps"
