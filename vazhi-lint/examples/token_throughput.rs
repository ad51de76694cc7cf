//! Token-counting throughput: `TokenCounter::count` against `Tokenizer::encode` on the kurals
//! rendered as ChatML samples, on one and two threads, with the `prompt_fits` verdicts checked
//! against `encode` (bench/README.md, "Components"):
//! `cargo run --release -p vazhi-lint --features calibration --example token_throughput`.

fn main() {
    vazhi_lint::calibration::token_throughput();
}
