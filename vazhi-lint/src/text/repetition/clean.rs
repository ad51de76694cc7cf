//! The clean texts the repetition detectors must accept: the tests check that none of them is
//! flagged, and the margins report (`calibration`) prints how far each measure stays from its
//! threshold on them.

use crate::test_data;

/// A string field of a reference record.
pub(super) fn field(v: &serde_json::Value, f: &str) -> String {
    v[f].as_str().expect("string field").to_string()
}

/// (label, text) for every clean text the rule must accept.
pub(super) fn clean_corpus() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for v in test_data::kurals() {
        let num = v["number"].as_u64().expect("number");
        for f in [
            "tamil",
            "english",
            "english_explanation",
            "meaning_varadarasanar",
            "meaning_solomon_pappaiah",
        ] {
            out.push((format!("kural {num} {f}"), field(v, f)));
        }
    }
    for (i, v) in test_data::poems().iter().enumerate() {
        for f in ["poem", "meaning"] {
            out.push((format!("poem {} {f}", i + 1), field(v, f)));
        }
    }
    out.push(("essay".to_string(), test_data::ESSAY.to_string()));
    out
}

/// Longer clean documents, since few single texts reach `min_words`: each
/// Thirukkural chapter (10 kurals) per field, all poems, all poem meanings.
pub(super) fn long_clean_docs() -> Vec<(String, String)> {
    const FIELDS: [&str; 4] = ["tamil", "english", "meaning_varadarasanar", "meaning_solomon_pappaiah"];
    let mut chapters: Vec<(u64, [String; 4])> = Vec::new();
    for v in test_data::kurals() {
        let ch = v["chapter_no"].as_u64().expect("chapter");
        if chapters.last().is_none_or(|c| c.0 != ch) {
            chapters.push((ch, Default::default()));
        }
        let slot = &mut chapters.last_mut().expect("pushed").1;
        for (k, f) in FIELDS.iter().enumerate() {
            slot[k].push_str(&field(v, f));
            slot[k].push('\n');
        }
    }
    let mut out = Vec::new();
    for (ch, texts) in chapters {
        for (k, text) in texts.into_iter().enumerate() {
            out.push((format!("chapter {ch} {}", FIELDS[k]), text));
        }
    }
    let (mut poems, mut meanings) = (String::new(), String::new());
    for v in test_data::poems() {
        poems.push_str(&field(v, "poem"));
        poems.push_str("\n\n");
        meanings.push_str(&field(v, "meaning"));
        meanings.push_str("\n\n");
    }
    out.push(("all poems".to_string(), poems));
    out.push(("all poem meanings".to_string(), meanings));
    out
}
