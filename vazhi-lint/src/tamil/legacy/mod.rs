//! Pre-Unicode Tamil font encodings (`legacy-encoding`, warning): TSCII 1.7 and Bamini.
//!
//! # What it detects, and why
//!
//! Before Unicode, Tamil was typed in 8-bit "glyph" encodings: each byte is a glyph (a consonant,
//! a vowel sign, a consonant with its ு/ூ or pulli built in), stored in visual order, so the vowel
//! signs ெ ே ை come *before* their consonant. Such text pasted into a Unicode corpus shows up as
//! Latin characters in a field that should be Tamil, and a model trained on it learns noise.
//!
//! * **TSCII 1.7** puts the glyphs in 0x80..=0xFF. Read as Latin-1 or Windows-1252, Tamil words
//!   become words made only of characters U+0080..U+00FF (and Windows-1252's „…‘’“”•–— etc.):
//!   `¾Á¢ú` is தமிழ். The table is TSCII 1.7 as glibc's `iconv -f TSCII` has it (checked byte by
//!   byte in the tests). [`tscii_to_unicode`] moves the prefix signs after their consonant, joins
//!   the two-part vowels (ெ+C+ா → ொ, ே+C+ா → ோ, ெ+C+ௗ → ௌ — glibc leaves ௌ decomposed and
//!   does not reorder around க்ஷ; this decoder does both) and emits NFC. TSCII 1.7 has no glyph
//!   for ஶ (U+0BB6), ௐ, the anusvara ஂ and the signs ௳..௺: [`unicode_to_tscii`] refuses them;
//!   every other Tamil letter round-trips (all 4047 representable reference texts do).
//! * **Bamini** (and fonts laid out like it, e.g. "TamilBible") maps glyphs onto plain ASCII:
//!   `f` = க, `h` = ா, `;` = the pulli, `n` = ெ (typed before the consonant), `F` = கு, `[` = ஜ,
//!   `\` = ஷ, `]` = ஸ, `` ` `` = ஹ, `,` = இ, `>` = the comma. `jkpo;` is தமிழ், `jpUf;Fws;` is
//!   திருக்குறள். The table was written from the font's layout and checked against every
//!   reference text ([`unicode_to_bamini`] then [`bamini_to_unicode`] gives the text back).
//!   Decoding is best-effort: Bamini types ௌ exactly like ெ+ள (`nfs`), read here as ௌ unless a
//!   sign follows the `s`; an இ at the end of a word (`,`) is read as a comma; glyph variants
//!   (`H` for ர், `Jh`/`J}` for தூ) are accepted.
//!
//! # How detection stays conservative
//!
//! A line is cut into words: maximal runs of the font's glyphs (TSCII: characters whose Latin-1 /
//! Windows-1252 byte is ≥ 0x80; Bamini: ASCII letters and the font's symbols). Spaces, digits
//! and other ASCII punctuation separate words of one run; line breaks, letters of other scripts
//! (and for TSCII, ASCII letters) end it. A word takes part only if it is *well-formed* in the
//! font — every prefix sign is followed by a consonant glyph, every postfix sign (ா ி ீ ு ூ ், ௗ)
//! follows a consonant — and is not excluded:
//!
//! * TSCII: words that are UTF-8 read through a code page — a Tamil sequence `E0 AE|AF xx` or
//!   `‡Æ`/`‡Ø` (left to the mojibake rule), or a word of 3+ characters whose bytes are valid
//!   UTF-8 decoding to symbols/emoji or to letters of one non-Latin script (`â€™`, `‚úÖ`,
//!   `ÐŸÑ€Ð¸`); words glued to letters of another script (fragments of Mac Roman mojibake).
//! * Bamini: words that cannot start a Tamil word (ங ஞ ண ழ ள ற ன, or a cluster, as English
//!   `s…` `d…` `w…` `o…` `z…` read), HTML entities (`&amp;`), and 75 common English words.
//!
//! A run is reported when:
//!
//! * TSCII: 3+ Tamil letters, at least half its words 2+ glyphs long, and at least one separate
//!   vowel-sign glyph (bytes A1..A8, which Latin-1 shows as the symbols ¡¢£¤¥¦§¨). Runs of
//!   accented letters (`öäüß`, `éééé`, `ÆØÅ`) never have one.
//! * Bamini: 2+ words (or one word with a pulli inside it), 4+ letters, a pulli `;` in a quarter
//!   of the words and either inside a word or in two words, and Tamil evidence English and code
//!   lack: a geminate or nasal+stop cluster (`j;j` த்த, `e;j` ந்த), or a capital after a lowercase
//!   letter in a word that also has a pulli inside, or in a run of 3+ words half of which carry
//!   a pulli. (`blue; yellow;`, `la;rm -rf build;make`, camelCase `AllSelected;` do not pass.)
//!
//! `confidence` = 1 − 1/(1 + s) · 4/(4 + l), with l the Tamil letters and s the structure glyphs
//! (signs, pulli forms, built-in ு/ூ forms): a three-letter word with one sign scores 0.71, a
//! kural line about 0.98.
//!
//! # Speed
//!
//! TSCII needs a byte C2/C3 (a character U+0080..U+00FF), Bamini a `;` after an ASCII letter;
//! without them the function returns after a `memchr` pass. Otherwise only the lines holding the
//! trigger are read (runs never cross lines). Measured (release): clean Tamil over 1 GB/s, Pope's
//! English 400 MB/s, 98 MB of Rust crate sources and docs (`;` everywhere) 165 MB/s.
//!
//! # Measured
//!
//! False alarms: 0 findings on the 1330 Pope verses, 1330 `english_explanation`s and 1330
//! romanised `transliteration`s; on all Tamil reference text (kurals, both commentaries, poems,
//! the essay); on the team log (English, code, Mac Roman mojibake of Tamil, emoji and other
//! scripts; whole file measured, excerpt tested); on accented European text;
//! on an adversarial sample of CSS, HTML entities, C/Rust/SQL/shell/LaTeX and `;`-separated
//! English lists; on every kural turned into Latin-1/Windows-1252/Mac Roman mojibake (tests
//! check every fifth).
//! And 0 on 98 MB of Rust crate sources and Markdown docs from the cargo registry (measured once,
//! outside the tests).
//!
//! Recall (tests):
//! * TSCII, each reading (Latin-1 and Windows-1252): 2631 of the 2660 kural lines decoded back
//!   exactly (the other 29 keep a word with no vowel-sign glyph, `ÀñÒõ ÀÂÛõ «Ð`, out of any run);
//!   every commentary, poem and meaning (5434 readings) decoded back exactly (tests check every
//!   third).
//! * Bamini: 2546 of 2660 kural lines found, 8861 of 9311 kural words covered (short lines with
//!   at most one pulli, `MFy ePu gpw.`, stay below the thresholds); 2367 of 2380 commentaries,
//!   poems and meanings decoded back exactly (ௌ and ெள counted equal; tests check every third
//!   and require 99%).
//!
//! # Parts
//!
//! `glyph` holds what both codecs share (the glyph kinds, the glyph reader, the syllable split
//! for encoding); `tscii` and `bamini` hold one codec each ([`tscii_to_unicode`],
//! [`unicode_to_tscii`], [`bamini_to_unicode`], [`unicode_to_bamini`]); `detect` holds
//! [`find_legacy_encoding`] and what it reports ([`LegacyEncoded`], [`LegacyFont`]).

mod bamini;
mod detect;
mod glyph;
mod tscii;

pub use bamini::{bamini_to_unicode, unicode_to_bamini};
pub use detect::{LegacyEncoded, LegacyFont, find_legacy_encoding};
pub use tscii::{tscii_to_unicode, unicode_to_tscii};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tamil::unicode::PULLI;
    use crate::test_data::*;
    use unicode_normalization::UnicodeNormalization;

    /// Bamini writes ௌ and ெள alike; compare with ௌ spelled out.
    fn au(text: &str) -> String {
        text.replace('ௌ', "ெள")
    }

    fn nfc(text: &str) -> String {
        text.replace('\u{200C}', "").nfc().collect()
    }

    #[test]
    fn converters_round_trip_reference_text() {
        let (mut tscii, mut bamini) = (0, 0);
        let mut refused = std::collections::BTreeMap::new();
        for (field, text) in tamil_texts() {
            let original = nfc(&text);
            match unicode_to_tscii(&original) {
                Ok(bytes) => {
                    assert_eq!(tscii_to_unicode(&bytes), original, "{field}");
                    tscii += 1;
                }
                Err(c) => *refused.entry(c).or_insert(0) += 1,
            }
            if let Ok(ascii) = unicode_to_bamini(&original) {
                assert!(ascii.is_ascii());
                assert_eq!(au(&bamini_to_unicode(&ascii)), au(&original), "{field}: {ascii}");
                bamini += 1;
            }
        }
        // 1330 × 3 kural fields + 41 × 2 poem fields. TSCII refuses the texts with a pulli after
        // a vowel sign (the commentaries' typos) and with — … । (no TSCII byte).
        let expected = [('।', 2), ('—', 1), ('…', 3), (PULLI, 19)];
        assert_eq!(refused, expected.into_iter().collect());
        assert_eq!(tscii, 4072 - 25);
        // Bamini also refuses the 337 of those texts that hold an ASCII `;` (its pulli glyph).
        assert_eq!(bamini, 4047 - 337);
    }
}
