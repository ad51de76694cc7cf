use serde::{Deserialize, Serialize};

use std::path::Path;

use crate::declare_rule;
use crate::rule::RuleConfig;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::text::repetition::{DegenerationKind, RepetitionThresholds, find_degeneration};

declare_rule! {
    /// ## What it does
    /// Finds degenerate text in a record's training targets: what a looping model writes, not what a
    /// good answer's structure repeats.
    ///
    /// - a character run (`!!!!!!!!`, `இஇஇஇஇஇஇஇ`): 8 or more of one character (100 for filler such
    ///   as `-`, `—`, `=`, `.`, digits with separators and box drawing; a markdown table's rule line
    ///   never counts);
    /// - a unit repeated back to back (`systemsystemsystem…`, `celebrated celebrated celebrated …`, a
    ///   short phrase looping): 4 or more repeats covering at least 20 characters — dolma's
    ///   repetitions tagger (`(.+?)(\s?\1){3,}`, periods up to 13 tokens), with a length floor so a
    ///   poem's refrain is not a loop;
    /// - a sentence or list item looping: a block of 1 to 32 sentences or list items (list markers
    ///   such as `1)`, `-`, `1️⃣` stripped) written 3 times in a row, holding at least 40 characters
    ///   (20 when its copies hold 120): a list whose items became one item, a paragraph said again
    ///   and again, a list of names restarting; and a sentence of 120 letters or more written twice
    ///   anywhere (a paragraph pasted again). Items that share a head (`1) Right to information, 2)
    ///   Right to records, …`, `… College of Engineering`), the same short bullet under several
    ///   headings, a chorus between verses and Tamil clauses with the same verb ending are not loops;
    /// - punctuation soup (`ooks = 1)0]:,. is:.. = *="-1., of,…`): a 32-character window at least
    ///   half punctuation with two or more clusters that mix `, . : ;`, which code, formulas and JSON
    ///   do not;
    /// - Gopher's repetition filter (Rae et al. 2021, MassiveText, appendix A): duplicate lines over
    ///   30% (20% of characters), duplicate paragraphs over 30% (20%), the top 2-, 3-, 4-gram over
    ///   20%, 18%, 16% of characters, duplicated 5- to 10-grams over 15% down to 10% — the thresholds
    ///   datatrove's `GopherRepetitionFilter` uses. They were set on web documents, so they judge raw
    ///   text (pretraining records) from 50 words, as Gopher's quality filter does, and chat answers
    ///   only from 1,000 words: on 294 good structured answers from public SFT and evaluation sets
    ///   (numbered and bulleted lists, steps, tables, scheme and law summaries, lyrics; 96 to 850
    ///   words) they flagged 23 from 100 words, 11 from 300, 5 from 500 and none from 1,000, and on
    ///   31 real degenerate outputs they caught none that the detectors above missed.
    ///
    /// Measured on that set (the held-apart third and the rest alike): no good answer flagged, 30 of
    /// 31 degenerate outputs caught (the one missed loops with a counter that changes each time).
    /// Tamil poetry repeats words and lines on purpose: none of this fires on any of the 1330 kurals,
    /// their two commentaries, the 41 modern poems in the test data or a real uncorrected essay.
    ///
    /// ## Why is this bad?
    /// A model copies the degenerate patterns in its targets. VAZHI's broken runs answered
    /// "systemsystemsystem…", "H celebrated once (' '" - ((- …" and strings of punctuation; data
    /// with the same shapes teaches exactly that.
    ///
    /// ## Example
    /// ```json
    /// {"prompt": "வணக்கம்", "completion": "4systemsystemsystemsystemsystemsystem"}
    /// ```
    /// `VZ205 repetition: text "system" repeated 6 times back-to-back`.
    ///
    /// ## Options
    /// ```toml
    /// [rules.repetition]
    /// char-run-min = 8          # shortest character run reported
    /// period-min-repeats = 4    # back-to-back repeats of a unit
    /// period-min-chars = 20     # …covering at least this many characters
    /// min-words = 50            # Gopher fractions for raw text this long
    /// answer-min-words = 1000   # …and for chat answers this long
    /// ```
    pub static REPETITION = {
        code: "VZ205",
        name: "repetition",
        severity: Error,
        scope: Record,
        summary: "Degenerate output: character runs, looping units and sentences, duplicated n-grams, punctuation soup",
    };
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    pub char_run_min: Option<usize>,
    pub period_min_repeats: Option<usize>,
    pub period_min_chars: Option<usize>,
    pub min_words: Option<usize>,
    pub answer_min_words: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Settings {
    pub char_run_min: usize,
    pub period_min_repeats: usize,
    pub period_min_chars: usize,
    pub min_words: usize,
    pub answer_min_words: usize,
}

impl RuleConfig for Options {
    type Settings = Settings;

    fn resolve(self, _root: &Path) -> Result<Settings, String> {
        let defaults = RepetitionThresholds::default();
        let settings = Settings {
            char_run_min: self.char_run_min.unwrap_or(defaults.char_run_min),
            period_min_repeats: self.period_min_repeats.unwrap_or(defaults.period_min_repeats),
            period_min_chars: self.period_min_chars.unwrap_or(defaults.period_min_chars),
            min_words: self.min_words.unwrap_or(defaults.min_words),
            answer_min_words: self.answer_min_words.unwrap_or(ANSWER_MIN_WORDS),
        };
        if settings.char_run_min < 2 || settings.period_min_repeats < 2 {
            return Err("rules.repetition: char-run-min and period-min-repeats must be at least 2".into());
        }
        Ok(settings)
    }
}

/// Chat answers are judged by the Gopher fractions only from this many words on (see the rule's
/// page for the measurement).
pub const ANSWER_MIN_WORDS: usize = 1000;

impl Settings {
    fn thresholds(&self) -> RepetitionThresholds {
        RepetitionThresholds {
            char_run_min: self.char_run_min,
            period_min_repeats: self.period_min_repeats,
            token_min_repeats: self.period_min_repeats,
            period_min_chars: self.period_min_chars,
            min_words: self.min_words,
            ..RepetitionThresholds::default()
        }
    }
}

/// Thresholds for raw text (pretraining documents, judged as Gopher judged web documents) and
/// for chat answers (short and structured: the fractions only for long ones).
pub struct Repetition {
    pub raw: RepetitionThresholds,
    pub answers: RepetitionThresholds,
}

impl Repetition {
    pub fn new(settings: &Settings) -> Repetition {
        let raw = settings.thresholds();
        let answers = RepetitionThresholds {
            min_words: settings.answer_min_words,
            ..raw.clone()
        };
        Repetition { raw, answers }
    }
}

impl RecordRule for Repetition {
    fn meta(&self) -> &'static RuleMeta {
        &REPETITION
    }

    fn check(&self, record: &Record<'_>, _: &Facts, out: &mut Vec<Finding>) {
        let thresholds = if record.format.is_chat() {
            &self.answers
        } else {
            &self.raw
        };
        for segment in record.targets() {
            for degeneration in find_degeneration(segment.text(), thresholds) {
                let mut description = degeneration.kind.describe();
                if let DegenerationKind::RepeatedSentence { again, .. } = &degeneration.kind {
                    // Where the copies are, as lines of the answer, so a reviewer sees the loop.
                    let text = segment.text();
                    let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
                    let mut lines: Vec<String> = std::iter::once(degeneration.span.start)
                        .chain(again.iter().copied())
                        .map(|at| line_of(at).to_string())
                        .collect();
                    lines.dedup();
                    if lines.len() > 1 {
                        description.push_str(&format!(" (lines {} of the answer)", lines.join(", ")));
                    }
                }
                out.push(
                    Finding::record(&REPETITION, record, description.clone())
                        .in_segment(&segment, degeneration.span)
                        .label(format!(
                            "{} (limit {})",
                            figure(degeneration.measured),
                            figure(degeneration.threshold)
                        ))
                        .help("regenerate or drop this answer: a model copies degenerate patterns from its targets"),
                );
            }
        }
    }
}

/// Counts print as counts, shares with two decimals.
fn figure(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}
