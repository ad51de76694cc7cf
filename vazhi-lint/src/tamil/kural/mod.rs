//! The `kural-mismatch` rule: find quotations of the Thirukkural in a text and compare them with
//! the authoritative reading compiled in from `rules/data/thirukkural.jsonl` (1330 kurals, the
//! thirukkural 1.1 package's text with 63 typos corrected, see tests/data/README.md).
//!
//! # Comparing by phonemes
//!
//! Editions split and join kural words differently, often with sandhi (`பொருளல்லது அவ்வூன்` /
//! `பொருளல்ல தவ்வூன்`, `எண்ணியாங்கு எய்துப` / `எண்ணியாங் கெய்துப`, `வேண்டற்பாற்று அன்று` /
//! `வேண்டற்பாற் றன்று`), so a quotation is compared as a phoneme sequence
//! ([`super::phoneme`]): every letter split into consonant + vowel, word boundaries and
//! punctuation dropped, the short u of a consonant elided before a vowel, the nasals one class.
//! All 1330 kurals stay distinct that way, each of the 41 known damaged readings
//! (`rules/data/thirukkural-libkural-corrupt.jsonl`) still differs from its kural, and the word
//! split renderings read as equal.
//!
//! # Finding quotations
//!
//! 1. Index: every phoneme 6-gram of every kural (38,213 distinct) with the kurals it occurs in.
//!    A text's 6-grams are looked up in one pass; a kural becomes a candidate when 40% of its
//!    distinct 6-grams occur within 96 phonemes of text. Ordinary prose rarely shares 6-grams
//!    with the kurals, so most texts stop here: no kural, a few microseconds per KB.
//! 2. Exact quotations: the kural's phonemes (or its lines swapped) searched verbatim near the
//!    hits. The stretch found is widened to whole words and read again on its own, so that
//!    elision against the following word does not matter, and must equal the kural.
//! 3. Everything else: an affine-gap alignment of the kural against the hits' stretch (kural
//!    whole, text free at both ends) places it; the exact runs of 3+ phonemes at its two ends
//!    give the quoted stretch, widened to whole words, and when an edge of the kural is left
//!    unmatched (an edge word replaced or dropped) to the next quotation mark or line end, or by
//!    up to two words on that side if that lowers the edits.
//! 4. Judging the stretch (read alone, aligned globally against the kural): equal → correct;
//!    one whole line alone → a partial quotation, correct; equal to a known damaged reading or
//!    to the kural with its lines swapped → misquoted; otherwise misquoted only if all edits fall
//!    within at most two neighbouring kural words (`MAX_EDITED_WORDS`, after sliding each gap
//!    to where it touches the fewest words), at least half of the kural matches in exact runs of
//!    3+ phonemes, and the edit is not a whole line. Anything looser is a paraphrase or other
//!    text and raises nothing. Overlapping explanations of one stretch keep the cheapest.
//! 5. A correct quotation is a `WrongNumber` when exactly one kural number is named within 200
//!    characters before it (after any earlier quotation) or right after it with only punctuation
//!    between (`(குறள் 1)`), and that number is another kural's. Mentions: `குறள் 1`,
//!    `திருக்குறள் 1`, `குறள் எண்: 1`, `kural 1`, `Kural #1`, `Thirukkural no. 1`, Tamil digits,
//!    ordinals up to the tenth (`முதல் குறள்`, `1-ஆவது குறள்`, `first kural`, `1st Thirukkural`).
//!    Ranges and lists (`குறள் 1 முதல் 10 வரை`, `kural 1 and 2`) and numbers near a chapter word
//!    (`அதிகாரத்தின் முதல் குறள்`, `chapter`) are not mentions.
//!
//! # Parts
//!
//! - `reference`: the kurals compiled in, their readings and the n-gram index.
//! - `search`: candidates, exact quotations and placement by alignment (steps 1 to 3).
//! - `align`: the affine-gap alignment of a kural against a stretch of text.
//! - `judge`: judging a placed stretch and classifying a misquotation's edits (step 4).
//! - `mention`: kural numbers named near a quotation (step 5).
//! - `issue`: the issue reported and its word diff.
//! - `samples` (tests and the `calibration` feature): kurals in record layouts and with a word
//!   edited, and the commentaries; `calibration` (that feature only): the measurements below.
//!
//! This file holds the entry points: [`kural`], [`check_text`], [`check_text_after`] and
//! [`render_diff`].
//!
//! # Measured (release build)
//!
//! `cargo run --release -p vazhi-lint --features calibration --example kural_measure` prints
//! these figures.
//!
//! - Correct quotations: 79,800 / 79,800 raise nothing: every kural in 12 layouts (two lines or
//!   one; with or without the final full stop; bare, in “ ” or in " ") times 5 contexts (alone,
//!   inside Tamil prose, followed by a vowel-initial word, after English, as a list item).
//! - Misquotations: every word of every kural replaced by a word of another kural, and every word
//!   dropped: 18,615 of 18,616 caught with the right number. The one that passes is kural 860
//!   with `எல்லாம்` replaced by `எல்லா` before `நகலானாம்`, which is how editions print that
//!   nasal sandhi (an edition spelling, not a slip). All 1330 with the lines swapped
//!   caught; the 41 known damaged readings caught with `known_damaged` set. With at most one
//!   edited word instead of two, 214 of them escape.
//! - Prose: the two Tamil commentaries of every kural (2,660 paraphrases sharing most of its
//!   words) raise nothing; 52 of them become candidates. Allowing three edited words
//!   flags 1 of them, four flags 2. The 41 modern poems with their explanations and a 14 KB
//!   uncorrected essay raise nothing. Each kural followed by both its commentaries raises
//!   nothing, and so does the whole book as one 232 KB record.
//! - Speed: a text without Tamil costs one memchr pass; figures for prose, quotations and the
//!   whole book are in bench/README.md ("Components").

mod align;
#[cfg(feature = "calibration")]
#[doc(hidden)]
pub mod calibration;
mod issue;
mod judge;
mod mention;
mod reference;
#[cfg(any(test, feature = "calibration"))]
mod samples;
mod search;

pub use issue::{KuralIssue, KuralIssueKind, WordEdit};
pub use judge::classify;
pub use reference::{KURAL_COUNT, KuralRef};

use super::phoneme;
use judge::{Verdict, resolve_overlaps};
use mention::named_number;
use reference::{GRAM, reference};

/// The kural with this number (1..=1330).
pub fn kural(number: u16) -> Option<&'static KuralRef> {
    let index = usize::from(number).checked_sub(1)?;
    reference().entries.get(index).map(|entry| &entry.kural)
}

/// Finds quotations of kurals in `text` and reports the misquoted ones and the correct ones that
/// carry a wrong kural number.
pub fn check_text(text: &str) -> Vec<KuralIssue> {
    check_text_after(text, 0)
}

/// [`check_text`] on a question and its answer joined into one `text`, the answer starting at
/// byte `answer_start`: the question can name the kural the answer quotes, but no quotation runs
/// across the joint (phonemes ignore punctuation, and the question's last letters could stand in
/// for letters missing at the start of the quotation).
pub fn check_text_after(text: &str, answer_start: usize) -> Vec<KuralIssue> {
    // Most records have no Tamil at all; this costs one memchr pass. Letter offsets are u32:
    // a single record over 4 GiB is not a training response, and is skipped.
    if !phoneme::contains_tamil(text) || u32::try_from(text.len()).is_err() {
        return Vec::new();
    }
    let stream = phoneme::phonemes_with_letters(text);
    let codes = &stream.codes;
    if codes.len() < GRAM {
        return Vec::new();
    }
    let reference = reference();
    let candidates = reference.candidates(codes);
    if candidates.is_empty() {
        return Vec::new();
    }
    let quotes = resolve_overlaps(reference.quotations(&candidates, text, &stream, answer_start));
    let mut issues = Vec::new();
    for (i, quote) in quotes.iter().enumerate() {
        let previous_end = i.checked_sub(1).map_or(0, |p| quotes[p].span.end);
        let next_start = quotes.get(i + 1).map_or(text.len(), |n| n.span.start);
        if let Verdict::Misquoted { diff, known_damaged } = &quote.verdict {
            let kind = match known_damaged {
                Some(_) => Some(KuralIssueKind::Misquoted),
                None => classify(diff),
            };
            if let Some(kind) = kind {
                issues.push(KuralIssue {
                    span: quote.span.clone(),
                    number: quote.number,
                    kind,
                    diff: diff.clone(),
                    known_damaged: *known_damaged,
                });
            }
        }
        if matches!(quote.verdict, Verdict::Partial) {
            continue;
        }
        // A number named for a quotation is checked however exact the quotation is.
        let named = named_number(text, &quote.span, previous_end, next_start);
        if let Some(named) = named.filter(|&n| n != quote.number) {
            let diff = phoneme::words(&text[quote.span.clone()])
                .into_iter()
                .map(|w| WordEdit::Same(text[quote.span.start..][w].to_string()))
                .collect();
            issues.push(KuralIssue {
                span: quote.span.clone(),
                number: quote.number,
                kind: KuralIssueKind::WrongNumber { named },
                diff,
                known_damaged: None,
            });
        }
    }
    issues
}

/// One line: same words plain, removed words as `[-…-]`, added words as `{+…+}`.
pub fn render_diff(diff: &[WordEdit]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < diff.len() {
        if !out.is_empty() {
            out.push(' ');
        }
        match &diff[i] {
            WordEdit::Same(word) => {
                out.push_str(word);
                i += 1;
            }
            WordEdit::Removed(_) => {
                let run = take_run(&diff[i..], |e| match e {
                    WordEdit::Removed(w) => Some(w),
                    _ => None,
                });
                out.push_str("[-");
                out.push_str(&run.join(" "));
                out.push_str("-]");
                i += run.len();
            }
            WordEdit::Added(_) => {
                let run = take_run(&diff[i..], |e| match e {
                    WordEdit::Added(w) => Some(w),
                    _ => None,
                });
                out.push_str("{+");
                out.push_str(&run.join(" "));
                out.push_str("+}");
                i += run.len();
            }
        }
    }
    out
}

fn take_run<'a>(edits: &'a [WordEdit], pick: impl Fn(&'a WordEdit) -> Option<&'a String>) -> Vec<&'a str> {
    edits.iter().map_while(|e| pick(e).map(String::as_str)).collect()
}

#[cfg(test)]
mod tests {
    use super::reference::DAMAGED_JSONL;
    use super::samples::{LAYOUTS, Lcg, commentaries, edit_word, layout, misquotes, words_of};
    use super::*;
    use crate::tamil::phoneme::Phoneme;

    use crate::test_data;

    #[test]
    fn reference_loads() {
        assert_eq!(kural(1).map(|k| k.chapter), Some("கடவுள் வாழ்த்து"));
        assert_eq!(kural(1330).map(|k| k.number), Some(1330));
        assert!(kural(0).is_none());
        assert!(kural(1331).is_none());
        let r = reference();
        let mut distinct: Vec<&[Phoneme]> = r.entries.iter().map(|e| &e.verse.codes[..]).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 1330, "no two kurals read alike");
        let damaged: usize = r.entries.iter().map(|e| e.damaged.len()).sum();
        assert_eq!(damaged, 41);
    }

    #[test]
    fn every_kural_passes_in_every_layout() {
        let mut failures = Vec::new();
        for number in 1..=KURAL_COUNT {
            let tamil = kural(number).expect("kural").tamil;
            for variant in 0..LAYOUTS {
                let text = layout(tamil, variant, usize::from(number) + variant);
                let issues = check_text(&text);
                if !issues.is_empty() {
                    failures.push((number, text, issues));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures, first: {:?}",
            failures.len(),
            failures.first()
        );
    }

    #[test]
    fn many_kurals_in_one_record_pass() {
        // The first 40 chapters; the `kural_measure` example runs the whole book.
        let book: Vec<String> = (1..=400)
            .map(|n| format!("{n}. {}", kural(n).expect("kural").tamil))
            .collect();
        assert_eq!(check_text(&book.join("\n\n")), vec![]);
    }

    #[test]
    fn one_kural_repeated_past_sixteen_bits_of_hits_passes() {
        // 2,000 copies give kural 1 over 65,535 n-gram hits in one text.
        let tamil = kural(1).expect("kural").tamil;
        let text = vec![tamil; 2000].join("\n\n");
        assert_eq!(check_text(&text), vec![]);
    }

    #[test]
    fn kural_followed_by_its_commentaries_passes() {
        let mut failures = Vec::new();
        for (number, varadarasanar, solomon) in commentaries() {
            let tamil = kural(number).expect("kural").tamil;
            let text = format!("{tamil}\n\nவிளக்கம்: {varadarasanar}\n\n{solomon}");
            let issues = check_text(&text);
            if !issues.is_empty() {
                failures.push((number, issues));
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures: {:?}",
            failures.len(),
            failures.first()
        );
    }

    #[test]
    fn commentary_prose_is_not_a_misquotation() {
        let mut flagged = Vec::new();
        for (number, varadarasanar, solomon) in commentaries() {
            for prose in [varadarasanar, solomon] {
                let issues = misquotes(&prose);
                if !issues.is_empty() {
                    flagged.push((number, prose, issues));
                }
            }
        }
        assert!(flagged.is_empty(), "{} flagged: {:?}", flagged.len(), flagged.first());
    }

    #[test]
    fn modern_poems_and_an_essay_raise_nothing() {
        for v in test_data::poems() {
            for field in ["poem", "meaning"] {
                let text = v[field].as_str().unwrap_or_default();
                assert!(check_text(text).is_empty(), "{text}");
            }
        }
        assert!(check_text(test_data::ESSAY).is_empty());
    }

    fn expect_misquote(failures: &mut Vec<String>, what: &str, number: u16, text: &str) {
        let issues = check_text(text);
        // A word of another kural in place of one of this kural's is an error whether it reads as
        // another word or as a slip of a letter (`தரும்` for `வரும்`).
        let ok = matches!(issues.as_slice(), [issue]
            if issue.number == number
                && matches!(issue.kind, KuralIssueKind::Misquoted | KuralIssueKind::Misspelled));
        if !ok {
            failures.push(format!("{what} {number}: {text:?} → {issues:?}"));
        }
    }

    #[test]
    fn substituted_dropped_and_swapped_words_are_caught() {
        let mut rng = Lcg(2024);
        let mut failures = Vec::new();
        for number in 1..=KURAL_COUNT {
            let words = words_of(number);
            let wrap = |body: String, k: usize| match (usize::from(number) + k) % 3 {
                0 => body,
                1 => format!("“{}”", body.replace('\n', " ")),
                _ => format!("வள்ளுவர் சொன்னது:\n{body}\nஎன்பது பொருள்."),
            };
            // Substitution: a word of another kural that reads differently.
            let at = rng.below(words.len());
            let other = words_of(1 + ((number + rng.below(1329) as u16) % 1330));
            let mut replacement = other[rng.below(other.len())].trim_end_matches(['.', '?']);
            if phoneme::phonemes(replacement) == phoneme::phonemes(words[at]) {
                replacement = "வெள்ளைக்காரன்";
            }
            let substituted = edit_word(number, at, Some(replacement));
            expect_misquote(&mut failures, "substituted", number, &wrap(substituted, 0));
            // A dropped word.
            let dropped = edit_word(number, rng.below(words.len()), None);
            expect_misquote(&mut failures, "dropped", number, &wrap(dropped, 1));
            // The two lines swapped.
            let (first, second) = kural(number).expect("kural").tamil.split_once('\n').expect("two lines");
            let swapped = format!("{second}\n{first}");
            expect_misquote(&mut failures, "swapped", number, &wrap(swapped, 2));
        }
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures[..failures.len().min(80)].join("\n")
        );
    }

    /// The vowel sign that writes vowel letter `v` after a consonant (`None` for `அ`, which has
    /// none).
    fn vowel_sign(v: char) -> Option<Option<char>> {
        Some(match v {
            'அ' => None,
            'ஆ' => Some('ா'),
            'இ' => Some('ி'),
            'ஈ' => Some('ீ'),
            'உ' => Some('ு'),
            'ஊ' => Some('ூ'),
            'எ' => Some('ெ'),
            'ஏ' => Some('ே'),
            'ஐ' => Some('ை'),
            'ஒ' => Some('ொ'),
            'ஓ' => Some('ோ'),
            'ஔ' => Some('ௌ'),
            _ => return None,
        })
    }

    fn is_vowel_letter(c: char) -> bool {
        ('அ'..='ஔ').contains(&c)
    }

    /// Whether a word ends in a vowel (a consonant with a sign or the inherent a, or a vowel letter).
    fn ends_in_vowel(word: &str) -> bool {
        word.chars().last().is_some_and(|c| c != '\u{0BCD}' && c != 'ஃ')
    }

    /// Every edition spelling of the kural's junctions, one kind at a time: (kind, text).
    fn edition_spellings(number: u16) -> Vec<(&'static str, String)> {
        let tamil = kural(number).expect("kural").tamil.trim_end_matches('.');
        let lines: Vec<Vec<&str>> = tamil.split('\n').map(|line| line.split(' ').collect()).collect();
        let mut out = Vec::new();
        let render = |lines: &[Vec<String>]| lines.iter().map(|words| words.join(" ")).collect::<Vec<_>>().join("\n");
        let owned: Vec<Vec<String>> = lines
            .iter()
            .map(|words| words.iter().map(|w| (*w).to_owned()).collect())
            .collect();
        for (l, words) in lines.iter().enumerate() {
            for i in 0..words.len().saturating_sub(1) {
                let (left, right) = (words[i], words[i + 1]);
                let first = right.chars().next().unwrap_or(' ');
                let mut edit = |kind: &'static str, new_left: String, new_right: Option<String>| {
                    let mut copy = owned.clone();
                    match new_right {
                        Some(new_right) => {
                            copy[l][i] = new_left;
                            copy[l][i + 1] = new_right;
                        }
                        None => {
                            // Joined into one word.
                            copy[l][i] = new_left;
                            copy[l].remove(i + 1);
                        }
                    }
                    out.push((kind, render(&copy)));
                };
                // A glide written before a vowel-initial word.
                if ends_in_vowel(left) && is_vowel_letter(first) {
                    let glide = if matches!(left.chars().last(), Some('ி' | 'ீ' | 'ெ' | 'ே' | 'ை')) {
                        'ய'
                    } else {
                        'வ'
                    };
                    let sign = vowel_sign(first).expect("a vowel");
                    let rest: String = right.chars().skip(1).collect();
                    let glided = format!("{glide}{}{rest}", sign.map(String::from).unwrap_or_default());
                    edit("glide", left.to_owned(), Some(glided));
                }
                // A hard consonant doubled at the junction, or one already there left out.
                if matches!(first, 'க' | 'ச' | 'த' | 'ப') && ends_in_vowel(left) {
                    edit(
                        "doubling added",
                        format!("{left}{first}\u{0BCD}"),
                        Some(right.to_owned()),
                    );
                }
                if let Some(stem) = ["க்", "ச்", "த்", "ப்"].iter().find_map(|hard| left.strip_suffix(hard))
                    && stem.chars().count() > 1
                {
                    edit("doubling left out", stem.to_owned(), Some(right.to_owned()));
                }
                // Words joined, as editions join them, with `ல்` before a hard consonant a `ற்`.
                if !is_vowel_letter(first) {
                    let left = match left.strip_suffix("ல்") {
                        Some(stem) if matches!(first, 'க' | 'ச' | 'த' | 'ப') => format!("{stem}ற்"),
                        _ => left.to_owned(),
                    };
                    edit("joined", format!("{left}{right}"), None);
                }
                // A final consonant doubled into a vowel-initial word when joined (`கண்ணிணை`).
                let chars: Vec<char> = left.chars().collect();
                if chars.len() >= 3 && chars[chars.len() - 1] == '\u{0BCD}' && is_vowel_letter(first) {
                    let consonant = chars[chars.len() - 2];
                    let sign = vowel_sign(first).expect("a vowel");
                    let rest: String = right.chars().skip(1).collect();
                    edit(
                        "joined with doubling",
                        format!("{left}{consonant}{}{rest}", sign.map(String::from).unwrap_or_default()),
                        None,
                    );
                }
                // `ன்` / `ண்` as `ற்` / `ட்` before a hard consonant (`மந்திரியிற் பக்கத்துள்`).
                if matches!(first, 'க' | 'ச' | 'ப') {
                    for (nasal, stop) in [("ன்", "ற்"), ("ண்", "ட்")] {
                        if let Some(stem) = left.strip_suffix(nasal)
                            && stem.chars().count() > 1
                        {
                            edit("nasal as stop", format!("{stem}{stop}"), Some(right.to_owned()));
                        }
                    }
                }
                // `ம்` elided before a nasal (`தூறு மணற்கேணி`), `ல்` / `ள்` merged into a `ந`
                // when joined (`கோனோக்கி`, `புத்தேணாட்டு`).
                if matches!(first, 'ம' | 'ந')
                    && let Some(stem) = left.strip_suffix("ம்")
                    && stem.chars().count() > 1
                    && !stem.ends_with('\u{0BCD}')
                {
                    edit("nasal merged", stem.to_owned(), Some(right.to_owned()));
                }
                if first == 'ந' {
                    for (end, merged) in [("ல்", 'ன'), ("ள்", 'ண')] {
                        if let Some(stem) = left.strip_suffix(end)
                            && stem.chars().count() > 1
                        {
                            let rest: String = right.chars().skip(1).collect();
                            edit("nasal merged", format!("{stem}{merged}{rest}"), None);
                        }
                    }
                }
                // Kutriyalikaram: a final short u before `ய` split off as `இ`
                // (`கரப்பவர்க் கியாங்கொளிக்கும்`).
                if first == 'ய' && chars_end_in_hard_u(left) {
                    let chars: Vec<char> = left.chars().collect();
                    let consonant = chars[chars.len() - 2];
                    let stem: String = chars[..chars.len() - 1].iter().collect();
                    edit(
                        "kutriyalikaram",
                        format!("{stem}\u{0BCD}"),
                        Some(format!("{consonant}\u{0BBF}{right}")),
                    );
                }
                // A final short a dropped where an edition splits (`புரிந் தில்லிலோர்க்கு`).
                if chars.len() >= 3
                    && ('க'..='ஹ').contains(&chars[chars.len() - 1])
                    && is_vowel_letter(first)
                    && first != 'அ'
                {
                    let consonant = chars[chars.len() - 1];
                    let sign = vowel_sign(first)
                        .expect("a vowel")
                        .map(String::from)
                        .unwrap_or_default();
                    let stem: String = chars[..chars.len() - 1].iter().collect();
                    let rest: String = right.chars().skip(1).collect();
                    edit("final a split off", stem, Some(format!("{consonant}{sign}{rest}")));
                }
            }
        }
        // Alapedai written or not.
        if tamil.contains("ாஅ") {
            out.push(("alapedai left out", tamil.replace("ாஅ", "ா")));
        }
        out
    }

    /// A word ending in a hard consonant with a short u (`கு`, `சு`, `டு`, `து`, `பு`, `று`).
    fn chars_end_in_hard_u(word: &str) -> bool {
        let chars: Vec<char> = word.chars().collect();
        chars.len() >= 3
            && chars[chars.len() - 1] == 'ு'
            && matches!(chars[chars.len() - 2], 'க' | 'ச' | 'ட' | 'த' | 'ப' | 'ற')
    }

    #[test]
    fn edition_spellings_are_not_errors_and_real_slips_still_are() {
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        let mut failures = Vec::new();
        for number in 1..=KURAL_COUNT {
            for (kind, text) in edition_spellings(number) {
                *counts.entry(kind).or_default() += 1;
                let quoted = format!("குறள் {number}:\n{text}");
                let errors: Vec<KuralIssue> = check_text(&quoted)
                    .into_iter()
                    .filter(|issue| issue.kind != KuralIssueKind::OtherForm)
                    .collect();
                if !errors.is_empty() {
                    failures.push(format!("{kind} {number}: {text:?} → {errors:?}"));
                }
            }
        }
        let total: usize = counts.values().sum();
        assert!(total > 5000, "{counts:?}");
        // The junction spellings read the same; a handful collide with a reading that is also a
        // different division of another word and are reported, none of them wrongly numbered.
        assert!(
            failures.len() * 200 <= total,
            "{} of {total} edition spellings flagged ({counts:?}):\n{}",
            failures.len(),
            failures[..failures.len().min(40)].join("\n")
        );
        eprintln!("{total} edition spellings ({counts:?}), {} flagged", failures.len());
    }

    #[test]
    fn slips_inside_words_stay_errors() {
        let mut failures = Vec::new();
        let mut tried = 0;
        for number in 1..=KURAL_COUNT {
            let tamil = kural(number).expect("kural").tamil;
            // A doubled consonant dropped inside a word (`அஃதில்லார்` → `அஃதிலார்`).
            for doubled in ["ல்ல", "ன்ன", "ட்ட", "ற்ற", "ள்ள", "ண்ண", "ம்ம"] {
                if let Some(at) = tamil.find(doubled)
                    && !tamil[..at].ends_with(' ')
                {
                    let single = &doubled[..doubled.len() - "ல்".len()];
                    let slipped = format!("{}{single}{}", &tamil[..at], &tamil[at + doubled.len()..]);
                    tried += 1;
                    if misquotes(&slipped).first().map(|i| i.number) != Some(number) {
                        failures.push(format!("doubling dropped {number}: {slipped}"));
                    }
                    break;
                }
            }
            // A nasal confused inside a word where no consonant decides it (`கணங்குழை`).
            let chars: Vec<char> = tamil.chars().collect();
            if let Some(at) = (1..chars.len() - 1)
                .find(|&i| matches!(chars[i], 'ன' | 'ண') && chars[i + 1] != '\u{0BCD}' && chars[i - 1] != ' ')
            {
                let mut slipped = chars.clone();
                slipped[at] = if chars[at] == 'ன' { 'ண' } else { 'ன' };
                let slipped: String = slipped.into_iter().collect();
                tried += 1;
                let issues = misquotes(&slipped);
                if issues.first().map(|i| (i.number, i.kind)) != Some((number, KuralIssueKind::Misspelled)) {
                    failures.push(format!("nasal {number}: {slipped} → {issues:?}"));
                }
            }
        }
        assert!(tried > 1500, "{tried}");
        assert!(
            failures.is_empty(),
            "{} of {tried}:\n{}",
            failures.len(),
            failures[..failures.len().min(40)].join("\n")
        );
    }

    #[test]
    fn the_issues_examples_are_classed_as_the_issue_classes_them() {
        // Edition readings of the table.
        assert!(check_text("சுவைஒளி ஊறோசை நாற்றமென் றைந்தின்\nவகைதெரிவான் கட்டே உலகு.").is_empty());
        assert!(check_text("எந்நன்றி கொன்றார்க்கும் உய்வுண்டாம் உய்வில்லை\nசெய்நன்றி கொன்ற மகற்கு.").is_empty());
        // Another form of a word: a warning; a slip inside a word, or another word: errors.
        assert_eq!(judge::one_word("மக்கட்கு", "மக்களுக்கு"), KuralIssueKind::OtherForm);
        assert_eq!(judge::one_word("அறத்தான்", "அறத்தால்"), KuralIssueKind::OtherForm);
        assert_eq!(judge::one_word("உலகில்", "உலகின்"), KuralIssueKind::OtherForm);
        assert_eq!(judge::one_word("மனைமாட்சி", "மனமாட்சி"), KuralIssueKind::Misspelled);
        assert_eq!(judge::one_word("அஃதில்லார்", "அஃதிலார்"), KuralIssueKind::Misspelled);
        assert_eq!(judge::one_word("உலகு", "வானம்"), KuralIssueKind::Misquoted);
    }

    #[test]
    fn an_inexact_quotation_under_another_number_is_the_wrong_number() {
        // Kural 975 in an edition's spelling, headed with 978.
        let tamil = kural(975).expect("975").tamil;
        let spelled = edition_spellings(975)
            .into_iter()
            .map(|(_, text)| text)
            .next()
            .unwrap_or_else(|| tamil.to_owned());
        assert_ne!(spelled, tamil);
        let issues = check_text(&format!("குறள் 978:\n{spelled}"));
        assert_eq!(
            issues.iter().map(|i| (i.number, i.kind)).collect::<Vec<_>>(),
            vec![(975, KuralIssueKind::WrongNumber { named: 978 })],
            "{issues:?}"
        );
        // And a misquotation under another number is both.
        let misquoted = tamil.replacen(tamil.split_whitespace().next().unwrap_or_default(), "வெள்ளைக்காரன்", 1);
        let kinds: Vec<KuralIssueKind> = check_text(&format!("குறள் 978:\n{misquoted}"))
            .iter()
            .map(|i| i.kind)
            .collect();
        assert!(kinds.contains(&KuralIssueKind::WrongNumber { named: 978 }), "{kinds:?}");
        assert!(
            kinds
                .iter()
                .any(|k| matches!(k, KuralIssueKind::Misquoted | KuralIssueKind::Misspelled)),
            "{kinds:?}"
        );
    }

    #[test]
    fn known_damaged_readings_are_caught() {
        let mut seen = 0;
        for line in DAMAGED_JSONL.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("damaged line");
            let number = v["number"]
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .expect("number");
            let reading = v["reading"].as_str().expect("reading");
            let source = v["source"].as_str().expect("source");
            let issues = check_text(reading);
            assert_eq!(issues.len(), 1, "{number}: {issues:?}");
            assert_eq!(issues[0].number, number);
            assert_eq!(issues[0].kind, KuralIssueKind::Misquoted);
            assert_eq!(issues[0].known_damaged, Some(source));
            // Found in running text as well.
            let text = format!("உதாரணம்: “{}” என்று பழைய நூல் கூறுகிறது.", reading.replace('\n', " "));
            let issues = check_text(&text);
            assert_eq!(issues.len(), 1, "{number} in text: {issues:?}");
            assert_eq!(issues[0].known_damaged, Some(source), "{number} in text");
            seen += 1;
        }
        assert_eq!(seen, 41);
    }

    #[test]
    fn word_split_renderings_pass() {
        let cases = [
            // The reference splits பொருளல்ல தவ்வூன்; other editions keep the words whole.
            (254, "அருளல்ல தியாதெனிற் கொல்லாமை கோறல்\nபொருளல்லது அவ்வூன் தினல்."),
            (666, "எண்ணிய எண்ணியாங் கெய்துப எண்ணியார்\nதிண்ணியர் ஆகப் பெறின்."),
            (82, "விருந்து புறத்ததாத் தானுண்டல் சாவா\nமருந்தெனினும் வேண்டற்பாற்று அன்று."),
            (82, "விருந்து புறத்ததாத் தானுண்டல் சாவா\nமருந்தெனினும் வேண் டற்பாற் றன்று."),
            (871, "பகைஎன்னும் பண்பி லதனை ஒருவன்\nநகையேயும் வேண்டற்பாற் றன்று."),
            (1, "அகரமுதல எழுத்தெல்லாம் ஆதிபகவன் முதற்றே உலகு"),
        ];
        for (number, text) in cases {
            assert!(check_text(text).is_empty(), "{number}: {text}");
            // The same rendering with one word changed is still caught.
            let damaged = if text.contains('ம') {
                text.replacen('ம', "வ", 1)
            } else {
                text.replacen('எ', "ஏ", 1)
            };
            let issues = misquotes(&damaged);
            assert_eq!(issues.first().map(|i| i.number), Some(number), "{damaged}");
        }
        // The reference form of 254 yields no issue either, of course.
        assert!(check_text(kural(254).expect("254").tamil).is_empty());
    }

    #[test]
    fn diff_and_span_of_a_substituted_word() {
        let text = "முதல் குறள்: “அகர முதல எழுத்துக்கள் ஆதி\nபகவன் முதற்றே உலகு.” என்பர்.";
        let issues = check_text(text);
        assert_eq!(issues.len(), 1, "{issues:?}");
        let issue = &issues[0];
        assert_eq!(issue.number, 1);
        assert_eq!(issue.kind, KuralIssueKind::Misquoted);
        assert_eq!(&text[issue.span.clone()], "அகர முதல எழுத்துக்கள் ஆதி\nபகவன் முதற்றே உலகு");
        assert_eq!(
            render_diff(&issue.diff),
            "அகர முதல [-எழுத்தெல்லாம்-] {+எழுத்துக்கள்+} ஆதி பகவன் முதற்றே உலகு"
        );
        assert_eq!(issue.known_damaged, None);
    }

    #[test]
    fn dropped_word_diff() {
        let issues = check_text("கற்றதனால் ஆய பயனென்கொல்\nநற்றாள் தொழாஅர் எனின்.");
        assert_eq!(issues.len(), 1);
        assert_eq!(
            render_diff(&issues[0].diff),
            "கற்றதனால் ஆய பயனென்கொல் [-வாலறிவன்-] நற்றாள் தொழாஅர் எனின்"
        );
    }

    #[test]
    fn wrong_first_kural_is_caught() {
        // VAZHI's model "cited" kural 2 as the first kural.
        let second = kural(2).expect("kural 2").tamil;
        let text = format!("திருக்குறளின் முதல் குறள்:\n\n{second}\n\nஇது கடவுள் வாழ்த்து பற்றியது.");
        let issues = check_text(&text);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].kind, KuralIssueKind::WrongNumber { named: 1 });
        assert_eq!(issues[0].number, 2);
        assert_eq!(&text[issues[0].span.clone()], second.trim_end_matches('.'));
        for named in [
            format!("குறள் 1: {second}"),
            format!("திருக்குறள் 1\n{second}"),
            format!("குறள் எண் 1 —\n“{second}”"),
            format!("Kural #1:\n{second}"),
            format!("The first kural of the Thirukkural is:\n{second}"),
            format!("Thirukkural 1 says: {second}"),
            format!("“{second}” (குறள் 1)"),
            format!("1-ஆவது குறள்: {second}"),
        ] {
            let issues = check_text(&named);
            assert_eq!(issues.len(), 1, "{named}: {issues:?}");
            assert_eq!(issues[0].kind, KuralIssueKind::WrongNumber { named: 1 }, "{named}");
        }
    }

    #[test]
    fn a_letter_lost_at_the_start_of_an_answer_is_not_supplied_by_the_question() {
        // Kural 994 starts with ந; "என்ன?" ends with ன, which reads the same: before the joint
        // and the question mark stopped placements, the damaged quotation went unreported.
        let damaged = "யனொடு நன்றி புரிந்த பயனுடையார்\nபண்புபா ராட்டும் உலகு.";
        for question in ["திருக்குறள் 994 என்ன?", "திருக்குறள் 994 என்ன", "குறள் 994 விளக்குக."]
        {
            let text = format!("{question}\n\n{damaged}");
            let answer_start = question.len() + 2;
            let issues = check_text_after(&text, answer_start);
            assert_eq!(issues.len(), 1, "{question}: {issues:?}");
            assert_eq!(issues[0].number, 994);
            assert_eq!(
                &text[issues[0].span.clone()],
                damaged.trim_end_matches('.'),
                "{question}"
            );
        }
        // The answer read alone (no question): the same finding.
        assert_eq!(check_text(damaged).len(), 1);
    }

    #[test]
    fn one_glide_for_the_other_is_a_misspelling_a_glide_left_out_is_not() {
        assert_eq!(phoneme::phonemes("யவ"), vec![phoneme::Y, 0, phoneme::V, 0]);
        // Kural 901 with வினைவிழைவார் ("who desire action") as வினைவிழையார் ("who do not").
        let swapped = kural(901).expect("901").tamil.replace("வினைவிழைவார்", "வினைவிழையார்");
        let issues = check_text(&swapped);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(matches!(
            issues[0].kind,
            KuralIssueKind::Misspelled | KuralIssueKind::Misquoted
        ));
        // An edition's glide at a joint, written or not, stays quiet (கல்வி யொருவற்கு, kural 398).
        let joined = kural(398).expect("398").tamil.replace("கல்வி ஒருவற்கு", "கல்வி யொருவற்கு");
        assert!(check_text(&joined).is_empty(), "{joined}");
    }

    #[test]
    fn right_or_ambiguous_numbers_are_left_alone() {
        let first = kural(1).expect("kural 1").tamil;
        let second = kural(2).expect("kural 2").tamil;
        let eleventh = kural(11).expect("kural 11").tamil;
        for text in [
            format!("முதல் குறள்: {first}"),
            format!("Kural 2: {second}"),
            format!("குறள் 1, குறள் 2 ஆகியவற்றில் இரண்டாவது:\n{second}"),
            format!("குறள் 1 முதல் 10 வரை கடவுள் வாழ்த்து. உதாரணம்:\n{second}"),
            format!("வான்சிறப்பு அதிகாரத்தின் முதல் குறள்:\n{eleventh}"),
            format!("Kural 1: {first}\n\nKural 2: {second}"),
            format!("திருக்குறள் 1330 குறள்களைக் கொண்டது. அவற்றுள் ஒன்று:\n{second}"),
            format!("Thirukkural 1330 couplets in all; the second is\n{second}"),
            format!(
                "குறள் 1 பற்றி பிறகு பார்ப்போம். இப்போது ஒரு நீண்ட விளக்கம் தேவைப்படுகிறது, ஏனெனில் இந்த அதிகாரம் மிகவும் முக்கியமானது; இதை ஒவ்வொரு மாணவரும் அறிய வேண்டும், மேலும் பல உதாரணங்கள் உள்ளன, அவற்றையும் பார்க்கலாம், பிறகு இதைப் படிக்கலாம்:\n{second}"
            ),
        ] {
            assert!(check_text(&text).is_empty(), "{text}");
        }
    }

    #[test]
    fn one_line_alone_is_a_partial_quotation() {
        for text in [
            "அகர முதல எழுத்தெல்லாம் ஆதி என்று தொடங்குகிறது திருக்குறள்.",
            "“பகவன் முதற்றே உலகு” என்பது வள்ளுவர் வாக்கு.",
        ] {
            assert!(check_text(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn several_quotations_in_one_record() {
        let text = format!(
            "{}\n\n{}\n\nமூன்றாவது: {}",
            kural(1).expect("1").tamil,
            kural(2).expect("2").tamil.replace("வாலறிவன்", "வாலறிவான்"),
            kural(3).expect("3").tamil
        );
        let issues = check_text(&text);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].number, 2);
        assert_eq!(
            render_diff(&issues[0].diff),
            "கற்றதனால் ஆய பயனென்கொல் [-வாலறிவன்-] {+வாலறிவான்+} நற்றாள் தொழாஅர் எனின்"
        );
    }

    #[test]
    fn the_same_kural_right_and_then_wrong() {
        let right = kural(100).expect("kural 100").tamil;
        let wrong = right.replace("இனிய", "இன்பமான");
        assert_ne!(right, wrong);
        let text = format!("{right}\n\nமீண்டும்:\n{wrong}");
        let issues = check_text(&text);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].number, 100);
        assert!(issues[0].span.start > right.len());
    }

    #[test]
    fn text_without_tamil_is_rejected_at_once() {
        assert!(check_text("").is_empty());
        assert!(check_text("The Thirukkural has 1330 couplets. Kural 1 praises God.").is_empty());
    }
}
