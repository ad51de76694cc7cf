//! Short function words that the detector takes from a list instead of its n-gram model.
//!
//! A word of one to four letters has too few grams for a character model to go by: trained on
//! dictionary English, it reads the Tamil particles `la` and `da` as English, and `am` as Tamil.
//! Those words are also the commonest of chat, and they are closed classes: Tamil's case endings
//! and particles typed as words of their own (`padam la`, `podunga da`), English's pronouns,
//! articles, auxiliaries and prepositions. `rules/data/romanised/function-words.txt` lists them
//! by side; a listed word counts for its side whatever the model says, and longer words are the
//! model's. A fourth side lists function words of other Indian languages that Tamil does not
//! use (Hindi `hai`, `kya`; Telugu `enti`): the model knows only Tamil and English, and Hinglish
//! looks like Tanglish to it.
//!
//! Longer words are the model's, with one exception: [`CommonEnglish`], the commonest English
//! words of five to twelve letters, count as English whatever the model says. Spelling alone
//! reads a few of them as Tamil (`again`, `similar`, `channel`: Tamil has `-ain`, `-ilar`,
//! `-nel`), and they are what English comments are made of.

use rustc_hash::FxHashSet;

use super::model::{PACKED_BITS, PACKED_QUADGRAM, packed_table};

/// Where a listed word belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Listed {
    /// Not in the list: the model judges it.
    No = 0,
    Tanglish = 1,
    English = 2,
    /// Written alike in both languages (`a`, `than`): judged for neither.
    Neither = 3,
    /// A function word of another Indian language typed in Latin letters (Hindi `hai`, `kya`;
    /// Telugu `enti`): neither Tamil nor English, and a sign the text is neither.
    Other = 4,
}

/// The longest word the list may hold: four 5-bit symbols are a packed 4-gram index, so a short
/// word's slot is the context the reader has built for it anyway.
pub const MAX_LETTERS: u32 = 4;

static EMBEDDED: &str = include_str!("../../../../rules/data/romanised/function-words.txt");

/// The list as a table indexed by a word's packed letters (lowercase symbols, 5 bits each, first
/// letter highest), which is the context the reader has built for a short word anyway: one load
/// per word with no hashing, in 1 MiB that is nearly all [`Listed::No`] and never read there (a
/// hash table of 64 KiB cost the reader 5% more for its multiply and compare).
pub struct Lexicon {
    sides: Box<[Listed; PACKED_QUADGRAM + 1]>,
}

impl Lexicon {
    /// The list compiled into the linter.
    pub fn embedded() -> Lexicon {
        Lexicon::parse(EMBEDDED).expect("rules/data/romanised/function-words.txt is a word list")
    }

    /// Reads a list: `[tanglish]`, `[english]`, `[neither]` and `[other]` sections of words
    /// separated by white space; `#` starts a comment line. Words are ASCII letters, one to four
    /// of them, each in one section only.
    pub fn parse(text: &str) -> Result<Lexicon, String> {
        let mut sides = packed_table(Listed::No);
        let mut section = None;
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
                section = Some(match name {
                    "tanglish" => Listed::Tanglish,
                    "english" => Listed::English,
                    "neither" => Listed::Neither,
                    "other" => Listed::Other,
                    other => return Err(format!("line {}: unknown section [{other}]", number + 1)),
                });
                continue;
            }
            let side = section.ok_or_else(|| format!("line {}: words before any section", number + 1))?;
            for word in line.split_whitespace() {
                let key = packed(word)
                    .ok_or_else(|| format!("line {}: `{word}` is not one to four ASCII letters", number + 1))?;
                if sides[key] != Listed::No {
                    return Err(format!("line {}: `{word}` is listed twice", number + 1));
                }
                sides[key] = side;
            }
        }
        Ok(Lexicon { sides })
    }

    /// Where the word the reader has just read belongs, by its packed context (all its letters'
    /// symbols, the last lowest): [`Listed::No`] for words longer than [`MAX_LETTERS`], whose
    /// context does not fit a slot index.
    #[inline(always)]
    pub fn side(&self, context: usize) -> Listed {
        // A longer word reads slot 0 (no word packs to 0): the same line every time, where its
        // last four letters would be a cache miss anywhere in the table.
        let slot = if context <= PACKED_QUADGRAM { context } else { 0 };
        self.sides[slot]
    }

    /// Where a word belongs, looked up by its letters.
    pub fn word(&self, word: &str) -> Listed {
        packed(word).map_or(Listed::No, |key| self.side(key))
    }
}

/// A word's slot: its letters' symbols, 5 bits each, first letter highest, as the reader packs
/// them. `None` for anything but one to four ASCII letters.
fn packed(word: &str) -> Option<usize> {
    packed_letters(word, 1..=MAX_LETTERS)
}

/// A word's letters packed as the reader packs them, when it has a number of ASCII letters in
/// `lengths`.
fn packed_letters(word: &str, lengths: std::ops::RangeInclusive<u32>) -> Option<usize> {
    let letters = word.len() as u32;
    if !lengths.contains(&letters) || !word.bytes().all(|byte| byte.is_ascii_alphabetic()) {
        return None;
    }
    Some(word.bytes().fold(0, |index, byte| {
        index << PACKED_BITS | usize::from((byte | 0x20) - b'a' + 1)
    }))
}

/// The lowercase letters of a packed word.
fn unpacked(key: usize) -> String {
    let mut letters = Vec::new();
    let mut rest = key;
    while rest != 0 {
        letters.push(b'a' + (rest & ((1 << PACKED_BITS) - 1)) as u8 - 1);
        rest >>= PACKED_BITS;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// The shortest and longest words [`CommonEnglish`] holds. Twelve letters of 5 bits fill 60 of a
/// context's 64 bits, so a longer word never packs to a listed key (see [`CommonEnglish::holds`]).
pub const COMMON_LETTERS: std::ops::RangeInclusive<u32> = 5..=12;

static COMMON_ENGLISH: &str = include_str!("../../../../rules/data/romanised/common-english.txt");

/// Common English words of five to twelve letters (`rules/data/romanised/common-english.txt`),
/// by the context the reader has built for them: a word listed here is English whatever the
/// model says. A set of packed keys with a bit filter in front; the detector keeps only the words
/// its model would call Tamil ([`CommonEnglish::retain`]) and asks only about words it calls
/// Tamil.
pub struct CommonEnglish {
    words: FxHashSet<usize>,
    /// One bit per hash of a listed key, 2^12 bits (512 bytes, which stay in L1): a word whose
    /// bit is clear is not listed. Sized for the few dozen words the detector keeps
    /// ([`CommonEnglish::retain`]); a look-up in the set for every word the model calls Tamil
    /// cost the reader 13%.
    filter: Box<[u64; FILTER_WORDS]>,
}

const FILTER_BITS: u32 = 12;
const FILTER_WORDS: usize = (1 << FILTER_BITS) / 64;

/// A key's bit in [`CommonEnglish::filter`]: the top bits of a multiplicative hash.
#[inline(always)]
fn filter_bit(key: usize) -> usize {
    ((key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - FILTER_BITS)) as usize
}

impl CommonEnglish {
    /// The list compiled into the linter.
    pub fn embedded() -> CommonEnglish {
        CommonEnglish::parse(COMMON_ENGLISH).expect("rules/data/romanised/common-english.txt is a word list")
    }

    /// Reads a list of words separated by white space; `#` starts a comment line.
    pub fn parse(text: &str) -> Result<CommonEnglish, String> {
        let mut words = FxHashSet::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            for word in line.split_whitespace() {
                let key = packed_letters(word, COMMON_LETTERS.clone())
                    .ok_or_else(|| format!("line {}: `{word}` is not five to twelve ASCII letters", number + 1))?;
                words.insert(key);
            }
        }
        let mut common = CommonEnglish {
            words,
            filter: Box::new([0; FILTER_WORDS]),
        };
        common.fill_filter();
        Ok(common)
    }

    /// Keeps the words for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        let dropped: Vec<usize> = self
            .words
            .iter()
            .copied()
            .filter(|&key| !keep(&unpacked(key)))
            .collect();
        for key in dropped {
            self.words.remove(&key);
        }
        self.fill_filter();
    }

    fn fill_filter(&mut self) {
        self.filter.fill(0);
        for &key in &self.words {
            let bit = filter_bit(key);
            self.filter[bit / 64] |= 1 << (bit % 64);
        }
    }

    /// Whether the word the reader has just read, by its packed context, is listed. A word of
    /// thirteen letters or more has pushed its first letters past the context's top: its context
    /// then has one of bits 60–63 set, unless the letter that landed there is `p` (symbol 16, low
    /// four bits clear), when it reads as its last twelve letters. No listed word is the last
    /// twelve letters of a longer English or Tamil word with `p` before them.
    #[inline]
    pub fn holds(&self, context: usize) -> bool {
        self.may_hold(context) && self.words.contains(&context)
    }

    /// Whether the word may be listed: false for most words that are not, computed without
    /// branches (a multiply and a load), before the set is asked.
    #[inline(always)]
    fn may_hold(&self, context: usize) -> bool {
        let bit = filter_bit(context);
        (context >> (PACKED_BITS * *COMMON_LETTERS.end()) == 0) & (self.filter[bit / 64] & (1 << (bit % 64)) != 0)
    }

    /// The listed words, in lowercase letters, in no particular order.
    pub fn words(&self) -> impl Iterator<Item = String> + '_ {
        self.words.iter().map(|&key| unpacked(key))
    }

    /// Whether a word is listed, looked up by its letters.
    pub fn word(&self, word: &str) -> bool {
        packed_letters(word, COMMON_LETTERS.clone()).is_some_and(|key| self.holds(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_reads_and_sides_its_words() {
        let lexicon = Lexicon::embedded();
        assert_eq!(lexicon.word("la"), Listed::Tanglish);
        assert_eq!(lexicon.word("DA"), Listed::Tanglish);
        assert_eq!(lexicon.word("am"), Listed::English);
        assert_eq!(lexicon.word("than"), Listed::Neither);
        assert_eq!(lexicon.word("hai"), Listed::Other);
        assert_eq!(lexicon.word("pannunga"), Listed::No);
        assert_eq!(lexicon.word("xyz"), Listed::No);
    }

    #[test]
    fn common_english_words_are_found_by_the_readers_context() {
        let common = CommonEnglish::embedded();
        for word in ["again", "similar", "Channel", "watching", "relationship"] {
            assert!(common.word(word), "{word}");
        }
        // Tamil words, short words (the function-word list's) and rare English words are not.
        for word in ["paarka", "pannunga", "again!", "the", "parka", "villain"] {
            assert!(!common.word(word), "{word}");
        }
        // Thirteen letters push the first past the context: `xrelationship` is not
        // `relationship`.
        let long = "xrelationship".bytes().fold(0usize, |index, byte| {
            index << PACKED_BITS | usize::from(byte - b'a' + 1)
        });
        assert!(!common.holds(long));
        let mut words: Vec<String> = common.words().collect();
        words.sort();
        assert_eq!(words.len(), 9_434);
        assert!(words.binary_search(&"similar".to_owned()).is_ok());
        let mut kept = CommonEnglish::embedded();
        kept.retain(|word| word.starts_with("sim"));
        assert!(kept.word("similar") && !kept.word("again"));
        assert_eq!(
            CommonEnglish::parse("# c\nagain\nhi").err().as_deref(),
            Some("line 3: `hi` is not five to twelve ASCII letters")
        );
    }

    #[test]
    fn bad_lists_are_refused_with_the_line() {
        for (text, error) in [
            ("la", "line 1: words before any section"),
            ("[hindi]\nhai", "line 1: unknown section [hindi]"),
            ("[english]\nshould", "line 2: `should` is not one to four ASCII letters"),
            ("[english]\nthe\n[tanglish]\nthe", "line 4: `the` is listed twice"),
        ] {
            assert_eq!(Lexicon::parse(text).err().as_deref(), Some(error), "{text}");
        }
    }

    #[test]
    fn a_word_read_by_its_context_is_found_only_when_short() {
        let lexicon = Lexicon::embedded();
        let index = packed("enna").expect("four letters");
        assert_eq!(lexicon.side(index), Listed::Tanglish);
        // `pannenna` ends in the same four letters, but is longer: the model's.
        let longer = packed("pann").expect("four letters") << (4 * PACKED_BITS) | index;
        assert_eq!(lexicon.side(longer), Listed::No);
    }
}
