//! The reference point of the lint benchmark: what the speed issue measured before vazhi's
//! reader existed. Each line is parsed into a `serde_json::Value` and the Tamil characters of
//! the assistant turns are counted, records in parallel with rayon. No rules, no findings.
//! `bench/lint-throughput.py --baseline` runs it interleaved with `cargo vazhi lint`, so the two
//! are compared on the same machine at the same moment (this VM's speed drifts by up to 2×).
//!
//!     cargo run --release -p vazhi-lint --example value_baseline -- CORPUS.jsonl THREADS

use std::time::Instant;

use rayon::prelude::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(threads)) = (args.next(), args.next()) else {
        eprintln!("usage: value_baseline CORPUS.jsonl THREADS");
        std::process::exit(2);
    };
    let threads: usize = threads.parse().unwrap_or(1);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("the first and only thread pool");
    let start = Instant::now();
    let data = match std::fs::read(&path) {
        Ok(data) => data,
        Err(err) => {
            eprintln!("{path}: {err}");
            std::process::exit(2);
        }
    };
    let (tamil, characters) = data
        .par_split(|&byte| byte == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let Ok(record) = serde_json::from_slice::<serde_json::Value>(line) else {
                return (0, 0);
            };
            let mut counts = (0usize, 0usize);
            let turns = record["messages"].as_array().map(Vec::as_slice).unwrap_or_default();
            for turn in turns.iter().filter(|turn| turn["role"] == "assistant") {
                for ch in turn["content"].as_str().unwrap_or_default().chars() {
                    counts.0 += usize::from(('\u{0B80}'..='\u{0BFF}').contains(&ch));
                    counts.1 += usize::from(!ch.is_whitespace());
                }
            }
            counts
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{:.1} MB/s: {tamil} Tamil of {characters} characters in {seconds:.2} s",
        data.len() as f64 / 1e6 / seconds
    );
}
