#!/usr/bin/env bash
# Runs every test of the project. On a fresh Debian machine it first installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }

step "install what is missing"
scripts/install-deps.sh

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (default features, then all features)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "cargo test (default features)"
cargo test --workspace --locked

step "cargo test (all features: rc4, fuzzing entry points)"
cargo test --workspace --all-features --locked

step "no C Kerberos or crypto bindings"
scripts/check-no-c.sh

smoke="${FUZZ_SMOKE_SECONDS:-3}"
step "fuzz smoke: every target for ${smoke}s (fuzz/run.sh)"
if cargo +nightly --version >/dev/null 2>&1; then
    fuzz/run.sh "$smoke"
else
    echo "SKIP fuzzing: no nightly toolchain (rustup toolchain install nightly); the fuzz smoke did not run"
fi

echo
echo "all tests passed"
