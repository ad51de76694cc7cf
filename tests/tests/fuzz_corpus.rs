//! The fuzz targets, briefly, on stable: every saved input of `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/` through the same bodies the libFuzzer targets run
//! (`fuzz/src/bodies.rs`, included here by path), so CI keeps what fuzzing found fixed without
//! nightly or cargo-fuzz. An input listed in `fuzz/regressions/KNOWN_OPEN` (a bug found and not
//! yet fixed) is skipped with a note; take it off the list when the fix lands.

#[path = "../../fuzz/src/bodies.rs"]
#[allow(dead_code)]
mod bodies;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("fuzz")
}

/// `target/file` names of the regressions that still fail.
fn known_open() -> Vec<String> {
    std::fs::read_to_string(fuzz_dir().join("regressions").join("KNOWN_OPEN"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn inputs(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Replays one target's corpus and regressions; returns how many inputs ran.
fn replay(target: &str) -> usize {
    let body = bodies::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, body)| *body)
        .unwrap_or_else(|| panic!("no fuzz target {target}"));
    let open = known_open();
    let corpus = inputs(&fuzz_dir().join("corpus").join(target));
    assert!(!corpus.is_empty(), "fuzz/corpus/{target} has no inputs");
    let regressions = inputs(&fuzz_dir().join("regressions").join(target));
    let mut ran = 0;
    let mut slowest = (Duration::ZERO, PathBuf::new());
    for path in corpus.iter().chain(&regressions) {
        let name = format!("{target}/{}", path.file_name().unwrap_or_default().to_string_lossy());
        if open.contains(&name) {
            eprintln!("skipped {name}: listed in fuzz/regressions/KNOWN_OPEN");
            continue;
        }
        let data = std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let started = Instant::now();
        if let Err(panic) = std::panic::catch_unwind(|| body(&data)) {
            eprintln!("fuzz input {} failed", path.display());
            std::panic::resume_unwind(panic);
        }
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, path.clone());
        }
        ran += 1;
    }
    eprintln!(
        "{target}: {ran} inputs, slowest {:?} ({})",
        slowest.0,
        slowest.1.display()
    );
    ran
}

#[test]
fn every_target_has_a_test_here() {
    let names: Vec<&str> = bodies::TARGETS.iter().map(|(name, _)| *name).collect();
    for name in &names {
        assert!(
            fuzz_dir().join("fuzz_targets").join(format!("{name}.rs")).is_file(),
            "fuzz target {name} has no fuzz_targets/{name}.rs"
        );
    }
    let tested = [
        "jsonl",
        "json_document",
        "compressed",
        "parquet",
        "layout",
        "config",
        "chat_template",
        "tokenizer_audit",
    ];
    assert_eq!(names, tested, "a target without a replay test below");
}

#[test]
fn jsonl() {
    replay("jsonl");
}

#[test]
fn json_document() {
    replay("json_document");
}

#[test]
fn compressed() {
    replay("compressed");
}

#[test]
fn parquet() {
    replay("parquet");
}

#[test]
fn layout() {
    replay("layout");
}

#[test]
fn config() {
    replay("config");
}

#[test]
fn chat_template() {
    replay("chat_template");
}

#[test]
fn tokenizer_audit() {
    replay("tokenizer_audit");
}
