//! The romanised-Tamil detector's model: for every character trigram and 4-gram of a lowercased
//! Latin word (padded with word boundaries), how much more likely it is in romanised Tamil than in
//! English, as a log-likelihood ratio quantised to a signed byte.
//!
//! Both tables are indexed directly by the grams' letters in base 27 (26 letters and the word
//! boundary), so a lookup is one multiply-add and one load with no hashing and no collisions:
//! 27³ = 19,683 trigram bytes and 27⁴ = 531,441 4-gram bytes, 551,132 bytes with the header,
//! embedded from `rules/data/romanised-model.bin`. The tables are built by [`Trainer`] from the
//! material listed in the generator, `vazhi-lint/tests/romanised_model.rs`, which also checks that
//! the embedded bytes are what the material gives.
//!
//! The detector reads through [`Packed`], both tables summed into one and laid out in base 32 when
//! the model is loaded: a gram's index is then its letters' 5-bit symbols side by side, the next
//! index a shift and an OR of the last (no multiply, no `% 27³`), and a letter costs one load.

/// 26 letters and the boundary.
pub const BASE: usize = 27;
pub const TRIGRAMS: usize = BASE * BASE * BASE;
pub const QUADGRAMS: usize = TRIGRAMS * BASE;
/// Log-likelihood ratios are stored times this, rounded and clamped to ±127: ratios past ±15.9
/// (in nats) all mean "certain".
pub const SCALE: f64 = 8.0;
const MAGIC: &[u8; 6] = b"VZRT1\n";
const HEADER: usize = 8;
pub const MODEL_BYTES: usize = HEADER + TRIGRAMS + QUADGRAMS;

static EMBEDDED: &[u8] = include_bytes!("../../../../rules/data/romanised-model.bin");

/// The symbol of an ASCII letter (either case): 1..=26; 0 is the word boundary.
#[inline]
pub fn symbol(byte: u8) -> usize {
    usize::from((byte | 0x20) - b'a' + 1)
}

/// The two tables, borrowed from the model's bytes.
#[derive(Clone, Copy)]
pub struct Model {
    /// Bytes of `i8` ratios (read with `cast_signed`).
    pub trigrams: &'static [u8; TRIGRAMS],
    pub quadgrams: &'static [u8; QUADGRAMS],
}

impl Model {
    /// The model compiled into the linter.
    pub fn embedded() -> Model {
        Model::from_bytes(EMBEDDED).expect("rules/data/romanised-model.bin is a model")
    }

    pub fn from_bytes(bytes: &'static [u8]) -> Option<Model> {
        if bytes.len() != MODEL_BYTES || !bytes.starts_with(MAGIC) {
            return None;
        }
        let (trigrams, quadgrams) = bytes[HEADER..].split_at(TRIGRAMS);
        Some(Model {
            trigrams: trigrams.try_into().ok()?,
            quadgrams: quadgrams.try_into().ok()?,
        })
    }

    /// The ratio of one position: its 4-gram's and its trigram's, added within a byte (a sum past
    /// ±127, 181 of the 4-grams, is as certain as ±127). One byte per position is what lets
    /// [`Packed`] keep both tables in one.
    #[inline]
    pub fn gram_score(&self, quad: usize) -> i32 {
        i32::from(
            self.quadgrams[quad]
                .cast_signed()
                .saturating_add(self.trigrams[quad % TRIGRAMS].cast_signed()),
        )
    }

    /// The score of one word (ASCII letters only, any case): the sum over its grams. Positive
    /// leans romanised Tamil, negative English. The detector computes the same sum inline as it
    /// reads; this is the reference it is tested against.
    pub fn score_word(&self, word: &[u8]) -> i32 {
        let mut score = 0;
        for_each_gram(word, |quad| {
            score += self.gram_score(quad);
        });
        score
    }
}

/// Calls `gram` with the 4-gram index of every position of `word` padded as `␣␣␣word␣`: one per
/// letter and one for the closing boundary. The trigram is the 4-gram's last three symbols, its
/// index modulo [`TRIGRAMS`]. A letter repeated past two (`waitinggggg`, `thalaivaaaa`) counts twice:
/// Tamil doubles letters, nobody triples them except for emphasis.
pub fn for_each_gram(word: &[u8], mut gram: impl FnMut(usize)) {
    let mut context = 0usize;
    let mut last = 0u8;
    let mut run = 0;
    for &byte in word {
        let lower = byte | 0x20;
        if lower == last {
            run += 1;
            if run > 2 {
                continue;
            }
        } else {
            last = lower;
            run = 1;
        }
        let quad = context * BASE + symbol(byte);
        gram(quad);
        context = quad % TRIGRAMS;
    }
    gram(context * BASE);
}

/// Bits of one symbol in [`Packed`]'s indices.
pub const PACKED_BITS: u32 = 5;
/// The index mask of a packed 4-gram: four symbols.
pub const PACKED_QUADGRAM: usize = (1 << (4 * PACKED_BITS)) - 1;
/// The largest packed trigram index.
pub const PACKED_TRIGRAM: usize = (1 << (3 * PACKED_BITS)) - 1;

/// A table with one slot per packed 4-gram, every slot `fill`. Built on the heap from the start:
/// a 1 MiB array built on the stack overflows a test thread's.
pub fn packed_table<T: Clone>(fill: T) -> Box<[T; PACKED_QUADGRAM + 1]> {
    vec![fill; PACKED_QUADGRAM + 1]
        .into_boxed_slice()
        .try_into()
        .unwrap_or_else(|_| unreachable!("a vector of the table's length"))
}

/// The model's two tables as one with 5-bit symbols: the slot of a 4-gram `abcd`, at
/// `a<<15 | b<<10 | c<<5 | d`, holds [`Model::gram_score`], its ratio plus its trigram's. 1 MiB,
/// half of it slots no gram has (symbols 27 to 31 never occur), never read.
pub struct Packed {
    grams: Box<[i8; PACKED_QUADGRAM + 1]>,
    /// The word-end positions of `grams` (last symbol 0), by the three letters before the end:
    /// 32 KiB that stay in the first-level cache, where the same bytes in `grams` lie 32 apart,
    /// one cache line each. Every word ends once, and its end's look-up was the reader's costliest
    /// load.
    ends: Box<[i8; PACKED_TRIGRAM + 1]>,
}

impl Packed {
    /// The ratio of one position, by its packed 4-gram index: the same sum as
    /// [`Model::gram_score`].
    #[inline]
    pub fn gram_score(&self, quad: usize) -> i32 {
        i32::from(self.grams[quad & PACKED_QUADGRAM])
    }

    /// The ratio of a word's end after the letters of `context`: `gram_score(context << 5)`.
    #[inline]
    pub fn end_score(&self, context: usize) -> i32 {
        i32::from(self.ends[context & PACKED_TRIGRAM])
    }
}

impl From<Model> for Packed {
    fn from(model: Model) -> Packed {
        let mut grams = packed_table(0);
        for quad in 0..QUADGRAMS {
            // Base 27 → base 32, digit by digit.
            let (mut rest, mut packed) = (quad, 0);
            for digit in 0..4 {
                packed |= (rest % BASE) << (PACKED_BITS as usize * digit);
                rest /= BASE;
            }
            grams[packed] = model.gram_score(quad) as i8;
        }
        let ends = (0..=PACKED_TRIGRAM)
            .map(|trigram| grams[trigram << PACKED_BITS])
            .collect::<Vec<i8>>()
            .into_boxed_slice()
            .try_into()
            .expect("one end per packed trigram");
        Packed { grams, ends }
    }
}

/// Which side of the model a training word is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    RomanisedTamil,
    English,
}

/// Gram counts of both sides, turned into the model's bytes by [`Trainer::build`].
pub struct Trainer {
    trigrams: [Vec<u64>; 2],
    quadgrams: [Vec<u64>; 2],
}

impl Default for Trainer {
    fn default() -> Self {
        Trainer {
            trigrams: [vec![0; TRIGRAMS], vec![0; TRIGRAMS]],
            quadgrams: [vec![0; QUADGRAMS], vec![0; QUADGRAMS]],
        }
    }
}

impl Trainer {
    /// Counts a word `weight` times. Words with anything but ASCII letters are skipped.
    pub fn add_word(&mut self, side: Side, word: &str, weight: u64) {
        if word.is_empty() || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
            return;
        }
        let side = side as usize;
        for_each_gram(word.as_bytes(), |quad| {
            self.quadgrams[side][quad] += weight;
            self.trigrams[side][quad % TRIGRAMS] += weight;
        });
    }

    /// The model's bytes: the header, then the trigram and 4-gram tables of quantised
    /// log-likelihood ratios, log P(gram | Tamil) − log P(gram | English), each side's counts
    /// smoothed by adding a half to every gram either side has seen. A gram neither side has seen
    /// scores 0.
    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MODEL_BYTES);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[SCALE as u8, 0]);
        for [tamil, english] in [&self.trigrams, &self.quadgrams] {
            let seen = tamil.iter().zip(english).filter(|(t, e)| **t + **e > 0).count() as f64;
            let total = |counts: &[u64]| counts.iter().sum::<u64>() as f64 + 0.5 * seen;
            let (tamil_total, english_total) = (total(tamil), total(english));
            for (&t, &e) in tamil.iter().zip(english) {
                let ratio = if t + e == 0 {
                    0.0
                } else {
                    ((t as f64 + 0.5) / tamil_total).ln() - ((e as f64 + 0.5) / english_total).ln()
                };
                let quantised = (ratio * SCALE).round().clamp(-127.0, 127.0) as i8;
                out.push(quantised.cast_unsigned());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_pad_the_word_and_collapse_long_runs() {
        let mut grams = Vec::new();
        for_each_gram(b"la", |quad| grams.push(quad));
        let l = symbol(b'l');
        let a = symbol(b'a');
        assert_eq!(grams, vec![l, l * BASE + a, (l * BASE + a) * BASE]);
        let mut long = Vec::new();
        for_each_gram(b"vaaaaa", |quad| long.push(quad));
        let mut short = Vec::new();
        for_each_gram(b"VAA", |quad| short.push(quad));
        assert_eq!(long, short);
    }

    #[test]
    fn a_trained_model_leans_each_way() {
        let mut trainer = Trainer::default();
        for word in ["pannunga", "sollunga", "vaanga", "irukku", "enna"] {
            trainer.add_word(Side::RomanisedTamil, word, 3);
        }
        for word in ["the", "password", "share", "with", "nobody"] {
            trainer.add_word(Side::English, word, 3);
        }
        trainer.add_word(Side::English, "naïve", 100);
        let bytes: &'static [u8] = Box::leak(trainer.build().into_boxed_slice());
        let model = Model::from_bytes(bytes).expect("a model");
        assert!(model.score_word(b"ponga") > 0);
        assert!(model.score_word(b"there") < 0);
        assert_eq!(model.score_word(b"xq"), 0);
    }

    #[test]
    fn packed_tables_score_every_gram_as_the_file_does() {
        let model = Model::embedded();
        let packed = Packed::from(model);
        for a in 0..BASE {
            for b in 0..BASE {
                for c in 0..BASE {
                    for d in 0..BASE {
                        let file = ((a * BASE + b) * BASE + c) * BASE + d;
                        let bits = PACKED_BITS as usize;
                        let index = a << (3 * bits) | b << (2 * bits) | c << bits | d;
                        assert_eq!(packed.gram_score(index), model.gram_score(file), "{a} {b} {c} {d}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_embedded_model_loads() {
        let model = Model::embedded();
        assert!(model.score_word(b"pannunga") > 0);
        assert!(model.score_word(b"password") < 0);
    }
}
