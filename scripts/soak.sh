#!/usr/bin/env bash
# Soak (not a test): one `cnn train` of EPOCHS epochs (default 20) on an MNIST subset with loader workers, its
# resident memory (VmRSS) sampled every 20 ms, the peak of each epoch kept (an epoch ends when its line reaches
# metrics.json); prints the peak per epoch and whether it stays within 5% after the first epoch (exit 1 otherwise). Usage: scripts/soak.sh [BUILD_DIR] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/test}"
epochs="${2:-20}"
data="${CNN_SHARED_DIR:-$PWD/../shared}/data/mnist"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/cnn" train --model simplecnn --dataset mnist --data-dir "$data" --train-subset 4096 --epochs "$epochs" \
  --batch-size 32 --workers 2 --quiet --no-report --output "$tmp/run" >/dev/null &
pid=$!
rss=()  # the peak VmRSS seen during each epoch, in kB
peak=0
while kill -0 "$pid" 2>/dev/null; do
  kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  ((${kb:-0} > peak)) && peak=${kb:-0}
  done_epochs=$(grep -c '"train_loss"' "$tmp/run/metrics.json" 2>/dev/null || true)
  if ((${done_epochs:-0} > ${#rss[@]})); then
    rss+=("$peak")
    peak=0
  fi
  sleep 0.02
done
wait "$pid"
((${#rss[@]} < epochs)) && rss+=("$peak")  # the last epoch, when the process exited before the next poll
for i in "${!rss[@]}"; do printf 'epoch %2d: RSS %6.1f MB\n' $((i + 1)) "$(echo "${rss[$i]} / 1024" | bc -l)"; done
after=("${rss[@]:1}")
min=$(printf '%s\n' "${after[@]}" | sort -n | head -n 1)
max=$(printf '%s\n' "${after[@]}" | sort -n | tail -n 1)
spread=$(echo "100 * ($max - $min) / $min" | bc -l)
printf 'epochs 2-%d: RSS %.1f-%.1f MB, spread %.2f%% (limit 5%%)\n' "${#rss[@]}" "$(echo "$min/1024" | bc -l)" \
  "$(echo "$max/1024" | bc -l)" "$spread"
(($(echo "$spread <= 5" | bc -l))) && ((${#rss[@]} == epochs))
