#!/usr/bin/env bash
# Installs the built cnnkit into a temporary prefix, builds tests/core_consumer (linking only cnnkit::core) against
# it, and fails if cairo, curl or stb appear in its compile commands, link line or loaded libraries, or if it fails to
# run. Usage: test_core_consumer.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$1
source_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build_dir" --prefix "$tmp/prefix" > "$tmp/install.log"
cmake -S "$source_dir/tests/core_consumer" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON > "$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/build" --verbose > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
status=0
forbidden='cairo|curl|libstb|/stb|-lstb|cnnkit_(data|train|viz)'
if grep -En "$forbidden" "$tmp/build/compile_commands.json" "$tmp/build.log"; then
  echo "core_consumer: the compile or link lines above name a library core must not need"; status=1
fi
if readelf -d "$tmp/build/core_consumer" | grep NEEDED | grep -E "$forbidden"; then
  echo "core_consumer: the binary needs a library core must not need"; status=1
fi
if ldd "$tmp/build/core_consumer" | grep -E "$forbidden"; then
  echo "core_consumer: loading it pulls in a library core must not need"; status=1
fi
readelf -d "$tmp/build/core_consumer" | grep -q 'libcnnkit_core' || { echo "core_consumer: not linked to cnnkit_core"; status=1; }
"$tmp/build/core_consumer" || status=1
exit $status
