//! Malformed Tamil Unicode (`tamil-unicode`, error) and text not in NFC (`not-nfc`, warning).
//!
//! # What `malformed_sequences` detects, and why
//!
//! Tamil is written in Unicode as a consonant followed by at most one dependent sign: a vowel
//! sign (ா ி ீ ு ூ ெ ே ை ொ ோ ௌ, U+0BBE..U+0BCC) or the pulli (், U+0BCD, "no vowel"). A shaping
//! engine draws a sign that has no consonant to attach to on a dotted circle, and a language
//! model learns the broken sequence as if it were Tamil. The rule reports:
//!
//! * [`MalformedKind::OrphanSign`]: a vowel sign, the au length mark ௗ or the pulli with no
//!   consonant before it (word start, after a space, after an independent vowel or digit, after a
//!   pulli), or ௗ on a consonant without the ெ it completes.
//! * [`MalformedKind::DoubleVowelSign`]: a second vowel sign on one consonant (`கிு`).
//! * [`MalformedKind::PulliAfterVowelSign`]: a pulli after a vowel sign (`கா்`).
//! * [`MalformedKind::SplitTwoPartVowel`]: the two-part vowels ொ = ெ+ா, ோ = ே+ா, ௌ = ெ+ௗ
//!   written in the wrong order (`கா` + `ெ`) or with a joiner between the parts. Written as two
//!   parts in the right order they are canonically equivalent to the one-code-point form; that is
//!   a `not-nfc` matter ([`nfc_violations`]), not a malformed sequence.
//! * [`MalformedKind::JoinerInWord`]: ZWJ or ZWNJ (U+200D, U+200C) with Tamil on both sides.
//!   Joiners do nothing useful inside Tamil words; between a consonant and its sign they detach
//!   the sign (dotted circle), elsewhere they are invisible noise that costs tokens.
//! * [`MalformedKind::Unassigned`]: a code point of the Tamil block U+0B80..U+0BFF that Unicode
//!   leaves unassigned (explicit table of the 72 assigned ones, Unicode 15; unchanged through the
//!   Unicode 18 tables of `unicode-normalization`, which a test compares), e.g. U+0BA7 in damaged
//!   copies of the Thirukkural, where it stands for ி.
//!
//! One finding is reported per malformed run: signs that follow a malformed sign extend the
//! same finding. The span of a finding about a consonant's signs starts at that consonant.
//!
//! `suggestion` is set only where the fix is certain:
//! * wrong-order two-part vowel (`கா` + `ெ` → `கொ`, `கா` + `ே` → `கோ`, `கௗ` + `ெ` → `கௌ`),
//!   unless the misplaced ெ/ே is followed by a consonant: then it may equally be the
//!   visual-order prefix of the next letter (`கா` + `ெக` for `கா` + `கெ`), and no fix is offered;
//! * a joiner between the two parts of a two-part vowel (`கெ‌ா` → `கொ`);
//! * a joiner inside a word: delete it (`Some("")`), except ZWJ/ZWNJ after a pulli before ஷ or ர
//!   (`க்‌ஷ`, `ஸ்‌ரீ`), where the joiner selects a ligature form and deleting it changes the
//!   rendering.
//!
//! Orphans, double signs and a pulli after a sign get no suggestion: `கா்` may be க் or கா.
//!
//! # Thresholds and speed
//!
//! No thresholds: every finding is a hard violation of Tamil orthography in Unicode. Texts
//! without a single Tamil-block code point (UTF-8 `E0 AE` / `E0 AF`) return after one `memchr`
//! pass. Tamil text is first checked on bytes, each code point against the one before it, 32
//! bytes a step where the processor has AVX2, and only text that check does not clear is
//! scanned char by char. For `nfc_violations`, text in ASCII, Tamil and
//! general punctuation is settled on bytes (a vector check, and two-part vowels looked for only
//! in the blocks where it sees one); anything else is read char by char. Throughput is in
//! bench/README.md.
//!
//! # Measured (tests in this file)
//!
//! * 1330 reference kurals, 41 poems and their meanings, the essay: 0 findings.
//! * The 2 × 1330 commentaries are not clean, and the findings are real:
//!   - 52 [`MalformedKind::JoinerInWord`]: the commentaries hold 83 ZWNJ; 52 sit inside a word
//!     (`நி‌லைமை`, `த‌ை`, `யிர‌ோட`), all with a delete suggestion; the 31 at word edges are
//!     not reported;
//!   - 20 [`MalformedKind::PulliAfterVowelSign`]: typos such as `வேண்டு்ம்`, `விழி்த்து`,
//!     `அரசி்ன`.
//! * The 41 damaged libkural readings: 16 contain unassigned code points — 15 hold U+0BA7 and
//!   kural 599 holds U+0BA6 — and each gets one `Unassigned` finding; nothing else is reported
//!   (the other damage there, `ை` turned into `நம`, dropped letters, is well-formed Unicode).
//! * English fields (verse, explanation, transliteration): 0 findings.
//!
//! # `nfc_violations`
//!
//! ASCII text, and text without Tamil for which `unicode_normalization::is_nfc_quick` answers
//! `Yes`, return at once. Otherwise the text is cut at stable code points (NFC quick-check `Yes`,
//! combining class 0); a segment is normalised and compared only if it holds a `No` code point,
//! a `Maybe` code point that can compose with the one before it (for Tamil: ா after ெ/ே, ௗ
//! after ெ/ஒ, from a table), or combining marks out of canonical order. Adjacent violating
//! segments are merged into one range. Kurals, poems, essay: 0 ranges. The commentaries write
//! ொ/ோ decomposed (ெ+ா, ே+ா) in 281 texts: 423 ranges, each the two signs (the consonant
//! before them is not part of the non-NFC segment).

use std::iter::Peekable;
use std::ops::Range;
use std::str::CharIndices;

use unicode_normalization::char::{canonical_combining_class, compose};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::script::{ByteNfc, NFC_LOOKAHEAD, TWO_PART_BYTES, nfc_flags, tamil_utf8};

mod well_formed;

use well_formed::first_suspect;
#[cfg(test)]
use well_formed::well_formed;

/// One malformed run of Tamil text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedSequence {
    /// Byte range into the analysed text.
    pub span: Range<usize>,
    pub kind: MalformedKind,
    /// Replacement for `span`, only where the fix is certain (`Some("")` means: delete).
    pub suggestion: Option<String>,
}

/// What is wrong with a [`MalformedSequence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MalformedKind {
    /// Vowel sign, ௗ or pulli with no consonant before it.
    OrphanSign,
    /// Two vowel signs on one consonant.
    DoubleVowelSign,
    /// Pulli after a vowel sign.
    PulliAfterVowelSign,
    /// ொ ோ ௌ written as separate parts in the wrong order or with something between them.
    SplitTwoPartVowel,
    /// ZWJ or ZWNJ inside a Tamil word.
    JoinerInWord,
    /// Unassigned code point in the Tamil block U+0B80..U+0BFF.
    Unassigned,
}

impl MalformedKind {
    /// One-line description for diagnostics.
    pub fn describe(&self) -> &'static str {
        match self {
            MalformedKind::OrphanSign => "vowel sign or pulli with no consonant to attach to",
            MalformedKind::DoubleVowelSign => "two vowel signs on one consonant",
            MalformedKind::PulliAfterVowelSign => "pulli (்) after a vowel sign",
            MalformedKind::SplitTwoPartVowel => {
                "two-part vowel (ொ ோ ௌ) written in the wrong order or with something between its parts"
            }
            MalformedKind::JoinerInWord => "zero-width joiner or non-joiner inside a Tamil word",
            MalformedKind::Unassigned => "unassigned code point in the Tamil block (U+0B80..U+0BFF)",
        }
    }
}

pub(crate) const PULLI: char = '\u{0BCD}';
const SIGN_E: char = '\u{0BC6}';
const SIGN_EE: char = '\u{0BC7}';
const SIGN_AA: char = '\u{0BBE}';
const AU_LENGTH_MARK: char = '\u{0BD7}';
const LETTER_O: char = '\u{0B92}';
const ZWNJ: char = '\u{200C}';
const ZWJ: char = '\u{200D}';

/// Assigned code points of the Tamil block, as inclusive ranges (Unicode 15; unchanged through
/// Unicode 18, see the `unassigned_code_points` test).
const ASSIGNED_TAMIL: &[(u32, u32)] = &[
    (0x0B82, 0x0B83), // ஂ ஃ
    (0x0B85, 0x0B8A), // அ ஆ இ ஈ உ ஊ
    (0x0B8E, 0x0B90), // எ ஏ ஐ
    (0x0B92, 0x0B95), // ஒ ஓ ஔ க
    (0x0B99, 0x0B9A), // ங ச
    (0x0B9C, 0x0B9C), // ஜ
    (0x0B9E, 0x0B9F), // ஞ ட
    (0x0BA3, 0x0BA4), // ண த
    (0x0BA8, 0x0BAA), // ந ன ப
    (0x0BAE, 0x0BB9), // ம ய ர ற ல ள ழ வ ஶ ஷ ஸ ஹ
    (0x0BBE, 0x0BC2), // ா ி ீ ு ூ
    (0x0BC6, 0x0BC8), // ெ ே ை
    (0x0BCA, 0x0BCD), // ொ ோ ௌ ்
    (0x0BD0, 0x0BD0), // ௐ
    (0x0BD7, 0x0BD7), // ௗ
    (0x0BE6, 0x0BFA), // digits ௦..௯, numbers ௰ ௱ ௲, signs ௳..௺
];

/// True for any code point of the Tamil block U+0B80..U+0BFF, assigned or not.
pub(crate) fn is_tamil_block(c: char) -> bool {
    ('\u{0B80}'..='\u{0BFF}').contains(&c)
}

/// [`ASSIGNED_TAMIL`] as a bitmap over U+0B80..=U+0BFF (bit i = U+0B80 + i).
const ASSIGNED_BITS: u128 = {
    let mut bits = 0u128;
    let mut i = 0;
    while i < ASSIGNED_TAMIL.len() {
        let (lo, hi) = ASSIGNED_TAMIL[i];
        let mut cp = lo;
        while cp <= hi {
            bits |= 1 << (cp - 0x0B80);
            cp += 1;
        }
        i += 1;
    }
    bits
};

/// True for the code points of the Tamil block that Unicode assigns.
pub(crate) fn is_assigned_tamil(c: char) -> bool {
    let cp = u32::from(c);
    (0x0B80..=0x0BFF).contains(&cp) && ASSIGNED_BITS & (1 << (cp - 0x0B80)) != 0
}

/// Tamil consonants (uyir-mei bases), Grantha ஜ ஶ ஷ ஸ ஹ included.
pub(crate) const fn is_tamil_consonant(c: char) -> bool {
    matches!(c,
        '\u{0B95}' | '\u{0B99}' | '\u{0B9A}' | '\u{0B9C}' | '\u{0B9E}' | '\u{0B9F}' | '\u{0BA3}'
        | '\u{0BA4}' | '\u{0BA8}'..='\u{0BAA}' | '\u{0BAE}'..='\u{0BB9}')
}

/// Dependent vowel signs, the au length mark included; not the pulli.
pub(crate) const fn is_tamil_vowel_sign(c: char) -> bool {
    matches!(c, '\u{0BBE}'..='\u{0BC2}' | '\u{0BC6}'..='\u{0BC8}' | '\u{0BCA}'..='\u{0BCC}' | '\u{0BD7}')
}

/// A sign that must follow a consonant: vowel sign, au length mark or pulli.
pub(crate) fn is_tamil_dependent(c: char) -> bool {
    c == PULLI || is_tamil_vowel_sign(c)
}

/// Any assigned Tamil letter or sign that can be part of a word (not digits or symbols).
fn is_tamil_word_char(c: char) -> bool {
    is_tamil_block(c) && is_assigned_tamil(c) && !('\u{0BE6}'..='\u{0BFA}').contains(&c)
}

/// Composes a consonant's two vowel parts given in either order; `None` if they do not form one.
fn two_part_vowel(first: char, second: char) -> Option<char> {
    match (first, second) {
        (SIGN_E, SIGN_AA) | (SIGN_AA, SIGN_E) => Some('\u{0BCA}'),
        (SIGN_EE, SIGN_AA) | (SIGN_AA, SIGN_EE) => Some('\u{0BCB}'),
        (SIGN_E, AU_LENGTH_MARK) | (AU_LENGTH_MARK, SIGN_E) => Some('\u{0BCC}'),
        _ => None,
    }
}

/// True if the text holds at least one code point of the Tamil block (UTF-8 `E0 AE xx`/`E0 AF xx`).
pub(crate) fn has_tamil_block(bytes: &[u8]) -> bool {
    memchr::memchr_iter(0xE0, bytes).any(|i| matches!(bytes.get(i + 1), Some(0xAE | 0xAF)))
}

/// What the last letter-level unit was, for deciding whether the next sign may attach.
/// Consonant states carry the consonant's byte offset and the consonant itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    /// Nothing a sign can attach to: text start, space, non-Tamil, independent vowel, digit.
    None,
    /// A bare consonant.
    Consonant(usize, char),
    /// Consonant + ெ or ே (a following ா / ௗ completes a two-part vowel).
    ConsonantE(usize, char, char),
    /// Consonant + a complete vowel sign.
    ConsonantVowel(usize, char, char),
    /// Consonant + pulli.
    ConsonantPulli,
    /// Independent ஒ, which ௗ may follow (ஒ + ௗ is the canonical decomposition of ஔ).
    LetterO,
    /// Just after a malformed run: further signs extend it.
    Malformed,
}

/// Adds a finding, or extends the last one when `extend` (the issue continues a malformed run).
fn report(
    found: &mut Vec<MalformedSequence>,
    extend: bool,
    span: Range<usize>,
    kind: MalformedKind,
    suggestion: Option<String>,
) {
    if extend && let Some(last) = found.last_mut() {
        last.span = last.span.start.min(span.start)..last.span.end.max(span.end);
        // A longer run: the single-issue suggestion no longer covers it.
        last.suggestion = None;
        return;
    }
    found.push(MalformedSequence { span, kind, suggestion });
}

/// Consonant + ா/ௗ followed by ெ/ே: a two-part vowel in the wrong order. Consumes the ெ/ே and
/// returns the span from the consonant, the fix and the consumed sign. The fix is certain unless
/// the ெ/ே is followed by a consonant it may belong to (visual-order typing: `கா` + `ெக`).
fn wrong_order(
    start: usize,
    consonant: char,
    first: char,
    chars: &mut Peekable<CharIndices>,
) -> Option<(Range<usize>, Option<String>, char)> {
    let &(j, second) = chars.peek()?;
    let composed = two_part_vowel(first, second)?;
    chars.next();
    let next_is_consonant = chars.peek().is_some_and(|&(_, d)| is_tamil_consonant(d));
    let fix = (!next_is_consonant).then(|| format!("{consonant}{composed}"));
    Some((start..j + second.len_utf8(), fix, second))
}

/// What a sign after a vowel sign is: a pulli there, or a second vowel sign.
fn sign_after_vowel(sign: char) -> MalformedKind {
    if sign == PULLI {
        MalformedKind::PulliAfterVowelSign
    } else {
        MalformedKind::DoubleVowelSign
    }
}

/// Finds malformed Tamil sequences; see the module documentation for the kinds.
pub fn malformed_sequences(text: &str) -> Vec<MalformedSequence> {
    let bytes = text.as_bytes();
    if !has_tamil_block(bytes) {
        return Vec::new();
    }
    let Some(suspect) = first_suspect(bytes) else {
        return Vec::new();
    };
    // The full scan from the last ASCII character before the first code point the byte check
    // does not pass (which starts at most two bytes before `suspect`): an ASCII character
    // leaves the scan's state as at the text's start (nothing to attach to, no pulli before),
    // and the text before it is well formed, so the scan finds nothing there. A joiner inside
    // one word of a long answer no longer has the whole answer read char by char.
    let from = bytes[..suspect.saturating_sub(2)]
        .iter()
        .rposition(u8::is_ascii)
        .map_or(0, |ascii| ascii + 1);
    let mut found = scan_malformed(&text[from..]);
    for malformed in &mut found {
        malformed.span = malformed.span.start + from..malformed.span.end + from;
    }
    found
}

/// The full scan behind [`malformed_sequences`].
fn scan_malformed(text: &str) -> Vec<MalformedSequence> {
    let mut found = Vec::new();
    let mut base = Base::None;
    // Was the last non-joiner character a Tamil letter or sign?
    let mut prev_tamil = false;
    let mut prev_char = '\0';
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let end = at + c.len_utf8();
        let extend = base == Base::Malformed;
        if c == ZWJ || c == ZWNJ {
            // Take the whole joiner run, then look at what follows it.
            let mut run_end = end;
            while let Some(&(j, d)) = chars.peek() {
                if d != ZWJ && d != ZWNJ {
                    break;
                }
                run_end = j + d.len_utf8();
                chars.next();
            }
            let next = chars.peek().map(|&(_, d)| d);
            let Some(next) = next.filter(|&d| prev_tamil && is_tamil_word_char(d)) else {
                // Word-initial or word-final joiner, or no Tamil around: not this rule's business.
                base = Base::None;
                prev_tamil = false;
                continue;
            };
            if let Base::ConsonantE(start, consonant, sign) = base
                && let Some(vowel) = two_part_vowel(sign, next)
                && let Some((j, _)) = chars.next()
            {
                // ெ + joiner + ா: the parts of ொ held apart by a joiner.
                let span = start..j + next.len_utf8();
                let fix = format!("{consonant}{vowel}");
                report(&mut found, false, span, MalformedKind::SplitTwoPartVowel, Some(fix));
                base = Base::ConsonantVowel(start, consonant, vowel);
                prev_char = next;
                continue;
            }
            let ligature = prev_char == PULLI && matches!(next, '\u{0BB7}' | '\u{0BB0}');
            let suggestion = if ligature { None } else { Some(String::new()) };
            report(&mut found, extend, at..run_end, MalformedKind::JoinerInWord, suggestion);
            // Transparent for the sign logic: `க‍ா` is a joiner finding, not an orphan ா.
            continue;
        }
        let tamil = is_tamil_block(c);
        prev_tamil = is_tamil_word_char(c);
        prev_char = c;
        if !tamil {
            base = Base::None;
            continue;
        }
        if !is_assigned_tamil(c) {
            report(&mut found, extend, at..end, MalformedKind::Unassigned, None);
            base = Base::Malformed;
            continue;
        }
        if is_tamil_consonant(c) {
            base = Base::Consonant(at, c);
            continue;
        }
        if !is_tamil_dependent(c) {
            base = if c == LETTER_O { Base::LetterO } else { Base::None };
            continue;
        }
        // `c` is a vowel sign, ௗ or the pulli.
        base = match (base, c) {
            (Base::Consonant(..), PULLI) => Base::ConsonantPulli,
            (Base::Consonant(start, consonant), SIGN_E | SIGN_EE) => Base::ConsonantE(start, consonant, c),
            (Base::Consonant(start, consonant), SIGN_AA | AU_LENGTH_MARK) => {
                match wrong_order(start, consonant, c, &mut chars) {
                    Some((span, fix, second)) => {
                        report(&mut found, false, span, MalformedKind::SplitTwoPartVowel, fix);
                        prev_char = second;
                        Base::Malformed
                    }
                    // ௗ is only the second half of ௌ; alone it has nothing to complete.
                    None if c == AU_LENGTH_MARK => {
                        report(&mut found, false, at..end, MalformedKind::OrphanSign, None);
                        Base::Malformed
                    }
                    None => Base::ConsonantVowel(start, consonant, c),
                }
            }
            (Base::Consonant(start, consonant), _) => Base::ConsonantVowel(start, consonant, c),
            (Base::ConsonantE(start, consonant, sign), _) => match two_part_vowel(sign, c) {
                // Right order, decomposed: canonically equivalent, a not-nfc matter.
                Some(vowel) => Base::ConsonantVowel(start, consonant, vowel),
                None => {
                    report(&mut found, false, start..end, sign_after_vowel(c), None);
                    Base::Malformed
                }
            },
            (Base::ConsonantVowel(start, ..), _) => {
                report(&mut found, false, start..end, sign_after_vowel(c), None);
                Base::Malformed
            }
            (Base::LetterO, AU_LENGTH_MARK) => Base::None, // ஒ + ௗ = ஔ decomposed
            (Base::ConsonantPulli | Base::LetterO | Base::None | Base::Malformed, _) => {
                report(&mut found, extend, at..end, MalformedKind::OrphanSign, None);
                Base::Malformed
            }
        };
    }
    found
}

/// Byte ranges of the text that are not in Unicode Normalization Form C.
pub fn nfc_violations(text: &str) -> Vec<Range<usize>> {
    nfc_violations_known(text, crate::script::byte_nfc(text))
}

/// [`nfc_violations`] of a text whose [`crate::script::byte_nfc`] is already known (`nfc`).
pub(crate) fn nfc_violations_known(text: &str, nfc: ByteNfc) -> Vec<Range<usize>> {
    match nfc {
        ByteNfc::Stable => Vec::new(),
        ByteNfc::TwoPartVowels => two_part_vowel_violations(text),
        ByteNfc::Unknown => nfc_violations_by_characters(text),
    }
}

/// [`nfc_violations`] of a text written only in ASCII, Tamil and general punctuation, with
/// two-part vowels written as two signs, found on bytes. In that repertoire the only starters
/// that may compose are ா and ௗ, only with the sign or letter right before them (the pairs of
/// [`TWO_PART_BYTES`]), and the only other character that is not stable is the pulli; the
/// first half of a pair (ெ, ே, ஒ) is stable, so the character scan's segment starts at it and
/// runs to the next stable character. These are its ranges (joined when they touch), found by
/// looking one position at a time only in the blocks where the vector check of
/// [`nfc_flags`] sees a pair: a fifth of the kural corpus's records and a
/// third of the SFT corpus's have such pairs, and decoding every character of them was most of
/// the `not-nfc` rule. A test compares both on generated text.
fn two_part_vowel_violations(text: &str) -> Vec<Range<usize>> {
    const SIGN_AA_BYTES: [u8; 3] = tamil_utf8(SIGN_AA);
    const AU_LENGTH_BYTES: [u8; 3] = tamil_utf8(AU_LENGTH_MARK);
    const PULLI_BYTES: [u8; 3] = tamil_utf8(PULLI);
    /// Positions looked at together: a block the vector check finds no pair in is passed over.
    const BLOCK: usize = 64;
    let bytes = text.as_bytes();
    let pair_at = |at: usize| {
        bytes
            .get(at..at + 6)
            .is_some_and(|window| TWO_PART_BYTES.iter().any(|(signs, _)| window == signs))
    };
    let mut ranges: Vec<Range<usize>> = Vec::new();
    // Where the next pair may start: past the last range.
    let mut from = 0;
    let mut block = 0;
    while block < bytes.len() {
        let block_end = (block + BLOCK).min(bytes.len());
        let has_pair = match bytes.get(block..block_end + NFC_LOOKAHEAD) {
            Some(window) => nfc_flags(window).1,
            // The end of the text: its last pairs, if any, are found one position at a time.
            None => true,
        };
        if has_pair {
            let mut at = from.max(block);
            while at < block_end {
                if !pair_at(at) {
                    at += 1;
                    continue;
                }
                // The segment goes on over the characters that are not stable.
                let mut end = at + 6;
                while matches!(bytes.get(end..end + 3), Some(next) if next == SIGN_AA_BYTES || next == AU_LENGTH_BYTES || next == PULLI_BYTES)
                {
                    end += 3;
                }
                match ranges.last_mut() {
                    Some(last) if last.end == at => last.end = end,
                    _ => ranges.push(at..end),
                }
                from = end;
                at = end;
            }
        }
        block = block_end;
    }
    ranges
}

/// [`nfc_violations`] character by character, for text outside the repertoire that
/// [`two_part_vowel_violations`] reads on bytes.
fn nfc_violations_by_characters(text: &str) -> Vec<Range<usize>> {
    // Tamil text is always `Maybe` for the generic quick check (ா); go straight to the scan.
    if !has_tamil_block(text.as_bytes()) && is_nfc_quick(text.chars()) == IsNormalized::Yes {
        return Vec::new();
    }
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut check = |segment: Range<usize>| {
        let part = &text[segment.clone()];
        if !part.chars().eq(part.chars().nfc()) {
            match ranges.last_mut() {
                Some(last) if last.end == segment.start => last.end = segment.end,
                _ => ranges.push(segment),
            }
        }
    };
    let mut segment_start = 0;
    let mut suspicious = false;
    let mut last_class = 0u8;
    let mut previous = '\0';
    for (at, c) in text.char_indices() {
        let (quick, class) = nfc_properties(c);
        let stable = class == 0 && quick == IsNormalized::Yes;
        if stable && at > 0 {
            if suspicious {
                check(segment_start..at);
            }
            segment_start = at;
            suspicious = false;
        }
        suspicious |= match quick {
            IsNormalized::No => true,
            // A starter that may compose (ா after ெ): only with the starter right before it.
            IsNormalized::Maybe if is_tamil_block(c) => {
                matches!(
                    (previous, c),
                    (SIGN_E | SIGN_EE, SIGN_AA) | (SIGN_E | LETTER_O, AU_LENGTH_MARK)
                )
            }
            IsNormalized::Maybe if class == 0 => compose(previous, c).is_some(),
            IsNormalized::Maybe => true,
            IsNormalized::Yes => class != 0 && last_class > class,
        };
        last_class = class;
        previous = c;
    }
    if suspicious {
        check(segment_start..text.len());
    }
    ranges
}

/// NFC quick-check value and canonical combining class of a character, with the Tamil block
/// answered from a table (only ா and ௗ are `Maybe`; only the pulli has a non-zero class).
fn nfc_properties(c: char) -> (IsNormalized, u8) {
    if c.is_ascii() {
        return (IsNormalized::Yes, 0);
    }
    if is_tamil_block(c) {
        let quick = if c == SIGN_AA || c == AU_LENGTH_MARK {
            IsNormalized::Maybe
        } else {
            IsNormalized::Yes
        };
        return (quick, if c == PULLI { 9 } else { 0 });
    }
    (is_nfc_quick(std::iter::once(c)), canonical_combining_class(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::*;

    fn kinds(text: &str) -> Vec<(MalformedKind, &str, Option<String>)> {
        malformed_sequences(text)
            .into_iter()
            .map(|m| (m.kind, &text[m.span], m.suggestion))
            .collect()
    }

    /// Tamil letters, every sign, joiners, unassigned code points and a few others, for
    /// generated text.
    const ALPHABET: [char; 24] = [
        'க', 'ங', 'ஷ', 'அ', 'ஒ', 'ஃ', '௧', 'ா', 'ி', 'ு', 'ெ', 'ே', 'ை', 'ொ', 'ௌ', 'ௗ', '\u{0BCD}', '\u{0B80}',
        '\u{0BC4}', ZWJ, ZWNJ, ' ', 'a', 'é',
    ];

    #[test]
    fn findings_are_those_of_the_full_scan_of_the_whole_text() {
        // Long texts of clean words with now and then a character of the alphabet, so that the
        // first suspect letter falls anywhere, often in a later vector block.
        let words = ["கொம்பு", "தமிழ்", "ஔவை", "க்ஷேத்திரம்", "word", "௧௨"];
        let mut random = crate::test_data::Xorshift(41);
        let mut with_findings = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..1 + random.below(30) {
                if random.below(8) == 0 {
                    text.push(ALPHABET[random.below(ALPHABET.len())]);
                } else {
                    text.push_str(words[random.below(words.len())]);
                }
                if random.below(3) > 0 {
                    text.push(if random.below(5) == 0 { '\n' } else { ' ' });
                }
            }
            let found = malformed_sequences(&text);
            assert_eq!(found, scan_malformed(&text), "{text:?}");
            with_findings += usize::from(!found.is_empty());
        }
        assert!(with_findings > 5_000, "{with_findings}");
    }

    #[test]
    fn well_formed_text_has_no_findings_by_the_full_scan() {
        let mut state = 1330u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        let (mut passed, mut failed) = (0, 0);
        for _ in 0..200_000 {
            let text: String = (0..1 + next(6)).map(|_| ALPHABET[next(ALPHABET.len())]).collect();
            let found = scan_malformed(&text);
            if well_formed(text.as_bytes()) {
                assert_eq!(found, vec![], "{text:?} passed the fast check");
                passed += 1;
            } else {
                failed += usize::from(found.is_empty());
            }
        }
        // Both sides are exercised: many texts pass, and some clean ones are left to the scan
        // (decomposed vowels).
        assert!(
            passed > 10_000 && failed > 100,
            "{passed} passed, {failed} clean but not passed"
        );
    }

    #[test]
    fn reference_texts_pass_the_fast_check() {
        for text in [KURALS, POEMS] {
            assert!(well_formed(text.as_bytes()));
        }
        // The commentaries have a few zero-width non-joiners inside words, left to the full scan.
        let lines: Vec<&str> = COMMENTARY.lines().collect();
        let passed = lines.iter().filter(|line| well_formed(line.as_bytes())).count();
        assert!(passed * 100 > lines.len() * 90, "{passed} of {}", lines.len());
        for text in lines.into_iter().chain([ESSAY, CORRUPT]) {
            assert!(!well_formed(text.as_bytes()) || scan_malformed(text).is_empty());
        }
    }

    #[test]
    fn clean_text_has_no_findings() {
        assert!(kinds("").is_empty());
        assert!(kinds("plain English, café").is_empty());
        assert!(kinds("தமிழ் கொம்பு கோடு கௌரவம் ஔவை க்ஷேத்திரம் ஸ்ரீ").is_empty());
        // Decomposed but correctly ordered two-part vowels are a not-nfc matter only.
        assert!(kinds("க\u{0BC6}\u{0BBE} க\u{0BC7}\u{0BBE} க\u{0BC6}\u{0BD7} \u{0B92}\u{0BD7}").is_empty());
    }

    #[test]
    fn orphan_signs() {
        assert_eq!(kinds("\u{0BBF}தமிழ்"), [(MalformedKind::OrphanSign, "\u{0BBF}", None)]);
        assert_eq!(kinds("தமிழ் \u{0BCD}"), [(MalformedKind::OrphanSign, "\u{0BCD}", None)]);
        assert_eq!(kinds("அ\u{0BBE}"), [(MalformedKind::OrphanSign, "\u{0BBE}", None)]);
        assert_eq!(kinds("க்\u{0BCD}"), [(MalformedKind::OrphanSign, "\u{0BCD}", None)]);
        assert_eq!(kinds("க்\u{0BBE}"), [(MalformedKind::OrphanSign, "\u{0BBE}", None)]);
        // A run of orphans is one finding; so is the visual-order prefix of a letter.
        assert_eq!(
            kinds(" \u{0BBE}\u{0BBF}\u{0BC1} "),
            [(MalformedKind::OrphanSign, "\u{0BBE}\u{0BBF}\u{0BC1}", None)]
        );
        assert_eq!(kinds("\u{0BC6}கா"), [(MalformedKind::OrphanSign, "\u{0BC6}", None)]);
        // ௗ on a consonant without ெ.
        assert_eq!(kinds("க\u{0BD7}"), [(MalformedKind::OrphanSign, "\u{0BD7}", None)]);
    }

    #[test]
    fn double_signs_and_pulli_after_sign() {
        assert_eq!(kinds("கிு"), [(MalformedKind::DoubleVowelSign, "கிு", None)]);
        assert_eq!(kinds("கெு"), [(MalformedKind::DoubleVowelSign, "கெு", None)]);
        assert_eq!(kinds("கொா"), [(MalformedKind::DoubleVowelSign, "கொா", None)]);
        assert_eq!(kinds("கா்"), [(MalformedKind::PulliAfterVowelSign, "கா்", None)]);
        assert_eq!(kinds("கெ்"), [(MalformedKind::PulliAfterVowelSign, "கெ்", None)]);
        // Further signs extend the same run.
        assert_eq!(kinds("கிுூ ம"), [(MalformedKind::DoubleVowelSign, "கிுூ", None)]);
        assert_eq!(kinds("கிு கிு").len(), 2);
    }

    #[test]
    fn split_two_part_vowels() {
        let fix = |s: &str| Some(s.to_owned());
        assert_eq!(
            kinds("கா\u{0BC6} "),
            [(MalformedKind::SplitTwoPartVowel, "கா\u{0BC6}", fix("கொ"))]
        );
        assert_eq!(
            kinds("பா\u{0BC7}, "),
            [(MalformedKind::SplitTwoPartVowel, "பா\u{0BC7}", fix("போ"))]
        );
        assert_eq!(
            kinds("க\u{0BD7}\u{0BC6}"),
            [(MalformedKind::SplitTwoPartVowel, "க\u{0BD7}\u{0BC6}", fix("கௌ"))]
        );
        // ெ followed by a consonant may be the visual-order prefix of that consonant: no fix.
        assert_eq!(
            kinds("கா\u{0BC6}க"),
            [(MalformedKind::SplitTwoPartVowel, "கா\u{0BC6}", None)]
        );
        // A joiner between the parts.
        assert_eq!(
            kinds("க\u{0BC6}\u{200D}\u{0BBE}டு"),
            [(MalformedKind::SplitTwoPartVowel, "க\u{0BC6}\u{200D}\u{0BBE}", fix("கொ"))]
        );
        assert_eq!(nfc_violations("கா\u{0BC6}"), Vec::<Range<usize>>::new());
    }

    #[test]
    fn joiners() {
        assert_eq!(
            kinds("நி\u{200C}லை"),
            [(MalformedKind::JoinerInWord, "\u{200C}", Some(String::new()))]
        );
        assert_eq!(
            kinds("த\u{200C}ை"),
            [(MalformedKind::JoinerInWord, "\u{200C}", Some(String::new()))]
        );
        assert_eq!(
            kinds("க\u{200D}\u{200C}ம"),
            [(MalformedKind::JoinerInWord, "\u{200D}\u{200C}", Some(String::new()))]
        );
        // Ligature control after pulli: reported, but deleting changes the rendering.
        assert_eq!(kinds("க்\u{200C}ஷ"), [(MalformedKind::JoinerInWord, "\u{200C}", None)]);
        // Not inside a word.
        assert!(kinds("தமிழ்\u{200C} மொழி \u{200C}கல்").is_empty());
        assert!(kinds("a\u{200D}b \u{1F468}\u{200D}\u{1F469}").is_empty());
    }

    #[test]
    fn unassigned_code_points() {
        assert_eq!(
            kinds("அளவற\u{0BA7}ந்தார்"),
            [(MalformedKind::Unassigned, "\u{0BA7}", None)]
        );
        assert_eq!(
            kinds("\u{0BA7}\u{0BBF}"),
            [(MalformedKind::Unassigned, "\u{0BA7}\u{0BBF}", None)]
        );
        for cp in 0x0B80..=0x0BFFu32 {
            let c = char::from_u32(cp).unwrap_or('\0');
            let found = kinds(&c.to_string()).iter().any(|f| f.0 == MalformedKind::Unassigned);
            assert_eq!(found, !is_assigned_tamil(c), "U+{cp:04X}");
        }
        // The same as the Unicode version of unicode-normalization's tables.
        for cp in 0x0B80..=0x0BFFu32 {
            let c = char::from_u32(cp).unwrap_or('\0');
            let public = unicode_normalization::char::is_public_assigned(c);
            assert_eq!(
                is_assigned_tamil(c),
                public,
                "U+{cp:04X} {:?}",
                unicode_normalization::UNICODE_VERSION
            );
        }
        // 72 assigned code points in the block (Unicode 15.1 / 16.0).
        assert_eq!(
            (0x0B80..=0x0BFFu32)
                .filter_map(char::from_u32)
                .filter(|&c| is_assigned_tamil(c))
                .count(),
            72
        );
    }

    #[test]
    fn spans_and_describe() {
        let text = "abc கிு def";
        let found = malformed_sequences(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].span.clone()], "கிு");
        assert!(!found[0].kind.describe().is_empty());
    }

    #[test]
    fn reference_texts_are_clean() {
        let mut joiners = 0;
        let mut typos: Vec<String> = Vec::new();
        let mut not_nfc_texts = 0;
        let mut not_nfc_ranges = 0;
        for (field, text) in tamil_texts() {
            for finding in malformed_sequences(&text) {
                assert!(field.starts_with("meaning_"), "{field}: {finding:?} in {text}");
                if finding.kind == MalformedKind::PulliAfterVowelSign {
                    typos.push(text[finding.span].to_owned());
                    continue;
                }
                assert_eq!(finding.kind, MalformedKind::JoinerInWord, "{field}: {finding:?}");
                assert_eq!(finding.suggestion.as_deref(), Some(""));
                joiners += 1;
            }
            let ranges = nfc_violations(&text);
            if !field.starts_with("meaning_") {
                assert!(ranges.is_empty(), "{field}: {text}");
            }
            for range in &ranges {
                // Every violation in the commentaries is a decomposed ொ or ோ.
                assert!(
                    matches!(&text[range.clone()], "\u{0BC6}\u{0BBE}" | "\u{0BC7}\u{0BBE}"),
                    "{text}"
                );
            }
            not_nfc_texts += usize::from(!ranges.is_empty());
            not_nfc_ranges += ranges.len();
        }
        // The commentaries hold 83 ZWNJ; 52 of them inside a word.
        assert_eq!(joiners, 52);
        // And 20 real typos: a pulli after ு/ி (`வேண்டு்ம்`, `விழி்த்து`, `அரசி்ன`).
        assert_eq!(typos.len(), 20, "{typos:?}");
        assert!(typos.iter().all(|t| t.ends_with(PULLI) && t.chars().count() == 3));
        // 162 + 119 commentaries write ொ/ோ decomposed: 242 + 169 ொ, 7 + 5 ோ.
        assert_eq!((not_nfc_texts, not_nfc_ranges), (281, 423));
        assert!(malformed_sequences(ESSAY).is_empty());
        assert!(nfc_violations(ESSAY).is_empty());
        for english in ["english", "english_explanation", "transliteration"] {
            for text in field(KURALS, english) {
                assert!(malformed_sequences(&text).is_empty());
                assert!(nfc_violations(&text).is_empty());
            }
        }
    }

    #[test]
    fn damaged_readings() {
        let mut flagged = Vec::new();
        for (number, reading) in corrupt_readings() {
            let found = malformed_sequences(&reading);
            for finding in &found {
                assert_eq!(finding.kind, MalformedKind::Unassigned, "{number}: {reading}");
            }
            let unassigned = reading
                .chars()
                .filter(|&c| is_tamil_block(c) && !is_assigned_tamil(c))
                .count();
            assert_eq!(found.len(), unassigned, "{number}: {reading}");
            if !found.is_empty() {
                flagged.push(number);
            }
        }
        // 15 readings with U+0BA7 (for ி) and kural 599 with U+0BA6: one finding each.
        let with_u0ba7 = corrupt_readings()
            .iter()
            .filter(|(_, r)| r.contains('\u{0BA7}'))
            .count();
        assert_eq!(with_u0ba7, 15);
        assert_eq!(flagged.len(), 16, "{flagged:?}");
        assert!(flagged.contains(&599));
    }

    /// The byte scan of two-part vowels gives the character scan's ranges, on generated text
    /// in its repertoire (pairs, the halves alone, pullis and runs of signs after a pair, at
    /// the ends and back to back) and on the reference texts.
    #[test]
    fn two_part_vowels_are_found_on_bytes_as_by_characters() {
        let pieces = [
            "க", "\u{0BC6}", "\u{0BC7}", "\u{0BBE}", "\u{0BD7}", "\u{0B92}", "\u{0BCD}", "ொ", "ௌ", " ", "a", "“", "—",
        ];
        let mut random = Xorshift(0x2545_F491_4F6C_DD1D);
        let mut with_pairs = 0;
        for _ in 0..20_000 {
            let text: String = (0..random.below(24))
                .map(|_| pieces[random.below(pieces.len())])
                .collect();
            if crate::script::byte_nfc(&text) != ByteNfc::TwoPartVowels {
                continue;
            }
            with_pairs += 1;
            assert_eq!(
                two_part_vowel_violations(&text),
                nfc_violations_by_characters(&text),
                "{text:?}"
            );
        }
        assert!(with_pairs > 3_000, "{with_pairs}");
        for (_, text) in tamil_texts() {
            assert_eq!(nfc_violations(&text), nfc_violations_by_characters(&text), "{text}");
        }
    }

    #[test]
    fn nfc() {
        assert!(nfc_violations("தமிழ் கொடு").is_empty());
        let text = "அ க\u{0BC6}\u{0BBE}டு ம";
        let ranges = nfc_violations(text);
        assert_eq!(ranges.len(), 1);
        // The range starts at ெ: the consonant is not part of the non-NFC segment.
        assert_eq!(&text[ranges[0].clone()], "\u{0BC6}\u{0BBE}");
        let text = "x கௌ க\u{0BC6}\u{0BD7}க\u{0BC7}\u{0BBE} y e\u{0301}";
        let ranges = nfc_violations(text);
        let parts: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(parts, ["\u{0BC6}\u{0BD7}", "\u{0BC7}\u{0BBE}", "e\u{0301}"]);
        // Combining marks out of canonical order.
        let text = "a\u{0323}\u{0302}"; // NFC-stable marks, but ccc 230 before 220 needs reordering
        let text2 = "a\u{0302}\u{0323}";
        assert!(nfc_violations(text).is_empty() || nfc_violations(text2).len() == 1);
        assert_eq!(nfc_violations("\u{212B}").len(), 1); // ANGSTROM SIGN → Å
    }
}
