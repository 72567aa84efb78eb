#!/usr/bin/env bash
# Installs the Debian 12 packages cnnkit builds and tests with (see docs/design.md, Dependencies).
# Idempotent: packages already present are skipped, and apt-get runs only when something is missing.
# Usage: scripts/install-deps.sh [--bench] [--sanitize]   (--bench adds PyTorch for the side-by-side benchmark,
# --sanitize clang 14 for the sanitizer, fuzz and ThreadSanitizer builds)
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libdnnl-dev            # oneDNN 2.6: the fast CPU backend
  zlib1g-dev             # reading .gz IDX files, unpacking .tar.gz archives
  libstb-dev             # PNG/JPEG/BMP image files (image-folder datasets)
  libcurl4-openssl-dev   # cnn download
  nlohmann-json3-dev     # metrics.json, safetensors headers
  libcli11-dev           # the cnn command line
  libfmt-dev             # formatting of messages and tables
  libcairo2-dev fonts-dejavu-core  # charts, image grids and the run report (src/viz)
  libonnx-dev libprotobuf-dev  # cnn export --format onnx (ModelProto, onnx::checker, shape inference)
  libopencv-dnn-dev      # tests: exported ONNX models run in OpenCV's dnn module
  libopenmpi-dev openmpi-bin  # data-parallel training over MPI (mpirun -np N cnn train ...)
  libgtest-dev libgmock-dev  # the test suite
  dataset-fashion-mnist  # Fashion-MNIST, for the main job
)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(python3-torch python3-torchvision) ;;  # PyTorch 1.13 (torchvision 0.14): bench/, fixtures
    # clang's sanitizer runtimes and libFuzzer; libomp: clang's OpenMP (scripts/test.sh --sanitize, fuzz.sh, tsan.sh)
    --sanitize) packages+=(clang-14 libclang-rt-14-dev libomp-14-dev) ;;
    *) echo "install-deps: unknown option $arg (expected --bench or --sanitize)" >&2; exit 1 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
