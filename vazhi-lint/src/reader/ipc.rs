//! Arrow IPC files: what `datasets.Dataset.save_to_disk` writes (`data-00000-of-00001.arrow`, the
//! stream format) and what the `datasets` cache holds, and the file format (Feather v2). Read with
//! arrow's own IPC reader, batch by batch, into the same records as Parquet.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use arrow_ipc::reader::{FileReader, StreamReader};

use super::table::{TableError, TablePlan};
use crate::fields::FieldMap;

/// The file format's magic bytes; a stream starts with a schema message instead.
const FILE_MAGIC: &[u8] = b"ARROW1";

/// The record batches of an Arrow IPC file, either format, holding the plan's columns.
pub fn batches(path: &Path, fields: &FieldMap) -> Result<(TablePlan, super::table::Batches), TableError> {
    let mut file = File::open(path).map_err(|err| format!("cannot open: {err}"))?;
    let mut magic = [0u8; 6];
    let is_file_format = file.read_exact(&mut magic).is_ok() && magic == FILE_MAGIC;
    file.seek(SeekFrom::Start(0))
        .map_err(|err| format!("cannot read: {err}"))?;
    let not_arrow = |err: arrow_schema::ArrowError| format!("not a readable Arrow IPC file: {err}");
    if is_file_format {
        let mut whole = FileReader::try_new(
            BufReader::new(File::open(path).map_err(|err| format!("cannot open: {err}"))?),
            None,
        )
        .map_err(not_arrow)?;
        let schema = whole.schema();
        let plan = TablePlan::new(&schema, fields)
            .map_err(|err| err.with_sample(whole.next().and_then(Result::ok).as_ref()))?;
        let reader = FileReader::try_new(BufReader::new(file), Some(plan.projection().to_vec())).map_err(not_arrow)?;
        Ok((plan, Box::new(reader.map(|batch| batch.map_err(|err| err.to_string())))))
    } else {
        let mut whole = StreamReader::try_new(
            BufReader::new(File::open(path).map_err(|err| format!("cannot open: {err}"))?),
            None,
        )
        .map_err(not_arrow)?;
        let schema = whole.schema();
        let plan = TablePlan::new(&schema, fields)
            .map_err(|err| err.with_sample(whole.next().and_then(Result::ok).as_ref()))?;
        let reader =
            StreamReader::try_new(BufReader::new(file), Some(plan.projection().to_vec())).map_err(not_arrow)?;
        Ok((plan, Box::new(reader.map(|batch| batch.map_err(|err| err.to_string())))))
    }
}

/// Every column of an Arrow IPC file, for `split` to write back: its schema, whether it is the
/// file format (else the stream format), and its batches.
pub fn all_batches(path: &Path) -> Result<(arrow_schema::SchemaRef, bool, super::table::Batches), String> {
    let mut file = File::open(path).map_err(|err| format!("cannot open: {err}"))?;
    let mut magic = [0u8; 6];
    let is_file_format = file.read_exact(&mut magic).is_ok() && magic == FILE_MAGIC;
    file.seek(SeekFrom::Start(0))
        .map_err(|err| format!("cannot read: {err}"))?;
    if is_file_format {
        let reader = FileReader::try_new(BufReader::new(file), None).map_err(|err| err.to_string())?;
        Ok((
            reader.schema(),
            true,
            Box::new(reader.map(|batch| batch.map_err(|err| err.to_string()))),
        ))
    } else {
        let reader = StreamReader::try_new(BufReader::new(file), None).map_err(|err| err.to_string())?;
        Ok((
            reader.schema(),
            false,
            Box::new(reader.map(|batch| batch.map_err(|err| err.to_string()))),
        ))
    }
}
