//! The pre-commit hook with the real `pre-commit` tool (from PyPI; .ci/run installs it and points
//! VAZHI_PRE_COMMIT at it): a commit of a clean shard passes, a commit adding a mislabeled record is
//! refused and the output names the record. The hook runs as a `repo: local` hook on the built
//! binary, with the `files` pattern of the repository's .pre-commit-hooks.yaml, which
//! `pre-commit validate-manifest` checks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use vazhi_tests::{vazhi_binary, workspace};

/// The pre-commit executable, or `None` (and a note) where it is not installed. Under CI it must be.
fn pre_commit() -> Option<PathBuf> {
    let found = std::env::var_os("VAZHI_PRE_COMMIT").map(PathBuf::from).or_else(|| {
        let probe = Command::new("pre-commit").arg("--version").output().ok()?;
        probe.status.success().then(|| PathBuf::from("pre-commit"))
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provide pre-commit (set VAZHI_PRE_COMMIT)"
        );
        eprintln!("pre-commit not installed; `pip install pre-commit` to run this test");
    }
    found
}

fn run(program: &Path, args: &[&str], dir: &Path, home: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home)
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "vazhi")
        .env("GIT_AUTHOR_EMAIL", "vazhi@example.invalid")
        .env("GIT_COMMITTER_NAME", "vazhi")
        .env("GIT_COMMITTER_EMAIL", "vazhi@example.invalid")
        .output()
        .expect("command runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The `files:` pattern of the published hook, so the local hook tests the same selection.
fn hook_files_pattern() -> String {
    let manifest = std::fs::read_to_string(workspace().join(".pre-commit-hooks.yaml")).unwrap();
    let line = manifest
        .lines()
        .find(|line| line.trim_start().starts_with("files:"))
        .expect("files: in the hook");
    line.split_once(':').unwrap().1.trim().to_owned()
}

#[test]
fn the_hook_manifest_is_valid() {
    let Some(pre_commit) = pre_commit() else { return };
    let output = Command::new(&pre_commit)
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(workspace())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn a_commit_with_a_mislabeled_record_is_refused_and_named() {
    let Some(pre_commit) = pre_commit() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (repo, home) = (dir.path().join("dataset"), dir.path().join("pre-commit-home"));
    std::fs::create_dir_all(repo.join("data")).unwrap();
    let git = PathBuf::from("git");
    assert!(run(&git, &["init", "-q", "-b", "main"], &repo, &home).status.success());
    let config = format!(
        "repos:\n  - repo: local\n    hooks:\n      - id: vazhi-lint\n        name: vazhi lint\n        entry: {} vazhi lint\n        language: system\n        files: {}\n        require_serial: true\n",
        vazhi_binary().display(),
        hook_files_pattern()
    );
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).unwrap();
    let installed = run(&pre_commit, &["install"], &repo, &home);
    assert!(installed.status.success(), "{}", text(&installed));

    std::fs::copy(
        workspace().join("corpora-samples/clean/kural-qa.messages.jsonl"),
        repo.join("data/kural-qa.jsonl"),
    )
    .unwrap();
    run(&git, &["add", "."], &repo, &home);
    let clean = run(&git, &["commit", "-q", "-m", "clean shard"], &repo, &home);
    assert!(clean.status.success(), "a clean shard commits: {}", text(&clean));

    let record = r#"{"messages": [{"role": "user", "content": "OTP என்றால் என்ன?"}, {"role": "assistant", "content": "OTP is a one-time password sent by your bank."}], "language": "pure_tamil"}"#;
    let good = std::fs::read_to_string(repo.join("data/kural-qa.jsonl")).unwrap();
    std::fs::write(
        repo.join("data/new-batch.jsonl"),
        format!("{}\n{record}\n", good.lines().next().unwrap()),
    )
    .unwrap();
    run(&git, &["add", "."], &repo, &home);
    let refused = run(&git, &["commit", "-q", "-m", "add a batch"], &repo, &home);
    let output = text(&refused);
    assert!(!refused.status.success(), "the commit must be refused: {output}");
    assert!(
        output.contains("data/new-batch.jsonl:2"),
        "the output names the record: {output}"
    );
    assert!(output.contains("mislabeled-language"), "{output}");
    let log = run(&git, &["log", "--oneline"], &repo, &home);
    assert_eq!(
        String::from_utf8_lossy(&log.stdout).lines().count(),
        1,
        "only the clean commit landed"
    );
}
