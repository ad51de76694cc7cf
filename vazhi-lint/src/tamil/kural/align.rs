//! Affine-gap alignment (Gotoh) of a kural's phonemes against a text's, and what the
//! alignment tells: where the kural sits (its exact-run anchors), which words its edits touch,
//! and whether they are one misquotation rather than a paraphrase.

use std::ops::Range;

use super::reference::Entry;
use crate::tamil::phoneme::{self, Phoneme};

/// An exact run this long anchors the ends of a quotation; shorter runs are coincidence.
const RUN: usize = 3;
/// A misquotation changes at most this many neighbouring words of the kural; edits spread wider
/// are a paraphrase or another text.
const MAX_EDITED_WORDS: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Match,
    Mismatch,
    /// A text phoneme that the reference lacks.
    Insert,
    /// A reference phoneme that the text lacks.
    Delete,
}

impl Op {
    /// Where a walk along an alignment stands after this op: `(reference index, text index)`.
    pub(super) fn step(self, (i, j): (usize, usize)) -> (usize, usize) {
        match self {
            Op::Match | Op::Mismatch => (i + 1, j + 1),
            Op::Insert => (i, j + 1),
            Op::Delete => (i + 1, j),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ends {
    /// Both sequences aligned whole.
    Global,
    /// The reference whole, the text from anywhere to anywhere.
    FreeText,
}

pub(super) struct Alignment {
    pub(super) ops: Vec<Op>,
    /// Text index where the alignment starts.
    text_start: usize,
}

const MATCH: i32 = 2;
const MISMATCH: i32 = -3;
const GAP_OPEN: i32 = -3;
const GAP_EXTEND: i32 = -1;
const NEG: i32 = i32::MIN / 4;
/// [`NEG`] in the 16-bit lanes of [`align`].
const NEG_LANE: i16 = i16::MIN / 4;
/// The most `reference.len() + text.len()` that [`align`] takes in 16-bit lanes; longer pairs
/// (none from a kural and its window) go row by row in `i32`. A path has at most this many steps,
/// each changing a score by -4 to +2, so every score reached from a real start stays within
/// -4,000..=1,000 and every one reached from [`NEG_LANE`] (-8,192) within -12,192..=-7,192: no
/// overflow, and the two never meet, as in `i32`.
const MAX_LANE_CELLS: usize = 1_000;

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
    best_state(diagonal, inserting, deleting)
}

/// [`max3`] on 16-bit scores with the state as an `i16`: every select of [`align`]'s diagonal
/// loop then has one width, and the loop runs on vector lanes, eight to a 128-bit register.
#[inline(always)]
fn max3_lanes(diagonal: i16, inserting: i16, deleting: i16) -> (i16, i16) {
    best_state(diagonal, inserting, deleting)
}

/// [`max3`] and [`max3_lanes`], for their score and state types.
#[inline(always)]
fn best_state<Score: Copy + PartialOrd, State: From<u8>>(
    diagonal: Score,
    inserting: Score,
    deleting: Score,
) -> (Score, State) {
    let inserting_wins = inserting >= deleting;
    let gap = if inserting_wins { inserting } else { deleting };
    let gap_state = if inserting_wins { INSERTING } else { DELETING };
    if diagonal >= gap {
        (diagonal, State::from(DIAGONAL))
    } else {
        (gap, State::from(gap_state))
    }
}

/// [`align`] row by row, in `i32`: the recurrences as usually written. The reference a test
/// checks `align` against, and `align` itself for pairs too long for 16-bit scores.
fn align_by_rows(reference: &[Phoneme], text: &[Phoneme], ends: Ends) -> Alignment {
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
    traceback(reference, text, ends, &prev, |i, j| trace[i * width + j])
}

/// Walks back from the best end (the last row's cell `m` for [`Ends::Global`], its best cell for
/// [`Ends::FreeText`]) through the trace codes.
fn traceback(
    reference: &[Phoneme],
    text: &[Phoneme],
    ends: Ends,
    last_row: &[Vec<i32>; 3],
    trace_at: impl Fn(usize, usize) -> u8,
) -> Alignment {
    let (n, m) = (reference.len(), text.len());
    let end_state = |j: usize| max3(last_row[0][j], last_row[1][j], last_row[2][j]);
    let (mut j, (_, mut state)) = match ends {
        Ends::Global => (m, end_state(m)),
        Ends::FreeText => (0..=m)
            .map(|j| (j, end_state(j)))
            .fold((0, (NEG, DIAGONAL)), |best, c| if c.1.0 > best.1.0 { c } else { best }),
    };
    let mut i = n;
    let mut ops = Vec::with_capacity(n + m);
    while i > 0 || (ends == Ends::Global && j > 0) {
        let cell = trace_at(i, j);
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

/// Affine-gap alignment of `reference` against `text`, computed by anti-diagonals (cells with
/// the same `i + j`): each cell needs only cells of the two diagonals before it, so the cells of
/// one diagonal are independent and the loop over them runs on vector lanes, eight 16-bit
/// scores at a time (see [`MAX_LANE_CELLS`] for why they fit). Row by row, every cell waited for
/// its left neighbour's scores. Same recurrences, tie-breaking and traceback as
/// [`align_by_rows`], which a test checks it against. Measured by `perf` samples of
/// `kural-mismatch` alone, the alignment went from about 12.7% to 7.3% of the rule on the SFT
/// corpus and from 9.4% to 5.2% on the kurals corpus (32-bit lanes alone: 8.8% and 7.6%).
pub(super) fn align(reference: &[Phoneme], text: &[Phoneme], ends: Ends) -> Alignment {
    let n = reference.len();
    let m = text.len();
    if n + m > MAX_LANE_CELLS {
        return align_by_rows(reference, text, ends);
    }
    let rows = n + 1;
    let open = GAP_OPEN + GAP_EXTEND;
    // The scores' constants in lanes, and a boundary cell's score (computed in `i32` by `max3`)
    // back in one; all in range, see MAX_LANE_CELLS.
    let lane = |score: i32| score as i16;
    let (lane_match, lane_mismatch) = (lane(MATCH), lane(MISMATCH));
    let (lane_open, lane_extend) = (lane(open), lane(GAP_EXTEND));
    // Trace codes by diagonal: cell (i, j) at (i + j) * rows + i.
    let mut trace = vec![0u8; (n + m + 1) * rows];
    // The text reversed, so that the text phonemes of a diagonal's cells come in order of i.
    let reversed: Vec<Phoneme> = text.iter().rev().copied().collect();
    // Scores of the three states on diagonals d - 2, d - 1 and d, by i.
    let mut before = [vec![NEG_LANE; rows], vec![NEG_LANE; rows], vec![NEG_LANE; rows]];
    let mut last = [vec![NEG_LANE; rows], vec![NEG_LANE; rows], vec![NEG_LANE; rows]];
    let mut current = [vec![NEG_LANE; rows], vec![NEG_LANE; rows], vec![NEG_LANE; rows]];
    let mut last_row = [vec![NEG; m + 1], vec![NEG; m + 1], vec![NEG; m + 1]];
    for d in 0..=n + m {
        let [ch, ce, cf] = &mut current;
        // Row 0: cell (0, d).
        if d <= m {
            let (h, e) = match ends {
                Ends::FreeText => (0, NEG_LANE),
                Ends::Global if d == 0 => (0, NEG_LANE),
                Ends::Global => {
                    let (score, from) = max3(
                        i32::from(last[0][0]) + open,
                        i32::from(last[1][0]) + GAP_EXTEND,
                        i32::from(NEG_LANE),
                    );
                    trace[d * rows] = from << 2;
                    (NEG_LANE, lane(score))
                }
            };
            (ch[0], ce[0], cf[0]) = (h, e, NEG_LANE);
        }
        // Column 0: cell (d, 0).
        if d >= 1 && d <= n {
            let (score, from) = max3(
                i32::from(last[0][d - 1]) + open,
                i32::from(last[1][d - 1]) + open,
                i32::from(last[2][d - 1]) + GAP_EXTEND,
            );
            (ch[d], ce[d], cf[d]) = (NEG_LANE, NEG_LANE, lane(score));
            trace[d * rows + d] = from << 4;
        }
        // Inner cells (i, d - i), 1 <= i <= n, 1 <= d - i <= m.
        let lo = d.saturating_sub(m).max(1);
        let hi = n.min(d.saturating_sub(1));
        if lo <= hi {
            let count = hi - lo + 1;
            // Each cell's diagonal neighbour (i - 1 on diagonal d - 2), left neighbour (i on
            // d - 1) and upper neighbour (i - 1 on d - 1).
            let [h2, e2, f2] = lanes(&before, lo - 1, count);
            let [hl, el, fl] = lanes(&last, lo, count);
            let [hu, eu, fu] = lanes(&last, lo - 1, count);
            let refs = &reference[lo - 1..][..count];
            let texts = &reversed[m + lo - d..][..count];
            let (ho, eo, fo) = (&mut ch[lo..][..count], &mut ce[lo..][..count], &mut cf[lo..][..count]);
            let codes = &mut trace[d * rows + lo..][..count];
            for k in 0..count {
                let substitution = if refs[k] == texts[k] { lane_match } else { lane_mismatch };
                let (diagonal, d_from) = max3_lanes(h2[k], e2[k], f2[k]);
                let (inserting, i_from) = max3_lanes(hl[k] + lane_open, el[k] + lane_extend, fl[k] + lane_open);
                let (deleting, del_from) = max3_lanes(hu[k] + lane_open, eu[k] + lane_open, fu[k] + lane_extend);
                ho[k] = diagonal + substitution;
                eo[k] = inserting;
                fo[k] = deleting;
                codes[k] = (d_from | (i_from << 2) | (del_from << 4)) as u8;
            }
        }
        if d >= n && d - n <= m {
            for state in 0..3 {
                last_row[state][d - n] = i32::from(current[state][n]);
            }
        }
        std::mem::swap(&mut before, &mut last);
        std::mem::swap(&mut last, &mut current);
    }
    traceback(reference, text, ends, &last_row, |i, j| trace[(i + j) * rows + i])
}

/// The three states' scores of one diagonal for `count` cells from row `from`.
#[inline(always)]
fn lanes(states: &[Vec<i16>; 3], from: usize, count: usize) -> [&[i16]; 3] {
    let [h, e, f] = states;
    [&h[from..][..count], &e[from..][..count], &f[from..][..count]]
}

impl Alignment {
    pub(super) fn edits(&self) -> usize {
        self.ops.iter().filter(|&&op| op != Op::Match).count()
    }

    /// True when the alignment puts one glide (`ய`, `வ`) where the reference has the other.
    /// Editions write a glide at a joint or leave it out, which the variant readings allow; none
    /// swaps one for the other, and inside a word the swap is another word (வினைவிழைவார், "those
    /// who desire action", against வினைவிழையார், "those who do not").
    pub(super) fn swaps_glides(&self, reference: &[Phoneme], text: &[Phoneme]) -> bool {
        let (mut i, mut j) = (0, self.text_start);
        for &op in &self.ops {
            if op == Op::Mismatch
                && let (Some(&want), Some(&have)) = (reference.get(i), text.get(j))
                && is_glide_swap(want, have)
            {
                return true;
            }
            (i, j) = op.step((i, j));
        }
        false
    }

    /// From the first to the last exact run of at least [`RUN`] phonemes:
    /// (reference range, text range relative to the aligned text).
    pub(super) fn anchors(&self) -> Option<(Range<usize>, Range<usize>)> {
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
            (i, j) = op.step((i, j));
        }
        let ((i0, j0), (i1, j1)) = (first?, last?);
        Some((i0..i1, j0..j1))
    }

    /// Moves each run of pure insertions or deletions along the stretch where it could equally
    /// be placed (`ab[ab]c` / `[ab]abc`) to where it touches the fewest reference words, so that a
    /// dropped word in a repetitive verse is one word, not the tails of three.
    pub(super) fn normalize_gaps(&mut self, reference: &[Phoneme], text: &[Phoneme], words: &[(usize, &str)]) {
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
    pub(super) fn is_single_edit(&self, entry: &Entry) -> bool {
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

/// Whether some alignment of `read` against the kural could pass [`Alignment::is_single_edit`]'s
/// word test: a necessary condition, from the common prefix and suffix alone, so that a
/// stretch of paraphrase is turned away without aligning it.
///
/// Why it is exact: in an alignment whose edits touch only words `w..v` (the gaps before them
/// included), every reference phoneme before word `w` is a match in order, so `read` starts with
/// the reference up to word `w`; likewise it ends with the reference from the end of the last
/// touched word (or from the gap's word). So the word holding the first differing phoneme from
/// the front and the first word wholly inside the common suffix can be at most
/// [`MAX_EDITED_WORDS`] apart.
pub(super) fn single_edit_possible(entry: &Entry, read: &[Phoneme]) -> bool {
    let verse = &entry.verse.codes;
    let prefix = verse.iter().zip(read).take_while(|(a, b)| a == b).count();
    let suffix = verse
        .iter()
        .rev()
        .zip(read.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    // The last word starting within the common prefix, and the first starting within the suffix.
    let first = entry
        .words
        .partition_point(|&(start, _)| start <= prefix)
        .saturating_sub(1);
    let last = entry.words.partition_point(|&(start, _)| start < verse.len() - suffix);
    last.saturating_sub(first) <= MAX_EDITED_WORDS
}

/// Reference and text positions before `ops[p]`.
fn position_before(ops: &[Op], text_start: usize, p: usize) -> (usize, usize) {
    ops[..p].iter().fold((0, text_start), |(i, j), op| match op {
        Op::Match | Op::Mismatch => (i + 1, j + 1),
        Op::Insert => (i, j + 1),
        Op::Delete => (i + 1, j),
    })
}

/// `ய` where the other has `வ`, or the reverse.
pub(super) fn is_glide_swap(x: Phoneme, y: Phoneme) -> bool {
    matches!((x, y), (phoneme::Y, phoneme::V) | (phoneme::V, phoneme::Y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::Xorshift;

    fn same(a: &Alignment, b: &Alignment) -> bool {
        a.ops == b.ops && a.text_start == b.text_start
    }

    /// Random phoneme strings over a small alphabet (so that runs match and ties are common),
    /// and kurals against copies of themselves with a stretch changed, inside other text.
    #[test]
    fn diagonals_align_like_rows() {
        let mut random = Xorshift(0xA11C_0DE5_D1A6);
        let mut phonemes = |len: usize, alphabet: usize| -> Vec<Phoneme> {
            (0..len).map(|_| random.below(alphabet) as Phoneme).collect()
        };
        let mut cases: Vec<(Vec<Phoneme>, Vec<Phoneme>)> = Vec::new();
        for round in 0..600 {
            let alphabet = [2, 3, 5, 30][round % 4];
            let (n, m) = (round % 23, (round * 7) % 61);
            cases.push((phonemes(n, alphabet), phonemes(m, alphabet)));
        }
        for entry in super::super::reference::reference().entries.iter().step_by(7) {
            let verse = &entry.verse.codes;
            let mut text = phonemes(20, 30);
            text.extend_from_slice(&verse[..verse.len() / 2]);
            text.extend(phonemes(4, 30));
            text.extend_from_slice(&verse[verse.len() / 2 + 3..]);
            text.extend(phonemes(15, 30));
            cases.push((verse.clone(), text));
        }
        // Past the 16-bit lanes' length: row by row.
        let long = phonemes(MAX_LANE_CELLS, 5);
        cases.push((long[..40].to_vec(), long));
        let mut checked = 0;
        for (reference, text) in &cases {
            for ends in [Ends::Global, Ends::FreeText] {
                let (rows, diagonals) = (align_by_rows(reference, text, ends), align(reference, text, ends));
                assert!(same(&rows, &diagonals), "{reference:?} against {text:?}");
                checked += 1;
            }
        }
        assert!(checked > 1_400);
    }
}
