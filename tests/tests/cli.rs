//! The real `cargo-vazhi` binary on the bundled corpora: exit codes, output formats, subcommands.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use vazhi_tests::{vazhi_binary, workspace};

fn binary() -> &'static Path {
    vazhi_binary()
}

/// Runs `cargo-vazhi vazhi ARGS…` in the workspace root, as `cargo vazhi ARGS…` would.
fn vazhi(args: &[&str]) -> Output {
    Command::new(binary())
        .arg("vazhi")
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .expect("cargo-vazhi runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json_findings(args: &[&str]) -> (i32, Vec<Value>) {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    let output = vazhi(&all);
    let findings: Value = serde_json::from_slice(&output.stdout).expect("--format json prints one JSON array");
    (
        output.status.code().unwrap_or(-1),
        findings.as_array().expect("an array").clone(),
    )
}

#[test]
fn clean_corpora_pass_with_exit_0() {
    let output = vazhi(&["lint", "corpora-samples/clean"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).starts_with("All checks passed"), "{}", stdout(&output));
}

#[test]
fn defects_exit_1_and_exit_zero_overrides() {
    assert_eq!(
        vazhi(&["lint", "corpora-samples/defective/mislabeled.jsonl"])
            .status
            .code(),
        Some(1)
    );
    let output = vazhi(&["lint", "--exit-zero", "corpora-samples/defective/mislabeled.jsonl"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("VZ102 mislabeled-language"));
}

#[test]
fn every_rule_of_the_engine_fires_on_the_samples() {
    // The token rules run only with a tokenizer and a window.
    let (code, findings) = json_findings(&[
        "--tokenizer",
        "tests/data/qwen-tokenizer.json",
        "--max-seq-len",
        "1024",
        "corpora-samples/",
    ]);
    assert_eq!(code, 1);
    for meta in vazhi_lint::rules::all() {
        let rule = meta.name;
        assert!(
            findings.iter().any(|finding| finding["rule"] == rule),
            "{rule} never fired"
        );
    }
    assert!(
        findings.iter().all(|finding| {
            let path = finding["path"].as_str().unwrap_or("");
            // The repository sample holds its own deliberate defects (tests/tests/repository.rs).
            path.contains("defective") || path.contains("repository")
        }),
        "clean samples produced findings"
    );
}

#[test]
fn json_findings_carry_every_documented_field() {
    let (_, findings) = json_findings(&[
        "corpora-samples/defective/mislabeled.jsonl",
        "corpora-samples/defective/mislabeled.parquet",
    ]);
    assert!(!findings.is_empty());
    for finding in &findings {
        for key in ["rule", "code", "severity", "message", "path", "line", "row", "field"] {
            assert!(finding.get(key).is_some(), "{key} missing from {finding}");
        }
    }
    let jsonl = findings
        .iter()
        .find(|finding| finding["path"].as_str().unwrap().ends_with(".jsonl"))
        .unwrap();
    assert!(jsonl["line"].as_u64().is_some() && jsonl["row"].is_null());
    let parquet = findings
        .iter()
        .find(|finding| finding["path"].as_str().unwrap().ends_with(".parquet"))
        .unwrap();
    assert!(parquet["row"].as_u64().is_some() && parquet["line"].is_null());
    assert_eq!(jsonl["field"], "messages[1].content");
}

#[test]
fn jsonl_format_is_one_object_per_line_matching_json() {
    let output = vazhi(&[
        "lint",
        "--format",
        "jsonl",
        "corpora-samples/defective/foreign-script.jsonl",
    ]);
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    let (_, array) = json_findings(&["corpora-samples/defective/foreign-script.jsonl"]);
    assert_eq!(lines, array);
}

#[test]
fn github_format_annotates_file_and_line() {
    let output = vazhi(&[
        "lint",
        "--format",
        "github",
        "corpora-samples/defective/english-answers.alpaca.jsonl",
    ]);
    let first = stdout(&output).lines().next().unwrap_or_default().to_owned();
    assert!(
        first.starts_with("::error file=corpora-samples/defective/english-answers.alpaca.jsonl,line=1,col="),
        "{first}"
    );
    assert!(first.contains("title=VZ101 tamil-ratio::response is"), "{first}");
}

#[test]
fn sarif_is_a_2_1_0_log_with_rules_and_located_results() {
    let output = vazhi(&["lint", "--format", "sarif", "corpora-samples/defective/"]);
    let log: Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        let location = &result["locations"][0]["physicalLocation"];
        assert!(
            location["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with("corpora-samples/defective/")
        );
        if let Some(line) = location["region"]["startLine"].as_u64() {
            assert!(line >= 1);
        } else {
            // Parquet rows carry their row; only whole-file and whole-dataset findings have neither.
            let file_level = ["VZ001", "VZ201", "VZ207"].contains(&result["ruleId"].as_str().unwrap());
            assert!(result["properties"]["row"].as_u64().is_some() || file_level, "{result}");
        }
    }
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(workspace().join("tests/data/sarif-2.1.0-rtm.5.json")).unwrap())
            .unwrap();
    // rtm.5 carries one malformed regex (run.language, an unbalanced `]`), which the meta-schema check
    // rejects; use the pattern later SARIF schemas publish. vazhi emits no `language` property.
    fn mend(value: &mut Value, mended: &mut usize) {
        match value {
            Value::String(text) if text == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
                *text = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
                *mended += 1;
            }
            Value::Array(items) => items.iter_mut().for_each(|item| mend(item, mended)),
            Value::Object(members) => members.values_mut().for_each(|member| mend(member, mended)),
            _ => {}
        }
    }
    let mut mended = 0;
    mend(&mut schema, &mut mended);
    assert!(mended > 0, "the erratum is where it was");
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    let output = vazhi(&["lint", "--format", "sarif", "corpora-samples/"]);
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .take(5)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator is not vacuous: a result without its message is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn statistics_count_findings_per_rule() {
    let output = vazhi(&[
        "lint",
        "--statistics",
        "--format",
        "json",
        "corpora-samples/defective/mislabeled.jsonl",
    ]);
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let (_, findings) = json_findings(&["corpora-samples/defective/mislabeled.jsonl"]);
    let total: u64 = rows.iter().map(|row| row["count"].as_u64().unwrap()).sum();
    assert_eq!(total as usize, findings.len());
    assert!(rows.iter().any(|row| row["rule"] == "mislabeled-language"));
}

#[test]
fn select_and_ignore_choose_rules() {
    let (_, findings) = json_findings(&["--select", "VZ102", "corpora-samples/defective/"]);
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|finding| finding["code"] == "VZ102"));
    let (_, findings) = json_findings(&["--ignore", "VZ1", "corpora-samples/defective/"]);
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|finding| !finding["code"].as_str().unwrap().starts_with("VZ1"))
    );
}

#[test]
fn usage_and_config_errors_exit_2_and_name_the_problem() {
    let output = vazhi(&["lint", "--select", "tamil-ration", "corpora-samples/clean"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("tamil-ration"));

    let output = vazhi(&["lint", "no/such/corpus.jsonl"]);
    assert_eq!(output.status.code(), Some(2));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("vazhi.toml"),
        "[rules.tamil-ratio]\nwarn-bellow = 0.5\n",
    )
    .unwrap();
    std::fs::copy(
        workspace().join("corpora-samples/clean/poems.dapt.jsonl"),
        dir.path().join("poems.jsonl"),
    )
    .unwrap();
    let output = Command::new(binary())
        .args(["vazhi", "lint"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warn-bellow") && stderr.contains("vazhi.toml"),
        "{stderr}"
    );
}

#[test]
fn config_found_above_the_linted_path_applies() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data/sft");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(
        workspace().join("corpora-samples/defective/mislabeled.jsonl"),
        data.join("m.jsonl"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".vazhi.toml"),
        "ignore = [\"mislabeled-language\"]\n[rules.tamil-ratio]\nerror-below = 0.0\nwarn-below = 0.0\n",
    )
    .unwrap();
    let output = Command::new(binary())
        .args(["vazhi", "lint", "--format", "json"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let findings: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(findings.as_array().unwrap().len(), 0);
}

#[test]
fn rules_lists_every_rule_and_rule_prints_its_page() {
    let output = vazhi(&["rules"]);
    let listing = stdout(&output);
    for meta in vazhi_lint::rules::all() {
        assert!(listing.contains(meta.code) && listing.contains(meta.name));
    }
    let page = stdout(&vazhi(&["rule", "VZ101"]));
    let file = std::fs::read_to_string(workspace().join("rules/tamil-ratio.md")).unwrap();
    assert_eq!(page, file);
    assert_eq!(stdout(&vazhi(&["rule", "tamil-ratio"])), file);
    assert_eq!(vazhi(&["rule", "no-such-rule"]).status.code(), Some(2));
}

#[test]
fn plugin_form_and_direct_form_agree() {
    let direct = Command::new(binary())
        .args(["lint", "--format", "json", "corpora-samples/defective/mislabeled.jsonl"])
        .current_dir(workspace())
        .output()
        .unwrap();
    let plugin = vazhi(&["lint", "--format", "json", "corpora-samples/defective/mislabeled.jsonl"]);
    assert_eq!(direct.stdout, plugin.stdout);
}

#[test]
fn human_output_shows_the_record_text_and_a_summary() {
    let output = vazhi(&[
        "lint",
        "corpora-samples/defective/foreign-script.jsonl",
        "corpora-samples/defective/invalid-records.jsonl",
    ]);
    insta::assert_snapshot!("human_output", stdout(&output));
}

#[test]
fn a_folder_without_corpus_files_says_so_and_names_the_data_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("train.txt"), "வணக்கம்\nHello\n").unwrap();
    std::fs::write(dir.path().join("README.md"), "# data\n").unwrap();
    let output = vazhi(&["lint", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "Nothing linted: no corpus files.\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: not linted, in a format vazhi does not read:") && stderr.contains("train.txt"),
        "{stderr}"
    );
    assert!(!stderr.contains("README.md"), "{stderr}");
}

#[test]
fn a_missing_path_is_not_reported_as_all_checks_passed() {
    let output = vazhi(&[
        "lint",
        "no/such/folder",
        "corpora-samples/clean/kural-qa.messages.jsonl",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let text = stdout(&output);
    assert!(text.contains("no/such/folder: no such file or directory"), "{text}");
    assert!(
        text.contains("No findings in the files read (60 records in 1 file")
            && text.contains("but 1 path could not be linted"),
        "{text}"
    );
    assert!(!text.contains("All checks passed"), "{text}");
}
