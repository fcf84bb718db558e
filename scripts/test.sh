#!/usr/bin/env bash
# Every check of the project, as CI runs it (after scripts/setup.sh):
# formatting, clippy, the workspace tests (which build the firmware and run the self-test in
# QEMU on both boards), tinygan-core built for both thumb targets, then the self-test, cost
# probe and size report per board (scripts/selftest.sh), which closes with
# `qemu: N passed, N failed`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check (workspace and firmware)"
cargo fmt --all -- --check
(cd firmware && cargo fmt -- --check)

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test --workspace"
cargo test --workspace

step "tinygan-core for thumb targets (cargo build, so const asserts are evaluated)"
for target in thumbv7em-none-eabihf thumbv6m-none-eabi; do
    scripts/firmware.sh core "$target"
    echo "built tinygan-core for $target"
done

step "firmware self-test, cost probe and size in QEMU (scripts/selftest.sh)"
scripts/selftest.sh
