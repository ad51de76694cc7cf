//! Training-step throughput and greedy-generation speed on random data: the numbers the README
//! states for the tiny model and Qwen3-0.6B shapes (`vazhi-train bench`, `bench --generate N`).

use std::time::Instant;

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams, Optimizer};
use burn::tensor::ElementConversion as _;
use burn::tensor::backend::{AutodiffBackend, Backend};

use crate::config::Qwen3Config;
use crate::data::Batch;
use crate::eval::{GENERATION_PAD_TO, generate};
use crate::lora::{Adapters, LoraConfig};
use crate::model::Qwen3;
use crate::train::{labelled_nll, labelled_to_device, splitmix64};

/// What a benchmark run measured.
#[derive(Debug, Clone)]
pub struct StepTiming {
    pub parameters: usize,
    pub trainable: usize,
    pub tokens_per_step: usize,
    /// Seconds per step, each timed step.
    pub step_seconds: Vec<f64>,
}

impl StepTiming {
    pub fn median_seconds(&self) -> f64 {
        median(&self.step_seconds)
    }

    pub fn tokens_per_second(&self) -> f64 {
        self.tokens_per_step as f64 / self.median_seconds()
    }
}

/// Times `steps` full training steps (a batch moved to the device, forward, the training loop's
/// loss over the labelled rows, backward, AdamW on the adapters) of a random model of `config`'s
/// shape on random ids, after one untimed warm-up step. The last `labelled` share of each
/// sequence is trained on, as an answer after its prompt would be (1.0: every position, the most
/// work a step can do). Each step ends by reading the loss and an updated adapter value back, so
/// asynchronous backends are timed to completion.
pub fn training_steps<B: AutodiffBackend>(
    config: &Qwen3Config,
    lora: &LoraConfig,
    shape: [usize; 2],
    labelled: f64,
    steps: usize,
    device: &B::Device,
) -> StepTiming {
    let [batch, seq] = shape;
    let answer = ((seq as f64 * labelled.clamp(0.0, 1.0)).round() as usize).clamp(1, seq);
    B::seed(device, 1330);
    let base = Qwen3::<B>::random(config, device);
    let mut adapters = Adapters::<B>::init(&base, lora, device);
    let mut optimizer = AdamWConfig::new().init::<B, Adapters<B>>();
    let mut step_seconds = Vec::with_capacity(steps);
    let mut state = 1330;
    for step in 0..=steps {
        let began = Instant::now();
        let ids: Vec<Vec<i64>> = (0..batch)
            .map(|_| {
                (0..=seq)
                    .map(|_| (splitmix64(&mut state) % config.vocab_size as u64) as i64)
                    .collect()
            })
            .collect();
        let random = Batch {
            batch,
            seq,
            inputs: ids.iter().flat_map(|row| row[..seq].iter().copied()).collect(),
            targets: ids.iter().flat_map(|row| row[1..].iter().copied()).collect(),
            weights: (0..batch * seq)
                .map(|at| if at % seq >= seq - answer { 1.0 } else { 0.0 })
                .collect(),
            tokens: batch * seq,
        };
        let Some((inputs, rows)) = labelled_to_device::<B>(&random, 1, device) else {
            unreachable!("at least one position per sequence is labelled");
        };
        let hidden = base.hidden(inputs, Some(&adapters));
        let loss = labelled_nll(&base, hidden, rows).div_scalar(random.target_tokens() as f64);
        let _: f32 = loss.clone().into_scalar().elem();
        let grads = GradientsParams::from_grads(loss.backward(), &adapters);
        adapters = optimizer.step(1e-4, adapters, grads);
        let probe = adapters.layers[0].get(lora.targets[0]).map(|l| l.b.val().sum());
        if let Some(probe) = probe {
            let _: f32 = probe.into_scalar().elem();
        }
        if step > 0 {
            step_seconds.push(began.elapsed().as_secs_f64());
        }
    }
    StepTiming {
        parameters: config.parameters(),
        trainable: adapters.num_params(),
        tokens_per_step: batch * seq,
        step_seconds,
    }
}

/// What a generation benchmark measured: seconds of greedy decoding per run.
#[derive(Debug, Clone)]
pub struct GenerationTiming {
    pub prompt_tokens: usize,
    pub new_tokens: usize,
    /// Seconds to the first new token (the prompt's pass, then its logits), each run.
    pub first_token_seconds: Vec<f64>,
    /// Seconds for all `new_tokens`, each run.
    pub total_seconds: Vec<f64>,
}

impl GenerationTiming {
    /// Median seconds per token after the first: what each step of the cache costs.
    pub fn seconds_per_new_token(&self) -> f64 {
        let per_token: Vec<f64> = self
            .total_seconds
            .iter()
            .zip(&self.first_token_seconds)
            .map(|(total, first)| (total - first) / (self.new_tokens.saturating_sub(1).max(1)) as f64)
            .collect();
        median(&per_token)
    }

    pub fn median_first_token_seconds(&self) -> f64 {
        median(&self.first_token_seconds)
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Times greedy generation ([`generate`], as evaluation runs it) of `new_tokens` tokens after a
/// random `prompt_tokens`-token prompt with a random model of `config`'s shape, `runs` times after
/// an untimed warm-up. No stop token, so every run decodes exactly `new_tokens`.
pub fn generation<B: Backend>(
    config: &Qwen3Config,
    prompt_tokens: usize,
    new_tokens: usize,
    runs: usize,
    device: &B::Device,
) -> GenerationTiming {
    B::seed(device, 1330);
    let model = Qwen3::<B>::random(config, device);
    let mut state = 1330;
    let prompt: Vec<u32> = (0..prompt_tokens.max(1))
        .map(|_| (splitmix64(&mut state) % config.vocab_size as u64) as u32)
        .collect();
    let mut first_token_seconds = Vec::with_capacity(runs);
    let mut total_seconds = Vec::with_capacity(runs);
    for run in 0..=runs {
        let began = Instant::now();
        generate(&model, None, &prompt, &[], 1, GENERATION_PAD_TO, device);
        let first = began.elapsed().as_secs_f64();
        let began = Instant::now();
        let answer = generate(&model, None, &prompt, &[], new_tokens, GENERATION_PAD_TO, device);
        let total = began.elapsed().as_secs_f64();
        assert_eq!(answer.len(), new_tokens, "no stop token: every token is decoded");
        if run > 0 {
            first_token_seconds.push(first);
            total_seconds.push(total);
        }
    }
    GenerationTiming {
        prompt_tokens: prompt.len(),
        new_tokens,
        first_token_seconds,
        total_seconds,
    }
}
