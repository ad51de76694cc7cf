//! The `tokenizer.json` file as data, and a count-only byte-level BPE built from its own vocab
//! and merges.
//!
//! Why a second BPE beside the `tokenizers` crate: a lint counts every sample of a corpus and
//! needs only the number of tokens, never their strings or offsets. `Tokenizer::encode` builds a
//! `NormalizedString` with a per-byte alignment table, a `Token` with an owned `String` per
//! token and the offsets of each; on the kurals rendered as ChatML prompts that is most of its
//! time. Here a pre-token is merged on a stack array of ids, and the result is only counted.
//!
//! The merge order is the one of `tokenizers`' `Word::merge_all`: repeatedly merge the adjacent
//! pair whose merge has the lowest rank (its index in `model.merges`), the leftmost pair first
//! among equals. Two algorithms give that order: a linear scan for the short pieces that make
//! up almost all text (Tamil splits into pieces of two or three letters under the Qwen/Llama 3
//! pre-tokenizer), and the heap of `merge_all` for long ones (a run of 10,000 `=` is one piece),
//! so no input is quadratic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The parts of a Hugging Face `tokenizer.json` that counting and auditing read. Unknown fields
/// are ignored; a field this module does not understand makes the counter fall back to
/// `Tokenizer::encode`, never guess.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenizerFile {
    #[serde(default)]
    pub added_tokens: Vec<AddedTokenEntry>,
    #[serde(default)]
    pub normalizer: Option<Value>,
    #[serde(default)]
    pub pre_tokenizer: Option<Value>,
    #[serde(default)]
    pub post_processor: Option<Value>,
    #[serde(default)]
    pub padding: Option<Value>,
    pub model: ModelSection,
}

impl TokenizerFile {
    /// Parses a `tokenizer.json`, saying what is wrong in a user's words: not JSON, or JSON that
    /// is not a tokenizer (`[]` is valid JSON; serde would say "invalid length 5").
    pub fn parse(json: &str) -> Result<TokenizerFile, String> {
        let first = json.trim_start().as_bytes().first().copied();
        if first != Some(b'{') && serde_json::from_str::<serde::de::IgnoredAny>(json).is_ok() {
            return Err(
                "not a tokenizer.json: a tokenizer.json is a JSON object with `model` and `added_tokens`".into(),
            );
        }
        serde_json::from_str(json).map_err(|err| match err.classify() {
            serde_json::error::Category::Data => format!("not a tokenizer.json: {err}"),
            _ => format!("not JSON: {err}"),
        })
    }
}

/// One entry of `added_tokens`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AddedTokenEntry {
    pub id: u32,
    pub content: String,
    #[serde(default)]
    pub single_word: bool,
    #[serde(default)]
    pub lstrip: bool,
    #[serde(default)]
    pub rstrip: bool,
    /// `tokenizers` defaults it to `!special` when absent.
    #[serde(default)]
    pub normalized: Option<bool>,
    #[serde(default)]
    pub special: bool,
}

impl AddedTokenEntry {
    pub fn is_normalized(&self) -> bool {
        self.normalized.unwrap_or(!self.special)
    }
}

/// The `model` section. `vocab` keeps every entry in file order, duplicates included, so the
/// audit can see what a `HashMap` would silently collapse.
#[derive(Debug, Deserialize)]
pub(crate) struct ModelSection {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub vocab: Option<VocabEntries>,
    #[serde(default)]
    pub merges: Option<Vec<MergeEntry>>,
    #[serde(default)]
    pub dropout: Option<f64>,
    #[serde(default)]
    pub continuing_subword_prefix: Option<String>,
    #[serde(default)]
    pub end_of_word_suffix: Option<String>,
    #[serde(default)]
    pub byte_fallback: bool,
    #[serde(default)]
    pub ignore_merges: bool,
}

impl ModelSection {
    /// The model type, with the `tokenizers` rule for files that omit it (merges mean BPE).
    pub fn kind(&self) -> &str {
        match &self.kind {
            Some(kind) => kind,
            None if self.merges.is_some() => "BPE",
            None => "unknown",
        }
    }

    /// The first merge whose token `tokenizers` 0.23 cannot build without panicking, as the
    /// error it should have returned. Its `BpeBuilder::build` joins each merge's parts in a
    /// buffer as long as the longest vocabulary entry before looking the result up, so a merge
    /// of two known tokens that makes something longer (or whose second part is shorter than
    /// `continuing_subword_prefix`, or splits a character where the prefix would end) slices
    /// out of bounds instead of reporting
    /// `MergeTokenOutOfVocabulary`. Found by fuzzing; checked before the file is handed over.
    pub fn merge_that_panics_tokenizers(&self) -> Option<String> {
        if self.kind() != "BPE" {
            return None;
        }
        let (Some(merges), Some(vocab)) = (&self.merges, &self.vocab) else {
            return None;
        };
        let tokens: FxHashSet<&str> = vocab.0.iter().map(|(token, _)| token.as_str()).collect();
        let longest = tokens.iter().map(|token| token.len()).max().unwrap_or(0);
        let prefix = self.continuing_subword_prefix.as_deref().unwrap_or("");
        merges.iter().enumerate().find_map(|(rank, merge)| {
            let (a, b) = merge.parts()?;
            if !tokens.contains(a) || !tokens.contains(b) {
                return None;
            }
            // tokenizers drops the prefix's length in bytes from `b` whatever `b` starts with.
            let tail = b.get(prefix.len()..);
            let fits = tail.is_some_and(|tail| a.len() + tail.len() <= longest);
            (!fits).then(|| {
                format!(
                    "merge #{rank} `{a} {b}` makes `{a}{}`, which is not in model.vocab",
                    tail.unwrap_or(b)
                )
            })
        })
    }
}

/// `model.vocab` as `(token, id)` pairs in file order: an object `{token: id}` (BPE, WordPiece,
/// WordLevel) or a list of `[piece, score]` whose index is the id (Unigram).
#[derive(Debug, Default)]
pub(crate) struct VocabEntries(pub Vec<(String, u32)>);

impl<'de> Deserialize<'de> for VocabEntries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = VocabEntries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a {token: id} object or a list of [piece, score]")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<VocabEntries, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((token, id)) = map.next_entry::<String, u32>()? {
                    entries.push((token, id));
                }
                Ok(VocabEntries(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<VocabEntries, A::Error> {
                let mut entries = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some((piece, _score)) = seq.next_element::<(String, f64)>()? {
                    let id =
                        u32::try_from(entries.len()).map_err(|_| de::Error::custom("vocabulary larger than u32"))?;
                    entries.push((piece, id));
                }
                Ok(VocabEntries(entries))
            }
        }
        deserializer.deserialize_any(EntriesVisitor)
    }
}

/// A merge rule: `"a b"` (the classic form) or `["a", "b"]` (tokenizers ≥ 0.20).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum MergeEntry {
    Joined(String),
    Pair(String, String),
}

impl MergeEntry {
    pub(crate) fn parts(&self) -> Option<(&str, &str)> {
        match self {
            MergeEntry::Joined(line) => {
                let mut parts = line.split(' ');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(a), Some(b), None) => Some((a, b)),
                    _ => None,
                }
            }
            MergeEntry::Pair(a, b) => Some((a, b)),
        }
    }
}

/// The GPT-2 byte-to-character table of the ByteLevel pre-tokenizer: printable Latin-1 bytes
/// stand for themselves, the 68 others for U+0100 onwards, in byte order.
pub(crate) fn byte_level_alphabet() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut next_extra = 0u32;
    for (byte, slot) in (0u8..=255).zip(table.iter_mut()) {
        let printable = matches!(byte, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        *slot = if printable {
            char::from(byte)
        } else {
            next_extra += 1;
            char::from_u32(255 + next_extra).unwrap_or('\0')
        };
    }
    table
}

/// The inverse of [`byte_level_alphabet`], indexed by character (all are below U+0144).
pub(crate) fn byte_level_inverse() -> [Option<u8>; 324] {
    let mut inverse = [None::<u8>; 324];
    for (byte, c) in (0u8..=255).zip(byte_level_alphabet()) {
        if let Some(slot) = inverse.get_mut(c as usize) {
            *slot = Some(byte);
        }
    }
    inverse
}

/// Decodes a byte-level token string (`Ġthe`) to its bytes (` the`); `None` if a character is
/// outside the 256-character alphabet.
pub(crate) fn byte_level_decode(token: &str, inverse: &[Option<u8>; 324]) -> Option<Vec<u8>> {
    token
        .chars()
        .map(|c| inverse.get(c as usize).copied().flatten())
        .collect()
}

/// No merge for this pair.
const NO_MERGE: u64 = u64::MAX;
/// Pieces up to this many bytes are merged by linear scans on stack arrays.
const SHORT_PIECE: usize = 64;

/// A count-only byte-level BPE: the ids of the 256 byte symbols and the merge table, keyed by
/// the pair of ids (`tokenizers`' own `MergeMap`).
pub(crate) struct ByteLevelBpe {
    byte_ids: [u32; 256],
    /// `(left << 32 | right)` → `(rank << 32 | merged id)`: comparing the packed values compares
    /// ranks, since one rank belongs to one pair.
    merges: FxHashMap<u64, u64>,
    /// With `ignore_merges` (Llama 3), a piece that is itself a vocabulary entry is one token.
    whole_pieces: Option<FxHashMap<Vec<u8>, u32>>,
}

impl ByteLevelBpe {
    /// Builds the BPE from a `model` section, or says why this model is not a plain byte-level
    /// BPE (the caller then falls back to `Tokenizer::encode`).
    pub fn from_model(model: &ModelSection) -> Result<Self, String> {
        if model.kind() != "BPE" {
            return Err(format!("model type {} is not BPE", model.kind()));
        }
        if model.dropout.is_some_and(|p| p > 0.0) {
            return Err("BPE dropout makes encoding random".into());
        }
        if model.byte_fallback {
            return Err("byte_fallback is a SentencePiece-style BPE".into());
        }
        if model
            .continuing_subword_prefix
            .as_deref()
            .is_some_and(|p| !p.is_empty())
            || model.end_of_word_suffix.as_deref().is_some_and(|s| !s.is_empty())
        {
            return Err("subword prefix/suffix are not byte-level".into());
        }
        let entries = model.vocab.as_ref().map(|v| v.0.as_slice()).unwrap_or(&[]);
        let merges = model.merges.as_deref().unwrap_or(&[]);
        // Later duplicates win, as when `tokenizers` collects the vocab into a map.
        let vocab: FxHashMap<&str, u32> = entries.iter().map(|(t, id)| (t.as_str(), *id)).collect();
        let alphabet = byte_level_alphabet();
        let mut byte_ids = [0u32; 256];
        for (slot, c) in byte_ids.iter_mut().zip(alphabet.iter()) {
            let mut buf = [0u8; 4];
            *slot = *vocab
                .get(&*c.encode_utf8(&mut buf))
                .ok_or_else(|| format!("byte symbol {c:?} is missing from the vocab"))?;
        }
        let mut table = FxHashMap::with_capacity_and_hasher(merges.len(), Default::default());
        let mut joined = String::new();
        for (rank, merge) in merges.iter().enumerate() {
            let (a, b) = merge.parts().ok_or_else(|| format!("merge {rank} is not two tokens"))?;
            let (Some(&left), Some(&right)) = (vocab.get(a), vocab.get(b)) else {
                return Err(format!("merge {rank} ({a} {b}) uses a token missing from the vocab"));
            };
            joined.clear();
            joined.push_str(a);
            joined.push_str(b);
            let merged = *vocab
                .get(joined.as_str())
                .ok_or_else(|| format!("merge {rank} ({a} {b}) makes a token missing from the vocab"))?;
            let rank = u32::try_from(rank).map_err(|_| "more than 2^32 merges".to_string())?;
            table.insert(pair_key(left, right), u64::from(rank) << 32 | u64::from(merged));
        }
        let whole_pieces = model.ignore_merges.then(|| {
            let inverse = byte_level_inverse();
            entries
                .iter()
                .filter_map(|(t, id)| byte_level_decode(t, &inverse).map(|b| (b, *id)))
                .collect::<FxHashMap<_, _>>()
        });
        Ok(Self {
            byte_ids,
            merges: table,
            whole_pieces,
        })
    }

    fn merge_of(&self, left: u32, right: u32) -> u64 {
        self.merges.get(&pair_key(left, right)).copied().unwrap_or(NO_MERGE)
    }

    /// The number of tokens the BPE makes of one pre-token.
    pub fn count(&self, piece: &[u8]) -> usize {
        self.tokens(piece, |_| {})
    }

    /// Merges one pre-token, calls `at_start` with the byte offset where each token starts, in
    /// order, and returns the number of tokens.
    pub fn tokens(&self, piece: &[u8], mut at_start: impl FnMut(usize)) -> usize {
        match piece.len() {
            0 => 0,
            1 => {
                at_start(0);
                1
            }
            _ if self.whole_pieces.as_ref().is_some_and(|w| w.contains_key(piece)) => {
                at_start(0);
                1
            }
            n if n <= SHORT_PIECE => self.merge_short(piece, at_start),
            _ => self.merge_long(piece, at_start),
        }
    }

    fn merge_short(&self, piece: &[u8], mut at_start: impl FnMut(usize)) -> usize {
        let mut ids = [0u32; SHORT_PIECE];
        let mut starts = [0u8; SHORT_PIECE];
        // pair[i] is the merge of symbols i and i + 1.
        let mut pair = [NO_MERGE; SHORT_PIECE];
        let mut n = piece.len();
        for (i, &byte) in piece.iter().enumerate() {
            ids[i] = self.byte_ids[usize::from(byte)];
            starts[i] = i as u8;
        }
        for i in 0..n - 1 {
            pair[i] = self.merge_of(ids[i], ids[i + 1]);
        }
        loop {
            let (mut best, mut at) = (NO_MERGE, 0);
            for (i, &merge) in pair[..n - 1].iter().enumerate() {
                if merge < best {
                    best = merge;
                    at = i;
                }
            }
            if best == NO_MERGE {
                break;
            }
            ids[at] = best as u32;
            ids.copy_within(at + 2..n, at + 1);
            starts.copy_within(at + 2..n, at + 1);
            if at + 2 < n - 1 {
                pair.copy_within(at + 2..n - 1, at + 1);
            }
            n -= 1;
            pair[n - 1] = NO_MERGE;
            if at + 1 < n {
                pair[at] = self.merge_of(ids[at], ids[at + 1]);
            }
            if at > 0 {
                pair[at - 1] = self.merge_of(ids[at - 1], ids[at]);
            }
            if n == 1 {
                break;
            }
        }
        for &start in &starts[..n] {
            at_start(usize::from(start));
        }
        n
    }

    /// `tokenizers`' `Word::merge_all` without dropout: a min-heap of (rank, position), stale
    /// entries skipped when popped.
    fn merge_long(&self, piece: &[u8], mut at_start: impl FnMut(usize)) -> usize {
        const NONE: usize = usize::MAX;
        struct Symbol {
            id: u32,
            prev: usize,
            next: usize,
            removed: bool,
        }
        let n = piece.len();
        let mut symbols: Vec<Symbol> = piece
            .iter()
            .enumerate()
            .map(|(i, &byte)| Symbol {
                id: self.byte_ids[usize::from(byte)],
                prev: if i == 0 { NONE } else { i - 1 },
                next: if i + 1 == n { NONE } else { i + 1 },
                removed: false,
            })
            .collect();
        let mut queue: BinaryHeap<Reverse<(u32, usize, u32)>> = symbols
            .windows(2)
            .enumerate()
            .filter_map(|(i, w)| split_merge(self.merge_of(w[0].id, w[1].id)).map(|(r, id)| Reverse((r, i, id))))
            .collect();
        let mut count = n;
        while let Some(Reverse((_, pos, new_id))) = queue.pop() {
            let next = symbols[pos].next;
            if symbols[pos].removed || next == NONE {
                continue;
            }
            match split_merge(self.merge_of(symbols[pos].id, symbols[next].id)) {
                Some((_, id)) if id == new_id => {}
                _ => continue,
            }
            let after = symbols[next].next;
            symbols[pos].id = new_id;
            symbols[pos].next = after;
            symbols[next].removed = true;
            if after != NONE {
                symbols[after].prev = pos;
            }
            count -= 1;
            let prev = symbols[pos].prev;
            if prev != NONE
                && let Some((rank, id)) = split_merge(self.merge_of(symbols[prev].id, new_id))
            {
                queue.push(Reverse((rank, prev, id)));
            }
            if after != NONE
                && let Some((rank, id)) = split_merge(self.merge_of(new_id, symbols[after].id))
            {
                queue.push(Reverse((rank, pos, id)));
            }
        }
        let mut at = 0;
        while at != NONE {
            at_start(at);
            at = symbols[at].next;
        }
        count
    }
}

fn pair_key(left: u32, right: u32) -> u64 {
    u64::from(left) << 32 | u64::from(right)
}

fn split_merge(packed: u64) -> Option<(u32, u32)> {
    (packed != NO_MERGE).then_some(((packed >> 32) as u32, packed as u32))
}

/// Longest piece kept in [`PieceCache`]; longer pieces are rare and merged every time.
const CACHED_PIECE: usize = 30;
const CACHE_SLOTS: usize = 16384;

/// A two-way set-associative cache of piece → token count: 16,384 slots of 32 bytes (512 KiB
/// per thread), each holding the piece itself so a hit is exact. Pieces repeat a lot: 2,660
/// ChatML samples of the kurals (Tamil and English) cut into 232,000 pieces of which about
/// 16,000 are distinct, so after the first pass 99% of lookups hit, and a miss costs about a
/// microsecond of merging (hash lookups in a 151k-entry merge table).
pub(crate) struct PieceCache {
    owner: u64,
    /// `[len, count, piece…]`; `len == 0` marks an empty slot.
    slots: Box<[[u8; 32]]>,
}

impl PieceCache {
    pub fn new() -> Self {
        Self {
            owner: 0,
            slots: vec![[0u8; 32]; CACHE_SLOTS].into_boxed_slice(),
        }
    }

    /// Makes the cache serve the counter `owner`, forgetting another counter's pieces.
    pub fn claim(&mut self, owner: u64) {
        if self.owner != owner {
            self.slots.fill([0u8; 32]);
            self.owner = owner;
        }
    }

    pub fn count(&mut self, bpe: &ByteLevelBpe, piece: &[u8]) -> usize {
        let len = piece.len();
        if len > CACHED_PIECE || len == 0 {
            return bpe.count(piece);
        }
        let mut hasher = FxHasher::default();
        hasher.write(piece);
        let set = (hasher.finish().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize % (CACHE_SLOTS / 2);
        let ways = &mut self.slots[2 * set..2 * set + 2];
        for way in ways.iter() {
            if usize::from(way[0]) == len && &way[2..2 + len] == piece {
                return usize::from(way[1]);
            }
        }
        let count = bpe.count(piece);
        // The older entry of the set makes room.
        ways[1] = ways[0];
        let slot = &mut ways[0];
        slot[0] = len as u8;
        slot[1] = count as u8;
        slot[2..2 + len].copy_from_slice(piece);
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qwen_model() -> ModelSection {
        let text = std::fs::read_to_string(crate::test_data::QWEN_TOKENIZER).expect("the Qwen tokenizer");
        let file: TokenizerFile = serde_json::from_str(&text).expect("a tokenizer.json");
        file.model
    }

    #[test]
    fn byte_level_alphabet_is_gpt2s() {
        let alphabet = byte_level_alphabet();
        let inverse = byte_level_inverse();
        assert_eq!(alphabet[usize::from(b' ')], 'Ġ');
        assert_eq!(alphabet[usize::from(b'\n')], 'Ċ');
        assert_eq!(alphabet[usize::from(b'a')], 'a');
        assert_eq!(byte_level_decode("Ġthe", &inverse).as_deref(), Some(&b" the"[..]));
        assert_eq!(
            byte_level_decode("<|im_start|>", &inverse).as_deref(),
            Some(&b"<|im_start|>"[..])
        );
        assert_eq!(byte_level_decode("\u{4e00}", &inverse), None);
    }

    #[test]
    fn short_and_long_merges_agree_on_every_kural_word() {
        let bpe = ByteLevelBpe::from_model(&qwen_model()).expect("Qwen is byte-level BPE");
        let sample = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../rules/data/fertility-sample.txt"
        ));
        let mut compared = 0;
        for word in sample
            .split(' ')
            .chain(["                                        ", "=========="])
        {
            let bytes = word.as_bytes();
            if bytes.len() < 2 || bytes.len() > SHORT_PIECE {
                continue;
            }
            let (mut short, mut long) = (Vec::new(), Vec::new());
            bpe.merge_short(bytes, |at| short.push(at));
            bpe.merge_long(bytes, |at| long.push(at));
            assert_eq!(short, long, "{word:?}");
            compared += 1;
        }
        assert!(compared > 7000, "{compared}");
    }

    #[test]
    fn cache_hits_return_the_merged_count() {
        let bpe = ByteLevelBpe::from_model(&qwen_model()).expect("Qwen is byte-level BPE");
        let mut cache = PieceCache::new();
        cache.claim(7);
        for piece in [" the", "ிரு", " the", "ிரு", "xyzzyxyzzy"] {
            assert_eq!(
                cache.count(&bpe, piece.as_bytes()),
                bpe.count(piece.as_bytes()),
                "{piece}"
            );
        }
        assert_eq!(cache.count(&bpe, b" the"), 1);
    }
}
