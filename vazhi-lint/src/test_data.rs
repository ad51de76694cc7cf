//! Reference data for the unit tests, all of it inside the repository: the kurals the rule compiles
//! in (rules/data) joined with their commentaries, the damaged readings, the poems, the essay, an
//! excerpt of the team's log, and the Qwen tokenizer (tests/data; sources and licences in
//! tests/data/README.md).
//!
//! The `calibration` feature compiles it too, for the measurement reports (`crate::calibration`),
//! which use only part of it.
#![cfg_attr(not(test), allow(dead_code))]

use std::sync::LazyLock;

use serde_json::Value;

/// The reference kurals as the rule compiles them in (number, chapter, Tamil, Pope's English).
pub(crate) static KURALS: &str = include_str!("../../rules/data/thirukkural.jsonl");
/// The rest of the reference's fields, by kural number: transliteration, Pope's explanation and
/// the two Tamil commentaries ([`records`] joins them onto [`KURALS`]).
pub(crate) static COMMENTARY: &str = include_str!("../../tests/data/reference/thirukkural-commentary.jsonl");
pub(crate) static CORRUPT: &str = include_str!("../../rules/data/thirukkural-libkural-corrupt.jsonl");
pub(crate) static POEMS: &str = include_str!("../../tests/data/reference/tamilkavi-poems.jsonl");
pub(crate) static ESSAY: &str = include_str!("../../tests/data/reference/opentamil-turing-essay.txt");

/// Lines of the team's training log, which was saved through Mac Roman: Tamil, emoji, arrows,
/// Gujarati/Odia/Punjabi and CJK as mojibake, next to English and code.
pub(crate) static TEAM_LOG: &str = include_str!("../../tests/data/reference/team-log-excerpt.txt");

/// The Qwen2/2.5/3 tokenizer.json and its golden ids.
pub(crate) const QWEN_TOKENIZER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/qwen-tokenizer.json");
pub(crate) const QWEN_GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/qwen-tokenizer.golden.jsonl");

/// Every reference kural with all its fields (see [`with_commentary`]).
pub(crate) fn kurals() -> &'static [Value] {
    records(KURALS)
}

/// The 41 poems: title, category, poem, meaning.
pub(crate) fn poems() -> &'static [Value] {
    records(POEMS)
}

fn parse(jsonl: &str) -> Vec<Value> {
    jsonl
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("reference data is valid JSON"))
        .collect()
}

/// Every field of the reference text: the commentary file's members joined onto each kural.
fn with_commentary(mut kurals: Vec<Value>) -> Vec<Value> {
    for (kural, extra) in kurals.iter_mut().zip(parse(COMMENTARY)) {
        assert_eq!(kural["number"], extra["number"], "the commentary is in kural order");
        if let (Some(kural), Value::Object(extra)) = (kural.as_object_mut(), extra) {
            kural.extend(extra);
        }
    }
    kurals
}

/// The records of one of the JSON-lines files above, parsed once per test run.
fn records(jsonl: &'static str) -> &'static [Value] {
    static PARSED: LazyLock<[Vec<Value>; 3]> =
        LazyLock::new(|| [with_commentary(parse(KURALS)), parse(POEMS), parse(CORRUPT)]);
    let index = [KURALS, POEMS]
        .iter()
        .position(|f| std::ptr::eq(*f, jsonl))
        .unwrap_or(2);
    &PARSED[index]
}

/// The string field `field` of every record of a JSON-lines file.
pub(crate) fn field(jsonl: &'static str, field: &str) -> Vec<String> {
    records(jsonl)
        .iter()
        .map(|r| r[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// (number, text) of the damaged readings.
pub(crate) fn corrupt_readings() -> Vec<(u64, String)> {
    records(CORRUPT)
        .iter()
        .map(|r| {
            let number = r["number"].as_u64().unwrap_or_default();
            (number, r["reading"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

/// Every Tamil text of the reference data, with its field name: kurals, both commentaries,
/// poems and their meanings.
pub(crate) fn tamil_texts() -> Vec<(String, String)> {
    let mut texts = Vec::new();
    for name in ["tamil", "meaning_varadarasanar", "meaning_solomon_pappaiah"] {
        texts.extend(field(KURALS, name).into_iter().map(|t| (name.to_owned(), t)));
    }
    for name in ["poem", "meaning"] {
        texts.extend(field(POEMS, name).into_iter().map(|t| (name.to_owned(), t)));
    }
    texts
}

/// Marsaglia's xorshift64 (shifts 13, 7, 17): the generator the tests draw random text and
/// numbers from. Seeded, so every run draws the same cases.
pub(crate) struct Xorshift(pub(crate) u64);

impl Xorshift {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `bound`.
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }
}
