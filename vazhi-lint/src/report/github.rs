use std::io::{self, Write};

use super::Reporter;
use crate::engine::LintReport;
use crate::finding::Finding;
use crate::rule::Severity;

/// `--format github`: workflow commands that GitHub Actions shows as annotations on the file.
pub struct Github;

/// Workflow-command data escaping: `%`, CR and LF always; `:` and `,` too inside properties.
fn escape(text: &str, property: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            _ => out.push(ch),
        }
    }
    out
}

impl Reporter for Github {
    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        for finding in findings {
            let command = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut properties = format!("file={}", escape(&finding.path.display().to_string(), true));
            if let Some(line) = finding.line() {
                properties.push_str(&format!(",line={line}"));
            }
            if let Some(column) = finding.column {
                properties.push_str(&format!(",col={column}"));
            }
            let title = format!("{} {}", finding.rule.code, finding.rule.name);
            properties.push_str(&format!(",title={}", escape(&title, true)));
            let mut message = finding.message.clone();
            if let Some(row) = finding.row() {
                message = format!("row {row}: {message}");
            }
            if let Some(field) = &finding.field {
                message = format!("{message} [{field}]");
            }
            writeln!(out, "::{command} {properties}::{}", escape(&message, false))?;
        }
        Ok(())
    }

    fn finish(&mut self, _: &LintReport, _: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}
