//! The fuzz targets' bodies. They live in [`bodies`], a file without libFuzzer, so that the
//! stable replay test (`tests/tests/fuzz_corpus.rs`) runs exactly the code the fuzzers run.

pub mod bodies;
