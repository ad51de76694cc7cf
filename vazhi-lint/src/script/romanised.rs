//! Romanised Tamil ("Tanglish": Tamil typed in Latin letters, "Unga OTP yaarukkum share
//! pannadheenga") told from English, word by word, and a verdict per text: Tamil script,
//! Tanglish, English, or Tamil script mixed with Latin words.
//!
//! Counting letters by script ([`ScriptCounts`](super::ScriptCounts)) cannot tell Tanglish from
//! English: both are Latin letters. The words can: Tamil's sound pattern (`-ngal`, `-kku`, `zh`,
//! `dh`, long vowels written twice, a vowel after nearly every consonant) is far from English
//! spelling. Each Latin word is scored by a character n-gram model ([`model`]) built from Tamil
//! text romanised the way people type it ([`super::transliterate`]) and from English text; a word
//! scoring clearly either way counts for that side, one in between counts for neither. Short
//! function words (`la`, `da`, `nu`; `is`, `of`, `the`), too short for a spelling model, are
//! taken from a list instead ([`lexicon`]). The list also names function words of other Indian
//! languages (Hindi `hai`, `kya`); a Latin text with two of them gets no verdict, since the model
//! would read Hinglish as Tanglish.
//!
//! Names are where a word model goes wrong: `Chennai`, `Aadhaar`, `Thirukkural` are Tamil words
//! in the middle of English sentences. So a capitalised word that looks Tamil counts as
//! romanised Tamil only when the text's lowercase words already say Tanglish (or it has none):
//! it can support a Tanglish verdict, never make English look Tamil. Words of two to four
//! capitals (`OTP`, `UPI`) are acronyms and are not judged; neither are words of one letter or
//! with digits in them, unless listed (`I`, `u`), nor hashtags (`#naerkondapaarvai`). Lowercase
//! names ("Agreed virat kohli looks") no list can hold; they come one or two at a time, and never
//! as function words, so a text needs three romanised-Tamil words, or more of them than English
//! ones, or a Tamil function word among them, to be Tanglish ([`FEW_ROMANISED_WORDS`]).
//!
//! Tanglish takes English nouns into Tamil sentences ("Robo Shankar fans like ah thattunga"):
//! what says a sentence is English is its grammar words. So in the share that decides Tanglish,
//! English words other than listed function words weigh [`ENGLISH_CONTENT_WEIGHT`].
//!
//! Code is not prose either: short identifiers (`ap`, `ret`, `vilai`) score like Tamil. Fenced
//! code blocks are skipped, and words that touch a character prose words do not (`va_start`,
//! `a/b`, `x=1`, `printf(`, `yaml.load`, `https:`) are not judged.
//!
//! How the model was built is in `tests/data/README.md` (the table of `rules/data`); how it was
//! evaluated and how fast it is, in `bench/romanised/README.md`.

pub mod lexicon;
pub mod model;

use lexicon::{CommonEnglish, Lexicon, Listed};
use model::{Model, PACKED_BITS, Packed};
use unicode_script::{Script, UnicodeScript};

/// A word is judged only when its score is at least this far from 0 (in the model's units, an
/// eighth of a nat): words like `la`, `to`, `na` that both languages have stay unjudged.
pub const WORD_MARGIN: i32 = 6;
/// Fewer judged words than this and a text gets no verdict: too short to judge.
pub const MIN_JUDGED_WORDS: usize = 3;
/// Of the Latin words judged, the romanised-Tamil share from which a text is Tanglish. Tanglish
/// carries many English words ("share", "movie", "waiting"); English has few words that look
/// Tamil, mostly names the capital rule above already leaves out. Chosen on the labelled comments
/// seen so far (`tune`, `held` and `fresh1` in bench/romanised): 0.35 is where Tanglish precision
/// and recall meet (0.975 and 0.969), 0.30 called 12 English turns Tanglish for 3 more Tanglish
/// ones.
pub const TANGLISH_SHARE: f64 = 0.35;
/// Of the lowercase Latin words judged, the romanised-Tamil share from which capitalised
/// Tamil-looking words count as romanised Tamil rather than names. Lower than
/// [`TANGLISH_SHARE`]: a comment with a few lowercase Tamil words is usually Tanglish, and its
/// capitalised words with it (on the same comments, 0.35 here too lost 7 Tanglish turns).
pub const NAMES_SHARE: f64 = 0.3;
/// A text with fewer romanised-Tamil words than this is Tanglish only when they outnumber its
/// English words, or one of them is a listed Tamil function word (`la`, `da`, `ku`). Two
/// Tamil-looking words among English ones are most often one name or title, which no word list
/// holds in lowercase ("Agreed virat kohli looks", "Who is pavan kalyan?", "Feeling like watching
/// iru mugan 2"); names are never function words. On the five parts seen (bench/romanised), this
/// took Tanglish precision from 0.950 to 0.972 and recall from 0.965 to 0.956.
pub const FEW_ROMANISED_WORDS: usize = 3;
/// What an English word that is not a listed function word (`movie`, `fans`, `trailer`,
/// `waiting`) weighs against romanised-Tamil words, where a listed one (`the`, `is`, `for`)
/// weighs 1. Tanglish takes English nouns and adjectives into Tamil sentences ("Robo Shankar fans
/// like ah thattunga"); English's own grammar words are what say a sentence is English. Chosen
/// on the six parts seen before `fresh6` (bench/romanised): at 1.0, short Tanglish comments full
/// of film words fell below [`TANGLISH_SHARE`].
pub const ENGLISH_CONTENT_WEIGHT: f64 = 0.7;
/// Latin texts with this many function words of another Indian language (Hindi `hai`, `kya`)
/// get no verdict: they are in neither Tamil nor English, and the model knows only those two.
pub const OTHER_LANGUAGE_WORDS: usize = 2;
/// Tamil-script words from this share of the judged words make a text Tamil script; between
/// [`MIXED_SCRIPT_SHARE`] and this, it is Tamil script mixed with Latin words.
pub const TAMIL_SCRIPT_SHARE: f64 = 0.7;
pub const MIXED_SCRIPT_SHARE: f64 = 0.3;

/// What a text is written in, judged on its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Mostly words in Tamil script (English words in between allowed).
    TamilScript,
    /// Mostly Latin letters, a good part of them romanised Tamil words.
    Tanglish,
    /// Mostly Latin letters, almost none of them romanised Tamil.
    English,
    /// Tamil-script words beside Latin words, neither below 30%.
    Mixed,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::TamilScript => "Tamil script",
            Verdict::Tanglish => "Tanglish",
            Verdict::English => "English",
            Verdict::Mixed => "Tamil script mixed with Latin words",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Verdict::TamilScript => "tamil-script",
            Verdict::Tanglish => "tanglish",
            Verdict::English => "english",
            Verdict::Mixed => "mixed",
        }
    }
}

/// The words of a text by what they are written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordScripts {
    /// Words in Tamil script.
    pub tamil_script: usize,
    /// Latin words that read as romanised Tamil (capitalised ones included when the text is
    /// Tanglish; see the module docs).
    pub romanised: usize,
    /// Latin words that read as English.
    pub english: usize,
    /// Capitalised Latin words that look Tamil but were taken as names, not counted above.
    pub names: usize,
    /// Latin words the model cannot call, acronyms, and words with digits: not counted above.
    pub unjudged: usize,
    /// Words in other scripts (Devanagari, Malayalam, ...): not counted above.
    pub other_script: usize,
    /// Latin words listed as another Indian language's function words (Hindi `hai`, `kya`;
    /// Telugu `enti`): not counted above.
    pub other_language: usize,
    /// Of the English words, those listed as English function words (`the`, `is`, `for`): see
    /// [`ENGLISH_CONTENT_WEIGHT`].
    pub english_function_words: usize,
    /// Of the romanised-Tamil words, those listed as Tamil function words (`la`, `da`, `nu`,
    /// `enna`): what tells a short Tanglish comment from English with a Tamil name in it.
    pub tamil_function_words: usize,
}

impl WordScripts {
    /// Counts the words of `text` with the embedded model.
    pub fn of(text: &str) -> WordScripts {
        static DETECTOR: std::sync::LazyLock<Detector> = std::sync::LazyLock::new(Detector::embedded);
        DETECTOR.count(text)
    }

    /// Words that count toward a verdict: Tamil script, romanised Tamil, English.
    pub fn judged(&self) -> usize {
        self.tamil_script + self.romanised + self.english
    }

    /// Romanised-Tamil words over the judged Latin words; `None` with no Latin word judged.
    pub fn romanised_share(&self) -> Option<f64> {
        let latin = self.romanised + self.english;
        (latin > 0).then(|| self.romanised as f64 / latin as f64)
    }

    /// A share of the judged words.
    pub fn share(&self, words: usize) -> f64 {
        words as f64 / self.judged().max(1) as f64
    }

    /// What the text is written in; `None` when fewer than [`MIN_JUDGED_WORDS`] words are judged.
    pub fn verdict(&self) -> Option<Verdict> {
        if self.judged() < MIN_JUDGED_WORDS {
            return None;
        }
        let script = self.share(self.tamil_script);
        if script < MIXED_SCRIPT_SHARE && self.other_language >= OTHER_LANGUAGE_WORDS {
            return None;
        }
        Some(if script >= TAMIL_SCRIPT_SHARE {
            Verdict::TamilScript
        } else if script >= MIXED_SCRIPT_SHARE {
            Verdict::Mixed
        } else if self.weighted_romanised_share() >= TANGLISH_SHARE && self.romanised_enough() {
            Verdict::Tanglish
        } else {
            Verdict::English
        })
    }

    /// The romanised-Tamil words' weight over the judged Latin words', English ones other than
    /// function words weighing [`ENGLISH_CONTENT_WEIGHT`]: what the Tanglish verdict is taken on.
    pub fn weighted_romanised_share(&self) -> f64 {
        let content = self.english - self.english_function_words;
        let weight =
            self.romanised as f64 + self.english_function_words as f64 + ENGLISH_CONTENT_WEIGHT * content as f64;
        if weight > 0.0 {
            self.romanised as f64 / weight
        } else {
            0.0
        }
    }

    /// Whether there are enough romanised-Tamil words to say Tanglish at all: see
    /// [`FEW_ROMANISED_WORDS`].
    fn romanised_enough(&self) -> bool {
        self.romanised >= FEW_ROMANISED_WORDS || self.romanised > self.english || self.tamil_function_words > 0
    }

    /// The counts behind a verdict, for a message: "3 Tamil-script, 12 romanised-Tamil and 4
    /// English words", and the other-language function words when there are any.
    pub fn tally(&self) -> String {
        if self.other_language == 0 {
            format!(
                "{} Tamil-script, {} romanised-Tamil and {} English words",
                self.tamil_script, self.romanised, self.english
            )
        } else {
            format!(
                "{} Tamil-script, {} romanised-Tamil, {} English and {} Hindi or Telugu words",
                self.tamil_script, self.romanised, self.english, self.other_language
            )
        }
    }

    pub fn add(&mut self, other: &WordScripts) {
        self.tamil_script += other.tamil_script;
        self.romanised += other.romanised;
        self.english += other.english;
        self.names += other.names;
        self.unjudged += other.unjudged;
        self.other_script += other.other_script;
        self.other_language += other.other_language;
        self.tamil_function_words += other.tamil_function_words;
        self.english_function_words += other.english_function_words;
    }
}

/// The bit that ASCII lowercase letters have and capitals do not.
const CASE_BIT: u8 = 0x20;

/// What a byte is to the word reader: a letter's symbol (1..=26, plus [`UPPER`] for a capital),
/// or one of the other classes.
const SEPARATOR: u8 = 0;
const UPPER: u8 = 32;
const APOSTROPHE: u8 = 64;
const DIGIT: u8 = 65;
/// Separators that say the word beside them is code, a path or a URL rather than prose
/// (`va_start`, `a/b`, `x=1`, `` `name` ``).
const CODE_MARK: u8 = 66;
/// `(`: code only after a word (`printf(`); prose has "(see below)".
const CALL: u8 = 67;
/// `.`: code only between letters (`yaml.load`, `e.g.`); prose has "the end.".
const MEMBER: u8 = 68;
/// `:`: code only before `/` (`https://`).
const SCHEME: u8 = 69;
/// `#`: the word after it is a tag (`#Thalaivar`, `#naerkondapaarvai`, `#mohanlal`), names and
/// titles run together, and not judged: in English comments on Tamil films they looked Tamil. A
/// `#` after a word (`C#`) or before a space (a Markdown heading) leaves words alone.
const HASHTAG: u8 = 70;
const NON_ASCII: u8 = 128;
static CLASSES: [u8; 256] = {
    let mut classes = [SEPARATOR; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        classes[byte] = if b.is_ascii_lowercase() {
            b - b'a' + 1
        } else if b.is_ascii_uppercase() {
            (b - b'A' + 1) | UPPER
        } else if b == b'\'' {
            APOSTROPHE
        } else if b.is_ascii_digit() {
            DIGIT
        } else if b >= 0x80 {
            NON_ASCII
        } else {
            match b {
                b'_' | b'/' | b'\\' | b'=' | b'<' | b'>' | b'@' | b'$' | b'{' | b'}' | b'|' | b'~' | b'^' | b'`' => {
                    CODE_MARK
                }
                b'(' => CALL,
                b'.' => MEMBER,
                b':' => SCHEME,
                b'#' => HASHTAG,
                _ => SEPARATOR,
            }
        };
        byte += 1;
    }
    classes
};

/// A letter's symbol (1..=26, either case), 0 for any other byte: the letter loop's one table,
/// so that a letter costs one load, where its class would need a mask to give the symbol. Read
/// off [`CLASSES`], so that the two agree on what a letter is.
static SYMBOLS: [u8; 256] = {
    let mut symbols = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        if is_letter(CLASSES[byte]) {
            symbols[byte] = CLASSES[byte] & (UPPER - 1);
        }
        byte += 1;
    }
    symbols
};

/// Whether a word's packed context holds at least `count` letters (1 to 12): its symbols are
/// never 0, so it does when it is at least the smallest context of that many. Counting them as
/// they are read cost the reader an instruction per letter.
#[inline(always)]
fn has_letters(context: usize, count: u32) -> bool {
    context >> (PACKED_BITS * (count - 1)) != 0
}

/// What script the non-Latin word being read is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InScript {
    None,
    Tamil,
    Other,
}

/// Whether a byte's class is a letter's.
#[inline(always)]
const fn is_letter(class: u8) -> bool {
    class != SEPARATOR && class < APOSTROPHE
}

/// The mask of the last three symbols of a packed context, and what a symbol times [`TRIPLED`]
/// is: the context of that letter three times in a row.
const THREE_SYMBOLS: usize = (1 << (3 * PACKED_BITS)) - 1;
const TRIPLED: usize = 1 | 1 << PACKED_BITS | 1 << (2 * PACKED_BITS);

/// The Latin word being read.
#[derive(Clone, Copy)]
struct LatinWord {
    /// The letters' symbols, 5 bits each, the last one lowest: [`Packed`]'s index of the grams
    /// read so far. It also says how many letters there are, which is only ever asked up to five
    /// ([`has_letters`]): every symbol is non-zero.
    context: usize,
    score: i32,
    /// The word's letters ORed together: [`CASE_BIT`] stays clear only when every letter is a
    /// capital.
    cases: u8,
    capitalised: bool,
    digits: bool,
    /// Touches a character that prose words do not (`va_start`, `yaml.load`, `x=1`, `f(`):
    /// an identifier, a path or a URL, which are not words of either language.
    code: bool,
}

impl LatinWord {
    /// No letter read yet; `code` when the separator before says the word is code.
    fn new(code: bool) -> LatinWord {
        LatinWord {
            context: 0,
            score: 0,
            cases: 0,
            capitalised: false,
            digits: false,
            code,
        }
    }
}

/// What [`Detector::judge`] makes of a word, as an index into per-read counts: kept in a small
/// array and added to the [`Tally`] once per text, one increment per word instead of a branch.
const NO_WORD: usize = 0;
const UNJUDGED: usize = 1;
const ENGLISH: usize = 2;
const ENGLISH_CAPITALISED: usize = 3;
const TAMIL: usize = 4;
const TAMIL_CAPITALISED: usize = 5;
const OTHER_LANGUAGE: usize = 6;
/// A listed Tamil function word: romanised Tamil, and counted apart too.
const TAMIL_LISTED: usize = 7;
/// A listed English function word, lowercase and capitalised: English, and counted apart too.
const ENGLISH_LISTED: usize = 8;
const ENGLISH_LISTED_CAPITALISED: usize = 9;

/// Per-text tallies before capitalised words are settled.
#[derive(Default)]
struct Tally {
    words: WordScripts,
    /// English words written in lowercase: with `words.romanised`, what says whether the text is
    /// Tanglish before names are settled.
    lowercase_english: usize,
    /// Capitalised words that look Tamil.
    capitalised_tamil: usize,
}

/// The word reader with its model.
pub struct Detector {
    model: Model,
    packed: Packed,
    lexicon: Lexicon,
    /// The common English words the model would call Tamil (`again`, `similar`, `village`; 44
    /// of the 9,434 listed): the rest it already calls English, and need no look-up.
    misread_english: CommonEnglish,
    /// The highest score of a word in `misread_english`: no word scoring higher is looked up.
    misread_ceiling: i32,
}

impl Detector {
    pub fn embedded() -> Detector {
        Detector::new(Model::embedded(), Lexicon::embedded(), CommonEnglish::embedded())
    }

    pub fn new(model: Model, lexicon: Lexicon, mut common: CommonEnglish) -> Detector {
        let mut misread_ceiling = 0;
        common.retain(|word| {
            let score = model.score_word(word.as_bytes());
            misread_ceiling = misread_ceiling.max(score);
            score > 0
        });
        Detector {
            model,
            packed: Packed::from(model),
            lexicon,
            misread_english: common,
            misread_ceiling,
        }
    }

    /// The score of one Latin word (positive: romanised Tamil), as the reader computes it.
    pub fn score_word(&self, word: &str) -> i32 {
        self.model.score_word(word.as_bytes())
    }

    /// Counts the words of `text` outside fenced code blocks: code is not prose, whatever its
    /// words look like.
    pub fn count(&self, text: &str) -> WordScripts {
        let mut tally = Tally::default();
        self.read(text, &mut tally);
        settle_names(tally)
    }

    /// One pass over the bytes: Latin words are scored as they are read, without being copied or
    /// lowercased; Tamil-script words are counted on their lead bytes; fenced code blocks are
    /// skipped where they open. (Looking for a backtick before reading, to split the text at its
    /// fences, cost 4% on chat turns.)
    fn read(&self, text: &str, tally: &mut Tally) {
        let bytes = text.as_bytes();
        let mut word = LatinWord::new(false);
        let mut counts = [0usize; 10];
        // The script of the non-Latin word being read, if any: a Tamil-script or other-script
        // word is counted at its first letter.
        let mut in_script = InScript::None;
        let mut at = 0;
        while at < bytes.len() {
            let byte = bytes[at];
            let class = CLASSES[usize::from(byte)];
            if is_letter(class) {
                if word.context == 0 {
                    word.capitalised = class & UPPER != 0;
                }
                in_script = InScript::None;
                at = self.read_letters(bytes, at, &mut word);
                continue;
            }
            match class {
                // `don't`, `Vikram's`: one word.
                APOSTROPHE => at += 1,
                DIGIT => {
                    word.digits = true;
                    at += 1;
                }
                NON_ASCII => {
                    counts[self.judge(&word)] += 1;
                    word = LatinWord::new(false);
                    if byte == 0xE0 && matches!(bytes.get(at + 1), Some(0xAE | 0xAF)) {
                        tally.words.tamil_script += usize::from(in_script != InScript::Tamil);
                        in_script = InScript::Tamil;
                        at += 3;
                    } else {
                        let ch = text[at..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
                        if !matches!(ch.script(), Script::Common | Script::Inherited | Script::Unknown) {
                            tally.words.other_script += usize::from(in_script != InScript::Other);
                            in_script = InScript::Other;
                        } else if !is_joiner(ch) {
                            in_script = InScript::None;
                        }
                        at += ch.len_utf8();
                    }
                }
                CODE_MARK if byte == b'`' && bytes[at..].starts_with(FENCE.as_bytes()) => {
                    // The word before a fence ends there as prose; reading resumes after the
                    // closing fence (never, for a block left open) as at the start of a text.
                    counts[self.judge(&word)] += 1;
                    word = LatinWord::new(false);
                    in_script = InScript::None;
                    let code = at + FENCE.len();
                    at = memchr::memmem::find(&bytes[code..], FENCE.as_bytes())
                        .map_or(bytes.len(), |close| code + close + FENCE.len());
                }
                _ => {
                    let mut code_follows = false;
                    if class != SEPARATOR {
                        let after_word = word.context != 0;
                        word.code |= after_word && closes_code(class, bytes.get(at + 1).copied());
                        code_follows =
                            class == CODE_MARK || (class == HASHTAG && !after_word) || (class == MEMBER && after_word);
                    }
                    counts[self.judge(&word)] += 1;
                    // The next word starts here, after this separator.
                    word = LatinWord::new(code_follows);
                    in_script = InScript::None;
                    at += 1;
                }
            }
        }
        counts[self.judge(&word)] += 1;
        let words = &mut tally.words;
        words.unjudged += counts[UNJUDGED];
        let english_listed = counts[ENGLISH_LISTED] + counts[ENGLISH_LISTED_CAPITALISED];
        words.english += counts[ENGLISH] + counts[ENGLISH_CAPITALISED] + english_listed;
        words.english_function_words += english_listed;
        words.romanised += counts[TAMIL] + counts[TAMIL_LISTED];
        words.tamil_function_words += counts[TAMIL_LISTED];
        tally.lowercase_english += counts[ENGLISH] + counts[ENGLISH_LISTED];
        tally.capitalised_tamil += counts[TAMIL_CAPITALISED];
        words.other_language += counts[OTHER_LANGUAGE];
    }

    /// Reads the run of letters starting at `at` (a letter) into `word`, and returns where the run
    /// ends. The hot loop: most bytes of Latin text pass through here
    /// and nowhere else.
    #[inline(always)]
    fn read_letters(&self, bytes: &[u8], mut at: usize, word: &mut LatinWord) -> usize {
        let LatinWord {
            mut context,
            mut score,
            mut cases,
            ..
        } = *word;
        let mut byte = bytes[at];
        let mut symbol = usize::from(SYMBOLS[usize::from(byte)]);
        loop {
            // Emphasis (`waitinggggg`): a letter counts at most twice in a row, so a letter that
            // would make the context end in three of it is skipped.
            let next = context << PACKED_BITS | symbol;
            if next & THREE_SYMBOLS != symbol * TRIPLED {
                context = next;
                score += self.packed.gram_score(context);
                cases |= byte;
            }
            at += 1;
            let Some(&following) = bytes.get(at) else { break };
            byte = following;
            symbol = usize::from(SYMBOLS[usize::from(byte)]);
            if symbol == 0 {
                break;
            }
        }
        *word = LatinWord {
            context,
            score,
            cases,
            ..*word
        };
        at
    }

    /// What the word just read is ([`NO_WORD`], [`UNJUDGED`], [`ENGLISH`], ...), computed
    /// without branches: whether a word is Tamil or English is what the text is made of, not a
    /// pattern a branch predictor can learn. (Judging words by branches was 41% of the reader's
    /// time in a profile.)
    #[inline(always)]
    fn judge(&self, word: &LatinWord) -> usize {
        let LatinWord {
            context,
            score,
            cases,
            capitalised,
            digits,
            code,
        } = *word;
        let score = score + self.packed.end_score(context);
        // A common English word the model calls Tamil is English, as if the model had said so.
        // Only a word scoring no higher than any such word is looked up, through the set's
        // filter. This costs the reader 6% on turns that are half romanised Tamil; asking
        // every word, branch-free, cost the same or more.
        let score = if score > 0 && score <= self.misread_ceiling && self.misread_english.holds(context) {
            -WORD_MARGIN
        } else {
            score
        };
        let acronym = (cases & CASE_BIT == 0) & !has_letters(context, 5);
        let judged = has_letters(context, 2) & !digits & !code & !acronym & (score.abs() >= WORD_MARGIN);
        let kind = ENGLISH + 2 * usize::from(score > 0) + usize::from(capitalised);
        let by_model = if judged { kind } else { UNJUDGED };
        // A listed function word is its list's side, whatever its length, case or score.
        let listed = self.lexicon.side(context);
        // By table, not by `match`: the `match` compiled to a jump table, an indirect branch at
        // every word, and the reader was 3% slower with it.
        const KIND_OF_LISTED: [usize; 5] = [UNJUDGED, TAMIL_LISTED, ENGLISH_LISTED, UNJUDGED, OTHER_LANGUAGE];
        let by_list = KIND_OF_LISTED[listed as usize] + usize::from((listed == Listed::English) & capitalised);
        let seen = if listed == Listed::No || digits || code {
            by_model
        } else {
            by_list
        };
        if has_letters(context, 1) { seen } else { NO_WORD }
    }
}

/// Whether a code-marking separator of `class`, followed by `next`, makes the word before it
/// code.
#[inline]
fn closes_code(class: u8, next: Option<u8>) -> bool {
    match class {
        MEMBER => next.is_some_and(|byte| byte.is_ascii_alphabetic()),
        SCHEME => next == Some(b'/'),
        HASHTAG => false,
        _ => true,
    }
}

/// What opens and closes a fenced code block in Markdown.
const FENCE: &str = "```";

/// Joiners inside a word do not split it.
fn is_joiner(ch: char) -> bool {
    matches!(ch, '\u{200C}' | '\u{200D}')
}

/// Capitalised Tamil-looking words are romanised Tamil when the lowercase words make the text
/// Tanglish (or there are no lowercase words to go by); otherwise they are names.
fn settle_names(tally: Tally) -> WordScripts {
    let Tally {
        mut words,
        lowercase_english,
        capitalised_tamil,
    } = tally;
    let lowercase = words.romanised + lowercase_english;
    let tanglish = lowercase == 0 || words.romanised as f64 >= NAMES_SHARE * lowercase as f64;
    if tanglish {
        words.romanised += capitalised_tamil;
    } else {
        words.names += capitalised_tamil;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(text: &str) -> Option<Verdict> {
        WordScripts::of(text).verdict()
    }

    #[test]
    fn tanglish_english_and_tamil_script_are_told_apart() {
        assert_eq!(
            verdict("Unga OTP yaarukkum share pannadheenga"),
            Some(Verdict::Tanglish)
        );
        assert_eq!(
            verdict("Naan veetla irukken, neenga eppo varuveenga nu sollunga"),
            Some(Verdict::Tanglish)
        );
        assert_eq!(
            verdict("Never share your OTP with anyone, not even bank staff."),
            Some(Verdict::English)
        );
        assert_eq!(
            verdict("ஒருமுறை கடவுச்சொல் என்பது வங்கி அனுப்பும் ஒரு எண்."),
            Some(Verdict::TamilScript)
        );
    }

    #[test]
    fn common_english_words_count_as_english_whatever_their_spelling() {
        let detector = Detector::embedded();
        // The model alone reads these as Tamil (`-ain`, `-ilar`, `-nel`).
        for word in ["again", "similar", "channel", "village"] {
            assert!(detector.score_word(word) > 0, "{word}");
        }
        let words = detector.count("again and again, similar village channel");
        assert_eq!((words.romanised, words.english), (0, 6), "{words:?}");
        assert_eq!(detector.count("Again").english, 1);
        assert_eq!(
            verdict("im watching it again & again & again & again"),
            Some(Verdict::English)
        );
        // Rarer English words that are Tamil words too stay the model's: `parka` is "paarka",
        // to see.
        assert_eq!(detector.count("padam parka poren").romanised, 3);
    }

    #[test]
    fn names_do_not_make_english_look_tamil() {
        for text in [
            "Chennai is the capital of Tamil Nadu.",
            "You need your Aadhaar card to open an account in Chennai.",
            "The Thirukkural was written by Thiruvalluvar and has 1330 couplets.",
            "Send the Aadhaar number on WhatsApp to Murugan and Lakshmi in Coimbatore.",
        ] {
            let words = WordScripts::of(text);
            assert_eq!(words.verdict(), Some(Verdict::English), "{text}: {words:?}");
        }
        // The same names in a Tanglish sentence count as Tamil.
        let words = WordScripts::of("Chennai la Aadhaar card vaanganum na enna pannanum?");
        assert_eq!(words.verdict(), Some(Verdict::Tanglish), "{words:?}");
        assert_eq!(words.names, 0);
    }

    #[test]
    fn lowercase_names_and_hashtags_do_not_make_english_look_tamil() {
        // Two Tamil-looking words among English ones, and no Tamil function word: a name or a
        // film title, typed in lowercase.
        for text in [
            "Agreed virat kohli looks",
            "Who is pavan kalyan?",
            "kiran kumar same here",
            "watch all #mohanlal #mammooka fans",
            "#naerkondapaarvai August 8 worldwide release #THALA",
        ] {
            let words = WordScripts::of(text);
            assert_ne!(words.verdict(), Some(Verdict::Tanglish), "{text}: {words:?}");
        }
        // A hashtag's word is not judged; a `#` after a word or before a space is not a tag.
        assert_eq!(WordScripts::of("#mammooka").unjudged, 1);
        assert_eq!(WordScripts::of("# Heading").english, 1);
        // The same few Tamil words with a function word among them are Tanglish.
        for text in ["Robo Shankar fans like ah thattunga", "6 hours la 1 m views da record"] {
            let words = WordScripts::of(text);
            assert!(words.tamil_function_words > 0, "{text}: {words:?}");
            assert_eq!(words.verdict(), Some(Verdict::Tanglish), "{text}: {words:?}");
        }
    }

    #[test]
    fn english_nouns_in_a_tamil_sentence_weigh_less_than_english_grammar() {
        // Three romanised words of eight Latin words: 38% plainly, Tanglish.
        let film_words = WordScripts::of("Bigil movie trailer fans mass semma padam irukku");
        assert_eq!(film_words.english_function_words, 0, "{film_words:?}");
        assert!(film_words.weighted_romanised_share() > film_words.romanised_share().unwrap());
        assert_eq!(film_words.verdict(), Some(Verdict::Tanglish), "{film_words:?}");
        // English function words weigh in full.
        let english = WordScripts::of("I was waiting for the semma padam in the theatre");
        assert!(english.english_function_words >= 5, "{english:?}");
        assert_eq!(english.verdict(), Some(Verdict::English), "{english:?}");
    }

    #[test]
    fn tamil_script_with_english_words_is_not_tanglish() {
        let words = WordScripts::of("இந்த app-ஐ download பண்ணி, உங்க account-ல login பண்ணுங்க.");
        assert_eq!(words.romanised, 0, "{words:?}");
        assert!(words.english >= 3, "{words:?}");
        assert_eq!(words.verdict(), Some(Verdict::Mixed));
        let mostly_tamil = WordScripts::of("சென்னை தமிழ்நாட்டின் தலைநகரம்; அது வங்காள விரிகுடாவின் கரையில் உள்ள ஒரு big city.");
        assert_eq!(mostly_tamil.verdict(), Some(Verdict::TamilScript));
    }

    #[test]
    fn short_texts_get_no_verdict() {
        for text in ["Hello!", "Seri", "ok da", "OTP 1234", "", "Chennai."] {
            assert_eq!(verdict(text), None, "{text}: {:?}", WordScripts::of(text));
        }
    }

    #[test]
    fn acronyms_digits_and_one_letter_words_are_not_judged() {
        let words = WordScripts::of("OTP UPI 4G r a x");
        assert_eq!(words.judged(), 0);
        assert_eq!(words.unjudged, 6);
    }

    #[test]
    fn listed_function_words_count_for_their_side_whatever_their_length_or_case() {
        // `I` and `u` are one letter, `IS` is all capitals: listed, they are judged English.
        let english = WordScripts::of("I am u IS");
        assert_eq!(
            (english.english, english.romanised, english.unjudged),
            (4, 0, 0),
            "{english:?}"
        );
        // `la`, `da` and `ah` look English to the model; listed, they are Tamil particles.
        let particles = WordScripts::of("padam la da ah");
        assert_eq!(particles.romanised, 4, "{particles:?}");
        // `than` is written in both languages: judged for neither.
        assert_eq!(WordScripts::of("than").unjudged, 1);
        // A listed word inside a longer one is the model's: `ennamo` is not the listed `enna`.
        let detector = Detector::embedded();
        let longer = WordScripts::of("ennamo");
        let by_model = detector.score_word("ennamo");
        assert_eq!(
            longer.romanised + longer.english,
            usize::from(by_model.abs() >= WORD_MARGIN)
        );
    }

    #[test]
    fn other_indian_languages_in_latin_letters_get_no_verdict() {
        // Hindi and Telugu look like Tanglish to a Tamil-against-English model; their function
        // words say otherwise.
        for text in [
            "yeh movie kab aayegi, trailer toh mast hai",
            "ee cinema enti ra, baga undi",
        ] {
            let words = WordScripts::of(text);
            assert!(words.other_language >= OTHER_LANGUAGE_WORDS, "{text}: {words:?}");
            assert_eq!(words.verdict(), None, "{text}: {words:?}");
        }
        // One such word in Tanglish does not hide it.
        let words = WordScripts::of("Trailer semma, padam kandippa hit aagum, ellarum paarunga");
        assert_eq!(words.verdict(), Some(Verdict::Tanglish), "{words:?}");
        let with_one = WordScripts::of("Trailer semma hai, padam kandippa hit aagum, ellarum paarunga");
        assert_eq!(with_one.other_language, 1);
        assert_eq!(with_one.verdict(), Some(Verdict::Tanglish), "{with_one:?}");
    }

    #[test]
    fn emphasis_past_two_letters_is_read_as_two() {
        for (emphatic, plain) in [("semmaaaaa", "semmaa"), ("Waitingggg", "Waitingg"), ("sooo", "soo")] {
            let (a, b) = (WordScripts::of(emphatic), WordScripts::of(plain));
            assert_eq!(a, b, "{emphatic} / {plain}");
        }
    }

    #[test]
    fn code_paths_and_urls_are_not_words() {
        // Found on English READMEs: Python and a URL read as Tanglish word by word. (Unfenced C,
        // `ret = vsnprintf(str, maxsize, format, ap);`, still can: short names like `ap` and
        // `ret` look Tamil, and nothing marks them as code.)
        for text in [
            ">>> yaml.load(stream, Loader=yaml.CLoader) >>> yaml.dump(data, Dumper=yaml.CDumper)",
            "See http://0pointer.de/cgi-bin/viewcvs.cgi/?root=avahi for the sources.",
        ] {
            let words = WordScripts::of(text);
            assert_ne!(words.verdict(), Some(Verdict::Tanglish), "{text}: {words:?}");
        }
        let fenced = WordScripts::of("Run this:\n```\nkanna = pannunga(vaanga)\n```\nand it prints the list of files.");
        assert_eq!(fenced.romanised, 0, "{fenced:?}");
        assert_eq!(fenced.verdict(), Some(Verdict::English));
        // A fenced block counts for nothing, even glued to the words around it, and one left
        // open runs to the end: the text counts as its prose parts read apart.
        let sum = |parts: &[&str]| {
            let mut words = WordScripts::default();
            for part in parts {
                words.add(&WordScripts::of(part));
            }
            words
        };
        let (before, code, after) = ("semma padam da", "let x = foo_bar(kanna)", "never share your otp");
        assert_eq!(
            WordScripts::of(&format!("{before}```{code}```{after}")),
            sum(&[before, after])
        );
        assert_eq!(
            WordScripts::of(&format!("{before} ```{code}``` {after} ``` {code}")),
            sum(&[before, after])
        );
        assert_eq!(
            WordScripts::of(&format!("{before}``{after}")).unjudged,
            2,
            "`` is no fence"
        );
        // Prose punctuation leaves words alone.
        let prose = WordScripts::of("Naan (veetla) irukken. Neenga eppo varuveenga?");
        assert_eq!(prose.unjudged, 0, "{prose:?}");
        assert_eq!(prose.verdict(), Some(Verdict::Tanglish));
    }

    #[test]
    fn other_scripts_are_counted_apart() {
        let words = WordScripts::of("नमस्ते दुनिया hello");
        assert_eq!(words.other_script, 2);
    }

    #[test]
    fn the_reader_scores_words_as_the_model_does() {
        let detector = Detector::embedded();
        for word in ["pannunga", "Password", "thalaivaaaaaa", "it's", "WhatsApp", "zh"] {
            let lone = WordScripts::of(word);
            let score = detector.model.score_word(word.replace('\'', "").as_bytes());
            let letters = word.bytes().filter(u8::is_ascii_alphabetic).count();
            if letters >= 2 && score.abs() >= WORD_MARGIN && !word.starts_with(|c: char| c.is_uppercase()) {
                assert_eq!(lone.romanised + lone.english, 1, "{word}");
                assert_eq!(lone.romanised == 1, score > 0, "{word}: {score}");
            }
        }
    }
}
