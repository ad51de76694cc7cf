//! The Python module `vazhi._vazhi`: the linter and the gate for Python callers. Every rule runs
//! in Rust through `vazhi_lint`; this module only converts: settings in, findings out as Python
//! dicts (the JSON output's objects) and as an Arrow table through the Arrow C data interface.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field, Schema};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use pyo3_arrow::input::AnyRecordBatch;
use vazhi_lint::reader::read_ahead;
use vazhi_lint::report::finding_json;
use vazhi_lint::settings::{Overrides, Settings};
use vazhi_lint::{BatchState, Finding, LintReport, Linter, Severity, Silent};

create_exception!(
    _vazhi,
    ConfigError,
    PyValueError,
    "The configuration or an option is wrong."
);
create_exception!(
    _vazhi,
    StateError,
    PyValueError,
    "Batch states that cannot be finished: not states, another version's or settings', or the same rows twice."
);
create_exception!(
    _vazhi,
    GateRefused,
    PyException,
    "The gate refused a shard: it has error-level findings, or it changed since it was split."
);

/// Exit statuses as `cargo vazhi lint` gives them.
const FAILURE: u8 = 2;

/// Loads settings as the CLI does: the configuration file (given, or found from the first path
/// upwards), with the options on top.
fn settings(paths: &[PathBuf], config: Option<PathBuf>, overrides: Overrides) -> PyResult<Settings> {
    let start = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    Settings::load(config.as_deref(), &start, &overrides).map_err(|err| ConfigError::new_err(err.to_string()))
}

/// A lint run's findings, in the order `cargo vazhi lint` writes them, and its counts.
#[pyclass(module = "vazhi._vazhi", frozen)]
struct Report {
    findings: Vec<Finding>,
    report: LintReport,
}

#[pymethods]
impl Report {
    /// The findings as dicts, with the keys and values of `cargo vazhi lint --format json`.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        findings_as_dicts(py, &self.findings)
    }

    /// The findings as a `pyarrow.Table` with the JSON output's columns (`span` a struct of
    /// `start` and `end`). Needs pyarrow.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let batch = findings_batch(&self.findings).map_err(|err| PyValueError::new_err(err.to_string()))?;
        pyo3_arrow::PyTable::try_new(vec![batch.clone()], batch.schema())?.into_pyarrow(py)
    }

    /// What `cargo vazhi lint` would exit with: 0 no error-level finding, 1 at least one, 2 a
    /// path that could not be linted.
    #[getter]
    fn exit_status(&self) -> u8 {
        if !self.report.path_problems.is_empty() {
            FAILURE
        } else {
            u8::from(self.report.count(Severity::Error) > 0)
        }
    }

    /// Records read, unreadable ones included.
    #[getter]
    fn records(&self) -> u64 {
        self.report.records
    }

    /// The files linted, in the order their findings come.
    #[getter]
    fn files(&self) -> Vec<String> {
        self.report
            .files
            .iter()
            .map(|path| path.display().to_string())
            .collect()
    }

    /// Findings per rule code.
    #[getter]
    fn counts(&self) -> std::collections::BTreeMap<&'static str, usize> {
        self.report
            .tally()
            .rows()
            .into_iter()
            .map(|row| (row.rule.code, row.count))
            .collect()
    }

    /// Paths that could not be linted at all, with why.
    #[getter]
    fn path_problems(&self) -> Vec<(String, String)> {
        self.report
            .path_problems
            .iter()
            .map(|problem| (problem.path.display().to_string(), problem.message.clone()))
            .collect()
    }

    fn __len__(&self) -> usize {
        self.findings.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<vazhi.Report: {} records, {} errors, {} warnings>",
            self.report.records,
            self.report.count(Severity::Error),
            self.report.count(Severity::Warning)
        )
    }
}

/// Findings as Python dicts: the JSON output's objects, read back by Python's `json`.
fn findings_as_dicts<'py>(py: Python<'py>, findings: &[Finding]) -> PyResult<Bound<'py, PyList>> {
    let values: Vec<serde_json::Value> = findings.iter().map(finding_json).collect();
    let text = serde_json::to_string(&values).map_err(|err| PyValueError::new_err(err.to_string()))?;
    py.import("json")?
        .call_method1("loads", (text,))?
        .cast_into::<PyList>()
        .map_err(Into::into)
}

/// The findings as one Arrow record batch.
fn findings_batch(findings: &[Finding]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let texts = |value: fn(&Finding) -> Option<String>| -> ArrayRef {
        let mut builder = StringBuilder::new();
        for finding in findings {
            builder.append_option(value(finding));
        }
        Arc::new(builder.finish())
    };
    let numbers = |value: fn(&Finding) -> Option<u64>| -> ArrayRef {
        let mut builder = UInt64Builder::new();
        for finding in findings {
            builder.append_option(value(finding));
        }
        Arc::new(builder.finish())
    };
    let span_fields = vec![
        Field::new("start", DataType::UInt64, false),
        Field::new("end", DataType::UInt64, false),
    ];
    let span = StructArray::try_new(
        span_fields.clone().into(),
        vec![
            numbers(|f| Some(f.span.as_ref().map_or(0, |span| span.start as u64))),
            numbers(|f| Some(f.span.as_ref().map_or(0, |span| span.end as u64))),
        ],
        Some(findings.iter().map(|finding| finding.span.is_some()).collect()),
    )?;
    let columns: Vec<(&str, ArrayRef, bool)> = vec![
        ("rule", texts(|f| Some(f.rule.name.to_owned())), false),
        ("code", texts(|f| Some(f.rule.code.to_owned())), false),
        ("severity", texts(|f| Some(f.severity.name().to_owned())), false),
        ("message", texts(|f| Some(f.message.clone())), false),
        ("path", texts(|f| Some(f.path.to_string_lossy().into_owned())), false),
        ("line", numbers(|f| f.line()), true),
        ("row", numbers(|f| f.row()), true),
        ("record", numbers(|f| f.element), true),
        ("column", numbers(|f| f.column.map(|column| column as u64)), true),
        ("field", texts(|f| f.field.clone()), true),
        ("span", Arc::new(span), true),
        ("label", texts(|f| f.label.clone()), true),
        ("help", texts(|f| f.help.clone()), true),
    ];
    let schema = Schema::new(
        columns
            .iter()
            .map(|(name, array, nullable)| Field::new(*name, array.data_type().clone(), *nullable))
            .collect::<Vec<_>>(),
    );
    RecordBatch::try_new(
        Arc::new(schema),
        columns.into_iter().map(|(_, array, _)| array).collect(),
    )
}

/// The options every entry point takes, as the CLI's flags.
fn overrides(
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    tokenizer: Option<PathBuf>,
    max_seq_len: Option<usize>,
    chat_template: Option<PathBuf>,
    lid_model: Option<PathBuf>,
) -> Overrides {
    Overrides {
        select,
        ignore: ignore.unwrap_or_default(),
        tokenizer,
        max_seq_len,
        chat_template,
        lid_model,
        ..Overrides::default()
    }
}

/// One path (`str` or `os.PathLike`) or a sequence of them: `vazhi.lint("data/")` must not read
/// the string as a list of one-letter paths.
fn path_list(paths: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    match paths.extract::<PathBuf>() {
        Ok(path) => Ok(vec![path]),
        Err(_) => paths.extract::<Vec<PathBuf>>(),
    }
}

/// Lints files and folders as `cargo vazhi lint` does; the GIL is released while it runs.
#[pyfunction]
// One Python keyword argument per CLI flag.
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (paths, config=None, *, select=None, ignore=None, tokenizer=None, max_seq_len=None, chat_template=None, lid_model=None))]
fn lint(
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
    config: Option<PathBuf>,
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    tokenizer: Option<PathBuf>,
    max_seq_len: Option<usize>,
    chat_template: Option<PathBuf>,
    lid_model: Option<PathBuf>,
) -> PyResult<Report> {
    let paths = path_list(paths)?;
    let settings = settings(
        &paths,
        config,
        overrides(select, ignore, tokenizer, max_seq_len, chat_template, lid_model),
    )?;
    let (findings, report) = py.detach(|| {
        let linter = Linter::new(settings);
        let mut findings = Vec::new();
        let report = linter.lint_paths_streaming(&paths, &Silent, &mut |batch| findings.extend(batch));
        (findings, report)
    });
    Ok(Report { findings, report })
}

/// The gate: lints `path` and returns what was admitted (`path`, `sha256`, `records`), or raises
/// `GateRefused` naming the findings that refuse it.
#[pyfunction]
#[pyo3(signature = (path, config=None))]
fn admit(py: Python<'_>, path: PathBuf, config: Option<PathBuf>) -> PyResult<(String, String, u64)> {
    let settings = settings(std::slice::from_ref(&path), config, Overrides::default())?;
    match py.detach(|| vazhi_lint::gate::admit(&path, &settings)) {
        Ok(shard) => Ok((
            shard.path().display().to_string(),
            shard.sha256().to_owned(),
            shard.records(),
        )),
        Err(vazhi_lint::gate::GateError::Rejected { path, findings }) => {
            let err = GateRefused::new_err(format!(
                "{}: refused: {} finding(s) at error level",
                path.display(),
                findings.len()
            ));
            err.value(py).setattr("findings", findings_as_dicts(py, &findings)?)?;
            Err(err)
        }
        Err(other) => Err(GateRefused::new_err(other.to_string())),
    }
}

/// A configured linter for Arrow data linted batch by batch, in this process or in many (Ray,
/// Spark): `check_batch` gives a batch's record findings and its dataset state as bytes, and
/// `finish` turns the states of all the batches into the dataset findings.
#[pyclass(name = "Linter", module = "vazhi._vazhi", frozen)]
struct BatchLinter {
    linter: Linter,
}

#[pymethods]
impl BatchLinter {
    /// Settings as `vazhi.lint` loads them; with no `config`, from the vazhi.toml found from the
    /// current folder upwards, whose folder `[[datasets]]` globs and sources are relative to.
    #[new]
    #[pyo3(signature = (config=None, *, select=None, ignore=None, tokenizer=None, max_seq_len=None, chat_template=None, lid_model=None))]
    fn new(
        config: Option<PathBuf>,
        select: Option<Vec<String>>,
        ignore: Option<Vec<String>>,
        tokenizer: Option<PathBuf>,
        max_seq_len: Option<usize>,
        chat_template: Option<PathBuf>,
        lid_model: Option<PathBuf>,
    ) -> PyResult<BatchLinter> {
        let settings = settings(
            &[],
            config,
            overrides(select, ignore, tokenizer, max_seq_len, chat_template, lid_model),
        )?;
        Ok(BatchLinter {
            linter: Linter::new(settings),
        })
    }

    /// Lints an Arrow record batch, table or stream (anything with `__arrow_c_array__` or
    /// `__arrow_c_stream__`) whose first row is row `first_row` of `source`; a table's chunks
    /// are one batch. Returns the record findings as dicts (with an `id` key holding the
    /// `id_column` value of the finding's row, when one is named) and the state as bytes for
    /// `finish`. `dataset` names the dataset the
    /// batch belongs to when its source does not say (a Ray block, a Spark partition).
    #[pyo3(signature = (batch, source=None, first_row=0, *, id_column=None, dataset=None))]
    fn check_batch<'py>(
        &self,
        py: Python<'py>,
        batch: AnyRecordBatch,
        source: Option<PathBuf>,
        first_row: u64,
        id_column: Option<String>,
        dataset: Option<String>,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyBytes>)> {
        let source = source.unwrap_or_else(|| PathBuf::from(DEFAULT_SOURCE));
        let mut reader = Some(batch.into_reader()?);
        // The stream is read no further once it fails.
        let batches = std::iter::from_fn(move || {
            let batch = reader.as_mut()?.next()?;
            if batch.is_err() {
                reader = None;
            }
            Some(batch)
        });
        // The batches are read on a thread of their own while the linter checks the one before
        // (a pyarrow stream takes Python's lock itself when it runs Python code), so reading and
        // linting overlap and a stream is never held whole.
        let (findings, state, ids, failure) = py.detach(|| {
            read_ahead(batches, |received| {
                let mut ids: Vec<Vec<Option<String>>> = Vec::new();
                let mut failure: Option<PyErr> = None;
                let batches = received.map_while(|batch| {
                    let batch = match batch {
                        Ok(batch) => batch,
                        Err(err) => {
                            failure = Some(PyValueError::new_err(format!("{}: {err}", source.display())));
                            return None;
                        }
                    };
                    if let Some(name) = &id_column {
                        match id_values(&batch, name, &source) {
                            Ok(values) => ids.push(values),
                            Err(err) => {
                                failure = Some(err);
                                return None;
                            }
                        }
                    }
                    Some(batch)
                });
                let (findings, state) = self.linter.check_batches(batches, &source, first_row);
                let state = match &dataset {
                    Some(name) => state.in_dataset(name),
                    None => state,
                };
                (findings, state.to_bytes(), ids, failure)
            })
        });
        if let Some(failure) = failure {
            return Err(failure);
        }
        let dicts = findings_as_dicts(py, &findings)?;
        if id_column.is_some() {
            for (finding, dict) in findings.iter().zip(dicts.iter()) {
                let id = finding.row().and_then(|row| id_at(&ids, first_row, row));
                dict.set_item("id", id)?;
            }
        }
        Ok((dicts, PyBytes::new(py, &state)))
    }

    /// The dataset findings of the batches whose states are given, in any order, as dicts: what
    /// `cargo vazhi lint` says of the datasets those batches make up. Raises `StateError`.
    fn finish<'py>(&self, py: Python<'py>, states: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyList>> {
        let findings = py
            .detach(|| {
                let states = states
                    .iter()
                    .map(|bytes| BatchState::from_bytes(bytes))
                    .collect::<Result<Vec<_>, _>>()?;
                self.linter.finish_batches(states)
            })
            .map_err(|err| StateError::new_err(err.to_string()))?;
        findings_as_dicts(py, &findings)
    }

    fn __repr__(&self) -> String {
        format!("<vazhi.Linter: {} rules>", self.linter.settings().enabled.len())
    }
}

/// Where findings of a batch with no `source` point.
const DEFAULT_SOURCE: &str = "batch";

/// The `id_column` values of a batch as text, or an error naming the columns it has.
fn id_values(batch: &RecordBatch, name: &str, source: &std::path::Path) -> PyResult<Vec<Option<String>>> {
    let Some(column) = batch.column_by_name(name) else {
        let columns: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|field| field.name().as_str())
            .collect();
        return Err(PyKeyError::new_err(format!(
            "{}: no column `{name}` for the ids; the batch has {}",
            source.display(),
            columns.join(", ")
        )));
    };
    let formatter = ArrayFormatter::try_new(column.as_ref(), &FormatOptions::default())
        .map_err(|err| PyValueError::new_err(format!("{}: column `{name}`: {err}", source.display())))?;
    Ok((0..column.len())
        .map(|index| (!column.is_null(index)).then(|| formatter.value(index).to_string()))
        .collect())
}

/// The id of `row`, counting from the first row of the first of the batches whose ids are given.
fn id_at(ids: &[Vec<Option<String>>], first_row: u64, row: u64) -> Option<String> {
    let mut offset = usize::try_from(row.checked_sub(first_row)?).ok()?;
    for batch in ids {
        if offset < batch.len() {
            return batch[offset].clone();
        }
        offset -= batch.len();
    }
    None
}

/// The configuration file `vazhi.lint(path)` would use: found from `path` upwards. Workers of a
/// cluster are given it by name, since their current folder is not the driver's.
#[pyfunction]
fn config_for(path: PathBuf) -> PyResult<Option<String>> {
    vazhi_lint::settings::find_config(&path)
        .map(|found| found.map(|(config, _)| config.display().to_string()))
        .map_err(|err| ConfigError::new_err(err.to_string()))
}

#[pymodule]
fn _vazhi(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(lint, m)?)?;
    m.add_function(wrap_pyfunction!(admit, m)?)?;
    m.add_function(wrap_pyfunction!(config_for, m)?)?;
    m.add_class::<Report>()?;
    m.add_class::<BatchLinter>()?;
    m.add("StateError", m.py().get_type::<StateError>())?;
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add("GateRefused", m.py().get_type::<GateRefused>())?;
    m.add("__version__", vazhi_lint::VERSION)?;
    Ok(())
}
