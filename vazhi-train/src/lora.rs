//! LoRA: a frozen projection `W` plus a trainable low-rank update `(alpha / r) · A · B`.
//!
//! `A: [in, r]` starts uniform in ±1/√in and `B: [r, out]` at zero (as PEFT does), so training
//! starts from the base model exactly. Adapters live in their own module, beside the base model,
//! so the optimiser can only ever see adapter parameters. They are saved in PEFT's layout
//! (`adapter_model.safetensors` + `adapter_config.json`, `lora_A: [r, in]`, `lora_B: [out, r]`)
//! so `peft` can load them too.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use burn::module::{Module, Param};
use burn::nn::{Dropout, DropoutConfig};
use burn::tensor::backend::Backend;
use burn::tensor::{Distribution, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::host::{to_host, transpose};
use crate::weights::{self, Checkpoint, HostTensor, WeightsError};

/// A projection LoRA can adapt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Q,
    K,
    V,
    O,
    Gate,
    Up,
    Down,
}

impl Target {
    pub const ALL: [Target; 7] = [
        Target::Q,
        Target::K,
        Target::V,
        Target::O,
        Target::Gate,
        Target::Up,
        Target::Down,
    ];

    /// The module path inside a decoder layer, as Hugging Face names it.
    pub fn module(self) -> &'static str {
        match self {
            Target::Q => "self_attn.q_proj",
            Target::K => "self_attn.k_proj",
            Target::V => "self_attn.v_proj",
            Target::O => "self_attn.o_proj",
            Target::Gate => "mlp.gate_proj",
            Target::Up => "mlp.up_proj",
            Target::Down => "mlp.down_proj",
        }
    }

    /// PEFT's `target_modules` entry.
    pub fn peft_name(self) -> &'static str {
        self.module().rsplit('.').next().unwrap_or_default()
    }
}

/// `[lora]` in the training config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LoraConfig {
    pub rank: usize,
    pub alpha: f64,
    #[serde(default)]
    pub dropout: f64,
    pub targets: Vec<Target>,
}

impl LoraConfig {
    pub fn scale(&self) -> f64 {
        self.alpha / self.rank as f64
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.rank == 0 {
            return Err("lora.rank must be at least 1".into());
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(format!("lora.dropout must be in [0, 1), not {}", self.dropout));
        }
        if self.targets.is_empty() {
            return Err("lora.targets is empty: nothing would be trained".into());
        }
        Ok(())
    }
}

/// The low-rank update of one projection.
#[derive(Module, Debug)]
pub struct Lora<B: Backend> {
    /// `[in, r]`.
    pub a: Param<Tensor<B, 2>>,
    /// `[r, out]`.
    pub b: Param<Tensor<B, 2>>,
    pub scale: f64,
    pub dropout: Dropout,
}

impl<B: Backend> Lora<B> {
    /// `scale · dropout(x) · A · B` for `x: [rows, in]`. Dropout is active only on an autodiff
    /// backend (training), as burn's `Dropout` decides.
    pub fn delta(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        self.dropout
            .forward(x)
            .matmul(self.a.val())
            .matmul(self.b.val())
            .mul_scalar(self.scale)
    }

    /// `scale · A · B`: what merging adds to the frozen weight.
    pub fn update(&self) -> Tensor<B, 2> {
        self.a.val().matmul(self.b.val()).mul_scalar(self.scale)
    }
}

/// The adapters of one decoder layer, one slot per target.
#[derive(Module, Debug)]
pub struct LayerAdapters<B: Backend> {
    pub q: Option<Lora<B>>,
    pub k: Option<Lora<B>>,
    pub v: Option<Lora<B>>,
    pub o: Option<Lora<B>>,
    pub gate: Option<Lora<B>>,
    pub up: Option<Lora<B>>,
    pub down: Option<Lora<B>>,
}

impl<B: Backend> LayerAdapters<B> {
    pub fn get(&self, target: Target) -> Option<&Lora<B>> {
        match target {
            Target::Q => self.q.as_ref(),
            Target::K => self.k.as_ref(),
            Target::V => self.v.as_ref(),
            Target::O => self.o.as_ref(),
            Target::Gate => self.gate.as_ref(),
            Target::Up => self.up.as_ref(),
            Target::Down => self.down.as_ref(),
        }
    }

    fn slot(&mut self, target: Target) -> &mut Option<Lora<B>> {
        match target {
            Target::Q => &mut self.q,
            Target::K => &mut self.k,
            Target::V => &mut self.v,
            Target::O => &mut self.o,
            Target::Gate => &mut self.gate,
            Target::Up => &mut self.up,
            Target::Down => &mut self.down,
        }
    }
}

/// What adapters need of the model they adapt: its layers and the projection each target sits
/// beside. The model implements it, so adapters never depend on the model's own module.
pub trait Adaptable<B: Backend> {
    fn num_layers(&self) -> usize;
    /// The projection `target` adapts, in layer `layer`.
    fn projection(&self, layer: usize, target: Target) -> &Param<Tensor<B, 2>>;
    fn projection_mut(&mut self, layer: usize, target: Target) -> &mut Param<Tensor<B, 2>>;
}

/// Every adapter of a model: the only trainable parameters of a run.
#[derive(Module, Debug)]
pub struct Adapters<B: Backend> {
    pub layers: Vec<LayerAdapters<B>>,
}

impl<B: Backend> Adapters<B> {
    /// Fresh adapters for `model` (the backend's seed decides `A`).
    pub fn init(model: &impl Adaptable<B>, config: &LoraConfig, device: &B::Device) -> Self {
        let layers = (0..model.num_layers())
            .map(|layer| {
                let mut adapters = LayerAdapters::empty();
                for &target in &config.targets {
                    let [inp, out] = model.projection(layer, target).dims();
                    let bound = 1.0 / (inp as f64).sqrt();
                    *adapters.slot(target) = Some(Lora {
                        a: Param::from_tensor(Tensor::random(
                            [inp, config.rank],
                            Distribution::Uniform(-bound, bound),
                            device,
                        )),
                        b: Param::from_tensor(Tensor::zeros([config.rank, out], device)),
                        scale: config.scale(),
                        dropout: DropoutConfig::new(config.dropout).init(),
                    });
                }
                adapters
            })
            .collect();
        Adapters { layers }
    }

    /// `W + scale · A · B` for every adapted projection, computed on the backend in f32.
    pub fn merge_into<M: Adaptable<B>>(&self, mut model: M) -> M {
        for (layer, adapters) in self.layers.iter().enumerate() {
            for target in Target::ALL {
                if let Some(lora) = adapters.get(target) {
                    let weight = model.projection_mut(layer, target);
                    let merged = weight.val() + lora.update();
                    *weight = Param::from_tensor(merged).set_require_grad(false);
                }
            }
        }
        model
    }

    /// PEFT-named host tensors: `base_model.model.model.layers.{i}.{module}.lora_{A,B}.weight`.
    pub fn to_peft(&self) -> BTreeMap<String, HostTensor> {
        let mut out = BTreeMap::new();
        for (layer, adapters) in self.layers.iter().enumerate() {
            for target in Target::ALL {
                if let Some(lora) = adapters.get(target) {
                    let name = peft_prefix(layer, target);
                    let [inp, rank] = lora.a.dims();
                    let [_, outp] = lora.b.dims();
                    let a = transpose(&to_host(lora.a.val().into_data()), inp, rank);
                    let b = transpose(&to_host(lora.b.val().into_data()), rank, outp);
                    out.insert(format!("{name}.lora_A.weight"), HostTensor::new(vec![rank, inp], a));
                    out.insert(format!("{name}.lora_B.weight"), HostTensor::new(vec![outp, rank], b));
                }
            }
        }
        out
    }

    /// Reads PEFT-named adapters for `model`'s shape.
    pub fn from_peft(
        model: &impl Adaptable<B>,
        config: &LoraConfig,
        checkpoint: &mut Checkpoint,
        device: &B::Device,
    ) -> Result<Self, WeightsError> {
        let mut layers = Vec::with_capacity(model.num_layers());
        for layer in 0..model.num_layers() {
            let mut adapters = LayerAdapters::empty();
            for &target in &config.targets {
                let [inp, out] = model.projection(layer, target).dims();
                let name = peft_prefix(layer, target);
                let a = checkpoint.take(&format!("{name}.lora_A.weight"), &[config.rank, inp])?;
                let b = checkpoint.take(&format!("{name}.lora_B.weight"), &[out, config.rank])?;
                let a = TensorData::new(transpose(&a.values, config.rank, inp), [inp, config.rank]);
                let b = TensorData::new(transpose(&b.values, out, config.rank), [config.rank, out]);
                *adapters.slot(target) = Some(Lora {
                    a: Param::from_tensor(Tensor::from_data(a, device)),
                    b: Param::from_tensor(Tensor::from_data(b, device)),
                    scale: config.scale(),
                    dropout: DropoutConfig::new(config.dropout).init(),
                });
            }
            layers.push(adapters);
        }
        Ok(Adapters { layers })
    }

    /// Reads a PEFT adapter folder (`adapter_config.json` + `adapter_model.safetensors`) for
    /// `model`'s shape.
    pub fn load_peft(model: &impl Adaptable<B>, dir: &Path, device: &B::Device) -> Result<Self, AdapterError> {
        let config = read_peft_config(dir).map_err(AdapterError::Config)?;
        let mut tensors = Checkpoint::load(&dir.join(ADAPTER_WEIGHTS))?;
        Ok(Self::from_peft(model, &config, &mut tensors, device)?)
    }

    /// Writes `adapter_model.safetensors` and `adapter_config.json` into `dir`.
    pub fn save_peft(&self, dir: &Path, config: &LoraConfig, base_model: &str) -> Result<(), WeightsError> {
        let io = |source| WeightsError::Io {
            path: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut metadata = HashMap::new();
        metadata.insert("format".to_owned(), "pt".to_owned());
        weights::save(&dir.join(ADAPTER_WEIGHTS), &self.to_peft(), Some(metadata))?;
        let targets: Vec<&str> = config.targets.iter().map(|t| t.peft_name()).collect();
        let peft = serde_json::json!({
            "peft_type": "LORA",
            "task_type": "CAUSAL_LM",
            "base_model_name_or_path": base_model,
            "r": config.rank,
            "lora_alpha": config.alpha,
            "lora_dropout": config.dropout,
            "target_modules": targets,
            "bias": "none",
            "fan_in_fan_out": false,
            "inference_mode": true,
        });
        let text = serde_json::to_string_pretty(&peft).expect("JSON values serialise");
        std::fs::write(dir.join(ADAPTER_CONFIG), text + "\n").map_err(|source| WeightsError::Io {
            path: dir.join(ADAPTER_CONFIG),
            source,
        })
    }
}

impl<B: Backend> LayerAdapters<B> {
    fn empty() -> Self {
        LayerAdapters {
            q: None,
            k: None,
            v: None,
            o: None,
            gate: None,
            up: None,
            down: None,
        }
    }
}

/// Why an adapter folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Weights(#[from] WeightsError),
}

pub const ADAPTER_WEIGHTS: &str = "adapter_model.safetensors";
pub const ADAPTER_CONFIG: &str = "adapter_config.json";

fn peft_prefix(layer: usize, target: Target) -> String {
    format!("base_model.model.model.layers.{layer}.{}", target.module())
}

/// Reads `adapter_config.json` back into a [`LoraConfig`].
pub fn read_peft_config(dir: &Path) -> Result<LoraConfig, String> {
    let path = dir.join(ADAPTER_CONFIG);
    let text = std::fs::read_to_string(&path).map_err(|err| format!("{}: {err}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))?;
    let field = |name: &str| {
        value
            .get(name)
            .ok_or_else(|| format!("{}: no `{name}`", path.display()))
    };
    let rank = field("r")?.as_u64().ok_or("r is not an integer")? as usize;
    let alpha = field("lora_alpha")?.as_f64().ok_or("lora_alpha is not a number")?;
    let dropout = value.get("lora_dropout").and_then(|v| v.as_f64()).unwrap_or(0.0);
    let targets = field("target_modules")?
        .as_array()
        .ok_or("target_modules is not a list")?
        .iter()
        .map(|name| {
            let name = name.as_str().unwrap_or_default();
            Target::ALL
                .into_iter()
                .find(|t| t.peft_name() == name)
                .ok_or_else(|| format!("{}: unknown target module `{name}`", path.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LoraConfig {
        rank,
        alpha,
        dropout,
        targets,
    })
}
