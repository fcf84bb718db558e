//! The ablation's journal: one JSON line per finished run, so that an interrupted
//! `tinygan bench tricks --journal FILE` resumes where it stopped instead of starting
//! over.
//!
//! A line holds the program that trained the run (the SHA-256 of its executable, so that
//! a rebuild that may train differently starts afresh), the data set, the row's name, the
//! run's whole config (seed and iterations included, as JSON text compared exactly) and
//! its metrics. A run is taken as done when the journal holds a line with the same
//! program, data set, row and config; other lines (another build, an older preset, another
//! `--steps`) stay in the file and are not used. A last
//! line cut short by a kill is dropped; any other line that is not an entry is an error
//! naming the file and the line, and the file is left as it was.

use crate::config::TrainConfig;
use crate::dataset::Dataset;
use crate::fsutil::write_output;
use crate::metrics::EvalReport;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One finished run.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    program: String,
    data: String,
    row: String,
    config: String,
    metrics: EvalReport,
}

/// An open journal: the runs it held when opened, and the file to append to.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    program: String,
    file: File,
    entries: Vec<Entry>,
}

impl Journal {
    /// Opens the journal at `path`, creating it if it does not exist, and reads its runs.
    pub fn open(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let lines: Vec<&str> = text.lines().collect();
        let mut entries = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Entry>(line) {
                Ok(e) => entries.push(e),
                // A kill while appending leaves a last line without its newline.
                Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => {
                    let kept = text.rfind('\n').map_or(0, |n| n + 1);
                    write_output(path, &text.as_bytes()[..kept])?;
                }
                Err(e) => bail!(
                    "{} line {}: not an ablation journal entry ({e})",
                    path.display(),
                    i + 1
                ),
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open {} to append", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            program: program()?,
            file,
            entries,
        })
    }

    /// The metrics of a finished run of `row` with `config` on `data`, if the journal
    /// holds one.
    pub fn find(&self, data: Dataset, row: &str, config: &TrainConfig) -> Option<EvalReport> {
        let (data, config) = (data.to_string(), key(config));
        self.entries
            .iter()
            .find(|e| {
                e.program == self.program && e.data == data && e.row == row && e.config == config
            })
            .map(|e| e.metrics)
    }

    /// Appends a finished run and flushes it to the disk.
    pub fn record(
        &mut self,
        data: Dataset,
        row: &str,
        config: &TrainConfig,
        metrics: EvalReport,
    ) -> Result<()> {
        let entry = Entry {
            program: self.program.clone(),
            data: data.to_string(),
            row: row.to_string(),
            config: key(config),
            metrics,
        };
        let mut line = serde_json::to_string(&entry)?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
            .with_context(|| format!("cannot append to {}", self.path.display()))?;
        self.entries.push(entry);
        Ok(())
    }
}

/// The running program: the SHA-256 of its executable, in hex.
fn program() -> Result<String> {
    let exe = std::env::current_exe().context("cannot locate the running program")?;
    let bytes = std::fs::read(&exe).with_context(|| format!("cannot read {}", exe.display()))?;
    Ok(Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// A config as the exact text it is matched by.
fn key(config: &TrainConfig) -> String {
    serde_json::to_string(config).expect("a config serialises to JSON")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::ModeScores;

    fn report(modes: usize) -> EvalReport {
        EvalReport::Modes(ModeScores {
            n: 2500,
            modes,
            modes_total: 8,
            hq: 0.1 + 0.2,
            reverse_kl: 1.0 / 3.0,
        })
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tinygan-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::remove_file(&path).ok();
        path
    }

    #[test]
    fn recorded_runs_are_found_again_only_for_their_build_and_config() {
        let path = temp("found.jsonl");
        let config = TrainConfig {
            lr_g: 2e-3,
            ..TrainConfig::baseline()
        };
        let mut j = Journal::open(&path).unwrap();
        j.record(Dataset::Ring8, "baseline", &config, report(7))
            .unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.find(Dataset::Ring8, "baseline", &config), Some(report(7)));
        let other_seed = TrainConfig {
            seed: 1,
            ..config.clone()
        };
        assert_eq!(j.find(Dataset::Ring8, "baseline", &other_seed), None);
        assert_eq!(j.find(Dataset::Grid25, "baseline", &config), None);
        assert_eq!(j.find(Dataset::Ring8, "hinge loss", &config), None);
        drop(j);
        let text = std::fs::read_to_string(&path).unwrap();
        let other_build = text.replace(&program().unwrap(), "0123");
        std::fs::write(&path, other_build).unwrap();
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.find(Dataset::Ring8, "baseline", &config), None);
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_appending_goes_on() {
        let path = temp("torn.jsonl");
        let config = TrainConfig::baseline();
        let mut j = Journal::open(&path).unwrap();
        j.record(Dataset::Ring8, "a", &config, report(8)).unwrap();
        drop(j);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"data\":\"ring8\",\"row\":\"b\",\"con")
            .unwrap();
        drop(f);
        let mut j = Journal::open(&path).unwrap();
        j.record(Dataset::Ring8, "b", &config, report(6)).unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.find(Dataset::Ring8, "a", &config), Some(report(8)));
        assert_eq!(j.find(Dataset::Ring8, "b", &config), Some(report(6)));
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
    }

    #[test]
    fn a_bad_line_inside_is_an_error_naming_it_and_the_file_is_kept() {
        let path = temp("bad.jsonl");
        let text = "not json\n{}\n";
        std::fs::write(&path, text).unwrap();
        let err = format!("{:#}", Journal::open(&path).unwrap_err());
        assert!(err.contains("bad.jsonl line 1"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}
