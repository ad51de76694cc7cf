//! All 1330 kurals, asked about and answered correctly in every chat layout vazhi reads, lint clean
//! of every rule: the rules must not cry wolf on the real text they exist to protect.

use std::path::Path;

use serde_json::{Value, json};
use vazhi_lint::{Linter, Settings, Silent};
use vazhi_tests::{Kural, kurals};

fn question(kural: &Kural) -> String {
    format!("திருக்குறள் {} ({}) என்ன?", kural.number, kural.chapter)
}

fn answer(kural: &Kural) -> String {
    format!("{}\n\nபொருள்: {}", kural.tamil, kural.meaning)
}

fn write_jsonl(path: &Path, records: impl Iterator<Item = Value>) {
    let lines: Vec<String> = records.map(|record| record.to_string()).collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Writes one kural's record in one layout.
type Layout = Box<dyn Fn(&Kural) -> Value>;

#[test]
fn every_kural_in_every_chat_layout_lints_clean() {
    let all = kurals();
    assert_eq!(all.len(), 1330);
    let dir = tempfile::tempdir().unwrap();
    let layouts: Vec<(&str, Layout)> = vec![
        (
            "messages",
            Box::new(
                |k| json!({"messages": [{"role": "user", "content": question(k)}, {"role": "assistant", "content": answer(k)}], "category": k.chapter}),
            ),
        ),
        (
            "sharegpt",
            Box::new(
                |k| json!({"conversations": [{"from": "human", "value": question(k)}, {"from": "gpt", "value": answer(k)}]}),
            ),
        ),
        (
            "alpaca",
            Box::new(
                |k| json!({"instruction": question(k), "input": "", "output": answer(k), "language": "pure_tamil"}),
            ),
        ),
        (
            "prompt-completion",
            Box::new(|k| json!({"prompt": question(k), "completion": answer(k)})),
        ),
        (
            "chatml",
            Box::new(
                |k| json!({"text": format!("<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n{}<|im_end|>\n", question(k), answer(k))}),
            ),
        ),
    ];
    let mut files = Vec::new();
    for (name, layout) in &layouts {
        let path = dir.path().join(format!("{name}.jsonl"));
        write_jsonl(&path, all.iter().map(layout));
        files.push(path);
    }
    let report = Linter::new(Settings::default()).lint_files(&files, &Silent);
    assert_eq!(report.records, 5 * 1330);
    let shown: Vec<String> = report
        .findings
        .iter()
        .take(10)
        .map(|finding| {
            format!(
                "{}:{:?} {} {}",
                finding.path.display(),
                finding.line(),
                finding.rule.name,
                finding.message
            )
        })
        .collect();
    assert!(
        report.findings.is_empty(),
        "{} findings, first: {shown:#?}",
        report.findings.len()
    );
}

/// A real edition's text against the reference: every kural in which tk120404/thirukkural
/// (Apache-2.0) reads differently, labelled by hand (tests/data/README.md). Spacing and edition
/// spellings must stay quiet; misspellings and damage must be errors. One is missed and named
/// here: kural 1202 with two separate slips (`எனைத்தொனறு`, `ஏல்`), which is no single contiguous
/// edit, the shape the rule reads as a misquotation.
#[test]
fn a_real_editions_differences_are_told_apart() {
    let path = vazhi_tests::test_data().join("reference/thirukkural-tk120404-differences.jsonl");
    let body = std::fs::read_to_string(&path).unwrap();
    let labelled: Vec<(u64, String, String)> = body
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            (
                v["number"].as_u64().unwrap(),
                v["quote"].as_str().unwrap().to_owned(),
                v["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(labelled.len(), 90);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("edition.jsonl");
    write_jsonl(
        &file,
        labelled
            .iter()
            .map(|(number, quote, _)| json!({"instruction": format!("திருக்குறள் {number} என்ன?"), "output": quote})),
    );
    let report = Linter::new(Settings::default()).lint_files(std::slice::from_ref(&file), &Silent);
    let errors: std::collections::BTreeSet<u64> = report
        .findings
        .iter()
        .filter(|f| f.rule.name == "kural-mismatch" && f.severity == vazhi_lint::Severity::Error)
        .filter_map(|f| f.line())
        .collect();
    let mut false_alarms = Vec::new();
    let mut missed = Vec::new();
    for (line, (number, quote, label)) in (1u64..).zip(&labelled) {
        let error = errors.contains(&line);
        match label.as_str() {
            "spacing" | "edition-spelling" if error => false_alarms.push(format!("{number}: {quote}")),
            "misspelling" if !error => missed.push(*number),
            _ => {}
        }
    }
    assert!(
        false_alarms.is_empty(),
        "errors on edition spellings: {false_alarms:#?}"
    );
    assert_eq!(missed, vec![1202], "misspellings missed");
}
