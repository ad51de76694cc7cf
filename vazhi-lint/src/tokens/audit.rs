//! `cargo vazhi tokenizer FILE`: a lint of the tokenizer itself, before any data meets it.
//!
//! Why: three VAZHI failures were in the tokenizer, not the data, and each was checkable
//! before training:
//! - v0.7 shipped a tokenizer whose vocabulary had holes (`OrderedVocab contains holes for
//!   indices [1, 2]`); the finished model could not be converted to GGUF (`vocab-holes`);
//! - `pad_token == eos_token` made the collator mask every EOS out of the loss (labels of pad
//!   ids become -100), so models never learned to stop (`pad-is-eos`);
//! - a response template that tokenizes differently inside a conversation than alone is never
//!   found by a completion-only collator (`special-unstable`).
//!
//! What is read from where:
//! - `tokenizer.json`: `model.vocab` (every entry, duplicates included), `added_tokens`, the
//!   `padding` section (`pad_token`, `pad_id`) and a `TemplateProcessing` post-processor (a
//!   special token it appends after `$A` is taken as EOS);
//! - the optional config file, whichever it is: `tokenizer_config.json` or
//!   `special_tokens_map.json` (`pad_token`, `eos_token`: a string or `{"content": …}`;
//!   `chat_template`), `generation_config.json` or `config.json` (`pad_token_id`,
//!   `eos_token_id`: an id or a list of ids). A value in the config wins over tokenizer.json.
//!
//! Tamil fertility is measured on the 1330 kurals (`rules/data/fertility-sample.txt`, one kural
//! per line). Qwen2/2.5/3 spend 1.28 tokens per Tamil code point and 9.7 per Tamil word there
//! (English: 1.35 per word), so a 1024-token window holds about 100 Tamil words. The warning
//! threshold is **1.0 token per Tamil code point**: above it the tokenizer has, on average, not
//! even one merge per Tamil letter (a letter is 3 UTF-8 bytes; a byte-level tokenizer with no
//! Tamil merges spends up to 3.0, a byte-fallback SentencePiece about 3), while a
//! Tamil-aware vocabulary spends roughly 0.3–0.5 (2–4 tokens per word). Above 2.0 the message
//! says the tokenizer is close to byte level.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::rule::Severity;

use super::bpe::TokenizerFile;
use super::count::{CountError, TokenCounter};
use super::template::{ChatTemplate, TemplateError, token_content};
use crate::conversation::Message;

/// The reference Tamil sample: the 1330 kurals, one per line.
pub const FERTILITY_SAMPLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../rules/data/fertility-sample.txt"
));

/// Above this many tokens per Tamil code point, `tamil-fertility` warns (see the module doc).
pub const FERTILITY_WARN_PER_CHAR: f64 = 1.0;
/// Above this, the warning says the tokenizer is close to byte level.
pub const FERTILITY_BYTE_LEVEL_PER_CHAR: f64 = 2.0;

/// The markers checked when the caller names none: ChatML's.
pub const DEFAULT_CHAT_MARKERS: [&str; 2] = ["<|im_start|>", "<|im_end|>"];

/// One finding about a tokenizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenizerIssue {
    /// `vocab-holes`, `vocab-shared-id`, `added-token-conflict`, `pad-is-eos`, `missing-pad`,
    /// `special-not-single`, `special-unstable`, `tamil-fertility`, `count-engine`.
    pub check: &'static str,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for TokenizerIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: {}", self.severity, self.check, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error(transparent)]
    Count(#[from] CountError),
    #[error(transparent)]
    Template(#[from] TemplateError),
}

fn issue(check: &'static str, severity: Severity, message: String) -> TokenizerIssue {
    TokenizerIssue {
        check,
        severity,
        message,
    }
}

/// Audits a `tokenizer.json`, with an optional config file (see the module doc) and the chat
/// markers to check (ChatML's when empty).
pub fn audit(
    tokenizer_json: &Path,
    config: Option<&Path>,
    chat_markers: &[&str],
) -> Result<Vec<TokenizerIssue>, AuditError> {
    audit_and_load(tokenizer_json, config, chat_markers).map(|(issues, _)| issues)
}

/// [`audit`], keeping the counter the audit loads (or why it does not load) for the fertility
/// measurement: the 4.7 MB of a Qwen tokenizer are read and parsed once.
fn audit_and_load(
    tokenizer_json: &Path,
    config: Option<&Path>,
    chat_markers: &[&str],
) -> Result<(Vec<TokenizerIssue>, Result<TokenCounter, CountError>), AuditError> {
    let json = crate::small_file::read_text(tokenizer_json, crate::small_file::TOKENIZER_BYTES, "a tokenizer")
        .map_err(|source| AuditError::Read {
            path: tokenizer_json.to_owned(),
            source,
        })?;
    let file = TokenizerFile::parse(&json).map_err(|message| AuditError::Parse {
        path: tokenizer_json.to_owned(),
        message,
    })?;
    match TokenCounter::from_parsed(&json, &file, tokenizer_json) {
        Ok(counter) => Ok((audit_loaded(&file, &counter, config, chat_markers)?, Ok(counter))),
        // What makes the file unloadable is usually in the file itself: say what, and that it
        // does not load, instead of only the library's error.
        Err(err) => {
            let mut issues = vocabulary_issues(&file);
            issues.extend(merge_issues(&file));
            issues.push(issue(
                "tokenizer-load",
                Severity::Error,
                format!("the tokenizers library cannot load this file: {err}"),
            ));
            Ok((issues, Err(err)))
        }
    }
}

/// Where a tokenizer lives: a `tokenizer.json`, or a Hugging Face model folder holding one. The
/// config is the one given, else the `tokenizer_config.json` beside the tokenizer (where a model
/// sets pad, eos and the chat template).
pub fn locate(path: &Path, config: Option<&Path>) -> (PathBuf, Option<PathBuf>) {
    let tokenizer = if path.is_dir() {
        path.join("tokenizer.json")
    } else {
        path.to_owned()
    };
    let config = config.map(Path::to_path_buf).or_else(|| {
        let beside = tokenizer.parent()?.join("tokenizer_config.json");
        beside.is_file().then_some(beside)
    });
    (tokenizer, config)
}

/// BPE merges whose parts or result are not in the vocabulary: what a removed entry leaves behind,
/// and why `tokenizers` refuses the file.
fn merge_issues(file: &TokenizerFile) -> Vec<TokenizerIssue> {
    let Some(merges) = &file.model.merges else {
        return Vec::new();
    };
    let vocab: std::collections::HashSet<&str> = file
        .model
        .vocab
        .as_ref()
        .map(|v| v.0.iter().map(|(token, _)| token.as_str()).collect())
        .unwrap_or_default();
    let dangling: Vec<String> = merges
        .iter()
        .enumerate()
        .filter_map(|(rank, merge)| {
            let (a, b) = merge.parts()?;
            let missing: Vec<String> = [a.to_owned(), b.to_owned(), format!("{a}{b}")]
                .into_iter()
                .filter(|token| !vocab.contains(token.as_str()))
                .collect();
            (!missing.is_empty()).then(|| format!("#{rank} {a:?} + {b:?} (missing {missing:?})"))
        })
        .collect();
    if dangling.is_empty() {
        return Vec::new();
    }
    vec![issue(
        "dangling-merges",
        Severity::Error,
        format!(
            "{} merges use or make tokens that are not in model.vocab: {}",
            dangling.len(),
            listed(&dangling)
        ),
    )]
}

/// [`audit`] of a tokenizer already loaded.
fn audit_loaded(
    file: &TokenizerFile,
    counter: &TokenCounter,
    config: Option<&Path>,
    chat_markers: &[&str],
) -> Result<Vec<TokenizerIssue>, AuditError> {
    let mut issues = vocabulary_issues(file);
    let config_json = match config {
        Some(path) => Some((path, read_json(path)?)),
        None => None,
    };
    issues.extend(pad_eos_issues(
        file,
        counter,
        config_json.as_ref().map(|(p, j)| (*p, j)),
    ));

    let markers: Vec<&str> = if chat_markers.is_empty() {
        DEFAULT_CHAT_MARKERS.to_vec()
    } else {
        chat_markers.to_vec()
    };
    issues.extend(marker_issues(file, counter, &markers)?);
    let template = match config {
        Some(path)
            if config_json
                .as_ref()
                .is_some_and(|(_, j)| j.get("chat_template").is_some()) =>
        {
            Some(ChatTemplate::from_file(path)?)
        }
        _ if markers.contains(&"<|im_start|>") => Some(ChatTemplate::ChatMl),
        _ => None,
    };
    match template {
        Some(template) => issues.extend(stability_issues(counter, &template)?),
        None => issues.push(issue(
            "special-unstable",
            Severity::Info,
            "no chat template to probe (pass tokenizer_config.json with a chat_template)".into(),
        )),
    }

    let sample: Vec<&str> = FERTILITY_SAMPLE.lines().collect();
    issues.push(fertility_issue(&fertility(counter, &sample)?));
    issues.push(match counter.engine() {
        super::count::CountEngine::ByteLevelBpe => issue(
            "count-engine",
            Severity::Info,
            "token counts use the fast byte-level BPE path".into(),
        ),
        super::count::CountEngine::Encode { reason } => issue(
            "count-engine",
            Severity::Info,
            format!("token counts use Tokenizer::encode ({reason})"),
        ),
    });
    Ok(issues)
}

fn read_json(path: &Path) -> Result<Json, AuditError> {
    let text = crate::small_file::read_text(path, crate::small_file::TOKENIZER_BYTES, "a tokenizer configuration")
        .map_err(|source| AuditError::Read {
            path: path.to_owned(),
            source,
        })?;
    serde_json::from_str(&text).map_err(|err| AuditError::Parse {
        path: path.to_owned(),
        message: format!("not JSON: {err}"),
    })
}

/// At most this many ids are listed in a message.
const LISTED: usize = 10;

fn listed<T: fmt::Debug>(items: &[T]) -> String {
    if items.len() <= LISTED {
        format!("{items:?}")
    } else {
        format!("{:?} and {} more", &items[..LISTED], items.len() - LISTED)
    }
}

/// The ids in `from..=to` that `used` (ascending, inside that range) leaves out: how many, and the
/// first [`LISTED`] of them written as [`listed`] writes a list. Walks the used ids, not the
/// range: a hostile tokenizer.json with one id near `u32::MAX` must not make the audit count
/// (or collect) four billion ids.
fn unused_ids(used: impl Iterator<Item = u32>, from: u32, to: u32) -> Option<(u64, String)> {
    let mut count: u64 = 0;
    let mut first: Vec<u32> = Vec::new();
    let mut next = u64::from(from);
    // Ids `start..end` are unused.
    let mut note_gap = |start: u64, end: u64| {
        if end > start {
            count += end - start;
            let room = LISTED.saturating_sub(first.len()) as u64;
            first.extend((start..end.min(start + room)).map(|id| id as u32));
        }
    };
    for id in used {
        note_gap(next, u64::from(id));
        next = u64::from(id) + 1;
    }
    note_gap(next, u64::from(to) + 1);
    (count > 0).then(|| {
        let shown = if count <= LISTED as u64 {
            format!("{first:?}")
        } else {
            format!("{first:?} and {} more", count - LISTED as u64)
        };
        (count, shown)
    })
}

/// Holes, shared ids, duplicate tokens, and added tokens that contradict the vocabulary.
fn vocabulary_issues(file: &TokenizerFile) -> Vec<TokenizerIssue> {
    let mut issues = Vec::new();
    let entries = file.model.vocab.as_ref().map(|v| v.0.as_slice()).unwrap_or(&[]);
    // What tokenizers keeps: the last id of a token listed twice, one token per id.
    let mut by_token: BTreeMap<&str, u32> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for (token, id) in entries {
        if let Some(previous) = by_token.insert(token, *id)
            && previous != *id
        {
            duplicates.push(format!("{token:?} ({previous} and {id})"));
        }
    }
    let mut by_id: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for (token, id) in &by_token {
        by_id.entry(*id).or_default().push(token);
    }
    if !duplicates.is_empty() {
        issues.push(issue(
            "vocab-holes",
            Severity::Error,
            format!(
                "{} tokens are listed twice in model.vocab with different ids, the later id wins: {}",
                duplicates.len(),
                listed(&duplicates)
            ),
        ));
    }
    let shared: Vec<String> = by_id
        .iter()
        .filter(|(_, tokens)| tokens.len() > 1)
        .map(|(id, tokens)| format!("{id}: {tokens:?}"))
        .collect();
    if !shared.is_empty() {
        issues.push(issue(
            "vocab-shared-id",
            Severity::Error,
            format!(
                "{} ids belong to more than one token, so decoding them is ambiguous: {}",
                shared.len(),
                listed(&shared)
            ),
        ));
    }
    if let Some(max) = by_id.keys().next_back().copied()
        && let Some((holes, shown)) = unused_ids(by_id.keys().copied(), 0, max)
    {
        issues.push(issue(
            "vocab-holes",
            Severity::Error,
            format!(
                "model vocab ids are not contiguous 0..={max}: {holes} holes at {shown} (tokenizers: \
                 \"OrderedVocab contains holes\"; GGUF conversion of the model fails)"
            ),
        ));
    }

    let mut added_by_id: BTreeMap<u32, &str> = BTreeMap::new();
    for added in &file.added_tokens {
        if let Some(other) = added_by_id.insert(added.id, &added.content)
            && other != added.content
        {
            issues.push(issue(
                "added-token-conflict",
                Severity::Error,
                format!("added tokens {other:?} and {:?} share id {}", added.content, added.id),
            ));
        }
        if let Some(tokens) = by_id.get(&added.id)
            && !tokens.contains(&added.content.as_str())
        {
            issues.push(issue(
                "added-token-conflict",
                Severity::Error,
                format!(
                    "added token {:?} has id {}, which the vocab gives to {:?}",
                    added.content, added.id, tokens
                ),
            ));
        }
        if let Some(&id) = by_token.get(added.content.as_str())
            && id != added.id
        {
            issues.push(issue(
                "added-token-conflict",
                Severity::Warning,
                format!(
                    "added token {:?} has id {} but is also vocab entry {id}",
                    added.content, added.id
                ),
            ));
        }
    }
    // Added ids should continue the vocab without gaps (GGUF converters pad gaps with dummies).
    let vocab_end = by_id.keys().next_back().map_or(0, |m| m.saturating_add(1));
    let added_ids: BTreeSet<u32> = added_by_id.keys().copied().filter(|id| *id >= vocab_end).collect();
    if let Some(&last) = added_ids.iter().next_back()
        && let Some((gaps, shown)) = unused_ids(added_ids.iter().copied(), vocab_end, last)
    {
        issues.push(issue(
            "vocab-holes",
            Severity::Warning,
            format!(
                "{gaps} ids between the vocab ({vocab_end} tokens) and the last added token ({last}) are unused: {shown}"
            ),
        ));
    }
    issues
}

/// A special token as declared somewhere: its text, or its id.
#[derive(Debug, Clone)]
enum Declared {
    Token(String),
    Id(u32),
}

fn declared_tokens(value: &Json, token_key: &str, id_key: &str) -> Vec<Declared> {
    let mut declared = Vec::new();
    if let Some(token) = value.get(token_key).and_then(token_content) {
        declared.push(Declared::Token(token.to_owned()));
    }
    match value.get(id_key) {
        Some(Json::Number(n)) => declared.extend(n.as_u64().and_then(|n| u32::try_from(n).ok()).map(Declared::Id)),
        Some(Json::Array(ids)) => declared.extend(
            ids.iter()
                .filter_map(|n| n.as_u64().and_then(|n| u32::try_from(n).ok()))
                .map(Declared::Id),
        ),
        _ => {}
    }
    declared
}

/// The token a `TemplateProcessing` post-processor appends after the sequence (`$A </s>`).
fn appended_by_post_processor(post_processor: &Json) -> Option<String> {
    let single = post_processor.get("single")?.as_array()?;
    let after_sequence = single
        .iter()
        .skip_while(|piece| piece.get("Sequence").is_none())
        .nth(1)?;
    Some(after_sequence.get("SpecialToken")?.get("id")?.as_str()?.to_owned())
}

fn pad_eos_issues(file: &TokenizerFile, counter: &TokenCounter, config: Option<(&Path, &Json)>) -> Vec<TokenizerIssue> {
    let mut issues = Vec::new();
    let tokenizer = counter.tokenizer();
    let mut resolve = |declared: Vec<Declared>, role: &str, source: &str| -> Vec<(String, u32)> {
        declared
            .into_iter()
            .filter_map(|d| match d {
                Declared::Id(id) => Some((tokenizer.id_to_token(id).unwrap_or_else(|| format!("<id {id}>")), id)),
                Declared::Token(token) => match tokenizer.token_to_id(&token) {
                    Some(id) => Some((token, id)),
                    None => {
                        issues.push(issue(
                            "special-not-single",
                            Severity::Error,
                            format!("{role} {token:?} (from {source}) is not a token of the vocabulary"),
                        ));
                        None
                    }
                },
            })
            .collect()
    };
    let config_name = config.map(|(p, _)| p.display().to_string()).unwrap_or_default();
    let from_config = |token_key: &str, id_key: &str| {
        config
            .map(|(_, json)| declared_tokens(json, token_key, id_key))
            .unwrap_or_default()
    };
    let mut pad = resolve(from_config("pad_token", "pad_token_id"), "pad token", &config_name);
    if pad.is_empty() {
        let padding = file.padding.as_ref().map(|p| declared_tokens(p, "pad_token", "pad_id"));
        pad = resolve(padding.unwrap_or_default(), "pad token", "tokenizer.json padding");
    }
    let mut eos = resolve(from_config("eos_token", "eos_token_id"), "eos token", &config_name);
    if eos.is_empty() {
        let appended = file.post_processor.as_ref().and_then(appended_by_post_processor);
        eos = resolve(
            appended.map(Declared::Token).into_iter().collect(),
            "eos token",
            "tokenizer.json post_processor",
        );
    }
    match pad.first() {
        None if config.is_some() => issues.push(issue(
            "missing-pad",
            Severity::Warning,
            format!(
                "no pad token in {config_name} nor in tokenizer.json padding: trainers then commonly \
                 set pad = eos, which masks EOS out of the labels"
            ),
        )),
        None => issues.push(issue(
            "missing-pad",
            Severity::Info,
            "tokenizer.json declares no padding; pass tokenizer_config.json to check pad and eos".into(),
        )),
        Some((pad_token, pad_id)) => {
            if let Some((eos_token, _)) = eos.iter().find(|(_, id)| id == pad_id) {
                issues.push(issue(
                    "pad-is-eos",
                    Severity::Error,
                    format!(
                        "pad token {pad_token:?} (id {pad_id}) is also the EOS token {eos_token:?}: collators \
                         set the labels of pad ids to -100, so every EOS is masked out of the loss and \
                         the model never learns to stop"
                    ),
                ));
            }
        }
    }
    issues
}

fn marker_issues(
    file: &TokenizerFile,
    counter: &TokenCounter,
    markers: &[&str],
) -> Result<Vec<TokenizerIssue>, AuditError> {
    let mut issues = Vec::new();
    for marker in markers {
        let ids = counter.encode_ids(marker)?;
        if ids.len() != 1 {
            issues.push(issue(
                "special-not-single",
                Severity::Error,
                format!(
                    "chat marker {marker:?} encodes as {} tokens {ids:?}: it is not an added token, so \
                     turns are not delimited by one marker id",
                    ids.len()
                ),
            ));
        } else if !file.added_tokens.iter().any(|t| t.content == *marker && t.special) {
            issues.push(issue(
                "special-not-single",
                Severity::Warning,
                format!(
                    "chat marker {marker:?} is a single token (id {}) but not a special added token: \
                     text can produce it and decoding with skip_special_tokens keeps it",
                    ids[0]
                ),
            ));
        }
    }
    Ok(issues)
}

/// Responses that must not disturb the response template's tokens, and ones that may.
const ORDINARY_RESPONSES: [&str; 3] = ["திருக்குறள் ஒரு தமிழ் நூல்.", "The Kural has 1330 couplets.", "1330"];
const LEADING_SPACE_RESPONSES: [&str; 2] = ["\nதிருக்குறள்", " The Kural"];

/// Encodes the response template (the generation prompt) alone and inside rendered
/// conversations, and compares the ids of its span.
fn stability_issues(counter: &TokenCounter, template: &ChatTemplate) -> Result<Vec<TokenizerIssue>, AuditError> {
    let question = Message {
        role: "user",
        content: "திருக்குறள் என்றால் என்ன?",
    };
    let without = template.render(&[question])?.text;
    let with = template.render_generation_prompt(&[question])?;
    let Some(header) = with.strip_prefix(&without).filter(|h| !h.is_empty()) else {
        return Ok(vec![issue(
            "special-unstable",
            Severity::Info,
            "the template's generation prompt does not extend the conversation; not probed".into(),
        )]);
    };
    let alone = counter.encode_ids(header)?;
    let mut issues = Vec::new();
    let mut broken_by_leading = Vec::new();
    for (response, ordinary) in ORDINARY_RESPONSES
        .iter()
        .map(|r| (*r, true))
        .chain(LEADING_SPACE_RESPONSES.iter().map(|r| (*r, false)))
    {
        let turns = [
            question,
            Message {
                role: "assistant",
                content: response,
            },
        ];
        let rendered = template.render(&turns)?;
        let Some(start) = rendered.text[..rendered.prompt_end].rfind(header) else {
            continue;
        };
        let end = start + header.len();
        let encoding = counter
            .tokenizer()
            .encode(rendered.text.as_str(), false)
            .map_err(|e| CountError::Encode {
                path: counter.path().to_owned(),
                message: format!("{e}"),
            })?;
        let offsets = encoding.get_offsets();
        let straddles = offsets
            .iter()
            .any(|(s, e)| (*s < start && *e > start) || (*s < end && *e > end));
        let inside: Vec<u32> = encoding
            .get_ids()
            .iter()
            .zip(offsets)
            .filter(|(_, (s, e))| *s >= start && *e <= end)
            .map(|(id, _)| *id)
            .collect();
        if !straddles && inside == alone {
            continue;
        }
        if ordinary {
            issues.push(issue(
                "special-unstable",
                Severity::Error,
                format!(
                    "the response template {header:?} encodes as {alone:?} alone but as {inside:?} in a \
                     conversation answering {response:?}: a completion-only collator will not find it"
                ),
            ));
        } else {
            broken_by_leading.push(format!("{:?}", response.chars().next().unwrap_or(' ')));
        }
    }
    if !broken_by_leading.is_empty() {
        issues.push(issue(
            "special-unstable",
            Severity::Info,
            format!(
                "a response starting with {} merges with the end of the response template {header:?}; \
                 such samples lose their response template",
                broken_by_leading.join(" or ")
            ),
        ));
    }
    Ok(issues)
}

/// Tokens per Tamil code point and per Tamil word on a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fertility {
    pub tokens_per_tamil_char: f64,
    pub tokens_per_tamil_word: f64,
    pub tokens: usize,
    pub tamil_chars: usize,
    pub tamil_words: usize,
}

fn is_tamil(c: char) -> bool {
    ('\u{0B80}'..='\u{0BFF}').contains(&c)
}

/// The Tamil code points (U+0B80–U+0BFF) of `text` and its whitespace-separated words that
/// contain one: what fertility divides by, here and in the token statistics.
pub(crate) fn tamil_chars_and_words(text: &str) -> (usize, usize) {
    let chars = text.chars().filter(|c| is_tamil(*c)).count();
    let words = text.split_whitespace().filter(|w| w.chars().any(is_tamil)).count();
    (chars, words)
}

/// Fertility of `counter` on `sample` (lines of mostly Tamil text): all tokens of the lines
/// over the Tamil code points (U+0B80–U+0BFF) and the whitespace-separated words containing one.
pub fn fertility(counter: &TokenCounter, sample: &[&str]) -> Result<Fertility, CountError> {
    let mut tokens = 0;
    let mut tamil_chars = 0;
    let mut tamil_words = 0;
    for line in sample {
        tokens += counter.count(line)?;
        let (chars, words) = tamil_chars_and_words(line);
        tamil_chars += chars;
        tamil_words += words;
    }
    let per = |n: usize| if n == 0 { 0.0 } else { tokens as f64 / n as f64 };
    Ok(Fertility {
        tokens_per_tamil_char: per(tamil_chars),
        tokens_per_tamil_word: per(tamil_words),
        tokens,
        tamil_chars,
        tamil_words,
    })
}

fn fertility_issue(fertility: &Fertility) -> TokenizerIssue {
    let words_in_1024 = if fertility.tokens_per_tamil_word > 0.0 {
        (1024.0 / fertility.tokens_per_tamil_word).round() as usize
    } else {
        0
    };
    let figures = format!(
        "{:.2} tokens per Tamil code point, {:.1} per Tamil word on the kurals: a 1024-token window holds about {} Tamil words",
        fertility.tokens_per_tamil_char, fertility.tokens_per_tamil_word, words_in_1024
    );
    if fertility.tokens_per_tamil_char > FERTILITY_BYTE_LEVEL_PER_CHAR {
        issue(
            "tamil-fertility",
            Severity::Warning,
            format!("{figures}; close to byte level: the vocabulary has almost no Tamil merges"),
        )
    } else if fertility.tokens_per_tamil_char > FERTILITY_WARN_PER_CHAR {
        issue(
            "tamil-fertility",
            Severity::Warning,
            format!("{figures}; above {FERTILITY_WARN_PER_CHAR} per code point, Tamil costs several times English"),
        )
    } else {
        issue("tamil-fertility", Severity::Info, figures)
    }
}

/// Two tokenizers' fertility on one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub a: Fertility,
    pub b: Fertility,
}

impl Comparison {
    /// Tokens of B per token of A on the sample.
    pub fn ratio(&self) -> f64 {
        if self.a.tokens == 0 {
            0.0
        } else {
            self.b.tokens as f64 / self.a.tokens as f64
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Tamil: A {:.2} tokens per code point ({:.1} per word), B {:.2} ({:.1}); B uses {:.2}× A's tokens",
            self.a.tokens_per_tamil_char,
            self.a.tokens_per_tamil_word,
            self.b.tokens_per_tamil_char,
            self.b.tokens_per_tamil_word,
            self.ratio()
        )
    }
}

/// Fertility of two tokenizers on the same sample, for the comparison line.
pub fn compare(a: &TokenCounter, b: &TokenCounter, sample: &[&str]) -> Result<Comparison, CountError> {
    Ok(Comparison {
        a: fertility(a, sample)?,
        b: fertility(b, sample)?,
    })
}

/// What `cargo vazhi tokenizer` reports: the audit's issues, Tamil fertility on the kurals, and
/// the comparison with a second tokenizer when one is given.
#[derive(Debug)]
pub struct TokenizerReport {
    pub tokenizer: PathBuf,
    pub issues: Vec<TokenizerIssue>,
    /// Fertility on [`FERTILITY_SAMPLE`], or why it was not measured: a tokenizer broken badly
    /// enough (a vocabulary hole) does not load, and the issues say why.
    pub fertility: Result<Fertility, String>,
    pub comparison: Option<(PathBuf, Comparison)>,
}

impl TokenizerReport {
    /// Audits `path` (a tokenizer.json or a model folder, see [`locate`]) with its config,
    /// measures its Tamil fertility and, with `compare_with`, compares it with a second tokenizer.
    pub fn check(
        path: &Path,
        config: Option<&Path>,
        chat_markers: &[&str],
        compare_with: Option<&Path>,
    ) -> Result<TokenizerReport, AuditError> {
        let (tokenizer, config) = locate(path, config);
        let (issues, counter) = audit_and_load(&tokenizer, config.as_deref(), chat_markers)?;
        let sample: Vec<&str> = FERTILITY_SAMPLE.lines().filter(|line| !line.is_empty()).collect();
        let (fertility, comparison) = match counter {
            Ok(counter) => {
                let measured = fertility(&counter, &sample)?;
                let comparison = match compare_with {
                    Some(other) => {
                        let other_counter = TokenCounter::from_file(other)?;
                        Some((other.to_owned(), compare(&counter, &other_counter, &sample)?))
                    }
                    None => None,
                };
                (Ok(measured), comparison)
            }
            Err(err) => (Err(err.to_string()), None),
        };
        Ok(TokenizerReport {
            tokenizer,
            issues,
            fertility,
            comparison,
        })
    }

    /// Issues of this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.issues.iter().filter(|issue| issue.severity == severity).count()
    }

    /// One line per issue, the fertility, the comparison, and the counts.
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let path = self.tokenizer.display();
        for issue in &self.issues {
            writeln!(out, "{path}: {issue}")?;
        }
        match &self.fertility {
            Ok(measured) => writeln!(
                out,
                "{path}: Tamil fertility on the 1330 kurals: {:.2} tokens per Tamil code point, {:.1} per Tamil word",
                measured.tokens_per_tamil_char, measured.tokens_per_tamil_word
            )?,
            Err(err) => writeln!(
                out,
                "{path}: fertility not measured: the tokenizers library cannot load it: {err}"
            )?,
        }
        if let Some((other, comparison)) = &self.comparison {
            writeln!(out, "A = {path}, B = {}: {comparison}", other.display())?;
        }
        writeln!(
            out,
            "{} errors, {} warnings",
            self.count(Severity::Error),
            self.count(Severity::Warning)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_data::QWEN_TOKENIZER as QWEN;

    /// The shared Qwen tokenizer, loaded once for the tests that vary only the config.
    fn qwen() -> &'static (TokenizerFile, TokenCounter) {
        static QWEN_LOADED: std::sync::OnceLock<(TokenizerFile, TokenCounter)> = std::sync::OnceLock::new();
        QWEN_LOADED.get_or_init(|| {
            let json = std::fs::read_to_string(QWEN).expect("the Qwen tokenizer");
            let file: TokenizerFile = serde_json::from_str(&json).expect("a tokenizer.json");
            let counter = TokenCounter::from_parsed(&json, &file, Path::new(QWEN)).expect("loads");
            (file, counter)
        })
    }

    fn audit_qwen(config: &Path) -> Vec<TokenizerIssue> {
        let (file, counter) = qwen();
        audit_loaded(file, counter, Some(config), &[]).expect("audits")
    }

    fn qwen_json() -> Json {
        let text = std::fs::read_to_string(QWEN).expect("the Qwen tokenizer");
        serde_json::from_str(&text).expect("JSON")
    }

    fn write(dir: &Path, name: &str, json: &Json) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_string(json).expect("serializes")).expect("written");
        path
    }

    fn checks(issues: &[TokenizerIssue], severity: Severity) -> Vec<&'static str> {
        issues
            .iter()
            .filter(|i| i.severity == severity)
            .map(|i| i.check)
            .collect()
    }

    #[test]
    fn the_real_qwen_tokenizer_has_no_errors() {
        let issues = audit(Path::new(QWEN), None, &[]).expect("audits");
        assert_eq!(checks(&issues, Severity::Error), Vec::<&str>::new(), "{issues:#?}");
        // Qwen's Tamil cost is real: 1.28 tokens per code point warns.
        let fertility = issues.iter().find(|i| i.check == "tamil-fertility").expect("measured");
        assert_eq!(fertility.severity, Severity::Warning);
        assert!(
            fertility
                .message
                .starts_with("1.27 tokens per Tamil code point, 9.7 per Tamil word"),
            "{}",
            fertility.message
        );
        // A response starting with a newline merges with ChatML's `assistant\n`.
        assert!(
            issues
                .iter()
                .any(|i| i.check == "special-unstable" && i.message.contains(r"'\n'")),
            "{issues:#?}"
        );
    }

    #[test]
    fn an_id_near_the_top_of_u32_is_counted_not_walked() {
        // Found by fuzzing: one vocab id of 1,175,555,555 made the audit collect every missing id
        // below it (minutes, and 4.7 GB for the list). Holes are now counted between used ids.
        let (count, shown) = unused_ids([0, 1, 5, u32::MAX - 1].into_iter(), 0, u32::MAX).expect("holes");
        assert_eq!(count, 3 + (u64::from(u32::MAX) - 1 - 6) + 1);
        assert_eq!(
            shown,
            format!("[2, 3, 4, 6, 7, 8, 9, 10, 11, 12] and {} more", count - 10)
        );
        assert_eq!(unused_ids([0, 1, 2].into_iter(), 0, 2), None);
        assert_eq!(unused_ids([3].into_iter(), 2, 5), Some((3, "[2, 4, 5]".to_owned())));
    }

    #[test]
    fn a_removed_vocab_entry_is_a_hole() {
        let mut json = qwen_json();
        let model = &mut json["model"];
        let vocab = model["vocab"].as_object_mut().expect("a vocab object");
        let (removed, _) = vocab.iter().find(|(_, id)| id.as_u64() == Some(1000)).expect("id 1000");
        let removed = removed.clone();
        vocab.remove(&removed);
        // Drop the merges that make or use it, or tokenizers refuses the file.
        let merges = model["merges"].as_array_mut().expect("merges");
        merges.retain(|m| {
            let (a, b) = match m {
                Json::String(s) => s.split_once(' ').unwrap_or_default(),
                _ => (m[0].as_str().unwrap_or_default(), m[1].as_str().unwrap_or_default()),
            };
            a != removed && b != removed && format!("{a}{b}") != removed
        });
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = write(dir.path(), "tokenizer.json", &json);
        let issues = audit(&path, None, &[]).expect("audits");
        let hole = issues.iter().find(|i| i.check == "vocab-holes").expect("a hole");
        assert_eq!(hole.severity, Severity::Error);
        assert!(hole.message.contains("1 holes at [1000]"), "{}", hole.message);
    }

    #[test]
    fn pad_equal_to_eos_is_an_error() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let same = write(
            dir.path(),
            "tokenizer_config.json",
            &serde_json::json!({"pad_token": "<|endoftext|>", "eos_token": {"content": "<|endoftext|>"}}),
        );
        let issues = audit_qwen(&same);
        assert_eq!(checks(&issues, Severity::Error), ["pad-is-eos"], "{issues:#?}");

        // Qwen2.5-Instruct's own choice: pad <|endoftext|>, eos <|im_end|>; and generation_config ids.
        let instruct = write(
            dir.path(),
            "instruct.json",
            &serde_json::json!({"pad_token": "<|endoftext|>", "eos_token": "<|im_end|>"}),
        );
        let issues = audit_qwen(&instruct);
        assert!(checks(&issues, Severity::Error).is_empty(), "{issues:#?}");
        let generation = write(
            dir.path(),
            "generation_config.json",
            &serde_json::json!({"pad_token_id": 151643, "eos_token_id": [151645, 151643]}),
        );
        let issues = audit_qwen(&generation);
        assert_eq!(checks(&issues, Severity::Error), ["pad-is-eos"], "{issues:#?}");

        let none = write(
            dir.path(),
            "special_tokens_map.json",
            &serde_json::json!({"eos_token": "<|im_end|>"}),
        );
        let issues = audit_qwen(&none);
        assert_eq!(
            checks(&issues, Severity::Warning).first(),
            Some(&"missing-pad"),
            "{issues:#?}"
        );
    }

    #[test]
    fn im_start_missing_from_added_tokens_is_not_single() {
        let mut json = qwen_json();
        json["added_tokens"]
            .as_array_mut()
            .expect("added tokens")
            .retain(|t| t["content"] != "<|im_start|>");
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = write(dir.path(), "tokenizer.json", &json);
        let issues = audit(&path, None, &[]).expect("audits");
        let errors: Vec<&TokenizerIssue> = issues.iter().filter(|i| i.severity == Severity::Error).collect();
        assert!(
            errors
                .iter()
                .any(|i| i.check == "special-not-single" && i.message.contains("<|im_start|>")),
            "{issues:#?}"
        );
        // Its id is now a gap between the added tokens.
        assert!(
            issues
                .iter()
                .any(|i| i.check == "vocab-holes" && i.message.contains("151644")),
            "{issues:#?}"
        );
    }

    #[test]
    fn compare_reports_the_ratio() {
        let (_, counter) = qwen();
        let sample: Vec<&str> = FERTILITY_SAMPLE.lines().take(20).collect();
        let comparison = compare(counter, counter, &sample).expect("counts");
        assert_eq!(comparison.ratio(), 1.0);
        assert!(
            comparison.to_string().contains("B uses 1.00× A's tokens"),
            "{comparison}"
        );
    }
}
