//! Decides a record's layout from the fields it has and builds the normalised [`Record`]. Shared by
//! the JSON and Parquet readers, so the same record gives the same findings in either container.

use std::borrow::Cow;
use std::ops::Range;

use crate::fields::{SLOT_COUNT, Slot};
use crate::record::{
    FieldName, FieldProblem, Fields, Layout, Position, RawSpan, Record, Role, Source, TextField, Turn, Turns,
};

/// A value as a reader found it, before the layout is known.
#[derive(Debug)]
pub enum Value<'a> {
    /// A string, with where its JSON literal is when there is one.
    Str(Cow<'a, str>, Option<RawSpan<'a>>),
    Null,
    /// A list of turns (`messages`, `conversations`).
    Turns(Vec<RawTurn<'a>>),
    /// Any other JSON type, named for the message.
    Other(&'static str),
}

/// One element of a `messages` list: its role and content members, if present.
#[derive(Debug, Default)]
pub struct RawTurn<'a> {
    pub role: Option<(&'a str, Value<'a>)>,
    pub content: Option<(&'a str, Value<'a>)>,
    /// Set when the element is not an object at all.
    pub not_object: Option<&'static str>,
    /// Content parts that are not text (an OpenAI-style `content` list's images or audio).
    pub media: u32,
}

/// A field that was found, with the configured name it matched.
#[derive(Debug)]
pub struct Picked<'a> {
    pub key: &'a str,
    pub priority: usize,
    pub value: Value<'a>,
}

/// The fields of one record, indexed by [`Slot`].
pub type Slots<'a> = [Option<Picked<'a>>; SLOT_COUNT];

pub fn empty_slots<'a>() -> Slots<'a> {
    std::array::from_fn(|_| None)
}

/// Keeps the highest-priority key of each slot.
pub fn offer<'a>(slots: &mut Slots<'a>, slot: Slot, picked: Picked<'a>) {
    let entry = &mut slots[slot as usize];
    if entry.as_ref().is_none_or(|have| picked.priority < have.priority) {
        *entry = Some(picked);
    }
}

/// Why a record could not be read; reported as `invalid-record` at the record's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutError {
    pub message: String,
    pub field: Option<String>,
    /// The record has no field vazhi reads as text at all (as opposed to one of the wrong type).
    pub no_text_field: bool,
}

impl LayoutError {
    fn new(message: impl Into<String>, field: Option<String>) -> Self {
        LayoutError {
            message: message.into(),
            field,
            no_text_field: false,
        }
    }
}

/// The message of a record with no text field vazhi reads.
pub const NO_TEXT_FIELD: &str = "no text field vazhi understands (looked for messages/conversations, instruction/output, question/answer, prompt/completion, prompt/chosen/rejected, text; see [fields] in vazhi.toml)";

struct Builder<'a> {
    fields: Fields<'a>,
    turns: Turns<'a>,
    problems: Vec<FieldProblem<'a>>,
    media: u32,
}

impl<'a> Builder<'a> {
    fn push_field(&mut self, name: FieldName<'a>, text: Cow<'a, str>, raw: Option<RawSpan<'a>>) -> usize {
        self.fields.push(TextField { name, text, raw });
        self.fields.len() - 1
    }

    /// A whole field as one turn. Null or absent fields make no turn; other types are problems.
    fn field_turn(&mut self, picked: Option<Picked<'a>>, role: Role<'a>) {
        let Some(picked) = picked else { return };
        let name = FieldName::top(picked.key);
        match picked.value {
            Value::Str(text, raw) => {
                let len = text.len();
                let field = self.push_field(name, text, raw);
                self.turns.push(Turn {
                    role,
                    field,
                    content: 0..len,
                    terminated: true,
                });
            }
            Value::Null => {}
            Value::Turns(_) => self.problems.push(FieldProblem {
                field: name,
                message: "expected a string, found an array".into(),
            }),
            Value::Other(found) => self.problems.push(FieldProblem {
                field: name,
                message: format!("expected a string, found {found}"),
            }),
        }
    }

    /// A field that is a string (one turn of `role`) or a list of turns (TRL's conversational
    /// prompt, completion, chosen and rejected).
    fn field_or_turns(&mut self, picked: Option<Picked<'a>>, role: Role<'a>) {
        match picked {
            Some(Picked {
                key,
                value: Value::Turns(turns),
                ..
            }) => {
                push_turns(self, key, turns);
            }
            other => self.field_turn(other, role),
        }
    }
}

fn label<'a>(picked: Option<Picked<'a>>) -> Option<Cow<'a, str>> {
    match picked?.value {
        Value::Str(text, _) => Some(text),
        _ => None,
    }
}

/// Builds the record, or says why the line holds no record vazhi understands.
/// Takes the fields out of `slots` (which the caller fills in place: moving the ~800-byte array
/// through the parser's return values was a tenth of the parse time).
pub fn assemble<'a>(slots: &mut Slots<'a>, source: &'a Source, position: Position) -> Result<Record<'a>, LayoutError> {
    let mut take = |slot: Slot| slots[slot as usize].take();
    let messages = take(Slot::Messages);
    let instruction = take(Slot::Instruction);
    let input = take(Slot::Input);
    let output = take(Slot::Output);
    let system = take(Slot::System);
    let prompt = take(Slot::Prompt);
    let completion = take(Slot::Completion);
    let chosen = take(Slot::Chosen);
    let rejected = take(Slot::Rejected);
    let text = take(Slot::Text);
    // A record's own label wins over the one its file gives.
    let language = label(take(Slot::Language)).or_else(|| source.context.language.as_deref().map(Cow::Borrowed));
    let category = label(take(Slot::Category)).or_else(|| source.context.category.as_deref().map(Cow::Borrowed));

    let mut builder = Builder {
        fields: Fields::new(),
        turns: Turns::new(),
        problems: Vec::new(),
        media: 0,
    };
    let mut rejected_turns = Turns::new();
    let format = if let Some(messages) = messages {
        conversation(&mut builder, messages)?
    } else if chosen.is_some() || rejected.is_some() {
        builder.field_turn(system, Role::System);
        builder.field_or_turns(prompt, Role::User);
        builder.field_or_turns(chosen, Role::Assistant);
        // The rejected answer's turns are kept apart from the conversation that is trained on.
        let main = builder.turns.len();
        builder.field_or_turns(rejected, Role::Assistant);
        rejected_turns.extend(builder.turns.drain(main..));
        Layout::Preference
    } else if instruction.is_some() || output.is_some() {
        builder.field_turn(system, Role::System);
        builder.field_turn(instruction, Role::User);
        // Alpaca's `input` is optional; an empty one means "no input", not an empty prompt.
        let input = input.filter(|picked| !matches!(&picked.value, Value::Str(text, _) if text.trim().is_empty()));
        builder.field_turn(input, Role::User);
        builder.field_turn(output, Role::Assistant);
        Layout::Alpaca
    } else if prompt.is_some() || completion.is_some() {
        builder.field_turn(system, Role::System);
        builder.field_or_turns(prompt, Role::User);
        builder.field_or_turns(completion, Role::Assistant);
        Layout::PromptCompletion
    } else if let Some(text) = text {
        let name = FieldName::top(text.key);
        match text.value {
            Value::Str(text, raw) => chat_or_raw(&mut builder, name, text, raw),
            Value::Null => {
                return Err(LayoutError::new(
                    format!("`{}` is null", name.key),
                    Some(name.key.to_owned()),
                ));
            }
            Value::Turns(_) => {
                return Err(LayoutError::new(
                    format!("`{}` is an array, not a string", name.key),
                    Some(name.key.to_owned()),
                ));
            }
            Value::Other(found) => {
                return Err(LayoutError::new(
                    format!("`{}` is {found}, not a string", name.key),
                    Some(name.key.to_owned()),
                ));
            }
        }
    } else {
        return Err(LayoutError {
            no_text_field: true,
            ..LayoutError::new(NO_TEXT_FIELD, None)
        });
    };
    let record = Record {
        source,
        position,
        format,
        fields: builder.fields,
        turns: builder.turns,
        rejected: rejected_turns,
        media: builder.media,
        language,
        category,
        element: None,
        problems: builder.problems,
    };
    Ok(record)
}

fn conversation<'a>(builder: &mut Builder<'a>, messages: Picked<'a>) -> Result<Layout, LayoutError> {
    let key = messages.key;
    let turns = match messages.value {
        Value::Turns(turns) => turns,
        Value::Str(..) => {
            return Err(LayoutError::new(
                format!("`{key}` is a string, not a list of turns"),
                Some(key.to_owned()),
            ));
        }
        Value::Null => return Err(LayoutError::new(format!("`{key}` is null"), Some(key.to_owned()))),
        Value::Other(found) => {
            return Err(LayoutError::new(
                format!("`{key}` is {found}, not a list of turns"),
                Some(key.to_owned()),
            ));
        }
    };
    Ok(if push_turns(builder, key, turns) {
        Layout::ShareGpt
    } else {
        Layout::Messages
    })
}

/// Appends a list of turns read from `key`; true when they are ShareGPT's `from`/`value` turns.
fn push_turns<'a>(builder: &mut Builder<'a>, key: &'a str, turns: Vec<RawTurn<'a>>) -> bool {
    // ShareGPT names its members from/value; everything else is the role/content convention.
    let sharegpt = turns.iter().any(|turn| matches!(turn.role, Some(("from", _))));
    for (index, turn) in turns.into_iter().enumerate() {
        builder.media += turn.media;
        if let Some(found) = turn.not_object {
            builder.problems.push(FieldProblem {
                field: FieldName {
                    key,
                    index: Some(u32::try_from(index).unwrap_or(u32::MAX)),
                    member: None,
                },
                message: format!("turn is {found}, not an object"),
            });
            continue;
        }
        let role = match turn.role {
            Some((_, Value::Str(name, _))) => Role::parse(name),
            Some((member, other)) => {
                builder.problems.push(FieldProblem {
                    field: FieldName::element(key, index, member),
                    message: format!("role is {}, not a string", value_type(&other)),
                });
                Role::Unknown(Cow::Borrowed(""))
            }
            None => {
                builder.problems.push(FieldProblem {
                    field: FieldName::element(key, index, "role"),
                    message: "turn has no role".into(),
                });
                Role::Unknown(Cow::Borrowed(""))
            }
        };
        let (member, text, raw) = match turn.content {
            Some((member, Value::Str(text, raw))) => (member, text, raw),
            Some((member, other)) => {
                builder.problems.push(FieldProblem {
                    field: FieldName::element(key, index, member),
                    message: format!("content is {}, not a string", value_type(&other)),
                });
                (member, Cow::Borrowed(""), None)
            }
            None => {
                builder.problems.push(FieldProblem {
                    field: FieldName::element(key, index, "content"),
                    message: "turn has no content".into(),
                });
                ("content", Cow::Borrowed(""), None)
            }
        };
        let len = text.len();
        let field = builder.push_field(FieldName::element(key, index, member), text, raw);
        builder.turns.push(Turn {
            role,
            field,
            content: 0..len,
            terminated: true,
        });
    }
    sharegpt
}

fn value_type(value: &Value<'_>) -> &'static str {
    match value {
        Value::Str(..) => "a string",
        Value::Null => "null",
        Value::Turns(_) => "an array",
        Value::Other(found) => found,
    }
}

pub const IM_START: &str = "<|im_start|>";
pub const IM_END: &str = "<|im_end|>";

fn chat_or_raw<'a>(
    builder: &mut Builder<'a>,
    name: FieldName<'a>,
    text: Cow<'a, str>,
    raw: Option<RawSpan<'a>>,
) -> Layout {
    let turns = chatml_turns(&text);
    let len = text.len();
    let field = builder.push_field(name, text, raw);
    if turns.is_empty() {
        builder.turns.push(Turn {
            role: Role::Unknown(Cow::Borrowed("")),
            field,
            content: 0..len,
            terminated: true,
        });
        return Layout::Raw;
    }
    for (role, content, terminated) in turns {
        builder.turns.push(Turn {
            role: Role::parse(Cow::Owned(role)),
            field,
            content,
            terminated,
        });
    }
    Layout::ChatMlText
}

/// Splits ChatML text into `(role, content range, terminated)`. A turn runs from the newline after
/// `<|im_start|>role` to `<|im_end|>`; one cut short by the next `<|im_start|>` or the end of the
/// text is unterminated (the model would never learn to stop).
pub fn chatml_turns(text: &str) -> Vec<(String, Range<usize>, bool)> {
    let mut turns = Vec::new();
    let mut cursor = 0;
    while let Some(found) = text[cursor..].find(IM_START) {
        let header = cursor + found + IM_START.len();
        let rest = &text[header..];
        let next_start = rest.find(IM_START).map_or(text.len(), |at| header + at);
        let role_end = rest.find('\n').map_or(next_start, |at| (header + at).min(next_start));
        let role = text[header..role_end].trim().to_owned();
        let content_start = if role_end < next_start { role_end + 1 } else { role_end };
        let (content_end, terminated, after) = match text[content_start..next_start].find(IM_END) {
            Some(at) => (content_start + at, true, content_start + at + IM_END.len()),
            None => (next_start, false, next_start),
        };
        turns.push((role, content_start..content_end, terminated));
        cursor = after;
    }
    turns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatml_turns_split_roles_and_content() {
        let text = "<|im_start|>user\nவணக்கம்<|im_end|>\n<|im_start|>assistant\nவணக்கம்!<|im_end|>\n";
        let turns = chatml_turns(text);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].0, "user");
        assert_eq!(&text[turns[0].1.clone()], "வணக்கம்");
        assert_eq!(&text[turns[1].1.clone()], "வணக்கம்!");
        assert!(turns.iter().all(|turn| turn.2));
    }

    #[test]
    fn chatml_turn_without_im_end_is_unterminated() {
        let text = "<|im_start|>user\nகேள்வி<|im_end|>\n<|im_start|>assistant\nபதில் பாதியில்";
        let turns = chatml_turns(text);
        assert_eq!(turns[1].0, "assistant");
        assert_eq!(&text[turns[1].1.clone()], "பதில் பாதியில்");
        assert!(!turns[1].2);
    }

    #[test]
    fn text_without_chatml_markers_has_no_turns() {
        assert!(chatml_turns("யாதும் ஊரே யாவரும் கேளிர்").is_empty());
    }
}
