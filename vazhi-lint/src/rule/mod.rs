//! What a rule is: its metadata (code, name, severity, doc), and the two shapes of check — one that
//! judges a record on its own, and a mergeable aggregate that judges a whole dataset.

mod facts;
mod meta;

pub use facts::Facts;
pub use meta::{RuleMeta, Scope, Severity};

use std::any::Any;

use crate::dataset::Dataset;
use crate::finding::Finding;
use crate::record::Record;

/// A rule's `[rules.NAME]` table (what a user writes, every key optional, unknown keys
/// rejected) and what it resolves into (what the rule runs with, nothing optional).
pub trait RuleConfig: Default {
    type Settings;

    /// `root` is the configuration file's folder, which paths in the table are relative to.
    fn resolve(self, root: &std::path::Path) -> Result<Self::Settings, String>;
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
    /// An aggregate from the bytes [`Aggregate::save`] gave, made by this rule with the same
    /// settings in this or another process: how the state of batches linted apart (Python, Ray,
    /// Spark) is brought together. An error says why the bytes are not such a state.
    fn restore(&self, saved: &[u8]) -> Result<Box<dyn Aggregate>, String>;
}

/// Partial state of a dataset rule over some records. `observe` sees records in order; `merge`
/// appends the state of the records that come after; `finish` turns the state into findings. Exact
/// under any split, so shards can be linted separately and combined.
pub trait Aggregate: Send {
    fn observe(&mut self, record: &Record<'_>, facts: &Facts);
    fn merge(&mut self, later: Box<dyn Aggregate>);
    /// Hands over the findings that no later record can change, and forgets them. Called only on
    /// a state that holds every record of the dataset up to the last one merged (the engine's
    /// running state of a dataset, as its files and chunks finish in order), so findings stream
    /// out with the records they are about instead of piling up until the dataset ends.
    fn drain(&mut self, _out: &mut dyn FnMut(Finding)) {}
    /// Hands each finding to `out` as it is made: a dataset with a million copies does not hold
    /// a million findings when only their count is wanted.
    fn finish(self: Box<Self>, dataset: &Dataset, out: &mut dyn FnMut(Finding));
    /// The state as bytes, for [`DatasetRule::restore`]; the rule's settings are not saved, since
    /// the rule that restores them has its own.
    fn save(&self) -> Vec<u8>;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

/// The bytes of a saved state: postcard, compact and self-delimiting, rather than JSON, since a
/// duplicate state is 16 bytes of hashes and places per record.
pub fn save_state<T: serde::Serialize>(state: &T) -> Vec<u8> {
    postcard::to_stdvec(state)
        .unwrap_or_else(|err| unreachable!("a state of plain numbers and strings serialises: {err}"))
}

/// A state back from [`save_state`]'s bytes, or why they are not one.
pub fn restore_state<T: serde::de::DeserializeOwned>(rule: &RuleMeta, saved: &[u8]) -> Result<T, String> {
    postcard::from_bytes(saved).map_err(|err| format!("not a saved `{}` state: {err}", rule.name))
}

/// Downcasts the other half of a merge; both halves always come from the same rule.
pub fn same_aggregate<T: 'static>(later: Box<dyn Aggregate>) -> Box<T> {
    later
        .into_any()
        .downcast::<T>()
        .unwrap_or_else(|_| unreachable!("aggregates of one rule are merged only with each other"))
}
