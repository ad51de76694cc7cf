//! Evaluation by output quality, not loss: greedy answers to a prompt file, then the linter's
//! response rules on the answers — Tamil share, foreign script, `<think>` and template-marker
//! leaks, repetition — with a summary table. The VAZHI log's lesson: a falling loss said nothing
//! about answers that were English, looped, or leaked `<think>`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use serde_json::json;
use vazhi_lint::conversation::{self, Conversation};
use vazhi_lint::fields::FieldMap;
use vazhi_lint::script::ScriptCounts;
use vazhi_lint::settings::{Options, Settings};
use vazhi_lint::{Finding, Linter, Silent};

use crate::data::Encoder;
use crate::host::to_host;
use crate::lora::Adapters;
use crate::model::Qwen3;

/// Generation inputs are padded to a multiple of this many tokens (see [`generate_batch`]).
pub const GENERATION_PAD_TO: usize = 32;

/// Prompts answered together in evaluation: one pass over the weights per step serves them all,
/// and the cache of eight Qwen3-0.6B rows of 512 slots takes under 1 GB.
pub const GENERATION_BATCH: usize = 8;

/// The response rules run on generations.
pub const RESPONSE_RULES: [&str; 5] = [
    "tamil-ratio",
    "foreign-script",
    "think-leak",
    "template-leak",
    "repetition",
];

/// Greedy decoding of one prompt: [`generate_batch`] with a batch of one.
pub fn generate<B: Backend>(
    model: &Qwen3<B>,
    adapters: Option<&Adapters<B>>,
    prompt: &[u32],
    stop: &[u32],
    max_new: usize,
    pad_to: usize,
    device: &B::Device,
) -> Vec<u32> {
    generate_batch(model, adapters, &[prompt], stop, max_new, pad_to, device)
        .pop()
        .unwrap_or_default()
}

/// Greedy decoding of several prompts at once: each row takes its arg-max token, one at a time,
/// until a stop token or `max_new`; a row that has stopped rides along until all have.
///
/// The prompts are run once, left-padded to the longest so that they end in the same slot, and
/// right-padded to a multiple of `pad_to` (attention is causal, so that padding cannot change the
/// last real token's logits, and a generated token overwrites its slot before anything reads
/// it). They fill a [`KvCache`](crate::model::KvCache) sized for the longest prompt and `max_new`
/// tokens, also rounded up to `pad_to`; each new token then costs one slot's forward pass, with
/// the same tensor shapes every step, so a JIT backend compiles kernels for a few lengths, not one
/// set per token. Each row computes what it would alone (tested), and a batch reads every weight
/// once per step for all its rows.
pub fn generate_batch<B: Backend>(
    model: &Qwen3<B>,
    adapters: Option<&Adapters<B>>,
    prompts: &[&[u32]],
    stop: &[u32],
    max_new: usize,
    pad_to: usize,
    device: &B::Device,
) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); prompts.len()];
    let longest = prompts.iter().map(|p| p.len()).max().unwrap_or(0);
    if max_new == 0 || longest == 0 {
        return out;
    }
    let batch = prompts.len();
    let pad_to = pad_to.max(1);
    let prefill = longest.next_multiple_of(pad_to);
    // An empty prompt answers nothing; it stands on one padding token so that its row still
    // attends to something.
    let left_padding: Vec<usize> = prompts.iter().map(|p| longest - p.len().max(1)).collect();
    let mut done: Vec<bool> = prompts.iter().map(|p| p.is_empty()).collect();
    let mut cache = model.kv_cache(&left_padding, (longest + max_new).next_multiple_of(pad_to), device);
    let mut input: Vec<i64> = Vec::with_capacity(batch * prefill);
    for (prompt, &pad) in prompts.iter().zip(&left_padding) {
        let row = input.len();
        input.resize(row + pad, 0);
        input.extend(prompt.iter().map(|&id| i64::from(id)));
        input.resize(row + prefill, 0);
    }
    let input = Tensor::<B, 2, Int>::from_data(TensorData::new(input, [batch, prefill]), device);
    let hidden_size = model.embed_tokens.dims()[1];
    let mut hidden = model
        .hidden_cached(input, 0, &mut cache, adapters)
        .narrow(1, longest - 1, 1);
    for step in 0..max_new {
        let logits = to_host(
            model
                .next_token_logits(hidden.reshape([batch, hidden_size]))
                .into_data(),
        );
        let vocab = logits.len() / batch;
        let mut next = vec![0i64; batch];
        for (row, answer) in out.iter_mut().enumerate() {
            if done[row] {
                continue;
            }
            let token = argmax(&logits[row * vocab..(row + 1) * vocab]);
            if stop.contains(&token) {
                done[row] = true;
                continue;
            }
            answer.push(token);
            next[row] = i64::from(token);
            done[row] = answer.len() == max_new;
        }
        if done.iter().all(|&d| d) || step + 1 == max_new {
            break;
        }
        // The tokens just chosen sit in slot longest + step.
        let input = Tensor::<B, 2, Int>::from_data(TensorData::new(next, [batch, 1]), device);
        hidden = model.hidden_cached(input, longest + step, &mut cache, adapters);
    }
    out
}

/// The first index of the largest value (ties broken as `torch.argmax` does).
fn argmax(values: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best as u32
}

/// One prompt's answer and what the rules said of it.
#[derive(Debug, Clone)]
pub struct Answer {
    pub prompt_at: String,
    pub prompt: String,
    pub text: String,
    pub tamil_share: Option<f64>,
    pub findings: Vec<String>,
}

/// The evaluation of a set of answers.
#[derive(Debug, Clone)]
pub struct Report {
    pub answers: Vec<Answer>,
    /// Findings per rule name.
    pub per_rule: BTreeMap<&'static str, usize>,
    pub generations: PathBuf,
}

impl Report {
    /// The summary table printed after training.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let n = self.answers.len();
        let row = |out: &mut String, label: &str, count: usize| {
            let _ = writeln!(out, "{label:<16} {:>9}", format!("{count}/{n}"));
        };
        let _ = writeln!(out, "{:<16} {:>9}", "rule", "answers");
        for rule in RESPONSE_RULES {
            row(&mut out, rule, self.per_rule.get(rule).copied().unwrap_or(0));
        }
        row(
            &mut out,
            "clean",
            self.answers.iter().filter(|a| a.findings.is_empty()).count(),
        );
        let shares: Vec<f64> = self.answers.iter().filter_map(|a| a.tamil_share).collect();
        if !shares.is_empty() {
            let mean = shares.iter().sum::<f64>() / shares.len() as f64;
            let _ = writeln!(out, "mean Tamil share of letters: {:.1}%", 100.0 * mean);
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Read(#[from] conversation::ReadError),
    #[error("{0}")]
    Prompt(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// The prompts of a file in any layout the linter reads: each record's turns before its first
/// assistant turn.
pub fn read_prompts(path: &Path) -> Result<Vec<Conversation>, EvalError> {
    let mut prompts = conversation::read(path, &FieldMap::default())?;
    for prompt in &mut prompts {
        if let Some(first) = prompt.messages.iter().position(|m| m.role == "assistant") {
            prompt.messages.truncate(first);
        }
        if prompt.messages.is_empty() {
            return Err(EvalError::Prompt(format!(
                "{}: no prompt before the first assistant turn",
                prompt.position.describe(path, Path::new(""))
            )));
        }
    }
    Ok(prompts)
}

/// Answers every prompt greedily, writes `generations.jsonl` into `out`, and lints it.
pub fn evaluate<B: Backend>(
    model: &Qwen3<B>,
    adapters: Option<&Adapters<B>>,
    encoder: &Encoder,
    prompts_path: &Path,
    max_new: usize,
    out: &Path,
    device: &B::Device,
) -> Result<Report, EvalError> {
    let prompts = read_prompts(prompts_path)?;
    let tokenizer = encoder.tokenizer();
    let stop: Vec<u32> = ["<|im_end|>", "<|endoftext|>"]
        .iter()
        .filter_map(|t| tokenizer.token_to_id(t))
        .collect();
    std::fs::create_dir_all(out).map_err(|source| EvalError::Io {
        path: out.to_owned(),
        source,
    })?;
    let generations = out.join("generations.jsonl");
    let mut lines = String::new();
    let mut answers = Vec::new();
    let encoded = prompts
        .iter()
        .map(|prompt| encoder.encode_prompt(&prompt.messages).map_err(EvalError::Prompt))
        .collect::<Result<Vec<_>, _>>()?;
    let mut generated: Vec<Vec<u32>> = Vec::with_capacity(prompts.len());
    for batch in encoded.chunks(GENERATION_BATCH) {
        let batch: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
        generated.extend(generate_batch(
            model,
            adapters,
            &batch,
            &stop,
            max_new,
            GENERATION_PAD_TO,
            device,
        ));
    }
    for (prompt, answer) in prompts.iter().zip(generated) {
        // Special tokens stay in the text: a leaked `<|im_start|>` is what template-leak looks for.
        let text = tokenizer
            .decode(&answer, false)
            .map_err(|err| EvalError::Prompt(err.to_string()))?;
        let mut messages: Vec<serde_json::Value> = prompt
            .messages
            .iter()
            .map(|m| json!({"role": m.role, "content": m.content}))
            .collect();
        messages.push(json!({"role": "assistant", "content": text}));
        lines.push_str(&json!({"messages": messages}).to_string());
        lines.push('\n');
        answers.push(Answer {
            prompt_at: prompt.position.describe(prompts_path, Path::new("")),
            prompt: prompt.messages.last().map(|m| m.content.clone()).unwrap_or_default(),
            tamil_share: ScriptCounts::of(&text).tamil_share(),
            text,
            findings: Vec::new(),
        });
    }
    std::fs::write(&generations, lines).map_err(|source| EvalError::Io {
        path: generations.clone(),
        source,
    })?;
    let findings = lint_answers(&generations);
    let mut per_rule: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for finding in &findings {
        let Some(line) = finding.position.and_then(|p| p.line()) else {
            continue;
        };
        let index = (line - 1) as usize;
        if let Some(answer) = answers.get_mut(index) {
            answer
                .findings
                .push(format!("{} {}", finding.rule.name, finding.message));
            if seen.insert((index, finding.rule.name)) {
                *per_rule.entry(finding.rule.name).or_default() += 1;
            }
        }
    }
    Ok(Report {
        answers,
        per_rule,
        generations,
    })
}

/// The response rules' findings on a generations file.
fn lint_answers(path: &Path) -> Vec<Finding> {
    let options = Options {
        select: Some(RESPONSE_RULES.iter().map(|r| (*r).to_owned()).collect()),
        ..Options::default()
    };
    let root = path.parent().unwrap_or(Path::new(".")).to_owned();
    let settings = Settings::resolve(options, root, None).expect("the response rules exist");
    Linter::new(settings).lint_files(&[path.to_owned()], &Silent).findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_takes_the_first_of_equals() {
        assert_eq!(argmax(&[0.1, 0.7, 0.7, -1.0]), 1);
    }
}
