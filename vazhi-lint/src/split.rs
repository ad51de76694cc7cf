//! `cargo vazhi split`: every input record goes to exactly one place, a clean shard (in the input's
//! own format, JSON records byte for byte) or a quarantine file with the findings that sent it there,
//! and a manifest records what was written, under which settings, with each shard's SHA-256.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, BooleanArray, RecordBatch};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::digest::hex;
use crate::engine::{LintReport, Linter, Progress};
use crate::fields::FieldMap;
use crate::finding::Finding;
use crate::fix::{Fix, fix_json_record};
use crate::reader::{Compression, Container, FileKind, JsonFile};
use crate::record::Position;
use crate::report::{Format, HumanOptions, finding_json};
use crate::rule::Severity;

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = "vazhi-manifest.json";

#[derive(Debug, Clone)]
pub struct SplitOptions {
    pub out: PathBuf,
    /// Quarantine records with warnings too, not only errors.
    pub strict: bool,
    /// Write clean shards even when a dataset- or file-level finding is an error.
    pub allow_dataset_errors: bool,
    /// Apply safe fixes ([`crate::fix`]) to JSON records; a quarantined record whose findings the
    /// fixes remove goes to the clean shard, fixed.
    pub fix: bool,
    /// Publish even when some of the input could not be read as records (a line past the size
    /// limit, a compressed file cut short); they are listed in the manifest's `unreadable`.
    pub allow_unreadable: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SplitError {
    #[error("{0}")]
    Refused(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {message}")]
    Read { path: PathBuf, message: String },
    /// Records in ≠ clean + quarantined: a bug, never a silent loss.
    #[error("internal error: {0}")]
    Count(String),
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> SplitError + '_ {
    move |source| SplitError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What a split did.
#[derive(Debug)]
pub struct SplitOutcome {
    pub report: LintReport,
    /// Dataset- or file-level error findings that stopped the split (empty when it wrote shards).
    pub blocking: Vec<Finding>,
    pub files: Vec<FileSplit>,
    pub manifest: Option<PathBuf>,
}

impl SplitOutcome {
    /// Whether the split was published: shards and a manifest written.
    pub fn published(&self) -> bool {
        self.manifest.is_some()
    }

    /// What `cargo vazhi split` prints: a line per file and a total, or why nothing was written
    /// (the unreadable input, or the blocking findings in the human format).
    pub fn write_summary(&self, out: &mut dyn Write, human: HumanOptions) -> io::Result<()> {
        let Some(manifest) = &self.manifest else {
            if self.blocking.is_empty() {
                let mut count = 0;
                for (source, unreadable) in self.unreadable() {
                    count += 1;
                    let at = match unreadable.position {
                        Position::Line(line) => format!("{}:{line}", source.display()),
                        Position::Row(row) => format!("{} (row {row})", source.display()),
                    };
                    writeln!(out, "{at}: {}", unreadable.message)?;
                }
                return writeln!(
                    out,
                    "Nothing written: {} of the input could not be read as records (above). Fix the input, or pass --allow-unreadable to split the rest and list these in the manifest.",
                    crate::report::plural(count, "part")
                );
            }
            let blocked = LintReport {
                files: self.report.files.clone(),
                records: self.report.records,
                bytes: self.report.bytes,
                ..LintReport::of_findings(self.blocking.clone())
            };
            Format::Human.reporter(human).report(&blocked, out)?;
            return writeln!(
                out,
                "Nothing written: dataset-level errors above (use --allow-dataset-errors to split anyway)."
            );
        };
        let fixed: usize = self.files.iter().map(|file| file.fixes.len()).sum();
        let (mut clean, mut quarantined, mut unreadable) = (0, 0, 0);
        for file in &self.files {
            clean += file.clean;
            quarantined += file.quarantined;
            unreadable += file.unreadable.len();
            let unread = match file.unreadable.len() {
                0 => String::new(),
                count => format!(", {count} unreadable (in the manifest)"),
            };
            writeln!(
                out,
                "{}: {} clean, {} quarantined{unread}",
                file.source.display(),
                file.clean,
                file.quarantined
            )?;
        }
        let unread = match unreadable {
            0 => String::new(),
            count => format!(", {count} unreadable"),
        };
        writeln!(
            out,
            "Split {} from {} into {}: {clean} clean ({fixed} fixed), {quarantined} quarantined{unread}. Manifest: {}",
            crate::report::plural(clean + quarantined, "record"),
            crate::report::plural(self.files.len(), "file"),
            manifest.parent().unwrap_or(Path::new(".")).display(),
            manifest.display()
        )
    }

    /// Input that could not be read as records, file by file.
    pub fn unreadable(&self) -> impl Iterator<Item = (&Path, &Unreadable)> {
        self.files.iter().flat_map(|file| {
            file.unreadable
                .iter()
                .map(move |unreadable| (file.source.as_path(), unreadable))
        })
    }
}

/// Input `split` could place nowhere because it is not a record it could read: a line past the
/// size limit, the rest of a file that cannot be read past some line. Listed, never dropped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unreadable {
    /// Where it starts: a 1-based line (JSON) or a 0-based row (tables).
    pub position: Position,
    pub message: String,
}

impl Unreadable {
    fn json(&self, source: &Path) -> Value {
        let mut entry = json!({"source": source.display().to_string(), "message": self.message});
        match self.position {
            Position::Line(line) => entry["line"] = json!(line),
            Position::Row(row) => entry["row"] = json!(row),
        }
        entry
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FileSplit {
    pub source: PathBuf,
    /// Records changed by `--fix`: line and the fixes applied.
    pub fixes: Vec<(u64, Vec<Fix>)>,
    pub records: u64,
    pub clean: u64,
    pub quarantined: u64,
    /// What could not be read as records: records in = clean + quarantined + unreadable.
    pub unreadable: Vec<Unreadable>,
    /// The clean shard, relative to the output folder.
    pub shard: Option<PathBuf>,
    pub quarantine: Option<PathBuf>,
    pub sha256: Option<String>,
    pub bytes: Option<u64>,
}

/// Where each input file's outputs go: its path relative to the argument that named it.
fn relative_names(paths: &[PathBuf], files: &[PathBuf]) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = files
        .iter()
        .map(|file| {
            paths
                .iter()
                .filter(|arg| arg.is_dir())
                .find_map(|arg| file.strip_prefix(arg).ok().map(Path::to_path_buf))
                .unwrap_or_else(|| file.file_name().map_or_else(|| file.clone(), PathBuf::from))
        })
        .collect();
    let mut seen = HashSet::new();
    for (index, name) in names.iter_mut().enumerate() {
        if !seen.insert(name.clone()) {
            *name = PathBuf::from(format!("{index}-{}", name.display()));
            seen.insert(name.clone());
        }
    }
    names
}

/// Where a path really is, whether it exists yet or not: its longest existing ancestor resolved
/// (links followed), the rest appended with `.` and `..` applied. `--out d/x/../out` and a link
/// into the input are caught before anything is written.
fn canonical(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => {
                out.push(other);
                // Each existing prefix is resolved as the system would, links included, so a `..`
                // after a link leaves the link's target.
                if let Ok(real) = fs::canonicalize(&out) {
                    out = real;
                }
            }
        }
    }
    out
}

/// Refuses an output folder inside an input folder, or an input inside the output folder.
fn check_out_dir(paths: &[PathBuf], out: &Path) -> Result<(), SplitError> {
    let out = canonical(out);
    for path in paths {
        let input = canonical(path);
        if out.starts_with(&input) && input.is_dir() {
            return Err(SplitError::Refused(format!(
                "the output folder {} is inside the input folder {}; vazhi never writes inside its input",
                out.display(),
                path.display()
            )));
        }
        if input.starts_with(&out) {
            return Err(SplitError::Refused(format!(
                "the input {} is inside the output folder {}; choose another --out",
                path.display(),
                out.display()
            )));
        }
    }
    Ok(())
}

const STAGING_PREFIX: &str = ".vazhi-staging-";

/// Removes the staging folders of splits that were killed before they published: folders named
/// for a process that no longer runs. A running split's folder is left alone.
fn remove_abandoned_staging(out: &Path) -> Result<(), SplitError> {
    let Ok(entries) = fs::read_dir(out) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(STAGING_PREFIX))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_runs(pid) {
            let path = entry.path();
            fs::remove_dir_all(&path).map_err(io_error(&path))?;
        }
    }
    Ok(())
}

/// Whether a process with this id runs on this machine (Linux's /proc; elsewhere assume it does,
/// which only leaves a folder behind).
fn process_runs(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Writes to a staging file and hashes as it goes.
struct HashingFile {
    writer: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
    path: PathBuf,
}

impl HashingFile {
    fn create(path: &Path) -> Result<HashingFile, SplitError> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        let file = File::create(path).map_err(io_error(path))?;
        Ok(HashingFile {
            writer: BufWriter::new(file),
            hasher: Sha256::new(),
            bytes: 0,
            path: path.to_owned(),
        })
    }

    fn finish(mut self) -> Result<(String, u64), SplitError> {
        self.writer.flush().map_err(io_error(&self.path))?;
        self.writer.get_ref().sync_all().map_err(io_error(&self.path))?;
        Ok((hex(&self.hasher.finalize()), self.bytes))
    }
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.writer.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Findings that send a record to quarantine, by file and position.
type Verdicts<'r> = HashMap<(Arc<Path>, Position), Vec<&'r Finding>>;

pub fn split(
    linter: &Linter,
    paths: &[PathBuf],
    options: &SplitOptions,
    progress: &dyn Progress,
) -> Result<SplitOutcome, SplitError> {
    check_out_dir(paths, &options.out)?;
    let report = linter.lint_paths(paths, progress);
    if !report.path_problems.is_empty() {
        let problems: Vec<String> = report
            .path_problems
            .iter()
            .map(|problem| format!("{}: {}", problem.path.display(), problem.message))
            .collect();
        return Err(SplitError::Refused(problems.join("; ")));
    }
    let threshold = if options.strict {
        Severity::Warning
    } else {
        Severity::Error
    };
    let blocking: Vec<Finding> = report
        .findings
        .iter()
        .filter(|finding| {
            finding.position.is_none() && finding.severity >= Severity::Error && !covers_some_records(&report, finding)
        })
        .cloned()
        .collect();
    if !blocking.is_empty() && !options.allow_dataset_errors {
        return Ok(SplitOutcome {
            report,
            blocking,
            files: Vec::new(),
            manifest: None,
        });
    }
    let mut verdicts: Verdicts<'_> = HashMap::new();
    for finding in &report.findings {
        if finding.severity < threshold {
            continue;
        }
        if let Some(position) = finding.position {
            verdicts
                .entry((finding.path.clone(), position))
                .or_default()
                .push(finding);
        } else if covers_some_records(&report, finding) {
            for position in &finding.covers {
                verdicts
                    .entry((finding.path.clone(), *position))
                    .or_default()
                    .push(finding);
            }
        }
    }
    // Everything is written under a staging folder first and moved into place at the end.
    fs::create_dir_all(&options.out).map_err(io_error(&options.out))?;
    remove_abandoned_staging(&options.out)?;
    let staging = options.out.join(format!("{STAGING_PREFIX}{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    let names = relative_names(paths, &report.files);
    // A file whose records vazhi cannot read as a whole (no text field it knows, no text column)
    // sends every record it has to quarantine with that finding; a dataset finding (mixed-format,
    // category-skew) under --allow-dataset-errors leaves its files to be split as usual.
    let mut unreadable: HashMap<&Path, Vec<&Finding>> = HashMap::new();
    for finding in blocking
        .iter()
        .filter(|finding| finding.rule.code == crate::rules::invalid_record::INVALID_RECORD.code)
    {
        unreadable.entry(finding.path.as_ref()).or_default().push(finding);
    }
    let mut files = Vec::new();
    for (file, name) in report.files.iter().zip(&names) {
        let whole = unreadable.get(file.as_path());
        let fixer = options
            .fix
            .then_some(Fixer { linter, threshold })
            .filter(|_| whole.is_none());
        let split = match split_file(
            file,
            &linter.settings().fields,
            name,
            &staging,
            &verdicts,
            whole,
            fixer.as_ref(),
        ) {
            Ok(split) => split,
            // A file that cannot be read at all has no records to place.
            Err(_) if whole.is_some() && report_records(&report, file) == Some(0) => FileSplit {
                source: file.clone(),
                fixes: Vec::new(),
                records: 0,
                clean: 0,
                quarantined: 0,
                unreadable: Vec::new(),
                shard: None,
                quarantine: None,
                sha256: None,
                bytes: None,
            },
            Err(err) => return Err(err),
        };
        let expected = report_records(&report, file);
        // Lint's count is the truth, with two exceptions it cannot see: a table whose records
        // lint could not pick out at all (no text column) is counted row by row here, all of
        // it quarantined; and columns lint never decodes may stop split part way, the rest of
        // the file then listed as unreadable.
        let counted = match expected {
            Some(records) => {
                split.records == records
                    || whole.is_some() && records == 0
                    || !split.unreadable.is_empty() && split.records < records
            }
            None => false,
        };
        if split.records != split.clean + split.quarantined || !counted {
            return Err(SplitError::Count(format!(
                "{}: read {} records (lint read {}), wrote {} clean + {} quarantined",
                file.display(),
                split.records,
                expected.map_or_else(|| "?".into(), |count| count.to_string()),
                split.clean,
                split.quarantined
            )));
        }
        files.push(split);
    }
    let unreadable = files.iter().any(|file| !file.unreadable.is_empty());
    if unreadable && !options.allow_unreadable {
        // Nothing is published: the old output, if any, stays as it was.
        fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
        return Ok(SplitOutcome {
            report,
            blocking,
            files,
            manifest: None,
        });
    }
    let manifest = manifest_json(linter, &report, &files, &blocking, options);
    let manifest_text = serde_json::to_string_pretty(&manifest).map_err(|err| SplitError::Refused(err.to_string()))?;
    let staged_manifest = staging.join(MANIFEST);
    fs::create_dir_all(&staging).map_err(io_error(&staging))?;
    fs::write(&staged_manifest, manifest_text + "\n").map_err(io_error(&staged_manifest))?;
    publish(&staging, &options.out)?;
    Ok(SplitOutcome {
        report,
        blocking,
        files,
        manifest: Some(options.out.join(MANIFEST)),
    })
}

/// Whether `finding` stands for some of its file's records, not all: records that fail alike,
/// grouped into one finding, which are quarantined one by one like any record with an error. A
/// file whose every record fails one way has one problem to fix (its `[fields]`, its columns),
/// and stops the split like a dataset finding.
fn covers_some_records(report: &LintReport, finding: &Finding) -> bool {
    !finding.covers.is_empty()
        && report_records(report, &finding.path).is_some_and(|records| (finding.covers.len() as u64) < records)
}

/// Records the lint counted in one file, for the count check.
fn report_records(report: &LintReport, file: &Path) -> Option<u64> {
    report.records_per_file.get(file).copied()
}

/// Moves the staged clean/, quarantine/ and manifest into `out`, replacing the old ones. The
/// manifest goes last: the gate trusts shards only through it, so a split interrupted halfway is
/// never taken for a finished one.
fn publish(staging: &Path, out: &Path) -> Result<(), SplitError> {
    let old_manifest = out.join(MANIFEST);
    if old_manifest.exists() {
        fs::remove_file(&old_manifest).map_err(io_error(&old_manifest))?;
    }
    for part in ["clean", "quarantine"] {
        let target = out.join(part);
        let staged = staging.join(part);
        if target.exists() {
            let retired = staging.join(format!("old-{part}"));
            fs::rename(&target, &retired).map_err(io_error(&target))?;
        }
        if staged.exists() {
            fs::rename(&staged, &target).map_err(io_error(&staged))?;
        } else {
            fs::create_dir_all(&target).map_err(io_error(&target))?;
        }
    }
    fs::rename(staging.join(MANIFEST), &old_manifest).map_err(io_error(&old_manifest))?;
    fs::remove_dir_all(staging).map_err(io_error(staging))
}

fn quarantine_entry(source: &Path, position: Position, record: Value, findings: &[&Finding]) -> Value {
    json!({
        "source": source.display().to_string(),
        "line": position.line(),
        "row": position.row(),
        "record": record,
        "findings": findings.iter().map(|finding| finding_json(finding)).collect::<Vec<_>>(),
    })
}

/// What `--fix` needs: the linter to re-check a fixed record, and the severity that quarantines.
struct Fixer<'l> {
    linter: &'l Linter,
    threshold: Severity,
}

impl Fixer<'_> {
    /// The fixed bytes of a record and the fixes applied, if the fixes leave it clean. A record
    /// quarantined by a dataset rule (a duplicate) stays quarantined: no text fix changes that.
    fn repair(
        &self,
        file: &Path,
        position: Position,
        bytes: &[u8],
        findings: Option<&Vec<&Finding>>,
    ) -> Option<(Vec<u8>, Vec<Fix>)> {
        if findings.is_some_and(|findings| {
            findings
                .iter()
                .any(|finding| finding.rule.scope == crate::rule::Scope::Dataset)
        }) {
            return None;
        }
        let (fixed, applied) = fix_json_record(bytes)?;
        let remaining = self.linter.check_json_record(file, position, &fixed);
        remaining
            .iter()
            .all(|finding| finding.severity < self.threshold)
            .then_some((fixed, applied))
    }
}

#[allow(clippy::too_many_arguments)]
fn split_file(
    file: &Path,
    fields: &FieldMap,
    name: &Path,
    staging: &Path,
    verdicts: &Verdicts<'_>,
    whole: Option<&Vec<&Finding>>,
    fixer: Option<&Fixer<'_>>,
) -> Result<FileSplit, SplitError> {
    let kind = FileKind::of(file).unwrap_or(FileKind::Jsonl(Compression::None));
    let shard_name = PathBuf::from("clean").join(name);
    let quarantine_name = PathBuf::from("quarantine").join(format!("{}.quarantine.jsonl", name.display()));
    let mut quarantine = Quarantine {
        path: staging.join(&quarantine_name),
        writer: None,
        count: 0,
    };
    let path: Arc<Path> = Arc::from(file);
    let mut shard = HashingFile::create(&staging.join(&shard_name))?;
    let mut fixes = Vec::new();
    let mut unreadable = Vec::new();
    let (records, clean) = match kind {
        FileKind::Parquet | FileKind::Arrow | FileKind::Csv(_) => split_table(
            file,
            kind,
            &path,
            &mut shard,
            &mut quarantine,
            verdicts,
            whole,
            &mut unreadable,
        )?,
        _ => split_json(
            file,
            kind,
            fields,
            &mut shard,
            &mut quarantine,
            verdicts,
            whole,
            fixer,
            &mut fixes,
            &mut unreadable,
        )?,
    };
    let (sha256, bytes) = shard.finish()?;
    let quarantined = quarantine.count;
    quarantine.finish()?;
    // A file with nothing clean gets no shard: an empty one would only look like data.
    let shard = if clean > 0 {
        Some((shard_name, sha256, bytes))
    } else {
        let staged = staging.join(&shard_name);
        fs::remove_file(&staged).map_err(io_error(&staged))?;
        None
    };
    Ok(FileSplit {
        source: file.to_owned(),
        fixes,
        records,
        clean,
        quarantined,
        unreadable,
        quarantine: (quarantined > 0).then_some(quarantine_name),
        sha256: shard.as_ref().map(|(_, sha256, _)| sha256.clone()),
        bytes: shard.as_ref().map(|(_, _, bytes)| *bytes),
        shard: shard.map(|(name, _, _)| name),
    })
}

struct Quarantine {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    count: u64,
}

impl Quarantine {
    fn push(&mut self, entry: &Value) -> Result<(), SplitError> {
        if self.writer.is_none() {
            if let Some(parent) = self.path.parent() {
                fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            self.writer = Some(BufWriter::new(File::create(&self.path).map_err(io_error(&self.path))?));
        }
        if let Some(writer) = &mut self.writer {
            serde_json::to_writer(&mut *writer, entry).map_err(|err| SplitError::Io {
                path: self.path.clone(),
                source: err.into(),
            })?;
            writer.write_all(b"\n").map_err(io_error(&self.path))?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> Result<(), SplitError> {
        if let Some(mut writer) = self.writer {
            writer.flush().map_err(io_error(&self.path))?;
        }
        Ok(())
    }
}

/// The clean shard of a JSON input, in the input's own container.
enum JsonShard<'w> {
    Plain(&'w mut HashingFile),
    Gzip(flate2::write::GzEncoder<&'w mut HashingFile>),
    Zstd(zstd::stream::write::Encoder<'static, &'w mut HashingFile>),
}

impl Write for JsonShard<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            JsonShard::Plain(out) => out.write(buf),
            JsonShard::Gzip(out) => out.write(buf),
            JsonShard::Zstd(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            JsonShard::Plain(out) => out.flush(),
            JsonShard::Gzip(out) => out.flush(),
            JsonShard::Zstd(out) => out.flush(),
        }
    }
}

impl JsonShard<'_> {
    fn finish(self) -> io::Result<()> {
        match self {
            JsonShard::Plain(out) => out.flush(),
            JsonShard::Gzip(out) => out.finish().map(|_| ()),
            JsonShard::Zstd(out) => out.finish().map(|_| ()),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn split_json(
    file: &Path,
    kind: FileKind,
    fields: &FieldMap,
    shard: &mut HashingFile,
    quarantine: &mut Quarantine,
    verdicts: &Verdicts<'_>,
    whole: Option<&Vec<&Finding>>,
    fixer: Option<&Fixer<'_>>,
    fixes: &mut Vec<(u64, Vec<Fix>)>,
    unreadable: &mut Vec<Unreadable>,
) -> Result<(u64, u64), SplitError> {
    let path: Arc<Path> = Arc::from(file);
    let (container, span, chunks) = match kind.open_json(file, fields).map_err(io_error(file))? {
        JsonFile::Records {
            container,
            span,
            chunks,
            ..
        } => (container, span, chunks),
        // Lint found no records in it, so there is nothing to place.
        JsonFile::NoRecords(_) => return Ok((0, 0)),
    };
    let is_array = matches!(container, Container::Array | Container::Member(_));
    let mut out = match kind.compression() {
        Compression::Gzip => JsonShard::Gzip(flate2::write::GzEncoder::new(shard, flate2::Compression::default())),
        Compression::Zstd => JsonShard::Zstd(zstd::stream::write::Encoder::new(shard, 3).map_err(io_error(file))?),
        Compression::None => JsonShard::Plain(shard),
    };
    let (mut records, mut clean) = (0u64, 0u64);
    // A document that wraps its records is written back whole, its array holding the clean ones.
    if let Some((start, _)) = span {
        copy_range(kind, file, 0, start, &mut out)?;
    }
    if is_array {
        out.write_all(b"[\n").map_err(io_error(file))?;
    }
    let mut last_line = 0;
    for chunk in chunks {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(err) => {
                unreadable.push(Unreadable {
                    position: Position::Line(last_line + 1),
                    message: crate::reader::read_failure(last_line, &err),
                });
                break;
            }
        };
        unreadable.extend(chunk.problems.iter().map(|problem| Unreadable {
            position: Position::Line(problem.line),
            message: problem.message.clone(),
        }));
        last_line = chunk.units.last().map_or(last_line, |unit| unit.line);
        for unit in &chunk.units {
            records += 1;
            let original = chunk.unit(unit);
            let position = Position::Line(unit.line);
            let findings = verdicts.get(&(path.clone(), position)).or(whole);
            let repaired = fixer.and_then(|fixer| fixer.repair(file, position, original, findings));
            let findings = if repaired.is_some() { None } else { findings };
            let bytes = match repaired {
                Some((fixed, applied)) => {
                    fixes.push((unit.line, applied));
                    Cow::Owned(fixed)
                }
                None => Cow::Borrowed(original),
            };
            let bytes = bytes.as_ref();
            match findings {
                Some(findings) => {
                    let record = serde_json::from_slice::<Value>(bytes)
                        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()));
                    quarantine.push(&quarantine_entry(file, position, record, findings))?;
                }
                None => {
                    if is_array && clean > 0 {
                        out.write_all(b",\n").map_err(io_error(file))?;
                    }
                    out.write_all(bytes).map_err(io_error(file))?;
                    if !is_array {
                        out.write_all(b"\n").map_err(io_error(file))?;
                    }
                    clean += 1;
                }
            }
        }
    }
    if let Some((_, end)) = span {
        out.write_all(b"\n]").map_err(io_error(file))?;
        copy_range(kind, file, end, u64::MAX, &mut out)?;
    } else if is_array {
        out.write_all(b"\n]\n").map_err(io_error(file))?;
    }
    out.finish().map_err(io_error(file))?;
    Ok((records, clean))
}

/// Copies bytes `[from, to)` of the (decompressed) file to `out`, streaming.
fn copy_range(kind: FileKind, file: &Path, from: u64, to: u64, out: &mut impl Write) -> Result<(), SplitError> {
    let mut reader = kind.open_text(file).map_err(io_error(file))?;
    io::copy(&mut (&mut reader).take(from), &mut io::sink()).map_err(io_error(file))?;
    io::copy(&mut reader.take(to.saturating_sub(from)), out).map_err(io_error(file))?;
    Ok(())
}

/// The clean shard of a columnar input, in the input's own format.
enum TableShard<'w> {
    Parquet(ArrowWriter<&'w mut HashingFile>),
    ArrowStream(arrow_ipc::writer::StreamWriter<&'w mut HashingFile>),
    ArrowFile(arrow_ipc::writer::FileWriter<&'w mut HashingFile>),
    Csv(arrow_csv::Writer<&'w mut HashingFile>),
}

impl TableShard<'_> {
    fn write(&mut self, batch: &RecordBatch) -> Result<(), String> {
        match self {
            TableShard::Parquet(out) => out.write(batch).map_err(|err| err.to_string()),
            TableShard::ArrowStream(out) => out.write(batch).map_err(|err| err.to_string()),
            TableShard::ArrowFile(out) => out.write(batch).map_err(|err| err.to_string()),
            TableShard::Csv(out) => out.write(batch).map_err(|err| err.to_string()),
        }
    }

    fn finish(self) -> Result<(), String> {
        match self {
            TableShard::Parquet(out) => out.close().map(|_| ()).map_err(|err| err.to_string()),
            TableShard::ArrowStream(mut out) => out.finish().map_err(|err| err.to_string()),
            TableShard::ArrowFile(mut out) => out.finish().map_err(|err| err.to_string()),
            TableShard::Csv(out) => out.into_inner().flush().map_err(|err| err.to_string()),
        }
    }
}

/// Parquet, Arrow IPC and CSV: every column read and written back, rows filtered by verdict.
#[allow(clippy::too_many_arguments)]
fn split_table(
    file: &Path,
    kind: FileKind,
    path: &Arc<Path>,
    shard: &mut HashingFile,
    quarantine: &mut Quarantine,
    verdicts: &Verdicts<'_>,
    whole: Option<&Vec<&Finding>>,
    unreadable: &mut Vec<Unreadable>,
) -> Result<(u64, u64), SplitError> {
    let read_error = |message: String| SplitError::Read {
        path: file.to_owned(),
        message,
    };
    let (batches, mut out): (crate::reader::table::Batches, TableShard<'_>) = match kind {
        FileKind::Parquet => {
            let input = File::open(file).map_err(io_error(file))?;
            let builder = ParquetRecordBatchReaderBuilder::try_new(input).map_err(|err| read_error(err.to_string()))?;
            let schema = builder.schema().clone();
            let compression = builder
                .metadata()
                .row_groups()
                .first()
                .and_then(|group| group.columns().first())
                .map(|column| column.compression())
                .unwrap_or(parquet::basic::Compression::SNAPPY);
            let reader = builder.build().map_err(|err| read_error(err.to_string()))?;
            let properties = WriterProperties::builder().set_compression(compression).build();
            let writer =
                ArrowWriter::try_new(shard, schema, Some(properties)).map_err(|err| read_error(err.to_string()))?;
            (
                Box::new(reader.map(|batch| batch.map_err(|err| err.to_string()))),
                TableShard::Parquet(writer),
            )
        }
        FileKind::Arrow => {
            let (schema, file_format, batches) = crate::reader::ipc::all_batches(file).map_err(read_error)?;
            let writer = if file_format {
                TableShard::ArrowFile(
                    arrow_ipc::writer::FileWriter::try_new(shard, &schema)
                        .map_err(|err| read_error(err.to_string()))?,
                )
            } else {
                TableShard::ArrowStream(
                    arrow_ipc::writer::StreamWriter::try_new(shard, &schema)
                        .map_err(|err| read_error(err.to_string()))?,
                )
            };
            (batches, writer)
        }
        FileKind::Csv(delimiter) => {
            let batches = crate::reader::csv::all_batches(file, delimiter).map_err(read_error)?;
            let writer = arrow_csv::WriterBuilder::new()
                .with_header(true)
                .with_delimiter(delimiter)
                .build(shard);
            (batches, TableShard::Csv(writer))
        }
        FileKind::Jsonl(_) | FileKind::Json(_) => unreachable!("JSON is split by split_json"),
    };
    let (mut records, mut clean) = (0u64, 0u64);
    for batch in crate::reader::table::guarded(batches) {
        let batch = match batch {
            Ok(batch) => batch,
            Err(message) => {
                unreadable.push(Unreadable {
                    position: Position::Row(records),
                    message: crate::reader::row_read_failure(records, &message),
                });
                break;
            }
        };
        let mut keep = Vec::with_capacity(batch.num_rows());
        for index in 0..batch.num_rows() {
            let position = Position::Row(records + index as u64);
            match verdicts.get(&(path.clone(), position)).or(whole) {
                Some(findings) => {
                    quarantine.push(&quarantine_entry(file, position, row_json(&batch, index), findings))?;
                    keep.push(false);
                }
                None => keep.push(true),
            }
        }
        records += batch.num_rows() as u64;
        let mask = BooleanArray::from(keep);
        let kept =
            arrow_select::filter::filter_record_batch(&batch, &mask).map_err(|err| read_error(err.to_string()))?;
        clean += kept.num_rows() as u64;
        out.write(&kept).map_err(read_error)?;
    }
    out.finish().map_err(read_error)?;
    Ok((records, clean))
}

/// One Parquet row as a JSON object, for the quarantine file.
fn row_json(batch: &RecordBatch, row: usize) -> Value {
    let mut object = serde_json::Map::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        object.insert(field.name().clone(), cell_json(column.as_ref(), row));
    }
    Value::Object(object)
}

fn cell_json(array: &dyn Array, index: usize) -> Value {
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    use arrow_schema::DataType;
    if array.is_null(index) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Utf8 => json!(array.as_string::<i32>().value(index)),
        DataType::LargeUtf8 => json!(array.as_string::<i64>().value(index)),
        DataType::Utf8View => json!(array.as_string_view().value(index)),
        DataType::Dictionary(..) => match (
            array.as_any_dictionary_opt(),
            crate::reader::table::dictionary_key(array, index),
        ) {
            (Some(dictionary), Some(key)) => cell_json(dictionary.values().as_ref(), key),
            _ => Value::Null,
        },
        DataType::Boolean => json!(array.as_boolean().value(index)),
        DataType::Int8 => json!(array.as_primitive::<Int8Type>().value(index)),
        DataType::Int16 => json!(array.as_primitive::<Int16Type>().value(index)),
        DataType::Int32 => json!(array.as_primitive::<Int32Type>().value(index)),
        DataType::Int64 => json!(array.as_primitive::<Int64Type>().value(index)),
        DataType::UInt8 => json!(array.as_primitive::<UInt8Type>().value(index)),
        DataType::UInt16 => json!(array.as_primitive::<UInt16Type>().value(index)),
        DataType::UInt32 => json!(array.as_primitive::<UInt32Type>().value(index)),
        DataType::UInt64 => json!(array.as_primitive::<UInt64Type>().value(index)),
        DataType::Float32 => json!(array.as_primitive::<Float32Type>().value(index)),
        DataType::Float64 => json!(array.as_primitive::<Float64Type>().value(index)),
        DataType::List(_) => list_json(array.as_list::<i32>().value(index).as_ref()),
        DataType::LargeList(_) => list_json(array.as_list::<i64>().value(index).as_ref()),
        DataType::Struct(fields) => {
            let members = array.as_struct();
            let object = fields
                .iter()
                .zip(members.columns())
                .map(|(field, column)| (field.name().clone(), cell_json(column.as_ref(), index)))
                .collect();
            Value::Object(object)
        }
        other => json!(format!("<{other} value not shown; see the source file>")),
    }
}

fn list_json(values: &dyn Array) -> Value {
    Value::Array((0..values.len()).map(|index| cell_json(values, index)).collect())
}

fn manifest_json(
    linter: &Linter,
    report: &LintReport,
    files: &[FileSplit],
    blocking: &[Finding],
    options: &SplitOptions,
) -> Value {
    let settings = linter.settings();
    // A shard split past a dataset-level error carries it, so the gate can still refuse the shard.
    let dataset_errors = |source: &Path| -> Vec<Value> {
        let Some(dataset) = report
            .datasets
            .iter()
            .find(|dataset| dataset.files.iter().any(|file| file.as_ref() == source))
        else {
            return Vec::new();
        };
        let first = dataset.first_file();
        blocking
            .iter()
            .filter(|finding| finding.path == first)
            .map(finding_json)
            .collect()
    };
    let shards: Vec<Value> = files
        .iter()
        .filter(|file| file.shard.is_some())
        .map(|file| {
            json!({
                "path": file.shard.as_ref().map(|path| path.display().to_string()),
                "source": file.source.display().to_string(),
                "records": file.clean,
                "bytes": file.bytes,
                "sha256": file.sha256,
                "dataset_errors": dataset_errors(&file.source),
            })
        })
        .collect();
    let quarantine: Vec<Value> = files
        .iter()
        .filter_map(|file| {
            let path = file.quarantine.as_ref()?;
            Some(json!({"path": path.display().to_string(), "source": file.source.display().to_string(), "records": file.quarantined}))
        })
        .collect();
    let mut by_rule: BTreeMap<&str, u64> = BTreeMap::new();
    for finding in &report.findings {
        *by_rule.entry(finding.rule.name).or_default() += 1;
    }
    let fixes: Vec<Value> = files
        .iter()
        .flat_map(|file| {
            file.fixes.iter().map(
                |(line, applied)| json!({"source": file.source.display().to_string(), "line": line, "fixes": applied}),
            )
        })
        .collect();
    json!({
        "vazhi": crate::VERSION,
        "created": crate::clock::rfc3339(std::time::SystemTime::now()),
        "settings": settings.to_json(),
        "settings_sha256": settings.fingerprint(),
        "strict": options.strict,
        "fix": options.fix,
        "fixes": fixes,
        "shards": shards,
        "quarantine": quarantine,
        "inputs": files.iter().map(|file| json!({
            "path": file.source.display().to_string(),
            "records": file.records,
            "clean": file.clean,
            "quarantined": file.quarantined,
            "unreadable": file.unreadable.len(),
        })).collect::<Vec<_>>(),
        "unreadable": files
            .iter()
            .flat_map(|file| file.unreadable.iter().map(|unreadable| unreadable.json(&file.source)))
            .collect::<Vec<_>>(),
        "findings": by_rule,
        "unsplit": blocking.iter().map(finding_json).collect::<Vec<_>>(),
    })
}
