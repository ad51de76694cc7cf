//! A training run's TOML file: which model, which clean shards, which adapters, which schedule.
//!
//! ```toml
//! [model]
//! path = "models/Qwen3-0.6B"          # config.json, model.safetensors, tokenizer.json
//!
//! [data]
//! shards = ["data/clean/sft/kural-qa.jsonl"]
//! max-seq-len = 1024
//!
//! [lora]
//! rank = 16
//! alpha = 32
//! dropout = 0.05
//! targets = ["q", "k", "v", "o", "gate", "up", "down"]
//!
//! [train]
//! out = "runs/kural-qa"
//! epochs = 3
//! batch-size = 8
//! lr = 2e-4
//! ```
//!
//! Relative paths are resolved against the recipe file's folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::lora::LoraConfig;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Recipe {
    pub model: ModelSection,
    pub data: DataSection,
    pub lora: LoraConfig,
    pub train: TrainSection,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ModelSection {
    /// A Hugging Face model folder: config.json, model.safetensors (or an index), tokenizer.json.
    pub path: PathBuf,
    /// tokenizer.json, if not in the model folder.
    pub tokenizer: Option<PathBuf>,
    /// A `tokenizer_config.json` or Jinja file with the chat template; Qwen's ChatML when absent
    /// (the linter's default too, so both count the same tokens).
    pub chat_template: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DataSection {
    /// Shard files, each linted by the gate before training (with the model's tokenizer and
    /// `max-seq-len`, so the token rules judge exactly what will be trained on).
    #[serde(default)]
    pub shards: Vec<PathBuf>,
    /// Or: a `cargo vazhi split` output (folder or manifest) and the clean shards to take from
    /// it, named as the manifest names them; their hashes are checked instead of linting again.
    pub manifest: Option<PathBuf>,
    #[serde(default)]
    pub manifest_shards: Vec<String>,
    /// The linter's configuration; discovered from the shard's folder upwards when absent.
    pub lint_config: Option<PathBuf>,
    /// Refuse shards with warnings too, not only errors.
    #[serde(default)]
    pub strict: bool,
    pub max_seq_len: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TrainSection {
    /// Run folder: log, checkpoints, final adapter.
    pub out: PathBuf,
    /// Passes over the data; ignored when `steps` is set.
    #[serde(default = "one")]
    pub epochs: usize,
    /// Optimizer steps; overrides `epochs`.
    pub steps: Option<usize>,
    #[serde(default = "default_batch")]
    pub batch_size: usize,
    #[serde(default = "one")]
    pub grad_accum: usize,
    /// Batches are padded to a multiple of this many tokens (bounded by max-seq-len), so a JIT
    /// backend compiles kernels for a few lengths rather than every one.
    #[serde(default = "default_pad_to")]
    pub pad_to_multiple: usize,
    pub lr: f64,
    /// The cosine schedule ends at `lr * min-lr-ratio`.
    #[serde(default)]
    pub min_lr_ratio: f64,
    #[serde(default)]
    pub warmup_steps: usize,
    #[serde(default)]
    pub weight_decay: f64,
    /// Global gradient-norm clip; none when absent.
    pub clip_grad_norm: Option<f64>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "one")]
    pub log_every: usize,
    /// Adapter checkpoints every N steps (and always at the end); none when absent.
    pub checkpoint_every: Option<usize>,
}

fn one() -> usize {
    1
}

fn default_batch() -> usize {
    8
}

fn default_pad_to() -> usize {
    64
}

fn default_seed() -> u64 {
    1330
}

/// `a/b/../c` as `a/c`, without touching the file system (the paths may not exist yet), so
/// messages name files the way a reader would write them.
fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl Recipe {
    /// Reads a recipe, resolving relative paths against its folder. Unknown keys are errors
    /// naming the key.
    pub fn load(path: &Path) -> Result<Recipe, String> {
        let text = std::fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))?;
        let mut recipe: Recipe = toml::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        recipe.resolve(base);
        recipe.validate().map_err(|err| format!("{}: {err}", path.display()))?;
        Ok(recipe)
    }

    fn resolve(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = lexically_normal(&base.join(&*p));
            }
        };
        fix(&mut self.model.path);
        self.model.tokenizer.as_mut().map(fix);
        self.model.chat_template.as_mut().map(fix);
        self.data.shards.iter_mut().for_each(fix);
        self.data.manifest.as_mut().map(fix);
        self.data.lint_config.as_mut().map(fix);
        fix(&mut self.train.out);
    }

    pub fn validate(&self) -> Result<(), String> {
        self.lora.validate()?;
        if self.data.shards.is_empty() && self.data.manifest.is_none() {
            return Err("data: no shards and no manifest".into());
        }
        if self.data.manifest.is_some() == self.data.manifest_shards.is_empty() {
            return Err("data: `manifest` and `manifest-shards` go together".into());
        }
        if self.data.max_seq_len < 2 {
            return Err("data.max-seq-len must be at least 2".into());
        }
        let t = &self.train;
        if t.batch_size == 0 || t.grad_accum == 0 || t.log_every == 0 || t.epochs == 0 || t.pad_to_multiple == 0 {
            return Err(
                "train: batch-size, grad-accum, pad-to-multiple, log-every and epochs must be at least 1".into(),
            );
        }
        if t.checkpoint_every == Some(0) || t.steps == Some(0) {
            return Err("train: steps and checkpoint-every must be at least 1".into());
        }
        if t.lr.is_nan() || t.lr <= 0.0 || !(0.0..=1.0).contains(&t.min_lr_ratio) {
            return Err("train: lr must be positive and min-lr-ratio in [0, 1]".into());
        }
        Ok(())
    }

    pub fn tokenizer_path(&self) -> PathBuf {
        self.model
            .tokenizer
            .clone()
            .unwrap_or_else(|| self.model.path.join("tokenizer.json"))
    }

    /// The learning rate at optimizer step `step` (0-based) of `total`: linear warmup from 0,
    /// then cosine decay to `lr * min-lr-ratio` at the last step.
    pub fn learning_rate(&self, step: usize, total: usize) -> f64 {
        let t = &self.train;
        if step < t.warmup_steps {
            return t.lr * (step + 1) as f64 / t.warmup_steps as f64;
        }
        let decay_steps = total.saturating_sub(t.warmup_steps).max(1);
        let progress = ((step - t.warmup_steps) as f64 / decay_steps as f64).min(1.0);
        let floor = t.lr * t.min_lr_ratio;
        floor + (t.lr - floor) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(extra: &str) -> Result<Recipe, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.toml");
        std::fs::write(
            &path,
            format!(
                "[model]\npath = \"m\"\n[data]\nshards = [\"a.jsonl\"]\nmax-seq-len = 64\n\
                 [lora]\nrank = 4\nalpha = 8\ntargets = [\"q\", \"v\"]\n[train]\nout = \"run\"\nlr = 1e-3\n{extra}"
            ),
        )
        .unwrap();
        Recipe::load(&path)
    }

    #[test]
    fn paths_resolve_against_the_recipe() {
        let recipe = recipe("warmup-steps = 2\n").unwrap();
        assert!(recipe.model.path.ends_with("m") && recipe.model.path.is_absolute());
        assert!(recipe.data.shards[0].is_absolute());
        assert_eq!(recipe.train.batch_size, 8);
    }

    #[test]
    fn parent_components_fold_away() {
        assert_eq!(lexically_normal(Path::new("a/b/../../c/./d")), PathBuf::from("c/d"));
        assert_eq!(lexically_normal(Path::new("../x/../y")), PathBuf::from("../y"));
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = recipe("learning-rate = 1\n").unwrap_err();
        assert!(err.contains("learning-rate"), "{err}");
    }

    #[test]
    fn warmup_then_cosine_to_the_floor() {
        let recipe = recipe("warmup-steps = 4\nmin-lr-ratio = 0.1\n").unwrap();
        let lrs: Vec<f64> = (0..14).map(|s| recipe.learning_rate(s, 14)).collect();
        assert!((lrs[0] - 2.5e-4).abs() < 1e-12 && (lrs[3] - 1e-3).abs() < 1e-12);
        assert!((lrs[4] - 1e-3).abs() < 1e-12, "decay starts at the peak");
        assert!(lrs[4..].windows(2).all(|w| w[1] < w[0]), "{lrs:?}");
        assert!((recipe.learning_rate(14, 14) - 1e-4).abs() < 1e-12);
    }
}
