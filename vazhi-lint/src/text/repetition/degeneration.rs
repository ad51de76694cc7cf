//! What the detectors report: a [`Degeneration`] (span, [`DegenerationKind`], measured value and
//! threshold) with its one-line description, and how overlapping reports of one region are
//! reduced to one.

use std::ops::Range;

/// One degenerate region, or one whole-text measure over its threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Degeneration {
    /// Byte range in the input: the run or the back-to-back repeats; for the
    /// fraction measures, the first occurrence of the duplicated line, paragraph
    /// or n-gram (the whole text if there is none to point at).
    pub span: Range<usize>,
    pub kind: DegenerationKind,
    /// The value measured: a length, a count or a fraction (see each kind).
    pub measured: f64,
    /// The threshold it reached (`measured >= threshold`).
    pub threshold: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DegenerationKind {
    /// One character repeated; `measured` is `len`, in characters.
    CharRun { ch: char, len: usize },
    /// One word repeated back-to-back, glued (`systemsystem…`) or separated by
    /// whitespace/punctuation (`celebrated celebrated …`); `measured` is `count`.
    RepeatedToken { token: String, count: usize },
    /// A short substring (several words, or symbols) repeated back-to-back;
    /// `measured` is `count`.
    RepeatedPeriod { period: String, count: usize },
    /// Gopher duplicate line/paragraph fractions; `measured` is the fraction
    /// furthest over its threshold.
    DuplicateLines,
    /// Gopher word n-gram character fraction for `n` (the `n` furthest over its
    /// threshold); `measured` is that fraction.
    DuplicateNgrams { n: usize },
    /// Mostly punctuation/symbols in disordered clusters; `measured` is the
    /// highest punctuation share of a window in the span.
    PunctuationSoup,
    /// A sentence or list item of substance found again and again, anywhere in the text (a
    /// model looping on a sentence, a list whose items are one item); `measured` is `count`.
    RepeatedSentence {
        /// The first sentence of what repeats.
        sentence: String,
        /// Sentences or list items in the repeated block.
        units: usize,
        count: usize,
        /// Byte offsets of the later occurrences.
        again: Vec<usize>,
    },
}

impl DegenerationKind {
    /// A one-line human description for diagnostics.
    pub fn describe(&self) -> String {
        match self {
            Self::CharRun { ch, len } => {
                format!("character {} repeated {len} times in a row", quote_char(*ch))
            }
            Self::RepeatedToken { token, count } => {
                format!("word \"{}\" repeated {count} times back-to-back", shorten(token))
            }
            Self::RepeatedPeriod { period, count } => {
                format!("text \"{}\" repeated {count} times back-to-back", shorten(period))
            }
            Self::DuplicateLines => "too many duplicated lines or paragraphs".to_string(),
            Self::DuplicateNgrams { n } => {
                format!("too much of the text is in repeated {n}-word sequences")
            }
            Self::PunctuationSoup => "punctuation soup (mostly disordered punctuation)".to_string(),
            Self::RepeatedSentence {
                sentence,
                units: 1,
                count,
                ..
            } => format!("sentence \"{}\" written {count} times", shorten(sentence)),
            Self::RepeatedSentence {
                sentence, units, count, ..
            } => format!(
                "a block of {units} sentences or list items, from \"{}\", written {count} times in a row",
                shorten(sentence)
            ),
        }
    }
}

fn quote_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("'{c}'")
    }
}

/// Keeps diagnostics short when the repeated unit is long; escapes newlines.
fn shorten(s: &str) -> String {
    const MAX_CHARS: usize = 40;
    let escaped: String = s.escape_debug().collect();
    match escaped.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

/// Several detectors (and several periods of one detector) can report the same
/// region, or nearly the same one ("(celebrated) (celebrated) …" gives the scan
/// a span from the parenthesis, the word scan one from the word): keep the
/// outermost, drop anything overlapping a kept finding, and at equal spans keep
/// the one pushed first (the periodic scan at its smallest period, whose unit
/// is the most precise).
pub(super) fn drop_contained(mut found: Vec<Degeneration>) -> Vec<Degeneration> {
    // Stable sort: equal spans keep detector order.
    found.sort_by(|a, b| a.span.start.cmp(&b.span.start).then(b.span.end.cmp(&a.span.end)));
    // Sorted by start, every kept span starts at or before `d`: `d` overlaps one
    // of them exactly when the furthest kept end lies past `d`'s start.
    let mut kept: Vec<Degeneration> = Vec::with_capacity(found.len());
    let mut max_end = 0;
    for d in found {
        if kept.is_empty() || d.span.start >= max_end {
            max_end = max_end.max(d.span.end);
            kept.push(d);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_is_readable() {
        assert_eq!(
            DegenerationKind::CharRun { ch: '!', len: 10 }.describe(),
            "character '!' repeated 10 times in a row"
        );
        assert_eq!(
            DegenerationKind::CharRun { ch: '\n', len: 3 }.describe(),
            "character U+000A repeated 3 times in a row"
        );
        assert_eq!(
            DegenerationKind::RepeatedToken {
                token: "system".into(),
                count: 4
            }
            .describe(),
            "word \"system\" repeated 4 times back-to-back"
        );
        let long = DegenerationKind::RepeatedPeriod {
            period: "a\n".repeat(30),
            count: 4,
        }
        .describe();
        assert!(long.contains("a\\na\\n") && long.contains('…'), "{long}");
        for k in [
            DegenerationKind::DuplicateLines,
            DegenerationKind::DuplicateNgrams { n: 5 },
            DegenerationKind::PunctuationSoup,
        ] {
            assert!(!k.describe().is_empty());
        }
    }
}
