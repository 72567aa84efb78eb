# Sourced by scripts/test.sh --sanitize and scripts/fuzz.sh: how the sanitizers report. Any report fails the run
# (halt_on_error; UBSan is built with -fno-sanitize-recover); leaks are checked at exit, with only the runtime
# allocations that lsan.supp names (and explains) suppressed.
sanitize_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=${sanitize_dir}/lsan.supp:print_suppressions=0"
