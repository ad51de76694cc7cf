//! Findings streamed as files and chunks finish read the same as the whole run's findings sorted
//! at the end, in every output format; where a finding can only be known later (a dataset's own
//! findings, after its last file), it comes later and nothing else moves.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vazhi_lint::report::{Format, HumanOptions, finding_json};
use vazhi_lint::{Finding, LintReport, Linter, Settings, Silent};
use vazhi_tests::workspace;

const FORMATS: [Format; 5] = [
    Format::Human,
    Format::Json,
    Format::Jsonl,
    Format::Github,
    Format::Sarif,
];

/// The run streamed: its report and its findings in the batches the sink got them in.
fn streamed(linter: &Linter, paths: &[PathBuf]) -> (LintReport, Vec<Vec<Finding>>) {
    let mut batches = Vec::new();
    let report = linter.lint_paths_streaming(paths, &Silent, &mut |batch| batches.push(batch));
    (report, batches)
}

/// What a format writes for the streamed batches, and for the sorted report written at once.
fn written(
    format: Format,
    (report, batches): &(LintReport, Vec<Vec<Finding>>),
    sorted: &LintReport,
) -> (String, String) {
    let mut out = Vec::new();
    let mut reporter = format.reporter(HumanOptions::default());
    for batch in batches {
        reporter.findings(batch, &mut out).unwrap();
    }
    reporter.finish(report, &mut out).unwrap();
    let mut whole = Vec::new();
    format
        .reporter(HumanOptions::default())
        .report(sorted, &mut whole)
        .unwrap();
    (String::from_utf8(out).unwrap(), String::from_utf8(whole).unwrap())
}

#[test]
fn corpora_samples_stream_byte_for_byte_as_the_sorted_report_in_every_format() {
    let samples = workspace().join("corpora-samples");
    let linter = Linter::new(Settings::discover(&samples).unwrap());
    let paths = [samples];
    let sorted = linter.lint_paths(&paths, &Silent);
    let streamed = streamed(&linter, &paths);
    assert!(sorted.findings.len() > 200, "{}", sorted.findings.len());
    assert!(streamed.1.len() > 10, "the samples' files go out one by one");
    assert_eq!(streamed.0.tally().rows().len(), sorted.tally().rows().len());
    for format in FORMATS {
        let (streamed, whole) = written(format, &streamed, &sorted);
        assert_eq!(streamed, whole, "{format:?}");
    }
}

/// A chat record with `answer` as its response.
fn record(question: &str, answer: &str) -> String {
    format!(
        "{{\"messages\": [{{\"role\": \"user\", \"content\": \"{question}\"}}, {{\"role\": \"assistant\", \"content\": \"{answer}\"}}]}}\n"
    )
}

/// The `index`th ordinary record of [`large_file`]: each question and answer its own.
fn numbered(index: usize) -> String {
    record(
        &format!("கேள்வி எண் {index}"),
        &format!("பதில் எண் {index} தமிழில் எழுதப்பட்டது."),
    )
}

/// A file large enough to be streamed a chunk at a time, with copies of earlier records
/// throughout, two answers given to many prompts, broken lines and English answers.
fn large_file(path: &Path) {
    let mut body = String::new();
    let mut index = 0;
    while body.len() < 3 * vazhi_lint::engine::STREAMED_FILE_BYTES as usize {
        let line = match index % 97 {
            0 => "{\"messages\": [broken\n".to_owned(),
            1 => record("இது ஒரு கேள்வி", "Plain English answer, not Tamil at all."),
            2 => record(&format!("வேறு கேள்வி {index}"), "எல்லோருக்கும் ஒரே பதில் இதுதான்."),
            15 | 25 | 35 => numbered(index - 5),
            _ => numbered(index),
        };
        body.push_str(&line);
        index += 1;
    }
    std::fs::write(path, body).unwrap();
}

#[test]
fn a_streamed_file_moves_only_what_its_dataset_says_at_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let large = dir.path().join("large.jsonl");
    large_file(&large);
    let small = dir.path().join("small.jsonl");
    std::fs::write(
        &small,
        [
            record("ஒன்று", "ஒன்று"),
            record("ஒன்று", "ஒன்று"),
            record("இரண்டு", "English"),
        ]
        .concat(),
    )
    .unwrap();
    let linter = Linter::new(Settings::default());
    let paths = [large.clone(), small.clone()];
    let sorted = linter.lint_paths(&paths, &Silent);
    let run = streamed(&linter, &paths);
    let batches = &run.1;
    assert!(batches.len() > 3, "the large file goes out in several batches");
    let order: Vec<&Finding> = batches.iter().flatten().collect();
    assert_eq!(order.len(), sorted.findings.len());

    // What only the end tells: the answers given to many prompts (the end of the dataset), and
    // the broken lines (the end of the file, which decides whether they are reported one by one
    // or as one finding).
    let late = |finding: &Finding| finding.message.contains("is the response of") || finding.rule.code == "VZ001";
    let on_time: Vec<Value> = order
        .iter()
        .filter(|finding| !late(finding))
        .map(|finding| finding_json(finding))
        .collect();
    let sorted_on_time: Vec<Value> = sorted
        .findings
        .iter()
        .filter(|finding| !late(finding))
        .map(finding_json)
        .collect();
    assert_eq!(on_time, sorted_on_time);
    let in_large = order.iter().filter(|finding| *finding.path == *large).count();
    let late_in_large = order.iter().filter(|finding| late(finding)).count();
    let warnings = order
        .iter()
        .filter(|finding| finding.message.contains("is the response of"))
        .count();
    assert_eq!(warnings, 2);
    assert!(late_in_large > 200, "{late_in_large}");
    // They come after every other finding of the large file, before the small file's.
    assert!(order[..in_large].iter().all(|finding| *finding.path == *large));
    assert!(
        order[in_large - late_in_large..in_large]
            .iter()
            .all(|finding| late(finding))
    );
    // Duplicates found in every chunk go out with their chunk, not at the end.
    let copies = order
        .iter()
        .filter(|finding| finding.message.starts_with("duplicate of the record"))
        .count();
    assert!(copies > 1000, "{copies}");

    for format in FORMATS {
        let (streamed, whole) = written(format, &run, &sorted);
        let mut streamed_lines: Vec<&str> = streamed.lines().collect();
        let mut whole_lines: Vec<&str> = whole.lines().collect();
        streamed_lines.sort_unstable();
        whole_lines.sort_unstable();
        assert_eq!(streamed_lines, whole_lines, "{format:?}");
    }
}
