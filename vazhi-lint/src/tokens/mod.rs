//! Token-level checks with the real tokenizer: does each sample's response survive
//! `max_seq_length`, and is the tokenizer itself sound.
//!
//! Why: in VAZHI v3.5, 20–30% of the SFT samples had their assistant turn past
//! `max_seq_length`; the completion-only collator found no response template and silently
//! trained on nothing. In v0.7 a tokenizer with vocabulary holes made the finished model
//! unconvertible to GGUF, and `pad == eos` made models never learn to stop. All of it is
//! checkable before training, exactly, with the tokenizer the run will use.
//!
//! - [`template`]: render a conversation as training will (built-in ChatML, or a Hugging Face
//!   Jinja chat template) and find the byte spans of its responses.
//! - [`count`]: [`TokenCounter`], exact token counts (`== Tokenizer::encode(text,
//!   false).len()`), with a count-only fast path for byte-level BPE and byte bounds that settle
//!   most samples without counting; [`TokenCounter::prompt_fits`] gives the truncation verdict.
//! - [`bpe`]: the tokenizer.json model as data and the count-only byte-level BPE.
//! - [`audit`](mod@audit): `cargo vazhi tokenizer FILE`, the tokenizer's own lint.
//! - [`stats`]: `token-stats`, the per-dataset token figures of `--statistics`.
//!
//! Counting runs about ten times faster than `Tokenizer::encode` with identical counts and
//! verdicts (figures: bench/README.md, "Components"). Qwen spends 1.27 tokens per Tamil code
//! point and 9.7 per Tamil word on the kurals (1.28 with each kural's line break kept).

pub mod audit;
pub mod bpe;
pub mod count;
pub mod settings;
pub mod stats;
pub mod template;

pub use audit::{
    AuditError, Comparison, Fertility, TokenizerIssue, TokenizerReport, audit, compare, fertility, locate,
};
pub use count::{CountEngine, CountError, Fit, TokenCounter, Verdict};
pub use settings::{TokenEngine, TokenSettings};
pub use stats::{Histogram, TokenStatistics, TokenStats};
pub use template::{ChatTemplate, Rendered, TemplateError};

#[cfg(test)]
mod tests {
    /// The engine shares one counter and one template across rayon workers.
    #[test]
    fn counter_and_template_are_shareable_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<super::TokenCounter>();
        shareable::<super::ChatTemplate>();
    }
}
