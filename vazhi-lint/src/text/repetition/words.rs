//! Words (whitespace tokens, edge punctuation trimmed) and the same word many times in a row
//! whatever the separators. The n-gram measures count these words too.

use std::ops::Range;

use super::chars::is_punct;
use super::degeneration::{Degeneration, DegenerationKind};
use super::fences::Fences;
use super::thresholds::RepetitionThresholds;

/// A word: a whitespace-separated token with punctuation trimmed from both ends;
/// tokens that are all punctuation are not words.
#[derive(Debug, Clone, Copy)]
pub(super) struct Word<'a> {
    pub(super) text: &'a str,
    pub(super) span: (usize, usize),
}

impl Word<'_> {
    /// Characters in the word. Counted only where the n-gram fractions need it: most answers
    /// are too short to be measured by them.
    pub(super) fn chars(&self) -> usize {
        self.text.chars().count()
    }
}

/// The words of `text` whose whitespace-separated tokens ([`crate::text::word_ranges`]) are
/// `tokens`: each with its punctuation trimmed.
pub(super) fn push_words<'a>(text: &'a str, tokens: &[Range<usize>], out: &mut Vec<Word<'a>>) {
    for token in tokens {
        push_word(text, token.start, token.end, out);
    }
}

fn push_word<'a>(text: &'a str, s: usize, e: usize, out: &mut Vec<Word<'a>>) {
    let Some(tok) = text.get(s..e) else { return };
    let after_lead = tok.trim_start_matches(is_punct);
    let w = after_lead.trim_end_matches(is_punct);
    if w.is_empty() {
        return;
    }
    let ws = s + (tok.len() - after_lead.len());
    out.push(Word {
        text: w,
        span: (ws, ws + w.len()),
    });
}

/// The words outside fenced code blocks.
pub(super) fn prose_words<'a>(all: Vec<Word<'a>>, fences: &Fences) -> Vec<Word<'a>> {
    if fences.0.is_empty() {
        return all;
    }
    all.into_iter()
        .filter(|w| !fences.contains(&(w.span.0..w.span.1)))
        .collect()
}

/// The same word (compared without edge punctuation) many times in a row, with
/// any whitespace or punctuation between: catches what the exact periodic scan
/// misses (`celebrated\ncelebrated, celebrated  celebrated`). Words without a
/// letter (numbers, rows of zeros) are left to the filler rule.
pub(super) fn token_runs(
    text: &str,
    t: &RepetitionThresholds,
    fences: &Fences,
    ws: &[Word<'_>],
    out: &mut Vec<Degeneration>,
) {
    let mut i = 0;
    while i < ws.len() {
        let mut j = i + 1;
        while j < ws.len() && ws[j].text == ws[i].text {
            j += 1;
        }
        let count = j - i;
        if count >= t.token_min_repeats && ws[i].text.chars().any(crate::text::is_alphabetic) {
            let span = ws[i].span.0..ws[j - 1].span.1;
            let chars = text.get(span.clone()).map_or(0, |s| s.chars().count());
            let min_chars = if fences.contains(&span) {
                t.filler_run_min
            } else {
                t.period_min_chars
            };
            if chars >= min_chars {
                out.push(Degeneration {
                    span,
                    kind: DegenerationKind::RepeatedToken {
                        token: ws[i].text.to_string(),
                        count,
                    },
                    measured: count as f64,
                    threshold: t.token_min_repeats as f64,
                });
            }
        }
        i = j;
    }
}
