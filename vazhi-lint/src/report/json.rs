use std::io::{self, Write};

use serde_json::{Value, json};

use super::Reporter;
use crate::engine::LintReport;
use crate::finding::Finding;

/// One finding as a JSON object. Every format that serialises findings uses this shape.
pub fn finding_json(finding: &Finding) -> Value {
    json!({
        "rule": finding.rule.name,
        "code": finding.rule.code,
        "severity": finding.severity.name(),
        "message": finding.message,
        "path": finding.path.display().to_string(),
        "line": finding.line(),
        "row": finding.row(),
        "column": finding.column,
        "field": finding.field,
        "span": finding.span.as_ref().map(|span| json!({"start": span.start, "end": span.end})),
        "label": finding.label,
        "help": finding.help,
    })
}

/// `--format json`: one JSON array of findings.
pub struct Json;

impl Reporter for Json {
    fn report(&self, report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
        let findings: Vec<Value> = report.findings.iter().map(finding_json).collect();
        serde_json::to_writer_pretty(&mut *out, &findings)?;
        writeln!(out)
    }
}

/// `--format jsonl`: one finding per line, for streaming into other tools.
pub struct JsonLines;

impl Reporter for JsonLines {
    fn report(&self, report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
        for finding in &report.findings {
            serde_json::to_writer(&mut *out, &finding_json(finding))?;
            writeln!(out)?;
        }
        Ok(())
    }
}
