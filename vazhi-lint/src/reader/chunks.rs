//! Splits a JSON Lines file or a JSON array into record-sized units, a bounded chunk at a time, so
//! memory does not grow with the file and each chunk's records can be checked in parallel.

use std::io::{self, Read};
use std::ops::Range;

/// Bytes read per chunk. Large enough to amortise the parallel hand-off, small enough that a few
/// chunks in flight stay far below the memory budget.
pub const CHUNK_BYTES: usize = 4 << 20;

/// A record longer than this is reported and skipped instead of buffered.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

/// One record's bytes within a chunk, and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub range: Range<usize>,
    pub line: u64,
}

/// A problem with the file's structure rather than with one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Chunk {
    pub data: Vec<u8>,
    pub units: Vec<Unit>,
    pub problems: Vec<Problem>,
}

impl Chunk {
    pub fn unit(&self, unit: &Unit) -> &[u8] {
        &self.data[unit.range.clone()]
    }
}

pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Fills `buf` from `reader` until it holds at least `want` bytes or the input ends. Returns whether
/// the input ended. (`read_to_end` on a `take` avoids zeroing the buffer before each read.)
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    if buf.len() >= want {
        return Ok(false);
    }
    let missing = want - buf.len();
    buf.reserve(missing);
    let read = reader.take(missing as u64).read_to_end(buf)?;
    Ok(read < missing)
}

/// Reads the first bytes to tell a JSON array from JSON Lines (a `.json` file may be either).
pub fn starts_with_array(reader: &mut dyn Read, head: &mut Vec<u8>) -> io::Result<bool> {
    loop {
        let eof = fill(reader, head, head.len() + 4096)?;
        let body = head.strip_prefix(BOM).unwrap_or(head);
        if let Some(first) = body.iter().find(|byte| !byte.is_ascii_whitespace()) {
            return Ok(*first == b'[');
        }
        if eof {
            return Ok(false);
        }
    }
}

/// Chunks of JSON Lines. Blank lines are skipped, CRLF and a leading BOM accepted.
pub struct LineChunks<R> {
    reader: R,
    carry: Vec<u8>,
    next_line: u64,
    eof: bool,
    /// Inside an over-long line being skipped.
    skipping: bool,
    /// Nothing handed out yet: a BOM may still be there to strip.
    at_start: bool,
}

impl<R: Read> LineChunks<R> {
    pub fn new(reader: R, head: Vec<u8>) -> Self {
        LineChunks {
            reader,
            carry: head,
            next_line: 1,
            eof: false,
            skipping: false,
            at_start: true,
        }
    }

    fn split(&mut self, data: Vec<u8>, problems: Vec<Problem>) -> Chunk {
        let mut units = Vec::new();
        split_lines(&data, 0, &mut self.next_line, &mut units);
        Chunk { data, units, problems }
    }
}

/// Appends the non-blank lines of `data[from..]` (whole lines: it ends at a line end or at the end
/// of the input) as units, CR of a CRLF excluded, counting lines from `next_line`. Shared by the
/// chunked and the memory-mapped readers so both number lines alike.
pub fn split_lines(data: &[u8], from: usize, next_line: &mut u64, units: &mut Vec<Unit>) {
    let mut start = from;
    let body = &data[from..];
    for end in memchr::memchr_iter(b'\n', body)
        .map(|at| from + at)
        .chain((body.last() != Some(&b'\n') && !body.is_empty()).then_some(data.len()))
    {
        let mut stop = end;
        if stop > start && data[stop - 1] == b'\r' {
            stop -= 1;
        }
        if data[start..stop].iter().any(|byte| !byte.is_ascii_whitespace()) {
            units.push(Unit {
                range: start..stop,
                line: *next_line,
            });
        }
        *next_line += 1;
        start = end + 1;
    }
}

impl<R: Read> Iterator for LineChunks<R> {
    type Item = io::Result<Chunk>;

    fn next(&mut self) -> Option<io::Result<Chunk>> {
        let mut problems = Vec::new();
        loop {
            if self.eof && self.carry.is_empty() {
                return None;
            }
            let mut buf = std::mem::take(&mut self.carry);
            if !self.eof {
                match fill(&mut self.reader, &mut buf, CHUNK_BYTES) {
                    Ok(eof) => self.eof = eof,
                    Err(err) => {
                        self.eof = true;
                        return Some(Err(err));
                    }
                }
            }
            if self.at_start {
                self.at_start = false;
                if buf.starts_with(BOM) {
                    buf.drain(..BOM.len());
                }
            }
            if self.skipping {
                match memchr::memchr(b'\n', &buf) {
                    Some(at) => {
                        self.skipping = false;
                        self.next_line += 1;
                        buf.drain(..=at);
                    }
                    None => continue,
                }
            }
            let cut = match memchr::memrchr(b'\n', &buf) {
                Some(at) => at + 1,
                None if self.eof => buf.len(),
                None if buf.len() >= MAX_RECORD_BYTES => {
                    problems.push(Problem {
                        line: self.next_line,
                        message: format!("line is longer than {} MiB; skipped", MAX_RECORD_BYTES >> 20),
                    });
                    self.skipping = true;
                    continue;
                }
                None => {
                    // One line longer than a chunk: keep reading until it ends.
                    self.carry = buf;
                    let want = self.carry.len() * 2;
                    match fill(&mut self.reader, &mut self.carry, want) {
                        Ok(eof) => self.eof = eof,
                        Err(err) => {
                            self.eof = true;
                            return Some(Err(err));
                        }
                    }
                    continue;
                }
            };
            self.carry = buf.split_off(cut);
            return Some(Ok(self.split(buf, problems)));
        }
    }
}

/// Where the array scanner is between bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrayState {
    /// Before the opening `[`.
    Open,
    /// Expecting an element or `]`.
    Element {
        after_comma: bool,
    },
    /// Inside an element, at nesting `depth` (0 for a scalar).
    Inside {
        depth: u32,
        in_string: bool,
        escaped: bool,
    },
    /// After an element, expecting `,` or `]`.
    Separator,
    Closed,
}

/// Chunks of one JSON array's elements. Streams: the array is never held whole.
pub struct ArrayChunks<R> {
    reader: R,
    buf: Vec<u8>,
    /// Scan position in `buf`.
    pos: usize,
    /// Line of the byte at `pos`.
    line: u64,
    state: ArrayState,
    /// Start and line of the element being scanned.
    element: Option<(usize, u64)>,
    eof: bool,
    done: bool,
    junk_reported: bool,
}

impl<R: Read> ArrayChunks<R> {
    pub fn new(reader: R, head: Vec<u8>) -> Self {
        let pos = if head.starts_with(BOM) { BOM.len() } else { 0 };
        ArrayChunks {
            reader,
            buf: head,
            pos,
            line: 1,
            state: ArrayState::Open,
            element: None,
            eof: false,
            done: false,
            junk_reported: false,
        }
    }

    /// Scans the buffered bytes, appending completed elements; returns the end of the last one.
    fn scan(&mut self, units: &mut Vec<Unit>, problems: &mut Vec<Problem>) {
        while self.pos < self.buf.len() {
            let byte = self.buf[self.pos];
            match self.state {
                ArrayState::Open => {
                    if byte == b'[' {
                        self.state = ArrayState::Element { after_comma: false };
                    } else if !byte.is_ascii_whitespace() {
                        problems.push(Problem {
                            line: self.line,
                            message: "expected `[` to open the array".into(),
                        });
                        self.state = ArrayState::Closed;
                    }
                }
                ArrayState::Element { after_comma } => match byte {
                    b']' => {
                        if after_comma {
                            problems.push(Problem {
                                line: self.line,
                                message: "not valid JSON: trailing comma before `]`".into(),
                            });
                        }
                        self.state = ArrayState::Closed;
                    }
                    b',' => problems.push(Problem {
                        line: self.line,
                        message: "not valid JSON: empty element (two commas)".into(),
                    }),
                    _ if byte.is_ascii_whitespace() => {}
                    _ => {
                        self.element = Some((self.pos, self.line));
                        let (depth, in_string) = match byte {
                            b'{' | b'[' => (1, false),
                            b'"' => (0, true),
                            _ => (0, false),
                        };
                        // A scalar (depth 0, not a string) ends at the next separator or space.
                        self.state = ArrayState::Inside {
                            depth,
                            in_string,
                            escaped: false,
                        };
                    }
                },
                ArrayState::Inside {
                    depth,
                    in_string,
                    escaped,
                } => {
                    if in_string {
                        let escaped_next = !escaped && byte == b'\\';
                        let closes = !escaped && byte == b'"';
                        self.state = ArrayState::Inside {
                            depth,
                            in_string: !closes,
                            escaped: escaped_next,
                        };
                        if closes && depth == 0 {
                            self.finish_element(self.pos + 1, units);
                        }
                    } else {
                        match byte {
                            b'"' => {
                                self.state = ArrayState::Inside {
                                    depth,
                                    in_string: true,
                                    escaped: false,
                                }
                            }
                            b'{' | b'[' => {
                                self.state = ArrayState::Inside {
                                    depth: depth + 1,
                                    in_string: false,
                                    escaped: false,
                                }
                            }
                            b'}' | b']' if depth > 0 => {
                                self.state = ArrayState::Inside {
                                    depth: depth - 1,
                                    in_string: false,
                                    escaped: false,
                                };
                                if depth == 1 {
                                    self.finish_element(self.pos + 1, units);
                                }
                            }
                            b',' | b']' | b'}' if depth == 0 => {
                                // End of a scalar element: the separator belongs to the array.
                                self.finish_element(self.pos, units);
                                continue;
                            }
                            _ if depth == 0 && byte.is_ascii_whitespace() => {
                                self.finish_element(self.pos, units);
                                continue;
                            }
                            _ => {}
                        }
                    }
                }
                ArrayState::Separator => match byte {
                    b',' => self.state = ArrayState::Element { after_comma: true },
                    b']' => self.state = ArrayState::Closed,
                    _ if byte.is_ascii_whitespace() => {}
                    _ => {
                        problems.push(Problem {
                            line: self.line,
                            message: "not valid JSON: expected `,` or `]` between array elements".into(),
                        });
                        // Resynchronise: treat it as the start of the next element.
                        self.state = ArrayState::Element { after_comma: false };
                        continue;
                    }
                },
                ArrayState::Closed => {
                    if !byte.is_ascii_whitespace() && !self.junk_reported {
                        problems.push(Problem {
                            line: self.line,
                            message: "text after the end of the JSON array".into(),
                        });
                        self.junk_reported = true;
                    }
                }
            }
            if byte == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
    }

    fn finish_element(&mut self, end: usize, units: &mut Vec<Unit>) {
        if let Some((start, line)) = self.element.take() {
            units.push(Unit {
                range: start..end,
                line,
            });
        }
        self.state = ArrayState::Separator;
    }
}

impl<R: Read> Iterator for ArrayChunks<R> {
    type Item = io::Result<Chunk>;

    fn next(&mut self) -> Option<io::Result<Chunk>> {
        if self.done {
            return None;
        }
        let mut units = Vec::new();
        let mut problems = Vec::new();
        loop {
            self.scan(&mut units, &mut problems);
            let buffered_enough = units.last().is_some_and(|unit| unit.range.end >= CHUNK_BYTES);
            if buffered_enough || self.eof {
                break;
            }
            let want = self.buf.len() + CHUNK_BYTES;
            match fill(&mut self.reader, &mut self.buf, want) {
                Ok(eof) => self.eof = eof,
                Err(err) => {
                    self.done = true;
                    return Some(Err(err));
                }
            }
            if let Some((start, line)) = self.element
                && self.buf.len() - start > MAX_RECORD_BYTES
            {
                problems.push(Problem {
                    line,
                    message: format!("array element is longer than {} MiB", MAX_RECORD_BYTES >> 20),
                });
                self.done = true;
                break;
            }
        }
        if self.eof && !self.done {
            self.done = true;
            match self.state {
                ArrayState::Closed => {}
                ArrayState::Open => problems.push(Problem {
                    line: self.line,
                    message: "empty file: expected a JSON array".into(),
                }),
                _ => {
                    if let Some((_, line)) = self.element.take() {
                        problems.push(Problem {
                            line,
                            message: "not valid JSON: the file ends inside this element".into(),
                        });
                    }
                    problems.push(Problem {
                        line: self.line,
                        message: "not valid JSON: the array is not closed with `]`".into(),
                    });
                }
            }
        }
        // Hand over the bytes of completed elements; keep the element in progress for next time.
        let keep_from = self.element.map_or(self.pos, |(start, _)| start);
        let rest = self.buf.split_off(keep_from);
        let data = std::mem::replace(&mut self.buf, rest);
        self.pos -= keep_from;
        if let Some((start, _)) = &mut self.element {
            *start -= keep_from;
        }
        if units.is_empty() && problems.is_empty() && self.done {
            return None;
        }
        Some(Ok(Chunk { data, units, problems }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<(u64, String)> {
        let mut out = Vec::new();
        for chunk in LineChunks::new(input, Vec::new()) {
            let chunk = chunk.unwrap();
            for unit in &chunk.units {
                out.push((unit.line, String::from_utf8_lossy(chunk.unit(unit)).into_owned()));
            }
        }
        out
    }

    #[test]
    fn lines_skip_blanks_and_strip_crlf_and_bom() {
        let got = lines(b"\xEF\xBB\xBF{\"a\":1}\r\n\r\n  \n{\"b\":2}");
        assert_eq!(got, vec![(1, "{\"a\":1}".into()), (4, "{\"b\":2}".into())]);
    }

    fn elements(input: &str) -> (Vec<(u64, String)>, Vec<Problem>) {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for chunk in ArrayChunks::new(input.as_bytes(), Vec::new()) {
            let chunk = chunk.unwrap();
            for unit in &chunk.units {
                out.push((unit.line, String::from_utf8_lossy(chunk.unit(unit)).into_owned()));
            }
            problems.extend(chunk.problems);
        }
        (out, problems)
    }

    #[test]
    fn array_elements_carry_the_line_they_start_on() {
        let (got, problems) = elements("[\n  {\"a\": \"x]}\"},\n  {\n    \"b\": [1, 2]\n  }\n]\n");
        assert_eq!(
            got,
            vec![(2, "{\"a\": \"x]}\"}".into()), (3, "{\n    \"b\": [1, 2]\n  }".into())]
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn array_scalars_and_trailing_comma() {
        let (got, problems) = elements("[1, \"s\", {\"a\":1},\n]");
        assert_eq!(
            got.iter().map(|(_, text)| text.as_str()).collect::<Vec<_>>(),
            vec!["1", "\"s\"", "{\"a\":1}"]
        );
        assert_eq!(
            problems,
            vec![Problem {
                line: 2,
                message: "not valid JSON: trailing comma before `]`".into()
            }]
        );
    }

    #[test]
    fn unclosed_array_is_reported() {
        let (got, problems) = elements("[{\"a\":1}, {\"b\":");
        assert_eq!(got.len(), 1);
        assert!(
            problems.iter().any(|problem| problem.message.contains("ends inside")),
            "{problems:?}"
        );
    }

    #[test]
    fn array_larger_than_a_chunk_streams_every_element() {
        let element = format!("{{\"text\": \"{}\"}}", "த".repeat(1000));
        let input = format!("[{}]", vec![element.as_str(); 3000].join(",\n"));
        let (got, problems) = elements(&input);
        assert_eq!(got.len(), 3000);
        assert_eq!(got[2999].0, 3000);
        assert!(problems.is_empty());
    }
}
