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
    let letters = word.len() as u32;
    if !(1..=MAX_LETTERS).contains(&letters) || !word.bytes().all(|byte| byte.is_ascii_alphabetic()) {
        return None;
    }
    Some(word.bytes().fold(0, |index, byte| {
        index << PACKED_BITS | usize::from((byte | 0x20) - b'a' + 1)
    }))
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
