//! The backends a run can use, chosen at run time among those compiled in (cargo features
//! `ndarray` and `cuda`). Every backend computes in f32.

use std::fmt;
use std::str::FromStr;

/// burn's ndarray backend: CPU, the tests' backend.
#[cfg(feature = "ndarray")]
pub type Cpu = burn::backend::NdArray<f32>;

/// burn's CUDA backend (cubecl); libcuda is loaded at run time.
#[cfg(feature = "cuda")]
pub type Gpu = burn::backend::Cuda<f32, i32>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Ndarray,
    Cuda,
}

impl BackendKind {
    /// The backends this build has.
    pub fn available() -> Vec<BackendKind> {
        let mut kinds = Vec::new();
        if cfg!(feature = "ndarray") {
            kinds.push(BackendKind::Ndarray);
        }
        if cfg!(feature = "cuda") {
            kinds.push(BackendKind::Cuda);
        }
        kinds
    }

    /// CUDA when compiled in, else ndarray.
    pub fn preferred() -> Option<BackendKind> {
        Self::available().into_iter().last()
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BackendKind::Ndarray => "ndarray",
            BackendKind::Cuda => "cuda",
        })
    }
}

impl FromStr for BackendKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let kind = match s {
            "ndarray" | "cpu" => BackendKind::Ndarray,
            "cuda" | "gpu" => BackendKind::Cuda,
            _ => return Err(format!("unknown backend `{s}`: ndarray or cuda")),
        };
        if !Self::available().contains(&kind) {
            return Err(format!(
                "this build has no `{kind}` backend (cargo feature `{kind}`); it has: {}",
                Self::available()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(kind)
    }
}
