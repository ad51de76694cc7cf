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
//! 1. Index: every phoneme 6-gram of every kural (38,297 distinct) with the kurals it occurs in.
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
//! # Measured (the `measure` test, release build)
//!
//! - Correct quotations: 79,800 / 79,800 raise nothing: every kural in 12 layouts (two lines or
//!   one; with or without the final full stop; bare, in “ ” or in " ") times 5 contexts (alone,
//!   inside Tamil prose, followed by a vowel-initial word, after English, as a list item).
//! - Misquotations: every word of every kural replaced by a word of another kural, and every word
//!   dropped: 18,616 / 18,616 caught with the right number; all 1330 with the lines swapped
//!   caught; the 41 known damaged readings caught with `known_damaged` set. With at most one
//!   edited word instead of two, 214 of them escape.
//! - Prose: the two Tamil commentaries of every kural (2,660 paraphrases sharing most of its
//!   words) raise nothing; 51 of them get as far as alignment. Allowing three edited words
//!   flags 1 of them, four flags 2. The 41 modern poems with their explanations and a 14 KB
//!   uncorrected essay raise nothing. Each kural followed by both its commentaries raises
//!   nothing, and so does the whole book as one 232 KB record.
//! - Speed (release, on a shared 2-core machine, so noisy): 5-9 µs per KB of Tamil prose without
//!   a kural, 8-16 µs for a record with one correct quotation, 16-40 ms for the whole book in
//!   one record; a text without Tamil costs one memchr pass. The module's tests take about 4 s
//!   of CPU in a debug build.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::phoneme::{self, BITS, Phoneme, Phonemes};
use super::variant::{same_reading, significant_nasals, variant_keys};
use crate::text;

const REFERENCE_JSONL: &str = include_str!("../../../../rules/data/thirukkural.jsonl");
const DAMAGED_JSONL: &str = include_str!("../../../../rules/data/thirukkural-libkural-corrupt.jsonl");

/// Number of kurals in the Thirukkural.
pub const KURAL_COUNT: u16 = 1330;

/// Phonemes per n-gram of the candidate index: 6-grams are rare enough in ordinary prose that
/// most texts have few hits, and common enough in a damaged quotation that it is still found.
const GRAM: usize = 6;
/// Share of a kural's distinct n-grams (in percent) that must fall in one window of text before
/// the kural is aligned there; the worst single dropped or substituted word leaves 52%.
const CANDIDATE_PERCENT: usize = 40;
/// Fewer hits than this cannot make any kural a candidate (the lowest threshold is 11).
const MIN_CANDIDATE_HITS: usize = 8;
/// Phonemes aligned beyond the outermost hits: an edge word replaced has no hits.
const SLACK: usize = 12;
/// Width of the sliding window in phonemes: the longest kural has 61, and a quotation with a
/// longer substituted word must still fit.
const WINDOW: usize = 96;
/// An exact run this long anchors the ends of a quotation; shorter runs are coincidence.
const RUN: usize = 3;
/// A misquotation changes at most this many neighbouring words of the kural; edits spread wider
/// are a paraphrase or another text.
const MAX_EDITED_WORDS: usize = 2;
/// Characters allowed between a number mention and the quotation that follows it.
const MENTION_BEFORE_CHARS: usize = 200;
/// Characters of punctuation allowed between a quotation and a number mention after it.
const MENTION_AFTER_CHARS: usize = 24;

/// One kural of the authoritative reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KuralRef {
    pub number: u16,
    pub chapter_no: u8,
    pub chapter: &'static str,
    pub chapter_en: &'static str,
    /// Two lines joined by `\n`, NFC.
    pub tamil: &'static str,
    /// G. U. Pope's translation.
    pub english: &'static str,
}

/// A quotation that does not match the kural it quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KuralIssue {
    /// Byte range in the checked text covering the quoted (mis)quotation.
    pub span: Range<usize>,
    /// The kural it is a (mis)quotation of.
    pub number: u16,
    pub kind: KuralIssueKind,
    /// Word-level diff: quoted words vs authoritative words.
    pub diff: Vec<WordEdit>,
    /// `Some(source)` when the quotation equals (by phonemes) a known damaged reading.
    pub known_damaged: Option<&'static str>,
}

/// What is wrong with a quotation. Spellings that editions also print (a glide, a sandhi
/// consonant, alapedai, a join or split; see [`super::variant`]) are not issues at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KuralIssueKind {
    /// A word changed, added, dropped or moved, the lines swapped, or the letters damaged.
    Misquoted,
    /// The words are the kural's but one is misspelled: a letter dropped, doubled or changed, a
    /// nasal confused where no consonant decides it (`கணங்குழை` for `கனங்குழை`).
    Misspelled,
    /// The same word in another grammatical form (`-ஆன்` / `-ஆல்`, `-இல்` / `-இன்`,
    /// `ஒடு` / `ஓடு`, `மக்கட்கு` / `மக்களுக்கு`): a warning.
    OtherForm,
    /// The text names another kural's number than the one it quotes (exactly or not).
    WrongNumber { named: u16 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum WordEdit {
    Same(String),
    /// In the reference, missing in the quotation.
    Removed(String),
    /// In the quotation, not in the reference.
    Added(String),
}

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

// ---------------------------------------------------------------------------------------------
// Reference data

/// A phoneme sequence of a kural (or of its lines swapped) with the phoneme index where the
/// second line starts.
struct Verse {
    codes: Vec<Phoneme>,
    line_break: usize,
}

impl Verse {
    fn new(first: &str, second: &str) -> Verse {
        let joined = format!("{first}\n{second}");
        let read = phoneme::phonemes_with_letters(&joined);
        let line_break = read
            .letters
            .iter()
            .take_while(|&&(start, _)| (start as usize) < first.len())
            .count();
        Verse {
            codes: read.codes,
            line_break,
        }
    }

    fn len(&self) -> usize {
        self.codes.len()
    }
}

struct DamagedReading {
    source: &'static str,
    codes: Vec<Phoneme>,
}

struct Entry {
    kural: KuralRef,
    verse: Verse,
    swapped: Verse,
    /// Each line read alone, for quotations of one line.
    lines: [Vec<Phoneme>; 2],
    /// The reference words with the phoneme index where each starts.
    words: Vec<(usize, &'static str)>,
    /// Its white-space-separated words, the closing mark left off ([`is_verbatim`]).
    tokens: Vec<&'static str>,
    /// Hits in one window that make this kural a candidate.
    candidate_hits: u16,
    damaged: Vec<DamagedReading>,
    /// Its readings up to edition spellings ([`variant_keys`]), with the edition readings of
    /// [`EDITION_READINGS`]; sorted.
    variants: Vec<Vec<Phoneme>>,
    /// The nasals no consonant decides, in order ([`significant_nasals`]), of the reference and
    /// of each edition reading.
    nasals: Vec<Vec<char>>,
}

/// Readings that printed editions give where the reference reads otherwise: (kural, reference
/// words, edition words). Each is a different division of the same letters or a doubled nasal, not
/// another word: kural 27 as kodebot/classical_tamil_llm prints it; kural 110 as the title of its
/// own chapter is commonly printed.
const EDITION_READINGS: [(u16, &str, &str); 2] = [(27, "நாற்றமென ஐந்தின்", "நாற்றமென் றைந்தின்"), (110, "செய்ந்நன்றி", "செய்நன்றி")];

#[derive(Deserialize)]
struct RawKural<'a> {
    number: u16,
    chapter_no: u8,
    #[serde(borrow)]
    chapter: Cow<'a, str>,
    #[serde(borrow)]
    chapter_en: Cow<'a, str>,
    #[serde(borrow)]
    tamil: Cow<'a, str>,
    #[serde(borrow)]
    english: Cow<'a, str>,
}

#[derive(Deserialize)]
struct RawDamaged<'a> {
    number: u16,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    reading: Cow<'a, str>,
}

/// The embedded text is `'static`; only strings with JSON escapes need an owned copy, kept for
/// the life of the program like the rest of the reference.
fn into_static(s: Cow<'static, str>) -> &'static str {
    match s {
        Cow::Borrowed(s) => s,
        Cow::Owned(s) => Box::leak(s.into_boxed_str()),
    }
}

/// Packed n-gram → range of the postings: open addressing with linear probing, a quarter to
/// two thirds full. Cheaper than a general hash map on the one lookup per phoneme of every text.
struct GramTable {
    keys: Vec<u32>,
    ranges: Vec<(u32, u32)>,
    bits: u32,
    /// One bit per [`Self::FILTER_BITS`]-bit hash of the keys present: most n-grams of Tamil
    /// prose are in no kural, and this 128 KiB filter (which stays in cache, where the 1.5 MiB
    /// table does not) answers those without probing. A set bit only sends the probe on.
    filter: Vec<u64>,
}

impl GramTable {
    /// Packed keys use 30 bits, so this never collides with one.
    const EMPTY: u32 = u32::MAX;

    const FILTER_BITS: u32 = 20;

    fn with_capacity(keys: usize) -> GramTable {
        let bits = (keys * 3 / 2).next_power_of_two().trailing_zeros().max(4);
        GramTable {
            keys: vec![Self::EMPTY; 1 << bits],
            ranges: vec![(0, 0); 1 << bits],
            bits,
            filter: vec![0; 1 << (Self::FILTER_BITS - 6)],
        }
    }

    /// The key's bit in the filter: a different multiplier from [`Self::slot`]'s, so that keys
    /// crowded into one run of slots are spread over the filter.
    fn filter_bit(key: u32) -> usize {
        (key.wrapping_mul(0x85EB_CA6B) >> (32 - Self::FILTER_BITS)) as usize
    }

    fn slot(&self, key: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B1) >> (32 - self.bits)) as usize
    }

    fn insert(&mut self, key: u32, range: (u32, u32)) {
        let mask = self.keys.len() - 1;
        let mut at = self.slot(key);
        while self.keys[at] != Self::EMPTY && self.keys[at] != key {
            at = (at + 1) & mask;
        }
        self.keys[at] = key;
        self.ranges[at] = range;
        let bit = Self::filter_bit(key);
        self.filter[bit / 64] |= 1 << (bit % 64);
    }

    fn get(&self, key: u32) -> Option<(u32, u32)> {
        let bit = Self::filter_bit(key);
        if self.filter[bit / 64] >> (bit % 64) & 1 == 0 {
            return None;
        }
        let mask = self.keys.len() - 1;
        let mut at = self.slot(key);
        loop {
            match self.keys[at] {
                k if k == key => return Some(self.ranges[at]),
                Self::EMPTY => return None,
                _ => at = (at + 1) & mask,
            }
        }
    }
}

fn gram_key(gram: &[Phoneme]) -> u32 {
    gram.iter().fold(0, |key, &p| (key << BITS) | u32::from(p))
}

struct Reference {
    entries: Vec<Entry>,
    /// Packed n-gram → range of `postings`.
    grams: GramTable,
    /// Entry indices, grouped by gram, ascending within a gram (`candidates` binary-searches them).
    postings: Vec<u16>,
}

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(Reference::load)
}

impl Reference {
    fn load() -> Reference {
        let mut entries: Vec<Entry> = Vec::with_capacity(usize::from(KURAL_COUNT));
        for line in REFERENCE_JSONL.lines().filter(|l| !l.trim().is_empty()) {
            let raw: RawKural<'static> =
                serde_json::from_str(line).expect("rules/data/thirukkural.jsonl: a kural per line");
            assert_eq!(
                usize::from(raw.number),
                entries.len() + 1,
                "rules/data/thirukkural.jsonl is in kural order"
            );
            let tamil = into_static(raw.tamil);
            let (first, second) = tamil
                .split_once('\n')
                .expect("rules/data/thirukkural.jsonl: every kural has two lines");
            let verse = Verse::new(first, second);
            let read = phoneme::phonemes_with_letters(tamil);
            let words = phoneme::words(tamil)
                .into_iter()
                .filter_map(|w| {
                    let at = read.letters.iter().position(|&(s, _)| s as usize >= w.start)?;
                    Some((at, &tamil[w]))
                })
                .collect();
            let tokens = verbatim_tokens(tamil);
            let mut distinct: Vec<u32> = verse.codes.windows(GRAM).map(gram_key).collect();
            distinct.sort_unstable();
            distinct.dedup();
            let candidate_hits = distinct.len() * CANDIDATE_PERCENT / 100;
            entries.push(Entry {
                kural: KuralRef {
                    number: raw.number,
                    chapter_no: raw.chapter_no,
                    chapter: into_static(raw.chapter),
                    chapter_en: into_static(raw.chapter_en),
                    tamil,
                    english: into_static(raw.english),
                },
                swapped: Verse::new(second, first),
                lines: [phoneme::phonemes(first), phoneme::phonemes(second)],
                verse,
                words,
                tokens,
                candidate_hits: u16::try_from(candidate_hits.max(1)).unwrap_or(u16::MAX),
                damaged: Vec::new(),
                variants: variant_keys(tamil),
                nasals: vec![significant_nasals(tamil)],
            });
        }
        assert_eq!(entries.len(), usize::from(KURAL_COUNT), "all 1330 kurals");
        for (number, reference, edition) in EDITION_READINGS {
            let entry = &mut entries[usize::from(number) - 1];
            assert!(
                entry.kural.tamil.contains(reference),
                "kural {number} reads {reference}"
            );
            let reading = entry.kural.tamil.replace(reference, edition);
            entry.variants.extend(variant_keys(&reading));
            entry.nasals.push(significant_nasals(&reading));
            entry.variants.sort();
            entry.variants.dedup();
        }
        for line in DAMAGED_JSONL.lines().filter(|l| !l.trim().is_empty()) {
            let raw: RawDamaged<'static> =
                serde_json::from_str(line).expect("rules/data/thirukkural-libkural-corrupt.jsonl: a reading per line");
            let entry = entries
                .get_mut(usize::from(raw.number) - 1)
                .expect("damaged readings name kurals 1..=1330");
            entry.damaged.push(DamagedReading {
                source: into_static(raw.source),
                codes: phoneme::phonemes(&raw.reading),
            });
        }
        let mut pairs: Vec<(u32, u16)> = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let mut keys: Vec<u32> = entry.verse.codes.windows(GRAM).map(gram_key).collect();
            keys.sort_unstable();
            keys.dedup();
            let index = u16::try_from(index).expect("1330 entries fit u16");
            pairs.extend(keys.into_iter().map(|k| (k, index)));
        }
        pairs.sort_unstable();
        let distinct = pairs.chunk_by(|a, b| a.0 == b.0).count();
        let mut grams = GramTable::with_capacity(distinct);
        let mut postings = Vec::with_capacity(pairs.len());
        for chunk in pairs.chunk_by(|a, b| a.0 == b.0) {
            let start = postings.len() as u32;
            postings.extend(chunk.iter().map(|&(_, e)| e));
            grams.insert(chunk[0].0, (start, chunk.len() as u32));
        }
        Reference {
            entries,
            grams,
            postings,
        }
    }

    /// Positions of the stream's n-grams that occur in some kural, with their postings.
    fn hits(&self, codes: &[Phoneme]) -> Vec<(usize, &[u16])> {
        let mask = (1u32 << (BITS * GRAM as u32)) - 1;
        let mut key = 0u32;
        let mut out = Vec::new();
        for (i, &p) in codes.iter().enumerate() {
            key = ((key << BITS) | u32::from(p)) & mask;
            if i + 1 >= GRAM
                && let Some((start, len)) = self.grams.get(key)
            {
                out.push((i + 1 - GRAM, &self.postings[start as usize..(start + len) as usize]));
            }
        }
        out
    }

    /// Kurals with enough of their n-grams within [`WINDOW`] phonemes somewhere in the stream,
    /// each with the positions of its hits. Text without a quotation stops here.
    fn candidates(&self, codes: &[Phoneme]) -> Vec<Candidate> {
        let hits = self.hits(codes);
        if hits.len() < MIN_CANDIDATE_HITS {
            return Vec::new();
        }
        let mut counts = vec![0u16; self.entries.len()];
        let mut flagged: Vec<usize> = Vec::new();
        let mut left = 0;
        for right in 0..hits.len() {
            while hits[right].0 - hits[left].0 >= WINDOW {
                for &e in hits[left].1 {
                    counts[usize::from(e)] -= 1;
                }
                left += 1;
            }
            for &e in hits[right].1 {
                let e = usize::from(e);
                counts[e] += 1;
                if counts[e] == self.entries[e].candidate_hits && !flagged.contains(&e) {
                    flagged.push(e);
                }
            }
        }
        // Every flagged kural gets its hit positions, in order. Usually one or two kurals are
        // flagged among hits whose postings name dozens: each looks itself up in the postings
        // (sorted by entry, so a binary search). A record quoting half the book flags many, and
        // then one pass over all postings with a lookup table is cheaper.
        let mut out: Vec<Candidate> = flagged
            .iter()
            .map(|&entry| Candidate {
                entry,
                hits: Vec::new(),
            })
            .collect();
        if flagged.len() <= 16 {
            for candidate in &mut out {
                let entry = u16::try_from(candidate.entry).expect("1330 entries fit u16");
                candidate.hits = hits
                    .iter()
                    .filter(|(_, postings)| postings.binary_search(&entry).is_ok())
                    .map(|&(at, _)| at)
                    .collect();
            }
            return out;
        }
        let mut slot = vec![usize::MAX; self.entries.len()];
        for (at, &entry) in flagged.iter().enumerate() {
            slot[entry] = at;
        }
        for &(at, postings) in &hits {
            for &e in postings {
                if let Some(candidate) = out.get_mut(slot[usize::from(e)]) {
                    candidate.hits.push(at);
                }
            }
        }
        out
    }

    /// All quotations of the candidates: first the exact ones (cheap, and they settle their
    /// stretch), then alignment wherever a candidate still has enough hits outside them.
    fn quotations(&self, candidates: &[Candidate], text: &str, stream: &Phonemes, joint: usize) -> Vec<Quote> {
        let mut quotes = Vec::new();
        let mut settled: Vec<Range<usize>> = Vec::new();
        for candidate in candidates {
            let wanted = usize::from(self.entries[candidate.entry].candidate_hits);
            for cluster in dense_clusters(&candidate.hits, wanted) {
                for (quote, placed) in self.exact_quotations(candidate.entry, cluster, text, stream, joint) {
                    quotes.push(quote);
                    settled.push(placed);
                }
            }
        }
        settled.sort_by_key(|r| r.start);
        let is_settled = |at: usize| {
            let after = settled.partition_point(|r| r.start <= at);
            after > 0 && settled[after - 1].end > at
        };
        for candidate in candidates {
            let entry = &self.entries[candidate.entry];
            let mut claimed: Vec<Range<usize>> = Vec::new();
            loop {
                let free: Vec<usize> = candidate
                    .hits
                    .iter()
                    .copied()
                    .filter(|&h| !is_settled(h) && !claimed.iter().any(|c| c.contains(&h)))
                    .collect();
                let Some(cluster) = dense_cluster(&free, usize::from(entry.candidate_hits)) else {
                    break;
                };
                let window = cluster.start.saturating_sub(SLACK)..(cluster.end + GRAM + SLACK).min(stream.codes.len());
                if let Some((quote, placed)) = self.place(candidate.entry, window, text, stream, joint) {
                    quotes.extend(quote);
                    claimed.push(placed);
                }
                // The cluster's hits are spent whatever the alignment made of them.
                claimed.push(cluster.start..cluster.end + 1);
            }
        }
        quotes
    }

    /// Correct quotations (and exactly swapped lines) of the candidate's kural, found by plain
    /// search: `(quote, phoneme range)`.
    fn exact_quotations(
        &self,
        index: usize,
        cluster: Range<usize>,
        text: &str,
        stream: &Phonemes,
        joint: usize,
    ) -> Vec<(Quote, Range<usize>)> {
        let entry = &self.entries[index];
        let from = cluster.start.saturating_sub(entry.verse.len());
        let to = (cluster.end + GRAM + entry.verse.len()).min(stream.codes.len());
        let codes = &stream.codes[from..to];
        let mut out: Vec<(Quote, Range<usize>)> = Vec::new();
        for verse in [&entry.verse, &entry.swapped] {
            let whole = &verse.codes[..];
            // The stream elides a final short u when the next word starts with a vowel.
            let clipped = match whole.split_last() {
                Some((&phoneme::SHORT_U, rest)) => Some(rest),
                _ => None,
            };
            for needle in std::iter::once(whole).chain(clipped) {
                // A plain scan: the stretch is short, building a searcher costs more.
                let found = codes.windows(needle.len()).enumerate().filter(|(_, w)| w == &needle);
                for (at, _) in found {
                    let placed = from + at..from + at + needle.len();
                    if out.iter().any(|(_, p)| p.start < placed.end && placed.start < p.end) {
                        continue;
                    }
                    let span = expand_to_words(text, letter_span(stream, placed.clone()));
                    if let Some(quote) = judge(entry, text, span, joint)
                        && quote.cost == 0
                    {
                        out.push((quote, placed));
                    }
                }
            }
        }
        out
    }

    /// Aligns the kural within `window` and judges the best placement: the quotation (if it is
    /// one) and the phoneme range it was placed on.
    fn place(
        &self,
        index: usize,
        window: Range<usize>,
        text: &str,
        stream: &Phonemes,
        joint: usize,
    ) -> Option<(Option<Quote>, Range<usize>)> {
        let entry = &self.entries[index];
        let codes = &stream.codes[window.clone()];
        let placement = align(&entry.verse.codes, codes, Ends::FreeText);
        let (matched, placed) = placement.anchors()?;
        let placed = window.start + placed.start..window.start + placed.end;
        let base = expand_to_words(text, letter_span(stream, placed.clone()));
        let mut quote = judge(entry, text, base.clone(), joint);
        let head_missing = matched.start > 0;
        let tail_missing = matched.end < entry.verse.len();
        if quote.as_ref().is_some_and(|q| q.cost == 0) || !(head_missing || tail_missing) {
            return Some((quote, placed));
        }
        // An edit at an edge of the kural leaves the anchors short of the quotation's ends. A
        // stretch up to quotation marks or line ends is the quotation; otherwise the reading of
        // the neighbouring words with the fewest edits wins.
        let delimited = extend_to_delimiters(text, base.clone(), head_missing, tail_missing);
        if delimited != base
            && let Some(delimited) = judge(entry, text, delimited, joint)
        {
            return Some((Some(delimited), placed));
        }
        // Up to two more words at each unmatched edge, the tail first; each side keeps its best.
        let mut span = base;
        for (missing, side) in [(tail_missing, Side::Tail), (head_missing, Side::Head)] {
            if !missing {
                continue;
            }
            let mut grown = span.clone();
            for _ in 0..2 {
                let Some(next) = grow(text, &grown, side) else {
                    break;
                };
                grown = next;
                if let Some(candidate) = judge(entry, text, grown.clone(), joint)
                    && quote.as_ref().is_none_or(|q| candidate.cost < q.cost)
                {
                    quote = Some(candidate);
                    span = grown.clone();
                }
            }
        }
        Some((quote, placed))
    }
}

/// A kural whose n-grams cluster somewhere in the text.
struct Candidate {
    entry: usize,
    /// Stream positions of n-grams that occur in the kural, ascending.
    hits: Vec<usize>,
}

/// The stretches of `hits` where `wanted` of them fall within [`WINDOW`] phonemes, each grown
/// while that stays true: ranges from the first to the last hit position.
fn dense_clusters(hits: &[usize], wanted: usize) -> Vec<Range<usize>> {
    let mut found: Vec<Range<usize>> = Vec::new();
    let mut left = 0;
    for right in 0..hits.len() {
        while hits[right] - hits[left] >= WINDOW {
            left += 1;
        }
        if right + 1 - left >= wanted {
            match found.last_mut() {
                Some(range) if hits[left] <= range.end => range.end = hits[right],
                _ => found.push(hits[left]..hits[right]),
            }
        }
    }
    found
}

fn dense_cluster(hits: &[usize], wanted: usize) -> Option<Range<usize>> {
    dense_clusters(hits, wanted).into_iter().next()
}

#[derive(Clone, Copy)]
enum Side {
    Head,
    Tail,
}

/// `span` with the next word on `side`, when only spaces separate them.
fn grow(text: &str, span: &Range<usize>, side: Side) -> Option<Range<usize>> {
    let is_word = |c: &char| phoneme::is_word_char(*c);
    match side {
        Side::Head => {
            let before = &text[..span.start];
            let spaced = before.trim_end_matches(INLINE_SPACE);
            let word: usize = spaced.chars().rev().take_while(is_word).map(char::len_utf8).sum();
            (spaced.len() < before.len() && word > 0).then(|| spaced.len() - word..span.end)
        }
        Side::Tail => {
            let after = &text[span.end..];
            let spaced = after.trim_start_matches(INLINE_SPACE);
            let word: usize = spaced.chars().take_while(is_word).map(char::len_utf8).sum();
            let end = span.end + (after.len() - spaced.len()) + word;
            (spaced.len() < after.len() && word > 0).then_some(span.start..end)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Judging one placed quotation

#[derive(Debug)]
enum Verdict {
    Exact,
    /// The kural as an edition spells it: not an issue, but it names its number like any quote.
    Variant,
    /// One whole line quoted alone, correctly.
    Partial,
    Misquoted {
        diff: Vec<WordEdit>,
        known_damaged: Option<&'static str>,
    },
}

#[derive(Debug)]
struct Quote {
    number: u16,
    span: Range<usize>,
    verdict: Verdict,
    /// Phoneme edits against the reference; the cheapest explanation of a stretch wins.
    cost: usize,
}

/// Reads `text[span]` on its own (so that elision at its edges does not depend on the
/// neighbours) and compares it with the kural. `None` when it is not a quotation of it.
fn judge(entry: &Entry, text: &str, span: Range<usize>, joint: usize) -> Option<Quote> {
    // Kural 53 is itself a question: its own question mark is no end.
    let ends_questions = !entry.kural.tamil.contains('?');
    let span = one_sentence(text, span, joint, ends_questions);
    let quoted = &text[span.clone()];
    let number = entry.kural.number;
    if is_verbatim(entry, quoted) {
        return Some(Quote {
            number,
            span,
            verdict: Verdict::Exact,
            cost: 0,
        });
    }
    let read = phoneme::phonemes_with_letters(quoted);
    let verse = &entry.verse;
    let quote = |verdict, cost| {
        Some(Quote {
            number,
            span: span.clone(),
            verdict,
            cost,
        })
    };
    let nasals = significant_nasals(quoted);
    let own_nasals = entry.nasals.contains(&nasals);
    if read.codes == verse.codes && own_nasals {
        return quote(Verdict::Exact, 0);
    }
    if entry.lines.contains(&read.codes) {
        return quote(Verdict::Partial, verse.len().saturating_sub(read.codes.len()));
    }
    let mut straight = align(&verse.codes, &read.codes, Ends::Global);
    straight.normalize_gaps(&verse.codes, &read.codes, &entry.words);
    let misquoted = |known_damaged| Verdict::Misquoted {
        diff: word_diff(entry, &straight.ops, quoted, &read),
        known_damaged,
    };
    if let Some(damaged) = entry.damaged.iter().find(|d| d.codes == read.codes) {
        return quote(misquoted(Some(damaged.source)), straight.edits());
    }
    if read.codes == verse.codes
        || same_reading(&variant_keys(quoted), &entry.variants) && !straight.swaps_glides(&verse.codes, &read.codes)
    {
        // Nasals that no consonant decides are the word's own: `கணங்குழை` is not `கனங்குழை`.
        if !own_nasals {
            return quote(
                Verdict::Misquoted {
                    diff: letter_diff(entry, quoted),
                    known_damaged: None,
                },
                1,
            );
        }
        if read.codes == verse.codes {
            return quote(Verdict::Exact, 0);
        }
        let diff = word_diff(entry, &straight.ops, quoted, &read);
        if classify(&diff) == Some(KuralIssueKind::OtherForm) {
            return quote(
                Verdict::Misquoted {
                    diff,
                    known_damaged: None,
                },
                1,
            );
        }
        return quote(Verdict::Variant, 1);
    }
    if read.codes == entry.swapped.codes {
        // Exactly the kural with its lines swapped: nothing explains this stretch better.
        return quote(misquoted(None), 0);
    }
    if straight.is_single_edit(entry) {
        return quote(misquoted(None), straight.edits());
    }
    None
}

/// The reference's words as [`is_verbatim`] compares them: split at white space, the kural's
/// closing mark (`.`, `?`) left off. Every other character must belong to a word, or a quotation
/// with the same tokens could read differently (punctuation between words stops elision).
fn verbatim_tokens(tamil: &'static str) -> Vec<&'static str> {
    let tokens: Vec<&'static str> = without_closing_mark(tamil).split_whitespace().collect();
    assert!(
        tokens.iter().all(|t| t.chars().all(phoneme::is_word_char)),
        "the reference kural {tamil:?} has only letters, white space and a closing mark"
    );
    tokens
}

/// `text` without the punctuation and white space after its last letter.
fn without_closing_mark(text: &str) -> &str {
    text.trim_end_matches(|c: char| !phoneme::is_word_char(c))
}

/// True when `quoted` is the reference's words, byte for byte, with only white space between
/// them and whatever punctuation after the last letter: most quotations in real data. Its
/// phonemes and the nasals no consonant decides are then the reference's own (any white space
/// reads as one word boundary, and marks after the last letter change neither), so [`judge`] would find it
/// exact; this settles it without reading it. Anything else (other punctuation, a joiner,
/// another letter) takes the full path.
fn is_verbatim(entry: &Entry, quoted: &str) -> bool {
    let mut have = without_closing_mark(quoted).split_whitespace();
    entry.tokens.iter().all(|&want| have.next() == Some(want)) && have.next().is_none()
}

/// A diff of the quotation's words against the kural's, letter for letter, for quotations whose
/// phonemes agree (a nasal confused): the words that differ, in place.
fn letter_diff(entry: &Entry, quoted: &str) -> Vec<WordEdit> {
    let quoted_words: Vec<&str> = phoneme::words(quoted).into_iter().map(|w| &quoted[w]).collect();
    let reference: Vec<&str> = entry.words.iter().map(|&(_, word)| word).collect();
    if quoted_words.len() != reference.len() {
        let mut diff: Vec<WordEdit> = reference.iter().map(|w| WordEdit::Removed((*w).to_owned())).collect();
        diff.extend(quoted_words.iter().map(|w| WordEdit::Added((*w).to_owned())));
        return diff;
    }
    let mut diff = Vec::new();
    for (want, have) in reference.iter().zip(&quoted_words) {
        if want == have {
            diff.push(WordEdit::Same((*have).to_owned()));
        } else {
            diff.push(WordEdit::Removed((*want).to_owned()));
            diff.push(WordEdit::Added((*have).to_owned()));
        }
    }
    diff
}

/// Endings that make the same word in another grammatical form: instrumental `-ஆன்` / `-ஆல்`,
/// locative `-இல்` / `-இன்`, sociative `ஒடு` / `ஓடு`, dative `-ட்கு` / `-ளுக்கு`, `-ற்கு` / `-லுக்கு`.
const OTHER_FORMS: [(&str, &str); 5] = [
    ("ான்", "ால்"),
    ("ில்", "ின்"),
    ("ொடு", "ோடு"),
    ("ட்கு", "ளுக்கு"),
    ("ற்கு", "லுக்கு"),
];

/// What a misquotation's edits amount to: the worst of its edit regions (runs of removed and
/// added words between kept ones). A region that reads the same up to edition spellings (with the
/// word before it, for glides) is none; one word for one word in another grammatical form is
/// [`KuralIssueKind::OtherForm`]; one word for one close spelling of it is
/// [`KuralIssueKind::Misspelled`]; anything else is [`KuralIssueKind::Misquoted`]. `None` when
/// every region is spelling.
pub fn classify(diff: &[WordEdit]) -> Option<KuralIssueKind> {
    let mut worst: Option<KuralIssueKind> = None;
    let rank = |kind: KuralIssueKind| match kind {
        KuralIssueKind::OtherForm => 0,
        KuralIssueKind::Misspelled => 1,
        _ => 2,
    };
    let mut previous: Option<&str> = None;
    let mut i = 0;
    while i < diff.len() {
        if let WordEdit::Same(word) = &diff[i] {
            previous = Some(word);
            i += 1;
            continue;
        }
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        while let Some(edit) = diff.get(i) {
            match edit {
                WordEdit::Removed(word) => removed.push(word.as_str()),
                WordEdit::Added(word) => added.push(word.as_str()),
                WordEdit::Same(_) => break,
            }
            i += 1;
        }
        // The words on both sides decide a junction: a glide or doubling depends on the one
        // before, a nasal's sandhi (`மிசைவாற் புலம்`) on the one after.
        let following = match diff.get(i) {
            Some(WordEdit::Same(word)) => word.as_str(),
            _ => "",
        };
        let with_context = |words: &[&str]| {
            let mut text = previous.unwrap_or_default().to_owned();
            for word in words.iter().chain([&following]) {
                text.push(' ');
                text.push_str(word);
            }
            text
        };
        let (before, after) = (with_context(&removed), with_context(&added));
        // Another form stays another form where the junction would hide it (`களரில் நரி` /
        // `களரின் நரி`: both endings merge into the nasal after them).
        let kind = if let ([want], [have]) = (removed.as_slice(), added.as_slice())
            && other_form(want, have)
        {
            Some(KuralIssueKind::OtherForm)
        } else if same_reading(&variant_keys(&before), &variant_keys(&after))
            && significant_nasals(&before) == significant_nasals(&after)
            && !glide_swapped(&before, &after)
        {
            None
        } else if let ([want], [have]) = (removed.as_slice(), added.as_slice()) {
            Some(one_word(want, have))
        } else {
            Some(KuralIssueKind::Misquoted)
        };
        if let Some(kind) = kind
            && worst.is_none_or(|w| rank(kind) > rank(w))
        {
            worst = Some(kind);
        }
    }
    worst
}

/// Whether `b` reads as `a` with one glide (`ய`, `வ`) put for the other and nothing else
/// changed: no edition spelling (see [`Alignment::swaps_glides`]).
fn glide_swapped(a: &str, b: &str) -> bool {
    let (a, b) = (phoneme::phonemes(a), phoneme::phonemes(b));
    a.len() == b.len()
        && a.iter().zip(&b).all(|(&x, &y)| x == y || is_glide_swap(x, y))
        && a.iter().zip(&b).any(|(&x, &y)| is_glide_swap(x, y))
}

/// `ய` where the other has `வ`, or the reverse.
fn is_glide_swap(x: Phoneme, y: Phoneme) -> bool {
    matches!((x, y), (phoneme::Y, phoneme::V) | (phoneme::V, phoneme::Y))
}

/// Whether `have` is `want` with one ending of [`OTHER_FORMS`] for the other.
fn other_form(want: &str, have: &str) -> bool {
    OTHER_FORMS.iter().any(|&(a, b)| {
        [(a, b), (b, a)].into_iter().any(|(x, y)| {
            matches!(
                (want.strip_suffix(x), have.strip_suffix(y)),
                (Some(stem), Some(other)) if stem == other && stem.chars().count() >= 2
            )
        })
    })
}

/// One word quoted for another: another form of it, a misspelling of it, or another word.
fn one_word(want: &str, have: &str) -> KuralIssueKind {
    if other_form(want, have) {
        return KuralIssueKind::OtherForm;
    }
    let want: Vec<char> = want.chars().collect();
    let have: Vec<char> = have.chars().collect();
    let is_nasal = |c: &char| matches!(c, 'ங' | 'ஞ' | 'ண' | 'ந' | 'ம' | 'ன');
    // One nasal for another, however short the word (`கனி` / `கணி`).
    if want.len() == have.len()
        && want
            .iter()
            .zip(&have)
            .all(|(a, b)| a == b || is_nasal(a) && is_nasal(b))
    {
        return KuralIssueKind::Misspelled;
    }
    let distance = edit_distance(&want, &have);
    // A slip of a letter or two in a word of some length; `மனமாட்சி` for `மனைமாட்சி` is also a
    // misspelling in form, though it makes another word.
    if distance <= 2 && want.len().min(have.len()) >= 4 {
        KuralIssueKind::Misspelled
    } else {
        KuralIssueKind::Misquoted
    }
}

/// Levenshtein distance of two short words, in code points.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Keeps the cheapest explanation of each stretch of text; the result is in text order.
fn resolve_overlaps(mut quotes: Vec<Quote>) -> Vec<Quote> {
    quotes.sort_by_key(|q| (q.cost, q.span.start, q.number));
    let mut kept: Vec<Quote> = Vec::with_capacity(quotes.len());
    for quote in quotes {
        let overlaps = kept
            .iter()
            .any(|k| k.span.start < quote.span.end && quote.span.start < k.span.end);
        if !overlaps {
            kept.push(quote);
        }
    }
    kept.sort_by_key(|q| q.span.start);
    kept
}

fn letter_span(stream: &Phonemes, phonemes: Range<usize>) -> Range<usize> {
    let start = stream.letters[phonemes.start].0 as usize;
    let end = stream.letters[phonemes.end - 1].1 as usize;
    start..end
}

fn expand_to_words(text: &str, span: Range<usize>) -> Range<usize> {
    let before = text[..span.start]
        .chars()
        .rev()
        .take_while(|&c| phoneme::is_word_char(c))
        .map(char::len_utf8)
        .sum::<usize>();
    let after = text[span.end..]
        .chars()
        .take_while(|&c| phoneme::is_word_char(c))
        .map(char::len_utf8)
        .sum::<usize>();
    span.start - before..span.end + after
}

/// The longest stretch of `text[span]` between questions' and exclamations' ends (`?` or `!`
/// before white space; only the joint when `ends_questions` is false, for a kural that is a
/// question) and the joint of question and answer, its edges trimmed to letters. No
/// kural has such an end before its last word, but phonemes ignore punctuation, so a placement
/// can run on into the sentence before: "… என்ன?" followed by an answer whose first letter was
/// lost reads exactly like kural 994, which starts with ந ("என்ன?" + "யனொடு"). A full stop is
/// no such end: a quotation with its lines swapped carries the kural's own full stop inside.
fn one_sentence(text: &str, span: Range<usize>, joint: usize, ends_questions: bool) -> Range<usize> {
    let quoted = &text[span.clone()];
    let mut ends: Vec<usize> = quoted
        .char_indices()
        .filter(|&(at, c)| {
            ends_questions && matches!(c, '?' | '!') && quoted[at + c.len_utf8()..].starts_with(char::is_whitespace)
        })
        .map(|(at, c)| at + c.len_utf8())
        .collect();
    if span.start < joint && joint < span.end {
        ends.push(joint - span.start);
        ends.sort_unstable();
    }
    if ends.is_empty() {
        return span;
    }
    ends.insert(0, 0);
    ends.push(quoted.len());
    let letters = |from: usize, to: usize| quoted[from..to].chars().filter(|&c| phoneme::is_word_char(c)).count();
    let (from, to) = ends
        .windows(2)
        .map(|w| (w[0], w[1]))
        .max_by_key(|&(from, to)| (letters(from, to), from))
        .unwrap_or((0, quoted.len()));
    let piece = &quoted[from..to];
    let start = piece.find(phoneme::is_word_char).unwrap_or(0);
    let end = piece.rfind(phoneme::is_word_char).map_or(piece.len(), |at| {
        at + piece[at..].chars().next().map_or(0, char::len_utf8)
    });
    span.start + from + start..span.start + from + end.max(start)
}

const INLINE_SPACE: [char; 3] = [' ', '\t', '\u{A0}'];
const OPENERS: [char; 13] = ['\n', '\r', '“', '‘', '"', '\'', '«', '(', '[', ':', '—', '>', '*'];
const CLOSERS: [char; 9] = ['\n', '\r', '”', '’', '"', '\'', '»', ')', ']'];

/// When the kural's first (last) word is not matched, the word just before (after) the placed
/// stretch belongs to the quotation if it sits between the stretch and a quotation boundary: an
/// opening (closing) quote mark, a line break, the start (end) of the text.
fn extend_to_delimiters(text: &str, span: Range<usize>, head: bool, tail: bool) -> Range<usize> {
    let mut out = span.clone();
    if head {
        let before = &text[..span.start];
        let spaced = before.trim_end_matches(INLINE_SPACE);
        let word = spaced
            .chars()
            .rev()
            .take_while(|&c| phoneme::is_word_char(c))
            .map(char::len_utf8)
            .sum::<usize>();
        if spaced.len() < before.len() && word > 0 {
            let word_start = spaced.len() - word;
            let lead = text[..word_start].trim_end_matches(INLINE_SPACE);
            if lead.is_empty() || lead.ends_with(OPENERS) {
                out.start = word_start;
            }
        }
    }
    if tail {
        let after = &text[span.end..];
        let spaced = after.trim_start_matches(INLINE_SPACE);
        let word = spaced
            .chars()
            .take_while(|&c| phoneme::is_word_char(c))
            .map(char::len_utf8)
            .sum::<usize>();
        if spaced.len() < after.len() && word > 0 {
            let rest = &spaced[word..];
            let rest = rest.strip_prefix(['.', '?', '!']).unwrap_or(rest);
            let rest = rest.trim_start_matches(INLINE_SPACE);
            if rest.is_empty() || rest.starts_with(CLOSERS) {
                out.end = span.end + (after.len() - spaced.len()) + word;
            }
        }
    }
    out
}

/// Word diff driven by the phoneme alignment: the two word sequences are cut where both have a
/// word boundary at the same aligned point; a piece that aligns exactly is `Same` (in the quoted
/// spelling, so a different word split is not an edit), any other piece is `Removed` reference
/// words followed by `Added` quoted words.
fn word_diff(entry: &Entry, ops: &[Op], quoted: &str, read: &Phonemes) -> Vec<WordEdit> {
    let quoted_words: Vec<(usize, &str)> = phoneme::words(quoted)
        .into_iter()
        .filter_map(|w| {
            let at = read.letters.iter().position(|&(s, _)| s as usize >= w.start)?;
            Some((at, &quoted[w]))
        })
        .collect();
    let reference_len = entry.verse.len();
    let quoted_len = read.codes.len();
    let boundary =
        |words: &[(usize, &str)], len: usize, at: usize| at == len || words.iter().any(|&(start, _)| start == at);
    let emit = |from: (usize, usize), to: (usize, usize), clean: bool, out: &mut Vec<WordEdit>| {
        let reference_piece = entry
            .words
            .iter()
            .filter(|&&(s, _)| s >= from.0 && s < to.0)
            .map(|&(_, w)| w.to_string());
        let quoted_piece = quoted_words
            .iter()
            .filter(|&&(s, _)| s >= from.1 && s < to.1)
            .map(|&(_, w)| w.to_string());
        if clean {
            out.extend(quoted_piece.map(WordEdit::Same));
        } else {
            out.extend(reference_piece.map(WordEdit::Removed));
            out.extend(quoted_piece.map(WordEdit::Added));
        }
    };
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut cut = (0, 0);
    let mut clean = true;
    for &op in ops {
        if (i, j) != cut && boundary(&entry.words, reference_len, i) && boundary(&quoted_words, quoted_len, j) {
            emit(cut, (i, j), clean, &mut out);
            cut = (i, j);
            clean = true;
        }
        clean &= op == Op::Match;
        match op {
            Op::Match | Op::Mismatch => {
                i += 1;
                j += 1;
            }
            Op::Insert => j += 1,
            Op::Delete => i += 1,
        }
    }
    emit(cut, (i, j), clean, &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Alignment

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Match,
    Mismatch,
    /// A text phoneme that the reference lacks.
    Insert,
    /// A reference phoneme that the text lacks.
    Delete,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ends {
    /// Both sequences aligned whole.
    Global,
    /// The reference whole, the text from anywhere to anywhere.
    FreeText,
}

struct Alignment {
    ops: Vec<Op>,
    /// Text index where the alignment starts.
    text_start: usize,
}

const MATCH: i32 = 2;
const MISMATCH: i32 = -3;
const GAP_OPEN: i32 = -3;
const GAP_EXTEND: i32 = -1;
const NEG: i32 = i32::MIN / 4;

/// States of the affine-gap alignment (Gotoh), also the traceback codes.
const DIAGONAL: u8 = 0;
const INSERTING: u8 = 1;
const DELETING: u8 = 2;

/// The best of the three states' scores and which it was; ties go to the earlier state, so the
/// traceback is deterministic.
/// Written as selects rather than branches: which state wins is data-dependent, and a
/// mispredicted branch per cell cost more than the cell.
#[inline(always)]
fn max3(diagonal: i32, inserting: i32, deleting: i32) -> (i32, u8) {
    let inserting_wins = inserting >= deleting;
    let gap = if inserting_wins { inserting } else { deleting };
    let gap_state = if inserting_wins { INSERTING } else { DELETING };
    if diagonal >= gap {
        (diagonal, DIAGONAL)
    } else {
        (gap, gap_state)
    }
}

/// Affine-gap alignment of `reference` against `text`.
fn align(reference: &[Phoneme], text: &[Phoneme], ends: Ends) -> Alignment {
    let n = reference.len();
    let m = text.len();
    let width = m + 1;
    // Traceback: 2 bits per state (diagonal, inserting, deleting) → predecessor state.
    let mut trace = vec![0u8; (n + 1) * width];
    // Score rows of the three states: previous and current reference row.
    let (mut ph, mut pe, mut pf) = (vec![NEG; width], vec![NEG; width], vec![NEG; width]);
    let (mut ch, mut ce, mut cf) = (vec![NEG; width], vec![NEG; width], vec![NEG; width]);
    let open = GAP_OPEN + GAP_EXTEND;
    ph[0] = 0;
    for j in 1..=m {
        match ends {
            Ends::FreeText => ph[j] = 0,
            Ends::Global => {
                let (score, from) = max3(ph[j - 1] + open, pe[j - 1] + GAP_EXTEND, NEG);
                pe[j] = score;
                trace[j] = from << 2;
            }
        }
    }
    for i in 1..=n {
        let r = reference[i - 1];
        // Plain slices: indexing them is built in, which keeps debug builds (the tests) fast.
        let (hp, ep, fp) = (&ph[..], &pe[..], &pf[..]);
        let (hc, ec, fc) = (&mut ch[..], &mut ce[..], &mut cf[..]);
        let trace_row = &mut trace[i * width..(i + 1) * width];
        hc[0] = NEG;
        ec[0] = NEG;
        let (fc_first, from) = max3(hp[0] + open, ep[0] + open, fp[0] + GAP_EXTEND);
        fc[0] = fc_first;
        trace_row[0] = from << 4;
        // The left and diagonal neighbours are carried in locals, and every slice is cut to
        // `m` first so the loop needs no bounds checks.
        let (hp_up, ep_up, fp_up) = (&hp[1..=m], &ep[1..=m], &fp[1..=m]);
        let (hc_out, ec_out, fc_out) = (&mut hc[1..=m], &mut ec[1..=m], &mut fc[1..=m]);
        let (trace_out, text) = (&mut trace_row[1..=m], &text[..m]);
        let (mut h_diag, mut e_diag, mut f_diag) = (hp[0], ep[0], fp[0]);
        let (mut h_left, mut e_left, mut f_left) = (NEG, NEG, fc_first);
        for j in 0..m {
            let (h_up, e_up, f_up) = (hp_up[j], ep_up[j], fp_up[j]);
            let substitution = if r == text[j] { MATCH } else { MISMATCH };
            let (diagonal, d_from) = max3(h_diag, e_diag, f_diag);
            let (inserting, i_from) = max3(h_left + open, e_left + GAP_EXTEND, f_left + open);
            let (deleting, del_from) = max3(h_up + open, e_up + open, f_up + GAP_EXTEND);
            h_left = diagonal + substitution;
            e_left = inserting;
            f_left = deleting;
            hc_out[j] = h_left;
            ec_out[j] = e_left;
            fc_out[j] = f_left;
            trace_out[j] = d_from | (i_from << 2) | (del_from << 4);
            (h_diag, e_diag, f_diag) = (h_up, e_up, f_up);
        }
        std::mem::swap(&mut ph, &mut ch);
        std::mem::swap(&mut pe, &mut ce);
        std::mem::swap(&mut pf, &mut cf);
    }
    let prev = [ph, pe, pf];
    // `prev` now holds the last row.
    let end_state = |j: usize| max3(prev[0][j], prev[1][j], prev[2][j]);
    let (mut j, (_, mut state)) = match ends {
        Ends::Global => (m, end_state(m)),
        Ends::FreeText => (0..=m)
            .map(|j| (j, end_state(j)))
            .fold((0, (NEG, DIAGONAL)), |best, c| if c.1.0 > best.1.0 { c } else { best }),
    };
    let mut i = n;
    let mut ops = Vec::with_capacity(n + m);
    while i > 0 || (ends == Ends::Global && j > 0) {
        let cell = trace[i * width + j];
        match state {
            DIAGONAL => {
                // Unreachable from the recurrences; a guard rather than a panic on odd input.
                let (Some(&r), Some(&t)) = (reference.get(i.wrapping_sub(1)), text.get(j.wrapping_sub(1))) else {
                    break;
                };
                ops.push(if r == t { Op::Match } else { Op::Mismatch });
                state = cell & 3;
                i -= 1;
                j -= 1;
            }
            INSERTING if j > 0 => {
                ops.push(Op::Insert);
                state = (cell >> 2) & 3;
                j -= 1;
            }
            DELETING if i > 0 => {
                ops.push(Op::Delete);
                state = (cell >> 4) & 3;
                i -= 1;
            }
            _ => break,
        }
    }
    ops.reverse();
    Alignment { ops, text_start: j }
}

impl Alignment {
    fn edits(&self) -> usize {
        self.ops.iter().filter(|&&op| op != Op::Match).count()
    }

    /// True when the alignment puts one glide (`ய`, `வ`) where the reference has the other.
    /// Editions write a glide at a joint or leave it out, which the variant readings allow; none
    /// swaps one for the other, and inside a word the swap is another word (வினைவிழைவார், "those
    /// who desire action", against வினைவிழையார், "those who do not").
    fn swaps_glides(&self, reference: &[Phoneme], text: &[Phoneme]) -> bool {
        let (mut i, mut j) = (0, self.text_start);
        for &op in &self.ops {
            match op {
                Op::Match => (i, j) = (i + 1, j + 1),
                Op::Mismatch => {
                    if let (Some(&want), Some(&have)) = (reference.get(i), text.get(j))
                        && is_glide_swap(want, have)
                    {
                        return true;
                    }
                    (i, j) = (i + 1, j + 1);
                }
                Op::Insert => j += 1,
                Op::Delete => i += 1,
            }
        }
        false
    }

    /// From the first to the last exact run of at least [`RUN`] phonemes:
    /// (reference range, text range relative to the aligned text).
    fn anchors(&self) -> Option<(Range<usize>, Range<usize>)> {
        let mut first = None;
        let mut last = None;
        let (mut i, mut j) = (0, self.text_start);
        let mut run = 0;
        for &op in &self.ops {
            if op == Op::Match {
                run += 1;
                if run == RUN && first.is_none() {
                    first = Some((i + 1 - RUN, j + 1 - RUN));
                }
                if run >= RUN {
                    last = Some((i + 1, j + 1));
                }
            } else {
                run = 0;
            }
            match op {
                Op::Match | Op::Mismatch => {
                    i += 1;
                    j += 1;
                }
                Op::Insert => j += 1,
                Op::Delete => i += 1,
            }
        }
        let ((i0, j0), (i1, j1)) = (first?, last?);
        Some((i0..i1, j0..j1))
    }

    /// Moves each run of pure insertions or deletions along the stretch where it could equally
    /// be placed (`ab[ab]c` / `[ab]abc`) to where it touches the fewest reference words, so that a
    /// dropped word in a repetitive verse is one word, not the tails of three.
    fn normalize_gaps(&mut self, reference: &[Phoneme], text: &[Phoneme], words: &[(usize, &str)]) {
        let word_of = |i: usize| words.partition_point(|&(start, _)| start <= i).saturating_sub(1);
        let starts_word = |i: usize| i >= reference.len() || words.binary_search_by_key(&i, |&(s, _)| s).is_ok();
        // Words touched, then whether the run starts off a word boundary.
        let cost = |kind: Op, i: usize, len: usize| match kind {
            Op::Delete => (word_of(i + len - 1) - word_of(i) + 1, usize::from(!starts_word(i))),
            _ => (usize::from(!starts_word(i)), 0),
        };
        let mut p = 0;
        while p < self.ops.len() {
            let kind = self.ops[p];
            if !matches!(kind, Op::Delete | Op::Insert) {
                p += 1;
                continue;
            }
            let len = self.ops[p..].iter().take_while(|&&op| op == kind).count();
            let (mut i, mut j) = position_before(&self.ops, self.text_start, p);
            // The sequence whose phonemes the run skips, and the run's start in it.
            let seq = if kind == Op::Delete { reference } else { text };
            let at = |i: usize, j: usize| if kind == Op::Delete { i } else { j };
            // Slide fully left, then look right for the cheapest spot.
            while p > 0 && self.ops[p - 1] == Op::Match && at(i, j) > 0 && seq[at(i, j) - 1] == seq[at(i, j) + len - 1]
            {
                self.ops.swap(p - 1, p + len - 1);
                p -= 1;
                i -= 1;
                j -= 1;
            }
            let mut best = (cost(kind, i, len), 0);
            let mut shift = 0;
            loop {
                let next = p + shift + len;
                let a = at(i + shift, j + shift);
                if next >= self.ops.len()
                    || self.ops[next] != Op::Match
                    || a + len >= seq.len()
                    || seq[a] != seq[a + len]
                {
                    break;
                }
                shift += 1;
                let c = cost(kind, i + shift, len);
                if c < best.0 {
                    best = (c, shift);
                }
            }
            for s in 0..best.1 {
                self.ops.swap(p + s, p + s + len);
            }
            p += best.1 + len;
        }
    }

    /// Matches in exact runs of at least [`RUN`] phonemes; shorter ones are coincidence.
    fn solid_matches(&self) -> usize {
        self.ops
            .chunk_by(|a, b| a == b)
            .filter(|run| run[0] == Op::Match && run.len() >= RUN)
            .map(<[Op]>::len)
            .sum()
    }

    /// The reference words that the edits touch, as a range of word indices (empty when the
    /// only edits are insertions between two words). `None` without edits.
    fn edited_words(&self, words: &[(usize, &str)], len: usize) -> Option<Range<usize>> {
        // Positions on a doubled scale: 2w + 1 is word w, 2w the gap before it.
        let word_of = |i: usize| words.partition_point(|&(start, _)| start <= i).saturating_sub(1);
        let starts_word = |i: usize| words.binary_search_by_key(&i, |&(start, _)| start).is_ok();
        let mut extent: Option<(usize, usize)> = None;
        let mut i = 0;
        for &op in &self.ops {
            let position = match op {
                Op::Match => None,
                Op::Mismatch | Op::Delete => Some(2 * word_of(i) + 1),
                Op::Insert if i >= len => Some(2 * words.len()),
                Op::Insert if starts_word(i) => Some(2 * word_of(i)),
                Op::Insert => Some(2 * word_of(i) + 1),
            };
            if let Some(p) = position {
                extent = Some(extent.map_or((p, p), |(lo, hi)| (lo.min(p), hi.max(p))));
            }
            if op != Op::Insert {
                i += 1;
            }
        }
        let (lo, hi) = extent?;
        // Odd positions in lo..=hi are the touched words.
        let first = lo / 2;
        let end = if hi == 0 { 0 } else { (hi - 1) / 2 + 1 };
        Some(first..end.max(first))
    }

    /// One contiguous edit of at most [`MAX_EDITED_WORDS`] words, most of the verse in exact
    /// runs, and not a whole line (a line missing or replaced is a partial quotation followed by
    /// other text, not a misquotation).
    fn is_single_edit(&self, entry: &Entry) -> bool {
        let len = entry.verse.len();
        let Some(edited) = self.edited_words(&entry.words, len) else {
            return false;
        };
        let first_line_words = entry
            .words
            .iter()
            .take_while(|&&(start, _)| start < entry.verse.line_break)
            .count();
        let whole_line = (edited.start == 0 && edited.end >= first_line_words)
            || (edited.start <= first_line_words && edited.end >= entry.words.len());
        edited.len() <= MAX_EDITED_WORDS && !whole_line && self.solid_matches() * 2 >= len
    }
}

/// Reference and text positions before `ops[p]`.
fn position_before(ops: &[Op], text_start: usize, p: usize) -> (usize, usize) {
    ops[..p].iter().fold((0, text_start), |(i, j), op| match op {
        Op::Match | Op::Mismatch => (i + 1, j + 1),
        Op::Insert => (i, j + 1),
        Op::Delete => (i + 1, j),
    })
}

// ---------------------------------------------------------------------------------------------
// Kural numbers named in the text

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
fn named_number(text: &str, span: &Range<usize>, previous_end: usize, next_start: usize) -> Option<u16> {
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_data;

    /// (number, Varadarasanar's commentary, Solomon Pappaiah's commentary).
    fn commentaries() -> Vec<(u16, String, String)> {
        test_data::kurals()
            .iter()
            .map(|v| {
                let field = |name: &str| v[name].as_str().unwrap_or_default().to_string();
                let number = v["number"].as_u64().and_then(|n| u16::try_from(n).ok());
                (
                    number.expect("number"),
                    field("meaning_varadarasanar"),
                    field("meaning_solomon_pappaiah"),
                )
            })
            .collect()
    }

    /// Deterministic choices for the mutation tests.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) as usize % n
        }
    }

    /// The kural with its `at`-th word replaced (`Some`) or dropped (`None`), lines kept.
    fn edit_word(number: u16, at: usize, replacement: Option<&str>) -> String {
        let mut seen = 0;
        let tamil = kural(number).expect("kural").tamil;
        let lines: Vec<String> = tamil
            .split('\n')
            .map(|line| {
                let words: Vec<String> = line
                    .split(' ')
                    .filter_map(|word| {
                        seen += 1;
                        if seen - 1 != at {
                            return Some(word.to_string());
                        }
                        let stop = if word.ends_with(['.', '?']) { "." } else { "" };
                        replacement.map(|r| format!("{r}{stop}"))
                    })
                    .collect();
                words.join(" ")
            })
            .collect();
        lines.join("\n")
    }

    fn words_of(number: u16) -> Vec<&'static str> {
        kural(number).expect("kural").tamil.split_whitespace().collect()
    }

    /// The kural text in one of the [`LAYOUTS`] a record may use (two lines or one, with or
    /// without the final full stop, bare or in “ ” or " " quotes), set in one of five contexts.
    fn layout(tamil: &str, variant: usize, context: usize) -> String {
        let lines = if variant.is_multiple_of(2) {
            tamil.to_string()
        } else {
            tamil.replace('\n', " ")
        };
        let body = if (variant / 2).is_multiple_of(2) {
            lines
        } else {
            lines.trim_end_matches(['.', '?']).to_string()
        };
        let quoted = match (variant / 4) % 3 {
            0 => body,
            1 => format!("“{body}”"),
            _ => format!("\"{body}\""),
        };
        match context % 5 {
            0 => quoted,
            1 => format!("வள்ளுவர் கூறுவது:\n{quoted}\nஇதன் பொருள் தெளிவானது."),
            // A vowel right after the kural: the stream elides a final short u.
            2 => format!("{quoted} என்றார் வள்ளுவர்."),
            3 => format!("Thiruvalluvar says:\n\n{quoted}\n\nஅதாவது, இது ஒரு குறள்."),
            _ => format!("- {quoted}\n"),
        }
    }

    const LAYOUTS: usize = 12;

    fn misquotes(text: &str) -> Vec<KuralIssue> {
        check_text(text)
            .into_iter()
            .filter(|i| matches!(i.kind, KuralIssueKind::Misquoted | KuralIssueKind::Misspelled))
            .collect()
    }

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
        // The first 40 chapters; `measure` runs the whole book.
        let book: Vec<String> = (1..=400)
            .map(|n| format!("{n}. {}", kural(n).expect("kural").tamil))
            .collect();
        assert_eq!(check_text(&book.join("\n\n")), vec![]);
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
        assert_eq!(super::one_word("மக்கட்கு", "மக்களுக்கு"), KuralIssueKind::OtherForm);
        assert_eq!(super::one_word("அறத்தான்", "அறத்தால்"), KuralIssueKind::OtherForm);
        assert_eq!(super::one_word("உலகில்", "உலகின்"), KuralIssueKind::OtherForm);
        assert_eq!(super::one_word("மனைமாட்சி", "மனமாட்சி"), KuralIssueKind::Misspelled);
        assert_eq!(super::one_word("அஃதில்லார்", "அஃதிலார்"), KuralIssueKind::Misspelled);
        assert_eq!(super::one_word("உலகு", "வானம்"), KuralIssueKind::Misquoted);
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

    /// Numbers for the module documentation: `cargo test --release -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn measure() {
        let r = reference();
        let distinct = r.grams.keys.iter().filter(|&&k| k != GramTable::EMPTY).count();
        let fewest = r.entries.iter().map(|e| e.candidate_hits).min();
        println!("index: {distinct} distinct {GRAM}-grams; smallest candidate threshold {fewest:?} hits");
        let best_of_5 = |f: &dyn Fn()| {
            (0..5)
                .map(|_| {
                    let started = std::time::Instant::now();
                    f();
                    started.elapsed().as_secs_f64()
                })
                .fold(f64::MAX, f64::min)
        };
        let mut passed = 0;
        let mut total = 0;
        for number in 1..=KURAL_COUNT {
            let tamil = kural(number).expect("kural").tamil;
            for variant in 0..LAYOUTS {
                for context in 0..5 {
                    total += 1;
                    passed += usize::from(check_text(&layout(tamil, variant, context)).is_empty());
                }
            }
        }
        let texts: Vec<String> = (1..=KURAL_COUNT)
            .map(|n| layout(kural(n).expect("kural").tamil, usize::from(n) % LAYOUTS, 3))
            .collect();
        let per_quote = best_of_5(&|| {
            for t in &texts {
                check_text(t);
            }
        }) / texts.len() as f64;
        println!(
            "correct quotations: {passed}/{total} pass; {:.1} µs per record with one",
            per_quote * 1e6
        );
        let prose: Vec<String> = commentaries().into_iter().flat_map(|(_, a, b)| [a, b]).collect();
        let mut flagged = 0;
        let mut any_issue = 0;
        let mut aligned = 0;
        for text in &prose {
            flagged += usize::from(!misquotes(text).is_empty());
            any_issue += usize::from(!check_text(text).is_empty());
            let stream = phoneme::phonemes_with_letters(text);
            aligned += usize::from(!reference().candidates(&stream.codes).is_empty());
        }
        let bytes: usize = prose.iter().map(String::len).sum();
        let per_kb = best_of_5(&|| {
            for t in &prose {
                check_text(t);
            }
        }) * 1e6
            / (bytes as f64 / 1024.0);
        println!(
            "commentaries: {flagged}/{} misquoted, {any_issue} with any issue, {aligned} become candidates; {per_kb:.1} µs per KB",
            prose.len()
        );
        let essay = test_data::ESSAY;
        let per_kb = best_of_5(&|| {
            check_text(essay);
        }) * 1e6
            / (essay.len() as f64 / 1024.0);
        println!("essay ({} bytes, no kural): {per_kb:.1} µs per KB", essay.len());
        let paragraph: String = prose.iter().take(4).cloned().collect::<Vec<_>>().join(" ");
        let micros = best_of_5(&|| {
            for _ in 0..100 {
                check_text(&paragraph);
            }
        }) * 1e4;
        println!("{}-byte commentary paragraph: {micros:.1} µs", paragraph.len());
        let book: String = (1..=KURAL_COUNT)
            .map(|n| format!("{n}. {}\n\n", kural(n).expect("kural").tamil))
            .collect();
        let millis = best_of_5(&|| {
            check_text(&book);
        }) * 1e3;
        println!(
            "the whole book ({} bytes) in one record: {} issues, {millis:.1} ms",
            book.len(),
            check_text(&book).len()
        );
        let started = std::time::Instant::now();
        let mut caught = 0;
        let mut mutated = 0;
        let mut rng = Lcg(7);
        for number in 1..=KURAL_COUNT {
            let words = words_of(number);
            for (at, word) in words.iter().enumerate() {
                // Every word replaced by a word of a random other kural, and every word dropped.
                let other = words_of(1 + ((number + rng.below(1329) as u16) % 1330));
                let replacement = other[rng.below(other.len())].trim_end_matches(['.', '?']);
                let mut variants = vec![edit_word(number, at, None)];
                if phoneme::phonemes(replacement) != phoneme::phonemes(word) {
                    variants.push(edit_word(number, at, Some(replacement)));
                }
                for variant in variants {
                    mutated += 1;
                    let issues = check_text(&variant);
                    caught += usize::from(matches!(issues.as_slice(), [i] if i.number == number));
                }
            }
        }
        println!(
            "every word substituted or dropped: {caught}/{mutated} caught ({:?})",
            started.elapsed()
        );
        let swapped_caught = (1..=KURAL_COUNT)
            .filter(|&n| {
                let (first, second) = kural(n).expect("kural").tamil.split_once('\n').expect("two lines");
                let issues = check_text(&format!("{second}\n{first}"));
                matches!(issues.as_slice(), [i] if i.number == n)
            })
            .count();
        let damaged_caught = DAMAGED_JSONL
            .lines()
            .filter(|line| {
                let v: serde_json::Value = serde_json::from_str(line).expect("damaged line");
                let issues = check_text(v["reading"].as_str().unwrap_or_default());
                matches!(issues.as_slice(), [i] if i.known_damaged.is_some())
            })
            .count();
        println!("swapped lines: {swapped_caught}/1330 caught; known damaged: {damaged_caught}/41");
    }
}
