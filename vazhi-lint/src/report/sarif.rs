use std::io::{self, Write};

use serde_json::{Value, json};

use super::Reporter;
use crate::engine::LintReport;
use crate::rule::Severity;
use crate::rules;

/// `--format sarif`: SARIF 2.1.0, for code-scanning dashboards.
pub struct Sarif;

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

impl Reporter for Sarif {
    fn report(&self, report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
        let all: Vec<_> = rules::all().collect();
        let driver_rules: Vec<Value> = all
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
        let results: Vec<Value> = report
            .findings
            .iter()
            .map(|finding| {
                let rule_index = all.iter().position(|meta| meta.code == finding.rule.code);
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
                "results": results,
            }],
        });
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}
