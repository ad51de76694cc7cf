//! The margins of the repetition measures on clean text: the worst value of every measure on the
//! required clean texts and on the longer chapter documents (the table in the module
//! documentation of `vazhi_lint::text::repetition`):
//! `cargo run --release -p vazhi-lint --features calibration --example repetition_margins`.

fn main() {
    vazhi_lint::calibration::repetition_margins();
}
