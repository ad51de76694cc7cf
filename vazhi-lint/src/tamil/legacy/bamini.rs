//! Bamini (and ASCII glyph fonts laid out like it): the glyph table, written from the font's
//! layout, and decoding to and encoding from Unicode Tamil.

use std::sync::LazyLock;

use super::glyph::{Glyph, Reverse, Syllable, read_glyphs, syllables};
use crate::tamil::unicode::PULLI;

/// The glyph of a Bamini character; `None` for characters that stand for themselves.
pub(super) fn bamini_glyph(c: char) -> Option<Glyph> {
    use Glyph::{Consonant as C, Letter as L, LongU, Postfix as Post, Prefix as Pre};
    Some(match c {
        'm' => L("அ"),
        'M' => L("ஆ"),
        ',' => L("இ"),
        '<' => L("ஈ"),
        'c' => L("உ"),
        'C' => L("ஊ"),
        'v' => L("எ"),
        'V' => L("ஏ"),
        'I' => L("ஐ"),
        'x' => L("ஒ"),
        'X' => L("ஓ"),
        '/' => L("ஃ"),
        '=' => L("ஸ்ரீ"),
        'f' => C("க"),
        'q' => C("ங"),
        'r' => C("ச"),
        '[' => C("ஜ"),
        'Q' => C("ஞ"),
        'l' => C("ட"),
        'z' => C("ண"),
        'j' => C("த"),
        'e' => C("ந"),
        'd' => C("ன"),
        'g' => C("ப"),
        'k' => C("ம"),
        'a' => C("ய"),
        'u' => C("ர"),
        'w' => C("ற"),
        'y' => C("ல"),
        's' => C("ள"),
        'o' => C("ழ"),
        't' => C("வ"),
        '\\' => C("ஷ"),
        ']' => C("ஸ"),
        '`' => C("ஹ"),
        'H' => L("ர்"),
        'b' => L("டி"),
        'B' => L("டீ"),
        'F' => L("கு"),
        'R' => L("சு"),
        'L' => L("டு"),
        'Z' => L("ணு"),
        'J' => L("து"),
        'E' => L("நு"),
        'D' => L("னு"),
        'G' => L("பு"),
        'K' => L("மு"),
        'A' => L("யு"),
        'U' => L("ரு"),
        'W' => L("று"),
        'Y' => L("லு"),
        'S' => L("ளு"),
        'O' => L("ழு"),
        'T' => L("வு"),
        '$' => L("கூ"),
        '#' => L("சூ"),
        '^' => L("டூ"),
        '%' => L("மூ"),
        '&' => L("ரூ"),
        '*' => L("ழூ"),
        'h' => Post('ா'),
        'p' => Post('ி'),
        'P' => Post('ீ'),
        '{' => Post('ு'),
        '_' => Post('ூ'),
        ';' => Post(PULLI),
        '+' | '}' => LongU,
        'n' => Pre('ெ'),
        'N' => Pre('ே'),
        'i' => Pre('ை'),
        _ => return None,
    })
}

/// Converts Bamini text (as typed with a Bamini font, ASCII) to Unicode Tamil, best effort.
/// Characters that are not Bamini glyphs stay as they are, except `>` (Bamini's comma).
pub fn bamini_to_unicode(text: &str) -> String {
    let glyphs = text
        .chars()
        .map(|c| if c == '>' { (None, ',') } else { (bamini_glyph(c), c) });
    read_glyphs(glyphs, true, true).text
}

static BAMINI_REVERSE: LazyLock<Reverse<char>> =
    LazyLock::new(|| Reverse::new(BAMINI_CHARS.iter().filter_map(|&c| Some((bamini_glyph(c)?, c)))));

/// Converts Unicode Tamil to Bamini (the inverse of [`bamini_to_unicode`]); the error is the
/// first character Bamini cannot represent. ASCII letters and Bamini's symbol glyphs cannot be
/// represented (they would read as Tamil); `,` becomes Bamini's comma `>`.
pub fn unicode_to_bamini(text: &str) -> Result<String, char> {
    use unicode_normalization::UnicodeNormalization;
    let nfc: String = text.nfc().collect();
    let mut out = String::new();
    for Syllable { base, sign } in syllables(&nfc) {
        let first = base.chars().next().unwrap_or('\0');
        if base.len() == 1 {
            match first {
                ',' => out.push('>'),
                c if bamini_glyph(c).is_some() || c == '>' => return Err(c),
                c => out.push(c),
            }
            continue;
        }
        if base == "க்ஷ" {
            // Bamini has no க்ஷ glyph: க் + ஷ with its sign.
            out.push_str("f;");
            let rest = match sign {
                Some(s) => format!("ஷ{s}"),
                None => "ஷ".to_owned(),
            };
            out.push_str(&unicode_to_bamini(&rest)?);
            continue;
        }
        let reverse = &*BAMINI_REVERSE;
        let letter = |s: &str| reverse.letters.get(s).copied();
        let Some(&consonant) = reverse.consonants.get(base) else {
            out.push(letter(base).ok_or(first)?);
            continue;
        };
        let combined = |s: char| letter(&format!("{base}{s}"));
        match sign {
            None => out.push(consonant),
            Some('ெ') => out.extend(['n', consonant]),
            Some('ே') => out.extend(['N', consonant]),
            Some('ை') => out.extend(['i', consonant]),
            Some('ொ') => out.extend(['n', consonant, 'h']),
            Some('ோ') => out.extend(['N', consonant, 'h']),
            Some('ௌ') => out.extend(['n', consonant, 's']),
            Some('ா') => out.extend([consonant, 'h']),
            Some(s @ ('ி' | 'ீ')) => match combined(s) {
                Some(c) => out.push(c),
                None => out.extend([consonant, if s == 'ி' { 'p' } else { 'P' }]),
            },
            Some(PULLI) if base == "ர" => out.push_str("u;"),
            Some(PULLI) => out.extend([consonant, ';']),
            Some('ு') => match combined('ு') {
                Some(c) => out.push(c),
                None => out.extend([consonant, '{']),
            },
            Some('ூ') => match (combined('ூ'), combined('ு')) {
                (Some(c), _) => out.push(c),
                (None, Some(u)) if matches!(base, "ப" | "ய" | "வ") => out.extend([u, '+']),
                (None, Some(u)) => out.extend([u, '}']),
                (None, None) => out.extend([consonant, '_']),
            },
            Some(s) => return Err(s),
        }
    }
    Ok(out)
}

/// Every character that is a Bamini glyph, for the inverse lookup.
const BAMINI_CHARS: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w',
    'x', 'y', 'z', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T',
    'U', 'V', 'W', 'X', 'Y', 'Z', ',', '<', '/', '=', '[', '\\', ']', '`', '$', '#', '^', '%', '&', '*', '{', '_', ';',
    '+', '}',
];
