//! Gopher's duplicate line and paragraph fractions, and the choice of the measure furthest over
//! its threshold that the n-gram fractions share.

use std::collections::HashMap;
use std::ops::Range;

use super::degeneration::{Degeneration, DegenerationKind};
use super::thresholds::RepetitionThresholds;

/// Duplicate fractions over lines or paragraphs (Gopher): the first occurrence
/// is not a duplicate, every later one is.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DupStats {
    /// Parts counted.
    pub(super) parts: usize,
    pub(super) frac: f64,
    pub(super) char_frac: f64,
    /// Byte span of the first occurrence of the first part seen twice.
    first_dup: Option<Range<usize>>,
}

/// Parts without a letter (`}`, `---`, `|---|---|`, `1.`, blank) are structure,
/// not text, and are not counted: an answer with three code blocks or a few
/// markdown rules would otherwise "duplicate" them.
pub(super) fn dup_stats<'a>(parts: impl Iterator<Item = (usize, &'a str)>) -> Option<DupStats> {
    let mut seen: HashMap<&str, Range<usize>> = HashMap::new();
    let (mut total, mut dups, mut total_chars, mut dup_chars) = (0usize, 0usize, 0usize, 0usize);
    let mut first_dup = None;
    for (off, part) in parts {
        let trimmed = part.trim();
        if !trimmed.chars().any(crate::text::is_alphabetic) {
            continue;
        }
        let chars = trimmed.chars().count();
        total += 1;
        total_chars += chars;
        let s = off + (part.len() - part.trim_start().len());
        match seen.get(trimmed) {
            Some(first) => {
                dups += 1;
                dup_chars += chars;
                if first_dup.is_none() {
                    first_dup = Some(first.clone());
                }
            }
            None => {
                seen.insert(trimmed, s..s + trimmed.len());
            }
        }
    }
    (total > 0).then(|| DupStats {
        parts: total,
        frac: dups as f64 / total as f64,
        char_frac: dup_chars as f64 / total_chars as f64,
        first_dup,
    })
}

/// Paragraphs: runs of prose lines separated by blank lines or code blocks.
pub(super) fn paragraphs<'a>(text: &'a str, prose: &[(usize, &'a str)]) -> Vec<(usize, &'a str)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, usize)> = None; // (start, end) bytes
    for &(off, line) in prose {
        let blank = line.trim().is_empty();
        // A gap in offsets means a code block was skipped.
        let contiguous = cur.is_some_and(|(_, end)| end + 1 == off);
        if (blank || !contiguous)
            && let Some((s, e)) = cur.take()
        {
            out.extend(text.get(s..e).map(|p| (s, p)));
        }
        if !blank {
            cur = Some((cur.map_or(off, |c| c.0), off + line.len()));
        }
    }
    if let Some((s, e)) = cur {
        out.extend(text.get(s..e).map(|p| (s, p)));
    }
    out
}

pub(super) fn duplicate_lines(text: &str, prose: &[(usize, &str)], t: &RepetitionThresholds) -> Option<Degeneration> {
    let lines = dup_stats(prose.iter().copied())?;
    if lines.parts < t.min_lines {
        return None;
    }
    let paras = dup_stats(paragraphs(text, prose).into_iter());
    let mut best: Option<(f64, Degeneration)> = None;
    let mut consider = |measured: f64, threshold: f64, span: &Option<Range<usize>>| {
        consider_worst(&mut best, measured, threshold, || Degeneration {
            span: span.clone().unwrap_or(0..text.len()),
            kind: DegenerationKind::DuplicateLines,
            measured,
            threshold,
        });
    };
    consider(lines.frac, t.dup_line_frac, &lines.first_dup);
    consider(lines.char_frac, t.dup_line_char_frac, &lines.first_dup);
    if let Some(p) = &paras {
        consider(p.frac, t.dup_para_frac, &p.first_dup);
        consider(p.char_frac, t.dup_para_char_frac, &p.first_dup);
    }
    best.map(|b| b.1)
}

/// Keeps the finding furthest over its threshold (largest measured/threshold):
/// a looping text trips several related measures at once, one diagnostic is
/// enough. A measure of 0 never fires, even with a threshold of 0.
pub(super) fn consider_worst(
    best: &mut Option<(f64, Degeneration)>,
    measured: f64,
    threshold: f64,
    make: impl FnOnce() -> Degeneration,
) {
    if measured <= 0.0 || measured < threshold {
        return;
    }
    let ratio = if threshold > 0.0 {
        measured / threshold
    } else {
        f64::INFINITY
    };
    if best.as_ref().is_none_or(|b| ratio > b.0) {
        *best = Some((ratio, make()));
    }
}
