//! Back-to-back repeats: runs of one character, glued or spaced repeated words, and short
//! periods (`I am sorry. ` ×4), found by one scan over every byte period.

use super::chars::{is_filler, is_punct};
use super::degeneration::{Degeneration, DegenerationKind};
use super::fences::Fences;
use super::thresholds::RepetitionThresholds;

/// A maximal byte range `[start, end)` with period `p` bytes, found by the scan.
#[derive(Debug, Clone, Copy)]
struct Periodic {
    start: usize,
    end: usize,
    p: usize,
}

/// Scans every byte period `p` in `1..=4*period_max_chars` for maximal ranges
/// where `b[i] == b[i+p]`. A `p`-periodic byte range that starts on a char
/// boundary repeats whole characters (UTF-8 lead and continuation bytes line
/// up), so bytes are enough and nothing is decoded.
///
/// Cost: a reportable range needs at least `need(p)` consecutive matching
/// positions, so probing a few positions every `need(p) - 7` bytes and
/// extending only around matches finds all of them. Summed over `p` that is
/// about `3 n` short probes at the default thresholds, plus short extensions
/// around chance matches. A range already known periodic with a divisor `q | p` is `p`-periodic
/// too and is jumped over, or `aaaa…` would be rescanned for every `p`.
pub(super) fn periodic_runs(text: &str, t: &RepetitionThresholds, fences: &Fences, out: &mut Vec<Degeneration>) {
    let b = text.as_bytes();
    let n = b.len();
    let max_p = t.period_max_chars.saturating_mul(4).min(n / 2);
    // Periodic ranges from smaller periods, sorted by start.
    let mut known: Vec<Periodic> = Vec::new();
    for p in 1..=max_p {
        let need = need_matches(p, t);
        // At most n - p positions can match at period p: a period whose reportable run is
        // longer than that cannot have one (half of all periods, for a short answer).
        if need > n - p {
            continue;
        }
        // Test `l` consecutive positions per probe (one 8-byte XOR), which makes
        // chance matches in ordinary text rare; probing every `need - l + 1`
        // bytes still puts a whole probe inside every run of `need` matching
        // positions.
        let l = need.div_ceil(2).min(8);
        let step = need - l + 1;
        let mask = if l >= 8 { u64::MAX } else { (1u64 << (8 * l)) - 1 };
        let mut found: Vec<Periodic> = Vec::new();
        let mut cursor = 0usize;
        // Start of the next known range to consult; probes before it need no look-up.
        let mut next_known = known.first().map_or(usize::MAX, |k| k.start);
        let mut i = 0usize;
        while i + p < n {
            if i >= next_known {
                while cursor < known.len() && known[cursor].end <= i {
                    cursor += 1;
                }
                if let Some(k) = known[cursor..]
                    .iter()
                    .take_while(|k| k.start <= i)
                    .find(|k| p % k.p == 0 && k.end >= i + p + need)
                {
                    // Inside k the p-run is exactly [k.start, k.end - p): known already.
                    i = k.end - p + 1;
                    continue;
                }
                // A range not skippable here will not be further on (less of it is
                // left), so only ranges starting after i matter from now on.
                next_known = known[cursor..]
                    .iter()
                    .map(|k| k.start)
                    .find(|&s| s > i)
                    .unwrap_or(usize::MAX);
            }
            // Probe up to the next known range in a tight loop.
            let stop = next_known.min(n.saturating_sub(p + 8));
            if i < stop {
                i = probe_until(b, i, stop, p, step, mask);
                if i >= stop {
                    continue;
                }
            } else if (load8(b, i) ^ load8(b, i + p)) & mask != 0 {
                i += step;
                continue;
            }
            let mut lo = i;
            while lo > 0 && b[lo - 1] == b[lo - 1 + p] {
                lo -= 1;
            }
            let mut hi = i + 1;
            while hi + p < n && b[hi] == b[hi + p] {
                hi += 1;
            }
            if hi - lo >= need {
                found.push(Periodic {
                    start: lo,
                    end: hi + p,
                    p,
                });
            }
            i = hi + 1;
        }
        for r in &found {
            out.extend(classify_periodic(text, *r, t, fences));
        }
        if !found.is_empty() {
            known.extend(found);
            known.sort_by_key(|k| k.start);
        }
    }
}

/// First probe position `i, i + step, …` below `stop` whose `mask`ed eight
/// bytes equal those `p` further on, or a position `>= stop`. The caller keeps
/// `stop + p + 8 <= b.len()`.
#[inline]
fn probe_until(b: &[u8], mut i: usize, stop: usize, p: usize, step: usize, mask: u64) -> usize {
    let window = &b[..(stop + p + 8).min(b.len())];
    while i < stop {
        let (x, y) = match (window.get(i..i + 8), window.get(i + p..i + p + 8)) {
            (Some(x), Some(y)) => (x, y),
            _ => return stop,
        };
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(x).unwrap_or([0; 8]));
        let y = u64::from_le_bytes(<[u8; 8]>::try_from(y).unwrap_or([0xff; 8]));
        if (x ^ y) & mask == 0 {
            return i;
        }
        i += step;
    }
    i
}

/// Eight bytes from `i` (little-endian, zero-padded past the end), one load.
#[inline]
fn load8(b: &[u8], i: usize) -> u64 {
    match b.get(i..i + 8) {
        Some(s) => u64::from_le_bytes(<[u8; 8]>::try_from(s).unwrap_or([0; 8])),
        None => {
            let mut buf = [0u8; 8];
            let tail = b.get(i..).unwrap_or(&[]);
            buf[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(buf)
        }
    }
}

/// Fewest matching positions (`b[i] == b[i+p]`) a reportable range of period `p`
/// bytes can have: one char of `p` bytes needs `char_run_min` repeats (or the
/// filler minimum, if smaller), a longer unit `period_min_repeats` repeats
/// (the last one possibly without a separator of up to 8 bytes) and
/// `period_min_chars` chars of at least one byte each. Never below 1, so the
/// sampling loop always advances.
fn need_matches(p: usize, t: &RepetitionThresholds) -> usize {
    // n repeats of a unit leave (n - 1) * p matching positions, less the last
    // separator if it is missing ("celebrated celebrated celebrated celebrated");
    // separators of up to 8 bytes are allowed for.
    let multi = t
        .period_min_repeats
        .saturating_sub(1)
        .saturating_mul(p)
        .saturating_sub(p.saturating_sub(1).min(8))
        .max(t.period_min_chars.saturating_sub(p));
    let single = if p <= 4 {
        t.char_run_min.min(t.filler_run_min).saturating_sub(1).saturating_mul(p)
    } else {
        usize::MAX
    };
    multi.min(single).max(1)
}

/// Turns a periodic byte range into a finding if it passes the character-level
/// thresholds.
fn classify_periodic(text: &str, r: Periodic, t: &RepetitionThresholds, fences: &Fences) -> Option<Degeneration> {
    // The scan works on bytes: move inwards to char boundaries.
    let mut start = r.start;
    while start < r.end && !text.is_char_boundary(start) {
        start += 1;
    }
    let mut end = r.end;
    while end > start && !text.is_char_boundary(end) {
        end -= 1;
    }
    if end < start + 2 * r.p {
        return None;
    }
    // A unit with whitespace ("celebrated ") is a phrase: start it at a word
    // start, or "crowd celebrated celebrated…" yields the rotation "d celebrate".
    // The word start lies within one period plus one char ("ab ab…" entered
    // at the "b": the next word starts right after the unit's space).
    let unit = text.get(start..start + r.p)?;
    if unit.contains(char::is_whitespace) {
        let word_start = text
            .get(start..end)?
            .char_indices()
            .take_while(|(i, _)| *i <= r.p)
            .find_map(|(i, c)| {
                let prev = text.get(..start + i)?.chars().next_back();
                (!c.is_whitespace() && prev.is_none_or(char::is_whitespace)).then_some(start + i)
            });
        if let Some(w) = word_start {
            start = w;
        }
        if end < start + 2 * r.p {
            return None;
        }
    }
    let unit = text.get(start..start + r.p)?;
    let region = text.get(start..end)?;
    let unit_chars = unit.chars().count();
    if unit_chars > t.period_max_chars {
        return None;
    }
    // A markdown table's rule (`|------|:---:|`) is as long as its widest cell: structure, never
    // a run however long.
    if on_table_rule(text, start) {
        return None;
    }
    let lenient = unit.chars().all(is_filler) || fences.contains(&(start..end));
    if unit_chars == 1 {
        let ch = unit.chars().next()?;
        if ch.is_whitespace() {
            return None;
        }
        let len = region.chars().count();
        let min = if lenient { t.filler_run_min } else { t.char_run_min };
        return (len >= min).then_some(Degeneration {
            span: start..end,
            kind: DegenerationKind::CharRun { ch, len },
            measured: len as f64,
            threshold: min as f64,
        });
    }
    // Count whole occurrences of the unit's core (the unit without whitespace),
    // so "celebrated celebrated celebrated celebrated" counts 4 although the last
    // separator is missing, and report exactly those occurrences.
    let core = unit.trim();
    if core.is_empty() {
        return None;
    }
    let lead = unit.len() - unit.trim_start().len();
    let trimmed = region.trim();
    let t_start = start + (region.len() - region.trim_start().len());
    // Offset of the first core inside the trimmed region: (lead - skipped) mod p.
    let first = (lead + r.p - (t_start - start) % r.p) % r.p;
    if trimmed.len() < first + core.len() {
        return None;
    }
    let count = (trimmed.len() - first - core.len()) / r.p + 1;
    let span = t_start + first..t_start + first + (count - 1) * r.p + core.len();
    let chars = text.get(span.clone())?.chars().count();
    let min_chars = if lenient { t.filler_run_min } else { t.period_min_chars };
    if count < t.period_min_repeats || chars < min_chars {
        return None;
    }
    let one_word = !core.chars().any(char::is_whitespace) && core.chars().any(crate::text::is_alphabetic);
    let kind = if one_word {
        DegenerationKind::RepeatedToken {
            token: core.trim_matches(is_punct).to_string(),
            count,
        }
    } else {
        // The unit as it first appears, separator included ("I am sorry. ").
        let period = text.get(span.start..span.start + r.p).unwrap_or(unit);
        DegenerationKind::RepeatedPeriod {
            period: period.to_string(),
            count,
        }
    };
    Some(Degeneration {
        span,
        kind,
        measured: count as f64,
        threshold: t.period_min_repeats as f64,
    })
}

/// Whether the line holding byte `at` is a markdown table rule: only `|`, `-`, `:`, `+`, `=` and
/// spaces, with at least one `|`.
fn on_table_rule(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[start..end];
    line.contains('|')
        && line
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | '+' | '=' | ' ' | '\t' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::repetition::degeneration::drop_contained;

    // -- the sampled scan against a naive one --------------------------------

    /// Every maximal run of every period, no sampling, no skipping.
    fn naive_periodic(text: &str, t: &RepetitionThresholds) -> Vec<Degeneration> {
        let b = text.as_bytes();
        let n = b.len();
        let fences = Fences::new(text);
        let mut out = Vec::new();
        for p in 1..=t.period_max_chars.saturating_mul(4).min(n / 2) {
            let mut i = 0;
            while i + p < n {
                if b[i] != b[i + p] {
                    i += 1;
                    continue;
                }
                let lo = i;
                while i + p < n && b[i] == b[i + p] {
                    i += 1;
                }
                let r = Periodic {
                    start: lo,
                    end: i + p,
                    p,
                };
                out.extend(classify_periodic(text, r, t, &fences));
            }
        }
        drop_contained(out)
    }

    #[test]
    fn sampled_scan_matches_naive_scan() {
        // Random texts from a few units, so that periodic stretches of all
        // kinds (runs, glued, spaced, multi-byte, nested) occur often.
        let pieces = [
            "a",
            "b",
            " ",
            "ab",
            "ab ",
            "system",
            "இ",
            "கா",
            "சரி ",
            "!",
            "-",
            "x",
            "I am ",
            "\n",
            "aab",
            "0",
        ];
        let mut random = crate::test_data::Xorshift(0x2545_f491_4f6c_dd1d);
        let t = RepetitionThresholds {
            period_max_chars: 12,
            ..RepetitionThresholds::default()
        };
        let mut findings = 0;
        for _ in 0..400 {
            let mut text = String::new();
            while text.len() < 200 {
                let piece = pieces[random.below(pieces.len())];
                let times = if random.below(3) == 0 { 1 + random.below(12) } else { 1 };
                for _ in 0..times {
                    text.push_str(piece);
                }
            }
            let mut fast = Vec::new();
            periodic_runs(&text, &t, &Fences::new(&text), &mut fast);
            let fast = drop_contained(fast);
            assert_eq!(fast, naive_periodic(&text, &t), "{text:?}");
            findings += fast.len();
        }
        // The comparison is only worth something if there was much to find.
        assert!(findings > 800, "{findings}");
    }
}
