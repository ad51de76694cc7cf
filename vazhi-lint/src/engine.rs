//! The lint run: files in parallel, records of each file in parallel (chunk by chunk for JSON,
//! row group by row group for Parquet), dataset rules as aggregates merged in record order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use rayon::prelude::*;

use crate::dataset::Dataset;
use crate::fields::FieldMap;
use crate::finding::{Finding, Snippet};
use crate::profile::Profile;
use crate::reader::chunks::{Problem, Unit};
use crate::reader::json::{Invalid, InvalidJson, parse_record};
use crate::reader::parquet::ParquetFile;
use crate::reader::table::TablePlan;
use crate::reader::{Compression, Container, FileKind, JsonFile, NoRecords, PathProblem, discover, read_ahead};
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
    /// Sorted by file, position, rule. Empty when the findings were streamed
    /// ([`Linter::lint_paths_streaming`]) or only counted ([`Linter::count_only`]).
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
    /// Each dataset's profile, in the order of `datasets`, when the linter was asked for them
    /// ([`Linter::profile`]).
    pub profiles: Option<Vec<Profile>>,
    /// Findings per rule and severity, however they were delivered: kept, streamed or counted.
    pub tally: Tally,
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

    /// A report of just these findings (for output written from findings picked elsewhere).
    pub fn of_findings(findings: Vec<Finding>) -> LintReport {
        LintReport {
            tally: Tally::of(&findings),
            findings,
            ..LintReport::default()
        }
    }

    pub fn count(&self, severity: crate::rule::Severity) -> usize {
        self.tally.count(severity)
    }

    /// Findings per rule and severity, whether the findings were kept, streamed or only counted.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }
}

/// One partial state per dataset rule; `None` where the rule does not run on the records' file.
pub(crate) type Aggregates = Vec<Option<Box<dyn Aggregate>>>;

/// The findings and partial dataset state of some consecutive records of one file.
pub(crate) struct Part {
    pub(crate) findings: Vec<Finding>,
    pub(crate) aggregates: Aggregates,
    pub(crate) records: u64,
    /// Merged like `aggregates`; `None` when token statistics are not collected.
    token_stats: Option<TokenStats>,
    /// Merged like `aggregates`; `None` when profiles are not collected.
    profile: Option<Profile>,
    /// Unreadable records, reported when the file is read (see [`Unreadable`]).
    pub(crate) unreadable: Unreadable,
    layouts: BTreeMap<Layout, u64>,
    media: u64,
    /// Records per key read, when the linter describes files.
    fields: BTreeMap<String, u64>,
    /// Why the file's records could not be read, when it is one reason for the whole file: kept
    /// here because a streamed file's findings are gone by the time its summary is written.
    problem: Option<String>,
}

impl Part {
    pub(crate) fn merge(mut self, later: Part) -> Part {
        self.findings.extend(later.findings);
        self.problem = self.problem.or(later.problem);
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
        if let (Some(mine), Some(theirs)) = (&mut self.profile, later.profile) {
            mine.merge(theirs);
        }
        self
    }

    /// Notes the first whole-file problem among the findings, before they are sent out.
    fn note_problem(&mut self) {
        if self.problem.is_none() {
            self.problem = self
                .findings
                .iter()
                .find(|finding| finding.position.is_none() && finding.rule.code == INVALID_RECORD.code)
                .map(|finding| finding.message.clone());
        }
    }
}

/// The rules that apply to one file.
pub(crate) struct FilePlan<'l> {
    record_rules: Vec<&'l dyn RecordRule>,
    /// Per dataset rule of the linter: whether it observes this file's records.
    dataset_rules: Vec<Option<&'l dyn DatasetRule>>,
    invalid_record: bool,
    /// Set when token statistics are collected: every record's tokens are counted exactly.
    token_stats: Option<&'l TokenSettings>,
    /// Profile the records ([`Linter::profile`]).
    profile: bool,
    /// The language-ID model the rules judge Latin text with, so that the profile's verdicts
    /// are theirs.
    lid_model: Option<&'l crate::script::lid::LidModel>,
    /// Count the keys each record was read from ([`FileSummary::fields`]).
    describe: bool,
}

impl FilePlan<'_> {
    fn aggregates(&self) -> Aggregates {
        self.dataset_rules
            .iter()
            .map(|rule| rule.map(|rule| rule.aggregate()))
            .collect()
    }

    pub(crate) fn part(&self) -> Part {
        Part {
            findings: Vec::new(),
            aggregates: self.aggregates(),
            records: 0,
            token_stats: self.token_stats.map(|_| TokenStats::default()),
            profile: self.profile.then(Profile::default),
            unreadable: Unreadable::default(),
            layouts: BTreeMap::new(),
            media: 0,
            fields: BTreeMap::new(),
            problem: None,
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
        for aggregate in part.aggregates.iter_mut().flatten() {
            aggregate.observe(record, &facts);
        }
        if let Some(profile) = &mut part.profile {
            profile.observe(record, &facts, self.lid_model);
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
    pub(crate) fn table_failed(&self, part: &mut Part, path: &Arc<Path>, err: crate::reader::table::TableError) {
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

    /// The rows of one record batch, the first of them row `first_row` of its source, checked in
    /// parallel slices.
    pub(crate) fn check_batch(
        &self,
        table: &TablePlan,
        batch: &RecordBatch,
        first_row: u64,
        source: &Source,
        fields: &FieldMap,
    ) -> Part {
        /// Rows per parallel task: enough to outweigh a task's cost, few enough to share a batch
        /// out among the threads.
        const SLICE_ROWS: usize = 256;
        let starts: Vec<usize> = (0..batch.num_rows()).step_by(SLICE_ROWS).collect();
        starts
            .into_par_iter()
            .map(|start| {
                let slice = batch.slice(start, SLICE_ROWS.min(batch.num_rows() - start));
                let mut acc = self.part();
                table.visit_batch(&slice, first_row + start as u64, source, fields, &mut |record| {
                    self.check_row(&mut acc, source, record)
                });
                acc
            })
            .reduce(|| self.part(), Part::merge)
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

/// A file at least this large is linted on its own and its findings are sent out a chunk at a
/// time (the memory-mapped reader's window is 8 MiB); smaller files are linted together.
pub const STREAMED_FILE_BYTES: u64 = 8 << 20;
/// Smaller files are linted in parallel in windows of consecutive files up to this many bytes,
/// each holding its findings until the window ends: this bounds what findings can take.
pub const WINDOW_BYTES: u64 = 16 << 20;
/// And at most this many files to a window, so a folder of tiny files still streams.
const WINDOW_FILES: usize = 512;

/// The end of the window of small files that starts at `start`.
fn window_end(sizes: &[u64], start: usize) -> usize {
    let mut end = start;
    let mut bytes = 0;
    while end < sizes.len()
        && sizes[end] < STREAMED_FILE_BYTES
        && end - start < WINDOW_FILES
        && (end == start || bytes + sizes[end] <= WINDOW_BYTES)
    {
        bytes += sizes[end];
        end += 1;
    }
    end
}

/// Findings on their way out: severities set as configured, counted, handed to the sink.
struct Outlet<'s> {
    severity: &'s BTreeMap<&'static str, Severity>,
    tally: Tally,
    sink: &'s mut dyn FnMut(Vec<Finding>),
}

impl Outlet<'_> {
    /// Sends out a batch of findings, sorted by position and rule.
    fn emit(&mut self, mut findings: Vec<Finding>) {
        if findings.is_empty() {
            return;
        }
        findings.sort_by(Finding::cmp_order);
        for finding in &mut findings {
            configure_severity(self.severity, finding);
            self.tally.add(finding.rule, finding.severity);
        }
        (self.sink)(findings);
    }
}

/// Gives `finding` the severity `[severity]` sets for its rule, if it sets one.
pub(crate) fn configure_severity(severity: &BTreeMap<&'static str, Severity>, finding: &mut Finding) {
    if let Some(severity) = severity.get(finding.rule.code) {
        finding.severity = *severity;
    }
}

/// Where a file linted on its own sends what each chunk settles: its dataset's running state,
/// which the chunk's dataset state joins, and the outlet.
struct Flow<'r, 's> {
    dataset: &'r mut Option<Aggregates>,
    outlet: &'r mut Outlet<'s>,
}

/// One dataset's state during a run.
struct DatasetRun {
    /// Its dataset rules' state over every record read so far, merged in record order (`None`
    /// until its first file is done).
    aggregates: Option<Aggregates>,
    token_stats: TokenStats,
    profile: Profile,
    /// The index of its last file in the run: its state is finished and dropped after that file.
    last_file: usize,
}

/// Appends `later` to a dataset's running state.
pub(crate) fn absorb(running: &mut Option<Aggregates>, later: Aggregates) {
    match running {
        None => *running = Some(later),
        Some(have) => {
            for (mine, theirs) in have.iter_mut().zip(later) {
                match (mine, theirs) {
                    (Some(mine), Some(theirs)) => mine.merge(theirs),
                    (mine @ None, theirs) => *mine = theirs,
                    (Some(_), None) => {}
                }
            }
        }
    }
}

/// The findings the running state of a dataset has settled (see [`Aggregate::drain`]).
fn drain(running: &mut Option<Aggregates>, out: &mut Vec<Finding>) {
    for aggregate in running.iter_mut().flatten().flatten() {
        aggregate.drain(&mut |finding| out.push(finding));
    }
}

/// The state of a lint run between files.
struct Run<'s> {
    datasets: Vec<DatasetRun>,
    outlet: Outlet<'s>,
    records: u64,
    records_per_file: std::collections::HashMap<PathBuf, u64>,
    summaries: Vec<FileSummary>,
}

impl Run<'_> {
    /// Takes in a linted file, the `index`th of the run: its findings go out, with those its
    /// dataset's state settles, and when it is the dataset's last file, the dataset's own.
    fn file_done(&mut self, index: usize, source: &Source, dataset: &Dataset, mut part: Part, shape: FileShape) {
        part.note_problem();
        let running = &mut self.datasets[source.dataset];
        absorb(&mut running.aggregates, std::mem::take(&mut part.aggregates));
        drain(&mut running.aggregates, &mut part.findings);
        if let Some(stats) = part.token_stats.take() {
            running.token_stats.merge(stats);
        }
        if let Some(profile) = part.profile.take() {
            running.profile.merge(profile);
        }
        if running.last_file == index {
            let mut finished = Vec::new();
            for aggregate in running.aggregates.take().into_iter().flatten().flatten() {
                aggregate.finish(dataset, &mut |finding| finished.push(finding));
            }
            if dataset.files.len() == 1 {
                // The dataset is this file, held whole: one sort puts its findings where sorting
                // the whole run would.
                part.findings.append(&mut finished);
            } else {
                self.outlet.emit(std::mem::take(&mut part.findings));
            }
            self.outlet.emit(finished);
        }
        self.outlet.emit(part.findings);
        self.records += part.records;
        self.records_per_file.insert(source.path.to_path_buf(), part.records);
        self.summaries.push(FileSummary {
            path: source.path.to_path_buf(),
            shape,
            records: part.records,
            layouts: part.layouts,
            fields: part.fields,
            media: part.media,
            problem: part.problem,
        });
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
    profile: bool,
    describe: bool,
    count_only: bool,
}

impl Linter {
    pub fn new(settings: Settings) -> Linter {
        let mut record_rules = Vec::new();
        let mut dataset_rules = Vec::new();
        let from = BuildFrom {
            rules: &settings.rules,
            tokens: settings.tokens.as_ref(),
            lid_model: settings.lid_model.as_ref(),
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
            profile: false,
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

    /// Also profile each dataset ([`LintReport::profiles`]): the Tamil share and script of its
    /// training targets per language label, and its categories, for `cargo vazhi report`.
    pub fn profile(mut self, collect: bool) -> Linter {
        self.profile = collect;
        self
    }

    /// Count findings per rule and severity without keeping them ([`LintReport::tally`]):
    /// what `--statistics` needs, in memory that does not grow with the findings.
    pub fn count_only(mut self, count_only: bool) -> Linter {
        self.count_only = count_only;
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub(crate) fn plan(&self, path: &Path) -> FilePlan<'_> {
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
            profile: self.profile,
            lid_model: self.settings.lid_model.as_ref(),
            describe: self.describe,
        }
    }

    /// The first `[[datasets]]` group that holds `path`, if one does.
    pub(crate) fn group_of(&self, path: &Path) -> Option<&crate::dataset::DatasetSpec> {
        let relative = path.strip_prefix(&self.settings.root).unwrap_or(path);
        self.settings
            .datasets
            .iter()
            .find(|spec| spec.matcher.is_match(relative) || spec.matcher.is_match(path))
    }

    /// The dataset rules, in the order of a part's aggregates.
    pub(crate) fn dataset_rules(&self) -> impl Iterator<Item = &dyn DatasetRule> {
        self.dataset_rules.iter().map(|rule| rule.as_ref())
    }

    /// Which dataset a file belongs to: the first `[[datasets]]` group that matches, else its own.
    fn dataset_of(
        &self,
        path: &Path,
        datasets: &mut Vec<Dataset>,
        own: &mut std::collections::HashMap<DatasetKey, usize>,
    ) -> usize {
        let group = self.group_of(path);
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

    /// Lints every corpus file under `paths`, keeping the findings (or only counting them, with
    /// [`Linter::count_only`]).
    pub fn lint_paths(&self, paths: &[PathBuf], progress: &dyn Progress) -> LintReport {
        let found = discover(paths);
        let mut report = self.lint_files(&found.files, progress);
        report.path_problems = found.problems;
        report.unread_files = found.unread;
        report
    }

    /// Lints every corpus file under `paths` and hands the findings to `sink` as files and
    /// chunks finish, in [`Linter::lint_files_streaming`]'s order; the report keeps none.
    pub fn lint_paths_streaming(
        &self,
        paths: &[PathBuf],
        progress: &dyn Progress,
        sink: &mut dyn FnMut(Vec<Finding>),
    ) -> LintReport {
        let found = discover(paths);
        let mut report = self.lint_files_streaming(&found.files, progress, sink);
        report.path_problems = found.problems;
        report.unread_files = found.unread;
        report
    }

    /// Lints exactly these files, in this order, keeping the findings sorted by file, position
    /// and rule (or only counting them, with [`Linter::count_only`]).
    pub fn lint_files(&self, files: &[PathBuf], progress: &dyn Progress) -> LintReport {
        let mut findings = Vec::new();
        let count_only = self.count_only;
        let mut report = self.lint_files_streaming(files, progress, &mut |batch| {
            if !count_only {
                findings.extend(batch);
            }
        });
        // Stable, and each batch came sorted: this only interleaves what was streamed apart.
        findings.sort_by(Finding::cmp_order);
        report.findings = findings;
        report
    }

    /// Lints exactly these files, in this order, and hands the findings to `sink` as they are
    /// settled, each batch sorted by position and rule, with no sort over the whole run.
    ///
    /// The order: file by file in the order given; within a file, by position and rule, as
    /// [`LintReport::findings`] is sorted. Two kinds of finding come later than that order would
    /// put them, since they are only known later:
    /// - a file's summary of records that fail alike ([`Unreadable`]) comes at the end of the file
    ///   when the file is streamed chunk by chunk (at least [`STREAMED_FILE_BYTES`]);
    /// - what a dataset rule can only say once its dataset is read (an answer given to many
    ///   prompts, a skewed category, a mix of formats) comes after the dataset's last file, unless
    ///   the dataset is one file small enough to be held whole. A duplicate is reported with the
    ///   chunk it is in.
    ///
    /// Memory does not grow with the findings: files under [`STREAMED_FILE_BYTES`] are linted in
    /// parallel a window of [`WINDOW_BYTES`] at a time and hold their findings until the window
    /// ends; larger files are linted alone and send theirs out a chunk at a time.
    pub fn lint_files_streaming(
        &self,
        files: &[PathBuf],
        progress: &dyn Progress,
        sink: &mut dyn FnMut(Vec<Finding>),
    ) -> LintReport {
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
        let mut run = Run {
            datasets: datasets
                .iter()
                .map(|_| DatasetRun {
                    aggregates: None,
                    token_stats: TokenStats::default(),
                    profile: Profile::default(),
                    last_file: 0,
                })
                .collect(),
            outlet: Outlet {
                severity: &self.settings.severity,
                tally: Tally::default(),
                sink,
            },
            records: 0,
            records_per_file: std::collections::HashMap::new(),
            summaries: Vec::with_capacity(files.len()),
        };
        for (index, source) in sources.iter().enumerate() {
            run.datasets[source.dataset].last_file = index;
        }
        progress.start(sizes.iter().sum());
        let mut start = 0;
        while start < sources.len() {
            if sizes[start] >= STREAMED_FILE_BYTES {
                let source = &sources[start];
                let dataset = &mut run.datasets[source.dataset];
                let mut flow = Some(Flow {
                    dataset: &mut dataset.aggregates,
                    outlet: &mut run.outlet,
                });
                let (part, shape) = self.lint_file(source, &mut flow);
                progress.advance(sizes[start]);
                run.file_done(start, source, &datasets[source.dataset], part, shape);
                start += 1;
                continue;
            }
            let end = window_end(&sizes, start);
            let parts: Vec<(Part, FileShape)> = sources[start..end]
                .par_iter()
                .zip(&sizes[start..end])
                .map(|(source, size)| {
                    let part = self.lint_file(source, &mut None);
                    progress.advance(*size);
                    part
                })
                .collect();
            for (index, (part, shape)) in (start..end).zip(parts) {
                let source = &sources[index];
                run.file_done(index, source, &datasets[source.dataset], part, shape);
            }
            start = end;
        }
        progress.finish();

        let (token_stats, profiles): (Vec<_>, Vec<_>) = run
            .datasets
            .into_iter()
            .map(|dataset| (dataset.token_stats, dataset.profile))
            .unzip();
        LintReport {
            findings: Vec::new(),
            files: files.to_vec(),
            datasets,
            records: run.records,
            bytes: sizes.iter().sum(),
            path_problems: Vec::new(),
            unread_files: Vec::new(),
            records_per_file: run.records_per_file,
            summaries: run.summaries,
            token_stats: self
                .settings
                .tokens
                .as_ref()
                .filter(|_| self.token_statistics)
                .map(|tokens| TokenStatistics::new(tokens, token_stats)),
            profiles: self.profile.then_some(profiles),
            tally: run.outlet.tally,
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
            configure_severity(&self.settings.severity, finding);
        }
        part.findings
    }

    /// Lints one file. With a `flow`, what each chunk settles is sent out as the chunk is done and
    /// the part returned holds only the file's counts.
    fn lint_file(&self, source: &Source, flow: &mut Option<Flow<'_, '_>>) -> (Part, FileShape) {
        let plan = self.plan(&source.path);
        let kind = FileKind::of(&source.path).unwrap_or(FileKind::Jsonl(Compression::None));
        let (mut part, shape) = match kind {
            FileKind::Parquet => self.lint_parquet(source, &plan, flow),
            FileKind::Arrow | FileKind::Csv(_) => self.lint_batches(source, &plan, kind, flow),
            FileKind::Jsonl(_) | FileKind::Json(_) => self.lint_json(source, kind, &plan, flow),
        };
        // Unreadable records are reported now that the file's record count is known.
        let unreadable = std::mem::take(&mut part.unreadable);
        part.findings.extend(unreadable.finish(&source.path, part.records));
        settle(&plan, &mut part, flow);
        (part, shape)
    }

    fn lint_json(
        &self,
        source: &Source,
        kind: FileKind,
        plan: &FilePlan<'_>,
        flow: &mut Option<Flow<'_, '_>>,
    ) -> (Part, FileShape) {
        #[cfg(unix)]
        if kind.compression() == Compression::None
            && !crate::reader::is_metadata(&source.path)
            && let Ok(Some(mapped)) = crate::reader::mapped::MappedFile::open(&source.path)
            && crate::reader::utf16(&mapped.data()[..mapped.data().len().min(16)]).is_none()
            && (matches!(kind, FileKind::Jsonl(_)) || mapped.sniff() == crate::reader::document::Sniffed::Lines)
        {
            return (
                self.lint_mapped(source, &mapped, plan, flow),
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
        read_ahead(chunks, |received| {
            let mut last_line = 0;
            for chunk in received {
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
                settle(plan, &mut part, flow);
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
    fn lint_mapped(
        &self,
        source: &Source,
        mapped: &crate::reader::mapped::MappedFile,
        plan: &FilePlan<'_>,
        flow: &mut Option<Flow<'_, '_>>,
    ) -> Part {
        let mut part = plan.part();
        let mut last_line = 0;
        let mut windows = mapped.windows();
        let mut next = windows.next(mapped);
        // The last window's checked records, settled while the next window is checked.
        let mut unsettled: Option<Part> = None;
        while let Some(window) = next {
            let window = match window {
                Ok(window) => window,
                Err(err) => {
                    settle_checked(plan, &mut part, unsettled.take(), flow);
                    plan.unreadable_past(&mut part, &source.path, last_line, &err);
                    break;
                }
            };
            last_line = window.units.last().map_or(last_line, |unit| unit.line);
            // Serial work is done while this window's records are checked rather than between
            // windows, when the other threads would wait: settling the last window (its
            // findings sorted and written out, in window order as before), then finding the next
            // window's lines and faulting its pages in. The checking is spawned, not joined,
            // because the outlet a settle writes to need not be `Send`; this thread settles, then
            // helps check until the scope ends.
            let mut checked = None;
            let mut following = None;
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| checked = Some(self.check_units(plan, source, mapped.data(), &window.units)));
                settle_checked(plan, &mut part, unsettled.take(), flow);
                self.report_problems(plan, source, &window.problems, &mut part);
                following = Some(windows.next(mapped));
            });
            unsettled = checked;
            windows.release(mapped, window.end);
            next = following.flatten();
        }
        settle_checked(plan, &mut part, unsettled, flow);
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

    /// Row groups are read in parallel, a few per thread at a time, so a streamed file's
    /// findings go out as each such window is done.
    fn lint_parquet(&self, source: &Source, plan: &FilePlan<'_>, flow: &mut Option<Flow<'_, '_>>) -> (Part, FileShape) {
        let mut part = plan.part();
        let file = match ParquetFile::open(&source.path, &self.settings.fields) {
            Ok(file) => file,
            Err(err) => {
                plan.table_failed(&mut part, &source.path, err);
                return (part, FileShape::Parquet);
            }
        };
        let groups: Vec<usize> = (0..file.row_groups()).collect();
        for window in groups.chunks(4 * rayon::current_num_threads()) {
            let checked = window
                .par_iter()
                .map(|&group| {
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
            part = std::mem::replace(&mut part, plan.part()).merge(checked);
            settle(plan, &mut part, flow);
        }
        (part, FileShape::Parquet)
    }

    /// Arrow IPC and CSV: batches are read in order on their own thread, each checked in parallel
    /// slices.
    fn lint_batches(
        &self,
        source: &Source,
        plan: &FilePlan<'_>,
        kind: FileKind,
        flow: &mut Option<Flow<'_, '_>>,
    ) -> (Part, FileShape) {
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
        read_ahead(crate::reader::table::guarded(batches), |received| {
            let mut row = 0u64;
            for batch in received {
                let batch = match batch {
                    Ok(batch) => batch,
                    Err(message) => {
                        let message = crate::reader::row_read_failure(row, &message);
                        plan.invalid(&mut part, &source.path, None, message, None, None);
                        break;
                    }
                };
                let checked = plan.check_batch(&table, &batch, row, source, fields);
                part = std::mem::replace(&mut part, plan.part()).merge(checked);
                settle(plan, &mut part, flow);
                row += batch.num_rows() as u64;
            }
        });
        (part, shape)
    }
}

/// For a streamed file, sends out what a chunk settled: the chunk's dataset state joins its
/// dataset's running state, which hands over the findings no later record can change (a
/// duplicate's), and those go out with the chunk's record findings. Without a flow the part keeps
/// everything until its file is done.
fn settle(plan: &FilePlan<'_>, part: &mut Part, flow: &mut Option<Flow<'_, '_>>) {
    let Some(flow) = flow else {
        return;
    };
    absorb(flow.dataset, std::mem::replace(&mut part.aggregates, plan.aggregates()));
    drain(flow.dataset, &mut part.findings);
    part.note_problem();
    flow.outlet.emit(std::mem::take(&mut part.findings));
}

/// Joins a window's checked records to the file's part, then [`settle`]s it.
fn settle_checked(plan: &FilePlan<'_>, part: &mut Part, checked: Option<Part>, flow: &mut Option<Flow<'_, '_>>) {
    if let Some(checked) = checked {
        *part = std::mem::replace(part, plan.part()).merge(checked);
        settle(plan, part, flow);
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
