//! Every rule, one file each, and the one list that wires them.

use serde::{Deserialize, Serialize};

use crate::rule::{DatasetRule, RecordRule, RuleConfig, RuleMeta};
use crate::script::lid::LidModel;
use crate::tokens::settings::TokenSettings;

/// What a rule is built from: every rule's resolved options, and the token settings when a
/// tokenizer and a window are configured.
#[derive(Clone, Copy)]
pub struct BuildFrom<'a> {
    pub rules: &'a RuleSettings,
    pub tokens: Option<&'a TokenSettings>,
    /// A language-ID model for what Latin text is, in place of the built-in detector.
    pub lid_model: Option<&'a LidModel>,
}

/// How the engine gets a runnable rule from the settings.
pub enum Build {
    /// Reported by the readers; nothing to run.
    Reader,
    Record(fn(BuildFrom<'_>) -> Box<dyn RecordRule>),
    /// A record rule that needs configuration to run at all (the token rules: a tokenizer).
    RecordIf(fn(BuildFrom<'_>) -> Option<Box<dyn RecordRule>>),
    Dataset(fn(BuildFrom<'_>) -> Box<dyn DatasetRule>),
}

pub struct RuleEntry {
    pub meta: &'static RuleMeta,
    pub build: Build,
}

/// Declares every rule at once: `module::META [module::Options] => build`. From each line follow
/// the rule's module, its registry entry, and, for a rule with options, its `[rules.NAME]` field
/// in [`RuleOptions`] and [`RuleSettings`] (named after the module, so `tamil_ratio` is read
/// from `[rules.tamil-ratio]`; a test holds module and rule names together).
macro_rules! rules {
    ($( $module:ident :: $meta:ident $([$options:ty])? => $build:expr ),* $(,)?) => {
        $( pub mod $module; )*

        /// All rules, in code order.
        #[rustfmt::skip]
        pub static REGISTRY: &[RuleEntry] = &[
            $( RuleEntry { meta: &$module::$meta, build: $build } ),*
        ];

        /// `[rules.NAME]` tables: each rule's own options.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub struct RuleOptions {
            $( $( pub $module: Option<$options>, )? )*
        }

        /// Every rule's options, resolved.
        #[derive(Debug, Clone, Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub struct RuleSettings {
            $( $( pub $module: <$options as RuleConfig>::Settings, )? )*
        }

        impl RuleOptions {
            pub fn resolve(self, root: &std::path::Path) -> Result<RuleSettings, String> {
                Ok(RuleSettings {
                    $( $( $module: <$options as RuleConfig>::resolve(self.$module.unwrap_or_default(), root)?, )? )*
                })
            }
        }

        /// The modules whose options are a `[rules.NAME]` table, with their rule.
        #[cfg(test)]
        static OPTION_TABLES: &[(&str, &RuleMeta)] = &[
            $( $( (stringify!($module), { let _: Option<$options> = None; &$module::$meta }), )? )*
        ];
    };
}

// Adding a rule: its file, one line here, one fixture in vazhi-lint/tests/fixtures.
rules! {
    invalid_record::INVALID_RECORD => Build::Reader,
    tamil_ratio::TAMIL_RATIO [tamil_ratio::Options] => Build::Record(|s| Box::new(tamil_ratio::TamilRatio(s.rules.tamil_ratio.clone(), s.lid_model.cloned()))),
    mislabeled_language::MISLABELED_LANGUAGE [mislabeled_language::Options] => Build::Record(|s| Box::new(mislabeled_language::MislabeledLanguage(s.rules.mislabeled_language.clone(), s.lid_model.cloned()))),
    foreign_script::FOREIGN_SCRIPT [foreign_script::Options] => Build::Record(|s| Box::new(foreign_script::ForeignScript(s.rules.foreign_script.clone()))),
    romanised_tamil::ROMANISED_TAMIL [romanised_tamil::Options] => Build::Record(|s| Box::new(romanised_tamil::RomanisedTamil(s.rules.romanised_tamil.clone(), s.lid_model.cloned()))),
    mixed_format::MIXED_FORMAT => Build::Dataset(|_| Box::new(mixed_format::MixedFormat)),
    missing_assistant::MISSING_ASSISTANT => Build::Record(|_| Box::new(missing_assistant::MissingAssistant)),
    think_leak::THINK_LEAK => Build::Record(|_| Box::new(think_leak::ThinkLeak)),
    template_leak::TEMPLATE_LEAK [template_leak::Options] => Build::Record(|s| Box::new(template_leak::TemplateLeak(s.rules.template_leak.clone()))),
    repetition::REPETITION [repetition::Options] => Build::Record(|s| Box::new(repetition::Repetition::new(&s.rules.repetition))),
    duplicate::DUPLICATE [duplicate::Options] => Build::Dataset(|s| Box::new(duplicate::Duplicate(s.rules.duplicate.clone()))),
    category_skew::CATEGORY_SKEW [category_skew::Options] => Build::Dataset(|s| Box::new(category_skew::CategorySkew(s.rules.category_skew.clone()))),
    empty_field::EMPTY_FIELD => Build::Record(|_| Box::new(empty_field::EmptyField)),
    over_long_prompt::OVER_LONG_PROMPT => Build::RecordIf(|s| s.tokens.cloned().map(|t| Box::new(over_long_prompt::OverLongPrompt(t)) as Box<dyn RecordRule>)),
    truncated_response::TRUNCATED_RESPONSE => Build::RecordIf(|s| s.tokens.cloned().map(|t| Box::new(truncated_response::TruncatedResponse(t)) as Box<dyn RecordRule>)),
    kural_mismatch::KURAL_MISMATCH => Build::Record(|_| Box::new(kural_mismatch::KuralMismatch)),
    tamil_unicode::TAMIL_UNICODE => Build::Record(|_| Box::new(tamil_unicode::TamilUnicode)),
    mojibake::MOJIBAKE => Build::Record(|_| Box::new(mojibake::MojibakeRule)),
    legacy_encoding::LEGACY_ENCODING => Build::Record(|_| Box::new(legacy_encoding::LegacyEncoding)),
    not_nfc::NOT_NFC => Build::Record(|_| Box::new(not_nfc::NotNfc)),
}

pub fn all() -> impl Iterator<Item = &'static RuleMeta> {
    REGISTRY.iter().map(|entry| entry.meta)
}

/// A rule by code (`VZ101`) or name (`tamil-ratio`), any case.
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    all().find(|meta| meta.code.eq_ignore_ascii_case(code_or_name) || meta.name.eq_ignore_ascii_case(code_or_name))
}

/// Every rule a selector names: an exact code or name, or a code prefix (`VZ1`, `VZ`).
pub fn select(selector: &str) -> Result<Vec<&'static RuleMeta>, String> {
    if let Some(meta) = find(selector) {
        return Ok(vec![meta]);
    }
    let upper = selector.to_ascii_uppercase();
    let matched: Vec<_> = all().filter(|meta| meta.code.starts_with(&upper)).collect();
    if upper.starts_with("VZ") && !matched.is_empty() || upper == "ALL" {
        return Ok(if upper == "ALL" { all().collect() } else { matched });
    }
    Err(format!(
        "unknown rule or code prefix `{selector}` (see `cargo vazhi rules`)"
    ))
}

/// The codes the selectors name, an error naming `key` (the option or flag they came from).
pub fn codes(selectors: &[String], key: &str) -> Result<Vec<&'static str>, String> {
    let mut codes = Vec::new();
    for selector in selectors {
        let metas = select(selector).map_err(|err| format!("{key}: {err}"))?;
        codes.extend(metas.into_iter().map(|meta| meta.code));
    }
    Ok(codes)
}

/// A rule's documentation page: what `cargo vazhi rule` prints and rules/NAME.md holds.
pub fn page(meta: &RuleMeta) -> String {
    format!(
        "# {} ({})

Default severity: {}. {}.

{}",
        meta.name,
        meta.code,
        meta.severity.name(),
        meta.summary,
        meta.documentation()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let metas: Vec<_> = all().collect();
        for (i, a) in metas.iter().enumerate() {
            assert!(a.code.starts_with("VZ") && a.code.len() == 5, "{}", a.code);
            assert!(a.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", a.name);
            for b in &metas[i + 1..] {
                assert_ne!(a.code, b.code);
                assert_ne!(a.name, b.name);
            }
        }
        let codes: Vec<_> = metas.iter().map(|meta| meta.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted, "REGISTRY is kept in code order");
    }

    #[test]
    fn each_build_agrees_with_its_rule_scope() {
        use crate::rule::Scope;
        for entry in REGISTRY {
            let built_as = match entry.build {
                Build::Reader => Scope::Reader,
                Build::Record(_) | Build::RecordIf(_) => Scope::Record,
                Build::Dataset(_) => Scope::Dataset,
            };
            assert_eq!(built_as, entry.meta.scope, "{}", entry.meta.name);
        }
    }

    #[test]
    fn option_tables_are_named_after_their_rule() {
        for (module, meta) in OPTION_TABLES {
            assert_eq!(module.replace('_', "-"), meta.name);
        }
    }

    #[test]
    fn every_rule_documents_the_four_sections() {
        for meta in all() {
            let doc = meta.documentation();
            for heading in ["## What it does", "## Why is this bad?", "## Example", "## Options"] {
                assert!(doc.contains(heading), "{} lacks `{heading}`", meta.name);
            }
            assert!(
                !meta.summary.ends_with('.'),
                "{}: summaries are phrases, not sentences",
                meta.name
            );
        }
    }
}
