//! `cargo vazhi files`: what vazhi reads and how, file by file, and what it passes over and why.
//! The JSON form is a contract for scripts and tests: an array of objects with at least `path`,
//! `kind`, `records` and `layouts`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::engine::{FileShape, LintReport};
use crate::reader::{NoRecords, passed_over};

/// One line of the listing.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    pub kind: String,
    pub records: u64,
    /// Layout name → records.
    pub layouts: BTreeMap<&'static str, u64>,
    /// Key → records that key was read from.
    pub fields: BTreeMap<String, u64>,
    /// Content parts that are not text.
    pub media: u64,
    /// Why the file was not read, or holds no records.
    pub skipped: Option<String>,
    /// Why its records could not be read, when one reason holds for the whole file.
    pub problem: Option<String>,
}

/// Every file under the linted paths: the ones read, then the ones passed over.
pub struct Listing {
    pub entries: Vec<Entry>,
}

impl Listing {
    pub fn new(report: &LintReport, paths: &[PathBuf]) -> Listing {
        let mut entries: Vec<Entry> = report
            .summaries
            .iter()
            .map(|summary| Entry {
                path: summary.path.clone(),
                kind: summary.shape.kind(),
                records: summary.records,
                layouts: summary
                    .layouts
                    .iter()
                    .map(|(layout, count)| (layout.name(), *count))
                    .collect(),
                fields: summary.fields.clone(),
                media: summary.media,
                problem: summary.problem.clone(),
                skipped: match &summary.shape {
                    FileShape::NoRecords(none @ (NoRecords::Empty | NoRecords::NotCorpus(_) | NoRecords::Metadata)) => {
                        Some(format!("no records: {none}"))
                    }
                    _ => None,
                },
            })
            .collect();
        let skipped = |path: &Path, kind: &str, why: String| Entry {
            path: path.to_path_buf(),
            kind: kind.to_owned(),
            records: 0,
            layouts: BTreeMap::new(),
            fields: BTreeMap::new(),
            media: 0,
            skipped: Some(why),
            problem: None,
        };
        for path in &report.unread_files {
            entries.push(skipped(
                path,
                "not read",
                format!("a format vazhi does not read (it reads {})", crate::reader::READ_KINDS),
            ));
        }
        for (path, why) in passed_over(paths, &report.files) {
            entries.push(skipped(&path, "not read", why.to_owned()));
        }
        Listing { entries }
    }

    /// A table: records, kind, layouts and fields, path; the files not read after.
    pub fn write_table(&self, out: &mut dyn Write) -> io::Result<()> {
        let (read, passed): (Vec<&Entry>, Vec<&Entry>) = self.entries.iter().partition(|entry| entry.skipped.is_none());
        let layouts = |entry: &Entry| {
            if entry.layouts.is_empty() {
                "-".to_owned()
            } else {
                entry
                    .layouts
                    .iter()
                    .map(|(name, count)| format!("{name} {count}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let kind_width = read.iter().map(|entry| entry.kind.chars().count()).max().unwrap_or(4);
        let layout_width = read
            .iter()
            .map(|entry| layouts(entry).chars().count())
            .max()
            .unwrap_or(7);
        if !read.is_empty() {
            writeln!(
                out,
                "{:>9}  {:<kind_width$}  {:<layout_width$}  path",
                "records", "kind", "layouts"
            )?;
        }
        for entry in &read {
            writeln!(
                out,
                "{:>9}  {:<kind_width$}  {:<layout_width$}  {}",
                entry.records,
                entry.kind,
                layouts(entry),
                entry.path.display()
            )?;
            if !entry.fields.is_empty() {
                let fields: Vec<String> = entry
                    .fields
                    .iter()
                    .map(|(key, count)| {
                        if *count == entry.records {
                            key.clone()
                        } else {
                            format!("{key} ({count})")
                        }
                    })
                    .collect();
                let media = if entry.media > 0 {
                    format!("; {} non-text content parts", entry.media)
                } else {
                    String::new()
                };
                writeln!(out, "{:>9}  fields: {}{media}", "", fields.join(", "))?;
            }
            if let Some(problem) = &entry.problem {
                writeln!(out, "{:>9}  not read: {problem}", "")?;
            }
        }
        if !passed.is_empty() {
            writeln!(out, "not read:")?;
            for entry in passed {
                writeln!(
                    out,
                    "  {}: {}",
                    entry.path.display(),
                    entry.skipped.as_deref().unwrap_or_default()
                )?;
            }
        }
        let records: u64 = self.entries.iter().map(|entry| entry.records).sum();
        writeln!(
            out,
            "{records} records in {} files read; {} not read",
            read.len(),
            self.entries.len() - read.len()
        )
    }

    pub fn to_json(&self) -> Value {
        Value::Array(
            self.entries
                .iter()
                .map(|entry| {
                    json!({
                        "path": entry.path.display().to_string(),
                        "kind": entry.kind,
                        "records": entry.records,
                        "layouts": entry.layouts,
                        "fields": entry.fields,
                        "media": entry.media,
                        "skipped": entry.skipped,
                        "problem": entry.problem,
                    })
                })
                .collect(),
        )
    }

    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &self.to_json())?;
        writeln!(out)
    }
}
