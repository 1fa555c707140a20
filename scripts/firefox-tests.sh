#!/usr/bin/env bash
# The in-browser Rust tests (layer 2 of scripts/test.sh) in headless Firefox
# instead of Chromium: every test file compiled to wasm, the GPU ones on
# Firefox's own WebGPU (wgpu inside the browser, where Chromium has Dawn and
# Tint), then the SIMD kernel tests again in the relaxed-SIMD build, which
# the page loads in Firefox too (it validates relaxed SIMD).
#
#   bash scripts/firefox-tests.sh                 the whole suite, then the relaxed-SIMD kernels
#   bash scripts/firefox-tests.sh --test gpu_ops  one test file (any wasm-pack test arguments)
#
# It needs `firefox` (Debian: firefox-esr) and `geckodriver` on PATH; it was
# written against Firefox ESR 153 and geckodriver 0.37. The builds are the
# ones scripts/test.sh makes for Chromium (target/ and target/relaxed, the
# same flags), so after a Chromium run nothing is compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

firefox=$(command -v firefox || command -v firefox-esr || true)
geckodriver=$(command -v geckodriver || true)
if [ -z "$firefox" ] || [ -z "$geckodriver" ]; then
  echo "Firefox and geckodriver must be on PATH (apt-get install firefox-esr; cargo install --locked geckodriver)." >&2
  exit 1
fi

phase_start=$SECONDS
lap() { printf '%5ds  %s\n' $((SECONDS - phase_start)) "$1"; phase_start=$SECONDS; }

# Firefox keeps WebGPU behind two preferences on Linux: `dom.webgpu.enabled`
# puts `navigator.gpu` on the page (without it the GPU tests fail: they need
# an adapter), and `gfx.webgpu.ignore-blocklist` lets Firefox hand out the
# adapter it finds on a machine without a GPU (Mesa's lavapipe, reported as a
# fallback adapter, so "auto" passes over it as it does over SwiftShader).
# wasm-bindgen-test-runner reads its WebDriver capabilities from the file
# named by WASM_BINDGEN_TEST_WEBDRIVER_JSON (webdriver.json, Chromium's
# flags, when unset) and adds `-headless` itself.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/webdriver.json" <<EOF
{
  "moz:firefoxOptions": {
    "binary": "$firefox",
    "prefs": {
      "dom.webgpu.enabled": true,
      "gfx.webgpu.ignore-blocklist": true
    }
  }
}
EOF
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$tmp/webdriver.json"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
# Training on a software WebGPU adapter takes tens of seconds per test.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
firefox_test() { wasm-pack test --mode no-install --headless --firefox --geckodriver "$geckodriver" "$@"; }

echo "== in-browser tests in headless Firefox ($("$firefox" --version 2>/dev/null || echo "$firefox"))"
if [ $# -gt 0 ]; then
  firefox_test "$@"
  lap "wasm-pack test --firefox $*"
  exit 0
fi
firefox_test
lap "in-browser tests (wasm build + Firefox)"
# The same relaxed-SIMD build and flags as scripts/test.sh (fused multiply-add).
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd -C llvm-args=-inline-threshold=75" CARGO_TARGET_DIR=target/relaxed GLASSFORMER_EXPECT_FUSED=1 \
  firefox_test --test simd
lap "relaxed-SIMD kernel tests (the relaxed wasm build + Firefox)"
