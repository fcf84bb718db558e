#!/usr/bin/env bash
# Checks that the int8 inference kernels use no floating point on a Cortex-M0: builds
# tinygan-core for thumbv6m-none-eabi (scripts/firmware.sh core) and lists, from the
# disassembly, the calls each kernel makes. The M0 has no FPU, so any float operation
# would be a call to a soft-float helper (__aeabi_f*, __aeabi_d*, __aeabi_*2f/2d) or to
# libm. Exit status 1 if a kernel makes one.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=thumbv6m-none-eabi
"$ROOT/scripts/firmware.sh" core "$TARGET"
RLIB="$ROOT/target/debian-thumb/$TARGET/release/libtinygan_core.rlib"
OBJDUMP=$(command -v llvm-objdump-22 || command -v llvm-objdump) || {
    echo "int8-nofloat.sh: no llvm-objdump: run scripts/setup.sh" >&2
    exit 2
}

# The inference side of core::quant (the quantiser's side, which uses floats, is left out):
# the reference kernels, the optimised ones (quant::fast) and the dispatch; and the integer
# part of the int8 runner (model::int8::run): `Int8Model::forward`, which runs every layer
# by `run_layer`, and `Int8Model::to_data`. A generic kernel is in the library only as the
# instances core itself calls: the dispatch instantiates the dense and convolution kernels
# for 8-bit codes with 8-bit and with 16-bit weights (`::<i8, i8, i8>`, `::<i16, i8, i8>`;
# a reference kernel inlined into `fast::dense` is checked as part of it); the runner instantiates `activation::relu`,
# `activation::leaky_relu` (inlined into `run_layer`) and `output::to_data` (inlined into
# `Int8Model::to_data`) for 8-bit codes, so their code is checked as part of those. The
# runner's one float step, `Int8Model::quantize_z` (z is drawn in f32), is left out.
KERNELS='(quant::(dense::forward|conv::conv2d|conv::conv_transpose2d|activation::(lut|lut16)|fast::(dense|conv2d|conv_transpose2d|m4::(dense|conv2d|conv_transpose2d)))(::<[^>]*>)?|model::int8::(run::run_layer|Int8Model>::(forward|to_data)))>?:$'

"$OBJDUMP" -d -r --demangle "$RLIB" 2>/dev/null | awk -v kernels="$KERNELS" '
    /^[0-9a-f]+ <.*>:$/ { inside = ($0 ~ kernels); if (inside) { name = $0; seen[name] = 1 } next }
    inside && /R_ARM_THM_(CALL|JUMP)/ {
        callee = $NF
        calls[name] = calls[name] " " callee
        if (callee ~ /^__aeabi_([fd]|[a-z0-9]*2[fd])|libm::|^__(add|sub|mul|div)[sd]f3/) bad[name] = bad[name] " " callee
    }
    END {
        n = 0; fail = 0
        for (k in seen) {
            n++
            printf "%s calls:%s\n", k, (calls[k] == "" ? " nothing" : calls[k])
            if (k in bad) { printf "  FLOAT:%s\n", bad[k]; fail = 1 }
        }
        if (n < 13) { print "expected 13 functions, found " n; exit 1 }
        if (fail) exit 1
        print "no floating point in the int8 kernels"
    }'
