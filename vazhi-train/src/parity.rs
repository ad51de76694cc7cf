//! Comparing burn's logits with a reference's: the file scripts/qwen3_reference.py writes
//! (`input_ids` as i64 or f32, logits as f32, by name), and the largest absolute difference.
//! The parity tests use it on the CPU; `vazhi-train parity` runs it on any backend.

use std::path::{Path, PathBuf};

use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use safetensors::SafeTensors;
use safetensors::tensor::Dtype;

use crate::host::to_host;
use crate::model::{ModelError, Qwen3};

/// Reference input ids and logits.
#[derive(Debug, Clone)]
pub struct Reference {
    pub ids: Vec<i64>,
    /// `[batch, seq]`.
    pub shape: [usize; 2],
    pub logits: Vec<f32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ParityError {
    #[error("{path}: {message}")]
    Reference { path: PathBuf, message: String },
    #[error(transparent)]
    Model(#[from] ModelError),
}

impl Reference {
    /// Reads `input_ids` and the logits tensor `name` from a safetensors file.
    pub fn load(path: &Path, name: &str) -> Result<Reference, ParityError> {
        let bad = |message: String| ParityError::Reference {
            path: path.to_owned(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|err| bad(err.to_string()))?;
        let file = SafeTensors::deserialize(&bytes).map_err(|err| bad(err.to_string()))?;
        let ids = file.tensor("input_ids").map_err(|err| bad(err.to_string()))?;
        let &[batch, seq] = ids.shape() else {
            return Err(bad(format!(
                "input_ids has shape {:?}, expected [batch, seq]",
                ids.shape()
            )));
        };
        let ids_values: Vec<i64> = match ids.dtype() {
            Dtype::I64 => ids
                .data()
                .chunks_exact(8)
                .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
            Dtype::F32 => ids
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")) as i64)
                .collect(),
            other => return Err(bad(format!("input_ids is {other:?}; expected I64 or F32"))),
        };
        let logits = file.tensor(name).map_err(|err| bad(err.to_string()))?;
        if logits.dtype() != Dtype::F32 {
            return Err(bad(format!("{name} is {:?}; expected F32", logits.dtype())));
        }
        let logits = logits
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
            .collect();
        Ok(Reference {
            ids: ids_values,
            shape: [batch, seq],
            logits,
        })
    }
}

/// The model in `dir`'s logits on the reference's ids, flattened.
pub fn logits_of<B: Backend>(dir: &Path, reference: &Reference, device: &B::Device) -> Result<Vec<f32>, ParityError> {
    let (_, model) = Qwen3::<B>::load_dir(dir, device)?;
    let input = Tensor::<B, 2, Int>::from_data(TensorData::new(reference.ids.clone(), reference.shape), device);
    Ok(to_host(model.forward(input, None).into_data()))
}

/// The largest `|a - b|`; infinite when the lengths differ.
pub fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return f32::INFINITY;
    }
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}
