#!/usr/bin/env bash
# Build the three wasm packages the page chooses between at start-up
# (www/runtime.js asks the browser whether it has relaxed SIMD and whether the
# page may share memory between threads):
#   www/pkg          simd128 (every current browser)
#   www/pkg-relaxed  simd128 + relaxed SIMD: fused multiply-add in the CPU kernels
#   www/pkg-threads  the same plus threads: the kernels on a pool of Web Workers
#                    sharing the wasm memory (nightly Rust: std is rebuilt with
#                    atomics), loaded only inside www/cpu-worker.js
# Each build has its own target directory, so no rebuild undoes another.
# Each wasm file loses its debugger's function names (strip-wasm-names.mjs):
# BENCHMARKS.md ("Download size") keeps what each build weighs gzipped.
#
#   bash scripts/build-wasm.sh          all three
#   bash scripts/build-wasm.sh plain    www/pkg only, for a quick test run; the
#                                       other two are removed, so that the page
#                                       never loads a stale one (it falls back
#                                       to www/pkg when they are missing)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
wasm-pack build --mode no-install --target web --release --out-dir www/pkg
node scripts/strip-wasm-names.mjs www/pkg/glassformer_bg.wasm
if [ "${1:-all}" = plain ]; then
  rm -rf www/pkg-relaxed www/pkg-threads
  exit 0
fi
# The inlining threshold of .cargo/config.toml (why: there), which RUSTFLAGS replaces.
inline="-C llvm-args=-inline-threshold=75"
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd $inline" CARGO_TARGET_DIR=target/relaxed \
  wasm-pack build --mode no-install --target web --release --out-dir www/pkg-relaxed
# Shared memory (at most 1 GiB) imported by every worker, and the symbols
# wasm-bindgen uses to give each thread its own stack and thread-locals.
threads_link="-C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory"
threads_link="$threads_link -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size"
threads_link="$threads_link -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128,+relaxed-simd $inline $threads_link" CARGO_TARGET_DIR=target/threads \
  rustup run nightly wasm-pack build --mode no-install --target web --release --out-dir www/pkg-threads \
  -- --features threads -Z build-std=panic_abort,std
node scripts/strip-wasm-names.mjs www/pkg-relaxed/glassformer_bg.wasm www/pkg-threads/glassformer_bg.wasm
