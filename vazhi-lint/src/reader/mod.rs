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
    /// `.jsonl` (and `.ndjson`).
    Jsonl,
    /// `.json`: JSON Lines or one JSON array, told apart by content.
    Json,
    JsonlGz,
    JsonlZst,
    Parquet,
}

impl FileKind {
    pub fn of(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        [
            (".jsonl.gz", FileKind::JsonlGz),
            (".ndjson.gz", FileKind::JsonlGz),
            (".jsonl.zst", FileKind::JsonlZst),
            (".ndjson.zst", FileKind::JsonlZst),
            (".jsonl", FileKind::Jsonl),
            (".ndjson", FileKind::Jsonl),
            (".json", FileKind::Json),
            (".parquet", FileKind::Parquet),
        ]
        .into_iter()
        .find_map(|(suffix, kind)| name.ends_with(suffix).then_some(kind))
    }

    /// Opens the file with its decompressor, for the JSON kinds. Plain files are read unbuffered:
    /// the chunk reader asks for megabytes at a time, and a buffer would only add a copy.
    pub fn open_text(self, path: &Path) -> io::Result<Box<dyn Read + Send>> {
        let file = File::open(path)?;
        Ok(match self {
            FileKind::JsonlGz => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                1 << 16,
                file,
            ))),
            FileKind::JsonlZst => Box::new(zstd::stream::read::Decoder::with_buffer(BufReader::with_capacity(
                1 << 16,
                file,
            ))?),
            _ => Box::new(file),
        })
    }

    /// Opens a JSON kind for chunked reading: decompressed as the kind says, and split as one JSON
    /// array (a `.json` file whose content starts with `[`) or as JSON Lines.
    pub fn open_chunks(self, path: &Path) -> io::Result<ChunkedJson> {
        let mut reader = self.open_text(path)?;
        let mut head = Vec::new();
        let is_array = chunks::starts_with_array(&mut reader, &mut head)? && self == FileKind::Json;
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

/// The corpus files under `paths`, sorted, each once. Folders are walked with .gitignore honoured
/// (inside a git repository or not) and hidden entries skipped; a file named explicitly is taken
/// whatever its name says, if vazhi can read its kind.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_file() {
            if FileKind::of(path).is_some() {
                files.push(path.clone());
            } else {
                problems.push(PathProblem {
                    path: path.clone(),
                    message: "not a corpus file vazhi reads (.jsonl, .json, .jsonl.gz, .jsonl.zst, .parquet)".into(),
                });
            }
            continue;
        }
        if !path.exists() {
            problems.push(PathProblem {
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
                Ok(entry) => {
                    if entry.file_type().is_some_and(|kind| kind.is_file()) && FileKind::of(entry.path()).is_some() {
                        files.push(entry.into_path());
                    }
                }
                Err(err) => problems.push(PathProblem {
                    path: path.clone(),
                    message: err.to_string(),
                }),
            }
        }
    }
    files.sort();
    files.dedup();
    (files, problems)
}
