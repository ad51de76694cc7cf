//! Rendering a conversation the way training will, and knowing where its responses are.
//!
//! Why: a token count is only meaningful on the text the trainer actually tokenizes — the
//! conversation rendered by the model's chat template, markers and all — and "does the
//! response survive truncation" needs the byte where the first response starts.
//!
//! [`ChatTemplate::ChatMl`] is ChatML as Qwen uses it: each turn
//! `<|im_start|>{role}\n{content}<|im_end|>\n`, no implicit system prompt, nothing injected.
//! [`ChatTemplate::Jinja`] runs a Hugging Face `chat_template` the way `transformers`'
//! `apply_chat_template` does: minijinja with `trim_blocks` and `lstrip_blocks`, Python string
//! methods (`.strip()`, `.startswith()`, … from minijinja-contrib's pycompat), a Python-style
//! `tojson`, `raise_exception`, `strftime_now`, `{% generation %}` blocks accepted and ignored,
//! and the special tokens of `tokenizer_config.json` (`bos_token`, `eos_token`, …) as
//! variables.
//!
//! Finding the responses in a Jinja rendering (a template may trim, re-wrap or drop content,
//! so searching the rendered text for the content is not enough):
//!
//! 1. **Markers.** The conversation is rendered twice: as is, and with each assistant content
//!    replaced by `lead + OPEN_i + core + CLOSE_i + trail`, where `core` is the content without
//!    its surrounding whitespace and the markers are supplementary private-use characters.
//!    A template that trims the content (Llama 3, Gemma) trims only the whitespace outside
//!    the markers; one that does not keeps it. With the markers deleted, the second rendering
//!    must equal the first, character for character: then the markers sit exactly around each
//!    response. Any template that copies the content into the output, trimmed or not, passes.
//!    A template that rewrites the start of the content (Qwen3 splits a `<think>…</think>`
//!    block off it, dropping the opening marker) still passes with the closing markers alone:
//!    each response then starts right after the last generation prompt before its end
//!    (`<|im_start|>assistant\n`, learned once per template).
//! 2. **Prefixes.** If that check fails, each response is located by rendering the turns before it with
//!    `add_generation_prompt` (the response starts where that text ends) and the turns up to
//!    it (the response ends there). Both must be prefixes of the full rendering.
//! 3. Otherwise rendering fails with [`TemplateError::Spans`], never a guessed span.
//!
//! A span then covers the response from its first non-whitespace character to the end of the
//! template's closing marker (`<|im_end|>`, `<|eot_id|>`, `<end_of_turn>`), learned once per
//! template by rendering a one-exchange probe; trailing newlines after the marker are not part
//! of it. For the built-in ChatML a span is the content as given plus `<|im_end|>`.
//!
//! The Python-compatible functions and filters the Jinja environment gets (`raise_exception`,
//! `strftime_now`, `tojson`) are in the `filters` submodule.

mod filters;

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use minijinja::value::Value;
use minijinja::{Environment, Error};
use serde_json::Value as Json;

use crate::conversation::Message;
use filters::{python_tojson, raise_exception, strftime_now};

/// A turn as the renderer reads it: the public entry points take owned or borrowed
/// [`Message`]s and borrow them once.
type Turn<'a> = Message<&'a str>;

/// A conversation rendered for training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    /// Byte offset where the first assistant content starts; `text.len()` when there is none.
    pub prompt_end: usize,
    /// Bytes of each assistant content with its closing marker (ChatML: `<|im_end|>`).
    pub assistant_spans: Vec<Range<usize>>,
}

/// Why a template could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("{origin}: the chat template does not compile: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin}: rendering failed: {message}")]
    Render { origin: String, message: String },
    #[error("{origin}: cannot locate the assistant responses in the rendering: {message}")]
    Spans { origin: String, message: String },
}

/// How a conversation becomes training text.
pub enum ChatTemplate {
    /// Qwen's ChatML, built in.
    ChatMl,
    /// A Hugging Face Jinja chat template.
    Jinja(Box<JinjaTemplate>),
}

/// The assistant role of the messages (`transformers` uses `assistant` in every template).
const ASSISTANT: &str = "assistant";
const IM_START: &str = "<|im_start|>";
const IM_END: &str = "<|im_end|>";

impl ChatTemplate {
    /// Loads a `tokenizer_config.json` (its `chat_template`: a string, or a list of
    /// `{name, template}` of which `default` is used; its special tokens become template
    /// variables) or a plain Jinja file (`chat_template.jinja`).
    pub fn from_file(path: &Path) -> Result<Self, TemplateError> {
        let text = crate::small_file::read_text(path, crate::small_file::CHAT_TEMPLATE_BYTES, "a chat template")
            .map_err(|source| TemplateError::Read {
                path: path.to_owned(),
                source,
            })?;
        let origin = path.display().to_string();
        let config = match serde_json::from_str::<Json>(&text) {
            Ok(Json::Object(config)) => config,
            // Not a JSON object: a Jinja file.
            _ => return JinjaTemplate::new(&text, Vec::new(), origin).map(Self::from),
        };
        let source = chat_template_source(&config).map_err(|message| TemplateError::Config {
            path: path.to_owned(),
            message,
        })?;
        JinjaTemplate::new(&source, special_token_variables(&config), origin).map(Self::from)
    }

    /// A Jinja template from its source; `variables` are extra globals such as
    /// `("bos_token", "<s>")`.
    pub fn from_jinja(source: &str, variables: &[(&str, &str)]) -> Result<Self, TemplateError> {
        let variables = variables
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        JinjaTemplate::new(source, variables, "<chat template>".into()).map(Self::from)
    }

    /// Renders the conversation for training (`add_generation_prompt = false`).
    pub fn render<S: AsRef<str>>(&self, turns: &[Message<S>]) -> Result<Rendered, TemplateError> {
        let turns = borrowed(turns);
        let turns = turns.as_slice();
        match self {
            ChatTemplate::ChatMl => Ok(render_chatml(turns)),
            ChatTemplate::Jinja(jinja) => jinja.render(turns),
        }
    }

    /// Renders the conversation followed by the prompt for the next response
    /// (`add_generation_prompt = true`), as for inference.
    pub fn render_generation_prompt<S: AsRef<str>>(&self, turns: &[Message<S>]) -> Result<String, TemplateError> {
        let turns = borrowed(turns);
        let turns = turns.as_slice();
        match self {
            ChatTemplate::ChatMl => {
                let mut text = render_chatml(turns).text;
                text.push_str(IM_START);
                text.push_str(ASSISTANT);
                text.push('\n');
                Ok(text)
            }
            ChatTemplate::Jinja(jinja) => jinja.render_text(&messages(turns, false), true),
        }
    }
}

impl From<JinjaTemplate> for ChatTemplate {
    fn from(template: JinjaTemplate) -> Self {
        ChatTemplate::Jinja(Box::new(template))
    }
}

fn borrowed<S: AsRef<str>>(turns: &[Message<S>]) -> Vec<Turn<'_>> {
    turns.iter().map(Message::as_borrowed).collect()
}

fn render_chatml(turns: &[Turn]) -> Rendered {
    let mut text = String::with_capacity(turns.iter().map(|t| t.content.len() + 32).sum());
    let mut assistant_spans = Vec::new();
    for turn in turns {
        text.push_str(IM_START);
        text.push_str(turn.role);
        text.push('\n');
        let start = text.len();
        text.push_str(turn.content);
        text.push_str(IM_END);
        if turn.role == ASSISTANT {
            assistant_spans.push(start..text.len());
        }
        text.push('\n');
    }
    let prompt_end = assistant_spans.first().map_or(text.len(), |s| s.start);
    Rendered {
        text,
        prompt_end,
        assistant_spans,
    }
}

/// The `chat_template` of a `tokenizer_config.json`.
fn chat_template_source(config: &serde_json::Map<String, Json>) -> Result<String, String> {
    match config.get("chat_template") {
        Some(Json::String(source)) => Ok(source.clone()),
        Some(Json::Array(named)) => {
            let names: Vec<&str> = named
                .iter()
                .filter_map(|t| t.get("name").and_then(Json::as_str))
                .collect();
            named
                .iter()
                .find(|t| t.get("name").and_then(Json::as_str) == Some("default"))
                .and_then(|t| t.get("template").and_then(Json::as_str))
                .map(str::to_owned)
                .ok_or_else(|| format!("chat_template has no `default` among {names:?}"))
        }
        Some(_) => Err("chat_template is neither a string nor a list".into()),
        None => Err("no chat_template".into()),
    }
}

/// The special tokens `transformers` passes to a chat template: `bos_token`, `eos_token`,
/// `unk_token`, `pad_token`, `sep_token`, `cls_token`, `mask_token`, each a string or an
/// `{"content": …}` object.
fn special_token_variables(config: &serde_json::Map<String, Json>) -> Vec<(String, String)> {
    const NAMES: [&str; 7] = [
        "bos_token",
        "eos_token",
        "unk_token",
        "pad_token",
        "sep_token",
        "cls_token",
        "mask_token",
    ];
    NAMES
        .iter()
        .filter_map(|name| {
            let token = token_content(config.get(*name)?)?;
            Some(((*name).to_owned(), token.to_owned()))
        })
        .collect()
}

/// A special token written as a string or as an `AddedToken` object.
pub(crate) fn token_content(value: &Json) -> Option<&str> {
    match value {
        Json::String(token) => Some(token),
        Json::Object(token) => token.get("content").and_then(Json::as_str),
        _ => None,
    }
}

/// A compiled Hugging Face chat template.
pub struct JinjaTemplate {
    env: Environment<'static>,
    variables: Vec<(String, String)>,
    origin: String,
    /// What the template writes right after a response (trailing whitespace dropped).
    closing: String,
    /// The generation prompt (`<|im_start|>assistant\n`): what precedes a response.
    header: String,
}

const TEMPLATE_NAME: &str = "chat_template";

impl JinjaTemplate {
    fn new(source: &str, variables: Vec<(String, String)>, origin: String) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| TemplateError::Syntax {
                origin: origin.clone(),
                message: e.to_string(),
            })?;
        env.set_syntax(syntax);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", raise_exception);
        env.add_function("strftime_now", strftime_now);
        env.add_filter("tojson", python_tojson);
        env.add_template_owned(TEMPLATE_NAME, without_generation_tags(source))
            .map_err(|e| TemplateError::Syntax {
                origin: origin.clone(),
                message: describe(&e),
            })?;
        let mut template = Self {
            env,
            variables,
            origin,
            closing: String::new(),
            header: String::new(),
        };
        template.closing = template.learn_closing();
        template.header = template.learn_header();
        Ok(template)
    }

    /// The text after a response, from a probe exchange; empty when the template rejects it.
    fn learn_closing(&self) -> String {
        let open = marker(MARK_OPEN, 0);
        let close = marker(MARK_CLOSE, 0);
        let probe = format!("{open}ok{close}");
        let turns = [
            Turn {
                role: "user",
                content: "hi",
            },
            Turn {
                role: ASSISTANT,
                content: &probe,
            },
        ];
        let Ok(text) = self.render_text(&messages(&turns, false), false) else {
            return String::new();
        };
        let Some(after) = text.find(&close).map(|at| &text[at + close.len()..]) else {
            return String::new();
        };
        // Up to the start of whatever the template writes next (a following turn's marker is
        // absent here, so this is the closing marker plus trailing whitespace).
        after.trim_end().to_owned()
    }

    /// The generation prompt after one user turn; empty when the template rejects the probe.
    fn learn_header(&self) -> String {
        let turns = [Turn {
            role: "user",
            content: "hi",
        }];
        let (Ok(without), Ok(with)) = (
            self.render_text(&messages(&turns, false), false),
            self.render_text(&messages(&turns, false), true),
        ) else {
            return String::new();
        };
        with.strip_prefix(&without).unwrap_or_default().to_owned()
    }

    fn render_text(&self, messages: &Value, add_generation_prompt: bool) -> Result<String, TemplateError> {
        let mut context: Vec<(String, Value)> = self
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        context.push(("messages".into(), messages.clone()));
        context.push(("add_generation_prompt".into(), Value::from(add_generation_prompt)));
        let template = self
            .env
            .get_template(TEMPLATE_NAME)
            .map_err(|e| self.render_error(&e))?;
        template
            .render(Value::from_pairs(context))
            .map_err(|e| self.render_error(&e))
    }

    fn render_error(&self, error: &Error) -> TemplateError {
        TemplateError::Render {
            origin: self.origin.clone(),
            message: describe(error),
        }
    }

    fn render(&self, turns: &[Turn]) -> Result<Rendered, TemplateError> {
        let text = self.render_text(&messages(turns, false), false)?;
        let cores = match self.spans_by_markers(turns, &text)? {
            Some(cores) => cores,
            None => self.spans_by_prefixes(turns, &text)?,
        };
        // Each response takes its closing marker, never past where the next one starts: the
        // prefix method's spans may already end with the template's closing text.
        let next_starts: Vec<usize> = cores
            .iter()
            .skip(1)
            .map(|core| core.start)
            .chain([text.len()])
            .collect();
        let assistant_spans: Vec<Range<usize>> = cores
            .into_iter()
            .zip(next_starts)
            .map(|(core, next_start)| {
                let after = &text[core.end..];
                let gap = after.len() - after.trim_start().len();
                let end = core.end + gap + self.closing.len();
                if !self.closing.is_empty() && after[gap..].starts_with(&self.closing) && end <= next_start {
                    core.start..end
                } else {
                    core
                }
            })
            .collect();
        let prompt_end = assistant_spans.first().map_or(text.len(), |s| s.start);
        Ok(Rendered {
            text,
            prompt_end,
            assistant_spans,
        })
    }

    /// Method 1: responses wrapped in markers; `None` if the template does not copy them
    /// through unchanged. When only the closing markers survive (a template that splits a
    /// `<think>` block off the start of the content drops the opening one), each response
    /// starts after the last generation prompt (`header`) before its closing marker.
    fn spans_by_markers(&self, turns: &[Turn], text: &str) -> Result<Option<Vec<Range<usize>>>, TemplateError> {
        let collides = turns
            .iter()
            .any(|t| t.content.chars().any(|c| (MARK_OPEN..=MARK_END).contains(&c)));
        if collides {
            return Ok(None);
        }
        let marked = self.render_text(&messages(turns, true), false)?;
        let responses = turns.iter().filter(|t| t.role == ASSISTANT).count();
        // Delete the markers, noting where each stood in the unmarked text.
        let mut plain = String::with_capacity(marked.len());
        let mut opens = Vec::new();
        let mut closes = Vec::new();
        let mut rest = marked.as_str();
        while let Some(at) = rest.find(|c: char| (MARK_OPEN..=MARK_END).contains(&c)) {
            plain.push_str(&rest[..at]);
            let kind = rest[at..].chars().next().unwrap_or(MARK_END);
            let body = &rest[at + kind.len_utf8()..];
            let Some(end) = body.find(MARK_END) else {
                return Ok(None);
            };
            let Ok(index) = body[..end].parse::<usize>() else {
                return Ok(None);
            };
            match kind {
                MARK_OPEN => opens.push((index, plain.len())),
                MARK_CLOSE => closes.push((index, plain.len())),
                _ => return Ok(None),
            }
            rest = &body[end + MARK_END.len_utf8()..];
        }
        plain.push_str(rest);
        let in_order = |marks: &[(usize, usize)]| {
            marks.len() == responses && marks.iter().enumerate().all(|(i, (index, _))| *index == i)
        };
        if plain != text || !in_order(&closes) {
            return Ok(None);
        }
        if in_order(&opens) {
            let spans: Vec<Range<usize>> = opens.iter().zip(&closes).map(|((_, s), (_, e))| *s..*e).collect();
            let ordered = spans.iter().all(|s| s.start <= s.end) && spans.windows(2).all(|w| w[0].end <= w[1].start);
            return Ok(ordered.then_some(spans));
        }
        if self.header.is_empty() {
            return Ok(None);
        }
        let mut spans = Vec::with_capacity(closes.len());
        let mut floor = 0;
        for (_, end) in closes {
            let Some(at) = text[floor..end].rfind(&self.header) else {
                return Ok(None);
            };
            spans.push(floor + at + self.header.len()..end);
            floor = end;
        }
        Ok(Some(spans))
    }

    /// Method 2: each response lies between the rendering of the turns before it with the
    /// generation prompt and the rendering of the turns up to it.
    fn spans_by_prefixes(&self, turns: &[Turn], text: &str) -> Result<Vec<Range<usize>>, TemplateError> {
        let mut spans = Vec::new();
        for (i, turn) in turns.iter().enumerate() {
            if turn.role != ASSISTANT {
                continue;
            }
            let before = self.render_text(&messages(&turns[..i], false), true)?;
            let through = self.render_text(&messages(&turns[..=i], false), false)?;
            if !text.starts_with(&before) || !text.starts_with(&through) || through.len() < before.len() {
                return Err(TemplateError::Spans {
                    origin: self.origin.clone(),
                    message: format!(
                        "the template rewrites assistant turn {i} and renders earlier turns differently \
                         once later ones follow"
                    ),
                });
            }
            let response = &text[before.len()..through.len()];
            let lead = response.len() - response.trim_start().len();
            let closing_end = before.len() + response.trim_end().len();
            spans.push(before.len() + lead..closing_end.max(before.len() + lead));
        }
        Ok(spans)
    }
}

/// Marker characters, from Supplementary Private Use Area-A (never in real text): a marker is
/// `OPEN|CLOSE`, the turn index in decimal, `END`.
const MARK_OPEN: char = '\u{F0000}';
const MARK_CLOSE: char = '\u{F0001}';
const MARK_END: char = '\u{F0002}';

fn marker(kind: char, index: usize) -> String {
    format!("{kind}{index}{MARK_END}")
}

/// The `messages` list; with `marked`, each assistant content becomes
/// `lead + OPEN_i + core + CLOSE_i + trail`.
fn messages(turns: &[Turn], marked: bool) -> Value {
    let mut response = 0;
    turns
        .iter()
        .map(|turn| {
            let content = if marked && turn.role == ASSISTANT {
                let core = turn.content.trim();
                let lead = &turn.content[..turn.content.len() - turn.content.trim_start().len()];
                let trail = &turn.content[lead.len() + core.len()..];
                let wrapped = format!(
                    "{lead}{}{core}{}{trail}",
                    marker(MARK_OPEN, response),
                    marker(MARK_CLOSE, response)
                );
                response += 1;
                Value::from(wrapped)
            } else {
                Value::from(turn.content)
            };
            Value::from_pairs([("role", Value::from(turn.role)), ("content", content)])
        })
        .collect()
}

/// `{% generation %}…{% endgeneration %}` (transformers' AssistantTracker) become a no-op block.
fn without_generation_tags(source: &str) -> String {
    static OPEN: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\{%(-?)\s*generation\s*(-?)%\}").expect("a valid regex"));
    static CLOSE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\{%(-?)\s*endgeneration\s*(-?)%\}").expect("a valid regex"));
    let opened = OPEN.replace_all(source, "{%${1} if true ${2}%}");
    CLOSE.replace_all(&opened, "{%${1} endif ${2}%}").into_owned()
}

fn describe(error: &Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let _ = write!(message, ": {cause}");
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Meta-Llama-3-8B-Instruct's chat_template.
    const LLAMA3: &str = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    /// gemma-2-9b-it's chat_template.
    const GEMMA: &str = "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}";

    /// The classic ChatML template many fine-tunes ship.
    const CHATML_JINJA: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    fn exchange<'a>(question: &'a str, answer: &'a str) -> Vec<Turn<'a>> {
        vec![
            Turn {
                role: "user",
                content: question,
            },
            Turn {
                role: ASSISTANT,
                content: answer,
            },
        ]
    }

    fn spans(rendered: &Rendered) -> Vec<&str> {
        rendered
            .assistant_spans
            .iter()
            .map(|s| &rendered.text[s.clone()])
            .collect()
    }

    #[test]
    fn chatml_renders_the_golden_tamil_conversation() {
        let turns = exchange("திருக்குறள் என்றால் என்ன?", "திருக்குறள் ஒரு தமிழ் நூல்.");
        let rendered = ChatTemplate::ChatMl.render(&turns).expect("ChatML renders");
        assert_eq!(
            rendered.text,
            "<|im_start|>user\nதிருக்குறள் என்றால் என்ன?<|im_end|>\n<|im_start|>assistant\nதிருக்குறள் ஒரு தமிழ் நூல்.<|im_end|>\n"
        );
        assert_eq!(spans(&rendered), ["திருக்குறள் ஒரு தமிழ் நூல்.<|im_end|>"]);
        assert!(rendered.text[..rendered.prompt_end].ends_with("<|im_start|>assistant\n"));
    }

    #[test]
    fn chatml_jinja_matches_the_built_in_chatml() {
        let jinja = ChatTemplate::from_jinja(CHATML_JINJA, &[]).expect("compiles");
        let turns = [
            Turn {
                role: "system",
                content: "நீ ஒரு உதவியாளர்.",
            },
            Turn {
                role: "user",
                content: "வணக்கம்",
            },
            Turn {
                role: ASSISTANT,
                content: "வணக்கம்! ",
            },
            Turn {
                role: "user",
                content: "நன்றி",
            },
            Turn {
                role: ASSISTANT,
                content: "மகிழ்ச்சி.",
            },
        ];
        let built_in = ChatTemplate::ChatMl.render(&turns).expect("renders");
        let rendered = jinja.render(&turns).expect("renders");
        assert_eq!(rendered.text, built_in.text);
        // The Jinja span starts at the first non-space character; here the content has none
        // before it, and the trailing space stays inside the span.
        assert_eq!(rendered.assistant_spans, built_in.assistant_spans);
        assert_eq!(
            jinja.render_generation_prompt(&turns[..2]).expect("renders"),
            ChatTemplate::ChatMl
                .render_generation_prompt(&turns[..2])
                .expect("renders")
        );
    }

    #[test]
    fn llama3_spans_are_trimmed_content_and_eot() {
        let template = ChatTemplate::from_jinja(LLAMA3, &[("bos_token", "<|begin_of_text|>")]).expect("compiles");
        let turns = exchange("What is a kural?", "  A couplet of seven words.\n");
        let rendered = template.render(&turns).expect("renders");
        assert_eq!(
            rendered.text,
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is a kural?<|eot_id|>\
             <|start_header_id|>assistant<|end_header_id|>\n\nA couplet of seven words.<|eot_id|>"
        );
        assert_eq!(spans(&rendered), ["A couplet of seven words.<|eot_id|>"]);
        assert!(rendered.text[..rendered.prompt_end].ends_with("<|start_header_id|>assistant<|end_header_id|>\n\n"));
    }

    #[test]
    fn gemma_spans_and_its_raise_exception() {
        let template = ChatTemplate::from_jinja(GEMMA, &[("bos_token", "<bos>")]).expect("compiles");
        let mut turns = exchange("வணக்கம்", "வணக்கம்!");
        turns.extend(exchange("Who wrote the Kural?", "Thiruvalluvar."));
        let rendered = template.render(&turns).expect("renders");
        assert_eq!(spans(&rendered), ["வணக்கம்!<end_of_turn>", "Thiruvalluvar.<end_of_turn>"]);
        assert!(rendered.text[..rendered.prompt_end].ends_with("<start_of_turn>model\n"));

        let with_system = [
            Turn {
                role: "system",
                content: "Be brief.",
            },
            turns[0],
        ];
        match template.render(&with_system) {
            Err(TemplateError::Render { message, .. }) => {
                assert!(message.contains("System role not supported"), "{message}")
            }
            other => panic!("expected the template's exception, got {other:?}"),
        }
    }

    #[test]
    fn a_template_that_cuts_content_falls_back_to_prefixes() {
        // Keeps only the first five characters of a response: the markers cannot survive.
        let template = ChatTemplate::from_jinja(
            "{% for m in messages %}<|im_start|>{{ m.role }}\n{% if m.role == 'assistant' %}{{ m.content[:5] }}{% else %}{{ m.content }}{% endif %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}",
            &[],
        )
        .expect("compiles");
        let rendered = template.render(&exchange("q", "abcdefgh")).expect("renders");
        assert_eq!(spans(&rendered), ["abcde<|im_end|>"]);
    }

    /// Qwen3's chat_template without its tool-call branches (tools, tool_calls, tool role).
    const QWEN3: &str = r#"{%- if messages[0].role == 'system' %}
    {{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}
{%- endif %}
{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}
{%- for message in messages[::-1] %}
    {%- set index = (messages|length - 1) - loop.index0 %}
    {%- if ns.multi_step_tool and message.role == "user" and message.content is string and not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}
        {%- set ns.multi_step_tool = false %}
        {%- set ns.last_query_index = index %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if message.content is string %}
        {%- set content = message.content %}
    {%- else %}
        {%- set content = '' %}
    {%- endif %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\n' + content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {%- set reasoning_content = '' %}
        {%- if message.reasoning_content is string %}
            {%- set reasoning_content = message.reasoning_content %}
        {%- else %}
            {%- if '</think>' in content %}
                {%- set reasoning_content = content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}
                {%- set content = content.split('</think>')[-1].lstrip('\n') %}
            {%- endif %}
        {%- endif %}
        {%- if loop.index0 > ns.last_query_index %}
            {%- if loop.last or (not loop.last and reasoning_content) %}
                {{- '<|im_start|>' + message.role + '\n<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n') }}
            {%- else %}
                {{- '<|im_start|>' + message.role + '\n' + content }}
            {%- endif %}
        {%- else %}
            {{- '<|im_start|>' + message.role + '\n' + content }}
        {%- endif %}
        {{- '<|im_end|>\n' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\n\n</think>\n\n' }}
    {%- endif %}
{%- endif %}"#;

    #[test]
    fn qwen3_think_blocks_keep_the_spans() {
        let template = ChatTemplate::from_jinja(QWEN3, &[]).expect("compiles");
        let mut turns = exchange("2+2?", "<think>\nadd\n</think>\n\n4");
        let rendered = template.render(&turns).expect("renders");
        assert_eq!(
            rendered.text,
            "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nadd\n</think>\n\n4<|im_end|>\n"
        );
        assert_eq!(spans(&rendered), ["<think>\nadd\n</think>\n\n4<|im_end|>"]);

        // Earlier turns lose their reasoning once a later question follows.
        turns.extend(exchange("3+3?", "<think>\nadd again\n</think>\n\n6"));
        let rendered = template.render(&turns).expect("renders");
        assert_eq!(
            spans(&rendered),
            ["4<|im_end|>", "<think>\nadd again\n</think>\n\n6<|im_end|>"]
        );
        // A plain answer takes the exact marker path; the empty think block the template adds
        // belongs to the prompt.
        let rendered = template.render(&exchange("வணக்கம்", "வணக்கம்!")).expect("renders");
        assert!(
            rendered
                .text
                .ends_with("<|im_start|>assistant\n<think>\n\n</think>\n\nவணக்கம்!<|im_end|>\n")
        );
        assert_eq!(spans(&rendered), ["வணக்கம்!<|im_end|>"]);
    }

    #[test]
    fn tokenizer_config_default_template_and_special_tokens() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("tokenizer_config.json");
        let config = serde_json::json!({
            "bos_token": {"content": "<|begin_of_text|>", "lstrip": false},
            "eos_token": "<|eot_id|>",
            "chat_template": [
                {"name": "tool_use", "template": "unused"},
                {"name": "default", "template": LLAMA3},
            ],
        });
        std::fs::write(&path, config.to_string()).expect("written");
        let template = ChatTemplate::from_file(&path).expect("loads");
        let rendered = template.render(&exchange("hi", "hello")).expect("renders");
        assert!(rendered.text.starts_with("<|begin_of_text|><|start_header_id|>user"));

        let jinja_path = dir.path().join("chat_template.jinja");
        std::fs::write(&jinja_path, CHATML_JINJA).expect("written");
        let template = ChatTemplate::from_file(&jinja_path).expect("loads");
        assert_eq!(
            template.render(&exchange("a", "b")).expect("renders"),
            ChatTemplate::ChatMl.render(&exchange("a", "b")).expect("renders")
        );

        let missing = dir.path().join("absent.json");
        let error = ChatTemplate::from_file(&missing).err().expect("an error");
        assert!(error.to_string().contains("absent.json"), "{error}");
    }

    #[test]
    fn tojson_writes_python_json() {
        let template = ChatTemplate::from_jinja(
            "{{ {'name': 'kural', 'n': [1, 2.5], 'ta': 'அறம்', 'q': 'a\"b'} | tojson }}|{{ [] | tojson(indent=2) }}|{{ {'a': [1]} | tojson(indent=2) }}",
            &[],
        )
        .expect("compiles");
        let rendered = template.render::<&str>(&[]).expect("renders");
        assert_eq!(
            rendered.text,
            "{\"name\": \"kural\", \"n\": [1, 2.5], \"ta\": \"அறம்\", \"q\": \"a\\\"b\"}|[]|{\n  \"a\": [\n    1\n  ]\n}"
        );
    }

    #[test]
    fn generation_tags_are_accepted() {
        let template = ChatTemplate::from_jinja(
            "{% for m in messages %}<|im_start|>{{ m.role }}\n{% if m.role == 'assistant' %}{% generation %}{{ m.content }}<|im_end|>{% endgeneration %}{% else %}{{ m.content }}<|im_end|>{% endif %}{{ '\n' }}{% endfor %}",
            &[],
        )
        .expect("compiles");
        let turns = exchange("q", "a");
        assert_eq!(
            template.render(&turns).expect("renders"),
            ChatTemplate::ChatMl.render(&turns).expect("renders")
        );
    }
}
