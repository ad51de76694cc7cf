//! A recipe from files to a trained adapter: load the model, admit the shards through the gate,
//! build the examples, train.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use burn::tensor::backend::AutodiffBackend;
use vazhi_lint::Severity;
use vazhi_lint::gate::{self, CleanShard, GateError};
use vazhi_lint::settings::{ConfigError, Settings};
use vazhi_lint::tokens::{ChatTemplate, TokenSettings};

use crate::config::{ConfigError as ModelConfigError, Qwen3Config};
use crate::data::{DataError, DataSummary, Encoder, load_examples};
use crate::model::Qwen3;
use crate::recipe::Recipe;
use crate::train::{Outcome, TrainError, train};
use crate::weights::{Checkpoint, WeightsError};

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Model(#[from] ModelConfigError),
    #[error(transparent)]
    Weights(#[from] WeightsError),
    #[error("lint settings: {0}")]
    Settings(String),
    #[error(transparent)]
    Gate(#[from] GateError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error("{path}: the tokenizer has {tokenizer} tokens but the model's vocabulary is {model}")]
    Vocabulary {
        path: PathBuf,
        tokenizer: usize,
        model: usize,
    },
}

impl From<ConfigError> for RunError {
    fn from(err: ConfigError) -> Self {
        RunError::Settings(err.to_string())
    }
}

/// The chat template a recipe trains with: its file, or ChatML.
pub fn chat_template(recipe: &Recipe) -> Result<ChatTemplate, RunError> {
    match &recipe.model.chat_template {
        Some(path) => ChatTemplate::from_file(path).map_err(|err| RunError::Settings(err.to_string())),
        None => Ok(ChatTemplate::ChatMl),
    }
}

/// Admits the recipe's shards. Shards named directly are linted with the model's tokenizer and
/// the recipe's `max-seq-len` added to the lint settings, so the token rules judge the very
/// window training uses; shards from a split's manifest are admitted by hash under the settings
/// they were split with.
pub fn admit_shards(recipe: &Recipe) -> Result<(Vec<CleanShard>, Settings), RunError> {
    let data = &recipe.data;
    let start = data
        .shards
        .first()
        .and_then(|p| p.parent())
        .or(data.manifest.as_deref())
        .unwrap_or(Path::new("."));
    let mut settings = match &data.lint_config {
        Some(path) => Settings::from_file(path)?,
        None => Settings::discover(start)?,
    };
    let mut shards = Vec::new();
    if let Some(manifest) = &data.manifest {
        for name in &data.manifest_shards {
            shards.push(gate::admit_from_manifest(manifest, name, &settings)?);
        }
    }
    if !data.shards.is_empty() {
        let tokens = TokenSettings::load(
            &recipe.tokenizer_path(),
            data.max_seq_len,
            recipe.model.chat_template.as_deref(),
        )
        .map_err(RunError::Settings)?;
        settings.tokens = Some(tokens);
        let threshold = if data.strict {
            Severity::Warning
        } else {
            Severity::Error
        };
        for shard in &data.shards {
            shards.push(gate::admit_at(shard, &settings, threshold)?);
        }
    }
    Ok((shards, settings))
}

/// The id batches are padded with: the tokenizer config's `pad_token`, else `<|endoftext|>`,
/// else 0. Padding never carries loss, so any id is correct; a real pad token keeps logs honest.
pub fn pad_id(encoder: &Encoder, model_dir: &Path) -> u32 {
    let tokenizer = encoder.tokenizer();
    let configured = std::fs::read_to_string(model_dir.join("tokenizer_config.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|config| match &config["pad_token"] {
            serde_json::Value::String(token) => Some(token.clone()),
            serde_json::Value::Object(token) => token.get("content").and_then(|c| c.as_str()).map(str::to_owned),
            _ => None,
        });
    configured
        .as_deref()
        .and_then(|token| tokenizer.token_to_id(token))
        .or_else(|| tokenizer.token_to_id("<|endoftext|>"))
        .unwrap_or(0)
}

/// The tokenizer and template of a recipe, checked against the model's vocabulary.
pub fn encoder(recipe: &Recipe, config: &Qwen3Config) -> Result<Encoder, RunError> {
    let path = recipe.tokenizer_path();
    let encoder = Encoder::load(&path, Arc::new(chat_template(recipe)?), recipe.data.max_seq_len)?;
    let size = encoder.tokenizer().get_vocab_size(true);
    if size > config.vocab_size {
        return Err(RunError::Vocabulary {
            path,
            tokenizer: size,
            model: config.vocab_size,
        });
    }
    Ok(encoder)
}

/// What a recipe run leaves: its outcome, what became of the data, and the base model and
/// encoder it trained with, so an evaluation after training need not load them again.
pub struct Trained<B: AutodiffBackend> {
    pub outcome: Outcome,
    pub summary: DataSummary,
    pub base: Qwen3<B>,
    pub encoder: Encoder,
}

/// Runs a recipe: gate, examples, model, training. Progress lines go to `log`.
pub fn run_recipe<B: AutodiffBackend>(
    recipe: &Recipe,
    resume: Option<&Path>,
    device: &B::Device,
    log: &mut dyn FnMut(&str),
) -> Result<Trained<B>, RunError> {
    let config = Qwen3Config::load(&recipe.model.path)?;
    let (shards, settings) = admit_shards(recipe)?;
    for shard in &shards {
        log(&format!(
            "admitted {} ({} records, sha256 {}…)",
            shard.path().display(),
            shard.records(),
            &shard.sha256()[..12]
        ));
    }
    let encoder = encoder(recipe, &config)?;
    let (examples, summary) = load_examples(&shards, &settings, &encoder)?;
    log(&format!(
        "{} examples from {} records: {} tokens, {} of them targets; {} truncated at {}, {} left out with no target in the window",
        summary.examples,
        summary.records,
        summary.tokens,
        summary.target_tokens,
        summary.truncated,
        recipe.data.max_seq_len,
        summary.without_targets
    ));
    let mut checkpoint = Checkpoint::load(&recipe.model.path)?;
    let base = Qwen3::<B>::load(&config, &mut checkpoint, device)?;
    let pad = pad_id(&encoder, &recipe.model.path);
    let outcome = train(recipe, &base, &examples, pad, resume, device, log)?;
    Ok(Trained {
        outcome,
        summary,
        base,
        encoder,
    })
}
