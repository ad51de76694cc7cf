//! `token-stats`, the token section of `--statistics`: per dataset, how many tokens the prompts
//! and responses take, how many samples the window cuts, and what Tamil costs in tokens.
//!
//! Why: `max-seq-len` is a choice, and the token rules only say which samples a given window
//! cuts. Choosing it needs the distribution (is p95 of the prompts far below the window, or at
//! it?), and judging a tokenizer for Tamil needs its fertility on the data itself, not only on
//! the kurals `cargo vazhi tokenizer` measures.
//!
//! Exact, and mergeable like the dataset rules' aggregates:
//! - every sample is counted exactly. The byte bound that lets the token rules skip short samples
//!   only proves "fits", not how many tokens, so while statistics are collected it settles
//!   nothing ([`Facts::counting_every_token`]); the statistics instead note how many samples it
//!   *would* have settled, which is what a run without `--statistics` saves;
//! - quantiles come from a [`Histogram`] of the exact counts (count → samples): merging two
//!   histograms is exact under any split of the records, and its size is the number of distinct
//!   counts (a few thousand at most), not the number of records. Quantiles are nearest-rank: the
//!   p-th percentile is the smallest count such that at least p% of the samples have at most that
//!   many tokens — always a count some sample has, never an interpolation.
//!
//! The prompt of a sample is every token before its first assistant content (the generation
//! header `<|im_start|>assistant\n` included), its response every token from there on — the
//! split the token rules use. Fertility is all tokens of a turn's text counted alone (no
//! template) over its Tamil code points (U+0B80–U+0BFF) and its whitespace-separated words that
//! contain one, over the turns (and raw texts) whose letters are mostly Tamil, so that English
//! answers in a Tamil corpus do not inflate it; `cargo vazhi tokenizer` measures the same way.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::CountEngine;
use super::audit::tamil_chars_and_words;
use super::count::Fit;
use super::settings::TokenSettings;
use crate::record::Record;
use crate::rule::Facts;
use crate::script::ScriptCounts;

/// Exact counts of some samples' tokens: token count → how many samples have it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: BTreeMap<usize, u64>,
    samples: u64,
}

impl Histogram {
    pub fn add(&mut self, tokens: usize) {
        *self.counts.entry(tokens).or_default() += 1;
        self.samples += 1;
    }

    /// Each token count with how many samples have it, smallest first.
    pub fn iter(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.counts.iter().map(|(&tokens, &samples)| (tokens, samples))
    }

    /// Adds `other`'s samples. Order does not matter: the result is the same under any split.
    pub fn merge(&mut self, other: Histogram) {
        for (tokens, samples) in other.counts {
            *self.counts.entry(tokens).or_default() += samples;
        }
        self.samples += other.samples;
    }

    pub fn samples(&self) -> u64 {
        self.samples
    }

    pub fn is_empty(&self) -> bool {
        self.samples == 0
    }

    pub fn min(&self) -> Option<usize> {
        self.counts.keys().next().copied()
    }

    pub fn max(&self) -> Option<usize> {
        self.counts.keys().next_back().copied()
    }

    /// The nearest-rank `percent`-th percentile (1–100): the smallest count with at least
    /// `percent`% of the samples at or below it. `None` when there are no samples.
    pub fn percentile(&self, percent: u32) -> Option<usize> {
        let percent = u64::from(percent.clamp(1, 100));
        // The 1-based rank ceil(percent × n / 100), in integers so that p95 of 20 samples is the
        // 19th exactly.
        let rank = (percent * self.samples).div_ceil(100).max(1);
        let mut seen = 0;
        for (tokens, samples) in &self.counts {
            seen += samples;
            if seen >= rank {
                return Some(*tokens);
            }
        }
        None
    }

    /// min / p50 / p95 / max; `None` when there are no samples.
    pub fn summary(&self) -> Option<Summary> {
        Some(Summary {
            min: self.min()?,
            p50: self.percentile(50)?,
            p95: self.percentile(95)?,
            max: self.max()?,
        })
    }
}

/// The four figures `--statistics` prints for a distribution of token counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub min: usize,
    pub p50: usize,
    pub p95: usize,
    pub max: usize,
}

impl Summary {
    fn to_json(self) -> Value {
        json!({"min": self.min, "p50": self.p50, "p95": self.p95, "max": self.max})
    }
}

/// Tokens of the mostly-Tamil texts and the Tamil in them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FertilityTally {
    /// Texts (turns, raw texts) measured: those whose letters are mostly Tamil.
    pub texts: u64,
    pub tokens: u64,
    pub tamil_chars: u64,
    pub tamil_words: u64,
}

impl FertilityTally {
    fn merge(&mut self, other: FertilityTally) {
        self.texts += other.texts;
        self.tokens += other.tokens;
        self.tamil_chars += other.tamil_chars;
        self.tamil_words += other.tamil_words;
    }

    /// Tokens per Tamil code point; `None` without Tamil.
    pub fn per_tamil_char(&self) -> Option<f64> {
        (self.tamil_chars > 0).then(|| self.tokens as f64 / self.tamil_chars as f64)
    }

    /// Tokens per Tamil word; `None` without Tamil.
    pub fn per_tamil_word(&self) -> Option<f64> {
        (self.tamil_words > 0).then(|| self.tokens as f64 / self.tamil_words as f64)
    }
}

/// The token statistics of one dataset, or of some consecutive records of it: a mergeable
/// aggregate, built and merged by the engine as it builds and merges the dataset rules'.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenStats {
    /// Records read, of every format (unreadable records are not seen).
    pub records: u64,
    /// Tokens before the first response, per chat sample with a response.
    pub prompt: Histogram,
    /// Tokens from the first response on, per chat sample with a response.
    pub response: Histogram,
    /// Prompt and response together, per chat sample with a response: what the window cuts.
    pub total: Histogram,
    /// Samples whose prompt alone is at least `max-seq-len` tokens (`over-long-prompt`).
    pub prompt_over: u64,
    /// Samples whose prompt and response together exceed `max-seq-len` (the former included).
    pub total_over: u64,
    /// Chat records with no assistant turn: nothing to count a response of.
    pub no_response: u64,
    /// Chat records the template could not render or the tokenizer could not encode.
    pub not_counted: u64,
    /// Samples the count-only BPE counted.
    pub counted: u64,
    /// Samples `Tokenizer::encode` counted (the fallback engine, `token-engine = "encode"`, or a
    /// split the fast path could not align).
    pub encoded: u64,
    /// Samples the byte bound would have settled without counting, in a run without statistics.
    pub bound_would_settle: u64,
    pub fertility: FertilityTally,
}

impl TokenStats {
    /// Counts one record. `facts` must come from [`Facts::counting_every_token`], so that the
    /// verdict the token rules reuse carries exact counts.
    pub fn observe(&mut self, record: &Record<'_>, facts: &Facts, tokens: &TokenSettings) {
        self.records += 1;
        if let Some(verdict) = facts.token_verdict(record, tokens) {
            match verdict {
                Err(_) => self.not_counted += 1,
                Ok(verdict) if verdict.fit == Fit::NoResponse => self.no_response += 1,
                Ok(verdict) => {
                    let (Some(before), Some(total)) = (verdict.tokens_before_response, verdict.total_tokens) else {
                        unreachable!("a verdict counted exactly carries its counts")
                    };
                    self.prompt.add(before);
                    self.response.add(total - before);
                    self.total.add(total);
                    let max = tokens.max_seq_len;
                    self.prompt_over += u64::from(before >= max);
                    self.total_over += u64::from(total > max);
                    if verdict.encoded {
                        self.encoded += 1;
                    } else {
                        self.counted += 1;
                    }
                    self.bound_would_settle += u64::from(facts.bound_would_settle() == Some(true));
                }
            }
        }
        for segment in record.segments() {
            let text = segment.text();
            if !ScriptCounts::of(text).tamil_share().is_some_and(|share| share > 0.5) {
                continue;
            }
            // Only the encode fallback can fail; such a text is left out of the fertility.
            let Ok(count) = tokens.counter.count(text) else {
                continue;
            };
            let (chars, words) = tamil_chars_and_words(text);
            self.fertility.merge(FertilityTally {
                texts: 1,
                tokens: count as u64,
                tamil_chars: chars as u64,
                tamil_words: words as u64,
            });
        }
    }

    /// Adds the statistics of other records of the same dataset.
    pub fn merge(&mut self, other: TokenStats) {
        self.records += other.records;
        self.prompt.merge(other.prompt);
        self.response.merge(other.response);
        self.total.merge(other.total);
        self.prompt_over += other.prompt_over;
        self.total_over += other.total_over;
        self.no_response += other.no_response;
        self.not_counted += other.not_counted;
        self.counted += other.counted;
        self.encoded += other.encoded;
        self.bound_would_settle += other.bound_would_settle;
        self.fertility.merge(other.fertility);
    }

    /// Chat samples with a response, counted.
    pub fn samples(&self) -> u64 {
        self.prompt.samples()
    }

    /// The `--statistics --format json` object of one dataset.
    pub fn to_json(&self, dataset: &str) -> Value {
        let share = |part: u64| {
            if self.samples() == 0 {
                Value::Null
            } else {
                json!(part as f64 / self.samples() as f64)
            }
        };
        json!({
            "dataset": dataset,
            "records": self.records,
            "samples": self.samples(),
            "prompt_tokens": self.prompt.summary().map(Summary::to_json),
            "response_tokens": self.response.summary().map(Summary::to_json),
            "prompt_at_or_over_limit": self.prompt_over,
            "total_over_limit": self.total_over,
            "no_response": self.no_response,
            "not_counted": self.not_counted,
            "fertility": {
                "tokens_per_tamil_char": self.fertility.per_tamil_char(),
                "tokens_per_tamil_word": self.fertility.per_tamil_word(),
                "texts": self.fertility.texts,
                "tokens": self.fertility.tokens,
                "tamil_chars": self.fertility.tamil_chars,
                "tamil_words": self.fertility.tamil_words,
            },
            "counting": {
                "counted": self.counted,
                "encoded": self.encoded,
                "bound_would_settle": self.bound_would_settle,
                "bound_would_settle_share": share(self.bound_would_settle),
            },
        })
    }
}

/// The token statistics of a run: what was counted with, and one [`TokenStats`] per dataset.
#[derive(Debug, Clone)]
pub struct TokenStatistics {
    pub tokenizer: PathBuf,
    pub max_seq_len: usize,
    /// `None`: the built-in ChatML.
    pub chat_template: Option<PathBuf>,
    pub engine: CountEngine,
    /// In the order of [`LintReport::datasets`](crate::LintReport::datasets).
    pub datasets: Vec<TokenStats>,
}

impl TokenStatistics {
    pub fn new(tokens: &TokenSettings, datasets: Vec<TokenStats>) -> Self {
        TokenStatistics {
            tokenizer: tokens.tokenizer.clone(),
            max_seq_len: tokens.max_seq_len,
            chat_template: tokens.chat_template.clone(),
            engine: tokens.counter.engine(),
            datasets,
        }
    }

    /// The `token_stats` object of `--statistics --format json`; `names` are the datasets'.
    pub fn to_json<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Value {
        let datasets: Vec<Value> = names
            .into_iter()
            .zip(&self.datasets)
            .map(|(name, stats)| stats.to_json(name))
            .collect();
        json!({
            "tokenizer": self.tokenizer.display().to_string(),
            "max_seq_len": self.max_seq_len,
            "chat_template": self.chat_template.as_ref().map(|path| path.display().to_string()),
            "engine": self.engine_name(),
            "datasets": datasets,
        })
    }

    /// `byte-level-bpe` or `encode`.
    pub fn engine_name(&self) -> &'static str {
        match self.engine {
            CountEngine::ByteLevelBpe => "byte-level-bpe",
            CountEngine::Encode { .. } => "encode",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(values: &[usize]) -> Histogram {
        let mut histogram = Histogram::default();
        for value in values {
            histogram.add(*value);
        }
        histogram
    }

    /// The nearest-rank definition on a sorted list: the value at 1-based rank ceil(p·n/100).
    fn nearest_rank(sorted: &[usize], percent: usize) -> usize {
        let rank = (percent * sorted.len()).div_ceil(100).max(1);
        sorted[rank - 1]
    }

    #[test]
    fn percentiles_are_nearest_rank_and_exact() {
        let h = histogram(&[5, 1, 4, 2, 3]);
        assert_eq!(
            h.summary(),
            Some(Summary {
                min: 1,
                p50: 3,
                p95: 5,
                max: 5
            })
        );
        // 20 samples 1..=20: p95 is the 19th, p50 the 10th (no interpolation).
        let h = histogram(&(1..=20).collect::<Vec<_>>());
        assert_eq!((h.percentile(50), h.percentile(95)), (Some(10), Some(19)));
        assert_eq!(
            histogram(&[7]).summary(),
            Some(Summary {
                min: 7,
                p50: 7,
                p95: 7,
                max: 7
            })
        );
        assert_eq!(Histogram::default().summary(), None);
    }

    /// Split a list of counts anywhere, in any number of parts, merge the parts in any order:
    /// the statistics are those of the whole list, and equal the sorted list's nearest ranks.
    #[test]
    fn merged_parts_equal_the_whole() {
        let mut random = crate::test_data::Xorshift(0x2545_F491_4F6C_DD1D);
        for round in 0..200 {
            let n = 1 + random.below(300);
            let prompts: Vec<usize> = (0..n).map(|_| random.below(2000)).collect();
            let responses: Vec<usize> = (0..n).map(|_| 1 + random.below(900)).collect();
            let max_seq_len = 1024;
            let stats_of = |range: std::ops::Range<usize>| {
                let mut stats = TokenStats::default();
                for i in range {
                    stats.records += 1;
                    stats.prompt.add(prompts[i]);
                    stats.response.add(responses[i]);
                    stats.prompt_over += u64::from(prompts[i] >= max_seq_len);
                    stats.total_over += u64::from(prompts[i] + responses[i] > max_seq_len);
                    stats.counted += 1;
                    stats.fertility.merge(FertilityTally {
                        texts: 1,
                        tokens: prompts[i] as u64,
                        tamil_chars: responses[i] as u64,
                        tamil_words: 1,
                    });
                }
                stats
            };
            let whole = stats_of(0..n);
            // Cut points, then merge the parts back to front and front to back.
            let mut cuts: Vec<usize> = (0..random.below(6)).map(|_| random.below(n + 1)).collect();
            cuts.extend([0, n]);
            cuts.sort_unstable();
            let parts: Vec<TokenStats> = cuts.windows(2).map(|w| stats_of(w[0]..w[1])).collect();
            let mut forward = TokenStats::default();
            for part in parts.iter().cloned() {
                forward.merge(part);
            }
            let mut backward = TokenStats::default();
            for part in parts.into_iter().rev() {
                backward.merge(part);
            }
            assert_eq!(forward, whole, "round {round}");
            assert_eq!(backward, whole, "round {round}");

            let mut sorted = prompts.clone();
            sorted.sort_unstable();
            let summary = forward.prompt.summary().expect("samples");
            assert_eq!(
                (summary.min, summary.p50, summary.p95, summary.max),
                (
                    sorted[0],
                    nearest_rank(&sorted, 50),
                    nearest_rank(&sorted, 95),
                    sorted[n - 1]
                ),
                "round {round}"
            );
            assert_eq!(forward.samples(), n as u64);
        }
    }
}
