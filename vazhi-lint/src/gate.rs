//! The gate: the one way training code gets a shard. [`CleanShard`] has private fields and no public
//! constructor, so a data loader that takes `CleanShard` cannot be handed a file nobody checked —
//! it gets one only from [`admit`] (which lints the file) or [`admit_from_manifest`] (which verifies
//! a `cargo vazhi split` manifest entry: the shard's SHA-256 and the settings it passed under).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::conversation::{Conversation, ReadError};
use crate::digest::file_digest;
use crate::engine::{Linter, Silent};
use crate::finding::Finding;
use crate::rule::Severity;
use crate::settings::Settings;
use crate::split::MANIFEST;

/// A shard that passed the linter under known settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanShard {
    path: PathBuf,
    sha256: String,
    records: u64,
    settings_sha256: String,
}

impl CleanShard {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SHA-256 of the shard's bytes when it was admitted.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    /// Fingerprint of the settings the shard passed under ([`Settings::fingerprint`]).
    pub fn settings_sha256(&self) -> &str {
        &self.settings_sha256
    }

    /// The shard's records as conversations, for a data loader. The bytes are re-checked against
    /// the admitted hash first, so what is read is what passed.
    pub fn conversations(&self, settings: &Settings) -> Result<Vec<Conversation>, GateError> {
        self.verify()?;
        Ok(crate::conversation::read(&self.path, &settings.fields)?)
    }

    /// Re-checks the bytes against the admitted hash, for a loader that opens the file much later.
    pub fn verify(&self) -> Result<(), GateError> {
        let (sha256, _) = file_digest(&self.path).map_err(|source| GateError::Io {
            path: self.path.clone(),
            source,
        })?;
        if sha256 != self.sha256 {
            return Err(GateError::Changed {
                path: self.path.clone(),
                expected: self.sha256.clone(),
                actual: sha256,
            });
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The shard has findings at or above the gate's severity.
    #[error("{path}: refused: {} finding(s){}", findings.len(), summary(findings))]
    Rejected { path: PathBuf, findings: Vec<Finding> },
    /// The shard was split with `--allow-dataset-errors` past an error about its whole dataset.
    #[error("{manifest}: `{shard}` belongs to a dataset with errors: {}", messages.join("; "))]
    DatasetErrors {
        manifest: PathBuf,
        shard: String,
        messages: Vec<String>,
    },
    #[error("{path}: changed since it was admitted (sha256 {actual}, expected {expected})")]
    Changed {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error(
        "{manifest}: the shard was split under other settings (settings sha256 {manifest_settings}, now {current})"
    )]
    SettingsChanged {
        manifest: PathBuf,
        manifest_settings: String,
        current: String,
    },
    #[error("{manifest}: no clean shard `{shard}` in this manifest")]
    NotInManifest { manifest: PathBuf, shard: String },
    #[error("{path}: not a vazhi manifest: {message}")]
    BadManifest { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Read(#[from] ReadError),
}

fn summary(findings: &[Finding]) -> String {
    findings
        .iter()
        .take(3)
        .map(|finding| {
            let at = finding
                .position
                .map_or_else(String::new, |position| format!(":{position}"));
            format!(
                "; {}{at} {} {}",
                finding.path.display(),
                finding.rule.code,
                finding.message
            )
        })
        .collect()
}

/// Lints `path` with `settings` and admits it if no finding reaches `Severity::Error`.
pub fn admit(path: &Path, settings: &Settings) -> Result<CleanShard, GateError> {
    admit_at(path, settings, Severity::Error)
}

/// Like [`admit`], refusing findings at or above `threshold` (`Severity::Warning` for a strict gate).
pub fn admit_at(path: &Path, settings: &Settings, threshold: Severity) -> Result<CleanShard, GateError> {
    let (before, _) = file_digest(path).map_err(|source| GateError::Io {
        path: path.to_owned(),
        source,
    })?;
    let report = Linter::new(settings.clone()).lint_files(&[path.to_path_buf()], &Silent);
    let findings: Vec<Finding> = report
        .findings
        .into_iter()
        .filter(|finding| finding.severity >= threshold)
        .collect();
    if !findings.is_empty() {
        return Err(GateError::Rejected {
            path: path.to_owned(),
            findings,
        });
    }
    // The file must be the one that was linted: a writer racing the gate is caught here.
    let (after, _) = file_digest(path).map_err(|source| GateError::Io {
        path: path.to_owned(),
        source,
    })?;
    if before != after {
        return Err(GateError::Changed {
            path: path.to_owned(),
            expected: before,
            actual: after,
        });
    }
    Ok(CleanShard {
        path: path.to_owned(),
        sha256: after,
        records: report.records,
        settings_sha256: settings.fingerprint(),
    })
}

/// Admits the clean shard `shard` (its path as the manifest names it, e.g. `clean/sft/a.jsonl`) of a
/// split whose manifest is `manifest` (the file, or the split's output folder), if its bytes still
/// hash as recorded and the manifest's settings are `settings`.
pub fn admit_from_manifest(manifest: &Path, shard: &str, settings: &Settings) -> Result<CleanShard, GateError> {
    let manifest = if manifest.is_dir() {
        manifest.join(MANIFEST)
    } else {
        manifest.to_owned()
    };
    let bad = |message: &str| GateError::BadManifest {
        path: manifest.clone(),
        message: message.to_owned(),
    };
    let text = crate::small_file::read_text(&manifest, crate::small_file::MANIFEST_BYTES, "a split manifest").map_err(
        |source| GateError::Io {
            path: manifest.clone(),
            source,
        },
    )?;
    let value: Value = serde_json::from_str(&text).map_err(|err| bad(&err.to_string()))?;
    let recorded = value["settings_sha256"]
        .as_str()
        .ok_or_else(|| bad("no settings_sha256"))?;
    let current = settings.fingerprint();
    if recorded != current {
        return Err(GateError::SettingsChanged {
            manifest: manifest.clone(),
            manifest_settings: recorded.to_owned(),
            current,
        });
    }
    let entries = value["shards"].as_array().ok_or_else(|| bad("no shards list"))?;
    let wanted = Path::new(shard);
    let entry = entries
        .iter()
        .find(|entry| entry["path"].as_str().is_some_and(|path| Path::new(path) == wanted))
        .ok_or_else(|| GateError::NotInManifest {
            manifest: manifest.clone(),
            shard: shard.to_owned(),
        })?;
    let expected = entry["sha256"].as_str().ok_or_else(|| bad("a shard without sha256"))?;
    let records = entry["records"]
        .as_u64()
        .ok_or_else(|| bad("a shard without records"))?;
    let dataset_errors: Vec<String> = entry["dataset_errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|error| {
                    format!(
                        "{} {}",
                        error["code"].as_str().unwrap_or(""),
                        error["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if !dataset_errors.is_empty() {
        return Err(GateError::DatasetErrors {
            manifest: manifest.clone(),
            shard: shard.to_owned(),
            messages: dataset_errors,
        });
    }
    let root = manifest.parent().unwrap_or(Path::new("."));
    let path = root.join(wanted);
    let shard = CleanShard {
        path,
        sha256: expected.to_owned(),
        records,
        settings_sha256: current,
    };
    shard.verify()?;
    Ok(shard)
}
