//! The `vazhi-train` binary end to end: a refused shard lists every finding and exits 1; a run
//! trains, checkpoints and resumes; `merge`, `parity` and `bench` work from the command line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn fixture() -> PathBuf {
    root().join("vazhi-train/tests/fixtures/tiny-qwen3")
}

fn vazhi_train(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vazhi-train"))
        .arg("--backend")
        .arg("ndarray")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write_recipe(dir: &Path, shard: &Path, train: &str) -> PathBuf {
    let path = dir.join("run.toml");
    std::fs::write(
        &path,
        format!(
            "[model]\npath = {:?}\n[data]\nshards = [{:?}]\nmax-seq-len = 64\n\
             [lora]\nrank = 2\nalpha = 4\ntargets = [\"q\", \"v\"]\n\
             [train]\nout = \"run\"\nbatch-size = 2\nlr = 1e-2\n{train}",
            fixture().display().to_string(),
            shard.display().to_string(),
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_refused_shard_lists_every_finding_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let shard = root().join("corpora-samples/defective/english-answers.alpaca.jsonl");
    let recipe = write_recipe(dir.path(), &shard, "steps = 1\n");
    let out = vazhi_train(&["train", recipe.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let count: usize = stderr
        .split("refused by the gate: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no finding count in {stderr}"));
    let listed = stderr.lines().filter(|l| l.trim_start().contains(" VZ")).count();
    assert!(count > 3, "{stderr}");
    assert_eq!(
        listed, count,
        "every finding is listed, not only the first few:\n{stderr}"
    );
}

#[test]
fn train_resume_merge_and_parity_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let shard = root().join("corpora-samples/clean/kural-qa.messages.jsonl");
    let recipe = write_recipe(dir.path(), &shard, "steps = 4\ncheckpoint-every = 2\n");
    let out = vazhi_train(&["train", recipe.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("admitted ") && stdout.contains("step      4/4  loss "),
        "{stdout}"
    );

    // A second run of the same recipe resumes from its newest checkpoint.
    let out = vazhi_train(&["train", recipe.to_str().unwrap(), "--resume", "latest"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("resuming at step 2/4"), "{stdout}");
    assert!(stdout.contains("trained 2 steps"), "{stdout}");

    let merged = dir.path().join("merged");
    let adapter = dir.path().join("run/adapter");
    let fixture = fixture();
    let out = vazhi_train(&[
        "merge",
        "--model",
        fixture.to_str().unwrap(),
        "--adapter",
        adapter.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for file in ["model.safetensors", "config.json", "tokenizer.json"] {
        assert!(merged.join(file).is_file(), "{file} missing from the export");
    }

    let reference = fixture.join("reference.safetensors");
    let out = vazhi_train(&[
        "parity",
        "--model",
        fixture.to_str().unwrap(),
        "--reference",
        reference.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("max |burn - reference|"));
    // The trained adapter moved the logits: the merged model no longer matches the base's reference.
    let out = vazhi_train(&[
        "parity",
        "--model",
        merged.to_str().unwrap(),
        "--reference",
        reference.to_str().unwrap(),
        "--tolerance",
        "1e-6",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn bench_reports_tokens_per_second() {
    let out = vazhi_train(&[
        "bench", "--shape", "tiny", "--batch", "2", "--seq", "16", "--steps", "1", "--rank", "2",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("batch 2 x 16 tokens") && stdout.contains("tokens/s"),
        "{stdout}"
    );
}

#[test]
fn bench_times_generation() {
    let out = vazhi_train(&[
        "bench",
        "--shape",
        "tiny",
        "--seq",
        "10",
        "--generate",
        "5",
        "--steps",
        "1",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("generation of 5 tokens after a 10-token prompt") && stdout.contains("s/token"),
        "{stdout}"
    );
}
