#!/usr/bin/env bash
# Fuzz everything that reads untrusted input (fuzz/fuzz_targets/: our
# checkpoints and Hugging Face's, safetensors headers, WordPiece and
# byte-level BPE with their vocabulary files, the character vocabulary, the
# values of JS options) with cargo-fuzz (libFuzzer, nightly Rust).
#
#   bash scripts/fuzz.sh smoke          every target for 60 s (npm test runs this)
#   bash scripts/fuzz.sh runs 1000000   every target for a million inputs (BENCHMARKS.md, "Reliability")
#   bash scripts/fuzz.sh runs 1000000 wordpiece   one target
#
# Each target starts from fuzz/seeds/ (tiny checkpoints of ours, written by
# `cargo run --example fuzz_seeds`) and the Hugging Face fixtures, and keeps
# what it finds in fuzz/corpus/ (not committed). A crash stops the script with
# libFuzzer's report and the input in fuzz/artifacts/; a crash found becomes
# a regression test beside the code it broke.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mode="${1:-smoke}"
targets=(checkpoints pretrained safetensors_header wordpiece byte_level_bpe characters options)
case "$mode" in
  smoke) limit=(-max_total_time=${FUZZ_SECONDS:-60}) ;;
  runs) limit=(-runs="${2:?how many runs?}") ; [ $# -ge 3 ] && targets=("${@:3}") ;;
  *) echo "usage: $0 smoke | runs N [target...]" >&2; exit 2 ;;
esac

# The starting inputs. The structured targets read their input through
# `arbitrary`: a leading 0 byte picks a real config (Err), the next which one.
mkdir -p fuzz/corpus/checkpoints fuzz/corpus/pretrained
cp fuzz/seeds/*.safetensors fuzz/corpus/checkpoints/
for pair in "0:bert" "1:bert-untied" "2:gpt2"; do
  which=${pair%%:*} name=${pair#*:}
  { printf '\x00'; printf "\\x0$which"; cat "tests/fixtures/hf/$name/model.safetensors"; } > "fuzz/corpus/pretrained/$name"
done

cargo +nightly fuzz build -O
for target in "${targets[@]}"; do
  echo "== fuzz $target ${limit[*]}"
  mkdir -p "fuzz/corpus/$target"
  # -rss_limit_mb: an input that makes a loader allocate past 2 GB is a crash too.
  # grep keeps libFuzzer's summary and any crash report, not its progress lines.
  set +e
  cargo +nightly fuzz run -O "$target" "fuzz/corpus/$target" -- \
    "${limit[@]}" -rss_limit_mb=2048 -malloc_limit_mb=2048 -dict=fuzz/glassformer.dict -print_final_stats=1 2>&1 |
    grep -E "^(#[0-9]+\s+DONE|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written|thread '.*' panicked|.*panicked at)"
  status=${PIPESTATUS[0]}
  set -e
  [ "$status" -eq 0 ] || { echo "fuzz target $target crashed (input in fuzz/artifacts/$target/)" >&2; exit 1; }
done
