//! The `tinygan` command-line tool.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tinygan::bench;

#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Benchmarks, each against a baseline measured in the same run.
    #[command(subcommand)]
    Bench(Bench),
}

#[derive(Subcommand)]
enum Bench {
    /// A GAN training step (D and G updates) of the PacGAN 2-D and the digits models
    /// against PyTorch (`bench/pytorch_step.py`). Build with
    /// RUSTFLAGS="-C target-cpu=native" for the numbers in docs/RESULTS.md.
    Step {
        /// Steps per repetition.
        #[arg(long, default_value_t = 200)]
        steps: usize,
        /// Repetitions (the median is reported).
        #[arg(long, default_value_t = 6)]
        reps: usize,
        /// Also write the report as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Bench(Bench::Step { steps, reps, json }) => {
            let report = bench::on_big_stack(move || bench::step::run(steps, reps));
            print!("{}", bench::step::table(&report));
            if let Some(path) = json {
                std::fs::write(&path, serde_json::to_string_pretty(&report)?)
                    .with_context(|| format!("could not write {}", path.display()))?;
            }
        }
    }
    Ok(())
}
