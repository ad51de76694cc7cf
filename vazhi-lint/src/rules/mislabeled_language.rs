use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use std::path::Path;

use crate::declare_rule;
use crate::rule::RuleConfig;
use crate::finding::{Finding, percent};
use crate::record::{Record, normalize_label};
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::script::ScriptCounts;
use crate::script::lid::{LidModel, TextVerdict};
use crate::script::romanised::Verdict;

declare_rule! {
    /// ## What it does
    /// Compares a record's language label (the first of the fields `language`, `lang`,
    /// `language_label`) with what its training target is written in, and reports a label the
    /// text contradicts. Two measures are used:
    ///
    /// - the **Tamil share**: letters of the Tamil script over all letters, as `tamil-ratio`
    ///   measures it;
    /// - the **word verdict**: each word read as Tamil script, romanised Tamil (Tanglish: "Unga OTP
    ///   yaarukkum share pannadheenga") or English, and the text called *Tamil script*, *Tanglish*,
    ///   *English*, or *Tamil script mixed with Latin words* (`mixed`). Letters alone cannot tell
    ///   Tanglish from English; the words can. How the word reader works and how well:
    ///   `bench/romanised/README.md`.
    ///
    /// Tamil chat data comes in these three scripts of one language, and the labels promise them:
    ///
    /// | label | Tamil share | word verdict |
    /// |---|---|---|
    /// | `pure_tamil`, `tamil`, `ta` | at least 0.70 | any |
    /// | `english`, `en` | below 0.30 | `english` or `mixed` (not Tanglish) |
    /// | `tanglish` | below 0.90 | `tanglish`, `mixed` or `tamil-script` (not English) |
    /// | `mixed`, `bilingual` | between 0.10 and 0.90 (both scripts present) | any |
    ///
    /// So `tanglish` covers romanised Tamil and Tamil script with English words in it ("Scam
    /// message-ல urgency இருக்கும்"), as people write colloquial Tamil; it does not cover plain
    /// English, nor Tamil script with no English in it. A text with fewer than three words that
    /// can be judged ("Hello!", "Seri", "OTP 1234") gets no word verdict, and only its Tamil share is
    /// compared.
    ///
    /// Hindi and Telugu typed in Latin letters look like Tanglish to the word reader, which knows
    /// Tamil against English only. Their function words do not (`hai`, `kya`, `nahi`; `enti`,
    /// `undi`): a Latin text with two of them gets no word verdict, and under a label that names
    /// its words (`tanglish`, `english`) it is reported as another language ("Yeh movie kab
    /// aayegi, trailer toh mast hai" labelled `tanglish`). Of 1,497 hand-labelled YouTube comments
    /// this called no Tanglish or English comment another language, and 99 of the 338 in other
    /// languages (most of the rest are Kannada and Malayalam, whose function words are often
    /// Tamil's).
    ///
    /// With `--lid-model` (or `lid-model` in vazhi.toml), a fastText language-ID model such as
    /// GlotLID decides what a Latin response is (a Tamil label: Tanglish, an English one: English,
    /// any other: another language, "`mal_Latn` at 0.91 by the language-ID model"), which tells
    /// romanised Malayalam and Kannada from Tanglish where the word reader cannot.
    ///
    /// Labels are compared without case, and `-` or spaces count as `_`. Labels not in the table are
    /// not judged.
    ///
    /// ## Why is this bad?
    /// Labels drive mixing ratios, filters and evaluation splits. In the VAZHI team's v0.2 set, 74% of
    /// the outputs labelled `pure_tamil` were mostly English; every decision made from those labels
    /// was wrong, and the model answered Tamil questions in English. The same set's `tanglish`
    /// answers were often plain English, which the Tamil share alone cannot see.
    ///
    /// ## Example
    /// ```json
    /// {"instruction": "OTP என்றால் என்ன?", "output": "OTP is a one-time password sent by your bank.", "language": "pure_tamil"}
    /// {"instruction": "OTP na enna?", "output": "OTP is a one-time password sent by your bank.", "language": "tanglish"}
    /// ```
    /// `VZ102 mislabeled-language: labelled `pure_tamil` but the response is English, 0% Tamil script (expected at least 70%)`
    ///
    /// `VZ102 mislabeled-language: labelled `tanglish` but the response is English, 0% of its Latin words romanised Tamil (expected Tanglish, Tamil script mixed with Latin words, or Tamil script)`
    ///
    /// ## Options
    /// ```toml
    /// [rules.mislabeled-language.labels]
    /// pure_tamil = { min = 0.70 }
    /// english = { max = 0.30, written-in = ["english", "mixed"] }
    /// formal_tamil = { min = 0.85, written-in = ["tamil-script"] }   # add your own labels
    /// colloquial = { written-in = ["tanglish", "mixed"] }
    /// ```
    /// `min` and `max` bound the Tamil share; `written-in` lists the word verdicts the label allows
    /// (`tamil-script`, `tanglish`, `english`, `mixed`). Entries are added to the defaults; an entry
    /// with the same label replaces the default.
    pub static MISLABELED_LANGUAGE = {
        code: "VZ102",
        name: "mislabeled-language",
        severity: Error,
        scope: Record,
        summary: "The record's language label disagrees with the script of its text",
    };
}

/// What a label promises: a Tamil share (`max` exclusive, `min` inclusive) and the word verdicts
/// it allows.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Expectation {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The word verdicts the label allows; absent: any. A text too short for a verdict passes.
    pub written_in: Option<Vec<Verdict>>,
}

/// Why a text breaks its label's promise.
enum Broken {
    Share,
    Words(Verdict),
    /// A Latin text with function words of another Indian language (Hindi `hai`, Telugu `enti`),
    /// or called another language by the language-ID model, under a label that names Tanglish
    /// or English; with what says so.
    OtherLanguage(String),
}

impl Expectation {
    fn share_holds(&self, share: f64) -> bool {
        self.min.is_none_or(|min| share >= min) && self.max.is_none_or(|max| share < max)
    }

    fn allows(&self, verdict: Option<Verdict>) -> bool {
        match (&self.written_in, verdict) {
            (Some(allowed), Some(verdict)) => allowed.contains(&verdict),
            _ => true,
        }
    }

    fn describe_share(&self) -> String {
        match (self.min, self.max) {
            (Some(min), Some(max)) => format!("between {} and {}", percent(min), percent(max)),
            (Some(min), None) => format!("at least {}", percent(min)),
            (None, Some(max)) => format!("below {}", percent(max)),
            (None, None) => "anything".into(),
        }
    }

    fn describe_words(&self) -> String {
        let names: Vec<&str> = self.written_in.iter().flatten().map(|verdict| verdict.name()).collect();
        match names.as_slice() {
            [] => "nothing".into(),
            [one] => (*one).into(),
            [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Label → expected Tamil share and word verdicts, added to the defaults.
    pub labels: Option<BTreeMap<String, Expectation>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub labels: BTreeMap<String, Expectation>,
}

fn default_labels() -> BTreeMap<String, Expectation> {
    let tamil = Expectation {
        min: Some(0.70),
        max: None,
        written_in: None,
    };
    let english = Expectation {
        min: None,
        max: Some(0.30),
        written_in: Some(vec![Verdict::English, Verdict::Mixed]),
    };
    let tanglish = Expectation {
        min: None,
        max: Some(0.90),
        written_in: Some(vec![Verdict::Tanglish, Verdict::Mixed, Verdict::TamilScript]),
    };
    let mixed = Expectation {
        min: Some(0.10),
        max: Some(0.90),
        written_in: None,
    };
    [
        ("pure_tamil", &tamil),
        ("tamil", &tamil),
        ("ta", &tamil),
        ("english", &english),
        ("en", &english),
        ("tanglish", &tanglish),
        ("mixed", &mixed),
        ("bilingual", &mixed),
    ]
    .into_iter()
    .map(|(label, expectation)| (label.to_owned(), expectation.clone()))
    .collect()
}

impl RuleConfig for Options {
    type Settings = Settings;

    fn resolve(self, _root: &Path) -> Result<Settings, String> {
        let mut labels = default_labels();
        for (label, expectation) in self.labels.unwrap_or_default() {
            for bound in [expectation.min, expectation.max].into_iter().flatten() {
                if !(0.0..=1.0).contains(&bound) {
                    return Err(format!(
                        "rules.mislabeled-language.labels.{label}: {bound} is not a share between 0 and 1"
                    ));
                }
            }
            labels.insert(normalize_label(&label).into_owned(), expectation);
        }
        Ok(Settings { labels })
    }
}

/// The rule, with its options and the language-ID model for Latin text, if one is loaded.
pub struct MislabeledLanguage(pub Settings, pub Option<LidModel>);

impl RecordRule for MislabeledLanguage {
    fn meta(&self) -> &'static RuleMeta {
        &MISLABELED_LANGUAGE
    }

    fn check(&self, record: &Record<'_>, facts: &Facts, out: &mut Vec<Finding>) {
        let Some(label) = &record.language else { return };
        let Some(expectation) = self.0.labels.get(normalize_label(label).as_ref()) else {
            return;
        };
        let mut total = ScriptCounts::default();
        for counts in facts.target_scripts(record) {
            total.add(counts);
        }
        let Some(share) = total.tamil_share() else { return };
        let share_holds = expectation.share_holds(share);
        // The word reader runs only where its verdict decides or explains something.
        if share_holds && expectation.written_in.is_none() {
            return;
        }
        let judged = facts.targets_verdict(record, self.1.as_ref());
        let (words, verdict) = (&judged.words, judged.verdict);
        let other_language = judged.other_language();
        let broken = if !share_holds {
            Broken::Share
        } else if let Some(verdict) = verdict.filter(|&verdict| !expectation.allows(Some(verdict))) {
            Broken::Words(verdict)
        } else if let Some(other_language) = other_language {
            Broken::OtherLanguage(other_language)
        } else {
            return;
        };
        // "is Tamil script, 100% Tamil script" says nothing twice: the name is given only where
        // the share alone would hide it.
        let what = match verdict {
            Some(verdict @ (Verdict::Tanglish | Verdict::English | Verdict::Mixed)) => format!("{}, ", verdict.name()),
            _ => String::new(),
        };
        let message = match broken {
            Broken::Share => format!(
                "labelled `{label}` but the response is {what}{} Tamil script (expected {})",
                percent(share),
                expectation.describe_share()
            ),
            Broken::Words(verdict) => format!(
                "labelled `{label}` but the response is {what}{} (expected {})",
                latin_words(judged, verdict, share),
                expectation.describe_words()
            ),
            Broken::OtherLanguage(ref evidence) => format!(
                "labelled `{label}` but the response is in another language: {evidence} (expected {})",
                expectation.describe_words()
            ),
        };
        let mut finding = Finding::record(&MISLABELED_LANGUAGE, record, message).help(format!(
            "{} Tamil of {} letters; {}; fix the label or the text",
            total.tamil,
            total.letters(),
            words.tally()
        ));
        if let Some(segment) = record.targets().next() {
            let len = segment.text().len();
            let label = match broken {
                Broken::Share => format!("{} Tamil", percent(share)),
                Broken::Words(verdict) => verdict.name().to_owned(),
                Broken::OtherLanguage(_) => "another language".to_owned(),
            };
            finding = finding.in_segment(&segment, 0..len).label(label);
        }
        out.push(finding);
    }
}

/// The figure that shows a word verdict: for Latin text, how much of it is romanised Tamil; for
/// Tamil script, its share of the letters.
fn latin_words(judged: &TextVerdict, verdict: Verdict, share: f64) -> String {
    if let (Verdict::Tanglish | Verdict::English, Some(call)) = (verdict, &judged.model) {
        return call.describe();
    }
    match (verdict, judged.words.romanised_share()) {
        (Verdict::Tanglish | Verdict::English, Some(romanised)) => {
            format!("{} of its Latin words romanised Tamil", percent(romanised))
        }
        _ => format!("{} Tamil script", percent(share)),
    }
}
