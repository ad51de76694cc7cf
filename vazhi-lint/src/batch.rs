//! Record batches linted one at a time, in any process: what the Python package's
//! `Linter.check_batch` and its Ray and Spark recipes run.
//!
//! A batch's record findings come back at once. What its dataset rules saw comes back as a
//! [`BatchState`], which travels as bytes; [`Linter::finish_batches`] restores the states of every
//! batch, merges them in the order of their sources and rows, and gives the dataset findings that
//! `cargo vazhi lint` gives on the same files, however the data was cut into batches and in
//! whatever order the batches were done.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::engine::{Aggregates, Linter, absorb, configure_severity};
use crate::finding::Finding;
use crate::reader::table::TablePlan;
use crate::record::Source;

/// How saved state bytes start: a state is only ever restored by the vazhi that wrote it.
const MAGIC: &[u8] = b"vazhi-state\x01";

/// Why state bytes cannot be finished: not a state, another version's, another rule set's, or
/// the same rows given twice.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StateError(String);

/// The dataset rules' state over the batches of one or more [`Linter::check_batch`] calls.
#[derive(Debug, Serialize, Deserialize)]
pub struct BatchState {
    /// The vazhi version that saved it.
    version: String,
    /// The dataset rules that ran, by code, in the order of each part's aggregates.
    rules: Vec<String>,
    parts: Vec<SavedPart>,
}

/// One batch: where its rows are and its dataset rules' saved aggregates.
#[derive(Debug, Serialize, Deserialize)]
struct SavedPart {
    source: PathBuf,
    /// The dataset it belongs to, when named ([`BatchState::in_dataset`]) rather than found
    /// from `[[datasets]]` or the source.
    dataset: Option<String>,
    first_row: u64,
    rows: u64,
    /// Per dataset rule; `None` where the rule does not run on the source (`per-file-ignores`).
    aggregates: Vec<Option<Vec<u8>>>,
}

impl BatchState {
    /// The state as bytes, to send to the process that finishes the run.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend(crate::rule::save_state(self));
        bytes
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<BatchState, StateError> {
        let body = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| StateError("not a vazhi batch state (it does not start as one)".to_owned()))?;
        postcard::from_bytes(body).map_err(|err| StateError(format!("a damaged vazhi batch state: {err}")))
    }

    /// Adds the batches of `other`: a worker can hand back one state for all its batches.
    pub fn absorb(&mut self, other: BatchState) {
        self.parts.extend(other.parts);
    }

    /// Puts the batches in the dataset `name`, whatever their sources: batches whose place in a
    /// file is not known (a Ray block, a Spark partition) each get a source of their own and are
    /// still judged together.
    pub fn in_dataset(mut self, name: &str) -> BatchState {
        for part in &mut self.parts {
            part.dataset = Some(name.to_owned());
        }
        self
    }

    /// Rows the state covers.
    pub fn rows(&self) -> u64 {
        self.parts.iter().map(|part| part.rows).sum()
    }
}

impl Linter {
    /// Lints one record batch whose first row is row `first_row` of `source` (a file name, or
    /// any name that places the batch: a split, a shard). The batch may hold any layout vazhi
    /// reads from Parquet; extra columns are ignored.
    ///
    /// Returns the record findings of the batch, sorted, with the configured severities, and
    /// the dataset rules' state, for [`Linter::finish_batches`]. A batch vazhi cannot read (no
    /// text column) is one finding, as a file would be. Records that fail alike are grouped
    /// within the batch, not the file.
    pub fn check_batch(&self, batch: &RecordBatch, source: &Path, first_row: u64) -> (Vec<Finding>, BatchState) {
        self.check_batches([batch.clone()], source, first_row)
    }

    /// [`Linter::check_batch`] on consecutive batches taken as one (a table's chunks, a stream),
    /// each checked as it comes, so a stream is never held whole: records that fail alike are
    /// grouped over all of them, and one state covers them.
    pub fn check_batches(
        &self,
        batches: impl IntoIterator<Item = RecordBatch>,
        source: &Path,
        first_row: u64,
    ) -> (Vec<Finding>, BatchState) {
        let source = Source::new(Arc::from(source), 0);
        let plan = self.plan(&source.path);
        let fields = &self.settings().fields;
        let mut part = plan.part();
        let mut row = first_row;
        // One finding for a schema vazhi cannot read, not one per batch of it.
        let mut failed_schemas = Vec::new();
        for batch in batches {
            let batch = &batch;
            match TablePlan::new(batch.schema_ref(), fields) {
                Ok(table) => {
                    let projected = batch
                        .project(table.projection())
                        .unwrap_or_else(|err| unreachable!("the plan projects the batch's own columns: {err}"));
                    part = part.merge(plan.check_batch(&table, &projected, row, &source, fields));
                }
                Err(err) => {
                    if !failed_schemas.contains(batch.schema_ref()) {
                        failed_schemas.push(batch.schema());
                        plan.table_failed(&mut part, &source.path, err);
                    }
                }
            }
            row += batch.num_rows() as u64;
        }
        let unreadable = std::mem::take(&mut part.unreadable);
        part.findings.extend(unreadable.finish(&source.path, part.records));
        let mut findings = std::mem::take(&mut part.findings);
        self.configure(&mut findings);
        let state = BatchState {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            rules: self.dataset_rule_codes(),
            parts: vec![SavedPart {
                source: source.path.to_path_buf(),
                dataset: None,
                first_row,
                rows: row - first_row,
                aggregates: part
                    .aggregates
                    .iter()
                    .map(|aggregate| aggregate.as_ref().map(|aggregate| aggregate.save()))
                    .collect(),
            }],
        };
        (findings, state)
    }

    /// The dataset findings of the batches whose states are given, in any order: they are merged
    /// in the order of their sources (sorted, as `cargo vazhi lint` sorts files) and first rows,
    /// grouped into datasets as a run over those files would group them. Sorted, with the
    /// configured severities.
    pub fn finish_batches(&self, states: impl IntoIterator<Item = BatchState>) -> Result<Vec<Finding>, StateError> {
        let rules = self.dataset_rule_codes();
        let mut parts = Vec::new();
        for state in states {
            if state.version != env!("CARGO_PKG_VERSION") {
                return Err(StateError(format!(
                    "the state was saved by vazhi {}, this is vazhi {}",
                    state.version,
                    env!("CARGO_PKG_VERSION")
                )));
            }
            if state.rules != rules {
                return Err(StateError(format!(
                    "the state was saved by a linter running the dataset rules [{}], this one runs [{}]: \
                     finish with the settings the batches were checked with",
                    state.rules.join(", "),
                    rules.join(", ")
                )));
            }
            parts.extend(state.parts);
        }
        parts.sort_by(|a, b| (&a.source, a.first_row).cmp(&(&b.source, b.first_row)));
        for pair in parts.windows(2) {
            if pair[0].source == pair[1].source && pair[1].first_row < pair[0].first_row + pair[0].rows {
                return Err(StateError(format!(
                    "rows {}..{} of {} are in two states: a batch was given twice, or two batches \
                     were given the same `first_row`",
                    pair[1].first_row,
                    (pair[0].first_row + pair[0].rows).min(pair[1].first_row + pair[1].rows),
                    pair[0].source.display()
                )));
            }
        }

        // Datasets in the order of their first source, each with its files and running state.
        let mut datasets: Vec<(Dataset, Option<Aggregates>)> = Vec::new();
        for part in parts {
            let group = match &part.dataset {
                Some(name) => self.settings().datasets.iter().find(|spec| spec.name == *name),
                None => self.group_of(&part.source),
            };
            let (name, kind) = match (group, &part.dataset) {
                (Some(spec), _) => (spec.name.clone(), spec.kind),
                (None, Some(name)) => (name.clone(), None),
                (None, None) => (part.source.display().to_string(), None),
            };
            let at = match datasets.iter().position(|(dataset, _)| dataset.name == name) {
                Some(at) => at,
                None => {
                    datasets.push((
                        Dataset {
                            name,
                            kind,
                            files: Vec::new(),
                        },
                        None,
                    ));
                    datasets.len() - 1
                }
            };
            let (dataset, running) = &mut datasets[at];
            if dataset.files.last().is_none_or(|last| **last != *part.source) {
                dataset.files.push(Arc::from(part.source.as_path()));
            }
            let restored = self
                .dataset_rules()
                .zip(part.aggregates)
                .map(|(rule, saved)| {
                    saved
                        .map(|saved| rule.restore(&saved))
                        .transpose()
                        .map_err(|err| StateError(format!("{}: {err}", part.source.display())))
                })
                .collect::<Result<Aggregates, StateError>>()?;
            absorb(running, restored);
        }
        let mut findings = Vec::new();
        for (dataset, running) in datasets {
            for aggregate in running.into_iter().flatten().flatten() {
                aggregate.finish(&dataset, &mut |finding| findings.push(finding));
            }
        }
        self.configure(&mut findings);
        Ok(findings)
    }

    fn dataset_rule_codes(&self) -> Vec<String> {
        self.dataset_rules().map(|rule| rule.meta().code.to_owned()).collect()
    }

    /// Findings as a run writes them: with the configured severities, sorted by place and rule.
    fn configure(&self, findings: &mut [Finding]) {
        for finding in findings.iter_mut() {
            configure_severity(&self.settings().severity, finding);
        }
        findings.sort_by(Finding::cmp_order);
    }
}
