//! Texts built from the reference for the tests and the `kural_measure` report (`calibration`):
//! kurals in the layouts a record may use, kurals with a word replaced or dropped, and the two
//! Tamil commentaries.

use super::{KuralIssue, KuralIssueKind, check_text, kural};
use crate::test_data;

/// (number, Varadarasanar's commentary, Solomon Pappaiah's commentary).
pub(super) fn commentaries() -> Vec<(u16, String, String)> {
    test_data::kurals()
        .iter()
        .map(|v| {
            let field = |name: &str| v[name].as_str().unwrap_or_default().to_string();
            let number = v["number"].as_u64().and_then(|n| u16::try_from(n).ok());
            (
                number.expect("number"),
                field("meaning_varadarasanar"),
                field("meaning_solomon_pappaiah"),
            )
        })
        .collect()
}

/// Deterministic choices for the mutation tests.
pub(super) struct Lcg(pub(super) u64);

impl Lcg {
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize % n
    }
}

/// The kural with its `at`-th word replaced (`Some`) or dropped (`None`), lines kept.
pub(super) fn edit_word(number: u16, at: usize, replacement: Option<&str>) -> String {
    let mut seen = 0;
    let tamil = kural(number).expect("kural").tamil;
    let lines: Vec<String> = tamil
        .split('\n')
        .map(|line| {
            let words: Vec<String> = line
                .split(' ')
                .filter_map(|word| {
                    seen += 1;
                    if seen - 1 != at {
                        return Some(word.to_string());
                    }
                    let stop = if word.ends_with(['.', '?']) { "." } else { "" };
                    replacement.map(|r| format!("{r}{stop}"))
                })
                .collect();
            words.join(" ")
        })
        .collect();
    lines.join("\n")
}

/// The words of a kural as written, closing punctuation kept.
pub(super) fn words_of(number: u16) -> Vec<&'static str> {
    kural(number).expect("kural").tamil.split_whitespace().collect()
}

/// The kural text in one of the [`LAYOUTS`] a record may use (two lines or one, with or
/// without the final full stop, bare or in “ ” or " " quotes), set in one of five contexts.
pub(super) fn layout(tamil: &str, variant: usize, context: usize) -> String {
    let lines = if variant.is_multiple_of(2) {
        tamil.to_string()
    } else {
        tamil.replace('\n', " ")
    };
    let body = if (variant / 2).is_multiple_of(2) {
        lines
    } else {
        lines.trim_end_matches(['.', '?']).to_string()
    };
    let quoted = match (variant / 4) % 3 {
        0 => body,
        1 => format!("“{body}”"),
        _ => format!("\"{body}\""),
    };
    match context % 5 {
        0 => quoted,
        1 => format!("வள்ளுவர் கூறுவது:\n{quoted}\nஇதன் பொருள் தெளிவானது."),
        // A vowel right after the kural: the stream elides a final short u.
        2 => format!("{quoted} என்றார் வள்ளுவர்."),
        3 => format!("Thiruvalluvar says:\n\n{quoted}\n\nஅதாவது, இது ஒரு குறள்."),
        _ => format!("- {quoted}\n"),
    }
}

/// How many layouts [`layout`] knows.
pub(super) const LAYOUTS: usize = 12;

/// The misquotations [`check_text`] finds in `text` (wrong numbers left out).
pub(super) fn misquotes(text: &str) -> Vec<KuralIssue> {
    check_text(text)
        .into_iter()
        .filter(|i| matches!(i.kind, KuralIssueKind::Misquoted | KuralIssueKind::Misspelled))
        .collect()
}
