//! The Qwen tokenizer and the kurals rendered as ChatML samples, for the tests and the
//! `token_throughput` report (`calibration`).

use std::path::Path;
use std::sync::OnceLock;

use super::TokenCounter;
use crate::conversation::Message;
use crate::test_data;
use crate::tokens::template::{ChatTemplate, Rendered};

/// The Qwen2/2.5/3 tokenizer of tests/data, loaded once.
pub(super) fn qwen() -> &'static TokenCounter {
    static COUNTER: OnceLock<TokenCounter> = OnceLock::new();
    COUNTER.get_or_init(|| {
        TokenCounter::from_file(Path::new(test_data::QWEN_TOKENIZER)).expect("the Qwen tokenizer loads")
    })
}

/// The token count by `Tokenizer::encode`, the reference every fast count must equal.
pub(super) fn encode_len(counter: &TokenCounter, text: &str) -> usize {
    counter.tokenizer().encode(text, false).expect("encodes").len()
}

/// Every text field of the kurals, in file order.
pub(super) fn kural_fields() -> Vec<Vec<String>> {
    test_data::kurals()
        .iter()
        .map(|kural| {
            [
                "tamil",
                "transliteration",
                "english",
                "english_explanation",
                "meaning_varadarasanar",
                "meaning_solomon_pappaiah",
            ]
            .iter()
            .map(|f| kural[f].as_str().unwrap_or_default().to_owned())
            .collect()
        })
        .collect()
}

/// Three ChatML samples per kural: a Tamil question with a system prompt, an English one, a
/// second Tamil commentary.
pub(super) fn rendered_samples(kurals: &[Vec<String>]) -> Vec<Rendered> {
    let mut samples = Vec::new();
    for (n, k) in kurals.iter().enumerate() {
        let tamil_question = format!("குறள் {}:\n{}\nஇதன் பொருள் என்ன?", n + 1, k[0]);
        let english_question = format!("Explain this kural in English:\n{}", k[0]);
        let english_answer = format!("{}\n\n{}", k[2], k[3]);
        let solomon_question = format!("{}\nசாலமன் பாப்பையா உரை தருக.", k[0]);
        let conversations = [
            vec![
                Message {
                    role: "system",
                    content: "நீ ஒரு தமிழ் இலக்கிய உதவியாளர்.",
                },
                Message {
                    role: "user",
                    content: &tamil_question,
                },
                Message {
                    role: "assistant",
                    content: &k[4],
                },
            ],
            vec![
                Message {
                    role: "user",
                    content: &english_question,
                },
                Message {
                    role: "assistant",
                    content: &english_answer,
                },
            ],
            vec![
                Message {
                    role: "user",
                    content: &solomon_question,
                },
                Message {
                    role: "assistant",
                    content: &k[5],
                },
            ],
        ];
        for turns in conversations {
            samples.push(ChatTemplate::ChatMl.render(&turns).expect("ChatML renders"));
        }
    }
    samples
}

/// `(tokens before the first response, all tokens)` from `Tokenizer::encode` offsets alone:
/// the reference the verdicts are checked against.
pub(super) fn reference_counts(counter: &TokenCounter, rendered: &Rendered) -> (usize, usize) {
    let encoding = counter
        .tokenizer()
        .encode(rendered.text.as_str(), false)
        .expect("encodes");
    (super::tokens_before(&encoding, rendered.prompt_end), encoding.len())
}
