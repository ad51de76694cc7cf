//! Hugging Face checkpoints on disk: `model.safetensors` (or a sharded
//! `model.safetensors.index.json`) read into f32, and f32 tensors written back with the same names.
//!
//! Why widen on load: training, the LoRA merge and the exported model all work in f32 whatever the
//! checkpoint's dtype — the VAZHI team lost a model to a merge done in 4-bit weights.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use half::{bf16, f16};
use safetensors::SafeTensors;
use safetensors::tensor::{Dtype, TensorView};

/// One tensor, widened to f32, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct HostTensor {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

impl HostTensor {
    pub fn new(shape: Vec<usize>, values: Vec<f32>) -> Self {
        debug_assert_eq!(shape.iter().product::<usize>(), values.len());
        Self { shape, values }
    }
}

/// Why a checkpoint could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a safetensors file: {message}")]
    Format { path: PathBuf, message: String },
    #[error("{path}: tensor `{name}` is {dtype:?}; vazhi-train reads f32, bf16 and f16")]
    Dtype { path: PathBuf, name: String, dtype: Dtype },
    #[error("{path}: no tensor `{name}`")]
    Missing { path: PathBuf, name: String },
    #[error("{path}: tensor `{name}` has shape {actual:?}, expected {expected:?}")]
    Shape {
        path: PathBuf,
        name: String,
        expected: Vec<usize>,
        actual: Vec<usize>,
    },
    #[error("{path}: no model.safetensors or model.safetensors.index.json")]
    NoCheckpoint { path: PathBuf },
}

/// The tensors of a checkpoint, by Hugging Face name.
#[derive(Debug, Default)]
pub struct Checkpoint {
    /// Where the tensors came from, for messages.
    pub origin: PathBuf,
    pub tensors: HashMap<String, HostTensor>,
}

impl Checkpoint {
    /// Reads a model directory (`model.safetensors`, or the shards an index names) or one
    /// `.safetensors` file.
    pub fn load(path: &Path) -> Result<Checkpoint, WeightsError> {
        let files = if path.is_dir() {
            checkpoint_files(path)?
        } else {
            vec![path.to_owned()]
        };
        let mut checkpoint = Checkpoint {
            origin: path.to_owned(),
            tensors: HashMap::new(),
        };
        for file in files {
            checkpoint.tensors.extend(read_file(&file)?);
        }
        Ok(checkpoint)
    }

    /// Takes a tensor out of the checkpoint, checking its shape.
    pub fn take(&mut self, name: &str, expected: &[usize]) -> Result<HostTensor, WeightsError> {
        let tensor = self.tensors.remove(name).ok_or_else(|| WeightsError::Missing {
            path: self.origin.clone(),
            name: name.to_owned(),
        })?;
        if tensor.shape != expected {
            return Err(WeightsError::Shape {
                path: self.origin.clone(),
                name: name.to_owned(),
                expected: expected.to_vec(),
                actual: tensor.shape,
            });
        }
        Ok(tensor)
    }
}

fn checkpoint_files(dir: &Path) -> Result<Vec<PathBuf>, WeightsError> {
    let single = dir.join("model.safetensors");
    if single.is_file() {
        return Ok(vec![single]);
    }
    let index = dir.join("model.safetensors.index.json");
    if !index.is_file() {
        return Err(WeightsError::NoCheckpoint { path: dir.to_owned() });
    }
    let text = std::fs::read_to_string(&index).map_err(|source| WeightsError::Io {
        path: index.clone(),
        source,
    })?;
    let parsed: serde_json::Value = serde_json::from_str(&text).map_err(|err| WeightsError::Format {
        path: index.clone(),
        message: err.to_string(),
    })?;
    let map = parsed["weight_map"].as_object().ok_or_else(|| WeightsError::Format {
        path: index.clone(),
        message: "no weight_map".into(),
    })?;
    // One file per shard, in a stable order.
    let shards: std::collections::BTreeSet<&str> = map.values().filter_map(|v| v.as_str()).collect();
    Ok(shards.into_iter().map(|shard| dir.join(shard)).collect())
}

fn read_file(path: &Path) -> Result<Vec<(String, HostTensor)>, WeightsError> {
    let bytes = std::fs::read(path).map_err(|source| WeightsError::Io {
        path: path.to_owned(),
        source,
    })?;
    let file = SafeTensors::deserialize(&bytes).map_err(|err| WeightsError::Format {
        path: path.to_owned(),
        message: err.to_string(),
    })?;
    file.iter()
        .map(|(name, view)| {
            let values = widen(&view).ok_or_else(|| WeightsError::Dtype {
                path: path.to_owned(),
                name: name.to_owned(),
                dtype: view.dtype(),
            })?;
            Ok((name.to_owned(), HostTensor::new(view.shape().to_vec(), values)))
        })
        .collect()
}

/// Little-endian f32, bf16 or f16 bytes as f32.
fn widen(view: &TensorView<'_>) -> Option<Vec<f32>> {
    let data = view.data();
    let values = match view.dtype() {
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Dtype::BF16 => data
            .chunks_exact(2)
            .map(|b| bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        Dtype::F16 => data
            .chunks_exact(2)
            .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        _ => return None,
    };
    Some(values)
}

/// Writes f32 tensors as one safetensors file, names sorted (the format sorts them anyway).
pub fn save(
    path: &Path,
    tensors: &BTreeMap<String, HostTensor>,
    metadata: Option<HashMap<String, String>>,
) -> Result<(), WeightsError> {
    let bytes: Vec<(String, Vec<u8>, Vec<usize>)> = tensors
        .iter()
        .map(|(name, tensor)| {
            let data = tensor.values.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name.clone(), data, tensor.shape.clone())
        })
        .collect();
    let views = bytes
        .iter()
        .map(|(name, data, shape)| {
            TensorView::new(Dtype::F32, shape.clone(), data)
                .map(|view| (name.as_str(), view))
                .map_err(|err| WeightsError::Format {
                    path: path.to_owned(),
                    message: err.to_string(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    safetensors::serialize_to_file(views, metadata, path).map_err(|err| WeightsError::Format {
        path: path.to_owned(),
        message: err.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_round_trips_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.safetensors");
        let mut tensors = BTreeMap::new();
        tensors.insert(
            "a.weight".to_owned(),
            HostTensor::new(vec![2, 3], vec![1.0, -2.5, 3.0, 0.0, 1e-7, 7.0]),
        );
        save(&path, &tensors, None).unwrap();
        let mut loaded = Checkpoint::load(&path).unwrap();
        assert_eq!(loaded.take("a.weight", &[2, 3]).unwrap(), tensors["a.weight"]);
        assert!(matches!(
            loaded.take("a.weight", &[2, 3]),
            Err(WeightsError::Missing { .. })
        ));
    }

    #[test]
    fn a_wrong_shape_names_the_tensor() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.safetensors");
        let mut tensors = BTreeMap::new();
        tensors.insert("w".to_owned(), HostTensor::new(vec![4], vec![0.0; 4]));
        save(&path, &tensors, None).unwrap();
        let err = Checkpoint::load(&path).unwrap().take("w", &[2, 2]).unwrap_err();
        assert!(err.to_string().contains("`w` has shape [4], expected [2, 2]"), "{err}");
    }
}
