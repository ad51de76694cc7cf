//! Looping sentences: a sentence or list item, or a block of them, written again and again, and
//! a long sentence pasted twice.

use std::collections::HashMap;
use std::ops::Range;

use super::chars::is_punct;
use super::degeneration::{Degeneration, DegenerationKind};
use super::ngrams::IdMap;
use super::thresholds::RepetitionThresholds;

/// The marker a list item starts with: `1.`, `2)`, `-`, `*`, `•`, `1️⃣`, `#`, `>`, and bold.
fn strip_item_marker(line: &str) -> &str {
    let mut rest = line.trim_start();
    loop {
        let before = rest;
        rest = rest
            .trim_start_matches(['-', '*', '•', '·', '#', '>', '+'])
            .trim_start();
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && digits <= 3 {
            let after = &rest[digits..];
            // `1.`, `1)`, `1:`, and the emoji keycap `1️⃣`.
            let marker = after
                .strip_prefix("\u{FE0F}\u{20E3}")
                .or_else(|| after.strip_prefix('\u{20E3}'))
                .or_else(|| after.strip_prefix(['.', ')', ':']));
            if let Some(after) = marker {
                rest = after.trim_start();
            }
        }
        if rest == before {
            return rest;
        }
    }
}

/// A unit's text as compared: lower case, markdown emphasis and edge punctuation gone, white
/// space folded.
fn sentence_key(unit: &str) -> String {
    let mut key = String::with_capacity(unit.len());
    sentence_key_chars(unit, |c| key.push(c));
    key
}

/// The characters of [`sentence_key`], handed to `push` one by one, so the key can be hashed
/// without being built.
fn sentence_key_chars(unit: &str, mut push: impl FnMut(char)) {
    let mut first = true;
    for word in unit.split_whitespace() {
        let word = word.trim_matches(|c: char| is_punct(c) || c == '*' || c == '_' || c == '`');
        if word.is_empty() {
            continue;
        }
        if !first {
            push(' ');
        }
        first = false;
        for c in word.chars() {
            crate::text::lowercase(c, &mut push);
        }
    }
}

/// One sentence or list item: where it is, what it says once compared, and its size.
struct Unit {
    span: Range<usize>,
    key: String,
    letters: usize,
    /// Characters other than white space.
    chars: usize,
}

/// Sentences of prose lines (list markers stripped; a sentence ends at `.`, `!`, `?`, `।` or `|`
/// before white space, or at the line's end). A unit of only punctuation keys on its own text.
fn sentences(prose: &[(usize, &str)]) -> Vec<Unit> {
    unit_texts(prose)
        .map(|(start, unit)| {
            let trimmed = unit.trim();
            let mut key = sentence_key(unit);
            if key.is_empty() {
                key = trimmed.to_owned();
            }
            let lead = unit.len() - unit.trim_start().len();
            Unit {
                span: start + lead..start + lead + trimmed.len(),
                letters: key.chars().filter(|&c| crate::text::is_alphabetic(c)).count(),
                chars: trimmed.chars().filter(|c| !c.is_whitespace()).count(),
                key,
            }
        })
        .collect()
}

/// The units [`sentences`] is made of, before they are keyed: each with the byte offset of its
/// first character in the text. Units that are only white space are left out.
fn unit_texts<'a>(prose: &'a [(usize, &'a str)]) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    prose.iter().flat_map(|&(off, line)| {
        let body = strip_item_marker(line);
        let mut start = off + (line.len() - body.len());
        let mut rest = body;
        std::iter::from_fn(move || {
            while !rest.is_empty() {
                let cut = rest
                    .char_indices()
                    .find(|&(i, c)| {
                        matches!(c, '.' | '!' | '?' | '।' | '|')
                            && rest[i + c.len_utf8()..].chars().next().is_none_or(char::is_whitespace)
                    })
                    .map_or(rest.len(), |(i, c)| i + c.len_utf8());
                let unit = (start, &rest[..cut]);
                start += cut;
                rest = &rest[cut..];
                if !unit.1.trim().is_empty() {
                    return Some(unit);
                }
            }
            None
        })
    })
}

/// True when no two units of the prose compare equal, so nothing can repeat: the common case,
/// settled by hashing each unit's key as [`sentence_key`] would spell it, without building keys,
/// counting letters or allocating. Exact: equal keys always hash equal, so distinct hashes mean
/// distinct keys; a hash shared by different keys only sends the record down the full path.
fn all_units_distinct(prose: &[(usize, &str)]) -> bool {
    let mut seen: IdMap<u64, ()> = IdMap::default();
    for (_, unit) in unit_texts(prose) {
        let mut hash = KeyHash::default();
        sentence_key_chars(unit, |c| hash.push(c));
        if hash.chars == 0 {
            // An empty key is replaced by the unit's own text.
            unit.trim().chars().for_each(|c| hash.push(c));
        }
        if seen.insert(hash.value, ()).is_some() {
            return false;
        }
    }
    true
}

/// A 64-bit hash of a key's characters (FxHash's mixing step, then a final avalanche so the
/// map's slot bits depend on every character).
#[derive(Default)]
struct KeyHash {
    value: u64,
    chars: usize,
}

impl KeyHash {
    fn push(&mut self, c: char) {
        self.value = (self.value.rotate_left(5) ^ u64::from(u32::from(c))).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        self.chars += 1;
    }
}

/// Longest block of sentences or list items searched for back-to-back repeats.
const MAX_BLOCK_UNITS: usize = 32;

/// What a degenerate answer loops on, at the level of sentences and list items:
/// - a block of 1 to [`MAX_BLOCK_UNITS`] units repeated back-to-back `sentence_min_repeats`
///   times (a list whose items become one item, a paragraph said again and again, a list of names
///   restarting), the block holding at least `sentence_min_letters` characters, or half that when
///   its copies hold three times that;
/// - a unit of `long_sentence_letters` letters found twice anywhere (a paragraph pasted again).
///
/// A song's chorus between verses, the same short bullet under several headings, and items that
/// share a head (`Right to …`, `In 10 years, who is the most likely to …`) are not loops. The worst
/// loop is reported once, at its first occurrence.
pub(super) fn repeated_sentences(
    text: &str,
    prose: &[(usize, &str)],
    t: &RepetitionThresholds,
) -> Option<Degeneration> {
    // Every loop this reports needs two units with the same key (a block repeated at least
    // twice, or a long unit found twice).
    if t.sentence_min_repeats >= 2 && all_units_distinct(prose) {
        return None;
    }
    let units = sentences(prose);
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let id: Vec<u32> = units
        .iter()
        .map(|unit| {
            let next = ids.len() as u32;
            *ids.entry(unit.key.as_str()).or_insert(next)
        })
        .collect();
    // (repeats, block units, first unit index), worst by characters repeated.
    let mut worst: Option<(usize, usize, usize, usize)> = None;
    let mut consider = |reps: usize, k: usize, at: usize, repeated_chars: usize| {
        if worst.is_none_or(|w| repeated_chars > w.3) {
            worst = Some((reps, k, at, repeated_chars));
        }
    };
    let n = id.len();
    for k in 1..=MAX_BLOCK_UNITS.min(n / 2) {
        let mut i = 0;
        while i + k < n {
            let mut run = 0;
            while i + k + run < n && id[i + run] == id[i + k + run] {
                run += 1;
            }
            let reps = 1 + run / k;
            let block_chars: usize = units[i..i + k].iter().map(|unit| unit.chars).sum();
            // A short block (a list of symbols restarting) counts once it has looped long enough.
            let long_enough = block_chars >= t.sentence_min_letters
                || block_chars * 2 >= t.sentence_min_letters && reps * block_chars >= 3 * t.sentence_min_letters;
            if reps >= t.sentence_min_repeats && long_enough {
                consider(reps, k, i, reps * block_chars);
            }
            i += run.max(1);
        }
    }
    let mut seen: HashMap<u32, Vec<usize>> = HashMap::new();
    for (index, unit) in units.iter().enumerate() {
        if unit.letters >= t.long_sentence_letters {
            seen.entry(id[index]).or_default().push(index);
        }
    }
    // In text order, so that of two loops repeating as many characters the first is reported
    // whatever order the map hands them out in.
    let mut long_repeats: Vec<&Vec<usize>> = seen.values().filter(|found| found.len() >= 2).collect();
    long_repeats.sort_unstable_by_key(|found| found[0]);
    for found in long_repeats {
        consider(found.len(), 1, found[0], found.len() * units[found[0]].chars);
    }
    let (reps, k, at, _) = worst?;
    let first = &units[at];
    // Where the later copies start: the block's next occurrences, or the long unit's.
    let again: Vec<usize> = if k == 1 && reps == 2
        || (k == 1 && units[at].letters >= t.long_sentence_letters && id.get(at + 1) != Some(&id[at]))
    {
        units
            .iter()
            .enumerate()
            .filter(|(index, _)| *index != at && id[*index] == id[at])
            .map(|(_, unit)| unit.span.start)
            .collect()
    } else {
        (1..reps).map(|rep| units[at + rep * k].span.start).collect()
    };
    let end = if k == 1 {
        first.span.end
    } else {
        units[at + k - 1].span.end
    };
    let span = first.span.start..end;
    Some(Degeneration {
        kind: DegenerationKind::RepeatedSentence {
            sentence: text.get(first.span.clone()).unwrap_or_default().to_owned(),
            units: k,
            count: reps,
            again,
        },
        span,
        measured: reps as f64,
        threshold: if reps >= t.sentence_min_repeats {
            t.sentence_min_repeats as f64
        } else {
            2.0
        },
    })
}
