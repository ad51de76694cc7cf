//! One JSON record → [`Record`]. Parses only the keys the field map names (everything else is
//! skipped unparsed) and borrows strings from the line where they have no escapes: the linter's
//! speed is mostly this function's speed.

use std::borrow::Cow;
use std::fmt;

use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use smallvec::SmallVec;

use crate::fields::FieldMap;
use crate::layout::{self, Picked, RawTurn, Slots, Value};
use crate::record::{Position, RawSpan, Record, Source};

/// Why a JSON record could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidJson {
    pub kind: Invalid,
    pub message: String,
    /// Lines into the record where the problem is (0 for single-line records).
    pub line_offset: u64,
    /// 1-based column, where known.
    pub column: Option<usize>,
    pub field: Option<String>,
}

/// A `\\uD800`-style escape with no partner: valid JSON by the grammar, but no text. Python
/// keeps it as a lone surrogate, and the tokenizers library raises on the string; vazhi would read
/// U+FFFD. Only records holding such an escape pay for the scan.
fn lone_surrogate(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    memchr::memmem::find(bytes, b"\\u")?;
    let hex = |at: usize| {
        text.get(at..at + 4)
            .and_then(|digits| u16::from_str_radix(digits, 16).ok())
    };
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'\\', &bytes[at..]) {
        let escape = at + found;
        match bytes.get(escape + 1) {
            Some(b'u') => {
                let unit = hex(escape + 2)?;
                if (0xD800..0xDC00).contains(&unit) {
                    let low = (bytes.get(escape + 6) == Some(&b'\\') && bytes.get(escape + 7) == Some(&b'u'))
                        .then(|| hex(escape + 8))
                        .flatten();
                    if low.is_some_and(|low| (0xDC00..0xE000).contains(&low)) {
                        at = escape + 12;
                        continue;
                    }
                    return Some(format!(
                        "not valid text: `\\u{unit:04x}` is half of a UTF-16 pair with no other half (the tokenizers library refuses the string)"
                    ));
                }
                if (0xDC00..0xE000).contains(&unit) {
                    return Some(format!(
                        "not valid text: `\\u{unit:04x}` is the second half of a UTF-16 pair with no first half (the tokenizers library refuses the string)"
                    ));
                }
                at = escape + 6;
            }
            Some(_) => at = escape + 2,
            None => return None,
        }
    }
    None
}

/// What kind of unreadable a record is: records of one file that fail the same way share a cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Invalid {
    /// Not valid UTF-8.
    Encoding,
    /// Not valid JSON.
    Syntax,
    /// Valid JSON, but not an object.
    NotObject,
    /// An object, but its fields are not what its layout needs (a string where turns belong).
    Layout,
    /// An object with no field vazhi reads as text.
    NoTextField,
}

fn json_type(first: u8) -> &'static str {
    match first {
        b'[' => "an array",
        b'"' => "a string",
        b'n' => "null",
        b't' | b'f' => "a boolean",
        _ => "a number",
    }
}

/// Parses one record (a JSONL line or one element of a JSON array).
pub fn parse_record<'a>(
    bytes: &'a [u8],
    position: Position,
    source: &'a Source,
    fields: &'a FieldMap,
) -> Result<Record<'a>, InvalidJson> {
    // Validating UTF-8 was a third of the parse time with std; simdutf8 answers valid input at
    // memory speed, and std is asked only to locate the error.
    let text = simdutf8::basic::from_utf8(bytes)
        .or_else(|_| std::str::from_utf8(bytes))
        .map_err(|err| {
            let before = &bytes[..err.valid_up_to()];
            let line_offset = memchr::memchr_iter(b'\n', before).count() as u64;
            let line_start = memchr::memrchr(b'\n', before).map_or(0, |at| at + 1);
            InvalidJson {
                kind: Invalid::Encoding,
                message: format!(
                    "not valid UTF-8: byte 0x{:02X} cannot start or continue a character",
                    bytes[err.valid_up_to()]
                ),
                line_offset,
                // The prefix is valid UTF-8, so its characters can be counted.
                column: std::str::from_utf8(&before[line_start..])
                    .ok()
                    .map(|valid| valid.chars().count() + 1),
                field: None,
            }
        })?;
    let first = text.trim_start().as_bytes().first().copied();
    if let Some(first) = first
        && first != b'{'
        && serde_json::from_str::<IgnoredAny>(text).is_ok()
    {
        return Err(InvalidJson {
            kind: Invalid::NotObject,
            message: format!("a record must be a JSON object; this is {}", json_type(first)),
            line_offset: 0,
            column: None,
            field: None,
        });
    }
    if let Some(message) = lone_surrogate(text) {
        return Err(InvalidJson {
            kind: Invalid::Syntax,
            message,
            line_offset: 0,
            column: None,
            field: None,
        });
    }
    let base = text;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut slots = layout::empty_slots();
    deserializer
        .deserialize_map(RecordVisitor {
            fields,
            base,
            slots: &mut slots,
        })
        .and_then(|()| deserializer.end())
        .map_err(|err| json_error(&err, text))?;
    layout::assemble(&mut slots, source, position).map_err(|err| InvalidJson {
        kind: if err.no_text_field {
            Invalid::NoTextField
        } else {
            Invalid::Layout
        },
        message: err.message,
        line_offset: 0,
        column: None,
        field: err.field,
    })
}

/// serde_json says "… at line L column C"; the line is reported by the caller, so keep the column.
/// Its column counts bytes; findings count code points, like the columns of every other finding.
fn json_error(err: &serde_json::Error, text: &str) -> InvalidJson {
    let full = err.to_string();
    let message = full.rfind(" at line ").map_or(full.as_str(), |at| &full[..at]);
    let line = text.split('\n').nth(err.line().saturating_sub(1)).unwrap_or("");
    let byte = err.column().saturating_sub(1).min(line.len());
    let column = line.get(..byte).map(|before| before.chars().count() + 1);
    let message = if err.classify() == serde_json::error::Category::Eof {
        format!("not valid JSON: the record ends early ({message}); is the line truncated?")
    } else {
        format!("not valid JSON: {message}")
    };
    InvalidJson {
        kind: Invalid::Syntax,
        message,
        line_offset: err.line().saturating_sub(1) as u64,
        column: if err.column() > 0 { column } else { None },
        field: None,
    }
}

fn span_of<'a>(literal: &'a str, source: &'a str) -> RawSpan<'a> {
    let start = literal.as_ptr() as usize - source.as_ptr() as usize;
    RawSpan {
        source,
        range: start..start + literal.len(),
    }
}

/// Decodes a JSON string literal, borrowing it when it holds no escapes.
fn decode<'a>(raw: &'a RawValue, base: &'a str) -> Value<'a> {
    let literal = raw.get();
    match literal.as_bytes().first() {
        Some(b'"') => {
            let inner = &literal[1..literal.len() - 1];
            let text = match memchr::memchr(b'\\', inner.as_bytes()) {
                None => Cow::Borrowed(inner),
                Some(first) => Cow::Owned(unescape(inner, first)),
            };
            Value::Str(text, Some(span_of(literal, base)))
        }
        Some(b'n') => Value::Null,
        Some(b'{') => Value::Other("an object"),
        Some(b'[') => Value::Other("an array"),
        Some(b't' | b'f') => Value::Other("a boolean"),
        _ => Value::Other("a number"),
    }
}

/// One element of an OpenAI-style `content` list: `{"type": "text", "text": "…"}`, or an image or
/// audio part.
#[derive(serde::Deserialize)]
struct ContentPart<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    text: Option<&'a RawValue>,
}

/// The text of a `content` list: its text parts, joined by a blank line (one part keeps its place
/// in the source, for columns), and how many parts are not text.
fn content_parts<'a>(raw: &'a RawValue, base: &'a str) -> (Value<'a>, u32) {
    let Ok(parts) = serde_json::from_str::<Vec<ContentPart<'a>>>(raw.get()) else {
        return (Value::Other("an array that is not a list of content parts"), 0);
    };
    let mut texts = Vec::new();
    let mut media = 0;
    for part in &parts {
        let is_text = part
            .kind
            .as_deref()
            .is_none_or(|kind| matches!(kind, "text" | "input_text" | "output_text"));
        match part.text {
            Some(text) if is_text => texts.push(decode(text, base)),
            _ => media += 1,
        }
    }
    let value = match texts.len() {
        0 => Value::Str(Cow::Borrowed(""), None),
        1 => texts.pop().unwrap_or(Value::Null),
        _ => {
            let mut joined = String::new();
            for text in &texts {
                if let Value::Str(text, _) = text {
                    if !joined.is_empty() {
                        joined.push_str("\n\n");
                    }
                    joined.push_str(text);
                }
            }
            Value::Str(Cow::Owned(joined), None)
        }
    };
    (value, media)
}

/// Decodes the escapes of a JSON string body that serde_json has already validated (so every
/// escape is well formed), copying the text between escapes in bulk. `first` is the first `\\`.
fn unescape(inner: &str, first: usize) -> String {
    let bytes = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut start = 0;
    let mut at = first;
    loop {
        out.push_str(&inner[start..at]);
        let escape = bytes.get(at + 1).copied().unwrap_or(b'\\');
        let mut next = at + 2;
        match escape {
            b'n' => out.push('\n'),
            b't' => out.push('\t'),
            b'r' => out.push('\r'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'u' => {
                let unit = |from: usize| {
                    inner
                        .get(from..from + 4)
                        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                };
                let high = unit(at + 2).unwrap_or(0xFFFD);
                next = at + 6;
                let code = if (0xD800..0xDC00).contains(&high) && bytes.get(next) == Some(&b'\\') {
                    match unit(next + 2) {
                        Some(low) if (0xDC00..0xE000).contains(&low) => {
                            next += 6;
                            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                        }
                        _ => 0xFFFD,
                    }
                } else {
                    high
                };
                out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            // `"`, `\\` and `/` stand for themselves.
            other => out.push(char::from(other)),
        }
        start = next.min(inner.len());
        match memchr::memchr(b'\\', &bytes[start..]) {
            Some(offset) => at = start + offset,
            None => {
                out.push_str(&inner[start..]);
                return out;
            }
        }
    }
}

/// An object key, borrowed from the line unless it has escapes. (`Cow<str>`'s own `Deserialize`
/// always copies: nine allocations per chat record, for keys that are only compared.)
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }

            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(key)))
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Fills the caller's slots with the fields the field map names.
struct RecordVisitor<'f, 's> {
    fields: &'f FieldMap,
    base: &'f str,
    slots: &'s mut Slots<'f>,
}

impl<'de: 'f, 'f> Visitor<'de> for RecordVisitor<'f, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Python's json keeps a repeated key's last value, vazhi reads its first, pyarrow refuses
        // the row: a record with one is not one record.
        let mut keys: SmallVec<[Cow<'de, str>; 8]> = SmallVec::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if keys.contains(&key) {
                return Err(de::Error::custom(format!(
                    "the key `{key}` appears twice (Python keeps the last value, pyarrow refuses the row)"
                )));
            }
            keys.push(key.clone());
            let Some((slot, priority)) = self.fields.classify(&key) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            // Keep the configured name, which outlives the line, rather than the key's text.
            let name = &self.fields.slot_names(slot)[priority];
            let value = if slot == crate::fields::Slot::Messages {
                map.next_value_seed(TurnsSeed {
                    fields: self.fields,
                    base: self.base,
                })?
            } else if slot.takes_turns() {
                // A string, or (TRL's conversational layouts) a list of turns.
                let raw = map.next_value::<&'de RawValue>()?;
                if raw.get().starts_with('[') {
                    let mut list = serde_json::Deserializer::from_str(raw.get());
                    TurnsSeed {
                        fields: self.fields,
                        base: self.base,
                    }
                    .deserialize(&mut list)
                    .map_err(de::Error::custom)?
                } else {
                    decode(raw, self.base)
                }
            } else {
                decode(map.next_value::<&'de RawValue>()?, self.base)
            };
            layout::offer(
                self.slots,
                slot,
                Picked {
                    key: name,
                    priority,
                    value,
                },
            );
        }
        Ok(())
    }
}

/// The value of a `messages` key: a list of turns, or whatever else it is, named for the message.
struct TurnsSeed<'f> {
    fields: &'f FieldMap,
    base: &'f str,
}

impl<'de: 'f, 'f> DeserializeSeed<'de> for TurnsSeed<'f> {
    type Value = Value<'f>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de: 'f, 'f> Visitor<'de> for TurnsSeed<'f> {
    type Value = Value<'f>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of turns")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut turns = Vec::with_capacity(4);
        // Each turn is written straight into the list rather than returned by value through
        // serde's layers, which copied the 160-byte turn at each (−1.4% instructions).
        while seq
            .next_element_seed(TurnSeed {
                fields: self.fields,
                base: self.base,
                turns: &mut turns,
            })?
            .is_some()
        {}
        Ok(Value::Turns(turns))
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Value::Str(Cow::Borrowed(text), None))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Value::Str(Cow::Owned(text.to_owned()), None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Value::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Other("an object"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Value::Other("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Value::Other("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Value::Other("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Value::Other("a number"))
    }
}

/// One element of a `messages` list, pushed onto `turns`.
struct TurnSeed<'f, 't> {
    fields: &'f FieldMap,
    base: &'f str,
    turns: &'t mut Vec<RawTurn<'f>>,
}

impl<'de: 'f, 'f> DeserializeSeed<'de> for TurnSeed<'f, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl TurnSeed<'_, '_> {
    fn not_object(self, found: &'static str) {
        self.turns.push(RawTurn {
            not_object: Some(found),
            ..RawTurn::default()
        });
    }
}

impl<'de: 'f, 'f> Visitor<'de> for TurnSeed<'f, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a turn object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        self.turns.push(RawTurn::default());
        let turn = self
            .turns
            .last_mut()
            .unwrap_or_else(|| unreachable!("a turn was just pushed"));
        let mut priorities = [usize::MAX; 2];
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let Some((member, priority)) = self.fields.classify_member(&key) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let raw = map.next_value::<&'de RawValue>()?;
            if priority >= priorities[member] {
                continue;
            }
            priorities[member] = priority;
            let value = if member == 1 && raw.get().starts_with('[') {
                let (value, media) = content_parts(raw, self.base);
                turn.media += media;
                value
            } else {
                decode(raw, self.base)
            };
            if member == 0 {
                turn.role = Some((self.fields.role[priority].as_str(), value));
            } else {
                turn.content = Some((self.fields.content[priority].as_str(), value));
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_object("an array");
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        self.not_object("a string");
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.not_object("null");
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        self.not_object("a boolean");
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        self.not_object("a number");
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        self.not_object("a number");
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        self.not_object("a number");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_escapes_are_matched_like_plain_keys() {
        let source = Source::new(std::sync::Arc::from(std::path::Path::new("keys.jsonl")), 0);
        let fields = FieldMap::default();
        let plain = r#"{"messages": [{"role": "user", "content": "கேள்வி"}, {"role": "assistant", "content": "பதில்"}], "language": "ta"}"#;
        let escaped = r#"{"mess\u0061ges": [{"r\u006fle": "user", "content": "கேள்வி"}, {"role": "assistant", "c\u006Fntent": "பதில்"}], "l\u0061nguage": "ta"}"#;
        let read = |line: &'static str| {
            let record = parse_record(line.as_bytes(), Position::Line(1), &source, &fields).unwrap();
            let turns: Vec<(String, String)> = record
                .turns
                .iter()
                .map(|turn| (turn.role.name().to_owned(), record.turn_text(turn).to_owned()))
                .collect();
            (record.format, turns, record.language.map(|label| label.into_owned()))
        };
        assert_eq!(read(escaped), read(plain));
        assert_eq!(read(plain).1.len(), 2);
    }

    #[test]
    fn unescape_agrees_with_serde_json() {
        let literals = [
            r#""line\none\ttab \"quoted\" back\\slash \/ solidus""#,
            r#""\u0ba4\u0bae\u0bbf\u0bb4\u0bcd and \ud83d\ude00 and \u00e9""#,
            r#""ends with escape\n""#,
            r#""\b\f\r""#,
            r#""lone \ud800 surrogate""#,
        ];
        for literal in literals {
            let inner = &literal[1..literal.len() - 1];
            let first = inner.find('\\').unwrap();
            let expected: String = serde_json::from_str(literal).unwrap_or_else(|_| unescape(inner, first));
            assert_eq!(unescape(inner, first), expected, "{literal}");
        }
    }
}
