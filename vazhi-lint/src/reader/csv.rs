//! CSV and TSV corpora with a header row: each column is a field, named by its header, read as text
//! (a column of numbers is still a column vazhi can name), into the same records as Parquet.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};

use super::table::{Batches, TableError, TablePlan};
use crate::fields::FieldMap;

/// Rows decoded per batch.
const BATCH_ROWS: usize = 2048;

/// The header's column names.
fn header(path: &Path, delimiter: u8) -> Result<Vec<String>, String> {
    let mut file = BufReader::new(File::open(path).map_err(|err| format!("cannot open: {err}"))?);
    let mut first = Vec::new();
    // The header is the first record; a quoted name may hold a line break, so let the CSV parser
    // read it from a generous head.
    (&mut file)
        .take(1 << 20)
        .read_to_end(&mut first)
        .map_err(|err| format!("cannot read: {err}"))?;
    let first = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&first);
    let format = arrow_csv::reader::Format::default()
        .with_header(true)
        .with_delimiter(delimiter);
    let (schema, _) = format
        .infer_schema(first, Some(0))
        .map_err(|err| format!("not a readable CSV header: {err}"))?;
    Ok(schema.fields().iter().map(|field| field.name().clone()).collect())
}

/// The record batches of a CSV (or, with `\t`, TSV) file, every column as text.
pub fn batches(path: &Path, delimiter: u8, fields: &FieldMap) -> Result<(TablePlan, Batches), TableError> {
    let names = header(path, delimiter)?;
    if names.is_empty() {
        return Err(TableError::from("empty file: expected a header row".to_owned()));
    }
    let schema = text_schema(&names);
    let plan = match TablePlan::new(&schema, fields) {
        Ok(plan) => plan,
        Err(err) => {
            let first = open_reader(path, schema.clone(), delimiter, None)
                .ok()
                .and_then(|mut batches| batches.next())
                .and_then(Result::ok);
            return Err(err.with_sample(first.as_ref()));
        }
    };
    let reader = open_reader(path, schema, delimiter, Some(plan.projection().to_vec()))?;
    Ok((plan, Box::new(reader.map(|batch| batch.map_err(|err| err.to_string())))))
}

/// Every column of a CSV file as text, for `split` to write back.
pub fn all_batches(path: &Path, delimiter: u8) -> Result<Batches, String> {
    let schema = text_schema(&header(path, delimiter)?);
    let reader = open_reader(path, schema, delimiter, None)?;
    Ok(Box::new(reader.map(|batch| batch.map_err(|err| err.to_string()))))
}

/// Every column a nullable string.
fn text_schema(names: &[String]) -> Arc<Schema> {
    Arc::new(Schema::new(
        names
            .iter()
            .map(|name| Field::new(name, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ))
}

fn open_reader(
    path: &Path,
    schema: Arc<Schema>,
    delimiter: u8,
    projection: Option<Vec<usize>>,
) -> Result<arrow_csv::Reader<BufReader<File>>, String> {
    let mut file = File::open(path).map_err(|err| format!("cannot open: {err}"))?;
    // A UTF-8 byte order mark would become part of the first column's name.
    let mut bom = [0u8; 3];
    if !(file.read_exact(&mut bom).is_ok() && bom == *b"\xEF\xBB\xBF") {
        file.seek(SeekFrom::Start(0))
            .map_err(|err| format!("cannot read: {err}"))?;
    }
    let mut builder = arrow_csv::ReaderBuilder::new(schema)
        .with_header(true)
        .with_delimiter(delimiter)
        .with_batch_size(BATCH_ROWS)
        // A row with fewer fields than the header (spreadsheets drop trailing empty cells) has
        // nulls in the rest, as pandas reads it.
        .with_truncated_rows(true)
        // An empty cell of a text column is an empty text, as in JSON, not a missing one.
        .with_null_regex(regex::Regex::new("[^\\s\\S]").expect("a regex that matches nothing"));
    if let Some(projection) = projection {
        builder = builder.with_projection(projection);
    }
    builder
        .build(BufReader::new(file))
        .map_err(|err| format!("not a readable CSV file: {err}"))
}
