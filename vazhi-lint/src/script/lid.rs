//! A language-ID model that decides what Latin-letter text is, in place of the built-in word
//! model: `lid-model = "models/glotlid.bin"` in vazhi.toml, or `--lid-model`.
//!
//! The built-in detector ([`super::romanised`]) tells romanised Tamil from English, and knows a
//! few Hindi and Telugu function words; romanised Malayalam or Kannada read to it much like
//! Tanglish. A fastText model such as GlotLID (which has `tam_Latn`, `mal_Latn`, `kan_Latn`,
//! `hin_Latn`, `eng_Latn`, ...) knows them apart, at the cost of a large file and a slower call.
//! So the model is asked only what the built-in detector found to be Latin text (fewer than 30%
//! of its judged words in Tamil script): Tamil script and the mixed verdict stay with the letter
//! counts, which a model would not improve, and a text too short for the built-in detector to
//! judge stays unjudged.
//!
//! The model's best label decides: a Tamil label (`tam_Latn`, `tam_Taml`, or lid.176's `ta`) makes
//! the text Tanglish, an English one (`eng_Latn`, `en`) English, any other language none of the
//! three. A model with no Tamil or no English label is refused when it is loaded.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::fasttext::FastText;
use super::romanised::{MIN_JUDGED_WORDS, MIXED_SCRIPT_SHARE, OTHER_LANGUAGE_WORDS, Verdict, WordScripts};

/// A fastText language-ID model, shared by every rule and thread of a run.
#[derive(Clone)]
pub struct LidModel {
    path: PathBuf,
    model: Arc<FastText>,
}

impl std::fmt::Debug for LidModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LidModel")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The language a label names, as far as the verdicts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Called {
    Tamil,
    English,
    Other,
}

impl Called {
    /// The language of a fastText label: `tam_Latn` (GlotLID: ISO 639-3 and script) or `ta`
    /// (lid.176: ISO 639-1).
    pub fn of(label: &str) -> Called {
        match label.split('_').next().unwrap_or(label) {
            "tam" | "ta" => Called::Tamil,
            "eng" | "en" => Called::English,
            _ => Called::Other,
        }
    }
}

/// What the model said about a text.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCall {
    /// Its best label, without fastText's `__label__`.
    pub label: Box<str>,
    pub probability: f32,
    pub language: Called,
}

impl ModelCall {
    /// For a message: "`eng_Latn` at 0.98 by the language-ID model".
    pub fn describe(&self) -> String {
        format!("`{}` at {:.2} by the language-ID model", self.label, self.probability)
    }
}

impl LidModel {
    /// Reads a fastText `.bin` model; an error names the file.
    pub fn load(path: &Path) -> Result<LidModel, String> {
        let model = FastText::load(path)?;
        for (language, wanted) in [
            (Called::Tamil, "`tam_Latn` or `ta`"),
            (Called::English, "`eng_Latn` or `en`"),
        ] {
            if !model.labels().any(|label| Called::of(label) == language) {
                return Err(format!(
                    "{}: the language-ID model has no {wanted} label, so it cannot tell Tanglish from English",
                    path.display()
                ));
            }
        }
        Ok(LidModel {
            path: path.to_owned(),
            model: Arc::new(model),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The model's best label for `text`; `None` when the model has nothing to go on (no word
    /// and no n-gram it knows).
    pub fn call(&self, text: &str) -> Option<ModelCall> {
        let best = self.model.predict(text, 1).into_iter().next()?;
        Some(ModelCall {
            label: best.label.into(),
            probability: best.probability,
            language: Called::of(best.label),
        })
    }
}

/// A text's verdict and what it was taken on: its words, and for Latin text the model's call
/// where a model is loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct TextVerdict {
    pub words: WordScripts,
    pub verdict: Option<Verdict>,
    /// Set when a model judged the text.
    pub model: Option<ModelCall>,
}

impl TextVerdict {
    /// Judges a text from its `words` and, where it is Latin text and `model` is given, from the
    /// model (`text` is asked for only then).
    pub fn judge<'t>(
        words: WordScripts,
        model: Option<&LidModel>,
        text: impl FnOnce() -> std::borrow::Cow<'t, str>,
    ) -> TextVerdict {
        let verdict = words.verdict();
        let latin = match verdict {
            Some(Verdict::Tanglish | Verdict::English) => true,
            // Unjudged for another language's words, not for being too short.
            None => words.judged() >= MIN_JUDGED_WORDS && words.share(words.tamil_script) < MIXED_SCRIPT_SHARE,
            Some(Verdict::TamilScript | Verdict::Mixed) => false,
        };
        let call = model.filter(|_| latin).and_then(|model| model.call(&text()));
        match call {
            Some(call) => TextVerdict {
                words,
                verdict: match call.language {
                    Called::Tamil => Some(Verdict::Tanglish),
                    Called::English => Some(Verdict::English),
                    Called::Other => None,
                },
                model: Some(call),
            },
            None => TextVerdict {
                words,
                verdict,
                model: None,
            },
        }
    }

    /// When the text is in another language than Tamil and English: what says so, for a
    /// message ("`mal_Latn` at 0.91 by the language-ID model", "3 Hindi or Telugu function words").
    pub fn other_language(&self) -> Option<String> {
        match &self.model {
            Some(call) if call.language == Called::Other => Some(call.describe()),
            Some(_) => None,
            None if self.verdict.is_none() && self.words.other_language >= OTHER_LANGUAGE_WORDS => {
                Some(format!("{} Hindi or Telugu function words", self.words.other_language))
            }
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_their_language_in_either_convention() {
        assert_eq!(Called::of("tam_Latn"), Called::Tamil);
        assert_eq!(Called::of("tam_Taml"), Called::Tamil);
        assert_eq!(Called::of("ta"), Called::Tamil);
        assert_eq!(Called::of("eng_Latn"), Called::English);
        assert_eq!(Called::of("en"), Called::English);
        assert_eq!(Called::of("mal_Latn"), Called::Other);
        // Telugu, and Tatar, whose codes start alike.
        assert_eq!(Called::of("te"), Called::Other);
        assert_eq!(Called::of("tat_Cyrl"), Called::Other);
    }
}
