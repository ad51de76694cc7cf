//! Tamil mojibake (`mojibake`, error): UTF-8 Tamil that was decoded with a single-byte code page.
//!
//! # What it detects, and why
//!
//! Every Tamil code point is three UTF-8 bytes, `E0 AE xx` or `E0 AF xx`. Read as Latin-1 or
//! Windows-1252 they become `à®¤` / `à¯` runs; read as Mac Roman (the way the team's own training
//! log was damaged) they become `‡Æ§` / `‡Ø` runs. A model trained on such text learns noise in
//! place of Tamil, and the original is recoverable: map the characters back to bytes through the
//! code page and decode the bytes as UTF-8.
//!
//! A run is reported only when that round trip succeeds: every character maps back to a byte of
//! the candidate code page, the bytes form valid UTF-8 sequences (2–4 characters each), and the
//! run is about Tamil: at least a quarter of its UTF-8 sequences are Tamil (`E0 AE|AF`), and it
//! holds one complete, exactly recovered, assigned Tamil letter or two Tamil sequences of any
//! quality. Neighbouring sequences separated by at most four ASCII spaces or punctuation
//! characters (no letters, digits or line breaks) form one run, so a damaged Tamil phrase is one
//! finding; non-Tamil mojibake inside such a run (`â€™`, `‚úÖ`, the CJK of `‡Æá‡Æü‰Ωì…`) is
//! recovered with it, but non-Tamil mojibake on its own is not this rule's business.
//!
//! # The lossy form
//!
//! Windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined, and Tamil needs them often:
//! ு is `E0 AF 81`, ் is `E0 AF 8D`, ஏ `E0 AE 8F`, ஐ `E0 AE 90`, ௐ `E0 AF 90`. Decoders turn them
//! into C1 controls (U+0081 …, the WHATWG way: mapped back exactly), into U+FFFD (the byte is
//! lost), or drop them (the sequence ends after `à®`/`à¯`; handled the same way as U+FFFD). A
//! lost byte is one of the five; the candidates are kept that give an assigned code point which
//! fits its context (a vowel sign or pulli needs a consonant before it; an independent vowel or
//! ௐ does not follow a bare consonant). When exactly one remains it is recovered; otherwise the
//! recovered text holds U+FFFD there and it is counted in `unrecovered`.
//!
//! This is weaker than one would hope: the assigned candidates are ஏ/ஐ for `E0 AE ?` and ு/்/ௐ
//! for `E0 AF ?`, so the only unique case is ௐ (after a non-consonant, where ு/் cannot stand).
//! A lost ு or ் after a consonant — nearly every lost byte in real Tamil — stays ambiguous:
//! of the 18084 lost bytes in the 1330 kurals read this way, 0 are restored. (Telling ு from ்
//! would need a word model, not a code-page rule.)
//!
//! `lossy` is set whenever a run shows placeholders for the undefined bytes (U+FFFD, dropped
//! bytes, or C1 controls in a Windows-1252 run); `unrecovered` says how many could not be
//! restored (0 for C1 controls).
//!
//! The code page reported: Mac Roman for `‡Æ` runs; for `à®` runs Latin-1 when a C1 control
//! appears that Windows-1252 cannot produce (not one of the five) or C1 controls appear with no
//! Windows-1252 printable character (€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ); Windows-1252 otherwise —
//! including runs whose bytes are all ≥ 0xA0, where the two cannot be told apart. Measured on
//! the kurals: 5305 of the 5320 Latin-1 and Windows-1252 runs get their code page right, the
//! rest are such undecidable runs.
//!
//! # Speed
//!
//! A `memchr2` pre-scan for the lead bytes of `à` (C3) and `‡` (E2) looks for the only four
//! byte patterns a Tamil run can start with (`à®`, `à¯`, `‡Æ`, `‡Ø`); text without them —
//! clean Tamil, English, accented European text — returns without further work (release build:
//! 98 MB of mixed Rust/Markdown in about 20 ms).
//!
//! # Measured (tests in this file)
//!
//! * False alarms: 0 on all 1330 kurals (tamil, english, english_explanation, transliteration,
//!   both commentaries), the 41 poems and meanings, the essay, and a sample of accented European
//!   text (French, German, Spanish, Portuguese, Scandinavian; typographic quotes and dashes).
//! * Catches: every kural turned into mojibake through Latin-1, Windows-1252 (WHATWG, C1 for
//!   undefined bytes), Windows-1252 with U+FFFD, Windows-1252 with undefined bytes dropped, and
//!   Mac Roman is found, one finding per line (2660 lines each); the exact variants recover the
//!   original byte for byte; the U+FFFD / dropped variants recover every letter except the lost
//!   ones.
//! * The VAZHI team's log (Mac Roman; measured on the whole file, tested on a 14-line excerpt in
//!   tests/data/reference/team-log-excerpt.txt): each of its 50 lines with `‡Æ` gets findings (54 in all), all
//!   Mac Roman and exact, e.g. `‡Æ§‡Æø‡Æ∞‡ØÅ…` → திருக்குறளின் முதல் குறள் என்ன; its emoji,
//!   arrows and Gujarati/Odia/Punjabi mojibake away from Tamil are not reported.
use std::ops::Range;

use unicode_normalization::char::is_public_assigned;

use super::unicode::{is_assigned_tamil, is_tamil_block, is_tamil_consonant, is_tamil_dependent};

/// One run of mojibake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mojibake {
    /// Byte range into the analysed text.
    pub span: Range<usize>,
    /// The run decoded back to what it was (U+FFFD where a lost byte could not be restored).
    pub recovered: String,
    /// The code page the UTF-8 bytes were wrongly decoded with.
    pub encoding: MisdecodedAs,
    /// Placeholders for Windows-1252's undefined bytes were found (U+FFFD, dropped bytes, C1).
    pub lossy: bool,
    /// How many of those placeholders could not be restored.
    pub unrecovered: usize,
}

/// A single-byte code page that UTF-8 text was wrongly decoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MisdecodedAs {
    Latin1,
    Windows1252,
    MacRoman,
}

/// Windows-1252 bytes 0x80..=0x9F; `None` for the five undefined bytes.
#[rustfmt::skip]
const WINDOWS_1252_C1: [Option<char>; 32] = [
    Some('\u{20AC}'), None, Some('\u{201A}'), Some('\u{0192}'), Some('\u{201E}'), Some('\u{2026}'), Some('\u{2020}'), Some('\u{2021}'), // 0x80
    Some('\u{02C6}'), Some('\u{2030}'), Some('\u{0160}'), Some('\u{2039}'), Some('\u{0152}'), None, Some('\u{017D}'), None, // 0x88
    None, Some('\u{2018}'), Some('\u{2019}'), Some('\u{201C}'), Some('\u{201D}'), Some('\u{2022}'), Some('\u{2013}'), Some('\u{2014}'), // 0x90
    Some('\u{02DC}'), Some('\u{2122}'), Some('\u{0161}'), Some('\u{203A}'), Some('\u{0153}'), None, Some('\u{017E}'), Some('\u{0178}'), // 0x98
];

/// The bytes Windows-1252 leaves undefined.
const WINDOWS_1252_UNDEFINED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

/// Mac OS Roman bytes 0x80..=0xFF (Apple's ROMAN.TXT: 0xDB is €, 0xBD is Ω U+03A9, 0xF0 is the
/// Apple logo U+F8FF).
#[rustfmt::skip]
const MAC_ROMAN_HIGH: [char; 128] = [
    '\u{00C4}', '\u{00C5}', '\u{00C7}', '\u{00C9}', '\u{00D1}', '\u{00D6}', '\u{00DC}', '\u{00E1}', // 0x80
    '\u{00E0}', '\u{00E2}', '\u{00E4}', '\u{00E3}', '\u{00E5}', '\u{00E7}', '\u{00E9}', '\u{00E8}', // 0x88
    '\u{00EA}', '\u{00EB}', '\u{00ED}', '\u{00EC}', '\u{00EE}', '\u{00EF}', '\u{00F1}', '\u{00F3}', // 0x90
    '\u{00F2}', '\u{00F4}', '\u{00F6}', '\u{00F5}', '\u{00FA}', '\u{00F9}', '\u{00FB}', '\u{00FC}', // 0x98
    '\u{2020}', '\u{00B0}', '\u{00A2}', '\u{00A3}', '\u{00A7}', '\u{2022}', '\u{00B6}', '\u{00DF}', // 0xA0
    '\u{00AE}', '\u{00A9}', '\u{2122}', '\u{00B4}', '\u{00A8}', '\u{2260}', '\u{00C6}', '\u{00D8}', // 0xA8
    '\u{221E}', '\u{00B1}', '\u{2264}', '\u{2265}', '\u{00A5}', '\u{00B5}', '\u{2202}', '\u{2211}', // 0xB0
    '\u{220F}', '\u{03C0}', '\u{222B}', '\u{00AA}', '\u{00BA}', '\u{03A9}', '\u{00E6}', '\u{00F8}', // 0xB8
    '\u{00BF}', '\u{00A1}', '\u{00AC}', '\u{221A}', '\u{0192}', '\u{2248}', '\u{2206}', '\u{00AB}', // 0xC0
    '\u{00BB}', '\u{2026}', '\u{00A0}', '\u{00C0}', '\u{00C3}', '\u{00D5}', '\u{0152}', '\u{0153}', // 0xC8
    '\u{2013}', '\u{2014}', '\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}', '\u{00F7}', '\u{25CA}', // 0xD0
    '\u{00FF}', '\u{0178}', '\u{2044}', '\u{20AC}', '\u{2039}', '\u{203A}', '\u{FB01}', '\u{FB02}', // 0xD8
    '\u{2021}', '\u{00B7}', '\u{201A}', '\u{201E}', '\u{2030}', '\u{00C2}', '\u{00CA}', '\u{00C1}', // 0xE0
    '\u{00CB}', '\u{00C8}', '\u{00CD}', '\u{00CE}', '\u{00CF}', '\u{00CC}', '\u{00D3}', '\u{00D4}', // 0xE8
    '\u{F8FF}', '\u{00D2}', '\u{00DA}', '\u{00DB}', '\u{00D9}', '\u{0131}', '\u{02C6}', '\u{02DC}', // 0xF0
    '\u{00AF}', '\u{02D8}', '\u{02D9}', '\u{02DA}', '\u{00B8}', '\u{02DD}', '\u{02DB}', '\u{02C7}', // 0xF8
];

/// (char, byte) pairs of [`MAC_ROMAN_HIGH`] sorted by char, built at compile time, for lookup.
const MAC_ROMAN_REVERSE: [(char, u8); 128] = {
    let mut table = [('\0', 0u8); 128];
    let mut i = 0;
    while i < 128 {
        table[i] = (MAC_ROMAN_HIGH[i], 0x80 + i as u8);
        i += 1;
    }
    // Insertion sort; const fn has no slice::sort.
    let mut j = 1;
    while j < 128 {
        let mut k = j;
        while k > 0 && (table[k - 1].0 as u32) > (table[k].0 as u32) {
            let swap = table[k - 1];
            table[k - 1] = table[k];
            table[k] = swap;
            k -= 1;
        }
        j += 1;
    }
    table
};

impl MisdecodedAs {
    /// The code page's usual name.
    pub fn name(&self) -> &'static str {
        match self {
            MisdecodedAs::Latin1 => "Latin-1",
            MisdecodedAs::Windows1252 => "Windows-1252",
            MisdecodedAs::MacRoman => "Mac Roman",
        }
    }

    /// Decodes bytes with this code page. Windows-1252's undefined bytes become the C1 control of
    /// the same value (as the WHATWG decoder does).
    pub fn decode(&self, bytes: &[u8]) -> String {
        bytes.iter().map(|&b| self.char_of(b)).collect()
    }

    /// The character a byte stands for in this code page.
    pub fn char_of(&self, byte: u8) -> char {
        match (self, byte) {
            (_, 0..=0x7F) | (MisdecodedAs::Latin1, _) | (MisdecodedAs::Windows1252, 0xA0..=0xFF) => char::from(byte),
            (MisdecodedAs::Windows1252, _) => WINDOWS_1252_C1[usize::from(byte - 0x80)].unwrap_or(char::from(byte)),
            (MisdecodedAs::MacRoman, _) => MAC_ROMAN_HIGH[usize::from(byte - 0x80)],
        }
    }

    /// The byte a character stands for in this code page, if any. Windows-1252 maps C1 controls
    /// back to their own value only for its five undefined bytes; Mac Roman also takes the older
    /// ¤ (U+00A4, 0xDB) and Ω (U+2126 OHM SIGN, 0xBD).
    pub fn byte_of(&self, c: char) -> Option<u8> {
        if c.is_ascii() {
            return u8::try_from(c).ok();
        }
        match self {
            MisdecodedAs::Latin1 => u8::try_from(c).ok(),
            MisdecodedAs::Windows1252 => match u8::try_from(c) {
                Ok(b @ 0xA0..=0xFF) => Some(b),
                Ok(b) if WINDOWS_1252_UNDEFINED.contains(&b) => Some(b),
                _ => windows_1252_special(c),
            },
            MisdecodedAs::MacRoman => match c {
                '\u{00A4}' => Some(0xDB),
                '\u{2126}' => Some(0xBD),
                _ => MAC_ROMAN_REVERSE
                    .binary_search_by_key(&(c as u32), |&(k, _)| k as u32)
                    .ok()
                    .map(|i| MAC_ROMAN_REVERSE[i].1),
            },
        }
    }

    /// Encodes text with this code page; `None` if a character has no byte.
    pub fn encode(&self, text: &str) -> Option<Vec<u8>> {
        text.chars().map(|c| self.byte_of(c)).collect()
    }
}

/// The byte of one of Windows-1252's 27 printable characters in 0x80..=0x9F.
fn windows_1252_special(c: char) -> Option<u8> {
    let i = WINDOWS_1252_C1.iter().position(|&x| x == Some(c))?;
    u8::try_from(0x80 + i).ok()
}

/// What a character of a Latin-1 / Windows-1252 reading says about the byte behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LatinByte {
    /// U+00A0..=U+00FF: the same byte in both code pages.
    Shared(u8),
    /// A C1 control U+0080..=U+009F: Latin-1, or Windows-1252's undefined byte of that value.
    Control(u8),
    /// One of Windows-1252's printable characters in 0x80..=0x9F.
    Special(u8),
    /// U+FFFD: a decoder lost one of Windows-1252's undefined bytes.
    Lost,
}

impl LatinByte {
    fn of(c: char) -> Option<LatinByte> {
        match c as u32 {
            0x80..=0x9F => u8::try_from(c).ok().map(LatinByte::Control),
            0xA0..=0xFF => u8::try_from(c).ok().map(LatinByte::Shared),
            0xFFFD => Some(LatinByte::Lost),
            _ => windows_1252_special(c).map(LatinByte::Special),
        }
    }

    fn byte(self) -> Option<u8> {
        match self {
            LatinByte::Shared(b) | LatinByte::Control(b) | LatinByte::Special(b) => Some(b),
            LatinByte::Lost => None,
        }
    }
}

/// Which family of code pages a scan reverses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// Latin-1 and Windows-1252 together (they share 0xA0..=0xFF).
    Latin,
    MacRoman,
}

/// One UTF-8 sequence recovered from 2–4 characters.
#[derive(Debug, Clone)]
struct Sequence {
    span: Range<usize>,
    /// U+FFFD when a lost byte could not be restored.
    decoded: char,
    /// The bytes start `E0 AE` / `E0 AF`: a Tamil-block sequence, whatever its third byte.
    tamil_lead: bool,
    /// Placeholders for undefined bytes (U+FFFD or dropped) in this sequence.
    lost: bool,
    /// Bytes lost and not restored.
    unrecovered: bool,
    /// A C1 control that is not one of Windows-1252's undefined bytes (proves Latin-1).
    latin1_control: bool,
    /// A C1 control standing for an undefined Windows-1252 byte.
    undefined_control: bool,
    /// A Windows-1252 printable character from 0x80..=0x9F (proves Windows-1252).
    windows_special: bool,
}

impl Sequence {
    fn is_exact_tamil(&self) -> bool {
        !self.lost && is_tamil_block(self.decoded) && is_assigned_tamil(self.decoded)
    }
}

/// Byte patterns a Tamil run starts with: `à®`, `à¯` (Latin family) and `‡Æ`, `‡Ø` (Mac Roman).
fn prescan(bytes: &[u8]) -> (bool, bool) {
    let (mut latin, mut mac) = (false, false);
    for i in memchr::memchr2_iter(0xC3, 0xE2, bytes) {
        let rest = &bytes[i..];
        latin |= rest.starts_with(b"\xC3\xA0\xC2\xAE") || rest.starts_with(b"\xC3\xA0\xC2\xAF");
        mac |= rest.starts_with(b"\xE2\x80\xA1\xC3\x86") || rest.starts_with(b"\xE2\x80\xA1\xC3\x98");
        if latin && mac {
            break;
        }
    }
    (latin, mac)
}

/// Does `candidate` fit after `prev` in well-formed Tamil?
fn fits_after(prev: char, candidate: char) -> bool {
    if is_tamil_dependent(candidate) {
        return is_tamil_consonant(prev);
    }
    let independent = ('\u{0B85}'..='\u{0B94}').contains(&candidate) || candidate == '\u{0BD0}';
    !(independent && is_tamil_consonant(prev))
}

/// Is this a plausible decoded code point (assigned, not a control)?
fn plausible(c: char) -> bool {
    if is_tamil_block(c) {
        return is_assigned_tamil(c);
    }
    is_public_assigned(c) && !c.is_control()
}

/// Restores one lost byte at `position` of `bytes`: the unique fitting candidate, if any.
fn restore(bytes: &mut [u8], position: usize, prev: char) -> Option<char> {
    let mut found = None;
    for candidate in WINDOWS_1252_UNDEFINED {
        bytes[position] = candidate;
        let Ok(s) = std::str::from_utf8(bytes) else {
            continue;
        };
        let Some(c) = s.chars().next() else { continue };
        if plausible(c) && fits_after(prev, c) {
            if found.is_some() {
                return None;
            }
            found = Some(c);
        }
    }
    found
}

/// Length of the UTF-8 sequence a lead byte starts; `None` for bytes that cannot lead.
fn sequence_len(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

/// Finds the UTF-8 sequences hidden in `chars` when read back through `family`.
fn sequences(chars: &[(usize, char)], text_len: usize, family: Family) -> Vec<Sequence> {
    let end_of = |i: usize| chars.get(i).map_or(text_len, |&(at, _)| at);
    let mut found: Vec<Sequence> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let at = chars[i].0;
        let Some(parsed) = parse_at(chars, i, family) else {
            i += 1;
            continue;
        };
        let Parsed {
            mut bytes,
            len,
            consumed,
            lost_at,
            evidence,
        } = parsed;
        // The letter before, for restoring a lost byte: a sign needs a consonant before it.
        let prev = match found.last() {
            Some(last) if last.span.end == at => last.decoded,
            _ => ' ',
        };
        let decoded = match lost_at {
            None => std::str::from_utf8(&bytes[..len]).ok().and_then(|s| s.chars().next()),
            Some(position) => Some(restore(&mut bytes[..len], position, prev).unwrap_or('\u{FFFD}')),
        };
        let Some(decoded) = decoded else {
            i += 1;
            continue;
        };
        found.push(Sequence {
            span: at..end_of(i + consumed),
            decoded,
            tamil_lead: bytes[0] == 0xE0 && matches!(bytes[1], 0xAE | 0xAF),
            lost: lost_at.is_some(),
            unrecovered: decoded == '\u{FFFD}',
            latin1_control: evidence.latin1_control,
            undefined_control: evidence.undefined_control,
            windows_special: evidence.windows_special,
        });
        i += consumed;
    }
    found
}

#[derive(Debug, Default, Clone, Copy)]
struct Evidence {
    latin1_control: bool,
    undefined_control: bool,
    windows_special: bool,
}

struct Parsed {
    bytes: [u8; 4],
    len: usize,
    /// Characters consumed.
    consumed: usize,
    /// Index in `bytes` of a lost byte (U+FFFD or dropped), if any.
    lost_at: Option<usize>,
    evidence: Evidence,
}

/// Reads one UTF-8 sequence starting at character `i`, through the code page family.
fn parse_at(chars: &[(usize, char)], i: usize, family: Family) -> Option<Parsed> {
    let mut evidence = Evidence::default();
    let mut byte_at = |j: usize| -> Option<Option<u8>> {
        let &(_, c) = chars.get(j)?;
        match family {
            Family::MacRoman if !c.is_ascii() => MisdecodedAs::MacRoman.byte_of(c).map(Some),
            Family::MacRoman => None,
            Family::Latin => {
                let b = LatinByte::of(c)?;
                match b {
                    LatinByte::Control(x) if WINDOWS_1252_UNDEFINED.contains(&x) => evidence.undefined_control = true,
                    LatinByte::Control(_) => evidence.latin1_control = true,
                    LatinByte::Special(_) => evidence.windows_special = true,
                    LatinByte::Shared(_) | LatinByte::Lost => {}
                }
                Some(b.byte())
            }
        }
    };
    let lead = byte_at(i)??;
    let len = sequence_len(lead)?;
    let mut bytes = [lead, 0, 0, 0];
    let mut lost_at = None;
    for k in 1..len {
        match byte_at(i + k) {
            Some(Some(b @ 0x80..=0xBF)) => bytes[k] = b,
            Some(None) if lost_at.is_none() => lost_at = Some(k),
            _ if family == Family::Latin
                && k == 2
                && lead == 0xE0
                && matches!(bytes[1], 0xAE | 0xAF)
                && lost_at.is_none() =>
            {
                // The third byte of a Tamil sequence was dropped by the decoder.
                return Some(Parsed {
                    bytes,
                    len,
                    consumed: 2,
                    lost_at: Some(2),
                    evidence,
                });
            }
            _ => return None,
        }
    }
    Some(Parsed {
        bytes,
        len,
        consumed: len,
        lost_at,
        evidence,
    })
}

/// May the text between two sequences join them into one run?
fn joinable_gap(gap: &str) -> bool {
    gap.len() <= 4 && gap.bytes().all(|b| b == b' ' || b == b'\t' || b.is_ascii_punctuation())
}

/// Groups sequences into runs and keeps the mostly-Tamil ones.
fn runs(text: &str, found: &[Sequence], family: Family, out: &mut Vec<Mojibake>) {
    let mut start = 0;
    while start < found.len() {
        let mut end = start + 1;
        while end < found.len() && joinable_gap(&text[found[end - 1].span.end..found[end].span.start]) {
            end += 1;
        }
        let run = &found[start..end];
        start = end;
        let tamil = run.iter().filter(|s| s.tamil_lead).count();
        let exact = run.iter().filter(|s| s.is_exact_tamil()).count();
        let non_ascii = run.len();
        if tamil * 4 < non_ascii || !(exact >= 1 || tamil >= 2) {
            continue;
        }
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            continue;
        };
        let mut recovered = String::new();
        let mut cursor = first.span.start;
        for s in run {
            recovered.push_str(&text[cursor..s.span.start]);
            recovered.push(s.decoded);
            cursor = s.span.end;
        }
        let encoding = match family {
            Family::MacRoman => MisdecodedAs::MacRoman,
            Family::Latin
                if run.iter().any(|s| s.latin1_control)
                    || (run.iter().any(|s| s.undefined_control) && !run.iter().any(|s| s.windows_special)) =>
            {
                MisdecodedAs::Latin1
            }
            Family::Latin => MisdecodedAs::Windows1252,
        };
        let lossy = run.iter().any(|s| s.lost)
            || (encoding == MisdecodedAs::Windows1252 && run.iter().any(|s| s.undefined_control));
        out.push(Mojibake {
            span: first.span.start..last.span.end,
            recovered,
            encoding,
            lossy,
            unrecovered: run.iter().filter(|s| s.unrecovered).count(),
        });
    }
}

/// Finds runs of Tamil mojibake (UTF-8 Tamil decoded as Latin-1, Windows-1252 or Mac Roman).
pub fn find_mojibake(text: &str) -> Vec<Mojibake> {
    let (latin, mac) = prescan(text.as_bytes());
    if !latin && !mac {
        return Vec::new();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    for (family, wanted) in [(Family::Latin, latin), (Family::MacRoman, mac)] {
        if wanted {
            let found = sequences(&chars, text.len(), family);
            runs(text, &found, family, &mut out);
        }
    }
    out.sort_by_key(|m| m.span.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::*;

    const EUROPEAN: &str = "Le café était déjà fermé à l’heure où Noël arriva — « naïve », dit-il… \
        Größe, Übermäßig, Fußgänger, Ärger; señor, niño, ¿Qué pasó? ¡Olé! \
        ação, coração, é, às vezes; Ærø, Østergård, Åsa, smørrebrød, fjäll, Malmö; \
        “quoted” ‘single’ – en – dash — em; 5 €, 10 £, © ® ™ ° ± ½ ¼ ¾ µ ¶ §; \
        façade, rôle, Zoë, coöperate, Brontë, Dvořák, Ångström, Curaçao, São Paulo.";

    /// Windows-1252 decoding the way lossy decoders do it: undefined bytes become U+FFFD.
    fn windows_1252_replacing(bytes: &[u8]) -> String {
        bytes
            .iter()
            .map(|&b| {
                if WINDOWS_1252_UNDEFINED.contains(&b) {
                    '\u{FFFD}'
                } else {
                    MisdecodedAs::Windows1252.char_of(b)
                }
            })
            .collect()
    }

    /// Windows-1252 decoding that drops undefined bytes.
    fn windows_1252_dropping(bytes: &[u8]) -> String {
        bytes
            .iter()
            .filter(|b| !WINDOWS_1252_UNDEFINED.contains(b))
            .map(|&b| MisdecodedAs::Windows1252.char_of(b))
            .collect()
    }

    /// The text with every finding's span replaced by its recovered text.
    fn repaired(text: &str, found: &[Mojibake]) -> String {
        let mut out = String::new();
        let mut cursor = 0;
        for m in found {
            out.push_str(&text[cursor..m.span.start]);
            out.push_str(&m.recovered);
            cursor = m.span.end;
        }
        out.push_str(&text[cursor..]);
        out
    }

    #[test]
    fn code_page_tables() {
        for page in [MisdecodedAs::Latin1, MisdecodedAs::Windows1252, MisdecodedAs::MacRoman] {
            let all: Vec<u8> = (0..=255).collect();
            let text = page.decode(&all);
            assert_eq!(page.encode(&text), Some(all), "{}", page.name());
        }
        assert!(MAC_ROMAN_REVERSE.windows(2).all(|w| (w[0].0 as u32) < (w[1].0 as u32)));
        assert_eq!(MisdecodedAs::MacRoman.decode(&[0xE0, 0xAE, 0xA4]), "‡Æ§");
        assert_eq!(MisdecodedAs::MacRoman.decode(&[0xE2, 0x9C, 0x85]), "‚úÖ");
        assert_eq!(
            MisdecodedAs::Windows1252.decode("தமிழ்".as_bytes()),
            "à®¤à®®à®¿à®´à¯\u{8D}"
        );
        assert_eq!(MisdecodedAs::Latin1.decode("க".as_bytes()), "à®\u{95}");
        assert_eq!(MisdecodedAs::Windows1252.decode("க".as_bytes()), "à®•");
        assert_eq!(MisdecodedAs::Windows1252.byte_of('\u{0095}'), None);
        assert_eq!(MisdecodedAs::MacRoman.byte_of('¤'), Some(0xDB));
    }

    #[test]
    fn clean_text_is_not_mojibake() {
        for (field, text) in tamil_texts() {
            assert!(find_mojibake(&text).is_empty(), "{field}: {text}");
        }
        for name in ["english", "english_explanation", "transliteration"] {
            for text in field(KURALS, name) {
                assert!(find_mojibake(&text).is_empty(), "{text}");
            }
        }
        assert!(find_mojibake(ESSAY).is_empty());
        assert!(find_mojibake(EUROPEAN).is_empty());
        assert!(find_mojibake("Voilà® — à¯ only").is_empty());
        // Non-Tamil mojibake alone is not this rule's business.
        assert!(find_mojibake("â€œquotedâ€\u{9D} and ‚úÖ done").is_empty());
    }

    #[test]
    fn kurals_through_every_code_page() {
        let kurals = field(KURALS, "tamil");
        let mut matched = 0;
        let mut runs = 0;
        for kural in &kurals {
            let bytes = kural.as_bytes();
            for page in [MisdecodedAs::Latin1, MisdecodedAs::Windows1252, MisdecodedAs::MacRoman] {
                let damaged = page.decode(bytes);
                let found = find_mojibake(&damaged);
                assert_eq!(found.len(), 2, "{}: one finding per line of {kural}", page.name());
                assert_eq!(repaired(&damaged, &found), *kural, "{}", page.name());
                for m in &found {
                    assert_eq!(m.unrecovered, 0);
                    let undefined = m.recovered.chars().any(|c| matches!(c, 'ு' | '்' | 'ஏ' | 'ஐ' | 'ௐ'));
                    match page {
                        MisdecodedAs::MacRoman => assert_eq!(m.encoding, MisdecodedAs::MacRoman),
                        // Without a printable 0x80..0x9F character the two are indistinguishable.
                        _ => assert_ne!(m.encoding, MisdecodedAs::MacRoman),
                    }
                    matched += usize::from(m.encoding == page);
                    // Windows-1252's undefined bytes as C1 controls: exact, but reported as lossy.
                    assert_eq!(m.lossy, m.encoding == MisdecodedAs::Windows1252 && undefined);
                }
                runs += found.len();
            }
        }
        assert_eq!(runs, kurals.len() * 6);
        // Nearly every line has a character only one of Latin-1 / Windows-1252 produces
        // (க = E0 AE 95 → U+0095 or •).
        assert!(matched * 1000 >= runs * 995, "{matched} of {runs}");
    }

    #[test]
    fn lossy_windows_1252() {
        let mut lost = 0;
        let mut unrecovered = 0;
        for kural in field(KURALS, "tamil") {
            let bytes = kural.as_bytes();
            let undefined = bytes.iter().filter(|b| WINDOWS_1252_UNDEFINED.contains(b)).count();
            for damaged in [windows_1252_replacing(bytes), windows_1252_dropping(bytes)] {
                let found = find_mojibake(&damaged);
                assert_eq!(found.len(), 2, "{damaged}");
                let fixed = repaired(&damaged, &found);
                // Same letters except where a lost byte stayed ambiguous.
                assert_eq!(fixed.chars().count(), kural.chars().count());
                for (got, want) in fixed.chars().zip(kural.chars()) {
                    assert!(got == want || got == '\u{FFFD}', "{fixed} vs {kural}");
                }
                let holes = found.iter().map(|m| m.unrecovered).sum::<usize>();
                assert_eq!(holes, fixed.matches('\u{FFFD}').count());
                assert!(holes <= undefined);
                assert!(found.iter().all(|m| m.encoding == MisdecodedAs::Windows1252));
                assert_eq!(found.iter().any(|m| m.lossy), undefined > 0);
                lost += undefined;
                unrecovered += holes;
            }
        }
        // ு and ் after a consonant cannot be told apart: nearly every lost byte stays a hole.
        assert_eq!(unrecovered, lost);
        assert!(lost > 0);
    }

    #[test]
    fn lossy_unique_recovery() {
        // ௐ after a space: ு and ் need a consonant, so ௐ is the only candidate.
        let text = "ௐ நமசிவாய";
        let damaged = windows_1252_replacing(text.as_bytes());
        let found = find_mojibake(&damaged);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].recovered, text);
        assert!(found[0].lossy);
        assert_eq!(found[0].unrecovered, 0);
        // ு after a consonant: ு, ் both fit.
        let damaged = windows_1252_replacing("கு".as_bytes());
        let found = find_mojibake(&damaged);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].recovered, "க\u{FFFD}");
        assert_eq!(found[0].unrecovered, 1);
    }

    #[test]
    fn spans_in_mixed_text() {
        let tamil = "தமிழ் மொழி";
        let text = format!(
            "Answer: {} (see “notes”).",
            MisdecodedAs::Windows1252.decode(tamil.as_bytes())
        );
        let found = find_mojibake(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].recovered, tamil);
        assert!(text[found[0].span.clone()].starts_with("à®¤"));
        assert!(text[..found[0].span.start].ends_with("Answer: "));
        assert!(text[found[0].span.end..].starts_with(" (see"));
        // Typographic apostrophe mojibake next to Tamil joins the run.
        let text = MisdecodedAs::Windows1252.decode("தமிழ்’s".as_bytes());
        let found = find_mojibake(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].recovered, "தமிழ்’");
    }

    #[test]
    fn team_log_in_mac_roman() {
        let lines: Vec<&str> = TEAM_LOG
            .lines()
            .filter(|l| l.contains("‡Æ") || l.contains("‡Ø"))
            .collect();
        assert_eq!(lines.len(), 9);
        let mut total = 0;
        for line in lines {
            let found = find_mojibake(line);
            assert!(!found.is_empty(), "{line}");
            for m in &found {
                assert_eq!(m.encoding, MisdecodedAs::MacRoman);
                assert!(!m.lossy);
                assert!(m.recovered.chars().any(is_tamil_block));
            }
            total += found.len();
        }
        let q = "Q: ‡Æ§‡Æø‡Æ∞‡ØÅ‡Æï‡Øç‡Æï‡ØÅ‡Æ±‡Æ≥‡Æø‡Æ©‡Øç ‡ÆÆ‡ØÅ‡Æ§‡Æ≤‡Øç ‡Æï‡ØÅ‡Æ±‡Æ≥‡Øç ‡Æé‡Æ©‡Øç‡Æ©?";
        let found = find_mojibake(q);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].recovered, "திருக்குறளின் முதல் குறள் என்ன");
        assert_eq!(&q[found[0].span.end..], "?");
        // One line holds two runs: `message-‡Æê ‡Æé‡Æ™‡Øç‡Æ™‡Æü‡Æø identify ‡Æ™‡Æ£‡Øç‡Æ±‡Æ§‡ØÅ?`.
        assert_eq!(total, 10);
        // The emoji and the Gujarati / Odia / Punjabi lines are not Tamil: not this rule's.
        let recovered: Vec<String> = find_mojibake(TEAM_LOG).into_iter().map(|m| m.recovered).collect();
        assert!(recovered.contains(&"✅ சென்னை | ✅✅".to_owned()), "{recovered:?}");
        assert!(recovered.iter().all(|r| !r.contains("ઓ")));
    }
}
