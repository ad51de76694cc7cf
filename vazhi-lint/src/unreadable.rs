//! Records a reader could not make sense of, held until their file is read so that one cause is
//! reported once. A file whose 1,330 records all use keys vazhi does not know has one problem, its
//! `[fields]`, not 1,330; a few broken lines in a good file are each reported where they are.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::finding::Finding;
use crate::reader::json::Invalid;
use crate::record::Position;
use crate::rules::invalid_record::INVALID_RECORD;
use crate::script::ScriptCounts;

/// More records than this failing one way are reported as one finding.
const HANDFUL: u64 = 3;

/// Keys counted per file, so a record with thousands of keys cannot grow the census without bound.
const MAX_KEYS: usize = 256;

/// Lines named in a grouped finding.
const LINES_SHOWN: usize = 5;

/// What the records of one file that have no text field hold, key by key: the evidence for the
/// `[fields]` lines a grouped finding proposes.
#[derive(Debug, Default, Clone)]
struct KeyStat {
    /// Records that have the key.
    records: u64,
    /// Records where its value is a string.
    strings: u64,
    /// Tamil letters and all letters in those strings.
    tamil: u64,
    letters: u64,
    bytes: u64,
}

/// The unreadable records of (part of) one file.
#[derive(Debug, Default)]
pub struct Unreadable {
    /// Findings by cause, in record order within each.
    findings: BTreeMap<Cause, Failures>,
    census: BTreeMap<String, KeyStat>,
}

/// The records that failed one way: how many, where, and the findings that may still be
/// reported. A cause that more than a handful of records share is reported once, from its first
/// findings, so only those are kept: a million records of `{}` hold five findings and a million
/// 16-byte places (what `split` needs to quarantine exactly them), not a million findings.
#[derive(Debug, Default)]
struct Failures {
    count: u64,
    kept: Vec<Finding>,
    places: Vec<Position>,
}

impl Failures {
    fn push(&mut self, limit: usize, finding: Finding) {
        self.count += 1;
        self.places.extend(finding.position);
        if self.kept.len() < limit {
            self.kept.push(finding);
        }
    }

    /// `later` covers the records after these.
    fn extend(&mut self, limit: usize, later: Failures) {
        self.count += later.count;
        self.places.extend(later.places);
        let room = limit.saturating_sub(self.kept.len());
        self.kept.extend(later.kept.into_iter().take(room));
    }
}

/// Records that fail alike share a cause: the kind of failure, and for layout problems the message
/// itself (a `messages` that is a string everywhere is one cause).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Cause {
    Kind(Invalid),
    Message(String),
}

impl Cause {
    /// How many findings of this cause can ever be reported one by one. Broken JSON is grouped
    /// only when it is most of the file, which is not known until the file ends: each is kept.
    fn kept(&self) -> usize {
        match self {
            Cause::Kind(Invalid::Syntax | Invalid::Encoding) => usize::MAX,
            _ => LINES_SHOWN.max(HANDFUL as usize),
        }
    }
}

impl Unreadable {
    /// Holds an unreadable record's finding. `bytes` is the record, for the key census of records
    /// with no text field (only they are parsed again, so a good file pays nothing).
    pub fn push(&mut self, kind: Invalid, finding: Finding, bytes: Option<&[u8]>) {
        if kind == Invalid::NoTextField
            && let Some(Ok(Value::Object(object))) = bytes.map(serde_json::from_slice::<Value>)
        {
            self.count_keys(&object);
        }
        let cause = match kind {
            Invalid::Layout => Cause::Message(finding.message.clone()),
            other => Cause::Kind(other),
        };
        let limit = cause.kept();
        self.findings.entry(cause).or_default().push(limit, finding);
    }

    /// Keys of a row with no text column (Parquet, Arrow, CSV), for the census.
    pub fn count_row_keys(&mut self, object: &serde_json::Map<String, Value>) {
        self.count_keys(object);
    }

    fn count_keys(&mut self, object: &serde_json::Map<String, Value>) {
        for (key, value) in object {
            if !self.census.contains_key(key) && self.census.len() >= MAX_KEYS {
                continue;
            }
            let stat = self.census.entry(key.clone()).or_default();
            stat.records += 1;
            if let Value::String(text) = value {
                let counts = ScriptCounts::of(text);
                stat.strings += 1;
                stat.tamil += counts.tamil as u64;
                stat.letters += counts.letters() as u64;
                stat.bytes += text.len() as u64;
            }
        }
    }

    pub fn merge(&mut self, later: Unreadable) {
        for (cause, failures) in later.findings {
            let limit = cause.kept();
            self.findings.entry(cause).or_default().extend(limit, failures);
        }
        for (key, stat) in later.census {
            let have = self.census.entry(key).or_default();
            have.records += stat.records;
            have.strings += stat.strings;
            have.tamil += stat.tamil;
            have.letters += stat.letters;
            have.bytes += stat.bytes;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// The findings to report for a file of `records` records: each cause that a handful of
    /// records share is reported where they are; a cause shared by more is one file-level finding.
    /// Broken JSON is grouped only when it is most of the file: otherwise each line is worth fixing
    /// where it is.
    pub fn finish(self, path: &Arc<Path>, records: u64) -> Vec<Finding> {
        let mut out = Vec::new();
        for (
            cause,
            Failures {
                count,
                kept: findings,
                places,
            },
        ) in self.findings
        {
            // A file whose every record fails one way has one problem, however few records it has.
            let grouped = count > 1 && count == records
                || count > HANDFUL
                    && match cause {
                        Cause::Kind(Invalid::Syntax | Invalid::Encoding) => count * 2 >= records,
                        _ => true,
                    };
            if !grouped {
                out.extend(findings);
                continue;
            }
            let mut grouped = grouped_finding(&cause, &findings, count, records, path, &self.census);
            // Records that parse but fail alike are placed for `split`; a file mostly of broken
            // JSON is a problem with the file, which stops the split.
            if !matches!(cause, Cause::Kind(Invalid::Syntax | Invalid::Encoding)) {
                grouped.covers = places;
            }
            out.push(grouped);
        }
        out
    }
}

fn grouped_finding(
    cause: &Cause,
    findings: &[Finding],
    count: u64,
    records: u64,
    path: &Arc<Path>,
    census: &BTreeMap<String, KeyStat>,
) -> Finding {
    let lines = positions(findings, count);
    let (share, have, are) = if count == records {
        ("every record".to_owned(), "has", "is")
    } else {
        (format!("{count} of {records} records"), "have", "are")
    };
    let first = &findings[0];
    let (message, help) = match cause {
        Cause::Kind(Invalid::NoTextField) => (
            format!(
                "{share} {have} no text field vazhi understands ({}); keys: {}",
                lines,
                key_list(census)
            ),
            Some(fields_help(census)),
        ),
        Cause::Kind(Invalid::Syntax) => (
            format!("{share} {are} not valid JSON ({}); the first: {}", lines, first.message),
            None,
        ),
        Cause::Kind(Invalid::Encoding) => (
            format!(
                "{share} {are} not valid UTF-8 ({}); the first: {}",
                lines, first.message
            ),
            Some("re-encode the file as UTF-8".to_owned()),
        ),
        Cause::Kind(Invalid::NotObject) => (
            format!("{share} {are} not a JSON object ({}): {}", lines, first.message),
            Some("a record is a JSON object with text fields; see `cargo vazhi files`".to_owned()),
        ),
        Cause::Kind(Invalid::Layout) | Cause::Message(_) => {
            (format!("{share}: {} ({})", first.message, lines), first.help.clone())
        }
    };
    let mut finding = Finding::file(&INVALID_RECORD, path.clone(), message);
    finding.help = help;
    finding
}

/// Where the first records are: `line 4`, `lines 4, 9, 14, …`, `rows 0, 1`.
fn positions(findings: &[Finding], count: u64) -> String {
    let shown: Vec<Position> = findings
        .iter()
        .filter_map(|finding| finding.position)
        .take(LINES_SHOWN)
        .collect();
    let rows = matches!(shown.first(), Some(Position::Row(_)));
    let numbers: Vec<String> = shown
        .iter()
        .map(|position| match position {
            Position::Line(line) => line.to_string(),
            Position::Row(row) => row.to_string(),
        })
        .collect();
    let noun = match (rows, numbers.len()) {
        (false, 1) => "line",
        (false, _) => "lines",
        (true, 1) => "row",
        (true, _) => "rows",
    };
    let more = if count > LINES_SHOWN as u64 { ", …" } else { "" };
    format!("{noun} {}{more}", numbers.join(", "))
}

fn tamil_share(stat: &KeyStat) -> f64 {
    if stat.letters == 0 {
        0.0
    } else {
        stat.tamil as f64 / stat.letters as f64
    }
}

/// Keys by how many records have them, with what their values are.
fn key_list(census: &BTreeMap<String, KeyStat>) -> String {
    let mut keys: Vec<(&String, &KeyStat)> = census.iter().collect();
    keys.sort_by(|a, b| b.1.records.cmp(&a.1.records).then(a.0.cmp(b.0)));
    let shown: Vec<String> = keys
        .iter()
        .take(12)
        .map(|(key, stat)| {
            if stat.strings * 10 >= stat.records * 9 && stat.letters > 0 {
                format!("`{key}` (text, {:.0}% Tamil)", tamil_share(stat) * 100.0)
            } else if stat.strings * 10 >= stat.records * 9 {
                format!("`{key}` (text)")
            } else {
                format!("`{key}`")
            }
        })
        .collect();
    let more = keys.len().saturating_sub(12);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// The `[fields]` lines that would make a table with no text column readable, judged from its
/// first rows: (column name, its values).
pub fn column_help<'t>(columns: impl Iterator<Item = (&'t str, Vec<Option<&'t str>>)>) -> String {
    let mut census = BTreeMap::new();
    for (name, values) in columns {
        let stat: &mut KeyStat = census.entry(name.to_owned()).or_default();
        for text in values.into_iter().flatten() {
            let counts = ScriptCounts::of(text);
            stat.records += 1;
            stat.strings += 1;
            stat.tamil += counts.tamil as u64;
            stat.letters += counts.letters() as u64;
            stat.bytes += text.len() as u64;
        }
    }
    fields_help(&census)
}

/// The `[fields]` lines that would make these records readable: a question and an answer key as
/// instruction/output, else the key holding the most text (Tamil first) as `text`.
fn fields_help(census: &BTreeMap<String, KeyStat>) -> String {
    let texts: Vec<(&String, &KeyStat)> = census
        .iter()
        .filter(|(_, stat)| stat.strings * 10 >= stat.records * 9 && stat.bytes > 0)
        .collect();
    let named = |words: &[&str]| {
        texts
            .iter()
            .filter(|(key, _)| {
                let key = key.to_lowercase();
                words.iter().any(|word| key.contains(word))
            })
            // The Tamil one of a Tamil/English pair, then the longer.
            .max_by(|a, b| {
                tamil_share(a.1)
                    .total_cmp(&tamil_share(b.1))
                    .then(a.1.bytes.cmp(&b.1.bytes))
                    .then(b.0.cmp(a.0))
            })
            .map(|(key, _)| (*key).clone())
    };
    let question = named(&["question", "query", "instruction", "prompt", "input", "கேள்வி"]);
    let answer = named(&["answer", "response", "output", "completion", "reply", "பதில்"]);
    let config = match (question, answer) {
        (Some(question), Some(answer)) if question != answer => {
            format!("[fields]\ninstruction = [{question:?}]\noutput = [{answer:?}]")
        }
        _ => {
            // Tamil text first; then a key whose name says it is the text; then the most text.
            let texty = |key: &str| {
                let key = key.to_lowercase();
                ["text", "content", "body", "tamil", "kural", "poem", "passage"]
                    .iter()
                    .any(|word| key.contains(word))
            };
            let best = texts.iter().max_by(|a, b| {
                let tamil = |stat: &KeyStat| tamil_share(stat) >= 0.5;
                tamil(a.1)
                    .cmp(&tamil(b.1))
                    .then(texty(a.0).cmp(&texty(b.0)))
                    .then(a.1.bytes.cmp(&b.1.bytes))
                    .then(b.0.cmp(a.0))
            });
            match best {
                Some((key, _)) => format!("[fields]\ntext = [{key:?}]"),
                None => return "none of their keys holds text; see `[fields]` in the README".to_owned(),
            }
        }
    };
    format!("say which keys hold the text, in vazhi.toml:\n{config}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: u64, message: &str) -> Finding {
        let mut finding = Finding::file(&INVALID_RECORD, Arc::from(Path::new("a.jsonl")), message);
        finding.position = Some(Position::Line(line));
        finding
    }

    #[test]
    fn a_handful_stays_where_it_is() {
        let mut unreadable = Unreadable::default();
        for line in 1..=3 {
            unreadable.push(Invalid::Syntax, finding(line, "not valid JSON: expected value"), None);
        }
        let out = unreadable.finish(&Arc::from(Path::new("a.jsonl")), 1000);
        assert_eq!(out.len(), 3);
        assert!(out.iter().all(|finding| finding.position.is_some()));
    }

    #[test]
    fn records_with_unknown_keys_are_one_finding_that_proposes_fields() {
        let mut unreadable = Unreadable::default();
        for line in 1..=40 {
            let record = format!(
                r#"{{"Number": {line}, "Line1": "அகர முதல எழுத்தெல்லாம்", "English Question": "What is kural {line}?", "Tamil Question": "குறள் {line} என்ன?", "Tamil Answer": "அகர முதல எழுத்தெல்லாம் ஆதி பகவன் முதற்றே உலகு"}}"#
            );
            unreadable.push(
                Invalid::NoTextField,
                finding(line, crate::layout::NO_TEXT_FIELD),
                Some(record.as_bytes()),
            );
        }
        let out = unreadable.finish(&Arc::from(Path::new("a.jsonl")), 40);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert!(out[0].position.is_none());
        assert!(
            out[0].message.starts_with("every record has no text field"),
            "{}",
            out[0].message
        );
        assert!(
            out[0].message.contains("(lines 1, 2, 3, 4, 5, …)"),
            "{}",
            out[0].message
        );
        let help = out[0].help.as_deref().unwrap_or_default();
        assert!(help.contains("instruction = [\"Tamil Question\"]"), "{help}");
        assert!(help.contains("output = [\"Tamil Answer\"]"), "{help}");
    }

    #[test]
    fn a_tamil_text_key_is_proposed_as_text() {
        let mut unreadable = Unreadable::default();
        for line in 1..=5 {
            let record = r#"{"id": 1, "tamil": "யாதும் ஊரே யாவரும் கேளிர்", "meaning_english": "Every town is my town"}"#;
            unreadable.push(
                Invalid::NoTextField,
                finding(line, crate::layout::NO_TEXT_FIELD),
                Some(record.as_bytes()),
            );
        }
        let out = unreadable.finish(&Arc::from(Path::new("a.jsonl")), 5);
        let help = out[0].help.as_deref().unwrap_or_default();
        assert!(help.ends_with("text = [\"tamil\"]"), "{help}");
    }

    #[test]
    fn broken_json_is_grouped_only_when_it_is_most_of_the_file() {
        let push_broken = |unreadable: &mut Unreadable| {
            for line in 1..=10 {
                unreadable.push(Invalid::Syntax, finding(line, "not valid JSON: expected value"), None);
            }
        };
        let mut few = Unreadable::default();
        push_broken(&mut few);
        assert_eq!(few.finish(&Arc::from(Path::new("a.jsonl")), 1000).len(), 10);
        let mut most = Unreadable::default();
        push_broken(&mut most);
        assert_eq!(most.finish(&Arc::from(Path::new("a.jsonl")), 12).len(), 1);
    }
}
