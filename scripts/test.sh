#!/usr/bin/env bash
# Set up (idempotently) and run every test:
#   1. native: cargo test (reference ops, gradients, layers, model training,
#      and the WGSL kernels through wgpu on Vulkan — lavapipe where there is no GPU)
#   2. in the browser: wasm-pack test in headless Chromium (the same op and
#      GPU tests compiled to wasm, on Chromium's WebGPU, and the JS boundary),
#      and the SIMD kernel tests again in the relaxed-SIMD build; then all of
#      it again in headless Firefox (scripts/firefox-tests.sh)
#   3. end to end: the served course page driven by Playwright (and the
#      release package built into mdBook and MkDocs chapters, and a smoke
#      test in Firefox through WebDriver); screenshots are left in test-artifacts/
#   4. fuzzing: every fuzz target (fuzz/) for 60 s, from the committed seeds
#
#   bash scripts/test.sh          everything (npm test; what CI runs)
#   bash scripts/test.sh quick    the native tests, then the end-to-end tests
#                                 on the plain wasm build alone (npm run
#                                 test:quick, for the edit-run loop): the
#                                 in-browser Rust tests, the relaxed-SIMD and
#                                 threaded builds and their e2e tests are left out
#
# Each build is compiled once, in a target directory of its own: native
# (layer 1, and again with the threads feature, which recompiles only the
# crate), the wasm tests and the relaxed-SIMD wasm test (layer 2), and the
# three release builds the page loads (layer 3). README.md ("Tests") says why
# the in-browser tests do not run on the release builds.
set -euo pipefail
mode="${1:-all}"
cd "$(dirname "$0")/.."

# How long each layer takes, printed at the end (BENCHMARKS.md keeps the figures).
timings=()
phase_start=$SECONDS
lap() { timings+=("$(printf '%5ds  %s' $((SECONDS - phase_start)) "$1")"); phase_start=$SECONDS; }
trap 'echo "== time per layer"; printf "%s\n" "${timings[@]}"' EXIT

bash scripts/setup.sh test
lap "set-up (installs only what is missing)"
export PATH="$HOME/.cargo/bin:$PATH"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"

echo "== 1/4 native tests"
cargo test
lap "native tests (cargo test)"
if [ "$mode" = quick ]; then
  echo "== quick: end-to-end tests on the plain wasm build"
  bash scripts/build-wasm.sh plain
  lap "the plain release wasm build"
  node --test e2e/
  lap "end-to-end tests (node --test e2e/)"
  exit 0
fi
# The kernels on a thread pool must equal one thread exactly.
cargo test --features threads --test threads
lap "native thread-pool test (a second native build)"

echo "== 2/4 in-browser tests (headless Chromium)"
# Training on Chromium's software WebGPU adapter takes tens of seconds per test.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
wasm-pack test --mode no-install --headless --chrome --chromedriver "$(command -v chromedriver)"
lap "in-browser tests (wasm build + Chromium)"
# The SIMD kernels once more in the relaxed-SIMD build (fused multiply-add),
# the one the page loads where the browser supports it.
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd -C llvm-args=-inline-threshold=75" CARGO_TARGET_DIR=target/relaxed GLASSFORMER_EXPECT_FUSED=1 \
  wasm-pack test --mode no-install --headless --chrome --chromedriver "$(command -v chromedriver)" --test simd
lap "relaxed-SIMD kernel tests (another wasm build)"
# The same in-browser tests in headless Firefox, on its own WebGPU (the builds above are reused).
bash scripts/firefox-tests.sh
lap "in-browser tests again in headless Firefox"

echo "== 3/4 end-to-end tests of the course page"
bash scripts/build-wasm.sh
lap "the three release wasm builds for the page"
# The release package (dist/glassformer-<version>.tgz), which the authoring-tool test installs.
node scripts/package.mjs
lap "the release package"
node --test e2e/
lap "end-to-end tests (node --test e2e/)"

echo "== 4/4 fuzzing: every target for 60 s"
bash scripts/fuzz.sh smoke
lap "fuzz smoke (the fuzz build, then 60 s per target)"
