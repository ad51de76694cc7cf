use serde::{Deserialize, Serialize};

use std::path::Path;

use crate::declare_rule;
use crate::rule::RuleConfig;
use crate::finding::{Finding, percent};
use crate::record::{Record, normalize_label};
use crate::rule::{Facts, RecordRule, RuleMeta, Severity};
use crate::script::ScriptCounts;
use crate::script::lid::LidModel;
use crate::script::romanised::Verdict;

declare_rule! {
    /// ## What it does
    /// Measures the Tamil share of a record's training target (the assistant turns, the `output` or
    /// `completion`, or all of a raw text): letters of the Tamil script (U+0B80–U+0BFF) divided by all
    /// letters, where digits, punctuation, spaces and other characters of the Unicode scripts Common
    /// and Inherited are not letters. An error below `error-below` (default 0.30), a warning below
    /// `warn-below` (default 0.70). Records whose language label is in `exempt-labels` (default
    /// `english`, `en`, `eng`, `tanglish`) are not measured: those labels promise English or
    /// romanised Tamil, and `mislabeled-language` checks that promise.
    ///
    /// When a target it reports is Tanglish (Tamil written in Latin letters), the message says so
    /// rather than calling it English: the fix is then to write it in Tamil script or label it
    /// `tanglish`, not to translate it.
    ///
    /// ## Why is this bad?
    /// A Tamil model learns the language of its targets. In the VAZHI team's v0.2 set, 74% of the
    /// outputs were mostly English and 60% of those labelled `pure_tamil` had under 30% Tamil letters;
    /// the model learned "Tamil question → English answer". The default bands are the ones that team's
    /// audit used: keep above 70%, review 30–70%, regenerate below 30%.
    ///
    /// ## Example
    /// ```json
    /// {"messages": [{"role": "user", "content": "சென்னை எங்கே உள்ளது?"},
    ///               {"role": "assistant", "content": "Chennai is the capital of Tamil Nadu."}]}
    /// ```
    /// `VZ101 tamil-ratio: response is 0% Tamil script (error below 30%)`.
    ///
    /// ```json
    /// {"instruction": "OTP-a yaarkitta sollalama?", "output": "Illa, unga OTP-a yaarukkum share pannadheenga."}
    /// ```
    /// `VZ101 tamil-ratio: response is Tanglish (romanised Tamil), 0% Tamil script (error below 30%)`.
    ///
    /// ## Options
    /// ```toml
    /// [rules.tamil-ratio]
    /// error-below = 0.30
    /// warn-below = 0.70
    /// exempt-labels = ["english", "en", "eng", "tanglish"]
    /// ```
    pub static TAMIL_RATIO = {
        code: "VZ101",
        name: "tamil-ratio",
        severity: Error,
        scope: Record,
        summary: "The training target has too little Tamil script",
    };
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Tamil share below which a target is an error.
    pub error_below: Option<f64>,
    /// Tamil share below which a target is a warning.
    pub warn_below: Option<f64>,
    /// Language labels whose records are not expected to be Tamil.
    pub exempt_labels: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub error_below: f64,
    pub warn_below: f64,
    pub exempt_labels: Vec<String>,
}

impl RuleConfig for Options {
    type Settings = Settings;

    fn resolve(self, _root: &Path) -> Result<Settings, String> {
        let error_below = self.error_below.unwrap_or(0.30);
        let warn_below = self.warn_below.unwrap_or(0.70);
        for (key, value) in [("error-below", error_below), ("warn-below", warn_below)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(format!(
                    "rules.tamil-ratio.{key}: {value} is not a share between 0 and 1"
                ));
            }
        }
        if error_below > warn_below {
            return Err(format!(
                "rules.tamil-ratio.error-below ({error_below}) is above warn-below ({warn_below})"
            ));
        }
        let exempt_labels = self
            .exempt_labels
            .unwrap_or_else(|| ["english", "en", "eng", "tanglish"].map(String::from).to_vec())
            .iter()
            .map(|label| normalize_label(label).into_owned())
            .collect();
        Ok(Settings {
            error_below,
            warn_below,
            exempt_labels,
        })
    }
}

/// The rule, with its options and the language-ID model that names Tanglish, if one is loaded.
pub struct TamilRatio(pub Settings, pub Option<LidModel>);

impl RecordRule for TamilRatio {
    fn meta(&self) -> &'static RuleMeta {
        &TAMIL_RATIO
    }

    fn check(&self, record: &Record<'_>, facts: &Facts, out: &mut Vec<Finding>) {
        if let Some(label) = record.language.as_deref().map(normalize_label)
            && self.0.exempt_labels.iter().any(|exempt| *exempt == label)
        {
            return;
        }
        let per_target = facts.target_scripts(record);
        let mut total = ScriptCounts::default();
        for counts in per_target {
            total.add(counts);
        }
        let Some(share) = total.tamil_share() else { return };
        let severity = if share < self.0.error_below {
            Severity::Error
        } else if share < self.0.warn_below {
            Severity::Warning
        } else {
            return;
        };
        let band = if severity == Severity::Error {
            format!("error below {}", percent(self.0.error_below))
        } else {
            format!("warning below {}", percent(self.0.warn_below))
        };
        let tanglish = facts.targets_verdict(record, self.1.as_ref()).verdict == Some(Verdict::Tanglish);
        let (what, advice) = if tanglish {
            (
                "Tanglish (romanised Tamil), ",
                "write it in Tamil script, or label the record `tanglish` if it is meant to be romanised",
            )
        } else {
            (
                "",
                "write the answer in Tamil, or label the record `english` if it is meant to be English",
            )
        };
        let mut finding = Finding::record(
            &TAMIL_RATIO,
            record,
            format!("response is {what}{} Tamil script ({band})", percent(share)),
        )
        .severity(severity)
        .help(format!(
            "{} Tamil of {} letters ({} Latin, {} other); {advice}",
            total.tamil,
            total.letters(),
            total.latin,
            total.other
        ));
        // Point at the least Tamil of the targets: that is the turn to rewrite.
        let worst = record
            .targets()
            .zip(per_target)
            .filter_map(|(segment, counts)| counts.tamil_share().map(|share| (segment, share)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((segment, turn_share)) = worst {
            let len = segment.text().len();
            finding = finding
                .in_segment(&segment, 0..len)
                .label(format!("{} Tamil", percent(turn_share)));
        }
        out.push(finding);
    }
}
