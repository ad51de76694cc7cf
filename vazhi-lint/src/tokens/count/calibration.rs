//! Token-counting throughput, the figures in bench/README.md ("Components"): `Tokenizer::encode`
//! against `TokenCounter::count` on the 1330 kurals rendered as 3,990 ChatML samples, on one
//! and two threads, the `prompt_fits` verdicts at 256, 512 and 1024 tokens checked against
//! `encode` offsets, and Qwen's fertility on the kurals. Run it with
//! `cargo run --release -p vazhi-lint --features calibration --example token_throughput`.

use std::time::Instant;

use super::samples::{encode_len, kural_fields, qwen, reference_counts, rendered_samples};
use super::{Fit, Verdict};
use crate::tokens::audit::fertility;
use crate::tokens::template::Rendered;

/// Prints the corpus, the token total, MB/s of each way of counting (best of three), the verdicts
/// at three sequence lengths and the fertility. Panics if any two ways disagree on a count or a
/// verdict.
pub fn throughput() {
    let counter = qwen();
    let kurals = kural_fields();
    let samples = rendered_samples(&kurals);
    let bytes: usize = samples.iter().map(|r| r.text.len()).sum();
    let mb = bytes as f64 / 1e6;
    println!("corpus: {} ChatML samples, {:.2} MB", samples.len(), mb);
    let best = |f: &dyn Fn() -> usize| {
        let mut best = f64::MAX;
        let mut result = 0;
        for _ in 0..3 {
            let start = Instant::now();
            result = f();
            best = best.min(start.elapsed().as_secs_f64());
        }
        (result, best)
    };
    let encode = |part: &[Rendered]| part.iter().map(|r| encode_len(counter, &r.text)).sum::<usize>();
    let encode_fast = |part: &[Rendered]| {
        part.iter()
            .map(|r| {
                counter
                    .tokenizer()
                    .encode_fast(r.text.as_str(), false)
                    .expect("encodes")
                    .len()
            })
            .sum::<usize>()
    };
    let count = |part: &[Rendered]| {
        part.iter()
            .map(|r| counter.count(&r.text).expect("counts"))
            .sum::<usize>()
    };
    let two_threads = |f: &(dyn Fn(&[Rendered]) -> usize + Sync)| {
        let (a, b) = samples.split_at(samples.len() / 2);
        std::thread::scope(|s| {
            let left = s.spawn(|| f(a));
            f(b) + left.join().expect("joins")
        })
    };
    let cold_start = Instant::now();
    let cold = count(&samples);
    let cold_s = cold_start.elapsed().as_secs_f64();
    let (encoded, encode_s) = best(&|| encode(&samples));
    let (encoded_fast, encode_fast_s) = best(&|| encode_fast(&samples));
    let (counted, count_s) = best(&|| count(&samples));
    let (encoded2, encode2_s) = best(&|| two_threads(&encode));
    let (counted2, count2_s) = best(&|| two_threads(&count));
    assert_eq!(encoded, counted);
    assert_eq!(encoded, encoded_fast);
    assert_eq!((cold, encoded2, counted2), (counted, counted, counted));
    println!("tokens: {counted}");
    println!("encode       1 thread : {:7.1} MB/s", mb / encode_s);
    println!("encode_fast  1 thread : {:7.1} MB/s", mb / encode_fast_s);
    println!("count (cold) 1 thread : {:7.1} MB/s", mb / cold_s);
    println!(
        "count        1 thread : {:7.1} MB/s  ({:.1}x encode)",
        mb / count_s,
        encode_s / count_s
    );
    println!("encode       2 threads: {:7.1} MB/s", mb / encode2_s);
    println!(
        "count        2 threads: {:7.1} MB/s  ({:.1}x encode 2 threads, {:.1}x encode 1 thread)",
        mb / count2_s,
        encode2_s / count2_s,
        encode_s / count2_s
    );

    for max_seq_len in [256, 512, 1024] {
        let verdicts = |part: &[Rendered]| {
            part.iter()
                .map(|r| counter.prompt_fits(r, max_seq_len).expect("counts"))
                .collect::<Vec<_>>()
        };
        let start = Instant::now();
        let (a, b) = samples.split_at(samples.len() / 2);
        let fast: Vec<Verdict> = std::thread::scope(|s| {
            let left = s.spawn(|| verdicts(a));
            let right = verdicts(b);
            let mut all = left.join().expect("joins");
            all.extend(right);
            all
        });
        let fast_s = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let reference: Vec<(Fit, usize, usize)> = samples
            .iter()
            .map(|r| {
                let (before, total) = reference_counts(counter, r);
                (Verdict::from_counts(before, total, max_seq_len).fit, before, total)
            })
            .collect();
        let reference_s = start.elapsed().as_secs_f64();
        let settled = fast.iter().filter(|v| v.settled_by_bound).count();
        for ((verdict, reference), rendered) in fast.iter().zip(&reference).zip(&samples) {
            assert_eq!(verdict.fit, reference.0, "{:?}", rendered.text);
            if !verdict.settled_by_bound {
                assert_eq!(
                    (verdict.tokens_before_response, verdict.total_tokens),
                    (Some(reference.1), Some(reference.2))
                );
            }
        }
        let tally = |fit: Fit| fast.iter().filter(|v| v.fit == fit).count();
        println!(
            "verdicts at {max_seq_len}: identical on {} samples ({} fit, {} truncated, {} lost); {} settled by the byte bound; prompt_fits 2 threads {:.1} MB/s vs encode-with-offsets 1 thread {:.1} MB/s",
            samples.len(),
            tally(Fit::Fits),
            tally(Fit::ResponseTruncated),
            tally(Fit::ResponseLost),
            settled,
            mb / fast_s,
            mb / reference_s
        );
    }

    let with_newline: Vec<&str> = kurals.iter().map(|k| k[0].as_str()).collect();
    let joined: Vec<String> = kurals.iter().map(|k| k[0].replace('\n', " ")).collect();
    let joined: Vec<&str> = joined.iter().map(String::as_str).collect();
    let f_newline = fertility(counter, &with_newline).expect("counts");
    let f_joined = fertility(counter, &joined).expect("counts");
    println!("fertility with the kural line break: {f_newline:?}");
    println!("fertility on the sample (space):     {f_joined:?}");
}
