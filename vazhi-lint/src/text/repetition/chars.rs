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
    // The curly quotes, dashes and ellipsis around quotations, and Latin-1's signs, from a bit
    // per character computed by the general test below: asking the Unicode tables and the
    // pattern for each of them was a twentieth of the rule on quoted kurals.
    let at = u32::from(c);
    for (block, mask) in [(0x0080, &*LATIN1_PUNCT), (0x2000, &*GENERAL_PUNCT)] {
        if (block..block + 128).contains(&at) {
            return mask >> (at - block) & 1 == 1;
        }
    }
    is_punct_by_tables(c)
}

/// [`is_punct`] for a character outside ASCII and the Tamil block, from the Unicode tables.
fn is_punct_by_tables(c: char) -> bool {
    if c.is_alphanumeric() || c.is_whitespace() {
        return false;
    }
    let mut buf = [0u8; 4];
    PUNCT_SYMBOL.is_match(c.encode_utf8(&mut buf))
}

/// [`is_punct_by_tables`] of the 128 code points from `block`, one bit each.
fn punct_mask(block: u32) -> u128 {
    (0..128u32)
        .filter(|offset| char::from_u32(block + offset).is_some_and(is_punct_by_tables))
        .fold(0, |mask, offset| mask | 1 << offset)
}

/// U+0080..U+00FF: Latin-1's signs and marks (`«`, `·`, `©`).
static LATIN1_PUNCT: LazyLock<u128> = LazyLock::new(|| punct_mask(0x0080));
/// U+2000..U+207F: general punctuation (`“`, `”`, `—`, `…`).
static GENERAL_PUNCT: LazyLock<u128> = LazyLock::new(|| punct_mask(0x2000));

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_masked_blocks_agree_with_the_tables() {
        let masked = ('\u{0080}'..='\u{00FF}').chain('\u{2000}'..='\u{207F}');
        let mut punct = 0;
        for c in masked {
            assert_eq!(is_punct(c), is_punct_by_tables(c), "U+{:04X}", u32::from(c));
            punct += usize::from(is_punct(c));
        }
        assert!(is_punct('“') && is_punct('…') && is_punct('«') && !is_punct('\u{a0}') && !is_punct('é'));
        assert!(punct > 80, "{punct}");
    }
}
