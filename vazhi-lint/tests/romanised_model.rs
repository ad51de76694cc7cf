//! The romanised-Tamil model (`rules/data/romanised-model.bin`) is built from material in the
//! repository; this test rebuilds it and fails when the embedded bytes differ.
//! Regenerate with `VAZHI_BLESS=1 cargo test -p vazhi-lint --test romanised_model`.
//!
//! Romanised-Tamil side: Tamil text romanised by `vazhi_lint::script::transliterate` (two spellings
//! of each word): the kurals, both prose commentaries, the 41 poems and their explanations, the
//! Open-Tamil essay, the TamilVU dictionary's headwords, the stop words and the spoken forms of
//! `colloquial-tamil.txt` (20 times each: they are most of real chat), and the kurals' own
//! romanisation (`transliteration`). English side: Pope's verses and chapter names, the English
//! explanations, SCOWL's American English word list and `chat-english.txt` (20 times each).

use std::path::{Path, PathBuf};

use vazhi_lint::script::romanised::model::{Side, Trainer};
use vazhi_lint::script::transliterate::romanise_word_as;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn jsonl_fields(path: &str, fields: &[&str]) -> Vec<String> {
    read(path)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .flat_map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            fields
                .iter()
                .filter_map(|field| value.get(*field).and_then(|v| v.as_str()).map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A list file: words split on white space, `#` lines are comments.
fn list(path: &str) -> Vec<String> {
    read(path)
        .lines()
        .filter(|line| !line.starts_with('#'))
        .flat_map(|line| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

fn tamil_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|ch: char| !('\u{0B80}'..='\u{0BFF}').contains(&ch))
        .filter(|word| !word.is_empty())
}

fn latin_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|ch: char| !ch.is_ascii_alphabetic())
        .filter(|word| word.len() >= 2)
        .map(str::to_ascii_lowercase)
}

fn add_tamil(trainer: &mut Trainer, text: &str, weight: u64) {
    for word in tamil_words(text) {
        for variant in 0..2 {
            trainer.add_word(Side::RomanisedTamil, &romanise_word_as(word, variant), weight);
        }
    }
}

pub fn build() -> Vec<u8> {
    let mut trainer = Trainer::default();
    // Tamil, romanised.
    let mut tamil_text = jsonl_fields("rules/data/thirukkural.jsonl", &["tamil"]);
    tamil_text.extend(jsonl_fields(
        "tests/data/reference/thirukkural-commentary.jsonl",
        &["meaning_varadarasanar", "meaning_solomon_pappaiah"],
    ));
    tamil_text.extend(jsonl_fields(
        "tests/data/reference/tamilkavi-poems.jsonl",
        &["poem", "meaning", "description"],
    ));
    tamil_text.push(read("tests/data/reference/opentamil-turing-essay.txt"));
    tamil_text.push(read("rules/data/romanised/tamil-words.txt"));
    for text in &tamil_text {
        add_tamil(&mut trainer, text, 1);
    }
    for word in list("rules/data/romanised/tamil-stop-words.txt")
        .into_iter()
        .chain(list("rules/data/romanised/colloquial-tamil.txt"))
    {
        add_tamil(&mut trainer, &word, 20);
    }
    for text in jsonl_fields(
        "tests/data/reference/thirukkural-commentary.jsonl",
        &["transliteration"],
    ) {
        for word in latin_words(&text) {
            trainer.add_word(Side::RomanisedTamil, &word, 1);
        }
    }
    // English.
    let mut english_text = jsonl_fields("rules/data/thirukkural.jsonl", &["english", "chapter_en"]);
    english_text.extend(jsonl_fields(
        "tests/data/reference/thirukkural-commentary.jsonl",
        &["english_explanation", "pal_en"],
    ));
    english_text.push(read("rules/data/romanised/english-words.txt"));
    for text in &english_text {
        for word in latin_words(text) {
            trainer.add_word(Side::English, &word, 1);
        }
    }
    for word in list("rules/data/romanised/chat-english.txt") {
        trainer.add_word(Side::English, &word, 20);
    }
    trainer.build()
}

#[test]
fn the_embedded_model_is_what_the_material_gives() {
    let path: &Path = &repo().join("rules/data/romanised-model.bin");
    let built = build();
    let embedded = std::fs::read(path).expect("rules/data/romanised-model.bin");
    if built != embedded {
        if std::env::var_os("VAZHI_BLESS").is_some() {
            std::fs::write(path, &built).expect("write the model");
        } else {
            panic!(
                "rules/data/romanised-model.bin is stale (run `VAZHI_BLESS=1 cargo test -p vazhi-lint --test romanised_model`)"
            );
        }
    }
}
