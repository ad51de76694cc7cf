//! The readers on real and deliberately broken files, through the library.

use std::path::{Path, PathBuf};

use vazhi_lint::{Finding, LintReport, Linter, Settings, Silent};
use vazhi_tests::workspace;

/// The readers' own rule and the script rules: what these tests check is where findings land.
fn lint(paths: &[PathBuf]) -> LintReport {
    let options = vazhi_lint::settings::Options {
        select: Some(vec!["VZ0".into(), "VZ1".into()]),
        ..Default::default()
    };
    let settings = Settings::resolve(options, PathBuf::from("."), None).unwrap();
    Linter::new(settings).lint_paths(paths, &Silent)
}

fn sample(path: &str) -> PathBuf {
    workspace().join("corpora-samples").join(path)
}

/// What a finding says, without where it is.
fn essence(finding: &Finding) -> (String, String, Option<String>, Option<std::ops::Range<usize>>, String) {
    (
        finding.rule.code.to_owned(),
        finding.message.clone(),
        finding.field.clone(),
        finding.span.clone(),
        finding.severity.name().to_owned(),
    )
}

#[test]
fn parquet_and_jsonl_give_the_same_findings_for_the_same_records() {
    let jsonl = lint(&[sample("defective/mislabeled.jsonl")]);
    let parquet = lint(&[sample("defective/mislabeled.parquet")]);
    assert!(jsonl.findings.len() >= 20, "the sample has many defects");
    assert_eq!(jsonl.findings.len(), parquet.findings.len());
    for (a, b) in jsonl.findings.iter().zip(&parquet.findings) {
        assert_eq!(essence(a), essence(b));
        // JSONL lines are 1-based, Parquet rows 0-based.
        assert_eq!(a.line().unwrap(), b.row().unwrap() + 1);
    }
    assert_eq!(jsonl.records, parquet.records);
}

#[test]
fn compressed_and_array_layouts_read_like_plain_jsonl() {
    let plain = lint(&[sample("clean/kural-qa.messages.jsonl")]);
    let zst = lint(&[sample("clean/kural-qa.messages.jsonl.zst")]);
    assert_eq!(plain.records, 60);
    assert_eq!(zst.records, 60);
    assert_eq!(lint(&[sample("clean/kural-qa.sharegpt.jsonl.gz")]).records, 30);
    let array = lint(&[sample("clean/kural-qa.alpaca.json")]);
    assert_eq!(array.records, 40);
    assert!(array.findings.is_empty());
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

const GOOD: &str =
    r#"{"messages": [{"role": "user", "content": "வணக்கம்"}, {"role": "assistant", "content": "வணக்கம்! நலமா?"}]}"#;
const ENGLISH: &str =
    r#"{"messages": [{"role": "user", "content": "வணக்கம்"}, {"role": "assistant", "content": "Hello, how are you?"}]}"#;

/// Each finding's line and rule, in report order.
fn located(report: &LintReport) -> Vec<(u64, &'static str)> {
    report
        .findings
        .iter()
        .map(|finding| (finding.line().unwrap(), finding.rule.name))
        .collect()
}

#[test]
fn bad_lines_are_located_and_every_good_line_is_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let huge = format!(r#"{{"text": "{}"}}"#, "Long English line. ".repeat(160_000));
    assert!(huge.len() > 3_000_000);
    let mut body = Vec::new();
    body.extend_from_slice(b"\xEF\xBB\xBF");
    for line in [
        GOOD.as_bytes(),                  // 1
        &GOOD.as_bytes()[..40],           // 2 truncated
        b"{\"text\": \"bad \xFF byte\"}", // 3 invalid UTF-8
        b"[1, 2, 3]",                     // 4 not an object
        b"{\"text\": \"x\",}",            // 5 trailing comma
        ENGLISH.as_bytes(),               // 6 good line, English answer
        huge.as_bytes(),                  // 7 3 MB line
        b"",                              // 8 blank
        b"{\"id\": 7}",                   // 9 no text field
        GOOD.as_bytes(),                  // 10
    ] {
        body.extend_from_slice(line);
        body.extend_from_slice(b"\r\n");
    }
    let path = write(dir.path(), "broken.jsonl", &body);
    let report = lint(&[path]);
    let located = located(&report);
    assert_eq!(
        located,
        vec![
            (2, "invalid-record"),
            (3, "invalid-record"),
            (4, "invalid-record"),
            (5, "invalid-record"),
            (6, "tamil-ratio"),
            (7, "tamil-ratio"),
            (9, "invalid-record"),
        ],
        "{:#?}",
        report.findings
    );
    assert_eq!(report.records, 9, "the blank line is not a record");
    let utf8 = &report.findings[1];
    assert!(utf8.message.contains("UTF-8") && utf8.column == Some(15), "{utf8:?}");
    assert!(report.findings[3].message.contains("trailing comma"));
}

#[test]
fn a_json_array_reports_the_line_where_each_element_starts() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "[\n  {GOOD},\n  {{\n    \"instruction\": \"வணக்கம்\",\n    \"output\": \"Hello there, friend.\"\n  }},\n  \"not an object\",\n  {ENGLISH},\n]\n"
    );
    let path = write(dir.path(), "alpaca.json", body.as_bytes());
    let report = lint(&[path]);
    let located = located(&report);
    assert_eq!(
        located,
        // The pretty-printed element's finding is at its `output`, line 5, where the text is.
        vec![
            (5, "tamil-ratio"),
            (7, "invalid-record"),
            (8, "tamil-ratio"),
            (9, "invalid-record")
        ]
    );
    assert!(report.findings[3].message.contains("trailing comma"));
}

#[test]
fn a_json_file_of_lines_is_read_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "lines.json", format!("{GOOD}\n{ENGLISH}\n").as_bytes());
    let report = lint(&[path]);
    assert_eq!(report.records, 2);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].line(), Some(2));
}

#[test]
fn folders_are_walked_honouring_gitignore_and_skipping_hidden_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("sft/nested")).unwrap();
    std::fs::create_dir_all(root.join(".cache")).unwrap();
    write(root, ".gitignore", b"scratch/\n*.tmp.jsonl\n");
    std::fs::create_dir_all(root.join("scratch")).unwrap();
    for name in [
        "sft/a.jsonl",
        "sft/nested/b.jsonl",
        "scratch/c.jsonl",
        "sft/d.tmp.jsonl",
        ".cache/e.jsonl",
        ".hidden.jsonl",
        "notes.txt",
    ] {
        write(root, name, ENGLISH.as_bytes());
    }
    let report = lint(&[root.to_path_buf()]);
    let names: Vec<String> = report
        .files
        .iter()
        .map(|path| path.strip_prefix(root).unwrap().display().to_string())
        .collect();
    assert_eq!(names, vec!["sft/a.jsonl", "sft/nested/b.jsonl"]);
    assert_eq!(report.findings.len(), 2);
    // notes.txt may be a corpus in plain text: it is named as not linted, not passed over.
    assert_eq!(report.unread_files, vec![root.join("notes.txt")]);
}

#[test]
fn data_in_formats_vazhi_does_not_read_is_named_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for name in [
        "train.avro",
        "ta.txt.gz",
        "shard.orc",
        "README.md",
        "load.py",
        "LICENSE",
        "a.jsonl",
    ] {
        write(root, name, ENGLISH.as_bytes());
    }
    let report = lint(&[root.to_path_buf()]);
    assert_eq!(report.files, vec![root.join("a.jsonl")]);
    let unread: Vec<&str> = report
        .unread_files
        .iter()
        .map(|path| path.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(unread, vec!["shard.orc", "ta.txt.gz", "train.avro"]);
}

#[test]
fn compressed_json_is_read_as_lines_or_as_an_array() {
    use std::io::Write as _;

    let dir = tempfile::tempdir().unwrap();
    let lines = format!("{GOOD}\n{ENGLISH}\n");
    let array = format!("[\n  {GOOD},\n  {ENGLISH}\n]\n");
    let gzip = |text: &str| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    };
    let zstd = |text: &str| zstd::encode_all(text.as_bytes(), 3).unwrap();
    let files = [
        write(dir.path(), "lines.json.gz", &gzip(&lines)),
        write(dir.path(), "array.json.gz", &gzip(&array)),
        write(dir.path(), "lines.json.zst", &zstd(&lines)),
        write(dir.path(), "array.json.zst", &zstd(&array)),
        write(dir.path(), "lines.ndjson.gz", &gzip(&lines)),
    ];
    for file in files {
        let report = lint(std::slice::from_ref(&file));
        assert_eq!(report.records, 2, "{}", file.display());
        assert_eq!(
            located(&report),
            vec![(
                if file.to_string_lossy().contains("array") { 3 } else { 2 },
                "tamil-ratio"
            )]
        );
    }
}

#[test]
fn a_parquet_file_without_text_columns_is_one_located_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ids.parquet");
    // A string column nobody maps to text: `id`.
    vazhi_tests::write_text_parquet(&path, &[("id", vec![Some("a".into()), Some("b".into())])], 10);
    let report = lint(&[path]);
    assert_eq!(report.findings.len(), 1);
    let finding = &report.findings[0];
    assert_eq!(finding.rule.name, "invalid-record");
    assert!(
        finding.position.is_none() && finding.message.contains("`id` (Utf8)"),
        "{}",
        finding.message
    );
}

#[test]
fn a_truncated_parquet_file_is_reported_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(sample("clean/kural-qa.messages.parquet")).unwrap();
    let path = write(dir.path(), "cut.parquet", &bytes[..bytes.len() / 2]);
    let report = lint(&[path]);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].rule.name, "invalid-record");
}

#[test]
fn many_row_groups_keep_their_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("groups.parquet");
    let texts: Vec<Option<String>> = (0..100)
        .map(|row| {
            Some(if row % 10 == 7 {
                "An English line.".to_owned()
            } else {
                "ஒரு தமிழ் வரி.".to_owned()
            })
        })
        .collect();
    vazhi_tests::write_text_parquet(&path, &[("text", texts)], 8);
    let report = lint(&[path]);
    let rows: Vec<u64> = report.findings.iter().map(|finding| finding.row().unwrap()).collect();
    assert_eq!(rows, vec![7, 17, 27, 37, 47, 57, 67, 77, 87, 97]);
    assert_eq!(report.records, 100);
}
