//! Parquet corpora via arrow/parquet: text columns (string, large string, string view) and the
//! `messages` layout dataset libraries write, `list<struct<role: string, content: string>>`. Row
//! groups are read independently so the engine can check them in parallel.

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, GenericListArray, OffsetSizeTrait, RecordBatch, StructArray};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};

use crate::fields::{FieldMap, Slot};
use crate::layout::{self, LayoutError, Picked, RawTurn, Value};
use crate::record::{Position, Record, Source};

/// Receives each row's record, or the row's position and why it holds no record.
pub type RowVisitor<'v> = dyn FnMut(Result<Record<'_>, (Position, LayoutError)>) + 'v;

/// Rows decoded per batch: bounded memory per row group in flight.
const BATCH_ROWS: usize = 2048;

/// How one slot is read from the file's columns.
#[derive(Debug, Clone)]
enum ColumnPlan {
    Text {
        column: usize,
    },
    Turns {
        column: usize,
        role: Option<(usize, usize)>,
        content: Option<(usize, usize)>,
    },
}

#[derive(Debug, Clone)]
struct SlotPlan {
    slot: Slot,
    key_priority: usize,
    plan: ColumnPlan,
}

/// An opened Parquet file: its metadata and which columns feed which slots.
pub struct ParquetFile {
    metadata: ArrowReaderMetadata,
    plans: Vec<SlotPlan>,
    /// Top-level column indices read, in projection order.
    projection: Vec<usize>,
    row_group_starts: Vec<u64>,
}

fn is_text(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

impl ParquetFile {
    pub fn open(path: &Path, fields: &FieldMap) -> Result<ParquetFile, String> {
        let file = File::open(path).map_err(|err| format!("cannot open: {err}"))?;
        let metadata = ArrowReaderMetadata::load(&file, Default::default())
            .map_err(|err| format!("not a readable Parquet file: {err}"))?;
        let schema = metadata.schema().clone();
        let mut plans: Vec<SlotPlan> = Vec::new();
        for (column, field) in schema.fields().iter().enumerate() {
            let Some((slot, key_priority)) = fields.classify(field.name()) else {
                continue;
            };
            let plan = match (slot, field.data_type()) {
                (Slot::Messages, DataType::List(item) | DataType::LargeList(item)) => match item.data_type() {
                    DataType::Struct(members) => {
                        let mut role = None;
                        let mut content = None;
                        for (index, member) in members.iter().enumerate() {
                            if !is_text(member.data_type()) {
                                continue;
                            }
                            match fields.classify_member(member.name()) {
                                Some((0, priority)) if role.is_none_or(|(_, have)| priority < have) => {
                                    role = Some((index, priority))
                                }
                                Some((1, priority)) if content.is_none_or(|(_, have)| priority < have) => {
                                    content = Some((index, priority))
                                }
                                _ => {}
                            }
                        }
                        ColumnPlan::Turns { column, role, content }
                    }
                    _ => continue,
                },
                (_, data_type) if is_text(data_type) => ColumnPlan::Text { column },
                _ => continue,
            };
            let better = plans
                .iter()
                .position(|have| have.slot == slot)
                .map(|at| (at, plans[at].key_priority > key_priority));
            match better {
                Some((at, true)) => {
                    plans[at] = SlotPlan {
                        slot,
                        key_priority,
                        plan,
                    }
                }
                Some((_, false)) => {}
                None => plans.push(SlotPlan {
                    slot,
                    key_priority,
                    plan,
                }),
            }
        }
        let has_text = plans
            .iter()
            .any(|plan| !matches!(plan.slot, Slot::Language | Slot::Category));
        if !has_text {
            let names: Vec<_> = schema
                .fields()
                .iter()
                .map(|field| format!("{} ({})", field.name(), field.data_type()))
                .collect();
            return Err(format!(
                "no text column vazhi understands; columns: {} (see [fields] in vazhi.toml)",
                names.join(", ")
            ));
        }
        let mut projection: Vec<usize> = plans
            .iter()
            .map(|plan| match plan.plan {
                ColumnPlan::Text { column } | ColumnPlan::Turns { column, .. } => column,
            })
            .collect();
        projection.sort_unstable();
        let mut row_group_starts = Vec::new();
        let mut start = 0u64;
        for group in metadata.metadata().row_groups() {
            row_group_starts.push(start);
            start += u64::try_from(group.num_rows()).unwrap_or(0);
        }
        Ok(ParquetFile {
            metadata,
            plans,
            projection,
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
        let mask = ProjectionMask::roots(self.metadata.parquet_schema(), self.projection.iter().copied());
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.metadata.clone())
            .with_row_groups(vec![index])
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|err| format!("row group {index}: {err}"))?;
        let mut row = self.row_group_starts[index];
        for batch in reader {
            let batch = batch.map_err(|err| format!("row group {index} (near row {row}): {err}"))?;
            self.visit_batch(&batch, row, source, fields, visit);
            row += batch.num_rows() as u64;
        }
        Ok(())
    }

    fn visit_batch(
        &self,
        batch: &RecordBatch,
        first_row: u64,
        source: &Source,
        fields: &FieldMap,
        visit: &mut RowVisitor<'_>,
    ) {
        // Projected columns keep file order, so a column's batch index is its rank in the projection.
        let array_of = |column: usize| -> &ArrayRef {
            let at = self
                .projection
                .binary_search(&column)
                .unwrap_or_else(|_| unreachable!("every planned column is projected"));
            batch.column(at)
        };
        for offset in 0..batch.num_rows() {
            let position = Position::Row(first_row + offset as u64);
            let mut slots = layout::empty_slots();
            for plan in &self.plans {
                let key = fields.slot_names(plan.slot)[plan.key_priority].as_str();
                let value = match &plan.plan {
                    ColumnPlan::Text { column } => text_value(array_of(*column), offset),
                    ColumnPlan::Turns { column, role, content } => {
                        let array = array_of(*column);
                        match array.data_type() {
                            DataType::LargeList(_) => {
                                turns_value(array.as_list::<i64>(), offset, *role, *content, fields)
                            }
                            _ => turns_value(array.as_list::<i32>(), offset, *role, *content, fields),
                        }
                    }
                };
                layout::offer(
                    &mut slots,
                    plan.slot,
                    Picked {
                        key,
                        priority: plan.key_priority,
                        value,
                    },
                );
            }
            visit(layout::assemble(&mut slots, source, position).map_err(|err| (position, err)));
        }
    }
}

fn text_at(array: &dyn Array, index: usize) -> Option<&str> {
    if array.is_null(index) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(index),
        DataType::LargeUtf8 => array.as_string::<i64>().value(index),
        DataType::Utf8View => array.as_string_view().value(index),
        _ => return None,
    })
}

fn text_value(array: &ArrayRef, index: usize) -> Value<'_> {
    match text_at(array.as_ref(), index) {
        Some(text) => Value::Str(Cow::Borrowed(text), None),
        None => Value::Null,
    }
}

fn turns_value<'a, O: OffsetSizeTrait>(
    list: &'a GenericListArray<O>,
    index: usize,
    role: Option<(usize, usize)>,
    content: Option<(usize, usize)>,
    fields: &'a FieldMap,
) -> Value<'a> {
    if list.is_null(index) {
        return Value::Null;
    }
    let offsets = list.value_offsets();
    let (start, end) = (offsets[index].as_usize(), offsets[index + 1].as_usize());
    let members: &StructArray = list.values().as_struct();
    let member = |pick: Option<(usize, usize)>, names: &'a [String], element: usize| {
        pick.map(|(column, priority)| {
            let value = match text_at(members.column(column).as_ref(), element) {
                Some(text) => Value::Str(Cow::Borrowed(text), None),
                None => Value::Null,
            };
            (names[priority].as_str(), value)
        })
    };
    let turns = (start..end)
        .map(|element| {
            if members.is_null(element) {
                return RawTurn {
                    not_object: Some("null"),
                    ..RawTurn::default()
                };
            }
            RawTurn {
                role: member(role, &fields.role, element),
                content: member(content, &fields.content, element),
                not_object: None,
            }
        })
        .collect();
    Value::Turns(turns)
}
