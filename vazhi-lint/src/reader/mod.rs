//! Readers: finding the corpus files under the given paths, and reading JSON Lines, JSON arrays
//! (plain, gzip or zstd) and Parquet into records.

pub mod chunks;
pub mod json;
#[cfg(unix)]
pub mod mapped;
pub mod parquet;

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

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
pub const READ_KINDS: &str = ".jsonl, .ndjson and .json, each also .gz or .zst, and .parquet";

/// Extensions of files that hold data vazhi does not read. A folder walk that meets them says so,
/// so that a corpus in CSV or plain text is not mistaken for a clean one.
const UNREAD_DATA: [&str; 17] = [
    ".csv",
    ".tsv",
    ".txt",
    ".arrow",
    ".feather",
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
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".parquet") {
            return Some(FileKind::Parquet);
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
            FileKind::Parquet => Compression::None,
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

    /// Opens a JSON kind for chunked reading: decompressed as the kind says, and split as one JSON
    /// array (a `.json` file whose content starts with `[`) or as JSON Lines.
    pub fn open_chunks(self, path: &Path) -> io::Result<ChunkedJson> {
        let mut reader = self.open_text(path)?;
        let mut head = Vec::new();
        let is_array = chunks::starts_with_array(&mut reader, &mut head)? && matches!(self, FileKind::Json(_));
        let chunks: Box<dyn Iterator<Item = io::Result<chunks::Chunk>> + Send> = if is_array {
            Box::new(chunks::ArrayChunks::new(reader, head))
        } else {
            Box::new(chunks::LineChunks::new(reader, head))
        };
        Ok(ChunkedJson { is_array, chunks })
    }
}

/// A JSON file opened by [`FileKind::open_chunks`].
pub struct ChunkedJson {
    /// The file is one JSON array of records (so a split writes its shards back as arrays).
    pub is_array: bool,
    pub chunks: Box<dyn Iterator<Item = io::Result<chunks::Chunk>> + Send>,
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
        let walker = ignore::WalkBuilder::new(path)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
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
    found
}

fn is_unread_data(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
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
