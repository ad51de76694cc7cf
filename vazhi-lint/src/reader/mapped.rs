//! Plain JSON Lines files read through a memory map: records are parsed straight from the page
//! cache, with no reader thread and no copy into chunk buffers (together a tenth of the run time
//! on the chunked reader). The file is walked in windows of whole lines, and a window's pages are
//! released once its records are checked, so resident memory stays near one window however large
//! the file is.
//!
//! A map shows the file as it is now, not as it was when opened. If another process truncates the
//! file while it is being linted, touching the vanished pages raises SIGBUS and ends the process,
//! the risk every reader built on mmap carries (ripgrep documents the same). The length is checked
//! before each window, which narrows the race to the window being checked and turns the usual case,
//! a file rewritten while a long lint runs, into a located finding. Compressed files, JSON arrays
//! and anything that is not a regular file keep the chunked reader, which has no such risk.

use std::fs::File;
use std::io;
use std::path::Path;

use memmap2::{Advice, Mmap, UncheckedAdvice};

use crate::reader::chunks::{BOM, MAX_RECORD_BYTES, Problem, Unit, split_lines};

/// Bytes of whole lines checked per window: enough records (thousands) that the hand-off to the
/// rayon workers and the wait for the slowest of them cost little, few enough that a window's
/// pages are a small part of the memory budget.
pub const WINDOW_BYTES: usize = 8 << 20;

/// Pages are released in multiples of this, which is a multiple of every page size Linux uses
/// (4, 16 and 64 KiB), as `madvise` wants a page-aligned start.
const RELEASE_ALIGN: usize = 64 << 10;

/// The records of one window: units with ranges into [`MappedFile::data`], and the lines that
/// could not be made records.
#[derive(Debug, Default)]
pub struct Window {
    pub units: Vec<Unit>,
    pub problems: Vec<Problem>,
    /// Where the window ends in the file; everything before may be released once checked.
    pub end: usize,
}

/// A JSON Lines file mapped into memory.
pub struct MappedFile {
    file: File,
    map: Mmap,
}

/// Where the walk through a [`MappedFile`] is: kept apart from the map so the next window can be
/// found while the records of the current one are checked.
#[derive(Debug)]
pub struct LineWindows {
    /// Start of the next window.
    pos: usize,
    next_line: u64,
    /// Pages before this offset have been released.
    released: usize,
}

impl MappedFile {
    /// Maps `path` when it is a regular, non-empty file; `Ok(None)` when the chunked reader
    /// should read it instead (an empty file, a FIFO or a device).
    pub fn open(path: &Path) -> io::Result<Option<MappedFile>> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() || meta.len() == 0 {
            return Ok(None);
        }
        // SAFETY: the map is read-only and only read through `data`. Another process changing the
        // file while it is mapped changes what is read (a truncation raises SIGBUS); see the module
        // documentation for why that risk is taken and how it is narrowed.
        let map = unsafe { Mmap::map(&file)? };
        // Read ahead aggressively: records are read front to back, once.
        let _ = map.advise(Advice::Sequential);
        Ok(Some(MappedFile { file, map }))
    }

    /// The whole file; units' ranges index into it.
    pub fn data(&self) -> &[u8] {
        &self.map
    }

    /// Whether a `.json` file holds JSON Lines or a document, from its first 64 KiB.
    pub fn sniff(&self) -> super::document::Sniffed {
        const HEAD: usize = 64 << 10;
        super::document::sniff(&self.map[..self.map.len().min(HEAD)], self.map.len() <= HEAD)
    }

    /// The first window is at the start of the file, line 1.
    pub fn windows(&self) -> LineWindows {
        LineWindows {
            pos: 0,
            next_line: 1,
            released: 0,
        }
    }
}

impl LineWindows {
    /// The next window of whole lines, or an error when the file shrank under the map.
    pub fn next(&mut self, file: &MappedFile) -> Option<io::Result<Window>> {
        let len = file.map.len();
        if self.pos >= len {
            return None;
        }
        match file.file.metadata() {
            Ok(meta) if meta.len() < len as u64 => {
                self.pos = len;
                return Some(Err(io::Error::other(format!(
                    "the file was truncated while being read ({} bytes, was {len})",
                    meta.len()
                ))));
            }
            Ok(_) => {}
            Err(err) => {
                self.pos = len;
                return Some(Err(err));
            }
        }
        let data = &file.map[..];
        let mut start = self.pos;
        if start == 0 && data.starts_with(BOM) {
            start = BOM.len();
        }
        // Map the window's pages in one call rather than a page fault per 64 KiB as the lines
        // are split (Linux 5.14+; elsewhere the advice fails and faults do the same work).
        #[cfg(target_os = "linux")]
        let _ = file
            .map
            .advise_range(Advice::PopulateRead, self.pos, WINDOW_BYTES.min(len - self.pos));
        let mut window = Window::default();
        let end = if start + WINDOW_BYTES >= len {
            len
        } else if let Some(at) = memchr::memrchr(b'\n', &data[start..start + WINDOW_BYTES]) {
            start + at + 1
        } else {
            // One line longer than a window: take it whole, up to the longest record kept. The
            // limits are the chunked reader's, so both report the same lines.
            let limit = start + MAX_RECORD_BYTES;
            match memchr::memchr(b'\n', &data[start..limit.min(len)]) {
                Some(at) => start + at + 1,
                None if limit > len => len,
                None => {
                    window.problems.push(Problem {
                        line: self.next_line,
                        message: format!("line is longer than {} MiB; skipped", MAX_RECORD_BYTES >> 20),
                    });
                    self.next_line += 1;
                    let skipped = memchr::memchr(b'\n', &data[limit..]).map_or(len, |at| limit + at + 1);
                    self.pos = skipped;
                    window.end = skipped;
                    return Some(Ok(window));
                }
            }
        };
        split_lines(&data[..end], start, &mut self.next_line, &mut window.units);
        self.pos = end;
        window.end = end;
        // Start reading the next window from disk while this one is checked (a no-op when cached).
        let _ = file
            .map
            .advise_range(Advice::WillNeed, end, WINDOW_BYTES.min(len - end));
        Some(Ok(window))
    }

    /// Gives back the pages of everything before `upto`, so resident memory does not grow with the
    /// file. Call only once the records before `upto` have been checked.
    pub fn release(&mut self, file: &MappedFile, upto: usize) {
        let end = upto.min(file.map.len()) & !(RELEASE_ALIGN - 1);
        if end <= self.released {
            return;
        }
        // SAFETY: the map is shared and read-only, so MADV_DONTNEED only drops page-table entries:
        // a released page touched again is read back from the file unchanged, never zero-filled,
        // and slices of the map stay valid. (memmap2 marks the advice unchecked for private,
        // writable maps, where it would discard data.) Findings own their text, so nothing of
        // the checked records points into the range anyway.
        let _ = unsafe {
            file.map
                .unchecked_advise_range(UncheckedAdvice::DontNeed, self.released, end - self.released)
        };
        self.released = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::chunks::LineChunks;

    fn mapped(bytes: &[u8]) -> (tempfile::TempDir, MappedFile) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lines.jsonl");
        std::fs::write(&path, bytes).unwrap();
        let file = MappedFile::open(&path).unwrap().unwrap();
        (dir, file)
    }

    fn records(file: MappedFile) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        let mut windows = file.windows();
        while let Some(window) = windows.next(&file) {
            let window = window.unwrap();
            assert!(window.problems.is_empty(), "{:?}", window.problems);
            for unit in &window.units {
                out.push((unit.line, file.data()[unit.range.clone()].to_vec()));
            }
            windows.release(&file, window.end);
        }
        out
    }

    fn chunked(bytes: &[u8]) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        for chunk in LineChunks::new(bytes, Vec::new()) {
            let chunk = chunk.unwrap();
            for unit in &chunk.units {
                out.push((unit.line, chunk.unit(unit).to_vec()));
            }
        }
        out
    }

    #[test]
    fn bom_crlf_and_blank_lines_read_as_the_chunked_reader_reads_them() {
        let input = b"\xEF\xBB\xBF{\"a\":1}\r\n\r\n  \n{\"b\":2}";
        let (_dir, lines) = mapped(input);
        assert_eq!(records(lines), chunked(input));
    }

    #[test]
    fn windows_split_only_between_lines_and_keep_line_numbers() {
        // Many windows' worth of lines of varied length, one longer than a window, no final newline.
        let mut input = Vec::new();
        for index in 0..40_000 {
            let text = "த".repeat(index % 700);
            input.extend_from_slice(format!("{{\"text\": \"{text}\"}}\n").as_bytes());
            if index % 997 == 0 {
                input.extend_from_slice(b"\r\n");
            }
        }
        input.extend_from_slice(format!("{{\"text\": \"{}\"}}\n", "x".repeat(WINDOW_BYTES + 10)).as_bytes());
        input.extend_from_slice(b"{\"text\": \"last\"}");
        assert!(input.len() > 4 * WINDOW_BYTES);
        let (_dir, lines) = mapped(&input);
        assert_eq!(records(lines), chunked(&input));
    }

    #[test]
    fn a_json_document_is_told_apart() {
        use crate::reader::document::Sniffed;
        let (_dir, lines) = mapped(b"\xEF\xBB\xBF \n [{\"text\": \"x\"}]");
        assert_eq!(lines.sniff(), Sniffed::Array);
        let (_dir, lines) = mapped(b"{\"text\": \"[x]\"}\n{\"text\": \"y\"}\n");
        assert_eq!(lines.sniff(), Sniffed::Lines);
        let (_dir, lines) = mapped(b"{\n  \"samples\": [\n    {\"text\": \"x\"}\n  ]\n}\n");
        assert_eq!(lines.sniff(), Sniffed::Document);
    }

    #[test]
    fn a_truncated_file_is_an_error_not_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lines.jsonl");
        let line = "{\"text\": \"யாதும் ஊரே\"}\n";
        std::fs::write(&path, line.repeat(WINDOW_BYTES / line.len() * 3)).unwrap();
        let mapped = MappedFile::open(&path).unwrap().unwrap();
        let mut windows = mapped.windows();
        let first = windows.next(&mapped).unwrap().unwrap();
        assert!(!first.units.is_empty());
        windows.release(&mapped, first.end);
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(first.end as u64)
            .unwrap();
        let err = windows.next(&mapped).unwrap().unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(windows.next(&mapped).is_none());
    }

    /// Resident bytes of the mapping that holds `at`, from /proc/self/smaps: this map alone, so
    /// the test is not disturbed by other tests' allocations in the same process.
    #[cfg(target_os = "linux")]
    fn resident(at: *const u8) -> usize {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let at = at as usize;
        let mut inside = false;
        for line in smaps.lines() {
            let first = line.split_whitespace().next().unwrap_or("");
            if let Some((start, end)) = first.split_once('-')
                && let (Ok(start), Ok(end)) = (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16))
            {
                inside = (start..end).contains(&at);
            } else if inside && let Some(kb) = line.strip_prefix("Rss:") {
                return kb.trim().trim_end_matches("kB").trim().parse::<usize>().unwrap() << 10;
            }
        }
        panic!("no mapping holds {at:#x}");
    }

    /// The memory bound: resident memory must not grow with the file. Every byte of a file
    /// of many windows is touched, yet no more than about a window stays resident.
    #[cfg(target_os = "linux")]
    #[test]
    fn resident_memory_stays_near_one_window_whatever_the_file_size() {
        let line = format!("{{\"text\": \"{}\"}}\n", "யாதும் ஊரே யாவரும் கேளிர் ".repeat(12));
        let input = line.repeat(8 * WINDOW_BYTES / line.len());
        let (_dir, file) = mapped(input.as_bytes());
        let mut windows = file.windows();
        let mut most = 0;
        let mut checksum = 0u64;
        while let Some(window) = windows.next(&file) {
            let window = window.unwrap();
            for unit in &window.units {
                checksum += file.data()[unit.range.clone()]
                    .iter()
                    .map(|&byte| u64::from(byte))
                    .sum::<u64>();
            }
            most = most.max(resident(file.data().as_ptr()));
            windows.release(&file, window.end);
        }
        assert!(checksum > 0);
        assert!(
            most <= 2 * WINDOW_BYTES,
            "{} MiB resident while reading a {} MiB file",
            most >> 20,
            input.len() >> 20
        );
    }

    #[test]
    fn empty_files_are_left_to_the_chunked_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.jsonl");
        std::fs::write(&path, b"").unwrap();
        assert!(MappedFile::open(&path).unwrap().is_none());
    }
}
