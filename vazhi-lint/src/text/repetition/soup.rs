//! Punctuation soup: windows of mostly punctuation holding disordered clusters (`]:,.`), slid
//! only through the zones around such clusters.

use std::ops::Range;

use super::chars::is_punct;
use super::degeneration::{Degeneration, DegenerationKind};
use super::fences::{Fences, lines_with_offsets};
use super::thresholds::RepetitionThresholds;

/// One non-space character outside code, for the soup windows.
#[derive(Debug, Clone, Copy)]
pub(super) struct SoupChar {
    pub(super) pos: usize,
    pub(super) end: usize,
    pub(super) punct: bool,
    /// This char ends a disordered cluster (see [`soup`]).
    pub(super) ends_mixed_cluster: bool,
}

/// Sentence punctuation whose mixtures (`,.` `.:` `:,` `;.` …) mark soup: prose
/// and code put letters, digits, quotes or brackets between them. One bit each.
fn sentence_punct_bit(c: char) -> u8 {
    match c {
        ',' => 1,
        '.' => 2,
        ':' => 4,
        ';' => 8,
        _ => 0,
    }
}

/// Ends the current punctuation cluster; marks its last char if the cluster
/// mixed two or more kinds of sentence punctuation.
fn close_cluster(out: &mut [SoupChar], seen: &mut u8) {
    if seen.count_ones() >= 2
        && let Some(last) = out.last_mut()
    {
        last.ends_mixed_cluster = true;
    }
    *seen = 0;
}

/// Non-space characters in `zone` outside fenced code and inline code spans,
/// with punctuation and cluster marks. Lines are read from their start so the
/// inline-code state is right, but from at most 1 KiB before the zone: one
/// enormous line must not be rescanned for every zone in it.
pub(super) fn soup_chars(text: &str, fences: &Fences, zone: Range<usize>) -> Vec<SoupChar> {
    let mut out: Vec<SoupChar> = Vec::new();
    let from = text
        .get(..zone.start)
        .and_then(|head| head.rfind('\n'))
        .map_or(0, |i| i + 1)
        .max(zone.start.saturating_sub(1024));
    let from = crate::text::ceil_char_boundary(text, from);
    let Some(rest) = text.get(from..) else {
        return out;
    };
    for (rel, line) in lines_with_offsets(rest) {
        let off = from + rel;
        if off >= zone.end {
            break;
        }
        if fences.contains(&(off..off + line.len())) {
            continue;
        }
        let mut in_code = false;
        // Sentence punctuation seen in the current cluster (a maximal run of
        // adjacent punctuation characters).
        let mut seen = 0u8;
        for (i, c) in line.char_indices() {
            let pos = off + i;
            if pos >= zone.end {
                break;
            }
            if c == '`' {
                in_code = !in_code;
                close_cluster(&mut out, &mut seen);
                continue;
            }
            if in_code || c.is_whitespace() {
                close_cluster(&mut out, &mut seen);
                continue;
            }
            let punct = is_punct(c);
            if punct {
                seen |= sentence_punct_bit(c);
            } else {
                close_cluster(&mut out, &mut seen);
            }
            if pos >= zone.start {
                out.push(SoupChar {
                    pos,
                    end: pos + c.len_utf8(),
                    punct,
                    ends_mixed_cluster: false,
                });
            }
        }
        close_cluster(&mut out, &mut seen);
    }
    out
}

/// Punctuation soup: a window of `soup_window` non-space characters (outside
/// code) whose punctuation/symbol share reaches `soup_punct_frac` and which holds
/// at least `soup_min_clusters` disordered clusters — adjacent punctuation mixing
/// two of `, . : ;` (`]:,.`, `:..`, `.,`). The cluster condition is what tells
/// soup from code, formulas and ASCII art, which are as punctuation-dense (the
/// essay's Brainfuck line is 100 % punctuation) but keep their sentence
/// punctuation apart.
///
/// Disordered clusters are rare, so windows are only slid through zones around
/// groups of `soup_min_clusters` clusters that fit in one window.
pub(super) fn soup(text: &str, t: &RepetitionThresholds, fences: &Fences) -> Vec<Degeneration> {
    let w = t.soup_window.max(1);
    let k = t.soup_min_clusters;
    let mut zones: Vec<Range<usize>> = Vec::new();
    if k == 0 {
        zones.push(0..text.len());
    } else {
        let clusters = mixed_clusters(text);
        for g in clusters.windows(k) {
            let (first, last) = (g[0].start, g[k - 1].end);
            if nonspace_chars(text, first..last, w) > w {
                continue;
            }
            let zone = back_nonspace(text, first, w)..fwd_nonspace(text, last, w);
            match zones.last_mut() {
                Some(z) if zone.start <= z.end => z.end = z.end.max(zone.end),
                _ => zones.push(zone),
            }
        }
    }
    let mut out: Vec<Degeneration> = Vec::new();
    for zone in zones {
        soup_windows(text, &soup_chars(text, fences, zone), t, &mut out);
    }
    out
}

/// Slides the soup window over `chars` (consecutive non-space characters).
fn soup_windows(text: &str, chars: &[SoupChar], t: &RepetitionThresholds, out: &mut Vec<Degeneration>) {
    let w = t.soup_window.max(1);
    if chars.len() < w {
        return;
    }
    let mut punct = chars[..w].iter().filter(|c| c.punct).count();
    let mut clusters = chars[..w].iter().filter(|c| c.ends_mixed_cluster).count();
    for start in 0..=chars.len() - w {
        if start > 0 {
            let (gone, came) = (chars[start - 1], chars[start + w - 1]);
            punct = punct + usize::from(came.punct) - usize::from(gone.punct);
            clusters = clusters + usize::from(came.ends_mixed_cluster) - usize::from(gone.ends_mixed_cluster);
        }
        let share = punct as f64 / w as f64;
        if share < t.soup_punct_frac || clusters < t.soup_min_clusters {
            continue;
        }
        let window = &chars[start..start + w];
        // Underline from the first to the last word holding a disordered
        // cluster, not the prose the window happens to reach into.
        let first = window.iter().position(|c| c.ends_mixed_cluster).unwrap_or(0);
        let last = window.iter().rposition(|c| c.ends_mixed_cluster).unwrap_or(w - 1);
        let span = word_start(text, window[first].pos)..word_end(text, window[last].end);
        match out.last_mut() {
            // Overlapping windows extend one finding.
            Some(last) if span.start <= last.span.end => {
                last.span.end = last.span.end.max(span.end);
                last.measured = last.measured.max(share);
            }
            _ => out.push(Degeneration {
                span,
                kind: DegenerationKind::PunctuationSoup,
                measured: share,
                threshold: t.soup_punct_frac,
            }),
        }
    }
}

/// Disordered clusters of the whole text (code included, so never fewer than
/// [`soup_chars`] marks), as byte ranges from their first sentence punctuation
/// to their end. A cluster's sentence punctuation is met first at its leftmost
/// member, so scanning right from each `, . : ;` byte sees all of its mixture.
fn mixed_clusters(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // Next `, . :` and next `;` at or after i, each found by memchr and kept
    // until passed (searching for `;` afresh at every stop would be quadratic).
    let find3 = |i: usize| memchr::memchr3(b',', b'.', b':', b.get(i..).unwrap_or(&[])).map_or(b.len(), |k| i + k);
    let find_semi = |i: usize| memchr::memchr(b';', b.get(i..).unwrap_or(&[])).map_or(b.len(), |k| i + k);
    let (mut next3, mut next_semi) = (find3(0), find_semi(0));
    let mut i = 0;
    loop {
        if next3 < i {
            next3 = find3(i);
        }
        if next_semi < i {
            next_semi = find_semi(i);
        }
        i = next3.min(next_semi);
        if i >= b.len() {
            break;
        }
        let mut seen = 0u8;
        let mut end = i;
        // `i` holds an ASCII byte, hence a char boundary.
        for c in text.get(i..).unwrap_or("").chars() {
            if c == '`' || !is_punct(c) {
                break;
            }
            seen |= sentence_punct_bit(c);
            end += c.len_utf8();
        }
        if seen.count_ones() >= 2 {
            out.push(i..end);
        }
        i = end.max(i + 1);
    }
    out
}

/// Non-space characters in `range`, counting no further than `limit + 1`.
fn nonspace_chars(text: &str, range: Range<usize>, limit: usize) -> usize {
    text.get(range)
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(limit + 1)
        .count()
}

/// Byte position `w` non-space characters before `pos` (or 0).
fn back_nonspace(text: &str, pos: usize, w: usize) -> usize {
    let mut left = w;
    let head = text.get(..pos).unwrap_or("");
    for (i, c) in head.char_indices().rev() {
        if !c.is_whitespace() {
            left = left.saturating_sub(1);
            if left == 0 {
                return i;
            }
        }
    }
    0
}

/// Byte position just after `w` non-space characters from `pos` (or the end).
fn fwd_nonspace(text: &str, pos: usize, w: usize) -> usize {
    let mut left = w;
    let tail = text.get(pos..).unwrap_or("");
    for (i, c) in tail.char_indices() {
        if !c.is_whitespace() {
            left = left.saturating_sub(1);
            if left == 0 {
                return pos + i + c.len_utf8();
            }
        }
    }
    text.len()
}

/// Start of the whitespace-delimited word around byte `pos`.
fn word_start(text: &str, pos: usize) -> usize {
    text.get(..pos)
        .and_then(|head| head.rfind(char::is_whitespace))
        .map_or(0, |i| i + text[i..].chars().next().map_or(1, char::len_utf8))
}

/// End of the whitespace-delimited word around byte `end`.
fn word_end(text: &str, end: usize) -> usize {
    text.get(end..)
        .and_then(|tail| tail.find(char::is_whitespace))
        .map_or(text.len(), |i| end + i)
}
