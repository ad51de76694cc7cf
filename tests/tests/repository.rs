//! Dataset repositories as they really are: corpora-samples/repository holds every shape vazhi reads
//! (wrapped batches with batch labels, metadata beside the data, pretty arrays, records one after
//! another, question/answer, content parts, preference pairs, a saved `datasets` folder, CSV, TSV,
//! Feather). It must lint with exactly the expected findings, and the same records must give the
//! same findings whatever container holds them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use vazhi_lint::settings::Options;
use vazhi_lint::{Finding, Linter, Settings, Silent};
use vazhi_tests::{
    kurals, messages_batch, text_batch, vazhi_binary, workspace, write_arrow_file, write_arrow_stream,
    write_batch_parquet, write_csv,
};

fn vazhi(args: &[&str]) -> std::process::Output {
    Command::new(vazhi_binary())
        .arg("vazhi")
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("cargo-vazhi runs")
}

/// `path line/row record code: message`, one finding per line, in the output's order.
fn finding_lines(findings: &[Value]) -> String {
    findings
        .iter()
        .map(|finding| {
            let at = match (&finding["line"], &finding["row"]) {
                (Value::Number(line), _) => format!(":{line}"),
                (_, Value::Number(row)) => format!(" (row {row})"),
                _ => String::new(),
            };
            let record = match &finding["record"] {
                Value::Number(index) => format!(" [record {index}]"),
                _ => String::new(),
            };
            format!(
                "{}{at}{record} {}: {}",
                finding["path"].as_str().unwrap_or_default(),
                finding["code"].as_str().unwrap_or_default(),
                finding["message"].as_str().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_dataset_repository_lints_with_exactly_the_expected_findings() {
    let output = vazhi(&["lint", "--format", "json", "corpora-samples/repository"]);
    assert_eq!(output.status.code(), Some(1));
    let findings: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON findings");
    insta::assert_snapshot!("repository_findings", finding_lines(&findings));
    // One file-level finding per file at most: a cause shared by every record is said once.
    let mut file_level: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in &findings {
        if finding["line"].is_null() && finding["row"].is_null() {
            *file_level
                .entry(finding["path"].as_str().unwrap_or_default())
                .or_default() += 1;
        }
    }
    assert!(file_level.values().all(|count| *count == 1), "{file_level:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("note: 5 JSON files hold no records (metadata, not a corpus)"),
        "{stderr}"
    );
}

#[test]
fn files_shows_every_file_with_its_kind_and_records() {
    let output = vazhi(&["files", "--format", "json", "corpora-samples/repository"]);
    assert_eq!(output.status.code(), Some(0));
    let entries: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON listing");
    let table: Vec<String> = entries
        .iter()
        .map(|entry| {
            format!(
                "{} | {} | {} | {}",
                entry["path"].as_str().unwrap_or_default(),
                entry["kind"].as_str().unwrap_or_default(),
                entry["records"],
                entry["layouts"]
            )
        })
        .collect();
    insta::assert_snapshot!("repository_files", table.join("\n"));
    // The same record counts as lint reads.
    let root = workspace().join("corpora-samples/repository");
    let settings = Settings::discover(&root).expect("settings");
    let report = Linter::new(settings).lint_paths(&[root], &Silent);
    let listed: u64 = entries.iter().filter_map(|entry| entry["records"].as_u64()).sum();
    assert_eq!(listed, report.records);
    assert_eq!(listed, 82);
}

/// Every container vazhi reads, holding the same records.
#[derive(Debug, Clone, Copy)]
enum Form {
    JsonLines,
    PrettyArray,
    Wrapped,
    OneAfterAnother,
    Parquet,
    ArrowStream,
    ArrowFile,
    Csv,
    Tsv,
}

const FORMS: [Form; 9] = [
    Form::JsonLines,
    Form::PrettyArray,
    Form::Wrapped,
    Form::OneAfterAnother,
    Form::Parquet,
    Form::ArrowStream,
    Form::ArrowFile,
    Form::Csv,
    Form::Tsv,
];

/// Instruction/answer records with a defect of each kind a record rule finds, and a duplicate.
fn corpus() -> Vec<(String, String)> {
    let kurals = kurals();
    let question = |number: u64| format!("திருக்குறள் {number} என்ன? அதன் பொருளை விளக்குக.");
    let answer = |index: usize| format!("“{}”\n\nபொருள்: {}", kurals[index].tamil, kurals[index].meaning);
    let mut records: Vec<(String, String)> = (0..24)
        .map(|at| {
            let index = at * 50 + 3;
            (question(kurals[index].number), answer(index))
        })
        .collect();
    records[3].1 = kurals[153].english.clone();
    records[6].1 = format!("<think>\n</think>\n{}", records[6].1);
    records[9].1 = "விடை விடை விடை விடை விடை விடை விடை விடை விடை விடை விடை விடை".into();
    records[12].1 = format!("{} <|im_end|>", records[12].1);
    records[15].1 = String::new();
    records[18] = records[2].clone();
    // கொண்டு with its two-part vowel written as two signs.
    records[21].1 = format!("{}\nக\u{0BC6}\u{0BBE}ண்டு", records[21].1);
    records
}

fn write_form(dir: &Path, form: Form, records: &[(String, String)]) -> PathBuf {
    let objects: Vec<Value> = records
        .iter()
        .map(|(question, answer)| json!({"instruction": question, "output": answer}))
        .collect();
    let column = |pick: fn(&(String, String)) -> &String| -> Vec<Option<String>> {
        records.iter().map(|record| Some(pick(record).clone())).collect()
    };
    let columns = [("instruction", column(|r| &r.0)), ("output", column(|r| &r.1))];
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write form");
        path
    };
    match form {
        Form::JsonLines => write(
            "corpus.jsonl",
            objects.iter().map(|object| format!("{object}\n")).collect(),
        ),
        Form::PrettyArray => write(
            "corpus.json",
            serde_json::to_string_pretty(&objects).expect("serialise") + "\n",
        ),
        Form::Wrapped => write(
            "batch.json",
            serde_json::to_string_pretty(&json!({"pack": "kural", "batch_num": 7, "samples": objects}))
                .expect("serialise"),
        ),
        Form::OneAfterAnother => write(
            "stream.json",
            objects
                .iter()
                .map(|object| serde_json::to_string_pretty(object).expect("serialise") + "\n")
                .collect(),
        ),
        Form::Parquet => {
            let path = dir.join("corpus.parquet");
            write_batch_parquet(&path, &text_batch(&columns), 7);
            path
        }
        Form::ArrowStream => {
            let path = dir.join("data-00000-of-00001.arrow");
            write_arrow_stream(&path, &text_batch(&columns), 5);
            path
        }
        Form::ArrowFile => {
            let path = dir.join("corpus.feather");
            write_arrow_file(&path, &text_batch(&columns));
            path
        }
        Form::Csv => {
            let path = dir.join("corpus.csv");
            write_csv(&path, ',', &columns);
            path
        }
        Form::Tsv => {
            let path = dir.join("corpus.tsv");
            write_csv(&path, '\t', &columns);
            path
        }
    }
}

/// Each finding as (record index, code, severity, message with positions taken out: a duplicate
/// names its original by line in JSON Lines and by row in Parquet).
fn by_record(findings: &[Finding], form: Form) -> Vec<(u64, String, String, String)> {
    let mut out: Vec<(u64, String, String, String)> = findings
        .iter()
        .map(|finding| {
            let index = finding
                .element
                .or(finding.row())
                .or_else(|| {
                    finding
                        .position
                        .and_then(|position| position.line())
                        .map(|line| line - 1)
                })
                .unwrap_or(u64::MAX);
            let message = finding
                .message
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .split(" at row ")
                .next()
                .unwrap_or_default()
                .to_owned();
            (
                index,
                finding.rule.code.to_owned(),
                finding.severity.name().to_owned(),
                message,
            )
        })
        .collect();
    out.sort();
    assert!(out.iter().all(|(index, ..)| *index != u64::MAX), "{form:?}: {out:?}");
    out
}

#[test]
fn the_same_records_give_the_same_findings_in_every_container() {
    let records = corpus();
    let dir = tempfile::tempdir().unwrap();
    let options = Options::default();
    let settings = Settings::resolve(options, dir.path().to_path_buf(), None).expect("defaults");
    let linter = Linter::new(settings);
    let mut reference = None;
    for form in FORMS {
        let sub = dir.path().join(format!("{form:?}"));
        std::fs::create_dir_all(&sub).unwrap();
        let path = write_form(&sub, form, &records);
        let report = linter.lint_files(std::slice::from_ref(&path), &Silent);
        assert_eq!(report.records, records.len() as u64, "{form:?}");
        let findings = by_record(&report.findings, form);
        let codes: Vec<&str> = findings.iter().map(|(_, code, ..)| code.as_str()).collect();
        for expected in ["VZ101", "VZ203", "VZ204", "VZ205", "VZ206", "VZ202", "VZ405"] {
            assert!(codes.contains(&expected), "{form:?} misses {expected}: {findings:#?}");
        }
        match &reference {
            None => reference = Some(findings),
            Some(reference) => assert_eq!(&findings, reference, "{form:?} differs from JSON Lines"),
        }
    }
}

#[test]
fn a_messages_dataset_saved_to_disk_reads_like_its_parquet() {
    let kurals = kurals();
    let conversations: Vec<Vec<(&'static str, String)>> = kurals
        .iter()
        .take(9)
        .map(|kural| {
            vec![
                ("user", format!("குறள் {}?", kural.number)),
                ("assistant", kural.english.clone()),
            ]
        })
        .collect();
    let batch = messages_batch(&conversations, &[]);
    let dir = tempfile::tempdir().unwrap();
    let arrow = dir.path().join("data-00000-of-00001.arrow");
    let parquet = dir.path().join("train.parquet");
    write_arrow_stream(&arrow, &batch, 4);
    write_batch_parquet(&parquet, &batch, 4);
    let settings = Settings::resolve(Options::default(), dir.path().to_path_buf(), None).expect("defaults");
    let linter = Linter::new(settings);
    let arrow_findings = by_record(&linter.lint_files(&[arrow], &Silent).findings, Form::ArrowStream);
    let parquet_findings = by_record(&linter.lint_files(&[parquet], &Silent).findings, Form::Parquet);
    assert_eq!(arrow_findings.len(), 9, "every English answer: {arrow_findings:#?}");
    assert_eq!(arrow_findings, parquet_findings);
}
