//! Tamil text as a phoneme sequence, the key for comparing two renderings of the same verse.
//!
//! Editions of classical Tamil split and join words differently, and a split can move a consonant
//! across the space (sandhi): `பொருளல்லது அவ்வூன்` / `பொருளல்ல தவ்வூன்`, `எண்ணியாங்கு எய்துப` /
//! `எண்ணியாங் கெய்துப`. Compared letter by letter these differ; as phonemes they do not:
//!
//! - every letter is split into consonant + vowel (`க` = k + a, `கு` = k + u, `க்` = k);
//! - word boundaries and punctuation produce no phoneme;
//! - the short u of a consonant (kutriyalukaram, `து`, `கு`) is elided when the next letter is an
//!   independent vowel, within a word or across white space (not across other punctuation, so that
//!   a verse followed by `. அது` keeps its last u);
//! - the nasals `ங ஞ ண ந ம ன` are one phoneme, because editions assimilate them differently;
//! - decomposed vowel signs (`ெ` + `ா`) read as the composed one (`ொ`), so input need not be NFC;
//! - a code point of the Tamil block that Unicode leaves unassigned (U+0BA7 in converted copies of
//!   the Thirukkural) is the phoneme [`UNKNOWN`], so conversion damage stays visible.

use std::mem::MaybeUninit;
use std::ops::Range;

/// One phoneme, `0..ALPHABET`; five bits, so that six of them pack into a `u32`.
pub type Phoneme = u8;

/// Number of distinct phonemes.
pub const ALPHABET: usize = 32;
/// Bits per phoneme when packing n-grams.
pub const BITS: u32 = 5;

/// The short vowel `உ`, the one that kutriyalukaram elides.
pub const SHORT_U: Phoneme = 4;
/// The aytham `ஃ`.
pub const AYTHAM: Phoneme = 12;
/// Any of `ங ஞ ண ந ம ன`.
pub const NASAL: Phoneme = 25;
/// The glides `ய` and `வ`.
pub const Y: Phoneme = 18;
pub const V: Phoneme = 21;
/// An unassigned code point of the Tamil block, or a sign that cannot be read.
pub const UNKNOWN: Phoneme = 31;

const LAST_VOWEL: Phoneme = 11;
const VOWEL_O: Phoneme = 9;
const VOWEL_OO: Phoneme = 10;
const VOWEL_AU: Phoneme = 11;
const VOWEL_A: Phoneme = 0;

const SIGN_E: char = '\u{0BC6}';
const SIGN_EE: char = '\u{0BC7}';
const SIGN_AA: char = '\u{0BBE}';
const AU_LENGTH_MARK: char = '\u{0BD7}';

/// True for the twelve vowels.
pub fn is_vowel(p: Phoneme) -> bool {
    p <= LAST_VOWEL
}

/// True for the consonants (the nasal class included).
pub fn is_consonant(p: Phoneme) -> bool {
    (13..=30).contains(&p)
}

/// What a code point of the Tamil block (U+0B80..=U+0BFF) is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Consonant(Phoneme),
    Vowel(Phoneme),
    Sign(Phoneme),
    Virama,
    Aytham,
    /// Digits, number signs, symbols, Om: text, but no part of a word.
    Symbol,
    /// Unassigned, the anusvara, a lone length mark: part of a word, unreadable.
    Unknown,
}

const fn classify(offset: u32) -> Class {
    match offset {
        0x03 => Class::Aytham,
        0x05..=0x0A => Class::Vowel((offset - 0x05) as Phoneme),
        0x0E..=0x10 => Class::Vowel((offset - 0x0E + 6) as Phoneme),
        0x12..=0x14 => Class::Vowel((offset - 0x12 + 9) as Phoneme),
        0x15 => Class::Consonant(13),
        0x1A => Class::Consonant(14),
        0x1F => Class::Consonant(15),
        0x24 => Class::Consonant(16),
        0x2A => Class::Consonant(17),
        0x2F => Class::Consonant(18),
        0x30 => Class::Consonant(19),
        0x32 => Class::Consonant(20),
        0x35 => Class::Consonant(21),
        0x34 => Class::Consonant(22),
        0x33 => Class::Consonant(23),
        0x31 => Class::Consonant(24),
        // ங ஞ ண ந ம ன
        0x19 | 0x1E | 0x23 | 0x28 | 0x2E | 0x29 => Class::Consonant(NASAL),
        0x1C => Class::Consonant(26),
        0x36 => Class::Consonant(27),
        0x37 => Class::Consonant(28),
        0x38 => Class::Consonant(29),
        0x39 => Class::Consonant(30),
        0x3E..=0x42 => Class::Sign((offset - 0x3E + 1) as Phoneme),
        0x46..=0x48 => Class::Sign((offset - 0x46 + 6) as Phoneme),
        0x4A..=0x4C => Class::Sign((offset - 0x4A + 9) as Phoneme),
        0x4D => Class::Virama,
        0x50 | 0x66..=0x7A => Class::Symbol,
        _ => Class::Unknown,
    }
}

const TAMIL_BLOCK: u32 = 0x0B80;

static CLASSES: [Class; 128] = {
    let mut table = [Class::Unknown; 128];
    let mut i = 0;
    while i < 128 {
        table[i] = classify(i as u32);
        i += 1;
    }
    table
};

fn class(c: char) -> Option<Class> {
    let offset = (c as u32).wrapping_sub(TAMIL_BLOCK);
    CLASSES.get(offset as usize).copied()
}

/// Joiners and soft hyphens sit inside words without changing them.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}' | '\u{00AD}' | '\u{FEFF}')
}

/// True for a character that belongs to a Tamil word: the letters and signs of the Tamil block,
/// its unassigned code points (damage is still part of the word), and invisible joiners.
pub fn is_word_char(c: char) -> bool {
    match class(c) {
        Some(cls) => cls != Class::Symbol,
        None => is_invisible(c),
    }
}

/// Cheap test for any character of the Tamil block (UTF-8 lead bytes E0 AE / E0 AF).
pub fn contains_tamil(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(0xE0, bytes).any(|i| matches!(bytes.get(i + 1), Some(0xAE) | Some(0xAF)))
}

/// Byte ranges of the Tamil words of `text` (maximal runs of [`is_word_char`]).
pub fn words(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

/// Phonemes together with the byte range of the letter each one was read from.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Phonemes {
    pub codes: Vec<Phoneme>,
    /// `(start, end)` byte offsets of the letter; the consonant and vowel of `கு` share one.
    pub letters: Vec<(u32, u32)>,
}

/// What lies between the previous letter and the current one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gap {
    None,
    Space,
    Other,
}

/// Where phonemes go: codes only, or codes with their letters.
trait Sink {
    fn push(&mut self, p: Phoneme, start: usize, end: usize);
    fn pop(&mut self);

    /// A consonant and its vowel ([`NO_VOWEL`] after the virama), read from one letter.
    #[inline]
    fn push_letter(&mut self, consonant: Phoneme, vowel: Phoneme, start: usize, end: usize) {
        self.push(consonant, start, end);
        if vowel != NO_VOWEL {
            self.push(vowel, start, end);
        }
    }
}

/// A consonant's vowel when the virama follows it.
const NO_VOWEL: Phoneme = Phoneme::MAX;

/// What follows a consonant, for [`AFTER_CONSONANT`].
#[derive(Clone, Copy)]
struct Follows {
    /// The consonant's vowel: a sign's, [`NO_VOWEL`] for the virama, the inherent a otherwise.
    vowel: Phoneme,
    /// Bytes the letter takes after the consonant: 3 for a sign or the virama.
    taken: u8,
    /// ெ and ே, which a following ா or ௗ may complete ([`compose_sign_at`]).
    may_compose: bool,
}

/// Index of [`AFTER_CONSONANT`] for a next character outside the Tamil block, or none.
const NOT_TAMIL: usize = 128;

/// [`Follows`] for every Tamil-block offset, and for [`NOT_TAMIL`].
static AFTER_CONSONANT: [Follows; 129] = {
    let mut table = [Follows {
        vowel: VOWEL_A,
        taken: 0,
        may_compose: false,
    }; 129];
    let mut i = 0;
    while i < 128 {
        match CLASSES[i] {
            Class::Virama => {
                table[i] = Follows {
                    vowel: NO_VOWEL,
                    taken: 3,
                    may_compose: false,
                }
            }
            Class::Sign(v) => {
                table[i] = Follows {
                    vowel: v,
                    taken: 3,
                    may_compose: i == SIGN_E as usize - TAMIL_BLOCK as usize
                        || i == SIGN_EE as usize - TAMIL_BLOCK as usize,
                }
            }
            _ => {}
        }
        i += 1;
    }
    table
};

/// The reference reader's sink in the tests ([`read_chars`]).
#[cfg(test)]
impl Sink for Phonemes {
    fn push(&mut self, p: Phoneme, start: usize, end: usize) {
        self.codes.push(p);
        self.letters.push(letter(start, end));
    }

    fn pop(&mut self) {
        self.codes.pop();
        self.letters.pop();
    }
}

/// The phonemes of `text`, see the module documentation.
pub fn phonemes(text: &str) -> Vec<Phoneme> {
    let mut codes = vec![0; most_phonemes(text)];
    let mut out = FilledCodes {
        codes: &mut codes,
        len: 0,
    };
    read(text, &mut out);
    let len = out.len;
    codes.truncate(len);
    codes
}

/// The phonemes of `text` with the letter each comes from.
pub fn phonemes_with_letters(text: &str) -> Phonemes {
    let bound = most_phonemes(text);
    // Written into the vectors' spare room rather than into zeroed vectors: filling eight bytes
    // of letters and one of code per two bytes of text with zeros, only to overwrite them, was
    // a tenth of reading the phonemes.
    let mut codes: Vec<Phoneme> = Vec::with_capacity(bound);
    let mut letters: Vec<(u32, u32)> = Vec::with_capacity(bound);
    let mut out = Filled {
        codes: &mut codes.spare_capacity_mut()[..bound],
        letters: &mut letters.spare_capacity_mut()[..bound],
        len: 0,
    };
    read(text, &mut out);
    let len = out.len;
    // SAFETY: `Filled` writes the slot at its count before moving the count past it (and moves it
    // back only to overwrite), so the first `len` slots of both vectors are initialized.
    unsafe {
        codes.set_len(len);
        letters.set_len(len);
    }
    Phonemes { codes, letters }
}

/// A letter's byte range as [`Phonemes::letters`] keeps it. Texts over 4 GiB are not linted as
/// one record; the offsets saturate rather than wrap.
fn letter(start: usize, end: usize) -> (u32, u32) {
    let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
    (offset(start), offset(end))
}

/// No text has more phonemes than this: each comes from a three-byte Tamil letter, which gives
/// at most two (a consonant and its vowel).
fn most_phonemes(text: &str) -> usize {
    text.len() / 3 * 2
}

/// [`Filled`] without the letters.
struct FilledCodes<'a> {
    codes: &'a mut [Phoneme],
    len: usize,
}

impl Sink for FilledCodes<'_> {
    #[inline]
    fn push(&mut self, p: Phoneme, _: usize, _: usize) {
        self.codes[self.len] = p;
        self.len += 1;
    }

    #[inline]
    fn pop(&mut self) {
        self.len -= 1;
    }

    /// As [`Filled::push_letter`].
    #[inline]
    fn push_letter(&mut self, consonant: Phoneme, vowel: Phoneme, _: usize, _: usize) {
        self.codes[self.len] = consonant;
        self.codes[self.len + 1] = vowel;
        self.len += 1 + usize::from(vowel != NO_VOWEL);
    }
}

/// Phonemes with their letters written into slices sized by [`most_phonemes`] (the spare room of
/// two vectors): unlike pushing to the vectors, the count stays in a register and no capacity is
/// checked. Every slot below the count has been written.
struct Filled<'a> {
    codes: &'a mut [MaybeUninit<Phoneme>],
    letters: &'a mut [MaybeUninit<(u32, u32)>],
    len: usize,
}

impl Sink for Filled<'_> {
    #[inline]
    fn push(&mut self, p: Phoneme, start: usize, end: usize) {
        self.codes[self.len] = MaybeUninit::new(p);
        self.letters[self.len] = MaybeUninit::new(letter(start, end));
        self.len += 1;
    }

    #[inline]
    fn pop(&mut self) {
        self.len -= 1;
    }

    /// Both written whatever the vowel, the count moved past one or two: no branch on what
    /// followed the consonant. (The second write stays in bounds: a letter read so far gives at
    /// most two phonemes, so the slot after the consonant is within [`most_phonemes`].)
    #[inline]
    fn push_letter(&mut self, consonant: Phoneme, vowel: Phoneme, start: usize, end: usize) {
        let letter = MaybeUninit::new(letter(start, end));
        self.codes[self.len] = MaybeUninit::new(consonant);
        self.letters[self.len] = letter;
        self.codes[self.len + 1] = MaybeUninit::new(vowel);
        self.letters[self.len + 1] = letter;
        self.len += 1 + usize::from(vowel != NO_VOWEL);
    }
}

/// The Tamil-block offset (0..128) of the code point whose UTF-8 starts at `bytes[at]`, when it
/// is one: Tamil letters are the three bytes `E0 AE xx` or `E0 AF xx`, so the offset is the low
/// bit of the second byte and the low six bits of the third.
#[inline]
pub(crate) fn tamil_offset(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at..at + 3) {
        Some(&[0xE0, second @ (0xAE | 0xAF), third]) => {
            Some((usize::from(second & 1) << 6) | usize::from(third & 0x3F))
        }
        _ => None,
    }
}

/// The class of the Tamil letter at `bytes[at]`, if there is one.
#[inline]
fn class_at(bytes: &[u8], at: usize) -> Option<Class> {
    tamil_offset(bytes, at).map(|offset| CLASSES[offset])
}

/// Reads the phonemes byte by byte. Tamil text is mostly three-byte letters and ASCII spaces and
/// punctuation, so those are classified straight from their bytes; only other non-ASCII
/// characters (joiners, other scripts, Unicode spaces) are decoded. The result is the same as
/// reading `char`s ([`read_chars`] in the tests, which compare both): a Tamil-block code point is
/// exactly `E0 AE/AF xx`, and an ASCII byte is its own character.
fn read(text: &str, out: &mut impl Sink) {
    let bytes = text.as_bytes();
    // Whether the last phoneme is a vowel-sign u on a consonant, i.e. elidable.
    let mut last_is_sign_u = false;
    let mut gap = Gap::None;
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let byte = bytes[at];
        let Some(cls) = class_at(bytes, at) else {
            if byte < 0x80 {
                // ASCII: `char::is_whitespace` is true for exactly these.
                if matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') {
                    if gap == Gap::None {
                        gap = Gap::Space;
                    }
                } else {
                    gap = Gap::Other;
                }
                at += 1;
                continue;
            }
            let c = text[at..].chars().next().expect("a character starts here");
            if is_invisible(c) {
                // Joiners add no sound and do not split the word.
            } else if c.is_whitespace() {
                if gap == Gap::None {
                    gap = Gap::Space;
                }
            } else {
                gap = Gap::Other;
            }
            at += c.len_utf8();
            continue;
        };
        // Every Tamil-block code point is three bytes.
        at += 3;
        match cls {
            Class::Consonant(k) => {
                // What follows decides the vowel by one look-up: a sign (whose bytes the letter
                // takes), the virama (no vowel), or anything else (the inherent a).
                let follows = AFTER_CONSONANT[tamil_offset(bytes, at).unwrap_or(NOT_TAMIL)];
                let sign = at;
                at += usize::from(follows.taken);
                let mut vowel = follows.vowel;
                if follows.may_compose {
                    vowel = compose_sign_at(vowel, bytes, sign, &mut at);
                }
                out.push_letter(k, vowel, start, at);
                last_is_sign_u = vowel == SHORT_U;
                gap = Gap::None;
            }
            Class::Vowel(v) => {
                if last_is_sign_u && gap != Gap::Other {
                    out.pop();
                }
                out.push(v, start, at);
                last_is_sign_u = false;
                gap = Gap::None;
            }
            Class::Sign(v) => {
                // A sign without its consonant (damage): keep the vowel so the damage shows.
                let v = compose_sign_at(v, bytes, start, &mut at);
                out.push(v, start, at);
                last_is_sign_u = false;
                gap = Gap::None;
            }
            Class::Aytham | Class::Unknown => {
                out.push(if cls == Class::Aytham { AYTHAM } else { UNKNOWN }, start, at);
                last_is_sign_u = false;
                gap = Gap::None;
            }
            // A stray virama adds no sound and does not split the word.
            Class::Virama => {}
            Class::Symbol => gap = Gap::Other,
        }
    }
}

/// [`compose_sign`] on bytes: the sign at `bytes[sign]`, the next letter at `*at`.
#[inline]
fn compose_sign_at(v: Phoneme, bytes: &[u8], sign: usize, at: &mut usize) -> Phoneme {
    const fn offset(c: char) -> usize {
        c as usize - TAMIL_BLOCK as usize
    }
    const E: usize = offset(SIGN_E);
    const EE: usize = offset(SIGN_EE);
    const AA: usize = offset(SIGN_AA);
    const AU: usize = offset(AU_LENGTH_MARK);
    let composed = match (tamil_offset(bytes, sign), tamil_offset(bytes, *at)) {
        (Some(E), Some(AA)) => Some(VOWEL_O),
        (Some(EE), Some(AA)) => Some(VOWEL_OO),
        (Some(E), Some(AU)) => Some(VOWEL_AU),
        _ => None,
    };
    match composed {
        Some(p) => {
            *at += 3;
            p
        }
        None => v,
    }
}

/// The reference reader, `char` by `char`: what [`read`] must equal.
#[cfg(test)]
fn read_chars(text: &str, out: &mut impl Sink) {
    // Whether the last phoneme is a vowel-sign u on a consonant, i.e. elidable.
    let mut last_is_sign_u = false;
    let mut gap = Gap::None;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let Some(cls) = class(c) else {
            if is_invisible(c) {
                // Joiners add no sound and do not split the word.
            } else if c.is_whitespace() {
                if gap == Gap::None {
                    gap = Gap::Space;
                }
            } else {
                gap = Gap::Other;
            }
            continue;
        };
        let end = start + c.len_utf8();
        match cls {
            Class::Consonant(k) => {
                let mut end = end;
                let mut vowel = Some(VOWEL_A);
                if let Some(&(_, next)) = chars.peek() {
                    match class(next) {
                        Some(Class::Virama) => {
                            chars.next();
                            end += next.len_utf8();
                            vowel = None;
                        }
                        Some(Class::Sign(v)) => {
                            chars.next();
                            end += next.len_utf8();
                            vowel = Some(compose_sign(v, next, &mut chars, &mut end));
                        }
                        _ => {}
                    }
                }
                out.push(k, start, end);
                if let Some(v) = vowel {
                    out.push(v, start, end);
                }
                last_is_sign_u = vowel == Some(SHORT_U);
                gap = Gap::None;
            }
            Class::Vowel(v) => {
                if last_is_sign_u && gap != Gap::Other {
                    out.pop();
                }
                out.push(v, start, end);
                last_is_sign_u = false;
                gap = Gap::None;
            }
            Class::Sign(v) => {
                // A sign without its consonant (damage): keep the vowel so the damage shows.
                let mut end = end;
                let v = compose_sign(v, c, &mut chars, &mut end);
                out.push(v, start, end);
                last_is_sign_u = false;
                gap = Gap::None;
            }
            Class::Aytham | Class::Unknown => {
                out.push(if cls == Class::Aytham { AYTHAM } else { UNKNOWN }, start, end);
                last_is_sign_u = false;
                gap = Gap::None;
            }
            // A stray virama adds no sound and does not split the word.
            Class::Virama => {}
            Class::Symbol => gap = Gap::Other,
        }
    }
}

/// Reads `ெ` + `ா` as `ொ`, `ே` + `ா` as `ோ` and `ெ` + `ௗ` as `ௌ` (the canonical decompositions).
#[cfg(test)]
fn compose_sign(
    v: Phoneme,
    sign: char,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    end: &mut usize,
) -> Phoneme {
    let composed = match (sign, chars.peek().map(|&(_, c)| c)) {
        (SIGN_E, Some(SIGN_AA)) => Some(VOWEL_O),
        (SIGN_EE, Some(SIGN_AA)) => Some(VOWEL_OO),
        (SIGN_E, Some(AU_LENGTH_MARK)) => Some(VOWEL_AU),
        _ => None,
    };
    match composed {
        Some(p) => {
            if let Some((_, c)) = chars.next() {
                *end += c.len_utf8();
            }
            p
        }
        None => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the byte reader gives (with letters; the codes alone must be the same) and what
    /// the `char` reader gives.
    fn both_readers(text: &str) -> (Phonemes, Phonemes) {
        let fast = phonemes_with_letters(text);
        assert_eq!(phonemes(text), fast.codes, "{text:?}");
        let mut reference = Phonemes::default();
        read_chars(text, &mut reference);
        (fast, reference)
    }

    #[test]
    fn the_byte_reader_reads_real_text_as_the_char_reader_does() {
        use crate::test_data::{COMMENTARY, CORRUPT, ESSAY, KURALS, POEMS, TEAM_LOG};
        for text in [KURALS, COMMENTARY, CORRUPT, ESSAY, POEMS, TEAM_LOG] {
            for line in text.lines() {
                let (fast, reference) = both_readers(line);
                assert_eq!(fast, reference, "{line}");
            }
        }
    }

    /// Random strings over every code point of the Tamil block, the syllables where the readers
    /// decide most (a consonant with u, a virama, a decomposed sign, an independent vowel after
    /// them), ASCII spaces, letters and punctuation, joiners, Unicode spaces (no-break, line
    /// separator, NEL) and other scripts.
    #[test]
    fn the_byte_reader_reads_any_mix_as_the_char_reader_does() {
        let mut pieces: Vec<String> = (0x0B80..0x0C00).filter_map(char::from_u32).map(String::from).collect();
        let syllables = [
            "கு",
            "து",
            "க்",
            "கெ\u{0BBE}",
            "கே\u{0BBE}",
            "கெ\u{0BD7}",
            "அ",
            "உ",
            "ஒ",
            "ஃ",
        ];
        let separators = [" ", "\t", "\n", "\r", "\x0b", "\x0c", ".", ",", "-", "'", "a", "Z", "0"];
        let others = [
            "\u{200C}", "\u{200D}", "\u{00AD}", "\u{FEFF}", "\u{00A0}", "\u{2028}", "\u{0085}", "\u{3000}",
        ];
        for piece in syllables.iter().chain(&separators).chain(&others) {
            // Weighted so that each decisive neighbourhood turns up thousands of times.
            pieces.extend(std::iter::repeat_n(piece.to_string(), 12));
        }
        pieces.extend(["é", "क", "漢", "😀", "\u{0C15}", "\u{0B7F}"].map(String::from));
        let mut random = crate::test_data::Xorshift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..50_000 {
            let len = random.below(24);
            let text: String = (0..len).map(|_| pieces[random.below(pieces.len())].as_str()).collect();
            let (fast, reference) = both_readers(&text);
            assert_eq!(fast, reference, "{text:?}");
        }
    }

    #[test]
    fn letters_split_into_consonant_and_vowel() {
        // அ கர: a, k a, r a
        assert_eq!(phonemes("அகர"), vec![0, 13, 0, 19, 0]);
        assert!(
            phonemes("அகர")
                .iter()
                .zip([true, false, true, false, true])
                .all(|(&p, v)| is_vowel(p) == v && is_consonant(p) != v)
        );
        assert_eq!(phonemes("க்"), vec![13]);
        assert_eq!(phonemes("கோ"), vec![13, VOWEL_OO]);
    }

    #[test]
    fn sandhi_renderings_compare_equal() {
        assert_eq!(phonemes("பொருளல்லது அவ்வூன்"), phonemes("பொருளல்ல தவ்வூன்"));
        assert_eq!(phonemes("எண்ணியாங்கு எய்துப"), phonemes("எண்ணியாங் கெய்துப"));
        assert_eq!(phonemes("வேண்டற்பாற்"), phonemes("வேண் டற்பாற்"));
        // Punctuation other than white space keeps the u.
        assert_ne!(phonemes("உலகு. அது"), phonemes("உலக அது"));
    }

    #[test]
    fn nasals_compare_equal_but_damage_does_not() {
        assert_eq!(phonemes("பயனென்கொல்"), phonemes("பயநெண்கொல்"));
        assert_ne!(phonemes("அறிந்தார்"), phonemes("அற\u{0BA7}ந்தார்"));
        assert_eq!(phonemes("அற\u{0BA7}")[3], UNKNOWN);
    }

    #[test]
    fn decomposed_vowel_signs_read_as_composed() {
        assert_eq!(phonemes("கொ"), phonemes("க\u{0BC6}\u{0BBE}"));
        assert_eq!(phonemes("கோ"), phonemes("க\u{0BC7}\u{0BBE}"));
        assert_eq!(phonemes("கௌ"), phonemes("க\u{0BC6}\u{0BD7}"));
    }

    #[test]
    fn letters_map_back_to_bytes() {
        let text = "“கு அ”";
        let p = phonemes_with_letters(text);
        // The u of கு is elided before அ: k, a.
        assert_eq!(p.codes, vec![13, 0]);
        let (s, e) = p.letters[0];
        assert_eq!(&text[s as usize..e as usize], "கு");
    }

    #[test]
    fn words_and_tamil_detection() {
        let text = "Kural 1: அகர முதல, ௧ எழுத்து";
        let w: Vec<&str> = words(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(w, vec!["அகர", "முதல", "எழுத்து"]);
        assert!(contains_tamil(text));
        assert!(!contains_tamil("plain — ASCII … text"));
    }
}
