//! Text analyses behind the chat-format rules: degenerate repetition, leaked template markers and
//! reasoning tags. Pure functions over `&str` returning byte spans, so the rules can underline them.

pub mod markers;
pub mod repetition;

use std::ops::Range;

/// The Tamil block, U+0B80..U+0BFF: most characters of the text these rules read.
const TAMIL_BLOCK: std::ops::RangeInclusive<char> = '\u{0B80}'..='\u{0BFF}';

/// One bit per character of the Tamil block: which of them have `property`. Filled from the
/// standard library's own answer, so the fast paths below cannot disagree with it.
fn tamil_block_mask(property: fn(char) -> bool) -> u128 {
    TAMIL_BLOCK
        .enumerate()
        .filter(|&(_, c)| property(c))
        .fold(0, |mask, (bit, _)| mask | 1 << bit)
}

/// `c`'s bit in a [`tamil_block_mask`]; `c` is in the Tamil block.
fn in_tamil_mask(mask: u128, c: char) -> bool {
    mask >> (u32::from(c) - u32::from(*TAMIL_BLOCK.start())) & 1 == 1
}

static TAMIL_ALPHABETIC: std::sync::LazyLock<u128> = std::sync::LazyLock::new(|| tamil_block_mask(char::is_alphabetic));
static TAMIL_ALPHANUMERIC: std::sync::LazyLock<u128> =
    std::sync::LazyLock::new(|| tamil_block_mask(char::is_alphanumeric));

/// `char::is_alphanumeric`, answered from a bit mask for ASCII and the Tamil block, as
/// [`is_alphabetic`] is.
pub fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if TAMIL_BLOCK.contains(&c) {
        in_tamil_mask(*TAMIL_ALPHANUMERIC, c)
    } else {
        c.is_alphanumeric()
    }
}

/// `char::is_alphabetic`, answered from a bit mask for ASCII and the Tamil block. The standard
/// library binary-searches its Unicode tables for every non-ASCII character: on Tamil answers
/// that search was over half of the repetition rule's time. Exact: other characters still ask
/// the standard library, and the mask is built from it.
pub fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else if TAMIL_BLOCK.contains(&c) {
        in_tamil_mask(*TAMIL_ALPHABETIC, c)
    } else {
        c.is_alphabetic()
    }
}

/// The characters of `c.to_lowercase()`, handed to `push`, without the table search for ASCII
/// and Tamil (which has no case: a test checks every character of its block maps to itself).
pub fn lowercase(c: char, mut push: impl FnMut(char)) {
    if c.is_ascii() {
        push(c.to_ascii_lowercase());
    } else if TAMIL_BLOCK.contains(&c) {
        push(c);
    } else {
        c.to_lowercase().for_each(push);
    }
}

/// The char boundary at or before `at` (`at` clamped to the text): where to cut a byte offset
/// that may fall inside a character. (`str::floor_char_boundary` is newer than this crate's
/// minimum Rust.)
pub fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The char boundary at or after `at` (`at` clamped to the text).
pub fn ceil_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Byte ranges of the whitespace-separated words of `text`: what `str::split_whitespace` gives,
/// found on bytes. Only characters whose lead byte can start a whitespace character are decoded
/// (those of U+0085, U+00A0, U+1680, U+2000..U+205F and U+3000); any other is stepped over whole
/// by its lead byte, so Tamil letters cost one comparison each.
pub fn word_ranges(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let mut start = None;
        while at < bytes.len() {
            let (space, len) = match bytes[at] {
                byte if byte < 0x80 => (byte.is_ascii_whitespace() || byte == 0x0B, 1),
                0xC2 | 0xE1 | 0xE2 | 0xE3 => match text.get(at..).and_then(|rest| rest.chars().next()) {
                    Some(ch) => (ch.is_whitespace(), ch.len_utf8()),
                    None => (false, 1),
                },
                // Any other character is not whitespace: step over it whole.
                0xC0..=0xDF => (false, 2),
                0xE0..=0xEF => (false, 3),
                0xF0.. => (false, 4),
                _ => (false, 1),
            };
            match (space, start) {
                (true, Some(start)) => {
                    let word = start..at;
                    at += len;
                    return Some(word);
                }
                (false, None) => start = Some(at),
                _ => {}
            }
            at += len;
        }
        start.map(|start| start..bytes.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_character_classes_agree_with_the_standard_library() {
        // Every ASCII character, the whole Tamil block, and the neighbours of both.
        let chars = (0u32..0x200).chain(0x0B00..0x0C80).filter_map(char::from_u32);
        for c in chars {
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            let mut fast = String::new();
            lowercase(c, |l| fast.push(l));
            assert_eq!(fast, c.to_lowercase().collect::<String>(), "{c:?}");
        }
    }

    #[test]
    fn word_ranges_are_split_whitespace() {
        for text in [
            "",
            "   ",
            "ஒன்று  இரண்டு\n\nமூன்று ",
            "\t lead and trail \r\n",
            "nbsp\u{a0}between\u{2003}em\u{3000}ideographic\u{2028}line\u{85}next\u{1680}ogham",
            "vertical\u{b}tab\u{c}form feed",
            "“மேற்கோள்” — dash\u{200b}zero-width-is-not-space",
            "世界 नमस्ते café",
        ] {
            let words: Vec<&str> = word_ranges(text).map(|range| &text[range]).collect();
            assert_eq!(words, text.split_whitespace().collect::<Vec<_>>(), "{text:?}");
        }
    }
}
