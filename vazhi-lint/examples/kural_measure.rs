//! The `kural-mismatch` measurements: index statistics, correct quotations and misquotations
//! caught, and per-record timings (the module documentation of `vazhi_lint::tamil::kural` and
//! bench/README.md, "Components"):
//! `cargo run --release -p vazhi-lint --features calibration --example kural_measure`.

fn main() {
    vazhi_lint::calibration::kural_measure();
}
