//! Counting letters by Unicode script. Labels lie (VAZHI's `pure_tamil` outputs were 74% English);
//! characters don't.

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
enum ByteNfc {
    /// ASCII, Tamil and general punctuation, with no two-part vowel written as two signs: NFC.
    Stable,
    /// The same repertoire, with two-part vowels written as two signs.
    TwoPartVowels,
    /// Other characters: ask `unicode_normalization`.
    Unknown,
}

/// The last two UTF-8 bytes of a Tamil-block character (its first is E0).
const fn tamil_tail(c: char) -> u32 {
    let c = c as u32;
    ((0x80 | ((c >> 6) & 0x3F)) << 8) | (0x80 | (c & 0x3F))
}

/// [`TWO_PART_VOWELS`]' halves as the tails of two Tamil characters in a row, `first << 16 |
/// second`.
const TWO_PART_TAILS: [u32; 4] = {
    let mut tails = [0; 4];
    let mut i = 0;
    while i < 4 {
        let (first, second, _) = TWO_PART_VOWELS[i];
        tails[i] = (tamil_tail(first) << 16) | tamil_tail(second);
        i += 1;
    }
    tails
};

fn byte_nfc(text: &str) -> ByteNfc {
    let bytes = text.as_bytes();
    // The tail of the character before when it was Tamil, else 0: checking every Tamil character
    // against the four two-part pairs costs less than branching on the closing halves (ா alone
    // is 4% of the Tamil code points of the kurals' commentaries, too many to predict).
    let mut previous = 0u32;
    let mut two_part = false;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte < 0x80 {
            previous = 0;
            at += 1;
            continue;
        }
        // `text` is UTF-8: a lead byte of E0..EF has its two continuation bytes.
        let (second, third) = match bytes.get(at + 1..at + 3) {
            Some(&[second, third]) if byte & 0xF0 == 0xE0 => (second, third),
            _ => return ByteNfc::Unknown,
        };
        match (byte, second) {
            (0xE0, 0xAE | 0xAF) => {
                let tail = (u32::from(second) << 8) | u32::from(third);
                two_part |= TWO_PART_TAILS.contains(&((previous << 16) | tail));
                previous = tail;
            }
            // U+2002..U+203F: spaces, dashes, quotes, joiners; none decomposes (U+2000/2001 do).
            (0xE2, 0x80) if third >= 0x82 => previous = 0,
            _ => return ByteNfc::Unknown,
        }
        at += 3;
    }
    if two_part {
        ByteNfc::TwoPartVowels
    } else {
        ByteNfc::Stable
    }
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
    match byte_nfc(text) {
        ByteNfc::Unknown => return None,
        ByteNfc::Stable => return Some(std::borrow::Cow::Borrowed(text)),
        ByteNfc::TwoPartVowels => {}
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        let composed = chars.peek().and_then(|&next| {
            TWO_PART_VOWELS
                .iter()
                .find(|&&(first, second, _)| first == ch && second == next)
                .map(|&(_, _, composed)| composed)
        });
        match composed {
            Some(composed) => {
                out.push(composed);
                chars.next();
            }
            None => out.push(ch),
        }
    }
    Some(std::borrow::Cow::Owned(out))
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
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for length in [1, 254, 255, 256, 511, 1000, 4000] {
            for pieces in [&settled[..], &mixed[..]] {
                let mut text = String::new();
                while text.len() < length {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    text.push_str(pieces[(state % pieces.len() as u64) as usize]);
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

    #[test]
    fn tamil_nfc_agrees_with_unicode_normalization() {
        use unicode_normalization::UnicodeNormalization;
        // Decomposed two-part vowels beside everything that could block or reorder them.
        let pieces = [
            "க", "\u{0BC6}", "\u{0BC7}", "\u{0BBE}", "\u{0BD7}", "\u{0B92}", "\u{0BCD}", "\u{0BCA}", "ௌ", "ஔ",
            "\u{200C}", "\u{200D}", " ", "a", "“", "—", "\n",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for length in [1, 2, 3, 8, 40, 300] {
            for _ in 0..200 {
                let mut text = String::new();
                for _ in 0..length {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    text.push_str(pieces[(state % pieces.len() as u64) as usize]);
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
