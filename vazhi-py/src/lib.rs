//! The Python module `vazhi._vazhi`: the linter and the gate for Python callers. Every rule runs
//! in Rust through `vazhi_lint`; this module only converts: settings in, findings out as Python
//! dicts (the JSON output's objects) and as an Arrow table through the Arrow C data interface.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Schema};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use vazhi_lint::report::finding_json;
use vazhi_lint::settings::{Overrides, Settings};
use vazhi_lint::{Finding, LintReport, Linter, Severity, Silent};

create_exception!(
    _vazhi,
    ConfigError,
    PyValueError,
    "The configuration or an option is wrong."
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
) -> Overrides {
    Overrides {
        select,
        ignore: ignore.unwrap_or_default(),
        tokenizer,
        max_seq_len,
        chat_template,
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
#[pyo3(signature = (paths, config=None, *, select=None, ignore=None, tokenizer=None, max_seq_len=None, chat_template=None))]
fn lint(
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
    config: Option<PathBuf>,
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    tokenizer: Option<PathBuf>,
    max_seq_len: Option<usize>,
    chat_template: Option<PathBuf>,
) -> PyResult<Report> {
    let paths = path_list(paths)?;
    let settings = settings(
        &paths,
        config,
        overrides(select, ignore, tokenizer, max_seq_len, chat_template),
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

#[pymodule]
fn _vazhi(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(lint, m)?)?;
    m.add_function(wrap_pyfunction!(admit, m)?)?;
    m.add_class::<Report>()?;
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add("GateRefused", m.py().get_type::<GateRefused>())?;
    m.add("__version__", vazhi_lint::VERSION)?;
    Ok(())
}
