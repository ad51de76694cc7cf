//! The lint run: files in parallel, records of each file in parallel (chunk by chunk for JSON,
//! row group by row group for Parquet), dataset rules as aggregates merged in record order.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use crate::dataset::Dataset;
use crate::finding::{Finding, Snippet};
use crate::reader::chunks::{Chunk, Problem, Unit};
use crate::reader::json::{Invalid, InvalidJson, parse_record};
use crate::reader::parquet::ParquetFile;
use crate::reader::{Compression, Container, FileKind, JsonFile, NoRecords, PathProblem, discover};
use crate::record::{Layout, Position, Record, Source};
use crate::rule::{Aggregate, DatasetRule, Facts, RecordRule, Severity};
use crate::rules::invalid_record::INVALID_RECORD;
use crate::rules::{Build, BuildFrom, REGISTRY};
use crate::settings::Settings;
use crate::tally::Tally;
use crate::tokens::{TokenSettings, TokenStatistics, TokenStats};
use crate::unreadable::Unreadable;

/// Told how far the run has got, for a progress bar. Called from several threads.
pub trait Progress: Sync {
    fn start(&self, _total_bytes: u64) {}
    fn advance(&self, _bytes: u64) {}
    fn finish(&self) {}
}

/// No progress reporting.
pub struct Silent;
impl Progress for Silent {}

/// What a lint run found, and what it read.
#[derive(Debug, Default)]
pub struct LintReport {
    /// Sorted by file, position, rule.
    pub findings: Vec<Finding>,
    pub files: Vec<PathBuf>,
    pub datasets: Vec<Dataset>,
    /// Records read (unreadable ones included).
    pub records: u64,
    pub bytes: u64,
    /// Paths that could not be linted at all (missing, unreadable folder, unsupported kind).
    pub path_problems: Vec<PathProblem>,
    /// Files in the linted folders that hold data in a format vazhi does not read (CSV, plain
    /// text, …): not linted, and worth a warning.
    pub unread_files: Vec<PathBuf>,
    /// Records read from each file.
    pub records_per_file: std::collections::HashMap<PathBuf, u64>,
    /// How each file was read, in the order of `files`.
    pub summaries: Vec<FileSummary>,
    /// Token statistics per dataset, when the linter was asked for them
    /// ([`Linter::token_statistics`]) and a tokenizer is configured.
    pub token_stats: Option<TokenStatistics>,
    /// Set when the linter only counted findings ([`Linter::count_only`]): `findings` is then
    /// empty and these are the counts.
    pub counted: Option<Tally>,
}

/// How one file was read: what `cargo vazhi files` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub path: PathBuf,
    pub shape: FileShape,
    /// Records read (unreadable ones included).
    pub records: u64,
    /// Records per layout.
    pub layouts: BTreeMap<Layout, u64>,
    /// Records per key that held their text or labels (only when the linter describes files).
    pub fields: BTreeMap<String, u64>,
    /// Content parts that are not text (images, audio).
    pub media: u64,
    /// Why the file's records could not be read, when it is one reason for the whole file.
    pub problem: Option<String>,
}

/// How a file holds its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileShape {
    Json(Container),
    Parquet,
    Arrow,
    Csv,
    Tsv,
    /// A JSON file with no records in it, and why.
    NoRecords(NoRecords),
    /// The file could not be opened or read at all.
    Unreadable,
}

impl FileShape {
    /// A short name for tables and JSON output.
    pub fn kind(&self) -> String {
        match self {
            FileShape::Json(container) => container.to_string(),
            FileShape::Parquet => "Parquet".into(),
            FileShape::Arrow => "Arrow IPC".into(),
            FileShape::Csv => "CSV".into(),
            FileShape::Tsv => "TSV".into(),
            FileShape::NoRecords(NoRecords::Empty) => "empty".into(),
            FileShape::NoRecords(NoRecords::NotCorpus(_)) => "not a corpus (JSON object with no records)".into(),
            FileShape::NoRecords(NoRecords::Ambiguous(_)) => "JSON object with several lists of records".into(),
            FileShape::NoRecords(NoRecords::Invalid(_)) => "not valid JSON".into(),
            FileShape::NoRecords(NoRecords::Metadata) => "metadata (not a corpus)".into(),
            FileShape::Unreadable => "unreadable".into(),
        }
    }
}

impl LintReport {
    /// Files that hold no records and are not an error: metadata, manifests, empty files.
    pub fn files_without_records(&self) -> Vec<&Path> {
        self.summaries
            .iter()
            .filter(|summary| {
                matches!(
                    summary.shape,
                    FileShape::NoRecords(NoRecords::Empty | NoRecords::NotCorpus(_) | NoRecords::Metadata)
                )
            })
            .map(|summary| summary.path.as_path())
            .collect()
    }

    pub fn count(&self, severity: crate::rule::Severity) -> usize {
        match &self.counted {
            Some(tally) => tally.count(severity),
            None => self
                .findings
                .iter()
                .filter(|finding| finding.severity == severity)
                .count(),
        }
    }

    /// Findings per rule and severity, whether the findings were kept or only counted.
    pub fn tally(&self) -> Cow<'_, Tally> {
        match &self.counted {
            Some(tally) => Cow::Borrowed(tally),
            None => Cow::Owned(Tally::of(&self.findings)),
        }
    }
}

/// One partial state per dataset rule; `None` where the rule does not run on the records' file.
type Aggregates = Vec<Option<Box<dyn Aggregate>>>;

/// The findings and partial dataset state of some consecutive records of one file.
struct Part {
    findings: Vec<Finding>,
    /// Findings already counted and dropped, when only counts are wanted.
    tally: Tally,
    aggregates: Aggregates,
    records: u64,
    /// Merged like `aggregates`; `None` when token statistics are not collected.
    token_stats: Option<TokenStats>,
    /// Unreadable records, reported when the file is read (see [`Unreadable`]).
    unreadable: Unreadable,
    layouts: BTreeMap<Layout, u64>,
    media: u64,
    /// Records per key read, when the linter describes files.
    fields: BTreeMap<String, u64>,
}

impl Part {
    fn merge(mut self, later: Part) -> Part {
        self.findings.extend(later.findings);
        self.tally.merge(later.tally);
        self.unreadable.merge(later.unreadable);
        for (layout, count) in later.layouts {
            *self.layouts.entry(layout).or_default() += count;
        }
        self.media += later.media;
        for (key, count) in later.fields {
            *self.fields.entry(key).or_default() += count;
        }
        for (mine, theirs) in self.aggregates.iter_mut().zip(later.aggregates) {
            if let (Some(mine), Some(theirs)) = (mine, theirs) {
                mine.merge(theirs);
            }
        }
        self.records += later.records;
        if let (Some(mine), Some(theirs)) = (&mut self.token_stats, later.token_stats) {
            mine.merge(theirs);
        }
        self
    }
}

/// The rules that apply to one file.
struct FilePlan<'l> {
    record_rules: Vec<&'l dyn RecordRule>,
    /// Per dataset rule of the linter: whether it observes this file's records.
    dataset_rules: Vec<Option<&'l dyn DatasetRule>>,
    invalid_record: bool,
    /// Set when token statistics are collected: every record's tokens are counted exactly.
    token_stats: Option<&'l TokenSettings>,
    /// Count the keys each record was read from ([`FileSummary::fields`]).
    describe: bool,
    /// Count findings instead of keeping them, at these severities ([`Linter::count_only`]).
    count_only: Option<&'l BTreeMap<&'static str, Severity>>,
}

impl FilePlan<'_> {
    /// Counts and drops the findings so far, when only counts are wanted: called as each chunk
    /// of a file is merged, so no file holds more than a chunk's findings.
    fn settle(&self, part: &mut Part) {
        if let Some(severity) = self.count_only {
            count_into(&mut part.tally, part.findings.drain(..), severity);
        }
    }

    fn part(&self) -> Part {
        Part {
            findings: Vec::new(),
            tally: Tally::default(),
            aggregates: self
                .dataset_rules
                .iter()
                .map(|rule| rule.map(|rule| rule.aggregate()))
                .collect(),
            records: 0,
            token_stats: self.token_stats.map(|_| TokenStats::default()),
            unreadable: Unreadable::default(),
            layouts: BTreeMap::new(),
            media: 0,
            fields: BTreeMap::new(),
        }
    }

    fn check(&self, record: &Record<'_>, part: &mut Part) {
        let facts = match (self.token_stats, &mut part.token_stats) {
            (Some(tokens), Some(stats)) => {
                // First, so the token rules reuse the exact verdict instead of counting again.
                let facts = Facts::counting_every_token();
                stats.observe(record, &facts, tokens);
                facts
            }
            _ => Facts::default(),
        };
        for rule in &self.record_rules {
            rule.check(record, &facts, &mut part.findings);
        }
        self.settle(part);
        for aggregate in part.aggregates.iter_mut().flatten() {
            aggregate.observe(record, &facts);
        }
        part.records += 1;
        *part.layouts.entry(record.format).or_default() += 1;
        part.media += u64::from(record.media);
        if self.describe {
            let mut keys: Vec<&str> = record.fields.iter().map(|field| field.name.key).collect();
            keys.extend(record.language.is_some().then_some("(language)"));
            keys.extend(record.category.is_some().then_some("(category)"));
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                *part.fields.entry(key.to_owned()).or_default() += 1;
            }
        }
    }

    /// A table that cannot be read at all: one file-level finding, with the `[fields]` that would
    /// help when vazhi can tell.
    fn table_failed(&self, part: &mut Part, path: &Arc<Path>, err: crate::reader::table::TableError) {
        self.invalid(part, path, None, err.message, None, None);
        if let (Some(help), Some(finding)) = (err.help, part.findings.last_mut()) {
            finding.help = Some(help);
        }
    }

    /// A row of a columnar file: its record checked, or why it has none held as unreadable.
    fn check_row(
        &self,
        part: &mut Part,
        source: &Source,
        row: Result<Record<'_>, (Position, crate::layout::LayoutError)>,
    ) {
        match row {
            Ok(record) => self.check(&record, part),
            Err((position, err)) => {
                let kind = if err.no_text_field {
                    Invalid::NoTextField
                } else {
                    Invalid::Layout
                };
                let mut finding = Finding::file(&INVALID_RECORD, source.path.clone(), err.message);
                finding.position = Some(position);
                finding.field = err.field;
                self.unreadable(part, kind, finding, None);
            }
        }
    }

    /// An unreadable record: held in the part until the file is read, so records that fail alike
    /// make one finding.
    fn unreadable(&self, part: &mut Part, kind: Invalid, finding: Finding, bytes: Option<&[u8]>) {
        part.records += 1;
        if self.invalid_record {
            part.unreadable.push(kind, finding, bytes);
        }
    }

    /// A file that could not be read past `last_line`: a file-level finding, since the records
    /// after that point are unknown, not invalid.
    fn unreadable_past(&self, part: &mut Part, path: &Arc<Path>, last_line: u64, err: &std::io::Error) {
        let message = crate::reader::read_failure(last_line, err);
        self.invalid(part, path, None, message, None, None);
    }

    fn invalid(
        &self,
        part: &mut Part,
        path: &Arc<Path>,
        position: Option<Position>,
        message: String,
        column: Option<usize>,
        field: Option<String>,
    ) {
        if self.invalid_record {
            let mut finding = Finding::file(&INVALID_RECORD, path.clone(), message);
            finding.position = position;
            finding.column = column;
            finding.field = field;
            part.findings.push(finding);
        }
    }
}

/// What makes two files one dataset: a `[[datasets]]` group, or being the same file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum DatasetKey {
    Group(String),
    File(PathBuf),
}

/// A configured linter: settings plus the rules they enable.
pub struct Linter {
    settings: Settings,
    record_rules: Vec<Box<dyn RecordRule>>,
    dataset_rules: Vec<Box<dyn DatasetRule>>,
    token_statistics: bool,
    describe: bool,
    count_only: bool,
}

/// Adds findings to a tally at their configured severity.
fn count_into(tally: &mut Tally, findings: impl Iterator<Item = Finding>, severity: &BTreeMap<&'static str, Severity>) {
    for finding in findings {
        let at = severity.get(finding.rule.code).copied().unwrap_or(finding.severity);
        tally.add(finding.rule, at);
    }
}

impl Linter {
    pub fn new(settings: Settings) -> Linter {
        let mut record_rules = Vec::new();
        let mut dataset_rules = Vec::new();
        let from = BuildFrom {
            rules: &settings.rules,
            tokens: settings.tokens.as_ref(),
        };
        for entry in REGISTRY {
            if !settings.enabled.contains(&entry.meta.code) {
                continue;
            }
            match entry.build {
                Build::Reader => {}
                Build::Record(build) => record_rules.push(build(from)),
                Build::RecordIf(build) => record_rules.extend(build(from)),
                Build::Dataset(build) => dataset_rules.push(build(from)),
            }
        }
        Linter {
            settings,
            record_rules,
            dataset_rules,
            token_statistics: false,
            describe: false,
            count_only: false,
        }
    }

    /// Also count, per file, the keys its records were read from ([`FileSummary::fields`]), for
    /// `cargo vazhi files`.
    pub fn describe_files(mut self, describe: bool) -> Linter {
        self.describe = describe;
        self
    }

    /// Also collect token statistics per dataset ([`LintReport::token_stats`]) when a
    /// tokenizer is configured. They need every record's exact token counts, so the byte bound
    /// settles nothing in such a run and token counting takes longer (the findings are the same).
    pub fn token_statistics(mut self, collect: bool) -> Linter {
        self.token_statistics = collect;
        self
    }

    /// Count findings per rule and severity without keeping them ([`LintReport::counted`]):
    /// what `--statistics` needs, in memory that does not grow with the findings.
    pub fn count_only(mut self, count_only: bool) -> Linter {
        self.count_only = count_only;
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn plan(&self, path: &Path) -> FilePlan<'_> {
        FilePlan {
            record_rules: self
                .record_rules
                .iter()
                .filter(|rule| self.settings.runs_on(rule.meta().code, path))
                .map(|rule| rule.as_ref())
                .collect(),
            dataset_rules: self
                .dataset_rules
                .iter()
                .map(|rule| self.settings.runs_on(rule.meta().code, path).then_some(rule.as_ref()))
                .collect(),
            invalid_record: self.settings.runs_on(INVALID_RECORD.code, path),
            token_stats: self.settings.tokens.as_ref().filter(|_| self.token_statistics),
            describe: self.describe,
            count_only: self.count_only.then_some(&self.settings.severity),
        }
    }

    /// Which dataset a file belongs to: the first `[[datasets]]` group that matches, else its own.
    fn dataset_of(
        &self,
        path: &Path,
        datasets: &mut Vec<Dataset>,
        own: &mut std::collections::HashMap<DatasetKey, usize>,
    ) -> usize {
        let relative = path.strip_prefix(&self.settings.root).unwrap_or(path);
        let group = self
            .settings
            .datasets
            .iter()
            .find(|spec| spec.matcher.is_match(relative) || spec.matcher.is_match(path));
        let (name, kind) = match group {
            Some(spec) => (spec.name.clone(), spec.kind),
            None => (path.display().to_string(), None),
        };
        let key = match group {
            Some(spec) => DatasetKey::Group(spec.name.clone()),
            None => DatasetKey::File(path.to_path_buf()),
        };
        let index = *own.entry(key).or_insert_with(|| {
            datasets.push(Dataset {
                name,
                kind,
                files: Vec::new(),
            });
            datasets.len() - 1
        });
        datasets[index].files.push(Arc::from(path));
        index
    }

    /// Lints every corpus file under `paths`.
    pub fn lint_paths(&self, paths: &[PathBuf], progress: &dyn Progress) -> LintReport {
        let found = discover(paths);
        let mut report = self.lint_files(&found.files, progress);
        report.path_problems = found.problems;
        report.unread_files = found.unread;
        report
    }

    /// Lints exactly these files, in this order.
    pub fn lint_files(&self, files: &[PathBuf], progress: &dyn Progress) -> LintReport {
        let mut datasets = Vec::new();
        let mut own = std::collections::HashMap::new();
        let sources: Vec<Source> = files
            .iter()
            .map(|path| {
                Source::new(
                    Arc::from(path.as_path()),
                    self.dataset_of(path, &mut datasets, &mut own),
                )
            })
            .collect();
        let sizes: Vec<u64> = files
            .iter()
            .map(|path| std::fs::metadata(path).map_or(0, |meta| meta.len()))
            .collect();
        progress.start(sizes.iter().sum());
        let parts: Vec<(Part, FileShape)> = sources
            .par_iter()
            .zip(sizes.par_iter())
            .map(|(source, size)| {
                let part = self.lint_file(source);
                progress.advance(*size);
                part
            })
            .collect();
        progress.finish();

        let mut findings = Vec::new();
        let mut tally = Tally::default();
        let mut records = 0;
        let mut records_per_file = std::collections::HashMap::new();
        let mut summaries = Vec::with_capacity(parts.len());
        let mut merged: Vec<Option<Aggregates>> = (0..datasets.len()).map(|_| None).collect();
        let mut token_stats: Vec<TokenStats> = (0..datasets.len()).map(|_| TokenStats::default()).collect();
        for (source, (part, shape)) in sources.iter().zip(parts) {
            let problem = part
                .findings
                .iter()
                .find(|finding| finding.position.is_none() && finding.rule.code == INVALID_RECORD.code)
                .map(|finding| finding.message.clone());
            if self.count_only {
                count_into(&mut tally, part.findings.into_iter(), &self.settings.severity);
                tally.merge(part.tally);
            } else {
                findings.extend(part.findings);
            }
            records += part.records;
            records_per_file.insert(source.path.to_path_buf(), part.records);
            summaries.push(FileSummary {
                path: source.path.to_path_buf(),
                shape,
                records: part.records,
                layouts: part.layouts,
                fields: part.fields,
                media: part.media,
                problem,
            });
            if let Some(stats) = part.token_stats {
                token_stats[source.dataset].merge(stats);
            }
            let slot = &mut merged[source.dataset];
            match slot {
                None => *slot = Some(part.aggregates),
                Some(have) => {
                    for (index, theirs) in part.aggregates.into_iter().enumerate() {
                        match (&mut have[index], theirs) {
                            (Some(mine), Some(theirs)) => mine.merge(theirs),
                            (mine @ None, theirs) => *mine = theirs,
                            (Some(_), None) => {}
                        }
                    }
                }
            }
        }
        for (dataset, aggregates) in datasets.iter().zip(merged) {
            for aggregate in aggregates.into_iter().flatten().flatten() {
                if self.count_only {
                    aggregate.finish(dataset, &mut |finding| {
                        count_into(&mut tally, std::iter::once(finding), &self.settings.severity)
                    });
                } else {
                    aggregate.finish(dataset, &mut |finding| findings.push(finding));
                }
            }
        }
        for finding in &mut findings {
            if let Some(severity) = self.settings.severity.get(finding.rule.code) {
                finding.severity = *severity;
            }
        }
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        LintReport {
            findings,
            files: files.to_vec(),
            datasets,
            records,
            bytes: sizes.iter().sum(),
            path_problems: Vec::new(),
            unread_files: Vec::new(),
            records_per_file,
            summaries,
            token_stats: self
                .settings
                .tokens
                .as_ref()
                .filter(|_| self.token_statistics)
                .map(|tokens| TokenStatistics::new(tokens, token_stats)),
            counted: self.count_only.then_some(tally),
        }
    }

    /// The record rules' findings on one JSON record (dataset rules need the whole dataset and are
    /// not run). Used to re-check a record after `split --fix` changed it.
    pub fn check_json_record(&self, path: &Path, position: Position, bytes: &[u8]) -> Vec<Finding> {
        let source = Source::new(Arc::from(path), 0);
        let plan = self.plan(path);
        let mut part = plan.part();
        match parse_record(bytes, position, &source, &self.settings.fields) {
            Ok(record) => plan.check(&record, &mut part),
            Err(invalid) => plan.invalid(
                &mut part,
                &source.path,
                Some(position),
                invalid.message,
                invalid.column,
                invalid.field,
            ),
        }
        for finding in &mut part.findings {
            if let Some(severity) = self.settings.severity.get(finding.rule.code) {
                finding.severity = *severity;
            }
        }
        part.findings
    }

    fn lint_file(&self, source: &Source) -> (Part, FileShape) {
        let plan = self.plan(&source.path);
        let kind = FileKind::of(&source.path).unwrap_or(FileKind::Jsonl(Compression::None));
        let (mut part, shape) = match kind {
            FileKind::Parquet => self.lint_parquet(source, &plan),
            FileKind::Arrow | FileKind::Csv(_) => self.lint_batches(source, &plan, kind),
            FileKind::Jsonl(_) | FileKind::Json(_) => self.lint_json(source, kind, &plan),
        };
        // Unreadable records are reported now that the file's record count is known.
        let unreadable = std::mem::take(&mut part.unreadable);
        part.findings.extend(unreadable.finish(&source.path, part.records));
        (part, shape)
    }

    fn lint_json(&self, source: &Source, kind: FileKind, plan: &FilePlan<'_>) -> (Part, FileShape) {
        #[cfg(unix)]
        if kind.compression() == Compression::None
            && !crate::reader::is_metadata(&source.path)
            && let Ok(Some(mapped)) = crate::reader::mapped::MappedFile::open(&source.path)
            && crate::reader::utf16(&mapped.data()[..mapped.data().len().min(16)]).is_none()
            && (matches!(kind, FileKind::Jsonl(_)) || mapped.sniff() == crate::reader::document::Sniffed::Lines)
        {
            return (
                self.lint_mapped(source, &mapped, plan),
                FileShape::Json(Container::Lines),
            );
        }
        let mut part = plan.part();
        let (container, context, chunks) = match kind.open_json(&source.path, &self.settings.fields) {
            Ok(JsonFile::Records {
                container,
                context,
                chunks,
                ..
            }) => (container, context, chunks),
            Ok(JsonFile::NoRecords(none)) => {
                self.no_records(plan, &mut part, source, &none);
                return (part, FileShape::NoRecords(none));
            }
            Err(err) => {
                plan.invalid(
                    &mut part,
                    &source.path,
                    None,
                    crate::reader::read_failure(0, &err),
                    None,
                    None,
                );
                return (part, FileShape::Unreadable);
            }
        };
        // The labels a document gives its records travel with the file's source.
        let source = &Source {
            path: source.path.clone(),
            dataset: source.dataset,
            context,
        };
        // Read (and decompress) the next chunk on its own thread while this one is checked.
        let (sender, receiver) = sync_channel::<std::io::Result<Chunk>>(1);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for chunk in chunks {
                    if sender.send(chunk).is_err() {
                        break;
                    }
                }
            });
            let mut last_line = 0;
            for chunk in receiver {
                let chunk = match chunk {
                    Ok(chunk) => chunk,
                    Err(err) => {
                        plan.unreadable_past(&mut part, &source.path, last_line, &err);
                        break;
                    }
                };
                last_line = chunk.units.last().map_or(last_line, |unit| unit.line);
                self.report_problems(plan, source, &chunk.problems, &mut part);
                let checked = self.check_units(plan, source, &chunk.data, &chunk.units);
                part = std::mem::replace(&mut part, plan.part()).merge(checked);
                plan.settle(&mut part);
            }
        });
        (part, FileShape::Json(container))
    }

    /// A JSON file with no records: an error only when it is not clear which records it holds.
    /// Metadata and empty files are named in the summary instead ([`LintReport::files_without_records`]).
    fn no_records(&self, plan: &FilePlan<'_>, part: &mut Part, source: &Source, none: &NoRecords) {
        match none {
            NoRecords::Empty | NoRecords::NotCorpus(_) | NoRecords::Metadata => {}
            NoRecords::Ambiguous(candidates) => {
                let listed: Vec<String> = candidates
                    .iter()
                    .map(|(name, count)| format!("`{name}` ({count})"))
                    .collect();
                let message = format!(
                    "the document's object has several lists of records: {}; vazhi read none of them",
                    listed.join(", ")
                );
                plan.invalid(part, &source.path, None, message, None, None);
                if let (Some(finding), Some((first, _))) = (part.findings.last_mut(), candidates.first()) {
                    finding.help = Some(format!(
                        "say which holds the records, in vazhi.toml:\n[fields]\nrecords = [{first:?}]"
                    ));
                }
            }
            NoRecords::Invalid(problem) => {
                plan.invalid(part, &source.path, None, problem.message.clone(), None, None);
                if let Some(finding) = part.findings.last_mut() {
                    finding.value_line = Some(problem.line);
                }
            }
        }
    }

    /// A plain JSON Lines file, parsed in place from its memory map a window at a time; each
    /// window's pages are released once checked so memory stays bounded.
    #[cfg(unix)]
    fn lint_mapped(&self, source: &Source, mapped: &crate::reader::mapped::MappedFile, plan: &FilePlan<'_>) -> Part {
        let mut part = plan.part();
        let mut last_line = 0;
        let mut windows = mapped.windows();
        let mut next = windows.next(mapped);
        while let Some(window) = next {
            let window = match window {
                Ok(window) => window,
                Err(err) => {
                    plan.unreadable_past(&mut part, &source.path, last_line, &err);
                    break;
                }
            };
            last_line = window.units.last().map_or(last_line, |unit| unit.line);
            self.report_problems(plan, source, &window.problems, &mut part);
            // Finding the next window's lines (and faulting its pages in) is serial work: do it
            // while this window's records are checked rather than between windows.
            let (checked, following) = rayon::join(
                || self.check_units(plan, source, mapped.data(), &window.units),
                || windows.next(mapped),
            );
            part = std::mem::replace(&mut part, plan.part()).merge(checked);
            plan.settle(&mut part);
            windows.release(mapped, window.end);
            next = following;
        }
        part
    }

    /// Lines or array elements the chunk readers could not make records of.
    fn report_problems(&self, plan: &FilePlan<'_>, source: &Source, problems: &[Problem], part: &mut Part) {
        for problem in problems {
            plan.invalid(
                part,
                &source.path,
                Some(Position::Line(problem.line)),
                problem.message.clone(),
                None,
                None,
            );
        }
    }

    /// Parses and checks the records at `units` (ranges into `data`) in parallel.
    fn check_units(&self, plan: &FilePlan<'_>, source: &Source, data: &[u8], units: &[Unit]) -> Part {
        units
            .par_iter()
            .fold(
                || plan.part(),
                |mut acc, unit| {
                    let bytes = &data[unit.range.clone()];
                    let position = Position::Line(unit.line);
                    match parse_record(bytes, position, source, &self.settings.fields) {
                        Ok(mut record) => {
                            record.element = unit.element;
                            plan.check(&record, &mut acc)
                        }
                        Err(InvalidJson {
                            kind,
                            message,
                            line_offset,
                            column,
                            field,
                        }) => {
                            // The record is where it starts (what `split` keys on); the line shown
                            // is where the problem is.
                            let mut finding = Finding::file(&INVALID_RECORD, source.path.clone(), message);
                            finding.position = Some(position);
                            finding.value_line = (line_offset > 0).then_some(unit.line + line_offset);
                            finding.element = unit.element;
                            finding.column = column;
                            finding.field = field;
                            if let Some(column) = column {
                                finding.snippet = Some(excerpt(bytes, line_offset, column));
                            }
                            plan.unreadable(&mut acc, kind, finding, Some(bytes));
                        }
                    }
                    acc
                },
            )
            .reduce(|| plan.part(), Part::merge)
    }

    fn lint_parquet(&self, source: &Source, plan: &FilePlan<'_>) -> (Part, FileShape) {
        let mut part = plan.part();
        let file = match ParquetFile::open(&source.path, &self.settings.fields) {
            Ok(file) => file,
            Err(err) => {
                plan.table_failed(&mut part, &source.path, err);
                return (part, FileShape::Parquet);
            }
        };
        let groups = (0..file.row_groups())
            .into_par_iter()
            .map(|group| {
                let mut acc = plan.part();
                let result = file.read_row_group(&source.path, group, source, &self.settings.fields, &mut |row| {
                    plan.check_row(&mut acc, source, row)
                });
                if let Err(message) = result {
                    plan.invalid(&mut acc, &source.path, None, message, None, None);
                }
                acc
            })
            .reduce(|| plan.part(), Part::merge);
        (part.merge(groups), FileShape::Parquet)
    }

    /// Arrow IPC and CSV: batches are read in order on their own thread, each checked in parallel
    /// slices.
    fn lint_batches(&self, source: &Source, plan: &FilePlan<'_>, kind: FileKind) -> (Part, FileShape) {
        const SLICE_ROWS: usize = 256;
        let shape = match kind {
            FileKind::Csv(b'\t') => FileShape::Tsv,
            FileKind::Csv(_) => FileShape::Csv,
            _ => FileShape::Arrow,
        };
        let mut part = plan.part();
        let fields = &self.settings.fields;
        let opened = match kind {
            FileKind::Csv(delimiter) => crate::reader::csv::batches(&source.path, delimiter, fields),
            _ => crate::reader::ipc::batches(&source.path, fields),
        };
        let (table, batches) = match opened {
            Ok(opened) => opened,
            Err(err) => {
                plan.table_failed(&mut part, &source.path, err);
                return (part, shape);
            }
        };
        let (sender, receiver) = sync_channel(1);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for batch in crate::reader::table::guarded(batches) {
                    if sender.send(batch).is_err() {
                        break;
                    }
                }
            });
            let mut row = 0u64;
            for batch in receiver {
                let batch = match batch {
                    Ok(batch) => batch,
                    Err(message) => {
                        let message = crate::reader::row_read_failure(row, &message);
                        plan.invalid(&mut part, &source.path, None, message, None, None);
                        break;
                    }
                };
                let starts: Vec<usize> = (0..batch.num_rows()).step_by(SLICE_ROWS).collect();
                let checked = starts
                    .into_par_iter()
                    .map(|start| {
                        let slice = batch.slice(start, SLICE_ROWS.min(batch.num_rows() - start));
                        let mut acc = plan.part();
                        table.visit_batch(&slice, row + start as u64, source, fields, &mut |record| {
                            plan.check_row(&mut acc, source, record)
                        });
                        acc
                    })
                    .reduce(|| plan.part(), Part::merge);
                part = std::mem::replace(&mut part, plan.part()).merge(checked);
                plan.settle(&mut part);
                row += batch.num_rows() as u64;
            }
        });
        (part, shape)
    }
}

/// The source line of an unreadable record around `column` (code points, 1-based), with bytes that
/// are not UTF-8 shown as U+FFFD so the excerpt can always be printed.
fn excerpt(bytes: &[u8], line_offset: u64, column: usize) -> Snippet {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .split('\n')
        .nth(usize::try_from(line_offset).unwrap_or(usize::MAX))
        .unwrap_or("");
    let at = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(at, _)| at);
    let end = line[at..].chars().next().map_or(at, |ch| at + ch.len_utf8());
    Snippet::around(line, at..end)
}
