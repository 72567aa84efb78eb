#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, in build/sanitize: clang 14, ASan + LSan + UBSan) and runs each for
# SECONDS (default 60) from its committed corpus, a hang being any input slower than 10 s; prints the executions
# per target and fails on any crash, sanitizer report, leak or hang (the input is saved in build/sanitize/fuzz/).
# FUZZ_RUNS=N runs N executions per target instead of a time. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(idx cifar safetensors checkpoint image tar json_config); fi
bash scripts/sanitize/build.sh "${targets[@]/#/fuzz_}" >/dev/null
source scripts/sanitize/env.sh
# Speed: inputs go through files in tmpfs, and ASan keeps 16 MB of freed memory in quarantine instead of 256 MB
# (fresh pages for every allocation made the kernel, not the parsers, the bottleneck).
export ASAN_OPTIONS="${ASAN_OPTIONS}:quarantine_size_mb=16"
[[ -d /dev/shm && -w /dev/shm ]] && export TMPDIR=/dev/shm
limit=(-max_total_time="$seconds")
if [[ -n "${FUZZ_RUNS:-}" ]]; then limit=(-runs="$FUZZ_RUNS"); fi
out=build/sanitize/fuzz
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t" "$out/artifacts"
  log="$out/$t.log"
  start=$SECONDS
  rc=0
  build/sanitize/tests/fuzz/fuzz_"$t" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$t-" "$out/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  printf '%-12s %10s executions in %4d s  %s\n' "$t" "$runs" $((SECONDS - start)) \
    "$( ((rc == 0)) && echo ok || echo "FAILED (exit $rc, see $log)")"
  if ((rc != 0)); then failed=1; tail -n 40 "$log"; fi
done
exit "$failed"
