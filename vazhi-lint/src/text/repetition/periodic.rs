//! Back-to-back repeats: runs of one character, glued or spaced repeated words, and short
//! periods (`I am sorry. ` ×4), found by one scan over every byte period.

use super::chars::{is_filler, is_punct};
use super::degeneration::{Degeneration, DegenerationKind};
use super::fences::Fences;
use super::thresholds::RepetitionThresholds;

/// A maximal byte range `[start, end)` with period `p` bytes, found by the scan.
#[derive(Debug, Clone, Copy)]
struct Periodic {
    start: usize,
    end: usize,
    p: usize,
}

/// Scans every byte period `p` in `1..=4*period_max_chars` for maximal ranges
/// where `b[i] == b[i+p]`. A `p`-periodic byte range that starts on a char
/// boundary repeats whole characters (UTF-8 lead and continuation bytes line
/// up), so bytes are enough and nothing is decoded.
///
/// Cost: a reportable range needs at least `need(p)` consecutive matching
/// positions, so probing a few positions every `need(p) - 7` bytes and
/// extending only around matches finds all of them. Period 1 is scanned alone
/// ([`scan_period`]); longer periods thirty-two at a time ([`scan_periods`]), one
/// probe answering for all of them. A range already known periodic with a
/// divisor `q | p` is `p`-periodic too and is jumped over, or `aaaa…` would be
/// rescanned for every `p`.
pub(super) fn periodic_runs(text: &str, t: &RepetitionThresholds, fences: &Fences, out: &mut Vec<Degeneration>) {
    let b = text.as_bytes();
    let max_p = t.period_max_chars.saturating_mul(4).min(b.len() / 2);
    with_needs(t, max_p, |needs| {
        // Periodic ranges from smaller periods, sorted by start.
        let mut known: Vec<Periodic> = Vec::new();
        let mut first = 1;
        while first <= max_p {
            // Past this period every unit of several characters needs `period_min_repeats` copies,
            // more than the text holds: nothing longer can be reported.
            if first > 4 && t.period_min_repeats.saturating_mul(first) > b.len() + 8 {
                break;
            }
            let last = if first == 1 { 1 } else { (first + LANES - 1).min(max_p) };
            // In order of period, and of start within a period.
            let mut found = Vec::new();
            // Period 1 has runs too short for a block's probe; so may every period, under
            // thresholds set very low.
            if first == 1 && needs[1] >= RUN_START {
                // Nothing is known yet: period 1 is the first scanned.
                runs_of_one_byte(b, needs[1], &mut found);
            } else if first == 1 || !scan_periods(b, first, &needs[first..=last], &known, &mut found) {
                for (p, &need) in needs.iter().enumerate().take(last + 1).skip(first) {
                    scan_period(b, p, need, &known, &mut found);
                }
            }
            for r in &found {
                out.extend(classify_periodic(text, *r, t, fences));
            }
            if !found.is_empty() {
                known.extend(found);
                known.sort_by_key(|k| k.start);
            }
            first = last + 1;
        }
    });
}

/// What [`need_matches`] depends on besides the period.
type NeedsKey = (usize, usize, usize, usize);

fn needs_key(t: &RepetitionThresholds) -> NeedsKey {
    (
        t.char_run_min,
        t.filler_run_min,
        t.period_min_repeats,
        t.period_min_chars,
    )
}

thread_local! {
    /// [`need_matches`] by period, and the thresholds it was computed for.
    static NEEDS: std::cell::RefCell<(Option<NeedsKey>, Vec<usize>)> = const { std::cell::RefCell::new((None, Vec::new())) };
}

/// Runs `scan` with [`need_matches`] of every period up to `max_p` (index `p`), computed once per
/// thread for the thresholds in use: computed for every block of every short answer, they
/// took a twentieth of the `repetition` rule.
fn with_needs<R>(t: &RepetitionThresholds, max_p: usize, scan: impl FnOnce(&[usize]) -> R) -> R {
    NEEDS.with(|cell| {
        let mut cached = cell.borrow_mut();
        let (for_thresholds, needs) = &mut *cached;
        if needs.len() <= max_p || *for_thresholds != Some(needs_key(t)) {
            *for_thresholds = Some(needs_key(t));
            needs.clear();
            needs
                .extend((0..=max_p.max(t.period_max_chars.saturating_mul(4).min(1 << 16))).map(|p| need_matches(p, t)));
        }
        scan(needs)
    })
}

/// The maximal runs of period `p` with at least `need` matching positions, less those inside a
/// known range of a divisor period, appended to `found` in order.
fn scan_period(b: &[u8], p: usize, need: usize, known: &[Periodic], found: &mut Vec<Periodic>) {
    let n = b.len();
    // At most n - p positions can match at period p: a period whose reportable run is
    // longer than that cannot have one (half of all periods, for a short answer).
    if need > n - p {
        return;
    }
    // Test `l` consecutive positions per probe (one 8-byte XOR), which makes
    // chance matches in ordinary text rare; probing every `need - l + 1`
    // bytes still puts a whole probe inside every run of `need` matching
    // positions.
    let l = need.div_ceil(2).min(8);
    let step = need - l + 1;
    let mask = low_bytes(l);
    let mut cursor = 0usize;
    // Start of the next known range to consult; probes before it need no look-up.
    let mut next_known = known.first().map_or(usize::MAX, |k| k.start);
    let mut i = 0usize;
    while i + p < n {
        if i >= next_known {
            if let Some(k) = covering_divisor_range(known, &mut cursor, p, i, need) {
                // Inside k the p-run is exactly [k.start, k.end - p): known already.
                i = k.end - p + 1;
                continue;
            }
            // A range not skippable here will not be further on (less of it is
            // left), so only ranges starting after i matter from now on.
            next_known = known[cursor..]
                .iter()
                .map(|k| k.start)
                .find(|&s| s > i)
                .unwrap_or(usize::MAX);
        }
        // Probe up to the next known range in a tight loop.
        let stop = next_known.min(n.saturating_sub(p + 8));
        if i < stop {
            i = probe_until(b, i, stop, p, step, mask);
            if i >= stop {
                continue;
            }
        } else if (load8(b, i) ^ load8(b, i + p)) & mask != 0 {
            i += step;
            continue;
        }
        let run = extend(b, i, p);
        found.extend(reportable(&run, p, need));
        i = run.end + 1;
    }
}

/// Matching positions in a row that every run [`runs_of_one_byte`] looks for begins with.
const RUN_START: usize = 4;

/// [`scan_period`] for period 1 with nothing known, for runs of at least `need` (at least
/// [`RUN_START`]) matching positions: one byte repeated (`!!!!!!!!`, `--------`). Every such run
/// begins with [`RUN_START`] matching positions in a row, so on x86_64 sixteen positions are
/// compared at once (`b[j] == b[j + 1]` by one SSE2 comparison) and only a block where four
/// matches start in a row is looked at closer; a run found is extended as [`scan_period`] extends
/// it, and reported when it is as long. The sampled probes of [`scan_period`], four bytes every
/// four, cost several times as much on prose, which has no such runs.
fn runs_of_one_byte(b: &[u8], need: usize, found: &mut Vec<Periodic>) {
    let n = b.len();
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while i + 17 <= n {
        use std::arch::x86_64::*;
        // SAFETY: `i + 17 <= n`, so both 16-byte loads (from `i` and `i + 1`) lie inside `b`;
        // SSE2 is always present on x86_64.
        let matches = unsafe {
            let here = _mm_loadu_si128(b.as_ptr().add(i).cast());
            let next = _mm_loadu_si128(b.as_ptr().add(i + 1).cast());
            _mm_movemask_epi8(_mm_cmpeq_epi8(here, next)) as u32
        };
        // Bit `k`: positions `i + k` to `i + k + 3` all match; known for `k` up to 12.
        let starts = matches & matches >> 1 & matches >> 2 & matches >> 3;
        if starts == 0 {
            i += 17 - RUN_START;
            continue;
        }
        let run = extend(b, i + starts.trailing_zeros() as usize, 1);
        found.extend(reportable(&run, 1, need));
        i = run.end + 1;
    }
    // The last positions (and all of them off x86_64), one at a time.
    while i + RUN_START < n {
        if (i..i + RUN_START).all(|j| b[j] == b[j + 1]) {
            let run = extend(b, i, 1);
            found.extend(reportable(&run, 1, need));
            i = run.end + 1;
        } else {
            i += 1;
        }
    }
}

/// A known range `k` of a period dividing `p` in which position `i` and the `need` positions
/// after it lie, so that the `p`-run there is `[k.start, k.end - p)` and already known.
/// `cursor` only moves forward, so `i` must not decrease between calls.
fn covering_divisor_range(known: &[Periodic], cursor: &mut usize, p: usize, i: usize, need: usize) -> Option<Periodic> {
    while *cursor < known.len() && known[*cursor].end <= i {
        *cursor += 1;
    }
    known[*cursor..]
        .iter()
        .take_while(|k| k.start <= i)
        .find(|k| p.is_multiple_of(k.p) && k.end >= i + p + need)
        .copied()
}

/// The maximal range of positions `j` around `i` (where `b[i] == b[i + p]`) with
/// `b[j] == b[j + p]`.
fn extend(b: &[u8], i: usize, p: usize) -> std::ops::Range<usize> {
    let mut lo = i;
    while lo > 0 && b[lo - 1] == b[lo - 1 + p] {
        lo -= 1;
    }
    let mut hi = i + 1;
    while hi + p < b.len() && b[hi] == b[hi + p] {
        hi += 1;
    }
    lo..hi
}

/// The periodic range of a run of matching positions ([`extend`]) at period `p`, if it has the
/// `need` positions a reportable range needs.
fn reportable(run: &std::ops::Range<usize>, p: usize, need: usize) -> Option<Periodic> {
    (run.end - run.start >= need).then_some(Periodic {
        start: run.start,
        end: run.end + p,
        p,
    })
}

/// A mask of the low `bytes` bytes of a `u64` (all eight from 8 on).
fn low_bytes(bytes: usize) -> u64 {
    if bytes >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * bytes)) - 1
    }
}

/// Periods searched by one probe of [`scan_periods`]: a 32-byte vector's bytes. Past the first
/// block a text of a thousand bytes gets a handful of probes per block, so fewer and wider
/// blocks save their set-up as much as their probes.
const LANES: usize = 32;

/// Positions one probe of [`scan_periods`] compares for each period. Five bytes hold at least
/// one whole Tamil letter wherever the probe falls: with three, a probe astride two letters
/// (the virama's last byte, then the next letter's `E0 AE`) matched by chance at every period
/// where the same pair recurs, and sorting out those chance matches cost more than the two
/// extra bytes (8% of the rule on the kurals corpus, 3% on SFT, for a probe every 10 bytes
/// instead of every 12).
const WINDOW: usize = 5;

/// The window of a block whose runs are all at least twice as long (under the default
/// thresholds every block but the first, periods of 18 bytes and up, whose runs need 46
/// matching positions and more): eight bytes make a chance match in Tamil prose rare, for a
/// probe step only three bytes shorter.
const WIDE_WINDOW: usize = 8;

/// [`scan_period`] for the periods `first..first + period_needs.len()` (at most [`LANES`], each
/// with its [`need_matches`]), with one probe answering for all of them: where the `W` bytes
/// at `i` equal those `p` further on, for each `p` ([`lane_matches`]), `W` being [`WIDE_WINDOW`]
/// when every period's runs are at least twice that long, else [`WINDOW`]. Probing every
/// `need - W + 1` bytes, with `need` the smallest of the periods' needs, still puts a whole
/// window inside every run of `need` matching positions, so every run [`scan_period`] would
/// report is found. (A period here does not skip a range found at its divisor in the same
/// block, as [`scan_period`] would: such a run lies inside that range, and its finding is
/// dropped as contained, which the test against the naive scan checks.)
///
/// False, with nothing done, when the thresholds make some period's runs too short for that.
fn scan_periods(b: &[u8], first: usize, period_needs: &[usize], known: &[Periodic], found: &mut Vec<Periodic>) -> bool {
    let n = b.len();
    // One pass without branches over the block's periods: run for every block of every text,
    // this set-up was 4% of the rule.
    let mut active = 0u32;
    let mut least = usize::MAX;
    for (lane, &need) in period_needs.iter().enumerate() {
        let fits = need <= n - (first + lane);
        active |= u32::from(fits) << lane;
        least = least.min(if fits { need } else { usize::MAX });
    }
    if least == usize::MAX {
        return true;
    }
    let lanes = Lanes {
        first,
        needs: period_needs,
        active,
        least,
    };
    if least >= 2 * WIDE_WINDOW {
        scan_lanes_here::<WIDE_WINDOW>(b, &lanes, known, found);
    } else if least >= 2 * WINDOW {
        scan_lanes_here::<WINDOW>(b, &lanes, known, found);
    } else {
        return false;
    }
    true
}

/// The periods of one block of [`scan_periods`]: from `first`, each lane's [`need_matches`]
/// (at most [`LANES`]), the lanes that can have a run as bits, and the least of their needs.
struct Lanes<'a> {
    first: usize,
    needs: &'a [usize],
    active: u32,
    least: usize,
}

/// [`scan_lanes`] with the probe this processor runs fastest: one 32-byte comparison per window
/// byte where it has AVX2, two 16-byte ones elsewhere on x86_64.
fn scan_lanes_here<const W: usize>(b: &[u8], lanes: &Lanes<'_>, known: &[Periodic], found: &mut Vec<Periodic>) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, checked just above.
        return unsafe { scan_lanes_avx2::<W>(b, lanes, known, found) };
    }
    scan_lanes::<W, false>(b, lanes, known, found);
}

/// [`scan_lanes`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn scan_lanes_avx2<const W: usize>(b: &[u8], lanes: &Lanes<'_>, known: &[Periodic], found: &mut Vec<Periodic>) {
    scan_lanes::<W, true>(b, lanes, known, found);
}

/// The probing of [`scan_periods`] with windows of `W` bytes, for the active lanes' needs (the
/// least at least `2 * W`); `AVX2` only where the processor has it.
#[inline(always)]
fn scan_lanes<const W: usize, const AVX2: bool>(
    b: &[u8],
    &Lanes {
        first,
        needs,
        active,
        least,
    }: &Lanes<'_>,
    known: &[Periodic],
    found: &mut Vec<Periodic>,
) {
    let n = b.len();
    let step = least - W + 1;
    // Bytes beside a window that a run around it must match on one side or the other.
    let side = (least - W).div_ceil(2).min(8);
    // Per period, where its next run can start: past its last run or a known range.
    let mut next = [0usize; LANES];
    // The smallest `next` when last computed: no run of any period starts before it.
    let mut resume = 0usize;
    let mut cursor = 0usize;
    let before = found.len();
    let mut i = 0usize;
    while i + first + W <= n {
        let mut lanes = lane_matches::<W, AVX2>(b, i, first) & active;
        // Whether some period's next run now starts past the next probe, so that the probes in
        // between may all be skippable.
        let mut far = false;
        while lanes != 0 {
            let lane = lanes.trailing_zeros() as usize;
            lanes &= lanes - 1;
            if i < next[lane] {
                continue;
            }
            let p = first + lane;
            if let Some(k) = covering_divisor_range(known, &mut cursor, p, i, needs[lane]) {
                next[lane] = k.end - p + 1;
            } else if beside_window_matches::<W>(b, i, p, side) {
                let run = extend(b, i, p);
                found.extend(reportable(&run, p, needs[lane]));
                next[lane] = run.end + 1;
            }
            far |= next[lane] > i + step;
        }
        if far {
            resume = (0..LANES)
                .filter(|lane| active >> lane & 1 == 1)
                .map(|lane| next[lane])
                .min()
                .unwrap_or(n);
        }
        i = (i + step).max(resume);
    }
    // Found in text order; each period's runs in order of start, as `scan_period` gives them.
    found[before..].sort_by_key(|r| r.p);
}

/// Whether the `side` bytes before the window at `i`, or the `side` bytes after it, equal those
/// `p` further on. A run of at least `least` matching positions through the window has
/// `least - W` more on its two sides together, so at least `side` (half of them, at most 8)
/// on one: a window matched by chance in ordinary text (one Tamil letter seen again) is let go
/// here, without stepping through the bytes around it one by one.
fn beside_window_matches<const W: usize>(b: &[u8], i: usize, p: usize, side: usize) -> bool {
    let mask = low_bytes(side);
    let before = i >= side && (load8(b, i - side) ^ load8(b, i - side + p)) & mask == 0;
    let after = i + W + side + p <= b.len() && (load8(b, i + W) ^ load8(b, i + W + p)) & mask == 0;
    before || after
}

/// Bit `k` set where the `W` bytes from `i` equal those `first + k` bytes further on
/// (and those lie inside `b`). `AVX2` only where the processor has it.
#[inline(always)]
fn lane_matches<const W: usize, const AVX2: bool>(b: &[u8], i: usize, first: usize) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        let Some(window) = b.get(i..i + W) else {
            return 0;
        };
        let later = b.get(i + first..).unwrap_or_default();
        if let Some(haystack) = later.get(..W - 1 + LANES) {
            return lanes_equal::<W, AVX2>(window, haystack);
        }
        // Near the end of the text: the bytes left, padded, and only the lanes whose comparison
        // ends inside them (at most `LANES - 1`). Byte by byte, these few probes per block were
        // a twelfth of the periodic scan.
        let mut padded = [0u8; WIDE_WINDOW - 1 + LANES];
        padded[..later.len()].copy_from_slice(later);
        let inside = (later.len() + 1).saturating_sub(W);
        lanes_equal::<W, AVX2>(window, &padded[..W - 1 + LANES]) & ((1 << inside) - 1)
    }
    #[cfg(not(target_arch = "x86_64"))]
    lane_matches_bytewise::<W>(b, i, first)
}

/// Bit `k` set where `window` (`W` bytes) equals `haystack[k..k + W]`, for every `k` below
/// [`LANES`]: each byte of the window compared with 32 of the haystack at once.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn lanes_equal<const W: usize, const AVX2: bool>(window: &[u8], haystack: &[u8]) -> u32 {
    use std::arch::x86_64::*;
    assert!(window.len() == W && haystack.len() == W - 1 + LANES);
    let later = |k: usize| haystack.as_ptr().wrapping_add(k);
    // SAFETY: `haystack` holds `W - 1 + LANES` bytes, so each load of 32 bytes (or of 16 from `k`
    // and `k + 16`) from offset `k < W` stays inside it; SSE2 is always present on x86_64, and
    // AVX2 is used only where the caller found it.
    unsafe {
        if AVX2 {
            let mut all = _mm256_set1_epi8(-1);
            for (k, &byte) in window.iter().enumerate() {
                let byte = _mm256_set1_epi8(byte as i8);
                all = _mm256_and_si256(all, _mm256_cmpeq_epi8(_mm256_loadu_si256(later(k).cast()), byte));
            }
            _mm256_movemask_epi8(all) as u32
        } else {
            let (mut low, mut high) = (_mm_set1_epi8(-1), _mm_set1_epi8(-1));
            for (k, &byte) in window.iter().enumerate() {
                let byte = _mm_set1_epi8(byte as i8);
                low = _mm_and_si128(low, _mm_cmpeq_epi8(_mm_loadu_si128(later(k).cast()), byte));
                high = _mm_and_si128(high, _mm_cmpeq_epi8(_mm_loadu_si128(later(k + 16).cast()), byte));
            }
            _mm_movemask_epi8(low) as u32 | (_mm_movemask_epi8(high) as u32) << 16
        }
    }
}

/// [`lane_matches`] a byte at a time: off x86_64, and in the tests.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn lane_matches_bytewise<const W: usize>(b: &[u8], i: usize, first: usize) -> u32 {
    let mut lanes = 0;
    for k in 0..LANES {
        let p = first + k;
        if i + p + W <= b.len() && (0..W).all(|j| b[i + j] == b[i + j + p]) {
            lanes |= 1 << k;
        }
    }
    lanes
}

/// First probe position `i, i + step, …` below `stop` whose `mask`ed eight
/// bytes equal those `p` further on, or a position `>= stop`. The caller keeps
/// `stop + p + 8 <= b.len()`.
#[inline]
fn probe_until(b: &[u8], mut i: usize, stop: usize, p: usize, step: usize, mask: u64) -> usize {
    let window = &b[..(stop + p + 8).min(b.len())];
    while i < stop {
        let (x, y) = match (window.get(i..i + 8), window.get(i + p..i + p + 8)) {
            (Some(x), Some(y)) => (x, y),
            _ => return stop,
        };
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(x).unwrap_or([0; 8]));
        let y = u64::from_le_bytes(<[u8; 8]>::try_from(y).unwrap_or([0xff; 8]));
        if (x ^ y) & mask == 0 {
            return i;
        }
        i += step;
    }
    i
}

/// Eight bytes from `i` (little-endian, zero-padded past the end), one load.
#[inline]
fn load8(b: &[u8], i: usize) -> u64 {
    match b.get(i..i + 8) {
        Some(s) => u64::from_le_bytes(<[u8; 8]>::try_from(s).unwrap_or([0; 8])),
        None => {
            let mut buf = [0u8; 8];
            let tail = b.get(i..).unwrap_or(&[]);
            buf[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(buf)
        }
    }
}

/// Fewest matching positions (`b[i] == b[i+p]`) a reportable range of period `p`
/// bytes can have: one char of `p` bytes needs `char_run_min` repeats (or the
/// filler minimum, if smaller), a longer unit `period_min_repeats` repeats
/// (the last one possibly without a separator of up to 8 bytes) and
/// `period_min_chars` chars of at least one byte each. Never below 1, so the
/// sampling loop always advances.
fn need_matches(p: usize, t: &RepetitionThresholds) -> usize {
    // n repeats of a unit leave (n - 1) * p matching positions, less the last
    // separator if it is missing ("celebrated celebrated celebrated celebrated");
    // separators of up to 8 bytes are allowed for.
    let multi = t
        .period_min_repeats
        .saturating_sub(1)
        .saturating_mul(p)
        .saturating_sub(p.saturating_sub(1).min(8))
        .max(t.period_min_chars.saturating_sub(p));
    let single = if p <= 4 {
        t.char_run_min.min(t.filler_run_min).saturating_sub(1).saturating_mul(p)
    } else {
        usize::MAX
    };
    multi.min(single).max(1)
}

/// Turns a periodic byte range into a finding if it passes the character-level
/// thresholds.
fn classify_periodic(text: &str, r: Periodic, t: &RepetitionThresholds, fences: &Fences) -> Option<Degeneration> {
    // The scan works on bytes: move inwards to char boundaries.
    let mut start = r.start;
    while start < r.end && !text.is_char_boundary(start) {
        start += 1;
    }
    let mut end = r.end;
    while end > start && !text.is_char_boundary(end) {
        end -= 1;
    }
    if end < start + 2 * r.p {
        return None;
    }
    // A unit with whitespace ("celebrated ") is a phrase: start it at a word
    // start, or "crowd celebrated celebrated…" yields the rotation "d celebrate".
    // The word start lies within one period plus one char ("ab ab…" entered
    // at the "b": the next word starts right after the unit's space).
    let unit = text.get(start..start + r.p)?;
    if unit.contains(char::is_whitespace) {
        let word_start = text
            .get(start..end)?
            .char_indices()
            .take_while(|(i, _)| *i <= r.p)
            .find_map(|(i, c)| {
                let prev = text.get(..start + i)?.chars().next_back();
                (!c.is_whitespace() && prev.is_none_or(char::is_whitespace)).then_some(start + i)
            });
        if let Some(w) = word_start {
            start = w;
        }
        if end < start + 2 * r.p {
            return None;
        }
    }
    let unit = text.get(start..start + r.p)?;
    let region = text.get(start..end)?;
    let unit_chars = unit.chars().count();
    if unit_chars > t.period_max_chars {
        return None;
    }
    // A markdown table's rule (`|------|:---:|`) is as long as its widest cell: structure, never
    // a run however long.
    if on_table_rule(text, start) {
        return None;
    }
    let lenient = unit.chars().all(is_filler) || fences.contains(&(start..end));
    if unit_chars == 1 {
        let ch = unit.chars().next()?;
        if ch.is_whitespace() {
            return None;
        }
        let len = region.chars().count();
        let min = if lenient { t.filler_run_min } else { t.char_run_min };
        return (len >= min).then_some(Degeneration {
            span: start..end,
            kind: DegenerationKind::CharRun { ch, len },
            measured: len as f64,
            threshold: min as f64,
        });
    }
    // Count whole occurrences of the unit's core (the unit without whitespace),
    // so "celebrated celebrated celebrated celebrated" counts 4 although the last
    // separator is missing, and report exactly those occurrences.
    let core = unit.trim();
    if core.is_empty() {
        return None;
    }
    let lead = unit.len() - unit.trim_start().len();
    let trimmed = region.trim();
    let t_start = start + (region.len() - region.trim_start().len());
    // Offset of the first core inside the trimmed region: (lead - skipped) mod p.
    let first = (lead + r.p - (t_start - start) % r.p) % r.p;
    if trimmed.len() < first + core.len() {
        return None;
    }
    let count = (trimmed.len() - first - core.len()) / r.p + 1;
    let span = t_start + first..t_start + first + (count - 1) * r.p + core.len();
    let chars = text.get(span.clone())?.chars().count();
    let min_chars = if lenient { t.filler_run_min } else { t.period_min_chars };
    if count < t.period_min_repeats || chars < min_chars {
        return None;
    }
    let one_word = !core.chars().any(char::is_whitespace) && core.chars().any(crate::text::is_alphabetic);
    let kind = if one_word {
        DegenerationKind::RepeatedToken {
            token: core.trim_matches(is_punct).to_string(),
            count,
        }
    } else {
        // The unit as it first appears, separator included ("I am sorry. ").
        let period = text.get(span.start..span.start + r.p).unwrap_or(unit);
        DegenerationKind::RepeatedPeriod {
            period: period.to_string(),
            count,
        }
    };
    Some(Degeneration {
        span,
        kind,
        measured: count as f64,
        threshold: t.period_min_repeats as f64,
    })
}

/// Whether the line holding byte `at` is a markdown table rule: only `|`, `-`, `:`, `+`, `=` and
/// spaces, with at least one `|`.
fn on_table_rule(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[start..end];
    line.contains('|')
        && line
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | '+' | '=' | ' ' | '\t' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::repetition::degeneration::drop_contained;

    // -- the sampled scan against a naive one --------------------------------

    /// Every maximal run of every period, no sampling, no skipping.
    fn naive_periodic(text: &str, t: &RepetitionThresholds) -> Vec<Degeneration> {
        let b = text.as_bytes();
        let n = b.len();
        let fences = Fences::new(text);
        let mut out = Vec::new();
        for p in 1..=t.period_max_chars.saturating_mul(4).min(n / 2) {
            let mut i = 0;
            while i + p < n {
                if b[i] != b[i + p] {
                    i += 1;
                    continue;
                }
                let lo = i;
                while i + p < n && b[i] == b[i + p] {
                    i += 1;
                }
                let r = Periodic {
                    start: lo,
                    end: i + p,
                    p,
                };
                out.extend(classify_periodic(text, r, t, &fences));
            }
        }
        drop_contained(out)
    }

    /// Random texts from a few units, so that periodic stretches of all kinds (runs, glued,
    /// spaced, multi-byte, nested) occur often.
    fn random_text(random: &mut crate::test_data::Xorshift, len: usize) -> String {
        let pieces = [
            "a",
            "b",
            " ",
            "ab",
            "ab ",
            "system",
            "இ",
            "கா",
            "சரி ",
            "!",
            "-",
            "x",
            "I am ",
            "\n",
            "aab",
            "0",
            "வணக்கம் நண்பரே, ",
            "the same sentence again. ",
        ];
        let mut text = String::new();
        while text.len() < len {
            let piece = pieces[random.below(pieces.len())];
            let times = if random.below(3) == 0 { 1 + random.below(12) } else { 1 };
            for _ in 0..times {
                text.push_str(piece);
            }
        }
        text
    }

    fn assert_matches_naive(text: &str, t: &RepetitionThresholds) -> usize {
        let mut fast = Vec::new();
        periodic_runs(text, t, &Fences::new(text), &mut fast);
        let fast = drop_contained(fast);
        assert_eq!(fast, naive_periodic(text, t), "{text:?}");
        fast.len()
    }

    #[test]
    fn sampled_scan_matches_naive_scan() {
        let mut random = crate::test_data::Xorshift(0x2545_f491_4f6c_dd1d);
        let short_periods = RepetitionThresholds {
            period_max_chars: 12,
            ..RepetitionThresholds::default()
        };
        // Thresholds so low that blocks of periods fall back to one period at a time.
        let low = RepetitionThresholds {
            period_max_chars: 12,
            char_run_min: 2,
            period_min_repeats: 2,
            period_min_chars: 2,
            ..RepetitionThresholds::default()
        };
        let mut findings = 0;
        for _ in 0..400 {
            let text = random_text(&mut random, 200);
            findings += assert_matches_naive(&text, &short_periods);
            assert_matches_naive(&text, &low);
        }
        // The comparison is only worth something if there was much to find.
        assert!(findings > 400, "{findings}");
        // Every period the default thresholds search, on longer texts.
        let mut findings = 0;
        for _ in 0..30 {
            let text = random_text(&mut random, 1500);
            findings += assert_matches_naive(&text, &RepetitionThresholds::default());
        }
        assert!(findings > 100, "{findings}");
    }

    #[test]
    fn runs_of_one_byte_are_the_sampled_scans_runs() {
        let mut random = crate::test_data::Xorshift(0x0001_b17e);
        let mut runs = 0;
        for round in 0..3000 {
            let text = random_text(&mut random, 1 + round % 300);
            let b = text.as_bytes();
            for need in RUN_START..=12 {
                let (mut sampled, mut blocked) = (Vec::new(), Vec::new());
                scan_period(b, 1, need, &[], &mut sampled);
                runs_of_one_byte(b, need, &mut blocked);
                let spans = |found: &[Periodic]| found.iter().map(|r| (r.start, r.end, r.p)).collect::<Vec<_>>();
                assert_eq!(spans(&blocked), spans(&sampled), "need {need}: {text:?}");
                runs += sampled.len();
            }
        }
        assert!(runs > 3000, "{runs}");
    }

    #[test]
    fn one_probe_for_thirty_two_periods_agrees_with_bytes() {
        let mut random = crate::test_data::Xorshift(0x9e37_79b9_7f4a_7c15);
        let text = random_text(&mut random, 3000);
        let b = text.as_bytes();
        let mut lanes = 0;
        /// The lanes one probe of `W` bytes sets at `i`, checked against the bytewise answer.
        fn agreed<const W: usize>(b: &[u8], i: usize, first: usize) -> u32 {
            let fast = lane_matches::<W, false>(b, i, first);
            let bytewise = lane_matches_bytewise::<W>(b, i, first);
            assert_eq!(fast, bytewise, "window {W}, at {i}, periods from {first}");
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the processor has AVX2, checked just above.
                let avx2 = unsafe { lane_matches_avx2::<W>(b, i, first) };
                assert_eq!(avx2, bytewise, "AVX2, window {W}, at {i}, periods from {first}");
            }
            fast.count_ones()
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn lane_matches_avx2<const W: usize>(b: &[u8], i: usize, first: usize) -> u32 {
            lane_matches::<W, true>(b, i, first)
        }
        for first in [2, 18, 100] {
            for i in 0..b.len() {
                lanes += agreed::<WINDOW>(b, i, first) + agreed::<WIDE_WINDOW>(b, i, first);
            }
        }
        assert!(lanes > 1000, "{lanes}");
    }
}
