//! Shared helpers for the end-to-end tests and the sample-corpus builder: the real reference data in
//! rules/data and tests/data/reference, and writing Parquet files the way dataset libraries do.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder, StructBuilder};
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Fields, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use serde_json::Value;

/// `split`'s options as the command line's defaults give them, writing to `out`.
pub fn split_options(out: &Path) -> vazhi_lint::split::SplitOptions {
    vazhi_lint::split::SplitOptions {
        out: out.to_path_buf(),
        strict: false,
        allow_dataset_errors: false,
        fix: false,
        allow_unreadable: false,
    }
}

/// The manifest a split published in `out`.
pub fn split_manifest(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("vazhi-manifest.json")).unwrap()).unwrap()
}

/// The `cargo-vazhi` binary, built once per test process with the test's own profile.
pub fn vazhi_binary() -> &'static Path {
    static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| {
        escargot::CargoBuild::new()
            .package("cargo-vazhi")
            .bin("cargo-vazhi")
            .current_release()
            .current_target()
            .manifest_path(workspace().join("Cargo.toml"))
            .run()
            .expect("cargo-vazhi builds")
            .path()
            .to_path_buf()
    })
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// tests/data: the tokenizer, and under reference/ the commentaries, poems, essay and log excerpt
/// (sources and licences in its README).
pub fn test_data() -> PathBuf {
    workspace().join("tests/data")
}

/// rules/data: the reference kurals and damaged readings the rules compile in.
pub fn rules_data() -> PathBuf {
    workspace().join("rules/data")
}

fn json_lines(path: &Path) -> Vec<Value> {
    let body = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    body.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{}: {err}", path.display())))
        .collect()
}

/// One kural of the reference text.
#[derive(Debug, Clone)]
pub struct Kural {
    pub number: u64,
    pub chapter: String,
    pub tamil: String,
    pub english: String,
    pub explanation: String,
    /// Mu. Varadarasanar's commentary, cleaned with [`clean_tamil`].
    pub meaning: String,
    /// The commentary as the source has it: some entries carry real defects (joiners inside words,
    /// decomposed vowels, a pulli typed after a vowel sign).
    pub meaning_raw: String,
}

/// Repairs the defects the commentaries really have: NFC, no zero-width (non-)joiners, no pulli
/// typed after a vowel sign. What a corpus maintainer does before calling text clean.
pub fn clean_tamil(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let composed: String = text.nfc().filter(|ch| !matches!(ch, '\u{200C}' | '\u{200D}')).collect();
    let mut out = String::with_capacity(composed.len());
    let mut previous = '\0';
    for ch in composed.chars() {
        let vowel_sign = matches!(previous, '\u{0BBE}'..='\u{0BCC}');
        if !(ch == '\u{0BCD}' && vowel_sign) {
            out.push(ch);
        }
        previous = ch;
    }
    out
}

fn text(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// All 1330 kurals with Pope's English and a Tamil commentary: the reference text the rule compiles
/// in, joined by number with the commentary file.
pub fn kurals() -> Vec<Kural> {
    let commentary = json_lines(&test_data().join("reference/thirukkural-commentary.jsonl"));
    json_lines(&rules_data().join("thirukkural.jsonl"))
        .into_iter()
        .zip(commentary)
        .map(|(mut value, extra)| {
            assert_eq!(value["number"], extra["number"], "the commentary is in kural order");
            if let (Some(value), Value::Object(extra)) = (value.as_object_mut(), extra) {
                value.extend(extra);
            }
            Kural {
                number: value["number"].as_u64().unwrap_or(0),
                chapter: text(&value, "chapter"),
                tamil: text(&value, "tamil"),
                english: text(&value, "english"),
                explanation: text(&value, "english_explanation"),
                meaning: clean_tamil(&text(&value, "meaning_varadarasanar")),
                meaning_raw: text(&value, "meaning_varadarasanar"),
            }
        })
        .collect()
}

/// A modern Tamil poem with its prose explanation.
#[derive(Debug, Clone)]
pub struct Poem {
    pub title: String,
    pub category: String,
    pub poem: String,
    pub meaning: String,
}

pub fn poems() -> Vec<Poem> {
    json_lines(&test_data().join("reference/tamilkavi-poems.jsonl"))
        .into_iter()
        .map(|value| Poem {
            title: text(&value, "title"),
            category: text(&value, "category"),
            poem: text(&value, "poem"),
            meaning: text(&value, "meaning"),
        })
        .collect()
}

/// A chat turn, for building corpora.
pub type Turn = (&'static str, String);

/// `messages: list<struct<role, content>>` plus string columns, as `datasets` holds them.
pub fn messages_batch(conversations: &[Vec<Turn>], extra: &[(&str, Vec<Option<String>>)]) -> RecordBatch {
    let members = Fields::from(vec![
        Field::new("role", DataType::Utf8, true),
        Field::new("content", DataType::Utf8, true),
    ]);
    let mut list = ListBuilder::new(StructBuilder::from_fields(members.clone(), conversations.len()))
        .with_field(Arc::new(Field::new("item", DataType::Struct(members), true)));
    for conversation in conversations {
        let turns = list.values();
        for (role, content) in conversation {
            turns
                .field_builder::<StringBuilder>(0)
                .expect("role")
                .append_value(role);
            turns
                .field_builder::<StringBuilder>(1)
                .expect("content")
                .append_value(content);
            turns.append(true);
        }
        list.append(true);
    }
    let messages: ArrayRef = Arc::new(list.finish());
    let mut fields = vec![Field::new("messages", messages.data_type().clone(), true)];
    let mut columns = vec![messages];
    for (name, values) in extra {
        fields.push(Field::new(*name, DataType::Utf8, true));
        columns.push(Arc::new(StringArray::from(values.clone())));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("columns match the schema")
}

/// Writes `messages: list<struct<role, content>>` plus string columns, as `datasets` does.
pub fn write_messages_parquet(path: &Path, conversations: &[Vec<Turn>], extra: &[(&str, Vec<Option<String>>)]) {
    write_batch_parquet(path, &messages_batch(conversations, extra), 64);
}

/// Plain string columns as one batch.
pub fn text_batch(columns: &[(&str, Vec<Option<String>>)]) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, _)| Field::new(*name, DataType::Utf8, true))
        .collect();
    let arrays = columns
        .iter()
        .map(|(_, values)| Arc::new(StringArray::from(values.clone())) as ArrayRef)
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("columns match the schema")
}

/// Writes a batch as an Arrow IPC stream, in record batches of `rows` rows: what
/// `datasets.Dataset.save_to_disk` writes as `data-00000-of-00001.arrow`.
pub fn write_arrow_stream(path: &Path, batch: &RecordBatch, rows: usize) {
    let file = File::create(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(file, &batch.schema()).expect("stream writer");
    for start in (0..batch.num_rows()).step_by(rows.max(1)) {
        let slice = batch.slice(start, rows.min(batch.num_rows() - start));
        writer.write(&slice).expect("write batch");
    }
    writer.finish().expect("finish stream");
}

/// Writes a batch as an Arrow IPC file (Feather v2).
pub fn write_arrow_file(path: &Path, batch: &RecordBatch) {
    let file = File::create(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let mut writer = arrow_ipc::writer::FileWriter::try_new(file, &batch.schema()).expect("file writer");
    writer.write(batch).expect("write batch");
    writer.finish().expect("finish file");
}

/// Writes string columns as CSV (or TSV) with a header, quoting as spreadsheets do.
pub fn write_csv(path: &Path, delimiter: char, columns: &[(&str, Vec<Option<String>>)]) {
    let quote = |cell: &str| {
        if cell.contains([delimiter, '"', '\n', '\r']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.to_owned()
        }
    };
    let separator = delimiter.to_string();
    let mut out = String::new();
    let header: Vec<String> = columns.iter().map(|(name, _)| quote(name)).collect();
    out.push_str(&header.join(&separator));
    out.push('\n');
    let rows = columns.first().map_or(0, |(_, values)| values.len());
    for row in 0..rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, values)| values[row].as_deref().map(quote).unwrap_or_default())
            .collect();
        out.push_str(&cells.join(&separator));
        out.push('\n');
    }
    std::fs::write(path, out).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
}

/// Writes plain string columns.
pub fn write_text_parquet(path: &Path, columns: &[(&str, Vec<Option<String>>)], rows_per_group: usize) {
    write_batch_parquet(path, &text_batch(columns), rows_per_group);
}

/// Writes a batch as Parquet, `rows_per_group` rows to a row group.
pub fn write_batch_parquet(path: &Path, batch: &RecordBatch, rows_per_group: usize) {
    let schema = batch.schema();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows_per_group.max(1)))
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    let file = File::create(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let mut writer = ArrowWriter::try_new(file, schema, Some(properties)).expect("parquet writer");
    writer.write(batch).expect("write batch");
    writer.close().expect("close parquet");
}

/// Re-spells Tamil letters in another Indic script by code-point offset (the Indic blocks share a
/// layout), to make real foreign-script text from real Tamil text.
pub fn transliterate(tamil: &str, block_start: u32) -> String {
    tamil
        .chars()
        .map(|ch| {
            let code = ch as u32;
            if (0x0B80..=0x0BFF).contains(&code) {
                char::from_u32(code - 0x0B80 + block_start).unwrap_or(ch)
            } else {
                ch
            }
        })
        .collect()
}
