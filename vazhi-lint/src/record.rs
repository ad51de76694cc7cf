//! The record model: every corpus layout (ChatML text, `messages`, ShareGPT, Alpaca, prompt/completion,
//! raw text; JSONL or Parquet) is normalised into one [`Record`] so rules are written once.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use smallvec::SmallVec;

/// Where a record lives: a 1-based line of a JSON/JSONL file, or a 0-based row of a Parquet file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    Line(u64),
    Row(u64),
}

impl Position {
    pub fn line(self) -> Option<u64> {
        match self {
            Position::Line(line) => Some(line),
            Position::Row(_) => None,
        }
    }

    pub fn row(self) -> Option<u64> {
        match self {
            Position::Row(row) => Some(row),
            Position::Line(_) => None,
        }
    }
}

impl Position {
    /// Names a record for a message about another record: `line 3` in the same file,
    /// `other.jsonl:3` or `other.parquet (row 2)` elsewhere.
    pub fn describe(self, path: &Path, from: &Path) -> String {
        match (path == from, self) {
            (true, Position::Line(line)) => format!("line {line}"),
            (true, Position::Row(row)) => format!("row {row}"),
            (false, Position::Line(line)) => format!("{}:{line}", path.display()),
            (false, Position::Row(row)) => format!("{} (row {row})", path.display()),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(line) => write!(f, "{line}"),
            Position::Row(row) => write!(f, "row {row}"),
        }
    }
}

/// One input file as the engine sees it. Shared by every record read from it.
#[derive(Debug)]
pub struct Source {
    pub path: Arc<Path>,
    /// Index into the run's datasets: records of one dataset are judged together.
    pub dataset: usize,
    /// Labels the file gives every record that has none of its own.
    pub context: FileContext,
}

impl Source {
    pub fn new(path: Arc<Path>, dataset: usize) -> Source {
        Source {
            path,
            dataset,
            context: FileContext::default(),
        }
    }
}

/// Labels a file gives its records: the batch metadata of a JSON document that wraps them
/// (`{"language": "pure_tamil", "pack": "vazhi_sattam", "samples": […]}`), which is what its author
/// meant for every record in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileContext {
    pub language: Option<String>,
    pub category: Option<String>,
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

/// The layout a record was written in. Mixing classes in one SFT set is what made VAZHI v3.1
/// answer "systemsystemsystem…".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Layout {
    /// A `text` field holding `<|im_start|>role … <|im_end|>` turns.
    ChatMlText,
    /// A `messages` list of `{role, content}` objects (OpenAI / Hugging Face chat layout).
    Messages,
    /// A `conversations` list of `{from, value}` objects.
    ShareGpt,
    /// `instruction` / `input` / `output`.
    Alpaca,
    /// `prompt` / `completion`, each a string or a list of turns.
    PromptCompletion,
    /// A preference pair: `prompt` with `chosen` and `rejected` answers (TRL's DPO layout).
    Preference,
    /// Plain `text` with no chat structure: continued-pretraining (DAPT) data.
    Raw,
}

impl Layout {
    pub const ALL: [Layout; 7] = [
        Layout::ChatMlText,
        Layout::Messages,
        Layout::ShareGpt,
        Layout::Alpaca,
        Layout::PromptCompletion,
        Layout::Preference,
        Layout::Raw,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layout::ChatMlText => "chatml-text",
            Layout::Messages => "messages",
            Layout::ShareGpt => "sharegpt",
            Layout::Alpaca => "alpaca",
            Layout::PromptCompletion => "prompt-completion",
            Layout::Preference => "preference",
            Layout::Raw => "raw",
        }
    }

    /// Chat records train on assistant turns; raw text trains on everything.
    pub fn is_chat(self) -> bool {
        self != Layout::Raw
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Who speaks a turn. Unknown roles are kept verbatim so a rule can name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role<'a> {
    System,
    User,
    Assistant,
    Tool,
    Unknown(Cow<'a, str>),
}

impl<'a> Role<'a> {
    /// Maps the role names of the OpenAI, ShareGPT and Gemma conventions.
    pub fn parse(name: Cow<'a, str>) -> Role<'a> {
        match name.trim() {
            "system" => Role::System,
            "user" | "human" => Role::User,
            "assistant" | "gpt" | "model" | "chatgpt" | "bot" => Role::Assistant,
            "tool" | "function" | "observation" | "ipython" => Role::Tool,
            _ => Role::Unknown(name),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
            Role::Unknown(name) => name,
        }
    }
}

/// The name of a text field, as a path into the record: `output`, `messages[2].content`, `text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldName<'a> {
    pub key: &'a str,
    /// Index into a list field (`messages[2]`).
    pub index: Option<u32>,
    /// Key inside the list element (`content`, `value`).
    pub member: Option<&'a str>,
}

impl<'a> FieldName<'a> {
    pub fn top(key: &'a str) -> Self {
        FieldName {
            key,
            index: None,
            member: None,
        }
    }

    pub fn element(key: &'a str, index: usize, member: &'a str) -> Self {
        FieldName {
            key,
            index: Some(u32::try_from(index).unwrap_or(u32::MAX)),
            member: Some(member),
        }
    }
}

impl fmt::Display for FieldName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key)?;
        if let Some(index) = self.index {
            write!(f, "[{index}]")?;
        }
        if let Some(member) = self.member {
            write!(f, ".{member}")?;
        }
        Ok(())
    }
}

/// Where a JSON string literal sits: the record's source text and the literal's byte range in it
/// (quotes included).
#[derive(Debug, Clone)]
pub struct RawSpan<'a> {
    pub source: &'a str,
    pub range: Range<usize>,
}

/// One text value of a record, decoded, with where it sits in the source.
#[derive(Debug, Clone)]
pub struct TextField<'a> {
    pub name: FieldName<'a>,
    pub text: Cow<'a, str>,
    /// `None` for Parquet, which has no source text.
    pub raw: Option<RawSpan<'a>>,
}

impl TextField<'_> {
    /// Maps a byte offset in the decoded text to a 1-based column, in Unicode code points, of the
    /// record's source text. Exact when the literal had no escapes (decoded and raw bytes then
    /// coincide); otherwise the column of the literal's opening quote. Only called for findings.
    pub fn source_column(&self, offset: usize) -> Option<usize> {
        let raw = self.raw.as_ref()?;
        let unescaped = raw.range.len() == self.text.len() + 2;
        let byte = if unescaped {
            raw.range.start + 1 + offset
        } else {
            raw.range.start
        };
        let before = raw.source.get(..byte)?;
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        Some(before[line_start..].chars().count() + 1)
    }

    /// Lines between the record's first line and the one its literal starts on (JSON strings hold
    /// no raw line breaks, so the whole value is on that line). Only called for findings.
    pub fn source_line_offset(&self) -> Option<u64> {
        let raw = self.raw.as_ref()?;
        let before = raw.source.get(..raw.range.start)?;
        Some(memchr::memchr_iter(b'\n', before.as_bytes()).count() as u64)
    }
}

/// A turn of a conversation: a role and where its content is (a range of one field's text).
#[derive(Debug, Clone)]
pub struct Turn<'a> {
    pub role: Role<'a>,
    pub field: usize,
    pub content: Range<usize>,
    /// False for a ChatML turn with no closing `<|im_end|>`.
    pub terminated: bool,
}

/// Text fields and turns a record keeps without a heap allocation: a system prompt, a question and
/// an answer, and one more, which covers nearly every SFT record.
pub const INLINE_TURNS: usize = 4;

pub type Fields<'a> = SmallVec<[TextField<'a>; INLINE_TURNS]>;
pub type Turns<'a> = SmallVec<[Turn<'a>; INLINE_TURNS]>;

/// A training record, normalised whatever its layout.
#[derive(Debug)]
pub struct Record<'a> {
    pub source: &'a Source,
    pub position: Position,
    pub format: Layout,
    /// Every text field the reader understood, in document order.
    pub fields: Fields<'a>,
    /// The conversation; for raw text, one turn with [`Role::Unknown`] empty name covering the text.
    /// For a preference pair: the prompt and the chosen answer, which is the training target.
    pub turns: Turns<'a>,
    /// A preference pair's rejected answer. It is meant to be worse, so only the format rules
    /// (template and think leaks, missing turns, the token window) judge it.
    pub rejected: Turns<'a>,
    /// Content parts that are not text (images, audio) in OpenAI-style `content` lists.
    pub media: u32,
    /// The record's own language label (`language`, `lang`, …), if any.
    pub language: Option<Cow<'a, str>>,
    /// The record's category (`pack`, `category`, `source`, `domain`), if any.
    pub category: Option<Cow<'a, str>>,
    /// The record's 0-based index in its array, in a JSON document.
    pub element: Option<u64>,
    /// Structural defects the reader noticed but could read past.
    pub problems: Vec<FieldProblem<'a>>,
}

/// A structural defect inside an otherwise readable record (a turn with no content, a role that is
/// not a string), kept so a schema rule can report it beside the record's other findings.
#[derive(Debug, Clone)]
pub struct FieldProblem<'a> {
    pub field: FieldName<'a>,
    pub message: String,
}

/// A piece of text a rule looks at: which field, and which bytes of it.
#[derive(Debug, Clone)]
pub struct Segment<'r, 'a> {
    pub field: &'r TextField<'a>,
    pub range: Range<usize>,
}

impl<'r, 'a> Segment<'r, 'a> {
    pub fn text(&self) -> &'r str {
        &self.field.text[self.range.clone()]
    }

    /// Turns a range relative to [`Segment::text`] into one relative to the field's text.
    pub fn to_field(&self, local: Range<usize>) -> Range<usize> {
        self.range.start + local.start..self.range.start + local.end
    }
}

impl<'a> Record<'a> {
    pub fn path(&self) -> &Path {
        &self.source.path
    }

    pub fn turn_text(&self, turn: &Turn<'a>) -> &str {
        &self.fields[turn.field].text[turn.content.clone()]
    }

    /// Whether the model is trained to produce this turn: an assistant turn of a chat record, or
    /// the text of a raw one.
    pub fn is_target(&self, turn: &Turn<'a>) -> bool {
        !self.format.is_chat() || turn.role == Role::Assistant
    }

    /// What the model is trained to produce: assistant turns of chat records, all of a raw text.
    pub fn targets(&self) -> impl Iterator<Item = Segment<'_, 'a>> {
        self.turns
            .iter()
            .filter(|turn| self.is_target(turn))
            .map(|turn| Segment {
                field: &self.fields[turn.field],
                range: turn.content.clone(),
            })
    }

    /// One turn's content as a segment.
    pub fn segment(&self, turn: &Turn<'a>) -> Segment<'_, 'a> {
        Segment {
            field: &self.fields[turn.field],
            range: turn.content.clone(),
        }
    }

    /// A preference pair's rejected turns: what the format rules judge besides the conversation.
    pub fn rejected_segments(&self) -> impl Iterator<Item = Segment<'_, 'a>> {
        self.rejected.iter().map(|turn| Segment {
            field: &self.fields[turn.field],
            range: turn.content.clone(),
        })
    }

    /// Every turn's content, prompts included.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'_, 'a>> {
        self.turns.iter().map(|turn| Segment {
            field: &self.fields[turn.field],
            range: turn.content.clone(),
        })
    }
}
