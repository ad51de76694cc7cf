//! burn's Qwen3 against `transformers`: logits for the fixture's random checkpoints (written by
//! scripts/qwen3_reference.py) must match within 1e-4 — f32, bf16 and f16 storage, tied and
//! untied embeddings.

use std::path::{Path, PathBuf};

use burn::backend::NdArray;
use vazhi_train::parity::{Reference, logits_of, max_difference};
use vazhi_train::weights::Checkpoint;

type B = NdArray<f32>;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-qwen3")
}

fn reference(name: &str) -> Reference {
    Reference::load(&fixture().join("reference.safetensors"), name).unwrap()
}

fn assert_parity(dir: &Path, reference_name: &str) {
    let reference = reference(reference_name);
    let actual = logits_of::<B>(dir, &reference, &Default::default()).unwrap();
    let spread = reference.logits.iter().map(|v| v.abs()).fold(0.0, f32::max);
    assert!(
        spread > 1.0,
        "reference logits too small to test anything: max |logit| {spread}"
    );
    let difference = max_difference(&actual, &reference.logits);
    assert!(
        difference <= 1e-4,
        "{}: max |burn - transformers| = {difference:e}",
        dir.display()
    );
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
    tensors
        .get_mut("model.layers.1.self_attn.k_norm.weight")
        .unwrap()
        .values[3] += 0.05;
    vazhi_train::weights::save(&dir.path().join("model.safetensors"), &tensors, None).unwrap();
    let reference = reference("logits");
    let difference = max_difference(
        &logits_of::<B>(dir.path(), &reference, &Default::default()).unwrap(),
        &reference.logits,
    );
    assert!(difference > 1e-4, "a changed weight went unnoticed ({difference:e})");
}
