# Shortcuts for the scripts: make run / test / bench / install. The README's set-up commands call the
# scripts directly (a fresh Debian 12 may not have make before scripts/install-deps.sh has run).
PREFIX ?= /usr/local

.PHONY: run test bench install

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

# cnnkit against PyTorch on simplecnn (needs PyTorch: scripts/install-deps.sh --bench).
bench:
	bash scripts/install-deps.sh --bench
	bash bench/run.sh --build-dir build/release

install:
	bash scripts/install-deps.sh
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCNN_BUILD_TESTS=OFF
	cmake --build build/release -j"$$(nproc)"
	cmake --install build/release --prefix $(PREFIX)
