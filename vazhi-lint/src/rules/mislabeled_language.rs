use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::declare_rule;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::rules::tamil_ratio::percent;
use crate::script::ScriptCounts;

declare_rule! {
    /// ## What it does
    /// Compares a record's language label (the first of the fields `language`, `lang`,
    /// `language_label`) with the Tamil share measured on its training target, as `tamil-ratio`
    /// measures it, and reports a label the text contradicts. Default expectations:
    ///
    /// | label | Tamil share |
    /// |---|---|
    /// | `pure_tamil`, `tamil`, `ta` | at least 0.70 |
    /// | `english`, `en` | below 0.30 |
    /// | `tanglish` | at most 0.90 (Tamil mixed with English words, or romanised Tamil; not pure Tamil script) |
    /// | `mixed`, `bilingual` | between 0.10 and 0.90 (both scripts present) |
    ///
    /// Labels are compared without case, and `-` or spaces count as `_`. Labels not in the table are
    /// not judged.
    ///
    /// ## Why is this bad?
    /// Labels drive mixing ratios, filters and evaluation splits. In the VAZHI team's v0.2 set, 74% of
    /// the outputs labelled `pure_tamil` were mostly English; every decision made from those labels
    /// was wrong, and the model answered Tamil questions in English.
    ///
    /// ## Example
    /// ```json
    /// {"instruction": "OTP என்றால் என்ன?", "output": "OTP is a one-time password sent by your bank.", "language": "pure_tamil"}
    /// ```
    /// `VZ102 mislabeled-language: labelled `pure_tamil` but the response is 0% Tamil script (expected at least 70%)`.
    ///
    /// ## Options
    /// ```toml
    /// [rules.mislabeled-language.labels]
    /// pure_tamil = { min = 0.70 }
    /// english = { max = 0.30 }
    /// formal_tamil = { min = 0.85 }   # add your own labels
    /// ```
    /// Entries are added to the defaults; an entry with the same label replaces the default.
    pub static MISLABELED_LANGUAGE = {
        code: "VZ102",
        name: "mislabeled-language",
        severity: Error,
        scope: Record,
        summary: "The record's language label disagrees with the script of its text",
    };
}

/// The Tamil share a label promises; `max` is exclusive, `min` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Expectation {
    fn holds(&self, share: f64) -> bool {
        self.min.is_none_or(|min| share >= min) && self.max.is_none_or(|max| share < max)
    }

    fn describe(&self) -> String {
        match (self.min, self.max) {
            (Some(min), Some(max)) => format!("between {} and {}", percent(min), percent(max)),
            (Some(min), None) => format!("at least {}", percent(min)),
            (None, Some(max)) => format!("below {}", percent(max)),
            (None, None) => "anything".into(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Label → expected Tamil share, added to the defaults.
    pub labels: Option<BTreeMap<String, Expectation>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub labels: BTreeMap<String, Expectation>,
}

/// Labels are written `pure_tamil`, `Pure-Tamil`, `pure tamil`: one key for all. Runs for every
/// labelled record, and most labels are already in that form: those are borrowed, not copied.
pub fn normalize_label(label: &str) -> Cow<'_, str> {
    let normal = label.trim().len() == label.len()
        && label
            .bytes()
            .all(|byte| byte.is_ascii() && !byte.is_ascii_uppercase() && byte != b'-' && byte != b' ');
    if normal {
        Cow::Borrowed(label)
    } else {
        Cow::Owned(label.trim().to_lowercase().replace(['-', ' '], "_"))
    }
}

fn default_labels() -> BTreeMap<String, Expectation> {
    let tamil = Expectation {
        min: Some(0.70),
        max: None,
    };
    let english = Expectation {
        min: None,
        max: Some(0.30),
    };
    let tanglish = Expectation {
        min: None,
        max: Some(0.90),
    };
    let mixed = Expectation {
        min: Some(0.10),
        max: Some(0.90),
    };
    [
        ("pure_tamil", tamil),
        ("tamil", tamil),
        ("ta", tamil),
        ("english", english),
        ("en", english),
        ("tanglish", tanglish),
        ("mixed", mixed),
        ("bilingual", mixed),
    ]
    .into_iter()
    .map(|(label, expectation)| (label.to_owned(), expectation))
    .collect()
}

impl Options {
    pub fn resolve(self) -> Result<Settings, String> {
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

pub struct MislabeledLanguage(pub Settings);

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
        if expectation.holds(share) {
            return;
        }
        let mut finding = Finding::record(
            &MISLABELED_LANGUAGE,
            record,
            format!(
                "labelled `{label}` but the response is {} Tamil script (expected {})",
                percent(share),
                expectation.describe()
            ),
        )
        .help(format!(
            "{} Tamil of {} letters; fix the label or the text",
            total.tamil,
            total.letters()
        ));
        if let Some(segment) = record.targets().next() {
            let len = segment.text().len();
            finding = finding
                .in_segment(&segment, 0..len)
                .label(format!("{} Tamil", percent(share)));
        }
        out.push(finding);
    }
}
