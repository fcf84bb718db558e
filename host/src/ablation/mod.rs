//! `tinygan bench tricks`: the ablation of the training techniques.
//!
//! For a data set: the baseline GAN (the preset's architecture, optimiser, learning rates
//! and iterations with every technique off), each technique alone on top of the baseline,
//! and the best combination (the preset), each over the same seeds, all in one run. Runs
//! go to worker threads (one per core); each run is itself deterministic, so the table does
//! not depend on the number of workers. With a [`Journal`], finished runs are kept on disk
//! and a stopped ablation resumes where it was.

use crate::config::{DiscArch, GenArch, HistoryKind, LossName, OptName, TrainConfig};
use crate::dataset::Dataset;
use crate::metrics::EvalReport;
use anyhow::{Result, anyhow};
use serde::Serialize;
use std::path::Path;
use std::sync::Mutex;

mod journal;
pub use journal::Journal;

/// One row of the ablation: a name and the config it trains.
#[derive(Clone, Debug)]
pub struct Variant {
    /// What the row shows.
    pub name: String,
    /// The config (seed set per run).
    pub config: TrainConfig,
}

/// The preset with every technique off.
pub fn baseline(best: &TrainConfig) -> TrainConfig {
    let b = TrainConfig::baseline();
    TrainConfig {
        steps: best.steps,
        optimizer: best.optimizer,
        lr_g: best.lr_g,
        lr_d: best.lr_d,
        beta1: best.beta1,
        beta2: best.beta2,
        ..b
    }
}

/// The rows: baseline, each technique alone, best combination.
pub fn variants(data: Dataset) -> Vec<Variant> {
    let best = data.preset();
    let base = baseline(&best);
    let with = |name: &str, f: &dyn Fn(&mut TrainConfig)| {
        let mut config = base.clone();
        f(&mut config);
        Variant {
            name: name.to_string(),
            config,
        }
    };
    let or = |v: f32, default: f32| if v > 0.0 { v } else { default };
    let mut rows = vec![
        with("baseline (non-saturating GAN)", &|_| {}),
        with("one-sided label smoothing", &|c| {
            c.label_smoothing = if best.label_smoothing < 1.0 {
                best.label_smoothing
            } else {
                0.9
            }
        }),
        with("feature matching", &|c| c.feature_matching = true),
        with("minibatch discrimination", &|c| {
            c.discriminator = DiscArch::Minibatch
        }),
        with("batch norm in G", &|c| c.generator = GenArch::Batchnorm),
        with("virtual batch norm in G", &|c| c.generator = GenArch::Vbn),
        with("historical averaging (EMA)", &|c| {
            c.history = or(best.history, 0.01);
            c.history_kind = HistoryKind::Ema;
        }),
        with("historical averaging (window)", &|c| {
            c.history = or(best.history, 0.01);
            c.history_kind = HistoryKind::Window;
        }),
        with("experience replay", &|c| c.replay = or(best.replay, 0.5)),
        with("instance noise", &|c| {
            c.instance_noise = or(best.instance_noise, 0.1);
            c.noise_anneal = best.noise_anneal;
        }),
        with("D/G steps 2:1", &|c| c.d_steps = 2),
        with("adaptive D/G balance", &|c| {
            c.d_floor = Some(best.d_floor.unwrap_or(0.3));
            c.g_floor = Some(best.g_floor.unwrap_or(0.3));
        }),
        with("LSGAN with RMSProp", &|c| {
            c.loss = LossName::Lsgan;
            c.optimizer = OptName::Rmsprop;
        }),
        with("hinge loss", &|c| c.loss = LossName::Hinge),
        with("multiple GANs (3 generators)", &|c| c.generators = 3),
        with("D twice as wide (capacity)", &|c| {
            c.discriminator = DiscArch::Wide
        }),
    ];
    if data == Dataset::Digits {
        rows.push(with("semi-supervised D (labels)", &|c| {
            c.discriminator = DiscArch::Classes;
            c.supervised = or(best.supervised, 0.5);
        }));
    }
    if data.toy().is_some() {
        rows.push(with("packing (PacGAN4)", &|c| {
            c.discriminator = DiscArch::Pack
        }));
        rows.push(with("packing (PacGAN2)", &|c| {
            c.discriminator = DiscArch::Pack2
        }));
    }
    rows.push(Variant {
        name: "best combination (preset)".to_string(),
        config: best,
    });
    rows
}

/// Mean and standard error of one metric over seeds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Stat {
    /// Mean over seeds.
    pub mean: f64,
    /// Standard error of the mean (sample standard deviation / √n; 0 for one seed).
    pub se: f64,
}

impl Stat {
    fn of(v: &[f64]) -> Self {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = if v.len() > 1 {
            v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        Self {
            mean,
            se: (var / n).sqrt(),
        }
    }
}

/// One row's results.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// Variant name.
    pub name: String,
    /// Per-metric statistics, in [`metric_names`] order.
    pub stats: Vec<(String, Stat)>,
    /// Per-seed metrics.
    pub runs: Vec<EvalReport>,
    /// The smallest value of the first metric over seeds (modes or classifier score).
    pub worst: f64,
}

/// The metrics reported for a data set, in table order.
pub fn metric_names(data: Dataset) -> &'static [&'static str] {
    match data {
        Dataset::Digits => &["classifier_score", "frechet_distance", "classes_covered"],
        _ => &["modes", "hq", "reverse_kl"],
    }
}

fn values(r: &EvalReport) -> Vec<f64> {
    match r {
        EvalReport::Modes(m) => vec![m.modes as f64, m.hq, m.reverse_kl],
        EvalReport::Digits(d) => vec![
            d.classifier_score,
            d.frechet_distance,
            d.classes_covered as f64,
        ],
    }
}

/// Where a run's metrics came from, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Trained in this call.
    Trained,
    /// Read from the journal.
    Journal,
}

/// Runs every variant over seeds `0..seeds` on `workers` threads; `steps` overrides each
/// variant's iterations when given. With a `journal`, runs it already holds are not
/// trained again and each newly finished run is appended to it. `progress` is told of
/// each finished run.
pub fn run(
    data: Dataset,
    seeds: u64,
    steps: Option<u32>,
    workers: usize,
    journal: Option<&Path>,
    progress: &(dyn Fn(&str, u64, Source) + Sync),
) -> Result<Vec<Row>> {
    let variants = variants(data);
    let jobs: Vec<(usize, TrainConfig)> = (0..variants.len())
        .flat_map(|v| (0..seeds).map(move |s| (v, s)))
        .map(|(v, seed)| {
            let mut config = variants[v].config.clone();
            config.seed = seed;
            if let Some(s) = steps {
                config.steps = s;
            }
            (v, config)
        })
        .collect();
    let journal = journal.map(Journal::open).transpose()?.map(Mutex::new);
    let known = |(v, config): &(usize, TrainConfig)| {
        let j = journal.as_ref()?.lock().expect("journal");
        j.find(data, &variants[*v].name, config)
    };
    let results: Vec<Option<Result<EvalReport>>> = jobs
        .iter()
        .map(|job| {
            let found = known(job)?;
            progress(&variants[job.0].name, job.1.seed, Source::Journal);
            Some(Ok(found))
        })
        .collect();
    let todo: Vec<usize> = (0..jobs.len()).filter(|&j| results[j].is_none()).collect();
    let results = Mutex::new(results);
    let next = Mutex::new(todo.into_iter());
    let failed: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                while failed.lock().expect("failure").is_none() {
                    let Some(j) = next.lock().expect("job queue").next() else {
                        break;
                    };
                    let (v, config) = &jobs[j];
                    let name = &variants[*v].name;
                    let r = crate::run::run(data, config, None).map(|o| o.metrics);
                    if let (Ok(metrics), Some(journal)) = (&r, &journal) {
                        let written = journal
                            .lock()
                            .expect("journal")
                            .record(data, name, config, *metrics);
                        if let Err(e) = written {
                            *failed.lock().expect("failure") = Some(e);
                        }
                    }
                    progress(name, config.seed, Source::Trained);
                    results.lock().expect("results")[j] = Some(r);
                }
            });
        }
    });
    if let Some(e) = failed.into_inner().expect("failure") {
        return Err(e);
    }
    let mut results = results.into_inner().expect("results");
    let names = metric_names(data);
    variants
        .iter()
        .enumerate()
        .map(|(v, variant)| {
            let runs = (0..seeds as usize)
                .map(|s| {
                    results[v * seeds as usize + s]
                        .take()
                        .ok_or_else(|| anyhow!("run {} seed {s} did not finish", variant.name))?
                        .map_err(|e| e.context(format!("{} (seed {s})", variant.name)))
                })
                .collect::<Result<Vec<_>>>()?;
            let cols: Vec<Vec<f64>> = (0..names.len())
                .map(|m| runs.iter().map(|r| values(r)[m]).collect())
                .collect();
            Ok(Row {
                name: variant.name.clone(),
                stats: names
                    .iter()
                    .zip(&cols)
                    .map(|(n, c)| (n.to_string(), Stat::of(c)))
                    .collect(),
                worst: cols[0].iter().copied().fold(f64::INFINITY, f64::min),
                runs,
            })
        })
        .collect()
}

/// The rows as a Markdown table: mean ± standard error per metric, and the worst seed's
/// first metric.
pub fn markdown(data: Dataset, rows: &[Row], seeds: u64) -> String {
    let names = metric_names(data);
    let mut s = format!("| {data}, {seeds} seeds | ");
    s += &names.join(" | ");
    s += " | worst seed |\n|---|";
    s += &"---|".repeat(names.len() + 1);
    s.push('\n');
    for r in rows {
        s += &format!("| {} |", r.name);
        for (_, st) in &r.stats {
            s += &format!(" {:.3} ± {:.3} |", st.mean, st.se);
        }
        // Mode counts print as integers, scores with three decimals.
        if r.worst.fract() == 0.0 {
            s += &format!(" {} |\n", r.worst);
        } else {
            s += &format!(" {:.3} |\n", r.worst);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_is_a_valid_config_and_differs_from_the_baseline() {
        for data in [Dataset::Ring8, Dataset::Grid25, Dataset::Digits] {
            let v = variants(data);
            let base = &v[0].config;
            for row in &v {
                row.config.validate().unwrap();
                if row.name != v[0].name && !row.name.starts_with("best") {
                    assert_ne!(&row.config, base, "{} is the baseline", row.name);
                }
            }
        }
    }

    #[test]
    fn mean_and_standard_error() {
        let s = Stat::of(&[1.0, 2.0, 3.0]);
        assert_eq!(s.mean, 2.0);
        assert!((s.se - (1.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(Stat::of(&[4.0]).se, 0.0);
    }

    #[test]
    fn a_short_ablation_runs_and_reports_every_row() {
        let rows = run(Dataset::Ring8, 1, Some(2), 2, None, &|_, _, _| {}).unwrap();
        assert_eq!(rows.len(), variants(Dataset::Ring8).len());
        assert!(markdown(Dataset::Ring8, &rows, 1).lines().count() == rows.len() + 2);
    }

    /// Trains the ring8 ablation at 2 iterations and 1 seed with `journal`, counting the
    /// runs trained and those read from the journal.
    fn journaled(journal: &Path) -> (Vec<Row>, usize, usize) {
        let counts = Mutex::new((0, 0));
        let rows = run(
            Dataset::Ring8,
            1,
            Some(2),
            2,
            Some(journal),
            &|_, _, source| {
                let mut c = counts.lock().unwrap();
                match source {
                    Source::Trained => c.0 += 1,
                    Source::Journal => c.1 += 1,
                }
            },
        )
        .unwrap();
        let (trained, read) = counts.into_inner().unwrap();
        (rows, trained, read)
    }

    /// A rerun with the journal of a finished ablation trains nothing and gives the same
    /// table; with half the journal lost it trains just the missing runs.
    #[test]
    fn an_ablation_resumes_from_its_journal() {
        let dir = std::env::temp_dir().join(format!("tinygan-ablation-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("journal.jsonl");
        std::fs::remove_file(&path).ok();
        let total = variants(Dataset::Ring8).len();
        let (first, trained, read) = journaled(&path);
        assert_eq!((trained, read), (total, 0));
        let (again, trained, read) = journaled(&path);
        assert_eq!((trained, read), (0, total));
        assert_eq!(
            markdown(Dataset::Ring8, &again, 1),
            markdown(Dataset::Ring8, &first, 1)
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let half: Vec<&str> = text.lines().take(total / 2).collect();
        std::fs::write(&path, half.join("\n") + "\n").unwrap();
        let (resumed, trained, read) = journaled(&path);
        assert_eq!((trained, read), (total - total / 2, total / 2));
        for (a, b) in resumed.iter().zip(&first) {
            assert_eq!(a.runs, b.runs, "{}", a.name);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
