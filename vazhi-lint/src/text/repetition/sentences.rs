//! Looping sentences: a sentence or list item, or a block of them, written again and again, and
//! a long sentence pasted twice.

use std::collections::HashMap;
use std::hash::Hasher;
use std::ops::Range;

use super::chars::is_punct;
use super::degeneration::{Degeneration, DegenerationKind};
use super::ngrams::{IdHasher, IdMap};
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
    for word in unit.split_whitespace() {
        let word = word.trim_matches(|c: char| is_punct(c) || c == '*' || c == '_' || c == '`');
        if word.is_empty() {
            continue;
        }
        if !key.is_empty() {
            key.push(' ');
        }
        word.chars().for_each(|c| crate::text::lowercase(c, |l| key.push(l)));
    }
    key
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
/// settled by hashing each unit's key without building it, counting letters or allocating.
///
/// It reads the text's whitespace-separated tokens (`tokens`, its [`crate::text::word_ranges`],
/// found once for this and the word checks) instead of decoding every character twice, once to
/// find sentence ends and once to key them. A line's tokens after its list marker are exactly
/// those of `word_ranges` on the line's body: tokens hold no white space, so none crosses a
/// line's end, and the body starts after white space or inside a token glued to the marker
/// (`1.word`), which is then cut where the body starts. A unit of [`unit_texts`] ends exactly at
/// a word whose last character is a sentence end (one followed by white space or the line's
/// end), and its key is its words with edge punctuation trimmed ([`is_punct`] covers `*`, `_`
/// and `` ` ``), lower case, joined by single spaces. Lower case cannot make white space, so
/// equal keys have the same words and hash equal; distinct hashes mean distinct keys, and a hash
/// shared by different keys only sends the record down the full path. A unit whose words are
/// all punctuation keys on its own text, which starts with punctuation where a key never does,
/// so the two kinds never compare equal and are hashed apart.
fn all_units_distinct(text: &str, prose: &[(usize, &str)], tokens: &[Range<usize>]) -> bool {
    let mut seen: IdMap<u64, ()> = IdMap::default();
    let mut lowered = String::new();
    // The first token not yet read: lines and tokens both come in text order.
    let mut next = 0;
    for &(offset, line) in prose {
        let body_start = offset + line.len() - strip_item_marker(line).len();
        let line_end = offset + line.len();
        // The list marker's tokens, and those of lines that are not prose (fenced code).
        while tokens.get(next).is_some_and(|token| token.end <= body_start) {
            next += 1;
        }
        let mut unit = UnitHash::default();
        while let Some(token) = tokens.get(next).filter(|token| token.start < line_end) {
            next += 1;
            let range = token.start.max(body_start)..token.end;
            let token = &text[range.clone()];
            let word = token.trim_matches(is_punct);
            if !word.is_empty() {
                unit.key.push(word_hash(word, &mut lowered));
            }
            unit.raw = Some(unit.raw.map_or(range.clone(), |raw| raw.start..range.end));
            if ends_sentence(token) && !unit.close(text, &mut seen) {
                return false;
            }
        }
        if !unit.close(text, &mut seen) {
            return false;
        }
    }
    true
}

/// A unit being hashed: its words' hashes so far, and where its text runs.
#[derive(Default)]
struct UnitHash {
    key: WordHash,
    raw: Option<Range<usize>>,
}

impl UnitHash {
    /// Ends the unit (`raw` a range of `text`): false when a unit before it has the same hash. A
    /// unit with no word at all is only white space and is not a unit.
    fn close(&mut self, text: &str, seen: &mut IdMap<u64, ()>) -> bool {
        let unit = std::mem::take(self);
        let Some(raw) = unit.raw else { return true };
        let hash = if unit.key.words > 0 {
            unit.key.value()
        } else {
            // All punctuation: keyed on its own text, in a hash domain of its own.
            let mut own = IdHasher::default();
            own.write_u64(0x9e37_79b9_7f4a_7c15);
            own.write_u64(bytes_hash(text[raw].as_bytes()));
            own.finish()
        };
        seen.insert(hash, ()).is_none()
    }
}

/// Whether a word ends a sentence: its last character is `.`, `!`, `?`, `|` or `।` (and white
/// space or the line's end follows it, as it follows every word).
fn ends_sentence(token: &str) -> bool {
    matches!(token.as_bytes().last(), Some(b'.' | b'!' | b'?' | b'|')) || token.ends_with('।')
}

/// A hash of a sequence of word hashes, and how many there were.
#[derive(Default)]
struct WordHash {
    hasher: IdHasher,
    words: usize,
}

impl WordHash {
    fn push(&mut self, word: u64) {
        self.hasher.write_u64(word);
        self.words += 1;
    }

    fn value(&self) -> u64 {
        self.hasher.finish()
    }
}

/// The hash of `word` in lower case, as [`crate::text::lowercase`] spells it. Words of ASCII and
/// of U+0800..U+0FFF (the Indic blocks, Tamil's among them, which have no case: a test checks
/// every one of those characters) are hashed as they stand, their ASCII lowered eight bytes at a
/// time; others are lowered into `lowered` first.
fn word_hash(word: &str, lowered: &mut String) -> u64 {
    // A lead byte other than 0xE0 (U+0800..U+0FFF) starts a character that may have case. No early
    // exit, so the test runs on vectors.
    let cased = word.bytes().fold(false, |cased, b| cased | (b >= 0xC0 && b != 0xE0));
    if !cased {
        return bytes_hash(word.as_bytes());
    }
    lowered.clear();
    word.chars()
        .for_each(|c| crate::text::lowercase(c, |l| lowered.push(l)));
    bytes_hash(lowered.as_bytes())
}

/// A 64-bit hash of a byte string with its ASCII letters lowered, eight bytes at a time. Lowering
/// is idempotent, so a string already in lower case hashes as it did before.
fn bytes_hash(bytes: &[u8]) -> u64 {
    let mut hash = WordHash::default();
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        hash.push(ascii_lowercase8(u64::from_le_bytes(eight)));
    }
    hash.push(ascii_lowercase8(last_bytes(bytes, chunks.remainder().len())));
    hash.push(bytes.len() as u64);
    hash.value()
}

/// The last `rest` (below eight) bytes of `bytes` as a little-endian `u64`, zeros above: loaded
/// straight from `bytes`, not copied into a zeroed buffer first, since a load of eight bytes
/// from where fewer were just stored waits for the stores to complete (a sixth of the sentence
/// check, once per word).
fn last_bytes(bytes: &[u8], rest: usize) -> u64 {
    let len = bytes.len();
    let at = |i: usize| u64::from(bytes[i]);
    let eight = |from: usize| u64::from_le_bytes(bytes[from..from + 8].try_into().expect("eight bytes"));
    let four = |from: usize| {
        u64::from(u32::from_le_bytes(
            bytes[from..from + 4].try_into().expect("four bytes"),
        ))
    };
    match rest {
        0 => 0,
        // The eight bytes ending the string, shifted down past those already hashed.
        _ if len >= 8 => eight(len - 8) >> (8 * (8 - rest)),
        // Two loads of four that overlap in the middle.
        4.. => four(0) | four(len - 4) << (8 * (len - 4)),
        _ => at(0) | at(len / 2) << (8 * (len / 2)) | at(len - 1) << (8 * (len - 1)),
    }
}

/// `to_ascii_lowercase` of eight bytes at once: each byte's low seven bits plus a constant
/// overflows into its top bit exactly when they are at least `A` (and again at least `[`), which
/// never carries into the next byte; a byte with its own top bit set is not ASCII and is left.
fn ascii_lowercase8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = ONES * 0x80;
    let low7 = x & !TOPS;
    let from_a = low7 + ONES * (0x80 - u64::from(b'A'));
    let past_z = low7 + ONES * (0x80 - u64::from(b'Z') - 1);
    let upper = from_a & !past_z & !x & TOPS;
    x | upper >> 2
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
    tokens: &[Range<usize>],
    t: &RepetitionThresholds,
) -> Option<Degeneration> {
    // Every loop this reports needs two units with the same key (a block repeated at least
    // twice, or a long unit found twice).
    if t.sentence_min_repeats >= 2 && all_units_distinct(text, prose, tokens) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`all_units_distinct`] answers, from the keys the full path builds.
    fn keys_distinct(prose: &[(usize, &str)]) -> bool {
        let units = sentences(prose);
        let keys: std::collections::HashSet<&str> = units.iter().map(|unit| unit.key.as_str()).collect();
        keys.len() == units.len()
    }

    #[test]
    fn hashed_units_agree_with_built_keys() {
        let pieces = [
            "சொல்",
            "Word",
            "word",
            "WORD",
            " ",
            "  ",
            "\u{a0}",
            "\u{2003}",
            "\t",
            ".",
            "!",
            "?",
            "|",
            "।",
            "…",
            ",",
            "*",
            "_",
            "`",
            "\"",
            "(",
            "1.",
            "- ",
            "Σ",
            "σ",
            "ς",
            "İ",
            "i̇",
            "ß",
            "Ǆ",
            "ǆ",
            "க்க",
            "x",
            "X",
        ];
        let mut random = crate::test_data::Xorshift(0x1234_5678_9abc_def1);
        let (mut distinct, mut repeated) = (0, 0);
        for _ in 0..4000 {
            // Short lines, some written twice (once in upper case), so that keys often meet.
            let mut lines: Vec<String> = Vec::new();
            for _ in 0..1 + random.below(3) {
                let line: String = (0..random.below(8))
                    .map(|_| pieces[random.below(pieces.len())])
                    .collect();
                match random.below(4) {
                    0 => lines.push(line.to_uppercase()),
                    1 => lines.push(line.clone()),
                    _ => {}
                }
                lines.push(line);
            }
            let text = lines.join("\n");
            // Now and then a line left out of the prose, as fenced code is.
            let prose: Vec<(usize, &str)> = super::super::fences::lines_with_offsets(&text)
                .filter(|_| random.below(6) > 0)
                .collect();
            let tokens: Vec<Range<usize>> = crate::text::word_ranges(&text).collect();
            let expected = keys_distinct(&prose);
            assert_eq!(all_units_distinct(&text, &prose, &tokens), expected, "{lines:?}");
            if expected { distinct += 1 } else { repeated += 1 }
        }
        // Both answers must be common for the comparison to mean anything.
        assert!(
            distinct > 800 && repeated > 800,
            "{distinct} distinct, {repeated} repeated"
        );
    }

    #[test]
    fn the_last_bytes_are_those_a_zeroed_buffer_holds() {
        let bytes: Vec<u8> = (1..=40).collect();
        for start in 0..bytes.len() {
            for end in start..=bytes.len() {
                let string = &bytes[start..end];
                let rest = string.len() % 8;
                let mut padded = [0u8; 8];
                padded[..rest].copy_from_slice(&string[string.len() - rest..]);
                assert_eq!(last_bytes(string, rest), u64::from_le_bytes(padded), "{string:?}");
            }
        }
    }

    #[test]
    fn eight_bytes_lower_as_each_byte_does() {
        let mut random = crate::test_data::Xorshift(0x0bad_cafe_f00d_d00d);
        for _ in 0..20_000 {
            let x = random.next_u64();
            let bytewise = u64::from_le_bytes(x.to_le_bytes().map(|b| b.to_ascii_lowercase()));
            assert_eq!(ascii_lowercase8(x), bytewise, "{x:#018x}");
        }
        let all: Vec<u8> = (0..=255).collect();
        for chunk in all.chunks(8) {
            let x = u64::from_le_bytes(chunk.try_into().unwrap());
            let bytewise = u64::from_le_bytes(x.to_le_bytes().map(|b| b.to_ascii_lowercase()));
            assert_eq!(ascii_lowercase8(x), bytewise, "{x:#018x}");
        }
    }

    #[test]
    fn the_blocks_lowered_byte_by_byte_have_no_case() {
        for c in ('\u{0800}'..='\u{0FFF}').filter(|c| !c.is_ascii()) {
            let mut lowered = String::new();
            crate::text::lowercase(c, |l| lowered.push(l));
            assert_eq!(lowered, c.to_string(), "U+{:04X}", u32::from(c));
        }
    }
}
