#!/usr/bin/env bash
# Step 3 of action.yml, when no cached build matches: build wslint from the
# action's own source into the folder prepare.sh chose.
set -euo pipefail

if ! command -v cargo >/dev/null 2>&1; then
  echo "::error title=wslint::cargo not found: the wslint action builds wslint from source. Set up Rust before it (GitHub-hosted runners have it; elsewhere e.g. dtolnay/rust-toolchain@stable)."
  exit 1
fi
cargo install --locked --path "${GITHUB_ACTION_PATH:?}" --root "${WSLINT_ROOT:?}"
