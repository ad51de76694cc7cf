//! vazhi: a data-quality linter for Tamil LLM training corpora.
//!
//! Reads JSONL/JSON/Parquet corpora in any common chat layout, normalises each record into a
//! [`record::Record`], and runs [`rules`] over records and datasets. The CLI (`cargo vazhi`) is a
//! thin layer over [`engine::Linter`] and [`report`].

pub mod batch;
pub mod clock;
pub mod conversation;
pub mod dataset;
pub mod digest;
pub mod engine;
pub mod fields;
pub mod finding;
pub mod fix;
pub mod gate;
pub mod layout;
pub mod profile;
pub mod reader;
pub mod record;
pub mod report;
pub mod rule;
pub mod rules;
pub mod script;
pub mod settings;
pub mod small_file;
pub mod spill;
pub mod split;
pub mod tally;
pub mod tamil;
#[cfg(any(test, feature = "calibration"))]
mod test_data;
pub mod text;
pub mod tokens;
pub mod unreadable;

/// Measurement reports for maintainers, run as examples with the `calibration` feature
/// (`vazhi-lint/examples/repetition_margins.rs`, `kural_measure.rs`, `token_throughput.rs`); not
/// part of the API. Each prints to stdout the figures quoted in its module's documentation and
/// in bench/README.md.
#[cfg(feature = "calibration")]
#[doc(hidden)]
pub mod calibration {
    pub use crate::tamil::kural::calibration::measure as kural_measure;
    pub use crate::text::repetition::calibration::margins as repetition_margins;
    pub use crate::tokens::count::calibration::throughput as token_throughput;
}

pub use batch::{BatchState, StateError};
pub use engine::{LintReport, Linter, Progress, Silent};
pub use finding::Finding;
pub use record::Position;
pub use rule::Severity;
pub use settings::Settings;

/// The version stamped into reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
