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

/// What `--statistics` must report for one file, computed here with `Tokenizer::encode` on the
/// ChatML rendering, independently of vazhi's counting.
#[derive(Debug, Default)]
struct Expected {
    records: u64,
    prompts: Vec<usize>,
    responses: Vec<usize>,
    prompt_over: u64,
    total_over: u64,
    no_response: u64,
    fertility_texts: u64,
    fertility_tokens: u64,
    tamil_chars: u64,
    tamil_words: u64,
}

fn is_tamil(c: char) -> bool {
    ('\u{0B80}'..='\u{0BFF}').contains(&c)
}

fn expected_stats(tokenizer: &tokenizers::Tokenizer, path: &str, max_seq_len: usize) -> Expected {
    let body = std::fs::read_to_string(workspace().join(path)).unwrap();
    let mut expected = Expected::default();
    for line in body.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let turns = record["messages"].as_array().unwrap();
        expected.records += 1;
        match turns.iter().position(|turn| turn["role"] == "assistant") {
            None => expected.no_response += 1,
            Some(first) => {
                // The prompt is every token that starts before the first response's content.
                let text = chatml(turns);
                let prompt_end = chatml(&turns[..first]).len() + "<|im_start|>assistant\n".len();
                let encoding = tokenizer.encode(text.as_str(), false).unwrap();
                let before = encoding
                    .get_offsets()
                    .iter()
                    .filter(|(start, _)| *start < prompt_end)
                    .count();
                let total = encoding.len();
                expected.prompts.push(before);
                expected.responses.push(total - before);
                expected.prompt_over += u64::from(before >= max_seq_len);
                expected.total_over += u64::from(total > max_seq_len);
            }
        }
        for turn in turns {
            let content = turn["content"].as_str().unwrap();
            let tamil = content.chars().filter(|c| is_tamil(*c)).count();
            let other_letters = content.chars().filter(|c| c.is_alphabetic() && !is_tamil(*c)).count();
            if tamil <= other_letters {
                continue;
            }
            expected.fertility_texts += 1;
            expected.fertility_tokens += tokenizer.encode(content, false).unwrap().len() as u64;
            expected.tamil_chars += tamil as u64;
            expected.tamil_words += content
                .split_whitespace()
                .filter(|word| word.chars().any(is_tamil))
                .count() as u64;
        }
    }
    expected
}

/// Nearest rank: the value at 1-based rank ceil(p·n/100) of the sorted counts.
fn min_p50_p95_max(counts: &[usize]) -> Value {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let rank = |percent: usize| sorted[(percent * sorted.len()).div_ceil(100).max(1) - 1];
    serde_json::json!({"min": sorted[0], "p50": rank(50), "p95": rank(95), "max": sorted[sorted.len() - 1]})
}

fn token_statistics(extra: &[&str], files: &[&str]) -> Value {
    let mut args = vec![
        "lint",
        "--statistics",
        "--format",
        "json",
        "--select",
        "VZ3",
        "--tokenizer",
        QWEN,
        "--max-seq-len",
        "512",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(files);
    let output = vazhi(&args);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("--statistics --format json prints one JSON object")
}

const STATS_FILES: [&str; 3] = [
    "corpora-samples/clean/kural-qa.messages.jsonl",
    "corpora-samples/defective/token-window.jsonl",
    "corpora-samples/defective/missing-assistant.messages.jsonl",
];

#[test]
fn token_statistics_equal_the_tokenizers_own_counts() {
    let stats = token_statistics(&[], &STATS_FILES);
    let rules = stats["rules"]
        .as_array()
        .expect("the per-rule rows, as without a tokenizer");
    let counted: Vec<(&str, u64)> = rules
        .iter()
        .map(|row| (row["rule"].as_str().unwrap(), row["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(counted, vec![("over-long-prompt", 1), ("truncated-response", 1)]);
    let tokens = &stats["token_stats"];
    assert_eq!(tokens["max_seq_len"], 512);
    assert_eq!(tokens["engine"], "byte-level-bpe");

    let tokenizer = tokenizers::Tokenizer::from_file(workspace().join(QWEN)).unwrap();
    let datasets = tokens["datasets"].as_array().unwrap();
    assert_eq!(datasets.len(), STATS_FILES.len());
    // One dataset per file, in path order.
    let dataset = |file: &str| {
        datasets
            .iter()
            .find(|dataset| dataset["dataset"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("no statistics for {file}"))
    };
    for file in STATS_FILES {
        let want = expected_stats(&tokenizer, file, 512);
        let got = dataset(file);
        assert_eq!(got["records"], want.records, "{file}");
        assert_eq!(got["samples"], want.prompts.len() as u64, "{file}");
        assert_eq!(got["prompt_tokens"], min_p50_p95_max(&want.prompts), "{file}");
        assert_eq!(got["response_tokens"], min_p50_p95_max(&want.responses), "{file}");
        assert_eq!(got["prompt_at_or_over_limit"], want.prompt_over, "{file}");
        assert_eq!(got["total_over_limit"], want.total_over, "{file}");
        assert_eq!(got["no_response"], want.no_response, "{file}");
        assert_eq!(got["not_counted"], 0, "{file}");
        let fertility = &got["fertility"];
        assert_eq!(fertility["texts"], want.fertility_texts, "{file}");
        assert_eq!(fertility["tokens"], want.fertility_tokens, "{file}");
        assert_eq!(fertility["tamil_chars"], want.tamil_chars, "{file}");
        assert_eq!(fertility["tamil_words"], want.tamil_words, "{file}");
        let per_char = fertility["tokens_per_tamil_char"].as_f64().unwrap();
        assert!((per_char - want.fertility_tokens as f64 / want.tamil_chars as f64).abs() < 1e-12);
        let per_word = fertility["tokens_per_tamil_word"].as_f64().unwrap();
        assert!((per_word - want.fertility_tokens as f64 / want.tamil_words as f64).abs() < 1e-12);
        // Statistics count every sample; the bound's share is what a run without them saves.
        let counting = &got["counting"];
        assert_eq!(counting["counted"], want.prompts.len() as u64, "{file}");
        assert_eq!(counting["encoded"], 0, "{file}");
        assert!(counting["bound_would_settle"].as_u64().unwrap() <= want.prompts.len() as u64);
    }
    // The two window findings are in token-window.jsonl, and the clean kurals fit 512 tokens.
    assert_eq!(dataset(STATS_FILES[1])["prompt_at_or_over_limit"], 1);
    assert_eq!(dataset(STATS_FILES[1])["total_over_limit"], 2);
    assert_eq!(dataset(STATS_FILES[0])["total_over_limit"], 0);
    assert_eq!(dataset(STATS_FILES[2])["no_response"], 1);
}

/// `--token-engine encode` counts every sample with `Tokenizer::encode`: the same findings and
/// the same statistics, only the counting line differs.
#[test]
fn the_encode_engine_gives_the_same_findings_and_statistics() {
    let fast = token_statistics(&[], &STATS_FILES);
    let encoded = token_statistics(&["--token-engine", "encode"], &STATS_FILES);
    assert_eq!(encoded["token_stats"]["engine"], "encode");
    assert_eq!(fast["rules"], encoded["rules"]);
    for (fast, encoded) in fast["token_stats"]["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .zip(encoded["token_stats"]["datasets"].as_array().unwrap())
    {
        let without_counting = |stats: &Value| {
            let mut stats = stats.clone();
            stats.as_object_mut().unwrap().remove("counting");
            stats
        };
        assert_eq!(without_counting(fast), without_counting(encoded));
        assert_eq!(encoded["counting"]["encoded"], fast["counting"]["counted"]);
        // The encode engine has no byte bound.
        assert_eq!(encoded["counting"]["bound_would_settle"], 0);
    }

    let findings = |extra: &[&str]| {
        let mut args = vec!["lint", "--format", "json", "--tokenizer", QWEN, "--max-seq-len", "512"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&STATS_FILES);
        vazhi(&args).stdout
    };
    assert_eq!(findings(&[]), findings(&["--token-engine", "encode"]));
}

#[test]
fn human_statistics_show_the_token_section_only_with_a_tokenizer() {
    let output = vazhi(&[
        "lint",
        "--statistics",
        "--tokenizer",
        QWEN,
        "--max-seq-len",
        "512",
        "corpora-samples/defective/token-window.jsonl",
    ]);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        text.contains("Token statistics (tests/data/qwen-tokenizer.json, window 512, ChatML"),
        "{text}"
    );
    assert!(
        text.contains("  corpora-samples/defective/token-window.jsonl: 3 samples with a response (3 records)"),
        "{text}"
    );
    assert!(text.contains("    prompt tokens     min "), "{text}");
    assert!(
        text.contains("1 with the prompt at 512 or more (no response token fits), 2 with prompt + response over 512"),
        "{text}"
    );
    assert!(text.contains("tokens per Tamil character"), "{text}");

    let without = vazhi(&["lint", "--statistics", "corpora-samples/defective/token-window.jsonl"]);
    assert!(!String::from_utf8_lossy(&without.stdout).contains("Token statistics"));
}

#[test]
fn a_model_folder_is_read_whole_and_an_unloadable_tokenizer_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("qwen3");
    std::fs::create_dir(&model).unwrap();
    std::fs::copy(workspace().join(QWEN), model.join("tokenizer.json")).unwrap();
    // pad == eos set in the folder's tokenizer_config.json is seen without --config.
    std::fs::write(
        model.join("tokenizer_config.json"),
        r#"{"eos_token": "<|im_end|>", "pad_token": "<|im_end|>"}"#,
    )
    .unwrap();
    let output = vazhi(&["tokenizer", model.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[pad-is-eos]"), "{text}");
    // The same for a tokenizer.json named directly: the config beside it is read.
    let output = vazhi(&["tokenizer", model.join("tokenizer.json").to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("error[pad-is-eos]"));
    // lint takes the folder as --tokenizer.
    let output = vazhi(&[
        "lint",
        "--tokenizer",
        model.to_str().unwrap(),
        "--max-seq-len",
        "1024",
        "corpora-samples/clean/kural-qa.messages.jsonl",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // A vocabulary entry removed but still used by merges: the tokenizers library refuses the file
    // (VAZHI v0.7's "tokenizer with holes"). The audit still says what is wrong, as findings.
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(workspace().join(QWEN)).unwrap()).unwrap();
    let vocab = json["model"]["vocab"].as_object_mut().unwrap();
    let removed = vocab
        .iter()
        .find(|(_, id)| id.as_u64() == Some(1000))
        .map(|(token, _)| token.clone())
        .unwrap();
    vocab.remove(&removed);
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, json.to_string()).unwrap();
    let output = vazhi(&["tokenizer", broken.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    for check in ["error[vocab-holes]", "error[dangling-merges]", "error[tokenizer-load]"] {
        assert!(text.contains(check), "{check}: {text}");
    }
    // lint cannot count with it: a usage error that says where to look.
    let output = vazhi(&[
        "lint",
        "--tokenizer",
        broken.to_str().unwrap(),
        "--max-seq-len",
        "1024",
        "corpora-samples/clean/kural-qa.messages.jsonl",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cargo vazhi tokenizer"));
}
