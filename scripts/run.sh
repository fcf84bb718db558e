#!/usr/bin/env bash
# The main job, the whole path from training to a microcontroller, into $TINYGAN_OUT
# (default out/digits):
# - train the digits GAN on the host with the best combination of techniques and show what
#   it generates (terminal preview, metrics against the held-out digits; train/samples.png);
# - quantise it to int8 (model.int8.tgan);
# - deploy the int8 model to both emulated boards, the Cortex-M4F (netduinoplus2) and the
#   Cortex-M0 (microbit), and the f32 model to the Cortex-M4F: each board generates 100
#   digits from seed 0 (tinygan deploy), shown next to the host's, scored and drawn to
#   BOARD-KIND.png, and its CSV must equal `tinygan generate`'s (host-KIND.csv) byte for
#   byte;
# - run the firmware self-test, cost probe and size report on every board
#   (scripts/selftest.sh).
# Runs again over its own output (the training folder is replaced).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
scripts/setup.sh # idempotent: installs only what is missing

out=${TINYGAN_OUT:-out/digits}
step() { printf '\n== %s\n' "$*"; }
tinygan() { cargo run --quiet --release -p tinygan -- "$@"; }

step "train the digits GAN on the host: tinygan train --data digits --out $out/train"
tinygan train --data digits --out "$out/train"
echo "samples: $out/train/samples.png"

step "quantise it to int8: tinygan quantize --out $out/model.int8.tgan"
tinygan quantize --model "$out/train/model.tgan" --out "$out/model.int8.tgan"

# deploy MODEL BOARD KIND: the board's 100 digits from seed 0, then its CSV against
# `tinygan generate`'s for the same model and seed.
deploy() {
    local model=$1 board=$2 kind=$3
    local csv="$out/$board-$kind.csv" host="$out/host-$kind.csv"
    step "the $kind model on $board: tinygan deploy --board $board --n 100 --seed 0"
    tinygan deploy --model "$model" --board "$board" --n 100 --seed 0 \
        --out "$csv" --png "$out/$board-$kind.png"
    tinygan generate --model "$model" --n 100 --seed 0 --out "$host"
    if ! cmp -s "$csv" "$host"; then
        echo "run.sh: $csv differs from tinygan generate's $host" >&2
        exit 1
    fi
    echo "$csv is tinygan generate's $host byte for byte"
}
for board in $(scripts/firmware.sh boards); do
    deploy "$out/model.int8.tgan" "$board" int8
done
deploy "$out/train/model.tgan" netduinoplus2 f32

step "firmware self-test, cost probe and size on every board: scripts/selftest.sh"
scripts/selftest.sh
echo "run.sh: done in $((SECONDS - start)) s; outputs in $out"
