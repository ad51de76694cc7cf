//! Tensors on the host: a backend's data as plain f32, and the transposes between burn's
//! `[in, out]` weights and the `[out, in]` that Hugging Face and PEFT files store.

use burn::tensor::TensorData;

/// A tensor's values on the host as f32.
pub fn to_host(data: TensorData) -> Vec<f32> {
    data.convert::<f32>()
        .to_vec::<f32>()
        .expect("f32 data after conversion")
}

/// `[rows, cols]` row-major to `[cols, rows]`.
pub fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = values[r * cols + c];
        }
    }
    out
}
