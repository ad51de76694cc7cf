//! The `kural-mismatch` measurements quoted in the module documentation ("Measured") and in
//! bench/README.md ("Components"): the index, correct quotations in every layout, the
//! commentaries, the essay, the whole book in one record, and every word of every kural
//! substituted or dropped, with per-record timings. Run it with
//! `cargo run --release -p vazhi-lint --features calibration --example kural_measure`.

use super::reference::{DAMAGED_JSONL, GRAM, reference};
use super::samples::{LAYOUTS, Lcg, commentaries, edit_word, layout, misquotes, words_of};
use super::{KURAL_COUNT, check_text, kural};
use crate::tamil::phoneme;
use crate::test_data;

/// Prints the index statistics, how many correct quotations pass and misquotations are caught,
/// and the time per record (best of five) for each kind of text.
pub fn measure() {
    let r = reference();
    let distinct = r.grams.len();
    let fewest = r.candidate_hits.iter().min();
    println!("index: {distinct} distinct {GRAM}-grams; smallest candidate threshold {fewest:?} hits");
    let best_of_5 = |f: &dyn Fn()| {
        (0..5)
            .map(|_| {
                let started = std::time::Instant::now();
                f();
                started.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    };
    let mut passed = 0;
    let mut total = 0;
    for number in 1..=KURAL_COUNT {
        let tamil = kural(number).expect("kural").tamil;
        for variant in 0..LAYOUTS {
            for context in 0..5 {
                total += 1;
                passed += usize::from(check_text(&layout(tamil, variant, context)).is_empty());
            }
        }
    }
    let texts: Vec<String> = (1..=KURAL_COUNT)
        .map(|n| layout(kural(n).expect("kural").tamil, usize::from(n) % LAYOUTS, 3))
        .collect();
    let per_quote = best_of_5(&|| {
        for t in &texts {
            check_text(t);
        }
    }) / texts.len() as f64;
    println!(
        "correct quotations: {passed}/{total} pass; {:.1} µs per record with one",
        per_quote * 1e6
    );
    let prose: Vec<String> = commentaries().into_iter().flat_map(|(_, a, b)| [a, b]).collect();
    let mut flagged = 0;
    let mut any_issue = 0;
    let mut aligned = 0;
    for text in &prose {
        flagged += usize::from(!misquotes(text).is_empty());
        any_issue += usize::from(!check_text(text).is_empty());
        let stream = phoneme::phonemes_with_letters(text);
        aligned += usize::from(!reference().candidates(&stream.codes).is_empty());
    }
    let bytes: usize = prose.iter().map(String::len).sum();
    let per_kb = best_of_5(&|| {
        for t in &prose {
            check_text(t);
        }
    }) * 1e6
        / (bytes as f64 / 1024.0);
    println!(
        "commentaries: {flagged}/{} misquoted, {any_issue} with any issue, {aligned} become candidates; {per_kb:.1} µs per KB",
        prose.len()
    );
    let essay = test_data::ESSAY;
    let per_kb = best_of_5(&|| {
        check_text(essay);
    }) * 1e6
        / (essay.len() as f64 / 1024.0);
    println!("essay ({} bytes, no kural): {per_kb:.1} µs per KB", essay.len());
    let paragraph: String = prose.iter().take(4).cloned().collect::<Vec<_>>().join(" ");
    let micros = best_of_5(&|| {
        for _ in 0..100 {
            check_text(&paragraph);
        }
    }) * 1e4;
    println!("{}-byte commentary paragraph: {micros:.1} µs", paragraph.len());
    let book: String = (1..=KURAL_COUNT)
        .map(|n| format!("{n}. {}\n\n", kural(n).expect("kural").tamil))
        .collect();
    let millis = best_of_5(&|| {
        check_text(&book);
    }) * 1e3;
    println!(
        "the whole book ({} bytes) in one record: {} issues, {millis:.1} ms",
        book.len(),
        check_text(&book).len()
    );
    let started = std::time::Instant::now();
    let mut caught = 0;
    let mut mutated = 0;
    let mut escaped = Vec::new();
    let mut rng = Lcg(7);
    for number in 1..=KURAL_COUNT {
        let words = words_of(number);
        for (at, word) in words.iter().enumerate() {
            // Every word replaced by a word of a random other kural, and every word dropped.
            let other = words_of(1 + ((number + rng.below(1329) as u16) % 1330));
            let replacement = other[rng.below(other.len())].trim_end_matches(['.', '?']);
            let mut variants = vec![edit_word(number, at, None)];
            if phoneme::phonemes(replacement) != phoneme::phonemes(word) {
                variants.push(edit_word(number, at, Some(replacement)));
            }
            for variant in variants {
                mutated += 1;
                let issues = check_text(&variant);
                if matches!(issues.as_slice(), [i] if i.number == number) {
                    caught += 1;
                } else {
                    escaped.push(format!("kural {number}: {variant:?} → {issues:?}"));
                }
            }
        }
    }
    println!(
        "every word substituted or dropped: {caught}/{mutated} caught ({:?})",
        started.elapsed()
    );
    for miss in &escaped {
        println!("  escaped: {miss}");
    }
    let swapped_caught = (1..=KURAL_COUNT)
        .filter(|&n| {
            let (first, second) = kural(n).expect("kural").tamil.split_once('\n').expect("two lines");
            let issues = check_text(&format!("{second}\n{first}"));
            matches!(issues.as_slice(), [i] if i.number == n)
        })
        .count();
    let damaged_caught = DAMAGED_JSONL
        .lines()
        .filter(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("damaged line");
            let issues = check_text(v["reading"].as_str().unwrap_or_default());
            matches!(issues.as_slice(), [i] if i.known_damaged.is_some())
        })
        .count();
    println!("swapped lines: {swapped_caught}/1330 caught; known damaged: {damaged_caught}/41");
}
