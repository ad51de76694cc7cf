//! JSON documents: a `.json` file that holds one JSON value over many lines rather than one record
//! per line. Three shapes hold records:
//! - a top-level array, whose elements are the records;
//! - an object that keeps its records in a member, the way generation scripts save a batch
//!   (`{"pack": "…", "language": "pure_tamil", "samples": [{…}, …]}`); its other string members
//!   are the records' context;
//! - objects written one after another, pretty-printed (`json.dump(record, f, indent=2)` in a loop).
//!
//! An object with no list of records (metadata, manifests, reports) is not a corpus, and an object
//! with text fields of its own is one record. Everything streams: [`outline`] reads the file once
//! to learn its members (so a `language` written after `samples` still labels them, and a member
//! whose name says nothing can still be found), then [`DocumentChunks`] reads the records in
//! bounded chunks. Neither holds the file.

use std::io::{self, Read};

use super::chunks::{BOM, CHUNK_BYTES, Chunk, MAX_RECORD_BYTES, Problem, Unit};

/// How a `.json` file holds its records, as far as its first bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// One record per line.
    Lines,
    /// A top-level array.
    Array,
    /// An object over several lines, or one line that is the whole file: [`outline`] decides.
    Document,
}

/// Decides from `head` (the file's first bytes; `eof` when it is the whole file) whether a `.json`
/// file is JSON Lines or a document. A pretty-printed document starts with `{` as JSON Lines do;
/// what tells them apart is whether the first value ends with its first line and another follows.
pub fn sniff(head: &[u8], eof: bool) -> Sniffed {
    let body = head.strip_prefix(BOM).unwrap_or(head);
    let Some(start) = body.iter().position(|byte| !byte.is_ascii_whitespace()) else {
        return if eof { Sniffed::Document } else { Sniffed::Lines };
    };
    match body[start] {
        b'[' => return Sniffed::Array,
        b'{' => {}
        _ => return Sniffed::Lines,
    }
    let mut scan = Structure::default();
    for (offset, &byte) in body[start..].iter().enumerate() {
        match scan.step(byte) {
            // No JSON document has a raw line break inside a string: this is a JSON Lines file
            // whose first line is broken.
            Step::BrokenString => return Sniffed::Lines,
            Step::Closed if scan.depth == 0 => {
                let after = start + offset + 1;
                let rest = &body[after..];
                return match rest.iter().position(|byte| !byte.is_ascii_whitespace()) {
                    // The first value spans lines: pretty-printed, one object or several.
                    _ if body[start..after].contains(&b'\n') => Sniffed::Document,
                    // One line that is the whole file: a document, whatever it holds.
                    None if eof => Sniffed::Document,
                    _ => Sniffed::Lines,
                };
            }
            _ => {}
        }
    }
    // The first value goes on past the head: a long pretty-printed object, or one very long line
    // (JSON Lines, or a whole document written without line breaks).
    if body[start..].contains(&b'\n') && scan.depth > 0 {
        Sniffed::Document
    } else if eof {
        Sniffed::Lines
    } else {
        Sniffed::Document
    }
}

/// What one byte did to the structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Other,
    /// `{` or `[` outside a string.
    Opened,
    /// `}` or `]` outside a string (depth already lowered).
    Closed,
    /// A string's closing quote.
    StringEnd,
    /// A raw line break inside a string: the string is broken.
    BrokenString,
}

/// Nesting and string state of a JSON byte stream: just enough to find where values begin and end.
#[derive(Debug, Clone, Copy, Default)]
struct Structure {
    depth: u32,
    in_string: bool,
    escaped: bool,
}

impl Structure {
    fn step(&mut self, byte: u8) -> Step {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if byte == b'\\' {
                self.escaped = true;
            } else if byte == b'"' {
                self.in_string = false;
                return Step::StringEnd;
            } else if byte == b'\n' {
                self.in_string = false;
                return Step::BrokenString;
            }
            return Step::Other;
        }
        match byte {
            b'"' => {
                self.in_string = true;
                Step::Other
            }
            b'{' | b'[' => {
                self.depth += 1;
                Step::Opened
            }
            b'}' | b']' => {
                self.depth = self.depth.saturating_sub(1);
                Step::Closed
            }
            _ => Step::Other,
        }
    }
}

/// A member of a document's top-level object, as [`outline`] saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    /// Byte offset of the value's first byte, in the (decompressed) file.
    pub offset: u64,
    /// Byte offset just past the value.
    pub end: u64,
    /// 1-based line of the value's first byte.
    pub line: u64,
    pub value: MemberValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberValue {
    /// An array: how many elements, and how many of them are objects.
    Array {
        elements: u64,
        objects: u64,
    },
    Object,
    /// A string, decoded (cut after [`CONTEXT_BYTES`]).
    Text(String),
    /// A number, boolean or null.
    Scalar,
}

impl MemberValue {
    /// A non-empty array of objects: what records look like.
    pub fn holds_records(&self) -> bool {
        matches!(self, MemberValue::Array { objects, .. } if *objects > 0)
    }
}

/// Longest string member kept as context (a `language` or `pack` label is a few bytes).
const CONTEXT_BYTES: usize = 1024;

/// Members kept from the top-level object. An object keyed by record id can have millions; the
/// first ones are enough to tell what it is.
const MAX_MEMBERS: usize = 10_000;

/// What a document holds at its top level.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    /// Top-level values in the file (1 for a document, more for records written one after another).
    pub values: u64,
    /// Members of the first value, when it is an object (the first [`MAX_MEMBERS`]).
    pub members: Vec<Member>,
    /// The first structural problem, if the file is not valid JSON.
    pub problem: Option<Problem>,
}

/// Reads a document once, structure only, to learn its top-level values and the members of the
/// first one. Memory stays bounded whatever the file's size.
pub fn outline(mut reader: impl Read) -> io::Result<Outline> {
    let mut scanner = OutlineScanner::default();
    let mut buf = vec![0u8; 1 << 20];
    let mut first = true;
    loop {
        let read = reader.read(&mut buf)?;
        if read == 0 {
            break;
        }
        let mut block = &buf[..read];
        if first {
            first = false;
            block = block.strip_prefix(BOM).unwrap_or(block);
            scanner.offset = (read - block.len()) as u64;
        }
        scanner.scan(block);
    }
    Ok(scanner.finish())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum OutlineState {
    /// Between top-level values.
    #[default]
    Top,
    /// In the first object, expecting a key or `}`.
    Key,
    /// Reading a key.
    KeyString,
    /// After a key, expecting `:`.
    Colon,
    /// After `:`, expecting the value.
    Value,
    /// Inside a member's value.
    InValue,
    /// After a member's value, expecting `,` or `}`.
    AfterValue,
    /// Inside a later top-level value (only its end matters).
    Skip,
}

#[derive(Default)]
struct OutlineScanner {
    outline: Outline,
    state: OutlineState,
    structure: Structure,
    offset: u64,
    line: u64,
    key: Vec<u8>,
    /// The member value being read: its raw bytes while it is a short string or scalar.
    value: Vec<u8>,
    /// For an array member: elements seen and objects among them.
    elements: (u64, u64),
    /// An array member's element is starting (after `[` or `,` at depth 2).
    element_next: bool,
    /// Members past [`MAX_MEMBERS`] are counted, not kept.
    member_count: usize,
}

impl OutlineScanner {
    fn problem(&mut self, message: impl Into<String>) {
        if self.outline.problem.is_none() {
            self.outline.problem = Some(Problem {
                line: self.line + 1,
                message: message.into(),
            });
        }
    }

    fn scan(&mut self, block: &[u8]) {
        for &byte in block {
            self.byte(byte);
            if byte == b'\n' {
                self.line += 1;
            }
            self.offset += 1;
        }
    }

    fn byte(&mut self, byte: u8) {
        use OutlineState::*;
        match self.state {
            Top => match byte {
                _ if byte.is_ascii_whitespace() => {}
                b'{' if self.outline.values == 0 => {
                    self.outline.values = 1;
                    self.structure = Structure {
                        depth: 1,
                        ..Structure::default()
                    };
                    self.state = Key;
                }
                _ => {
                    self.outline.values += 1;
                    self.structure = Structure::default();
                    self.structure.step(byte);
                    if self.structure.depth > 0 || self.structure.in_string {
                        self.state = Skip;
                    }
                }
            },
            Skip => {
                if self.structure.step(byte) == Step::Closed && self.structure.depth == 0 {
                    self.state = Top;
                }
            }
            Key => match byte {
                b'"' => {
                    self.key.clear();
                    self.structure.in_string = true;
                    self.state = KeyString;
                }
                b'}' => self.state = Top,
                _ if byte.is_ascii_whitespace() || byte == b',' => {}
                _ => {
                    self.problem("not valid JSON: expected a member name");
                    self.state = Skip;
                }
            },
            KeyString => match self.structure.step(byte) {
                Step::StringEnd => self.state = Colon,
                Step::BrokenString => {
                    self.problem("not valid JSON: a line break inside a member name");
                    self.state = Skip;
                }
                _ => self.key.push(byte),
            },
            Colon => match byte {
                b':' => self.state = Value,
                _ if byte.is_ascii_whitespace() => {}
                _ => {
                    self.problem("not valid JSON: expected `:` after a member name");
                    self.state = Skip;
                }
            },
            Value => {
                if byte.is_ascii_whitespace() {
                    return;
                }
                self.value.clear();
                self.value.push(byte);
                self.elements = (0, 0);
                self.element_next = byte == b'[';
                let offset = self.offset;
                let line = self.line + 1;
                self.structure.step(byte);
                self.begin_member(offset, line);
                self.state = InValue;
                if self.structure.depth == 1 && !self.structure.in_string && !byte.is_ascii_alphanumeric() {
                    // A value of one byte that is not a scalar's first letter: malformed.
                    self.problem("not valid JSON: expected a value");
                    self.state = Skip;
                }
            }
            InValue => self.in_value(byte),
            AfterValue => match byte {
                b',' => self.state = Key,
                b'}' => {
                    self.structure.depth = 0;
                    self.state = Top;
                }
                _ if byte.is_ascii_whitespace() => {}
                _ => {
                    self.problem("not valid JSON: expected `,` or `}` after a member");
                    self.state = Skip;
                }
            },
        }
    }

    fn begin_member(&mut self, offset: u64, line: u64) {
        self.member_count += 1;
        if self.outline.members.len() < MAX_MEMBERS {
            self.outline.members.push(Member {
                name: String::from_utf8_lossy(&self.key).into_owned(),
                offset,
                end: offset,
                line,
                value: MemberValue::Scalar,
            });
        }
    }

    fn in_value(&mut self, byte: u8) {
        let was_depth = self.structure.depth;
        let scalar = was_depth == 1 && !self.structure.in_string && self.value.first() != Some(&b'"');
        if scalar {
            // A number, boolean or null ends at the first byte that cannot continue it.
            if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'+' | b'-') {
                self.value.push(byte);
                return;
            }
            self.end_member(self.offset);
            self.state = OutlineState::AfterValue;
            self.byte(byte);
            return;
        }
        let step = self.structure.step(byte);
        if self.value.first() == Some(&b'"') && self.value.len() <= CONTEXT_BYTES + 2 {
            self.value.push(byte);
        }
        // Elements of an array member sit at depth 2.
        if self.value.first() == Some(&b'[') && was_depth == 2 && !self.structure.in_string {
            if self.element_next && !byte.is_ascii_whitespace() && byte != b']' {
                self.elements.0 += 1;
                if byte == b'{' {
                    self.elements.1 += 1;
                }
                self.element_next = false;
            }
            if byte == b',' {
                self.element_next = true;
            }
        } else if self.value.first() == Some(&b'[') && was_depth == 2 && step == Step::Other && self.element_next {
            // A string element opened: it is an element, not an object.
            self.elements.0 += 1;
            self.element_next = false;
        }
        match step {
            Step::StringEnd | Step::Closed if self.structure.depth == 1 => {
                self.end_member(self.offset + 1);
                self.state = OutlineState::AfterValue;
            }
            Step::BrokenString => {
                self.problem("not valid JSON: a line break inside a string");
                self.end_member(self.offset);
                self.state = OutlineState::Skip;
                // The rest of the file is only counted.
                self.structure = Structure {
                    depth: 1,
                    ..Structure::default()
                };
            }
            _ => {}
        }
    }

    fn end_member(&mut self, end: u64) {
        if self.member_count > MAX_MEMBERS {
            return;
        }
        let value = match self.value.first() {
            Some(b'[') => MemberValue::Array {
                elements: self.elements.0,
                objects: self.elements.1,
            },
            Some(b'{') => MemberValue::Object,
            Some(b'"') => {
                let literal = String::from_utf8_lossy(&self.value);
                let text = serde_json::from_str::<String>(&literal).unwrap_or_else(|_| {
                    // Cut after CONTEXT_BYTES: decode what is there.
                    let cut = literal.trim_start_matches('"');
                    serde_json::from_str::<String>(&format!("\"{}\"", cut.trim_end_matches(['"', '\\'])))
                        .unwrap_or_else(|_| cut.to_owned())
                });
                MemberValue::Text(text)
            }
            _ => MemberValue::Scalar,
        };
        if let Some(member) = self.outline.members.last_mut() {
            member.value = value;
            member.end = end;
        }
    }

    fn finish(mut self) -> Outline {
        match self.state {
            OutlineState::Top => {}
            OutlineState::InValue if self.structure.depth == 1 && !self.structure.in_string => {
                self.end_member(self.offset);
                self.problem("not valid JSON: the object is not closed with `}`");
            }
            _ => {
                if matches!(self.state, OutlineState::InValue) {
                    self.end_member(self.offset);
                }
                self.problem("not valid JSON: the file ends inside a value");
            }
        }
        self.outline
    }
}

/// How [`DocumentChunks`] finds the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// The elements of the top-level array.
    Array,
    /// The elements of the array that starts at byte `offset` (line `line`): a member of the
    /// top-level object. What comes before and after it is the document's, not records.
    Member { offset: u64, line: u64 },
    /// Top-level values one after another (a document that is one record is a stream of one).
    Stream,
}

/// Where the element scanner is between bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ElementState {
    /// Skipping to the records (bytes before them belong to the document).
    Seek,
    /// Before the opening `[`.
    Open,
    /// Expecting an element, or `]`.
    Element {
        after_comma: bool,
    },
    /// Inside an element.
    Inside,
    /// A scalar element (number, boolean, null).
    Scalar,
    /// After an element, expecting `,` or `]`.
    Separator,
    /// Inside a broken element, looking for a line where the next element starts.
    Broken,
    Closed,
}

/// Chunks of a document's records: the elements of an array (top-level or a member's) or of a
/// stream of top-level values. Streams: the document is never held whole.
///
/// A broken element (a string with a raw line break, junk between elements, a stray line) is kept
/// as one unit so it is reported where it is, and reading resumes at the next line that starts an
/// element at the indentation of the array's first element: one bad element costs one record, not
/// the rest of the file.
pub struct DocumentChunks<R> {
    reader: R,
    records: Records,
    buf: Vec<u8>,
    /// Scan position in `buf`.
    pos: usize,
    /// Bytes of the file before `buf[0]`.
    consumed: u64,
    /// Line of the byte at `pos`.
    line: u64,
    /// Column (bytes since the line's start) of the byte at `pos`.
    column: usize,
    state: ElementState,
    structure: Structure,
    /// Start, line and index of the element being scanned.
    element: Option<(usize, u64, u64)>,
    /// Elements started so far.
    elements: u64,
    /// Column at which the array's elements start (that of the first one).
    indent: Option<usize>,
    eof: bool,
    done: bool,
    junk_reported: bool,
}

impl<R: Read> DocumentChunks<R> {
    pub fn new(reader: R, head: Vec<u8>, records: Records) -> Self {
        let pos = if head.starts_with(BOM) { BOM.len() } else { 0 };
        let (state, line) = match records {
            Records::Array => (ElementState::Open, 1),
            Records::Member { .. } => (ElementState::Seek, 1),
            Records::Stream => (ElementState::Element { after_comma: false }, 1),
        };
        DocumentChunks {
            reader,
            records,
            buf: head,
            pos,
            consumed: 0,
            line,
            column: 0,
            state,
            structure: Structure::default(),
            element: None,
            elements: 0,
            indent: None,
            eof: false,
            done: false,
            junk_reported: false,
        }
    }

    fn problem(&self, problems: &mut Vec<Problem>, message: impl Into<String>) {
        problems.push(Problem {
            line: self.line,
            message: message.into(),
        });
    }

    fn start_element(&mut self) {
        self.element = Some((self.pos, self.line, self.elements));
        self.elements += 1;
        self.indent.get_or_insert(self.column);
    }

    /// Scans the buffered bytes, appending completed elements.
    fn scan(&mut self, units: &mut Vec<Unit>, problems: &mut Vec<Problem>) {
        use ElementState::*;
        while self.pos < self.buf.len() {
            let byte = self.buf[self.pos];
            match self.state {
                Seek => {
                    let Records::Member { offset, line } = self.records else {
                        unreachable!("only a member's records are sought")
                    };
                    if self.consumed + self.pos as u64 >= offset {
                        self.line = line;
                        self.state = Open;
                        continue;
                    }
                }
                Open => {
                    if byte == b'[' {
                        self.state = Element { after_comma: false };
                    } else if !byte.is_ascii_whitespace() {
                        self.problem(problems, "expected `[` to open the array");
                        self.state = Closed;
                    }
                }
                Element { after_comma } => match byte {
                    b']' if self.records != Records::Stream => {
                        if after_comma {
                            self.problem(problems, "not valid JSON: trailing comma before `]`");
                        }
                        self.close();
                    }
                    b',' if self.records != Records::Stream => {
                        self.problem(problems, "not valid JSON: empty element (two commas)")
                    }
                    _ if byte.is_ascii_whitespace() => {}
                    _ => {
                        self.start_element();
                        self.structure = Structure::default();
                        match self.structure.step(byte) {
                            Step::Opened => self.state = Inside,
                            _ if self.structure.in_string => self.state = Inside,
                            _ if byte.is_ascii_alphanumeric() || byte == b'-' => self.state = Scalar,
                            _ => self.state = Broken,
                        }
                    }
                },
                Inside => match self.structure.step(byte) {
                    Step::StringEnd | Step::Closed if self.structure.depth == 0 => {
                        self.finish_element(self.pos + 1, units);
                    }
                    Step::BrokenString => self.state = Broken,
                    _ => {}
                },
                Scalar => {
                    if !(byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'+' | b'-')) {
                        self.finish_element(self.pos, units);
                        continue;
                    }
                }
                Separator => match byte {
                    b',' if self.records != Records::Stream => self.state = Element { after_comma: true },
                    b']' if self.records != Records::Stream => self.close(),
                    _ if byte.is_ascii_whitespace() => {}
                    _ if self.records == Records::Stream => {
                        self.state = Element { after_comma: false };
                        continue;
                    }
                    _ => {
                        // Junk between elements: a unit of its own, so it is reported and counted.
                        self.start_element();
                        self.state = Broken;
                    }
                },
                Broken if self.column == 0 => {
                    let rest = &self.buf[self.pos..];
                    if !self.eof && rest.iter().all(|byte| *byte == b' ' || *byte == b'\t') {
                        // The line's start is not read yet: decide when it is.
                        return;
                    }
                    if self.resumes_here() {
                        let end = self.pos;
                        self.finish_element(end, units);
                        self.state = Element { after_comma: true };
                        continue;
                    }
                }
                Broken => {}
                Closed => {
                    // After a member's array comes the rest of the document, not junk.
                    if self.records == Records::Array && !byte.is_ascii_whitespace() && !self.junk_reported {
                        self.problem(problems, "text after the end of the JSON document");
                        self.junk_reported = true;
                    }
                }
            }
            if byte == b'\n' {
                self.line += 1;
                self.column = 0;
            } else {
                self.column += 1;
            }
            self.pos += 1;
        }
    }

    /// Whether the line starting at `pos` starts the next element (or ends the array): its first
    /// byte other than a space is `{`, `[` or `]` at or left of the elements' indentation.
    fn resumes_here(&self) -> bool {
        let rest = &self.buf[self.pos..];
        let Some(first) = rest.iter().position(|byte| *byte != b' ' && *byte != b'\t') else {
            return false;
        };
        let indent = self.indent.unwrap_or(0);
        first <= indent && matches!(rest[first], b'{' | b'[' | b']')
    }

    fn close(&mut self) {
        self.state = ElementState::Closed;
    }

    fn finish_element(&mut self, end: usize, units: &mut Vec<Unit>) {
        if let Some((start, line, index)) = self.element.take() {
            units.push(Unit {
                range: start..end,
                line,
                element: Some(index),
            });
        }
        self.state = ElementState::Separator;
    }

    /// Reads more of the file; false at the end.
    fn fill(&mut self) -> io::Result<()> {
        let want = self.buf.len() + CHUNK_BYTES;
        let missing = want - self.buf.len();
        self.buf.reserve(missing);
        let read = (&mut self.reader).take(missing as u64).read_to_end(&mut self.buf)?;
        self.eof = read < missing;
        Ok(())
    }
}

impl<R: Read> Iterator for DocumentChunks<R> {
    type Item = io::Result<Chunk>;

    fn next(&mut self) -> Option<io::Result<Chunk>> {
        if self.done {
            return None;
        }
        let mut units = Vec::new();
        let mut problems = Vec::new();
        loop {
            self.scan(&mut units, &mut problems);
            // Hand over a chunk once it holds enough finished records, or enough bytes that are no
            // record's (a long member before the records), so the buffer stays bounded.
            let settled = self.element.map_or(self.pos, |(start, _, _)| start);
            let buffered_enough = units.last().is_some_and(|unit| unit.range.end >= CHUNK_BYTES);
            if buffered_enough || settled >= CHUNK_BYTES || self.eof {
                break;
            }
            if let Err(err) = self.fill() {
                self.done = true;
                return Some(Err(err));
            }
            if let Some((start, line, _)) = self.element
                && self.buf.len() - start > MAX_RECORD_BYTES
            {
                self.problem(
                    &mut problems,
                    format!(
                        "record at line {line} is longer than {} MiB; the rest of the file is not read",
                        MAX_RECORD_BYTES >> 20
                    ),
                );
                self.done = true;
                break;
            }
        }
        if self.eof && !self.done && self.pos >= self.buf.len() {
            self.done = true;
            self.finish_at_end(&mut units, &mut problems);
        }
        // Hand over the bytes of completed elements; keep the element in progress for next time.
        let keep_from = self.element.map_or(self.pos, |(start, _, _)| start);
        let rest = self.buf.split_off(keep_from);
        let data = std::mem::replace(&mut self.buf, rest);
        self.consumed += keep_from as u64;
        self.pos -= keep_from;
        if let Some((start, _, _)) = &mut self.element {
            *start -= keep_from;
        }
        if units.is_empty() && problems.is_empty() && self.done {
            return None;
        }
        Some(Ok(Chunk { data, units, problems }))
    }
}

impl<R: Read> DocumentChunks<R> {
    fn finish_at_end(&mut self, units: &mut Vec<Unit>, problems: &mut Vec<Problem>) {
        use ElementState::*;
        let in_array = matches!(self.records, Records::Array | Records::Member { .. });
        match self.state {
            Closed => {}
            Seek | Open => self.problem(
                problems,
                if self.records == Records::Array {
                    "empty file: expected a JSON array"
                } else {
                    "the records' array is missing"
                },
            ),
            Scalar | Inside | Broken => {
                // The last element runs to the end: hand it over so its own error is reported
                // where it starts.
                let end = self.buf.len();
                self.finish_element(end, units);
                if in_array {
                    self.problem(problems, "not valid JSON: the array is not closed with `]`");
                }
            }
            Element { .. } | Separator => {
                if in_array {
                    self.problem(problems, "not valid JSON: the array is not closed with `]`");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, element index, text) of each unit.
    type Read = Vec<(u64, Option<u64>, String)>;

    fn units(input: &str, records: Records) -> (Read, Vec<Problem>) {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for chunk in DocumentChunks::new(input.as_bytes(), Vec::new(), records) {
            let chunk = chunk.unwrap();
            for unit in &chunk.units {
                out.push((
                    unit.line,
                    unit.element,
                    String::from_utf8_lossy(chunk.unit(unit)).into_owned(),
                ));
            }
            problems.extend(chunk.problems);
        }
        (out, problems)
    }

    fn outlined(input: &str) -> Outline {
        outline(input.as_bytes()).unwrap()
    }

    #[test]
    fn sniffing_tells_json_lines_from_documents() {
        let sniff_all = |text: &str| sniff(text.as_bytes(), true);
        assert_eq!(sniff_all("{\"text\": \"a\"}\n{\"text\": \"b\"}\n"), Sniffed::Lines);
        assert_eq!(sniff_all("  \n[{\"text\": \"a\"}]"), Sniffed::Array);
        assert_eq!(
            sniff_all("{\n  \"samples\": [\n    {\"text\": \"a\"}\n  ]\n}\n"),
            Sniffed::Document
        );
        // One line that is the whole file: a compact wrapper, or one record.
        assert_eq!(sniff_all("{\"samples\": [{\"text\": \"a\"}]}"), Sniffed::Document);
        // Pretty-printed records written back to back with no line break between them.
        assert_eq!(sniff_all("{\n \"q\": \"a\"\n}{\n \"q\": \"b\"\n}"), Sniffed::Document);
        // A broken first line is still JSON Lines: no document has a raw line break in a string.
        assert_eq!(sniff_all("{\"text\": \"cut\n{\"text\": \"b\"}\n"), Sniffed::Lines);
        // A byte order mark is not content.
        assert_eq!(sniff_all("\u{feff}{\"a\": 1}\n{\"a\": 2}\n"), Sniffed::Lines);
        // A long first record that does not end within the head.
        assert_eq!(sniff(b"{\n  \"samples\": [", false), Sniffed::Document);
    }

    #[test]
    fn the_outline_finds_members_wherever_they_are() {
        let outline = outlined(
            "{\n  \"samples\": [\n    {\"q\": \"x\"},\n    {\"q\": \"[}\\\"\"}\n  ],\n  \"count\": 2,\n  \"language\": \"pure_tamil\",\n  \"tags\": [\"a\", \"b\"]\n}\n",
        );
        assert_eq!(outline.values, 1);
        assert_eq!(outline.problem, None);
        let names: Vec<&str> = outline.members.iter().map(|member| member.name.as_str()).collect();
        assert_eq!(names, ["samples", "count", "language", "tags"]);
        assert_eq!(
            outline.members[0].value,
            MemberValue::Array {
                elements: 2,
                objects: 2
            }
        );
        assert_eq!(outline.members[0].line, 2);
        assert_eq!(outline.members[1].value, MemberValue::Scalar);
        assert_eq!(outline.members[2].value, MemberValue::Text("pure_tamil".into()));
        assert_eq!(
            outline.members[3].value,
            MemberValue::Array {
                elements: 2,
                objects: 0
            }
        );
    }

    #[test]
    fn the_outline_counts_values_one_after_another() {
        assert_eq!(outlined("{\"a\": 1}\n{\"a\": 2}{\"a\": 3}").values, 3);
        assert_eq!(outlined("  \n").values, 0);
        assert!(outlined("{\"a\": [1, 2").problem.is_some());
    }

    #[test]
    fn a_members_records_are_read_and_the_rest_is_the_documents() {
        let input = "{\n  \"pack\": \"p\",\n  \"samples\": [\n    {\"q\": 1},\n    {\n      \"q\": 2\n    }\n  ],\n  \"after\": [1]\n}\n";
        let outline = outlined(input);
        let member = &outline.members[1];
        let (got, problems) = units(
            input,
            Records::Member {
                offset: member.offset,
                line: member.line,
            },
        );
        assert_eq!(
            got,
            vec![
                (4, Some(0), "{\"q\": 1}".into()),
                (5, Some(1), "{\n      \"q\": 2\n    }".into())
            ]
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            &input[member.offset as usize..member.end as usize].trim_end(),
            &"[\n    {\"q\": 1},\n    {\n      \"q\": 2\n    }\n  ]"
        );
    }

    #[test]
    fn a_stray_line_costs_one_record_not_the_rest_of_the_file() {
        // The real case: a generating model left a comment between two elements.
        let input = "[\n  {\n    \"id\": 871\n  },\n_COMMENT_\": \"Remaining 872-880 to be generated next\",\n  {\n    \"id\": 872\n  },\n  {\n    \"id\": 873\n  }\n]\n";
        let (got, problems) = units(input, Records::Array);
        let lines: Vec<(u64, Option<u64>)> = got.iter().map(|(line, element, _)| (*line, *element)).collect();
        assert_eq!(lines, vec![(2, Some(0)), (5, Some(1)), (6, Some(2)), (9, Some(3))]);
        assert!(got[1].2.starts_with("_COMMENT_"), "{got:?}");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn an_element_cut_short_is_one_record_and_reading_resumes() {
        let input = "[\n  {\"text\": \"whole\"},\n  {\"text\": \"cut halfway BROKEN\n  {\"text\": \"after\"},\n  {\"text\": \"last\"}\n]\n";
        let (got, problems) = units(input, Records::Array);
        let texts: Vec<&str> = got.iter().map(|(_, _, text)| text.as_str()).collect();
        assert_eq!(texts.len(), 4, "{texts:?}");
        assert_eq!(texts[2], "{\"text\": \"after\"}");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn records_one_after_another_are_each_a_record() {
        let input = "{\n  \"q\": \"a\"\n}\n{\n  \"q\": \"b\"\n}{\"q\": \"c\"}\n";
        let (got, problems) = units(input, Records::Stream);
        let lines: Vec<u64> = got.iter().map(|(line, _, _)| *line).collect();
        assert_eq!(lines, vec![1, 4, 6]);
        assert!(problems.is_empty());
    }

    #[test]
    fn an_unclosed_array_is_reported_and_its_last_element_kept() {
        let (got, problems) = units("[{\"a\":1}, {\"b\":", Records::Array);
        assert_eq!(got.len(), 2);
        assert!(
            problems.iter().any(|problem| problem.message.contains("not closed")),
            "{problems:?}"
        );
    }

    #[test]
    fn trailing_comma_and_junk_after_the_array_are_problems() {
        let (got, problems) = units("[1, \"s\", {\"a\":1},\n]\nextra", Records::Array);
        assert_eq!(got.len(), 3);
        let messages: Vec<&str> = problems.iter().map(|problem| problem.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "not valid JSON: trailing comma before `]`",
                "text after the end of the JSON document"
            ]
        );
    }

    #[test]
    fn an_array_larger_than_a_chunk_streams_every_element() {
        let element = format!("{{\"text\": \"{}\"}}", "த".repeat(1000));
        let input = format!("[{}]", vec![element.as_str(); 3000].join(",\n"));
        let (got, problems) = units(&input, Records::Array);
        assert_eq!(got.len(), 3000);
        assert_eq!(got[2999].0, 3000);
        assert_eq!(got[2999].1, Some(2999));
        assert!(problems.is_empty());
    }
}
