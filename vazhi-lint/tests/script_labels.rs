//! The options of the script rules that read words: `written-in` for a label of one's own, and
//! `expect-script = "tamil"` for a dataset with no labels.

use std::path::{Path, PathBuf};

use vazhi_lint::settings::Options;
use vazhi_lint::{Linter, Settings, Silent};

const TANGLISH: &str = "Naalaikku Chennai la konjam mazhai varalaam nu solraanga, kudai eduthuttu ponga.";
const ENGLISH: &str = "It may rain a little in Chennai tomorrow, so take an umbrella with you.";
const TAMIL: &str = "நாளை சென்னையில் லேசான மழை பெய்யலாம்; குடை எடுத்துச் செல்லுங்கள்.";

fn settings(config: &str) -> Settings {
    let options: Options = toml::from_str(config).expect("valid config");
    Settings::resolve(options, PathBuf::from("."), None).expect("valid settings")
}

/// The codes found on each line of a corpus written from `(label, output)` pairs.
fn codes(dir: &Path, config: &str, records: &[(Option<&str>, &str)]) -> Vec<Vec<&'static str>> {
    let path = dir.join("corpus.jsonl");
    let body: String = records
        .iter()
        .map(|(label, output)| {
            let mut record = serde_json::json!({"instruction": "Naalaikku mazhai varumaa?", "output": output});
            if let Some(label) = label {
                record["language"] = (*label).into();
            }
            format!("{record}\n")
        })
        .collect();
    std::fs::write(&path, body).unwrap();
    let report = Linter::new(settings(config)).lint_files(std::slice::from_ref(&path), &Silent);
    let mut found = vec![Vec::new(); records.len()];
    for finding in &report.findings {
        let line = finding.line().expect("record findings have a line") as usize;
        found[line - 1].push(finding.rule.code);
    }
    found
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vazhi-script-labels-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_label_of_ones_own_can_name_the_words_it_allows() {
    let dir = scratch("written-in");
    let config = r#"
select = ["mislabeled-language"]
[rules.mislabeled-language.labels]
colloquial = { written-in = ["tanglish", "mixed"] }
formal_tamil = { min = 0.85, written-in = ["tamil-script"] }
"#;
    let found = codes(
        &dir,
        config,
        &[
            (Some("colloquial"), TANGLISH),
            (Some("colloquial"), ENGLISH),
            (Some("Formal-Tamil"), TAMIL),
            (Some("formal_tamil"), TANGLISH),
        ],
    );
    assert_eq!(found, vec![vec![], vec!["VZ102"], vec![], vec!["VZ102"]]);
    let err = toml::from_str::<Options>("[rules.mislabeled-language.labels]\nx = { written-in = [\"klingon\"] }")
        .unwrap_err()
        .to_string();
    assert!(err.contains("klingon"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unlabelled_records_are_judged_only_when_the_dataset_expects_tamil_script() {
    let dir = scratch("expect-script");
    let records = [
        (None, TANGLISH),
        (Some("tanglish"), TANGLISH),
        (Some("pure_tamil"), TANGLISH),
        (None, TAMIL),
    ];
    let by_label = codes(&dir, "select = [\"romanised-tamil\"]", &records);
    assert_eq!(by_label, vec![vec![], vec![], vec!["VZ104"], vec![]]);
    let whole_dataset = codes(
        &dir,
        "select = [\"romanised-tamil\"]\n[rules.romanised-tamil]\nexpect-script = \"tamil\"",
        &records,
    );
    assert_eq!(whole_dataset, vec![vec!["VZ104"], vec![], vec!["VZ104"], vec![]]);
    std::fs::remove_dir_all(dir).ok();
}
