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
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

/// Downcasts the other half of a merge; both halves always come from the same rule.
pub fn same_aggregate<T: 'static>(later: Box<dyn Aggregate>) -> Box<T> {
    later
        .into_any()
        .downcast::<T>()
        .unwrap_or_else(|_| unreachable!("aggregates of one rule are merged only with each other"))
}
