//! Records from columns: which columns of an Arrow schema feed which slots of a record, and the
//! records of a record batch. Shared by every columnar reader (Parquet, Arrow IPC, CSV), so a record
//! gives the same findings in any of them and in JSON.
//!
//! Text columns are string, large string or string view; turn columns (`messages`, and TRL's
//! conversational `prompt`, `completion`, `chosen`, `rejected`) are `list<struct<role, content>>`,
//! where `content` may itself be a list of `struct<type, text>` content parts.

use std::borrow::Cow;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, GenericListArray, OffsetSizeTrait, RecordBatch, StructArray};
use arrow_schema::{DataType, Schema};
use smallvec::SmallVec;

use crate::fields::{FieldMap, Slot};
use crate::layout::{self, LayoutError, Picked, RawTurn, Value};
use crate::record::{Position, Record, Source};

/// Record batches as a columnar reader hands them over.
pub type Batches = Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>;

/// A batch reader whose panics end the file with an error instead of ending the process:
/// parquet-rs asserts on some corrupt pages (an RLE bit width over 32, found by fuzzing), and
/// vazhi reads files nobody has checked yet. After a panic the reader is dropped, not resumed.
pub fn guarded<I, E>(batches: I) -> impl Iterator<Item = Result<RecordBatch, String>>
where
    I: Iterator<Item = Result<RecordBatch, E>>,
    E: ToString,
{
    let mut batches = Some(batches);
    std::iter::from_fn(move || {
        let inner = batches.as_mut()?;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.next())) {
            Ok(next) => next.map(|batch| batch.map_err(|err| err.to_string())),
            Err(payload) => {
                batches = None;
                let reason = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no reason given".to_owned());
                Some(Err(format!("corrupt data: the reader gave up ({reason})")))
            }
        }
    })
}

/// Receives each row's record, or the row's position and why it holds no record.
pub type RowVisitor<'v> = dyn FnMut(Result<Record<'_>, (Position, LayoutError)>) + 'v;

/// How a turn's content is stored.
#[derive(Debug, Clone, Copy)]
enum Content {
    /// A string member, at this index of the turn struct.
    Text(usize),
    /// A list of `struct<type, text>` content parts: the list's index in the turn struct and the
    /// `type` and `text` members' indices in the part struct.
    Parts {
        list: usize,
        kind: Option<usize>,
        text: usize,
    },
}

/// How one slot is read from the table's columns.
#[derive(Debug, Clone)]
enum ColumnPlan {
    Text {
        column: usize,
    },
    Turns {
        column: usize,
        /// (index in the turn struct, priority of its name).
        role: Option<(usize, usize)>,
        content: Option<(Content, usize)>,
    },
}

impl ColumnPlan {
    fn column(&self) -> usize {
        match self {
            ColumnPlan::Text { column } | ColumnPlan::Turns { column, .. } => *column,
        }
    }
}

#[derive(Debug, Clone)]
struct SlotPlan {
    slot: Slot,
    key_priority: usize,
    plan: ColumnPlan,
}

/// Why a table cannot be read, and what would help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub message: String,
    pub help: Option<String>,
}

impl From<String> for TableError {
    fn from(message: String) -> Self {
        TableError { message, help: None }
    }
}

impl TableError {
    /// For a table with no text column: the `[fields]` lines its first rows suggest.
    pub fn with_sample(mut self, batch: Option<&RecordBatch>) -> TableError {
        let Some(batch) = batch else { return self };
        let schema = batch.schema();
        let columns = schema.fields().iter().zip(batch.columns()).map(|(field, column)| {
            let values = (0..column.len()).map(|row| text_at(column.as_ref(), row)).collect();
            (field.name().as_str(), values)
        });
        self.help = Some(crate::unreadable::column_help(columns));
        self
    }
}

/// Which columns feed which slots.
#[derive(Debug, Clone)]
pub struct TablePlan {
    plans: Vec<SlotPlan>,
    /// Top-level column indices to read, sorted: batches hold these, in this order.
    projection: Vec<usize>,
}

fn is_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        // pandas writes a categorical column (a `language` label, often) as a dictionary.
        DataType::Dictionary(_, values) => is_text(values),
        _ => false,
    }
}

/// Where row `index` of a dictionary-encoded array points in its values; `None` for a null or
/// for an array that is not a dictionary.
pub fn dictionary_key(array: &dyn Array, index: usize) -> Option<usize> {
    use arrow_array::types::*;
    let dictionary = array.as_any_dictionary_opt()?;
    let keys = dictionary.keys();
    if keys.is_null(index) {
        return None;
    }
    let key = match keys.data_type() {
        DataType::Int8 => usize::try_from(keys.as_primitive::<Int8Type>().value(index)).ok(),
        DataType::Int16 => usize::try_from(keys.as_primitive::<Int16Type>().value(index)).ok(),
        DataType::Int32 => usize::try_from(keys.as_primitive::<Int32Type>().value(index)).ok(),
        DataType::Int64 => usize::try_from(keys.as_primitive::<Int64Type>().value(index)).ok(),
        DataType::UInt8 => Some(usize::from(keys.as_primitive::<UInt8Type>().value(index))),
        DataType::UInt16 => Some(usize::from(keys.as_primitive::<UInt16Type>().value(index))),
        DataType::UInt32 => usize::try_from(keys.as_primitive::<UInt32Type>().value(index)).ok(),
        DataType::UInt64 => usize::try_from(keys.as_primitive::<UInt64Type>().value(index)).ok(),
        _ => None,
    }?;
    (key < dictionary.values().len()).then_some(key)
}

/// The turn struct of a `list<struct<…>>` column, if that is what it is.
fn turn_members(data_type: &DataType) -> Option<&arrow_schema::Fields> {
    match data_type {
        DataType::List(item) | DataType::LargeList(item) => match item.data_type() {
            DataType::Struct(members) => Some(members),
            _ => None,
        },
        _ => None,
    }
}

/// The `type` and `text` members of a content-part struct list.
fn content_parts(data_type: &DataType) -> Option<(Option<usize>, usize)> {
    let members = turn_members(data_type)?;
    let text = members
        .iter()
        .position(|member| member.name() == "text" && is_text(member.data_type()))?;
    let kind = members
        .iter()
        .position(|member| member.name() == "type" && is_text(member.data_type()));
    Some((kind, text))
}

impl TablePlan {
    /// Plans the reading of a table with this schema; an error names the columns when none holds
    /// text vazhi reads.
    pub fn new(schema: &Schema, fields: &FieldMap) -> Result<TablePlan, TableError> {
        let mut plans: Vec<SlotPlan> = Vec::new();
        for (column, field) in schema.fields().iter().enumerate() {
            let Some((slot, key_priority)) = fields.classify(field.name()) else {
                continue;
            };
            let plan = match (slot.takes_turns(), turn_members(field.data_type())) {
                (true, Some(members)) => {
                    let mut role = None;
                    let mut content = None;
                    for (index, member) in members.iter().enumerate() {
                        let kind = if is_text(member.data_type()) {
                            Content::Text(index)
                        } else if let Some((kind, text)) = content_parts(member.data_type()) {
                            Content::Parts {
                                list: index,
                                kind,
                                text,
                            }
                        } else {
                            continue;
                        };
                        match fields.classify_member(member.name()) {
                            Some((0, priority))
                                if matches!(kind, Content::Text(_)) && role.is_none_or(|(_, have)| priority < have) =>
                            {
                                if let Content::Text(index) = kind {
                                    role = Some((index, priority));
                                }
                            }
                            Some((1, priority)) if content.is_none_or(|(_, have)| priority < have) => {
                                content = Some((kind, priority));
                            }
                            _ => {}
                        }
                    }
                    ColumnPlan::Turns { column, role, content }
                }
                (_, _) if is_text(field.data_type()) => ColumnPlan::Text { column },
                _ => continue,
            };
            match plans.iter().position(|have| have.slot == slot) {
                Some(at) if plans[at].key_priority > key_priority => {
                    plans[at] = SlotPlan {
                        slot,
                        key_priority,
                        plan,
                    }
                }
                Some(_) => {}
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
                .map(|field| format!("`{}` ({})", field.name(), field.data_type()))
                .collect();
            return Err(TableError {
                message: format!("no text column vazhi understands; columns: {}", names.join(", ")),
                help: None,
            });
        }
        let mut projection: Vec<usize> = plans.iter().map(|plan| plan.plan.column()).collect();
        projection.sort_unstable();
        Ok(TablePlan { plans, projection })
    }

    /// The columns to read, sorted.
    pub fn projection(&self) -> &[usize] {
        &self.projection
    }

    /// Hands each row of `batch` (holding the projected columns, in projection order) to `visit`;
    /// the first row is row `first_row` of the file.
    pub fn visit_batch(
        &self,
        batch: &RecordBatch,
        first_row: u64,
        source: &Source,
        fields: &FieldMap,
        visit: &mut RowVisitor<'_>,
    ) {
        let array_of = |column: usize| -> &ArrayRef {
            let at = self
                .projection
                .binary_search(&column)
                .unwrap_or_else(|_| unreachable!("every planned column is projected"));
            batch.column(at)
        };
        for offset in 0..batch.num_rows() {
            let position = Position::Row(first_row + offset as u64);
            let mut picks: SmallVec<[(Slot, Picked<'_>); 8]> = SmallVec::new();
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
                picks.push((
                    plan.slot,
                    Picked {
                        key,
                        priority: plan.key_priority,
                        value,
                    },
                ));
            }
            // Arrow has no absent cell, only null: a table of two layouts (`concatenate_datasets`,
            // a Ray or Spark union of files) holds each row's other layout's columns as nulls. A
            // null is read as absent when the row has text in another column, so the row is read
            // in its own layout; a row with none keeps its nulls, which say what is missing.
            let has_text = picks.iter().any(|(slot, picked)| {
                !matches!(slot, Slot::Language | Slot::Category) && !matches!(picked.value, Value::Null)
            });
            let mut slots = layout::empty_slots();
            for (slot, picked) in picks {
                if has_text && matches!(picked.value, Value::Null) {
                    continue;
                }
                layout::offer(&mut slots, slot, picked);
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
        DataType::Dictionary(..) => {
            let values = array.as_any_dictionary_opt()?.values();
            return text_at(values.as_ref(), dictionary_key(array, index)?);
        }
        _ => return None,
    })
}

fn text_value(array: &ArrayRef, index: usize) -> Value<'_> {
    match text_at(array.as_ref(), index) {
        Some(text) => Value::Str(Cow::Borrowed(text), None),
        None => Value::Null,
    }
}

/// A list offset as an index; offsets are never negative in a valid array.
fn offset<O: TryInto<usize>>(at: O) -> usize {
    at.try_into().unwrap_or(0)
}

/// The elements `[start, end)` of a list array's values at `index`.
fn list_range(array: &dyn Array, index: usize) -> Option<(usize, usize)> {
    if array.is_null(index) {
        return None;
    }
    Some(match array.data_type() {
        DataType::LargeList(_) => {
            let offsets = array.as_list::<i64>().value_offsets();
            (offset(offsets[index]), offset(offsets[index + 1]))
        }
        _ => {
            let offsets = array.as_list::<i32>().value_offsets();
            (offset(offsets[index]), offset(offsets[index + 1]))
        }
    })
}

fn list_values(array: &dyn Array) -> &ArrayRef {
    match array.data_type() {
        DataType::LargeList(_) => array.as_list::<i64>().values(),
        _ => array.as_list::<i32>().values(),
    }
}

/// A turn's content parts: the text parts joined by a blank line, and how many are not text.
fn parts_value<'a>(list: &'a dyn Array, index: usize, kind: Option<usize>, text: usize) -> (Value<'a>, u32) {
    let Some((start, end)) = list_range(list, index) else {
        return (Value::Null, 0);
    };
    let parts: &StructArray = list_values(list).as_struct();
    let mut texts: Vec<&str> = Vec::new();
    let mut media = 0;
    for part in start..end {
        let is_text = kind.is_none_or(|kind| {
            text_at(parts.column(kind).as_ref(), part)
                .is_none_or(|kind| matches!(kind, "text" | "input_text" | "output_text"))
        });
        match text_at(parts.column(text).as_ref(), part) {
            Some(text) if is_text => texts.push(text),
            _ => media += 1,
        }
    }
    let value = match texts.as_slice() {
        [] => Value::Str(Cow::Borrowed(""), None),
        [one] => Value::Str(Cow::Borrowed(one), None),
        several => Value::Str(Cow::Owned(several.join("\n\n")), None),
    };
    (value, media)
}

fn turns_value<'a, O: OffsetSizeTrait>(
    list: &'a GenericListArray<O>,
    index: usize,
    role: Option<(usize, usize)>,
    content: Option<(Content, usize)>,
    fields: &'a FieldMap,
) -> Value<'a> {
    if list.is_null(index) {
        return Value::Null;
    }
    let offsets = list.value_offsets();
    let (start, end) = (offsets[index].as_usize(), offsets[index + 1].as_usize());
    let members: &StructArray = list.values().as_struct();
    let text_member = |column: usize, element: usize| match text_at(members.column(column).as_ref(), element) {
        Some(text) => Value::Str(Cow::Borrowed(text), None),
        None => Value::Null,
    };
    let turns = (start..end)
        .map(|element| {
            if members.is_null(element) {
                return RawTurn {
                    not_object: Some("null"),
                    ..RawTurn::default()
                };
            }
            let mut media = 0;
            let content = content.map(|(kind, priority)| {
                let value = match kind {
                    Content::Text(column) => text_member(column, element),
                    Content::Parts { list, kind, text } => {
                        let (value, parts_media) = parts_value(members.column(list).as_ref(), element, kind, text);
                        media = parts_media;
                        value
                    }
                };
                (fields.content[priority].as_str(), value)
            });
            RawTurn {
                role: role.map(|(column, priority)| (fields.role[priority].as_str(), text_member(column, element))),
                content,
                not_object: None,
                media,
            }
        })
        .collect();
    Value::Turns(turns)
}
