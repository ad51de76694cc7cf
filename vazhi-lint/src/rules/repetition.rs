use serde::{Deserialize, Serialize};

use crate::declare_rule;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::text::repetition::{RepetitionThresholds, find_degeneration};

declare_rule! {
    /// ## What it does
    /// Finds degenerate text in a record's training targets:
    ///
    /// - a character run (`!!!!!!!!`, `இஇஇஇஇஇஇஇ`): 8 or more of one character (100 for filler such
    ///   as `-`, `=`, `.`, digits and box drawing, so markdown rules and tables pass);
    /// - a unit repeated back to back (`systemsystemsystem…`, `celebrated celebrated celebrated …`, a
    ///   short phrase looping): 4 or more repeats covering at least 20 characters — dolma's
    ///   repetitions tagger (`(.+?)(\s?\1){3,}`, periods up to 13 tokens), with a length floor so a
    ///   poem's refrain is not a loop;
    /// - Gopher's repetition filter (Rae et al. 2021, MassiveText, appendix A) on texts of at least
    ///   50 words: duplicate lines over 30% (20% of characters), duplicate paragraphs over 30% (20%),
    ///   the top 2-, 3-, 4-gram over 20%, 18%, 16% of characters, duplicated 5- to 10-grams over 15%
    ///   down to 10% — the thresholds datatrove's `GopherRepetitionFilter` uses;
    /// - punctuation soup (`ooks = 1)0]:,. is:.. = *="-1., of,…`): a 32-character window at least
    ///   half punctuation with two or more clusters that mix `, . : ;`, which code, formulas and JSON
    ///   do not.
    ///
    /// Tamil poetry repeats words and lines on purpose: none of this fires on any of the 1330 kurals,
    /// their two commentaries, the 41 modern poems in the test data or a real uncorrected essay
    /// (worst margins, measured: a word three times in a row where four are needed; a duplicated
    /// 7-gram share of 0.108 where 0.13 is the limit).
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
    /// min-words = 50            # Gopher fractions only for texts this long
    /// ```
    pub static REPETITION = {
        code: "VZ205",
        name: "repetition",
        severity: Error,
        scope: Record,
        summary: "Degenerate output: character runs, looping units, duplicated n-grams, punctuation soup",
    };
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    pub char_run_min: Option<usize>,
    pub period_min_repeats: Option<usize>,
    pub period_min_chars: Option<usize>,
    pub min_words: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Settings {
    pub char_run_min: usize,
    pub period_min_repeats: usize,
    pub period_min_chars: usize,
    pub min_words: usize,
}

impl Options {
    pub fn resolve(self) -> Result<Settings, String> {
        let defaults = RepetitionThresholds::default();
        let settings = Settings {
            char_run_min: self.char_run_min.unwrap_or(defaults.char_run_min),
            period_min_repeats: self.period_min_repeats.unwrap_or(defaults.period_min_repeats),
            period_min_chars: self.period_min_chars.unwrap_or(defaults.period_min_chars),
            min_words: self.min_words.unwrap_or(defaults.min_words),
        };
        if settings.char_run_min < 2 || settings.period_min_repeats < 2 {
            return Err("rules.repetition: char-run-min and period-min-repeats must be at least 2".into());
        }
        Ok(settings)
    }
}

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

pub struct Repetition(pub RepetitionThresholds);

impl Repetition {
    pub fn new(settings: &Settings) -> Repetition {
        Repetition(settings.thresholds())
    }
}

impl RecordRule for Repetition {
    fn meta(&self) -> &'static RuleMeta {
        &REPETITION
    }

    fn check(&self, record: &Record<'_>, _: &Facts, out: &mut Vec<Finding>) {
        for segment in record.targets() {
            for degeneration in find_degeneration(segment.text(), &self.0) {
                let description = degeneration.kind.describe();
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
