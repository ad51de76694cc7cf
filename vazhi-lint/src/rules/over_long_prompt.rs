use crate::declare_rule;
use crate::finding::Finding;
use crate::record::{Record, Role};
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::tokens::{Fit, TokenSettings};

declare_rule! {
    /// ## What it does
    /// Renders each chat record with the chat template training will use (`--chat-template`, or
    /// ChatML as Qwen uses it: `<|im_start|>{role}\n{content}<|im_end|>\n` per turn, nothing
    /// injected), counts its tokens with the model's own tokenizer (`--tokenizer`), and reports a
    /// record whose tokens before the first assistant content reach `--max-seq-len`: no response
    /// token fits in the window. Counts are exact — equal to what the `tokenizers` library gives on
    /// the rendered string — and a byte bound settles most records without counting (a byte-level
    /// BPE makes at most one token per byte). A record whose template fails to render is reported
    /// too, with the template's error.
    ///
    /// Runs only when both a tokenizer and a window are configured.
    ///
    /// ## Why is this bad?
    /// Right truncation cuts the response off entirely, the completion-only collator finds no
    /// response template and the sample trains on nothing, while the loss curve looks healthy. In
    /// VAZHI v3.5, 20–30% of the samples had their assistant turn past `max_seq_length`.
    ///
    /// ## Example
    /// A system prompt and a long Tamil passage to summarise that together take 1,310 tokens, with
    /// `--max-seq-len 1024`:
    /// `VZ301 over-long-prompt: the prompt is 1310 tokens, 286 over the window of 1024: no response token fits`.
    ///
    /// ## Options
    /// ```toml
    /// tokenizer = "models/qwen3/tokenizer.json"
    /// max-seq-len = 1024
    /// chat-template = "models/qwen3/tokenizer_config.json"   # optional
    /// token-engine = "encode"   # optional: Tokenizer::encode for every sample, no byte bound (slower, same verdicts)
    /// ```
    ///
    /// With `--statistics`, every record is counted exactly (the statistics need the counts), so the
    /// byte bound settles nothing; the findings are the same.
    pub static OVER_LONG_PROMPT = {
        code: "VZ301",
        name: "over-long-prompt",
        severity: Error,
        scope: Record,
        summary: "The prompt fills the token window, so no response token is trained",
    };
}

pub struct OverLongPrompt(pub TokenSettings);

impl RecordRule for OverLongPrompt {
    fn meta(&self) -> &'static RuleMeta {
        &OVER_LONG_PROMPT
    }

    fn check(&self, record: &Record<'_>, facts: &Facts, out: &mut Vec<Finding>) {
        let Some(verdict) = facts.token_verdict(record, &self.0) else {
            return;
        };
        let verdict = match verdict {
            Ok(verdict) => verdict,
            Err(error) => {
                out.push(Finding::record(
                    &OVER_LONG_PROMPT,
                    record,
                    format!("cannot render the record with the chat template: {error}"),
                ));
                return;
            }
        };
        if verdict.fit != Fit::ResponseLost {
            return;
        }
        let max = self.0.max_seq_len;
        let message = match verdict.tokens_before_response {
            Some(prompt) if prompt > max => {
                format!(
                    "the prompt is {prompt} tokens, {} over the window of {max}: no response token fits",
                    prompt - max
                )
            }
            Some(prompt) => {
                format!("the prompt is {prompt} tokens and fills the window of {max}: no response token fits")
            }
            None => format!("the prompt fills the window of {max} tokens: no response token fits"),
        };
        let mut finding = Finding::record(&OVER_LONG_PROMPT, record, message)
            .help("shorten the prompt, raise max-seq-len, or drop the record: it trains nothing");
        // Underline the longest prompt turn: that is what to cut.
        let longest = record
            .turns
            .iter()
            .filter(|turn| turn.role != Role::Assistant)
            .max_by_key(|turn| turn.content.len());
        if let Some(turn) = longest {
            finding = finding
                .at(&record.fields[turn.field], turn.content.clone())
                .label("the longest part of the prompt");
        }
        out.push(finding);
    }
}
