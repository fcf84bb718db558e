#!/usr/bin/env bash
# Makes a fresh Debian 12 machine ready to build, test and emulate tinygan. Idempotent;
# runs as root without a terminal (CI), or through sudo.
#
# Installs: QEMU for the emulated boards, Debian's Rust 1.96 (rustc-web, cargo-web and the
# library sources for -Zbuild-std) with lld-22 as the thumb linker and llvm-22's nm/size,
# gcc for the QEMU instruction-count plugin, and defmt-print to decode firmware logs.
#
# The host workspace is built with one of two toolchains, decided here by whether rustup is
# on PATH (nothing else needs to be set):
# - rustup: the toolchain of rust-toolchain.toml (1.95.0 with rustfmt and clippy), which
#   rustup installs if it can download it; `cargo` in the repository then runs it.
# - no rustup: Debian's Rust 1.96 (the packages above, plus rustfmt-web and
#   rust-web-clippy for `cargo fmt` and `cargo clippy`); `cargo` is /usr/bin/cargo, which
#   ignores rust-toolchain.toml. The workspace builds and lints clean with both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUST_VERSION=1.96.0
export DEBIAN_FRONTEND=noninteractive

if [[ $EUID -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi

packages=(qemu-system-arm rustc-web cargo-web rust-web-src rust-web-llvm lld-22 llvm-22 gcc)
if command -v rustup >/dev/null; then
    host=rustup
else
    host=debian
    packages+=(rustfmt-web rust-web-clippy)
fi

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

if [[ $host == rustup ]]; then
    if ! rustup --quiet toolchain install >/dev/null; then
        echo "setup: rustup could not install the toolchain of rust-toolchain.toml" >&2
        echo "setup: install it by hand, or take rustup off PATH to use Debian's Rust $RUST_VERSION" >&2
        exit 1
    fi
fi
# The host toolchain `cargo` runs here, with its formatter and linter.
for tool in "cargo" "cargo fmt" "cargo clippy"; do
    $tool --version >/dev/null 2>&1 || { echo "setup: \`$tool --version\` fails ($host toolchain)" >&2; exit 1; }
done

PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin" # where cargo install puts defmt-print
if ! command -v defmt-print >/dev/null; then
    echo "setup: installing defmt-print"
    cargo install defmt-print --locked --quiet
fi

echo "setup: ready (host: $host, $(cargo --version); firmware: $v;" \
    "$(qemu-system-arm --version | sed -n 1p); $(defmt-print --version | sed -n 1p))"
