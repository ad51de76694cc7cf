//! Which keys (JSON) or columns (Parquet) hold which part of a record. Configurable under `[fields]`
//! because every dataset repository names them its own way.

use serde::Deserialize;

/// The part of a record a key holds. The order is the order in which the reader decides the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Messages = 0,
    Instruction,
    Input,
    Output,
    System,
    Prompt,
    Completion,
    Chosen,
    Rejected,
    Text,
    Language,
    Category,
}

pub const SLOT_COUNT: usize = 12;

impl Slot {
    /// Slots whose value may be a list of turns as well as a string: `messages`, and TRL's
    /// conversational prompt/completion and preference layouts.
    pub fn takes_turns(self) -> bool {
        matches!(
            self,
            Slot::Messages | Slot::Prompt | Slot::Completion | Slot::Chosen | Slot::Rejected
        )
    }
}

/// Resolved field names; each list is in priority order (the first key present wins).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldMap {
    pub messages: Vec<String>,
    pub role: Vec<String>,
    pub content: Vec<String>,
    pub instruction: Vec<String>,
    pub input: Vec<String>,
    pub output: Vec<String>,
    pub system: Vec<String>,
    pub prompt: Vec<String>,
    pub completion: Vec<String>,
    pub chosen: Vec<String>,
    pub rejected: Vec<String>,
    pub text: Vec<String>,
    pub language: Vec<String>,
    pub category: Vec<String>,
    /// Members of a JSON document's top-level object that hold its records, in priority order.
    pub records: Vec<String>,
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| (*name).to_owned()).collect()
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            messages: names(&["messages", "conversations", "conversation"]),
            role: names(&["role", "from"]),
            content: names(&["content", "value"]),
            // question/answer and query/response are the same shape as Alpaca's instruction/output.
            instruction: names(&["instruction", "question", "query"]),
            input: names(&["input"]),
            output: names(&["output", "response", "answer"]),
            system: names(&["system"]),
            prompt: names(&["prompt"]),
            completion: names(&["completion"]),
            chosen: names(&["chosen"]),
            rejected: names(&["rejected"]),
            text: names(&["text"]),
            language: names(&["language", "lang", "language_label"]),
            category: names(&["pack", "category", "source", "domain"]),
            records: names(&[
                "samples",
                "data",
                "records",
                "examples",
                "rows",
                "instances",
                "items",
                "translated_samples",
                "poems",
                "entries",
                "dataset",
                "train",
            ]),
        }
    }
}

impl FieldMap {
    pub fn slot_names(&self, slot: Slot) -> &[String] {
        match slot {
            Slot::Messages => &self.messages,
            Slot::Instruction => &self.instruction,
            Slot::Input => &self.input,
            Slot::Output => &self.output,
            Slot::System => &self.system,
            Slot::Prompt => &self.prompt,
            Slot::Completion => &self.completion,
            Slot::Chosen => &self.chosen,
            Slot::Rejected => &self.rejected,
            Slot::Text => &self.text,
            Slot::Language => &self.language,
            Slot::Category => &self.category,
        }
    }

    pub const SLOTS: [Slot; SLOT_COUNT] = [
        Slot::Messages,
        Slot::Instruction,
        Slot::Input,
        Slot::Output,
        Slot::System,
        Slot::Prompt,
        Slot::Completion,
        Slot::Chosen,
        Slot::Rejected,
        Slot::Text,
        Slot::Language,
        Slot::Category,
    ];

    /// The slot a top-level key fills and its priority within that slot (lower wins).
    pub fn classify(&self, key: &str) -> Option<(Slot, usize)> {
        Self::SLOTS.iter().find_map(|&slot| {
            self.slot_names(slot)
                .iter()
                .position(|name| name == key)
                .map(|priority| (slot, priority))
        })
    }

    /// For a member of a `messages` element: 0 = role, 1 = content.
    pub fn classify_member(&self, key: &str) -> Option<(usize, usize)> {
        if let Some(priority) = self.role.iter().position(|name| name == key) {
            return Some((0, priority));
        }
        self.content
            .iter()
            .position(|name| name == key)
            .map(|priority| (1, priority))
    }
}

/// `[fields]` in vazhi.toml: each key replaces the default list of names.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FieldOptions {
    /// List of `{role, content}` turns. Default `["messages", "conversations", "conversation"]`.
    pub messages: Option<Vec<String>>,
    /// Role key inside a turn. Default `["role", "from"]`.
    pub role: Option<Vec<String>>,
    /// Content key inside a turn. Default `["content", "value"]`.
    pub content: Option<Vec<String>>,
    /// The question of an instruction/answer record. Default `["instruction", "question", "query"]`.
    pub instruction: Option<Vec<String>>,
    /// Alpaca's optional input. Default `["input"]`.
    pub input: Option<Vec<String>>,
    /// The answer of an instruction/answer record. Default `["output", "response", "answer"]`.
    pub output: Option<Vec<String>>,
    /// A system prompt beside an instruction or prompt. Default `["system"]`.
    pub system: Option<Vec<String>>,
    /// A prompt: a string, or a list of turns (TRL's conversational layout). Default `["prompt"]`.
    pub prompt: Option<Vec<String>>,
    /// A completion: a string or a list of turns. Default `["completion"]`.
    pub completion: Option<Vec<String>>,
    /// The preferred answer of a preference pair. Default `["chosen"]`.
    pub chosen: Option<Vec<String>>,
    /// The worse answer of a preference pair. Default `["rejected"]`.
    pub rejected: Option<Vec<String>>,
    /// Plain text, or ChatML text with `<|im_start|>` turns. Default `["text"]`.
    pub text: Option<Vec<String>>,
    /// The record's language label. Default `["language", "lang", "language_label"]`.
    pub language: Option<Vec<String>>,
    /// The record's category. Default `["pack", "category", "source", "domain"]`.
    pub category: Option<Vec<String>>,
    /// Members of a JSON document's top-level object that hold the records (like `field=` of
    /// `load_dataset("json", …)`). Default `["samples", "data", "records", "examples", "rows",
    /// "instances", "items", "translated_samples", "poems", "entries", "dataset",
    /// "train"]`; failing those,
    /// the one member that is a list of objects.
    pub records: Option<Vec<String>>,
}

impl FieldOptions {
    pub fn resolve(self) -> FieldMap {
        let default = FieldMap::default();
        FieldMap {
            messages: self.messages.unwrap_or(default.messages),
            role: self.role.unwrap_or(default.role),
            content: self.content.unwrap_or(default.content),
            instruction: self.instruction.unwrap_or(default.instruction),
            input: self.input.unwrap_or(default.input),
            output: self.output.unwrap_or(default.output),
            system: self.system.unwrap_or(default.system),
            prompt: self.prompt.unwrap_or(default.prompt),
            completion: self.completion.unwrap_or(default.completion),
            chosen: self.chosen.unwrap_or(default.chosen),
            rejected: self.rejected.unwrap_or(default.rejected),
            text: self.text.unwrap_or(default.text),
            language: self.language.unwrap_or(default.language),
            category: self.category.unwrap_or(default.category),
            records: self.records.unwrap_or(default.records),
        }
    }
}
