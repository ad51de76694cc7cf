//! Splits a JSON Lines file into record-sized units, a bounded chunk at a time, so
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
    /// The record's 0-based index in its array (or stream of values) in a JSON document; `None`
    /// in JSON Lines, where the line says it.
    pub element: Option<u64>,
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
                element: None,
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
                // A skipped line that runs to the end of the input is still reported.
                return (!problems.is_empty()).then(|| Ok(self.split(Vec::new(), problems)));
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
}
