//! `vazhi-train`: LoRA fine-tuning of a Qwen3 model on lint-clean shards.
//!
//!     vazhi-train train run.toml [--resume DIR] [--eval prompts.jsonl]
//!     vazhi-train merge --model DIR --adapter DIR --out DIR
//!     vazhi-train eval --model DIR [--adapter DIR] --prompts FILE --out DIR
//!     vazhi-train bench --shape qwen3-0.6b --batch 8 --seq 1024 --steps 3
//!     vazhi-train bench --shape qwen3-0.6b --seq 128 --generate 64

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use burn::module::AutodiffModule;
use burn::tensor::backend::AutodiffBackend;
use clap::{Parser, Subcommand};
use vazhi_lint::gate::GateError;
use vazhi_lint::tokens::ChatTemplate;

use vazhi_train::backend::BackendKind;
use vazhi_train::config::Qwen3Config;
use vazhi_train::data::Encoder;
use vazhi_train::eval::evaluate;
use vazhi_train::lora::{Adapters, LoraConfig, Target};
use vazhi_train::merge::{export, merge};
use vazhi_train::model::Qwen3;
use vazhi_train::parity::{Reference, logits_of, max_difference};
use vazhi_train::recipe::Recipe;
use vazhi_train::run::{RunError, run_recipe};

#[derive(Parser)]
#[command(
    name = "vazhi-train",
    version,
    about = "LoRA fine-tuning of Qwen3 models on lint-clean shards"
)]
struct Cli {
    /// ndarray (CPU) or cuda; the default is cuda when compiled in, else ndarray.
    #[arg(long, global = true)]
    backend: Option<BackendKind>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train adapters as a recipe (TOML) says.
    Train {
        recipe: PathBuf,
        /// A checkpoint folder of an earlier run of this recipe (`latest`: the newest in its out folder).
        #[arg(long)]
        resume: Option<String>,
        /// After training, answer these prompts greedily and lint the answers.
        #[arg(long)]
        eval: Option<PathBuf>,
        #[arg(long, default_value_t = 128)]
        max_new_tokens: usize,
    },
    /// Merge an adapter into its base model (in f32) and export a Hugging Face folder.
    Merge {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        adapter: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Greedy answers to a prompt file, linted with the response rules.
    Eval {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        adapter: Option<PathBuf>,
        #[arg(long)]
        prompts: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// tokenizer_config.json or Jinja file; ChatML when absent.
        #[arg(long)]
        chat_template: Option<PathBuf>,
        #[arg(long, default_value_t = 128)]
        max_new_tokens: usize,
    },
    /// Compare the model's logits with a reference file (scripts/qwen3_reference.py's
    /// reference.safetensors): exit 1 when they differ by more than the tolerance.
    Parity {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        reference: PathBuf,
        /// The logits tensor in the reference file.
        #[arg(long, default_value = "logits")]
        name: String,
        #[arg(long, default_value_t = 1e-4)]
        tolerance: f32,
    },
    /// Time training steps of a random model: tokens/s.
    Bench {
        /// `tiny` (the test fixture's shape), `qwen3-0.6b`, or a config.json.
        #[arg(long, default_value = "tiny")]
        shape: String,
        #[arg(long, default_value_t = 8)]
        batch: usize,
        #[arg(long, default_value_t = 256)]
        seq: usize,
        #[arg(long, default_value_t = 3)]
        steps: usize,
        #[arg(long, default_value_t = 16)]
        rank: usize,
        /// Share of each sequence that is trained on (its tail, like an answer after a prompt);
        /// the loss needs logits for these positions only.
        #[arg(long, default_value_t = 1.0)]
        labelled: f64,
        /// Time greedy generation of this many tokens after a `--seq`-token prompt instead of
        /// training steps (`--steps` runs; `--batch`, `--rank` and `--labelled` do not apply).
        #[arg(long)]
        generate: Option<usize>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(kind) = cli.backend.or_else(BackendKind::preferred) else {
        eprintln!("error: this build has no backend");
        return ExitCode::from(2);
    };
    let result = match kind {
        #[cfg(feature = "ndarray")]
        BackendKind::Ndarray => {
            dispatch::<burn::backend::Autodiff<vazhi_train::backend::Cpu>>(cli.command, &Default::default())
        }
        #[cfg(feature = "cuda")]
        BackendKind::Cuda => {
            dispatch::<burn::backend::Autodiff<vazhi_train::backend::Gpu>>(cli.command, &Default::default())
        }
        #[allow(unreachable_patterns)]
        _ => Err(format!("this build has no `{kind}` backend")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch<B: AutodiffBackend>(command: Command, device: &B::Device) -> Result<(), String> {
    match command {
        Command::Train {
            recipe,
            resume,
            eval,
            max_new_tokens,
        } => train::<B>(&recipe, resume.as_deref(), eval.as_deref(), max_new_tokens, device),
        Command::Merge { model, adapter, out } => {
            let (config, merged) = merge::<B::InnerBackend>(&model, &adapter, device).map_err(|e| e.to_string())?;
            export(&merged, &config, &out, Some(&model)).map_err(|e| e.to_string())?;
            println!(
                "merged {} into {} → {}",
                adapter.display(),
                model.display(),
                out.display()
            );
            Ok(())
        }
        Command::Eval {
            model,
            adapter,
            prompts,
            out,
            chat_template,
            max_new_tokens,
        } => {
            let template = match chat_template {
                Some(path) => ChatTemplate::from_file(&path).map_err(|e| e.to_string())?,
                None => ChatTemplate::ChatMl,
            };
            let encoder = Encoder::load(&model.join("tokenizer.json"), Arc::new(template), usize::MAX)
                .map_err(|e| e.to_string())?;
            let (_, base) = Qwen3::<B::InnerBackend>::load_dir(&model, device).map_err(|e| e.to_string())?;
            let adapters = match &adapter {
                Some(dir) => Some(Adapters::load_peft(&base, dir, device).map_err(|e| e.to_string())?),
                None => None,
            };
            let report = evaluate(
                &base,
                adapters.as_ref(),
                &encoder,
                &prompts,
                max_new_tokens,
                &out,
                device,
            )
            .map_err(|e| e.to_string())?;
            print!("{}", report.table());
            println!("answers: {}", report.generations.display());
            Ok(())
        }
        Command::Parity {
            model,
            reference,
            name,
            tolerance,
        } => {
            let reference = Reference::load(&reference, &name).map_err(|e| e.to_string())?;
            let logits = logits_of::<B::InnerBackend>(&model, &reference, device).map_err(|e| e.to_string())?;
            let difference = max_difference(&logits, &reference.logits);
            println!(
                "{}: max |burn - reference| = {difference:.3e} over {} logits",
                model.display(),
                logits.len()
            );
            if difference > tolerance {
                return Err(format!("logits differ by {difference:.3e}, more than {tolerance:e}"));
            }
            Ok(())
        }
        Command::Bench {
            shape,
            batch,
            seq,
            steps,
            rank,
            labelled,
            generate,
        } => {
            let config = match shape.as_str() {
                "qwen3-0.6b" => Qwen3Config::qwen3_0_6b(),
                "tiny" => tiny_shape(),
                path => Qwen3Config::load(Path::new(path)).map_err(|e| e.to_string())?,
            };
            if let Some(new_tokens) = generate {
                let timing = vazhi_train::bench::generation::<B::InnerBackend>(&config, seq, new_tokens, steps, device);
                println!(
                    "shape {shape}: greedy generation of {new_tokens} tokens after a {}-token prompt; {} runs: median {:.3} s to the first token, then {:.4} s/token ({:.1} tokens/s); totals {:?} s",
                    timing.prompt_tokens,
                    timing.total_seconds.len(),
                    timing.median_first_token_seconds(),
                    timing.seconds_per_new_token(),
                    1.0 / timing.seconds_per_new_token(),
                    timing
                        .total_seconds
                        .iter()
                        .map(|s| format!("{s:.3}"))
                        .collect::<Vec<_>>()
                );
                return Ok(());
            }
            let lora = LoraConfig {
                rank,
                alpha: 2.0 * rank as f64,
                dropout: 0.0,
                targets: Target::ALL.to_vec(),
            };
            let timing = vazhi_train::bench::training_steps::<B>(&config, &lora, [batch, seq], labelled, steps, device);
            println!(
                "shape {shape}: {} parameters, {} trainable; batch {batch} x {seq} tokens, {:.0}% labelled; {} steps: median {:.3} s/step, {:.0} tokens/s (steps: {:?})",
                timing.parameters,
                timing.trainable,
                labelled.clamp(0.0, 1.0) * 100.0,
                timing.step_seconds.len(),
                timing.median_seconds(),
                timing.tokens_per_second(),
                timing
                    .step_seconds
                    .iter()
                    .map(|s| format!("{s:.3}"))
                    .collect::<Vec<_>>()
            );
            Ok(())
        }
    }
}

/// The parity fixture's shape (tests/fixtures/tiny-qwen3/config.json).
fn tiny_shape() -> Qwen3Config {
    Qwen3Config {
        vocab_size: 1024,
        hidden_size: 64,
        intermediate_size: 128,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        head_dim: Some(16),
        tie_word_embeddings: true,
        ..Qwen3Config::qwen3_0_6b()
    }
}

fn train<B: AutodiffBackend>(
    recipe_path: &Path,
    resume: Option<&str>,
    eval: Option<&Path>,
    max_new_tokens: usize,
    device: &B::Device,
) -> Result<(), String> {
    let recipe = Recipe::load(recipe_path)?;
    let resume = match resume {
        Some("latest") => Some(latest_checkpoint(&recipe.train.out)?),
        Some(dir) => Some(PathBuf::from(dir)),
        None => None,
    };
    let mut log = |line: &str| println!("{line}");
    let trained = run_recipe::<B>(&recipe, resume.as_deref(), device, &mut log).map_err(|err| describe(&err))?;
    let outcome = &trained.outcome;
    println!(
        "trained {} steps: loss {:.4} → {:.4}; log {}; adapter {}",
        outcome.steps,
        outcome.first_loss.unwrap_or(f64::NAN),
        outcome.last_loss.unwrap_or(f64::NAN),
        outcome.log.display(),
        outcome.final_adapter.display()
    );
    if let Some(prompts) = eval {
        // The adapter as saved, on the base the run trained (without autodiff: no dropout).
        let base = trained.base.valid();
        let adapters = Adapters::load_peft(&base, &outcome.final_adapter, device).map_err(|e| e.to_string())?;
        let report = evaluate(
            &base,
            Some(&adapters),
            &trained.encoder,
            prompts,
            max_new_tokens,
            &recipe.train.out.join("eval"),
            device,
        )
        .map_err(|e| e.to_string())?;
        print!("{}", report.table());
        println!("answers: {}", report.generations.display());
    }
    Ok(())
}

/// The newest `checkpoint-NNNNNN` folder of a run.
fn latest_checkpoint(out: &Path) -> Result<PathBuf, String> {
    let entries = std::fs::read_dir(out).map_err(|err| format!("{}: {err}", out.display()))?;
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("checkpoint-"))
        })
        .max()
        .ok_or_else(|| format!("{}: no checkpoint to resume from", out.display()))
}

/// An error with every finding of a refused shard, not only the first few.
fn describe(err: &RunError) -> String {
    match err {
        RunError::Gate(GateError::Rejected { path, findings }) => {
            let mut text = format!("{}: refused by the gate: {} finding(s)", path.display(), findings.len());
            for finding in findings {
                let at = finding.position.map(|p| format!(":{p}")).unwrap_or_default();
                text.push_str(&format!(
                    "\n  {}{at} {} [{}] {}",
                    finding.path.display(),
                    finding.rule.code,
                    finding.rule.name,
                    finding.message
                ));
            }
            text
        }
        other => other.to_string(),
    }
}
