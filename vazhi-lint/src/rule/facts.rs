//! Facts about a record that several rules need (script counts, words by script, the token
//! verdict), computed once per record on first use and shared by the rules that ask.

use smallvec::SmallVec;

use crate::record::{INLINE_TURNS, Record};
use crate::script::lid::{LidModel, TextVerdict};
use crate::script::romanised::WordScripts;
use crate::script::{ByteNfc, ScriptCounts, byte_nfc};
use crate::tokens::count::Verdict;
use crate::tokens::settings::TokenSettings;

/// Facts about a record that several rules need, computed once per record on first use.
#[derive(Default)]
pub struct Facts {
    target_scripts: std::sync::OnceLock<SmallVec<[ScriptCounts; INLINE_TURNS]>>,
    turn_nfc: std::sync::OnceLock<SmallVec<[ByteNfc; INLINE_TURNS]>>,
    target_words: std::sync::OnceLock<SmallVec<[WordScripts; INLINE_TURNS]>>,
    target_verdicts: std::sync::OnceLock<SmallVec<[TextVerdict; INLINE_TURNS]>>,
    targets_verdict: std::sync::OnceLock<TextVerdict>,
    token_verdict: std::sync::OnceLock<Option<Result<Verdict, String>>>,
    /// Count every sample's tokens exactly instead of letting the byte bound settle short ones.
    every_token: bool,
    /// With `every_token`: whether the byte bound would have settled the sample.
    bound_would_settle: std::sync::OnceLock<bool>,
}

impl Facts {
    /// Facts for a run that collects token statistics. Statistics need each sample's exact
    /// counts, and the byte bound proves only that a sample fits, not how many tokens it has,
    /// so here [`token_verdict`](Self::token_verdict) counts every sample (the verdicts are the
    /// same) and notes whether the bound would have settled it.
    pub fn counting_every_token() -> Facts {
        Facts {
            every_token: true,
            ..Facts::default()
        }
    }

    /// Whether the byte bound alone would have settled the record's verdict; known only after
    /// [`token_verdict`](Self::token_verdict) on facts from
    /// [`counting_every_token`](Self::counting_every_token).
    pub fn bound_would_settle(&self) -> Option<bool> {
        self.bound_would_settle.get().copied()
    }
}

impl Facts {
    /// Script counts of each training target, in [`Record::targets`] order.
    pub fn target_scripts(&self, record: &Record<'_>) -> &[ScriptCounts] {
        self.target_scripts.get_or_init(|| {
            record
                .targets()
                .map(|segment| ScriptCounts::of(segment.text()))
                .collect()
        })
    }

    /// What each turn's bytes tell of its NFC form ([`byte_nfc`]), in [`Record::turns`] order:
    /// the not-NFC rule and the duplicate rule's normalisation both start from it.
    pub(crate) fn turn_nfc(&self, record: &Record<'_>) -> &[ByteNfc] {
        self.turn_nfc.get_or_init(|| {
            record
                .turns
                .iter()
                .map(|turn| byte_nfc(record.turn_text(turn)))
                .collect()
        })
    }

    /// The words of each training target by script (Tamil script, romanised Tamil, English), in
    /// [`Record::targets`] order. Rules ask for them only when they need the verdict, so most
    /// records never pay for the word reader.
    pub fn target_words(&self, record: &Record<'_>) -> &[WordScripts] {
        self.target_words.get_or_init(|| {
            record
                .targets()
                .map(|segment| WordScripts::of(segment.text()))
                .collect()
        })
    }

    /// The words of all training targets together.
    pub fn all_target_words(&self, record: &Record<'_>) -> WordScripts {
        let mut total = WordScripts::default();
        for words in self.target_words(record) {
            total.add(words);
        }
        total
    }

    /// What each training target is written in, in [`Record::targets`] order: from its words,
    /// and for Latin text from `model` where one is loaded. Every rule of a run passes the same
    /// model, so the first call's verdicts serve them all.
    pub fn target_verdicts(&self, record: &Record<'_>, model: Option<&LidModel>) -> &[TextVerdict] {
        self.target_verdicts.get_or_init(|| {
            record
                .targets()
                .zip(self.target_words(record))
                .map(|(segment, &words)| TextVerdict::judge(words, model, || segment.text().into()))
                .collect()
        })
    }

    /// What the training targets together are written in; the model, where one is loaded, reads
    /// them joined by a space. A record with one target (most chat records) gets that target's
    /// verdict, so the model reads its text once for the rules that judge turns and those that
    /// judge records.
    pub fn targets_verdict(&self, record: &Record<'_>, model: Option<&LidModel>) -> &TextVerdict {
        if self.target_words(record).len() == 1 {
            return &self.target_verdicts(record, model)[0];
        }
        self.targets_verdict.get_or_init(|| {
            TextVerdict::judge(self.all_target_words(record), model, || {
                let texts: Vec<&str> = record.targets().map(|segment| segment.text()).collect();
                texts.join(" ").into()
            })
        })
    }
}

impl Facts {
    /// Whether a chat record's response survives the token window (`None` for raw text, which
    /// has no response). Rendered and counted once, for both token rules.
    pub fn token_verdict(&self, record: &Record<'_>, tokens: &TokenSettings) -> Option<&Result<Verdict, String>> {
        self.token_verdict
            .get_or_init(|| {
                if !record.format.is_chat() {
                    return None;
                }
                let turns = crate::conversation::messages(record);
                let verdict = tokens
                    .template
                    .render(&turns)
                    .map_err(|err| err.to_string())
                    .and_then(|rendered| {
                        let counter = &tokens.counter;
                        let verdict = if self.every_token {
                            let settles = counter.bound_settles(&rendered, tokens.max_seq_len);
                            let _ = self.bound_would_settle.set(settles);
                            counter.prompt_counts(&rendered, tokens.max_seq_len)
                        } else {
                            counter.prompt_fits(&rendered, tokens.max_seq_len)
                        };
                        verdict.map_err(|err| err.to_string())
                    });
                Some(verdict)
            })
            .as_ref()
    }
}
