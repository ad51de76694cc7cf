//! Training-step throughput on random data: the numbers the README states for the tiny model
//! and Qwen3-0.6B shapes (`vazhi-train bench`).

use std::time::Instant;

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams, Optimizer};
use burn::tensor::ElementConversion as _;
use burn::tensor::backend::AutodiffBackend;

use crate::config::Qwen3Config;
use crate::data::Batch;
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
        let mut sorted = self.step_seconds.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
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
