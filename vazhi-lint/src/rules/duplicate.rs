use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hasher;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use xxhash_rust::xxh3::Xxh3;

use crate::dataset::Dataset;
use crate::declare_rule;
use crate::rule::RuleConfig;
use crate::finding::Finding;
use crate::record::{Position, Record};
use crate::rule::{Aggregate, DatasetRule, Facts, RuleMeta, Severity, restore_state, same_aggregate, save_state};
use crate::script::{ByteNfc, tamil_nfc_known};
use crate::spill::{ByHash, CountLog, HashIndex, SPILL_ENTRIES};
use crate::text::fold_whitespace_into;

declare_rule! {
    /// ## What it does
    /// Reports a record whose content equals an earlier record of the same dataset, on each later
    /// copy, with where the first one is. Content is every turn's role and text, compared after
    /// Unicode NFC normalisation and with runs of whitespace folded to one space, so copies that
    /// differ only in spacing or in how a vowel sign was encoded are caught. Labels and categories
    /// are not content.
    ///
    /// It also warns when one answer is the response of more than `max-response-copies` records
    /// (default 3) under different prompts: one finding per answer, at its first record.
    ///
    /// Memory holds hashes and places, not the texts, and stays flat: a content hash and its first
    /// record's place (file and position packed in 8 bytes) per distinct record, and a response
    /// hash, place and count per distinct answer, in memory for the newest 458,752 of each (about
    /// 18 MB of hash maps) and in temporary files (`TMPDIR`) past that. What still grows in memory
    /// is a Bloom filter and a block index over the contents on disk, 1.3 bytes per distinct
    /// record (2.6 in a JSON array, whose index in the array is kept alike). Measured with all
    /// rules: 71 MB peak on 1,600,209 distinct records (2 GB) and 95 MB on 16,002,812 (20 GB;
    /// 1.2 GB when everything was in memory), in the same time. At 100 million records the filters
    /// take 130 MB, and the temporary files up to 8 GB at the end of the run (16 bytes per
    /// content, twice that while runs are merged, and 32 bytes per answer, twice that while they
    /// are summed). Where no temporary file can be written, the state stays in memory as it would
    /// without disk.
    ///
    /// ## Why is this bad?
    /// Duplicates are trained on several times per epoch: the model memorises them and over-weights
    /// them. The VAZHI set held 21 copies of the answer to "what is the first kural?" — and the
    /// model still recited the kural wrongly, because the copies outweighed everything else it had
    /// learned about the Thirukkural.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "முதல் குறள் என்ன?"}, {"role": "assistant", "content": "அகர முதல …"}]}
    /// {"messages": [{"role": "user", "content": "முதல்  குறள் என்ன?"}, {"role": "assistant", "content": "அகர முதல …"}]}
    /// ```
    /// `VZ206 duplicate: duplicate of the record at line 1`.
    ///
    /// ## Options
    /// ```toml
    /// [rules.duplicate]
    /// max-response-copies = 3   # 0 turns the repeated-answer warning off
    /// ```
    pub static DUPLICATE = {
        code: "VZ206",
        name: "duplicate",
        severity: Error,
        scope: Dataset,
        summary: "A record that repeats an earlier one, or an answer given to many prompts",
    };
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Records one answer may be the response of before it is reported; 0 disables the check.
    pub max_response_copies: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub max_response_copies: u64,
}

impl RuleConfig for Options {
    type Settings = Settings;

    fn resolve(self, _root: &Path) -> Result<Settings, String> {
        Ok(Settings {
            max_response_copies: self.max_response_copies.unwrap_or(3),
        })
    }
}

pub struct Duplicate(pub Settings);

impl DatasetRule for Duplicate {
    fn meta(&self) -> &'static RuleMeta {
        &DUPLICATE
    }

    fn aggregate(&self) -> Box<dyn Aggregate> {
        Box::new(Copies {
            max_response_copies: self.0.max_response_copies,
            ..Copies::default()
        })
    }

    fn restore(&self, saved: &[u8]) -> Result<Box<dyn Aggregate>, String> {
        let saved: SavedCopies = restore_state(&DUPLICATE, saved)?;
        let files = saved.files.into_iter().map(|path| Arc::from(Path::new(&path))).collect::<Vec<Arc<Path>>>();
        let origin = |(hash, origin): (u64, u64)| -> Result<(u64, Origin), String> {
            if Origin(origin).file() < files.len() {
                Ok((hash, Origin(origin)))
            } else {
                Err("not a saved `duplicate` state: a place names no file".to_owned())
            }
        };
        let copies = saved
            .copies
            .into_iter()
            .map(|(content, place, element)| {
                origin((content, place)).map(|(content, origin)| Copy {
                    content,
                    origin,
                    element,
                })
            })
            .collect::<Result<_, _>>()?;
        let mut state = Copies {
            max_response_copies: self.0.max_response_copies,
            file_ids: files.iter().enumerate().map(|(index, path)| (path.clone(), index as u32)).collect(),
            copies,
            ..Copies::default()
        };
        for (content, element) in saved.first_elements {
            state.first_elements.insert_new(content, element);
        }
        for pair in saved.first {
            let (content, first) = origin(pair)?;
            state.first.insert_new(content, first.0);
        }
        let repeated: ByHash<u64> = saved.repeated.into_iter().collect();
        let response_elements: ByHash<u64> = saved.response_elements.into_iter().collect();
        for pair in saved.responses {
            let (response, first) = origin(pair)?;
            let records = repeated.get(&response).copied().unwrap_or(1);
            state.give(response, first, response_elements.get(&response).copied(), records);
        }
        state.files = files;
        Ok(Box::new(state))
    }
}

/// [`Copies`] as bytes: its maps as lists of pairs, places as their packed 8 bytes.
#[derive(Serialize, Deserialize)]
struct SavedCopies {
    files: Vec<String>,
    first: Vec<(u64, u64)>,
    copies: Vec<(u64, u64, Option<u64>)>,
    responses: Vec<(u64, u64)>,
    repeated: Vec<(u64, u64)>,
    first_elements: Vec<(u64, u64)>,
    response_elements: Vec<(u64, u64)>,
}

/// Where a record is, in 8 bytes, so each map entry is a 16-byte hash and place: its file as an
/// index into [`Copies::files`] and its line or row. (An `Arc<Path>`, `Position` and element took
/// 48 bytes, once per record in two maps.) A record of a JSON document's array also has an index
/// in the array (a minified array puts many records on one line), kept apart so that records of
/// JSON Lines and tables do not pay for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Origin(u64);

impl Origin {
    const ROW: u64 = 1 << 63;
    const POSITION_BITS: u32 = 40;
    const FILE_BITS: u32 = 23;
    const POSITION: u64 = (1 << Self::POSITION_BITS) - 1;

    /// Lines and rows past 2^40 (a trillion) and files past 2^23 (8 million in one dataset) are
    /// beyond any corpus a machine reads; they are kept at the largest value rather than wrapped.
    fn new(file: u32, position: Position) -> Origin {
        let file = u64::from(file).min((1 << Self::FILE_BITS) - 1) << Self::POSITION_BITS;
        Origin(match position {
            Position::Line(line) => file | line.min(Self::POSITION),
            Position::Row(row) => Self::ROW | file | row.min(Self::POSITION),
        })
    }

    fn file(self) -> usize {
        ((self.0 & !Self::ROW) >> Self::POSITION_BITS) as usize
    }

    fn position(self) -> Position {
        let at = self.0 & Self::POSITION;
        if self.0 & Self::ROW == 0 {
            Position::Line(at)
        } else {
            Position::Row(at)
        }
    }

    /// The same place with its file renumbered.
    fn in_file(self, file: u32) -> Origin {
        let place = self.0 & (Self::ROW | Self::POSITION);
        Origin(place | Origin::new(file, Position::Line(0)).0)
    }
}

/// A later copy of a record, held until it is reported (see [`Aggregate::drain`]).
#[derive(Debug)]
struct Copy {
    content: u64,
    origin: Origin,
    element: Option<u64>,
}

/// Writes `text` into `out` (cleared first) NFC-normalised, with runs of whitespace folded to one
/// space and trimmed: its words ([`fold_whitespace_into`], found on bytes) joined by spaces, so a record
/// costs one pass over its text and one hasher call per turn. (Word by word through
/// `split_whitespace`, with a hasher call per word, this rule took as long as parsing the record.)
fn normalise_into(text: &str, nfc: ByteNfc, out: &mut Vec<u8>) {
    out.clear();
    // Most text is Tamil, ASCII and punctuation, normalised on bytes; the rest is often already
    // NFC, which the quick check settles.
    let normalised: Cow<'_, str> = match tamil_nfc_known(text, nfc, |_| {}) {
        Some(normalised) => normalised,
        None if is_nfc_quick(text.chars()) == IsNormalized::Yes => Cow::Borrowed(text),
        None => Cow::Owned(text.nfc().collect()),
    };
    fold_whitespace_into(&normalised, out);
}

/// Hashes of a record's whole content and of its response. Each turn's text is normalised once
/// and fed to both.
/// `nfc` holds each turn's [`ByteNfc`] ([`Facts::turn_nfc`]).
fn fingerprints(record: &Record<'_>, nfc: &[ByteNfc], scratch: &mut Vec<u8>) -> (u64, Option<u64>) {
    let mut content = Xxh3::new();
    let mut response = Xxh3::new();
    let mut any = false;
    for (turn, &nfc) in record.turns.iter().zip(nfc) {
        let text = record.turn_text(turn);
        normalise_into(text, nfc, scratch);
        content.write(turn.role.name().as_bytes());
        content.write(b"\x1f");
        content.write(scratch);
        content.write(b"\x1e");
        if record.is_target(turn) {
            response.write(scratch);
            response.write(b"\x1e");
            any |= !text.trim().is_empty();
        }
    }
    (
        content.finish(),
        (any && record.format.is_chat()).then(|| response.finish()),
    )
}

/// How a copy's finding starts; the first record's place follows (`line 3` or `row 7` in the same
/// file, `other.jsonl:3` or `other.parquet (row 2)` in another). The HTML report groups copies by
/// it.
pub const COPY_MESSAGE: &str = "duplicate of the record at ";
/// How the finding on an answer given too often starts; the number of records follows.
pub const REPEATED_ANSWER_MESSAGE: &str = "this answer is the response of ";

/// The state: a content hash and place per distinct record, and a response hash, place and count
/// per distinct answer, in memory up to [`SPILL_ENTRIES`] of each and on disk past that
/// ([`crate::spill`]).
struct Copies {
    max_response_copies: u64,
    /// Reused for each turn's normalised text.
    scratch: Vec<u8>,
    /// The files the origins name, by index (while observing, the last is the current file's).
    files: Vec<Arc<Path>>,
    /// Index of each file in `files`.
    file_ids: HashMap<Arc<Path>, u32>,
    /// First record with each content (its place as [`Origin`]'s 8 bytes).
    first: HashIndex,
    /// Later copies not yet reported.
    copies: Vec<Copy>,
    /// Per response: its first record, since the responses were last written to `response_log`.
    responses: ByHash<Origin>,
    /// The array index of the first record with a content, for records of JSON arrays: a part's
    /// first records are copies once it is merged after an earlier part.
    first_elements: HashIndex,
    /// Per response in `responses` given by more than one record since: how many give it.
    repeated: ByHash<u64>,
    /// Responses written out: hash, first record, array index ([`NO_ELEMENT`] for none) and how
    /// many records give it, summed at the end. Earlier than everything in `responses`.
    response_log: Option<CountLog>,
    /// Set when the log could not be written: responses then stay in memory.
    responses_in_memory: bool,
    /// Responses held in `responses` before they are written to the log.
    spill_after: usize,
    /// The array index of the first record giving a response, for records of JSON arrays.
    response_elements: ByHash<u64>,
}

/// What [`CountLog`] holds for a record outside JSON arrays.
const NO_ELEMENT: u64 = u64::MAX;

impl Default for Copies {
    fn default() -> Copies {
        Copies::spilling_after(SPILL_ENTRIES)
    }
}

impl Copies {
    /// A state that keeps up to `entries` contents and as many responses in memory.
    fn spilling_after(entries: usize) -> Copies {
        Copies {
            max_response_copies: 0,
            scratch: Vec::new(),
            files: Vec::new(),
            file_ids: HashMap::new(),
            first: HashIndex::new(entries),
            first_elements: HashIndex::new(entries),
            copies: Vec::new(),
            responses: ByHash::default(),
            repeated: ByHash::default(),
            response_log: None,
            responses_in_memory: false,
            spill_after: entries.max(1),
            response_elements: ByHash::default(),
        }
    }

    /// The index of `path` in [`Copies::files`], added if new.
    fn file_index(&mut self, path: &Arc<Path>) -> u32 {
        if let Some(&index) = self.file_ids.get(path) {
            return index;
        }
        let index = u32::try_from(self.files.len()).expect("fewer than 4 billion files in one dataset");
        self.files.push(path.clone());
        self.file_ids.insert(path.clone(), index);
        index
    }

    /// Records the first record with `content`, or a later copy of it (`element`: the record's
    /// index, if it is in a JSON array).
    fn first_or_copy(&mut self, content: u64, origin: Origin, element: Option<u64>) {
        if self.first.insert_new(content, origin.0).is_some() {
            self.copies.push(Copy {
                content,
                origin,
                element,
            });
        } else if let Some(element) = element {
            self.first_elements.insert_new(content, element);
        }
    }

    /// Counts `records` more records giving `response`, the first of them at `origin`.
    fn give(&mut self, response: u64, origin: Origin, element: Option<u64>, records: u64) {
        match self.responses.entry(response) {
            std::collections::hash_map::Entry::Occupied(_) => {
                *self.repeated.entry(response).or_insert(1) += records;
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(origin);
                if let Some(element) = element {
                    self.response_elements.insert(response, element);
                }
                if records > 1 {
                    self.repeated.insert(response, records);
                }
            }
        }
        if self.responses.len() >= self.spill_after && !self.responses_in_memory {
            self.responses_in_memory = self.write_responses().is_err();
        }
    }

    /// Moves the responses held in memory to the end of the log.
    fn write_responses(&mut self) -> std::io::Result<()> {
        if self.response_log.is_none() {
            self.response_log = Some(CountLog::new()?);
        }
        let Some(log) = self.response_log.as_mut() else {
            unreachable!("the log was just made")
        };
        for (&response, origin) in &self.responses {
            let element = self.response_elements.get(&response).copied().unwrap_or(NO_ELEMENT);
            let records = self.repeated.get(&response).copied().unwrap_or(1);
            log.append(response, origin.0, element, records)?;
        }
        self.responses.clear();
        self.repeated.clear();
        self.response_elements.clear();
        Ok(())
    }

    /// Every response given so far: its hash, first record and array index, and how many
    /// records give it. The log's come first and are earlier than the ones in memory.
    fn response_totals(&self, visit: &mut dyn FnMut(u64, Origin, Option<u64>, u64)) {
        // The responses in memory that the log has too: their records add to the log's total.
        let mut logged: ByHash<()> = ByHash::default();
        if let Some(log) = &self.response_log {
            log.totals(&mut |total| {
                let mut records = total.count;
                if self.responses.contains_key(&total.key) {
                    records += self.repeated.get(&total.key).copied().unwrap_or(1);
                    logged.insert(total.key, ());
                }
                let element = (total.extra != NO_ELEMENT).then_some(total.extra);
                visit(total.key, Origin(total.value), element, records);
            })
            .unwrap_or_else(|err| panic!("vazhi could not read back its own state file: {err}"));
        }
        for (&response, &origin) in &self.responses {
            if !logged.contains_key(&response) {
                let element = self.response_elements.get(&response).copied();
                visit(response, origin, element, self.repeated.get(&response).copied().unwrap_or(1));
            }
        }
    }

    /// A finding at `origin`, the first record giving an answer.
    fn at_response(&self, origin: Origin, element: Option<u64>, message: String) -> Finding {
        let mut finding = Finding::file(&DUPLICATE, self.files[origin.file()].clone(), message);
        finding.position = Some(origin.position());
        finding.element = element;
        finding
    }
}

impl Aggregate for Copies {
    fn observe(&mut self, record: &Record<'_>, facts: &Facts) {
        let (content, response) = fingerprints(record, facts.turn_nfc(record), &mut self.scratch);
        // Records come file by file: the last file is nearly always this record's.
        let file = match self.files.last() {
            Some(last) if Arc::ptr_eq(last, &record.source.path) => (self.files.len() - 1) as u32,
            _ => self.file_index(&record.source.path),
        };
        let origin = Origin::new(file, record.position);
        self.first_or_copy(content, origin, record.element);
        if let Some(response) = response
            && self.max_response_copies > 0
        {
            self.give(response, origin, record.element, 1);
        }
    }

    fn merge(&mut self, later: Box<dyn Aggregate>) {
        let mut later = same_aggregate::<Copies>(later);
        // The later part numbers its files from 0: renumber its origins into this part's files.
        let renumber: Vec<u32> = later.files.iter().map(|path| self.file_index(path)).collect();
        let moved = |origin: Origin| origin.in_file(renumber[origin.file()]);
        for (content, origin) in later.first.take_entries() {
            let element = later.first_elements.get(content);
            self.first_or_copy(content, moved(Origin(origin)), element);
        }
        self.copies.extend(later.copies.drain(..).map(|copy| Copy {
            origin: moved(copy.origin),
            ..copy
        }));
        later.response_totals(&mut |response, origin, element, records| {
            self.give(response, moved(origin), element, records);
        });
    }

    /// The copies found so far: with every earlier record of the dataset in `first`, each copy's
    /// first record is known for good.
    fn drain(&mut self, out: &mut dyn FnMut(Finding)) {
        for copy in std::mem::take(&mut self.copies) {
            let Some(first) = self.first.get(copy.content).map(Origin) else {
                continue;
            };
            let path = &self.files[copy.origin.file()];
            let at = first.position().describe(&self.files[first.file()], path);
            let mut finding = Finding::file(&DUPLICATE, path.clone(), format!("{COPY_MESSAGE}{at}"))
                .help("remove the copy: duplicates are trained on more than once per epoch");
            finding.position = Some(copy.origin.position());
            finding.element = copy.element;
            out(finding);
        }
    }

    fn finish(mut self: Box<Self>, _: &Dataset, out: &mut dyn FnMut(Finding)) {
        self.drain(out);
        let most = self.max_response_copies;
        self.response_totals(&mut |_, origin, element, count| {
            if count > most {
                let message = format!("{REPEATED_ANSWER_MESSAGE}{count} records (more than {most})");
                out(self
                    .at_response(origin, element, message)
                    .severity(Severity::Warning)
                    .help("vary the answers or keep one; the model will over-learn this one"));
            }
        });
    }

    /// Materialises the whole state, what is on disk included: saved states are a batch's, and
    /// batches are small.
    fn save(&self) -> Vec<u8> {
        let (mut responses, mut repeated, mut response_elements) = (Vec::new(), Vec::new(), Vec::new());
        self.response_totals(&mut |response, origin, element, records| {
            responses.push((response, origin.0));
            if records > 1 {
                repeated.push((response, records));
            }
            if let Some(element) = element {
                response_elements.push((response, element));
            }
        });
        save_state(&SavedCopies {
            files: self.files.iter().map(|path| path.to_string_lossy().into_owned()).collect(),
            first: self.first.entries(),
            copies: self
                .copies
                .iter()
                .map(|copy| (copy.content, copy.origin.0, copy.element))
                .collect(),
            responses,
            repeated,
            first_elements: self.first_elements.entries(),
            response_elements,
        })
    }

    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition the byte pass must agree with.
    fn by_words(text: &str) -> String {
        let normalised: String = text.nfc().collect();
        normalised.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn origins_keep_files_rows_and_lines() {
        for (file, position) in [
            (0, Position::Line(1)),
            (3, Position::Line((1 << 40) - 1)),
            ((1 << 23) - 1, Position::Row(0)),
            (12, Position::Row(12_345_678_901)),
        ] {
            let origin = Origin::new(file, position);
            assert_eq!((origin.file(), origin.position()), (file as usize, position));
            assert_eq!(origin.in_file(5).file(), 5);
            assert_eq!(origin.in_file(5).position(), position);
        }
        // Past the bits, the largest value rather than another file's or kind's.
        let far = Origin::new(1 << 30, Position::Line(u64::MAX >> 1));
        assert_eq!((far.file(), far.position()), ((1 << 23) - 1, Position::Line((1 << 40) - 1)));
    }

    #[test]
    fn a_merged_part_names_its_own_files_and_elements() {
        // Each part numbers its files from 0; after the merge the copy in b.json must still point
        // at the first record in a.jsonl, and the answer counted in both at a.jsonl's record.
        let (a, b): (Arc<Path>, Arc<Path>) = (Arc::from(Path::new("a.jsonl")), Arc::from(Path::new("b.json")));
        let mut earlier = Copies {
            max_response_copies: 1,
            ..Copies::default()
        };
        let file = earlier.file_index(&a);
        earlier.first_or_copy(7, Origin::new(file, Position::Line(1)), None);
        earlier.give(9, Origin::new(file, Position::Line(1)), None, 1);
        // b.json is a minified array: its records share line 1 and differ by element.
        let mut later = Copies::default();
        let file = later.file_index(&b);
        let line = Origin::new(file, Position::Line(1));
        later.first_or_copy(8, line, Some(0));
        later.first_or_copy(7, line, Some(1));
        later.give(9, line, Some(1), 1);
        // A response first given in the later part, twice there.
        later.give(10, line, Some(0), 1);
        later.give(10, line, Some(1), 1);
        earlier.merge(Box::new(later));
        let dataset = Dataset {
            name: "d".into(),
            kind: None,
            files: vec![a.clone(), b.clone()],
        };
        let mut findings = Vec::new();
        Box::new(earlier).finish(&dataset, &mut |finding| findings.push(finding));
        let mut shown: Vec<(String, Option<u64>, Option<u64>, String)> = findings
            .iter()
            .map(|f| (f.path.display().to_string(), f.line(), f.element, f.message.clone()))
            .collect();
        shown.sort();
        assert_eq!(
            shown,
            vec![
                (
                    "a.jsonl".into(),
                    Some(1),
                    None,
                    "this answer is the response of 2 records (more than 1)".into()
                ),
                ("b.json".into(), Some(1), Some(0), "this answer is the response of 2 records (more than 1)".into()),
                ("b.json".into(), Some(1), Some(1), "duplicate of the record at a.jsonl:1".into()),
            ]
        );
    }

    /// Findings as (file, line, element, message), sorted.
    fn shown(findings: &[Finding]) -> Vec<(String, Option<u64>, Option<u64>, String)> {
        let mut shown: Vec<_> = findings
            .iter()
            .map(|f| (f.path.display().to_string(), f.line(), f.element, f.message.clone()))
            .collect();
        shown.sort();
        shown
    }

    #[test]
    fn a_state_on_disk_reports_what_one_in_memory_does() {
        let files: Vec<Arc<Path>> = (0..3).map(|i| Arc::from(Path::new(&format!("f{i}.jsonl")))).collect();
        let dataset = Dataset {
            name: "d".into(),
            kind: None,
            files: files.clone(),
        };
        // As the engine runs it: each chunk observed into a state of its own, merged into the
        // running state in order and drained; the last file is a JSON array.
        let run = |entries: usize| {
            let mut random = crate::test_data::Xorshift(3);
            let hash = |n: usize| (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let state = || Copies {
                max_response_copies: 2,
                ..Copies::spilling_after(entries)
            };
            let mut running = state();
            let mut findings = Vec::new();
            for (index, path) in files.iter().enumerate() {
                for chunk in 0..4u64 {
                    let mut part = state();
                    let file = part.file_index(path);
                    for line in 1..=500u64 {
                        let origin = Origin::new(file, Position::Line(chunk * 500 + line));
                        let element = (index == 2).then_some(line % 7);
                        part.first_or_copy(hash(random.below(1_500)), origin, element);
                        part.give(hash(random.below(400)), origin, element, 1);
                    }
                    running.merge(Box::new(part));
                    running.drain(&mut |finding| findings.push(finding));
                }
            }
            assert_eq!(running.first.spilled(), entries < SPILL_ENTRIES);
            assert_eq!(running.response_log.is_some(), entries < SPILL_ENTRIES);
            let saved = running.save();
            let mut last = Vec::new();
            Box::new(running).finish(&dataset, &mut |finding| last.push(finding));
            // A state saved and restored finishes alike.
            let restored = Duplicate(Settings { max_response_copies: 2 }).restore(&saved).unwrap();
            let mut again = Vec::new();
            restored.finish(&dataset, &mut |finding| again.push(finding));
            assert_eq!(shown(&again), shown(&last));
            findings.extend(last);
            shown(&findings)
        };
        let in_memory = run(SPILL_ENTRIES);
        let on_disk = run(40);
        assert!(in_memory.iter().filter(|f| f.3.starts_with(COPY_MESSAGE)).count() > 1_000);
        assert!(in_memory.iter().filter(|f| f.3.starts_with(REPEATED_ANSWER_MESSAGE)).count() > 100);
        assert_eq!(on_disk, in_memory);
    }

    #[test]
    fn normalising_on_bytes_agrees_with_split_whitespace() {
        let texts = [
            "",
            "   ",
            "ஒன்று  இரண்டு\n\nமூன்று ",
            "\t lead and trail \r\n",
            "nbsp\u{a0}between\u{2003}em\u{3000}ideographic\u{2028}line\u{85}next",
            "vertical\u{b}tab\u{c}form feed",
            "“மேற்கோள்” — dash\u{200b}zero-width-is-not-space",
            "க\u{0BC6}\u{0BBE} decomposed  கொ",
            "世界 नमस्ते café",
        ];
        let mut out = Vec::new();
        for text in texts {
            normalise_into(text, crate::script::byte_nfc(text), &mut out);
            assert_eq!(String::from_utf8(out.clone()).unwrap(), by_words(text), "{text:?}");
        }
    }

    #[test]
    fn fingerprints_are_the_hashes_of_the_normalised_turns() {
        // The hash of a stream does not depend on how it is cut into writes, so this is also the
        // hash the word-by-word version computed: findings stay the same across the change.
        let source = crate::record::Source::new(Arc::from(Path::new("d.jsonl")), 0);
        let fields = crate::fields::FieldMap::default();
        let line = r#"{"messages": [{"role": "user", "content": "  கேள்வி   ஒன்று "}, {"role": "assistant", "content": "பதில்\n\nஇரண்டு\u00a0வரி"}]}"#;
        let record = crate::reader::json::parse_record(line.as_bytes(), Position::Line(1), &source, &fields).unwrap();
        let mut expected_content = Xxh3::new();
        let mut expected_response = Xxh3::new();
        for (role, text) in [("user", "கேள்வி ஒன்று"), ("assistant", "பதில் இரண்டு வரி")]
        {
            for word in role.bytes().chain(*b"\x1f").chain(text.bytes()).chain(*b"\x1e") {
                expected_content.write(&[word]);
            }
        }
        expected_response.write("பதில் இரண்டு வரி".as_bytes());
        expected_response.write(b"\x1e");
        let (content, response) = fingerprints(&record, Facts::default().turn_nfc(&record), &mut Vec::new());
        assert_eq!(content, expected_content.finish());
        assert_eq!(response, Some(expected_response.finish()));
    }
}
