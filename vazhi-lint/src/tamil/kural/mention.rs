//! Kural numbers named in the text (step 5 of the module documentation): `குறள் 1`, `Kural #1`,
//! `முதல் குறள்`, `first kural` and the like near a quotation, ranges, lists, counts and chapter
//! numbers left out, so that a correct quotation under another kural's number is caught.

use std::ops::Range;
use std::sync::OnceLock;

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
    let around = text[from..to].to_lowercase();
    ["அதிகார", "chapter", "adhikar", "athikar", "adhigar", "athigar"]
        .iter()
        .any(|w| around.contains(w))
}

/// True when `text[at..]` starts a word: the previous character is no letter or digit.
fn starts_word(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !text::is_alphanumeric(c) && !phoneme::is_word_char(c))
}

/// Every single-kural number named in `text[zone]`, in text order.
fn number_mentions(text: &str, zone: Range<usize>) -> Vec<Mention> {
    let patterns = mention_patterns();
    let haystack = &text[zone.clone()];
    let mut out = Vec::new();
    for caps in patterns.numeral.captures_iter(haystack) {
        let (Some(whole), Some(digits)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let span = zone.start + whole.start()..zone.start + whole.end();
        if !starts_word(text, span.start) || patterns.not_one_after.is_match(&text[span.end..]) {
            continue;
        }
        if let Some(number) = parse_number(digits.as_str()) {
            out.push(Mention { span, number });
        }
    }
    for caps in patterns.ordinal.captures_iter(haystack) {
        let (Some(whole), Some(word)) = (caps.get(0), caps.get(1).or_else(|| caps.get(2))) else {
            continue;
        };
        let span = zone.start + whole.start()..zone.start + whole.end();
        // `1 முதல் குறள் 10 வரை` is "from 1 to 10", not "the first kural".
        let before = text[..span.start].trim_end();
        if !starts_word(text, span.start) || before.ends_with(|c: char| c.is_ascii_digit() || ('௦'..='௯').contains(&c))
        {
            continue;
        }
        if let Some(number) = ordinal_number(word.as_str()) {
            out.push(Mention { span, number });
        }
    }
    out.retain(|m| (1..=KURAL_COUNT).contains(&m.number) && !near_chapter_word(text, &m.span));
    out.sort_by_key(|m| m.span.start);
    out
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
    let lower = zone.to_ascii_lowercase();
    if !(zone.contains("குறள") || lower.contains("kural") || lower.contains("couplet")) {
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
