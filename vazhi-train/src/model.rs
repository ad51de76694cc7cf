//! Qwen3 in burn: RMSNorm, rotary position embeddings, grouped-query attention with per-head
//! q/k RMSNorm, and a SwiGLU MLP — the layers of `transformers`' `modeling_qwen3.py`, computed the
//! same way so logits match the reference within 1e-4 (tests/parity.rs).
//!
//! Weights are stored `[in, out]` (transposed from Hugging Face's `[out, in]` once, on load) so a
//! projection is one matmul. The base model is frozen: training passes [`Adapters`] beside it.

use std::collections::BTreeMap;

use burn::module::{Module, Param};
use burn::tensor::activation::{silu, softmax};
use burn::tensor::backend::Backend;
use burn::tensor::{Bool, Distribution, Int, Tensor, TensorData};

use crate::config::{ConfigError, Qwen3Config};
use crate::host::{to_host, transpose};
use crate::lora::{Adaptable, Adapters, Lora, Target};
use crate::weights::{Checkpoint, HostTensor, WeightsError};

/// Why a model folder could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Weights(#[from] WeightsError),
}

/// Where [`Qwen3::build_with`] gets each tensor, by Hugging Face name and shape.
type TensorSource<'s> = dyn FnMut(&str, &[usize]) -> Result<HostTensor, WeightsError> + 's;

/// Makes a tensor on the device for a source tensor that has no values (random init).
type Fill<'f, B> = dyn Fn(&[usize], &<B as burn::tensor::backend::BackendTypes>::Device) -> Tensor<B, 2> + 'f;

/// Root-mean-square layer norm over the last dimension, with a learned scale.
#[derive(Module, Debug)]
pub struct RmsNorm<B: Backend> {
    pub weight: Param<Tensor<B, 1>>,
    pub eps: f64,
}

impl<B: Backend> RmsNorm<B> {
    pub fn forward<const D: usize>(&self, x: Tensor<B, D>) -> Tensor<B, D> {
        let rms = x.clone().powi_scalar(2).mean_dim(D - 1).add_scalar(self.eps).sqrt();
        x.div(rms).mul(self.weight.val().unsqueeze::<D>())
    }
}

/// Grouped-query self-attention with q/k norms (Qwen3's addition over Qwen2).
#[derive(Module, Debug)]
pub struct Attention<B: Backend> {
    pub q_proj: Param<Tensor<B, 2>>,
    pub k_proj: Param<Tensor<B, 2>>,
    pub v_proj: Param<Tensor<B, 2>>,
    pub o_proj: Param<Tensor<B, 2>>,
    pub q_norm: RmsNorm<B>,
    pub k_norm: RmsNorm<B>,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
}

/// The SwiGLU feed-forward block: `down(silu(gate(x)) * up(x))`.
#[derive(Module, Debug)]
pub struct Mlp<B: Backend> {
    pub gate_proj: Param<Tensor<B, 2>>,
    pub up_proj: Param<Tensor<B, 2>>,
    pub down_proj: Param<Tensor<B, 2>>,
}

#[derive(Module, Debug)]
pub struct DecoderLayer<B: Backend> {
    pub input_layernorm: RmsNorm<B>,
    pub self_attn: Attention<B>,
    pub post_attention_layernorm: RmsNorm<B>,
    pub mlp: Mlp<B>,
}

/// A Qwen3 causal language model.
#[derive(Module, Debug)]
pub struct Qwen3<B: Backend> {
    /// `[vocab, hidden]`.
    pub embed_tokens: Param<Tensor<B, 2>>,
    pub layers: Vec<DecoderLayer<B>>,
    pub norm: RmsNorm<B>,
    /// `[hidden, vocab]`; `None` when the output projection is the embedding (tied).
    pub lm_head: Option<Param<Tensor<B, 2>>>,
    pub rope_theta: f64,
}

/// `x · w` for `x: [batch, seq, in]`, `w: [in, out]`, plus the adapter's `scale · dropout(x) · A · B`.
fn project<B: Backend>(x: Tensor<B, 3>, weight: &Param<Tensor<B, 2>>, lora: Option<&Lora<B>>) -> Tensor<B, 3> {
    let [batch, seq, width] = x.dims();
    let flat = x.reshape([batch * seq, width]);
    let mut out = flat.clone().matmul(weight.val());
    if let Some(lora) = lora {
        out = out + lora.delta(flat);
    }
    let out_width = out.dims()[1];
    out.reshape([batch, seq, out_width])
}

/// Rotary tables `cos, sin: [seq, head_dim]` as `transformers` computes them: f32 inverse
/// frequencies `theta^(-2i/d)`, angles `position · inv_freq` in f32, each half repeated.
fn rotary_tables<B: Backend>(
    seq: usize,
    head_dim: usize,
    theta: f64,
    device: &B::Device,
) -> (Tensor<B, 2>, Tensor<B, 2>) {
    let half = head_dim / 2;
    let inv_freq: Vec<f32> = (0..half)
        .map(|i| 1.0 / (theta as f32).powf((2 * i) as f32 / head_dim as f32))
        .collect();
    let mut cos = Vec::with_capacity(seq * head_dim);
    let mut sin = Vec::with_capacity(seq * head_dim);
    for position in 0..seq {
        for _half in 0..2 {
            for freq in &inv_freq {
                let angle = position as f32 * freq;
                cos.push(angle.cos());
                sin.push(angle.sin());
            }
        }
    }
    (
        Tensor::from_data(TensorData::new(cos, [seq, head_dim]), device),
        Tensor::from_data(TensorData::new(sin, [seq, head_dim]), device),
    )
}

/// `x · cos + rotate_half(x) · sin` on `[batch, heads, seq, head_dim]`.
fn apply_rotary<B: Backend>(x: Tensor<B, 4>, cos: &Tensor<B, 4>, sin: &Tensor<B, 4>) -> Tensor<B, 4> {
    let half = x.dims()[3] / 2;
    let first = x.clone().narrow(3, 0, half);
    let second = x.clone().narrow(3, half, half);
    let rotated = Tensor::cat(vec![second.neg(), first], 3);
    x * cos.clone() + rotated * sin.clone()
}

/// Keys and values of the slots seen so far, one pair of slot tensors
/// `[batch, kv_heads, capacity, head_dim]` per layer, allocated once for the whole generation:
/// every decoding step then has the same shapes, so a JIT backend compiles its kernels once per
/// capacity rather than once per token. Slots past the current one hold zeros or padding and are
/// masked out of attention.
///
/// Sequences of different lengths share the slots left-padded: row `r`'s first
/// `left_padding[r]` slots are padding, never attended to, and its token in slot `s` sits at
/// position `s - left_padding[r]`, so each row computes what it would alone.
pub struct KvCache<B: Backend> {
    /// Per layer; taken out while the layer writes into it, so the write can happen in place.
    layers: Vec<Option<LayerSlots<B>>>,
    /// Rotary tables for every position, `[capacity, head_dim]`.
    cos: Tensor<B, 2>,
    sin: Tensor<B, 2>,
    capacity: usize,
    left_padding: Vec<usize>,
}

/// One layer's `(keys, values)` slots.
type LayerSlots<B> = (Tensor<B, 4>, Tensor<B, 4>);

impl<B: Backend> KvCache<B> {
    /// Positions the cache holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// Grouped-query attention of `q: [batch, heads, queries, d]` over `k, v: [batch, kv_heads, keys, d]`,
/// positions where `mask` is true left out: `[batch, queries, heads · d]`.
fn attend<B: Backend>(q: Tensor<B, 4>, k: Tensor<B, 4>, v: Tensor<B, 4>, mask: &Tensor<B, 4, Bool>) -> Tensor<B, 3> {
    let [batch, heads, queries, d] = q.dims();
    let [_, kv_heads, keys, _] = k.dims();
    // Each key/value head serves `heads / kv_heads` query heads.
    let group = heads / kv_heads;
    let expand = |t: Tensor<B, 4>| {
        if group == 1 {
            t
        } else {
            t.unsqueeze_dim::<5>(2)
                .repeat_dim(2, group)
                .reshape([batch, heads, keys, d])
        }
    };
    let (k, v) = (expand(k), expand(v));
    let scores = q.matmul(k.swap_dims(2, 3)).mul_scalar(1.0 / (d as f64).sqrt());
    let scores = scores.mask_fill(mask.clone(), -1.0e30);
    let context = softmax(scores, 3).matmul(v);
    context.swap_dims(1, 2).reshape([batch, queries, heads * d])
}

impl<B: Backend> Attention<B> {
    /// Self-attention of `x: [batch, seq, hidden]`. With `cache`, the sequence sits at slots
    /// `start..start + seq` of the cache: its keys and values are written there and the queries
    /// attend over every slot (`mask` hides the later ones); the updated slots are handed back.
    fn forward(
        &self,
        x: Tensor<B, 3>,
        rope: (&Tensor<B, 4>, &Tensor<B, 4>),
        mask: &Tensor<B, 4, Bool>,
        cache: Option<(LayerSlots<B>, usize)>,
        adapters: Option<&crate::lora::LayerAdapters<B>>,
    ) -> (Tensor<B, 3>, Option<LayerSlots<B>>) {
        let [batch, seq, _] = x.dims();
        let (heads, kv_heads, d) = (self.heads, self.kv_heads, self.head_dim);
        let lora = |target| adapters.and_then(|a| a.get(target));
        let q = project(x.clone(), &self.q_proj, lora(Target::Q)).reshape([batch, seq, heads, d]);
        let k = project(x.clone(), &self.k_proj, lora(Target::K)).reshape([batch, seq, kv_heads, d]);
        let v = project(x, &self.v_proj, lora(Target::V)).reshape([batch, seq, kv_heads, d]);
        let q = apply_rotary(self.q_norm.forward(q).swap_dims(1, 2), rope.0, rope.1);
        let k = apply_rotary(self.k_norm.forward(k).swap_dims(1, 2), rope.0, rope.1);
        let v = v.swap_dims(1, 2);
        let (context, slots) = match cache {
            None => (attend(q, k, v, mask), None),
            Some(((keys, values), start)) => {
                let at = [0..batch, 0..kv_heads, start..start + seq, 0..d];
                let keys = keys.slice_assign(at.clone(), k);
                let values = values.slice_assign(at, v);
                (attend(q, keys.clone(), values.clone(), mask), Some((keys, values)))
            }
        };
        (project(context, &self.o_proj, lora(Target::O)), slots)
    }
}

impl<B: Backend> DecoderLayer<B> {
    /// The pre-norm residual block; see [`Attention::forward`] for `mask` and `cache`.
    fn forward(
        &self,
        x: Tensor<B, 3>,
        rope: (&Tensor<B, 4>, &Tensor<B, 4>),
        mask: &Tensor<B, 4, Bool>,
        cache: Option<(LayerSlots<B>, usize)>,
        adapters: Option<&crate::lora::LayerAdapters<B>>,
    ) -> (Tensor<B, 3>, Option<LayerSlots<B>>) {
        let (attended, slots) =
            self.self_attn
                .forward(self.input_layernorm.forward(x.clone()), rope, mask, cache, adapters);
        let x = x + attended;
        let x = x.clone() + self.mlp.forward(self.post_attention_layernorm.forward(x), adapters);
        (x, slots)
    }
}

impl<B: Backend> Mlp<B> {
    fn forward(&self, x: Tensor<B, 3>, adapters: Option<&crate::lora::LayerAdapters<B>>) -> Tensor<B, 3> {
        let lora = |target| adapters.and_then(|a| a.get(target));
        let gate = silu(project(x.clone(), &self.gate_proj, lora(Target::Gate)));
        let up = project(x, &self.up_proj, lora(Target::Up));
        project(gate * up, &self.down_proj, lora(Target::Down))
    }
}

impl<B: Backend> Qwen3<B> {
    /// Final hidden states `[batch, seq, hidden]` for token ids `[batch, seq]`. Attention is
    /// causal only: batches are right-padded, so padding never precedes a real token.
    pub fn hidden(&self, ids: Tensor<B, 2, Int>, adapters: Option<&Adapters<B>>) -> Tensor<B, 3> {
        let [batch, seq] = ids.dims();
        let device = ids.device();
        let (cos, sin) = rotary_tables::<B>(seq, self.head_dim(), self.rope_theta, &device);
        let (cos, sin) = (cos.unsqueeze::<4>(), sin.unsqueeze::<4>());
        // True above the diagonal: a position never attends to a later one.
        let causal = Tensor::<B, 2, Bool>::tril_mask([seq, seq], 0, &device)
            .unsqueeze::<4>()
            .expand([batch, self.heads(), seq, seq]);
        let mut x = self.embed(ids);
        for (index, layer) in self.layers.iter().enumerate() {
            let layer_adapters = adapters.map(|a| &a.layers[index]);
            (x, _) = layer.forward(x, (&cos, &sin), &causal, None, layer_adapters);
        }
        self.norm.forward(x)
    }

    /// An empty [`KvCache`] of `capacity` slots for one sequence per entry of `left_padding`,
    /// which says how many leading slots of that row are padding (see [`KvCache`]).
    pub fn kv_cache(&self, left_padding: &[usize], capacity: usize, device: &B::Device) -> KvCache<B> {
        let (batch, d) = (left_padding.len(), self.head_dim());
        let (cos, sin) = rotary_tables::<B>(capacity, d, self.rope_theta, device);
        let layers = self
            .layers
            .iter()
            .map(|layer| {
                let shape = [batch, layer.self_attn.kv_heads, capacity, d];
                Some((Tensor::zeros(shape, device), Tensor::zeros(shape, device)))
            })
            .collect();
        KvCache {
            layers,
            cos,
            sin,
            capacity,
            left_padding: left_padding.to_vec(),
        }
    }

    /// Final hidden states `[batch, seq, hidden]` of token ids `[batch, seq]` in slots
    /// `start..start + seq`, attending to what `cache` holds before them and to each other
    /// causally; their keys and values are written into the cache. For a row without left
    /// padding, equal within float rounding to the rows `start..start + seq` of
    /// [`Qwen3::hidden`] over the whole sequence; a left-padded row equals its unpadded self.
    ///
    /// # Panics
    /// When `start + seq` exceeds the cache's capacity, or `ids` has not one row per cache row.
    pub fn hidden_cached(
        &self,
        ids: Tensor<B, 2, Int>,
        start: usize,
        cache: &mut KvCache<B>,
        adapters: Option<&Adapters<B>>,
    ) -> Tensor<B, 3> {
        let [batch, seq] = ids.dims();
        let capacity = cache.capacity;
        assert!(
            start + seq <= capacity,
            "positions {start}..{} past the cache's {capacity}",
            start + seq
        );
        assert_eq!(batch, cache.left_padding.len(), "one row of ids per cache row");
        let device = ids.device();
        // Each row's rotary angles are those of its own positions, slot minus padding, as
        // transformers derives position ids from the attention mask. Rotary attention depends on
        // position differences only, so this keeps the row's rounding, not its result, the same
        // as unpadded.
        let positions: Vec<i64> = cache
            .left_padding
            .iter()
            .flat_map(|&pad| (start..start + seq).map(move |slot| slot.saturating_sub(pad) as i64))
            .collect();
        let positions = Tensor::<B, 1, Int>::from_data(TensorData::new(positions, [batch * seq]), &device);
        let d = self.head_dim();
        let rotary = |table: &Tensor<B, 2>| table.clone().select(0, positions.clone()).reshape([batch, 1, seq, d]);
        let (cos, sin) = (rotary(&cache.cos), rotary(&cache.sin));
        // Query `i` (in slot start + i) sees its row's slots from the end of the padding up to
        // its own.
        let hidden_slots: Vec<bool> = cache
            .left_padding
            .iter()
            .flat_map(|&pad| (0..seq).flat_map(move |i| (0..capacity).map(move |slot| slot > start + i || slot < pad)))
            .collect();
        let mask = Tensor::<B, 3, Bool>::from_data(TensorData::new(hidden_slots, [batch, seq, capacity]), &device)
            .unsqueeze_dim::<4>(1)
            .expand([batch, self.heads(), seq, capacity]);
        let mut x = self.embed(ids);
        for (index, layer) in self.layers.iter().enumerate() {
            let layer_adapters = adapters.map(|a| &a.layers[index]);
            let slots = cache.layers[index]
                .take()
                .expect("every layer's slots are back in the cache");
            let (out, slots) = layer.forward(x, (&cos, &sin), &mask, Some((slots, start)), layer_adapters);
            x = out;
            cache.layers[index] = slots;
        }
        self.norm.forward(x)
    }

    /// Embedding rows of token ids `[batch, seq]`: `[batch, seq, hidden]`.
    fn embed(&self, ids: Tensor<B, 2, Int>) -> Tensor<B, 3> {
        let [batch, seq] = ids.dims();
        let hidden_size = self.embed_tokens.dims()[1];
        self.embed_tokens
            .val()
            .select(0, ids.reshape([batch * seq]))
            .reshape([batch, seq, hidden_size])
    }

    fn head_dim(&self) -> usize {
        self.layers.first().map_or(2, |layer| layer.self_attn.head_dim)
    }

    fn heads(&self) -> usize {
        self.layers.first().map_or(1, |layer| layer.self_attn.heads)
    }

    /// Logits `[batch, seq, vocab]`.
    pub fn forward(&self, ids: Tensor<B, 2, Int>, adapters: Option<&Adapters<B>>) -> Tensor<B, 3> {
        let hidden = self.hidden(ids, adapters);
        self.logits(hidden)
    }

    /// The output projection of hidden states `[batch, seq, hidden]`.
    pub fn logits(&self, hidden: Tensor<B, 3>) -> Tensor<B, 3> {
        let [batch, seq, width] = hidden.dims();
        let logits = self.project(hidden.reshape([batch * seq, width]));
        let vocab = logits.dims()[1];
        logits.reshape([batch, seq, vocab])
    }

    /// The output projection of rows of hidden states `[rows, hidden]` → `[rows, vocab]`.
    pub fn project(&self, rows: Tensor<B, 2>) -> Tensor<B, 2> {
        match &self.lm_head {
            Some(head) => rows.matmul(head.val()),
            None => rows.matmul(self.embed_tokens.val().transpose()),
        }
    }

    /// The output projection for decoding: one row per sequence, `[batch, hidden]` →
    /// `[batch, vocab]`. With tied embeddings it is computed as `(E · rowsᵀ)ᵀ`, reading the
    /// `[vocab, hidden]` embedding as stored: `rows · Eᵀ` ([`Qwen3::project`]) has the ndarray
    /// backend copy the transposed embedding (622 MB for Qwen3-0.6B) on every call, which cost
    /// more than all the layers of a cached decoding step. Training keeps [`Qwen3::project`]:
    /// its thousands of rows amortise the copy, and its logits stay row-major.
    pub fn next_token_logits(&self, rows: Tensor<B, 2>) -> Tensor<B, 2> {
        match &self.lm_head {
            Some(head) => rows.matmul(head.val()),
            None => self.embed_tokens.val().matmul(rows.transpose()).transpose(),
        }
    }

    pub fn vocab_size(&self) -> usize {
        self.embed_tokens.dims()[0]
    }

    /// Loads a Hugging Face checkpoint (tensor names as `save_pretrained` writes them). Every
    /// tensor the architecture needs must be present with its shape; the model is frozen.
    pub fn load(config: &Qwen3Config, checkpoint: &mut Checkpoint, device: &B::Device) -> Result<Self, WeightsError> {
        let mut source = |name: &str, shape: &[usize]| checkpoint.take(name, shape);
        Self::build(config, &mut source, device).map(Module::no_grad)
    }

    /// Loads a Hugging Face model folder: its `config.json` and its weights.
    pub fn load_dir(dir: &std::path::Path, device: &B::Device) -> Result<(Qwen3Config, Self), ModelError> {
        let config = Qwen3Config::load(dir)?;
        let model = Self::load(&config, &mut Checkpoint::load(dir)?, device)?;
        Ok((config, model))
    }

    /// A model with random weights of `config`'s shape (benchmarks): normal(0, 0.02) matrices,
    /// unit norms, as `transformers` initialises.
    pub fn random(config: &Qwen3Config, device: &B::Device) -> Self {
        let mut source = |_: &str, shape: &[usize]| -> Result<HostTensor, WeightsError> {
            // No values: `build_with` asks `fill` for this tensor instead.
            Ok(HostTensor {
                shape: shape.to_vec(),
                values: Vec::new(),
            })
        };
        let mut model = Self::build_with(config, &mut source, device, &|shape, device| {
            if shape.len() == 1 {
                Tensor::<B, 1>::ones([shape[0]], device).reshape(shape_of(shape))
            } else {
                Tensor::<B, 2>::random([shape[0], shape[1]], Distribution::Normal(0.0, 0.02), device)
                    .reshape(shape_of(shape))
            }
        })
        .expect("random weights have every tensor");
        model = model.no_grad();
        model
    }

    fn build(config: &Qwen3Config, source: &mut TensorSource<'_>, device: &B::Device) -> Result<Self, WeightsError> {
        Self::build_with(config, source, device, &|_, _| {
            unreachable!("every tensor comes from the checkpoint")
        })
    }

    /// Builds the model from a source of Hugging Face tensors; a source tensor without values
    /// (random init) is generated by `fill` on the device instead.
    fn build_with(
        config: &Qwen3Config,
        source: &mut TensorSource<'_>,
        device: &B::Device,
        fill: &Fill<'_, B>,
    ) -> Result<Self, WeightsError> {
        let (h, d, inter) = (config.hidden_size, config.head_dim(), config.intermediate_size);
        let (heads, kv_heads, vocab) = (
            config.num_attention_heads,
            config.num_key_value_heads,
            config.vocab_size,
        );
        let mut vector = |name: &str, len: usize| -> Result<Param<Tensor<B, 1>>, WeightsError> {
            let host = source(name, &[len])?;
            let tensor = if host.values.is_empty() {
                fill(&[len], device).reshape([len])
            } else {
                Tensor::from_data(TensorData::new(host.values, [len]), device)
            };
            Ok(Param::from_tensor(tensor))
        };
        let mut norms = Vec::new();
        let mut names = Vec::new();
        for layer in 0..config.num_hidden_layers {
            let prefix = format!("model.layers.{layer}");
            names.push(prefix.clone());
            norms.push([
                vector(&format!("{prefix}.input_layernorm.weight"), h)?,
                vector(&format!("{prefix}.post_attention_layernorm.weight"), h)?,
                vector(&format!("{prefix}.self_attn.q_norm.weight"), d)?,
                vector(&format!("{prefix}.self_attn.k_norm.weight"), d)?,
            ]);
        }
        let final_norm = vector("model.norm.weight", h)?;
        // The embedding keeps Hugging Face's `[vocab, hidden]`: rows are looked up by token id.
        let embed = source("model.embed_tokens.weight", &[vocab, h])?;
        let embed_tokens = Param::from_tensor(if embed.values.is_empty() {
            fill(&[vocab, h], device)
        } else {
            Tensor::from_data(TensorData::new(embed.values, [vocab, h]), device)
        });
        // Hugging Face stores projections `[out, in]`; they become `[in, out]` here.
        let mut matrix = |name: &str, out: usize, inp: usize| -> Result<Param<Tensor<B, 2>>, WeightsError> {
            let host = source(name, &[out, inp])?;
            let tensor = if host.values.is_empty() {
                fill(&[inp, out], device)
            } else {
                Tensor::from_data(TensorData::new(transpose(&host.values, out, inp), [inp, out]), device)
            };
            Ok(Param::from_tensor(tensor))
        };
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for (prefix, [input_norm, post_norm, q_norm, k_norm]) in names.iter().zip(norms) {
            let eps = config.rms_norm_eps;
            layers.push(DecoderLayer {
                input_layernorm: RmsNorm {
                    weight: input_norm,
                    eps,
                },
                post_attention_layernorm: RmsNorm { weight: post_norm, eps },
                self_attn: Attention {
                    q_proj: matrix(&format!("{prefix}.self_attn.q_proj.weight"), heads * d, h)?,
                    k_proj: matrix(&format!("{prefix}.self_attn.k_proj.weight"), kv_heads * d, h)?,
                    v_proj: matrix(&format!("{prefix}.self_attn.v_proj.weight"), kv_heads * d, h)?,
                    o_proj: matrix(&format!("{prefix}.self_attn.o_proj.weight"), h, heads * d)?,
                    q_norm: RmsNorm { weight: q_norm, eps },
                    k_norm: RmsNorm { weight: k_norm, eps },
                    heads,
                    kv_heads,
                    head_dim: d,
                },
                mlp: Mlp {
                    gate_proj: matrix(&format!("{prefix}.mlp.gate_proj.weight"), inter, h)?,
                    up_proj: matrix(&format!("{prefix}.mlp.up_proj.weight"), inter, h)?,
                    down_proj: matrix(&format!("{prefix}.mlp.down_proj.weight"), h, inter)?,
                },
            });
        }
        let lm_head = if config.tie_word_embeddings {
            None
        } else {
            Some(matrix("lm_head.weight", vocab, h)?)
        };
        Ok(Qwen3 {
            embed_tokens,
            layers,
            norm: RmsNorm {
                weight: final_norm,
                eps: config.rms_norm_eps,
            },
            lm_head,
            rope_theta: config.rope_theta(),
        })
    }

    /// The weights under their Hugging Face names and layouts, in f32, for `save_pretrained`-style
    /// export.
    pub fn to_checkpoint(&self) -> BTreeMap<String, HostTensor> {
        let mut out = BTreeMap::new();
        let vector = |param: &Param<Tensor<B, 1>>| {
            let value = param.val();
            HostTensor::new(value.dims().to_vec(), to_host(value.into_data()))
        };
        let matrix = |param: &Param<Tensor<B, 2>>| {
            let [inp, outp] = param.dims();
            HostTensor::new(vec![outp, inp], transpose(&to_host(param.val().into_data()), inp, outp))
        };
        for (index, layer) in self.layers.iter().enumerate() {
            let p = format!("model.layers.{index}");
            let attn = &layer.self_attn;
            out.insert(
                format!("{p}.input_layernorm.weight"),
                vector(&layer.input_layernorm.weight),
            );
            out.insert(
                format!("{p}.post_attention_layernorm.weight"),
                vector(&layer.post_attention_layernorm.weight),
            );
            out.insert(format!("{p}.self_attn.q_norm.weight"), vector(&attn.q_norm.weight));
            out.insert(format!("{p}.self_attn.k_norm.weight"), vector(&attn.k_norm.weight));
            out.insert(format!("{p}.self_attn.q_proj.weight"), matrix(&attn.q_proj));
            out.insert(format!("{p}.self_attn.k_proj.weight"), matrix(&attn.k_proj));
            out.insert(format!("{p}.self_attn.v_proj.weight"), matrix(&attn.v_proj));
            out.insert(format!("{p}.self_attn.o_proj.weight"), matrix(&attn.o_proj));
            out.insert(format!("{p}.mlp.gate_proj.weight"), matrix(&layer.mlp.gate_proj));
            out.insert(format!("{p}.mlp.up_proj.weight"), matrix(&layer.mlp.up_proj));
            out.insert(format!("{p}.mlp.down_proj.weight"), matrix(&layer.mlp.down_proj));
        }
        out.insert("model.norm.weight".into(), vector(&self.norm.weight));
        let embed = self.embed_tokens.val();
        out.insert(
            "model.embed_tokens.weight".into(),
            HostTensor::new(embed.dims().to_vec(), to_host(embed.into_data())),
        );
        if let Some(head) = &self.lm_head {
            out.insert("lm_head.weight".into(), matrix(head));
        }
        out
    }
}

/// The projections LoRA adapts, by layer and target.
impl<B: Backend> Adaptable<B> for Qwen3<B> {
    fn num_layers(&self) -> usize {
        self.layers.len()
    }

    /// The projection a LoRA target adapts, in layer `layer`.
    fn projection(&self, layer: usize, target: Target) -> &Param<Tensor<B, 2>> {
        let layer = &self.layers[layer];
        match target {
            Target::Q => &layer.self_attn.q_proj,
            Target::K => &layer.self_attn.k_proj,
            Target::V => &layer.self_attn.v_proj,
            Target::O => &layer.self_attn.o_proj,
            Target::Gate => &layer.mlp.gate_proj,
            Target::Up => &layer.mlp.up_proj,
            Target::Down => &layer.mlp.down_proj,
        }
    }

    fn projection_mut(&mut self, layer: usize, target: Target) -> &mut Param<Tensor<B, 2>> {
        let layer = &mut self.layers[layer];
        match target {
            Target::Q => &mut layer.self_attn.q_proj,
            Target::K => &mut layer.self_attn.k_proj,
            Target::V => &mut layer.self_attn.v_proj,
            Target::O => &mut layer.self_attn.o_proj,
            Target::Gate => &mut layer.mlp.gate_proj,
            Target::Up => &mut layer.mlp.up_proj,
            Target::Down => &mut layer.mlp.down_proj,
        }
    }
}

fn shape_of(shape: &[usize]) -> [usize; 2] {
    match shape {
        [n] => [1, *n],
        [a, b] => [*a, *b],
        _ => unreachable!("model tensors are vectors and matrices"),
    }
}
