use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Reporter, write_pretty_elements};
use crate::engine::LintReport;
use crate::finding::Finding;
use crate::rule::{RuleMeta, Severity};
use crate::rules;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI reference (forward slashes, spaces and `%` escaped).
fn uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            _ => out.push(ch),
        }
    }
    out
}

/// The log around the results, and where they go in it.
struct Document {
    text: String,
    /// Just after the `[` of the empty results list.
    open: usize,
    /// The indent of the line the results list opens on.
    indent: String,
}

/// `--format sarif`: SARIF 2.1.0, for code-scanning dashboards. The log is written as one
/// pretty-printed document with each result spliced in as the findings come: the whole log as one
/// `Value` took 129 MB for 16,384 findings, and grew with the finding count where every other
/// format stays flat.
pub struct Sarif {
    document: Document,
    rules: Vec<&'static RuleMeta>,
    /// Results written so far.
    written: usize,
}

impl Default for Sarif {
    fn default() -> Sarif {
        let rules: Vec<&'static RuleMeta> = rules::all().collect();
        Sarif {
            document: Sarif::document(&rules),
            rules,
            written: 0,
        }
    }
}

impl Sarif {
    fn document(rules: &[&'static RuleMeta]) -> Document {
        let driver_rules: Vec<Value> = rules
            .iter()
            .map(|meta| {
                json!({
                    "id": meta.code,
                    "name": meta.name,
                    "shortDescription": {"text": meta.summary},
                    "fullDescription": {"text": meta.summary},
                    "help": {"text": meta.documentation(), "markdown": meta.documentation()},
                    "defaultConfiguration": {"level": level(meta.severity)},
                })
            })
            .collect();
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "vazhi",
                    "semanticVersion": crate::VERSION,
                    "version": crate::VERSION,
                    "informationUri": "https://github.com/vazhi-project/vazhi",
                    "rules": driver_rules,
                }},
                "columnKind": "unicodeCodePoints",
                "results": [],
            }],
        });
        let text = serde_json::to_string_pretty(&log).unwrap_or_default();
        // Inside a JSON string every `"` is escaped, so this text occurs only as the key itself.
        const RESULTS: &str = "\"results\": [";
        let at = text.rfind(RESULTS).unwrap_or(text.len());
        let line_start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
        Document {
            open: (at + RESULTS.len()).min(text.len()),
            indent: " ".repeat(at - line_start),
            text,
        }
    }

    /// One finding as a SARIF result.
    fn result(&self, finding: &Finding) -> Value {
        let rule_index = self.rules.iter().position(|meta| meta.code == finding.rule.code);
        let mut physical = json!({"artifactLocation": {"uri": uri(&finding.path)}});
        if let Some(line) = finding.line() {
            let mut region = json!({"startLine": line});
            if let Some(column) = finding.column {
                region["startColumn"] = json!(column);
            }
            physical["region"] = region;
        }
        let mut result = json!({
            "ruleId": finding.rule.code,
            "level": level(finding.severity),
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": physical}],
        });
        if let Some(index) = rule_index {
            result["ruleIndex"] = json!(index);
        }
        let mut properties = serde_json::Map::new();
        properties.insert("rule".into(), json!(finding.rule.name));
        if let Some(row) = finding.row() {
            properties.insert("row".into(), json!(row));
        }
        if let Some(field) = &finding.field {
            properties.insert("field".into(), json!(field));
        }
        result["properties"] = Value::Object(properties);
        result
    }
}

impl Reporter for Sarif {
    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        if findings.is_empty() {
            return Ok(());
        }
        let document = &self.document;
        if self.written == 0 {
            out.write_all(&document.text.as_bytes()[..document.open])?;
        }
        write_pretty_elements(findings, self.written, out, &document.indent, |finding| {
            serde_json::to_string_pretty(&self.result(finding))
        })?;
        self.written += findings.len();
        Ok(())
    }

    fn finish(&mut self, _: &LintReport, out: &mut dyn Write) -> io::Result<()> {
        let document = &self.document;
        if self.written == 0 {
            return writeln!(out, "{}", document.text);
        }
        // The rest of the document, from the `]` of its empty list on.
        writeln!(out, "\n{}{}", document.indent, &document.text[document.open..])
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::finding::Finding;
    use crate::record::Position;
    use crate::rules::invalid_record::INVALID_RECORD;

    fn sarif(report: &LintReport) -> String {
        let mut out = Vec::new();
        Sarif::default().report(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn results_spliced_in_parallel_read_as_one_pretty_document() {
        let path: Arc<Path> = Arc::from(Path::new("data/a b.jsonl"));
        let findings = (0..600u64)
            .map(|index| {
                let mut finding = Finding::file(&INVALID_RECORD, path.clone(), format!("problem {index}\n\"quoted\""));
                if index % 2 == 0 {
                    finding.position = Some(Position::Line(index + 1));
                    finding.column = Some(3);
                    finding.field = Some("text".into());
                }
                finding
            })
            .collect();
        let report = LintReport::of_findings(findings);
        let text = sarif(&report);
        let document: Value = serde_json::from_str(&text).unwrap();
        // Byte for byte what serde_json's pretty printer makes of the whole document.
        assert_eq!(text, format!("{}\n", serde_json::to_string_pretty(&document).unwrap()));
        let results = document["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 600);
        assert_eq!(results[599]["message"]["text"], "problem 599\n\"quoted\"");
        assert_eq!(results[2]["locations"][0]["physicalLocation"]["region"]["startLine"], 3);

        let empty = sarif(&LintReport::default());
        let document: Value = serde_json::from_str(&empty).unwrap();
        assert_eq!(document["runs"][0]["results"], json!([]));
        assert_eq!(empty, format!("{}\n", serde_json::to_string_pretty(&document).unwrap()));
    }
}
