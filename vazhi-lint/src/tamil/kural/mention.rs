//! Kural numbers named in the text (step 5 of the module documentation): `குறள் 1`, `Kural #1`,
//! `முதல் குறள்`, `first kural` and the like near a quotation, ranges, lists, counts and chapter
//! numbers left out, so that a correct quotation under another kural's number is caught.

use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use memchr::memmem;
use regex::Regex;

use super::reference::KURAL_COUNT;
use crate::tamil::phoneme;
use crate::text;

/// Characters allowed between a number mention and the quotation that follows it.
const MENTION_BEFORE_CHARS: usize = 200;
/// Characters of punctuation allowed between a quotation and a number mention after it.
const MENTION_AFTER_CHARS: usize = 24;

struct Mention {
    span: Range<usize>,
    number: u16,
}

struct MentionPatterns {
    /// `kural 1`, `Kural #1`, `Thirukkural 1`, `kural no. 1`, `குறள் 1`, `திருக்குறள் எண்: 1`.
    numeral: Regex,
    /// `first kural`, `1st Thirukkural`, `முதல் குறள்`, `1-ஆவது குறள்`.
    ordinal: Regex,
    /// After the number: `- 10`, `முதல் 10`, `and 2` (a range or list) or `குறள்கள்`,
    /// `couplets` (a count): not one kural.
    not_one_after: Regex,
}

/// The Tamil word for chapter, as [`near_chapter_word`] looks for it.
const CHAPTER: &str = "அதிகார";

/// `குறள`, the keyword of every Tamil mention, and [`CHAPTER`]: searchers built once, not per
/// quotation.
static KURAL_WORD: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new("குறள"));
static CHAPTER_WORD: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(CHAPTER));

fn mention_patterns() -> &'static MentionPatterns {
    static PATTERNS: OnceLock<MentionPatterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let numeral = Regex::new(
            r"(?i)(?:(?:th?iru)?k{1,2}ural|(?:திருக்)?குறள்)\s*(?:(?:no\.?|number|num\.?|எண்)\s*)?[#:.(\-–—]?\s*([0-9௦-௯]{1,4})",
        )
        .expect("numeral mention pattern");
        let ordinal = Regex::new(
            r"(?i)(?:(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|opening|[0-9]{1,4}(?:st|nd|rd|th))\s+(?:(?:th?iru)?k{1,2}ural|couplet)|(முதல்|முதலாவது|முதலாம்|முதற்|இரண்டாவது|இரண்டாம்|மூன்றாவது|மூன்றாம்|நான்காவது|நான்காம்|ஐந்தாவது|ஐந்தாம்|ஆறாவது|ஆறாம்|ஏழாவது|ஏழாம்|எட்டாவது|எட்டாம்|ஒன்பதாவது|ஒன்பதாம்|பத்தாவது|பத்தாம்|[0-9௦-௯]{1,4}\s*-?\s*(?:ஆவது|வது|ஆம்))\s*(?:திருக்)?குறள)",
        )
        .expect("ordinal mention pattern");
        let not_one_after = Regex::new(
            r"(?i)^\s*(?:(?:[-–—,&/]|to\s|and\s|or\s|முதல்|மற்றும்|வரை|அல்லது)\s*(?:(?:th?iru)?k{1,2}urals?|(?:திருக்)?குறள்)?\s*[0-9௦-௯]|kurals|couplets|verses|chapters|குறள்|குறட்பா|பாடல்|அதிகார)",
        )
        .expect("range, list or count pattern");
        MentionPatterns {
            numeral,
            ordinal,
            not_one_after,
        }
    })
}

fn parse_number(digits: &str) -> Option<u16> {
    let mut n: u16 = 0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '௦'..='௯' => c as u32 - '௦' as u32,
            _ => break,
        };
        n = n.checked_mul(10)?.checked_add(d as u16)?;
    }
    Some(n)
}

fn ordinal_number(word: &str) -> Option<u16> {
    let lower = word.to_lowercase();
    let english = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    ];
    if let Some(at) = english.iter().position(|&w| w == lower) {
        return u16::try_from(at + 1).ok();
    }
    if lower == "opening" {
        return Some(1);
    }
    let tamil = ["முத", "இரண்ட", "மூன்ற", "நான்க", "ஐந்த", "ஆற", "ஏழ", "எட்ட", "ஒன்பத", "பத்த"];
    if let Some(at) = tamil.iter().position(|&w| word.starts_with(w)) {
        return u16::try_from(at + 1).ok();
    }
    // `1st`, `1-ஆவது`, `௧வது`.
    parse_number(word).filter(|&n| n > 0)
}

/// A mention that belongs to a chapter (`அதிகாரத்தின் முதல் குறள்`, `kural 3 of chapter 5`)
/// numbers a kural within the chapter, not in the book.
fn near_chapter_word(text: &str, span: &Range<usize>) -> bool {
    let from = text::floor_char_boundary(text, span.start.saturating_sub(72));
    let to = text::ceil_char_boundary(text, span.end + 72);
    let around = &text[from..to];
    const LATIN: [&str; 5] = ["chapter", "adhikar", "athikar", "adhigar", "athigar"];
    // What `to_lowercase().contains` answers, without lowering the Tamil around (a table search
    // per letter). Lowering leaves Tamil as it is, and turns no character but the Kelvin sign
    // into an ASCII letter of these words (`İ` becomes `i` and a combining dot, which no word
    // here has after an `i`); where that sign is, the text is lowered after all.
    if around.contains('\u{212A}') {
        let lower = around.to_lowercase();
        return std::iter::once(CHAPTER).chain(LATIN).any(|w| lower.contains(w));
    }
    let bytes = around.as_bytes();
    CHAPTER_WORD.find(bytes).is_some() || LATIN.iter().any(|w| contains_ascii_ci(bytes, w.as_bytes()))
}

/// True when `text[at..]` starts a word: the previous character is no letter or digit.
fn starts_word(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !text::is_alphanumeric(c) && !phoneme::is_word_char(c))
}

/// Bytes a `numeral` match can run before its keyword: `thiru` and two `k`s, each `k` possibly
/// the three-byte Kelvin sign that `(?i)` lets stand for it, or the 18 bytes of `திருக்`.
const NUMERAL_LEAD: usize = 24;

/// Where a number mention's keyword starts in `haystack`, ascending: `குறள` and `ural` in any
/// ASCII case. Every `numeral` match holds one within [`NUMERAL_LEAD`] bytes of its start, and
/// every `ordinal` match ends with `குறள`, `ural` or `couplet` (no character outside ASCII folds
/// to the letters of `ural`).
fn keywords(haystack: &str) -> Vec<usize> {
    let bytes = haystack.as_bytes();
    let mut out: Vec<usize> = KURAL_WORD.find_iter(bytes).collect();
    let tamil = out.len();
    out.extend(ascii_ci_positions(bytes, b"ural"));
    if tamil > 0 && out.len() > tamil {
        out.sort_unstable();
    }
    out
}

/// Whether some keyword in `haystack` is preceded by what ends an `ordinal` mention: a Tamil
/// ordinal (`முதல்`, `…வது`, `…ாம்`, `…ஆம்`), or an English one (`first`…`tenth`, `opening`,
/// `1st`…) and white space. A cheap necessary condition: without it the `ordinal` pattern cannot
/// match, and Tamil prose naming `திருக்குறள்` (most quotations' questions) skips its scan.
fn may_hold_ordinal(haystack: &str, keywords: &[usize]) -> bool {
    let tamil_ordinal = |before: &str| {
        let before = before.trim_end();
        ["முதல்", "முதற்", "வது", "ாம்", "ஆம்"]
            .iter()
            .any(|end| before.ends_with(end))
    };
    let english_ordinal = |before: &str| {
        let word = before.trim_end();
        if word.len() == before.len() {
            return false; // `\s+` before the keyword
        }
        let mut last = word
            .chars()
            .rev()
            .map(|c| if c == 'ſ' { 's' } else { c.to_ascii_lowercase() });
        let (Some(second), Some(first)) = (last.next(), last.next()) else {
            return false;
        };
        matches!(
            (first, second),
            ('s', 't') | ('n', 'd') | ('r', 'd') | ('t', 'h') | ('n', 'g')
        )
    };
    if contains_ascii_ci(haystack.as_bytes(), b"couplet") {
        return true; // rare enough in Tamil data to leave to the pattern
    }
    keywords.iter().any(|&at| {
        let before = &haystack[..at];
        if haystack[at..].starts_with("குறள") {
            tamil_ordinal(before) || before.strip_suffix("திருக்").is_some_and(tamil_ordinal)
        } else {
            english_before_ural(before).any(english_ordinal)
        }
    })
}

/// What can stand before `(?:th?iru)?k{1,2}` in `before` (the text up to an `ural`): each way
/// of taking that prefix off its end.
fn english_before_ural(before: &str) -> impl Iterator<Item = &str> {
    fn strip_k(s: &str) -> Option<&str> {
        s.strip_suffix(['k', 'K', '\u{212A}'])
    }
    fn strip_ascii_ci<'a>(s: &'a str, end: &str) -> Option<&'a str> {
        let at = s.len().checked_sub(end.len())?;
        (s.is_char_boundary(at) && s[at..].eq_ignore_ascii_case(end)).then(|| &s[..at])
    }
    let once = strip_k(before);
    let twice = once.and_then(strip_k);
    [once, twice]
        .into_iter()
        .flatten()
        .flat_map(|k| [Some(k), strip_ascii_ci(k, "thiru"), strip_ascii_ci(k, "tiru")])
        .flatten()
}

/// Where `word` (lowercase ASCII letters, at least one) starts in `haystack` in any ASCII case,
/// ascending: a search from each occurrence of its first letter, without a lowercased copy of the
/// text.
fn ascii_ci_positions<'a>(haystack: &'a [u8], word: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let first = word[0];
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), haystack).filter(move |&at| {
        haystack
            .get(at..at + word.len())
            .is_some_and(|found| found.eq_ignore_ascii_case(word))
    })
}

fn contains_ascii_ci(haystack: &[u8], word: &[u8]) -> bool {
    ascii_ci_positions(haystack, word).next().is_some()
}

/// Every single-kural number named in `text[zone]`, in text order.
fn number_mentions(text: &str, zone: Range<usize>) -> Vec<Mention> {
    let patterns = mention_patterns();
    let haystack = &text[zone.clone()];
    let keywords = keywords(haystack);
    let mut out = Vec::new();
    // The `numeral` matches that `captures_iter` would give, with the search started a little
    // before each keyword instead of scanning the prose between: no match can start earlier than
    // [`NUMERAL_LEAD`] bytes before the first keyword after the previous match.
    let mut from = 0;
    let mut next = 0;
    loop {
        while keywords.get(next).is_some_and(|&k| k < from) {
            next += 1;
        }
        let Some(&keyword) = keywords.get(next) else {
            break;
        };
        let start = text::floor_char_boundary(haystack, keyword.saturating_sub(NUMERAL_LEAD)).max(from);
        let Some(whole) = patterns.numeral.find_at(haystack, start) else {
            break;
        };
        from = whole.end();
        out.extend(numeral_mention(
            text,
            zone.start,
            whole,
            trailing_digits(whole.as_str()),
        ));
    }
    if may_hold_ordinal(haystack, &keywords) {
        let ordinals = patterns.ordinal.captures_iter(haystack);
        out.extend(ordinals.filter_map(|caps| ordinal_mention(text, zone.start, &caps)));
    }
    single_kurals(text, out)
}

/// The mention a `numeral` match in the zone starting at byte `offset` of `text` names, unless
/// it starts inside a word or begins a range, list or count.
fn numeral_mention(text: &str, offset: usize, whole: regex::Match<'_>, digits: &str) -> Option<Mention> {
    let span = offset + whole.start()..offset + whole.end();
    if !starts_word(text, span.start) || mention_patterns().not_one_after.is_match(&text[span.end..]) {
        return None;
    }
    let number = parse_number(digits)?;
    Some(Mention { span, number })
}

/// The number a `numeral` match ends with, without asking the regex for its capture group (a
/// backtracking pass per match): the group ends the pattern, and nothing before it in the
/// pattern matches a digit, so the group is the match's trailing digits.
fn trailing_digits(matched: &str) -> &str {
    let before = matched.trim_end_matches(|c: char| c.is_ascii_digit() || ('௦'..='௯').contains(&c));
    &matched[before.len()..]
}

/// The mention an `ordinal` match names, like [`numeral_mention`].
fn ordinal_mention(text: &str, offset: usize, caps: &regex::Captures<'_>) -> Option<Mention> {
    let (whole, word) = (caps.get(0)?, caps.get(1).or_else(|| caps.get(2))?);
    let span = offset + whole.start()..offset + whole.end();
    // `1 முதல் குறள் 10 வரை` is "from 1 to 10", not "the first kural".
    let before = text[..span.start].trim_end();
    if !starts_word(text, span.start) || before.ends_with(|c: char| c.is_ascii_digit() || ('௦'..='௯').contains(&c))
    {
        return None;
    }
    let number = ordinal_number(word.as_str())?;
    Some(Mention { span, number })
}

/// `mentions` that can name one kural of the book, in text order: numbers 1 to 1330, not near a
/// chapter word.
fn single_kurals(text: &str, mut mentions: Vec<Mention>) -> Vec<Mention> {
    mentions.retain(|m| (1..=KURAL_COUNT).contains(&m.number) && !near_chapter_word(text, &m.span));
    mentions.sort_by_key(|m| m.span.start);
    mentions
}

/// The one kural number the text names for the quotation at `span`: mentioned shortly before
/// it (after the previous quotation), or right after it with only punctuation between. `None`
/// when no number or more than one is named.
pub(super) fn named_number(text: &str, span: &Range<usize>, previous_end: usize, next_start: usize) -> Option<u16> {
    // Bytes, generously: a Tamil character takes three.
    let from = text::floor_char_boundary(text, span.start.saturating_sub(4 * MENTION_BEFORE_CHARS));
    let from = from.max(previous_end);
    let to = text::ceil_char_boundary(text, span.end + 4 * MENTION_AFTER_CHARS + 32).min(next_start);
    // Do not cut a number or word in two at the end of the zone.
    let to = to
        + text[to..]
            .chars()
            .take_while(|&c| text::is_alphanumeric(c) || phoneme::is_word_char(c))
            .map(char::len_utf8)
            .sum::<usize>();
    let zone = &text[from..to];
    // Cheap test before the patterns: every mention spells "kural", "couplet" or குறள்.
    let bytes = zone.as_bytes();
    if !(KURAL_WORD.find(bytes).is_some() || contains_ascii_ci(bytes, b"kural") || contains_ascii_ci(bytes, b"couplet"))
    {
        return None;
    }
    let mut named: Option<u16> = None;
    for mention in number_mentions(text, from..to) {
        let before = mention.span.end <= span.start
            && text[mention.span.end..span.start].chars().count() <= MENTION_BEFORE_CHARS;
        let after = mention.span.start >= span.end && {
            let gap = &text[span.end..mention.span.start];
            gap.chars().count() <= MENTION_AFTER_CHARS && !gap.chars().any(text::is_alphanumeric)
        };
        if before || after {
            match named {
                Some(n) if n != mention.number => return None,
                _ => named = Some(mention.number),
            }
        }
    }
    named
}

#[cfg(test)]
mod tests {
    use super::super::samples::{Lcg, commentaries};
    use super::*;

    /// Every mention as `captures_iter` over the whole zone finds them: what [`number_mentions`]
    /// computes with its keyword skips.
    fn mentions_by_full_scan(text: &str) -> Vec<(Range<usize>, u16)> {
        let patterns = mention_patterns();
        let numerals = patterns
            .numeral
            .captures_iter(text)
            .filter_map(|caps| numeral_mention(text, 0, caps.get(0)?, caps.get(1)?.as_str()));
        let ordinals = patterns
            .ordinal
            .captures_iter(text)
            .filter_map(|caps| ordinal_mention(text, 0, &caps));
        single_kurals(text, numerals.chain(ordinals).collect())
            .into_iter()
            .map(|m| (m.span, m.number))
            .collect()
    }

    const PIECES: [&str; 40] = [
        "குறள் 12",
        "திருக்குறள் எண்: 5",
        "Kural #7",
        "kural no. 3",
        "Thirukkural 1330",
        "thirukkural  44",
        "\u{212A}ural 9",
        "tiru\u{212A}\u{212A}ural 19",
        "kkural 2",
        "first kural",
        "1st Thirukkural",
        "முதல் குறள்",
        "முதல் திருக்குறள்",
        "3-ஆவது குறள்",
        "௧வது குறள்",
        "ஐந்தாம் குறள்",
        "opening couplet",
        "seventh \n couplet",
        "firſt kural",
        "SECOND KURAL",
        "குறள் 1 முதல் 10 வரை",
        "kural 1 and 2",
        "அதிகாரத்தின் முதல் குறள்",
        "chapter",
        "இக்குறள்",
        "குறள்கள்",
        " ",
        "\n",
        "12",
        "(",
        ")",
        "rural",
        "Ural",
        "kural",
        "thiru",
        "k",
        "௧௨",
        "நான்காவது",
        "2nd",
        "tenth",
    ];

    #[test]
    fn ascii_case_search_agrees_with_a_lowercased_copy() {
        for text in [
            "Kural 5",
            "THIRUKKURAL",
            "kura",
            "a couplet",
            "COUPLE T",
            "",
            "kkural",
            "குறள் kURAL",
        ] {
            for word in ["kural", "couplet"] {
                let expected = text.to_ascii_lowercase().contains(word);
                assert_eq!(
                    contains_ascii_ci(text.as_bytes(), word.as_bytes()),
                    expected,
                    "{text:?} {word}"
                );
            }
        }
    }

    #[test]
    fn keyword_skips_find_what_a_full_scan_finds() {
        let prose: Vec<String> = commentaries()
            .into_iter()
            .take(200)
            .flat_map(|(_, a, b)| [a, b])
            .collect();
        let mut rng = Lcg(715);
        let mut checked = 0;
        for round in 0..4000 {
            let mut text = String::new();
            for _ in 0..1 + rng.below(12) {
                if rng.below(3) == 0 {
                    let words: Vec<&str> = prose[rng.below(prose.len())].split(' ').collect();
                    let from = rng.below(words.len());
                    text.push_str(&words[from..(from + 1 + rng.below(12)).min(words.len())].join(" "));
                } else {
                    text.push_str(PIECES[rng.below(PIECES.len())]);
                }
                text.push_str([" ", "", "\n", " ", "  "][rng.below(5)]);
            }
            let fast: Vec<(Range<usize>, u16)> = number_mentions(&text, 0..text.len())
                .into_iter()
                .map(|m| (m.span, m.number))
                .collect();
            assert_eq!(fast, mentions_by_full_scan(&text), "round {round}: {text:?}");
            checked += usize::from(!fast.is_empty());
        }
        assert!(checked > 1000, "most texts name a number: {checked}");
    }

    #[test]
    fn chapter_words_are_found_as_lowering_finds_them() {
        let lowering = |text: &str, span: &Range<usize>| {
            let from = text::floor_char_boundary(text, span.start.saturating_sub(72));
            let to = text::ceil_char_boundary(text, span.end + 72);
            let around = text[from..to].to_lowercase();
            ["அதிகார", "chapter", "adhikar", "athikar", "adhigar", "athigar"]
                .iter()
                .any(|w| around.contains(w))
        };
        let pieces = [
            "குறள் 5",
            "அதிகாரம்",
            "அதிகா",
            "CHAPTER",
            "Chap",
            "ter",
            "adhi",
            "Kar",
            "\u{212A}ar",
            "ATHI",
            "gar",
            "İ",
            "i\u{307}",
            " ",
            "the ",
            "ṭ",
            "x",
        ];
        let mut rng = Lcg(1330);
        let (mut near, mut far) = (0, 0);
        for _ in 0..3000 {
            let text: String = (0..rng.below(24)).map(|_| pieces[rng.below(pieces.len())]).collect();
            let at = text::floor_char_boundary(&text, rng.below(text.len() + 1));
            let span = at..text::ceil_char_boundary(&text, at + 3);
            let expected = lowering(&text, &span);
            assert_eq!(near_chapter_word(&text, &span), expected, "{text:?} {span:?}");
            if expected { near += 1 } else { far += 1 }
        }
        assert!(near > 500 && far > 500, "{near} near, {far} far");
    }
}
