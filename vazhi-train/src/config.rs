//! A Qwen3 model's shape, read from the Hugging Face `config.json` it ships with.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The fields of a Qwen3 `config.json` the architecture needs. Unknown fields are kept in `rest` so
/// an exported merged model carries the original config through unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Qwen3Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: usize,
    /// Qwen3 sets it explicitly (128 for 0.6B, where hidden/heads would be 64).
    #[serde(default)]
    pub head_dim: Option<usize>,
    #[serde(default = "default_eps")]
    pub rms_norm_eps: f64,
    /// Top level in transformers 4 configs (Qwen3-0.6B's own); transformers 5 writes
    /// `rope_parameters.rope_theta` instead (see [`Qwen3Config::rope_theta`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rope_theta: Option<f64>,
    #[serde(default)]
    pub tie_word_embeddings: bool,
    #[serde(default)]
    pub attention_bias: bool,
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

fn default_eps() -> f64 {
    1e-6
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Qwen3Config {
    /// Reads `config.json` from a model directory (or the file itself).
    pub fn load(path: &Path) -> Result<Qwen3Config, ConfigError> {
        let path = if path.is_dir() {
            path.join("config.json")
        } else {
            path.to_owned()
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io {
            path: path.clone(),
            source,
        })?;
        let config: Qwen3Config = serde_json::from_str(&text).map_err(|err| ConfigError::Invalid {
            path: path.clone(),
            message: err.to_string(),
        })?;
        config
            .validate()
            .map_err(|message| ConfigError::Invalid { path, message })?;
        Ok(config)
    }

    /// Checks what the implementation relies on.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(kind) = &self.model_type
            && kind != "qwen3"
        {
            return Err(format!("model_type is `{kind}`; vazhi-train implements qwen3"));
        }
        if self.attention_bias {
            return Err("attention_bias = true is not Qwen3's architecture".into());
        }
        if self.num_attention_heads == 0 || self.num_key_value_heads == 0 {
            return Err("num_attention_heads and num_key_value_heads must be positive".into());
        }
        if !self.num_attention_heads.is_multiple_of(self.num_key_value_heads) {
            return Err(format!(
                "num_attention_heads ({}) is not a multiple of num_key_value_heads ({})",
                self.num_attention_heads, self.num_key_value_heads
            ));
        }
        let rope_type = self
            .rope_parameters()
            .and_then(|p| p.get("rope_type").or_else(|| p.get("type")))
            .and_then(|t| t.as_str());
        if let Some(kind) = rope_type
            && kind != "default"
        {
            return Err(format!(
                "rope type `{kind}` (scaled rotary embeddings) is not implemented"
            ));
        }
        if self.rest.get("use_sliding_window").and_then(|v| v.as_bool()) == Some(true) {
            return Err("use_sliding_window = true is not implemented".into());
        }
        if !self.head_dim().is_multiple_of(2) {
            return Err(format!(
                "head_dim {} is odd; rotary embeddings need pairs",
                self.head_dim()
            ));
        }
        Ok(())
    }

    /// `rope_parameters` (transformers 5) or `rope_scaling` (transformers 4), when set.
    fn rope_parameters(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        ["rope_parameters", "rope_scaling"]
            .iter()
            .find_map(|key| self.rest.get(*key).and_then(|v| v.as_object()))
    }

    /// The rotary base: top-level `rope_theta`, else `rope_parameters.rope_theta`, else Qwen3's 1e6.
    pub fn rope_theta(&self) -> f64 {
        self.rope_theta
            .or_else(|| self.rope_parameters()?.get("rope_theta")?.as_f64())
            .unwrap_or(1_000_000.0)
    }

    pub fn head_dim(&self) -> usize {
        self.head_dim.unwrap_or(self.hidden_size / self.num_attention_heads)
    }

    /// Parameters of the model (embeddings counted once when tied).
    pub fn parameters(&self) -> usize {
        let (h, d) = (self.hidden_size, self.head_dim());
        let attention = h * self.num_attention_heads * d * 2 + h * self.num_key_value_heads * d * 2 + 2 * d;
        let mlp = 3 * h * self.intermediate_size;
        let layer = attention + mlp + 2 * h;
        let head = if self.tie_word_embeddings {
            0
        } else {
            self.vocab_size * h
        };
        self.vocab_size * h + self.num_hidden_layers * layer + h + head
    }

    /// Qwen3-0.6B's shape, for benchmarks with random weights.
    pub fn qwen3_0_6b() -> Qwen3Config {
        Qwen3Config {
            vocab_size: 151_936,
            hidden_size: 1024,
            intermediate_size: 3072,
            num_hidden_layers: 28,
            num_attention_heads: 16,
            num_key_value_heads: 8,
            head_dim: Some(128),
            rms_norm_eps: 1e-6,
            rope_theta: Some(1_000_000.0),
            tie_word_embeddings: true,
            attention_bias: false,
            model_type: Some("qwen3".into()),
            rest: serde_json::Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qwen3_0_6b_has_its_published_parameter_count() {
        // The model card: 0.6B parameters, 0.44B of them outside the (tied) embedding.
        let config = Qwen3Config::qwen3_0_6b();
        assert_eq!(config.parameters(), 596_049_920);
        assert_eq!(
            config.parameters() - config.vocab_size * config.hidden_size,
            440_467_456
        );
    }

    #[test]
    fn reads_rope_theta_from_either_transformers_layout() {
        let v4: Qwen3Config = serde_json::from_str(
            r#"{"vocab_size":8,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,
                "num_attention_heads":2,"num_key_value_heads":1,"rope_theta":10000.0}"#,
        )
        .unwrap();
        let v5: Qwen3Config = serde_json::from_str(
            r#"{"vocab_size":8,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,
                "num_attention_heads":2,"num_key_value_heads":1,
                "rope_parameters":{"rope_theta":20000.0,"rope_type":"default"}}"#,
        )
        .unwrap();
        assert_eq!((v4.rope_theta(), v5.rope_theta()), (10000.0, 20000.0));
        let mut yarn = v5.clone();
        yarn.rest.insert(
            "rope_parameters".into(),
            serde_json::json!({"rope_type": "yarn", "factor": 4.0}),
        );
        assert!(yarn.validate().unwrap_err().contains("yarn"));
    }

    #[test]
    fn rejects_heads_that_do_not_group() {
        let mut config = Qwen3Config::qwen3_0_6b();
        config.num_key_value_heads = 5;
        assert!(config.validate().unwrap_err().contains("not a multiple"));
    }
}
