//! Training-step throughput on random data: the numbers the README states for the tiny model
//! and Qwen3-0.6B shapes (`vazhi-train bench`).

use std::time::Instant;

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams, Optimizer};
use burn::tensor::ElementConversion as _;
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{Distribution, Int, Tensor, TensorData};

use crate::config::Qwen3Config;
use crate::lora::{Adapters, LoraConfig};
use crate::model::Qwen3;
use crate::train::{LabelledTensors, labelled_nll};

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

/// Times `steps` full training steps (forward, the training loop's loss over the labelled
/// positions, backward, AdamW on the adapters) of a random model of `config`'s shape on random
/// ids, after one untimed warm-up step. The last `labelled` share of each sequence is trained on,
/// as an answer after its prompt would be (1.0: every position, the most work a step can do).
/// Each step ends by reading the loss and an updated adapter value back, so asynchronous
/// backends are timed to completion.
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
    let positions: Vec<i64> = (0..batch)
        .flat_map(|row| (seq - answer..seq).map(move |t| (row * seq + t) as i64))
        .collect();
    B::seed(device, 1330);
    let base = Qwen3::<B>::random(config, device);
    let mut adapters = Adapters::<B>::init(&base, lora, device);
    let mut optimizer = AdamWConfig::new().init::<B, Adapters<B>>();
    let mut step_seconds = Vec::with_capacity(steps);
    for step in 0..=steps {
        let began = Instant::now();
        let ids = Tensor::<B, 2, Int>::random(
            [batch, seq + 1],
            Distribution::Uniform(0.0, config.vocab_size as f64),
            device,
        );
        let inputs = ids.clone().narrow(1, 0, seq);
        let at = Tensor::<B, 1, Int>::from_data(TensorData::new(positions.clone(), [positions.len()]), device);
        let rows = LabelledTensors {
            labels: ids.narrow(1, 1, seq).reshape([batch * seq]).select(0, at.clone()),
            positions: at,
            weights: Tensor::ones([positions.len()], device),
        };
        let hidden = base.hidden(inputs, Some(&adapters));
        let loss = labelled_nll(&base, hidden, rows).div_scalar(positions.len() as f64);
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
