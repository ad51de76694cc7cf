//! Readers: finding the corpus files under the given paths, and reading JSON Lines, JSON documents
//! (plain, gzip or zstd) and Parquet into records.

pub mod chunks;
pub mod csv;
pub mod document;
pub mod ipc;
pub mod json;
#[cfg(unix)]
pub mod mapped;
pub mod parquet;
pub mod table;

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::fields::{FieldMap, Slot};
use crate::record::FileContext;
use document::{DocumentChunks, MemberValue, Outline, Records, Sniffed};

/// A file kind vazhi reads, decided by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.jsonl` / `.ndjson`, plain or compressed: one record per line.
    Jsonl(Compression),
    /// `.json`, plain or compressed: JSON Lines or one JSON array, told apart by content
    /// (`.json.gz` on the Hugging Face Hub is usually JSON Lines).
    Json(Compression),
    /// `.parquet`.
    Parquet,
    /// `.arrow` / `.feather`: Arrow IPC, stream or file format.
    Arrow,
    /// `.csv` (`,`) or `.tsv` (tab), with a header row.
    Csv(u8),
}

/// How a JSON kind is compressed, from its last extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    /// `.gz`
    Gzip,
    /// `.zst`
    Zstd,
}

/// The file kinds vazhi reads, as messages name them.
pub const READ_KINDS: &str =
    ".jsonl, .ndjson and .json, each also .gz or .zst; .parquet; .arrow and .feather; .csv and .tsv";

/// Extensions of files that hold data vazhi does not read. A folder walk that meets them says so,
/// so that a corpus in CSV or plain text is not mistaken for a clean one.
const UNREAD_DATA: [&str; 13] = [
    ".txt",
    ".avro",
    ".orc",
    ".xlsx",
    ".jsonl.bz2",
    ".jsonl.xz",
    ".json.bz2",
    ".json.xz",
    ".csv.gz",
    ".tsv.gz",
    ".txt.gz",
    ".zip",
    ".tar.gz",
];

impl FileKind {
    pub fn of(path: &Path) -> Option<FileKind> {
        // A name that is not valid UTF-8 still has an extension to go by.
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".parquet") {
            return Some(FileKind::Parquet);
        }
        if name.ends_with(".arrow") || name.ends_with(".feather") {
            return Some(FileKind::Arrow);
        }
        if name.ends_with(".csv") {
            return Some(FileKind::Csv(b','));
        }
        if name.ends_with(".tsv") {
            return Some(FileKind::Csv(b'\t'));
        }
        let (stem, compression) = if let Some(stem) = name.strip_suffix(".gz") {
            (stem, Compression::Gzip)
        } else if let Some(stem) = name.strip_suffix(".zst") {
            (stem, Compression::Zstd)
        } else {
            (name.as_str(), Compression::None)
        };
        if stem.ends_with(".jsonl") || stem.ends_with(".ndjson") {
            Some(FileKind::Jsonl(compression))
        } else if stem.ends_with(".json") {
            Some(FileKind::Json(compression))
        } else {
            None
        }
    }

    /// The compression of a JSON kind; Parquet compresses inside the file.
    pub fn compression(self) -> Compression {
        match self {
            FileKind::Jsonl(compression) | FileKind::Json(compression) => compression,
            FileKind::Parquet | FileKind::Arrow | FileKind::Csv(_) => Compression::None,
        }
    }

    /// Opens the file with its decompressor, for the JSON kinds. Plain files are read unbuffered:
    /// the chunk reader asks for megabytes at a time, and a buffer would only add a copy.
    pub fn open_text(self, path: &Path) -> io::Result<Box<dyn Read + Send>> {
        let file = File::open(path)?;
        Ok(match self.compression() {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                1 << 16,
                file,
            ))),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(BufReader::with_capacity(
                1 << 16,
                file,
            ))?),
            Compression::None => Box::new(file),
        })
    }

    /// Opens a JSON kind for chunked reading: decompressed as the kind says, and read as JSON
    /// Lines or as a document ([`document`]), whichever the content is.
    pub fn open_json(self, path: &Path, fields: &FieldMap) -> io::Result<JsonFile> {
        if is_metadata(path) {
            return Ok(JsonFile::NoRecords(NoRecords::Metadata));
        }
        let mut reader = self.open_text(path)?;
        let mut head = Vec::new();
        let eof = read_head(&mut reader, &mut head)?;
        if let Some(encoding) = utf16(&head) {
            return Ok(JsonFile::NoRecords(NoRecords::Invalid(chunks::Problem {
                line: 1,
                message: format!("the file is {encoding}; vazhi reads UTF-8 (convert it: `iconv -f UTF-16 -t UTF-8`)"),
            })));
        }
        let sniffed = match self {
            FileKind::Json(_) => document::sniff(&head, eof),
            _ => Sniffed::Lines,
        };
        let (container, context, records, span) = match sniffed {
            Sniffed::Lines => {
                return Ok(JsonFile::Records {
                    container: Container::Lines,
                    context: FileContext::default(),
                    span: None,
                    chunks: Box::new(chunks::LineChunks::new(reader, head)),
                });
            }
            Sniffed::Array => (Container::Array, FileContext::default(), Records::Array, None),
            Sniffed::Document => {
                // The head already read is the start of the file: outline it from a fresh reader.
                let outline = document::outline(self.open_text(path)?)?;
                match what_outline_holds(&outline, fields) {
                    Ok(found) => found,
                    Err(none) => return Ok(JsonFile::NoRecords(none)),
                }
            }
        };
        Ok(JsonFile::Records {
            container,
            context,
            span,
            chunks: Box::new(DocumentChunks::new(reader, head, records)),
        })
    }
}

/// JSON files that sit beside data and are never corpora: a model's and tokenizer's configuration,
/// the `datasets` library's description of a saved dataset, a split's manifest. Their lists of
/// objects (a tokenizer's `added_tokens`, a saved dataset's `_data_files`) are not records.
const METADATA_FILES: [&str; 12] = [
    "tokenizer.json",
    "tokenizer_config.json",
    "config.json",
    "generation_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.json",
    "preprocessor_config.json",
    "dataset_info.json",
    "dataset_dict.json",
    "state.json",
    "vazhi-manifest.json",
];

/// Whether `path` is one of [`METADATA_FILES`].
pub fn is_metadata(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| METADATA_FILES.contains(&name))
}

/// Names a UTF-16 file from its first bytes (a byte order mark, or ASCII with a zero byte beside
/// every character), which would otherwise be reported as broken UTF-8 on every line.
pub fn utf16(head: &[u8]) -> Option<&'static str> {
    let zero_beside = |odd: bool| {
        let pairs: Vec<&[u8]> = head.chunks_exact(2).take(8).collect();
        pairs.len() >= 2
            && pairs.iter().all(|pair| {
                let (zero, ascii) = if odd { (pair[0], pair[1]) } else { (pair[1], pair[0]) };
                zero == 0 && ascii != 0 && ascii.is_ascii()
            })
    };
    if head.starts_with(b"\xFF\xFE") || zero_beside(false) {
        Some("UTF-16 (little-endian)")
    } else if head.starts_with(b"\xFE\xFF") || zero_beside(true) {
        Some("UTF-16 (big-endian)")
    } else {
        None
    }
}

/// The message for a file that stops being readable after `last_line` (0: before any record).
pub fn read_failure(last_line: u64, err: &io::Error) -> String {
    match (err.kind(), last_line) {
        (io::ErrorKind::UnexpectedEof, 0) => {
            format!("the file ends early, before its first record ({err}): truncated?")
        }
        (io::ErrorKind::UnexpectedEof, _) => {
            format!("the file ends early after line {last_line} ({err}): truncated? what followed is lost")
        }
        (_, 0) => format!("cannot read the file: {err}"),
        (_, _) => format!("cannot read past line {last_line}: {err}"),
    }
}

/// Hands `items` to `consume` while a thread of its own produces the next one, so reading
/// (decompressing, decoding) and checking overlap; at most one item waits. When `consume` returns
/// early, the producer stops at its next item.
pub fn read_ahead<T: Send, R>(
    items: impl Iterator<Item = T> + Send,
    consume: impl FnOnce(std::sync::mpsc::IntoIter<T>) -> R,
) -> R {
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for item in items {
                if sender.send(item).is_err() {
                    break;
                }
            }
        });
        consume(receiver.into_iter())
    })
}

/// The message for a table that stops being readable at `row`: lint and split say the same.
pub fn row_read_failure(row: u64, message: &str) -> String {
    format!("cannot read past row {row}: {message}")
}

/// Reads the first 64 KiB (or the whole file, if shorter); true when that is the whole file.
fn read_head(reader: &mut dyn Read, head: &mut Vec<u8>) -> io::Result<bool> {
    const HEAD: usize = 64 << 10;
    let read = reader.take(HEAD as u64).read_to_end(head)?;
    Ok(read < HEAD)
}

/// Where a document's records are, from its outline; or why it holds none.
type Found = (Container, FileContext, Records, Option<(u64, u64)>);

fn what_outline_holds(outline: &Outline, fields: &FieldMap) -> Result<Found, NoRecords> {
    if outline.values == 0 {
        return Err(NoRecords::Empty);
    }
    if outline.values > 1 {
        return Ok((Container::Stream, FileContext::default(), Records::Stream, None));
    }
    let members = &outline.members;
    if members.is_empty() {
        return Err(match &outline.problem {
            Some(problem) => NoRecords::Invalid(problem.clone()),
            None => NoRecords::NotCorpus(Vec::new()),
        });
    }
    // The configured names in order; then, unless the object is itself a record (it has a text
    // field vazhi reads: a pretty-printed conversation's `messages` is its turns, not records),
    // the one member that is a list of objects.
    let named = fields.records.iter().find_map(|name| {
        members
            .iter()
            .find(|member| &member.name == name && matches!(member.value, MemberValue::Array { .. }))
    });
    let is_record = members.iter().any(|member| {
        fields
            .classify(&member.name)
            .is_some_and(|(slot, _)| !matches!(slot, Slot::Language | Slot::Category))
    });
    if named.is_none() && is_record {
        return Ok((Container::Record, FileContext::default(), Records::Stream, None));
    }
    // A name starting with `_` is internal by convention (a saved dataset's `_data_files`).
    let candidates: Vec<&document::Member> = members
        .iter()
        .filter(|member| member.value.holds_records() && !member.name.starts_with('_'))
        .collect();
    let chosen = match (named, candidates.as_slice()) {
        (Some(member), _) => member,
        (None, [only]) => *only,
        (None, []) => {
            return Err(match &outline.problem {
                Some(problem) => NoRecords::Invalid(problem.clone()),
                None => NoRecords::NotCorpus(members.iter().map(|member| member.name.clone()).collect()),
            });
        }
        (None, several) => {
            return Err(NoRecords::Ambiguous(
                several
                    .iter()
                    .map(|member| {
                        let count = match member.value {
                            MemberValue::Array { elements, .. } => elements,
                            _ => 0,
                        };
                        (member.name.clone(), count)
                    })
                    .collect(),
            ));
        }
    };
    Ok((
        Container::Member(chosen.name.clone()),
        context_of(members, fields),
        Records::Member {
            offset: chosen.offset,
            line: chosen.line,
        },
        Some((chosen.offset, chosen.end)),
    ))
}

/// The labels a wrapper object gives its records: its string members named like a language or a
/// category (`{"language": "pure_tamil", "pack": "vazhi_sattam", "samples": […]}`).
fn context_of(members: &[document::Member], fields: &FieldMap) -> FileContext {
    let mut context = FileContext::default();
    let mut best = [usize::MAX; 2];
    for member in members {
        let MemberValue::Text(text) = &member.value else {
            continue;
        };
        let (slot, priority) = match fields.classify(&member.name) {
            Some((Slot::Language, priority)) => (0, priority),
            Some((Slot::Category, priority)) => (1, priority),
            _ => continue,
        };
        if priority < best[slot] {
            best[slot] = priority;
            let label = Some(text.clone());
            if slot == 0 {
                context.language = label;
            } else {
                context.category = label;
            }
        }
    }
    context
}

/// How a JSON file holds its records: what `cargo vazhi files` reports as its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Container {
    /// One record per line.
    Lines,
    /// A top-level array of records.
    Array,
    /// The records are the array in this member of the top-level object.
    Member(String),
    /// Records written one after another, each over several lines.
    Stream,
    /// The document is one record.
    Record,
}

impl std::fmt::Display for Container {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Container::Lines => f.write_str("JSON Lines"),
            Container::Array => f.write_str("JSON array"),
            Container::Member(name) => write!(f, "JSON object member `{name}`"),
            Container::Stream => f.write_str("JSON objects one after another"),
            Container::Record => f.write_str("JSON object (one record)"),
        }
    }
}

/// Why a JSON file holds no records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoRecords {
    /// Nothing but white space.
    Empty,
    /// An object with no list of records and no text field (metadata, a manifest, a report): not a
    /// corpus. Its member names.
    NotCorpus(Vec<String>),
    /// An object with several members that could be the records, and no `[fields] records` to
    /// say which: (name, elements) of each.
    Ambiguous(Vec<(String, u64)>),
    /// Not valid JSON before any record was found.
    Invalid(chunks::Problem),
    /// A model, tokenizer or dataset metadata file, known by its name ([`METADATA_FILES`]).
    Metadata,
}

impl std::fmt::Display for NoRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoRecords::Empty => f.write_str("the file is empty"),
            NoRecords::NotCorpus(members) if members.is_empty() => f.write_str("an empty JSON object"),
            NoRecords::NotCorpus(members) => {
                let shown: Vec<&str> = members.iter().take(8).map(String::as_str).collect();
                let more = if members.len() > 8 { ", …" } else { "" };
                write!(f, "a JSON object with no list of records ({}{more})", shown.join(", "))
            }
            NoRecords::Ambiguous(candidates) => {
                let listed: Vec<String> = candidates
                    .iter()
                    .map(|(name, count)| format!("`{name}` ({count})"))
                    .collect();
                write!(f, "several lists of records: {}", listed.join(", "))
            }
            NoRecords::Invalid(problem) => write!(f, "line {}: {}", problem.line, problem.message),
            NoRecords::Metadata => f.write_str("model, tokenizer or dataset metadata"),
        }
    }
}

/// A JSON file opened by [`FileKind::open_json`].
pub enum JsonFile {
    Records {
        container: Container,
        /// Labels the document gives every record that has none of its own.
        context: FileContext,
        /// For records in a member of a document's object: the bytes `[start, end)` of its array,
        /// so a split can write the document back around the clean records.
        span: Option<(u64, u64)>,
        chunks: Box<dyn Iterator<Item = io::Result<chunks::Chunk>> + Send>,
    },
    NoRecords(NoRecords),
}

/// A path given on the command line that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathProblem {
    pub path: PathBuf,
    pub message: String,
}

/// What [`discover`] found under the paths.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The corpus files, sorted, each once.
    pub files: Vec<PathBuf>,
    /// Paths that could not be used.
    pub problems: Vec<PathProblem>,
    /// Files met in folders that hold data in a format vazhi does not read (CSV, plain text,
    /// Arrow, …), sorted.
    pub unread: Vec<PathBuf>,
}

/// The corpus files under `paths`. Folders are walked with .gitignore honoured (inside a git
/// repository or not) and hidden entries skipped; a file named explicitly is taken whatever its
/// name says, if vazhi can read its kind.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut found = Discovery::default();
    for path in paths {
        if path.is_file() {
            if FileKind::of(path).is_some() {
                found.files.push(path.clone());
            } else {
                found.problems.push(PathProblem {
                    path: path.clone(),
                    message: format!("not a corpus file vazhi reads ({READ_KINDS})"),
                });
            }
            continue;
        }
        if !path.exists() {
            found.problems.push(PathProblem {
                path: path.clone(),
                message: "no such file or directory".into(),
            });
            continue;
        }
        if !path.is_dir() {
            // A FIFO, a device, a socket: never a corpus, and reading one may never end.
            found.problems.push(PathProblem {
                path: path.clone(),
                message: "not a regular file or folder".into(),
            });
            continue;
        }
        // Links are followed: a Hugging Face hub snapshot is a folder of links to blobs.
        let walker = ignore::WalkBuilder::new(path)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .follow_links(true)
            .sort_by_file_path(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_some_and(|kind| kind.is_file()) => {
                    if FileKind::of(entry.path()).is_some() {
                        found.files.push(entry.into_path());
                    } else if is_unread_data(entry.path()) {
                        found.unread.push(entry.into_path());
                    }
                }
                Ok(_) => {}
                Err(err) => found.problems.push(PathProblem {
                    path: path.clone(),
                    message: err.to_string(),
                }),
            }
        }
    }
    for list in [&mut found.files, &mut found.unread] {
        list.sort();
        list.dedup();
    }
    // The same file named twice (`d/a.jsonl ./d/a.jsonl`, or through a link) is read once.
    let mut seen = std::collections::HashSet::new();
    found
        .files
        .retain(|file| seen.insert(std::fs::canonicalize(file).unwrap_or_else(|_| file.clone())));
    found
}

/// Files of a kind vazhi reads under the folders in `paths` that a lint walk passes over, and why:
/// hidden, or ignored by a `.gitignore`. For `cargo vazhi files`, which shows what is not read too.
pub fn passed_over(paths: &[PathBuf], read: &[PathBuf]) -> Vec<(PathBuf, &'static str)> {
    let read: std::collections::HashSet<&Path> = read.iter().map(PathBuf::as_path).collect();
    let mut out = Vec::new();
    for path in paths.iter().filter(|path| path.is_dir()) {
        let walker = ignore::WalkBuilder::new(path)
            .standard_filters(false)
            .sort_by_file_path(|a, b| a.cmp(b))
            .build();
        for entry in walker.flatten() {
            let file = entry.path();
            if !entry.file_type().is_some_and(|kind| kind.is_file())
                || FileKind::of(file).is_none()
                || read.contains(file)
            {
                continue;
            }
            let hidden = file
                .strip_prefix(path)
                .unwrap_or(file)
                .components()
                .any(|part| part.as_os_str().to_str().is_some_and(|name| name.starts_with('.')));
            out.push((
                file.to_path_buf(),
                if hidden { "hidden" } else { "ignored by .gitignore" },
            ));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn is_unread_data(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.to_string_lossy().to_ascii_lowercase();
    UNREAD_DATA.iter().any(|suffix| name.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_last_two_extensions() {
        let kind = |name: &str| FileKind::of(Path::new(name));
        assert_eq!(kind("a.jsonl"), Some(FileKind::Jsonl(Compression::None)));
        assert_eq!(kind("a.NDJSON"), Some(FileKind::Jsonl(Compression::None)));
        assert_eq!(kind("a.jsonl.gz"), Some(FileKind::Jsonl(Compression::Gzip)));
        assert_eq!(kind("a.ndjson.zst"), Some(FileKind::Jsonl(Compression::Zstd)));
        assert_eq!(kind("train-00001.json.gz"), Some(FileKind::Json(Compression::Gzip)));
        assert_eq!(kind("a.json.zst"), Some(FileKind::Json(Compression::Zstd)));
        assert_eq!(kind("a.parquet"), Some(FileKind::Parquet));
        assert_eq!(kind("data-00000-of-00001.arrow"), Some(FileKind::Arrow));
        assert_eq!(kind("a.tsv"), Some(FileKind::Csv(b'\t')));
        assert_eq!(kind("A.CSV"), Some(FileKind::Csv(b',')));
        for unread in [
            "a.gz",
            "a.csv.gz",
            "a.jsonl.bz2",
            "a.parquet.gz",
            "jsonl",
            "a.jsonl.gz.part",
        ] {
            assert_eq!(kind(unread), None, "{unread}");
        }
    }
}
