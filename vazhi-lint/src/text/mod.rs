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
/// found on bytes. The end of a word is searched sixteen bytes at a time for a byte that may
/// begin whitespace ([`next_marked`]: ASCII space and controls, and the lead bytes of U+0085,
/// U+00A0, U+1680, U+2000..U+205F and U+3000); only those characters are decoded. (Stepping
/// through a word character by character was a sixth of the `repetition` rule.)
pub fn word_ranges(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        at = skip_whitespace(text, at);
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        loop {
            let found = next_marked::<false>(bytes, at);
            if found == bytes.len() {
                at = found;
                return Some(start..found);
            }
            let (space, width) = whitespace_at(text, found);
            at = found + width;
            if space {
                return Some(start..found);
            }
        }
    })
}

/// Appends `text`'s words ([`word_ranges`]) to `out` joined by single spaces: its whitespace
/// folded and trimmed, what `split_whitespace().join(" ")` gives. Words with one ASCII space
/// between them are copied as they stand, a stretch at a time: only where a byte may begin
/// other whitespace ([`next_marked`], which tests sixteen bytes at a step) is the text looked
/// at closer. (Word by word through [`word_ranges`], copying each, this was a fifth of the
/// `duplicate` rule.)
pub fn fold_whitespace_into(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let mut stretch = skip_whitespace(text, 0);
    let mut at = stretch;
    while at < bytes.len() {
        let found = next_marked::<true>(bytes, at);
        if found == bytes.len() {
            break;
        }
        let (space, width) = whitespace_at(text, found);
        if !space {
            at = found + width;
            continue;
        }
        // A single ASCII space before other whitespace was stepped over: it belongs to the run.
        let run = if found > stretch && bytes[found - 1] == b' ' {
            found - 1
        } else {
            found
        };
        out.extend_from_slice(&bytes[stretch..run]);
        stretch = skip_whitespace(text, found);
        if stretch < bytes.len() {
            out.push(b' ');
        }
        at = stretch;
    }
    out.extend_from_slice(&bytes[stretch.min(bytes.len())..]);
}

/// Whether the character at `at` is whitespace, and its length in bytes; as [`word_ranges`]
/// decides it.
fn whitespace_at(text: &str, at: usize) -> (bool, usize) {
    match text.as_bytes()[at] {
        byte if byte < 0x80 => (byte.is_ascii_whitespace() || byte == 0x0B, 1),
        _ => text[at..]
            .chars()
            .next()
            .map_or((false, 1), |ch| (ch.is_whitespace(), ch.len_utf8())),
    }
}

/// The first position from `at` that is not whitespace (or the end).
fn skip_whitespace(text: &str, mut at: usize) -> usize {
    while at < text.len() {
        let (space, width) = whitespace_at(text, at);
        if !space {
            break;
        }
        at += width;
    }
    at
}

/// Whether a byte may begin whitespace: an ASCII space or control character, or the lead byte
/// of U+0085 or U+00A0 (C2), U+1680 (E1), U+2000..U+205F (E2) or U+3000 (E3). With
/// `SKIP_LONE_SPACES`, an ASCII space is marked only when a space or control character (or the
/// end of the text) follows it: words joined by single spaces are then one stretch.
fn is_marked<const SKIP_LONE_SPACES: bool>(byte: u8, next: Option<u8>) -> bool {
    let space = if SKIP_LONE_SPACES {
        byte == b' ' && next.is_none_or(|next| next <= 0x20)
    } else {
        byte == b' '
    };
    byte < 0x20 || space || matches!(byte, 0xC2 | 0xE1..=0xE3)
}

/// The first position from `at` where [`is_marked`] holds, or the text's length.
fn next_marked<const SKIP_LONE_SPACES: bool>(bytes: &[u8], mut at: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        // SSE2 is part of x86-64: no detection needed. Each step tests sixteen positions, reading
        // the byte after each, so it stops seventeen bytes before the end.
        use std::arch::x86_64::*;
        while at + 17 <= bytes.len() {
            // SAFETY: `at + 17 <= bytes.len()`, so both unaligned 16-byte loads stay inside
            // `bytes`; SSE2 is always present on x86_64.
            let mask = unsafe {
                let here = _mm_loadu_si128(bytes.as_ptr().add(at).cast());
                let at_most = |v: __m128i, limit: i8| _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(limit)), v);
                let is = |byte: u8| _mm_cmpeq_epi8(here, _mm_set1_epi8(byte as i8));
                let spaces = if SKIP_LONE_SPACES {
                    let next = _mm_loadu_si128(bytes.as_ptr().add(at + 1).cast());
                    _mm_and_si128(is(b' '), at_most(next, 0x20))
                } else {
                    is(b' ')
                };
                let leads = _mm_or_si128(_mm_or_si128(is(0xC2), is(0xE1)), _mm_or_si128(is(0xE2), is(0xE3)));
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(at_most(here, 0x1F), spaces), leads))
            };
            if mask != 0 {
                return at + mask.trailing_zeros() as usize;
            }
            at += 16;
        }
    }
    while at < bytes.len() && !is_marked::<SKIP_LONE_SPACES>(bytes[at], bytes.get(at + 1).copied()) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_folded_whitespace_agree_with_split_whitespace() {
        let pieces = [
            "சொல்",
            "word",
            " ",
            " ",
            "  ",
            "\n",
            "\n\n",
            "\t",
            "\r\n",
            "\u{b}",
            "\u{c}",
            "\u{1}",
            "\u{a0}",
            "\u{85}",
            "\u{1680}",
            "\u{2003}",
            "\u{2028}",
            "\u{3000}",
            "“",
            "”",
            "—",
            "\u{200b}",
            "é",
            "ஊ",
            "x",
        ];
        let mut random = crate::test_data::Xorshift(0x9E37_79B9_7F4A_7C15);
        for length in [0, 1, 2, 3, 5, 8, 16, 17, 18, 40, 200] {
            for _ in 0..300 {
                let mut text = String::new();
                for _ in 0..length {
                    // Mostly words and single spaces, as prose is.
                    let index = random.below(100);
                    let piece = if index < 60 { index % 3 } else { index % pieces.len() };
                    text.push_str(pieces[piece]);
                }
                let words: Vec<&str> = text.split_whitespace().collect();
                let found: Vec<&str> = word_ranges(&text).map(|range| &text[range]).collect();
                assert_eq!(found, words, "{text:?}");
                let mut folded = b"kept ".to_vec();
                fold_whitespace_into(&text, &mut folded);
                let expected = format!("kept {}", words.join(" "));
                assert_eq!(String::from_utf8(folded).unwrap(), expected, "{text:?}");
            }
        }
    }

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
