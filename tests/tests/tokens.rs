//! The token rules and `cargo vazhi tokenizer`, with the real Qwen tokenizer: the numbers in the
//! messages are checked against the tokenizers library itself.

use std::process::{Command, Output};

use serde_json::Value;
use vazhi_tests::{vazhi_binary, workspace};

const QWEN: &str = "tests/data/qwen-tokenizer.json";

fn vazhi(args: &[&str]) -> Output {
    Command::new(vazhi_binary())
        .arg("vazhi")
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("cargo-vazhi runs")
}

/// ChatML as Qwen renders it, each turn `<|im_start|>{role}\n{content}<|im_end|>\n`.
fn chatml(turns: &[Value]) -> String {
    turns
        .iter()
        .map(|turn| {
            format!(
                "<|im_start|>{}\n{}<|im_end|>\n",
                turn["role"].as_str().unwrap(),
                turn["content"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn token_findings_carry_the_counts_the_tokenizer_gives() {
    let output = vazhi(&[
        "lint",
        "--format",
        "json",
        "--select",
        "VZ3",
        "--tokenizer",
        QWEN,
        "--max-seq-len",
        "512",
        "corpora-samples/defective/token-window.jsonl",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let findings: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let rules: Vec<(&str, u64)> = findings
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(rules, vec![("over-long-prompt", 1), ("truncated-response", 2)]);

    let tokenizer = tokenizers::Tokenizer::from_file(workspace().join(QWEN)).unwrap();
    let count = |text: &str| tokenizer.encode(text, false).unwrap().len();
    let body = std::fs::read_to_string(workspace().join("corpora-samples/defective/token-window.jsonl")).unwrap();
    let records: Vec<Value> = body.lines().map(|line| serde_json::from_str(line).unwrap()).collect();

    let turns = records[0]["messages"].as_array().unwrap();
    let prompt = count(&(chatml(&turns[..2]) + "<|im_start|>assistant\n"));
    assert_eq!(
        findings[0]["message"],
        format!(
            "the prompt is {prompt} tokens, {} over the window of 512: no response token fits",
            prompt - 512
        )
    );

    let turns = records[1]["messages"].as_array().unwrap();
    let before = count(&(chatml(&turns[..1]) + "<|im_start|>assistant\n"));
    let total = count(&chatml(turns));
    assert_eq!(
        findings[1]["message"],
        format!(
            "prompt and response are {total} tokens, over the window of 512: {} of {} response tokens survive",
            512 - before,
            total - before
        )
    );
}

#[test]
fn the_real_tokenizer_passes_and_damaged_copies_fail() {
    let clean = vazhi(&["tokenizer", QWEN]);
    let text = String::from_utf8_lossy(&clean.stdout).into_owned();
    assert_eq!(clean.status.code(), Some(0), "{text}");
    assert!(text.contains("1.27 tokens per Tamil code point"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(workspace().join(QWEN)).unwrap()).unwrap();
    // A hole: id 1000 left empty (its token moved past the end), as in VAZHI v0.7's Gemma
    // tokenizer ("OrderedVocab contains holes"); the file still loads.
    let vocab = json["model"]["vocab"].as_object_mut().unwrap();
    let token = vocab
        .iter()
        .find(|(_, id)| id.as_u64() == Some(1000))
        .map(|(token, _)| token.clone())
        .unwrap();
    vocab.insert(token, Value::from(151_700));
    let holed = dir.path().join("holed.json");
    std::fs::write(&holed, json.to_string()).unwrap();
    let output = vazhi(&["tokenizer", holed.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("error[vocab-holes]"));

    let config = dir.path().join("tokenizer_config.json");
    std::fs::write(&config, r#"{"eos_token": "<|im_end|>", "pad_token": "<|im_end|>"}"#).unwrap();
    let output = vazhi(&["tokenizer", QWEN, "--config", config.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("error[pad-is-eos]"));

    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(workspace().join(QWEN)).unwrap()).unwrap();
    json["added_tokens"]
        .as_array_mut()
        .unwrap()
        .retain(|token| token["content"] != "<|im_start|>");
    let unmarked = dir.path().join("no-im-start.json");
    std::fs::write(&unmarked, json.to_string()).unwrap();
    let output = vazhi(&["tokenizer", unmarked.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("error[special-not-single]"));
}

#[test]
fn token_settings_need_both_a_tokenizer_and_a_window() {
    let output = vazhi(&[
        "lint",
        "--tokenizer",
        QWEN,
        "corpora-samples/clean/kural-qa.messages.jsonl",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--max-seq-len"));
    let output = vazhi(&[
        "lint",
        "--tokenizer",
        "no/such/tokenizer.json",
        "--max-seq-len",
        "512",
        "corpora-samples/clean",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/tokenizer.json"));
}

#[test]
fn clean_samples_fit_a_1024_token_window() {
    let output = vazhi(&[
        "lint",
        "--tokenizer",
        QWEN,
        "--max-seq-len",
        "1024",
        "corpora-samples/clean",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
