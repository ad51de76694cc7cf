//! Leaked chat-template markers and reasoning (`<think>`) tags in training text:
//! the analysis behind the `template-leak` and `think-leak` rules (both errors).
//!
//! Fine-tuning targets must be plain answers. When data is generated through a
//! chat template, or distilled from a reasoning model, the template's own
//! strings leak into the targets: `<|im_start|>assistant`, `[INST]`, `</s>`,
//! `### Response:`, or Qwen3's `<think>\n\n</think>\n\n` preamble. Qwen's
//! tokenizer turns `<|im_start|>`, `<think>` and the other special tokens into
//! their special ids *wherever they occur in the text* (`<think>` is id 151667
//! in `tests/data/qwen-tokenizer.json`), so one leaked marker teaches the
//! model to open or close turns, or to think out loud, in the middle of an
//! answer.
//!
//! # Template markers
//!
//! [`TemplateMarkers`] is an exact, case-sensitive, leftmost-longest
//! Aho-Corasick search over a marker list. The built-in list is
//! `rules/data/template-markers.txt` ([`BUILTIN_MARKERS`]; its header documents
//! the format); [`TemplateMarkers::from_lines`] reads a user's list in the same
//! format. Each marker carries a family (for the diagnostic) and an anchor:
//!
//! * `any` — counts anywhere: `<|im_start|>`, `[INST]`, `<start_of_turn>`, … do
//!   not occur in ordinary text. They count inside code blocks too: the
//!   tokenizer does not look at markdown.
//! * `line-start` — counts only at the start of a line (after optional blanks):
//!   the Alpaca headers with their colon (`### Instruction:`, `### Input:`,
//!   `### Response:`) and Vicuna's `USER:` / `ASSISTANT:`. A markdown heading
//!   such as `### Instructions for applying` or `### Response time` is a
//!   different string and never matches; `### Response:` quoted mid-sentence
//!   does not count. Vicuna's prefixes are included upper-case only: `User:` /
//!   `Assistant:` start lines in ordinary written dialogues, `USER:` does not.
//!   Anthropic-style `Human:` / `Assistant:` are left out for the same reason.
//! * `bos` / `eos` — `<s>` and `</s>` are Llama 2's BOS/EOS *and* the HTML
//!   strikethrough tag. The team saw them leak as tokens, but `<s>₹500</s>` in
//!   an answer is markup. So `<s>` counts at the very start of the text or right
//!   before another counting marker (`<s>[INST]`), and not when its HTML closer
//!   follows on the same line (unless that closer ends the text: `<s> … </s>`
//!   around a whole answer is BOS/EOS); `</s>` counts at the very end of the
//!   text or right before another counting marker (`</s><s>[INST]`), and not
//!   when it closes an `<s>` that did not count earlier on the same line.
//!
//! # Think leaks
//!
//! [`find_think_leaks`] reports `<think>`, `</think>` and `<think/>` (also
//! `<think />`), exactly and case-sensitively, pairing each `<think>` with the
//! next `</think>`: a pair with only whitespace between is an
//! [`ThinkLeakKind::EmptyBlock`] (Qwen3's non-thinking preamble), a pair with
//! content a [`ThinkLeakKind::Block`], a lone tag an
//! [`ThinkLeakKind::OpenTag`] or [`ThinkLeakKind::CloseTag`] (a target starting
//! with `</think>` because the template put the `<think>` in the prompt). The
//! word "think" without the angle brackets ("I think that…", "நான் think
//! பண்றேன்") never matches; neither do `&lt;think&gt;`, `<Think>` or
//! `<thinking>` (not Qwen tokens). Tags inside code spans are reported too: the
//! tokenizer still turns them into the special tokens.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// The built-in marker list (`rules/data/template-markers.txt`).
pub const BUILTIN_MARKERS: &str = include_str!("../../../rules/data/template-markers.txt");

/// The longest marker a list may hold, in bytes.
pub const MAX_MARKER_BYTES: usize = 128;

/// One template marker found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerHit {
    /// Byte range of the marker in the text.
    pub span: Range<usize>,
    /// The marker as listed (`<|im_start|>`, `### Response:`).
    pub marker: String,
    /// Its family (`chatml`, `llama2`, `alpaca`, …).
    pub family: String,
}

/// Where a listed marker counts (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Any,
    LineStart,
    Bos,
    Eos,
}

impl Anchor {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "any" => Some(Self::Any),
            "line-start" => Some(Self::LineStart),
            "bos" => Some(Self::Bos),
            "eos" => Some(Self::Eos),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    marker: String,
    family: String,
    anchor: Anchor,
}

/// A compiled marker list. Build it once ([`TemplateMarkers::builtin`] parses
/// and compiles the list on every call) and reuse it for every text.
#[derive(Debug, Clone)]
pub struct TemplateMarkers {
    matcher: AhoCorasick,
    entries: Vec<Entry>,
    /// The bytes markers start with (six for the built-in list), sorted.
    first_bytes: Vec<u8>,
}

/// A line of a marker list that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerListError {
    /// 1-based line number in the list.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for MarkerListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "marker list line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for MarkerListError {}

impl TemplateMarkers {
    /// The built-in list, [`BUILTIN_MARKERS`].
    pub fn builtin() -> Self {
        // The list is compiled into the binary and parsed by a unit test, so a
        // failure here is a build defect, not bad input.
        Self::from_lines(BUILTIN_MARKERS).expect("built-in template-markers.txt is valid")
    }

    /// Reads a marker list: `<family> <anchor> <marker>` per line, `#` comment
    /// lines and blank lines ignored (format in `template-markers.txt`). To
    /// extend the built-in list, concatenate it: `format!("{BUILTIN_MARKERS}\n{mine}")`.
    pub fn from_lines(list: &str) -> Result<Self, MarkerListError> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (i, raw) in list.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |message: String| MarkerListError { line: i + 1, message };
            let (family, rest) = split_field(line);
            let (anchor, marker) = split_field(rest);
            let marker = marker.trim();
            if marker.is_empty() {
                return Err(err("expected `<family> <anchor> <marker>`".to_string()));
            }
            // Real markers are a few dozen bytes; a long repetitive one makes the matcher's
            // construction quadratic (20,000 `x`s took a minute).
            if marker.len() > MAX_MARKER_BYTES {
                return Err(err(format!(
                    "the marker is {} bytes long; a template marker is at most {MAX_MARKER_BYTES}",
                    marker.len()
                )));
            }
            let anchor = Anchor::parse(anchor)
                .ok_or_else(|| err(format!("unknown anchor `{anchor}` (any, line-start, bos, eos)")))?;
            if !seen.insert(marker.to_string()) {
                return Err(err(format!("marker `{marker}` is listed twice")));
            }
            entries.push(Entry {
                marker: marker.to_string(),
                family: family.to_string(),
                anchor,
            });
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(entries.iter().map(|e| e.marker.as_str()))
            .map_err(|e| MarkerListError {
                line: 0,
                message: format!("cannot compile the marker list: {e}"),
            })?;
        let mut first_bytes: Vec<u8> = entries.iter().filter_map(|e| e.marker.bytes().next()).collect();
        first_bytes.sort_unstable();
        first_bytes.dedup();
        Ok(Self {
            matcher,
            entries,
            first_bytes,
        })
    }

    /// Where the first marker can start: the first byte any marker starts with, `None` when
    /// there is none (most text), and no match can begin earlier. On Tamil prose the matcher
    /// alone read about 650 MB/s (the built-in markers start with six different bytes); two
    /// `memchr3` passes skip to that byte several times faster, and the rule now costs little
    /// more than reading the records.
    fn first_possible_start(&self, text: &str) -> Option<usize> {
        const MEMCHR_PASSES: usize = 3;
        let bytes = text.as_bytes();
        if self.first_bytes.len() > 3 * MEMCHR_PASSES {
            return Some(0);
        }
        self.first_bytes
            .chunks(3)
            .filter_map(|set| match *set {
                [a] => memchr::memchr(a, bytes),
                [a, b] => memchr::memchr2(a, b, bytes),
                [a, b, c] => memchr::memchr3(a, b, c, bytes),
                _ => None,
            })
            .min()
    }

    /// Number of markers in the list.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every counting marker in `text`, in order (see the module documentation
    /// for what counts).
    pub fn find(&self, text: &str) -> Vec<MarkerHit> {
        let Some(start) = self.first_possible_start(text) else {
            return Vec::new();
        };
        let raw: Vec<(Range<usize>, usize)> = self
            .matcher
            .find_iter(aho_corasick::Input::new(text).range(start..))
            .map(|m| (m.range(), m.pattern().as_usize()))
            .collect();
        if raw.is_empty() {
            return Vec::new();
        }
        let anchor = |k: usize| self.entries[raw[k].1].anchor;
        // Whether raw[k] is directly followed (whitespace aside) by raw[k + 1].
        let adjacent = |k: usize| {
            raw.get(k + 1)
                .is_some_and(|next| only_blank(text.get(raw[k].0.end..next.0.start)))
        };
        let mut keep = vec![false; raw.len()];
        // Plain and line-start markers first: bos/eos decisions look at them.
        for (k, (span, _)) in raw.iter().enumerate() {
            keep[k] = match anchor(k) {
                Anchor::Any => true,
                Anchor::LineStart => at_line_start(text, span.start),
                Anchor::Bos | Anchor::Eos => false,
            };
        }
        // `<s>`: before a counting marker, or opening the text without an HTML
        // closer on its line.
        for (k, (span, e)) in raw.iter().enumerate() {
            if anchor(k) != Anchor::Bos {
                continue;
            }
            let before_marker = adjacent(k) && keep[k + 1];
            // Closed on its line like HTML, unless the closer ends the whole text:
            // `<s> … </s>` around an entire answer is BOS/EOS, not strikethrough.
            let html_pair = html_closer(&self.entries[*e].marker).is_some_and(|c| {
                let line = line_after(text, span.end);
                line.find(c.as_str())
                    .is_some_and(|i| !only_blank(text.get(span.end + i + c.len()..)))
            });
            let opens_text = only_blank(text.get(..span.start)) && !html_pair;
            keep[k] = before_marker || opens_text;
        }
        // `</s>`: before a counting marker (a kept `<s>` included), or closing the
        // text without closing a non-counting `<s>` on its line.
        let kept_starts: HashSet<usize> = raw
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|((span, _), _)| span.start)
            .collect();
        for (k, (span, e)) in raw.iter().enumerate() {
            if anchor(k) != Anchor::Eos {
                continue;
            }
            let before_marker = adjacent(k) && keep[k + 1];
            let closes_text = only_blank(text.get(span.end..))
                && !html_opener(&self.entries[*e].marker).is_some_and(|o| {
                    let line_start = line_start(text, span.start);
                    text.get(line_start..span.start).is_some_and(|line| {
                        line.match_indices(o.as_str())
                            .any(|(i, _)| !kept_starts.contains(&(line_start + i)))
                    })
                });
            keep[k] = before_marker || closes_text;
        }
        raw.into_iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|((span, e), _)| MarkerHit {
                span,
                marker: self.entries[e].marker.clone(),
                family: self.entries[e].family.clone(),
            })
            .collect()
    }
}

/// First whitespace-separated field and the rest of the line.
fn split_field(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

fn only_blank(s: Option<&str>) -> bool {
    s.is_some_and(|s| s.trim().is_empty())
}

/// Byte offset where the line holding `pos` starts.
fn line_start(text: &str, pos: usize) -> usize {
    text.get(..pos).and_then(|head| head.rfind('\n')).map_or(0, |i| i + 1)
}

/// Whether only spaces and tabs precede `pos` on its line.
fn at_line_start(text: &str, pos: usize) -> bool {
    text.get(line_start(text, pos)..pos)
        .is_some_and(|s| s.chars().all(|c| c == ' ' || c == '\t'))
}

/// The rest of the line from `pos`.
fn line_after(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    rest.split('\n').next().unwrap_or("")
}

/// `<s>` → `</s>`: the HTML closer of an opening tag.
fn html_closer(open: &str) -> Option<String> {
    open.strip_prefix('<').map(|tag| format!("</{tag}"))
}

/// `</s>` → `<s>`: the HTML opener of a closing tag.
fn html_opener(close: &str) -> Option<String> {
    close.strip_prefix("</").map(|tag| format!("<{tag}"))
}

// ---------------------------------------------------------------------------
// Think leaks
// ---------------------------------------------------------------------------

/// A `<think>` tag or block found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThinkLeak {
    /// Byte range: the tag, or the whole block from `<think>` to `</think>`.
    pub span: Range<usize>,
    pub kind: ThinkLeakKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThinkLeakKind {
    /// `<think>` without a following `</think>`.
    OpenTag,
    /// `</think>` without a preceding `<think>`.
    CloseTag,
    /// `<think>` … `</think>` with only whitespace between, or `<think/>`.
    EmptyBlock,
    /// `<think>` … `</think>` with reasoning inside.
    Block,
}

impl ThinkLeakKind {
    /// A one-line human description for diagnostics.
    pub fn describe(self) -> &'static str {
        match self {
            Self::OpenTag => "unclosed <think> tag",
            Self::CloseTag => "</think> tag without <think>",
            Self::EmptyBlock => "empty <think></think> block (chat-template preamble)",
            Self::Block => "<think> reasoning block",
        }
    }
}

/// The tag forms, in pattern order.
const THINK_TAGS: [&str; 4] = ["<think>", "</think>", "<think/>", "<think />"];

static THINK_MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    // Four constant patterns: building cannot fail on any input.
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(THINK_TAGS)
        .expect("constant think-tag patterns compile")
});

/// Finds `<think>` tags and blocks in `text`, in order.
pub fn find_think_leaks(text: &str) -> Vec<ThinkLeak> {
    let mut out = Vec::new();
    let mut open: Option<Range<usize>> = None;
    for m in THINK_MATCHER.find_iter(text) {
        let span = m.range();
        match m.pattern().as_usize() {
            0 => {
                // A second <think> before any </think>: the first one is unclosed.
                if let Some(prev) = open.replace(span) {
                    out.push(ThinkLeak {
                        span: prev,
                        kind: ThinkLeakKind::OpenTag,
                    });
                }
            }
            1 => match open.take() {
                Some(start) => {
                    let inner = text.get(start.end..span.start).unwrap_or("");
                    let kind = if inner.trim().is_empty() {
                        ThinkLeakKind::EmptyBlock
                    } else {
                        ThinkLeakKind::Block
                    };
                    out.push(ThinkLeak {
                        span: start.start..span.end,
                        kind,
                    });
                }
                None => out.push(ThinkLeak {
                    span,
                    kind: ThinkLeakKind::CloseTag,
                }),
            },
            _ => out.push(ThinkLeak {
                span,
                kind: ThinkLeakKind::EmptyBlock,
            }),
        }
    }
    if let Some(prev) = open {
        out.push(ThinkLeak {
            span: prev,
            kind: ThinkLeakKind::OpenTag,
        });
    }
    // A self-closing tag inside an open block is reported before the block.
    out.sort_by_key(|l| (l.span.start, l.span.end));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> TemplateMarkers {
        TemplateMarkers::builtin()
    }

    /// (marker, family) of each hit, and the hits' spans index the text.
    fn hits(text: &str) -> Vec<(String, String)> {
        builtin()
            .find(text)
            .into_iter()
            .map(|h| {
                assert_eq!(&text[h.span.clone()], h.marker, "span matches marker");
                (h.marker, h.family)
            })
            .collect()
    }

    fn markers(text: &str) -> Vec<String> {
        hits(text).into_iter().map(|h| h.0).collect()
    }

    fn think(text: &str) -> Vec<(ThinkLeakKind, &str)> {
        find_think_leaks(text)
            .into_iter()
            .map(|l| (l.kind, &text[l.span]))
            .collect()
    }

    // -- the list ------------------------------------------------------------

    #[test]
    fn builtin_list_parses_with_every_family() {
        let m = builtin();
        assert!(m.len() > 60, "{}", m.len());
        let families: HashSet<&str> = m.entries.iter().map(|e| e.family.as_str()).collect();
        for f in [
            "chatml",
            "qwen",
            "llama2",
            "llama3",
            "mistral",
            "gemma",
            "phi3",
            "phi4",
            "harmony",
            "deepseek",
            "command-r",
            "granite",
            "openthoughts",
            "alpaca",
            "vicuna",
        ] {
            assert!(families.contains(f), "family {f} missing");
        }
        // Think tags belong to the think-leak rule only.
        assert!(m.entries.iter().all(|e| !e.marker.contains("think>")));
    }

    #[test]
    fn list_format_and_errors() {
        let m = TemplateMarkers::from_lines("# comment\n\n  mine  any   <|my_turn|>\nmine line-start ## Q and A:\n")
            .expect("valid list");
        assert_eq!(m.len(), 2);
        let text = "x <|my_turn|> y\n## Q and A: z";
        let found: Vec<_> = m.find(text).into_iter().map(|h| h.marker).collect();
        assert_eq!(found, ["<|my_turn|>", "## Q and A:"]);

        let err = TemplateMarkers::from_lines("a any <x>\nb sometimes <y>").expect_err("bad anchor");
        assert_eq!(err.line, 2);
        assert!(err.to_string().contains("unknown anchor `sometimes`"), "{err}");
        let err = TemplateMarkers::from_lines("a any").expect_err("no marker");
        assert_eq!(err.line, 1);
        let err = TemplateMarkers::from_lines("a any <x>\nb any <x>").expect_err("duplicate");
        assert!(err.message.contains("twice"), "{err}");

        let empty = TemplateMarkers::from_lines("# nothing\n").expect("empty list");
        assert!(empty.is_empty());
        assert!(empty.find("<|im_start|>").is_empty());
        // Extending the built-in list.
        let both =
            TemplateMarkers::from_lines(&format!("{BUILTIN_MARKERS}\nmine any <|my_turn|>")).expect("extended list");
        assert_eq!(both.len(), builtin().len() + 1);
    }

    // -- template markers fire ---------------------------------------------

    #[test]
    fn chatml_and_qwen() {
        let text = "<|im_start|>assistant\nதிருக்குறள் ஒரு தமிழ் நூல்.<|im_end|>\n<|endoftext|>";
        assert_eq!(
            hits(text),
            [
                ("<|im_start|>".to_string(), "chatml".to_string()),
                ("<|im_end|>".to_string(), "chatml".to_string()),
                ("<|endoftext|>".to_string(), "chatml".to_string()),
            ]
        );
        assert_eq!(
            markers("code <|fim_prefix|>x<|fim_suffix|>"),
            ["<|fim_prefix|>", "<|fim_suffix|>"]
        );
        // Special tokens count inside code blocks too.
        assert_eq!(markers("```\n<|im_start|>user\n```"), ["<|im_start|>"]);
    }

    #[test]
    fn llama_families() {
        let text = "<s>[INST] <<SYS>>\nநீ ஒரு உதவியாளர்.\n<</SYS>>\n\nவணக்கம் [/INST] வணக்கம்! </s><s>[INST] நன்றி [/INST]";
        assert_eq!(
            markers(text),
            [
                "<s>", "[INST]", "<<SYS>>", "<</SYS>>", "[/INST]", "</s>", "<s>", "[INST]", "[/INST]"
            ]
        );
        assert!(hits(text).iter().all(|h| h.1 == "llama2"));
        let l3 = "<|begin_of_text|><|start_header_id|>assistant<|end_header_id|>\n\nவணக்கம்<|eot_id|>";
        assert_eq!(
            markers(l3),
            [
                "<|begin_of_text|>",
                "<|start_header_id|>",
                "<|end_header_id|>",
                "<|eot_id|>"
            ]
        );
        assert!(hits(l3).iter().all(|h| h.1 == "llama3"));
    }

    #[test]
    fn other_families() {
        assert_eq!(
            hits("<start_of_turn>model\nவணக்கம்<end_of_turn>"),
            [
                ("<start_of_turn>".to_string(), "gemma".to_string()),
                ("<end_of_turn>".to_string(), "gemma".to_string()),
            ]
        );
        assert_eq!(
            markers("<|user|>\nHi<|end|>\n<|assistant|>"),
            ["<|user|>", "<|end|>", "<|assistant|>"]
        );
        assert_eq!(
            markers("<｜User｜>வணக்கம்<｜Assistant｜>"),
            ["<｜User｜>", "<｜Assistant｜>"]
        );
        assert_eq!(
            markers("<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>"),
            ["<|START_OF_TURN_TOKEN|>", "<|CHATBOT_TOKEN|>"]
        );
        assert_eq!(
            markers("<|channel|>analysis<|message|>x"),
            ["<|channel|>", "<|message|>"]
        );
        assert_eq!(markers("[TOOL_CALLS] [{}]"), ["[TOOL_CALLS]"]);
        assert_eq!(
            markers("<|begin_of_thought|>\nx\n<|end_of_thought|>"),
            ["<|begin_of_thought|>", "<|end_of_thought|>"]
        );
    }

    #[test]
    fn alpaca_and_vicuna_at_line_start() {
        let text = "Below is an instruction that describes a task. Write a response.\n\n### Instruction:\nமொழிபெயர்\n\n### Input:\nHello\n\n  ### Response:\nவணக்கம்";
        assert_eq!(
            hits(text),
            [
                (
                    "Below is an instruction that describes a task".to_string(),
                    "alpaca".to_string()
                ),
                ("### Instruction:".to_string(), "alpaca".to_string()),
                ("### Input:".to_string(), "alpaca".to_string()),
                ("### Response:".to_string(), "alpaca".to_string()),
            ]
        );
        assert_eq!(markers("USER: வணக்கம்\nASSISTANT: வணக்கம்!"), ["USER:", "ASSISTANT:"]);
        assert_eq!(
            markers("### Human: hi\n### Assistant: hello"),
            ["### Human:", "### Assistant:"]
        );
    }

    #[test]
    fn llama_bos_eos_tokens() {
        assert_eq!(markers("<s> வணக்கம், நான் உதவுகிறேன்."), ["<s>"]);
        assert_eq!(markers("  <s>"), ["<s>"]);
        // BOS/EOS around the whole answer (also around a lone strikethrough:
        // a whole answer struck through is far less likely than a leak).
        assert_eq!(markers("<s> வணக்கம்! </s>"), ["<s>", "</s>"]);
        assert_eq!(markers("<s>\nவணக்கம்!\n</s>\n"), ["<s>", "</s>"]);
        assert_eq!(markers("The answer is 42.</s>"), ["</s>"]);
        assert_eq!(markers("The answer is 42. </s>\n"), ["</s>"]);
        assert_eq!(
            markers("one </s><s>[INST] two [/INST]"),
            ["</s>", "<s>", "[INST]", "[/INST]"]
        );
        // A kept <s> earlier on the line does not make the final </s> HTML.
        assert_eq!(
            markers("<s>[INST] q [/INST] a </s>"),
            ["<s>", "[INST]", "[/INST]", "</s>"]
        );
    }

    // -- template near misses ----------------------------------------------

    #[test]
    fn markdown_headings_and_prose_pass() {
        for text in [
            "### Instructions for applying\n1. Fill the form.",
            "### Response time\nUnder 2 seconds.",
            "### Responses:\nmany",
            "The Alpaca format uses a ### Response: header.",
            "User: வணக்கம்\nAssistant: வணக்கம்!",
            "THE USER: can log in",
            "Human: hi\nAssistant: hello",
            "<|IM_START|> and <|Im_End|> are not the tokens",
            "[inst] lower case",
            "I think that <s> is a tag",
        ] {
            assert_eq!(markers(text), Vec::<String>::new(), "{text:?}");
        }
    }

    #[test]
    fn html_strikethrough_passes() {
        for text in [
            "விலை <s>₹500</s> ₹400 மட்டும்.",
            "விலை ₹400 மட்டும் (பழைய விலை <s>₹500</s>)",
            "The price was <s>₹500</s>",
            "<s>Old plan</s> New plan",
            "Use <s> for strikethrough.",
            "x</s>y",
        ] {
            assert_eq!(markers(text), Vec::<String>::new(), "{text:?}");
        }
    }

    // -- think leaks -----------------------------------------------------------

    #[test]
    fn think_kinds() {
        assert_eq!(
            think("<think>\n\n</think>\n\nவணக்கம்!"),
            [(ThinkLeakKind::EmptyBlock, "<think>\n\n</think>")]
        );
        assert_eq!(
            think("<think>பயனர் வணக்கம் சொல்கிறார்.</think>வணக்கம்!"),
            [(ThinkLeakKind::Block, "<think>பயனர் வணக்கம் சொல்கிறார்.</think>")]
        );
        assert_eq!(think("</think>\n\nவணக்கம்!"), [(ThinkLeakKind::CloseTag, "</think>")]);
        assert_eq!(think("வணக்கம்! <think>"), [(ThinkLeakKind::OpenTag, "<think>")]);
        assert_eq!(think("a<think/>b"), [(ThinkLeakKind::EmptyBlock, "<think/>")]);
        assert_eq!(think("a<think />b"), [(ThinkLeakKind::EmptyBlock, "<think />")]);
        assert_eq!(
            think("<think>a<think>b</think>c</think>"),
            [
                (ThinkLeakKind::OpenTag, "<think>"),
                (ThinkLeakKind::Block, "<think>b</think>"),
                (ThinkLeakKind::CloseTag, "</think>"),
            ]
        );
        // Inside code the tags still tokenize as special tokens.
        assert_eq!(think("`<think>`"), [(ThinkLeakKind::OpenTag, "<think>")]);
        for k in [
            ThinkLeakKind::OpenTag,
            ThinkLeakKind::CloseTag,
            ThinkLeakKind::EmptyBlock,
            ThinkLeakKind::Block,
        ] {
            assert!(k.describe().contains("think"));
        }
    }

    #[test]
    fn the_word_think_passes() {
        for text in [
            "I think that Chennai is hot.",
            "think about it",
            "நான் think பண்றேன்",
            "Let me think... <thinking> is not a Qwen token",
            "&lt;think&gt; is escaped",
            "<think about it>",
            "<Think>",
            "< think >",
            "rethink> this",
        ] {
            assert_eq!(think(text), [], "{text:?}");
        }
    }

    // -- clean corpora -------------------------------------------------------

    #[test]
    fn clean_corpora_pass() {
        let m = builtin();
        let mut texts = Vec::new();
        for record in crate::test_data::kurals().iter().chain(crate::test_data::poems()) {
            let obj = record.as_object().expect("object");
            texts.extend(obj.values().filter_map(|x| x.as_str()).map(str::to_string));
        }
        texts.push(crate::test_data::ESSAY.to_string());
        assert!(texts.len() > 1330 * 10);
        for t in &texts {
            assert_eq!(m.find(t), [], "{t:?}");
            assert_eq!(find_think_leaks(t), [], "{t:?}");
        }
    }

    #[test]
    fn large_text_is_fast() {
        let mut text = "திருக்குறள் ஒரு தமிழ் நூல். I think so. <s>x</s> ### Response time\n".repeat(15_000);
        text.push_str("<|im_end|>");
        let m = builtin();
        let start = std::time::Instant::now();
        let found = m.find(&text);
        let leaks = find_think_leaks(&text);
        let took = start.elapsed();
        assert_eq!(found.len(), 1);
        assert!(leaks.is_empty());
        let limit = if cfg!(debug_assertions) { 2000 } else { 100 };
        assert!(took.as_millis() < limit, "{} bytes in {took:?}", text.len());
    }
}
