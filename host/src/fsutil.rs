//! Writing outputs: the one way every command writes a file.
//!
//! What happens depends on what the path names now ([`Output::create`]):
//! - `-`: standard output;
//! - a regular file or a new path: a temporary file in the same folder, `fsync`, rename
//!   over the path, then `fsync` of the folder, so that a crash or a kill at any moment
//!   leaves either the old file or the new one, never a truncated mix;
//! - a symbolic link: written through to its target by the same rules (the link stays a
//!   link; a link to a missing file creates that file);
//! - a device or a FIFO (`/dev/null`, `/dev/stdout`, a pipe): opened and written in place,
//!   never replaced;
//! - a folder: an error.
//!
//! Every write error (`/dev/full`: no space left on the device) is an error naming the path.
//! [`preflight`] checks that a path can be written before a command starts its work.

use anyhow::{Context, Result, bail};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The path that means standard output.
pub const STDOUT: &str = "-";

/// Most symbolic links followed from an output path (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Where the bytes of an output go.
enum Sink {
    /// Standard output.
    Stdout(io::Stdout),
    /// A device or FIFO, written in place.
    Direct(BufWriter<File>),
    /// A temporary file renamed over `target` by [`Output::finish`].
    Replace {
        file: BufWriter<File>,
        tmp: PathBuf,
        target: PathBuf,
    },
}

/// An output being written. Nothing is visible at a regular file's path until
/// [`Output::finish`]; dropping an unfinished output removes its temporary file.
pub struct Output {
    /// The path as given, for messages.
    shown: PathBuf,
    sink: Option<Sink>,
}

/// How a path is written, from what it names now.
enum Target {
    Stdout,
    Direct(PathBuf),
    Replace(PathBuf),
}

/// Follows `path` to what it names: `-`, a special file, or the regular (or not yet
/// existing) file at the end of its symbolic links. A folder is an error.
fn resolve(path: &Path) -> Result<Target> {
    if path.as_os_str() == STDOUT {
        return Ok(Target::Stdout);
    }
    // `metadata` follows links the way the kernel does, including `/proc/self/fd/*`.
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => bail!("{} is a folder: give a file path", path.display()),
        Ok(m) if m.is_file() => Ok(Target::Replace(
            fs::canonicalize(path).with_context(|| format!("cannot resolve {}", path.display()))?,
        )),
        Ok(_) => Ok(Target::Direct(path.to_path_buf())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Target::Replace(dangling(path)?)),
        Err(e) => Err(e).with_context(|| format!("cannot write {}", path.display())),
    }
}

/// The missing file that `path` names: `path` itself, or the end of its chain of links.
fn dangling(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)
                    .with_context(|| format!("cannot read link {}", p.display()))?;
                p = p.parent().unwrap_or(Path::new("")).join(to);
            }
            _ => return Ok(p),
        }
    }
    bail!("{}: too many levels of symbolic links", path.display())
}

/// The folder holding `path` (`.` for a bare file name).
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A temporary name next to `target`, unique within this process.
fn temporary(target: &Path) -> Result<PathBuf> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .with_context(|| format!("{} is not a file path", target.display()))?;
    Ok(folder_of(target).join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )))
}

impl Output {
    /// Opens `path` for writing by the rules of the module doc; creates missing folders
    /// of a new file.
    pub fn create(path: &Path) -> Result<Self> {
        let sink = match resolve(path)? {
            Target::Stdout => Sink::Stdout(io::stdout()),
            Target::Direct(p) => Sink::Direct(BufWriter::new(
                fs::OpenOptions::new()
                    .write(true)
                    .open(&p)
                    .with_context(|| format!("cannot open {} for writing", path.display()))?,
            )),
            Target::Replace(target) => {
                let dir = folder_of(&target);
                fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create folder {}", dir.display()))?;
                let tmp = temporary(&target)?;
                let file = File::create(&tmp)
                    .with_context(|| format!("cannot create {}", tmp.display()))?;
                Sink::Replace {
                    file: BufWriter::new(file),
                    tmp,
                    target,
                }
            }
        };
        Ok(Self {
            shown: path.to_path_buf(),
            sink: Some(sink),
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// Writes `bytes`; an error names the path.
    pub fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.write_all(bytes)
            .with_context(|| format!("cannot write {}", self.shown.display()))
    }

    /// Flushes everything and, for a regular file, syncs it and renames it into place.
    pub fn finish(mut self) -> Result<()> {
        let shown = self.shown.clone();
        let write_error = |e: io::Error| {
            anyhow::Error::new(e).context(format!("cannot write {}", shown.display()))
        };
        match self.sink.take().expect("an output is finished once") {
            Sink::Stdout(mut s) => s.flush().map_err(write_error),
            Sink::Direct(mut f) => f.flush().map_err(write_error),
            Sink::Replace { file, tmp, target } => {
                let result = (|| {
                    let f = file.into_inner().map_err(|e| write_error(e.into_error()))?;
                    f.sync_all().map_err(write_error)?;
                    fs::rename(&tmp, &target)
                        .with_context(|| format!("cannot replace {}", shown.display()))?;
                    if let Ok(d) = File::open(folder_of(&target)) {
                        d.sync_all().ok();
                    }
                    Ok(())
                })();
                if result.is_err() {
                    fs::remove_file(&tmp).ok();
                }
                result
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.sink.as_mut().expect("an unfinished output") {
            Sink::Stdout(s) => s.write(buf),
            Sink::Direct(f) | Sink::Replace { file: f, .. } => f.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.sink.as_mut().expect("an unfinished output") {
            Sink::Stdout(s) => s.flush(),
            Sink::Direct(f) | Sink::Replace { file: f, .. } => f.flush(),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some(Sink::Replace { tmp, .. }) = &self.sink {
            fs::remove_file(tmp).ok();
        }
    }
}

/// Writes `bytes` to `path` by the rules of the module doc.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = Output::create(path)?;
    out.put(bytes)?;
    out.finish()
}

/// Whether `e` is a write to a pipe whose reader has gone (`tinygan generate ... | head
/// -1`): the reader took what it wanted, so a command stops there quietly.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Checks, before any work, that `path` can be written as an output: `-` and devices
/// can; a folder cannot; for a regular or new file, the nearest folder that exists on the
/// way to it must be a folder in which a file can be created (a probe file is created and
/// removed there). Catches a read-only folder or file system and a path under a regular
/// file; the error names `path`.
pub fn preflight(path: &Path) -> Result<()> {
    let target = match resolve(path)? {
        Target::Stdout | Target::Direct(_) => return Ok(()),
        Target::Replace(t) => t,
    };
    let mut dir = folder_of(&target).to_path_buf();
    loop {
        match fs::metadata(&dir) {
            Ok(m) if m.is_dir() => break,
            Ok(_) => bail!(
                "cannot write {}: {} is a file, not a folder",
                path.display(),
                dir.display()
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => match dir.parent() {
                Some(up) if !up.as_os_str().is_empty() => dir = up.to_path_buf(),
                _ => dir = PathBuf::from("."),
            },
            Err(e) => {
                return Err(e).with_context(|| format!("cannot write {}", path.display()));
            }
        }
    }
    let probe = temporary(&dir.join("probe"))?;
    File::create(&probe)
        .and_then(|_| fs::remove_file(&probe))
        .with_context(|| {
            format!(
                "cannot write {}: cannot create files in {}",
                path.display(),
                dir.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt, symlink};

    /// A fresh folder for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tinygan-fsutil-{name}-{}", std::process::id()));
        fs::remove_dir_all(&dir).ok();
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = scratch("replace");
        let path = dir.join("a.bin");
        write_output(&path, b"first").unwrap();
        write_output(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        assert_eq!(names(&dir), ["a.bin"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unwritable_target_is_an_error_naming_the_path() {
        let err = write_output(Path::new("/proc/tinygan-cannot/x.bin"), b"x").unwrap_err();
        assert!(
            format!("{err:#}").contains("/proc/tinygan-cannot"),
            "{err:#}"
        );
    }

    #[test]
    fn symlink_is_written_through() {
        let dir = scratch("symlink");
        let target = dir.join("target.csv");
        fs::write(&target, b"old").unwrap();
        let link = dir.join("link.csv");
        symlink("target.csv", &link).unwrap();
        write_output(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_link(&link).unwrap(), Path::new("target.csv"));
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(names(&dir), ["link.csv", "target.csv"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dangling_symlink_creates_its_target() {
        let dir = scratch("dangling");
        let link = dir.join("link.csv");
        symlink(dir.join("made.csv"), &link).unwrap();
        write_output(&link, b"made").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(dir.join("made.csv")).unwrap(), b"made");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dev_null_stays_a_char_device() {
        write_output(Path::new("/dev/null"), b"discarded").unwrap();
        let m = fs::symlink_metadata("/dev/null").unwrap();
        assert!(m.file_type().is_char_device(), "{m:?}");
    }

    /// A named pipe is written in place (a reader on the other end gets the bytes) and
    /// stays a pipe; no temporary file is left beside it.
    #[test]
    fn fifo_is_written_in_place() {
        let dir = scratch("fifo");
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        preflight(&fifo).unwrap();
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        write_output(&fifo, b"through the pipe").unwrap();
        // Checked before joining: had the pipe been replaced, the reader would wait forever.
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(names(&dir), ["pipe"]);
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dev_full_is_an_error() {
        let msg = format!(
            "{:#}",
            write_output(Path::new("/dev/full"), b"no room").unwrap_err()
        );
        assert!(msg.contains("cannot write /dev/full"), "{msg}");
        assert!(
            fs::symlink_metadata("/dev/full")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    #[test]
    fn folder_as_output_is_an_error() {
        let dir = scratch("folder");
        let msg = format!("{:#}", write_output(&dir, b"x").unwrap_err());
        assert!(
            msg.contains("is a folder") && msg.contains(&*dir.to_string_lossy()),
            "{msg}"
        );
        assert!(dir.is_dir());
        fs::remove_dir_all(&dir).unwrap();
    }
}
