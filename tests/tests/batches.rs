//! Batches linted apart and their states finished together give what one `cargo vazhi lint` run
//! over the same files gives, however the files are cut and in whatever order the batches are
//! done: the contract the Python package's `check_batch`, Ray and Spark recipes rely on.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;
use vazhi_lint::report::finding_json;
use vazhi_lint::{BatchState, Finding, Linter, Settings, Silent};
use vazhi_tests::{text_batch, workspace, write_batch_parquet};

/// A Parquet file as one record batch.
fn read_parquet(path: &Path) -> RecordBatch {
    let file = File::open(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
}

/// `rows` cut into `pieces` batches of uneven sizes, as (first row, rows).
fn cuts(rows: usize, pieces: usize) -> Vec<(usize, usize)> {
    let pieces = pieces.min(rows.max(1));
    // Uneven: the weights 1, 2, 3, … so no cut falls where an even split would put it.
    let weights: usize = (1..=pieces).sum();
    let mut out = Vec::new();
    let mut start = 0;
    for piece in 1..=pieces {
        let end = if piece == pieces {
            rows
        } else {
            start + (rows * piece / weights).max(1)
        };
        out.push((start, end.min(rows) - start));
        start = end.min(rows);
    }
    out
}

fn shown(findings: &[Finding]) -> Vec<Value> {
    findings.iter().map(finding_json).collect()
}

/// Every file cut into `pieces` batches, checked last batch first, the states passed through
/// bytes and finished together: all the findings, sorted as a run sorts them.
fn by_batches(linter: &Linter, files: &[PathBuf], pieces: usize) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut states = Vec::new();
    for path in files {
        let table = read_parquet(path);
        for (first_row, rows) in cuts(table.num_rows(), pieces).into_iter().rev() {
            let (found, state) = linter.check_batch(&table.slice(first_row, rows), path, first_row as u64);
            findings.extend(found);
            states.push(BatchState::from_bytes(&state.to_bytes()).unwrap());
        }
    }
    findings.extend(linter.finish_batches(states).unwrap());
    findings.sort_by(Finding::cmp_order);
    findings
}

fn assert_batches_match_the_run(linter: &Linter, files: &[PathBuf]) -> Vec<Finding> {
    let run = linter.lint_files(files, &Silent);
    assert!(run.path_problems.is_empty());
    for pieces in [1, 3, 17] {
        assert_eq!(
            shown(&by_batches(linter, files, pieces)),
            shown(&run.findings),
            "{pieces} batches per file of {files:?}"
        );
    }
    run.findings
}

#[test]
fn the_samples_tables_lint_alike_in_1_3_and_17_batches() {
    let samples = workspace().join("corpora-samples");
    for name in [
        "clean/kural-qa.messages.parquet",
        "clean/kural-english.prompt-completion.parquet",
        "defective/mislabeled.parquet",
    ] {
        let path = samples.join(name);
        let linter = Linter::new(Settings::discover(&path).unwrap());
        let findings = assert_batches_match_the_run(&linter, &[path]);
        if name.starts_with("defective") {
            assert!(!findings.is_empty(), "{name}");
        }
    }
}

/// A dataset of two Parquet files grouped by vazhi.toml: copies within and across the files and
/// across every batch boundary, answers given to many prompts, a skewed category, raw text
/// beside chat records, rows with no answer and a row with no text.
#[test]
fn dataset_findings_are_exact_across_batches_and_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("vazhi.toml"),
        "[[datasets]]\nname = \"sft\"\npaths = [\"*.parquet\"]\n",
    )
    .unwrap();
    let answer = |n: usize| format!("இது {n} ஆம் கேள்விக்கான பதில்: தமிழ் மொழி மிகப் பழமையானது.");
    let rows = 300;
    let mut prompts = Vec::new();
    let mut completions = Vec::new();
    let mut categories = Vec::new();
    for n in 0..rows {
        // Every 23rd record repeats record 0 (a copy in nearly every batch); every 41st gives
        // record 1's answer to a new prompt; three records have no completion, one
        // of them no prompt either.
        let (prompt, completion) = match n {
            n if n > 0 && n % 23 == 0 => (Some("கேள்வி 0".to_owned()), Some(answer(0))),
            n if n > 1 && n % 41 == 0 => (Some(format!("கேள்வி {n}")), Some(answer(1))),
            77 | 178 => (Some(format!("கேள்வி {n}")), None),
            250 => (None, None),
            n => (Some(format!("கேள்வி {n}")), Some(answer(n))),
        };
        prompts.push(prompt);
        completions.push(completion);
        categories.push(Some(if n % 4 == 0 { "history" } else { "grammar" }.to_owned()));
    }
    let chat = text_batch(&[
        ("prompt", prompts),
        ("completion", completions),
        ("category", categories),
    ]);
    write_batch_parquet(&dir.path().join("a.parquet"), &chat, 64);
    // Raw text: one line is a copy of another, and across files of `a`'s copy nothing matches
    // since roles are content.
    let texts: Vec<Option<String>> = (0..40)
        .map(|n| Some(format!("பாடல் வரி {} — மழை பொழிந்தது.", n % 37)))
        .collect();
    write_batch_parquet(&dir.path().join("b.parquet"), &text_batch(&[("text", texts)]), 16);

    let files = vec![dir.path().join("a.parquet"), dir.path().join("b.parquet")];
    let linter = Linter::new(Settings::discover(dir.path()).unwrap());
    let findings = assert_batches_match_the_run(&linter, &files);
    let codes: Vec<&str> = findings.iter().map(|finding| finding.rule.code).collect();
    let count = |code: &str| codes.iter().filter(|have| **have == code).count();
    // 13 copies of record 0 and 3 of the raw lines; answers 0 and 1 each given by more than 3.
    assert_eq!(count("VZ206"), 13 + 3 + 2, "{codes:?}");
    assert_eq!(count("VZ201"), 1, "raw text beside chat records");
    assert_eq!(count("VZ207"), 1, "grammar is 75%");
    assert_eq!(count("VZ202"), 3, "rows with no completion: {codes:?}");
}

#[test]
fn a_state_given_twice_or_from_other_settings_is_refused() {
    let path = workspace().join("corpora-samples/defective/mislabeled.parquet");
    let linter = Linter::new(Settings::discover(&path).unwrap());
    let table = read_parquet(&path);
    let (_, state) = linter.check_batch(&table, &path, 0);
    let bytes = state.to_bytes();
    let twice = [
        BatchState::from_bytes(&bytes).unwrap(),
        BatchState::from_bytes(&bytes).unwrap(),
    ];
    let err = linter.finish_batches(twice).unwrap_err().to_string();
    assert!(err.contains("in two states"), "{err}");

    let mut settings = Settings::discover(&path).unwrap();
    settings.enabled.retain(|code| *code != "VZ206");
    let fewer = Linter::new(settings);
    let err = fewer
        .finish_batches([BatchState::from_bytes(&bytes).unwrap()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("finish with the settings"), "{err}");

    for damaged in [&b"not a state"[..], &bytes[..bytes.len() / 2]] {
        let err = BatchState::from_bytes(damaged).unwrap_err().to_string();
        assert!(err.contains("vazhi batch state"), "{err}");
    }
}

#[test]
fn a_batch_with_no_text_column_is_one_finding_naming_its_columns() {
    let numbers = arrow_array::Int64Array::from(vec![1, 2, 3]);
    let batch = RecordBatch::try_from_iter([("messages", std::sync::Arc::new(numbers) as _)]).unwrap();
    let linter = Linter::new(Settings::default());
    let (findings, state) = linter.check_batch(&batch, Path::new("shard-7"), 0);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].rule.code, "VZ001");
    assert!(
        findings[0].message.contains("`messages` (Int64)"),
        "{}",
        findings[0].message
    );
    assert_eq!(findings[0].path.as_ref(), Path::new("shard-7"));
    assert_eq!(state.rows(), 3);
    assert!(linter.finish_batches([state]).unwrap().is_empty());
}

/// Arrow has no absent cell: a table of two layouts holds each row's other columns as nulls, and
/// each row is read in its own layout (the mix is then a dataset finding), while a row with no
/// text at all is still read as the table's layout, with nothing in it.
#[test]
fn nulls_of_another_layout_are_absent_cells() {
    let chat: Vec<Option<String>> = vec![Some("கேள்வி".into()), None, None];
    let answers: Vec<Option<String>> = vec![Some("பதில் இதுதான்.".into()), None, None];
    let raw: Vec<Option<String>> = vec![None, Some("மழை பொழிந்தது; ஆறு நிறைந்தது.".into()), None];
    let batch = text_batch(&[("prompt", chat), ("completion", answers), ("text", raw)]);
    let linter = Linter::new(Settings::default());
    let (findings, state) = linter.check_batch(&batch, Path::new("mixed"), 0);
    let shown: Vec<(&str, Option<u64>, &str)> = findings
        .iter()
        .map(|finding| (finding.rule.code, finding.row(), finding.message.as_str()))
        .collect();
    assert_eq!(
        shown,
        vec![("VZ202", Some(2), "no assistant turn: this record trains nothing")],
        "{findings:?}"
    );
    let dataset = linter.finish_batches([state]).unwrap();
    assert_eq!(dataset.len(), 1);
    assert!(
        dataset[0].message.contains("2 prompt-completion, 1 raw"),
        "{}",
        dataset[0].message
    );
}
