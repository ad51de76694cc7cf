//! What the kural check reports: a [`KuralIssue`] (span, kural, [`KuralIssueKind`]) with its
//! word-level diff. Its own module because judging builds these types and the entry points
//! return them.

use std::ops::Range;

use serde::Serialize;

/// A quotation that does not match the kural it quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KuralIssue {
    /// Byte range in the checked text covering the quoted (mis)quotation.
    pub span: Range<usize>,
    /// The kural it is a (mis)quotation of.
    pub number: u16,
    pub kind: KuralIssueKind,
    /// Word-level diff: quoted words vs authoritative words.
    pub diff: Vec<WordEdit>,
    /// `Some(source)` when the quotation equals (by phonemes) a known damaged reading.
    pub known_damaged: Option<&'static str>,
}

/// What is wrong with a quotation. Spellings that editions also print (a glide, a sandhi
/// consonant, alapedai, a join or split; see [`crate::tamil::variant`]) are not issues at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KuralIssueKind {
    /// A word changed, added, dropped or moved, the lines swapped, or the letters damaged.
    Misquoted,
    /// The words are the kural's but one is misspelled: a letter dropped, doubled or changed, a
    /// nasal confused where no consonant decides it (`கணங்குழை` for `கனங்குழை`).
    Misspelled,
    /// The same word in another grammatical form (`-ஆன்` / `-ஆல்`, `-இல்` / `-இன்`,
    /// `ஒடு` / `ஓடு`, `மக்கட்கு` / `மக்களுக்கு`): a warning.
    OtherForm,
    /// The text names another kural's number than the one it quotes (exactly or not).
    WrongNumber { named: u16 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum WordEdit {
    Same(String),
    /// In the reference, missing in the quotation.
    Removed(String),
    /// In the quotation, not in the reference.
    Added(String),
}
