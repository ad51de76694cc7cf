//! Each fixture under tests/fixtures/ is a JSONL corpus whose records carry, beside their data, an
//! `expect` key: the findings the record must produce (`"VZ101"`, or `"VZ101:warning"` to pin the
//! severity). vazhi ignores the key; this test holds each line to it, exactly.

use std::collections::BTreeMap;
use std::path::PathBuf;

use vazhi_lint::rule::Scope;
use vazhi_lint::settings::Options;
use vazhi_lint::{Linter, Settings, Silent};

/// The fixture's own rule (named by its file) plus every rule its expectations mention: a fixture
/// for one rule is not at the mercy of every other rule's opinion of its records.
fn settings_for(name: &str, body: &str) -> Settings {
    let own = name.trim_end_matches(".jsonl");
    let mut select = vec![own.to_owned()];
    for meta in vazhi_lint::rules::all() {
        if meta.scope != Scope::Dataset && body.contains(&format!("\"{}", meta.code)) {
            select.push(meta.code.to_owned());
        }
    }
    let options = Options {
        select: Some(select),
        ..Options::default()
    };
    Settings::resolve(options, PathBuf::from("."), None).expect("valid selection")
}

fn check_fixture(name: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let body = std::fs::read_to_string(&path).expect("fixture exists");
    let report = Linter::new(settings_for(name, &body)).lint_files(std::slice::from_ref(&path), &Silent);
    let mut found: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for finding in &report.findings {
        let line = finding.line().expect("record findings have a line");
        found
            .entry(line)
            .or_default()
            .push(format!("{}:{}", finding.rule.code, finding.severity.name()));
    }
    let mut failures = Vec::new();
    for (index, line) in body.lines().enumerate() {
        let number = index as u64 + 1;
        let record: serde_json::Value = serde_json::from_str(line).expect("fixtures are valid JSON");
        let expected: Vec<String> = record["expect"]
            .as_array()
            .expect("every fixture record has `expect`")
            .iter()
            .map(|code| code.as_str().expect("codes are strings").to_owned())
            .collect();
        let mut got = found.remove(&number).unwrap_or_default();
        got.sort();
        // An expectation without a severity matches any severity.
        let mut unmatched = got.clone();
        let mut missing = Vec::new();
        for want in &expected {
            let at = unmatched
                .iter()
                .position(|have| have == want || have.split(':').next() == Some(want.as_str()));
            match at {
                Some(at) => {
                    unmatched.remove(at);
                }
                None => missing.push(want.clone()),
            }
        }
        if !missing.is_empty() || !unmatched.is_empty() {
            failures.push(format!("{name}:{number}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn tamil_ratio() {
    check_fixture("tamil-ratio.jsonl");
}

#[test]
fn mislabeled_language() {
    check_fixture("mislabeled-language.jsonl");
}

#[test]
fn romanised_tamil() {
    check_fixture("romanised-tamil.jsonl");
}

#[test]
fn foreign_script() {
    check_fixture("foreign-script.jsonl");
}

#[test]
fn missing_assistant() {
    check_fixture("missing-assistant.jsonl");
}

#[test]
fn empty_field() {
    check_fixture("empty-field.jsonl");
}

#[test]
fn think_leak() {
    check_fixture("think-leak.jsonl");
}

#[test]
fn template_leak() {
    check_fixture("template-leak.jsonl");
}

#[test]
fn repetition() {
    check_fixture("repetition.jsonl");
}

#[test]
fn kural_mismatch() {
    check_fixture("kural-mismatch.jsonl");
}

#[test]
fn tamil_unicode() {
    check_fixture("tamil-unicode.jsonl");
}

#[test]
fn mojibake() {
    check_fixture("mojibake.jsonl");
}

#[test]
fn legacy_encoding() {
    check_fixture("legacy-encoding.jsonl");
}

#[test]
fn not_nfc() {
    check_fixture("not-nfc.jsonl");
}
