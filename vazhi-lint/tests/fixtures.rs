//! Each fixture under tests/fixtures/ is a JSONL corpus named after a rule, whose records carry,
//! beside their data, an `expect` key: the findings the record must produce (`"VZ101"`, or
//! `"VZ101:warning"` to pin the severity). vazhi ignores the key; this test holds each line to it,
//! exactly. Fixtures are found in the folder: adding a rule's fixture is adding its file, and a
//! record rule without one fails `every_record_rule_has_a_fixture`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use vazhi_lint::rule::Scope;
use vazhi_lint::rules::{Build, REGISTRY};
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
    // The token rules run only with a tokenizer and a window: the real Qwen tokenizer, and a
    // window small enough for a fixture's records to fill.
    let needs_tokens = REGISTRY
        .iter()
        .any(|entry| matches!(entry.build, Build::RecordIf(_)) && select.iter().any(|rule| rule == entry.meta.name));
    let options = Options {
        select: Some(select),
        tokenizer: needs_tokens.then(|| workspace().join("tests/data/qwen-tokenizer.json")),
        max_seq_len: needs_tokens.then_some(TOKEN_WINDOW),
        ..Options::default()
    };
    Settings::resolve(options, PathBuf::from("."), None).expect("valid selection")
}

/// The window the token rules' fixtures are written for.
const TOKEN_WINDOW: usize = 64;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture's file name, sorted.
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures exists")
        .map(|entry| {
            entry
                .expect("readable folder")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".jsonl"))
        .collect();
    names.sort();
    names
}

/// The lines of fixture `name` that do not hold, described; and every finding, one per line
/// (`line:column code severity message`), for its snapshot.
fn check_fixture(name: &str) -> (Vec<String>, String) {
    let path = fixtures().join(name);
    let body = std::fs::read_to_string(&path).expect("fixture exists");
    let report = Linter::new(settings_for(name, &body)).lint_files(std::slice::from_ref(&path), &Silent);
    let mut listing = String::new();
    let mut failures = Vec::new();
    for finding in &report.findings {
        // The messages' convention: one line, no final period (the help says what to do, in
        // sentences); they start lowercase unless with a name, a number or a tag.
        let message = &finding.message;
        if message.ends_with('.') || message.contains('\n') || message.trim() != message {
            failures.push(format!(
                "{name}: {}: message breaks the convention: {message:?}",
                finding.rule.code
            ));
        }
        listing.push_str(&format!(
            "{}:{} {} {} {}\n",
            finding.line().map_or("-".into(), |line| line.to_string()),
            finding.column.map_or("-".into(), |column| column.to_string()),
            finding.rule.code,
            finding.severity.name(),
            finding.message
        ));
    }
    let mut found: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for finding in &report.findings {
        let line = finding.line().expect("record findings have a line");
        found
            .entry(line)
            .or_default()
            .push(format!("{}:{}", finding.rule.code, finding.severity.name()));
    }
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
    (failures, listing)
}

/// Each fixture holds its `expect` keys, and its findings (where, and what the message says)
/// match its snapshot in tests/snapshots.
#[test]
fn every_fixture_holds() {
    let names = fixture_names();
    assert!(names.len() >= 16, "fixtures went missing: {names:?}");
    let mut failures = Vec::new();
    for name in &names {
        let (failed, listing) = check_fixture(name);
        failures.extend(failed);
        insta::assert_snapshot!(format!("fixture-{}", name.trim_end_matches(".jsonl")), listing);
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Record rules are pinned by fixtures. The reader's rule is pinned by tests/tests/readers.rs, and
/// dataset rules, whose findings belong to a dataset rather than a line, by corpora-samples.
#[test]
fn every_record_rule_has_a_fixture() {
    let names = fixture_names();
    let missing: Vec<&str> = vazhi_lint::rules::all()
        .filter(|meta| meta.scope == Scope::Record)
        .map(|meta| meta.name)
        .filter(|name| !names.contains(&format!("{name}.jsonl")))
        .collect();
    assert!(
        missing.is_empty(),
        "record rules without a fixture in tests/fixtures: {missing:?}"
    );
    let strays: Vec<&String> = names
        .iter()
        .filter(|name| vazhi_lint::rules::find(name.trim_end_matches(".jsonl")).is_none())
        .collect();
    assert!(strays.is_empty(), "fixtures named after no rule: {strays:?}");
}
