#!/usr/bin/env bash
# The transfer experiment of docs/transfer.md (seeds 002 §10): pretrain a plaincnn on MNIST, then learn
# Fashion-MNIST from 1,000 of its training images three ways (frozen backbone + new head, fine-tuned with
# discriminative learning rates, from scratch) for each seed, and print the test accuracies.
# Usage: bash scripts/transfer_experiment.sh [OUT_DIR] [CNN_BINARY]   (defaults: runs/transfer, build/release/cnn)
# Environment: SEEDS (default "0 1 2"), THREADS (default 2), CNN_MNIST_DIR. Finished runs are not repeated.
set -euo pipefail
out=${1:-runs/transfer}
cnn=${2:-build/release/cnn}
mnist=${CNN_MNIST_DIR:-../shared/data/mnist}
model=(--model plaincnn --model-kwargs depth=4 width=32)
common=(--threads "${THREADS:-2}" --workers 1 --no-report)
small=(--dataset fashion-mnist --train-subset 1000 --epochs 15 --batch-size 64 "${common[@]}")

run() {  # run NAME ARGS...: skipped when NAME already has its weights
  local name=$1
  shift
  [[ -f "$out/$name/model.safetensors" ]] || "$cnn" "$@" --output "$out/$name"
}

run pretrain-mnist train "${model[@]}" --dataset mnist --data-dir "$mnist" --epochs 2 --batch-size 64 --lr 0.001 \
  --seed 0 "${common[@]}"
pretrained="$out/pretrain-mnist/model.safetensors"
for seed in ${SEEDS:-0 1 2}; do
  run "frozen-seed$seed" finetune "${model[@]}" --weights "$pretrained" --freeze backbone --freeze-bn \
    --lr-head 0.01 --seed "$seed" "${small[@]}"
  run "finetuned-seed$seed" finetune "${model[@]}" --weights "$pretrained" --freeze none \
    --lr-head 0.01 --lr-backbone 0.001 --seed "$seed" "${small[@]}"
  run "scratch-seed$seed" train "${model[@]}" --lr 0.001 --seed "$seed" "${small[@]}"
done

for way in frozen finetuned scratch; do
  python3 - "$out" "$way" ${SEEDS:-0 1 2} <<'PY'
import json, statistics, sys
out, way, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = [json.load(open(f"{out}/{way}-seed{s}/metrics.json")) for s in seeds]
acc = [100 * r["epochs"][-1]["test_acc"] for r in runs]
std = statistics.stdev(acc) if len(acc) > 1 else 0.0
trainable = runs[0]["config"].get("trainable_parameters", runs[0]["config"]["num_parameters"])
print(f"{way:>10}: {statistics.mean(acc):.2f} ± {std:.2f} % test accuracy after 15 epochs over seeds "
      f"{', '.join(seeds)} ({', '.join(f'{a:.2f}' for a in acc)}); {trainable:,} trainable parameters")
PY
done
