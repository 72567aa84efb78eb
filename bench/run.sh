#!/usr/bin/env bash
# cnnkit against PyTorch on the course's models: ResNet-18/CIFAR (train b128, infer b128, infer b1), MobileNetV2
# at 224 (train b32, infer b32, infer b1) and SimpleCNN (train/infer b64), each in float32 and in bf16 mixed
# precision (where the CPU has bf16 instructions), alternating the engines for a few rounds at the same thread
# count. PyTorch runs in NCHW and channels_last and its better one counts; bf16 rows use torch.autocast.
# Prints the CPU, both versions, images/s, ratios and peak RSS as a markdown table (summarize.py).
# Usage: bench/run.sh [--threads 2] [--rounds 2] [--rows resnet18_cifar,mobilenet_v2,simplecnn] [--quick]
#                     [--build-dir build-bench]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=2 rounds=2 rows="resnet18_cifar,mobilenet_v2,simplecnn" quick=0 build_dir="$root/build-bench"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --rows) rows="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

# The newest PyTorch here: pip's (python3 on PATH) when it imports, else Debian's python3-torch.
torch_python=""
for py in python3 /usr/bin/python3; do
  if "$py" -c 'import torch, torchvision' 2>/dev/null; then torch_python="$py"; break; fi
done
if [[ -z "$torch_python" ]]; then
  echo "run.sh: no Python here imports torch and torchvision" >&2
  echo "HINT: python3 -m pip install torch torchvision, or scripts/install-deps.sh --bench (Debian's 1.13)" >&2
  exit 1
fi

echo "building bench_models in $build_dir ..." >&2
mkdir -p "$build_dir"
# A tree configured before (build/test, say, which builds bench/ too) is reused as it is.
configure=(cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCNN_BUILD_TESTS=OFF -DCNN_BUILD_BENCH=ON)
[[ -f "$build_dir/CMakeCache.txt" ]] && configure=(true)
if ! { "${configure[@]}" && cmake --build "$build_dir" --target bench_models -j "$(nproc)"; } \
     >"$build_dir/bench-build.log" 2>&1; then
  tail -n 30 "$build_dir/bench-build.log" >&2
  echo "run.sh: the build failed (full log: $build_dir/bench-build.log)" >&2
  exit 1
fi
bench="$build_dir/bench/bench_models"

# model mode batch steps warmup
table=(
  "resnet18_cifar train 128 8 2"
  "resnet18_cifar infer 128 10 2"
  "resnet18_cifar infer 1 100 10"
  "mobilenet_v2 train 32 6 2"
  "mobilenet_v2 infer 32 8 2"
  "mobilenet_v2 infer 1 40 5"
  "simplecnn train 64 100 10"
  "simplecnn infer 64 200 10"
)
precisions=(none)
native=$(CNN_BACKEND=onednn "$bench" --model simplecnn --mode infer --batch 1 --steps 1 --warmup 0 --amp bf16 \
         --threads "$threads" | "$torch_python" -c 'import json,sys; print(json.load(sys.stdin)["precision"])')
if [[ "$native" == bf16 ]]; then precisions+=(bf16); else echo "run.sh: no native bf16 on this CPU: f32 rows only" >&2; fi

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for ((r = 1; r <= rounds; r++)); do
  for row in "${table[@]}"; do
    read -r model mode batch steps warmup <<<"$row"
    [[ ",$rows," == *",$model,"* ]] || continue
    if ((quick)); then steps=$(((steps + 3) / 4)); warmup=1; fi
    for amp in "${precisions[@]}"; do
      echo "round $r/$rounds: $model $mode b$batch $amp" >&2
      common=(--model "$model" --mode "$mode" --batch "$batch" --amp "$amp" --steps "$steps" --warmup "$warmup"
              --threads "$threads")
      CNN_BACKEND=onednn "$bench" "${common[@]}" >>"$results"
      for format in nchw channels_last; do
        OMP_NUM_THREADS="$threads" "$torch_python" "$root/bench/bench_models.py" "${common[@]}" --format "$format" >>"$results"
      done
    done
  done
done
"$torch_python" "$root/bench/summarize.py" "$results" --threads "$threads" --rounds "$rounds"
