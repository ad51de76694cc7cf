//! The training loop: LoRA adapters on a frozen Qwen3, AdamW, warmup + cosine, global gradient
//! clipping, gradient accumulation, loss as plain text and JSONL, adapter checkpoints, resume.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::{AutodiffModule, Module, ModuleVisitor, Param};
use burn::optim::{AdamWConfig, GradientsAccumulator, GradientsParams, Optimizer};
use burn::record::{FullPrecisionSettings, NamedMpkFileRecorder, Recorder};
use burn::tensor::activation::log_softmax;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{ElementConversion as _, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::data::{Batch, Example, LabelledRows};
use crate::lora::Adapters;
use crate::model::Qwen3;
use crate::recipe::Recipe;

/// Mean negative log-likelihood of the target tokens: `-Σ w·log p(target) / Σ w`, with `w` 0 at
/// prompt and padding positions (their logits never enter the sum).
pub fn masked_loss<B: Backend>(
    logits: Tensor<B, 3>,
    targets: Tensor<B, 2, Int>,
    weights: Tensor<B, 2>,
) -> Tensor<B, 1> {
    let total = weights.clone().sum();
    summed_loss(logits, targets, weights).div(total)
}

/// `-Σ w·log p(target)`: the numerator of [`masked_loss`], for token-weighted accumulation.
pub fn summed_loss<B: Backend>(
    logits: Tensor<B, 3>,
    targets: Tensor<B, 2, Int>,
    weights: Tensor<B, 2>,
) -> Tensor<B, 1> {
    let log_probs = log_softmax(logits, 2);
    let picked: Tensor<B, 2> = log_probs.gather(2, targets.unsqueeze_dim(2)).squeeze_dim(2);
    (picked * weights).sum().neg()
}

/// `-Σ w·log p(target)` over the labelled rows alone: the hidden states of those rows are
/// gathered before the output projection, so the vocabulary-wide matmul, softmax and their
/// saved activations cover the assistant's tokens only, not prompts and padding. For Qwen3-0.6B
/// the projection onto 151,936 tokens is about a quarter of a forward pass, and its logits
/// (`rows × 151,936` floats, kept for the backward pass) the largest tensors of a step.
/// Equal to [`summed_loss`] on the full logits with 0/1 weights (tested).
pub fn labelled_nll<B: Backend>(model: &Qwen3<B>, hidden: Tensor<B, 3>, rows: LabelledTensors<B>) -> Tensor<B, 1> {
    let [batch, seq, width] = hidden.dims();
    let picked_rows = hidden.reshape([batch * seq, width]).select(0, rows.positions);
    let log_probs = log_softmax(model.project(picked_rows), 1);
    let picked: Tensor<B, 1> = log_probs.gather(1, rows.labels.unsqueeze_dim(1)).squeeze_dim(1);
    (picked * rows.weights).sum().neg()
}

/// [`LabelledRows`] on the device.
pub struct LabelledTensors<B: Backend> {
    pub positions: Tensor<B, 1, Int>,
    pub labels: Tensor<B, 1, Int>,
    pub weights: Tensor<B, 1>,
}

impl<B: Backend> LabelledTensors<B> {
    pub fn new(rows: LabelledRows, device: &B::Device) -> Self {
        let count = rows.positions.len();
        LabelledTensors {
            positions: Tensor::from_data(TensorData::new(rows.positions, [count]), device),
            labels: Tensor::from_data(TensorData::new(rows.labels, [count]), device),
            weights: Tensor::from_data(TensorData::new(rows.weights, [count]), device),
        }
    }
}

/// A batch on the device for [`labelled_nll`]: its inputs and labelled rows (padded to a
/// multiple of `pad_to`); `None` when nothing in the batch is labelled.
pub fn labelled_to_device<B: Backend>(
    batch: &Batch,
    pad_to: usize,
    device: &B::Device,
) -> Option<(Tensor<B, 2, Int>, LabelledTensors<B>)> {
    let rows = batch.labelled(pad_to);
    if rows.positions.is_empty() {
        return None;
    }
    Some((
        Tensor::from_data(TensorData::new(batch.inputs.clone(), [batch.batch, batch.seq]), device),
        LabelledTensors::new(rows, device),
    ))
}

/// One logged step, as appended to `train-log.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepLog {
    pub step: usize,
    pub total_steps: usize,
    pub loss: f64,
    pub lr: f64,
    pub grad_norm: f64,
    pub target_tokens: usize,
    pub tokens: usize,
    pub tokens_per_s: f64,
    pub elapsed_s: f64,
}

/// `trainer_state.json` in a checkpoint: where to resume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainerState {
    pub step: usize,
    pub total_steps: usize,
    pub seed: u64,
    pub loss: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Checkpoint { path: PathBuf, message: String },
    #[error("no training examples: every record was left out")]
    NoExamples,
    #[error("loss is {loss} at step {step}: training diverged")]
    Diverged { step: usize, loss: f64 },
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub steps: usize,
    pub first_loss: Option<f64>,
    pub last_loss: Option<f64>,
    pub log: PathBuf,
    pub final_adapter: PathBuf,
}

/// The micro-batches of optimizer step `step`: examples in a seeded order per epoch, `batch_size`
/// at a time, `grad_accum` micro-batches per step, cycling epochs as needed. Deterministic, so a
/// resumed run sees exactly the batches the interrupted one would have.
pub fn micro_batches<'e>(examples: &'e [Example], recipe: &Recipe, step: usize) -> Vec<Vec<&'e Example>> {
    let t = &recipe.train;
    let per_epoch = examples.len().div_ceil(t.batch_size);
    (0..t.grad_accum)
        .map(|k| {
            let micro = step * t.grad_accum + k;
            let (epoch, index) = (micro / per_epoch, micro % per_epoch);
            let order = epoch_order(examples.len(), t.seed, epoch);
            let end = ((index + 1) * t.batch_size).min(examples.len());
            order[index * t.batch_size..end].iter().map(|&i| &examples[i]).collect()
        })
        .collect()
}

/// The next value of a splitmix64 stream: cheap, seedable and the same on every platform.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A permutation of `0..n` from a splitmix64 stream seeded by `(seed, epoch)`.
fn epoch_order(n: usize, seed: u64, epoch: usize) -> Vec<usize> {
    let mut state = seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (splitmix64(&mut state) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// Optimizer steps for the recipe over `examples` examples.
pub fn total_steps(recipe: &Recipe, examples: usize) -> usize {
    let t = &recipe.train;
    t.steps
        .unwrap_or_else(|| (examples.div_ceil(t.batch_size) * t.epochs).div_ceil(t.grad_accum))
        .max(1)
}

/// Squared L2 norms of every adapter gradient, summed on the device.
struct GradNorm<'g, B: AutodiffBackend> {
    grads: &'g GradientsParams,
    squares: Vec<Tensor<B::InnerBackend, 1>>,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for GradNorm<'_, B> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        if let Some(grad) = self.grads.get::<B::InnerBackend, D>(param.id) {
            self.squares.push(grad.powi_scalar(2).sum());
        }
    }
}

/// Multiplies every adapter gradient by `factor`.
struct ScaleGrads<'g> {
    grads: &'g mut GradientsParams,
    factor: f64,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for ScaleGrads<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        if let Some(grad) = self.grads.remove::<B::InnerBackend, D>(param.id) {
            self.grads.register(param.id, grad.mul_scalar(self.factor));
        }
    }
}

/// The global L2 norm of the gradients; when above `max`, all are scaled down to it (unlike a
/// per-tensor clip, this keeps the update's direction).
pub fn clip_global_norm<B: AutodiffBackend>(
    adapters: &Adapters<B>,
    grads: &mut GradientsParams,
    max: Option<f64>,
) -> f64 {
    let mut norm = GradNorm::<B> {
        grads,
        squares: Vec::new(),
    };
    adapters.visit(&mut norm);
    let total = if norm.squares.is_empty() {
        0.0
    } else {
        let sum: f32 = Tensor::cat(norm.squares, 0).sum().sqrt().into_scalar().elem();
        f64::from(sum)
    };
    if let Some(max) = max
        && total > max
    {
        adapters.visit(&mut ScaleGrads {
            grads,
            factor: max / (total + 1e-6),
        });
    }
    total
}

type Files = NamedMpkFileRecorder<FullPrecisionSettings>;

/// Trains adapters for `base` on `examples` as the recipe says, writing into `recipe.train.out`.
/// `resume`: a checkpoint folder of an earlier run of the same recipe.
pub fn train<B: AutodiffBackend>(
    recipe: &Recipe,
    base: &Qwen3<B>,
    examples: &[Example],
    pad_id: u32,
    resume: Option<&Path>,
    device: &B::Device,
    log: &mut dyn FnMut(&str),
) -> Result<Outcome, TrainError> {
    if examples.is_empty() {
        return Err(TrainError::NoExamples);
    }
    let t = &recipe.train;
    let out = &t.out;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| TrainError::Io { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    B::seed(device, t.seed);
    let mut adapters = Adapters::<B>::init(base, &recipe.lora, device);
    let mut optimizer = AdamWConfig::new()
        .with_epsilon(1e-8)
        .with_weight_decay(t.weight_decay as f32)
        .init::<B, Adapters<B>>();
    let total = total_steps(recipe, examples.len());
    let files = Files::new();
    let mut start = 0;
    if let Some(checkpoint) = resume {
        let bad = |message: String| TrainError::Checkpoint {
            path: checkpoint.to_owned(),
            message,
        };
        let state: TrainerState = read_json(&checkpoint.join(STATE))?;
        if state.total_steps != total || state.seed != t.seed {
            return Err(bad(format!(
                "was a run of {} steps with seed {}; this recipe makes {total} steps with seed {}",
                state.total_steps, state.seed, t.seed
            )));
        }
        adapters = adapters
            .load_file(checkpoint.join(ADAPTER_RECORD), &files, device)
            .map_err(|err| bad(err.to_string()))?;
        let record = Recorder::<B>::load(&files, checkpoint.join(OPTIMIZER_RECORD), device)
            .map_err(|err| bad(err.to_string()))?;
        optimizer = optimizer.load_record(record);
        start = state.step;
        log(&format!(
            "resuming at step {start}/{total} from {}",
            checkpoint.display()
        ));
    }
    let log_path = out.join(LOG);
    let mut log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(io(&log_path))?;
    let (mut first_loss, mut last_loss) = (None, None);
    let began = Instant::now();
    let mut window_tokens = 0;
    let mut window_start = Instant::now();
    for step in start..total {
        let micro = micro_batches(examples, recipe, step);
        let cap = recipe.data.max_seq_len - 1;
        let batches: Vec<Batch> = micro
            .iter()
            .map(|m| Batch::of(m, pad_id, t.pad_to_multiple, cap))
            .collect();
        let targets: usize = batches.iter().map(Batch::target_tokens).sum();
        let mut accumulator = GradientsAccumulator::<Adapters<B>>::new();
        let mut loss_sum = 0.0;
        for batch in &batches {
            window_tokens += batch.tokens;
            // A micro-batch with no labelled token adds nothing to the loss or the gradient.
            let Some((inputs, rows)) = labelled_to_device::<B>(batch, t.pad_to_multiple, device) else {
                continue;
            };
            let hidden = base.hidden(inputs, Some(&adapters));
            // Normalised by the whole step's target tokens, so accumulated micro-batches weigh
            // each token equally, as one large batch would.
            let loss = labelled_nll(base, hidden, rows).div_scalar(targets.max(1) as f64);
            let value: f32 = loss.clone().into_scalar().elem();
            loss_sum += f64::from(value);
            let grads = GradientsParams::from_grads(loss.backward(), &adapters);
            accumulator.accumulate(&adapters, grads);
        }
        if !loss_sum.is_finite() {
            return Err(TrainError::Diverged { step, loss: loss_sum });
        }
        let mut grads = accumulator.grads();
        let grad_norm = clip_global_norm(&adapters, &mut grads, t.clip_grad_norm);
        let lr = recipe.learning_rate(step, total);
        adapters = optimizer.step(lr, adapters, grads);
        first_loss.get_or_insert(loss_sum);
        last_loss = Some(loss_sum);
        let done = step + 1;
        if done % t.log_every == 0 || done == total {
            let elapsed = window_start.elapsed().as_secs_f64();
            let entry = StepLog {
                step: done,
                total_steps: total,
                loss: loss_sum,
                lr,
                grad_norm,
                target_tokens: targets,
                tokens: window_tokens,
                tokens_per_s: window_tokens as f64 / elapsed.max(1e-9),
                elapsed_s: began.elapsed().as_secs_f64(),
            };
            log(&format!(
                "step {done:>6}/{total}  loss {:.4}  lr {:.3e}  grad-norm {:.3}  tokens/s {:.0}",
                entry.loss, entry.lr, entry.grad_norm, entry.tokens_per_s
            ));
            let line = serde_json::to_string(&entry).expect("a log entry serialises");
            writeln!(log_file, "{line}").map_err(io(&log_path))?;
            window_tokens = 0;
            window_start = Instant::now();
        }
        let checkpoint_due = t.checkpoint_every.is_some_and(|every| done % every == 0);
        if checkpoint_due && done != total {
            let dir = out.join(format!("checkpoint-{done:06}"));
            save_checkpoint(recipe, &adapters, &optimizer, done, total, loss_sum, &dir)?;
            log(&format!("saved {}", dir.display()));
        }
    }
    let final_adapter = out.join("adapter");
    save_checkpoint(
        recipe,
        &adapters,
        &optimizer,
        total,
        total,
        last_loss.unwrap_or(f64::NAN),
        &final_adapter,
    )?;
    log(&format!("saved {}", final_adapter.display()));
    Ok(Outcome {
        steps: total - start,
        first_loss,
        last_loss,
        log: log_path,
        final_adapter,
    })
}

pub const LOG: &str = "train-log.jsonl";
pub const STATE: &str = "trainer_state.json";
const ADAPTER_RECORD: &str = "adapters";
const OPTIMIZER_RECORD: &str = "optimizer";

/// A checkpoint: the adapter in PEFT's format (for merging and for `peft`), and burn records
/// of the adapters and optimizer state with the step, for resuming.
fn save_checkpoint<B: AutodiffBackend, O: Optimizer<Adapters<B>, B>>(
    recipe: &Recipe,
    adapters: &Adapters<B>,
    optimizer: &O,
    step: usize,
    total: usize,
    loss: f64,
    dir: &Path,
) -> Result<(), TrainError> {
    let bad = |message: String| TrainError::Checkpoint {
        path: dir.to_owned(),
        message,
    };
    adapters
        .valid()
        .save_peft(dir, &recipe.lora, &recipe.model.path.display().to_string())
        .map_err(|err| bad(err.to_string()))?;
    let files = Files::new();
    adapters
        .clone()
        .save_file(dir.join(ADAPTER_RECORD), &files)
        .map_err(|err| bad(err.to_string()))?;
    Recorder::<B>::record(&files, optimizer.to_record(), dir.join(OPTIMIZER_RECORD))
        .map_err(|err| bad(err.to_string()))?;
    let state = TrainerState {
        step,
        total_steps: total,
        seed: recipe.train.seed,
        loss,
    };
    let text = serde_json::to_string_pretty(&state).expect("state serialises");
    std::fs::write(dir.join(STATE), text + "\n").map_err(|source| TrainError::Io {
        path: dir.join(STATE),
        source,
    })
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, TrainError> {
    let text = std::fs::read_to_string(path).map_err(|source| TrainError::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|err| TrainError::Checkpoint {
        path: path.to_owned(),
        message: err.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_orders_are_permutations_that_differ_by_epoch() {
        let a = epoch_order(50, 7, 0);
        let b = epoch_order(50, 7, 1);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(a, b);
        assert_eq!(a, epoch_order(50, 7, 0));
    }
}
