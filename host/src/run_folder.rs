//! A run's output folder: the run owns it, and replaces an earlier run's files as one set.
//!
//! A folder holds a tinygan run when it has [`MANIFEST`], a JSON file listing every file
//! the run wrote (itself excluded). `tinygan train --out DIR`:
//! - takes a DIR that does not exist, is empty, or holds a run and nothing else;
//! - refuses any other DIR (a file, or a folder with files that no run listed), naming it
//!   and the files in the way, unless `--force`, which replaces DIR and everything in it;
//! - creates the new run's folder, `.NAME.tinygan-PID` next to DIR, before training (so
//!   a folder that cannot be written is an error before any work), writes every file
//!   there, then swaps it in: DIR is renamed aside, the new folder renamed to DIR, and the
//!   old one removed. A kill leaves DIR as the old run or the new one, never a mix of the
//!   two (between the two renames, the old run is still whole under its aside name).

use crate::fsutil::folder_of;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

/// The file that marks a folder as a tinygan run.
pub const MANIFEST: &str = "tinygan-run.json";

/// Most names of files in the way listed in an error.
const SHOWN: usize = 5;

/// The content of [`MANIFEST`].
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    /// Files the run wrote, by name.
    files: Vec<String>,
}

/// A run folder being written: files go to a new folder until [`RunFolder::commit`].
#[derive(Debug)]
pub struct RunFolder {
    /// DIR as given, for messages.
    shown: PathBuf,
    /// DIR with its links resolved.
    target: PathBuf,
    /// The new run's folder.
    staging: PathBuf,
    /// Where the old run goes while the new one is swapped in.
    aside: PathBuf,
    /// Names of the files written so far.
    files: Vec<String>,
    committed: bool,
}

/// The names of the entries of `dir` (none if it does not exist).
fn entries(dir: &Path) -> Result<Vec<String>> {
    match fs::read_dir(dir) {
        Ok(rd) => {
            let mut names = rd
                .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect::<std::io::Result<Vec<_>>>()
                .with_context(|| format!("cannot list {}", dir.display()))?;
            names.sort();
            Ok(names)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("cannot list {}", dir.display())),
    }
}

/// The files of `dir` that its run did not write (all of them when it holds no run).
fn foreign(dir: &Path) -> Result<Vec<String>> {
    let names = entries(dir)?;
    let owned = match fs::read_to_string(dir.join(MANIFEST)) {
        Ok(text) => {
            serde_json::from_str::<Manifest>(&text)
                .with_context(|| format!("{} is not a run manifest", dir.join(MANIFEST).display()))?
                .files
        }
        Err(_) => Vec::new(),
    };
    Ok(names
        .into_iter()
        .filter(|n| n != MANIFEST && !owned.contains(n))
        .collect())
}

impl RunFolder {
    /// Checks that `dir` may take a new run (see the module doc) and creates the new
    /// run's folder; every error names `dir`.
    pub fn begin(dir: &Path, force: bool) -> Result<Self> {
        let target = match fs::metadata(dir) {
            Ok(m) if !m.is_dir() => bail!(
                "{} is a file, not a folder: give --out a folder",
                dir.display()
            ),
            Ok(_) => fs::canonicalize(dir)
                .with_context(|| format!("cannot resolve {}", dir.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => dir.to_path_buf(),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot create the run folder {}", dir.display()));
            }
        };
        let in_the_way = foreign(&target)?;
        if !force && !in_the_way.is_empty() {
            let more = in_the_way.len().saturating_sub(SHOWN);
            bail!(
                "{} holds files that are not from a tinygan run ({}{}): give another folder, or --force to replace it and everything in it",
                dir.display(),
                in_the_way[..in_the_way.len().min(SHOWN)].join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        let name = target
            .file_name()
            .with_context(|| format!("{} cannot be a run folder", dir.display()))?;
        let parent = folder_of(&target);
        let hidden = format!(".{}.tinygan-{}", name.to_string_lossy(), std::process::id());
        let staging = parent.join(&hidden);
        let aside = parent.join(hidden + ".old");
        fs::remove_dir_all(&staging).ok();
        fs::create_dir_all(&staging)
            .with_context(|| format!("cannot create the run folder {}", dir.display()))?;
        Ok(Self {
            shown: dir.to_path_buf(),
            target,
            staging,
            aside,
            files: Vec::new(),
            committed: false,
        })
    }

    /// Where the run's file `name` is written (recorded in the manifest).
    pub fn file(&mut self, name: &str) -> PathBuf {
        self.files.push(name.to_string());
        self.staging.join(name)
    }

    /// Writes the manifest and swaps the new run in place of DIR.
    pub fn commit(mut self) -> Result<()> {
        let manifest = Manifest {
            files: std::mem::take(&mut self.files),
        };
        crate::fsutil::write_output(
            &self.staging.join(MANIFEST),
            (serde_json::to_string_pretty(&manifest)? + "\n").as_bytes(),
        )?;
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &self.aside).with_context(|| {
                format!("cannot move the old run {} aside", self.shown.display())
            })?;
        }
        fs::rename(&self.staging, &self.target)
            .with_context(|| format!("cannot put the new run in {}", self.shown.display()))?;
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&self.aside)
                .with_context(|| format!("cannot remove the old run {}", self.aside.display()))?;
        }
        if let Ok(d) = fs::File::open(folder_of(&self.target)) {
            d.sync_all().ok();
        }
        Ok(())
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if !self.committed {
            fs::remove_dir_all(&self.staging).ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh, absent path for one test's run folder.
    fn absent(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tinygan-runfolder-{name}-{}", std::process::id()));
        fs::remove_dir_all(&dir).ok();
        dir
    }

    /// A run into `dir` writing `files` (each holding its name).
    fn write_run(dir: &Path, files: &[&str], force: bool) -> Result<()> {
        let mut run = RunFolder::begin(dir, force)?;
        for name in files {
            crate::fsutil::write_output(&run.file(name), name.as_bytes())?;
        }
        run.commit()
    }

    #[test]
    fn retraining_replaces_the_previous_runs_files_as_one_set() {
        let dir = absent("retrain");
        write_run(&dir, &["model.tgan", "model-1.tgan", "mixture.json"], false).unwrap();
        assert_eq!(
            entries(&dir).unwrap(),
            ["mixture.json", "model-1.tgan", "model.tgan", MANIFEST]
        );
        write_run(&dir, &["model.tgan"], false).unwrap();
        assert_eq!(entries(&dir).unwrap(), ["model.tgan", MANIFEST]);
        let parent = entries(folder_of(&dir)).unwrap();
        let name = dir.file_name().unwrap().to_string_lossy();
        assert!(
            !parent.iter().any(|n| n.starts_with(&format!(".{name}."))),
            "no staging or old folder is left: {parent:?}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn non_empty_folder_that_is_not_a_run_needs_force() {
        let dir = absent("foreign");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        let msg = format!("{:#}", write_run(&dir, &["model.tgan"], false).unwrap_err());
        assert!(
            msg.contains(&*dir.to_string_lossy())
                && msg.contains("notes.txt")
                && msg.contains("--force"),
            "{msg}"
        );
        assert_eq!(entries(&dir).unwrap(), ["notes.txt"]);
        // A run folder with a file the run did not write is refused too.
        write_run(&dir, &["model.tgan"], true).unwrap();
        assert_eq!(entries(&dir).unwrap(), ["model.tgan", MANIFEST]);
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        assert!(write_run(&dir, &["model.tgan"], false).is_err());
        assert!(dir.join("notes.txt").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unfinished_run_leaves_the_previous_one_whole() {
        let dir = absent("unfinished");
        write_run(&dir, &["model.tgan", "metrics.json"], false).unwrap();
        let mut run = RunFolder::begin(&dir, false).unwrap();
        crate::fsutil::write_output(&run.file("model.tgan"), b"new").unwrap();
        drop(run);
        assert_eq!(
            entries(&dir).unwrap(),
            ["metrics.json", "model.tgan", MANIFEST]
        );
        assert_eq!(fs::read(dir.join("model.tgan")).unwrap(), b"model.tgan");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn run_folder_under_a_file_is_an_error_before_any_work() {
        let dir = absent("under-file");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("f"), "").unwrap();
        let out = dir.join("f/run");
        let msg = format!("{:#}", RunFolder::begin(&out, false).unwrap_err());
        assert!(msg.contains(&*out.to_string_lossy()), "{msg}");
        let msg = format!("{:#}", RunFolder::begin(&dir.join("f"), true).unwrap_err());
        assert!(msg.contains("is a file, not a folder"), "{msg}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
