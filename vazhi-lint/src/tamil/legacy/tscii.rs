//! TSCII 1.7: the byte table (glibc's), and decoding to and encoding from Unicode Tamil.

use std::sync::LazyLock;

use super::glyph::{Glyph, Reverse, Syllable, read_glyphs, syllables};

/// TSCII 1.7, bytes 0x80..=0xFF (glibc's TSCII table). 0xA0 is unused (no-break space here),
/// 0xFF undefined; 0xAD and 0xFE both hold இ.
#[rustfmt::skip]
const TSCII_HIGH: [Glyph; 128] = {
    use Glyph::{Consonant as C, Letter as L, Postfix as Post, Prefix as Pre, Symbol as S};
    [
        S("௦"), S("௧"), L("ஸ்ரீ"), C("ஜ"), C("ஷ"), C("ஸ"), C("ஹ"), C("க்ஷ"), // 0x80
        L("ஜ்"), L("ஷ்"), L("ஸ்"), L("ஹ்"), L("க்ஷ்"), S("௨"), S("௩"), S("௪"), // 0x88
        S("௫"), S("\u{2018}"), S("\u{2019}"), S("\u{201C}"), S("\u{201D}"), S("௬"), S("௭"), S("௮"), // 0x90
        S("௯"), L("ஙு"), L("ஞு"), L("ஙூ"), L("ஞூ"), S("௰"), S("௱"), S("௲"), // 0x98
        S("\u{00A0}"), Post('ா'), Post('ி'), Post('ீ'), Post('ு'), Post('ூ'), Pre('ெ'), Pre('ே'), // 0xA0
        Pre('ை'), S("©"), Post('ௗ'), L("அ"), L("ஆ"), L("இ"), L("ஈ"), L("உ"), // 0xA8
        L("ஊ"), L("எ"), L("ஏ"), L("ஐ"), L("ஒ"), L("ஓ"), L("ஔ"), L("ஃ"), // 0xB0
        C("க"), C("ங"), C("ச"), C("ஞ"), C("ட"), C("ண"), C("த"), C("ந"), // 0xB8
        C("ப"), C("ம"), C("ய"), C("ர"), C("ல"), C("வ"), C("ழ"), C("ள"), // 0xC0
        C("ற"), C("ன"), L("டி"), L("டீ"), L("கு"), L("சு"), L("டு"), L("ணு"), // 0xC8
        L("து"), L("நு"), L("பு"), L("மு"), L("யு"), L("ரு"), L("லு"), L("வு"), // 0xD0
        L("ழு"), L("ளு"), L("று"), L("னு"), L("கூ"), L("சூ"), L("டூ"), L("ணூ"), // 0xD8
        L("தூ"), L("நூ"), L("பூ"), L("மூ"), L("யூ"), L("ரூ"), L("லூ"), L("வூ"), // 0xE0
        L("ழூ"), L("ளூ"), L("றூ"), L("னூ"), L("க்"), L("ங்"), L("ச்"), L("ஞ்"), // 0xE8
        L("ட்"), L("ண்"), L("த்"), L("ந்"), L("ப்"), L("ம்"), L("ய்"), L("ர்"), // 0xF0
        L("ல்"), L("வ்"), L("ழ்"), L("ள்"), L("ற்"), L("ன்"), L("இ"), S("\u{FFFD}"), // 0xF8
    ]
};

/// The glyph of a TSCII byte; ASCII bytes are `None` (they stand for themselves).
pub(super) fn tscii_glyph(byte: u8) -> Option<Glyph> {
    byte.checked_sub(0x80).map(|i| TSCII_HIGH[usize::from(i)])
}

/// Converts TSCII 1.7 bytes to Unicode Tamil (NFC). ASCII bytes stay as they are; prefix vowel
/// signs are moved after their consonant and two-part vowels are joined. A sign with no
/// consonant is kept, out of place, as the Unicode sign.
pub fn tscii_to_unicode(bytes: &[u8]) -> String {
    read_glyphs(bytes.iter().map(|&b| (tscii_glyph(b), char::from(b))), false, true).text
}

static TSCII_REVERSE: LazyLock<Reverse<u8>> =
    LazyLock::new(|| Reverse::new((0x80..=0xFF).filter_map(|b| Some((tscii_glyph(b)?, b)))));

/// Converts Unicode Tamil to TSCII 1.7 bytes (the inverse of [`tscii_to_unicode`]); the error is
/// the first character TSCII cannot represent (ஶ, ௐ, ஂ, ௳..௺, non-Latin scripts …).
pub fn unicode_to_tscii(text: &str) -> Result<Vec<u8>, char> {
    use unicode_normalization::UnicodeNormalization;
    let nfc: String = text.nfc().collect();
    let mut out = Vec::new();
    for Syllable { base, sign } in syllables(&nfc) {
        let first = base.chars().next().unwrap_or('\0');
        if base.len() == 1 {
            out.push(u8::try_from(first).map_err(|_| first)?);
            continue;
        }
        let reverse = &*TSCII_REVERSE;
        let letter = |s: &str| reverse.letters.get(s).copied();
        let Some(&consonant) = reverse.consonants.get(base) else {
            // A complete letter or a symbol.
            out.push(letter(base).ok_or(first)?);
            continue;
        };
        match sign {
            None => out.push(consonant),
            Some(s @ ('ெ' | 'ே' | 'ை')) => {
                out.extend([reverse.prefixes.get(&s).copied().ok_or(s)?, consonant]);
            }
            Some('ொ') => out.extend([0xA6, consonant, 0xA1]),
            Some('ோ') => out.extend([0xA7, consonant, 0xA1]),
            Some('ௌ') => out.extend([0xA6, consonant, 0xAA]),
            Some(s) => match letter(&format!("{base}{s}")) {
                Some(byte) => out.push(byte),
                None => out.extend([consonant, reverse.postfixes.get(&s).copied().ok_or(s)?]),
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tscii_table_is_glibcs() {
        // `iconv -f TSCII -t UTF-8` (glibc) of each byte alone.
        let glibc: [&str; 128] = [
            "௦",
            "௧",
            "ஸ்ரீ",
            "ஜ",
            "ஷ",
            "ஸ",
            "ஹ",
            "க்ஷ", // 0x80
            "ஜ்",
            "ஷ்",
            "ஸ்",
            "ஹ்",
            "க்ஷ்",
            "௨",
            "௩",
            "௪", // 0x88
            "௫",
            "\u{2018}",
            "\u{2019}",
            "\u{201C}",
            "\u{201D}",
            "௬",
            "௭",
            "௮", // 0x90
            "௯",
            "ஙு",
            "ஞு",
            "ஙூ",
            "ஞூ",
            "௰",
            "௱",
            "௲", // 0x98
            "",
            "ா",
            "ி",
            "ீ",
            "ு",
            "ூ",
            "ெ",
            "ே", // 0xA0
            "ை",
            "\u{00A9}",
            "ௗ",
            "அ",
            "ஆ",
            "இ",
            "ஈ",
            "உ", // 0xA8
            "ஊ",
            "எ",
            "ஏ",
            "ஐ",
            "ஒ",
            "ஓ",
            "ஔ",
            "ஃ", // 0xB0
            "க",
            "ங",
            "ச",
            "ஞ",
            "ட",
            "ண",
            "த",
            "ந", // 0xB8
            "ப",
            "ம",
            "ய",
            "ர",
            "ல",
            "வ",
            "ழ",
            "ள", // 0xC0
            "ற",
            "ன",
            "டி",
            "டீ",
            "கு",
            "சு",
            "டு",
            "ணு", // 0xC8
            "து",
            "நு",
            "பு",
            "மு",
            "யு",
            "ரு",
            "லு",
            "வு", // 0xD0
            "ழு",
            "ளு",
            "று",
            "னு",
            "கூ",
            "சூ",
            "டூ",
            "ணூ", // 0xD8
            "தூ",
            "நூ",
            "பூ",
            "மூ",
            "யூ",
            "ரூ",
            "லூ",
            "வூ", // 0xE0
            "ழூ",
            "ளூ",
            "றூ",
            "னூ",
            "க்",
            "ங்",
            "ச்",
            "ஞ்", // 0xE8
            "ட்",
            "ண்",
            "த்",
            "ந்",
            "ப்",
            "ம்",
            "ய்",
            "ர்", // 0xF0
            "ல்",
            "வ்",
            "ழ்",
            "ள்",
            "ற்",
            "ன்",
            "இ",
            "", // 0xF8
        ];
        for (i, want) in glibc.iter().enumerate() {
            let byte = 0x80 + i as u8;
            let got = tscii_to_unicode(&[byte]);
            match byte {
                0xA0 => assert_eq!(got, "\u{A0}"),
                0xFF => assert_eq!(got, "\u{FFFD}"),
                _ => assert_eq!(got, *want, "byte {byte:#04X}"),
            }
        }
    }

    #[test]
    fn tscii_reorders_prefix_signs() {
        assert_eq!(tscii_to_unicode(&[0xBE, 0xC1, 0xA2, 0xFA]), "தமிழ்");
        assert_eq!(tscii_to_unicode(&[0xA6, 0xB8, 0xA1]), "கொ");
        assert_eq!(tscii_to_unicode(&[0xA7, 0xB8, 0xA1]), "கோ");
        assert_eq!(tscii_to_unicode(&[0xA6, 0xB8, 0xAA]), "கௌ");
        assert_eq!(tscii_to_unicode(&[0xA8, 0xB8]), "கை");
        assert_eq!(tscii_to_unicode(&[0xA6, 0x87]), "க்ஷெ");
        assert_eq!(tscii_to_unicode(&[0xB4, 0xAA]), "ஔ");
        assert_eq!(tscii_to_unicode(b"a1 "), "a1 ");
        // A prefix sign with no consonant stays, out of place.
        assert_eq!(tscii_to_unicode(&[0xA6, b' ']), "ெ ");
        assert_eq!(unicode_to_tscii("ஶ"), Err('ஶ'));
        assert_eq!(unicode_to_tscii("ௐ"), Err('ௐ'));
        assert_eq!(unicode_to_tscii("ஸ்ரீ க்ஷே"), Ok(vec![0x82, b' ', 0xA7, 0x87]));
    }
}
