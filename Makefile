# The README's two set-up commands (make run, make test), plus make bench and make install.
# Not the build itself: CMake builds; this file only strings the steps together.
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
RELEASE_DIR := build/release
TEST_DIR := build/test

.PHONY: run test bench install deps release

deps:
	bash scripts/install-deps.sh

release: deps
	cmake -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=Release -DCNN_BUILD_TESTS=OFF
	cmake --build $(RELEASE_DIR) -j$(JOBS)

# The main job: simplecnn on Fashion-MNIST (Debian's dataset-fashion-mnist), one epoch, progress on screen.
run: release
	$(RELEASE_DIR)/cnn train --model simplecnn --dataset fashion-mnist --epochs 1

# The whole test suite, warnings as errors (what .ci/run calls).
test: deps
	cmake -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=Release -DCNN_WERROR=ON
	cmake --build $(TEST_DIR) -j$(JOBS)
	ctest --test-dir $(TEST_DIR) --output-on-failure -j$(JOBS)

# cnnkit against PyTorch on simplecnn (needs PyTorch: scripts/install-deps.sh --bench).
bench:
	bash scripts/install-deps.sh --bench
	bash bench/run.sh --build-dir $(RELEASE_DIR)

install: release
	cmake --install $(RELEASE_DIR) --prefix $(PREFIX)
