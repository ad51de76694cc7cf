//! Finding quotations in a text (steps 1 to 3 of the module documentation): candidate kurals
//! from the n-gram index, exact quotations by plain search, everything else placed by alignment,
//! and a placed stretch widened to whole words, quotation marks or neighbouring words. Each
//! stretch found is handed to [`judge`].

use std::ops::Range;

use super::align::{Ends, align};
use super::judge::{Quote, judge};
use super::reference::{GRAM, POSTINGS_PADDING, Reference, gram_key};
use crate::tamil::phoneme::{self, Phoneme, Phonemes};

/// Fewer hits than this cannot make any kural a candidate (the lowest threshold is 11).
const MIN_CANDIDATE_HITS: usize = 8;
/// Phonemes aligned beyond the outermost hits: an edge word replaced has no hits.
const SLACK: usize = 12;
/// Width of the sliding window in phonemes: the longest kural has 61, and a quotation with a
/// longer substituted word must still fit.
const WINDOW: usize = 96;

/// One n-gram of the stream found in the index: its position and where its postings are in
/// [`Reference::postings`].
#[derive(Clone, Copy)]
struct Hit {
    at: usize,
    start: u32,
    len: u32,
}

/// Buffers [`Reference::candidates`] reuses from one text to the next on a thread: it runs on
/// every Tamil text, and a short text should not pay for allocating and zeroing 1330 counts.
#[derive(Default)]
struct Scratch {
    hits: Vec<Hit>,
    /// Hits of each kural in the whole text; all zero between texts. (A text repeating one
    /// kural can pass 16 bits; a text has fewer than 2^32 phonemes.)
    totals: Vec<u32>,
    /// Each eligible kural's place in the list of them, [`NOT_ELIGIBLE`] for the rest; reset
    /// after use.
    slots: Vec<u16>,
    look_up: HitScratch,
    /// The hits' postings end to end.
    flat: Vec<u16>,
    /// One bit per gram id, the eligible kural's n-grams set; all zero between uses.
    marks: Vec<u64>,
}

/// The buffers of [`Reference::hits`]: every position's n-gram key, and the positions whose key
/// passed the filter.
#[derive(Default)]
struct HitScratch {
    keys: Vec<u32>,
    maybe: Vec<u32>,
}

const NOT_ELIGIBLE: u16 = u16::MAX;

/// How many probes ahead of the one in hand [`Reference::hits`] has the table's slots fetched.
const PREFETCH_AHEAD: usize = 8;

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

impl Reference {
    /// Positions of the stream's n-grams that occur in some kural, with their postings.
    ///
    /// In three passes rather than one, so that the processor has many independent look-ups in
    /// flight instead of waiting on each in turn behind a branch it cannot predict (a third of
    /// the n-grams of commentary prose are some kural's): every position's key; the positions
    /// the filter lets through, gathered without a branch; then the table probed for those.
    fn hits(&'static self, codes: &[Phoneme], scratch: &mut HitScratch, out: &mut Vec<Hit>) {
        let HitScratch { keys, maybe } = scratch;
        out.clear();
        keys.clear();
        // Each key from its own six phonemes rather than rolled on from the previous key: no
        // position waits on another, and the loop runs on vectors.
        let windows = codes.len().saturating_sub(GRAM - 1);
        keys.resize(windows, 0);
        for (slot, gram) in keys.iter_mut().zip(codes.windows(GRAM)) {
            let gram: &[Phoneme; GRAM] = gram.try_into().expect("windows of GRAM");
            *slot = gram_key(gram);
        }
        maybe.clear();
        maybe.resize(keys.len(), 0);
        let mut through = 0;
        for (at, &key) in keys.iter().enumerate() {
            maybe[through] = at as u32;
            through += usize::from(self.grams.may_contain(key));
        }
        let passed = &maybe[..through];
        for (i, &at) in passed.iter().enumerate() {
            if let Some(&ahead) = passed.get(i + PREFETCH_AHEAD) {
                self.grams.prefetch(keys[ahead as usize]);
            }
            let at = at as usize;
            if let Some((start, len)) = self.grams.probe(keys[at]) {
                out.push(Hit { at, start, len });
            }
        }
    }

    /// Kurals with enough of their n-grams within [`WINDOW`] phonemes somewhere in the stream,
    /// each with the positions of its hits. Text without a quotation stops here.
    pub(super) fn candidates(&'static self, codes: &[Phoneme]) -> Vec<Candidate> {
        SCRATCH.with_borrow_mut(|scratch| self.candidates_with(codes, scratch))
    }

    fn candidates_with(&'static self, codes: &[Phoneme], scratch: &mut Scratch) -> Vec<Candidate> {
        let Scratch {
            hits,
            totals,
            slots,
            look_up,
            flat,
            marks,
        } = scratch;
        self.hits(codes, look_up, hits);
        if hits.len() < MIN_CANDIDATE_HITS {
            return Vec::new();
        }
        // A kural with fewer hits in the whole text than it needs within one window is no
        // candidate. Counting the whole text is one increment per posting with no window to
        // slide, and leaves few kurals (the quoted one, in a record that quotes) to look at
        // window by window.
        totals.resize(self.entries.len(), 0);
        // A slice, not the vector: pushing to `eligible` would otherwise make the compiler
        // reload the vector's buffer pointer at every posting.
        let totals = totals.as_mut_slice();
        let mut eligible: Vec<usize> = Vec::new();
        // The text's postings end to end, so that counting and clearing are each one loop: a
        // loop per hit (a list of one to a few hundred kurals) left it at an exit the processor
        // could not predict, once per hit in each.
        let posted = copy_postings(&self.postings, hits, flat);
        for &e in posted {
            let e = usize::from(e);
            totals[e] += 1;
            if totals[e] == u32::from(self.candidate_hits[e]) {
                eligible.push(e);
            }
        }
        // Back to zero for the next text: by the postings again when there were few of them,
        // else all 1330 counts at once (5 KiB).
        let by_postings = posted.len() < totals.len();
        if by_postings {
            for &e in posted {
                totals[usize::from(e)] = 0;
            }
        } else {
            totals.fill(0);
        }
        if eligible.is_empty() {
            return Vec::new();
        }
        // The eligible kurals' hit positions, in order, by whichever way reads less: a pass over
        // the hits for each kural, or one pass over all their postings.
        let lists = if eligible.len() * hits.len() <= posted.len() {
            self.eligible_hits_by_grams(hits, &eligible, marks)
        } else {
            self.eligible_hits_by_postings(hits, posted, &eligible, slots)
        };
        // A kural is a candidate from the first hit of its that closes a window holding enough
        // of them; candidates come in that order, kurals reached at one hit by number.
        let mut reached: Vec<(usize, Candidate)> = lists
            .into_iter()
            .filter_map(|list| {
                let wanted = usize::from(self.candidate_hits[list.entry]);
                let at = list
                    .hits
                    .windows(wanted)
                    .find(|run| run[wanted - 1] - run[0] < WINDOW)
                    .map(|run| run[wanted - 1])?;
                Some((at, list))
            })
            .collect();
        reached.sort_by_key(|(at, list)| (*at, list.entry));
        reached.into_iter().map(|(_, list)| list).collect()
    }

    /// Each eligible kural's hit positions, kural by kural: its n-grams marked in a bitset over
    /// gram ids ([`Entry::gram_ids`](super::reference::Entry)), then one bit tested per hit. A
    /// hit is the kural's exactly when its n-gram is one of the kural's, which is what its
    /// postings say too. A pass over the hits per kural: cheaper than reading every posting
    /// when few kurals are eligible, as in a text quoting one (three postings per hit).
    fn eligible_hits_by_grams(&self, hits: &[Hit], eligible: &[usize], marks: &mut Vec<u64>) -> Vec<Candidate> {
        marks.resize(self.postings.len().div_ceil(64), 0);
        eligible
            .iter()
            .map(|&entry| {
                let ids = &self.entries[entry].gram_ids;
                for &id in ids {
                    marks[id as usize / 64] |= 1 << (id % 64);
                }
                let hits = hits
                    .iter()
                    .filter(|hit| marks[hit.start as usize / 64] >> (hit.start % 64) & 1 == 1)
                    .map(|hit| hit.at)
                    .collect();
                // Only the kural's own bits were set: their words back to zero.
                for &id in ids {
                    marks[id as usize / 64] = 0;
                }
                Candidate { entry, hits }
            })
            .collect()
    }

    /// Each eligible kural's hit positions from one pass over all the hits' postings (`posted`,
    /// in hit order): for a text where many kurals are eligible.
    fn eligible_hits_by_postings(
        &self,
        hits: &[Hit],
        posted: &[u16],
        eligible: &[usize],
        slots: &mut Vec<u16>,
    ) -> Vec<Candidate> {
        slots.resize(self.entries.len(), NOT_ELIGIBLE);
        let mut lists: Vec<Candidate> = eligible
            .iter()
            .enumerate()
            .map(|(slot, &entry)| {
                slots[entry] = u16::try_from(slot).expect("at most 1330 kurals");
                Candidate {
                    entry,
                    hits: Vec::new(),
                }
            })
            .collect();
        // Slices held in registers rather than reloaded from the vectors at every posting.
        let slot_of = slots.as_slice();
        let mut from = 0;
        for hit in hits {
            let to = from + hit.len as usize;
            for &e in &posted[from..to] {
                let slot = slot_of[usize::from(e)];
                if slot != NOT_ELIGIBLE {
                    lists[usize::from(slot)].hits.push(hit.at);
                }
            }
            from = to;
        }
        for &entry in eligible {
            slots[entry] = NOT_ELIGIBLE;
        }
        lists
    }

    /// All quotations of the candidates: first the exact ones (cheap, and they settle their
    /// stretch), then alignment wherever a candidate still has enough hits outside them.
    pub(super) fn quotations(
        &self,
        candidates: &[Candidate],
        text: &str,
        stream: &Phonemes,
        joint: usize,
    ) -> Vec<Quote> {
        let mut quotes = Vec::new();
        let mut settled: Vec<Range<usize>> = Vec::new();
        for candidate in candidates {
            let wanted = usize::from(self.candidate_hits[candidate.entry]);
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
            let wanted = usize::from(self.candidate_hits[candidate.entry]);
            let mut claimed: Vec<Range<usize>> = Vec::new();
            loop {
                let free: Vec<usize> = candidate
                    .hits
                    .iter()
                    .copied()
                    .filter(|&h| !is_settled(h) && !claimed.iter().any(|c| c.contains(&h)))
                    .collect();
                let Some(cluster) = dense_cluster(&free, wanted) else {
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
                // A plain scan: the stretch is short, building a searcher costs more. The first
                // phoneme is compared before the call that compares the rest.
                let found = codes
                    .windows(needle.len())
                    .enumerate()
                    .filter(|(_, w)| w.first() == needle.first() && w == &needle);
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

/// The hits' postings end to end in `flat`, returned as a slice of it.
///
/// Copied in fixed blocks of [`POSTINGS_PADDING`] entries: most lists are shorter than that, and a
/// copy call per list cost more than the counting. A block may run past its list (into the next
/// list, or the padding at the end of `postings`); the next block overwrites that, and the slice
/// returned ends at the last list's end, so the result is exactly the lists in order.
fn copy_postings<'a>(postings: &[u16], hits: &[Hit], flat: &'a mut Vec<u16>) -> &'a [u16] {
    let total: usize = hits.iter().map(|hit| hit.len as usize).sum();
    flat.resize(total + POSTINGS_PADDING, 0);
    let mut end = 0;
    for hit in hits {
        let (start, len) = (hit.start as usize, hit.len as usize);
        let mut done = 0;
        loop {
            flat[end + done..end + done + POSTINGS_PADDING]
                .copy_from_slice(&postings[start + done..start + done + POSTINGS_PADDING]);
            done += POSTINGS_PADDING;
            if done >= len {
                break;
            }
        }
        end += len;
    }
    &flat[..total]
}

/// A kural whose n-grams cluster somewhere in the text.
pub(super) struct Candidate {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tamil::kural::samples::Lcg;

    /// The block copy gives exactly the lists end to end: lists shorter and longer than a
    /// block, empty runs of hits, and the last list of the postings (read into the padding).
    #[test]
    fn copied_postings_are_the_lists_end_to_end() {
        let mut rng = Lcg(11);
        let mut postings: Vec<u16> = Vec::new();
        let mut lists: Vec<(u32, u32)> = Vec::new();
        for _ in 0..200 {
            let len = 1 + rng.below(3 * POSTINGS_PADDING);
            lists.push((postings.len() as u32, len as u32));
            postings.extend((0..len).map(|_| rng.below(1330) as u16));
        }
        postings.resize(postings.len() + POSTINGS_PADDING, 0);
        let mut flat = Vec::new();
        for round in 0..500 {
            let count = if round == 0 { 0 } else { rng.below(40) };
            let mut hits: Vec<Hit> = (0..count)
                .map(|at| {
                    let (start, len) = lists[rng.below(lists.len())];
                    Hit { at, start, len }
                })
                .collect();
            if round == 1 {
                let &(start, len) = lists.last().expect("lists");
                hits.push(Hit { at: 0, start, len });
            }
            let plain: Vec<u16> = hits
                .iter()
                .flat_map(|h| postings[h.start as usize..(h.start + h.len) as usize].iter().copied())
                .collect();
            assert_eq!(copy_postings(&postings, &hits, &mut flat), plain.as_slice());
        }
    }

    /// Both ways of listing the eligible kurals' hits give the same positions, on each kural
    /// followed by its commentaries and for any set of kurals: those with postings among the
    /// hits (all of them, or a few) and one with none.
    #[test]
    fn eligible_hits_by_grams_equal_those_by_postings() {
        let reference = super::super::reference::reference();
        let mut rng = Lcg(5);
        let mut scratch = Scratch::default();
        let mut listed = 0;
        for (number, first, second) in crate::tamil::kural::samples::commentaries().into_iter().step_by(7) {
            let text = format!(
                "{}\n{first}\n{second}",
                super::super::kural(number).expect("kural").tamil
            );
            let codes = phoneme::phonemes(&text);
            let mut hits = Vec::new();
            reference.hits(&codes, &mut scratch.look_up, &mut hits);
            let posted = copy_postings(&reference.postings, &hits, &mut scratch.flat).to_vec();
            let mut present: Vec<usize> = posted.iter().map(|&e| usize::from(e)).collect();
            present.sort_unstable();
            present.dedup();
            // Distinct, as the counting gives them.
            let mut few: Vec<usize> = (0..3).map(|_| present[rng.below(present.len())]).collect();
            few.sort_unstable();
            few.dedup();
            let absent = (0..reference.entries.len())
                .find(|e| !present.contains(e))
                .expect("a kural without hits");
            for eligible in [present.clone(), few, vec![absent]] {
                let by_grams = reference.eligible_hits_by_grams(&hits, &eligible, &mut scratch.marks);
                let by_postings = reference.eligible_hits_by_postings(&hits, &posted, &eligible, &mut scratch.slots);
                assert_eq!(by_grams.len(), eligible.len());
                for (a, b) in by_grams.iter().zip(&by_postings) {
                    assert_eq!((a.entry, &a.hits), (b.entry, &b.hits), "kural {number}'s text");
                    listed += a.hits.len();
                }
            }
            assert!(scratch.marks.iter().all(|&word| word == 0), "marks cleared");
        }
        assert!(listed > 10_000, "{listed}");
    }
}
