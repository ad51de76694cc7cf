//! What a rule is: its metadata (code, name, severity, doc), and the two shapes of check — one that
//! judges a record on its own, and a mergeable aggregate that judges a whole dataset.

use std::any::Any;
use std::fmt;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::dataset::Dataset;
use crate::finding::Finding;
use crate::record::{INLINE_TURNS, Record};
use crate::script::ScriptCounts;
use crate::script::romanised::WordScripts;
use crate::tokens::{TokenSettings, Turn, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a rule looks at, which decides how the engine runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Reported by the readers themselves (unreadable input).
    Reader,
    /// One record at a time, in parallel.
    Record,
    /// A whole dataset, as a mergeable aggregate.
    Dataset,
}

/// Everything about a rule that does not depend on settings. Declared with [`declare_rule!`] so the
/// doc comment is the documentation printed by `cargo vazhi rule` and rendered to rules/NAME.md.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub scope: Scope,
    pub summary: &'static str,
    pub doc: &'static str,
}

impl RuleMeta {
    /// The doc comment with the one-space indent of `///` removed.
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }
}

/// Declares a rule's metadata from its doc comment, like clippy's `declare_clippy_lint!`.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            scope: $scope:ident,
            summary: $summary:literal $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $ident: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
            code: $code,
            name: $name,
            severity: $crate::rule::Severity::$severity,
            scope: $crate::rule::Scope::$scope,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
        };
    };
}

/// A rule's `[rules.NAME]` table (what a user writes, every key optional, unknown keys
/// rejected) and what it resolves into (what the rule runs with, nothing optional).
pub trait RuleConfig: Default {
    type Settings;

    /// `root` is the configuration file's folder, which paths in the table are relative to.
    fn resolve(self, root: &std::path::Path) -> Result<Self::Settings, String>;
}

/// Facts about a record that several rules need, computed once per record on first use.
#[derive(Default)]
pub struct Facts {
    target_scripts: std::sync::OnceLock<SmallVec<[ScriptCounts; INLINE_TURNS]>>,
    target_words: std::sync::OnceLock<SmallVec<[WordScripts; INLINE_TURNS]>>,
    token_verdict: std::sync::OnceLock<Option<Result<Verdict, String>>>,
    /// Count every sample's tokens exactly instead of letting the byte bound settle short ones.
    every_token: bool,
    /// With `every_token`: whether the byte bound would have settled the sample.
    bound_would_settle: std::sync::OnceLock<bool>,
}

impl Facts {
    /// Facts for a run that collects token statistics. Statistics need each sample's exact
    /// counts, and the byte bound proves only that a sample fits, not how many tokens it has,
    /// so here [`token_verdict`](Self::token_verdict) counts every sample (the verdicts are the
    /// same) and notes whether the bound would have settled it.
    pub fn counting_every_token() -> Facts {
        Facts {
            every_token: true,
            ..Facts::default()
        }
    }

    /// Whether the byte bound alone would have settled the record's verdict; known only after
    /// [`token_verdict`](Self::token_verdict) on facts from
    /// [`counting_every_token`](Self::counting_every_token).
    pub fn bound_would_settle(&self) -> Option<bool> {
        self.bound_would_settle.get().copied()
    }
}

impl Facts {
    /// Script counts of each training target, in [`Record::targets`] order.
    pub fn target_scripts(&self, record: &Record<'_>) -> &[ScriptCounts] {
        self.target_scripts.get_or_init(|| {
            record
                .targets()
                .map(|segment| ScriptCounts::of(segment.text()))
                .collect()
        })
    }

    /// The words of each training target by script (Tamil script, romanised Tamil, English), in
    /// [`Record::targets`] order. Rules ask for them only when they need the verdict, so most
    /// records never pay for the word reader.
    pub fn target_words(&self, record: &Record<'_>) -> &[WordScripts] {
        self.target_words.get_or_init(|| {
            record
                .targets()
                .map(|segment| WordScripts::of(segment.text()))
                .collect()
        })
    }

    /// The words of all training targets together.
    pub fn all_target_words(&self, record: &Record<'_>) -> WordScripts {
        let mut total = WordScripts::default();
        for words in self.target_words(record) {
            total.add(words);
        }
        total
    }
}

impl Facts {
    /// Whether a chat record's response survives the token window (`None` for raw text, which
    /// has no response). Rendered and counted once, for both token rules.
    pub fn token_verdict(&self, record: &Record<'_>, tokens: &TokenSettings) -> Option<&Result<Verdict, String>> {
        self.token_verdict
            .get_or_init(|| {
                if !record.format.is_chat() {
                    return None;
                }
                let turns: Vec<Turn<'_>> = record
                    .turns
                    .iter()
                    .map(|turn| Turn {
                        role: turn.role.name(),
                        content: record.turn_text(turn),
                    })
                    .collect();
                let verdict = tokens
                    .template
                    .render(&turns)
                    .map_err(|err| err.to_string())
                    .and_then(|rendered| {
                        let counter = &tokens.counter;
                        let verdict = if self.every_token {
                            let settles = counter.bound_settles(&rendered, tokens.max_seq_len);
                            let _ = self.bound_would_settle.set(settles);
                            counter.prompt_counts(&rendered, tokens.max_seq_len)
                        } else {
                            counter.prompt_fits(&rendered, tokens.max_seq_len)
                        };
                        verdict.map_err(|err| err.to_string())
                    });
                Some(verdict)
            })
            .as_ref()
    }
}

/// A check of one record. Runs in parallel over records; must not keep state between calls.
pub trait RecordRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, record: &Record<'_>, facts: &Facts, out: &mut Vec<Finding>);
}

/// A check of a whole dataset: a factory of mergeable aggregates.
pub trait DatasetRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn aggregate(&self) -> Box<dyn Aggregate>;
}

/// Partial state of a dataset rule over some records. `observe` sees records in order; `merge`
/// appends the state of the records that come after; `finish` turns the state into findings. Exact
/// under any split, so shards can be linted separately and combined.
pub trait Aggregate: Send {
    fn observe(&mut self, record: &Record<'_>, facts: &Facts);
    fn merge(&mut self, later: Box<dyn Aggregate>);
    /// Hands each finding to `out` as it is made: a dataset with a million copies does not hold
    /// a million findings when only their count is wanted.
    fn finish(self: Box<Self>, dataset: &Dataset, out: &mut dyn FnMut(Finding));
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

/// Downcasts the other half of a merge; both halves always come from the same rule.
pub fn same_aggregate<T: 'static>(later: Box<dyn Aggregate>) -> Box<T> {
    later
        .into_any()
        .downcast::<T>()
        .unwrap_or_else(|_| unreachable!("aggregates of one rule are merged only with each other"))
}
