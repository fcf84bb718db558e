#!/usr/bin/env bash
# Every check of the project, as CI runs it (scripts/setup.sh first, which installs only
# what is missing):
# formatting, clippy, the workspace tests without QEMU, tinygan-core built for both thumb
# targets, then the QEMU suite once (tests/tests/firmware_qemu.rs: self-test and size
# budgets on every board; tests/tests/deploy_qemu.rs: a trained model generating on the
# emulated board bit for bit), which closes with `qemu: N passed, N failed`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh # idempotent: installs only what is missing

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check (workspace, firmware and fuzz)"
cargo fmt --all -- --check
(cd firmware && cargo fmt -- --check)
(cd fuzz && cargo fmt -- --check)

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test --workspace (QEMU tests ignored here, run once below)"
TINYGAN_SKIP_QEMU=1 cargo test --workspace

step "tinygan-core for thumb targets (cargo build, so const asserts are evaluated)"
for target in thumbv7em-none-eabihf thumbv6m-none-eabi; do
    scripts/firmware.sh core "$target"
    echo "built tinygan-core for $target"
done

step "the QEMU suite: firmware on every board of firmware/boards.txt"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test -p tinygan-tests --test firmware_qemu --test deploy_qemu 2>&1 | tee "$log" || status=$?
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
    END { printf "qemu: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
