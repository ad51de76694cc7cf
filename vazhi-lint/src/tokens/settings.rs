//! Token settings: the tokenizer, the window and the chat template a lint run counts with, loaded
//! once and shared by every worker.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::{ChatTemplate, TokenCounter};

/// What the token rules count with.
#[derive(Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct TokenSettings {
    pub tokenizer: PathBuf,
    /// SHA-256 of the tokenizer file: a split's manifest trusts shards under this tokenizer only.
    pub tokenizer_sha256: String,
    pub max_seq_len: usize,
    pub chat_template: Option<PathBuf>,
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
            .finish()
    }
}

impl TokenSettings {
    /// Loads the tokenizer (and template); paths are taken as given.
    pub fn load(tokenizer: &Path, max_seq_len: usize, chat_template: Option<&Path>) -> Result<TokenSettings, String> {
        if max_seq_len == 0 {
            return Err("max-seq-len must be at least 1".into());
        }
        let counter = TokenCounter::from_file(tokenizer).map_err(|err| format!("tokenizer: {err}"))?;
        let (tokenizer_sha256, _) =
            crate::split::file_digest(tokenizer).map_err(|err| format!("tokenizer: {}: {err}", tokenizer.display()))?;
        let template = match chat_template {
            Some(path) => ChatTemplate::from_file(path).map_err(|err| format!("chat-template: {err}"))?,
            None => ChatTemplate::ChatMl,
        };
        Ok(TokenSettings {
            tokenizer: tokenizer.to_owned(),
            tokenizer_sha256,
            max_seq_len,
            chat_template: chat_template.map(Path::to_path_buf),
            counter: Arc::new(counter),
            template: Arc::new(template),
        })
    }
}
