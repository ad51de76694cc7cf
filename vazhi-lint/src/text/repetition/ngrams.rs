//! Gopher's word n-gram fractions: the most frequent 2- to 4-gram and the duplicated 5- to
//! 10-grams, by characters, over word ids hashed with a fast multiplicative hasher (also used by
//! the sentence detector).

use std::collections::HashMap;
use std::ops::Range;

use super::degeneration::{Degeneration, DegenerationKind};
use super::lines::consider_worst;
use super::thresholds::RepetitionThresholds;
use super::words::Word;

/// Multiplicative hash for word-id n-grams: std's SipHash is several times slower
/// on millions of short keys, and a linter's own input is no HashDoS concern.
#[derive(Default, Clone, Copy)]
pub(super) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

pub(super) type IdMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Gopher n-gram fractions over words, per n in 2..=10 with the span to point at.
/// Characters are counted inside words (whitespace and edge punctuation
/// excluded), for numerator and denominator alike, so formatting does not move
/// the ratio. n = 2..4: the most frequent n-gram (if it occurs twice or more),
/// count × its characters. n = 5..10: characters of n-grams seen before, with
/// overlapping repeats counted once (after a duplicate, skip past it), as in
/// datatrove's Gopher filter.
pub(super) fn ngram_fractions(words: &[Word<'_>]) -> Vec<(usize, f64, Option<Range<usize>>)> {
    let chars: Vec<usize> = words.iter().map(Word::chars).collect();
    let total: usize = chars.iter().sum();
    let mut out = Vec::with_capacity(9);
    if total == 0 {
        return out;
    }
    // One string hash per word; n-grams are then windows of ids, keyed by a
    // polynomial hash (prefix differences) and checked against the ids on a hit,
    // so a hash collision can only hide a repeat, never invent one.
    let mut vocab: HashMap<&str, u64> = HashMap::with_capacity(words.len() / 2);
    let ids: Vec<u64> = words
        .iter()
        .map(|w| {
            let next = vocab.len() as u64 + 1;
            *vocab.entry(w.text).or_insert(next)
        })
        .collect();
    const BASE: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut prefix_hash = Vec::with_capacity(ids.len() + 1);
    let mut h = 0u64;
    prefix_hash.push(h);
    for &id in &ids {
        h = h.wrapping_mul(BASE).wrapping_add(id);
        prefix_hash.push(h);
    }
    // prefix[i] = characters in words[..i].
    let mut prefix = Vec::with_capacity(words.len() + 1);
    let mut acc = 0usize;
    prefix.push(acc);
    for w in &chars {
        acc += w;
        prefix.push(acc);
    }
    let chars_of = |i: usize, n: usize| prefix[i + n] - prefix[i];
    let span_of = |i: usize, n: usize| words[i].span.0..words[i + n - 1].span.1;
    for n in 2..=10 {
        let pow = (0..n).fold(1u64, |acc, _| acc.wrapping_mul(BASE));
        let key = |i: usize| prefix_hash[i + n].wrapping_sub(prefix_hash[i].wrapping_mul(pow));
        let same = |i: usize, j: usize| ids[i..i + n] == ids[j..j + n];
        let windows = ids.len().saturating_sub(n - 1);
        if n <= 4 {
            // Most frequent n-gram: count × its characters (if seen twice or more).
            let mut counts: IdMap<u64, (usize, usize)> = IdMap::default();
            counts.reserve(windows);
            let mut best = (0usize, 0usize); // (characters covered, first index)
            for i in 0..windows {
                let e = counts.entry(key(i)).or_insert((0, i));
                if e.1 != i && !same(e.1, i) {
                    continue;
                }
                e.0 += 1;
                let covered = e.0 * chars_of(i, n);
                if e.0 >= 2 && covered > best.0 {
                    best = (covered, e.1);
                }
            }
            let span = (best.0 > 0).then(|| span_of(best.1, n));
            out.push((n, best.0 as f64 / total as f64, span));
        } else {
            // Characters in n-grams seen before; after a duplicate, skip past it.
            let mut seen: IdMap<u64, usize> = IdMap::default();
            seen.reserve(windows);
            let mut dup_chars = 0usize;
            let mut first: Option<Range<usize>> = None;
            let mut i = 0;
            while i < windows {
                match seen.get(&key(i)) {
                    Some(&j) if same(j, i) => {
                        dup_chars += chars_of(i, n);
                        first.get_or_insert_with(|| span_of(j, n));
                        i += n;
                    }
                    Some(_) => i += 1,
                    None => {
                        seen.insert(key(i), i);
                        i += 1;
                    }
                }
            }
            out.push((n, dup_chars as f64 / total as f64, first));
        }
    }
    out
}

fn ngram_threshold(n: usize, t: &RepetitionThresholds) -> f64 {
    match n {
        2 => t.top_2gram_char_frac,
        3 => t.top_3gram_char_frac,
        4 => t.top_4gram_char_frac,
        5 => t.dup_5gram_char_frac,
        6 => t.dup_6gram_char_frac,
        7 => t.dup_7gram_char_frac,
        8 => t.dup_8gram_char_frac,
        9 => t.dup_9gram_char_frac,
        _ => t.dup_10gram_char_frac,
    }
}

pub(super) fn duplicate_ngrams(text: &str, words: &[Word<'_>], t: &RepetitionThresholds) -> Option<Degeneration> {
    let mut best: Option<(f64, Degeneration)> = None;
    for (n, frac, span) in ngram_fractions(words) {
        let threshold = ngram_threshold(n, t);
        consider_worst(&mut best, frac, threshold, || Degeneration {
            span: span.unwrap_or(0..text.len()),
            kind: DegenerationKind::DuplicateNgrams { n },
            measured: frac,
            threshold,
        });
    }
    best.map(|b| b.1)
}
