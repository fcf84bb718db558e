#!/usr/bin/env bash
# The main job: train the digits GAN on the host with the best combination of techniques,
# show what it generates (PNG grid, terminal preview, metrics against the real-data
# ceiling), then build the firmware and run it on the emulated boards (scripts/selftest.sh).
# Deployment of the trained model to the boards joins when the firmware runs models.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${TINYGAN_OUT:-out/digits}
cargo run --release -p tinygan -- train --data digits --out "$out"
echo "samples: $out/samples.png"
scripts/selftest.sh
