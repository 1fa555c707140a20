#!/usr/bin/env bash
# Build the two wasm packages the page chooses between at start-up
# (www/runtime.js asks the browser whether it has relaxed SIMD):
#   www/pkg          simd128 (every current browser)
#   www/pkg-relaxed  simd128 + relaxed SIMD: fused multiply-add in the CPU kernels
# Each build has its own target directory, so neither rebuild undoes the other.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
wasm-pack build --mode no-install --target web --release --out-dir www/pkg
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" CARGO_TARGET_DIR=target/relaxed \
  wasm-pack build --mode no-install --target web --release --out-dir www/pkg-relaxed
