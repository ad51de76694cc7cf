use serde::{Deserialize, Serialize};
use unicode_script::Script;

use std::path::Path;

use crate::declare_rule;
use crate::rule::RuleConfig;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::script::{foreign_runs, parse_script};

declare_rule! {
    /// ## What it does
    /// Finds letters of a script outside the allowed set (default Tamil and Latin) in a record's
    /// training target: Devanagari, Malayalam and the other Indic scripts, Han, Arabic, Cyrillic…
    /// One finding per script per turn, underlining the first run of that script and counting the
    /// rest. Runs shorter than `min-letters` (default 2) are ignored, so a lone `π` in a formula
    /// is not reported.
    ///
    /// ## Why is this bad?
    /// A few hundred foreign-script targets teach a small model to drift into that script. VAZHI's
    /// v0.5 model answered "இட体系系统的ர systemsystem…": Han characters from translated data that no
    /// one had looked at. Indic datasets scraped or translated in bulk (IndicAlign, Sangraha) carry
    /// other Indian languages alongside Tamil.
    ///
    /// ## Example
    /// ```json
    /// {"prompt": "வணக்கம் என்பதன் பொருள்?", "completion": "வணக்கம் means नमस्ते."}
    /// ```
    /// `VZ103 foreign-script: Devanagari letters in the response (6 letters in 1 run)`.
    ///
    /// ## Options
    /// ```toml
    /// [rules.foreign-script]
    /// allowed = ["Tamil", "Latin"]   # Unicode script names
    /// min-letters = 2
    /// ```
    pub static FOREIGN_SCRIPT = {
        code: "VZ103",
        name: "foreign-script",
        severity: Error,
        scope: Record,
        summary: "Letters of a script outside the allowed set in the training target",
    };
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Unicode script names allowed in targets.
    pub allowed: Option<Vec<String>>,
    /// Shortest run of letters that is reported.
    pub min_letters: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    #[serde(serialize_with = "serialize_scripts")]
    pub allowed: Vec<Script>,
    pub min_letters: usize,
}

fn serialize_scripts<S: serde::Serializer>(scripts: &[Script], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(scripts.iter().map(|script| script.full_name()))
}

impl RuleConfig for Options {
    type Settings = Settings;

    fn resolve(self, _root: &Path) -> Result<Settings, String> {
        let names = self.allowed.unwrap_or_else(|| vec!["Tamil".into(), "Latin".into()]);
        let allowed = names
            .iter()
            .map(|name| {
                parse_script(name)
                    .ok_or_else(|| format!("rules.foreign-script.allowed: `{name}` is not a Unicode script name"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Settings {
            allowed,
            min_letters: self.min_letters.unwrap_or(2).max(1),
        })
    }
}

pub struct ForeignScript(pub Settings);

impl RecordRule for ForeignScript {
    fn meta(&self) -> &'static RuleMeta {
        &FOREIGN_SCRIPT
    }

    fn check(&self, record: &Record<'_>, facts: &Facts, out: &mut Vec<Finding>) {
        let per_target = facts.target_scripts(record);
        for (segment, counts) in record.targets().zip(per_target) {
            // Letters of other scripts are counted already; most targets have none and stop here.
            let any_latin_block = !self.0.allowed.contains(&Script::Latin) && counts.latin > 0;
            let any_tamil_block = !self.0.allowed.contains(&Script::Tamil) && counts.tamil > 0;
            if counts.other == 0 && !any_latin_block && !any_tamil_block {
                continue;
            }
            let runs: Vec<_> = foreign_runs(segment.text(), &self.0.allowed)
                .into_iter()
                .filter(|run| run.letters >= self.0.min_letters)
                .collect();
            let mut scripts: Vec<Script> = Vec::new();
            for run in &runs {
                if !scripts.contains(&run.script) {
                    scripts.push(run.script);
                }
            }
            for script in scripts {
                let of_script: Vec<_> = runs.iter().filter(|run| run.script == script).collect();
                let letters: usize = of_script.iter().map(|run| run.letters).sum();
                let first = of_script[0];
                let runs_text = if of_script.len() == 1 {
                    "1 run".to_owned()
                } else {
                    format!("{} runs", of_script.len())
                };
                out.push(
                    Finding::record(
                        &FOREIGN_SCRIPT,
                        record,
                        format!(
                            "{} letters in the response ({letters} letters in {runs_text})",
                            script.full_name()
                        ),
                    )
                    .in_segment(&segment, first.range.clone())
                    .label(script.full_name())
                    .help(format!(
                        "remove or translate the {} text, or allow the script with `[rules.foreign-script] allowed`",
                        script.full_name()
                    )),
                );
            }
        }
    }
}
