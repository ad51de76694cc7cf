//! The margins report: the worst value of every repetition measure on the clean texts
//! (`clean`), the figures quoted in the module documentation's "Measured margins on clean text".
//! Run it with
//! `cargo run --release -p vazhi-lint --features calibration --example repetition_margins`.

use std::collections::HashMap;

use super::chars::is_filler;
use super::clean::{clean_corpus, long_clean_docs};
use super::fences::{Fences, prose_lines};
use super::lines::{dup_stats, paragraphs};
use super::ngrams::ngram_fractions;
use super::periodic::periodic_runs;
use super::soup::soup_chars;
use super::words::{prose_words, push_words, token_runs};
use super::{DegenerationKind, RepetitionThresholds};

/// Prints, for every measure, its worst value on the required texts and on the longer chapter
/// documents, with the text (or window) that reached it; the local detectors run with relaxed
/// thresholds so that near misses show.
pub fn margins() {
    let d = RepetitionThresholds::default();
    let relaxed = RepetitionThresholds {
        char_run_min: 2,
        filler_run_min: 2,
        // 3, not 2: at 2 every position is sampled for every period (slow).
        period_min_repeats: 3,
        period_min_chars: 1,
        token_min_repeats: 2,
        ..RepetitionThresholds::default()
    };
    let mut worst: HashMap<String, (f64, String)> = HashMap::new();
    let mut note = |k: String, v: f64, label: &str| {
        let e = worst.entry(k).or_insert((f64::MIN, String::new()));
        if v > e.0 {
            *e = (v, label.to_string());
        }
    };
    let mut gated_docs: HashMap<String, usize> = HashMap::new();
    let corpora = [("required", clean_corpus()), ("extra", long_clean_docs())];
    for (set, docs) in corpora {
        for (label, text) in docs {
            let fences = Fences::new(&text);
            let mut local = Vec::new();
            let mut all_words = Vec::new();
            let tokens: Vec<_> = crate::text::word_ranges(&text).collect();
            push_words(&text, &tokens, &mut all_words);
            periodic_runs(&text, &relaxed, &fences, &mut local);
            token_runs(&text, &relaxed, &fences, &all_words, &mut local);
            for dg in local {
                let region = &text[dg.span.clone()];
                let chars = region.chars().count() as f64;
                let what = format!("{label}: {region:?}");
                let k = match &dg.kind {
                    DegenerationKind::CharRun { ch, .. } if is_filler(*ch) => "run filler",
                    DegenerationKind::CharRun { .. } => "run char",
                    DegenerationKind::RepeatedToken { .. } => "token",
                    _ => "period",
                };
                if k.starts_with("run") {
                    note(format!("{set} {k} len"), dg.measured, &what);
                    continue;
                }
                note(format!("{set} {k} count"), dg.measured, &what);
                if chars >= d.period_min_chars as f64 {
                    note(format!("{set} {k} count, chars>=20"), dg.measured, &what);
                }
                if dg.measured >= d.period_min_repeats as f64 {
                    note(format!("{set} {k} chars, count>=4"), chars, &what);
                }
            }
            let prose = prose_lines(&text, &fences);
            let ws = prose_words(all_words, &fences);
            let g = if ws.len() >= d.min_words { "gated" } else { "ungated" };
            note(format!("{set} words ({g})"), ws.len() as f64, &label);
            *gated_docs.entry(format!("{set} {g}")).or_insert(0) += 1;
            if let Some(ls) = dup_stats(prose.iter().copied()) {
                let g = if g == "gated" && ls.parts >= d.min_lines {
                    "gated"
                } else {
                    "ungated"
                };
                note(format!("{set} {g} line_frac"), ls.frac, &label);
                note(format!("{set} {g} line_char_frac"), ls.char_frac, &label);
                if let Some(ps) = dup_stats(paragraphs(&text, &prose).into_iter()) {
                    note(format!("{set} {g} para_frac"), ps.frac, &label);
                    note(format!("{set} {g} para_char_frac"), ps.char_frac, &label);
                }
            }
            for (n, f, _) in ngram_fractions(&ws) {
                note(format!("{set} {g} ngram {n:02}"), f, &label);
            }
            let chars = soup_chars(&text, &fences, 0..text.len());
            for win in chars.windows(d.soup_window) {
                let share = win.iter().filter(|c| c.punct).count() as f64 / d.soup_window as f64;
                let k = win.iter().filter(|c| c.ends_mixed_cluster).count();
                let at = format!("{label}: {:?}", &text[win[0].pos..win[win.len() - 1].end]);
                note(format!("{set} soup share"), share, &at);
                note(format!("{set} soup clusters"), k as f64, &at);
                if k >= 1 {
                    note(format!("{set} soup share, clusters>=1"), share, &at);
                }
                if share >= d.soup_punct_frac {
                    note(format!("{set} soup clusters, share>=0.5"), k as f64, &at);
                }
            }
        }
    }
    let mut keys: Vec<_> = worst.keys().cloned().collect();
    keys.sort();
    for k in keys {
        let (v, l) = &worst[&k];
        println!("{k:40} {v:8.4}  {l}");
    }
    println!("documents: {gated_docs:?}");
}
