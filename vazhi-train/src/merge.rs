//! Merging an adapter into its base model and exporting the result as a Hugging Face folder.
//!
//! `W' = W + (alpha / r) · A · B`, computed in f32 whatever dtype the base was stored in, and
//! written as f32 safetensors with Hugging Face names beside the original config — the VAZHI
//! v3.6 model was destroyed by a merge into 4-bit weights.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use burn::tensor::backend::Backend;

use crate::config::Qwen3Config;
use crate::lora::{AdapterError, Adapters};
use crate::model::{ModelError, Qwen3};
use crate::weights::{self, WeightsError};

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Weights(#[from] WeightsError),
    #[error(transparent)]
    Adapter(#[from] AdapterError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Files of a model folder that describe its tokenizer and generation, copied beside the merged
/// weights so the export loads as is.
const COMPANIONS: [&str; 6] = [
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "merges.txt",
    "generation_config.json",
];

/// Loads `model_dir`, merges the PEFT adapter in `adapter_dir`, returns the merged model.
pub fn merge<B: Backend>(
    model_dir: &Path,
    adapter_dir: &Path,
    device: &B::Device,
) -> Result<(Qwen3Config, Qwen3<B>), MergeError> {
    let (config, base) = Qwen3::<B>::load_dir(model_dir, device)?;
    let adapters = Adapters::load_peft(&base, adapter_dir, device)?;
    Ok((config, adapters.merge_into(base)))
}

/// Writes `model` as a Hugging Face folder: `model.safetensors` (f32), `config.json` (the
/// original with `torch_dtype = float32`), and the tokenizer files found in `companions_from`.
pub fn export<B: Backend>(
    model: &Qwen3<B>,
    config: &Qwen3Config,
    out: &Path,
    companions_from: Option<&Path>,
) -> Result<(), MergeError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| MergeError::Io { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let mut metadata = HashMap::new();
    // transformers refuses safetensors files without a known `format`.
    metadata.insert("format".to_owned(), "pt".to_owned());
    weights::save(&out.join("model.safetensors"), &model.to_checkpoint(), Some(metadata))?;
    let mut config = config.clone();
    // transformers 5 names the dtype `dtype`, transformers 4 `torch_dtype`: both say f32 now.
    for key in ["dtype", "torch_dtype"] {
        config
            .rest
            .insert(key.into(), serde_json::Value::String("float32".into()));
    }
    config
        .rest
        .insert("architectures".into(), serde_json::json!(["Qwen3ForCausalLM"]));
    config.model_type = Some("qwen3".into());
    let text = serde_json::to_string_pretty(&config).expect("config serialises");
    let config_path = out.join("config.json");
    std::fs::write(&config_path, text + "\n").map_err(io(&config_path))?;
    if let Some(dir) = companions_from {
        for name in COMPANIONS {
            let from = dir.join(name);
            if from.is_file() {
                std::fs::copy(&from, out.join(name)).map_err(io(&from))?;
            }
        }
    }
    Ok(())
}
