//! The `tinygan` command-line tool.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tinygan::dataset::Dataset;
use tinygan::fsutil::write_atomic;
use tinygan::model_io;
use tinygan::presets::registry::LoadedGenerator;

/// Train small GANs on a desktop and deploy them to microcontrollers.
#[derive(Parser)]
#[command(name = "tinygan", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a GAN on a built-in data set; writes DIR/model.tgan, metrics.json, samples.png.
    Train {
        /// Data set: ring8, grid25 or digits.
        #[arg(long)]
        data: Dataset,
        /// TOML config over the data set's preset (see `tinygan init`).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Training iterations (overrides the config).
        #[arg(long)]
        steps: Option<u32>,
        /// Seed (overrides the config).
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Score a generator: prints JSON metrics.
    Eval {
        /// Model file written by `tinygan train`.
        #[arg(long)]
        model: PathBuf,
        /// Data set the metrics refer to: ring8, grid25 or digits.
        #[arg(long)]
        data: Dataset,
        /// Samples to score.
        #[arg(long, default_value_t = 2500)]
        n: usize,
        /// Seed of the latent draws.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Generate samples: one per row, in data units, comma-separated.
    Generate {
        /// Model file written by `tinygan train`.
        #[arg(long)]
        model: PathBuf,
        /// Number of samples.
        #[arg(long)]
        n: usize,
        /// Seed of the latent draws (a device draws the same z for the same seed).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Output CSV file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the firmware self-test's expected values (the source of firmware/src/vectors.rs).
    SelftestVectors,
    /// Write a documented starting config for a data set.
    Init {
        /// Data set whose preset to start from.
        #[arg(long)]
        data: Dataset,
        /// Output TOML file.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Train {
            data,
            config,
            steps,
            seed,
            out,
        } => {
            let mut cfg = data.preset();
            if let Some(path) = config {
                cfg = cfg.merge_file(&path)?;
            }
            cfg.steps = steps.unwrap_or(cfg.steps);
            cfg.seed = seed.unwrap_or(cfg.seed);
            let outcome = tinygan::run::run(data, &cfg, Some(&out))?;
            println!("{}", serde_json::to_string_pretty(&outcome.metrics)?);
            print!("{}", tinygan::run::summary(data, &outcome)?);
            println!("wrote {}", out.join("model.tgan").display());
        }
        Command::Eval {
            model,
            data,
            n,
            seed,
        } => {
            let g = LoadedGenerator::from_bytes(&model_io::read(&model)?)?;
            let report = data.score(&g.sample(n, seed))?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Command::Generate {
            model,
            n,
            seed,
            out,
        } => {
            let g = LoadedGenerator::from_bytes(&model_io::read(&model)?)?;
            let mut csv = String::new();
            for mut row in g.sample(n, seed) {
                if let Some(s) = &g.scaling {
                    s.to_data(&mut row);
                }
                let cells: Vec<String> = row.iter().map(f32::to_string).collect();
                csv += &cells.join(",");
                csv.push('\n');
            }
            write_atomic(&out, csv.as_bytes())
                .with_context(|| format!("cannot write samples to {}", out.display()))?;
        }
        Command::SelftestVectors => print!("{}", tinygan::vectors::firmware_vectors()),
        Command::Init { data, out } => {
            let text = format!(
                "# tinygan training config for {data}. Every key is optional; see the README.\n{}",
                data.preset().to_toml()
            );
            write_atomic(&out, text.as_bytes())?;
        }
    }
    Ok(())
}
