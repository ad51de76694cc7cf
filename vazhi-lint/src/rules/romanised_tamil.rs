use serde::{Deserialize, Serialize};

use std::path::Path;

use crate::declare_rule;
use crate::rule::RuleConfig;
use crate::finding::{Finding, percent};
use crate::record::{Record, normalize_label};
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::script::lid::LidModel;
use crate::script::romanised::Verdict;

declare_rule! {
    /// ## What it does
    /// Finds training targets written in romanised Tamil (Tanglish: "Unga OTP yaarukkum share
    /// pannadheenga") where the dataset expects Tamil script. Each target turn is read word by
    /// word (Tamil-script, romanised-Tamil and English words; see `mislabeled-language` and
    /// `bench/romanised/README.md`), and a turn whose verdict is Tanglish is reported. One
    /// finding per record, at its first Tanglish turn.
    ///
    /// Tamil script is expected of records labelled with one of `tamil-labels` (default
    /// `pure_tamil`, `tamil`, `ta`), and, with `expect-script = "tamil"`, of records with no
    /// label too. Records labelled anything else (`tanglish`, `mixed`, `english`) are not judged.
    ///
    /// Tamil script with English words in it ("இந்த app-ஐ download பண்ணுங்க") is not Tanglish,
    /// and neither are English sentences that name Tamil places and people ("Chennai is the
    /// capital of Tamil Nadu"): capitalised words count as Tamil only when the text's other words
    /// are Tanglish already. A turn needs three words the reader can judge before it gets a
    /// verdict, so "Seri", "ok da" and "Hello!" are never reported. Short function words (`la`,
    /// `da`, `nu`; `is`, `the`, `of`) are taken from a list rather than the spelling model.
    ///
    /// How well: on real YouTube comments labelled by hand, the last part drawn and labelled blind and
    /// measured once (71 Tanglish, 111 English turns) gives Tanglish precision 0.958 and recall 0.972,
    /// English precision 0.980 and recall 0.970 of the turns long enough to judge. The part before it,
    /// measured blind with an earlier step of the same changes, gave 0.923 and 0.881; all eight parts
    /// together: 0.960 and 0.960. Most false Tanglish calls are short English comments on Tamil films
    /// that name a film or an actor in lowercase ("looks like thaana serndha koottam part 2"); hashtags
    /// are not judged, and two Tamil-looking words among as many English ones are Tanglish only with a
    /// Tamil function word (`la`, `da`). Common English words count as English whatever their spelling
    /// (`again`, `similar`). Latin texts with two Hindi or Telugu function words (`hai`, `kya`, `enti`)
    /// get no verdict; romanised Kannada and Malayalam are still called Tanglish about a third of the
    /// time (the reader knows Tamil against English only). Of 12,405 paragraphs of English software
    /// documentation, no paragraph of prose was called Tanglish (33 file lists, copyright headers, URLs
    /// and shell commands were). The word reader runs at 274–286 MB/s on one thread on chat-sized
    /// turns and 294–302 MB/s on 9 KB texts. Details:
    /// `bench/romanised/README.md`.
    ///
    /// With `--lid-model` (or `lid-model` in vazhi.toml), a fastText language-ID model such as
    /// GlotLID decides what a Latin turn is instead: a Tamil label (`tam_Latn`) makes it Tanglish,
    /// and the message quotes the label and its probability. Tamil-script turns and turns too
    /// short to judge are not sent to the model.
    ///
    /// ## Why is this bad?
    /// A model trained to answer in Tamil script learns to answer in Latin letters from these
    /// targets, and a Tamil-script tokenizer spends several tokens per romanised word it has
    /// never seen. `tamil-ratio` sees only "0% Tamil script" and cannot tell this from English;
    /// the fix differs (transliterate, not translate).
    ///
    /// ## Example
    /// ```json
    /// {"instruction": "OTP-ஐ யாரிடம் சொல்லலாம்?", "output": "Yaarkittayum sollaadheenga, unga bank kooda OTP kekka maattaanga.", "language": "pure_tamil"}
    /// ```
    /// `VZ104 romanised-tamil: the response is Tanglish (romanised Tamil) where Tamil script is expected: 7 of 9 judged Latin words romanised Tamil`.
    ///
    /// ## Options
    /// ```toml
    /// [rules.romanised-tamil]
    /// tamil-labels = ["pure_tamil", "tamil", "ta"]
    /// expect-script = "labelled"   # or "tamil": unlabelled records are expected in Tamil script too
    /// ```
    pub static ROMANISED_TAMIL = {
        code: "VZ104",
        name: "romanised-tamil",
        severity: Error,
        scope: Record,
        summary: "A training target in romanised Tamil where Tamil script is expected",
    };
}

/// Which records are expected in Tamil script besides those with a Tamil label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectScript {
    /// Only records labelled with one of the Tamil labels.
    #[default]
    Labelled,
    /// Unlabelled records too: the whole dataset is meant to be in Tamil script.
    Tamil,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Labels that promise Tamil script.
    pub tamil_labels: Option<Vec<String>>,
    pub expect_script: Option<ExpectScript>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Settings {
    pub tamil_labels: Vec<String>,
    pub expect_script: ExpectScript,
}

impl RuleConfig for Options {
    type Settings = Settings;

    fn resolve(self, _root: &Path) -> Result<Settings, String> {
        let tamil_labels = self
            .tamil_labels
            .unwrap_or_else(|| ["pure_tamil", "tamil", "ta"].map(String::from).to_vec())
            .iter()
            .map(|label| normalize_label(label).into_owned())
            .collect();
        Ok(Settings {
            tamil_labels,
            expect_script: self.expect_script.unwrap_or_default(),
        })
    }
}

/// The rule, with its options and the language-ID model for Latin text, if one is loaded.
pub struct RomanisedTamil(pub Settings, pub Option<LidModel>);

impl RomanisedTamil {
    fn expects_tamil_script(&self, record: &Record<'_>) -> bool {
        match record.language.as_deref() {
            Some(label) => {
                let label = normalize_label(label);
                self.0.tamil_labels.iter().any(|tamil| *tamil == label)
            }
            None => self.0.expect_script == ExpectScript::Tamil,
        }
    }
}

impl RecordRule for RomanisedTamil {
    fn meta(&self) -> &'static RuleMeta {
        &ROMANISED_TAMIL
    }

    fn check(&self, record: &Record<'_>, facts: &Facts, out: &mut Vec<Finding>) {
        if !self.expects_tamil_script(record) {
            return;
        }
        // Tanglish is Latin letters: targets without any are not read word by word.
        if facts.target_scripts(record).iter().all(|counts| counts.latin == 0) {
            return;
        }
        let per_target = facts.target_verdicts(record, self.1.as_ref());
        let mut tanglish = record
            .targets()
            .zip(per_target)
            .filter(|(_, judged)| judged.verdict == Some(Verdict::Tanglish));
        let Some((segment, judged)) = tanglish.next() else {
            return;
        };
        let words = &judged.words;
        let more = tanglish.count();
        let targets = per_target.len();
        let which = match (targets, 1 + more) {
            (1, _) => "the response is".to_owned(),
            (_, 1) => format!("1 of {targets} responses is"),
            (_, tanglish) => format!("{tanglish} of {targets} responses are"),
        };
        let latin = words.romanised + words.english;
        let label = record
            .language
            .as_deref()
            .map_or("the dataset expects Tamil script".to_owned(), |label| {
                format!("labelled `{label}`")
            });
        let len = segment.text().len();
        out.push(
            Finding::record(
                &ROMANISED_TAMIL,
                record,
                match &judged.model {
                    Some(call) => format!(
                        "{which} Tanglish (romanised Tamil) where Tamil script is expected: {}",
                        call.describe()
                    ),
                    None => format!(
                        "{which} Tanglish (romanised Tamil) where Tamil script is expected: {} of {latin} judged Latin words romanised Tamil",
                        words.romanised
                    ),
                },
            )
            .in_segment(&segment, 0..len)
            .label(match &judged.model {
                Some(call) => format!("Tanglish, `{}`", call.label),
                None => format!("Tanglish, {} romanised", percent(words.romanised_share().unwrap_or(0.0))),
            })
            .help(format!(
                "{label}; {}: write it in Tamil script, or label the record `tanglish`",
                words.tally()
            )),
        );
    }
}
