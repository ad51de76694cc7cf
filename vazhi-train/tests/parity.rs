//! burn's Qwen3 against `transformers`: logits for the fixture's random checkpoints (written by
//! scripts/qwen3_reference.py) must match within 1e-4 — f32, bf16 and f16 storage, tied and
//! untied embeddings.

use std::path::{Path, PathBuf};

use burn::backend::NdArray;
use burn::tensor::{Int, Tensor, TensorData};
use vazhi_train::config::Qwen3Config;
use vazhi_train::model::{Qwen3, to_host};
use vazhi_train::weights::Checkpoint;

type B = NdArray<f32>;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-qwen3")
}

/// The reference input ids `[2, 24]` and the named logits `[2, 24, vocab]`.
fn reference(name: &str) -> (Vec<i64>, [usize; 2], Vec<f32>) {
    let bytes = std::fs::read(fixture().join("reference.safetensors")).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let ids = file.tensor("input_ids").unwrap();
    let shape = [ids.shape()[0], ids.shape()[1]];
    let ids: Vec<i64> = ids
        .data()
        .chunks_exact(8)
        .map(|b| i64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let logits = file.tensor(name).unwrap();
    let logits: Vec<f32> = logits
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    (ids, shape, logits)
}

fn logits_of(dir: &Path, ids: &[i64], shape: [usize; 2]) -> Vec<f32> {
    let device = Default::default();
    let config = Qwen3Config::load(dir).unwrap();
    let model = Qwen3::<B>::load(&config, &mut Checkpoint::load(dir).unwrap(), &device).unwrap();
    let input = Tensor::<B, 2, Int>::from_data(TensorData::new(ids.to_vec(), shape), &device);
    to_host(model.forward(input, None).into_data())
}

fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn assert_parity(dir: &Path, reference_name: &str) {
    let (ids, shape, expected) = reference(reference_name);
    let actual = logits_of(dir, &ids, shape);
    let spread = expected.iter().map(|v| v.abs()).fold(0.0, f32::max);
    assert!(spread > 1.0, "reference logits too small to test anything: max |logit| {spread}");
    let difference = max_difference(&actual, &expected);
    assert!(difference <= 1e-4, "{}: max |burn - transformers| = {difference:e}", dir.display());
}

#[test]
fn f32_checkpoint_matches_transformers() {
    assert_parity(&fixture(), "logits");
}

#[test]
fn bf16_checkpoint_matches_transformers() {
    assert_parity(&fixture().join("bf16"), "logits_bf16");
}

#[test]
fn f16_checkpoint_matches_transformers() {
    assert_parity(&fixture().join("f16"), "logits_f16");
}

#[test]
fn untied_embeddings_match_transformers() {
    assert_parity(&fixture().join("untied"), "logits_untied");
}

#[test]
fn a_perturbed_weight_breaks_parity() {
    // The comparison can fail: one changed norm weight moves the logits past the tolerance.
    let dir = tempfile::tempdir().unwrap();
    for name in ["config.json", "model.safetensors"] {
        std::fs::copy(fixture().join(name), dir.path().join(name)).unwrap();
    }
    let mut checkpoint = Checkpoint::load(dir.path()).unwrap();
    let mut tensors: std::collections::BTreeMap<_, _> = checkpoint.tensors.drain().collect();
    tensors.get_mut("model.layers.1.self_attn.k_norm.weight").unwrap().values[3] += 0.05;
    vazhi_train::weights::save(&dir.path().join("model.safetensors"), &tensors, None).unwrap();
    let (ids, shape, expected) = reference("logits");
    let difference = max_difference(&logits_of(dir.path(), &ids, shape), &expected);
    assert!(difference > 1e-4, "a changed weight went unnoticed ({difference:e})");
}
