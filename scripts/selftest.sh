#!/usr/bin/env bash
# Build the firmware and run it on the emulated boards. For each
# board: the self-test in QEMU, the cost probe and the size report. Closes with
# `qemu: N passed, N failed` (the self-test checks of all boards) and fails if any failed.
# Part of the main job (scripts/run.sh) and of the tests (scripts/test.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

passed=0 failed=0
for board in $(scripts/firmware.sh boards); do
    status=0
    log=$(scripts/firmware.sh run "$board") || status=$?
    echo "$log"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$log" | tail -1 || true)
    if [[ -n $line ]]; then
        read -r p _ f _ <<<"${line//,/}"
        passed=$((passed + p)) failed=$((failed + f))
    fi
    if [[ -z $line || $status -ne 0 ]]; then
        echo "selftest on $board: exit status $status, summary '${line:-missing}'" >&2
        ((failed += 1)) || true
    fi
    scripts/firmware.sh probe "$board"
    scripts/firmware.sh size "$board"
done
echo "qemu: $passed passed, $failed failed"
((failed == 0))
