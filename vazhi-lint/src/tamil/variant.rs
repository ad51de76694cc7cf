//! Orthographic variants of a classical Tamil verse: spellings that printed editions and careful
//! writers use for the same words, which a reader calls the same quotation. [`variant_keys`] reads a
//! text so that these differences vanish, and only these:
//!
//! - a hard consonant (`க் ச் த் ப்`) doubled at a word's end by sandhi, written or not
//!   (`தன்மகனைச் சான்றோன்` / `தன்மகனை சான்றோன்`, `நிலம்போலத்` / `நிலம்போல`), spurious ones
//!   included (`பிறர்க்குக்` before a vowel): no Tamil word ends in one of them;
//! - a glide (`ய்`, `வ்`) between a vowel and a vowel-initial word, written or not
//!   (`பெருமை யுடையவர்` / `பெருமை உடையவர்`, `கல்வி யொருவற்கு` / `கல்வி ஒருவற்கு`);
//! - alapedai, the prosodic lengthening written as a short vowel after its long one
//!   (`எல்லாஅம்` / `எல்லாம்`, `தொழாஅர்` / `தொழார்`);
//! - a word's final consonant doubled before a vowel when the words are joined
//!   (`கண்இணை` / `கண்ணிணை`), a final short `அ` or `உ` elided before a vowel when an edition splits
//!   (`புகழ்புரிந்த இல்லிலோர்க்கு` / `புகழ்புரிந் தில்லிலோர்க்கு`);
//! - `ல்` / `ள்` turned `ற்` / `ட்` before a hard consonant by joining (`காலத்தினால் செய்த` /
//!   `காலத்தி னாற்செய்த`, `செய்தல் பொருட்டு` / `செய்தற் பொருட்டு`), and a word's final `ன்` /
//!   `ண்` the same way (`மந்திரியின் பக்கத்துள்` / `மந்திரியிற் பக்கத்துள்`, `பிறன்கண்` /
//!   `பிறன்கட்` before a hard consonant);
//! - a word's final `ம்`, `ன்`, `ல்`, `ள்` merged into the nasal that starts the next word
//!   (`தூறும் மணற்கேணி` / `தூறு மணற்கேணி`, `வானம் நணிய` / `வான நணிய`, `கோல் நோக்கி` /
//!   `கோனோக்கி`, `புத்தேள் நாட்டு` / `புத்தேணாட்டு`);
//! - a final short `உ` after a consonant turned `இ` before `ய` when an edition splits
//!   (`என்பது ஒன்று யாதெனின்` / `என்பதொன் றியாதெனின்`, `செல்வத்திற்கு யாது` /
//!   `செல்வத்திற் கியாது`: kutriyalikaram).
//!
//! These junction rules apply between written words only: inside a word a doubled nasal
//! (`மரம்மக்கள்` / `மரமக்கள்`) or a changed consonant is the word's own.
//!
//! What stays a difference: any other letter (a one-letter slip that makes another word, a doubled
//! consonant dropped inside a word, a wrong vowel sign), a word added, dropped or moved. Nasals are
//! one phoneme here as in [`super::phoneme`]; [`significant_nasals`] gives the nasals that no
//! following consonant decides, so `கணங்குழை` for `கனங்குழை` is still found.

use super::phoneme::{self, NASAL, Phoneme, SHORT_U, V, Y, is_consonant, is_vowel};

const K: Phoneme = 13;
const C: Phoneme = 14;
const RETROFLEX_T: Phoneme = 15;
const T: Phoneme = 16;
const P: Phoneme = 17;
const L: Phoneme = 20;
const RETROFLEX_L: Phoneme = 23;
const R: Phoneme = 24;
const A: Phoneme = 0;
const I: Phoneme = 2;

/// Junctions whose two readings are both tried, at most; past this only the first few are.
const MAX_OPTIONAL_JUNCTIONS: usize = 4;

fn is_hard(p: Phoneme) -> bool {
    matches!(p, K | C | T | P)
}

/// The short vowel a lengthening is written with after the long one (`ஆஅ`, `ஈஇ`, `ஊஉ`, `ஏஎ`,
/// `ஓஒ`, `ஐஇ`, `ஔஉ`).
fn lengthening(long: Phoneme) -> Option<Phoneme> {
    match long {
        1 => Some(0),
        3 => Some(2),
        5 => Some(4),
        7 => Some(6),
        10 => Some(9),
        8 => Some(2),
        11 => Some(4),
        _ => None,
    }
}

/// One word's phonemes with what is spelling alone taken out: a final hard consonant, and the
/// short vowel of a written lengthening.
fn word_key(word: &str) -> Vec<Phoneme> {
    let mut codes = phoneme::phonemes(word);
    // No Tamil word ends in a hard consonant: one there is sandhi, or the start of the next
    // word's sound written on this one (`சேர்ந்தார்க் கல்லால்`).
    while codes.last().is_some_and(|&p| is_hard(p)) && codes.len() > 1 {
        codes.pop();
    }
    let mut out: Vec<Phoneme> = Vec::with_capacity(codes.len());
    for p in codes {
        let lengthened = out
            .last()
            .is_some_and(|&before| is_vowel(before) && lengthening(before) == Some(p));
        if !lengthened {
            out.push(p);
        }
    }
    out
}

/// Whether a word ends in a short `உ` after a consonant (kutriyalukaram).
fn ends_in_short_u(word: &[Phoneme]) -> bool {
    word.len() > 1 && word[word.len() - 1] == SHORT_U && is_consonant(word[word.len() - 2])
}

/// What a word's final `ன்` / `ண்` becomes before a hard consonant (`ற்` / `ட்`), for the one
/// letter the nasal class of [`super::phoneme`] does not keep.
fn final_nasal_before_hard(word: &str) -> Option<Phoneme> {
    let base = word.strip_suffix('\u{0BCD}')?;
    match base.chars().next_back()? {
        'ன' => Some(R),
        'ண' => Some(RETROFLEX_T),
        _ => None,
    }
}

/// A word written unjoined is two words for the junction rules, as if a space stood there:
/// `கண்இணை` (a consonant with its pulli, then a vowel letter) as `கண் இணை`, and `கோல்நோக்கி`
/// (`ந` after a pulli) as `கோல் நோக்கி`. `ந` starts words; inside one it follows only `ந்`
/// (`முந்நீர்`), so anywhere else it marks where two words were joined.
fn unjoined_parts(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let (mut before, mut previous) = ('\0', '\0');
    for (at, c) in word.char_indices() {
        let vowel_letter = ('\u{0B85}'..='\u{0B94}').contains(&c);
        let joined_na = c == 'ந' && before != 'ந';
        // `ன்த` and `ண்த` are never a word's own either (it writes `ந்த`, `ன்ற`, `ண்ட`).
        let joined_ta = c == 'த' && matches!(before, 'ன' | 'ண');
        if previous == '\u{0BCD}' && (vowel_letter || joined_na || joined_ta) && at > start {
            parts.push(&word[start..at]);
            start = at;
        }
        (before, previous) = (previous, c);
    }
    parts.push(&word[start..]);
    parts
}

/// The readings of a text that differ from each other only by spelling: its phonemes with the
/// variants above normalised, one reading per choice at the junctions where an edition may double
/// a consonant or drop a final vowel. Two texts are the same quotation when their readings meet.
///
/// Each junction change touches only the last phoneme of the reading so far (replaces or drops
/// it, or adds one after it): [`reading_prefix`] relies on that, and a test checks every
/// reading begins with it.
pub fn variant_keys(text: &str) -> Vec<Vec<Phoneme>> {
    let parts: Vec<(Vec<Phoneme>, Option<Phoneme>)> = phoneme::words(text)
        .into_iter()
        .flat_map(|range| unjoined_parts(&text[range]))
        .map(|part| (word_key(part), final_nasal_before_hard(part)))
        .filter(|(key, _)| !key.is_empty())
        .collect();
    let words: Vec<&Vec<Phoneme>> = parts.iter().map(|(key, _)| key).collect();
    let mut readings: Vec<Vec<Phoneme>> = vec![Vec::new()];
    let mut optional = 0;
    for (index, word) in words.iter().enumerate() {
        let mut word: &[Phoneme] = word;
        let starts_with_vowel = word.first().is_some_and(|&p| is_vowel(p));
        let mut short_u_before_y = false;
        if index > 0 {
            let previous: &[Phoneme] = words[index - 1];
            short_u_before_y = word.first() == Some(&Y) && ends_in_short_u(previous);
            // A glide written between a vowel and a vowel-initial word (not the `ய` after a
            // short u, which turns the u into இ instead).
            if !short_u_before_y
                && previous.last().copied().is_some_and(is_vowel)
                && word.len() > 1
                && matches!(word[0], Y | V)
                && is_vowel(word[1])
            {
                word = &word[1..];
            }
        }
        let nasal_next = index > 0 && word.first() == Some(&NASAL);
        let hard_next = index > 0 && word.first().copied().is_some_and(is_hard);
        let t_next = index > 0 && word.first() == Some(&T);
        let final_nasal = if index > 0 { parts[index - 1].1 } else { None };
        let vowel_next = word.first().is_some_and(|&p| is_vowel(p));
        let mut next: Vec<Vec<Phoneme>> = Vec::with_capacity(readings.len() * 2);
        for mut reading in readings {
            // The junction changes below are what an edition that splits here writes; one that
            // joins the words (`கடல்நீந்துவர்`) keeps the letters, so both readings are kept. Each
            // change replaces the reading's last phoneme (with another, or with nothing), so the
            // changed reading always differs; it is copied only when there is one.
            let last_becomes = if short_u_before_y && ends_in_short_u(&reading) {
                Some(Some(I))
            } else if nasal_next && reading.len() > 1 && matches!(reading.last(), Some(&(NASAL | L | RETROFLEX_L))) {
                // `ம்`, `ன்`, `ல்`, `ள்` before a nasal merge into it.
                Some(None)
            } else if hard_next
                && reading.last() == Some(&NASAL)
                && let Some(joined) = final_nasal
            {
                Some(Some(joined))
            } else {
                None
            };
            if let Some(replacement) = last_becomes
                && optional < MAX_OPTIONAL_JUNCTIONS
            {
                let mut changed = reading.clone();
                changed.pop();
                changed.extend(replacement);
                changed.extend_from_slice(word);
                next.push(changed);
            }
            // `ன்` / `ண்` before `த` turn it into `ற` / `ட` (`ஊன்தின்` / `ஊன்றின்`, `கண்தாம்` /
            // `கண்டாம்`).
            if t_next
                && reading.last() == Some(&NASAL)
                && let Some(joined) = final_nasal
                && optional < MAX_OPTIONAL_JUNCTIONS
            {
                let mut changed = reading.clone();
                changed.push(joined);
                changed.extend_from_slice(&word[1..]);
                next.push(changed);
            }
            if index > 0 && vowel_next {
                match reading.last().copied() {
                    // Kutriyalukaram: the short u goes before a vowel.
                    Some(SHORT_U) if reading.len() > 1 && is_consonant(reading[reading.len() - 2]) => {
                        reading.pop();
                    }
                    // A final short a may go where an edition splits, or stay.
                    Some(A)
                        if reading.len() > 1
                            && is_consonant(reading[reading.len() - 2])
                            && optional < MAX_OPTIONAL_JUNCTIONS =>
                    {
                        let mut dropped = reading.clone();
                        dropped.pop();
                        dropped.extend_from_slice(word);
                        next.push(dropped);
                    }
                    // A final consonant is doubled before the vowel when the words are joined.
                    Some(last) if is_consonant(last) && starts_with_vowel && optional < MAX_OPTIONAL_JUNCTIONS => {
                        let mut doubled = reading.clone();
                        doubled.push(last);
                        doubled.extend_from_slice(word);
                        next.push(doubled);
                    }
                    _ => {}
                }
            }
            reading.extend_from_slice(word);
            next.push(reading);
        }
        if next.len() > 1 {
            optional += 1;
        }
        next.sort();
        next.dedup();
        readings = next;
    }
    for reading in &mut readings {
        normalise_joins(reading);
    }
    readings.sort();
    readings.dedup();
    readings
}

/// Joining changes that hold wherever they occur: `ல்` / `ள்` before a hard consonant are `ற்` /
/// `ட்`, and a glide between two vowels is the joining's, not the words'.
fn normalise_joins(codes: &mut Vec<Phoneme>) {
    for i in 0..codes.len().saturating_sub(1) {
        if is_hard(codes[i + 1]) {
            match codes[i] {
                L => codes[i] = R,
                RETROFLEX_L => codes[i] = RETROFLEX_T,
                _ => {}
            }
        }
    }
    let mut out = Vec::with_capacity(codes.len());
    for i in 0..codes.len() {
        let glide = matches!(codes[i], Y | V)
            && i > 0
            && is_vowel(codes[i - 1])
            && codes.get(i + 1).is_some_and(|&p| is_vowel(p));
        if !glide {
            out.push(codes[i]);
        }
    }
    *codes = out;
}

/// Whether two texts are the same verse up to the spellings above.
pub fn same_reading(a: &[Vec<Phoneme>], b: &[Vec<Phoneme>]) -> bool {
    a.iter().any(|key| b.binary_search(key).is_ok())
}

/// Phonemes that every reading of `text` ([`variant_keys`]) begins with, from its first word
/// alone: a stretch whose readings cannot begin like any of a verse's ([`may_read_as`]) is not
/// that verse, known without building its readings (most stretches a kural is judged on are not
/// it, and building their readings was most of judging them).
///
/// Why it is exact: the first word's key starts every reading, and the junction changes only
/// ever touch a reading's last phoneme (replaced, dropped, or followed by another), so all but
/// the first word's last phoneme stand in every reading before [`normalise_joins`]. That
/// changes a phoneme by the one after it (`ல்` before a hard consonant) and drops a glide
/// between two vowels, so it decides every phoneme but the last of that stretch the same way
/// in all readings; the last is left off.
pub fn reading_prefix(text: &str) -> Vec<Phoneme> {
    let first = phoneme::words(text)
        .into_iter()
        .flat_map(|range| unjoined_parts(&text[range]))
        .map(word_key)
        .find(|key| !key.is_empty());
    let Some(mut prefix) = first else {
        return Vec::new();
    };
    prefix.pop();
    normalise_joins(&mut prefix);
    // Normalised without what follows it: a glide is kept there, and a phoneme before a hard
    // consonant may read otherwise in a full reading.
    prefix.pop();
    prefix
}

/// Whether some reading of `readings` (sorted, as [`variant_keys`] returns them) begins with
/// `prefix` ([`reading_prefix`]): false means no reading of the text `prefix` came from is one
/// of them.
pub fn may_read_as(prefix: &[Phoneme], readings: &[Vec<Phoneme>]) -> bool {
    let at = readings.partition_point(|reading| reading.as_slice() < prefix);
    readings.get(at).is_some_and(|reading| reading.starts_with(prefix))
}

/// The nasal letters of a text that no following consonant decides (a nasal with a vowel, or at a
/// word's end before a vowel or nothing), in order. Editions assimilate a nasal to the consonant
/// after it (`ங்க`, `ந்த`, `ம்ப`), so those are free; the others are the word's own letters, and
/// `ண` for `ன` there is a misspelling.
pub fn significant_nasals(text: &str) -> Vec<char> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        if !matches!(c, 'ங' | 'ஞ' | 'ண' | 'ந' | 'ம' | 'ன') {
            continue;
        }
        let pulli = chars.get(i + 1) == Some(&'\u{0BCD}');
        if !pulli {
            out.push(if c == 'ந' { merged_nasal(&chars[..i]) } else { c });
            continue;
        }
        // A nasal with a pulli: decided by a consonant right after it, in the word or the next.
        let after: Option<char> = chars[i + 2..]
            .iter()
            .copied()
            .find(|c| !c.is_whitespace() && !matches!(c, '\u{200C}' | '\u{200D}'));
        let decided = after.is_some_and(|next| {
            matches!(
                next,
                'க' | 'ச' | 'ட' | 'த' | 'ப' | 'ற' | 'ங' | 'ஞ' | 'ண' | 'ந' | 'ம' | 'ன'
            )
        });
        if !decided {
            out.push(c);
        }
    }
    out
}

/// The nasal a `ந` is written as when the letter before is `ல்` / `ன்` (`ன`: `கோல் நோக்கி` /
/// `கோனோக்கி`) or `ள்` / `ண்` (`ண`: `புத்தேள் நாட்டு` / `புத்தேணாட்டு`), with or without a space
/// between (no word has `ல்ந` of its own: `ந` starts words, and inside one follows only `ந்`);
/// `ந` otherwise.
fn merged_nasal(before: &[char]) -> char {
    let mut back = before
        .iter()
        .rev()
        .copied()
        .skip_while(|&c| c.is_whitespace() || matches!(c, '\u{200C}' | '\u{200D}'));
    if back.next() != Some('\u{0BCD}') {
        return 'ந';
    }
    match back.next() {
        Some('ல' | 'ன') => 'ன',
        Some('ள' | 'ண') => 'ண',
        _ => 'ந',
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{self, Xorshift};

    /// Every reading of a stretch begins with its [`reading_prefix`]: stretches of one to twelve
    /// words cut from every kural, both commentaries and the poems, every kural with a word
    /// dropped or joined to the next, and words drawn at random from all of them. So a stretch
    /// [`may_read_as`] turns away has no reading among a verse's.
    #[test]
    fn every_reading_begins_with_the_reading_prefix() {
        let texts: Vec<String> = test_data::tamil_texts().into_iter().map(|(_, text)| text).collect();
        let words: Vec<&str> = texts.iter().flat_map(|text| text.split_whitespace()).collect();
        let mut random = Xorshift(0x9e37_79b9_7f4a_7c15);
        let mut stretches: Vec<String> = Vec::new();
        for text in &texts {
            let own: Vec<&str> = text.split_whitespace().collect();
            let from = random.below(own.len().max(1));
            let to = (from + 1 + random.below(12)).min(own.len());
            stretches.push(own[from..to].join(" "));
        }
        for kural in test_data::field(test_data::KURALS, "tamil") {
            let own: Vec<&str> = kural.split_whitespace().collect();
            let at = random.below(own.len() - 1);
            let dropped: Vec<&str> = own
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != at)
                .map(|(_, w)| *w)
                .collect();
            stretches.push(dropped.join(" "));
            stretches.push(format!(
                "{}{} {}",
                own[..at].join(" "),
                own[at],
                own[at + 1..].join(" ")
            ));
        }
        for _ in 0..5_000 {
            let n = 1 + random.below(8);
            stretches.push(
                (0..n)
                    .map(|_| words[random.below(words.len())])
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        let mut shortened = 0;
        for stretch in &stretches {
            let prefix = reading_prefix(stretch);
            let readings = variant_keys(stretch);
            for reading in &readings {
                assert!(
                    reading.starts_with(&prefix),
                    "{stretch:?}: {reading:?} does not begin with {prefix:?}"
                );
            }
            assert!(may_read_as(&prefix, &readings), "{stretch:?}");
            shortened += usize::from(!prefix.is_empty());
        }
        // The prefix says something for most stretches.
        assert!(
            shortened * 10 > stretches.len() * 8,
            "{shortened} of {}",
            stretches.len()
        );
    }

    /// The same quotation: the same readings and the same nasals no consonant decides.
    fn same(a: &str, b: &str) -> bool {
        same_reading(&variant_keys(a), &variant_keys(b)) && significant_nasals(a) == significant_nasals(b)
    }

    #[test]
    fn edition_spellings_read_the_same() {
        for (a, b) in [
            ("பெருமை யுடையவர்", "பெருமை உடையவர்"),
            ("கல்வி யொருவற்கு", "கல்வி ஒருவற்கு"),
            ("தன்மகனைச் சான்றோன்", "தன்மகனை சான்றோன்"),
            ("நிலம்போலத் தம்மை", "நிலம்போல தம்மை"),
            ("எல்லாஅம்", "எல்லாம்"),
            ("தொழாஅர் எனின்", "தொழார் எனின்"),
            ("கண்இணை", "கண்ணிணை"),
            ("காலத்தி னாற்செய்த", "காலத்தினால் செய்த"),
            ("செய்தற் பொருட்டு", "செய்தல் பொருட்டு"),
            ("புகழ்புரிந்த இல்லிலோர்க்கு", "புகழ்புரிந் தில்லிலோர்க்கு"),
            ("பொருளல்லது அவ்வூன்", "பொருளல்ல தவ்வூன்"),
            ("பிறர்க்குக் இன்னா", "பிறர்க்கு இன்னா"),
            ("மந்திரியின் பக்கத்துள்", "மந்திரியிற் பக்கத்துள்"),
            ("பிறன்கண் பட்ட", "பிறன்கட் பட்ட"),
            ("தூறும் மணற்கேணி", "தூறு மணற்கேணி"),
            ("வானம் நணிய", "வான நணிய"),
            ("கோல் நோக்கி", "கோனோக்கி"),
            ("புத்தேள் நாட்டு", "புத்தேணாட்டு"),
            ("வருமேல் மற்று", "வருமேன் மற்று"),
            ("என்பது ஒன்று யாதெனின்", "என்பதொன் றியாதெனின்"),
            ("செல்வத்திற்கு யாதெனின்", "செல்வத்திற் கியாதெனின்"),
            ("கண்ணஞ்சாது யாண்டும்", "கண்ணஞ்சா தியாண்டும்"),
            ("மன்னவன் கோல்நோக்கி", "மன்னவன் கோனோக்கி"),
            ("உறின்நட்டு", "உறினட்டு"),
            ("எழில்நலம்", "எழினலம்"),
            ("ஊன்தின் பவர்க்கு", "ஊன்றின் பவர்க்கு"),
            ("கண்தாம் கலுழ்வ", "கண்டாம் கலுழ்வ"),
        ] {
            assert!(same(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn other_differences_stay() {
        for (a, b) in [
            ("மனைமாட்சி", "மனமாட்சி"),
            ("அஃதில்லார்", "அஃதிலார்"),
            ("மரம்மக்கள்", "மரமக்கள்"),
            // The junction rules hold between words, not inside one.
            ("பொன்னகை", "பொனகை"),
            ("முந்நீர்", "முநீர்"),
            ("கற்க", "கன்க"),
            ("தூறும் மணற்கேணி", "தூறு மனற்கேணி"),
            ("உய்வில்லை", "உய்விலை"),
            ("எழுத்தெல்லாம்", "எழுதெல்லாம்"),
            ("அகர முதல", "முதல அகர"),
            ("அகர முதல எழுத்தெல்லாம்", "அகர எழுத்தெல்லாம்"),
        ] {
            assert!(!same(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn nasals_a_consonant_decides_are_free_the_others_are_not() {
        assert_eq!(significant_nasals("கனங்குழை"), vec!['ன']);
        assert_ne!(significant_nasals("கணங்குழை"), significant_nasals("கனங்குழை"));
        assert_eq!(significant_nasals("மரம் தான்"), significant_nasals("மரந் தான்"));
        assert_eq!(significant_nasals("அவன்"), vec!['ன']);
    }
}
