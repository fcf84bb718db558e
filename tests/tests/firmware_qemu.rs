//! Builds the firmware for every emulated board, runs the self-test in QEMU, and checks its
//! flash and RAM budget. Needs scripts/setup.sh. Built with `TINYGAN_SKIP_QEMU=1`, the
//! QEMU tests are ignored (`tests/build.rs` sets `cfg(skip_qemu)`), and libtest counts
//! them as ignored; `-- --include-ignored` runs them anyway.

use std::time::Duration;
use tinygan_tests::firmware::{Run, boards, script};

/// A clean build with -Zbuild-std takes about 40 s per board on two cores.
const BUILD_LIMIT: Duration = Duration::from_secs(900);
/// The self-test runs in about a second under QEMU.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Flash budget of the self-test image (.vector_table + .text + .rodata + .data): it
/// carries the reference and the packed int8 kernels and their agreement checks (about
/// 50 KB with fat LTO); the micro:bit has 256 KiB.
const SELFTEST_FLASH: u64 = 64 * 1024;
/// RAM budget of the self-test (.data + .bss + stack high-water mark); micro:bit has 16 KiB.
const SELFTEST_RAM: u64 = 8 * 1024;

fn ok(what: &str, run: &Run) {
    assert_eq!(
        run.code,
        Some(0),
        "{what} failed\n--- stdout\n{}\n--- stderr\n{}",
        run.stdout,
        run.stderr
    );
}

/// `(passed, failed)` from the firmware's closing `N passed, N failed` line.
fn summary(log: &str) -> Option<(u32, u32)> {
    let line = log.lines().rev().find(|l| l.ends_with(" failed"))?;
    let (p, f) = line.trim().split_once(" passed, ")?;
    Some((p.parse().ok()?, f.strip_suffix(" failed")?.parse().ok()?))
}

/// The number right after `label` in `text`: `number_after(s, "flash ")` for `flash 123 bytes`.
fn number_after(text: &str, label: &str) -> u64 {
    let rest = &text[text
        .find(label)
        .unwrap_or_else(|| panic!("no '{label}' in {text}"))
        + label.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number after '{label}' in {text}"))
}

/// Builds the firmware for every board, runs `scripts/firmware.sh CMD BOARD` and hands what
/// it printed to `check`.
fn on_every_board(cmd: &str, check: impl Fn(&str, &Run)) {
    for board in boards() {
        ok(
            &format!("build for {board}"),
            &script(&["build", board], BUILD_LIMIT),
        );
        let run = script(&[cmd, board], RUN_LIMIT);
        println!("{cmd} on {board}:\n{}", run.stdout);
        check(board, &run);
    }
}

#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn selftest_passes_on_every_board() {
    on_every_board("run", |board, run| {
        let Some((passed, failed)) = summary(&run.stdout) else {
            panic!(
                "{board}: no 'N passed, N failed' line\n{}\n{}",
                run.stdout, run.stderr
            );
        };
        assert_eq!(failed, 0, "{board}: {failed} checks failed\n{}", run.stdout);
        assert!(
            passed >= 3,
            "{board}: only {passed} checks ran\n{}",
            run.stdout
        );
        ok(&format!("selftest on {board}"), run);
    });
}

#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn selftest_fits_its_budget() {
    on_every_board("size", |board, run| {
        ok(&format!("size on {board}"), run);
        let flash = number_after(&run.stdout, "flash ");
        let ram = number_after(&run.stdout, "ram ");
        assert!(
            flash <= SELFTEST_FLASH,
            "{board}: flash {flash} > budget {SELFTEST_FLASH}"
        );
        assert!(
            ram <= SELFTEST_RAM,
            "{board}: RAM {ram} > budget {SELFTEST_RAM}"
        );
    });
}

#[test]
fn summary_line_is_parsed() {
    assert_eq!(summary("INFO  ok\n3 passed, 0 failed\n"), Some((3, 0)));
    assert_eq!(summary("INFO  ok\n"), None);
    assert_eq!(number_after("flash 21264 bytes (text 1)", "flash "), 21264);
}
