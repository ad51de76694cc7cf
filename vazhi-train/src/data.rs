//! Training examples from clean shards: each conversation rendered with the chat template the
//! linter counted with, tokenized with the model's own tokenizer, and labelled so that only the
//! assistant turns' tokens and their closing `<|im_end|>` carry loss.
//!
//! The only way in is a [`CleanShard`]: a file nobody linted cannot become a batch.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokenizers::Tokenizer;
use vazhi_lint::Settings;
use vazhi_lint::conversation::Message;
use vazhi_lint::gate::{CleanShard, GateError};
use vazhi_lint::tokens::ChatTemplate;

/// One training sequence: token ids and which of them are targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub ids: Vec<u32>,
    /// `labelled[i]`: token `i` is an assistant token the model is trained to produce.
    pub labelled: Vec<bool>,
}

impl Example {
    pub fn targets(&self) -> usize {
        self.labelled.iter().filter(|&&l| l).count()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Gate(#[from] GateError),
    #[error("{path}: {message}")]
    Record { path: String, message: String },
    #[error("{path}: cannot load the tokenizer: {message}")]
    Tokenizer { path: PathBuf, message: String },
}

/// Renders and tokenizes conversations the way the linter's token rules do.
pub struct Encoder {
    tokenizer: Tokenizer,
    template: Arc<ChatTemplate>,
    max_seq_len: usize,
}

/// What became of the records of a run's shards.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DataSummary {
    pub shards: usize,
    pub records: usize,
    pub examples: usize,
    pub tokens: usize,
    pub target_tokens: usize,
    /// Examples cut at `max_seq_len` (the linter's truncated-response warning).
    pub truncated: usize,
    /// Records with no target token inside the window, left out (they would train nothing).
    pub without_targets: usize,
}

impl Encoder {
    pub fn new(tokenizer: Tokenizer, template: Arc<ChatTemplate>, max_seq_len: usize) -> Self {
        Encoder {
            tokenizer,
            template,
            max_seq_len,
        }
    }

    pub fn load(path: &Path, template: Arc<ChatTemplate>, max_seq_len: usize) -> Result<Self, DataError> {
        let tokenizer = Tokenizer::from_file(path).map_err(|err| DataError::Tokenizer {
            path: path.to_owned(),
            message: err.to_string(),
        })?;
        Ok(Self::new(tokenizer, template, max_seq_len))
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    pub fn template(&self) -> &ChatTemplate {
        &self.template
    }

    pub fn max_seq_len(&self) -> usize {
        self.max_seq_len
    }

    /// Renders, tokenizes and labels one conversation; `Ok((example, truncated))`. A token is
    /// a target when it starts inside an assistant span (content plus closing marker), so a
    /// token straddling the span's start — prompt text fused with the response — is not.
    pub fn encode<S: AsRef<str>>(&self, turns: &[Message<S>]) -> Result<(Example, bool), String> {
        let rendered = self.template.render(turns).map_err(|err| err.to_string())?;
        let encoding = self
            .tokenizer
            .encode(rendered.text.as_str(), false)
            .map_err(|err| err.to_string())?;
        let mut ids = encoding.get_ids().to_vec();
        let mut labelled: Vec<bool> = encoding
            .get_offsets()
            .iter()
            .map(|&(start, _)| rendered.assistant_spans.iter().any(|span| span.contains(&start)))
            .collect();
        let truncated = ids.len() > self.max_seq_len;
        ids.truncate(self.max_seq_len);
        labelled.truncate(self.max_seq_len);
        Ok((Example { ids, labelled }, truncated))
    }

    /// The token ids of a prompt for generation (`add_generation_prompt`).
    pub fn encode_prompt<S: AsRef<str>>(&self, turns: &[Message<S>]) -> Result<Vec<u32>, String> {
        let text = self
            .template
            .render_generation_prompt(turns)
            .map_err(|err| err.to_string())?;
        let encoding = self
            .tokenizer
            .encode(text.as_str(), false)
            .map_err(|err| err.to_string())?;
        Ok(encoding.get_ids().to_vec())
    }
}

/// Examples from admitted shards. Raw-text records are refused: this is supervised fine-tuning
/// of conversations, and a raw record mixed into an SFT set is what taught VAZHI v3.1 to say
/// "systemsystemsystem…".
pub fn load_examples(
    shards: &[CleanShard],
    settings: &Settings,
    encoder: &Encoder,
) -> Result<(Vec<Example>, DataSummary), DataError> {
    let mut summary = DataSummary {
        shards: shards.len(),
        ..DataSummary::default()
    };
    let mut examples = Vec::new();
    for shard in shards {
        let conversations = shard.conversations(settings)?;
        for conversation in &conversations {
            summary.records += 1;
            let at = || conversation.position.describe(shard.path(), Path::new(""));
            if !conversation.format.is_chat() {
                return Err(DataError::Record {
                    path: at(),
                    message: format!(
                        "a {} record; vazhi-train fine-tunes conversations (messages, ChatML, ShareGPT, Alpaca, prompt/completion)",
                        conversation.format.name()
                    ),
                });
            }
            let (example, truncated) = encoder
                .encode(&conversation.messages)
                .map_err(|message| DataError::Record { path: at(), message })?;
            summary.truncated += usize::from(truncated);
            if example.targets() == 0 {
                summary.without_targets += 1;
                continue;
            }
            summary.tokens += example.ids.len();
            summary.target_tokens += example.targets();
            examples.push(example);
        }
    }
    summary.examples = examples.len();
    Ok((examples, summary))
}

/// A padded batch for next-token prediction: position `t` predicts token `t + 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub batch: usize,
    pub seq: usize,
    /// `[batch, seq]` input ids (right-padded).
    pub inputs: Vec<i64>,
    /// `[batch, seq]` next-token ids.
    pub targets: Vec<i64>,
    /// `[batch, seq]` 1 where the next token is a target, else 0 (prompt, padding).
    pub weights: Vec<f32>,
    /// Positions holding a real token (not padding): what tokens/s counts.
    pub tokens: usize,
}

impl Batch {
    /// Pads to the longest example rounded up to a multiple of `pad_to` (at most `cap`
    /// positions). Why round: on a JIT backend (CUDA) every new sequence length compiles and
    /// tunes a new set of kernels; a few buckets bound that, at the cost of some padding.
    pub fn of(examples: &[&Example], pad_id: u32, pad_to: usize, cap: usize) -> Batch {
        let longest = examples
            .iter()
            .map(|e| e.ids.len().saturating_sub(1))
            .max()
            .unwrap_or(0)
            .max(1);
        let seq = longest.next_multiple_of(pad_to.max(1)).min(cap.max(longest));
        let mut batch = Batch {
            batch: examples.len(),
            seq,
            inputs: Vec::with_capacity(examples.len() * seq),
            targets: Vec::with_capacity(examples.len() * seq),
            weights: Vec::with_capacity(examples.len() * seq),
            tokens: examples.iter().map(|e| e.ids.len().saturating_sub(1)).sum(),
        };
        for example in examples {
            for t in 0..seq {
                let input = example.ids.get(t).copied();
                let target = example.ids.get(t + 1).copied();
                batch.inputs.push(i64::from(input.unwrap_or(pad_id)));
                batch.targets.push(i64::from(target.unwrap_or(pad_id)));
                let weight = target.is_some() && example.labelled[t + 1];
                batch.weights.push(if weight { 1.0 } else { 0.0 });
            }
        }
        batch
    }

    pub fn target_tokens(&self) -> usize {
        self.weights.iter().filter(|&&w| w > 0.0).count()
    }

    /// The labelled positions, as indices into the flattened `[batch * seq]` grid, and the
    /// token each must predict: the only rows the loss needs logits for. The list is padded with
    /// weight-0 rows to a multiple of `pad_to`, for the reason [`Batch::of`] pads lengths: the
    /// number of labelled tokens changes every batch, and each new count would be a new matmul
    /// shape for a JIT backend to compile.
    pub fn labelled(&self, pad_to: usize) -> LabelledRows {
        let mut rows = LabelledRows::default();
        for (position, (&weight, &target)) in self.weights.iter().zip(&self.targets).enumerate() {
            if weight > 0.0 {
                rows.positions.push(position as i64);
                rows.labels.push(target);
                rows.weights.push(weight);
            }
        }
        if !rows.positions.is_empty() {
            let padded = rows.positions.len().next_multiple_of(pad_to.max(1));
            rows.positions.resize(padded, 0);
            rows.labels.resize(padded, 0);
            rows.weights.resize(padded, 0.0);
        }
        rows
    }
}

/// The rows of a batch that carry a label (see [`Batch::labelled`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelledRows {
    pub positions: Vec<i64>,
    pub labels: Vec<i64>,
    /// 1 for a labelled row, 0 for padding.
    pub weights: Vec<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_shifts_and_pads() {
        let a = Example {
            ids: vec![1, 2, 3, 4],
            labelled: vec![false, false, true, true],
        };
        let b = Example {
            ids: vec![5, 6],
            labelled: vec![false, true],
        };
        let batch = Batch::of(&[&a, &b], 0, 1, 8);
        assert_eq!((batch.batch, batch.seq), (2, 3));
        assert_eq!(batch.inputs, vec![1, 2, 3, 5, 6, 0]);
        assert_eq!(batch.targets, vec![2, 3, 4, 6, 0, 0]);
        assert_eq!(batch.weights, vec![0.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
        assert_eq!(batch.target_tokens(), 3);
        let rows = batch.labelled(1);
        assert_eq!((rows.positions, rows.labels), (vec![1, 2, 3], vec![3, 4, 6]));
        let rows = batch.labelled(4);
        assert_eq!(rows.positions, vec![1, 2, 3, 0]);
        assert_eq!(rows.weights, vec![1.0, 1.0, 1.0, 0.0]);
        assert_eq!(batch.tokens, 4);
    }

    #[test]
    fn lengths_round_up_to_buckets_within_the_window() {
        let example = Example {
            ids: vec![7; 11],
            labelled: vec![true; 11],
        };
        assert_eq!(Batch::of(&[&example], 0, 8, 64).seq, 16);
        assert_eq!(Batch::of(&[&example], 0, 8, 12).seq, 12, "never past the window");
        let padded = Batch::of(&[&example], 0, 8, 64);
        assert_eq!(padded.target_tokens(), 10, "padding carries no loss");
    }
}
