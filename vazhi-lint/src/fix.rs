//! Safe fixes for `cargo vazhi split --fix`: changes whose result is certain, applied to the clean
//! copies only (inputs are never touched). NFC normalisation, removal of empty `<think></think>`
//! blocks, and restoring mojibake where every byte is recovered.

use std::borrow::Cow;

use serde_json::Value;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::tamil::mojibake::find_mojibake;
use crate::text::markers::{ThinkLeakKind, find_think_leaks};

/// A kind of fix, as the manifest records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fix {
    /// Mojibake replaced by the recovered Tamil text.
    Mojibake,
    /// An empty `<think></think>` block (and the blank lines after it) removed.
    EmptyThinkBlock,
    /// Normalised to Unicode NFC.
    Nfc,
}

/// Applies every safe fix to one text; returns the text unchanged (borrowed) when none applies.
pub fn fix_text<'t>(text: &'t str, applied: &mut Vec<Fix>) -> Cow<'t, str> {
    let mut text = Cow::Borrowed(text);
    let runs: Vec<_> = find_mojibake(&text)
        .into_iter()
        .filter(|run| !run.lossy && run.unrecovered == 0)
        .collect();
    if !runs.is_empty() {
        let mut fixed = String::with_capacity(text.len());
        let mut at = 0;
        for run in &runs {
            fixed.push_str(&text[at..run.span.start]);
            fixed.push_str(&run.recovered);
            at = run.span.end;
        }
        fixed.push_str(&text[at..]);
        text = Cow::Owned(fixed);
        applied.push(Fix::Mojibake);
    }
    let empty_blocks: Vec<_> = find_think_leaks(&text)
        .into_iter()
        .filter(|leak| leak.kind == ThinkLeakKind::EmptyBlock)
        .collect();
    if !empty_blocks.is_empty() {
        let mut fixed = String::with_capacity(text.len());
        let mut at = 0;
        for block in &empty_blocks {
            fixed.push_str(&text[at..block.span.start]);
            // The template puts blank lines after the block; they go with it.
            at = block.span.end + text[block.span.end..].len() - text[block.span.end..].trim_start().len();
        }
        fixed.push_str(&text[at..]);
        text = Cow::Owned(fixed);
        applied.push(Fix::EmptyThinkBlock);
    }
    if !crate::script::surely_nfc(&text) && is_nfc_quick(text.chars()) != IsNormalized::Yes {
        let normalised: String = text.nfc().collect();
        if normalised != *text {
            text = Cow::Owned(normalised);
            applied.push(Fix::Nfc);
        }
    }
    text
}

fn fix_value(value: &mut Value, applied: &mut Vec<Fix>) {
    match value {
        Value::String(text) => {
            if let Cow::Owned(fixed) = fix_text(text, applied) {
                *text = fixed;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| fix_value(item, applied)),
        Value::Object(members) => members.values_mut().for_each(|member| fix_value(member, applied)),
        _ => {}
    }
}

/// Fixes every string of a JSON record. `None` when the record is not JSON or nothing changed, so
/// the caller keeps the original bytes.
pub fn fix_json_record(bytes: &[u8]) -> Option<(Vec<u8>, Vec<Fix>)> {
    let mut record: Value = serde_json::from_slice(bytes).ok()?;
    let mut applied = Vec::new();
    fix_value(&mut record, &mut applied);
    if applied.is_empty() {
        return None;
    }
    applied.sort();
    applied.dedup();
    Some((serde_json::to_vec(&record).ok()?, applied))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_vowels_are_composed() {
        let mut applied = Vec::new();
        assert_eq!(fix_text("க\u{0BC6}\u{0BBE}டு", &mut applied), "கொடு");
        assert_eq!(applied, vec![Fix::Nfc]);
    }

    #[test]
    fn empty_think_block_and_its_blank_lines_go() {
        let mut applied = Vec::new();
        assert_eq!(fix_text("<think>\n\n</think>\n\nவணக்கம்!", &mut applied), "வணக்கம்!");
        assert_eq!(applied, vec![Fix::EmptyThinkBlock]);
    }

    #[test]
    fn a_think_block_with_reasoning_is_not_a_safe_fix() {
        let mut applied = Vec::new();
        let text = "<think>யோசிக்கிறேன்</think>வணக்கம்!";
        assert_eq!(fix_text(text, &mut applied), text);
        assert!(applied.is_empty());
    }

    #[test]
    fn exact_mojibake_is_restored_and_lossy_mojibake_is_left() {
        let mut applied = Vec::new();
        assert_eq!(fix_text("மொழி: à®¤à®®à®¿à®´à¯\u{8d}", &mut applied), "மொழி: தமிழ்");
        assert_eq!(applied, vec![Fix::Mojibake]);
        let lossy = "à®¤à®®à®¿à®´à¯\u{FFFD}";
        let mut applied = Vec::new();
        assert_eq!(fix_text(lossy, &mut applied), lossy);
    }

    #[test]
    fn clean_records_keep_their_bytes() {
        assert!(fix_json_record(r#"{"text": "வணக்கம்"}"#.as_bytes()).is_none());
        let (fixed, applied) = fix_json_record(r#"{"text": "<think></think>வணக்கம்", "lang": "ta"}"#.as_bytes()).unwrap();
        assert_eq!(fixed, r#"{"text":"வணக்கம்","lang":"ta"}"#.as_bytes());
        assert_eq!(applied, vec![Fix::EmptyThinkBlock]);
    }
}
