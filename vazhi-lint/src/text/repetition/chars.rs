//! Character classes every detector shares: punctuation and symbols (Unicode P*/S*, Tamil
//! signs excepted) and the filler characters that legitimately come in long runs.

use std::sync::LazyLock;

use regex::Regex;

/// General category P* or S*, for the non-ASCII characters the fast paths miss.
static PUNCT_SYMBOL: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern: failing to compile is a programming error, not an input error.
    Regex::new(r"^[\p{P}\p{S}]$").expect("constant regex compiles")
});

/// Punctuation or symbol (Unicode P* / S*). Tamil virama and vowel signs are
/// marks, not punctuation: `!is_alphanumeric()` would wrongly count the virama.
pub(super) fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    // Tamil block first: it is most of the text, and a range test is cheaper
    // than the Unicode tables. Only the day/month/year/rupee/… signs are symbols.
    if ('\u{0B80}'..='\u{0BFF}').contains(&c) {
        return ('\u{0BF3}'..='\u{0BFA}').contains(&c);
    }
    if c.is_alphanumeric() || c.is_whitespace() {
        return false;
    }
    let mut buf = [0u8; 4];
    PUNCT_SYMBOL.is_match(c.encode_utf8(&mut buf))
}

/// Characters that legitimately come in long runs: markdown rules and table
/// separators, leader dots, comment banners, ASCII-art boxes, masks (`XXXXXXXXXX`
/// for a withheld phone number, `********`), digits (`0.3333333333333333`,
/// `0x00000000`, the essay's Brainfuck `++++++++`) and whitespace (indentation).
pub(super) fn is_filler(c: char) -> bool {
    c.is_ascii_digit()
        || c.is_whitespace()
        || matches!(
            c,
            '-' | '='
                | '_'
                | '*'
                | '~'
                | '#'
                | '.'
                | ','
                | '+'
                | '|'
                | '/'
                | '\\'
                | ':'
                | 'x'
                | 'X'
                | '·'
                | '•'
                | '—'
                | '–'
                | '─'
                | '═'
        )
        || ('\u{2500}'..='\u{257F}').contains(&c)
}
