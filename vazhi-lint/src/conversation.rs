//! A corpus file as owned conversations, for code that consumes records rather than judging
//! them: the training crate's data loader (through [`crate::gate::CleanShard::conversations`],
//! so only admitted shards are read for training) and its evaluation prompts.
//!
//! The same readers and layout detection as the linter, so a trainer sees exactly the turns
//! the rules saw: one record model for ChatML text, `messages`, ShareGPT, Alpaca,
//! prompt/completion and raw text.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fields::FieldMap;
use crate::reader::json::parse_record;
use crate::reader::parquet::ParquetFile;
use crate::reader::{Compression, FileKind, JsonFile};
use crate::record::{Layout, Position, Record, Source};

/// One turn of a conversation: its role and its text. Owned (`Message`, the default) when a
/// corpus file is read for training; borrowed (`Message<&str>`) when a caller renders turns it
/// already holds through [`crate::tokens::ChatTemplate`], which takes either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<S = String> {
    /// `system`, `user`, `assistant`, …; empty for raw text.
    pub role: S,
    pub content: S,
}

impl<S: AsRef<str>> Message<S> {
    /// The same turn, borrowed.
    pub fn as_borrowed(&self) -> Message<&str> {
        Message {
            role: self.role.as_ref(),
            content: self.content.as_ref(),
        }
    }
}

/// One record as a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub position: Position,
    pub format: Layout,
    pub messages: Vec<Message>,
}

/// A record that could not be read as a conversation.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", location(path, *position))]
pub struct ReadError {
    pub path: PathBuf,
    pub position: Option<Position>,
    pub message: String,
}

fn location(path: &Path, position: Option<Position>) -> String {
    match position {
        Some(position) => position.describe(path, Path::new("")),
        None => path.display().to_string(),
    }
}

impl Conversation {
    fn of(record: &Record<'_>) -> Conversation {
        Conversation {
            position: record.position,
            format: record.format,
            messages: messages(record)
                .into_iter()
                .map(|turn| Message {
                    role: turn.role.to_owned(),
                    content: turn.content.to_owned(),
                })
                .collect(),
        }
    }
}

/// A record's turns as messages borrowed from it: what a chat template renders.
pub fn messages<'r>(record: &'r Record<'_>) -> Vec<Message<&'r str>> {
    record
        .turns
        .iter()
        .map(|turn| Message {
            role: turn.role.name(),
            content: record.turn_text(turn),
        })
        .collect()
}

/// Reads every record of `path` (any format the linter reads) in file order. The first record
/// that cannot be read is an error naming its line or row.
pub fn read(path: &Path, fields: &FieldMap) -> Result<Vec<Conversation>, ReadError> {
    let source = Source::new(Arc::from(path), 0);
    let error = |position: Option<Position>, message: String| ReadError {
        path: path.to_owned(),
        position,
        message,
    };
    let kind = FileKind::of(path).unwrap_or(FileKind::Jsonl(Compression::None));
    let mut out = Vec::new();
    if kind == FileKind::Parquet {
        let file = ParquetFile::open(path, fields).map_err(|err| error(None, err.message))?;
        for group in 0..file.row_groups() {
            let mut failed = None;
            file.read_row_group(path, group, &source, fields, &mut |record| match record {
                Ok(record) => out.push(Conversation::of(&record)),
                Err((position, err)) => {
                    failed.get_or_insert((position, err.message));
                }
            })
            .map_err(|message| error(None, message))?;
            if let Some((position, message)) = failed {
                return Err(error(Some(position), message));
            }
        }
        return Ok(out);
    }
    let (source, chunks) = match kind
        .open_json(path, fields)
        .map_err(|err| error(None, format!("cannot read file: {err}")))?
    {
        JsonFile::Records { context, chunks, .. } => (Source { context, ..source }, chunks),
        JsonFile::NoRecords(none) => return Err(error(None, format!("holds no records: {none}"))),
    };
    for chunk in chunks {
        let chunk = chunk.map_err(|err| error(None, format!("cannot read file: {err}")))?;
        if let Some(problem) = chunk.problems.first() {
            return Err(error(Some(Position::Line(problem.line)), problem.message.clone()));
        }
        for unit in &chunk.units {
            let position = Position::Line(unit.line);
            let record = parse_record(chunk.unit(unit), position, &source, fields)
                .map_err(|invalid| error(Some(Position::Line(unit.line + invalid.line_offset)), invalid.message))?;
            out.push(Conversation::of(&record));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chatml_text_and_messages_alike() {
        let dir = tempfile::tempdir().unwrap();
        let chatml = dir.path().join("a.jsonl");
        std::fs::write(
            &chatml,
            "{\"text\":\"<|im_start|>user\\nவணக்கம்<|im_end|>\\n<|im_start|>assistant\\nநன்றி<|im_end|>\\n\"}\n\n\
             {\"messages\":[{\"role\":\"user\",\"content\":\"வணக்கம்\"},{\"role\":\"assistant\",\"content\":\"நன்றி\"}]}\n",
        )
        .unwrap();
        let conversations = read(&chatml, &FieldMap::default()).unwrap();
        assert_eq!(conversations.len(), 2);
        assert_eq!(conversations[0].messages, conversations[1].messages);
        assert_eq!(conversations[1].position, Position::Line(3));
        assert_eq!(conversations[0].messages[1].role, "assistant");
        assert_eq!(conversations[0].messages[1].content, "நன்றி");
    }

    #[test]
    fn an_unreadable_record_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(&path, "{\"text\":\"ok\"}\n{\"text\": \n").unwrap();
        let err = read(&path, &FieldMap::default()).unwrap_err();
        assert_eq!(err.position, Some(Position::Line(2)));
        assert!(err.to_string().contains("bad.jsonl:2"), "{err}");
    }
}
