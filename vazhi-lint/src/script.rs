//! Counting letters by Unicode script. Labels lie (VAZHI's `pure_tamil` outputs were 74% English);
//! characters don't.

pub mod fasttext;
pub mod lid;
pub mod romanised;
pub mod transliterate;

use std::ops::Range;

use unicode_script::{Script, UnicodeScript};

/// The Tamil block, U+0B80..=U+0BFF, is UTF-8 `E0 AE xx` or `E0 AF xx`.
#[inline]
fn is_tamil_lead(bytes: &[u8], at: usize) -> bool {
    bytes[at] == 0xE0 && matches!(bytes.get(at + 1), Some(0xAE | 0xAF))
}

/// Letters of a text by script. Characters of the Common and Inherited scripts (digits, punctuation,
/// spaces, joiners) and unassigned ones are not letters of any language and are not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptCounts {
    pub tamil: usize,
    pub latin: usize,
    pub other: usize,
}

impl ScriptCounts {
    pub fn of(text: &str) -> ScriptCounts {
        let bytes = text.as_bytes();
        let ByteTally {
            latin,
            tamil,
            leads,
            punctuation,
        } = ByteTally::of(bytes);
        if leads == tamil + punctuation {
            return ScriptCounts { tamil, latin, other: 0 };
        }
        Self::of_any(text)
    }

    /// The general case: every non-ASCII character not settled on bytes is looked up.
    fn of_any(text: &str) -> ScriptCounts {
        let bytes = text.as_bytes();
        let mut counts = ScriptCounts::default();
        let mut at = 0;
        while at < bytes.len() {
            let byte = bytes[at];
            if byte < 0x80 {
                // Branch-free: letters are the bytes that fold into `a..=z`.
                counts.latin += usize::from((byte | 0x20).wrapping_sub(b'a') < 26);
                at += 1;
            } else if is_tamil_lead(bytes, at) {
                counts.tamil += 1;
                at += 3;
            } else if byte == 0xE2 && matches!(bytes.get(at + 1), Some(0x80)) {
                // U+2000..U+203F, General Punctuation (curly quotes, dashes, joiners): never letters.
                at += 3;
            } else {
                // A char boundary: every branch above advances by whole characters.
                let ch = text[at..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
                match ch.script() {
                    Script::Common | Script::Inherited | Script::Unknown => {}
                    Script::Latin => counts.latin += 1,
                    Script::Tamil => counts.tamil += 1,
                    _ => counts.other += 1,
                }
                at += ch.len_utf8();
            }
        }
        counts
    }

    pub fn letters(&self) -> usize {
        self.tamil + self.latin + self.other
    }

    /// Tamil letters over all letters; `None` for a text with no letters at all.
    pub fn tamil_share(&self) -> Option<f64> {
        let letters = self.letters();
        (letters > 0).then(|| self.tamil as f64 / letters as f64)
    }

    pub fn add(&mut self, other: &ScriptCounts) {
        self.tamil += other.tamil;
        self.latin += other.latin;
        self.other += other.other;
    }
}

/// The Tamil two-part vowels written as two signs, and the code point NFC composes each into.
const TWO_PART_VOWELS: [(char, char, char); 4] = [
    ('\u{0BC6}', '\u{0BBE}', '\u{0BCA}'),
    ('\u{0BC7}', '\u{0BBE}', '\u{0BCB}'),
    ('\u{0BC6}', '\u{0BD7}', '\u{0BCC}'),
    ('\u{0B92}', '\u{0BD7}', '\u{0B94}'),
];

/// What one walk over the bytes of a text tells about its NFC form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ByteNfc {
    /// ASCII, Tamil and general punctuation, with no two-part vowel written as two signs: NFC.
    Stable,
    /// The same repertoire, with two-part vowels written as two signs.
    TwoPartVowels,
    /// Other characters: ask `unicode_normalization`.
    Unknown,
}

/// Bytes [`byte_nfc`] checks between looks at whether it has met a character outside the
/// repertoire, which settles the answer: text in another script stops within this many bytes.
const NFC_CHUNK: usize = 512;
/// Every check at a position reads up to this many bytes after it.
pub(crate) const NFC_LOOKAHEAD: usize = 5;

pub(crate) fn byte_nfc(text: &str) -> ByteNfc {
    let bytes = text.as_bytes();
    let mut two_part = false;
    // Positions with all five bytes after them in the text are checked in place; the last five
    // from a copy padded with zeros (no lead byte is zero, so padding never completes a match).
    let body = bytes.len().saturating_sub(NFC_LOOKAHEAD);
    let mut start = 0;
    while start < body {
        let end = (start + NFC_CHUNK).min(body);
        let (outside, pairs) = nfc_flags(&bytes[start..end + NFC_LOOKAHEAD]);
        if outside {
            return ByteNfc::Unknown;
        }
        two_part |= pairs;
        start = end;
    }
    let rest = &bytes[body..];
    let mut padded = [0u8; 2 * NFC_LOOKAHEAD];
    padded[..rest.len()].copy_from_slice(rest);
    let (outside, pairs) = nfc_flags(&padded[..rest.len() + NFC_LOOKAHEAD]);
    if outside {
        ByteNfc::Unknown
    } else if two_part | pairs {
        ByteNfc::TwoPartVowels
    } else {
        ByteNfc::Stable
    }
}

/// For each position of `window` but the last [`NFC_LOOKAHEAD`]: whether a character starting
/// there is outside the repertoire, and whether a two-part vowel written as two signs starts
/// there. `text` is UTF-8, so every byte from 0xC0 up is a character's first and 0xE0 or 0xE2
/// is followed by its two continuation bytes; a position holding anything else starts no
/// character and matches neither test. Every position is tested with the same arithmetic and
/// the answers ORed, so the loop runs on vectors, a few dozen bytes a step. (Character by
/// character, this check was two fifths of the `duplicate` rule.)
#[inline]
pub(crate) fn nfc_flags(window: &[u8]) -> (bool, bool) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, checked just above.
        return unsafe { nfc_flags_avx2(window) };
    }
    nfc_flags_on_vectors(window)
}

/// [`nfc_flags_on_vectors`] compiled for AVX2: the same loop on 32-byte vectors instead of the
/// 16-byte ones every x86_64 has, twice the bytes a step. Both the not-NFC and the duplicate
/// rule run it on every text.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn nfc_flags_avx2(window: &[u8]) -> (bool, bool) {
    nfc_flags_on_vectors(window)
}

/// The loop behind [`nfc_flags`], inlined into each of its builds.
#[inline(always)]
fn nfc_flags_on_vectors(window: &[u8]) -> (bool, bool) {
    let n = window.len() - NFC_LOOKAHEAD;
    // Six views of one length: the loop has no bounds checks.
    let (b0, b1, b2) = (&window[..n], &window[1..n + 1], &window[2..n + 2]);
    let (b3, b4, b5) = (&window[3..n + 3], &window[4..n + 4], &window[5..n + 5]);
    let (mut outside, mut pairs) = (0u8, 0u8);
    for i in 0..n {
        let (lead, second, third) = (b0[i], b1[i], b2[i]);
        // Tamil (U+0B80..U+0BFF is E0 AE xx and E0 AF xx), or U+2002..U+203F: spaces,
        // dashes, quotes, joiners, none of which decomposes (U+2000 and U+2001 do).
        let tamil = (lead == 0xE0) & (second & 0xFE == 0xAE);
        let punctuation = (lead == 0xE2) & (second == 0x80) & (third >= 0x82);
        outside |= u8::from((lead >= 0xC0) & !tamil & !punctuation);
        // Two Tamil characters in a row whose signs compose: one of [`TWO_PART_BYTES`], byte by
        // byte without branching. The loop over the four constant pairs unrolls into compares
        // with constants; comparing six-byte arrays instead kept the loop off vectors (1.6x
        // slower).
        let pair = TWO_PART_BYTES.iter().fold(false, |any, (bytes, _)| {
            any | ((lead == bytes[0])
                & (second == bytes[1])
                & (third == bytes[2])
                & (b3[i] == bytes[3])
                & (b4[i] == bytes[4])
                & (b5[i] == bytes[5]))
        });
        pairs |= u8::from(pair);
    }
    (outside != 0, pairs != 0)
}

/// `true` when `text` is certainly in Unicode NFC, judged on bytes: ASCII, Tamil letters (except
/// the halves of a two-part vowel in composable order) and most general punctuation are stable
/// under NFC. `false` means "not certain": ask `unicode_normalization`. Most Tamil text is settled
/// here without the per-character table lookups of the generic quick check.
pub fn surely_nfc(text: &str) -> bool {
    byte_nfc(text) == ByteNfc::Stable
}

/// Whether NFC leaves `text` unchanged, decided per character: the Unicode quick check, with
/// its "maybe" resolved for starters (Tamil ா U+0BBE and ௗ U+0BD7 are such: they compose only
/// with the character right before them, e.g. ெ + ா → ொ). Combining marks that may compose go
/// through the full check. A `false` only costs the slow exact path.
pub fn nfc_unchanged(text: &str) -> bool {
    use unicode_normalization::char::{canonical_combining_class, compose};
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    // ASCII, Tamil and general punctuation without a split two-part vowel: settled on bytes
    // ([`surely_nfc`], the check the NFC rule and `split --fix` use) before any decoding.
    if text.is_ascii() || surely_nfc(text) {
        return true;
    }
    let mut previous: Option<char> = None;
    let mut last_class = 0u8;
    for c in text.chars() {
        // Below U+0300 every character is a starter with NFC_QC = Yes.
        if (c as u32) < 0x300 {
            previous = Some(c);
            last_class = 0;
            continue;
        }
        let class = canonical_combining_class(c);
        if class != 0 && last_class > class {
            return false;
        }
        match is_nfc_quick(std::iter::once(c)) {
            IsNormalized::Yes => {}
            IsNormalized::No => return false,
            IsNormalized::Maybe if class != 0 => return unicode_normalization::is_nfc(text),
            IsNormalized::Maybe => {
                if previous.is_some_and(|p| compose(p, c).is_some()) {
                    return false;
                }
            }
        }
        previous = Some(c);
        last_class = class;
    }
    true
}

/// The NFC form of `text` when it is written only in ASCII, Tamil and general punctuation (the
/// characters [`surely_nfc`] judges on bytes); `None` for anything else. In that repertoire NFC
/// changes exactly one thing: a Tamil two-part vowel written as two signs (ெ + ா, ே + ா, ெ + ௗ,
/// ஒ + ௗ) becomes its single code point. Both halves are starters (combining class 0), so only an
/// adjacent pair composes, and nothing else in the repertoire decomposes or reorders. A fifth
/// of the kural corpus's records have such pairs; the general algorithm decodes, looks up and
/// recomposes every character of them.
pub fn tamil_nfc(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    tamil_nfc_composing(text, |_| {})
}

/// [`tamil_nfc`], calling `composed_at` with where each vowel it composes starts in the result
/// (see [`compose_two_part_vowels`]).
pub(crate) fn tamil_nfc_composing(text: &str, composed_at: impl FnMut(usize)) -> Option<std::borrow::Cow<'_, str>> {
    tamil_nfc_known(text, byte_nfc(text), composed_at)
}

/// [`tamil_nfc_composing`] for a text whose [`byte_nfc`] is already known (`nfc`).
pub(crate) fn tamil_nfc_known(
    text: &str,
    nfc: ByteNfc,
    composed_at: impl FnMut(usize),
) -> Option<std::borrow::Cow<'_, str>> {
    match nfc {
        ByteNfc::Unknown => return None,
        ByteNfc::Stable => return Some(std::borrow::Cow::Borrowed(text)),
        ByteNfc::TwoPartVowels => {}
    }
    Some(std::borrow::Cow::Owned(compose_two_part_vowels(text, composed_at)))
}

/// A Tamil-block character's three UTF-8 bytes (U+0B80..U+0BFF: `E0`, then `AE` or `AF`).
pub(crate) const fn tamil_utf8(c: char) -> [u8; 3] {
    let c = c as u32;
    [0xE0, 0x80 | ((c >> 6) & 0x3F) as u8, 0x80 | (c & 0x3F) as u8]
}

/// [`TWO_PART_VOWELS`] as the UTF-8 bytes of the two signs, with the vowel they compose to.
pub(crate) const TWO_PART_BYTES: [([u8; 6], char); 4] = {
    let mut pairs = [([0; 6], '\0'); 4];
    let mut i = 0;
    while i < 4 {
        let (first, second, composed) = TWO_PART_VOWELS[i];
        let (first, second) = (tamil_utf8(first), tamil_utf8(second));
        pairs[i] = (
            [first[0], first[1], first[2], second[0], second[1], second[2]],
            composed,
        );
        i += 1;
    }
    pairs
};

/// `text` with each two-part vowel written as two signs replaced by its single code point. The
/// pairs are found from their closing halves' last bytes (ா is E0 AE BE, ௗ is E0 AF 97), which
/// `memchr2` skips to, and the text between is copied whole. (Character by character, with a
/// look-up of every pair, this was a sixth of the `duplicate` rule on the SFT corpus.) The
/// halves that open a pair (ெ, ே, ஒ) never close one, so pairs cannot overlap.
///
/// `composed_at` is called with the byte offset, in the result, of each vowel composed: it is
/// three bytes where the text had six and everything else is copied, so these offsets say where
/// any stretch of the result lies in the text.
fn compose_two_part_vowels(text: &str, mut composed_at: impl FnMut(usize)) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for last in memchr::memchr2_iter(0xBE, 0x97, bytes) {
        // The pair's six bytes end at `last`; `copied` is past the previous pair.
        let Some(start) = (last + 1).checked_sub(6).filter(|&start| start >= copied) else {
            continue;
        };
        let Some(&(_, composed)) = TWO_PART_BYTES.iter().find(|(pair, _)| bytes[start..=last] == *pair) else {
            continue;
        };
        // `start` and `last + 1` are character boundaries: E0 leads the pair's first sign, and
        // the pair's last byte ends its second.
        out.push_str(&text[copied..start]);
        composed_at(out.len());
        out.push(composed);
        copied = last + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// What one pass over the bytes of a text can count without decoding it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct ByteTally {
    latin: usize,
    tamil: usize,
    /// Lead bytes of multi-byte characters: the number of non-ASCII characters.
    leads: usize,
    /// U+2000..U+203F (E2 80 xx): quotes, dashes, joiners, never letters.
    punctuation: usize,
}

impl ByteTally {
    /// Branch-free over byte pairs in blocks of 255 with 8-bit counters: no block can overflow
    /// one, so the compiler keeps sixteen (or thirty-two) bytes per vector lane-wise and sums the
    /// lanes once a block. (With 32-bit counters this loop was a third of the linter's time.)
    fn of(bytes: &[u8]) -> ByteTally {
        const BLOCK: usize = 255;
        let mut tally = ByteTally::default();
        let Some(&last) = bytes.last() else { return tally };
        // Each byte is judged with the one after it; the last byte has none and is added below.
        let pairs = bytes.len() - 1;
        let mut start = 0;
        while start < pairs {
            let end = (start + BLOCK).min(pairs);
            // Two slices of one length: the zipped loop has no bounds checks and vectorises.
            let (block, following) = (&bytes[start..end], &bytes[start + 1..end + 1]);
            let (mut latin, mut tamil, mut leads, mut punctuation) = (0u8, 0u8, 0u8, 0u8);
            for (&byte, &next) in block.iter().zip(following) {
                // For bytes ≥ 0x80, `byte | 0x20` minus `a` is ≥ 0x3F: only ASCII letters count.
                latin += u8::from((byte | 0x20).wrapping_sub(b'a') < 26);
                leads += u8::from(byte >= 0xC0);
                tamil += u8::from((byte == 0xE0) & (next & 0xFE == 0xAE));
                punctuation += u8::from((byte == 0xE2) & (next == 0x80));
            }
            tally.latin += usize::from(latin);
            tally.tamil += usize::from(tamil);
            tally.leads += usize::from(leads);
            tally.punctuation += usize::from(punctuation);
            start = end;
        }
        tally.latin += usize::from((last | 0x20).wrapping_sub(b'a') < 26);
        tally.leads += usize::from(last >= 0xC0);
        tally
    }
}

/// A maximal stretch of letters of one script, with the Common characters (spaces, punctuation)
/// between its letters included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRun {
    pub script: Script,
    pub range: Range<usize>,
    pub letters: usize,
}

/// Runs of letters whose script is not in `allowed`. ASCII and Tamil bytes are skipped without a
/// table lookup, so text in the allowed default scripts costs one pass over its bytes.
pub fn foreign_runs(text: &str, allowed: &[Script]) -> Vec<ScriptRun> {
    let latin_allowed = allowed.contains(&Script::Latin);
    let tamil_allowed = allowed.contains(&Script::Tamil);
    let bytes = text.as_bytes();
    let mut runs: Vec<ScriptRun> = Vec::new();
    let mut open: Option<ScriptRun> = None;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let (script, len) = if byte < 0x80 {
            if !byte.is_ascii_alphabetic() {
                at += 1;
                continue;
            }
            (Script::Latin, 1)
        } else if is_tamil_lead(bytes, at) {
            (Script::Tamil, 3)
        } else {
            let ch = text[at..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
            (ch.script(), ch.len_utf8())
        };
        let neutral = matches!(script, Script::Common | Script::Inherited | Script::Unknown);
        let is_allowed = match script {
            Script::Latin => latin_allowed,
            Script::Tamil => tamil_allowed,
            other => neutral || allowed.contains(&other),
        };
        if !neutral {
            if is_allowed {
                if let Some(run) = open.take() {
                    runs.push(run);
                }
            } else {
                match &mut open {
                    Some(run) if run.script == script => {
                        run.range.end = at + len;
                        run.letters += 1;
                    }
                    _ => {
                        if let Some(run) = open.take() {
                            runs.push(run);
                        }
                        open = Some(ScriptRun {
                            script,
                            range: at..at + len,
                            letters: 1,
                        });
                    }
                }
            }
        }
        at += len;
    }
    runs.extend(open);
    runs
}

/// Parses a script name as Unicode writes it (`Tamil`, `Devanagari`, `Old_Italic`) or its ISO 15924
/// code (`Taml`), in any case.
pub fn parse_script(name: &str) -> Option<Script> {
    let title_case = |part: &str| {
        let mut chars = part.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect()
        })
    };
    let wanted: Vec<String> = name.trim().split([' ', '_', '-']).map(title_case).collect();
    Script::from_full_name(&wanted.join("_")).or_else(|| Script::from_short_name(&wanted.join("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tamil_latin_and_other_letters_and_skips_common() {
        let counts = ScriptCounts::of("வணக்கம் Hello! 123 世界");
        assert_eq!(counts.tamil, 7);
        assert_eq!(counts.latin, 5);
        assert_eq!(counts.other, 2);
    }

    #[test]
    fn the_byte_pass_and_the_general_case_agree() {
        for text in [
            "வணக்கம் “உலகம்” — சரி",
            "plain ASCII, 123",
            "café naïve",
            "இட体系系统的ர",
            "தமிழ் é",
            "",
        ] {
            assert_eq!(ScriptCounts::of(text), ScriptCounts::of_any(text), "{text}");
        }
    }

    #[test]
    fn the_byte_pass_agrees_across_block_boundaries() {
        // Long texts of mixed pieces, so Tamil and punctuation sequences straddle the 255-byte
        // blocks of the byte pass at every offset.
        // The first set is settled on bytes alone; the second falls back to the general case.
        let settled = ["த", "மி", "ழ்", "ௌ", " ", "a", "Z", "“", "—", "9", "\u{200D}", "\n"];
        let mixed = ["த", "ழ்", " ", "a", "“", "é", "世", "ह", "\u{0B80}"];
        let mut random = crate::test_data::Xorshift(0x2545_F491_4F6C_DD1D);
        for length in [1, 254, 255, 256, 511, 1000, 4000] {
            for pieces in [&settled[..], &mixed[..]] {
                let mut text = String::new();
                while text.len() < length {
                    text.push_str(pieces[random.below(pieces.len())]);
                }
                assert_eq!(ScriptCounts::of(&text), ScriptCounts::of_any(&text), "{text}");
                if pieces == settled {
                    let tally = ByteTally::of(text.as_bytes());
                    assert_eq!(
                        tally.leads,
                        tally.tamil + tally.punctuation,
                        "not settled on bytes: {text}"
                    );
                }
            }
        }
    }

    #[test]
    fn tamil_share_counts_vowel_signs_as_tamil() {
        let share = ScriptCounts::of("தமிழ்").tamil_share();
        assert_eq!(share, Some(1.0));
        assert_eq!(ScriptCounts::of("12, 34.").tamil_share(), None);
    }

    #[test]
    fn foreign_runs_join_words_across_spaces() {
        let text = "பதில்: नमस्ते दुनिया and 你好";
        let runs = foreign_runs(text, &[Script::Tamil, Script::Latin]);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].script, Script::Devanagari);
        assert_eq!(&text[runs[0].range.clone()], "नमस्ते दुनिया");
        assert_eq!(runs[1].script, Script::Han);
    }

    #[test]
    fn surely_nfc_agrees_with_unicode_normalization() {
        use unicode_normalization::UnicodeNormalization;
        let cases = [
            "வணக்கம் “உலகம்” — சரி",
            "கொடு",
            "க\u{0BC6}\u{0BBE}டு",
            "ஔவை",
            "\u{0B92}\u{0BD7}வை",
            "கௌ",
            "க\u{0BC6}\u{0BD7}",
            "Ame\u{0301}lie",
            "\u{2000}",
            "plain ascii",
        ];
        for text in cases {
            let nfc = text.nfc().collect::<String>() == text;
            if surely_nfc(text) {
                assert!(nfc, "{text:?} is not NFC but was judged surely NFC");
            }
        }
        assert!(surely_nfc("வணக்கம் “உலகம்” — சரி"));
        assert!(!surely_nfc("க\u{0BC6}\u{0BBE}டு"));
    }

    /// The byte check as it read before it ran on vectors, character by character: the
    /// definition [`byte_nfc`] must agree with.
    fn byte_nfc_by_characters(text: &str) -> ByteNfc {
        let mut previous: Option<char> = None;
        let mut two_part = false;
        for ch in text.chars() {
            let tamil = ('\u{0B80}'..='\u{0BFF}').contains(&ch);
            if !(ch.is_ascii() || tamil || ('\u{2002}'..='\u{203F}').contains(&ch)) {
                return ByteNfc::Unknown;
            }
            two_part |= previous.is_some_and(|first| {
                TWO_PART_VOWELS
                    .iter()
                    .any(|&(one, other, _)| one == first && other == ch)
            });
            previous = tamil.then_some(ch);
        }
        if two_part {
            ByteNfc::TwoPartVowels
        } else {
            ByteNfc::Stable
        }
    }

    #[test]
    fn the_byte_check_agrees_with_one_made_character_by_character() {
        // Two-part halves and everything around them, characters just outside the repertoire
        // (U+2000, U+2001, U+0B7F, U+0C00, U+2040), and lengths that put the pairs across the
        // vector loop's chunks and its padded end.
        let pieces = [
            "க", "\u{0BC6}", "\u{0BC7}", "\u{0BBE}", "\u{0BD7}", "\u{0B92}", "\u{0BCD}", "ௌ", " ", "a", "“",
            "\u{2002}", "\u{203F}", "\u{2000}", "\u{2001}", "\u{0B7F}", "\u{0C00}", "\u{2040}", "é", "😀", "\n",
        ];
        let mut random = crate::test_data::Xorshift(0x2545_F491_4F6C_DD1D);
        let mut seen = [0usize; 3];
        for length in [0, 1, 2, 3, 5, 6, 7, 40, 170, 171, 172, 400] {
            for _ in 0..400 {
                let mut text = String::new();
                for _ in 0..length {
                    // Mostly the repertoire: a character outside it settles the answer early.
                    let index = random.below(1000);
                    let piece = if index < 990 { index % 13 } else { 13 + index % 8 };
                    text.push_str(pieces[piece]);
                }
                let expected = byte_nfc_by_characters(&text);
                seen[expected as usize] += 1;
                assert_eq!(byte_nfc(&text), expected, "{text:?}");
            }
        }
        assert!(seen.iter().all(|&count| count > 100), "{seen:?}");
    }

    #[test]
    fn tamil_nfc_agrees_with_unicode_normalization() {
        use unicode_normalization::UnicodeNormalization;
        // Decomposed two-part vowels beside everything that could block or reorder them.
        let pieces = [
            "க", "\u{0BC6}", "\u{0BC7}", "\u{0BBE}", "\u{0BD7}", "\u{0B92}", "\u{0BCD}", "\u{0BCA}", "ௌ", "ஔ",
            "\u{200C}", "\u{200D}", " ", "a", "“", "—", "\n",
        ];
        let mut random = crate::test_data::Xorshift(0x9E37_79B9_7F4A_7C15);
        for length in [1, 2, 3, 8, 40, 300] {
            for _ in 0..200 {
                let mut text = String::new();
                for _ in 0..length {
                    text.push_str(pieces[random.below(pieces.len())]);
                }
                let expected: String = text.nfc().collect();
                assert_eq!(tamil_nfc(&text).as_deref(), Some(expected.as_str()), "{text:?}");
            }
        }
        assert_eq!(tamil_nfc("கொ café"), None);
        assert_eq!(tamil_nfc("\u{2000}"), None);
    }

    #[test]
    fn script_names_parse_case_insensitively() {
        assert_eq!(parse_script("devanagari"), Some(Script::Devanagari));
        assert_eq!(parse_script("Tamil"), Some(Script::Tamil));
        assert_eq!(parse_script("Klingon"), None);
    }
}
