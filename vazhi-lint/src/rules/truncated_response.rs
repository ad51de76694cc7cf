use crate::declare_rule;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::tokens::{Fit, TokenSettings};

declare_rule! {
    /// ## What it does
    /// Counts each chat record's tokens as `over-long-prompt` does and warns when the prompt fits
    /// but prompt and response together exceed `--max-seq-len`: the end of the response, and its
    /// closing `<|im_end|>`, are cut. The message says how many response tokens survive.
    ///
    /// Runs only when both a tokenizer and a window are configured.
    ///
    /// ## Why is this bad?
    /// The model trains on answers that stop mid-sentence and never sees the end-of-turn token for
    /// them, so it learns neither the ending nor to stop. Tamil is expensive in tokens: Qwen spends
    /// about 1.3 tokens per Tamil letter, so a 1024-token window holds only about 100 Tamil words.
    ///
    /// ## Example
    /// A 400-token prompt and a 900-token Tamil answer with `--max-seq-len 1024`:
    /// `VZ302 truncated-response: prompt and response are 1300 tokens, over the window of 1024: 624 of 900 response tokens survive`.
    ///
    /// ## Options
    /// The token settings of `over-long-prompt`.
    pub static TRUNCATED_RESPONSE = {
        code: "VZ302",
        name: "truncated-response",
        severity: Warning,
        scope: Record,
        summary: "Prompt and response exceed the token window, so the response is cut",
    };
}

pub struct TruncatedResponse(pub TokenSettings);

impl RecordRule for TruncatedResponse {
    fn meta(&self) -> &'static RuleMeta {
        &TRUNCATED_RESPONSE
    }

    fn check(&self, record: &Record<'_>, facts: &Facts, out: &mut Vec<Finding>) {
        let Some(Ok(verdict)) = facts.token_verdict(record, &self.0) else {
            return;
        };
        if verdict.fit != Fit::ResponseTruncated {
            return;
        }
        let max = self.0.max_seq_len;
        let message = match (
            verdict.total_tokens,
            verdict.tokens_before_response,
            verdict.response_tokens_kept,
        ) {
            (Some(total), Some(before), Some(kept)) => format!(
                "prompt and response are {total} tokens, over the window of {max}: {kept} of {} response tokens survive",
                total - before
            ),
            _ => format!("prompt and response exceed the window of {max} tokens: the response is cut"),
        };
        let mut finding = Finding::record(&TRUNCATED_RESPONSE, record, message)
            .help("shorten the answer, split the conversation, or raise max-seq-len");
        if let Some(segment) = record.targets().next() {
            let len = segment.text().len();
            finding = finding.in_segment(&segment, 0..len).label("cut at the window's end");
        }
        out.push(finding);
    }
}
