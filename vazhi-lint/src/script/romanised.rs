//! Romanised Tamil ("Tanglish": Tamil typed in Latin letters, "Unga OTP yaarukkum share
//! pannadheenga") told from English, word by word, and a verdict per text: Tamil script,
//! Tanglish, English, or Tamil script mixed with Latin words.
//!
//! Counting letters by script ([`ScriptCounts`](super::ScriptCounts)) cannot tell Tanglish from
//! English: both are Latin letters. The words can: Tamil's sound pattern (`-ngal`, `-kku`, `zh`,
//! `dh`, long vowels written twice, a vowel after nearly every consonant) is far from English
//! spelling. Each Latin word is scored by a character n-gram model ([`model`]) built from Tamil
//! text romanised the way people type it ([`super::transliterate`]) and from English text; a word
//! scoring clearly either way counts for that side, one in between counts for neither.
//!
//! Names are where a word model goes wrong: `Chennai`, `Aadhaar`, `Thirukkural` are Tamil words
//! in the middle of English sentences. So a capitalised word that looks Tamil counts as
//! romanised Tamil only when the text's lowercase words already say Tanglish (or it has none):
//! it can support a Tanglish verdict, never make English look Tamil. Words of two to four
//! capitals (`OTP`, `UPI`) are acronyms and are not judged; neither are words of one letter or
//! with digits in them.
//!
//! Code is not prose either: short identifiers (`ap`, `ret`, `vilai`) score like Tamil. Fenced
//! code blocks are skipped, and words that touch a character prose words do not (`va_start`,
//! `a/b`, `x=1`, `printf(`, `yaml.load`, `https:`) are not judged.
//!
//! How the model was built is in `tests/data/README.md` (the table of `rules/data`); how it was
//! evaluated and how fast it is, in `bench/romanised/README.md`.

pub mod model;

use model::{BASE, Model, TRIGRAMS};
use unicode_script::{Script, UnicodeScript};

/// A word is judged only when its score is at least this far from 0 (in the model's units, an
/// eighth of a nat): words like `la`, `to`, `na` that both languages have stay unjudged.
pub const WORD_MARGIN: i32 = 6;
/// Fewer judged words than this and a text gets no verdict: too short to judge.
pub const MIN_JUDGED_WORDS: usize = 3;
/// Of the Latin words judged, the romanised-Tamil share from which a text is Tanglish. Tanglish
/// carries many English words ("share", "movie", "waiting"); English has few words that look
/// Tamil, mostly names the capital rule above already leaves out. Chosen on the tuning half of the
/// labelled comments (bench/romanised): 0.35 lost 7 of 76 Tanglish turns there to gain one English.
pub const TANGLISH_SHARE: f64 = 0.3;
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
        Some(if script >= TAMIL_SCRIPT_SHARE {
            Verdict::TamilScript
        } else if script >= MIXED_SCRIPT_SHARE {
            Verdict::Mixed
        } else if self.romanised_share().unwrap_or(0.0) >= TANGLISH_SHARE {
            Verdict::Tanglish
        } else {
            Verdict::English
        })
    }

    /// The counts behind a verdict, for a message: "3 Tamil-script, 12 romanised-Tamil and 4
    /// English words".
    pub fn tally(&self) -> String {
        format!(
            "{} Tamil-script, {} romanised-Tamil and {} English words",
            self.tamil_script, self.romanised, self.english
        )
    }

    pub fn add(&mut self, other: &WordScripts) {
        self.tamil_script += other.tamil_script;
        self.romanised += other.romanised;
        self.english += other.english;
        self.names += other.names;
        self.unjudged += other.unjudged;
        self.other_script += other.other_script;
    }
}

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
                _ => SEPARATOR,
            }
        };
        byte += 1;
    }
    classes
};

/// The Latin word being read.
#[derive(Default)]
struct LatinWord {
    context: usize,
    score: i32,
    letters: u32,
    capitals: u32,
    capitalised: bool,
    digits: bool,
    last: usize,
    run: u32,
    /// Touches a character that prose words do not (`va_start`, `yaml.load`, `x=1`, `f(`):
    /// an identifier, a path or a URL, which are not words of either language.
    code: bool,
}

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
#[derive(Clone, Copy)]
pub struct Detector {
    model: Model,
}

impl Detector {
    pub fn embedded() -> Detector {
        Detector {
            model: Model::embedded(),
        }
    }

    pub fn new(model: Model) -> Detector {
        Detector { model }
    }

    /// The score of one Latin word (positive: romanised Tamil), as the reader computes it.
    pub fn score_word(&self, word: &str) -> i32 {
        self.model.score_word(word.as_bytes())
    }

    /// Counts the words of `text` outside fenced code blocks: code is not prose, whatever its
    /// words look like.
    pub fn count(&self, text: &str) -> WordScripts {
        let mut tally = Tally::default();
        let mut rest = text;
        // Most texts have no backtick at all; one quick search keeps fences out of the word loop.
        if memchr::memchr(b'`', text.as_bytes()).is_some() {
            while let Some(open) = rest.find(FENCE) {
                self.read(&rest[..open], &mut tally);
                let code = &rest[open + FENCE.len()..];
                rest = code.find(FENCE).map_or("", |close| &code[close + FENCE.len()..]);
            }
        }
        self.read(rest, &mut tally);
        settle_names(tally)
    }

    /// One pass over the bytes: Latin words are scored as they are read, without being copied or
    /// lowercased; Tamil-script words are counted on their lead bytes.
    fn read(&self, text: &str, tally: &mut Tally) {
        let bytes = text.as_bytes();
        let mut word = LatinWord::default();
        let mut in_tamil = false;
        let mut in_other = false;
        let mut at = 0;
        while at < bytes.len() {
            let byte = bytes[at];
            let class = CLASSES[usize::from(byte)];
            if class != SEPARATOR && class < APOSTROPHE {
                let symbol = usize::from(class & (UPPER - 1));
                at += 1;
                // Emphasis (`waitinggggg`): a letter counts at most twice in a row.
                if symbol == word.last {
                    word.run += 1;
                    if word.run > 2 {
                        continue;
                    }
                } else {
                    word.last = symbol;
                    word.run = 1;
                }
                let quad = word.context * BASE + symbol;
                word.score += self.model.gram_score(quad);
                word.context = quad % TRIGRAMS;
                let capital = class & UPPER != 0;
                if word.letters == 0 {
                    word.capitalised = capital;
                }
                word.letters += 1;
                word.capitals += u32::from(capital);
                in_tamil = false;
                in_other = false;
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
                    self.finish(&mut word, tally);
                    if byte == 0xE0 && matches!(bytes.get(at + 1), Some(0xAE | 0xAF)) {
                        tally.words.tamil_script += usize::from(!in_tamil);
                        in_tamil = true;
                        in_other = false;
                        at += 3;
                    } else {
                        let ch = text[at..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
                        if !matches!(ch.script(), Script::Common | Script::Inherited | Script::Unknown) {
                            tally.words.other_script += usize::from(!in_other);
                            in_other = true;
                            in_tamil = false;
                        } else if !is_joiner(ch) {
                            in_tamil = false;
                            in_other = false;
                        }
                        at += ch.len_utf8();
                    }
                }
                _ => {
                    let mut code_follows = false;
                    if class != SEPARATOR {
                        let after_word = word.letters > 0;
                        word.code |= after_word && closes_code(class, bytes.get(at + 1).copied());
                        code_follows = class == CODE_MARK || (class == MEMBER && after_word);
                    }
                    self.finish(&mut word, tally);
                    // The next word starts here, after this separator.
                    word.code = code_follows;
                    in_tamil = false;
                    in_other = false;
                    at += 1;
                }
            }
        }
        self.finish(&mut word, tally);
    }

    /// Judges the word just read and starts the next.
    #[inline]
    fn finish(&self, word: &mut LatinWord, tally: &mut Tally) {
        if word.letters == 0 {
            *word = LatinWord::default();
            return;
        }
        let LatinWord {
            context,
            score,
            letters,
            capitals,
            capitalised,
            digits,
            code,
            ..
        } = std::mem::take(word);
        let score = score + self.model.gram_score(context * BASE);
        let words = &mut tally.words;
        let acronym = capitals == letters && letters <= 4;
        if letters < 2 || digits || code || acronym || score.abs() < WORD_MARGIN {
            words.unjudged += 1;
        } else if score < 0 {
            words.english += 1;
            tally.lowercase_english += usize::from(!capitalised);
        } else if capitalised {
            tally.capitalised_tamil += 1;
        } else {
            words.romanised += 1;
        }
    }
}

/// Whether a code-marking separator of `class`, followed by `next`, makes the word before it
/// code.
#[inline]
fn closes_code(class: u8, next: Option<u8>) -> bool {
    match class {
        MEMBER => next.is_some_and(|byte| byte.is_ascii_alphabetic()),
        SCHEME => next == Some(b'/'),
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
    let tanglish = lowercase == 0 || words.romanised as f64 >= TANGLISH_SHARE * lowercase as f64;
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
        let words = WordScripts::of("OTP UPI 4G u r a");
        assert_eq!(words.judged(), 0);
        assert_eq!(words.unjudged, 6);
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
