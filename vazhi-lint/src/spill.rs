//! Hash-keyed state that moves to disk once it outgrows memory: what keeps a dataset rule's
//! memory flat however many distinct records a corpus has.
//!
//! `duplicate` remembers every distinct record it has seen (a 64-bit hash of its content and
//! where it was first seen) and every answer (how many records give it). In hash maps that is a
//! 16-byte entry per record per map, and more than twice that while the maps keep spare slots and
//! double: 1.2 GB at 16 million records. Here:
//! - [`HashIndex`] keeps its newest entries in a map of bounded size. A full map is written out as
//!   a run sorted by key, and only a Bloom filter of the run's keys (10 bits a key) and the first
//!   key of each 4 KiB block stay in memory. A key seen for the first time, which is nearly every
//!   record, costs one cache line per run and no disk read; a key that is there costs one block
//!   read per run whose filter lets it through.
//! - [`CountLog`] takes counts that are only wanted at the end (how many records give an answer)
//!   as an append-only file, sorted and summed on disk, in bounded memory, when they are asked for.
//!
//! Files are temporary files (in `TMPDIR`), unlinked as they are made where the system allows, so
//! they go with the state however the run ends.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::sync::Mutex;

/// A map key that is already a 64-bit hash (xxh3): hashing it again is wasted work.
#[derive(Default)]
pub struct HashIsKey(u64);

impl Hasher for HashIsKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
}

/// A map keyed by 64-bit hashes.
pub type ByHash<V> = HashMap<u64, V, BuildHasherDefault<HashIsKey>>;

/// Entries a [`HashIndex`] keeps in memory before writing them out: 7/8 of 2^19, the most a map
/// of 2^19 slots (8.5 MB) holds before it doubles.
pub const SPILL_ENTRIES: usize = (1 << 19) / 8 * 7;

/// Runs a [`HashIndex`] keeps before merging them into one, so that a look-up asks at most this
/// many filters.
const MAX_RUNS: usize = 8;
/// Entries per block of a run: one read of 4 KiB finds a key once the in-memory first keys have
/// said which block it would be in.
const BLOCK: usize = 256;
/// A run's entry on disk: key and value, little-endian.
const ENTRY_BYTES: usize = 16;

/// A set of `u64` keys with a `u64` value each, in memory up to a bound and on disk past it.
/// Keys are inserted once and never removed.
pub struct HashIndex {
    /// The newest entries.
    recent: ByHash<u64>,
    /// How many entries `recent` holds before they are written out.
    capacity: usize,
    /// Older entries, on disk.
    runs: Vec<Run>,
    /// Set when a run could not be written (no writable temporary directory, a full disk): the
    /// index then keeps everything in memory, as it would have without disk.
    memory_only: bool,
    len: usize,
}

impl HashIndex {
    /// An index that writes out its entries past `capacity` of them.
    pub fn new(capacity: usize) -> HashIndex {
        HashIndex {
            recent: ByHash::default(),
            capacity: capacity.max(1),
            runs: Vec::new(),
            memory_only: false,
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether any entries are on disk.
    pub fn spilled(&self) -> bool {
        !self.runs.is_empty()
    }

    /// The value of `key`, if it is in the index.
    pub fn get(&self, key: u64) -> Option<u64> {
        if let Some(&value) = self.recent.get(&key) {
            return Some(value);
        }
        self.runs.iter().find_map(|run| run.get(key))
    }

    /// Inserts `key` with `value` unless the key is there already, and then returns its value.
    pub fn insert_new(&mut self, key: u64, value: u64) -> Option<u64> {
        match self.recent.entry(key) {
            Entry::Occupied(entry) => return Some(*entry.get()),
            Entry::Vacant(slot) => {
                if let Some(value) = self.runs.iter().find_map(|run| run.get(key)) {
                    return Some(value);
                }
                slot.insert(value);
            }
        }
        self.len += 1;
        if self.recent.len() >= self.capacity && !self.memory_only && self.write_run().is_err() {
            self.memory_only = true;
        }
        None
    }

    /// Every entry, in no particular order, leaving the index empty.
    pub fn take_entries(&mut self) -> Vec<(u64, u64)> {
        let entries = self.entries();
        *self = HashIndex::new(self.capacity);
        entries
    }

    /// Every entry, in no particular order: the runs read back, then the newest.
    pub fn entries(&self) -> Vec<(u64, u64)> {
        let mut entries = Vec::with_capacity(self.len);
        for run in &self.runs {
            let mut reader = run.reader();
            while let Some(entry) = reader.next_entry() {
                entries.push(entry);
            }
        }
        entries.extend(self.recent.iter().map(|(&key, &value)| (key, value)));
        entries
    }

    /// Writes the newest entries out as a sorted run, and merges the runs into one when there are
    /// [`MAX_RUNS`] of them.
    fn write_run(&mut self) -> io::Result<()> {
        let mut sorted: Vec<(u64, u64)> = self.recent.iter().map(|(&key, &value)| (key, value)).collect();
        sorted.sort_unstable_by_key(|&(key, _)| key);
        let run = Run::write(sorted.len(), sorted.into_iter())?;
        self.runs.push(run);
        // Kept at its size: the next entries fill the same slots.
        self.recent.clear();
        if self.runs.len() >= MAX_RUNS {
            // Nothing is looked up while the runs are merged: their filters go first, so that the
            // merged run's is not built beside them. (Should the merge fail, a run without its
            // filter still answers, reading a block for every key.)
            for run in &mut self.runs {
                run.filter = Bloom::holding_all();
            }
            let total = self.runs.iter().map(|run| run.len).sum();
            let mut readers: Vec<RunReader> = self.runs.iter().map(Run::reader).collect();
            let merged = Run::write(total, merge_sorted(&mut readers))?;
            self.runs = vec![merged];
        }
        Ok(())
    }
}

/// Sorted entries of several runs as one sorted stream (keys are in one run only).
fn merge_sorted<'a>(readers: &'a mut [RunReader]) -> impl Iterator<Item = (u64, u64)> + 'a {
    let mut heads: BinaryHeap<Reverse<(u64, u64, usize)>> = BinaryHeap::new();
    for (index, reader) in readers.iter_mut().enumerate() {
        if let Some((key, value)) = reader.next_entry() {
            heads.push(Reverse((key, value, index)));
        }
    }
    std::iter::from_fn(move || {
        let Reverse((key, value, index)) = heads.pop()?;
        if let Some((next_key, next_value)) = readers[index].next_entry() {
            heads.push(Reverse((next_key, next_value, index)));
        }
        Some((key, value))
    })
}

/// Entries written out, sorted by key, with what finds them in memory.
struct Run {
    file: File,
    len: usize,
    filter: Bloom,
    /// The first key of each block of [`BLOCK`] entries.
    firsts: Vec<u64>,
}

impl Run {
    /// Writes `len` entries, sorted by key, to a new temporary file.
    fn write(len: usize, sorted: impl Iterator<Item = (u64, u64)>) -> io::Result<Run> {
        let file = tempfile::tempfile()?;
        let mut writer = BufWriter::with_capacity(1 << 16, file);
        let mut filter = Bloom::for_keys(len);
        let mut firsts = Vec::with_capacity(len.div_ceil(BLOCK));
        let mut written = 0;
        for (key, value) in sorted {
            if written % BLOCK == 0 {
                firsts.push(key);
            }
            filter.insert(key);
            writer.write_all(&key.to_le_bytes())?;
            writer.write_all(&value.to_le_bytes())?;
            written += 1;
        }
        debug_assert_eq!(written, len);
        let file = writer.into_inner().map_err(io::IntoInnerError::into_error)?;
        Ok(Run {
            file,
            len: written,
            filter,
            firsts,
        })
    }

    fn get(&self, key: u64) -> Option<u64> {
        if !self.filter.may_hold(key) {
            return None;
        }
        let block = self.firsts.partition_point(|&first| first <= key).checked_sub(1)?;
        let start = block * BLOCK;
        let count = BLOCK.min(self.len - start);
        let mut bytes = [0u8; BLOCK * ENTRY_BYTES];
        let bytes = &mut bytes[..count * ENTRY_BYTES];
        read_at(&self.file, bytes, (start * ENTRY_BYTES) as u64)
            .unwrap_or_else(|err| panic!("vazhi could not read back its own state file: {err}"));
        let entry = |index: usize| {
            let at = index * ENTRY_BYTES;
            let word = |from: usize| u64::from_le_bytes(bytes[from..from + 8].try_into().unwrap_or_default());
            (word(at), word(at + 8))
        };
        let (mut low, mut high) = (0, count);
        while low < high {
            let middle = (low + high) / 2;
            match entry(middle) {
                (found, value) if found == key => return Some(value),
                (found, _) if found < key => low = middle + 1,
                _ => high = middle,
            }
        }
        None
    }

    fn reader(&self) -> RunReader {
        let file = self
            .file
            .try_clone()
            .unwrap_or_else(|err| panic!("vazhi could not read back its own state file: {err}"));
        RunReader {
            reader: BufReader::with_capacity(1 << 16, OffsetReader { file, at: 0 }),
            left: self.len,
        }
    }
}

/// A run's entries in order.
struct RunReader {
    reader: BufReader<OffsetReader>,
    left: usize,
}

impl RunReader {
    fn next_entry(&mut self) -> Option<(u64, u64)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let mut bytes = [0u8; ENTRY_BYTES];
        self.reader
            .read_exact(&mut bytes)
            .unwrap_or_else(|err| panic!("vazhi could not read back its own state file: {err}"));
        let (key, value) = bytes.split_at(8);
        Some((
            u64::from_le_bytes(key.try_into().unwrap_or_default()),
            u64::from_le_bytes(value.try_into().unwrap_or_default()),
        ))
    }
}

/// Reads a file from the start by offset, leaving the shared file position alone: a run is read
/// whole (to merge it, or to save the state) while look-ups read its blocks.
struct OffsetReader {
    file: File,
    at: u64,
}

impl Read for OffsetReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = read_some_at(&self.file, buf, self.at)?;
        self.at += read as u64;
        Ok(read)
    }
}

fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match read_some_at(file, buf, offset)? {
            0 => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "state file ended early")),
            read => {
                buf = &mut buf[read..];
                offset += read as u64;
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn read_some_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_some_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// A blocked Bloom filter: each key sets [`Bloom::PROBES`] bits within one 64-byte block, so a
/// look-up touches one cache line. At 10 bits a key about 1% of absent keys get through.
struct Bloom {
    blocks: Vec<[u64; 8]>,
}

impl Bloom {
    const BITS_PER_KEY: usize = 10;
    const PROBES: u32 = 7;

    fn for_keys(keys: usize) -> Bloom {
        Bloom {
            blocks: vec![[0; 8]; (keys * Self::BITS_PER_KEY).div_ceil(512).max(1)],
        }
    }

    /// The key's block, and the seeds of its bits. Keys are already hashes; the block comes from
    /// their high bits, the bits from a mix of the whole key.
    fn place(&self, key: u64) -> (usize, u64) {
        let block = ((u128::from(key) * self.blocks.len() as u128) >> 64) as usize;
        let mut bits = key ^ (key >> 33);
        bits = bits.wrapping_mul(0xff51_afd7_ed55_8ccd);
        bits ^= bits >> 33;
        (block, bits)
    }

    fn insert(&mut self, key: u64) {
        let (block, bits) = self.place(key);
        let block = &mut self.blocks[block];
        for probe in 0..Self::PROBES {
            let bit = (bits >> (9 * probe)) & 511;
            block[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }

    /// A filter that lets every key through, and takes no memory.
    fn holding_all() -> Bloom {
        Bloom { blocks: Vec::new() }
    }

    fn may_hold(&self, key: u64) -> bool {
        if self.blocks.is_empty() {
            return true;
        }
        let (block, bits) = self.place(key);
        let block = &self.blocks[block];
        (0..Self::PROBES).all(|probe| {
            let bit = (bits >> (9 * probe)) & 511;
            block[(bit / 64) as usize] >> (bit % 64) & 1 == 1
        })
    }
}

/// Counts by key, appended as they come and summed when asked: for each key, the value and extra
/// of its first entry and the sum of its counts. Memory stays at a write buffer while counting and
/// at [`COUNT_SORT_ENTRIES`] entries while summing, sorted a piece at a time on disk.
pub struct CountLog {
    /// Behind a lock so that a state can be read back (to save it) through a shared reference.
    writer: Mutex<BufWriter<File>>,
    len: usize,
}

/// Entries sorted in memory at a time while summing a [`CountLog`] (8 MiB of them).
pub const COUNT_SORT_ENTRIES: usize = 1 << 18;
const COUNT_ENTRY_BYTES: usize = 32;

/// One key's total in a [`CountLog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub key: u64,
    /// The value and extra of the key's first entry.
    pub value: u64,
    pub extra: u64,
    pub count: u64,
}

impl CountLog {
    pub fn new() -> io::Result<CountLog> {
        let file = tempfile::tempfile()?;
        Ok(CountLog {
            writer: Mutex::new(BufWriter::with_capacity(1 << 16, file)),
            len: 0,
        })
    }

    pub fn append(&mut self, key: u64, value: u64, extra: u64, count: u64) -> io::Result<()> {
        let writer = self.writer.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner);
        for word in [key, value, extra, count] {
            writer.write_all(&word.to_le_bytes())?;
        }
        self.len += 1;
        Ok(())
    }

    /// Each key's total, in order of key.
    pub fn totals(&self, visit: &mut dyn FnMut(Total)) -> io::Result<()> {
        let file = {
            let mut writer = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            writer.flush()?;
            writer.get_ref().try_clone()?
        };
        let mut log = BufReader::with_capacity(1 << 16, OffsetReader { file, at: 0 });
        // Pieces of the log, each sorted by key (stably: a key's entries keep the log's order).
        let mut pieces: Vec<CountReader> = Vec::new();
        let mut left = self.len;
        let mut piece: Vec<Total> = Vec::new();
        while left > 0 {
            piece.clear();
            let take = left.min(COUNT_SORT_ENTRIES);
            for _ in 0..take {
                piece.push(read_total(&mut log)?);
            }
            left -= take;
            piece.sort_by_key(|total| total.key);
            if left == 0 && pieces.is_empty() {
                return sum_sorted(piece.iter().copied().map(Ok), visit);
            }
            let file = tempfile::tempfile()?;
            let mut writer = BufWriter::with_capacity(1 << 16, file);
            for total in &piece {
                write_total(&mut writer, total)?;
            }
            let file = writer.into_inner().map_err(io::IntoInnerError::into_error)?;
            pieces.push(CountReader {
                reader: BufReader::with_capacity(1 << 16, OffsetReader { file, at: 0 }),
                left: piece.len(),
            });
        }
        // Merge the pieces; on equal keys the earlier piece first, so a key's first entry stays
        // first.
        let mut heads: BinaryHeap<Reverse<(u64, usize, Total)>> = BinaryHeap::new();
        for (index, piece) in pieces.iter_mut().enumerate() {
            if let Some(total) = piece.next_total()? {
                heads.push(Reverse((total.key, index, total)));
            }
        }
        let merged = std::iter::from_fn(|| {
            let Reverse((_, index, total)) = heads.pop()?;
            Some(pieces[index].next_total().map(|next| {
                if let Some(next) = next {
                    heads.push(Reverse((next.key, index, next)));
                }
                total
            }))
        });
        sum_sorted(merged, visit)
    }
}

impl PartialOrd for Total {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Only for the merge heap, where key and piece decide first.
impl Ord for Total {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.key, self.value, self.extra, self.count).cmp(&(other.key, other.value, other.extra, other.count))
    }
}

/// Sums runs of equal keys of a stream sorted by key.
fn sum_sorted(sorted: impl Iterator<Item = io::Result<Total>>, visit: &mut dyn FnMut(Total)) -> io::Result<()> {
    let mut current: Option<Total> = None;
    for total in sorted {
        let total = total?;
        match &mut current {
            Some(run) if run.key == total.key => run.count += total.count,
            _ => {
                if let Some(run) = current.replace(total) {
                    visit(run);
                }
            }
        }
    }
    if let Some(run) = current {
        visit(run);
    }
    Ok(())
}

struct CountReader {
    reader: BufReader<OffsetReader>,
    left: usize,
}

impl CountReader {
    fn next_total(&mut self) -> io::Result<Option<Total>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        read_total(&mut self.reader).map(Some)
    }
}

fn read_total(reader: &mut impl Read) -> io::Result<Total> {
    let mut bytes = [0u8; COUNT_ENTRY_BYTES];
    reader.read_exact(&mut bytes)?;
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    Ok(Total {
        key: word(0),
        value: word(8),
        extra: word(16),
        count: word(24),
    })
}

fn write_total(writer: &mut impl Write, total: &Total) -> io::Result<()> {
    for word in [total.key, total.value, total.extra, total.count] {
        writer.write_all(&word.to_le_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::Xorshift;

    #[test]
    fn an_index_on_disk_answers_as_a_map_does() {
        let mut random = Xorshift(7);
        // Keys drawn from a small range so that many come back; capacity 100 makes runs of 100,
        // merged every eight.
        let mut index = HashIndex::new(100);
        let mut map: ByHash<u64> = ByHash::default();
        for step in 0..5_000u64 {
            let key = (random.below(3_000) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let expected = match map.entry(key) {
                Entry::Occupied(entry) => Some(*entry.get()),
                Entry::Vacant(slot) => {
                    slot.insert(step);
                    None
                }
            };
            assert_eq!(index.insert_new(key, step), expected, "step {step}");
        }
        assert!(index.spilled());
        assert_eq!(index.len(), map.len());
        for (&key, &value) in &map {
            assert_eq!(index.get(key), Some(value));
        }
        for absent in 0..1_000u64 {
            let key = (absent + 3_000).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            assert_eq!(index.get(key), None);
        }
        let mut entries = index.take_entries();
        entries.sort_unstable();
        let mut expected: Vec<(u64, u64)> = map.into_iter().collect();
        expected.sort_unstable();
        assert_eq!(entries, expected);
        assert!(index.is_empty());
    }

    #[test]
    fn a_bloom_filter_holds_its_keys_and_few_others() {
        let mut filter = Bloom::for_keys(10_000);
        let key = |n: u64| n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5555;
        for n in 0..10_000 {
            filter.insert(key(n));
        }
        assert!((0..10_000).all(|n| filter.may_hold(key(n))));
        let through = (10_000..110_000).filter(|&n| filter.may_hold(key(n))).count();
        assert!(through < 2_500, "{through} of 100,000 absent keys got through");
        assert!(Bloom::holding_all().may_hold(key(1)));
    }

    #[test]
    fn counts_are_summed_per_key_with_the_first_entry_kept() {
        let mut random = Xorshift(11);
        let mut log = CountLog::new().unwrap();
        let mut expected: std::collections::BTreeMap<u64, Total> = Default::default();
        // More entries than one sorted piece holds, so the pieces are merged on disk.
        let entries = COUNT_SORT_ENTRIES * 2 + 1_000;
        for step in 0..entries as u64 {
            let key = random.below(50_000) as u64;
            let count = 1 + random.below(3) as u64;
            log.append(key, step, step * 2, count).unwrap();
            expected
                .entry(key)
                .and_modify(|total| total.count += count)
                .or_insert(Total {
                    key,
                    value: step,
                    extra: step * 2,
                    count,
                });
        }
        let mut totals = Vec::new();
        log.totals(&mut |total| totals.push(total)).unwrap();
        assert_eq!(totals, expected.into_values().collect::<Vec<_>>());
    }
}
