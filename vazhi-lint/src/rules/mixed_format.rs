use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::declare_rule;
use crate::finding::Finding;
use crate::record::{Layout, Position, Record};
use crate::rule::{Aggregate, DatasetRule, Facts, RuleMeta, restore_state, same_aggregate, save_state};

declare_rule! {
    /// ## What it does
    /// Judges each dataset as a whole (by default each file is a dataset; `[[datasets]]` groups files)
    /// and reports one that mixes record layouts: raw text beside chat records, or chat records of
    /// different kinds (ChatML text, `messages`, ShareGPT, Alpaca, prompt/completion). When the
    /// dataset declares a `kind` (`raw`, `chat`, or one layout), every record must match it. One
    /// finding per dataset, with the count of each layout and where the first record of each
    /// minority layout is; `line` is null and `path` is the dataset's first file.
    ///
    /// ## Why is this bad?
    /// VAZHI v3.1 mixed 3,836 raw-text records with 1,097 ChatML ones in one SFT run. The loss fell to
    /// 0.5 and the model answered every question with "systemsystemsystem…": it had learned the
    /// template's tokens as content. Raw text belongs to continued pretraining (DAPT), chat records
    /// to SFT, and a trainer applies one template to a dataset.
    ///
    /// ## Example
    /// ```jsonl
    /// {"text": "யாதும் ஊரே யாவரும் கேளிர் …"}
    /// {"messages": [{"role": "user", "content": "…"}, {"role": "assistant", "content": "…"}]}
    /// ```
    /// `VZ201 mixed-format: dataset mixes record layouts: 1 messages, 1 raw (first raw record at line 1)`.
    ///
    /// ## Options
    /// None; declare what a dataset should hold in vazhi.toml:
    /// ```toml
    /// [[datasets]]
    /// name = "sft"
    /// paths = ["data/sft/**"]
    /// kind = "chat"     # raw | chat | chatml-text | messages | sharegpt | alpaca | prompt-completion | preference
    /// ```
    pub static MIXED_FORMAT = {
        code: "VZ201",
        name: "mixed-format",
        severity: Error,
        scope: Dataset,
        summary: "A dataset mixes record layouts, or holds records of a kind it does not declare",
    };
}

pub struct MixedFormat;

impl DatasetRule for MixedFormat {
    fn meta(&self) -> &'static RuleMeta {
        &MIXED_FORMAT
    }

    fn aggregate(&self) -> Box<dyn Aggregate> {
        Box::new(FormatCounts::default())
    }

    fn restore(&self, saved: &[u8]) -> Result<Box<dyn Aggregate>, String> {
        let saved: SavedFormats = restore_state(&MIXED_FORMAT, saved)?;
        Ok(Box::new(FormatCounts {
            counts: saved.counts.into_iter().collect(),
            first: saved
                .first
                .into_iter()
                .map(|(format, path, position)| (format, (Arc::from(Path::new(&path)), position)))
                .collect(),
        }))
    }
}

/// [`FormatCounts`] as bytes.
#[derive(Serialize, Deserialize)]
struct SavedFormats {
    counts: Vec<(Layout, u64)>,
    first: Vec<(Layout, String, Position)>,
}

/// Records per layout, and where each layout first appears.
#[derive(Default)]
struct FormatCounts {
    counts: BTreeMap<Layout, u64>,
    first: BTreeMap<Layout, (Arc<Path>, Position)>,
}

impl Aggregate for FormatCounts {
    fn observe(&mut self, record: &Record<'_>, _: &Facts) {
        *self.counts.entry(record.format).or_default() += 1;
        self.first
            .entry(record.format)
            .or_insert_with(|| (record.source.path.clone(), record.position));
    }

    fn merge(&mut self, later: Box<dyn Aggregate>) {
        let later = same_aggregate::<FormatCounts>(later);
        for (format, count) in later.counts {
            *self.counts.entry(format).or_default() += count;
        }
        for (format, first) in later.first {
            self.first.entry(format).or_insert(first);
        }
    }

    fn finish(self: Box<Self>, dataset: &Dataset, out: &mut dyn FnMut(Finding)) {
        (*self).findings(dataset).into_iter().for_each(out);
    }

    fn save(&self) -> Vec<u8> {
        save_state(&SavedFormats {
            counts: self.counts.iter().map(|(format, count)| (*format, *count)).collect(),
            first: self
                .first
                .iter()
                .map(|(format, (path, position))| (*format, path.to_string_lossy().into_owned(), *position))
                .collect(),
        })
    }

    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

impl FormatCounts {
    fn findings(self, dataset: &Dataset) -> Vec<Finding> {
        let first_file = dataset.first_file();
        let at = |format: Layout| {
            self.first
                .get(&format)
                .map_or_else(String::new, |(path, position)| position.describe(path, &first_file))
        };
        let tally = |formats: &mut dyn Iterator<Item = (&Layout, &u64)>| {
            formats
                .map(|(format, count)| format!("{count} {format}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(kind) = dataset.kind {
            let strays: Vec<(&Layout, &u64)> = self
                .counts
                .iter()
                .filter(|(format, _)| !kind.admits(**format))
                .collect();
            if strays.is_empty() {
                return Vec::new();
            }
            let firsts: Vec<String> = strays
                .iter()
                .map(|(format, _)| format!("first {format} record at {}", at(**format)))
                .collect();
            let message = format!(
                "dataset `{}` is declared `{}` but holds {} ({})",
                dataset.name,
                kind.name(),
                tally(&mut strays.iter().copied()),
                firsts.join("; ")
            );
            return vec![Finding::file(&MIXED_FORMAT, dataset.first_file(), message).help(
                "move raw text to a pretraining (DAPT) dataset and convert chat records to the declared layout",
            )];
        }
        if self.counts.len() < 2 {
            return Vec::new();
        }
        // The majority layout is the dataset's; the others are strays to move or convert.
        let majority = self
            .counts
            .iter()
            .max_by_key(|(format, count)| (**count, std::cmp::Reverse(**format)))
            .map(|(format, _)| *format)
            .unwrap_or(Layout::Raw);
        let minorities: Vec<String> = self
            .counts
            .keys()
            .filter(|format| **format != majority)
            .map(|format| format!("first {format} record at {}", at(*format)))
            .collect();
        let message = format!(
            "dataset mixes record layouts: {} ({})",
            tally(&mut self.counts.iter()),
            minorities.join("; ")
        );
        let help = if self.counts.contains_key(&Layout::Raw) {
            "raw text and chat records need separate runs: raw text for continued pretraining (DAPT), chat records for SFT"
        } else {
            "convert every record to one chat layout so one template applies to all"
        };
        vec![Finding::file(&MIXED_FORMAT, dataset.first_file(), message).help(help)]
    }
}
