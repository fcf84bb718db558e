#!/usr/bin/env bash
# The one way the project builds and runs firmware; the tests and scripts/test.sh call it.
#
#   scripts/firmware.sh build BOARD [BIN]   release ELF for BOARD; prints its path
#   scripts/firmware.sh run   BOARD [BIN]   run it in QEMU, log decoded by defmt-print;
#                                           exit status is the firmware's (124: timed out)
#   scripts/firmware.sh probe BOARD [BIN]   instructions per `probe::measure` region (QEMU
#                                           TCG plugin scripts/probe.c)
#   scripts/firmware.sh size  BOARD [BIN]   flash and RAM use, stack high-water mark included
#   scripts/firmware.sh flash BOARD [BIN]   build with the RTT log backend and run it on a real
#                                           board through a debug probe (`probe-rs run`, log
#                                           decoded by probe-rs); exit status as for run
#   scripts/firmware.sh core  TARGET        build tinygan-core for a thumb TARGET
#   scripts/firmware.sh boards              the boards, one a line
#
# BOARD: a board of firmware/boards.txt (netduinoplus2: STM32F405, Cortex-M4F; microbit:
# nRF51822, Cortex-M0); BIN defaults to selftest (`generate` embeds the f32 model named by
# TINYGAN_MODEL and TINYGAN_GENERATOR, `generate-int8` the int8 model file named by
# TINYGAN_MODEL, see firmware/build.rs). Thumb code is always built by
# Debian's rustc-web (pinned below) with -Zbuild-std, so every machine, CI included,
# compiles the same instructions. FIRMWARE_TIMEOUT (seconds, default 60) bounds each QEMU
# run. One command at a time builds and runs (a lock in firmware/target), so that parallel
# callers never run each other's images.
#
# Exit status: the firmware's (0 or 1) for run and flash; 2 for a usage or set-up error
# (message on stderr); 3 when the build failed (cargo's log on stderr); 124 when QEMU or the
# probe run timed out.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FW="$ROOT/firmware"
RUST_VERSION=1.96.0
TIMEOUT=${FIRMWARE_TIMEOUT:-60}
PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin" # where setup.sh installs defmt-print

die() {
    echo "firmware.sh: $*" >&2
    exit 2
}

boards() {
    awk '!/^#/ && NF { print $1 }' "$FW/boards.txt"
}

# column BOARD N: column N of BOARD's row of boards.txt (2: Rust target, 3: probe-rs chip).
column() {
    local t
    t=$(awk -v b="$1" -v n="$2" '!/^#/ && $1 == b { print $n }' "$FW/boards.txt")
    [[ -n $t ]] || die "unknown board '$1' ($(boards | paste -sd ' ' | sed 's/ / or /g'))"
    echo "$t"
}

target_of() {
    column "$1" 2
}

# Holds the firmware lock until the script exits.
lock() {
    mkdir -p "$FW/target"
    exec 9>"$FW/target/.firmware.lock"
    flock 9
}

# Debian's cargo and rustc, whatever rustup or the caller's environment say.
debian_cargo() {
    local v
    v=$(/usr/bin/rustc --version 2>/dev/null) || die "no /usr/bin/rustc: run scripts/setup.sh"
    [[ $v == "rustc $RUST_VERSION "* ]] || die "need Debian's rustc $RUST_VERSION (rustc-web), found: $v"
    env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET \
        -u RUSTUP_TOOLCHAIN -u RUSTC_WRAPPER -u CARGO_ENCODED_RUSTFLAGS \
        RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 DEFMT_LOG="${DEFMT_LOG:-info}" \
        /usr/bin/cargo "$@"
}

llvm_tool() {
    local t
    for t in "llvm-$1-22" "llvm-$1"; do
        command -v "$t" >/dev/null && { echo "$t"; return; }
    done
    die "no llvm-$1: run scripts/setup.sh"
}

# build BOARD BIN [LOG]: LOG is the log backend, semihosting (QEMU, default) or rtt (probe-rs).
build() {
    local board=$1 bin=$2 log=${3:-semihosting} target
    target=$(target_of "$board")
    (cd "$FW" && debian_cargo build --quiet --locked --release --target "$target" \
        -Zbuild-std=core --no-default-features --features "$board,$log" --bin "$bin") >&2 ||
        {
            echo "firmware.sh: building $bin for $board failed" >&2
            exit 3
        }
    echo "$FW/target/$target/release/$bin"
}

# qemu ELF [extra qemu args...]: runs the image, defmt log on stdout, QEMU's stderr on stderr.
qemu() {
    local board=$1 elf=$2
    shift 2
    command -v defmt-print >/dev/null || die "no defmt-print: run scripts/setup.sh"
    command -v qemu-system-arm >/dev/null || die "no qemu-system-arm: run scripts/setup.sh"
    local status
    set +e
    timeout --kill-after=5 "$TIMEOUT" qemu-system-arm -machine "$board" -nographic \
        -monitor none -serial none -semihosting-config enable=on,target=native \
        -icount shift=0 -kernel "$elf" "$@" </dev/null |
        defmt-print -e "$elf" --log-format '{L:<5} {s}'
    status=${PIPESTATUS[0]}
    set -e
    if ((status == 124 || status == 137)); then
        echo "firmware.sh: QEMU timed out after ${TIMEOUT}s ($board, $elf)" >&2
        return 124
    fi
    return "$status"
}

# flash BOARD BIN: the RTT build run on a real board by probe-rs (flash, reset, log until the
# firmware's semihosting exit, which probe-rs handles; its exit status is taken for the
# firmware's, not verified without a board).
flash() {
    local board=$1 bin=$2 chip elf status
    command -v probe-rs >/dev/null ||
        die "no probe-rs: install it (https://probe.rs) and attach a debug probe to the $board board"
    chip=$(column "$board" 3)
    elf=$(build "$board" "$bin" rtt)
    set +e
    timeout --kill-after=5 "$TIMEOUT" probe-rs run --chip "$chip" --log-format '{L:<5} {s}' "$elf" </dev/null
    status=$?
    set -e
    if ((status == 124 || status == 137)); then
        echo "firmware.sh: the probe run timed out after ${TIMEOUT}s ($board, $elf)" >&2
        return 124
    fi
    return "$status"
}

plugin() {
    local so="$FW/target/probe/libprobe.so" src="$ROOT/scripts/probe.c"
    if [[ ! -f $so || $src -nt $so ]]; then
        mkdir -p "$(dirname "$so")"
        gcc -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC -o "$so" "$src" >&2
    fi
    echo "$so"
}

symbol() {
    local addr
    addr=$("$(llvm_tool nm)" "$1" | awk -v s="$2" '$3 == s { print $1 }')
    [[ -n $addr ]] || die "symbol $2 not in $1"
    printf '0x%x' $((0x$addr & ~1)) # Thumb bit off: QEMU reports even addresses
}

probe() {
    local board=$1 bin=$2 elf so log counts
    elf=$(build "$board" "$bin")
    so=$(plugin)
    log=$(mktemp) counts=$(mktemp)
    trap 'rm -f "$log" "$counts"' RETURN
    qemu "$board" "$elf" -plugin \
        "$so,start=$(symbol "$elf" tinygan_probe_start),stop=$(symbol "$elf" tinygan_probe_stop)" \
        >"$log" 2>"$counts" || { cat "$log" "$counts" >&2; die "probe run failed"; }
    # Regions are logged in order by probe::measure; the plugin prints counts in order.
    paste -d '\t' <(sed -n 's/.*probe region: //p' "$log") \
        <(sed -n 's/^tinygan-probe: //p' "$counts") |
        awk -F '\t' -v board="$board" -v bin="$bin" '
            $1 == "empty" { overhead = $2; next }
            {
                n = $2 - overhead
                line = sprintf("probe %s on %s: %s: %d instructions", bin, board, $1, n)
                if (match($1, /[0-9]+ MACs/)) {
                    macs = substr($1, RSTART, RLENGTH - 5)
                    line = line sprintf(" (%.2f per MAC)", n / macs)
                }
                print line " [marker overhead " overhead " subtracted]"
            }'
}

size() {
    local board=$1 bin=$2 elf stack
    elf=$(build "$board" "$bin")
    stack=$(qemu "$board" "$elf" | sed -n 's/.*stack: used \([0-9]*\) of.*/\1/p')
    [[ -n $stack ]] || die "$bin on $board printed no 'stack: used' line"
    "$(llvm_tool size)" -A "$elf" | awk -v board="$board" -v bin="$bin" -v stack="$stack" '
        { s[$1] = $2 }
        END {
            text = s[".vector_table"] + s[".text"]; ro = s[".rodata"]; d = s[".data"]
            bss = s[".bss"] + s[".uninit"]
            printf "size %s on %s: flash %d bytes (text %d, rodata %d, data %d), ", bin, board, text + ro + d, text, ro, d
            printf "ram %d bytes (data %d, bss %d, stack high-water %d)\n", d + bss + stack, d, bss, stack
        }'
}

cmd=${1:-}
case $cmd in
build | run | probe | size | flash)
    [[ $# -ge 2 ]] || die "usage: $0 $cmd BOARD [BIN]"
    board=$2 bin=${3:-selftest}
    target_of "$board" >/dev/null
    lock
    case $cmd in
    build) build "$board" "$bin" ;;
    run)
        elf=$(build "$board" "$bin")
        qemu "$board" "$elf"
        ;;
    probe) probe "$board" "$bin" ;;
    size) size "$board" "$bin" ;;
    flash) flash "$board" "$bin" ;;
    esac
    ;;
core)
    [[ $# -eq 2 ]] || die "usage: $0 core TARGET"
    (cd "$ROOT" && debian_cargo build --quiet --locked --release -p tinygan-core --target "$2" \
        -Zbuild-std=core --target-dir target/debian-thumb)
    ;;
boards) boards ;;
*) die "usage: $0 build|run|probe|size|flash BOARD [BIN] | core TARGET | boards" ;;
esac
