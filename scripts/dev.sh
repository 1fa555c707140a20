#!/usr/bin/env bash
# Set up (idempotently), build the wasm package into www/pkg, and serve the
# course page on http://localhost:8080 (PORT=... to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/build-wasm.sh
exec node scripts/serve.mjs
