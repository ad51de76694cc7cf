//! The pre-tokenizer pattern of Qwen 2, 2.5 and 3 (and, with numbers of up to three digits,
//! Llama 3), matched by hand:
//!
//! ```text
//! (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//! ```
//!
//! Why: Tamil splits into very short pieces under this pattern (its vowel signs are marks, not
//! letters, so `தமிழ்` is `தம` `ிழ` `்`), and a regex search per piece cost more than the BPE
//! merges of the pieces: a third of counting a Tamil corpus. The pattern matches at every
//! position, so a piece is the match anchored where the previous one ended; this module decides
//! that match from the classes of the next few characters.
//!
//! The classes are the `regex` crate's own (`\p{L}`, `\p{N}` and `\s`, read from regex-syntax's
//! tables when the pattern is recognised), so the pieces are the regex's exactly; a test
//! compares them with the regex (and its look-ahead) on random text of every class.

use regex_syntax::hir::{Class, HirKind};

/// The Qwen 2 pattern; Llama 3's differs only in `\p{N}{1,3}`.
const QWEN_PATTERN: &str =
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// What the pattern asks of a character.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Letter,
    Number,
    /// `\r` or `\n`: white space that also ends the `[\r\n]` runs.
    LineBreak,
    Space,
    /// Neither letter, number nor white space: punctuation, symbols, marks (Tamil's vowel signs
    /// and virama among them).
    Other,
}

/// The hand matcher for one of the two patterns.
pub(super) struct KnownSplit {
    /// Numbers per `\p{N}` piece: 1 (Qwen) or 3 (Llama 3).
    digits: usize,
    /// The kind of every code point below [`TABLE_END`] (Latin, Greek, Cyrillic, the Indic
    /// blocks), one byte each.
    table: Vec<Kind>,
    letters: Vec<(char, char)>,
    numbers: Vec<(char, char)>,
    spaces: Vec<(char, char)>,
}

const TABLE_END: u32 = 0x1000;

impl KnownSplit {
    /// The matcher for `pattern`, when it is one of the two.
    pub(super) fn recognise(pattern: &str) -> Option<Self> {
        let digits = match pattern {
            QWEN_PATTERN => 1,
            LLAMA3_PATTERN => 3,
            _ => return None,
        };
        let letters = ranges(r"\p{L}")?;
        let numbers = ranges(r"\p{N}")?;
        let spaces = ranges(r"\s")?;
        let mut split = KnownSplit {
            digits,
            table: Vec::new(),
            letters,
            numbers,
            spaces,
        };
        split.table = (0..TABLE_END)
            .map(|at| char::from_u32(at).map_or(Kind::Other, |c| split.kind_by_ranges(c)))
            .collect();
        Some(split)
    }

    fn kind(&self, c: char) -> Kind {
        match self.table.get(c as usize) {
            Some(&kind) => kind,
            None => self.kind_by_ranges(c),
        }
    }

    fn kind_by_ranges(&self, c: char) -> Kind {
        let within = |ranges: &[(char, char)]| {
            let after = ranges.partition_point(|&(start, _)| start <= c);
            after > 0 && c <= ranges[after - 1].1
        };
        if c == '\r' || c == '\n' {
            Kind::LineBreak
        } else if within(&self.letters) {
            Kind::Letter
        } else if within(&self.numbers) {
            Kind::Number
        } else if within(&self.spaces) {
            Kind::Space
        } else {
            Kind::Other
        }
    }

    /// Calls `piece` with each piece of `text` and its byte offset, in order.
    pub(super) fn for_each_piece<'t>(&self, text: &'t str, mut piece: impl FnMut(usize, &'t str)) {
        let mut at = 0;
        while at < text.len() {
            let end = self.piece_end(text, at);
            piece(at, &text[at..end]);
            at = end;
        }
    }

    /// Where the piece starting at byte `at` of `text` ends (`at` < `text.len()`, on a char
    /// boundary): the pattern's leftmost-first match anchored at `at`, look-ahead included.
    fn piece_end(&self, text: &str, at: usize) -> usize {
        let rest = &text[at..];
        let mut chars = rest.char_indices().map(|(i, c)| (at + i, c, self.kind(c)));
        let Some((_, first, first_kind)) = chars.next() else {
            return at;
        };
        let second = chars.clone().next();
        let end_of = |(i, c, _): (usize, char, Kind)| i + c.len_utf8();
        // `'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d` in any case (`ſ` folds to `s`).
        if first == '\''
            && let Some(len) = contraction(rest)
        {
            return at + len;
        }
        // Runs of a kind from a position, and where they end.
        let run_end = |from: usize, wanted: &dyn Fn(Kind) -> bool| {
            text[from..]
                .char_indices()
                .find(|&(_, c)| !wanted(self.kind(c)))
                .map_or(text.len(), |(i, _)| from + i)
        };
        let is_space = |k: Kind| matches!(k, Kind::Space | Kind::LineBreak);
        // `[^\r\n\p{L}\p{N}]?\p{L}+`
        match first_kind {
            Kind::Letter => return run_end(at + first.len_utf8(), &|k| k == Kind::Letter),
            Kind::Space | Kind::Other => {
                if let Some(next @ (_, _, Kind::Letter)) = second {
                    return run_end(end_of(next), &|k| k == Kind::Letter);
                }
            }
            Kind::Number | Kind::LineBreak => {}
        }
        // `\p{N}` (Llama 3: `\p{N}{1,3}`)
        if first_kind == Kind::Number {
            let mut end = at + first.len_utf8();
            for next in chars.take(self.digits - 1) {
                if next.2 != Kind::Number {
                    break;
                }
                end = end_of(next);
            }
            return end;
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        let other_from = match (first, first_kind, second) {
            (_, Kind::Other, _) => Some(at),
            (' ', _, Some((i, _, Kind::Other))) => Some(i),
            _ => None,
        };
        if let Some(from) = other_from {
            let end = run_end(from, &|k| k == Kind::Other);
            return run_end(end, &|k| k == Kind::LineBreak);
        }
        // White space from here: `\s*[\r\n]+` ends after its last line break, if it has one;
        // else `\s+(?!\S)` leaves the last character of a run of two or more that some
        // non-space follows; else `\s+` takes the run.
        let run = run_end(at, &is_space);
        let last_break = text[at..run]
            .char_indices()
            .rfind(|&(_, c)| c == '\r' || c == '\n')
            .map(|(i, c)| at + i + c.len_utf8());
        if let Some(end) = last_break {
            return end;
        }
        if run < text.len() {
            let last = text[at..run].char_indices().next_back().map_or(0, |(i, _)| i);
            if last > 0 {
                return at + last;
            }
        }
        run
    }
}

/// The length of the contraction (`'s` …) at the start of `rest`, which starts with `'`.
fn contraction(rest: &str) -> Option<usize> {
    let mut chars = rest[1..].chars();
    let one = chars.next()?;
    let folded = |c: char| if c == 'ſ' { 's' } else { c.to_ascii_lowercase() };
    match folded(one) {
        's' | 't' | 'm' | 'd' => Some(1 + one.len_utf8()),
        lead @ ('r' | 'v' | 'l') => {
            let two = chars.next()?;
            let wanted = if lead == 'l' { 'l' } else { 'e' };
            (folded(two) == wanted).then(|| 1 + one.len_utf8() + two.len_utf8())
        }
        _ => None,
    }
}

/// The code point ranges of a class as the `regex` crate reads it.
fn ranges(class: &str) -> Option<Vec<(char, char)>> {
    let hir = regex_syntax::parse(class).ok()?;
    match hir.kind() {
        HirKind::Class(Class::Unicode(unicode)) => {
            Some(unicode.ranges().iter().map(|r| (r.start(), r.end())).collect())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::Xorshift;

    use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
    use tokenizers::{OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer, SplitDelimiterBehavior};

    /// Where the tokenizers crate's own `Split` pre-tokenizer (on fancy-regex, look-ahead and
    /// all) ends each piece of `text`.
    fn tokenizers_pieces(split: &Split, text: &str) -> Vec<usize> {
        let mut pieces = PreTokenizedString::from(text);
        split.pre_tokenize(&mut pieces).expect("pre-tokenizes");
        pieces
            .get_splits(OffsetReferential::Original, OffsetType::Byte)
            .into_iter()
            .map(|(_, (_, end), _)| end)
            .collect()
    }

    fn hand_pieces(split: &KnownSplit, text: &str) -> Vec<usize> {
        let mut ends = Vec::new();
        split.for_each_piece(text, |at, piece| ends.push(at + piece.len()));
        ends
    }

    /// Characters of every kind the pattern tells apart, and the ones it folds or may confuse.
    const ALPHABET: &[char] = &[
        'a', 'Z', 's', 'S', 'ſ', 't', 'T', 'r', 'e', 'E', 'v', 'm', 'l', 'L', 'd', 'D', 'K', '\u{212A}', '\'', '’',
        ' ', ' ', ' ', '\t', '\n', '\r', '\u{0B}', '\u{0C}', '\u{85}', '\u{A0}', '\u{2028}', '\u{3000}', '\u{200B}',
        '0', '7', '௧', '½', '²', 'Ⅻ', '.', ',', '!', '-', '(', '#', '<', '|', '>', 'த', 'ம', 'ி', 'ழ', '்', 'ொ', 'ஃ',
        '௹', 'é', '\u{301}', 'ß', 'ǅ', 'ʰ', '中', '😀', 'Ω', 'я', '\u{FEFF}', '\u{200D}',
    ];

    #[test]
    fn hand_pieces_equal_the_regex_pieces() {
        let mut random = Xorshift(0x5151_7a7a_0101_c3c3);
        for (pattern, name) in [(QWEN_PATTERN, "qwen"), (LLAMA3_PATTERN, "llama 3")] {
            let split = KnownSplit::recognise(pattern).expect("recognised");
            let reference = Split::new(
                SplitPattern::Regex(pattern.to_owned()),
                SplitDelimiterBehavior::Isolated,
                false,
            )
            .expect("the pattern compiles");
            let mut pieces = 0;
            for _ in 0..20_000 {
                let len = 1 + random.below(14);
                let text: String = (0..len).map(|_| ALPHABET[random.below(ALPHABET.len())]).collect();
                let expected = tokenizers_pieces(&reference, &text);
                assert_eq!(hand_pieces(&split, &text), expected, "{name}: {text:?}");
                pieces += expected.len();
            }
            assert!(pieces > 80_000, "{pieces}");
            for fields in super::super::samples::kural_fields().iter().step_by(5) {
                let text = fields.join("\r\n\n  ");
                assert_eq!(
                    hand_pieces(&split, &text),
                    tokenizers_pieces(&reference, &text),
                    "{name}: {text:?}"
                );
            }
        }
    }

    #[test]
    fn every_class_agrees_with_the_regex_crate() {
        let split = KnownSplit::recognise(QWEN_PATTERN).expect("recognised");
        let letter = regex::Regex::new(r"^\p{L}$").expect("pattern");
        let number = regex::Regex::new(r"^\p{N}$").expect("pattern");
        let space = regex::Regex::new(r"^\s$").expect("pattern");
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = c.encode_utf8(&mut buf);
            let expected = if c == '\r' || c == '\n' {
                Kind::LineBreak
            } else if letter.is_match(s) {
                Kind::Letter
            } else if number.is_match(s) {
                Kind::Number
            } else if space.is_match(s) {
                Kind::Space
            } else {
                Kind::Other
            };
            assert_eq!(split.kind(c), expected, "{c:?}");
        }
    }

    #[test]
    fn other_patterns_are_not_recognised() {
        assert!(KnownSplit::recognise(r"\s+").is_none());
        assert!(KnownSplit::recognise(&QWEN_PATTERN.replace("\\p{N}|", "\\p{N}{1,2}|")).is_none());
    }
}
