use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use super::{Reporter, write_in_order, write_pretty_elements};
use crate::engine::LintReport;
use crate::finding::Finding;

/// One finding as a JSON object, borrowing from the finding. Every format that serialises
/// findings uses this shape; the field order is the output's key order.
#[derive(Serialize)]
pub struct FindingJson<'f> {
    rule: &'static str,
    code: &'static str,
    severity: &'static str,
    message: &'f str,
    path: Cow<'f, str>,
    /// 1-based: where the offending value starts (for a pretty-printed record, the field's line).
    line: Option<u64>,
    row: Option<u64>,
    /// The record's 0-based index in its array, for records of a JSON document.
    record: Option<u64>,
    column: Option<usize>,
    field: Option<&'f str>,
    span: Option<SpanJson>,
    label: Option<&'f str>,
    help: Option<&'f str>,
}

#[derive(Serialize)]
struct SpanJson {
    start: usize,
    end: usize,
}

impl<'f> From<&'f Finding> for FindingJson<'f> {
    fn from(finding: &'f Finding) -> Self {
        FindingJson {
            rule: finding.rule.name,
            code: finding.rule.code,
            severity: finding.severity.name(),
            message: &finding.message,
            path: finding.path.to_string_lossy(),
            line: finding.line(),
            row: finding.row(),
            record: finding.element,
            column: finding.column,
            field: finding.field.as_deref(),
            span: finding.span.as_ref().map(|span| SpanJson {
                start: span.start,
                end: span.end,
            }),
            label: finding.label.as_deref(),
            help: finding.help.as_deref(),
        }
    }
}

/// One finding as a JSON value, for documents that embed findings (split plans, SARIF).
pub fn finding_json(finding: &Finding) -> Value {
    serde_json::to_value(FindingJson::from(finding)).unwrap_or(Value::Null)
}

/// `--format json`: one JSON array of findings, in the layout `serde_json::to_writer_pretty` gives
/// the whole array, written element by element as the findings come.
#[derive(Default)]
pub struct Json {
    /// Elements written so far.
    written: usize,
}

impl Reporter for Json {
    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        if findings.is_empty() {
            return Ok(());
        }
        if self.written == 0 {
            out.write_all(b"[")?;
        }
        write_pretty_elements(findings, self.written, out, "", |finding| {
            serde_json::to_string_pretty(&FindingJson::from(finding))
        })?;
        self.written += findings.len();
        Ok(())
    }

    fn finish(&mut self, _: &LintReport, out: &mut dyn Write) -> io::Result<()> {
        if self.written == 0 {
            writeln!(out, "[]")
        } else {
            writeln!(out, "\n]")
        }
    }
}

/// `--format jsonl`: one finding per line, for streaming into other tools.
pub struct JsonLines;

impl Reporter for JsonLines {
    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        write_in_order(findings, out, |_, finding, text| {
            serde_json::to_writer(&mut *text, &FindingJson::from(finding))?;
            text.push(b'\n');
            Ok(())
        })
    }

    fn finish(&mut self, _: &LintReport, _: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::record::Position;
    use crate::rules::invalid_record::INVALID_RECORD;

    /// Enough findings for several parallel pieces, with every optional member set on some.
    fn report() -> LintReport {
        let path: Arc<Path> = Arc::from(Path::new("data/தமிழ் \"quoted\".jsonl"));
        let findings = (0..700u64)
            .map(|index| {
                let mut finding = Finding::file(&INVALID_RECORD, path.clone(), format!("problem {index}\nsecond line"));
                if index % 3 != 0 {
                    finding.position = Some(Position::Line(index + 1));
                    finding.column = Some(usize::try_from(index).unwrap_or(0) % 7 + 1);
                    finding.field = Some(format!("messages[{}].content", index % 4));
                    finding.span = Some(2..9);
                    finding.label = Some("here".into());
                    finding.help = Some("fix it".into());
                }
                finding
            })
            .collect();
        LintReport::of_findings(findings)
    }

    #[test]
    fn findings_formatted_in_parallel_read_as_the_serial_serde_json_layout() {
        let report = report();
        let values: Vec<Value> = report.findings.iter().map(finding_json).collect();

        let mut pretty = Vec::new();
        Json::default().report(&report, &mut pretty).unwrap();
        let mut expected = serde_json::to_vec_pretty(&values).unwrap();
        expected.push(b'\n');
        assert_eq!(String::from_utf8(pretty).unwrap(), String::from_utf8(expected).unwrap());

        let mut lines = Vec::new();
        JsonLines.report(&report, &mut lines).unwrap();
        let expected: String = values.iter().map(|value| format!("{value}\n")).collect();
        assert_eq!(String::from_utf8(lines).unwrap(), expected);
    }

    #[test]
    fn no_findings_is_an_empty_array_and_no_lines() {
        let report = LintReport::default();
        let mut pretty = Vec::new();
        Json::default().report(&report, &mut pretty).unwrap();
        assert_eq!(pretty, b"[]\n");
        let mut lines = Vec::new();
        JsonLines.report(&report, &mut lines).unwrap();
        assert!(lines.is_empty());
    }
}
