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

    /// The length in bytes and the kind of the character at byte `at` of `text` (a char
    /// boundary before its end). Characters below [`TABLE_END`] (ASCII, Latin, Greek, Cyrillic,
    /// the Indic blocks: one to three bytes, the three-byte ones led by `E0`) are classified from
    /// their bytes; others are decoded.
    #[inline(always)]
    fn char_at(&self, text: &str, at: usize) -> (usize, Kind) {
        let bytes = text.as_bytes();
        let lead = bytes[at];
        let low = |i: usize| usize::from(bytes[at + i] & 0x3F);
        match lead {
            0x00..=0x7F => (1, self.table[usize::from(lead)]),
            0xC2..=0xDF => (2, self.table[usize::from(lead & 0x1F) << 6 | low(1)]),
            0xE0 => (3, self.table[low(1) << 6 | low(2)]),
            _ => self.decoded_kind(text, at),
        }
    }

    /// [`Self::char_at`] for a character from U+1000 on, decoded.
    #[cold]
    #[inline(never)]
    fn decoded_kind(&self, text: &str, at: usize) -> (usize, Kind) {
        let c = text[at..].chars().next().expect("a character starts here");
        (c.len_utf8(), self.kind(c))
    }

    /// Where the run of characters of a `wanted` kind starting at byte `from` ends.
    #[inline]
    fn run_end(&self, text: &str, from: usize, wanted: impl Fn(Kind) -> bool) -> usize {
        let mut at = from;
        while at < text.len() {
            let (len, kind) = self.char_at(text, at);
            if !wanted(kind) {
                break;
            }
            at += len;
        }
        at
    }

    /// Where the piece starting at byte `at` of `text` ends (`at` < `text.len()`, on a char
    /// boundary): the pattern's leftmost-first match anchored at `at`, look-ahead included.
    ///
    /// Read on bytes ([`Self::char_at`]): Tamil cuts into pieces of one or two letters, so this
    /// runs about once per three bytes of a Tamil text, and decoding every character through an
    /// iterator was a sixth of the token rules' time.
    fn piece_end(&self, text: &str, at: usize) -> usize {
        if at >= text.len() {
            return at;
        }
        let (first_len, first_kind) = self.char_at(text, at);
        let after_first = at + first_len;
        let second = (after_first < text.len()).then(|| {
            let (len, kind) = self.char_at(text, after_first);
            (after_first, len, kind)
        });
        let lead = text.as_bytes()[at];
        // `'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d` in any case (`ſ` folds to `s`).
        if lead == b'\''
            && let Some(len) = contraction(&text[at..])
        {
            return at + len;
        }
        let is_space = |k: Kind| matches!(k, Kind::Space | Kind::LineBreak);
        // `[^\r\n\p{L}\p{N}]?\p{L}+`
        match first_kind {
            Kind::Letter => return self.run_end(text, after_first, |k| k == Kind::Letter),
            Kind::Space | Kind::Other => {
                if let Some((i, len, Kind::Letter)) = second {
                    return self.run_end(text, i + len, |k| k == Kind::Letter);
                }
            }
            Kind::Number | Kind::LineBreak => {}
        }
        // `\p{N}` (Llama 3: `\p{N}{1,3}`)
        if first_kind == Kind::Number {
            let mut end = after_first;
            for _ in 1..self.digits {
                if end >= text.len() {
                    break;
                }
                let (len, kind) = self.char_at(text, end);
                if kind != Kind::Number {
                    break;
                }
                end += len;
            }
            return end;
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        let other_from = match (first_kind, second) {
            (Kind::Other, _) => Some(at),
            (_, Some((i, _, Kind::Other))) if lead == b' ' => Some(i),
            _ => None,
        };
        if let Some(from) = other_from {
            let end = self.run_end(text, from, |k| k == Kind::Other);
            return self.run_end(text, end, |k| k == Kind::LineBreak);
        }
        // White space from here: `\s*[\r\n]+` ends after its last line break, if it has one;
        // else `\s+(?!\S)` leaves the last character of a run of two or more that some
        // non-space follows; else `\s+` takes the run.
        let run = self.run_end(text, at, is_space);
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
