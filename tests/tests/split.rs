//! `cargo vazhi split` and the gate, on the sample corpora and on damaged copies.

use std::collections::HashSet;
use std::path::PathBuf;

use serde_json::Value;
use vazhi_lint::gate::{self, GateError};
use vazhi_lint::settings::Options;
use vazhi_lint::split::{SplitError, SplitOptions, split};
use vazhi_lint::{Linter, Settings, Silent};
use vazhi_tests::{split_manifest as manifest, split_options as options, workspace};

#[test]
fn every_record_lands_in_exactly_one_place_and_clean_shards_pass_the_gate() {
    let out = tempfile::tempdir().unwrap();
    let samples = workspace().join("corpora-samples");
    let linter = Linter::new(Settings::default());
    // The samples include a mixed-format file, a dataset-level error: split anyway.
    let allowed = SplitOptions {
        allow_dataset_errors: true,
        ..options(out.path())
    };
    let outcome = split(&linter, std::slice::from_ref(&samples), &allowed, &Silent).unwrap();
    assert!(outcome.manifest.is_some());
    let manifest = manifest(out.path());
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), outcome.report.files.len());
    let total: u64 = inputs.iter().map(|input| input["records"].as_u64().unwrap()).sum();
    assert_eq!(total, outcome.report.records);
    for input in inputs {
        assert_eq!(
            input["records"].as_u64(),
            Some(input["clean"].as_u64().unwrap() + input["quarantined"].as_u64().unwrap())
        );
    }
    // Every clean shard is admitted through the manifest, and linting it again finds nothing.
    let settings = Settings::default();
    for shard in manifest["shards"].as_array().unwrap() {
        let name = shard["path"].as_str().unwrap();
        if name.ends_with("mixed-format.jsonl") {
            // Split past its dataset's error, so the gate still refuses it, by manifest or by lint.
            let err = gate::admit_from_manifest(out.path(), name, &settings).unwrap_err();
            assert!(matches!(err, GateError::DatasetErrors { .. }), "{err}");
            let relinted = gate::admit(&out.path().join(name), &settings).unwrap_err();
            assert!(matches!(relinted, GateError::Rejected { .. }), "{relinted}");
            continue;
        }
        let admitted = gate::admit_from_manifest(out.path(), name, &settings).unwrap();
        assert_eq!(admitted.records(), shard["records"].as_u64().unwrap());
        gate::admit(admitted.path(), &settings).unwrap_or_else(|err| panic!("{name}: {err}"));
    }
    // Quarantined records carry their source line and the findings that sent them there.
    let quarantine = std::fs::read_to_string(
        out.path()
            .join("quarantine/defective/mislabeled.jsonl.quarantine.jsonl"),
    )
    .unwrap();
    let entries: Vec<Value> = quarantine
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(entries.len(), 20);
    assert!(entries[0]["line"].as_u64().is_some() && entries[0]["record"]["messages"].is_array());
    assert!(
        entries[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|finding| finding["rule"] == "mislabeled-language")
    );
}

#[test]
fn clean_jsonl_records_are_the_input_bytes_and_parquet_keeps_its_schema() {
    let out = tempfile::tempdir().unwrap();
    let defective = workspace().join("corpora-samples/defective");
    let linter = Linter::new(Settings::default());
    split(
        &linter,
        &[defective.join("mislabeled.jsonl"), defective.join("mislabeled.parquet")],
        &options(out.path()),
        &Silent,
    )
    .unwrap();
    let input: HashSet<String> = std::fs::read_to_string(defective.join("mislabeled.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let clean = std::fs::read_to_string(out.path().join("clean/mislabeled.jsonl")).unwrap();
    assert_eq!(clean.lines().count(), 10);
    assert!(
        clean.lines().all(|line| input.contains(line)),
        "clean records are copied byte for byte"
    );

    let read = |path: PathBuf| {
        let file = std::fs::File::open(path).unwrap();
        let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let schema = builder.schema().clone();
        let rows: usize = builder.build().unwrap().map(|batch| batch.unwrap().num_rows()).sum();
        (schema, rows)
    };
    let (input_schema, input_rows) = read(defective.join("mislabeled.parquet"));
    let (clean_schema, clean_rows) = read(out.path().join("clean/mislabeled.parquet"));
    assert_eq!(input_schema.fields(), clean_schema.fields());
    assert_eq!((input_rows, clean_rows), (30, 10));
}

#[test]
fn a_shard_changed_by_one_byte_after_the_split_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let clean = workspace().join("corpora-samples/clean/kural-qa.messages.jsonl");
    let settings = Settings::default();
    split(
        &Linter::new(settings.clone()),
        std::slice::from_ref(&clean),
        &options(out.path()),
        &Silent,
    )
    .unwrap();
    let shard = gate::admit_from_manifest(out.path(), "clean/kural-qa.messages.jsonl", &settings).unwrap();
    assert_eq!(shard.records(), 60);

    let path = out.path().join("clean/kural-qa.messages.jsonl");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.iter().position(|byte| *byte == b'?').unwrap();
    bytes[at] = b'!';
    std::fs::write(&path, bytes).unwrap();
    let err = gate::admit_from_manifest(out.path(), "clean/kural-qa.messages.jsonl", &settings).unwrap_err();
    assert!(matches!(err, GateError::Changed { .. }), "{err}");
    assert!(matches!(shard.verify(), Err(GateError::Changed { .. })));
}

#[test]
fn the_gate_refuses_other_settings_unknown_shards_and_unclean_files() {
    let out = tempfile::tempdir().unwrap();
    let clean = workspace().join("corpora-samples/clean/kural-qa.messages.jsonl");
    split(
        &Linter::new(Settings::default()),
        std::slice::from_ref(&clean),
        &options(out.path()),
        &Silent,
    )
    .unwrap();
    let lenient = Settings::resolve(
        Options {
            ignore: Some(vec!["tamil-ratio".into()]),
            ..Options::default()
        },
        PathBuf::from("."),
        None,
    )
    .unwrap();
    let err = gate::admit_from_manifest(out.path(), "clean/kural-qa.messages.jsonl", &lenient).unwrap_err();
    assert!(matches!(err, GateError::SettingsChanged { .. }), "{err}");
    let err = gate::admit_from_manifest(out.path(), "clean/other.jsonl", &Settings::default()).unwrap_err();
    assert!(matches!(err, GateError::NotInManifest { .. }), "{err}");

    let bad = workspace().join("corpora-samples/defective/mislabeled.jsonl");
    match gate::admit(&bad, &Settings::default()) {
        Err(GateError::Rejected { findings, .. }) => {
            assert!(
                findings
                    .iter()
                    .any(|finding| finding.rule.name == "mislabeled-language")
            );
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn a_dataset_level_error_stops_the_split_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let chat =
        r#"{"messages": [{"role": "user", "content": "வணக்கம்"}, {"role": "assistant", "content": "வணக்கம்! நலமா?"}]}"#;
    std::fs::write(
        input.join("mixed.jsonl"),
        format!("{chat}\n{{\"text\": \"யாதும் ஊரே யாவரும் கேளிர்\"}}\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let linter = Linter::new(Settings::default());
    let outcome = split(&linter, std::slice::from_ref(&input), &options(&out), &Silent).unwrap();
    assert!(outcome.manifest.is_none());
    assert_eq!(outcome.blocking[0].rule.name, "mixed-format");
    assert!(!out.join("clean").exists(), "nothing is written");

    let allowed = SplitOptions {
        allow_dataset_errors: true,
        ..options(&out)
    };
    let outcome = split(&linter, std::slice::from_ref(&input), &allowed, &Silent).unwrap();
    assert!(outcome.manifest.is_some());
    assert_eq!(manifest(&out)["unsplit"][0]["rule"], "mixed-format");
}

/// Records that fail alike are one finding with no line of its own, but they are records: split
/// quarantines exactly them and keeps the rest, where it used to refuse the file (or, allowed,
/// quarantine all of it). A file whose every record fails one way still stops the split.
#[test]
fn records_that_fail_alike_are_quarantined_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let chat = |n: usize| {
        format!(
            r#"{{"messages": [{{"role": "user", "content": "கேள்வி {n}"}}, {{"role": "assistant", "content": "இது {n} ஆம் பதில்."}}]}}"#
        )
    };
    let mut lines: Vec<String> = (0..12).map(chat).collect();
    for at in [2, 5, 6, 9, 11] {
        lines[at] = r#"{"messages": null}"#.to_owned();
    }
    std::fs::write(input.join("some.jsonl"), lines.join("\n") + "\n").unwrap();
    std::fs::write(input.join("all.jsonl"), "{\"messages\": \"a\"}\n".repeat(6)).unwrap();
    let out = dir.path().join("out");
    let linter = Linter::new(Settings::default());

    let report = linter.lint_paths(std::slice::from_ref(&input), &Silent);
    let grouped: Vec<_> = report
        .findings
        .iter()
        .filter(|finding| finding.position.is_none())
        .collect();
    assert_eq!(grouped.len(), 2, "{grouped:?}");
    assert!(
        grouped
            .iter()
            .any(|finding| finding.message.starts_with("5 of 12 records"))
    );

    let outcome = split(&linter, std::slice::from_ref(&input), &options(&out), &Silent).unwrap();
    assert_eq!(
        outcome.blocking.len(),
        1,
        "only the file that fails as a whole stops the split"
    );
    assert!(outcome.blocking[0].path.ends_with("all.jsonl"));

    let allowed = SplitOptions {
        allow_dataset_errors: true,
        ..options(&out)
    };
    let outcome = split(&linter, std::slice::from_ref(&input), &allowed, &Silent).unwrap();
    let some = outcome
        .files
        .iter()
        .find(|file| file.source.ends_with("some.jsonl"))
        .unwrap();
    assert_eq!((some.records, some.clean, some.quarantined), (12, 7, 5));
    let quarantined = std::fs::read_to_string(out.join("quarantine/some.jsonl.quarantine.jsonl")).unwrap();
    let lines: Vec<u64> = quarantined
        .lines()
        .map(|entry| {
            serde_json::from_str::<serde_json::Value>(entry).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, [3, 6, 7, 10, 12]);
}

#[test]
fn it_never_writes_inside_its_input_and_a_rerun_replaces_the_old_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("data");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(
        workspace().join("corpora-samples/clean/poems.dapt.jsonl"),
        input.join("poems.jsonl"),
    )
    .unwrap();
    let linter = Linter::new(Settings::default());
    let inside = split(
        &linter,
        std::slice::from_ref(&input),
        &options(&input.join("out")),
        &Silent,
    )
    .unwrap_err();
    assert!(matches!(inside, SplitError::Refused(_)), "{inside}");
    assert_eq!(
        std::fs::read_dir(&input).unwrap().count(),
        1,
        "the input folder is untouched"
    );

    let out = dir.path().join("out");
    split(&linter, std::slice::from_ref(&input), &options(&out), &Silent).unwrap();
    assert!(out.join("clean/poems.jsonl").exists());
    std::fs::rename(input.join("poems.jsonl"), input.join("renamed.jsonl")).unwrap();
    split(&linter, std::slice::from_ref(&input), &options(&out), &Silent).unwrap();
    assert!(out.join("clean/renamed.jsonl").exists());
    assert!(
        !out.join("clean/poems.jsonl").exists(),
        "the previous split's shards are gone"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        3,
        "clean/, quarantine/ and the manifest only: {leftovers:?}"
    );
}

#[test]
fn fix_repairs_what_is_certain_and_records_each_fix() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("sft.jsonl");
    let records = [
        r#"{"prompt": "வணக்கம்", "completion": "<think>\n\n</think>\n\nவணக்கம்! நலமா?"}"#,
        "{\"prompt\": \"மொழி?\", \"completion\": \"à®¤à®®à®¿à®´à¯\\u008d மொழி அழகானது\"}",
        "{\"prompt\": \"சொல்\", \"completion\": \"க\\u0bc6\\u0bbeடு என்றால் கொடுத்தல்\"}",
        r#"{"prompt": "வணக்கம்", "completion": "<think>யோசிக்கிறேன்</think>வணக்கம்!"}"#,
        r#"{"prompt": "வணக்கம்", "completion": "வணக்கம்! நான் VAZHI."}"#,
    ];
    std::fs::write(&input, records.join("\n") + "\n").unwrap();
    let out = dir.path().join("out");
    let linter = Linter::new(Settings::default());
    let fixing = SplitOptions {
        fix: true,
        ..options(&out)
    };
    split(&linter, std::slice::from_ref(&input), &fixing, &Silent).unwrap();
    let clean = std::fs::read_to_string(out.join("clean/sft.jsonl")).unwrap();
    let lines: Vec<&str> = clean.lines().collect();
    assert_eq!(lines.len(), 4, "{clean}");
    assert!(lines[0].contains("\"வணக்கம்! நலமா?\"") && !lines[0].contains("think"));
    assert!(lines[1].contains("தமிழ் மொழி"), "{}", lines[1]);
    assert!(lines[2].contains("கொடு என்றால்"), "{}", lines[2]);
    assert_eq!(lines[3], records[4], "an untouched record keeps its bytes");
    let quarantined = std::fs::read_to_string(out.join("quarantine/sft.jsonl.quarantine.jsonl")).unwrap();
    assert_eq!(
        quarantined.lines().count(),
        1,
        "a think block with reasoning is not a safe fix"
    );
    let fixes = manifest(&out)["fixes"].clone();
    assert_eq!(
        fixes,
        serde_json::json!([
            {"source": input.display().to_string(), "line": 1, "fixes": ["empty-think-block"]},
            {"source": input.display().to_string(), "line": 2, "fixes": ["mojibake"]},
            {"source": input.display().to_string(), "line": 3, "fixes": ["nfc"]},
        ])
    );
    // The fixed shard passes the gate.
    gate::admit_from_manifest(&out, "clean/sft.jsonl", &Settings::default()).unwrap();
}

#[test]
fn a_gzipped_json_array_is_split_into_a_gzipped_json_array() {
    use std::io::{Read as _, Write as _};

    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let good = r#"{"instruction": "வணக்கம்", "output": "வணக்கம்! நலமா?"}"#;
    let english = r#"{"instruction": "வணக்கம்", "output": "Hello, how are you?"}"#;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    write!(encoder, "[\n  {good},\n  {english}\n]\n").unwrap();
    let path = input.path().join("alpaca.json.gz");
    std::fs::write(&path, encoder.finish().unwrap()).unwrap();

    let linter = Linter::new(Settings::default());
    split(&linter, &[path], &options(out.path()), &Silent).unwrap();
    let mut clean = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(out.path().join("clean/alpaca.json.gz")).unwrap())
        .read_to_string(&mut clean)
        .unwrap();
    let records: Value = serde_json::from_str(&clean).unwrap();
    assert_eq!(
        records,
        serde_json::json!([serde_json::from_str::<Value>(good).unwrap()])
    );
    gate::admit_from_manifest(out.path(), "clean/alpaca.json.gz", &Settings::default()).unwrap();
}

#[test]
fn a_dataset_repository_splits_into_its_own_formats_and_accounts_for_every_record() {
    let out = tempfile::tempdir().unwrap();
    let repository = workspace().join("corpora-samples/repository");
    let linter = Linter::new(Settings::default());
    let allowed = SplitOptions {
        allow_dataset_errors: true,
        ..options(out.path())
    };
    let outcome = split(&linter, std::slice::from_ref(&repository), &allowed, &Silent).unwrap();
    // poems.json has no text field vazhi knows: its records go to quarantine with that finding.
    let placed: u64 = outcome.files.iter().map(|file| file.clean + file.quarantined).sum();
    assert_eq!(placed, outcome.report.records);
    let poems = outcome
        .files
        .iter()
        .find(|file| file.source.ends_with("sft/poems.json"))
        .unwrap();
    assert_eq!((poems.clean, poems.quarantined), (0, 6));
    // The wrapped batch is written back whole, with its labels and the clean records.
    let batch: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("clean/sft/kural_batch_1.json")).unwrap())
            .unwrap();
    assert_eq!(batch["language"], "pure_tamil");
    assert_eq!(batch["batch_num"], 1);
    assert_eq!(batch["samples"].as_array().unwrap().len(), 7);
    // Every clean shard reads back with the same layouts and no error.
    let relint = Linter::new(Settings::default()).lint_paths(&[out.path().join("clean")], &Silent);
    assert_eq!(relint.count(vazhi_lint::Severity::Error), 0, "{:#?}", relint.findings);
    assert_eq!(relint.records, outcome.files.iter().map(|file| file.clean).sum::<u64>());
    for shard in [
        "clean/saved/train/data-00000-of-00001.arrow",
        "clean/tables/kural_qa.tsv",
        "clean/tables/kural_qa.feather",
    ] {
        assert!(out.path().join(shard).is_file(), "{shard}");
    }
}
