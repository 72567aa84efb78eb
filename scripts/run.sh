#!/usr/bin/env bash
# The README's first command: installs the dependencies, builds cnnkit in Release, and runs the main job —
# simplecnn trained on Fashion-MNIST (Debian's dataset-fashion-mnist) for one epoch, progress on screen.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCNN_BUILD_TESTS=OFF
cmake --build build/release -j"$(nproc)"
build/release/cnn train --model simplecnn --dataset fashion-mnist --epochs 1 "$@"
