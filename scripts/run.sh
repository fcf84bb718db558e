#!/usr/bin/env bash
# The main job, the whole path from training to a microcontroller: train the digits GAN on
# the host with the best combination of techniques and show what it generates (PNG grid,
# terminal preview, metrics against the real-data ceiling); quantise it to int8; deploy the
# int8 model to both emulated boards, the Cortex-M4F (netduinoplus2) and the Cortex-M0
# (microbit), and the f32 model to the Cortex-M4F (tinygan deploy: each board generates
# from the same seed as the host; its digits are shown next to the host's, checked bit for
# bit, scored and drawn to a PNG grid); then run the firmware self-test, cost probe and size
# report on every board (scripts/selftest.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh # idempotent: installs only what is missing

out=${TINYGAN_OUT:-out/digits}
tinygan() { cargo run --quiet --release -p tinygan -- "$@"; }
tinygan train --data digits --out "$out"
echo "samples: $out/samples.png"
tinygan quantize --model "$out/model.tgan" --out "$out/model.int8.tgan"
for board in $(scripts/firmware.sh boards); do
    echo "== int8 model on $board"
    tinygan deploy --model "$out/model.int8.tgan" --board "$board" \
        --n 100 --seed 0 --out "$out/$board-int8.csv" --png "$out/$board-int8.png"
done
echo "== f32 model on netduinoplus2"
tinygan deploy --model "$out/model.tgan" --board netduinoplus2 \
    --n 100 --seed 0 --out "$out/netduinoplus2-f32.csv" --png "$out/netduinoplus2-f32.png"
scripts/selftest.sh
