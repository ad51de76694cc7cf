//! Throughput of the romanised-Tamil detector on Latin text, single thread:
//! `cargo run --release -p vazhi-lint --example romanised_throughput`.
//!
//! The text is the repository's own Latin material, turn-sized: each kural's English explanation
//! (English) and its romanisation (romanised Tamil), one turn each, repeated to 64 MB. With
//! `-- --joined N`, N turns are joined into one text (a document rather than a chat turn).

use std::time::Instant;

use vazhi_lint::script::romanised::WordScripts;

fn main() {
    let commentary = include_str!("../../tests/data/reference/thirukkural-commentary.jsonl");
    let mut turns: Vec<String> = Vec::new();
    for line in commentary.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        for field in ["english_explanation", "transliteration"] {
            if let Some(text) = value.get(field).and_then(|v| v.as_str()) {
                turns.push(text.to_owned());
            }
        }
    }
    let joined: usize = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => 1,
        [flag, count] if flag == "--joined" => count.parse().expect("--joined N: a number of turns"),
        _ => panic!("usage: romanised_throughput [--joined N]"),
    };
    let turns: Vec<String> = turns.chunks(joined).map(|chunk| chunk.join(" ")).collect();
    let one_pass: usize = turns.iter().map(String::len).sum();
    let repeats = (64 << 20) / one_pass + 1;
    let mut best = f64::MAX;
    let mut judged = 0;
    for _ in 0..5 {
        let start = Instant::now();
        judged = 0;
        for _ in 0..repeats {
            for turn in &turns {
                judged += std::hint::black_box(WordScripts::of(turn)).judged();
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let bytes = (one_pass * repeats) as f64;
    println!(
        "{:.0} MB in {} turns of {} bytes on average: {:.0} MB/s (best of 5), {judged} words judged",
        bytes / 1e6,
        turns.len() * repeats,
        one_pass / turns.len(),
        bytes / 1e6 / best
    );
}
