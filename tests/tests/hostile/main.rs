//! Hostile input, each case named after what a black-box probe found: records lost by `split`,
//! files passed silently, input that hung or grew memory without bound. Every input record is
//! accounted for: clean, quarantined, or listed as unreadable with where it is.

mod generate;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use vazhi_lint::split::{SplitError, SplitOptions, SplitOutcome, split};
use vazhi_lint::{LintReport, Linter, Position, Settings, Silent};
use vazhi_tests::{split_manifest as manifest, split_options as options, vazhi_binary};

const GOOD: &str =
    r#"{"messages": [{"role": "user", "content": "வணக்கம்"}, {"role": "assistant", "content": "வணக்கம்! நலமா?"}]}"#;

fn allowing(out: &Path) -> SplitOptions {
    SplitOptions {
        allow_dataset_errors: true,
        allow_unreadable: true,
        ..options(out)
    }
}

fn lint(paths: &[PathBuf]) -> LintReport {
    Linter::new(Settings::default()).lint_paths(paths, &Silent)
}

fn split_with(paths: &[PathBuf], options: &SplitOptions) -> SplitOutcome {
    split(&Linter::new(Settings::default()), paths, options, &Silent).unwrap()
}

/// Records in one quarantine file.
fn quarantined(out: &Path, name: &str) -> Vec<Value> {
    let path = out.join("quarantine").join(format!("{name}.quarantine.jsonl"));
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn vazhi(args: &[&str]) -> std::process::Output {
    Command::new(vazhi_binary()).arg("vazhi").args(args).output().unwrap()
}

#[test]
fn a_broken_array_element_in_the_middle_is_quarantined_and_the_elements_after_it_are_split() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    generate::array_with_broken_element(&input.join("batch.json"), 5, 2);
    let report = lint(std::slice::from_ref(&input));
    assert_eq!(report.records, 5, "{:#?}", report.findings);
    let out = dir.path().join("out");
    let outcome = split_with(std::slice::from_ref(&input), &options(&out));
    let file = &outcome.files[0];
    assert_eq!((file.records, file.clean, file.quarantined), (5, 4, 1));
    assert!(file.unreadable.is_empty());
    let broken = quarantined(&out, "batch.json");
    assert!(broken[0]["record"].as_str().unwrap().contains("BROKEN"), "{broken:?}");
    let clean: Value = serde_json::from_str(&std::fs::read_to_string(out.join("clean/batch.json")).unwrap()).unwrap();
    let answers: Vec<&str> = clean
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["instruction"].as_str().unwrap())
        .collect();
    assert_eq!(answers, ["கேள்வி 0", "கேள்வி 1", "கேள்வி 3", "கேள்வி 4"]);
}

#[test]
fn an_unclosed_array_keeps_its_records_and_the_split_says_the_end_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    generate::unclosed_array(&input.join("cut.json"), 5);
    let out = dir.path().join("out");
    let refused = split_with(std::slice::from_ref(&input), &options(&out));
    assert!(refused.manifest.is_none(), "an unclosed array is not split silently");
    let (_, unreadable) = refused.unreadable().next().unwrap();
    assert!(unreadable.message.contains("not closed"), "{unreadable:?}");
    assert!(!out.join("clean").exists(), "nothing is published");

    let outcome = split_with(std::slice::from_ref(&input), &allowing(&out));
    let file = &outcome.files[0];
    assert_eq!((file.records, file.clean + file.quarantined), (5, 5));
    assert_eq!(
        manifest(&out)["unreadable"][0]["source"],
        input.join("cut.json").display().to_string()
    );
}

#[test]
fn a_line_over_256_mib_between_good_lines_is_listed_and_never_silently_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    generate::huge_line_between_good_lines(&input.join("huge.jsonl"), GOOD);
    generate::gzip_ending_in_a_huge_line(&input.join("tail.jsonl.gz"), GOOD);

    let report = lint(std::slice::from_ref(&input));
    let skipped: Vec<(String, Option<u64>)> = report
        .findings
        .iter()
        .filter(|finding| finding.message.contains("longer than 256 MiB"))
        .map(|finding| {
            (
                finding.path.file_name().unwrap().to_string_lossy().into_owned(),
                finding.line(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            ("huge.jsonl".to_owned(), Some(2)),
            ("tail.jsonl.gz".to_owned(), Some(2))
        ],
        "the final line of the gzip, with no newline, is reported too"
    );

    let out = dir.path().join("out");
    let refused = split_with(std::slice::from_ref(&input), &options(&out));
    assert!(refused.manifest.is_none());
    let listed: Vec<(PathBuf, Position)> = refused
        .unreadable()
        .map(|(path, unreadable)| (path.to_path_buf(), unreadable.position))
        .collect();
    assert_eq!(
        listed,
        [
            (input.join("huge.jsonl"), Position::Line(2)),
            (input.join("tail.jsonl.gz"), Position::Line(2))
        ]
    );

    let outcome = split_with(std::slice::from_ref(&input), &allowing(&out));
    for file in &outcome.files {
        // Records in = clean + quarantined + unreadable.
        let lines_in = if file.source.ends_with("huge.jsonl") { 3 } else { 2 };
        assert_eq!(
            file.clean + file.quarantined + file.unreadable.len() as u64,
            lines_in,
            "{file:?}"
        );
    }
    assert_eq!(manifest(&out)["unreadable"].as_array().unwrap().len(), 2);
}

#[test]
fn split_exits_non_zero_on_unreadable_input_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    generate::unclosed_array(&input.join("cut.json"), 3);
    let out = dir.path().join("out");
    let (input_arg, out_arg) = (input.to_str().unwrap(), out.to_str().unwrap());
    let refused = vazhi(&["split", input_arg, "--out", out_arg, "--allow-dataset-errors"]);
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("cut.json:") && stdout.contains("--allow-unreadable"),
        "{stdout}"
    );
    let allowed = vazhi(&[
        "split",
        input_arg,
        "--out",
        out_arg,
        "--allow-dataset-errors",
        "--allow-unreadable",
    ]);
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    assert!(String::from_utf8_lossy(&allowed.stdout).contains("1 unreadable"));
}

#[test]
fn the_same_file_named_twice_is_split_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("a.jsonl"), format!("{GOOD}\n")).unwrap();
    let twice = [data.join("a.jsonl"), data.join(".").join("a.jsonl")];
    let outcome = split_with(&twice, &options(&dir.path().join("out")));
    assert_eq!(outcome.files.len(), 1);
    assert_eq!(outcome.report.records, 1);
}

#[cfg(unix)]
#[test]
fn a_hub_snapshot_of_symlinked_files_is_read_and_split() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = generate::hub_snapshot(&dir.path().join("hub"), &format!("{GOOD}\n{GOOD}x\n"));
    let report = lint(std::slice::from_ref(&snapshot));
    assert_eq!(report.records, 2);
    let out = dir.path().join("out");
    let outcome = split_with(std::slice::from_ref(&snapshot), &options(&out));
    assert_eq!((outcome.files[0].clean, outcome.files[0].quarantined), (1, 1));
    assert!(out.join("clean/train.jsonl").is_file());
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_link_to_a_device_named_on_the_command_line_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("pipe.jsonl");
    generate::fifo(&pipe);
    let zero = dir.path().join("zero.jsonl");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let report = lint(&[pipe.clone(), zero.clone()]);
    let problems: Vec<(&Path, &str)> = report
        .path_problems
        .iter()
        .map(|problem| (problem.path.as_path(), problem.message.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (pipe.as_path(), "not a regular file or folder"),
            (zero.as_path(), "not a regular file or folder")
        ]
    );
    let output = vazhi(&["lint", pipe.to_str().unwrap()]);
    assert_ne!(output.status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_read_in_a_folder_and_when_named() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xE9.jsonl");
    let path = dir.path().join(name);
    std::fs::write(&path, format!("{GOOD}\n")).unwrap();
    assert_eq!(lint(&[dir.path().to_path_buf()]).records, 1);
    let named = lint(std::slice::from_ref(&path));
    assert!(named.path_problems.is_empty(), "{:?}", named.path_problems);
    assert_eq!(named.records, 1);
}

#[cfg(unix)]
#[test]
fn an_out_folder_that_resolves_inside_the_input_is_refused_before_it_exists() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("a.jsonl"), format!("{GOOD}\n")).unwrap();
    let linter = Linter::new(Settings::default());
    // `d/x/../out` is `d/out`, inside the input, though `d/x` does not exist.
    let dotted = data.join("x").join("..").join("out");
    let error = split(&linter, std::slice::from_ref(&data), &options(&dotted), &Silent).unwrap_err();
    assert!(matches!(error, SplitError::Refused(_)), "{error}");
    // A link outside the input that points into it.
    let link = dir.path().join("into");
    std::os::unix::fs::symlink(&data, &link).unwrap();
    let error = split(
        &linter,
        std::slice::from_ref(&data),
        &options(&link.join("out")),
        &Silent,
    )
    .unwrap_err();
    assert!(matches!(error, SplitError::Refused(_)), "{error}");
    assert_eq!(
        std::fs::read_dir(&data).unwrap().count(),
        1,
        "nothing was written into the input"
    );
}

#[test]
fn a_repeated_key_and_a_lone_surrogate_are_invalid_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loaders.jsonl");
    let lines = [
        r#"{"text": "யாதும் ஊரே யாவரும் கேளிர்", "text": "english"}"#.to_owned(),
        r#"{"text": "யாதும் ஊரே \ud800 யாவரும் கேளிர்"}"#.to_owned(),
        r#"{"text": "யாதும் ஊரே \udc00 யாவரும் கேளிர்"}"#.to_owned(),
        // A proper pair (😀) is text.
        r#"{"text": "யாதும் ஊரே யாவரும் கேளிர் \ud83d\ude00"}"#.to_owned(),
    ];
    std::fs::write(&path, lines.join("\n")).unwrap();
    let report = lint(&[path]);
    let invalid: Vec<(Option<u64>, &str)> = report
        .findings
        .iter()
        .filter(|finding| finding.rule.name == "invalid-record")
        .map(|finding| (finding.line(), finding.message.as_str()))
        .collect();
    assert_eq!(invalid.len(), 3, "{invalid:#?}");
    assert!(invalid[0].1.contains("the key `text` appears twice"), "{invalid:?}");
    assert!(
        invalid[1].1.contains("`\\ud800` is half of a UTF-16 pair"),
        "{invalid:?}"
    );
    assert!(invalid[2].1.contains("`\\udc00` is the second half"), "{invalid:?}");
}

#[test]
fn leading_newlines_in_a_gzip_are_skipped_in_linear_time() {
    // 64 MiB of newlines took minutes when skipping them was quadratic; linear, it is a second.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank.jsonl.gz");
    generate::gzip_of_newlines_then_a_record(&path, 64 << 20, GOOD);
    let report = lint(&[path]);
    assert_eq!(report.records, 1);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[test]
fn a_long_repetitive_extra_marker_is_refused_without_building_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vazhi.toml");
    std::fs::write(
        &config,
        format!("[rules.template-leak]\nextra-markers = [\"{}\"]\n", "x".repeat(20_000)),
    )
    .unwrap();
    let error = Settings::from_file(&config).unwrap_err().to_string();
    assert!(
        error.contains("extra-markers") && error.contains("at most 128"),
        "{error}"
    );
}

#[test]
fn threads_beyond_any_machine_are_refused_by_the_argument_parser() {
    let output = vazhi(&["lint", ".", "--threads", "100000"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("1..=1024"));
}

#[test]
fn statistics_count_findings_without_keeping_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("english.jsonl");
    let body: String = (0..20_000).map(|_| "{\"text\": \"hello\"}\n").collect();
    std::fs::write(&path, body).unwrap();
    let kept = lint(std::slice::from_ref(&path));
    let counted = Linter::new(Settings::default())
        .count_only(true)
        .lint_paths(std::slice::from_ref(&path), &Silent);
    assert!(counted.findings.is_empty());
    let rows = |report: &LintReport| -> Vec<(&'static str, usize)> {
        report
            .tally()
            .rows()
            .into_iter()
            .map(|row| (row.rule.code, row.count))
            .collect()
    };
    assert_eq!(rows(&counted), [("VZ101", 20_000), ("VZ206", 19_999)]);
    assert_eq!(rows(&counted), rows(&kept));
    assert_eq!(
        counted.count(vazhi_lint::Severity::Error),
        kept.count(vazhi_lint::Severity::Error)
    );
}

#[cfg(unix)]
#[test]
fn a_configuration_marker_list_or_tokenizer_that_is_a_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.jsonl"), format!("{GOOD}\n")).unwrap();
    let data = dir.path().to_str().unwrap();
    let config = vazhi(&["lint", data, "--config", "/dev/zero"]);
    assert!(String::from_utf8_lossy(&config.stderr).contains("not a regular file"));
    let markers = dir.path().join("vazhi.toml");
    std::fs::write(&markers, "[rules.template-leak]\nmarkers-file = \"/dev/zero\"\n").unwrap();
    let error = Settings::from_file(&markers).unwrap_err().to_string();
    assert!(error.contains("not a regular file"), "{error}");
    std::fs::remove_file(&markers).unwrap();
    let tokenizer = vazhi(&["tokenizer", "/dev/zero"]);
    assert_ne!(tokenizer.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&tokenizer.stderr).contains("not a regular file"));
}

#[test]
fn a_killed_splits_staging_folder_is_removed_by_the_next_split() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("a.jsonl"), format!("{GOOD}\n")).unwrap();
    let out = dir.path().join("out");
    let dead = out.join(format!(".vazhi-staging-{}", generate::dead_pid()));
    // Process 1 always runs: its folder may belong to a split still writing.
    let running = out.join(".vazhi-staging-1");
    for staging in [&dead, &running] {
        std::fs::create_dir_all(staging.join("clean")).unwrap();
        std::fs::write(staging.join("clean/partial.jsonl"), "{").unwrap();
    }
    split_with(std::slice::from_ref(&data), &options(&out));
    assert!(!dead.exists(), "the killed split's staging is gone");
    assert!(running.exists(), "a running split's staging is left alone");
}

#[test]
fn a_utf16_file_is_named_as_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("windows.jsonl");
    generate::utf16_file(&jsonl, &format!("{GOOD}\n{GOOD}\n"));
    let json = dir.path().join("windows.json");
    generate::utf16_file(&json, &format!("[{GOOD}]"));
    for path in [jsonl, json] {
        let report = lint(std::slice::from_ref(&path));
        assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
        assert!(
            report.findings[0].message.contains("UTF-16 (little-endian)"),
            "{}",
            report.findings[0].message
        );
    }
}

#[test]
fn a_small_truncated_gzip_says_the_file_ends_early() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.jsonl.gz");
    generate::truncated_gzip(&path, GOOD, 3, 30);
    let report = lint(std::slice::from_ref(&path));
    let messages: Vec<&str> = report.findings.iter().map(|finding| finding.message.as_str()).collect();
    assert!(
        messages.iter().any(|message| message.contains("ends early")),
        "{messages:?}"
    );
    assert!(
        messages.iter().all(|message| !message.contains("line 0")),
        "{messages:?}"
    );
}

#[test]
fn a_dictionary_encoded_parquet_text_column_is_read_and_split() {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{ArrayRef, DictionaryArray, RecordBatch};
    // pandas writes a categorical column this way; a repeated answer compresses to one value.
    let text: DictionaryArray<Int32Type> = vec![
        Some("யாதும் ஊரே யாவரும் கேளிர்"),
        Some("Hello, this is all English."),
        None,
        Some("யாதும் ஊரே யாவரும் கேளிர்"),
    ]
    .into_iter()
    .collect();
    let batch = RecordBatch::try_from_iter([("text", Arc::new(text) as ArrayRef)]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    vazhi_tests::write_batch_parquet(&input.join("categorical.parquet"), &batch, 2);
    let report = lint(std::slice::from_ref(&input));
    let found: Vec<(Option<u64>, &str)> = report
        .findings
        .iter()
        .map(|finding| (finding.row(), finding.rule.name))
        .collect();
    assert_eq!(
        found,
        [
            (Some(1), "tamil-ratio"),
            (Some(2), "invalid-record"),
            (Some(3), "duplicate")
        ],
        "{:#?}",
        report.findings
    );
    let out = dir.path().join("out");
    let outcome = split_with(std::slice::from_ref(&input), &allowing(&out));
    let file = &outcome.files[0];
    assert_eq!((file.clean, file.quarantined), (1, 3));
    let english = &quarantined(&out, "categorical.parquet")[0];
    assert_eq!(english["record"]["text"], "Hello, this is all English.");
}
