#!/usr/bin/env bash
# The course's real runs and their pictures (docs/course.md "Results from real runs", issue 15): simplecnn on
# MNIST and Fashion-MNIST with their filters beside the initialisation, an early-stopping run, the 001 §4 ResNet-18
# recipe on Fashion-MNIST at 32x32, He et al.'s plain vs residual nets, the 002 §11 ablation of depth, width and
# kernel, and every figure of docs/img/ that they make. About 1.5 hours on 2 cores; finished runs are not repeated.
# Usage: bash scripts/course_runs.sh [OUT_DIR] [CNN_BINARY] [IMG_DIR]
#        (defaults: runs/course, build/release/cnn, docs/img). Environment: CNN_MNIST_DIR.
set -euo pipefail
out=${1:-runs/course}
cnn=${2:-build/release/cnn}
img=${3:-docs/img}
mnist=${CNN_MNIST_DIR:-../shared/data/mnist}

run() {  # run NAME ARGS...: skipped when NAME already has its weights
  local name=$1
  shift
  [[ -f "$out/$name/model.safetensors" ]] || "$cnn" "$@" --output "$out/$name" --overwrite
}

# 000 Exercise 1: the same network trained on MNIST and on Fashion-MNIST (same seed, so the same start).
run mnist train --model simplecnn --dataset mnist --data-dir "$mnist" --epochs 2
run fashion-mnist train --model simplecnn --dataset fashion-mnist --epochs 2
"$cnn" viz filters "$out/mnist" --init -o "$img/filters_init_mnist.png"
"$cnn" viz filters "$out/fashion-mnist" --init -o "$img/filters_init_fashion.png"
"$cnn" viz filters "$out/mnist" --compare "$out/fashion-mnist" -o "$img/filters_mnist_vs_fashion.png"

# Early stopping on the validation loss: 3,000 training images overfit after a few epochs.
run early-stop train --model simplecnn --dataset fashion-mnist --train-subset 3000 --val-split 0.2 --epochs 40 \
  --early-stop 4 --eval-metric loss --opt adam
"$cnn" viz curves "$out/early-stop" -o "$img/early_stop.png"

# 001 §4: the CIFAR-10 recipe as written, on 6,000 Fashion-MNIST images at 32x32 for 15 epochs (bf16).
run resnet18-fashion-mnist train --config recipes/resnet18_cifar10.json --dataset fashion-mnist --img-size 32 \
  --epochs 15 --train-subset 6000 --amp bf16
r18="$out/resnet18-fashion-mnist"
"$cnn" viz curves "$r18" -o "$img/resnet18_fashion_curves.png"
"$cnn" viz samples "$r18" --per-class 8 -o "$img/samples_fashion.png"
"$cnn" viz augment recipes/resnet18_cifar10.json --dataset fashion-mnist --img-size 32 --index 1 \
  -o "$img/augment_cifar_recipe.png"
"$cnn" viz filters "$r18" --init -o "$img/resnet18_fashion_filters.png"
"$cnn" viz features "$r18" --index 0 --layers conv1,layer1,layer2,layer3,layer4 --max-channels 15 \
  -o "$img/resnet18_fashion_features.png"

# He et al. 2016 Figure 6 in small: plain vs residual, 20 and 56 layers, the same budget.
for m in plain20 plain56 resnet20 resnet56; do
  run "$m" train --model "$m" --dataset fashion-mnist --img-size 32 --crop-pad 4 --hflip 0.5 --train-subset 8000 \
    --epochs 5 --batch-size 128 --opt sgd --lr 0.1 --momentum 0.9 --weight-decay 1e-4 --sched cosine --amp bf16 \
    --seed 0
done
"$cnn" viz curves "$out/plain20" "$out/plain56" "$out/resnet20" "$out/resnet56" --smoothing 0.95 \
  --title "Plain vs residual on Fashion-MNIST (8,000 images, 5 epochs)" -o "$img/plain_vs_residual.png"

# 002 §11: depth 2-5, width and kernel, 3 seeds each.
"$cnn" ablate --base recipes/ablation_fashion_mnist.json --vary depth=2,3,4,5 --vary width=16,32,64 \
  --vary kernel=3,5,7 --seeds 3 --train-subset 5000 --jobs 2 --threads 1 --output "$out/ablate"
cp "$out/ablate/results.png" "$img/ablation_depth_width_kernel.png"
