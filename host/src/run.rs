//! `tinygan train`: trains the preset of a data set with a config, saves the model, its
//! metrics and pictures.
//!
//! Files written to the output folder: `model.tgan` (the generator, with its map to data
//! units), `discriminator.tgan` (each model file records its kind and the data set),
//! `config.toml` (the config used), `metrics.json`, `losses.csv`, `samples.png`. With
//! `generators = K > 1`, the metrics and picture are of the mixture, `model-k.tgan` holds
//! each kept generator, `mixture.json` their weights, and `model.tgan` the generator with
//! the largest weight. The files go through a [`RunFolder`], which lists them in its
//! manifest and swaps them in as one set.

use crate::config::{DiscArch, GenArch, TrainConfig};
use crate::data::digits::Digits;
use crate::data::{Toy, index_below};
use crate::dataset::Dataset;
use crate::fsutil::write_output;
use crate::generate::sample_rows;
use crate::metrics::EvalReport;
use crate::model_io::{About, Kind, OutputScaling, save};
use crate::multi::{Mixture, generator_seed, mixture_rows};
use crate::presets::{digits, mixture};
use crate::run_folder::RunFolder;
use crate::train::{Discriminator, Generator, train};
use anyhow::{Result, bail};
use tinygan_core::model::Fingerprint;
use tinygan_core::rng::Prng;
use tinygan_core::train::StepStats;

/// Samples scored after training (docs/ARCHITECTURE.md, Metrics: 2,500 for the mixtures).
pub const EVAL_N: usize = 2500;

/// What a training run produced.
pub struct Outcome {
    /// Metrics of the trained generator on [`EVAL_N`] samples (seed = training seed).
    pub metrics: EvalReport,
    /// Generated samples in model units (the evaluated ones).
    pub samples: Vec<Vec<f32>>,
    /// Losses per iteration (of the first generator when there are several).
    pub losses: Vec<StepStats>,
}

/// Calls `fit::<G, D, B, CAP>(args)` with the generator and discriminator types that the
/// config's architecture choices name, from the preset's lists of `variant => type`; a
/// variant the preset does not have is an error.
macro_rules! fit_preset {
    ($cfg:expr, $data:literal, $gens:tt, [$($da:ident => $d:ty),+], $b:expr, $cap:expr, $args:tt) => {
        match $cfg.discriminator {
            $(DiscArch::$da => fit_generator!($cfg, $data, $gens, $d, $b, $cap, $args),)+
            #[allow(unreachable_patterns)]
            other => bail!("config key `discriminator = \"{}\"` does not exist for {}", format!("{other:?}").to_lowercase(), $data),
        }
    };
}

/// The generator half of [`fit_preset`], for one discriminator type.
macro_rules! fit_generator {
    ($cfg:expr, $data:literal, [$($ga:ident => $g:ty),+], $d:ty, $b:expr, $cap:expr, $args:tt) => {
        match $cfg.generator {
            $(GenArch::$ga => fit::<$g, $d, $b, $cap> $args,)+
            #[allow(unreachable_patterns)]
            other => bail!("config key `generator = \"{}\"` does not exist for {}", format!("{other:?}").to_lowercase(), $data),
        }
    };
}

/// Trains on `data` with `config`; writes the model and reports into `out` if given
/// (the caller commits it, [`RunFolder::commit`]).
pub fn run(data: Dataset, config: &TrainConfig, out: Option<&mut RunFolder>) -> Result<Outcome> {
    config.validate()?;
    match data.toy() {
        Some(toy) => run_mixture(toy, data, config, out),
        None => run_digits(data, config, out),
    }
}

fn run_mixture(
    toy: Toy,
    data: Dataset,
    config: &TrainConfig,
    out: Option<&mut RunFolder>,
) -> Result<Outcome> {
    let mut rng = Prng::new(config.seed ^ 0xDA7A);
    let fill = move |batch: &mut [[f32; 2]; mixture::BATCH], _: &mut [u8; mixture::BATCH]| {
        batch.copy_from_slice(&toy.sample_model(&mut rng, mixture::BATCH));
    };
    let scalers = toy.scalers();
    let scaling = OutputScaling {
        offset: scalers.iter().map(|s| s.offset).collect(),
        scale: scalers.iter().map(|s| s.scale).collect(),
    };
    use mixture::{
        BATCH, MixD, MixDMbd, MixDPack, MixDPack2, MixDPack2Wide, MixDWide, MixG, MixGBn, MixGVbn,
        REPLAY,
    };
    fit_preset!(
        config,
        "the 2-D mixtures",
        [Plain => MixG, Batchnorm => MixGBn, Vbn => MixGVbn],
        [
            Plain => MixD,
            Minibatch => MixDMbd,
            Wide => MixDWide,
            Pack => MixDPack,
            Pack2 => MixDPack2,
            Pack2Wide => MixDPack2Wide
        ],
        BATCH,
        REPLAY,
        (data, config, fill, &scaling, out)
    )
}

fn run_digits(data: Dataset, config: &TrainConfig, out: Option<&mut RunFolder>) -> Result<Outcome> {
    let train_set = Digits::load()?.train;
    let mut rng = Prng::new(config.seed ^ 0xDA7A);
    let fill = move |batch: &mut [digits::Image; digits::BATCH],
                     labels: &mut [u8; digits::BATCH]| {
        for (img, label) in batch.iter_mut().zip(labels.iter_mut()) {
            let d = &train_set[index_below(&mut rng, train_set.len())];
            *label = d.label;
            for (k, px) in d.pixels.iter().enumerate() {
                img[0][k / 8][k % 8] = *px;
            }
        }
    };
    let s = crate::data::digits::PIXEL_SCALER;
    let scaling = OutputScaling {
        offset: vec![s.offset],
        scale: vec![s.scale],
    };
    use digits::{
        BATCH, DigitsD, DigitsDClasses, DigitsDMbd, DigitsDWide, DigitsG, DigitsGBn, DigitsGVbn,
        DigitsGWide, REPLAY,
    };
    fit_preset!(
        config,
        "digits",
        [Plain => DigitsG, Batchnorm => DigitsGBn, Vbn => DigitsGVbn, Wide => DigitsGWide],
        [
            Plain => DigitsD,
            Minibatch => DigitsDMbd,
            Wide => DigitsDWide,
            Classes => DigitsDClasses
        ],
        BATCH,
        REPLAY,
        (data, config, fill, &scaling, out)
    )
}

fn fit<G, D, const B: usize, const CAP: usize>(
    data: Dataset,
    config: &TrainConfig,
    mut fill: impl FnMut(&mut [D::In; B], &mut [u8; B]),
    scaling: &OutputScaling,
    out: Option<&mut RunFolder>,
) -> Result<Outcome>
where
    G: Generator + Fingerprint + Clone,
    D: Discriminator<In = G::Out> + Fingerprint + Clone,
{
    let k = config.generators as usize;
    let mut losses = Vec::with_capacity(config.steps as usize);
    let mut generators = Vec::with_capacity(k);
    let mut first_run = None;
    for i in 0..k {
        let cfg = TrainConfig {
            seed: generator_seed(config.seed, i),
            ..config.clone()
        };
        let trained = train::<G, D, B, CAP>(&cfg, &mut fill, |_, s| {
            if i == 0 {
                losses.push(*s)
            }
        })?;
        if i == 0 {
            first_run = Some(trained.run);
        }
        generators.push(trained.generator);
    }
    let per_generator: Vec<Vec<Vec<f32>>> = generators
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let seed = generator_seed(config.seed, i);
            sample_rows(&**g, seed).take(EVAL_N).collect()
        })
        .collect();
    let (samples, weights) = if k == 1 {
        (per_generator[0].clone(), vec![1])
    } else {
        let weights = Mixture::fit(data, &per_generator)?.weights(k);
        let sources = generators
            .iter()
            .enumerate()
            .map(|(i, g)| {
                Box::new(sample_rows(&**g, generator_seed(config.seed, i)))
                    as Box<dyn Iterator<Item = _>>
            })
            .collect();
        let samples = mixture_rows(weights.clone(), sources, config.seed)
            .take(EVAL_N)
            .collect();
        (samples, weights)
    };
    let metrics = data.score(&samples)?;
    if let Some(dir) = out {
        let best = (0..k)
            .max_by_key(|&i| (weights[i], std::cmp::Reverse(i)))
            .unwrap_or(0);
        let generator = About::new(Kind::Generator, data);
        save(
            &dir.file("model.tgan"),
            &*generators[best],
            Some(scaling),
            &generator,
        )?;
        if k > 1 {
            for (i, g) in generators
                .iter()
                .enumerate()
                .filter(|(i, _)| weights[*i] > 0)
            {
                save(
                    &dir.file(&format!("model-{i}.tgan")),
                    &**g,
                    Some(scaling),
                    &generator,
                )?;
            }
            let mix =
                serde_json::json!({ "weights": weights, "model": format!("model-{best}.tgan") });
            write_output(
                &dir.file("mixture.json"),
                (mix.to_string() + "\n").as_bytes(),
            )?;
        }
        if let Some(first) = first_run {
            let discriminator = About::new(Kind::Discriminator, data);
            save(
                &dir.file("discriminator.tgan"),
                &first.gan.d,
                None,
                &discriminator,
            )?;
        }
        write_output(&dir.file("config.toml"), config.to_toml().as_bytes())?;
        let json = serde_json::to_string_pretty(&metrics)? + "\n";
        write_output(&dir.file("metrics.json"), json.as_bytes())?;
        write_output(&dir.file("losses.csv"), losses_csv(&losses).as_bytes())?;
        crate::plot::save_samples(&dir.file("samples.png"), data, &samples)?;
    }
    Ok(Outcome {
        metrics,
        samples,
        losses,
    })
}

/// Digits shown in the terminal preview after training.
pub const PREVIEW: usize = 10;

/// What `tinygan train` shows after the JSON metrics: for digits, a row of generated
/// digits in ASCII and a table of the first `n` generated digits against `n` held-out real
/// ones (the ceiling; both scores depend on `n`, docs/ARCHITECTURE.md, Metrics), `n` = all
/// held-out digits.
/// Nothing for the 2-D mixtures (their metrics are already absolute).
pub fn summary(data: Dataset, outcome: &Outcome) -> Result<String> {
    if data != Dataset::Digits {
        return Ok(String::new());
    }
    let n = Digits::load()?.held_out.len().min(outcome.samples.len());
    let (EvalReport::Digits(g), EvalReport::Digits(c)) =
        (data.score(&outcome.samples[..n])?, data.ceiling(n, 0)?)
    else {
        bail!("digits are scored as digits");
    };
    let mut s = crate::plot::ascii_digits(&outcome.samples, PREVIEW);
    s += &format!(
        "{:<22}{:>18}{:>18}{:>17}\n",
        "", "classifier score", "Fréchet distance", "classes covered"
    );
    for (name, m) in [
        (format!("generated, n = {n}"), g),
        (format!("held-out real, n = {n}"), c),
    ] {
        s += &format!(
            "{name:<22}{:>18.2}{:>18.2}{:>17}\n",
            m.classifier_score, m.frechet_distance, m.classes_covered
        );
    }
    Ok(s)
}

fn losses_csv(losses: &[StepStats]) -> String {
    let cell = |l: Option<f32>| l.map_or(String::new(), |v| v.to_string());
    let mut s = String::from("iteration,d_loss,g_loss\n");
    for (i, l) in losses.iter().enumerate() {
        s += &format!("{i},{},{}\n", cell(l.d_loss), cell(l.g_loss));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DiscArch;

    /// One iteration of the baseline with `discriminator` and supervised weight `supervised`.
    fn one_step(discriminator: DiscArch, supervised: f32) -> TrainConfig {
        TrainConfig {
            steps: 1,
            discriminator,
            supervised,
            ..TrainConfig::baseline()
        }
    }

    /// The error of training `data` with `config`, as printed; panics if training works.
    fn error_of(data: Dataset, config: &TrainConfig) -> String {
        match run(data, config, None) {
            Ok(_) => panic!("{data:?} trained with {config:?}"),
            Err(err) => format!("{err:#}"),
        }
    }

    /// An architecture the data set has no preset for is an error naming the key, the
    /// value and the data set, not a silent fallback; the capacity knob exists for all.
    #[test]
    fn architectures_a_data_set_lacks_are_named_errors() {
        let msg = error_of(Dataset::Digits, &one_step(DiscArch::Pack2Wide, 0.0));
        assert!(
            msg.contains("discriminator = \"pack2wide\"") && msg.contains("digits"),
            "{msg}"
        );
        for data in [Dataset::Ring8, Dataset::Digits] {
            run(data, &one_step(DiscArch::Wide, 0.0), None).unwrap();
        }
        let msg = error_of(Dataset::Ring8, &one_step(DiscArch::Classes, 0.0));
        assert!(msg.contains("\"classes\""), "{msg}");
    }

    /// The supervised term needs a D with class outputs: a named error with the plain D,
    /// a run with the classes D.
    #[test]
    fn supervised_needs_the_classes_discriminator() {
        let msg = error_of(Dataset::Digits, &one_step(DiscArch::Plain, 0.5));
        assert!(
            msg.contains("`supervised`") && msg.contains("classes"),
            "{msg}"
        );
        run(Dataset::Digits, &one_step(DiscArch::Classes, 0.5), None).unwrap();
    }

    /// Every model file of a run records its kind and the data set: the generators
    /// (`model.tgan`, `model-k.tgan`) and `discriminator.tgan`.
    #[test]
    fn model_files_record_their_kind_and_data_set() {
        let dir = std::env::temp_dir().join(format!("tinygan-run-about-{}", std::process::id()));
        let config = TrainConfig {
            generators: 2,
            ..one_step(DiscArch::Plain, 0.0)
        };
        let mut folder = RunFolder::begin(&dir, false).unwrap();
        run(Dataset::Ring8, &config, Some(&mut folder)).unwrap();
        folder.commit().unwrap();
        let about = |name: &str| {
            let bytes = crate::model_io::read(&dir.join(name)).unwrap();
            About::of(&tinygan_core::model::ModelFile::parse(&bytes).unwrap()).unwrap()
        };
        let generator = About::new(Kind::Generator, Dataset::Ring8);
        assert_eq!(about("model.tgan"), generator);
        let mut kept = 0;
        for k in 0..2 {
            if dir.join(format!("model-{k}.tgan")).exists() {
                assert_eq!(about(&format!("model-{k}.tgan")), generator);
                kept += 1;
            }
        }
        assert!(kept >= 1, "a multiple-GAN run keeps at least one generator");
        assert_eq!(
            about("discriminator.tgan"),
            About::new(Kind::Discriminator, Dataset::Ring8)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A digits generator after one iteration draws noise-like images: it covers almost no
    /// class (under the previous rule, a tenth of the fair share by argmax, it covered 10).
    #[test]
    fn one_iteration_digits_generator_covers_almost_no_class() {
        let config = TrainConfig {
            steps: 1,
            seed: 0,
            ..Dataset::Digits.preset()
        };
        let outcome = run(Dataset::Digits, &config, None).unwrap();
        let EvalReport::Digits(m) = Dataset::Digits.score(&outcome.samples[..449]).unwrap() else {
            panic!("digits are scored as digits");
        };
        assert!(m.classes_covered <= 2, "{m:?}");
    }
}

#[cfg(test)]
mod pinned;
