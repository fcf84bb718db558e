//! Drives `scripts/firmware.sh` (build, QEMU run, size) from tests, with a time limit.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The emulated boards every firmware test covers: those of `firmware/boards.txt`.
pub fn boards() -> Vec<&'static str> {
    tinygan::boards::all().iter().map(|b| b.name).collect()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What a `scripts/firmware.sh` run printed and how it ended.
pub struct Run {
    /// Exit code (`None` when it was killed).
    pub code: Option<i32>,
    /// Standard output: the decoded defmt log, or the command's report.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `scripts/firmware.sh ARGS`; kills its whole process group (QEMU included) and
/// panics if it has not finished within `limit`.
pub fn script(args: &[&str], limit: Duration) -> Run {
    script_with(args, &[], limit)
}

/// [`script`] with the environment variables `vars` set.
pub fn script_with(args: &[&str], vars: &[(&str, &str)], limit: Duration) -> Run {
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(root().join("scripts/firmware.sh"))
        .args(args)
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("start scripts/firmware.sh");
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let readers = (
        std::thread::spawn(move || read_all(&mut out)),
        std::thread::spawn(move || read_all(&mut err)),
    );
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for scripts/firmware.sh") {
            break status;
        }
        if start.elapsed() > limit {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.wait();
            panic!("scripts/firmware.sh {args:?} still running after {limit:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Run {
        code: status.code(),
        stdout: readers.0.join().expect("stdout reader"),
        stderr: readers.1.join().expect("stderr reader"),
    }
}

fn read_all(r: &mut impl Read) -> String {
    let mut s = String::new();
    let _ = r.read_to_string(&mut s);
    s
}
