//! Exact token counts of rendered training samples, fast.
//!
//! Why: a completion-only SFT collator finds the assistant turn by its token ids. When the
//! prompt alone reaches `max_seq_length`, the response is cut away, the collator finds no
//! response template and the sample trains on nothing — silently. VAZHI v3.5 lost 20–30% of its
//! SFT samples that way. Whether a sample is affected is settled exactly, before training, by
//! counting the tokens of the rendered conversation with the real tokenizer.
//!
//! How: [`TokenCounter`] wraps `tokenizers::Tokenizer` and, for byte-level BPE models (Qwen,
//! Llama 3, GPT-2 style: `model.type == "BPE"` with a ByteLevel pre-tokenizer), also builds a
//! count-only BPE ([`super::bpe`]) from the file's own vocab and merges. The fast path replays
//! `Tokenizer::encode(text, false)` step by step:
//!
//! 1. added tokens with `normalized: false` (all of Qwen's 26 specials) are split out of the raw
//!    text first, leftmost-longest, each counting one token;
//! 2. each remaining segment is normalized: only `NFC` (Qwen) or no normalizer is supported.
//!    A segment NFC leaves unchanged (settled on bytes for ASCII, Tamil and punctuation, else
//!    per character, `script::nfc_unchanged`) is used as is; one whose only change is a Tamil
//!    two-part vowel written as two signs is composed on bytes, its pieces mapped back by the
//!    composed vowels' offsets; any other is normalized by the `tokenizers` crate's NFC, with
//!    its alignments;
//! 3. added tokens with `normalized: true` are split out of the normalized segment;
//! 4. the pre-tokenizer's `Split` regexes (behaviour `Isolated`) cut the segment into pieces.
//!    Qwen's and Llama 3's pattern is matched by hand ([`known_split`]); others run on the
//!    `regex` crate, not `fancy-regex`: the one look-around these patterns use, the final
//!    `\s+(?!\S)|\s+`, is replaced by `\s+` and a whitespace run that stops before a non-space
//!    gives back its last character, exactly what the backtracking engine does;
//! 5. each piece is merged by the byte-level BPE, through a small per-thread cache of piece →
//!    count (Tamil pieces repeat a lot).
//!
//! Anything else (another model type, normalizer or pre-tokenizer, `lstrip`/`rstrip`/
//! `single_word` added tokens, a look-around elsewhere in the pattern) falls back to
//! `Tokenizer::encode`, so a count is never approximate. [`TokenCounter::engine`] says which.
//! The wrapped tokenizer has truncation and padding switched off: a count is the length of the
//! whole text.
//!
//! The `token_throughput` example (`cargo run --release -p vazhi-lint --features calibration
//! --example token_throughput`) measures [`TokenCounter::count`] against `Tokenizer::encode`
//! on the 1330 kurals rendered as 3,990 ChatML samples, and checks on the way that the verdicts
//! of [`TokenCounter::prompt_fits`] at 256, 512 and 1024 tokens equal those computed from
//! `encode` offsets; its figures are in bench/README.md ("Components").
//!
//! Exactness is tested, not assumed: counts equal `Tokenizer::encode(text, false).len()` on the
//! 15 golden strings, on every field of all 1330 kurals (281 of whose commentaries carry
//! decomposed Tamil vowel signs, so NFC changes them), on the rendered samples, on edge strings,
//! on 20,000 random strings mixing whitespace, Tamil signs, combining marks and special tokens,
//! and, split at every character, on 400 random texts of Tamil letters, vowel halves and
//! punctuation; the same for a GPT-2 `ByteLevel` pre-tokenizer with `ignore_merges`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use regex::Regex;
use regex_automata::meta::Regex as MetaRegex;
use regex_automata::{Anchored, Input};
use serde_json::Value;
use tokenizers::normalizer::Range as AlignedRange;
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::normalizers::unicode::NFC;
use tokenizers::{NormalizedString, Normalizer, Tokenizer};

use super::bpe::{ByteLevelBpe, PieceCache, TokenizerFile};
use super::template::Rendered;
use known_split::KnownSplit;

#[cfg(feature = "calibration")]
#[doc(hidden)]
pub mod calibration;
mod known_split;
#[cfg(any(test, feature = "calibration"))]
mod samples;

/// Why a tokenizer could not be loaded or a text not counted.
#[derive(Debug, thiserror::Error)]
pub enum CountError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: the tokenizers crate cannot load it: {message}")]
    Load { path: PathBuf, message: String },
    #[error("{path}: cannot encode the text: {message}")]
    Encode { path: PathBuf, message: String },
}

/// Which way a [`TokenCounter`] counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountEngine {
    /// The count-only byte-level BPE of this module.
    ByteLevelBpe,
    /// `Tokenizer::encode`, with the reason the fast path does not apply.
    Encode { reason: String },
}

/// Exact token counts with the tokenizer a training run will use. `Send + Sync`: share one
/// across threads; each thread keeps its own piece cache.
///
/// Load one per tokenizer and keep it. With a BPE model, tokenizers 0.23 keeps each loaded
/// model's encode cache (up to 10,000 words) in a map local to every thread that encoded with
/// it, and dropping the counter does not clear it: only the thread's exit does. A thread that
/// loads and drops counters over and over grows without bound (issue 17, the `tokenizer_audit`
/// fuzz target, which now runs each input on a thread of its own).
pub struct TokenCounter {
    tokenizer: Tokenizer,
    fast: Result<FastPath, String>,
    path: PathBuf,
    cache_owner: u64,
}

static NEXT_COUNTER: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static PIECE_CACHE: RefCell<PieceCache> = RefCell::new(PieceCache::new());
}

impl TokenCounter {
    /// Loads a `tokenizer.json`.
    pub fn from_file(path: &Path) -> Result<Self, CountError> {
        let json = crate::small_file::read_text(path, crate::small_file::TOKENIZER_BYTES, "a tokenizer").map_err(
            |source| CountError::Read {
                path: path.to_owned(),
                source,
            },
        )?;
        Self::from_json(&json, path)
    }

    /// Loads a `tokenizer.json` already read; `path` names it in errors.
    pub fn from_json(json: &str, path: &Path) -> Result<Self, CountError> {
        let file = TokenizerFile::parse(json).map_err(|message| CountError::Parse {
            path: path.to_owned(),
            message,
        })?;
        Self::from_parsed(json, &file, path)
    }

    /// `from_json` for a caller that already parsed the file's model.
    pub(crate) fn from_parsed(json: &str, file: &TokenizerFile, path: &Path) -> Result<Self, CountError> {
        if let Some(message) = file.model.merge_that_panics_tokenizers() {
            return Err(CountError::Load {
                path: path.to_owned(),
                message,
            });
        }
        // The tokenizers crate parses the whole file again, more than half of loading it; the
        // fast path, built from the sections already parsed, is made on another thread meanwhile
        // (with the Qwen file a run starts 0.07 s sooner, 0.36 → 0.29 s on 2 cores).
        let (tokenizer, fast) = std::thread::scope(|scope| {
            let fast = scope.spawn(|| FastPath::new(file));
            let tokenizer = load_tokenizer(json, path);
            let fast = fast.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (tokenizer, fast)
        });
        let tokenizer = tokenizer?;
        Ok(Self {
            tokenizer,
            fast,
            path: path.to_owned(),
            cache_owner: NEXT_COUNTER.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// This counter with the fast path switched off: every count is `Tokenizer::encode`, and
    /// [`prompt_fits`](Self::prompt_fits) no longer uses the byte bound (on this engine the
    /// bound would itself be an encode). The reference the fast path is checked against, and
    /// the benchmark's baseline (`token-engine = "encode"`).
    pub fn encode_only(mut self) -> Self {
        self.fast = Err("token-engine = \"encode\" asks for Tokenizer::encode".into());
        self
    }

    /// The file this counter was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The wrapped tokenizer (truncation and padding off).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Whether counts take the fast byte-level path, or why they do not.
    pub fn engine(&self) -> CountEngine {
        match &self.fast {
            Ok(_) => CountEngine::ByteLevelBpe,
            Err(reason) => CountEngine::Encode { reason: reason.clone() },
        }
    }

    /// The token ids of `text` with `add_special_tokens = false`, from the tokenizer itself.
    pub fn encode_ids(&self, text: &str) -> Result<Vec<u32>, CountError> {
        Ok(self.encode(text)?.get_ids().to_vec())
    }

    fn encode(&self, text: &str) -> Result<tokenizers::Encoding, CountError> {
        self.tokenizer.encode(text, false).map_err(|e| CountError::Encode {
            path: self.path.clone(),
            message: format!("{e}"),
        })
    }

    /// The number of tokens of `text`: `tokenizer.encode(text, false).len()`, special tokens
    /// written in the text (`<|im_start|>`) counting one each. Never fails on the byte-level
    /// fast path; on the fallback an encoding error is returned.
    pub fn count(&self, text: &str) -> Result<usize, CountError> {
        match &self.fast {
            Ok(fast) => Ok(self.with_cache(|cache| {
                let mut tally = Total {
                    cache,
                    bpe: &fast.bpe,
                    count: 0,
                };
                fast.walk(text, &mut tally);
                tally.count
            })),
            Err(_) => Ok(self.encode(text)?.len()),
        }
    }

    /// `(tokens that start before byte at, all tokens)` of `text`: how many tokens of a rendered
    /// sample lie before its first response. A token straddling `at` counts before it. `at` must
    /// be a char boundary.
    pub fn count_split(&self, text: &str, at: usize) -> Result<(usize, usize), CountError> {
        self.count_split_how(text, at).map(|(before, total, _)| (before, total))
    }

    /// [`count_split`](Self::count_split), and whether `Tokenizer::encode` gave the counts (the
    /// fallback engine, or a normalized segment whose offsets only the tokenizer can map).
    fn count_split_how(&self, text: &str, at: usize) -> Result<(usize, usize, bool), CountError> {
        if let Ok(fast) = &self.fast {
            let split = self.with_cache(|cache| {
                let mut tally = Split {
                    cache,
                    bpe: &fast.bpe,
                    at,
                    before: 0,
                    total: 0,
                    needs_offsets: false,
                };
                fast.walk(text, &mut tally);
                (!tally.needs_offsets).then_some((tally.before, tally.total))
            });
            if let Some((before, total)) = split {
                return Ok((before, total, false));
            }
        }
        let encoding = self.encode(text)?;
        Ok((tokens_before(&encoding, at), encoding.len(), true))
    }

    /// An upper bound on [`count`](Self::count) without BPE or pre-tokenizer regex: a byte-level
    /// BPE makes at most one token per byte (of the normalized text), and an added token is one
    /// token. A linear scan. For a tokenizer on the fallback path it is the exact count
    /// (`usize::MAX` if encoding fails).
    pub fn max_tokens_bound(&self, text: &str) -> usize {
        let Ok(fast) = &self.fast else {
            return self.count(text).unwrap_or(usize::MAX);
        };
        let mut bound = 0;
        fast.for_each_segment(text, |segment| {
            bound += match segment {
                Segment::Added(_) => 1,
                Segment::Text(range) => fast.normalized_len(&text[range]),
            }
        });
        bound
    }

    /// A lower bound on [`count`](Self::count): one token per pre-token (the BPE never merges
    /// across pre-tokens) and per added token. Costs the pre-tokenizer regex, not the merges.
    /// For a tokenizer on the fallback path it is the exact count (0 if encoding fails).
    pub fn min_tokens_bound(&self, text: &str) -> usize {
        let Ok(fast) = &self.fast else {
            return self.count(text).unwrap_or(0);
        };
        let mut tally = Pieces(0);
        fast.walk(text, &mut tally);
        tally.0
    }

    /// Whether the first response of a rendered sample survives truncation to `max_seq_len`
    /// tokens (right truncation, as SFT trainers do).
    ///
    /// A sample the byte bound settles ([`bound_settles`](Self::bound_settles)) fits without
    /// counting (`settled_by_bound`, counts `None`): for Qwen, any sample of at most
    /// `max_seq_len` bytes. Tamil takes about 2.5 bytes per Qwen token, so that settles the
    /// short samples only: of the 3,990 kural samples, 1,120 of the 3,989 that fit 512 tokens
    /// and 3,983 of 3,990 at 1024. The others are counted exactly, once, split at
    /// [`Rendered::prompt_end`].
    pub fn prompt_fits(&self, rendered: &Rendered, max_seq_len: usize) -> Result<Verdict, CountError> {
        if rendered.assistant_spans.is_empty() {
            return Ok(Verdict::NO_RESPONSE);
        }
        if self.bound_settles(rendered, max_seq_len) {
            return Ok(Verdict {
                fit: Fit::Fits,
                tokens_before_response: None,
                response_tokens_kept: None,
                total_tokens: None,
                settled_by_bound: true,
                encoded: false,
            });
        }
        self.prompt_counts(rendered, max_seq_len)
    }

    /// [`prompt_fits`](Self::prompt_fits) with exact counts for every sample: the byte bound is
    /// not used, so `tokens_before_response` and `total_tokens` are always there (except for a
    /// sample without a response). For token statistics, which need every sample's counts.
    pub fn prompt_counts(&self, rendered: &Rendered, max_seq_len: usize) -> Result<Verdict, CountError> {
        if rendered.assistant_spans.is_empty() {
            return Ok(Verdict::NO_RESPONSE);
        }
        let (before, total, encoded) = self.count_split_how(&rendered.text, rendered.prompt_end)?;
        Ok(Verdict {
            encoded,
            ..Verdict::from_counts(before, total, max_seq_len)
        })
    }

    /// Whether the byte bound alone shows that the whole sample fits `max_seq_len` tokens, so
    /// [`prompt_fits`](Self::prompt_fits) need not count it. Only a text of at most `max_seq_len`
    /// bytes can have a bound that small, so longer texts are not even scanned (NFC rarely
    /// shrinks text; when it does, the exact count gives the same verdict). Never true on the
    /// fallback engine, where the bound would be a full encode: counting once is cheaper.
    pub fn bound_settles(&self, rendered: &Rendered, max_seq_len: usize) -> bool {
        self.fast.is_ok() && rendered.text.len() <= max_seq_len && self.max_tokens_bound(&rendered.text) <= max_seq_len
    }

    fn with_cache<R>(&self, f: impl FnOnce(&mut PieceCache) -> R) -> R {
        PIECE_CACHE.with(|cell| {
            let mut cache = cell.borrow_mut();
            cache.claim(self.cache_owner);
            f(&mut cache)
        })
    }
}

/// How many tokens of `encoding` start before byte `at` of its text: a token straddling `at`
/// counts before it.
fn tokens_before(encoding: &tokenizers::Encoding, at: usize) -> usize {
    encoding.get_offsets().iter().filter(|(start, _)| *start < at).count()
}

/// The tokenizers crate's `Tokenizer` for the file, without truncation or padding: counts are
/// of whole texts.
fn load_tokenizer(json: &str, path: &Path) -> Result<Tokenizer, CountError> {
    let load_error = |e: tokenizers::Error| CountError::Load {
        path: path.to_owned(),
        message: format!("{e}"),
    };
    let mut tokenizer: Tokenizer = json.parse().map_err(load_error)?;
    tokenizer.with_truncation(None).map_err(load_error)?.with_padding(None);
    Ok(tokenizer)
}

/// What truncation to `max_seq_len` does to a rendered sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// The whole sample fits.
    Fits,
    /// The first response starts inside the window but the sample ends outside it: the model
    /// never sees the final closing marker (`<|im_end|>`), so it does not learn to stop there.
    ResponseTruncated,
    /// The prompt alone fills the window: no response token is kept, the completion-only
    /// collator finds no response template and the sample trains on nothing.
    ResponseLost,
    /// The rendered sample has no assistant turn.
    NoResponse,
}

/// The answer of [`TokenCounter::prompt_fits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub fit: Fit,
    /// Tokens before the first response (`None` when settled by the bound).
    pub tokens_before_response: Option<usize>,
    /// Tokens from the first response on that stay inside the window.
    pub response_tokens_kept: Option<usize>,
    pub total_tokens: Option<usize>,
    /// True when the byte bound settled it without counting.
    pub settled_by_bound: bool,
    /// True when `Tokenizer::encode` gave the counts rather than the count-only BPE: the
    /// fallback engine, or a split the fast path could not align (see [`CountEngine`]).
    pub encoded: bool,
}

impl Verdict {
    /// A rendered sample with no assistant turn: nothing to truncate, nothing counted.
    const NO_RESPONSE: Verdict = Verdict {
        fit: Fit::NoResponse,
        tokens_before_response: None,
        response_tokens_kept: None,
        total_tokens: None,
        settled_by_bound: false,
        encoded: false,
    };

    /// The verdict from exact counts: `before` tokens precede the first response, `total` in all.
    pub fn from_counts(before: usize, total: usize, max_seq_len: usize) -> Self {
        let fit = if total <= max_seq_len {
            Fit::Fits
        } else if before >= max_seq_len {
            Fit::ResponseLost
        } else {
            Fit::ResponseTruncated
        };
        Verdict {
            fit,
            tokens_before_response: Some(before),
            response_tokens_kept: Some(total.min(max_seq_len).saturating_sub(before)),
            total_tokens: Some(total),
            settled_by_bound: false,
            encoded: false,
        }
    }
}

/// The fast path's view of one tokenizer.json.
struct FastPath {
    /// Added tokens with `normalized: false`, longest first so leftmost-first = leftmost-longest.
    added: Option<Regex>,
    /// Added tokens with `normalized: true`, in normalized form.
    added_normalized: Option<Regex>,
    /// The tokenizer's NFC normalizer, when it has one.
    nfc: Option<NormalizerWrapper>,
    stages: Vec<SplitStage>,
    bpe: ByteLevelBpe,
}

enum Segment {
    Added(Range<usize>),
    Text(Range<usize>),
}

/// Where a piece came from: its byte offset in the text, or, in a segment that
/// normalization changed, its offset in the normalized segment, which the segment's
/// alignments map back to the text (as `Tokenizer::encode` maps its offsets).
#[derive(Clone, Copy)]
enum Origin<'n> {
    At(usize),
    Normalized {
        segment_start: usize,
        at: usize,
        segment: &'n NormalizedString,
    },
    /// In a segment of Tamil, ASCII and punctuation whose only change under NFC is two-part
    /// vowels composed ([`crate::script::compose_two_part_vowels`]): `composed` holds where each
    /// composed vowel starts in the normalized segment, ascending.
    Composed {
        segment_start: usize,
        at: usize,
        composed: &'n [usize],
    },
}

impl Origin<'_> {
    fn offset(self, by: usize) -> Self {
        match self {
            Origin::At(base) => Origin::At(base + by),
            Origin::Normalized {
                segment_start,
                at,
                segment,
            } => Origin::Normalized {
                segment_start,
                at: at + by,
                segment,
            },
            Origin::Composed {
                segment_start,
                at,
                composed,
            } => Origin::Composed {
                segment_start,
                at: at + by,
                composed,
            },
        }
    }

    /// The bytes of the text that `len` bytes from here came from; `None` if the alignments
    /// do not say.
    fn source(self, len: usize) -> Option<Range<usize>> {
        match self {
            Origin::At(start) => Some(start..start + len),
            Origin::Normalized {
                segment_start,
                at,
                segment,
            } => segment
                .convert_offsets(AlignedRange::Normalized(at..at + len))
                .map(|r| segment_start + r.start..segment_start + r.end),
            // Each vowel composed before an offset took three bytes more in the text. A piece
            // starts and ends on characters, so never inside a composed vowel: one starting at
            // one starts where its two signs did, one ending after it ends after both, as the
            // alignments of `tokenizers`' NFC say.
            Origin::Composed {
                segment_start,
                at,
                composed,
            } => {
                let in_text = |offset: usize| segment_start + offset + 3 * composed.partition_point(|&c| c < offset);
                Some(in_text(at)..in_text(at + len))
            }
        }
    }
}

/// What a walk over the text does with what it finds.
trait Tally {
    /// An added token, with the bytes of the text it came from (`None`: alignments unknown).
    fn added(&mut self, source: Option<Range<usize>>);
    /// A pre-token, to be merged by the BPE.
    fn piece(&mut self, piece: &str, origin: Origin);
}

impl FastPath {
    fn new(file: &TokenizerFile) -> Result<Self, String> {
        let bpe = ByteLevelBpe::from_model(&file.model)?;
        // The normalizer the tokenizers crate makes of `{"type": "NFC"}` (or a sequence of that
        // one step, which normalizes alike), made here so that the fast path does not wait for
        // the crate to load the file.
        let nfc = match file.normalizer.as_ref().map(normalizer_kind).transpose()? {
            None | Some(NormalizerKind::None) => None,
            Some(NormalizerKind::Nfc) => Some(NormalizerWrapper::NFC(NFC)),
        };
        let pre_tokenizer = file.pre_tokenizer.as_ref().ok_or("no pre-tokenizer: not byte-level")?;
        let stages = split_stages(pre_tokenizer)?;
        let mut raw = Vec::new();
        let mut normalized = Vec::new();
        for token in &file.added_tokens {
            if token.lstrip || token.rstrip || token.single_word {
                return Err(format!("added token {:?} has lstrip/rstrip/single_word", token.content));
            }
            if token.content.is_empty() {
                continue;
            }
            if token.is_normalized() {
                let content = match &nfc {
                    Some(normalizer) => normalize(normalizer, &token.content)?,
                    None => token.content.clone(),
                };
                normalized.push(content);
            } else {
                raw.push(token.content.clone());
            }
        }
        Ok(Self {
            added: literal_alternation(raw)?,
            added_normalized: literal_alternation(normalized)?,
            nfc,
            stages,
            bpe,
        })
    }

    /// Splits `text` into added tokens (first pass, raw text) and the segments between them.
    fn for_each_segment(&self, text: &str, mut visit: impl FnMut(Segment)) {
        let mut at = 0;
        if let Some(added) = &self.added {
            for m in added.find_iter(text) {
                if m.start() > at {
                    visit(Segment::Text(at..m.start()));
                }
                visit(Segment::Added(m.range()));
                at = m.end();
            }
        }
        if at < text.len() {
            visit(Segment::Text(at..text.len()));
        }
    }

    fn walk(&self, text: &str, tally: &mut impl Tally) {
        self.for_each_segment(text, |segment| match segment {
            Segment::Added(range) => tally.added(Some(range)),
            Segment::Text(range) => {
                let raw = &text[range.clone()];
                match self.nfc_form(raw) {
                    NfcForm::Unchanged => self.walk_normalized(raw, Origin::At(range.start), tally),
                    NfcForm::Composed { segment, composed } => {
                        let origin = Origin::Composed {
                            segment_start: range.start,
                            at: 0,
                            composed: &composed,
                        };
                        self.walk_normalized(&segment, origin, tally);
                    }
                    NfcForm::Normalized(segment) => {
                        let origin = Origin::Normalized {
                            segment_start: range.start,
                            at: 0,
                            segment: &segment,
                        };
                        self.walk_normalized(segment.get(), origin, tally);
                    }
                }
            }
        });
    }

    /// What the tokenizer's normalizer makes of a segment of text.
    fn nfc_form(&self, raw: &str) -> NfcForm {
        let Some(normalizer) = &self.nfc else {
            return NfcForm::Unchanged;
        };
        // Tamil, ASCII and punctuation: with two-part vowels written as two signs (three in ten
        // records of the SFT bench corpus) NFC only composes them, done on bytes, where the
        // crate's normalizer decodes, looks up and aligns every character (the token rules alone
        // took 1.6x the CPU time on that corpus).
        let mut composed = Vec::new();
        match crate::script::tamil_nfc_composing(raw, |at| composed.push(at)) {
            Some(Cow::Borrowed(_)) => return NfcForm::Unchanged,
            Some(Cow::Owned(segment)) => return NfcForm::Composed { segment, composed },
            None => {}
        }
        if crate::script::nfc_unchanged(raw) {
            return NfcForm::Unchanged;
        }
        let mut segment = NormalizedString::from(raw);
        match normalizer.normalize(&mut segment) {
            Ok(()) => NfcForm::Normalized(segment),
            // NFC cannot fail; were it to, the text is taken as it is.
            Err(_) => NfcForm::Unchanged,
        }
    }

    /// Second pass: added tokens with `normalized: true`, then the pre-tokenizer.
    fn walk_normalized(&self, segment: &str, origin: Origin, tally: &mut impl Tally) {
        let Some(added) = &self.added_normalized else {
            self.split(0, segment, origin, tally);
            return;
        };
        let mut at = 0;
        for m in added.find_iter(segment) {
            if m.start() > at {
                self.split(0, &segment[at..m.start()], origin.offset(at), tally);
            }
            tally.added(origin.offset(m.start()).source(m.len()));
            at = m.end();
        }
        if at < segment.len() {
            self.split(0, &segment[at..], origin.offset(at), tally);
        }
    }

    fn split(&self, stage: usize, text: &str, origin: Origin, tally: &mut impl Tally) {
        match self.stages.get(stage) {
            None => tally.piece(text, origin),
            Some(split) => split.for_each_piece(text, |offset, piece| {
                self.split(stage + 1, piece, origin.offset(offset), tally);
            }),
        }
    }

    /// The byte length of `segment` after normalization.
    fn normalized_len(&self, segment: &str) -> usize {
        match self.nfc_form(segment) {
            NfcForm::Unchanged => segment.len(),
            NfcForm::Composed { segment, .. } => segment.len(),
            NfcForm::Normalized(segment) => segment.get().len(),
        }
    }
}

/// A segment of text as the tokenizer's normalizer leaves it ([`FastPath::nfc_form`]).
enum NfcForm {
    Unchanged,
    /// Two-part vowels composed, at these offsets of the result ([`Origin::Composed`]).
    Composed {
        segment: String,
        composed: Vec<usize>,
    },
    /// Anything else NFC changes, with the crate's alignments.
    Normalized(NormalizedString),
}

struct Total<'c, 'b> {
    cache: &'c mut PieceCache,
    bpe: &'b ByteLevelBpe,
    count: usize,
}

impl Tally for Total<'_, '_> {
    fn added(&mut self, _source: Option<Range<usize>>) {
        self.count += 1;
    }
    fn piece(&mut self, piece: &str, _origin: Origin) {
        self.count += self.cache.count(self.bpe, piece.as_bytes());
    }
}

struct Split<'c, 'b> {
    cache: &'c mut PieceCache,
    bpe: &'b ByteLevelBpe,
    at: usize,
    before: usize,
    total: usize,
    needs_offsets: bool,
}

impl Tally for Split<'_, '_> {
    fn added(&mut self, source: Option<Range<usize>>) {
        self.total += 1;
        match source {
            Some(source) if source.start < self.at => self.before += 1,
            Some(_) => {}
            None => self.needs_offsets = true,
        }
    }
    fn piece(&mut self, piece: &str, origin: Origin) {
        let Some(Range { start, end }) = origin.source(piece.len()) else {
            self.needs_offsets = true;
            return;
        };
        if end <= self.at || start >= self.at {
            let n = self.cache.count(self.bpe, piece.as_bytes());
            self.total += n;
            if end <= self.at {
                self.before += n;
            }
        } else if let Origin::At(start) = origin {
            let at = self.at;
            let mut before = 0;
            // A piece across the boundary: count its tokens one by one.
            self.total += self.bpe.tokens(piece.as_bytes(), |offset| {
                if start + offset < at {
                    before += 1;
                }
            });
            self.before += before;
        } else {
            // Across the boundary in a normalized segment: rare, left to `encode`'s offsets.
            self.needs_offsets = true;
        }
    }
}

struct Pieces(usize);

impl Tally for Pieces {
    fn added(&mut self, _source: Option<Range<usize>>) {
        self.0 += 1;
    }
    fn piece(&mut self, _piece: &str, _origin: Origin) {
        self.0 += 1;
    }
}

enum NormalizerKind {
    None,
    Nfc,
}

fn normalizer_kind(normalizer: &Value) -> Result<NormalizerKind, String> {
    match normalizer.get("type").and_then(Value::as_str) {
        _ if normalizer.is_null() => Ok(NormalizerKind::None),
        Some("NFC") => Ok(NormalizerKind::Nfc),
        Some("Sequence") => {
            let parts = normalizer
                .get("normalizers")
                .and_then(Value::as_array)
                .ok_or("normalizer Sequence without normalizers")?;
            match parts.as_slice() {
                [] => Ok(NormalizerKind::None),
                [one] => normalizer_kind(one),
                _ => Err("a normalizer Sequence of several steps".into()),
            }
        }
        other => Err(format!("normalizer {} is not supported", other.unwrap_or("?"))),
    }
}

fn normalize(normalizer: &NormalizerWrapper, text: &str) -> Result<String, String> {
    let mut normalized = NormalizedString::from(text);
    normalizer.normalize(&mut normalized).map_err(|e| format!("{e}"))?;
    Ok(normalized.get().to_owned())
}

/// A regex matching any of `literals`, longest first: leftmost-first over length-sorted
/// literals is the leftmost-longest match `tokenizers` makes with its Aho-Corasick automaton.
fn literal_alternation(mut literals: Vec<String>) -> Result<Option<Regex>, String> {
    if literals.is_empty() {
        return Ok(None);
    }
    literals.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    literals.dedup();
    let pattern = literals.iter().map(|l| regex::escape(l)).collect::<Vec<_>>().join("|");
    Regex::new(&pattern)
        .map(Some)
        .map_err(|e| format!("added tokens do not make a regex: {e}"))
}

/// GPT-2's pattern, which a ByteLevel pre-tokenizer with `use_regex: true` applies.
const GPT2_PATTERN: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// The Split stages of a byte-level pre-tokenizer, or why it is not one this path replays.
fn split_stages(pre_tokenizer: &Value) -> Result<Vec<SplitStage>, String> {
    let steps: Vec<&Value> = match pre_tokenizer.get("type").and_then(Value::as_str) {
        Some("Sequence") => pre_tokenizer
            .get("pretokenizers")
            .and_then(Value::as_array)
            .ok_or("pre-tokenizer Sequence without pretokenizers")?
            .iter()
            .collect(),
        _ => vec![pre_tokenizer],
    };
    let mut stages = Vec::new();
    let Some((last, splits)) = steps.split_last() else {
        return Err("empty pre-tokenizer Sequence".into());
    };
    for step in splits {
        match step.get("type").and_then(Value::as_str) {
            Some("Split") => stages.push(split_stage(step)?),
            other => return Err(format!("pre-tokenizer {} before ByteLevel", other.unwrap_or("?"))),
        }
    }
    if last.get("type").and_then(Value::as_str) != Some("ByteLevel") {
        return Err("the pre-tokenizer does not end in ByteLevel".into());
    }
    if last.get("add_prefix_space").and_then(Value::as_bool) != Some(false) {
        return Err("ByteLevel add_prefix_space".into());
    }
    if last.get("use_regex").and_then(Value::as_bool).unwrap_or(true) {
        stages.push(SplitStage::new(GPT2_PATTERN)?);
    }
    Ok(stages)
}

fn split_stage(step: &Value) -> Result<SplitStage, String> {
    if step.get("behavior").and_then(Value::as_str) != Some("Isolated") {
        return Err("a Split whose behavior is not Isolated".into());
    }
    if step.get("invert").and_then(Value::as_bool) != Some(false) {
        return Err("an inverted Split".into());
    }
    let pattern = step.get("pattern").ok_or("a Split without pattern")?;
    if let Some(regex) = pattern.get("Regex").and_then(Value::as_str) {
        SplitStage::new(regex)
    } else if let Some(literal) = pattern.get("String").and_then(Value::as_str) {
        SplitStage::new(&regex::escape(literal))
    } else {
        Err("a Split pattern that is neither Regex nor String".into())
    }
}

/// One `Split` pre-tokenizer (behaviour `Isolated`): matches and the gaps between them are
/// pieces. The Qwen 2/3 and Llama 3 pattern is matched by hand ([`KnownSplit`]); any other runs
/// on the regex.
enum SplitStage {
    Known(KnownSplit),
    Regex(RegexSplit),
}

/// A `Split` pattern on the `regex` crate. Searches are anchored at the end of the previous
/// piece (patterns like Qwen's match at every position), which spares the reverse scan an
/// unanchored search needs to find where a match starts; only a gap costs an unanchored search.
struct RegexSplit {
    regex: MetaRegex,
    /// Set when the pattern ended in `\s+(?!\S)|\s+`: then `regex` ends in `\s+` instead, and
    /// a whitespace run followed by a non-space gives back its last character unless one of
    /// the alternatives before matched (`earlier`; `None` when there are none).
    lookahead: Option<Option<MetaRegex>>,
}

/// The tail of GPT-2, Qwen, Llama 3 and o200k patterns, the only look-around they use.
const WHITESPACE_TAIL: &str = r"\s+(?!\S)|\s+";

fn compile(pattern: &str) -> Result<MetaRegex, String> {
    MetaRegex::new(pattern).map_err(|e| format!("the pre-tokenizer regex needs fancy-regex: {e}"))
}

impl SplitStage {
    fn new(pattern: &str) -> Result<Self, String> {
        match KnownSplit::recognise(pattern) {
            Some(known) => Ok(SplitStage::Known(known)),
            None => RegexSplit::new(pattern).map(SplitStage::Regex),
        }
    }

    fn for_each_piece<'t>(&self, text: &'t str, piece: impl FnMut(usize, &'t str)) {
        match self {
            SplitStage::Known(known) => known.for_each_piece(text, piece),
            SplitStage::Regex(regex) => regex.for_each_piece(text, piece),
        }
    }
}

impl RegexSplit {
    fn new(pattern: &str) -> Result<Self, String> {
        let (regex, lookahead) = match pattern.strip_suffix(WHITESPACE_TAIL) {
            Some("") => (r"\s+".to_owned(), Some(None)),
            Some(head) => {
                let earlier = head
                    .strip_suffix('|')
                    .filter(|_| ends_in_top_level_bar(head))
                    .ok_or("the whitespace look-ahead is not a top-level alternative")?;
                (format!(r"{earlier}|\s+"), Some(Some(compile(earlier)?)))
            }
            None => (pattern.to_owned(), None),
        };
        let regex = compile(&regex)?;
        if regex.is_match("") {
            return Err("the pre-tokenizer regex matches the empty string".into());
        }
        Ok(Self { regex, lookahead })
    }

    /// The leftmost-first match starting at or after `at`, trying `at` itself first.
    fn next_match(&self, text: &str, at: usize) -> Option<(usize, usize)> {
        let input = Input::new(text).span(at..text.len());
        self.regex
            .search(&input.clone().anchored(Anchored::Yes))
            .or_else(|| self.regex.search(&input))
            .map(|m| (m.start(), m.end()))
    }

    fn for_each_piece<'t>(&self, text: &'t str, mut piece: impl FnMut(usize, &'t str)) {
        let mut at = 0;
        while at < text.len() {
            let Some((start, mut end)) = self.next_match(text, at) else {
                break;
            };
            if start > at {
                piece(at, &text[at..start]);
            }
            if let Some(earlier) = &self.lookahead
                && end < text.len()
            {
                end = give_back(text, start, end, earlier.as_ref());
            }
            piece(start, &text[start..end]);
            at = end;
        }
        if at < text.len() {
            piece(at, &text[at..]);
        }
    }
}

/// `\s+(?!\S)` before a non-space: the run without its last character, when the match is a
/// run of two or more whitespace characters that no earlier alternative made.
fn give_back(text: &str, start: usize, end: usize, earlier: Option<&MetaRegex>) -> usize {
    let run = &text[start..end];
    if !run.chars().all(char::is_whitespace) {
        return end;
    }
    let Some((last, _)) = run.char_indices().next_back() else {
        return end;
    };
    let earlier_matches = || {
        earlier.is_some_and(|e| {
            e.search(&Input::new(text).span(start..text.len()).anchored(Anchored::Yes))
                .is_some()
        })
    };
    if last == 0 || earlier_matches() {
        return end;
    }
    start + last
}

/// Whether the `|` ending `pattern` separates top-level alternatives (not escaped, not in a
/// class, not in a group).
fn ends_in_top_level_bar(pattern: &str) -> bool {
    let mut depth = 0i32;
    let mut class = 0i32;
    let mut chars = pattern.char_indices().peekable();
    let mut last_top_bar = None;
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => {
                class += 1;
                // A `]` right after `[` or `[^` is a literal.
                if chars.peek().map(|(_, c)| *c) == Some('^') {
                    chars.next();
                }
                if chars.peek().map(|(_, c)| *c) == Some(']') {
                    chars.next();
                }
            }
            ']' if class > 0 => class -= 1,
            '(' if class == 0 => depth += 1,
            ')' if class == 0 => depth -= 1,
            '|' if class == 0 && depth == 0 => last_top_bar = Some(i),
            _ => {}
        }
    }
    depth == 0 && class == 0 && last_top_bar == Some(pattern.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::samples::{encode_len, kural_fields, qwen, reference_counts, rendered_samples};
    use super::*;
    use crate::conversation::Message;
    use crate::tokens::template::ChatTemplate;

    use crate::test_data::{QWEN_GOLDEN as GOLDEN, QWEN_TOKENIZER as QWEN};

    #[test]
    fn golden_strings_count_and_encode_exactly() {
        let counter = qwen();
        assert_eq!(counter.engine(), CountEngine::ByteLevelBpe);
        let golden = std::fs::read_to_string(GOLDEN).expect("the golden file");
        let mut seen = 0;
        for line in golden.lines() {
            let case: Value = serde_json::from_str(line).expect("a JSON line");
            let text = case["text"].as_str().expect("text");
            let ids: Vec<u32> = case["ids"]
                .as_array()
                .expect("ids")
                .iter()
                .map(|id| id.as_u64().expect("an id") as u32)
                .collect();
            assert_eq!(counter.encode_ids(text).expect("encodes"), ids, "{}", case["name"]);
            assert_eq!(counter.count(text).expect("counts"), ids.len(), "{}", case["name"]);
            assert!(counter.min_tokens_bound(text) <= ids.len() && ids.len() <= counter.max_tokens_bound(text));
            seen += 1;
        }
        assert_eq!(seen, 15);
    }

    /// Whitespace runs, the look-ahead, normalization and added-token edges.
    const EDGES: &[&str] = &[
        "",
        " ",
        "   ",
        "a  b",
        "a   b",
        "a \n b",
        "x  \n\n  y  ",
        "  \t\t(",
        "\u{3000}\u{3000}x\u{3000}",
        "\r\n\r\n  \r\nz",
        "I'LL SEE 'Re we've THEY'D ſ'ſ",
        "1234567 ٣٤٥ ௧௨௩",
        "கொடு கோல் கௌவை",
        "Å\u{323} e\u{301}\u{323} \u{212b} \u{0958} \u{1100}\u{1161}\u{11a8}",
        "<|im_start|><|im_end|><|im_start|",
        "a<|im_start|> b<|endoftext|>\n\n<think></think>",
        "😀😀 👩‍👩‍👧 \u{feff}x\u{200d}",
        "def f(x):\n    return x  # ok\n\n\n",
    ];

    #[test]
    fn edge_strings_count_like_encode() {
        let counter = qwen();
        let long_runs = ["=".repeat(5000), format!("{}a", " ".repeat(3000)), "ி".repeat(400)];
        for text in EDGES.iter().copied().chain(long_runs.iter().map(String::as_str)) {
            let expected = encode_len(counter, text);
            assert_eq!(counter.count(text).expect("counts"), expected, "{text:?}");
            assert!(counter.min_tokens_bound(text) <= expected, "{text:?}");
            assert!(counter.max_tokens_bound(text) >= expected, "{text:?}");
        }
    }

    #[test]
    fn nfc_check_agrees_with_unicode_normalization() {
        for text in EDGES {
            assert!(
                !crate::script::nfc_unchanged(text) || unicode_normalization::is_nfc(text),
                "{text:?} is not NFC but was taken as such"
            );
        }
        assert!(crate::script::nfc_unchanged(
            "திருக்குறள் \u{0B95}\u{0BCA}\u{0B9F}\u{0BC1}"
        ));
        // க + ெ + ா is the decomposed கொ: NFC composes it.
        assert!(!crate::script::nfc_unchanged(
            "\u{0B95}\u{0BC6}\u{0BBE}\u{0B9F}\u{0BC1}"
        ));
    }

    /// Every field of every 10th kural, and the ChatML samples made from them, count exactly
    /// like `Tokenizer::encode` and give the same verdicts; `full_corpus_matches_encode` (ignored,
    /// run with --release) does all 1330.
    #[test]
    fn sampled_kurals_and_rendered_samples_match_encode() {
        let kurals: Vec<Vec<String>> = kural_fields().into_iter().step_by(10).collect();
        assert_corpus_matches(&kurals);
    }

    #[test]
    #[ignore = "encodes all 1330 kurals and 3990 samples: about a minute in debug, seconds in release"]
    fn full_corpus_matches_encode() {
        assert_corpus_matches(&kural_fields());
    }

    fn assert_corpus_matches(kurals: &[Vec<String>]) {
        let counter = qwen();
        for fields in kurals {
            for field in fields {
                assert_eq!(
                    counter.count(field).expect("counts"),
                    encode_len(counter, field),
                    "{field:?}"
                );
            }
        }
        let mut settled = 0;
        let samples = rendered_samples(kurals);
        for rendered in &samples {
            let (before, total) = reference_counts(counter, rendered);
            for max_seq_len in [64, 160, 400, 1024, 4096] {
                let fit = Verdict::from_counts(before, total, max_seq_len).fit;
                let verdict = counter.prompt_fits(rendered, max_seq_len).expect("counts");
                assert_eq!(verdict.fit, fit, "{:?} at {max_seq_len}", rendered.text);
                if verdict.settled_by_bound {
                    settled += 1;
                } else {
                    assert_eq!(verdict.tokens_before_response, Some(before), "{:?}", rendered.text);
                    assert_eq!(verdict.total_tokens, Some(total), "{:?}", rendered.text);
                }
            }
        }
        assert!(settled > 0, "the byte bound settles the short samples");
    }

    /// Random strings over an alphabet chosen to hit every branch: whitespace kinds, the
    /// contractions, Tamil letters and (decomposed) vowel signs, combining marks, digits of
    /// three scripts, punctuation, emoji, CJK and the special tokens.
    fn random_strings(n: usize, seed: u64) -> Vec<String> {
        const PARTS: &[&str] = &[
            " ",
            " ",
            "  ",
            "\n",
            "\n\n",
            "\t",
            "\r\n",
            "\u{3000}",
            "\u{a0}",
            "'s",
            "'LL",
            "'",
            "ſ",
            "a",
            "Z",
            "kural",
            "The",
            "க",
            "ொ",
            "\u{0BC6}",
            "\u{0BBE}",
            "\u{0BD7}",
            "ி",
            "்",
            "ஃ",
            "௧",
            "1",
            "٣",
            "12345",
            ".",
            ",",
            "(",
            "=",
            "->",
            "#",
            "\"",
            "\u{301}",
            "\u{323}",
            "Å",
            "\u{212b}",
            "\u{0958}",
            "😀",
            "👩‍👧",
            "你好",
            "\u{1100}\u{1161}",
            "\u{feff}",
            "<|im_start|>",
            "<|im_end|>",
            "<think>",
            "<|endoftext|>",
            "<|im_",
        ];
        let mut random = crate::test_data::Xorshift(seed);
        (0..n)
            .map(|_| {
                let len = random.below(24);
                (0..len).map(|_| PARTS[random.below(PARTS.len())]).collect()
            })
            .collect()
    }

    /// Qwen's pattern takes the hand matcher: the counts checked against `encode` in these tests
    /// are the hand matcher's.
    #[test]
    fn qwen_splits_by_hand() {
        let fast = qwen().fast.as_ref().expect("the fast path");
        assert!(matches!(fast.stages[..], [SplitStage::Known(_)]));
    }

    #[test]
    fn random_strings_count_like_encode() {
        let counter = qwen();
        for text in random_strings(300, 0x9E37_79B9_7F4A_7C15) {
            assert_eq!(
                counter.count(&text).expect("counts"),
                encode_len(counter, &text),
                "{text:?}"
            );
        }
    }

    #[test]
    #[ignore = "20,000 random strings: run with --release"]
    fn many_random_strings_count_like_encode() {
        let counter = qwen();
        for text in random_strings(20_000, 42) {
            assert_eq!(
                counter.count(&text).expect("counts"),
                encode_len(counter, &text),
                "{text:?}"
            );
            let at = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i);
            let encoding = counter.tokenizer().encode(text.as_str(), false).expect("encodes");
            let before = tokens_before(&encoding, at);
            assert_eq!(
                counter.count_split(&text, at).expect("counts"),
                (before, encoding.len()),
                "{text:?} at {at}"
            );
        }
    }

    #[test]
    fn split_counts_follow_token_offsets() {
        let counter = qwen();
        // The answer's கொ is decomposed (க + ெ + ா, as in 281 of the kurals' commentaries): its
        // segment goes through NFC and the split follows the normalizer's alignments.
        let text = "<|im_start|>user\nவணக்கம்  உலகம்<|im_end|>\n<|im_start|>assistant\n\n\u{0B95}\u{0BC6}\u{0BBE}டு கோல்";
        let encoding = counter.tokenizer().encode(text, false).expect("encodes");
        for at in (0..=text.len()).filter(|at| text.is_char_boundary(*at)) {
            let before = tokens_before(&encoding, at);
            assert_eq!(
                counter.count_split(text, at).expect("counts"),
                (before, encoding.len()),
                "at {at}"
            );
        }
    }

    /// Tamil, ASCII and punctuation with two-part vowels written as two signs take the byte
    /// composition ([`Origin::Composed`]); its counts, and the split at every character, must be
    /// those of `encode` and its offsets, which come from the crate's NFC.
    #[test]
    fn composed_tamil_counts_and_splits_like_encode() {
        const PARTS: &[&str] = &[
            "க",
            "\u{0BC6}",
            "\u{0BC7}",
            "\u{0BBE}",
            "\u{0BD7}",
            "\u{0B92}",
            "ொ",
            "ி",
            "்",
            " ",
            "\n",
            ". ",
            "“",
            "”",
            "—",
            "1",
            "a",
            "<|im_end|>",
            "க\u{0BC6}\u{0BBE}",
            "ம\u{0BC7}\u{0BBE}",
            "\u{0B92}\u{0BD7}",
            "ச\u{0BC6}\u{0BD7}",
        ];
        let counter = qwen();
        let mut random = crate::test_data::Xorshift(0x5EED_F07A_11C5);
        let mut composed = 0;
        for _ in 0..400 {
            let len = 1 + random.below(16);
            let text: String = (0..len).map(|_| PARTS[random.below(PARTS.len())]).collect();
            composed += usize::from(crate::script::byte_nfc(&text) == crate::script::ByteNfc::TwoPartVowels);
            let encoding = counter.tokenizer().encode(text.as_str(), false).expect("encodes");
            assert_eq!(counter.count(&text).expect("counts"), encoding.len(), "{text:?}");
            for at in (0..=text.len()).filter(|at| text.is_char_boundary(*at)) {
                let before = tokens_before(&encoding, at);
                assert_eq!(
                    counter.count_split(&text, at).expect("counts"),
                    (before, encoding.len()),
                    "{text:?} at {at}"
                );
            }
        }
        assert!(composed > 200, "most texts compose a vowel ({composed})");
    }

    #[test]
    fn a_response_lost_to_truncation_is_reported() {
        let counter = qwen();
        let long_question = "திருக்குறள் ".repeat(100);
        let turns = [
            Message {
                role: "user",
                content: &long_question,
            },
            Message {
                role: "assistant",
                content: "ஒரு தமிழ் நூல்.",
            },
        ];
        let rendered = ChatTemplate::ChatMl.render(&turns).expect("renders");
        let lost = counter.prompt_fits(&rendered, 256).expect("counts");
        assert_eq!(lost.fit, Fit::ResponseLost);
        assert_eq!(lost.response_tokens_kept, Some(0));
        let fits = counter.prompt_fits(&rendered, 8192).expect("counts");
        assert_eq!((fits.fit, fits.settled_by_bound), (Fit::Fits, true));
        let total = counter.count(&rendered.text).expect("counts");
        let truncated = counter.prompt_fits(&rendered, total - 2).expect("counts");
        assert_eq!(truncated.fit, Fit::ResponseTruncated);
        assert_eq!(truncated.total_tokens, Some(total));
    }

    /// The same vocab and merges under a GPT-2 `ByteLevel(use_regex)` pre-tokenizer and with
    /// Llama 3's `ignore_merges`: the fast path must still agree with encode.
    #[test]
    fn other_byte_level_configurations_match_encode() {
        let text = std::fs::read_to_string(QWEN).expect("the Qwen tokenizer");
        let mut json: Value = serde_json::from_str(&text).expect("JSON");
        json["pre_tokenizer"] = serde_json::json!({
            "type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true
        });
        json["normalizer"] = Value::Null;
        json["model"]["ignore_merges"] = Value::Bool(true);
        let variant = TokenCounter::from_json(&json.to_string(), Path::new("variant.json")).expect("loads");
        assert_eq!(variant.engine(), CountEngine::ByteLevelBpe);
        let kurals = kural_fields();
        for text in EDGES
            .iter()
            .copied()
            .chain(kurals.iter().take(20).flatten().map(String::as_str))
        {
            assert_eq!(
                variant.count(text).expect("counts"),
                encode_len(&variant, text),
                "{text:?}"
            );
        }

        json["pre_tokenizer"] = serde_json::json!({
            "type": "Split", "pattern": {"Regex": "\\w+(?=x)"}, "behavior": "Isolated", "invert": false
        });
        let fallback = TokenCounter::from_json(&json.to_string(), Path::new("fallback.json")).expect("loads");
        assert!(matches!(fallback.engine(), CountEngine::Encode { .. }));
        assert_eq!(fallback.count("kural").expect("counts"), encode_len(&fallback, "kural"));
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let error = TokenCounter::from_file(Path::new("/nonexistent/tokenizer.json"))
            .err()
            .expect("an error");
        assert!(error.to_string().contains("/nonexistent/tokenizer.json"), "{error}");
    }
}

#[cfg(test)]
mod merge_checks {
    use super::*;

    fn load(model: serde_json::Value) -> Result<TokenCounter, CountError> {
        let json = serde_json::json!({
            "version": "1.0",
            "added_tokens": [],
            "normalizer": null,
            "pre_tokenizer": null,
            "post_processor": null,
            "decoder": null,
            "model": model,
        });
        TokenCounter::from_json(&json.to_string(), Path::new("tokenizer.json"))
    }

    /// tokenizers 0.23.2 panics on these instead of returning an error (found by fuzzing):
    /// vazhi must say which merge is wrong and go on.
    #[test]
    fn merges_that_panic_tokenizers_are_errors() {
        let longer_than_every_token = serde_json::json!({
            "type": "BPE", "vocab": {"Ġ": 0, "a": 1}, "merges": ["Ġ a"],
        });
        let shorter_than_the_prefix = serde_json::json!({
            "type": "BPE", "vocab": {"ab": 0, "a": 1, "##b": 2}, "merges": ["ab a"],
            "continuing_subword_prefix": "##",
        });
        for (model, made) in [(longer_than_every_token, "`Ġa`"), (shorter_than_the_prefix, "`aba`")] {
            let Err(CountError::Load { message, .. }) = load(model) else {
                panic!("a merge that panics tokenizers must be a load error");
            };
            assert!(message.starts_with("merge #0") && message.contains(made), "{message}");
        }
        let sound = serde_json::json!({
            "type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"],
        });
        assert!(load(sound).is_ok());
    }
}
