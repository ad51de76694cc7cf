//! fastText supervised models (`.bin`, as GlotLID and `lid.176.bin` ship), read and run in Rust:
//! language ID without Python or the C++ library.
//!
//! The file, all little-endian, as fastText 0.9 writes it (`FastText::saveModel`):
//!
//! 1. magic `i32` 793712314 and format version `i32` (12; 11 is an older supervised model, which
//!    fastText reads without char n-grams);
//! 2. the arguments: `i32` dim, ws, epoch, minCount, neg, wordNgrams, loss (1 hs, 2 ns, 3 softmax,
//!    4 one-vs-all), model (1 cbow, 2 skipgram, 3 supervised), bucket, minn, maxn, lrUpdateRate,
//!    then `f64` t;
//! 3. the dictionary: `i32` size, nwords, nlabels, `i64` ntokens, pruneidx_size, then `size`
//!    entries (the word's bytes ended by NUL, `i64` count, `i8` type: 0 word, 1 label), words
//!    first, labels after them, then `pruneidx_size` pairs of `i32` (only quantized models have
//!    them);
//! 4. a `u8` quantized flag and the input matrix (`i64` rows, `i64` columns, `f32` row-major):
//!    one row per word, then `bucket` rows for hashed char and word n-grams;
//! 5. a `u8` flag and the output matrix: one row per label.
//!
//! Prediction follows fastText 0.9.2 (`Dictionary::getLine`, `Model::predict`, the `Loss`
//! classes) step by step, including where it is odd: the `</s>` token Python's `predict` gets by
//! appending a newline, `f32` arithmetic in fastText's order, the table-driven sigmoid of
//! one-vs-all, the Huffman tree of hierarchical softmax, and libstdc++'s heap for the k best
//! (which decides the order of tied scores). The tests compare it with the real library's
//! `model.predict(text, k)` on small models trained for them (`tests/data/lid/make.py`): the same
//! labels, probabilities within 1e-4.
//!
//! Quantized models (`.ftz`) are refused: their product-quantized matrices would be a second
//! reader, and every published language-ID model comes as a `.bin` too.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::Path;

/// `FASTTEXT_FILEFORMAT_MAGIC_INT32`.
const MAGIC: i32 = 793_712_314;
/// The end-of-line token: a newline read as a word.
const EOS: &[u8] = b"</s>";
/// fastText's default label prefix. The model file does not record the prefix it was trained
/// with; fastText assumes this one when it loads a model, so tokens with it are labels.
const LABEL_PREFIX: &str = "__label__";
/// Python's `predict` defaults to threshold 0: nothing is cut off by probability, except what
/// hierarchical softmax prunes below `std_log(0)`.
const THRESHOLD: f32 = 0.0;
/// The multiplier that chains word hashes into a word n-gram hash (`Dictionary::addWordNgrams`).
const WORD_NGRAM_MULTIPLIER: u64 = 116_049_371;
const FNV_OFFSET: u32 = 2_166_136_261;
const FNV_PRIME: u32 = 16_777_619;
/// One-vs-all and negative sampling read their sigmoid from a table of this many steps over
/// [-`MAX_SIGMOID`, `MAX_SIGMOID`], as fastText does; probabilities come out on that grid.
const SIGMOID_TABLE_SIZE: usize = 512;
const MAX_SIGMOID: f32 = 8.0;
/// The count `HierarchicalSoftmaxLoss::buildTree` gives nodes not yet built. A label count at
/// least this large would make it pick an unbuilt node, so such counts are refused.
const UNBUILT_COUNT: i64 = 1_000_000_000_000_000;

/// A fastText supervised model read from its `.bin` file.
pub struct FastText {
    dim: usize,
    word_ngrams: i32,
    bucket: u32,
    /// `minn` and `maxn` as `Dictionary::computeSubwords` compares them with its `size_t`
    /// n-gram length: a negative value wraps to a huge one (so a negative `maxn` means "every
    /// length" there, and a negative `minn` "none").
    minn: u64,
    maxn: u64,
    /// Known words get char n-grams only when `maxn > 0` (`Dictionary::addSubwords`).
    subwords: bool,
    loss: Loss,
    nwords: u32,
    /// The dictionary's entries (words, then labels) back to back; entry `i` is
    /// `entries[offsets[i]..offsets[i + 1]]`.
    entries: Vec<u8>,
    offsets: Vec<usize>,
    /// fastText's own open-addressing table: slot `fnv(word) % len` onwards, linear probing,
    /// `u32::MAX` for empty. The FNV hash is needed per token anyway (for word n-grams), so the
    /// lookup costs one probe or two, and there is no allocation per dictionary word.
    slots: Vec<u32>,
    /// Labels without `__label__`, in the model's order (the rows of the output matrix).
    labels: Vec<String>,
    /// `(nwords + bucket) × dim`, row-major.
    input: Vec<f32>,
    /// `nlabels × dim`, row-major.
    output: Vec<f32>,
    /// Hierarchical softmax: the children of each tree node, `None` for the leaves (labels).
    tree: Vec<Option<(u32, u32)>>,
    /// One-vs-all and negative sampling: fastText's sigmoid table.
    sigmoid: Vec<f32>,
}

/// One predicted label.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction<'m> {
    pub label: &'m str,
    pub probability: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loss {
    HierarchicalSoftmax,
    NegativeSampling,
    Softmax,
    OneVsAll,
}

/// A scored label as fastText's prediction heap holds it: log-probability, label index.
type Scored = (f32, u32);

impl FastText {
    /// Reads a model file; the error names the file and says what is wrong (not a fastText
    /// model, a quantized `.ftz` model, an unsupported version, a file that ends early, an
    /// unsupervised model that has no labels).
    pub fn load(path: &Path) -> Result<FastText, String> {
        let named = |message: String| format!("{}: {message}", path.display());
        let file = File::open(path).map_err(|e| named(format!("cannot open: {e}")))?;
        let len = file.metadata().map_err(|e| named(format!("cannot read: {e}")))?.len();
        // Streamed, not read whole: a GlotLID `.bin` is 1.6 GB, and its matrices are all that
        // should stay in memory.
        Self::read(Source::new(BufReader::with_capacity(1 << 20, file), len)).map_err(named)
    }

    /// [`FastText::load`] from the file's bytes; the same errors without the path.
    pub fn from_bytes(bytes: &[u8]) -> Result<FastText, String> {
        Self::read(Source::new(bytes, bytes.len() as u64))
    }

    /// The labels with fastText's `__label__` prefix removed (e.g. `tam_Latn`), in the model's
    /// order.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.labels.iter().map(String::as_str)
    }

    /// The `k` most probable labels for `text` (one line; newlines inside are treated as
    /// spaces), best first, as fastText's Python `model.predict(text, k)` returns them (label
    /// without the `__label__` prefix). Empty when `k` is 0 or the text gives the model no
    /// input at all (fastText returns nothing then either).
    pub fn predict(&self, text: &str, k: usize) -> Vec<Prediction<'_>> {
        if k == 0 {
            return Vec::new();
        }
        let mut ids = Vec::new();
        self.line_ids(text.as_bytes(), &mut ids);
        if ids.is_empty() {
            return Vec::new();
        }
        let hidden = self.hidden(&ids);
        // No more than every label can be asked for: the heap never fills then, as with any
        // larger `k`, so the result is the same.
        let k = k.min(self.labels.len());
        let mut heap: Vec<Scored> = Vec::with_capacity(k + 1);
        match self.loss {
            Loss::HierarchicalSoftmax => {
                let root = self.tree.len() - 1;
                self.descend(k, root, 0.0, &mut heap, &hidden);
            }
            Loss::Softmax => find_k_best(k, &self.softmax(&hidden), &mut heap),
            Loss::OneVsAll | Loss::NegativeSampling => find_k_best(k, &self.sigmoids(&hidden), &mut heap),
        }
        sort_heap(&mut heap);
        heap.into_iter()
            .map(|(score, label)| Prediction {
                label: &self.labels[label as usize],
                // Python gets `exp` of the log-score fastText keeps: `p + 1e-5` for softmax.
                probability: score.exp(),
            })
            .collect()
    }

    fn read<R: BufRead>(mut src: Source<R>) -> Result<FastText, String> {
        if src.left < 4 {
            return Err(format!("not a fastText model: too short ({} bytes)", src.left));
        }
        if src.i32("header")? != MAGIC {
            return Err("not a fastText model: it does not start with fastText's magic number".into());
        }
        let version = src.i32("header")?;
        if !(11..=12).contains(&version) {
            return Err(format!(
                "fastText file format version {version}, which is not supported (fastText 0.9 writes 12; 11 is its older supervised format)"
            ));
        }

        let what = "arguments";
        let dim = src.i32(what)?;
        for _ in ["ws", "epoch", "minCount", "neg"] {
            src.i32(what)?;
        }
        let word_ngrams = src.i32(what)?;
        let loss = src.i32(what)?;
        let model = src.i32(what)?;
        let bucket = src.i32(what)?;
        let minn = src.i32(what)?;
        let mut maxn = src.i32(what)?;
        src.i32(what)?; // lrUpdateRate
        src.bytes::<8>(what)?; // t
        match model {
            3 => {}
            1 | 2 => {
                let kind = if model == 1 { "cbow" } else { "skipgram" };
                return Err(format!(
                    "an unsupervised fastText model ({kind} word vectors): it has no labels to predict"
                ));
            }
            _ => return Err(format!("not a fastText model: unknown model kind {model}")),
        }
        let loss = match loss {
            1 => Loss::HierarchicalSoftmax,
            2 => Loss::NegativeSampling,
            3 => Loss::Softmax,
            4 => Loss::OneVsAll,
            _ => return Err(format!("not a fastText model: unknown loss function {loss}")),
        };
        if version == 11 {
            // `FastText::loadModel`: supervised models of version 11 had no char n-grams.
            maxn = 0;
        }
        let dim = usize::try_from(dim)
            .ok()
            .filter(|&d| d > 0)
            .ok_or_else(|| format!("damaged fastText model: dimension {dim}"))?;
        let bucket = u32::try_from(bucket).map_err(|_| format!("damaged fastText model: {bucket} buckets"))?;

        let what = "dictionary";
        let size = src.i32(what)?;
        let nwords = src.i32(what)?;
        let nlabels = src.i32(what)?;
        src.i64(what)?; // ntokens
        let pruneidx_size = src.i64(what)?;
        let (Ok(size), Ok(nwords), Ok(nlabels)) = (u32::try_from(size), u32::try_from(nwords), u32::try_from(nlabels))
        else {
            return Err(format!(
                "damaged fastText model: a dictionary of {size} entries, {nwords} words and {nlabels} labels"
            ));
        };
        if u64::from(nwords) + u64::from(nlabels) != u64::from(size) {
            return Err(format!(
                "damaged fastText model: a dictionary of {size} entries, {nwords} words and {nlabels} labels"
            ));
        }
        if nlabels == 0 {
            return Err("a supervised fastText model without labels: nothing to predict".into());
        }
        // Each entry takes at least 10 bytes (NUL, count, type); a damaged size must not make
        // the reserve below enormous.
        let capacity = (size as usize).min(usize::try_from(src.left / 10).unwrap_or(usize::MAX));
        let mut entries = Vec::new();
        let mut offsets = Vec::with_capacity(capacity + 1);
        offsets.push(0);
        let mut labels = Vec::with_capacity(nlabels as usize);
        let mut counts = Vec::with_capacity(nlabels as usize);
        for i in 0..size {
            src.word(&mut entries, what)?;
            let count = src.i64(what)?;
            let [kind] = src.bytes::<1>(what)?;
            let start = offsets[offsets.len() - 1];
            offsets.push(entries.len());
            // Prediction relies on fastText's layout: label `l` is entry `nwords + l`.
            let expected = u8::from(i >= nwords);
            if kind != expected {
                return Err(format!(
                    "damaged fastText model: dictionary entry {i} has type {kind}, expected {expected}"
                ));
            }
            if i >= nwords {
                let label = String::from_utf8_lossy(&entries[start..]);
                labels.push(label.strip_prefix(LABEL_PREFIX).unwrap_or(&label).to_owned());
                counts.push(count);
            }
        }
        if pruneidx_size > 0 {
            let pairs = u64::try_from(pruneidx_size).unwrap_or(u64::MAX);
            src.skip(pairs.saturating_mul(8), what)?;
        }

        let [quantized] = src.bytes::<1>("quantization flag")?;
        if quantized != 0 {
            return Err("a quantized fastText model (`.ftz`), which is not supported: use the model's `.bin`".into());
        }
        if pruneidx_size >= 0 {
            // `FastText::loadModel` refuses this too: only quantization prunes a dictionary.
            return Err("damaged fastText model: a pruned dictionary in a model that is not quantized".into());
        }
        let rows = u64::from(nwords) + u64::from(bucket);
        let input = src.matrix("input matrix", rows, dim)?;
        src.bytes::<1>("output quantization flag")?; // qout: dense unless the input is quantized
        let output = src.matrix("output matrix", u64::from(nlabels), dim)?;

        let tree = if loss == Loss::HierarchicalSoftmax {
            if let Some(count) = counts.iter().find(|&&c| c >= UNBUILT_COUNT) {
                return Err(format!("damaged fastText model: a label count of {count}"));
            }
            huffman_tree(&counts)
        } else {
            Vec::new()
        };
        let sigmoid = if matches!(loss, Loss::OneVsAll | Loss::NegativeSampling) {
            sigmoid_table()
        } else {
            Vec::new()
        };
        let slots = word_slots(&entries, &offsets);
        Ok(FastText {
            dim,
            word_ngrams,
            bucket,
            minn: minn as i64 as u64,
            maxn: maxn as i64 as u64,
            subwords: maxn > 0,
            loss,
            nwords,
            entries,
            offsets,
            slots,
            labels,
            input,
            output,
            tree,
            sigmoid,
        })
    }

    /// The input rows of one line (`Dictionary::getLine`): each word's id and char n-grams,
    /// then the word n-grams. Python's `predict` appends a newline, which fastText reads as the
    /// token `</s>`; reading stops at `</s>`, whether that one or one in the text.
    fn line_ids(&self, text: &[u8], ids: &mut Vec<u32>) {
        let mut hashes: Vec<i32> = Vec::new();
        // `<word>`, rebuilt for each word: one buffer for the line.
        let mut bracketed = Vec::new();
        let tokens = text.split(|&b| is_space(b)).filter(|t| !t.is_empty()).chain([EOS]);
        for token in tokens {
            let hash = fnv(token);
            let id = self.find(token, hash);
            let label = match id {
                Some(id) => id >= self.nwords,
                None => token.starts_with(LABEL_PREFIX.as_bytes()),
            };
            if !label {
                match id {
                    // An unknown word is its char n-grams.
                    None if token != EOS => self.char_ngrams(token, ids, &mut bracketed),
                    None => {}
                    Some(id) => {
                        ids.push(id);
                        // `Dictionary::initNgrams` gives `</s>` no n-grams.
                        if self.subwords && token != EOS {
                            self.char_ngrams(token, ids, &mut bracketed);
                        }
                    }
                }
                // fastText keeps the `uint32` hash in an `int32` vector.
                hashes.push(hash as i32);
            }
            if token == EOS {
                break;
            }
        }
        self.word_ngrams(&hashes, ids);
    }

    /// The dictionary index of `word`, by fastText's probing (`Dictionary::find`).
    fn find(&self, word: &[u8], hash: u32) -> Option<u32> {
        let len = self.slots.len();
        let mut slot = hash as usize % len;
        loop {
            let id = self.slots[slot];
            if id == u32::MAX {
                return None;
            }
            if self.entry(id) == word {
                return Some(id);
            }
            slot = (slot + 1) % len;
        }
    }

    fn entry(&self, id: u32) -> &[u8] {
        let id = id as usize;
        &self.entries[self.offsets[id]..self.offsets[id + 1]]
    }

    /// The char n-grams of `<word>` (`Dictionary::computeSubwords`): from each character start,
    /// `minn` to `maxn` characters (UTF-8 continuation bytes do not count), except the lone
    /// `<` and `>`; each hashed into a bucket. The hash grows a byte at a time with the
    /// n-gram, so no n-gram is ever copied.
    fn char_ngrams(&self, word: &[u8], ids: &mut Vec<u32>, bracketed: &mut Vec<u8>) {
        if self.bucket == 0 {
            // fastText would divide by zero; a model without buckets has no n-gram rows.
            return;
        }
        bracketed.clear();
        bracketed.push(b'<');
        bracketed.extend_from_slice(word);
        bracketed.push(b'>');
        let w = &bracketed[..];
        for start in 0..w.len() {
            if is_continuation(w[start]) {
                continue;
            }
            let mut hash = FNV_OFFSET;
            let mut end = start;
            let mut n: u64 = 1;
            while end < w.len() && n <= self.maxn {
                hash = fnv_step(hash, w[end]);
                end += 1;
                while end < w.len() && is_continuation(w[end]) {
                    hash = fnv_step(hash, w[end]);
                    end += 1;
                }
                if n >= self.minn && !(n == 1 && (start == 0 || end == w.len())) {
                    ids.push(self.nwords + hash % self.bucket);
                }
                n += 1;
            }
        }
    }

    /// Word n-grams of 2 to `wordNgrams` tokens (`Dictionary::addWordNgrams`), over the hashes
    /// of every word token, known or not, `</s>` included. The arithmetic is fastText's: the
    /// `int32` hash sign-extended to `uint64`, wrapping.
    fn word_ngrams(&self, hashes: &[i32], ids: &mut Vec<u32>) {
        if self.word_ngrams <= 1 || self.bucket == 0 {
            return;
        }
        let n = self.word_ngrams as usize;
        for (i, &first) in hashes.iter().enumerate() {
            let mut hash = first as i64 as u64;
            for &next in &hashes[i + 1..hashes.len().min(i.saturating_add(n))] {
                hash = hash
                    .wrapping_mul(WORD_NGRAM_MULTIPLIER)
                    .wrapping_add(next as i64 as u64);
                ids.push(self.nwords + (hash % u64::from(self.bucket)) as u32);
            }
        }
    }

    /// The mean of the input rows (`Model::computeHidden`): summed in order in `f32`, then
    /// multiplied by `1/n` rounded to `f32`, as fastText does.
    fn hidden(&self, ids: &[u32]) -> Vec<f32> {
        let mut hidden = vec![0.0f32; self.dim];
        for &id in ids {
            let row = &self.input[id as usize * self.dim..][..self.dim];
            for (h, w) in hidden.iter_mut().zip(row) {
                *h += *w;
            }
        }
        let scale = (1.0 / ids.len() as f64) as f32;
        for h in &mut hidden {
            *h *= scale;
        }
        hidden
    }

    /// Output row `row` · `hidden`, summed in order in `f32` (`DenseMatrix::dotRow`).
    fn dot(&self, row: usize, hidden: &[f32]) -> f32 {
        let weights = &self.output[row * self.dim..][..self.dim];
        let mut d = 0.0f32;
        for (w, h) in weights.iter().zip(hidden) {
            d += w * h;
        }
        d
    }

    /// `SoftmaxLoss::computeOutput`.
    fn softmax(&self, hidden: &[f32]) -> Vec<f32> {
        let mut output: Vec<f32> = (0..self.labels.len()).map(|i| self.dot(i, hidden)).collect();
        let mut max = output[0];
        for &x in &output {
            // `std::max(output[i], max)`.
            max = if x < max { max } else { x };
        }
        let mut z = 0.0f32;
        for x in &mut output {
            // fastText calls `exp` on the `f32` difference, the C library's `double` one.
            *x = f64::from(*x - max).exp() as f32;
            z += *x;
        }
        for x in &mut output {
            *x /= z;
        }
        output
    }

    /// `BinaryLogisticLoss::computeOutput`: each label's own sigmoid, from fastText's table.
    fn sigmoids(&self, hidden: &[f32]) -> Vec<f32> {
        (0..self.labels.len())
            .map(|i| {
                let x = self.dot(i, hidden);
                if x < -MAX_SIGMOID {
                    0.0
                } else if x > MAX_SIGMOID {
                    1.0
                } else {
                    let at = ((x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE as f32 / MAX_SIGMOID / 2.0) as usize;
                    self.sigmoid[at.min(SIGMOID_TABLE_SIZE)]
                }
            })
            .collect()
    }

    /// `HierarchicalSoftmaxLoss::dfs`: down the Huffman tree, adding the log-probability of
    /// each branch, skipping subtrees that cannot beat the k best so far.
    fn descend(&self, k: usize, node: usize, score: f32, heap: &mut Vec<Scored>, hidden: &[f32]) {
        if score < std_log(THRESHOLD) {
            return;
        }
        if heap.len() == k && score < heap[0].0 {
            return;
        }
        let Some((left, right)) = self.tree[node] else {
            heap.push((score, node as u32));
            push_heap(heap);
            if heap.len() > k {
                pop_heap(heap);
                heap.pop();
            }
            return;
        };
        let f = self.dot(node - self.labels.len(), hidden);
        // `1. / (1 + std::exp(-f))`: `f32` exp and sum, `f64` division.
        let f = (1.0 / f64::from(1.0 + (-f).exp())) as f32;
        self.descend(
            k,
            left as usize,
            score + std_log((1.0 - f64::from(f)) as f32),
            heap,
            hidden,
        );
        self.descend(k, right as usize, score + std_log(f), heap, hidden);
    }
}

impl fmt::Debug for FastText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FastText")
            .field("loss", &self.loss)
            .field("dim", &self.dim)
            .field("words", &self.nwords)
            .field("bucket", &self.bucket)
            .field("labels", &self.labels.len())
            .finish_non_exhaustive()
    }
}

/// fastText's `readWord` separators.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | 0x0B | 0x0C | 0)
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// `Dictionary::hash`: FNV-1a, except that each byte goes through `int8_t`, so bytes from 0x80
/// are sign-extended before the xor (how the published models were trained).
fn fnv(bytes: &[u8]) -> u32 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| fnv_step(h, b))
}

fn fnv_step(hash: u32, byte: u8) -> u32 {
    (hash ^ byte as i8 as i32 as u32).wrapping_mul(FNV_PRIME)
}

/// `std_log`: `log(x + 1e-5)` in `f64`, kept as `f32`.
fn std_log(x: f32) -> f32 {
    (f64::from(x) + 1e-5).ln() as f32
}

/// fastText's word table (`Dictionary::load`): `ceil(size / 0.7)` slots, each entry at the
/// first free slot from its hash; a repeated word takes over its first copy's slot, as there.
fn word_slots(entries: &[u8], offsets: &[usize]) -> Vec<u32> {
    let size = offsets.len() - 1;
    let len = (size as f64 / 0.7).ceil() as usize;
    let mut slots = vec![u32::MAX; len.max(1)];
    for id in 0..size {
        let word = &entries[offsets[id]..offsets[id + 1]];
        let mut slot = fnv(word) as usize % slots.len();
        while slots[slot] != u32::MAX {
            let other = slots[slot] as usize;
            if &entries[offsets[other]..offsets[other + 1]] == word {
                break;
            }
            slot = (slot + 1) % slots.len();
        }
        slots[slot] = id as u32;
    }
    slots
}

/// `Loss::Loss`'s sigmoid table: `1 / (1 + exp(-x))` at 513 points of [-8, 8], `x` and `exp`
/// in `f32`, the division in `f64`.
fn sigmoid_table() -> Vec<f32> {
    (0..=SIGMOID_TABLE_SIZE)
        .map(|i| {
            let x = (i * 2 * MAX_SIGMOID as usize) as f32 / SIGMOID_TABLE_SIZE as f32 - MAX_SIGMOID;
            (1.0 / (1.0 + f64::from((-x).exp()))) as f32
        })
        .collect()
}

/// `HierarchicalSoftmaxLoss::buildTree`: Huffman coding over the label counts (fastText sorts
/// labels by count, most frequent first), merging the two smallest of the leaves left (from the
/// last label back) and the nodes built (in order). Node `i < nlabels` is label `i`; internal
/// node `i` uses output row `i - nlabels`; the root is last.
fn huffman_tree(counts: &[i64]) -> Vec<Option<(u32, u32)>> {
    let leaves = counts.len();
    let nodes = 2 * leaves - 1;
    let mut count = vec![UNBUILT_COUNT; nodes];
    count[..leaves].copy_from_slice(counts);
    let mut children = vec![None; nodes];
    // The next leaf to take, counting down; `leaves` means none left.
    let mut leaf = leaves.wrapping_sub(1);
    let mut built = leaves;
    for i in leaves..nodes {
        let mut pair = [0usize; 2];
        for pick in &mut pair {
            if leaf < leaves && count[leaf] < count[built] {
                *pick = leaf;
                leaf = if leaf == 0 { leaves } else { leaf - 1 };
            } else {
                *pick = built;
                built += 1;
            }
        }
        children[i] = Some((pair[0] as u32, pair[1] as u32));
        count[i] = count[pair[0]].wrapping_add(count[pair[1]]);
    }
    children
}

/// `Loss::findKBest`: the k best of `output` by `std_log` score, in fastText's heap.
fn find_k_best(k: usize, output: &[f32], heap: &mut Vec<Scored>) {
    for (i, &p) in output.iter().enumerate() {
        if p < THRESHOLD {
            continue;
        }
        let score = std_log(p);
        if heap.len() == k && score < heap[0].0 {
            continue;
        }
        heap.push((score, i as u32));
        push_heap(heap);
        if heap.len() > k {
            pop_heap(heap);
            heap.pop();
        }
    }
}

// libstdc++'s heap algorithms (`std::push_heap`, `std::pop_heap`, `std::sort_heap`) with
// fastText's `comparePairs` (`a.first > b.first`): a min-heap by score. Written out, not
// replaced by a sort, because they decide where tied scores end up, and ties are common in
// one-vs-all models (labels whose sigmoid saturates at 0 or 1 score exactly alike).

/// `a` comes before `b` in fastText's order.
fn before(a: Scored, b: Scored) -> bool {
    a.0 > b.0
}

/// libstdc++'s `__push_heap`: moves `value` up from `hole` while its parent comes before it.
fn sift_up(heap: &mut [Scored], mut hole: usize, top: usize, value: Scored) {
    while hole > top {
        let parent = (hole - 1) / 2;
        if !before(heap[parent], value) {
            break;
        }
        heap[hole] = heap[parent];
        hole = parent;
    }
    heap[hole] = value;
}

/// libstdc++'s `__adjust_heap` on `heap[..len]`: moves the hole at `hole` down to a leaf
/// along the later child, then sifts `value` up from there.
fn adjust_heap(heap: &mut [Scored], mut hole: usize, len: usize, value: Scored) {
    let top = hole;
    let mut child = hole;
    while child < (len - 1) / 2 {
        child = 2 * (child + 1);
        if before(heap[child], heap[child - 1]) {
            child -= 1;
        }
        heap[hole] = heap[child];
        hole = child;
    }
    if len.is_multiple_of(2) && child == (len - 2) / 2 {
        child = 2 * (child + 1);
        heap[hole] = heap[child - 1];
        hole = child - 1;
    }
    sift_up(heap, hole, top, value);
}

/// `std::push_heap`: the last element joins the heap.
fn push_heap(heap: &mut [Scored]) {
    let last = heap.len() - 1;
    sift_up(heap, last, 0, heap[last]);
}

/// `std::pop_heap`: the heap's first element moves to the end.
fn pop_heap(heap: &mut [Scored]) {
    if heap.len() > 1 {
        let last = heap.len() - 1;
        let value = heap[last];
        heap[last] = heap[0];
        adjust_heap(heap, 0, last, value);
    }
}

/// `std::sort_heap`: best score first.
fn sort_heap(heap: &mut [Scored]) {
    let mut last = heap.len();
    while last > 1 {
        last -= 1;
        let value = heap[last];
        heap[last] = heap[0];
        adjust_heap(heap, 0, last, value);
    }
}

/// The model file as it is read: what is left of it is known, so a damaged count is refused
/// before it can allocate, and a short file says where it ends.
struct Source<R> {
    inner: R,
    left: u64,
}

impl<R: BufRead> Source<R> {
    fn new(inner: R, len: u64) -> Self {
        Source { inner, left: len }
    }

    fn ends_early(what: &str) -> String {
        format!("the file ends early, in the {what}: a truncated fastText model")
    }

    fn fill(&mut self, buf: &mut [u8], what: &str) -> Result<(), String> {
        if (buf.len() as u64) > self.left {
            return Err(Self::ends_early(what));
        }
        self.inner.read_exact(buf).map_err(|e| match e.kind() {
            ErrorKind::UnexpectedEof => Self::ends_early(what),
            _ => format!("cannot read the {what}: {e}"),
        })?;
        self.left -= buf.len() as u64;
        Ok(())
    }

    fn bytes<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        let mut buf = [0u8; N];
        self.fill(&mut buf, what)?;
        Ok(buf)
    }

    fn i32(&mut self, what: &str) -> Result<i32, String> {
        self.bytes(what).map(i32::from_le_bytes)
    }

    fn i64(&mut self, what: &str) -> Result<i64, String> {
        self.bytes(what).map(i64::from_le_bytes)
    }

    /// A NUL-terminated word, appended to `out` without its NUL.
    fn word(&mut self, out: &mut Vec<u8>, what: &str) -> Result<(), String> {
        let read = self
            .inner
            .read_until(0, out)
            .map_err(|e| format!("cannot read the {what}: {e}"))?;
        self.left = self.left.saturating_sub(read as u64);
        if out.last() != Some(&0) || read == 0 {
            return Err(Self::ends_early(what));
        }
        out.pop();
        Ok(())
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), String> {
        if n > self.left {
            return Err(Self::ends_early(what));
        }
        let copied = std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink())
            .map_err(|e| format!("cannot read the {what}: {e}"))?;
        self.left -= copied;
        if copied < n {
            return Err(Self::ends_early(what));
        }
        Ok(())
    }

    /// A dense matrix, which must be `rows × cols`: prediction indexes it without checks.
    fn matrix(&mut self, what: &str, rows: u64, cols: usize) -> Result<Vec<f32>, String> {
        let m = self.i64(what)?;
        let n = self.i64(what)?;
        if u64::try_from(m).ok() != Some(rows) || usize::try_from(n).ok() != Some(cols) {
            return Err(format!(
                "damaged fastText model: the {what} is {m} × {n}, expected {rows} × {cols}"
            ));
        }
        let values = rows
            .checked_mul(cols as u64)
            .filter(|v| v.saturating_mul(4) <= self.left);
        let Some(values) = values.and_then(|v| usize::try_from(v).ok()) else {
            return Err(Self::ends_early(what));
        };
        let mut data = Vec::with_capacity(values);
        let mut chunk = vec![0u8; (values * 4).clamp(4, 1 << 16)];
        while data.len() < values {
            let take = ((values - data.len()) * 4).min(chunk.len());
            self.fill(&mut chunk[..take], what)?;
            data.extend(
                chunk[..take]
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
        }
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOFTMAX: &[u8] = include_bytes!("../../tests/data/lid/softmax.bin");
    const HS: &[u8] = include_bytes!("../../tests/data/lid/hs.bin");
    const OVA: &[u8] = include_bytes!("../../tests/data/lid/ova.bin");
    const NOSUB: &[u8] = include_bytes!("../../tests/data/lid/nosub.bin");
    const QUANTIZED: &[u8] = include_bytes!("../../tests/data/lid/quantized.ftz");
    const GOLDEN: &str = include_str!("../../tests/data/lid/golden.json");

    /// Byte offset of the dictionary's `pruneidx_size`: magic, version, 12 `i32` arguments and
    /// `t`, then `size`, `nwords`, `nlabels` and `ntokens`.
    const PRUNEIDX_AT: usize = 8 + 12 * 4 + 8 + 3 * 4 + 8;

    fn model_bytes(name: &str) -> Vec<u8> {
        match name {
            "softmax.bin" => SOFTMAX.to_vec(),
            "hs.bin" => HS.to_vec(),
            "ova.bin" => OVA.to_vec(),
            "nosub.bin" => NOSUB.to_vec(),
            // make.py's version-11 file: softmax.bin with its version field rewritten.
            "softmax.bin@v11" => with_version(SOFTMAX, 11),
            _ => panic!("no model {name}"),
        }
    }

    fn with_version(bytes: &[u8], version: i32) -> Vec<u8> {
        let mut bytes = bytes.to_vec();
        bytes[4..8].copy_from_slice(&version.to_le_bytes());
        bytes
    }

    fn strip(label: &serde_json::Value) -> &str {
        let label = label.as_str().expect("label");
        label.strip_prefix(LABEL_PREFIX).expect("prefixed label")
    }

    #[test]
    fn predictions_match_real_fasttext() {
        let golden: serde_json::Value = serde_json::from_str(GOLDEN).expect("golden.json");
        let models = golden["models"].as_object().expect("models");
        assert_eq!(models.len(), 5);
        let mut wrong = Vec::new();
        let (mut checked, mut pruned, mut tied) = (0, 0, 0);
        for (name, expected) in models {
            let model = FastText::from_bytes(&model_bytes(name)).expect(name);
            let labels: Vec<&str> = expected["labels"]
                .as_array()
                .expect("labels")
                .iter()
                .map(strip)
                .collect();
            assert_eq!(model.labels().collect::<Vec<_>>(), labels, "{name}");
            for case in expected["predictions"].as_array().expect("predictions") {
                let text = case["text"].as_str().expect("text");
                let k = case["k"].as_u64().expect("k") as usize;
                let want: Vec<(&str, f64)> = case["labels"]
                    .as_array()
                    .expect("labels")
                    .iter()
                    .map(strip)
                    .zip(
                        case["probabilities"]
                            .as_array()
                            .expect("probabilities")
                            .iter()
                            .map(|p| p.as_f64().expect("p")),
                    )
                    .collect();
                // The cases that check the odd corners: a label pruned by the tree search, a tie.
                pruned += usize::from(want.len() < k.min(labels.len()));
                tied += usize::from(want.windows(2).any(|w| w[0].1 == w[1].1));
                let got = model.predict(text, k);
                let same = got.len() == want.len()
                    && got
                        .iter()
                        .zip(&want)
                        .all(|(g, (label, p))| g.label == *label && (f64::from(g.probability) - p).abs() < 1e-4);
                if !same {
                    wrong.push(format!("{name} k={k} {text:?}: got {got:?}, want {want:?}"));
                }
                checked += 1;
            }
        }
        assert!(checked >= 5 * 50, "only {checked} golden cases");
        assert!(
            pruned > 0 && tied > 0,
            "golden.json lost its pruned ({pruned}) or tied ({tied}) cases"
        );
        assert!(
            wrong.is_empty(),
            "{} of {checked} differ:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }

    #[test]
    fn reads_the_header() {
        let model = FastText::from_bytes(SOFTMAX).expect("softmax.bin");
        assert_eq!(model.loss, Loss::Softmax);
        assert_eq!((model.dim, model.bucket, model.word_ngrams), (8, 2000, 2));
        assert_eq!((model.minn, model.maxn, model.subwords), (2, 4, true));
        assert_eq!(model.labels.len(), 3);
        assert_eq!(model.input.len(), (model.nwords as usize + 2000) * 8);
        // `</s>` ends every training line, so it is the most frequent word: entry 0.
        assert_eq!(model.find(EOS, fnv(EOS)), Some(0));
        assert_eq!(
            FastText::from_bytes(HS).expect("hs.bin").loss,
            Loss::HierarchicalSoftmax
        );
        assert_eq!(FastText::from_bytes(OVA).expect("ova.bin").loss, Loss::OneVsAll);
        let nosub = FastText::from_bytes(NOSUB).expect("nosub.bin");
        assert!(!nosub.subwords);
        let old = FastText::from_bytes(&with_version(SOFTMAX, 11)).expect("version 11");
        assert!(
            !old.subwords && old.maxn == 0,
            "version 11 supervised models have no char n-grams"
        );
    }

    #[test]
    fn load_reads_the_file_and_names_it_in_errors() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lid");
        let model = FastText::load(&dir.join("softmax.bin")).expect("softmax.bin");
        let text = "naan veetla irukken";
        assert_eq!(
            model.predict(text, 3),
            FastText::from_bytes(SOFTMAX).expect("bytes").predict(text, 3)
        );

        let missing = dir.join("missing.bin");
        let err = FastText::load(&missing).expect_err("missing file");
        assert!(
            err.starts_with(&missing.display().to_string()) && err.contains("cannot open"),
            "{err}"
        );

        let ftz = dir.join("quantized.ftz");
        let err = FastText::load(&ftz).expect_err("quantized");
        assert!(
            err.starts_with(&ftz.display().to_string()) && err.contains("quantized"),
            "{err}"
        );

        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), &SOFTMAX[..SOFTMAX.len() / 2]).expect("write");
        let err = FastText::load(file.path()).expect_err("truncated");
        assert!(
            err.starts_with(&file.path().display().to_string()) && err.contains("ends early"),
            "{err}"
        );
    }

    #[test]
    fn best_first_and_bounded_by_k() {
        let model = FastText::from_bytes(SOFTMAX).expect("softmax.bin");
        let text = "romba nalla irundhuchu and the film was great";
        assert!(model.predict(text, 0).is_empty());
        let all = model.predict(text, 10);
        assert_eq!(all.len(), 3, "only three labels");
        assert!(all.windows(2).all(|w| w[0].probability >= w[1].probability));
        // Each is p + 1e-5, so the three sum to just over 1.
        let sum: f32 = all.iter().map(|p| p.probability).sum();
        assert!((sum - 1.0).abs() < 1e-4, "{sum}");
        assert_eq!(model.predict(text, 1), all[..1]);
        assert_eq!(model.predict(text, usize::MAX), all);
    }

    #[test]
    fn newlines_are_spaces() {
        for bytes in [SOFTMAX, HS, OVA, NOSUB] {
            let model = FastText::from_bytes(bytes).expect("model");
            let text = "naan veetla irukken\nthe sea of births\r\n";
            assert_eq!(
                model.predict(text, 3),
                model.predict(&text.replace(['\n', '\r'], " "), 3)
            );
        }
    }

    #[test]
    fn no_input_no_prediction() {
        // A model whose dictionary lacks `</s>` (here renamed) gives an empty line no ids.
        let mut bytes = SOFTMAX.to_vec();
        let at = bytes.windows(5).position(|w| w == b"</s>\0").expect("</s> entry");
        bytes[at..at + 4].copy_from_slice(b"<x/>");
        let model = FastText::from_bytes(&bytes).expect("model");
        assert!(model.predict("", 3).is_empty());
        assert!(model.predict(" \t ", 3).is_empty());
        assert!(model.predict("__label__tam_Latn", 3).is_empty(), "labels are not input");
        assert_eq!(model.predict("naan", 3).len(), 3);
    }

    #[test]
    fn refuses_what_is_not_a_fasttext_model() {
        let err = |bytes: &[u8]| FastText::from_bytes(bytes).expect_err("not a model");
        assert!(err(b"").contains("not a fastText model"));
        assert!(err(b"{\"labels\": []}\n").contains("not a fastText model"));
        assert!(err(&[0xBA, 0x16, 0x4F]).contains("not a fastText model"));
        let noise: Vec<u8> = (0u32..4096)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(err(&noise).contains("not a fastText model"));
        // Version 10 predates fastText 0.9's reader; 13 is newer than it.
        for version in [10, 13] {
            let e = err(&with_version(SOFTMAX, version));
            assert!(
                e.contains(&format!("version {version}")) && e.contains("not supported"),
                "{e}"
            );
        }
    }

    #[test]
    fn refuses_a_quantized_model() {
        let e = FastText::from_bytes(QUANTIZED).expect_err("quantized");
        assert!(
            e.contains("quantized") && e.contains(".ftz") && e.contains(".bin"),
            "{e}"
        );
        // A pruned dictionary without quantization: fastText refuses it as well.
        let mut bytes = SOFTMAX.to_vec();
        assert_eq!(bytes[PRUNEIDX_AT..PRUNEIDX_AT + 8], (-1i64).to_le_bytes());
        bytes[PRUNEIDX_AT..PRUNEIDX_AT + 8].copy_from_slice(&0i64.to_le_bytes());
        let e = FastText::from_bytes(&bytes).expect_err("pruned");
        assert!(e.contains("pruned"), "{e}");
    }

    #[test]
    fn refuses_an_unsupervised_model() {
        for (model, kind) in [(1, "cbow"), (2, "skipgram")] {
            // The header of a word-vector model: magic, version, then the arguments with
            // fastText's defaults for `cbow`/`skipgram` (dim 100, ws 5, epoch 5, minCount 5,
            // neg 5, wordNgrams 1, loss ns, bucket 2000000, minn 3, maxn 6, lrUpdateRate 100).
            let mut header = Vec::new();
            for v in [MAGIC, 12, 100, 5, 5, 5, 5, 1, 2, model, 2_000_000, 3, 6, 100] {
                header.extend_from_slice(&v.to_le_bytes());
            }
            header.extend_from_slice(&1e-4f64.to_le_bytes());
            let e = FastText::from_bytes(&header).expect_err("unsupervised");
            assert!(
                e.contains("unsupervised") && e.contains(kind) && e.contains("no labels"),
                "{e}"
            );
        }
    }

    #[test]
    fn refuses_a_truncated_model() {
        // Every prefix through the header and dictionary, then a sample through the matrices.
        let dictionary_end = 4096.min(SOFTMAX.len());
        let lengths = (0..dictionary_end).chain((dictionary_end..SOFTMAX.len()).step_by(997));
        for len in lengths {
            let e = FastText::from_bytes(&SOFTMAX[..len]).expect_err("truncated");
            let expected = if len < 4 { "not a fastText model" } else { "ends early" };
            assert!(e.contains(expected), "{len} bytes: {e}");
        }
        let e = FastText::from_bytes(&SOFTMAX[..SOFTMAX.len() - 1]).expect_err("one byte short");
        assert!(e.contains("ends early, in the output matrix"), "{e}");
    }

    #[test]
    fn heap_keeps_the_k_best_in_order() {
        // Distinct scores in a scrambled order: the k best, best first, for every k.
        let scores: Vec<f32> = (0u32..40).map(|i| ((i * 17) % 40) as f32 / 40.0).collect();
        for k in 1..=45 {
            let mut heap = Vec::new();
            find_k_best(k, &scores, &mut heap);
            sort_heap(&mut heap);
            let mut want: Vec<f32> = scores.clone();
            want.sort_by(|a, b| b.total_cmp(a));
            want.truncate(k);
            let got: Vec<f32> = heap.iter().map(|&(_, i)| scores[i as usize]).collect();
            assert_eq!(got, want, "k={k}");
        }
    }

    #[test]
    fn hash_sign_extends_bytes() {
        // FNV-1a of ASCII is the standard one; a byte from 0x80 is xored as 0xFFFFFFxx.
        assert_eq!(fnv(b"a"), 0xE40C_292C);
        assert_eq!(fnv(&[0xE0]), (FNV_OFFSET ^ 0xFFFF_FFE0).wrapping_mul(FNV_PRIME));
    }

    #[test]
    fn huffman_tree_is_fasttexts() {
        // Counts 5, 3, 2: first 2 + 3 (label 2 left, label 1 right), then label 0 with that
        // node, both 5: a leaf is taken first only when strictly smaller, so the node is left.
        let tree = huffman_tree(&[5, 3, 2]);
        assert_eq!(tree, vec![None, None, None, Some((2, 1)), Some((3, 0))]);
        assert_eq!(huffman_tree(&[7]), vec![None]);
    }
}
