use crate::declare_rule;
use crate::finding::Finding;
use crate::layout::IM_START;
use crate::record::{Layout, Record, Role};
use crate::rule::{Facts, RecordRule, RuleMeta, Severity};

declare_rule! {
    /// ## What it does
    /// Reports a chat record that yields no training signal: it has no assistant turn (no
    /// `assistant`/`gpt` message, no `output` or `completion`, no `<|im_start|>assistant` turn in
    /// ChatML text), its assistant turns are empty or whitespace, or a ChatML turn is never closed
    /// with `<|im_end|>`. A warning when the last turn is not the assistant's: a trailing user or
    /// system turn is masked out and teaches nothing.
    ///
    /// ## Why is this bad?
    /// With completion-only masking, a record without an assistant turn contributes zero tokens to
    /// the loss, so the loss curve looks healthy while the model learns nothing from it. VAZHI v3.5's
    /// post-mortem found SFT samples with system and user turns only; an unterminated last turn
    /// teaches the model never to emit `<|im_end|>`, so it never stops.
    ///
    /// ## Example
    /// ```json
    /// {"messages": [{"role": "system", "content": "நீங்கள் VAZHI."}, {"role": "user", "content": "வணக்கம்"}]}
    /// ```
    /// `VZ202 missing-assistant: no assistant turn: this record trains nothing`.
    ///
    /// ## Options
    /// None.
    pub static MISSING_ASSISTANT = {
        code: "VZ202",
        name: "missing-assistant",
        severity: Error,
        scope: Record,
        summary: "A chat record with no assistant turn, an empty one, or an unterminated turn",
    };
}

pub struct MissingAssistant;

impl RecordRule for MissingAssistant {
    fn meta(&self) -> &'static RuleMeta {
        &MISSING_ASSISTANT
    }

    fn check(&self, record: &Record<'_>, _: &Facts, out: &mut Vec<Finding>) {
        if !record.format.is_chat() {
            return;
        }
        if record.format == Layout::Preference {
            let answered = record
                .rejected
                .iter()
                .any(|turn| turn.role == Role::Assistant && !record.turn_text(turn).trim().is_empty());
            if !answered {
                let mut finding = Finding::record(
                    &MISSING_ASSISTANT,
                    record,
                    "the preference pair has no rejected answer: it teaches no preference",
                );
                if let Some(turn) = record.rejected.first() {
                    finding = finding.at(&record.fields[turn.field], turn.content.clone());
                }
                out.push(finding);
            }
        }
        let assistants: Vec<_> = record
            .turns
            .iter()
            .filter(|turn| turn.role == Role::Assistant)
            .collect();
        if assistants.is_empty() {
            let roles: Vec<&str> = record.turns.iter().map(|turn| turn.role.name()).collect();
            let unknown: Vec<&str> = record
                .turns
                .iter()
                .filter(|turn| matches!(turn.role, Role::Unknown(_)))
                .map(|turn| turn.role.name())
                .collect();
            let mut message = if record.format == Layout::ChatMlText {
                format!("no `{IM_START}assistant` turn: this record trains nothing")
            } else {
                "no assistant turn: this record trains nothing".to_owned()
            };
            if !roles.is_empty() {
                message.push_str(&format!(" (turns: {})", roles.join(", ")));
            }
            let mut finding = Finding::record(&MISSING_ASSISTANT, record, message);
            if !unknown.is_empty() {
                finding = finding.help(format!(
                    "roles {unknown:?} are not known; vazhi reads system, user/human, assistant/gpt/model and tool"
                ));
            }
            if let Some(last) = record.turns.last() {
                let field = &record.fields[last.field];
                finding = finding.at(field, last.content.clone()).label("the record ends here");
            }
            out.push(finding);
            return;
        }
        for turn in &assistants {
            if record.turn_text(turn).trim().is_empty() {
                let field = &record.fields[turn.field];
                out.push(
                    Finding::record(
                        &MISSING_ASSISTANT,
                        record,
                        "the assistant turn is empty: it trains nothing",
                    )
                    .at(field, turn.content.clone())
                    .field_name(field.name.to_string()),
                );
            }
        }
        for turn in record.turns.iter().filter(|turn| !turn.terminated) {
            let field = &record.fields[turn.field];
            let end = turn.content.end;
            out.push(
                Finding::record(
                    &MISSING_ASSISTANT,
                    record,
                    format!("the `{}` turn is not closed with `<|im_end|>`", turn.role.name()),
                )
                .at(field, end..end)
                .label("`<|im_end|>` expected here")
                .help("a model trained on unterminated turns never learns to stop"),
            );
        }
        if let Some(last) = record.turns.last()
            && last.role != Role::Assistant
        {
            out.push(
                Finding::record(
                    &MISSING_ASSISTANT,
                    record,
                    format!(
                        "the conversation ends with a `{}` turn, which is not trained",
                        last.role.name()
                    ),
                )
                .severity(Severity::Warning)
                .at(&record.fields[last.field], last.content.clone())
                .help("end each conversation with the assistant's answer"),
            );
        }
    }
}
