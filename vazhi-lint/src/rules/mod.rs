//! Every rule, one file each, and the one table that lists them.

pub mod category_skew;
pub mod duplicate;
pub mod empty_field;
pub mod foreign_script;
pub mod invalid_record;
pub mod kural_mismatch;
pub mod legacy_encoding;
pub mod mislabeled_language;
pub mod missing_assistant;
pub mod mixed_format;
pub mod mojibake;
pub mod not_nfc;
pub mod over_long_prompt;
pub mod repetition;
pub mod romanised_tamil;
pub mod tamil_ratio;
pub mod tamil_unicode;
pub mod template_leak;
pub mod think_leak;
pub mod truncated_response;

use crate::rule::{DatasetRule, RecordRule, RuleMeta};
use crate::settings::Settings;

/// How the engine gets a runnable rule from the settings.
pub enum Build {
    /// Reported by the readers; nothing to run.
    Reader,
    Record(fn(&Settings) -> Box<dyn RecordRule>),
    /// A record rule that needs configuration to run at all (the token rules: a tokenizer).
    RecordIf(fn(&Settings) -> Option<Box<dyn RecordRule>>),
    Dataset(fn(&Settings) -> Box<dyn DatasetRule>),
}

pub struct RuleEntry {
    pub meta: &'static RuleMeta,
    pub build: Build,
}

/// All rules, in code order. Adding a rule: its file, one line here, its options in settings.
#[rustfmt::skip]
pub static REGISTRY: &[RuleEntry] = &[
    RuleEntry { meta: &invalid_record::INVALID_RECORD, build: Build::Reader },
    RuleEntry { meta: &tamil_ratio::TAMIL_RATIO, build: Build::Record(|s| Box::new(tamil_ratio::TamilRatio(s.rules.tamil_ratio.clone()))) },
    RuleEntry { meta: &mislabeled_language::MISLABELED_LANGUAGE, build: Build::Record(|s| Box::new(mislabeled_language::MislabeledLanguage(s.rules.mislabeled_language.clone()))) },
    RuleEntry { meta: &foreign_script::FOREIGN_SCRIPT, build: Build::Record(|s| Box::new(foreign_script::ForeignScript(s.rules.foreign_script.clone()))) },
    RuleEntry { meta: &romanised_tamil::ROMANISED_TAMIL, build: Build::Record(|s| Box::new(romanised_tamil::RomanisedTamil(s.rules.romanised_tamil.clone()))) },
    RuleEntry { meta: &mixed_format::MIXED_FORMAT, build: Build::Dataset(|_| Box::new(mixed_format::MixedFormat)) },
    RuleEntry { meta: &missing_assistant::MISSING_ASSISTANT, build: Build::Record(|_| Box::new(missing_assistant::MissingAssistant)) },
    RuleEntry { meta: &think_leak::THINK_LEAK, build: Build::Record(|_| Box::new(think_leak::ThinkLeak)) },
    RuleEntry { meta: &template_leak::TEMPLATE_LEAK, build: Build::Record(|s| Box::new(template_leak::TemplateLeak(s.rules.template_leak.clone()))) },
    RuleEntry { meta: &repetition::REPETITION, build: Build::Record(|s| Box::new(repetition::Repetition::new(&s.rules.repetition))) },
    RuleEntry { meta: &duplicate::DUPLICATE, build: Build::Dataset(|s| Box::new(duplicate::Duplicate(s.rules.duplicate.clone()))) },
    RuleEntry { meta: &category_skew::CATEGORY_SKEW, build: Build::Dataset(|s| Box::new(category_skew::CategorySkew(s.rules.category_skew.clone()))) },
    RuleEntry { meta: &empty_field::EMPTY_FIELD, build: Build::Record(|_| Box::new(empty_field::EmptyField)) },
    RuleEntry { meta: &over_long_prompt::OVER_LONG_PROMPT, build: Build::RecordIf(|s| s.tokens.clone().map(|t| Box::new(over_long_prompt::OverLongPrompt(t)) as Box<dyn RecordRule>)) },
    RuleEntry { meta: &truncated_response::TRUNCATED_RESPONSE, build: Build::RecordIf(|s| s.tokens.clone().map(|t| Box::new(truncated_response::TruncatedResponse(t)) as Box<dyn RecordRule>)) },
    RuleEntry { meta: &kural_mismatch::KURAL_MISMATCH, build: Build::Record(|_| Box::new(kural_mismatch::KuralMismatch)) },
    RuleEntry { meta: &tamil_unicode::TAMIL_UNICODE, build: Build::Record(|_| Box::new(tamil_unicode::TamilUnicode)) },
    RuleEntry { meta: &mojibake::MOJIBAKE, build: Build::Record(|_| Box::new(mojibake::MojibakeRule)) },
    RuleEntry { meta: &legacy_encoding::LEGACY_ENCODING, build: Build::Record(|_| Box::new(legacy_encoding::LegacyEncoding)) },
    RuleEntry { meta: &not_nfc::NOT_NFC, build: Build::Record(|_| Box::new(not_nfc::NotNfc)) },
];

pub fn all() -> impl Iterator<Item = &'static RuleMeta> {
    REGISTRY.iter().map(|entry| entry.meta)
}

/// A rule by code (`VZ101`) or name (`tamil-ratio`), any case.
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    all().find(|meta| meta.code.eq_ignore_ascii_case(code_or_name) || meta.name.eq_ignore_ascii_case(code_or_name))
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
