//! Token settings: the tokenizer, the window and the chat template a lint run counts with, loaded
//! once and shared by every worker.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{ChatTemplate, TokenCounter};

/// Which implementation counts the tokens. The verdicts and counts are the same either way
/// (the fast path is tested against `Tokenizer::encode`); only the speed differs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenEngine {
    /// The count-only byte-level BPE and the byte bound where the tokenizer allows them,
    /// `Tokenizer::encode` otherwise.
    #[default]
    Auto,
    /// `Tokenizer::encode` for every sample, no byte bound: the reference implementation, for
    /// cross-checking a surprising count and as the benchmark's baseline.
    Encode,
}

/// What the token rules count with.
#[derive(Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct TokenSettings {
    pub tokenizer: PathBuf,
    /// SHA-256 of the tokenizer file: a split's manifest trusts shards under this tokenizer only.
    pub tokenizer_sha256: String,
    pub max_seq_len: usize,
    pub chat_template: Option<PathBuf>,
    /// Not part of a split's settings fingerprint: both engines give the same verdicts.
    pub engine: TokenEngine,
    #[serde(skip)]
    pub counter: Arc<TokenCounter>,
    #[serde(skip)]
    pub template: Arc<ChatTemplate>,
}

impl std::fmt::Debug for TokenSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSettings")
            .field("tokenizer", &self.tokenizer)
            .field("max_seq_len", &self.max_seq_len)
            .field("chat_template", &self.chat_template)
            .field("engine", &self.engine)
            .finish()
    }
}

/// Whether a tokenizer_config.json carries a `chat_template`.
fn has_chat_template(path: &Path) -> bool {
    crate::small_file::read_text(path, crate::small_file::TOKENIZER_BYTES, "a tokenizer configuration")
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|json| json.get("chat_template").is_some())
}

impl TokenSettings {
    /// Loads the tokenizer (and template); paths are taken as given. Counts with
    /// [`TokenEngine::Auto`].
    pub fn load(tokenizer: &Path, max_seq_len: usize, chat_template: Option<&Path>) -> Result<TokenSettings, String> {
        Self::load_with_engine(tokenizer, max_seq_len, chat_template, TokenEngine::Auto)
    }

    /// [`load`](Self::load), counting with `engine`.
    pub fn load_with_engine(
        tokenizer: &Path,
        max_seq_len: usize,
        chat_template: Option<&Path>,
        engine: TokenEngine,
    ) -> Result<TokenSettings, String> {
        if max_seq_len == 0 {
            return Err("max-seq-len must be at least 1".into());
        }
        // A model folder: its tokenizer.json, and its tokenizer_config.json's chat template unless
        // one is given.
        let folder = tokenizer.is_dir();
        let (tokenizer, config) = super::audit::locate(tokenizer, None);
        let tokenizer = tokenizer.as_path();
        let chat_template = match chat_template {
            Some(path) => Some(path.to_path_buf()),
            None if folder => config.filter(|path| has_chat_template(path)),
            None => None,
        };
        let chat_template = chat_template.as_deref();
        let mut counter = TokenCounter::from_file(tokenizer).map_err(|err| {
            format!(
                "tokenizer: {err} (`cargo vazhi tokenizer {}` shows what in the file is wrong)",
                tokenizer.display()
            )
        })?;
        if engine == TokenEngine::Encode {
            counter = counter.encode_only();
        }
        let (tokenizer_sha256, _) = crate::digest::file_digest(tokenizer)
            .map_err(|err| format!("tokenizer: {}: {err}", tokenizer.display()))?;
        let template = match chat_template {
            Some(path) => ChatTemplate::from_file(path).map_err(|err| format!("chat-template: {err}"))?,
            None => ChatTemplate::ChatMl,
        };
        Ok(TokenSettings {
            tokenizer: tokenizer.to_owned(),
            tokenizer_sha256,
            max_seq_len,
            chat_template: chat_template.map(Path::to_path_buf),
            engine,
            counter: Arc::new(counter),
            template: Arc::new(template),
        })
    }
}
