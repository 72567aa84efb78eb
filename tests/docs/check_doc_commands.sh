#!/usr/bin/env bash
# Runs the documentation's commands as written, so README.md and docs/*.md cannot drift from the tool:
#  - every fenced block marked ```sh runnable: each command (backslash continuations joined) must exit 0;
#  - every fenced block whose first line is "$ cnn ...": the output must start with the block's lines (up to a
#    line "...").
# Commands run in a fresh folder, with `cnn` the built binary and MNIST found through CNN_DATA_DIR.
# Usage: check_doc_commands.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
shared=${CNN_SHARED_DIR:-$source_dir/../shared}
work=$(mktemp -d "${TMPDIR:-/tmp}/cnn_doc_commands.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/data"
ln -s "$build/cnn" "$work/bin/cnn"
[[ -d $shared/data/mnist ]] && ln -s "$(cd "$shared/data/mnist" && pwd)" "$work/data/mnist"
export PATH="$work/bin:$PATH" CNN_DATA_DIR="$work/data" OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

failures=0 commands=0 samples=0

# Prints "FILE:LINE<TAB>KIND<TAB>TEXT" records: KIND "run" (one joined command) or "sample" (the command, then the
# expected lines separated by \x1f).
extract() {
  awk -v file="$1" '
    function flush_sample() { if (sample != "") print file ":" sample_line "\tsample\t" sample; sample = "" }
    /^```/ {
      if (!in_block) { in_block = 1; runnable = ($0 ~ /^```sh runnable/); first = 1; next }
      in_block = 0; if (runnable && pending != "") print file ":" pending_line "\trun\t" pending
      pending = ""; flush_sample(); next
    }
    !in_block { next }
    first && /^\$ cnn / { sample = substr($0, 3); sample_line = NR; first = 0; in_sample = 1; next }
    { first = 0 }
    in_sample { if ($0 == "...") { in_sample = 0 } else { sample = sample "\x1f" $0 }; next }
    runnable {
      line = $0; sub(/[ \t]+#.*$/, "", line)
      if (pending == "") pending_line = NR
      if (line ~ /\\$/) { sub(/\\$/, "", line); pending = pending line; next }
      pending = pending line
      if (pending ~ /^cnn /) print file ":" pending_line "\trun\t" pending
      pending = ""
    }
  ' "$source_dir/$1"
}

cd "$work"
for doc in README.md docs/*.md; do
  [[ -f $source_dir/$doc ]] || continue
  while IFS=$'\t' read -r where kind text; do
    if [[ $kind == run ]]; then
      commands=$((commands + 1))
      if ! out=$(bash -c "$text" 2>&1); then
        echo "FAIL $where: $text"
        echo "$out" | tail -n 15 | sed 's/^/    /'
        failures=$((failures + 1))
      fi
    else
      samples=$((samples + 1))
      IFS=$'\x1f' read -r -a parts <<<"$text"
      expected=$(printf '%s\n' "${parts[@]:1}")
      actual=$(bash -c "${parts[0]}" 2>&1 | head -n $((${#parts[@]} - 1)))
      if [[ $actual != "$expected" ]]; then
        echo "FAIL $where: the output of '${parts[0]}' differs from the documented sample"
        diff <(echo "$expected") <(echo "$actual") | head -n 20 | sed 's/^/    /'
        failures=$((failures + 1))
      fi
    fi
  done < <(extract "$doc")
done
echo "doc commands: $commands commands and $samples output samples checked, $failures failed"
((commands > 0)) || { echo "no runnable blocks found"; exit 1; }
((failures == 0))
