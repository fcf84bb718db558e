//! The `tinygan` command-line tool.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tinygan::bench;
use tinygan::config;
use tinygan::count::{Count, Flag};
use tinygan::dataset::Dataset;
use tinygan::fsutil::{self, Output, write_output};
use tinygan::presets::registry::LoadedGenerator;
use tinygan::quantize::{Activations, Settings, WeightBits};
use tinygan::run_folder::RunFolder;
use tinygan::sampler::Sampler;

/// Samples `generate` writes.
const SAMPLES: Count = Count::new(1, u64::MAX);
/// Samples the int8 calibration and error measurement run on.
const QUANT_SAMPLES: Count = Count::new(1, 1_000_000);
/// Samples `deploy` has a board generate (each is a line of the board's log).
const DEPLOY_SAMPLES: Count = Count::new(1, 100_000);
/// Calls per benchmark repetition.
const CALLS: Count = Count::new(1, 1_000_000_000);
/// Benchmark repetitions.
const REPS: Count = Count::new(1, 1000);
/// Seeds per row of the ablation.
const SEEDS: Count = Count::new(1, 1000);
/// Parallel runs of the ablation.
const WORKERS: Count = Count::new(1, 1024);

/// Train small GANs on a desktop and deploy them to microcontrollers.
#[derive(Parser)]
#[command(name = "tinygan", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How a generator is quantised.
#[derive(clap::Args)]
struct QuantArgs {
    /// Generated samples the activation ranges are calibrated on.
    #[arg(long, default_value_t = tinygan::quantize::DEFAULT_CALIBRATION as u64, value_parser = QUANT_SAMPLES.flag::<u64>())]
    calib: u64,
    /// Activation codes: 8 (pure int8), 16 (the 16x8 scheme: int16 activations wherever
    /// the next layer's sums fit i32, int8 elsewhere), or a comma-separated list of 8 and
    /// 16 for z and each dense, convolution or leaky ReLU stage in order.
    #[arg(long, default_value = "8", value_parser = Activations::parse)]
    activations: Activations,
    /// Weight codes: 8 (int8, the TFLite / CMSIS-NN scheme), 16 (16-bit weights in every
    /// dense and convolution layer), auto (from pure int8, 16 bits to one layer at a time,
    /// the one that lowers the error on the calibration samples most, while it removes
    /// more than a tenth of the error left), or a
    /// comma-separated list of 8 and 16, one per dense or convolution layer in order.
    /// 16-bit weights are outside the pure int8 scheme: they cost twice the flash and run
    /// on the reference kernels, for a layer whose 8-bit weights cost most of the error. A
    /// layer whose worst-case sum could leave i32 is refused.
    #[arg(long, default_value = "8", value_parser = WeightBits::parse)]
    weights: WeightBits,
}

impl QuantArgs {
    fn settings(&self) -> Settings {
        Settings {
            calibration: self.calib as usize,
            activations: self.activations.clone(),
            weights: self.weights.clone(),
        }
    }
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
        /// Training iterations (overrides the config), 1 to 10,000,000.
        #[arg(long, allow_negative_numbers = true, value_parser = config::STEPS.flag::<u32>())]
        steps: Option<u32>,
        /// Seed (overrides the config).
        #[arg(long, allow_negative_numbers = true, value_parser = config::SEED.flag::<u64>())]
        seed: Option<u64>,
        /// Output folder: new, empty, or holding an earlier run, whose files this run
        /// replaces as one set.
        #[arg(long)]
        out: PathBuf,
        /// Train into a folder that holds files which are not from a tinygan run: the
        /// folder and everything in it is replaced.
        #[arg(long)]
        force: bool,
    },
    /// Score a generator: prints JSON metrics.
    Eval {
        /// Model file written by `tinygan train`, or a run folder: its mixture for a
        /// multiple-GAN run, else its model.tgan.
        #[arg(long)]
        model: PathBuf,
        /// Data set the metrics refer to: ring8, grid25 or digits (default: the one the
        /// model file records; needed for a file that records none). A data set other
        /// than the recorded one is an error.
        #[arg(long)]
        data: Option<Dataset>,
        /// Samples to score: at least the data set's modes (ring8 8, grid25 25, digits
        /// 10), at most 1,000,000.
        #[arg(long, default_value_t = 2500, allow_negative_numbers = true, value_parser = Flag::whole())]
        n: i128,
        /// Seed of the latent draws.
        #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = config::SEED.flag::<u64>())]
        seed: u64,
        /// Run the generator quantised to int8 (in memory, as `tinygan quantize` does)
        /// with the integer kernels a board runs.
        #[arg(long)]
        int8: bool,
        #[command(flatten)]
        quant: QuantArgs,
    },
    /// Generate samples: one per row, in data units, comma-separated.
    Generate {
        /// Model file written by `tinygan train`, or a run folder: its mixture for a
        /// multiple-GAN run, else its model.tgan.
        #[arg(long)]
        model: PathBuf,
        /// Number of samples.
        #[arg(long, allow_negative_numbers = true, value_parser = SAMPLES.flag::<u64>())]
        n: u64,
        /// Seed of the latent draws (a device draws the same z for the same seed).
        #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = config::SEED.flag::<u64>())]
        seed: u64,
        /// Output CSV file (`-`: standard output).
        #[arg(long)]
        out: PathBuf,
        /// Run the generator quantised to int8 (in memory, as `tinygan quantize` does)
        /// with the integer kernels a board runs.
        #[arg(long)]
        int8: bool,
        #[command(flatten)]
        quant: QuantArgs,
    },
    /// Quantise a generator to int8: report its layers and its error against the f32
    /// model on the same z, in data units, and write the int8 model file.
    Quantize {
        /// Model file written by `tinygan train` (one generator of a multiple-GAN run:
        /// its model-K.tgan).
        #[arg(long)]
        model: PathBuf,
        /// The int8 model file to write (format version 3), which `generate` and `eval`
        /// run with the integer kernels; without it, only the report.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        quant: QuantArgs,
        /// Samples the error is measured on.
        #[arg(long, default_value_t = 2500, value_parser = QUANT_SAMPLES.flag::<u64>())]
        n: u64,
        /// Seed of the latent draws of the error measurement.
        #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = config::SEED.flag::<u64>())]
        seed: u64,
    },
    /// Show what a model file holds: header, metadata, tensor table and, for an int8
    /// file, every layer with its scales, zero points and channel records. A file the
    /// reader refuses is an error saying why.
    Inspect {
        /// Model file (f32 or int8).
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a model file as Rust or C source that puts its bytes, 16-aligned, into a
    /// firmware image. The file is validated first: one the reader refuses is an error.
    Export {
        /// Model file (f32 or int8).
        #[arg(long)]
        model: PathBuf,
        /// rust (`#[repr(align(16))]` wrapper and a `pub static`) or c (an
        /// `__attribute__((aligned(16)))` array and its length).
        #[arg(long)]
        format: tinygan::export::Format,
        /// Output source file (`-`: standard output).
        #[arg(long)]
        out: PathBuf,
        /// Name of the bytes (default: MODEL for rust, tinygan_model for c).
        #[arg(long)]
        name: Option<String>,
    },
    /// Build the firmware with a model, run it on an emulated board (QEMU; with --probe a
    /// real board through probe-rs) and write what
    /// the board generated, in the format of `generate`; on standard error, whether it is
    /// the host's bit for bit, a preview of digits and the metrics of the board's samples.
    Deploy {
        /// Model file written by `tinygan train` (f32: netduinoplus2 only) or `tinygan
        /// quantize --out` (int8: any board).
        #[arg(long)]
        model: PathBuf,
        /// Board: netduinoplus2 (STM32F405, Cortex-M4F) or microbit (nRF51822, Cortex-M0).
        #[arg(long)]
        board: String,
        /// Number of samples.
        #[arg(long, default_value_t = 16, allow_negative_numbers = true, value_parser = DEPLOY_SAMPLES.flag::<u64>())]
        n: u64,
        /// Seed of the latent draws (the same z as `generate` with this seed).
        #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = config::SEED.flag::<u64>())]
        seed: u64,
        /// Output CSV file (`-`: standard output).
        #[arg(long, default_value = "-")]
        out: PathBuf,
        /// Also draw the board's samples to this PNG file.
        #[arg(long)]
        png: Option<PathBuf>,
        /// Run on a real board attached through a debug probe (probe-rs, RTT log) instead
        /// of the emulated one.
        #[arg(long)]
        probe: bool,
    },
    /// Benchmarks.
    #[command(subcommand)]
    Bench(Bench),
    /// Print the firmware self-test's expected values (the source of firmware/src/vectors.rs).
    SelftestVectors,
    /// Write a documented starting config for a data set.
    Init {
        /// Data set whose preset to start from.
        #[arg(long)]
        data: Dataset,
        /// Output TOML file (`-`: standard output).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// A GAN training step (D and G updates) of the PacGAN 2-D model and two digits
    /// models against PyTorch (`bench/pytorch_step.py`). The numbers in
    /// docs/RESULTS.md come from the default native build (`.cargo/config.toml`).
    Step {
        /// Steps per repetition.
        #[arg(long, default_value_t = 200, allow_negative_numbers = true, value_parser = config::STEPS.flag::<usize>())]
        steps: usize,
        /// Repetitions (the median is reported).
        #[arg(long, default_value_t = 6, allow_negative_numbers = true, value_parser = REPS.flag::<usize>())]
        reps: usize,
        /// Also write the report as JSON to this file (`-`: standard output, and the
        /// table goes to standard error).
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// The layers of the reference models one at a time, forward and backward, in
    /// GFLOP/s, against plain loops in the same run. The numbers in
    /// docs/RESULTS.md come from the default native build (`.cargo/config.toml`).
    Kernels {
        /// Calls per repetition.
        #[arg(long, default_value_t = 200, allow_negative_numbers = true, value_parser = CALLS.flag::<usize>())]
        calls: usize,
        /// Repetitions (the median is reported).
        #[arg(long, default_value_t = 7, allow_negative_numbers = true, value_parser = REPS.flag::<usize>())]
        reps: usize,
        /// Also write the rows as JSON to this file (`-`: standard output, and the table
        /// goes to standard error).
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// The ablation: baseline, each technique alone, best combination, over seeds.
    Tricks {
        /// Data set: ring8, grid25 or digits.
        #[arg(long)]
        data: Dataset,
        /// Seeds per row (0..K).
        #[arg(long, allow_negative_numbers = true, value_parser = SEEDS.flag::<u64>())]
        seeds: u64,
        /// Iterations per run (default: the preset's).
        #[arg(long, allow_negative_numbers = true, value_parser = config::STEPS.flag::<u32>())]
        steps: Option<u32>,
        /// Parallel runs (default: the machine's cores).
        #[arg(long, allow_negative_numbers = true, value_parser = WORKERS.flag::<usize>())]
        workers: Option<usize>,
        /// Also write the rows, with every seed's metrics, as JSON (`-`: standard output,
        /// and the table goes to standard error).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Record each finished run in this file (JSON lines) and skip the runs it
        /// already holds, so that an interrupted ablation resumes where it stopped.
        #[arg(long)]
        journal: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if fsutil::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `text` to standard output the way every output is written
/// ([`write_output`] of `-`): a reader that goes away is an error that [`main`] ends on
/// quietly ([`fsutil::is_broken_pipe`]), never a panic.
fn say(text: impl AsRef<str>) -> Result<()> {
    write_output(
        std::path::Path::new(fsutil::STDOUT),
        text.as_ref().as_bytes(),
    )
}

/// Prints a benchmark's table: on standard output, or on standard error when its JSON
/// goes to standard output.
fn show_table(table: &str, json: Option<&std::path::Path>) -> Result<()> {
    if json.is_some_and(|p| p.as_os_str() == fsutil::STDOUT) {
        eprint!("{table}");
        Ok(())
    } else {
        say(table)
    }
}

/// The generator or run folder `--model` names, with its note printed; with `int8 =
/// Some(settings)`, quantised with those settings.
fn open_model(path: &std::path::Path, int8: Option<Settings>) -> Result<Sampler> {
    let mut s = Sampler::open(path)?;
    if let Some(settings) = int8 {
        s.quantize(&settings)?;
    }
    if let Some(note) = &s.note {
        eprintln!("{note}");
    }
    Ok(s)
}

/// [`fsutil::preflight`] of each output that is given.
fn preflight_all<const N: usize>(outputs: [&Option<PathBuf>; N]) -> Result<()> {
    outputs
        .into_iter()
        .flatten()
        .try_for_each(|p| fsutil::preflight(p))
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Train {
            data,
            config,
            steps,
            seed,
            out,
            force,
        } => {
            let mut folder = RunFolder::begin(&out, force)?;
            let mut cfg = data.preset();
            if let Some(path) = config {
                cfg = cfg.merge_file(&path)?;
            }
            cfg.steps = steps.unwrap_or(cfg.steps);
            cfg.seed = seed.unwrap_or(cfg.seed);
            let outcome = tinygan::run::run(data, &cfg, Some(&mut folder))?;
            folder.commit()?;
            say(format!(
                "{}\n{}wrote {}\n",
                serde_json::to_string_pretty(&outcome.metrics)?,
                tinygan::run::summary(data, &outcome)?,
                out.join("model.tgan").display()
            ))?;
        }
        Command::Eval {
            model,
            data,
            n,
            seed,
            int8,
            quant,
        } => {
            let g = open_model(&model, int8.then(|| quant.settings()))?;
            let data = g
                .data_set(data)
                .with_context(|| model.display().to_string())?;
            let n = data.eval_counts().check("`--n`", n)? as usize;
            let mut rows: Vec<Vec<f32>> = g.rows(seed).take(n).collect::<Result<_>>()?;
            if let Some(s) = g.scaling() {
                rows.iter_mut().for_each(|r| s.to_model(r));
            }
            let report = data.score(&rows)?;
            say(serde_json::to_string_pretty(&report)? + "\n")?;
        }
        Command::Generate {
            model,
            n,
            seed,
            out,
            int8,
            quant,
        } => {
            fsutil::preflight(&out)?;
            let g = open_model(&model, int8.then(|| quant.settings()))?;
            let n = usize::try_from(n).context("--n does not fit this machine's address size")?;
            let mut csv = Output::create(&out)?;
            for row in g.rows(seed).take(n) {
                csv.put(tinygan::generate::csv_row(&row?).as_bytes())?;
            }
            csv.finish()?;
        }
        Command::Quantize {
            model,
            out,
            quant,
            n,
            seed,
        } => {
            preflight_all([&out])?;
            let g = LoadedGenerator::open(&model)?;
            let q = g.quantize(&quant.settings())?;
            let n = n as usize;
            let error =
                tinygan::quantize::report::error(&g.sample_data(n, seed), &q.sample(n, seed));
            let file = match &out {
                Some(_) => tinygan::quantize::file::encode(&q, &g.about())?,
                None => Vec::new(),
            };
            say(format!(
                "{}parameters: {} bytes as f32, {} bytes as int8\n\
                 int8 against f32 on the same z ({} samples, seed {seed}, data units): \
                 max abs error {:.6}, mean abs error {:.6}\n",
                tinygan::quantize::report::layers(&q),
                4 * g.param_count(),
                q.param_bytes(),
                error.samples,
                error.max_abs,
                error.mean_abs
            ))?;
            if let Some(path) = out {
                write_output(&path, &file)?;
                say(format!(
                    "wrote {} ({} bytes; the f32 model file is {} bytes)\n",
                    path.display(),
                    file.len(),
                    std::fs::metadata(&model).map_or(0, |m| m.len())
                ))?;
            }
        }
        Command::Inspect { file, json } => {
            let report = tinygan::inspect::open(&file)?;
            say(if json {
                serde_json::to_string_pretty(&report)? + "\n"
            } else {
                report.to_string()
            })?;
        }
        Command::Export {
            model,
            format,
            out,
            name,
        } => {
            fsutil::preflight(&out)?;
            let bytes = std::fs::read(&model)
                .with_context(|| format!("cannot read model {}", model.display()))?;
            let name = name.as_deref().unwrap_or(format.default_name());
            let text = tinygan::export::source(&bytes, &model, format, name)?;
            write_output(&out, text.as_bytes())?;
        }
        Command::Deploy {
            model,
            board,
            n,
            seed,
            out,
            png,
            probe,
        } => {
            use tinygan::deploy::Runner;
            let board = tinygan::boards::find(&board)?;
            fsutil::preflight(&out)?;
            preflight_all([&png])?;
            let runner = if probe { Runner::Probe } else { Runner::Qemu };
            let d = tinygan::deploy::deploy(&model, &board, n as usize, seed, runner)?;
            let report = tinygan::deploy::report(&d, &board, seed, png.as_deref())?;
            write_output(&out, tinygan::generate::csv(&d.rows).as_bytes())
                .with_context(|| format!("cannot write samples to {}", out.display()))?;
            eprint!("{report}");
        }
        Command::Bench(Bench::Step { steps, reps, json }) => {
            preflight_all([&json])?;
            let report = bench::step::run(steps, reps);
            show_table(&bench::step::table(&report), json.as_deref())?;
            if let Some(path) = json {
                write_output(&path, serde_json::to_string_pretty(&report)?.as_bytes())?;
            }
        }
        Command::Bench(Bench::Kernels { calls, reps, json }) => {
            preflight_all([&json])?;
            let rows = bench::kernels::run(reps, calls);
            show_table(&bench::kernels::table(&rows), json.as_deref())?;
            if let Some(path) = json {
                write_output(&path, serde_json::to_string_pretty(&rows)?.as_bytes())?;
            }
        }
        Command::Bench(Bench::Tricks {
            data,
            seeds,
            steps,
            workers,
            json,
            journal,
        }) => {
            preflight_all([&json, &journal])?;
            let workers = workers
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let total = tinygan::ablation::variants(data).len() as u64 * seeds;
            let done = std::sync::atomic::AtomicU64::new(0);
            let read = std::sync::atomic::AtomicU64::new(0);
            let progress = |name: &str, seed: u64, source: tinygan::ablation::Source| {
                let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if source == tinygan::ablation::Source::Journal {
                    read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    eprintln!("[{k}/{total}] {name}, seed {seed} (from the journal)");
                } else {
                    eprintln!("[{k}/{total}] {name}, seed {seed}");
                }
            };
            let start = std::time::Instant::now();
            let rows =
                tinygan::ablation::run(data, seeds, steps, workers, journal.as_deref(), &progress)?;
            let read = read.into_inner();
            let table = format!(
                "{}\n({} runs in {:.0} s on {workers} workers{})\n",
                tinygan::ablation::markdown(data, &rows, seeds),
                total - read,
                start.elapsed().as_secs_f64(),
                if read > 0 {
                    format!("; {read} more read from the journal")
                } else {
                    String::new()
                }
            );
            show_table(&table, json.as_deref())?;
            if let Some(path) = json {
                write_output(&path, serde_json::to_string_pretty(&rows)?.as_bytes())?;
            }
        }
        Command::SelftestVectors => say(tinygan::vectors::firmware_vectors())?,
        Command::Init { data, out } => {
            fsutil::preflight(&out)?;
            let text = format!(
                "# tinygan training config for {data}. Every key is optional; see the README.\n{}",
                data.preset().to_toml()
            );
            write_output(&out, text.as_bytes())?;
        }
    }
    Ok(())
}
