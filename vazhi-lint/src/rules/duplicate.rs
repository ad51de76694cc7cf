use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hasher;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use xxhash_rust::xxh3::Xxh3;

use crate::dataset::Dataset;
use crate::declare_rule;
use crate::finding::Finding;
use crate::record::{Position, Record};
use crate::rule::{Aggregate, DatasetRule, Facts, RuleMeta, Severity, same_aggregate};
use crate::script::surely_nfc;

declare_rule! {
    /// ## What it does
    /// Reports a record whose content equals an earlier record of the same dataset, on each later
    /// copy, with where the first one is. Content is every turn's role and text, compared after
    /// Unicode NFC normalisation and with runs of whitespace folded to one space, so copies that
    /// differ only in spacing or in how a vowel sign was encoded are caught. Labels and categories
    /// are not content.
    ///
    /// It also warns when one answer is the response of more than `max-response-copies` records
    /// (default 3) under different prompts: one finding per answer, at its first record.
    ///
    /// Memory holds one 64-bit hash per record, not the texts, so it stays small on large corpora.
    ///
    /// ## Why is this bad?
    /// Duplicates are trained on several times per epoch: the model memorises them and over-weights
    /// them. The VAZHI set held 21 copies of the answer to "what is the first kural?" — and the
    /// model still recited the kural wrongly, because the copies outweighed everything else it had
    /// learned about the Thirukkural.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "முதல் குறள் என்ன?"}, {"role": "assistant", "content": "அகர முதல …"}]}
    /// {"messages": [{"role": "user", "content": "முதல்  குறள் என்ன?"}, {"role": "assistant", "content": "அகர முதல …"}]}
    /// ```
    /// `VZ206 duplicate: duplicate of the record at line 1`.
    ///
    /// ## Options
    /// ```toml
    /// [rules.duplicate]
    /// max-response-copies = 3   # 0 turns the repeated-answer warning off
    /// ```
    pub static DUPLICATE = {
        code: "VZ206",
        name: "duplicate",
        severity: Error,
        scope: Dataset,
        summary: "A record that repeats an earlier one, or an answer given to many prompts",
    };
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Records one answer may be the response of before it is reported; 0 disables the check.
    pub max_response_copies: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub max_response_copies: u64,
}

impl Options {
    pub fn resolve(self) -> Settings {
        Settings {
            max_response_copies: self.max_response_copies.unwrap_or(3),
        }
    }
}

pub struct Duplicate(pub Settings);

impl DatasetRule for Duplicate {
    fn meta(&self) -> &'static RuleMeta {
        &DUPLICATE
    }

    fn aggregate(&self) -> Box<dyn Aggregate> {
        Box::new(Copies {
            max_response_copies: self.0.max_response_copies,
            ..Copies::default()
        })
    }
}

/// Where a record is.
type Origin = (Arc<Path>, Position);

/// Feeds `text` to the hasher NFC-normalised, with whitespace runs folded to one space and trimmed.
fn hash_normalised(hasher: &mut Xxh3, text: &str) {
    // Most text is already NFC; normalising it would only cost time.
    let normalised: Cow<'_, str> = if surely_nfc(text) || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    };
    // Word by word: one hasher call per word, not per character.
    for (index, word) in normalised.split_whitespace().enumerate() {
        if index > 0 {
            hasher.write(b" ");
        }
        hasher.write(word.as_bytes());
    }
}

/// Hashes of a record's whole content and of its response.
fn fingerprints(record: &Record<'_>) -> (u64, Option<u64>) {
    let mut content = Xxh3::new();
    for turn in &record.turns {
        content.write(turn.role.name().as_bytes());
        content.write(b"\x1f");
        hash_normalised(&mut content, record.turn_text(turn));
        content.write(b"\x1e");
    }
    let mut response = Xxh3::new();
    let mut any = false;
    for segment in record.targets() {
        hash_normalised(&mut response, segment.text());
        response.write(b"\x1e");
        any |= !segment.text().trim().is_empty();
    }
    (
        content.finish(),
        (any && record.format.is_chat()).then(|| response.finish()),
    )
}

#[derive(Default)]
struct Copies {
    max_response_copies: u64,
    /// First record with each content.
    first: HashMap<u64, Origin>,
    /// Later copies: content hash and where the copy is.
    copies: Vec<(u64, Origin)>,
    /// Per response: its first record and how many records give it.
    responses: HashMap<u64, (Origin, u64)>,
}

impl Copies {
    /// Records the first record with `content`, or a later copy of it.
    fn first_or_copy(&mut self, content: u64, origin: Origin) {
        match self.first.entry(content) {
            std::collections::hash_map::Entry::Occupied(_) => self.copies.push((content, origin)),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(origin);
            }
        }
    }
}

impl Aggregate for Copies {
    fn observe(&mut self, record: &Record<'_>, _: &Facts) {
        let (content, response) = fingerprints(record);
        let origin = (record.source.path.clone(), record.position);
        self.first_or_copy(content, origin.clone());
        if let Some(response) = response {
            self.responses.entry(response).or_insert((origin, 0)).1 += 1;
        }
    }

    fn merge(&mut self, later: Box<dyn Aggregate>) {
        let later = same_aggregate::<Copies>(later);
        for (content, origin) in later.first {
            self.first_or_copy(content, origin);
        }
        self.copies.extend(later.copies);
        for (response, (origin, count)) in later.responses {
            self.responses.entry(response).or_insert((origin, 0)).1 += count;
        }
    }

    fn finish(self: Box<Self>, _: &Dataset) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (content, (path, position)) in &self.copies {
            let Some((first_path, first_position)) = self.first.get(content) else {
                continue;
            };
            let first = first_position.describe(first_path, path);
            let mut finding = Finding::file(&DUPLICATE, path.clone(), format!("duplicate of the record at {first}"))
                .help("remove the copy: duplicates are trained on more than once per epoch");
            finding.position = Some(*position);
            findings.push(finding);
        }
        if self.max_response_copies > 0 {
            for ((path, position), count) in self.responses.values() {
                if *count > self.max_response_copies {
                    let mut finding = Finding::file(
                        &DUPLICATE,
                        path.clone(),
                        format!(
                            "this answer is the response of {count} records (more than {})",
                            self.max_response_copies
                        ),
                    )
                    .severity(Severity::Warning)
                    .help("vary the answers or keep one; the model will over-learn this one");
                    finding.position = Some(*position);
                    findings.push(finding);
                }
            }
        }
        findings
    }

    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}
