//! `lid-model`: a fastText language-ID model deciding what Latin text is, in place of the
//! built-in detector. The models are the tiny ones in `tests/data/lid`, trained by the real
//! fastText (see its README); none is downloaded.

use std::path::{Path, PathBuf};

use vazhi_lint::settings::{Options, Overrides};
use vazhi_lint::{Finding, Linter, Settings, Silent};

const TANGLISH: &str = "naan nalla irukken nee eppadi irukka";
const ENGLISH: &str = "Please send me the report by tomorrow morning";
const TAMIL: &str = "தமிழ் மொழி மிகவும் அழகானது";

fn lid_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lid")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vazhi-lid-model-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn settings(model: &Path) -> Result<Settings, String> {
    let config = format!(
        "select = [\"mislabeled-language\", \"romanised-tamil\", \"tamil-ratio\"]\nlid-model = {:?}\n",
        model.display().to_string()
    );
    let options: Options = toml::from_str(&config).expect("valid config");
    Settings::resolve(options, PathBuf::from("."), None)
}

/// A corpus of one record per `(label, output)` pair, written to `dir`.
fn corpus(dir: &Path, records: &[(&str, &str)]) -> PathBuf {
    let path = dir.join("corpus.jsonl");
    let body: String = records
        .iter()
        .map(|(label, output)| {
            let record = serde_json::json!({"instruction": "eppadi irukka?", "output": output, "language": label});
            format!("{record}\n")
        })
        .collect();
    std::fs::write(&path, body).unwrap();
    path
}

/// The findings on a corpus written from `(label, output)` pairs, as (line, code, message).
fn lint(dir: &Path, settings: Settings, records: &[(&str, &str)]) -> Vec<(u64, &'static str, String)> {
    let path = corpus(dir, records);
    let report = Linter::new(settings).lint_files(std::slice::from_ref(&path), &Silent);
    let mut found: Vec<_> = report
        .findings
        .iter()
        .map(|finding: &Finding| (finding.line().unwrap_or(0), finding.rule.code, finding.message.clone()))
        .collect();
    found.sort();
    found
}

/// Renames that make `softmax.bin` call Tanglish Malayalam in Latin letters, while it keeps a
/// Tamil label (the Tamil-script one's name), so the model is still accepted.
const TANGLISH_AS_MALAYALAM: [(&str, &str); 2] = [
    ("__label__tam_Latn", "__label__mal_Latn"),
    ("__label__tam_Taml", "__label__tam_Latn"),
];

/// A copy of `softmax.bin` with its labels renamed (names of equal length, so the file stays
/// well formed): what a model with other labels says, without training one.
fn relabelled(dir: &Path, renames: &[(&str, &str)]) -> PathBuf {
    let mut bytes = std::fs::read(lid_data().join("softmax.bin")).unwrap();
    for (from, to) in renames {
        assert_eq!(from.len(), to.len());
        let at = bytes
            .windows(from.len())
            .position(|window| window == from.as_bytes())
            .unwrap_or_else(|| panic!("{from} is a label of softmax.bin"));
        bytes[at..at + to.len()].copy_from_slice(to.as_bytes());
    }
    let path = dir.join("relabelled.bin");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn the_model_decides_what_latin_text_is_and_the_message_quotes_it() {
    let dir = scratch("decides");
    let settings = settings(&lid_data().join("softmax.bin")).unwrap();
    assert!(settings.lid_model.is_some());
    let found = lint(
        &dir,
        settings,
        &[
            ("tanglish", TANGLISH),
            ("tanglish", ENGLISH),
            ("english", TANGLISH),
            ("pure_tamil", TANGLISH),
            ("pure_tamil", TAMIL),
        ],
    );
    let codes: Vec<(u64, &str)> = found.iter().map(|(line, code, _)| (*line, *code)).collect();
    assert_eq!(
        codes,
        [(2, "VZ102"), (3, "VZ102"), (4, "VZ101"), (4, "VZ102"), (4, "VZ104")],
        "{found:#?}"
    );
    let message = |line: u64, code: &str| {
        found
            .iter()
            .find(|(at, c, _)| *at == line && *c == code)
            .map(|(_, _, message)| message.as_str())
            .unwrap()
    };
    assert!(
        message(2, "VZ102").starts_with("labelled `tanglish` but the response is English, `eng_Latn` at 0."),
        "{found:#?}"
    );
    assert!(message(2, "VZ102").contains("by the language-ID model"));
    assert!(
        message(3, "VZ102").starts_with("labelled `english` but the response is Tanglish, `tam_Latn` at 0."),
        "{found:#?}"
    );
    assert!(
        message(4, "VZ104").ends_with("where Tamil script is expected: `tam_Latn` at 0.98 by the language-ID model"),
        "{found:#?}"
    );
    assert!(
        message(4, "VZ101").starts_with("response is Tanglish (romanised Tamil), 0% Tamil script"),
        "{found:#?}"
    );
}

#[test]
fn latin_text_the_model_calls_another_language_is_reported_as_such() {
    let dir = scratch("other");
    let model = relabelled(&dir, &TANGLISH_AS_MALAYALAM);
    let found = lint(
        &dir,
        settings(&model).unwrap(),
        &[("tanglish", TANGLISH), ("english", ENGLISH)],
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    let (line, code, message) = &found[0];
    assert_eq!((*line, *code), (1, "VZ102"));
    assert!(
        message.starts_with("labelled `tanglish` but the response is in another language: `mal_Latn` at 0."),
        "{message}"
    );
}

#[test]
fn a_model_that_cannot_tell_tanglish_from_english_is_refused_with_its_path() {
    let dir = scratch("refused");
    let model = relabelled(&dir, &[("__label__eng_Latn", "__label__mal_Latn")]);
    let err = settings(&model).unwrap_err();
    assert!(err.contains(&model.display().to_string()), "{err}");
    assert!(err.contains("no `eng_Latn` or `en` label"), "{err}");
    let missing = dir.join("no-such-model.bin");
    let err = settings(&missing).unwrap_err();
    assert!(err.contains(&missing.display().to_string()), "{err}");
    let quantized = lid_data().join("quantized.ftz");
    let err = settings(&quantized).unwrap_err();
    assert!(err.contains("quantized.ftz"), "{err}");
}

#[test]
fn the_command_line_model_replaces_the_files_which_is_then_not_read() {
    let dir = scratch("flag");
    std::fs::write(dir.join("vazhi.toml"), "lid-model = \"no-such-model.bin\"\n").unwrap();
    let flag = Overrides {
        lid_model: Some(lid_data().join("softmax.bin")),
        ..Overrides::default()
    };
    let settings = Settings::load(None, &dir, &flag).unwrap();
    assert_eq!(
        settings.lid_model.as_ref().map(|model| model.path()),
        Some(lid_data().join("softmax.bin").as_path())
    );
    // Without the flag the file's model is loaded, relative to the file, and its absence named.
    let err = Settings::load(None, &dir, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&dir.join("no-such-model.bin").display().to_string()),
        "{err}"
    );
}

#[test]
fn the_reports_profile_counts_the_verdicts_the_rules_use() {
    let dir = scratch("profile");
    let model = relabelled(&dir, &TANGLISH_AS_MALAYALAM);
    let path = corpus(
        &dir,
        &[("tanglish", TANGLISH), ("tanglish", ENGLISH), ("tanglish", "Seri da")],
    );
    let report = Linter::new(settings(&model).unwrap())
        .profile(true)
        .lint_files(std::slice::from_ref(&path), &Silent);
    let profiles = report.profiles.expect("profiles were asked for");
    let tanglish = &profiles[0].labels["tanglish"];
    assert_eq!(tanglish.verdicts.get("english"), Some(&1));
    assert_eq!(tanglish.verdicts.get("tanglish"), None);
    assert_eq!((tanglish.other_language, tanglish.too_short), (1, 1));
}
