//! Configuration: `vazhi.toml` / `.vazhi.toml` / `[workspace.metadata.vazhi]` / `[package.metadata.vazhi]`
//! found from the linted path upwards. Options (what a user writes, all optional, unknown keys
//! rejected) resolve into [`Settings`] (what the engine uses, nothing optional).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use crate::dataset::{DatasetOptions, DatasetSpec};
use crate::fields::{FieldMap, FieldOptions};
use crate::rule::Severity;
use crate::rules::{self, RuleOptions, RuleSettings, codes, select};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Selector(String),
    /// A flag of the command line is wrong, or what the flags set cannot be used.
    #[error("{0}")]
    CommandLine(String),
}

/// What a command line sets on top of the configuration file: `select` replaces the file's,
/// `ignore` adds to it, and each token setting replaces the file's. Paths are relative to the
/// current directory (the file's are relative to the file).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub tokenizer: Option<PathBuf>,
    pub max_seq_len: Option<usize>,
    pub chat_template: Option<PathBuf>,
    pub token_engine: Option<crate::tokens::TokenEngine>,
    /// A fastText language-ID model, replacing the file's `lid-model`.
    pub lid_model: Option<PathBuf>,
}

impl Overrides {
    fn sets_tokens(&self) -> bool {
        self.tokenizer.is_some()
            || self.max_seq_len.is_some()
            || self.chat_template.is_some()
            || self.token_engine.is_some()
    }
}

/// The top level of vazhi.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Rules to run, by code (`VZ101`), code prefix (`VZ1`) or name. Default: all.
    pub select: Option<Vec<String>>,
    /// Rules not to run, same forms as `select`.
    pub ignore: Option<Vec<String>>,
    /// Glob (relative to the config file) → rules not to run on matching files.
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    /// Rule → severity, replacing the rule's own (`think-leak = "warning"`).
    pub severity: Option<BTreeMap<String, Severity>>,
    pub fields: Option<FieldOptions>,
    pub datasets: Option<Vec<DatasetOptions>>,
    pub rules: Option<RuleOptions>,
    /// A Hugging Face `tokenizer.json` (relative to the config file) for the token rules.
    pub tokenizer: Option<PathBuf>,
    /// The training window in tokens; with `tokenizer`, turns on the token rules.
    pub max_seq_len: Option<usize>,
    /// A `tokenizer_config.json` (its `chat_template`) or a Jinja file; default: ChatML as Qwen uses it.
    pub chat_template: Option<PathBuf>,
    /// `"encode"`: count every sample with `Tokenizer::encode`, without the fast path or the
    /// byte bound. Same verdicts, slower; for cross-checking and benchmarks. Default `"auto"`.
    pub token_engine: Option<crate::tokens::TokenEngine>,
    /// A fastText language-ID model `.bin` (GlotLID, lid.176; relative to the config file) that
    /// decides what Latin text is (Tanglish, English, another language) in place of the built-in
    /// detector.
    pub lid_model: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct PerFileIgnore {
    pub pattern: String,
    pub matcher: GlobMatcher,
    pub codes: Vec<&'static str>,
}

/// Everything a lint run needs, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The folder globs are relative to: the config file's, or the current directory.
    pub root: PathBuf,
    /// The config file that was used, if any.
    pub config_file: Option<PathBuf>,
    /// Codes of the rules that run, in code order.
    pub enabled: Vec<&'static str>,
    pub per_file_ignores: Vec<PerFileIgnore>,
    pub severity: BTreeMap<&'static str, Severity>,
    pub fields: FieldMap,
    pub datasets: Vec<DatasetSpec>,
    pub rules: RuleSettings,
    /// Set when both a tokenizer and a window are configured: the token rules run.
    pub tokens: Option<crate::tokens::TokenSettings>,
    /// Set when a language-ID model is configured.
    pub lid_model: Option<crate::script::lid::LidModel>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::resolve(Options::default(), PathBuf::from("."), None)
            .unwrap_or_else(|err| unreachable!("defaults resolve: {err}"))
    }
}

impl Settings {
    pub fn resolve(options: Options, root: PathBuf, config_file: Option<PathBuf>) -> Result<Settings, String> {
        let selected = match &options.select {
            Some(selectors) => codes(selectors, "select")?,
            None => rules::all().map(|meta| meta.code).collect(),
        };
        let ignored = codes(options.ignore.as_deref().unwrap_or_default(), "ignore")?;
        let enabled = rules::all()
            .map(|meta| meta.code)
            .filter(|code| selected.contains(code) && !ignored.contains(code))
            .collect();
        let mut per_file_ignores = Vec::new();
        for (pattern, selectors) in options.per_file_ignores.unwrap_or_default() {
            let glob = Glob::new(&pattern).map_err(|err| format!("per-file-ignores: bad glob `{pattern}`: {err}"))?;
            per_file_ignores.push(PerFileIgnore {
                codes: codes(&selectors, &format!("per-file-ignores.\"{pattern}\""))?,
                matcher: glob.compile_matcher(),
                pattern,
            });
        }
        let mut severity = BTreeMap::new();
        for (selector, level) in options.severity.unwrap_or_default() {
            for meta in select(&selector).map_err(|err| format!("severity: {err}"))? {
                severity.insert(meta.code, level);
            }
        }
        let datasets = options
            .datasets
            .unwrap_or_default()
            .into_iter()
            .map(DatasetSpec::resolve)
            .collect::<Result<Vec<_>, _>>()?;
        let rules = options.rules.unwrap_or_default().resolve(&root)?;
        let lid_model = options
            .lid_model
            .map(|path| crate::script::lid::LidModel::load(&root.join(path)))
            .transpose()?;
        let tokens = match (&options.tokenizer, options.max_seq_len) {
            (Some(tokenizer), Some(max_seq_len)) => Some(crate::tokens::TokenSettings::load_with_engine(
                &root.join(tokenizer),
                max_seq_len,
                options.chat_template.as_ref().map(|path| root.join(path)).as_deref(),
                options.token_engine.unwrap_or_default(),
            )?),
            (None, None) if options.chat_template.is_some() => {
                return Err(
                    "chat-template is set but tokenizer and max-seq-len are not; the token rules need them".into(),
                );
            }
            (None, None) if options.token_engine.is_some() => {
                return Err(
                    "token-engine is set but tokenizer and max-seq-len are not; the token rules need them".into(),
                );
            }
            (None, None) => None,
            (Some(_), None) => return Err("tokenizer is set but max-seq-len is not; the token rules need both".into()),
            (None, Some(_)) => return Err("max-seq-len is set but tokenizer is not; the token rules need both".into()),
        };
        Ok(Settings {
            root,
            config_file,
            enabled,
            per_file_ignores,
            severity,
            fields: options.fields.unwrap_or_default().resolve(),
            datasets,
            rules,
            tokens,
            lid_model,
        })
    }

    /// The settings of a run: the configuration file `config`, or else the nearest one above
    /// `start` (a file or folder), or else the defaults; with the command line's `overrides` on
    /// top; resolved once. An error names the file or the flag it comes from.
    pub fn load(config: Option<&Path>, start: &Path, overrides: &Overrides) -> Result<Settings, ConfigError> {
        let found = match config {
            Some(path) => Some((
                path.to_owned(),
                read_options(path)?.ok_or_else(|| no_vazhi_table(path))?,
            )),
            None => find_config(start)?,
        };
        let (mut options, path) = match found {
            Some((path, options)) => (options, Some(path)),
            None => (Options::default(), None),
        };
        let root = match &path {
            Some(path) => path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        };
        // Checked before they join the file's selectors, so that an error names the command line.
        codes(overrides.select.as_deref().unwrap_or_default(), "select")
            .and_then(|_| codes(&overrides.ignore, "ignore"))
            .map_err(|err| ConfigError::CommandLine(format!("command line: {err}")))?;
        if let Some(select) = &overrides.select {
            options.select = Some(select.clone());
        }
        if !overrides.ignore.is_empty() {
            options
                .ignore
                .get_or_insert_default()
                .extend(overrides.ignore.iter().cloned());
        }
        // A token flag takes the token settings out of the file's hands: the flags and the file's
        // values merge (the flags' paths as given, relative to the current directory; the file's
        // relative to the file), and the tokenizer is loaded once, after the rest resolved.
        let command_line_tokens = overrides.sets_tokens().then(|| {
            let (tokenizer, max_seq_len, chat_template, engine) = (
                options.tokenizer.take(),
                options.max_seq_len.take(),
                options.chat_template.take(),
                options.token_engine.take(),
            );
            (
                overrides
                    .tokenizer
                    .clone()
                    .or_else(|| tokenizer.map(|file| root.join(file))),
                overrides.max_seq_len.or(max_seq_len),
                overrides
                    .chat_template
                    .clone()
                    .or_else(|| chat_template.map(|file| root.join(file))),
                overrides.token_engine.or(engine).unwrap_or_default(),
            )
        });
        // The flag's model replaces the file's, which is then never loaded.
        if overrides.lid_model.is_some() {
            options.lid_model = None;
        }
        let mut settings = match &path {
            Some(path) => Settings::from_options(options, path)?,
            None => Settings::resolve(options, root, None).map_err(ConfigError::Selector)?,
        };
        if let Some((tokenizer, max_seq_len, chat_template, engine)) = command_line_tokens {
            let (Some(tokenizer), Some(max_seq_len)) = (tokenizer, max_seq_len) else {
                return Err(ConfigError::CommandLine(
                    "the token rules need both --tokenizer and --max-seq-len (or `tokenizer` and `max-seq-len` in vazhi.toml)".into(),
                ));
            };
            let tokens = crate::tokens::TokenSettings::load_with_engine(
                &tokenizer,
                max_seq_len,
                chat_template.as_deref(),
                engine,
            )
            .map_err(ConfigError::CommandLine)?;
            settings.tokens = Some(tokens);
        }
        if let Some(path) = &overrides.lid_model {
            settings.lid_model = Some(crate::script::lid::LidModel::load(path).map_err(ConfigError::CommandLine)?);
        }
        Ok(settings)
    }

    /// Loads the nearest configuration above `start` (a file or folder), or the defaults.
    pub fn discover(start: &Path) -> Result<Settings, ConfigError> {
        Settings::load(None, start, &Overrides::default())
    }

    /// Loads an explicit config file (`--config`): vazhi.toml form, or a Cargo.toml with metadata.
    pub fn from_file(path: &Path) -> Result<Settings, ConfigError> {
        Settings::load(Some(path), path, &Overrides::default())
    }

    fn from_options(options: Options, path: &Path) -> Result<Settings, ConfigError> {
        let root = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Settings::resolve(options, root, Some(path.to_owned())).map_err(|message| ConfigError::Invalid {
            path: path.to_owned(),
            message,
        })
    }

    /// The resolved settings as JSON: what a split's manifest records and hashes, so a shard is
    /// trusted only under the settings that passed it. Paths are left out (they differ by machine).
    pub fn to_json(&self) -> serde_json::Value {
        let per_file_ignores: BTreeMap<&str, &Vec<&str>> = self
            .per_file_ignores
            .iter()
            .map(|ignore| (ignore.pattern.as_str(), &ignore.codes))
            .collect();
        let datasets: Vec<serde_json::Value> = self
            .datasets
            .iter()
            .map(|spec| serde_json::json!({"name": spec.name, "paths": spec.patterns, "kind": spec.kind.map(|kind| kind.name())}))
            .collect();
        serde_json::json!({
            "enabled": self.enabled,
            "severity": self.severity,
            "per-file-ignores": per_file_ignores,
            "fields": self.fields,
            "datasets": datasets,
            "rules": self.rules,
            "tokens": self.tokens.as_ref().map(|tokens| serde_json::json!({
                "tokenizer-sha256": tokens.tokenizer_sha256,
                "max-seq-len": tokens.max_seq_len,
                "chat-template": tokens.chat_template.as_ref().map(|path| path.display().to_string()),
            })),
        })
    }

    /// SHA-256 of [`Settings::to_json`], hex.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_vec(&self.to_json()).unwrap_or_default();
        crate::digest::sha256_hex(&canonical)
    }

    /// Whether rule `code` runs on `path`.
    pub fn runs_on(&self, code: &str, path: &Path) -> bool {
        if !self.enabled.contains(&code) {
            return false;
        }
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        !self.per_file_ignores.iter().any(|ignore| {
            ignore.codes.contains(&code) && (ignore.matcher.is_match(relative) || ignore.matcher.is_match(path))
        })
    }
}

/// A Cargo.toml named with `--config` that has no vazhi table.
fn no_vazhi_table(path: &Path) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_owned(),
        message: "no [workspace.metadata.vazhi] or [package.metadata.vazhi] table".into(),
    }
}

/// Reads options from a vazhi.toml-form file, or from a Cargo.toml's metadata table (`None` if it
/// has none, so the search goes on upwards).
fn read_options(path: &Path) -> Result<Option<Options>, ConfigError> {
    let text =
        crate::small_file::read_text(path, crate::small_file::CONFIG_BYTES, "a configuration").map_err(|source| {
            ConfigError::Io {
                path: path.to_owned(),
                source,
            }
        })?;
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_owned(),
        message,
    };
    if path.file_name().is_some_and(|name| name == "Cargo.toml") {
        let manifest: toml::Table = toml::from_str(&text).map_err(|err| invalid(err.to_string()))?;
        for section in ["workspace", "package"] {
            let table = manifest
                .get(section)
                .and_then(|value| value.get("metadata"))
                .and_then(|value| value.get("vazhi"));
            if let Some(table) = table {
                let options = Options::deserialize(table.clone())
                    .map_err(|err| invalid(format!("[{section}.metadata.vazhi]: {err}")))?;
                return Ok(Some(options));
            }
        }
        return Ok(None);
    }
    toml::from_str(&text).map(Some).map_err(|err| invalid(err.to_string()))
}

/// Nearest first: in each folder from `start` up, vazhi.toml, .vazhi.toml, then Cargo.toml metadata.
pub fn find_config(start: &Path) -> Result<Option<(PathBuf, Options)>, ConfigError> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let mut folder = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(dir) = folder {
        for name in ["vazhi.toml", ".vazhi.toml", "Cargo.toml"] {
            let candidate = dir.join(name);
            if candidate.is_file()
                && let Some(options) = read_options(&candidate)?
            {
                return Ok(Some((candidate, options)));
            }
        }
        folder = dir.parent();
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, String> {
        let options: Options = toml::from_str(text).map_err(|err| err.to_string())?;
        Settings::resolve(options, PathBuf::from("."), None)
    }

    #[test]
    fn unknown_keys_are_errors_that_name_the_key() {
        let err = parse("selct = [\"VZ1\"]").unwrap_err();
        assert!(err.contains("selct"), "{err}");
        let err = parse("[rules.tamil-ratio]\nerror-bellow = 0.2").unwrap_err();
        assert!(err.contains("error-bellow"), "{err}");
    }

    #[test]
    fn select_by_prefix_and_ignore_by_name() {
        let settings = parse("select = [\"VZ1\"]\nignore = [\"foreign-script\"]").unwrap();
        assert_eq!(settings.enabled, vec!["VZ101", "VZ102", "VZ104"]);
    }

    #[test]
    fn unknown_selector_is_an_error() {
        let err = parse("ignore = [\"tamil-ration\"]").unwrap_err();
        assert!(err.contains("tamil-ration"), "{err}");
    }

    #[test]
    fn bad_threshold_is_an_error_naming_the_key() {
        let err = parse("[rules.tamil-ratio]\nerror-below = 1.5").unwrap_err();
        assert!(err.contains("rules.tamil-ratio.error-below"), "{err}");
    }

    #[test]
    fn per_file_ignores_apply_relative_to_the_root() {
        let settings = parse("[per-file-ignores]\n\"english/**\" = [\"tamil-ratio\"]").unwrap();
        assert!(!settings.runs_on("VZ101", Path::new("english/a.jsonl")));
        assert!(settings.runs_on("VZ101", Path::new("tamil/a.jsonl")));
        assert!(settings.runs_on("VZ102", Path::new("english/a.jsonl")));
    }

    #[test]
    fn cargo_metadata_table_is_found_from_below() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"x\"\n[package.metadata.vazhi]\nignore = [\"VZ103\"]\n",
        )
        .unwrap();
        let nested = dir.path().join("data/sft");
        std::fs::create_dir_all(&nested).unwrap();
        let settings = Settings::discover(&nested).unwrap();
        assert!(!settings.enabled.contains(&"VZ103"));
        assert_eq!(
            settings.config_file.as_deref(),
            Some(dir.path().join("Cargo.toml").as_path())
        );
    }

    #[test]
    fn vazhi_toml_wins_over_cargo_toml_in_the_same_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace.metadata.vazhi]\nignore = [\"VZ103\"]\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("vazhi.toml"), "ignore = [\"VZ102\"]\n").unwrap();
        let settings = Settings::discover(dir.path()).unwrap();
        assert!(settings.enabled.contains(&"VZ103"));
        assert!(!settings.enabled.contains(&"VZ102"));
    }

    #[test]
    fn command_line_select_replaces_and_ignore_adds_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("vazhi.toml"),
            "select = [\"VZ1\"]\nignore = [\"VZ102\"]\n",
        )
        .unwrap();
        let only_ignore = Overrides {
            ignore: vec!["VZ103".into()],
            ..Overrides::default()
        };
        let settings = Settings::load(None, dir.path(), &only_ignore).unwrap();
        assert_eq!(settings.enabled, vec!["VZ101", "VZ104"]);
        let select = Overrides {
            select: Some(vec!["VZ10".into(), "think-leak".into()]),
            ..Overrides::default()
        };
        let settings = Settings::load(None, dir.path(), &select).unwrap();
        assert_eq!(settings.enabled, vec!["VZ101", "VZ103", "VZ104", "VZ203"]);
    }

    #[test]
    fn command_line_errors_name_the_command_line() {
        let dir = tempfile::tempdir().unwrap();
        let unknown = Overrides {
            ignore: vec!["tamil-ration".into()],
            ..Overrides::default()
        };
        let err = Settings::load(None, dir.path(), &unknown).unwrap_err().to_string();
        assert_eq!(
            err,
            "command line: ignore: unknown rule or code prefix `tamil-ration` (see `cargo vazhi rules`)"
        );
        let half = Overrides {
            max_seq_len: Some(64),
            ..Overrides::default()
        };
        let err = Settings::load(None, dir.path(), &half).unwrap_err().to_string();
        assert!(err.contains("--tokenizer and --max-seq-len"), "{err}");
    }
}
