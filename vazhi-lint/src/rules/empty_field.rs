use crate::declare_rule;
use crate::finding::Finding;
use crate::record::{Record, Role};
use crate::rule::{Facts, RecordRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports the schema defects vazhi notices while reading a record it can otherwise read: a turn
    /// with no content or a content that is not a string (`null`, a number, a list of parts), a role
    /// that is missing, not a string or not one vazhi knows (`system`, `user`/`human`,
    /// `assistant`/`gpt`/`model`, `tool`), a turn that is not an object, and an empty user prompt.
    /// An empty or missing assistant answer is `missing-assistant`'s to report.
    ///
    /// ## Why is this bad?
    /// Chat templates render these unpredictably: Jinja turns `null` into the text `None`, an unknown
    /// role is dropped by some templates and rejected by others, and an empty prompt teaches the model
    /// to answer a question nobody asked. The trainer's tokenizer does not say which happened.
    ///
    /// ## Example
    /// ```json
    /// {"messages": [{"role": "user", "content": null}, {"role": "assistant", "content": "வணக்கம்!"}]}
    /// ```
    /// `VZ208 empty-field: content is null, not a string`.
    ///
    /// ## Options
    /// None. Which keys hold roles and contents is set under `[fields]`.
    pub static EMPTY_FIELD = {
        code: "VZ208",
        name: "empty-field",
        severity: Error,
        scope: Record,
        summary: "A turn with missing or non-string content, an unknown role, or an empty prompt",
    };
}

pub struct EmptyField;

impl RecordRule for EmptyField {
    fn meta(&self) -> &'static RuleMeta {
        &EMPTY_FIELD
    }

    fn check(&self, record: &Record<'_>, _: &Facts, out: &mut Vec<Finding>) {
        for problem in &record.problems {
            out.push(
                Finding::record(&EMPTY_FIELD, record, problem.message.clone()).field_name(problem.field.to_string()),
            );
        }
        if !record.format.is_chat() {
            return;
        }
        for turn in &record.turns {
            let field = &record.fields[turn.field];
            // A field already reported as missing or mistyped is not reported again as empty.
            if record.problems.iter().any(|problem| problem.field == field.name) {
                continue;
            }
            match &turn.role {
                Role::Unknown(name) if !name.is_empty() => out.push(
                    Finding::record(&EMPTY_FIELD, record, format!("unknown role `{name}`"))
                        .field_name(field.name.to_string())
                        .help("use system, user, assistant or tool (ShareGPT: system, human, gpt)"),
                ),
                Role::User if record.turn_text(turn).trim().is_empty() => out.push(
                    Finding::record(&EMPTY_FIELD, record, "the user prompt is empty")
                        .at(field, turn.content.clone())
                        .label("empty"),
                ),
                _ => {}
            }
        }
    }
}
