//! Evaluates the romanised-Tamil detector on hand-labelled real comments that nobody here wrote.
//!
//! `bench/romanised/labels.tsv` names each turn by its file and line in public datasets (YouTube
//! comments of DravidianCodeMix and the EACL-2021 Tamil offensive-language set, with romanised
//! Kannada and Malayalam) and holds only a hash of its text, not the text: those datasets state no
//! licence. Each turn was read and labelled by hand (`tanglish`, `english`, `mixed`: an English
//! sentence around one Tamil word or set phrase, `other`: another language, `unclear`: names or
//! emphasis only), and split into `tune` and `held` by a hash of its text before any threshold was
//! chosen. See `bench/romanised/README.md`.
//!
//! ```sh
//! cargo run --release -p vazhi-lint --example romanised_eval -- /path/to/realdata [tune|held|fresh1|fresh2|tune,held,...]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};
use vazhi_lint::script::romanised::{OTHER_LANGUAGE_WORDS, Verdict, WordScripts};

/// The text column of each source file, as the labelling read it.
fn text_of(source: &str, line: &str) -> Option<String> {
    let (separator, column) = if source.contains("Tamil_Code_Mix") {
        ('\t', 1)
    } else if source.contains("corrected_tanglish_dataset") {
        (',', 0)
    } else if source.contains("kannada_offensive") {
        (',', 1)
    } else if source.contains("Tamil_first_ready_for_sentiment") {
        ('\t', 1)
    } else if source.contains("tamil_sentiment_full") || source.contains("mal_full_sentiment") {
        (';', 0)
    } else if source.contains("mal_full_offensive.tsv") {
        ('\t', 1)
    } else {
        ('\t', 0)
    };
    let field = line.split(separator).nth(column)?;
    Some(field.trim().trim_matches('"').trim().to_owned())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args
        .next()
        .expect("usage: romanised_eval REALDATA_DIR [tune|held|fresh1|fresh2|tune,held,...]");
    let split = args.next().unwrap_or_else(|| "held".into());
    let labels_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/romanised/labels.tsv");
    let labels = std::fs::read_to_string(labels_path).expect("bench/romanised/labels.tsv");
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // label → verdict (or "too short") → turns
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut by_words: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    let mut errors = Vec::new();
    // (label, romanised share of the judged Latin words) of the judged tanglish/english turns.
    let mut shares: Vec<(bool, f64)> = Vec::new();
    // A text drawn twice (the same comment in two files) counts once, under its first row.
    let mut first_of_text: BTreeMap<&str, &str> = BTreeMap::new();
    for row in labels.lines().filter(|line| !line.starts_with('#')) {
        let fields: Vec<&str> = row.split('\t').collect();
        let [id, _, _, hash, _, _] = fields[..] else {
            panic!("bad row {row}")
        };
        first_of_text.entry(hash).or_insert(id);
    }
    for row in labels.lines().filter(|line| !line.starts_with('#')) {
        let fields: Vec<&str> = row.split('\t').collect();
        let [id, source, line, hash, row_split, label] = fields[..] else {
            panic!("bad row {row}")
        };
        if !split.split(',').any(|wanted| wanted == row_split) || first_of_text[hash] != id {
            continue;
        }
        let lines = files.entry(source.to_owned()).or_insert_with(|| {
            let bytes = std::fs::read(Path::new(&root).join(source)).expect("a source file");
            String::from_utf8_lossy(&bytes).lines().map(str::to_owned).collect()
        });
        let number: usize = line.parse().expect("a line number");
        let text = text_of(source, &lines[number - 1]).expect("the text column");
        let digest = format!("{:x}", Sha256::digest(text.as_bytes()));
        assert_eq!(&digest[..12], hash, "{source}:{line} is not the labelled text");
        let words = WordScripts::of(&text);
        let verdict = words.verdict();
        let predicted = match verdict {
            Some(verdict) => verdict.key(),
            None if words.other_language >= OTHER_LANGUAGE_WORDS => "other language",
            None => "too short",
        };
        *confusion
            .entry(label.to_owned())
            .or_default()
            .entry(predicted.to_owned())
            .or_default() += 1;
        if matches!(label, "tanglish" | "english") && verdict.is_some() {
            shares.push((label == "tanglish", words.romanised_share().unwrap_or(0.0)));
        }
        if matches!(label, "tanglish" | "english") {
            let entry = by_words.entry(words.judged().min(8)).or_default();
            entry.0 += 1;
            let right = (label == "tanglish") == (verdict == Some(Verdict::Tanglish));
            entry.1 += usize::from(right);
            if !right {
                errors.push(format!("{label} → {predicted} {words:?}: {text}"));
            }
        }
    }
    println!("split `{split}`: label → detector verdict");
    for (label, verdicts) in &confusion {
        println!("  {label:9} {verdicts:?}");
    }
    let count = |label: &str, verdict: &str| confusion.get(label).and_then(|v| v.get(verdict)).copied().unwrap_or(0);
    let total = |label: &str| confusion.get(label).map_or(0, |v| v.values().sum::<usize>());
    for (class, other) in [("tanglish", "english"), ("english", "tanglish")] {
        let hit = count(class, class);
        let false_alarm = count(other, class);
        let judged = total(class) - count(class, "too short") - count(class, "other language");
        println!(
            "  {class}: precision {:.3} ({hit}/{}), recall {:.3} ({hit}/{}), recall on judged turns {:.3} ({hit}/{judged})",
            hit as f64 / (hit + false_alarm) as f64,
            hit + false_alarm,
            hit as f64 / total(class) as f64,
            total(class),
            hit as f64 / judged as f64,
        );
    }
    println!("  tanglish+english turns right, by judged words (8 = 8 or more): {by_words:?}");
    println!(
        "  tanglish-share threshold sweep on judged turns: threshold → (tanglish precision, tanglish recall, english recall)"
    );
    for percent in (20..=60).step_by(5) {
        let threshold = f64::from(percent) / 100.0;
        let called = |tanglish: bool, as_tanglish: bool| {
            shares
                .iter()
                .filter(|&&(t, share)| t == tanglish && (share >= threshold) == as_tanglish)
                .count() as f64
        };
        let precision = called(true, true) / (called(true, true) + called(false, true));
        let recall = called(true, true) / (called(true, true) + called(true, false));
        let english_recall = called(false, false) / (called(false, false) + called(false, true));
        println!("    {threshold:.2} → ({precision:.3}, {recall:.3}, {english_recall:.3})");
    }
    for error in errors {
        println!("  wrong: {error}");
    }
}
