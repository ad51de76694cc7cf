//! What a dataset is: the records judged together by dataset rules (duplicates, format mix, skew).
//! By default each file is its own dataset; `[[datasets]]` in vazhi.toml groups files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use crate::record::Layout;

/// The kind of data a dataset is declared to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetKind {
    /// Plain text for continued pretraining (DAPT).
    Raw,
    /// Chat records of any one layout (SFT).
    Chat,
    ChatmlText,
    Messages,
    Sharegpt,
    Alpaca,
    PromptCompletion,
    /// Preference pairs (prompt, chosen, rejected) for DPO-style training.
    Preference,
}

impl DatasetKind {
    pub fn admits(self, format: Layout) -> bool {
        match self {
            DatasetKind::Raw => format == Layout::Raw,
            DatasetKind::Chat => format.is_chat(),
            DatasetKind::ChatmlText => format == Layout::ChatMlText,
            DatasetKind::Messages => format == Layout::Messages,
            DatasetKind::Sharegpt => format == Layout::ShareGpt,
            DatasetKind::Alpaca => format == Layout::Alpaca,
            DatasetKind::PromptCompletion => format == Layout::PromptCompletion,
            DatasetKind::Preference => format == Layout::Preference,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Raw => "raw",
            DatasetKind::Chat => "chat",
            DatasetKind::ChatmlText => "chatml-text",
            DatasetKind::Messages => "messages",
            DatasetKind::Sharegpt => "sharegpt",
            DatasetKind::Alpaca => "alpaca",
            DatasetKind::PromptCompletion => "prompt-completion",
            DatasetKind::Preference => "preference",
        }
    }
}

/// `[[datasets]]` in vazhi.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DatasetOptions {
    pub name: String,
    /// Globs relative to the configuration file's folder.
    pub paths: Vec<String>,
    pub kind: Option<DatasetKind>,
}

/// A resolved dataset group.
#[derive(Debug, Clone)]
pub struct DatasetSpec {
    pub name: String,
    pub patterns: Vec<String>,
    pub matcher: GlobSet,
    pub kind: Option<DatasetKind>,
}

impl DatasetSpec {
    pub fn resolve(options: DatasetOptions) -> Result<DatasetSpec, String> {
        let mut builder = GlobSetBuilder::new();
        for pattern in &options.paths {
            let glob = Glob::new(pattern)
                .map_err(|err| format!("datasets `{}`: bad glob `{pattern}`: {err}", options.name))?;
            builder.add(glob);
        }
        let matcher = builder
            .build()
            .map_err(|err| format!("datasets `{}`: {err}", options.name))?;
        Ok(DatasetSpec {
            name: options.name,
            patterns: options.paths,
            matcher,
            kind: options.kind,
        })
    }
}

/// A dataset of one run: its name, expected kind and files, in the order they were linted.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub name: String,
    pub kind: Option<DatasetKind>,
    pub files: Vec<Arc<Path>>,
}

impl Dataset {
    /// Where dataset-level findings point: the dataset's first file.
    pub fn first_file(&self) -> Arc<Path> {
        self.files
            .first()
            .cloned()
            .unwrap_or_else(|| Arc::from(PathBuf::from(&self.name)))
    }
}
