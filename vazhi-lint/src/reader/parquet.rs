//! Parquet corpora via arrow/parquet. Row groups are read independently so the engine can check
//! them in parallel; which columns make a record is [`TablePlan`]'s business.

use std::fs::File;
use std::path::Path;

use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};

use super::table::{RowVisitor, TableError, TablePlan};
use crate::fields::FieldMap;
use crate::record::Source;

/// Rows decoded per batch: bounded memory per row group in flight.
const BATCH_ROWS: usize = 2048;

/// An opened Parquet file: its metadata and which columns feed which slots.
pub struct ParquetFile {
    metadata: ArrowReaderMetadata,
    plan: TablePlan,
    row_group_starts: Vec<u64>,
}

impl ParquetFile {
    pub fn open(path: &Path, fields: &FieldMap) -> Result<ParquetFile, TableError> {
        let file = File::open(path).map_err(|err| format!("cannot open: {err}"))?;
        let metadata = ArrowReaderMetadata::load(&file, Default::default())
            .map_err(|err| format!("not a readable Parquet file: {err}"))?;
        let plan = TablePlan::new(metadata.schema(), fields).map_err(|err| {
            let first = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone())
                .with_batch_size(BATCH_ROWS)
                .build()
                .ok()
                .and_then(|mut batches| batches.next())
                .and_then(Result::ok);
            err.with_sample(first.as_ref())
        })?;
        let mut row_group_starts = Vec::new();
        let mut start = 0u64;
        for group in metadata.metadata().row_groups() {
            row_group_starts.push(start);
            start += u64::try_from(group.num_rows()).unwrap_or(0);
        }
        Ok(ParquetFile {
            metadata,
            plan,
            row_group_starts,
        })
    }

    pub fn row_groups(&self) -> usize {
        self.row_group_starts.len()
    }

    /// Reads row group `index`, handing each row's record (or why it has none) to `visit`.
    pub fn read_row_group(
        &self,
        path: &Path,
        index: usize,
        source: &Source,
        fields: &FieldMap,
        visit: &mut RowVisitor<'_>,
    ) -> Result<(), String> {
        let file = File::open(path).map_err(|err| format!("cannot open: {err}"))?;
        let mask = ProjectionMask::roots(self.metadata.parquet_schema(), self.plan.projection().iter().copied());
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.metadata.clone())
            .with_row_groups(vec![index])
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|err| format!("row group {index}: {err}"))?;
        let mut row = self.row_group_starts[index];
        for batch in crate::reader::table::guarded(reader) {
            let batch = batch.map_err(|err| format!("row group {index} (near row {row}): {err}"))?;
            self.plan.visit_batch(&batch, row, source, fields, visit);
            row += batch.num_rows() as u64;
        }
        Ok(())
    }
}
