//! vazhi-train: LoRA supervised fine-tuning of Qwen3-architecture models on burn, fed only
//! shards that passed vazhi's gate.
//!
//! It does by construction what the VAZHI team's notebooks kept getting wrong: data comes only
//! as [`vazhi_lint::gate::CleanShard`]s; only the assistant's tokens (and their closing
//! `<|im_end|>`) carry loss; loss is logged as text and JSONL; LoRA is merged in f32
//! ([`merge`]); and a run ends with the linter's response rules on greedy answers ([`eval`]).

pub mod backend;
pub mod bench;
pub mod config;
pub mod data;
pub mod eval;
pub mod host;
pub mod lora;
pub mod merge;
pub mod model;
pub mod parity;
pub mod recipe;
pub mod run;
pub mod train;
pub mod weights;

pub use config::Qwen3Config;
pub use lora::{Adapters, LoraConfig, Target};
pub use model::Qwen3;
pub use recipe::Recipe;
