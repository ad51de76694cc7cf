//! The authoritative reference, compiled in: every kural with its phoneme readings (both line
//! orders, each line alone, its words), its edition and known damaged readings, and the phoneme
//! n-gram index that makes a kural a candidate. Judging, alignment and the quotation search all
//! read it; it depends on none of them.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::tamil::phoneme::{self, BITS, Phoneme};
use crate::tamil::variant::{significant_nasals, variant_keys};

const REFERENCE_JSONL: &str = include_str!("../../../../rules/data/thirukkural.jsonl");
pub(super) const DAMAGED_JSONL: &str = include_str!("../../../../rules/data/thirukkural-libkural-corrupt.jsonl");

/// Number of kurals in the Thirukkural.
pub const KURAL_COUNT: u16 = 1330;

/// Phonemes per n-gram of the candidate index: 6-grams are rare enough in ordinary prose that
/// most texts have few hits, and common enough in a damaged quotation that it is still found.
pub(super) const GRAM: usize = 6;
/// Entries of padding after the last postings list, so that the search can copy any list in
/// fixed blocks of this many without a bounds check on its length.
pub(super) const POSTINGS_PADDING: usize = 16;
/// Share of a kural's distinct n-grams (in percent) that must fall in one window of text before
/// the kural is aligned there; the worst single dropped or substituted word leaves 52%.
const CANDIDATE_PERCENT: usize = 40;

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

/// A phoneme sequence of a kural (or of its lines swapped) with the phoneme index where the
/// second line starts.
pub(super) struct Verse {
    pub(super) codes: Vec<Phoneme>,
    pub(super) line_break: usize,
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

    pub(super) fn len(&self) -> usize {
        self.codes.len()
    }
}

pub(super) struct DamagedReading {
    pub(super) source: &'static str,
    pub(super) codes: Vec<Phoneme>,
}

pub(super) struct Entry {
    pub(super) kural: KuralRef,
    pub(super) verse: Verse,
    pub(super) swapped: Verse,
    /// Each line read alone, for quotations of one line.
    pub(super) lines: [Vec<Phoneme>; 2],
    /// The reference words with the phoneme index where each starts.
    pub(super) words: Vec<(usize, &'static str)>,
    /// Its white-space-separated words, the closing mark left off (`is_verbatim` in
    /// [`judge`](super::judge)).
    pub(super) tokens: Vec<&'static str>,
    pub(super) damaged: Vec<DamagedReading>,
    /// Its distinct n-grams, each named by where its postings start in [`Reference::postings`]
    /// (a number below the postings' length, unique to the n-gram): the search marks these to
    /// pick out the kural's hits without reading any postings.
    pub(super) gram_ids: Vec<u32>,
    /// Worked out when a quotation of this kural is first judged ([`Entry::spellings`]).
    spellings: OnceLock<Spellings>,
}

/// How editions may spell a kural: what [`judge`](super::judge) accepts as the same reading.
pub(super) struct Spellings {
    /// Its readings up to edition spellings ([`variant_keys`]), with the edition readings of
    /// [`EDITION_READINGS`]; sorted.
    pub(super) variants: Vec<Vec<Phoneme>>,
    /// The nasals no consonant decides, in order ([`significant_nasals`]), of the reference and
    /// of each edition reading.
    pub(super) nasals: Vec<Vec<char>>,
}

impl Entry {
    /// The kural's [`Spellings`], worked out on first use: for all 1330 kurals they were half of
    /// loading the reference (about 50 ms, paid by every process, even one linting a small file
    /// without a quotation).
    pub(super) fn spellings(&self) -> &Spellings {
        self.spellings.get_or_init(|| {
            let tamil = self.kural.tamil;
            let mut variants = variant_keys(tamil);
            let mut nasals = vec![significant_nasals(tamil)];
            for (_, reference, edition) in EDITION_READINGS.iter().filter(|r| r.0 == self.kural.number) {
                let reading = tamil.replace(reference, edition);
                variants.extend(variant_keys(&reading));
                nasals.push(significant_nasals(&reading));
                variants.sort();
                variants.dedup();
            }
            Spellings { variants, nasals }
        })
    }
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

/// Packed n-gram → range of the postings: open addressing with linear probing, a half to two
/// thirds full. Cheaper than a general hash map on the one lookup per phoneme of every text.
pub(super) struct GramTable {
    /// A key and its postings side by side, 8 bytes: a probe that finds its key has the range in
    /// the same cache line (with separate key and range arrays every hit cost two misses).
    /// Linear probing over [`Self::home_slots`], followed by a copy of the first
    /// [`Self::PROBE_WIDTH`]` - 1` so that every window of [`Self::probe`] is contiguous.
    slots: Vec<Slot>,
    bits: u32,
    /// One bit per [`Self::FILTER_BITS`]-bit hash of the keys present: most n-grams of Tamil
    /// prose are in no kural, and this 128 KiB filter (which stays in cache, where the 512 KiB
    /// table does not) answers those without probing. A set bit only sends the probe on.
    filter: Vec<u64>,
}

#[derive(Clone, Copy)]
struct Slot {
    key: u32,
    /// Start of the postings in the low [`Slot::START_BITS`] bits, their count above.
    postings: u32,
}

impl Slot {
    const START_BITS: u32 = 20;
    const EMPTY: Slot = Slot {
        key: GramTable::EMPTY,
        postings: 0,
    };

    fn new(key: u32, (start, len): (u32, u32)) -> Slot {
        assert!(
            start < 1 << Self::START_BITS && len < 1 << (32 - Self::START_BITS),
            "the n-gram postings fit a packed range"
        );
        Slot {
            key,
            postings: start | len << Self::START_BITS,
        }
    }

    fn range(self) -> (u32, u32) {
        (
            self.postings & ((1 << Self::START_BITS) - 1),
            self.postings >> Self::START_BITS,
        )
    }
}

impl GramTable {
    /// Packed keys use 30 bits, so this never collides with one.
    const EMPTY: u32 = u32::MAX;

    const FILTER_BITS: u32 = 20;

    fn with_capacity(keys: usize) -> GramTable {
        let bits = (keys * 3 / 2).next_power_of_two().trailing_zeros().max(4);
        GramTable {
            slots: vec![Slot::EMPTY; (1 << bits) + Self::PROBE_WIDTH - 1],
            bits,
            filter: vec![0; 1 << (Self::FILTER_BITS - 6)],
        }
    }

    /// The slots keys are placed in (a power of two), without the mirrored tail.
    fn home_slots(&self) -> usize {
        1 << self.bits
    }

    /// Distinct n-grams in the table.
    #[cfg(feature = "calibration")]
    pub(super) fn len(&self) -> usize {
        self.slots[..self.home_slots()]
            .iter()
            .filter(|slot| slot.key != Self::EMPTY)
            .count()
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
        let home_slots = self.home_slots();
        let mut at = self.slot(key);
        while self.slots[at].key != Self::EMPTY && self.slots[at].key != key {
            at = (at + 1) & (home_slots - 1);
        }
        self.slots[at] = Slot::new(key, range);
        // The mirrored tail follows the first slots.
        if let Some(copy) = self.slots.get_mut(at + home_slots) {
            *copy = Slot::new(key, range);
        }
        let bit = Self::filter_bit(key);
        self.filter[bit / 64] |= 1 << (bit % 64);
    }

    /// Whether the key may be in the table: false for most n-grams of Tamil prose, which are
    /// in no kural.
    #[inline]
    pub(super) fn may_contain(&self, key: u32) -> bool {
        let bit = Self::filter_bit(key);
        self.filter[bit / 64] >> (bit % 64) & 1 == 1
    }

    /// Asks the processor to bring the key's home slot into cache: [`Reference::hits`] knows
    /// its keys in advance, and each probe otherwise waited for the table, 512 KiB that the
    /// first-level cache cannot hold.
    #[inline]
    pub(super) fn prefetch(&self, key: u32) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let slot: *const Slot = &self.slots[self.slot(key)];
            // SAFETY: a prefetch is only a hint; it reads nothing and cannot fault.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(slot.cast()) };
        }
    }

    /// Slots [`Self::probe`] compares at once.
    const PROBE_WIDTH: usize = 4;

    /// The key's postings range, looked up without asking the filter first.
    ///
    /// Four slots at a time, compared without a branch per slot. At this table's load (0.58), 29%
    /// of the kurals' n-grams sit past their home slot (5% four slots or more): a loop going slot
    /// by slot asks at each step whether to go on, a branch the processor cannot predict, and here
    /// only one stored n-gram in twenty needs a second window (`kural-mismatch` alone, one thread:
    /// 3% less CPU on the kurals corpus, 6% on SFT). Exact as linear probing: a key was put in the
    /// first empty slot from its home on, and nothing is ever removed, so no empty slot lies
    /// between a key and its home: a window holding the key finds it, and a window with an empty
    /// slot and no key settles that the key is absent.
    #[inline]
    pub(super) fn probe(&self, key: u32) -> Option<(u32, u32)> {
        let mask = self.home_slots() - 1;
        let mut at = self.slot(key);
        loop {
            let window: &[Slot; Self::PROBE_WIDTH] = self.slots[at..at + Self::PROBE_WIDTH]
                .try_into()
                .expect("the mirrored tail holds every window");
            let (mut found, mut empty) = (0u32, 0u32);
            for (i, slot) in window.iter().enumerate() {
                found |= u32::from(slot.key == key) << i;
                empty |= u32::from(slot.key == Self::EMPTY) << i;
            }
            if found != 0 {
                return Some(window[found.trailing_zeros() as usize].range());
            }
            if empty != 0 {
                return None;
            }
            at = (at + Self::PROBE_WIDTH) & mask;
        }
    }
}

/// A phoneme sequence's distinct n-gram keys, ascending.
fn distinct_gram_keys(codes: &[Phoneme]) -> Vec<u32> {
    let mut keys: Vec<u32> = codes.windows(GRAM).map(gram_key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

pub(super) fn gram_key(gram: &[Phoneme]) -> u32 {
    gram.iter().fold(0, |key, &p| (key << BITS) | u32::from(p))
}

pub(super) struct Reference {
    pub(super) entries: Vec<Entry>,
    /// Packed n-gram → range of `postings`.
    pub(super) grams: GramTable,
    /// Entry indices, grouped by gram, ascending within a gram; [`POSTINGS_PADDING`] zeros at
    /// the end.
    pub(super) postings: Vec<u16>,
    /// Hits in one window that make each entry a candidate, side by side for the counting loop
    /// (an entry is a few hundred bytes).
    pub(super) candidate_hits: Vec<u16>,
}

pub(super) fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(Reference::load)
}

impl Reference {
    fn load() -> Reference {
        let mut entries: Vec<Entry> = Vec::with_capacity(usize::from(KURAL_COUNT));
        let mut candidate_hits: Vec<u16> = Vec::with_capacity(usize::from(KURAL_COUNT));
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
            let hits = distinct_gram_keys(&verse.codes).len() * CANDIDATE_PERCENT / 100;
            candidate_hits.push(u16::try_from(hits.max(1)).unwrap_or(u16::MAX));
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
                damaged: Vec::new(),
                gram_ids: Vec::new(),
                spellings: OnceLock::new(),
            });
        }
        assert_eq!(entries.len(), usize::from(KURAL_COUNT), "all 1330 kurals");
        for (number, reference, _) in EDITION_READINGS {
            let tamil = entries[usize::from(number) - 1].kural.tamil;
            assert!(tamil.contains(reference), "kural {number} reads {reference}");
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
            let keys = distinct_gram_keys(&entry.verse.codes);
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
            // The grams come in key order and their postings one after another, so each kural's
            // ids arrive ascending.
            for &(_, entry) in chunk {
                entries[usize::from(entry)].gram_ids.push(start);
            }
        }
        postings.resize(postings.len() + POSTINGS_PADDING, 0);
        Reference {
            entries,
            grams,
            postings,
            candidate_hits,
        }
    }
}

/// The reference's words as `is_verbatim` (in [`judge`](super::judge)) compares them: split at
/// white space, the kural's closing mark (`.`, `?`) left off. Every other character must belong
/// to a word, or a quotation with the same tokens could read differently (punctuation between
/// words stops elision).
fn verbatim_tokens(tamil: &'static str) -> Vec<&'static str> {
    let tokens: Vec<&'static str> = without_closing_mark(tamil).split_whitespace().collect();
    assert!(
        tokens.iter().all(|t| t.chars().all(phoneme::is_word_char)),
        "the reference kural {tamil:?} has only letters, white space and a closing mark"
    );
    tokens
}

/// `text` without the punctuation and white space after its last letter.
pub(super) fn without_closing_mark(text: &str) -> &str {
    text.trim_end_matches(|c: char| !phoneme::is_word_char(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`GramTable::probe`] as plain linear probing: slot by slot from the key's home.
    fn probe_slot_by_slot(table: &GramTable, key: u32) -> Option<(u32, u32)> {
        let mask = table.home_slots() - 1;
        let mut at = table.slot(key);
        loop {
            match table.slots[at] {
                slot if slot.key == key => return Some(slot.range()),
                slot if slot.key == GramTable::EMPTY => return None,
                _ => at = (at + 1) & mask,
            }
        }
    }

    #[test]
    fn windowed_probes_equal_slot_by_slot_probes() {
        let table = &reference().grams;
        let stored: Vec<u32> = table.slots[..table.home_slots()]
            .iter()
            .map(|slot| slot.key)
            .filter(|&key| key != GramTable::EMPTY)
            .collect();
        assert!(stored.len() > 30_000, "the kurals' n-grams are in the table");
        // Every key stored, at its home or displaced; keys one bit away from them, most absent;
        // and keys from a simple generator over the 30 bits a key uses.
        let mut generator = crate::test_data::Xorshift(0x2545_F491_4F6C_DD1D);
        let random = std::iter::from_fn(|| Some((generator.next_u64() as u32) & ((1 << (BITS * GRAM as u32)) - 1)));
        let near = stored.iter().map(|&key| key ^ 1);
        let last_window = table.home_slots() - (GramTable::PROBE_WIDTH - 1);
        let (mut absent, mut through_the_tail) = (0, 0);
        for key in stored.iter().copied().chain(near).chain(random.take(200_000)) {
            let expected = probe_slot_by_slot(table, key);
            absent += usize::from(expected.is_none());
            // A probe from here reads the mirrored tail.
            through_the_tail += usize::from(table.slot(key) >= last_window);
            assert_eq!(table.probe(key), expected, "key {key:#x}");
        }
        assert!(absent > 100_000, "absent keys were probed too");
        assert!(through_the_tail > 0, "some probes wrap past the table's end");
    }
}
