#!/usr/bin/env bash
# Makes a fresh Debian 12 machine ready to build, test and emulate tinygan. Idempotent;
# runs as root without a terminal (CI), or through sudo.
#
# Installs: QEMU for the emulated boards, Debian's Rust 1.96 (rustc-web, cargo-web and the
# library sources for -Zbuild-std) with lld-22 as the thumb linker and llvm-22's nm/size,
# gcc for the QEMU instruction-count plugin, and defmt-print to decode firmware logs.
# The host workspace itself is built with rustup's toolchain from rust-toolchain.toml.
set -euo pipefail

RUST_VERSION=1.96.0
export DEBIAN_FRONTEND=noninteractive

if [[ $EUID -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi

packages=(qemu-system-arm rustc-web cargo-web rust-web-src rust-web-llvm lld-22 llvm-22 gcc)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    "${SUDO[@]}" apt-get update -q
    "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

v=$(/usr/bin/rustc --version)
if [[ $v != "rustc $RUST_VERSION "* ]]; then
    echo "setup: firmware needs Debian's rustc $RUST_VERSION (package rustc-web); found: $v" >&2
    echo "setup: instruction counts and parity are pinned to that compiler version" >&2
    exit 1
fi
[[ -x /usr/bin/rust-lld ]] || { echo "setup: /usr/bin/rust-lld missing (rust-web-llvm, lld-22)" >&2; exit 1; }

if ! command -v defmt-print >/dev/null; then
    echo "setup: installing defmt-print"
    cargo install defmt-print --locked --quiet
fi

echo "setup: ready ($v, $(qemu-system-arm --version | sed -n 1p), $(defmt-print --version | sed -n 1p))"
