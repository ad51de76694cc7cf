//! Output formats. Each is one small [`Reporter`]; the CLI picks one with `--format`.

pub mod files;
mod github;
mod html;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use rayon::prelude::*;

pub use github::Github;
pub use html::{Html, HtmlOptions};
pub use human::Human;
pub use json::{Json, JsonLines, finding_json};
pub use sarif::Sarif;

use crate::engine::LintReport;
use crate::finding::Finding;

/// Findings formatted in parallel pieces and written in order (`format` gets each finding's index
/// in the batch). Formatting 16,384 findings one by one after the parallel lint was a quarter of a
/// 2-thread run; batches bound the memory the formatted text takes.
fn write_in_order(
    findings: &[Finding],
    out: &mut dyn Write,
    format: impl Fn(usize, &Finding, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    const BATCH: usize = 1 << 14;
    const PIECE: usize = 256;
    for (batch_index, batch) in findings.chunks(BATCH).enumerate() {
        let pieces: Vec<Vec<u8>> = batch
            .par_chunks(PIECE)
            .enumerate()
            .map(|(piece_index, piece)| {
                let mut text = Vec::with_capacity(piece.len() * 384);
                let first = batch_index * BATCH + piece_index * PIECE;
                for (offset, finding) in piece.iter().enumerate() {
                    format(first + offset, finding, &mut text)?;
                }
                Ok(text)
            })
            .collect::<io::Result<_>>()?;
        for piece in pieces {
            out.write_all(&piece)?;
        }
    }
    Ok(())
}

/// Elements of a JSON array of findings in the layout `serde_json::to_writer_pretty` gives the
/// whole array when its `[` (already written) stands on a line indented by `indent`: each element
/// one level deeper, comma-separated. `written` elements came before these. After the last
/// element the caller writes the line break and indent, then the closing `]`. `pretty` is one
/// element, pretty-printed on its own.
fn write_pretty_elements(
    findings: &[Finding],
    written: usize,
    out: &mut dyn Write,
    indent: &str,
    pretty: impl Fn(&Finding) -> serde_json::Result<String> + Sync,
) -> io::Result<()> {
    let inner = format!("\n{indent}  ");
    write_in_order(findings, out, |index, finding, text| {
        if written + index > 0 {
            text.push(b',');
        }
        text.extend_from_slice(inner.as_bytes());
        // JSON strings hold no raw newline, so each one here starts a line of the element.
        text.extend_from_slice(pretty(finding)?.replace('\n', &inner).as_bytes());
        Ok(())
    })
}

/// Writes a lint run in one format as it goes: `findings` with each batch in output order as the
/// run settles it, then `finish` with the run's report (its counts and summaries) after the last.
pub trait Reporter {
    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()>;
    fn finish(&mut self, report: &LintReport, out: &mut dyn Write) -> io::Result<()>;

    /// A whole report at once: its findings, then its end.
    fn report(&mut self, report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
        self.findings(&report.findings, out)?;
        self.finish(report, out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Jsonl,
    Github,
    Sarif,
}

impl Format {
    pub fn reporter(self, options: HumanOptions) -> Box<dyn Reporter> {
        match self {
            Format::Human => Box::new(Human(options)),
            Format::Json => Box::<Json>::default(),
            Format::Jsonl => Box::new(JsonLines),
            Format::Github => Box::new(Github),
            Format::Sarif => Box::<Sarif>::default(),
        }
    }
}

/// How the human format looks.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
    /// Only the per-rule counts, not each finding.
    pub statistics_only: bool,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
            statistics_only: false,
        }
    }
}

/// Findings per rule, with each rule's counts by severity; rules in code order.
pub fn statistics(report: &LintReport) -> Vec<RuleCount> {
    report.tally().rows()
}

/// `--statistics` in a machine-readable format: the per-rule rows of [`statistics`] as a JSON
/// array; with token statistics, an object `{"rules": [rows], "token_stats": {…}}`.
pub fn statistics_json(report: &LintReport) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = statistics(report)
        .into_iter()
        .map(|row| {
            let by: serde_json::Map<String, serde_json::Value> = row
                .by_severity
                .iter()
                .map(|(severity, count)| (severity.name().to_owned(), (*count).into()))
                .collect();
            serde_json::json!({"code": row.rule.code, "rule": row.rule.name, "count": row.count, "severity": by})
        })
        .collect();
    match &report.token_stats {
        None => serde_json::Value::Array(rows),
        Some(tokens) => serde_json::json!({
            "rules": rows,
            "token_stats": tokens.to_json(report.datasets.iter().map(|dataset| dataset.name.as_str())),
        }),
    }
}

pub use crate::tally::RuleCount;

/// `1 error`, `2 warnings`; counts of any integer type.
pub fn plural<N: std::fmt::Display + PartialEq + From<u8>>(count: N, noun: &str) -> String {
    if count == N::from(1) {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `part` as a share of `whole`: `12.5%`.
pub(crate) fn share_of(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0%".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// `1,234,567`.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A location as people and editors read it: `path:line:column`, `path (row 7)`, or `path`.
pub fn location(finding: &crate::finding::Finding) -> String {
    let path = finding.path.display();
    match (finding.line(), finding.row(), finding.column) {
        (Some(line), _, Some(column)) => format!("{path}:{line}:{column}"),
        (Some(line), _, None) => format!("{path}:{line}"),
        (None, Some(row), _) => format!("{path} (row {row})"),
        _ => format!("{path}"),
    }
}
