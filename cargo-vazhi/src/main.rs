//! `cargo vazhi`: the command line. Parses flags, builds settings, runs the library, picks a
//! reporter. Everything else lives in vazhi-lint so training code can use it without the CLI.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use vazhi_lint::report::{Format, Html, HtmlOptions, HumanOptions, Reporter};
use vazhi_lint::rules;
use vazhi_lint::settings::{ConfigError, Overrides, Settings};
use vazhi_lint::split::{SplitError, SplitOptions};
use vazhi_lint::tokens::{AuditError, TokenEngine, TokenizerReport};
use vazhi_lint::{Linter, Progress, Severity};

/// Cargo runs `cargo-vazhi vazhi …` for `cargo vazhi …`; both that and `cargo-vazhi …` work.
#[derive(Parser)]
#[command(
    name = "cargo vazhi",
    bin_name = "cargo vazhi",
    version,
    about = "Lint Tamil LLM training corpora before training on them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint corpus files (.jsonl, .ndjson, .json, each also .gz or .zst; .parquet; .arrow; .csv,
    /// .tsv) and folders of them.
    Lint(LintArgs),
    /// Show what vazhi reads and how: per file, its kind, records, layouts and fields, and what
    /// was skipped and why. Checks nothing.
    Files(FilesArgs),
    /// Write each record to a clean shard or to quarantine, with a manifest the training gate trusts.
    Split(SplitArgs),
    /// Lint and write one self-contained HTML page that shows the corpus and its defects.
    ///
    /// The verdict, how Tamil each language label really is, token lengths against the window
    /// (with --tokenizer), categories, copies, findings per rule and file, and real examples of
    /// each defect. It opens offline from a file:// URL.
    Report(ReportArgs),
    /// Lint a tokenizer.json (or a model folder) itself: vocabulary holes, pad = eos, unstable chat
    /// markers, Tamil fertility.
    Tokenizer(TokenizerArgs),
    /// List every rule.
    Rules {
        /// `text` (a table) or `json`.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Rule {
        /// A rule name (`tamil-ratio`) or code (`VZ101`).
        rule: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
    Jsonl,
    Github,
    Sarif,
    /// The page `cargo vazhi report` writes.
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Where settings come from: shared by every command that lints.
#[derive(clap::Args)]
struct ConfigArgs {
    /// Use this configuration file instead of searching for vazhi.toml / .vazhi.toml / Cargo.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run only these rules (codes, code prefixes or names, comma-separated); replaces `select`.
    #[arg(long, value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Do not run these rules; added to `ignore`.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    threads: Option<u16>,
    /// The model's Hugging Face tokenizer.json: turns on the token rules (with --max-seq-len).
    #[arg(long)]
    tokenizer: Option<PathBuf>,
    /// The training window in tokens.
    #[arg(long)]
    max_seq_len: Option<usize>,
    /// The chat template: a tokenizer_config.json (its `chat_template`) or a Jinja file.
    #[arg(long)]
    chat_template: Option<PathBuf>,
    /// How tokens are counted; the verdicts are the same either way.
    #[arg(long, value_enum)]
    token_engine: Option<TokenEngineArg>,
    /// A fastText language-ID model (.bin: GlotLID, lid.176) that decides what Latin text is
    /// (Tanglish, English, another language) in place of the built-in detector.
    #[arg(long)]
    lid_model: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum TokenEngineArg {
    /// The count-only byte-level BPE and the byte bound where the tokenizer allows them (default).
    Auto,
    /// `Tokenizer::encode` of the tokenizers library for every sample, no byte bound: the reference, slower.
    Encode,
}

#[derive(clap::Args)]
struct FilesArgs {
    /// Files or folders.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// `text` (a table) or `json`.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
    /// Use this configuration file instead of searching for vazhi.toml (its `[fields]` decide what
    /// is read).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(clap::Args)]
struct TokenizerArgs {
    /// The tokenizer.json to check, or a model folder holding one.
    tokenizer: PathBuf,
    /// tokenizer_config.json (or special_tokens_map.json / generation_config.json) for pad and eos
    /// (default: the tokenizer_config.json beside the tokenizer).
    #[arg(long)]
    config: Option<PathBuf>,
    /// A second tokenizer.json to compare Tamil fertility with.
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Chat markers that must be single, stable tokens (default: ChatML's).
    #[arg(long, value_delimiter = ',')]
    chat_markers: Vec<String>,
}

#[derive(clap::Args)]
struct SplitArgs {
    /// Files or folders to split.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output folder: clean/, quarantine/ and vazhi-manifest.json are written here.
    #[arg(long)]
    out: PathBuf,
    /// Quarantine records with warnings too.
    #[arg(long)]
    strict: bool,
    /// Write clean shards even when a dataset- or file-level finding is an error.
    #[arg(long)]
    allow_dataset_errors: bool,
    /// Apply safe fixes to the clean copies (NFC, empty think blocks, exact mojibake recovery).
    #[arg(long)]
    fix: bool,
    /// Write the split even when some input cannot be read as records (a line over 256 MiB, a
    /// compressed file cut short); the manifest lists what was not read.
    #[arg(long)]
    allow_unreadable: bool,
    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(clap::Args)]
struct LintArgs {
    /// Files or folders to lint. Folders are walked with .gitignore honoured and hidden files skipped.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    #[command(flatten)]
    config: ConfigArgs,
    /// Show counts per rule instead of each finding; with a tokenizer, also token statistics
    /// per dataset (every sample is then counted exactly, without the byte bound).
    #[arg(long)]
    statistics: bool,
    /// Exit 0 even when there are error-level findings.
    #[arg(long)]
    exit_zero: bool,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// Files or folders to lint.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Where to write the page (`-` for standard output).
    #[arg(long, default_value = "vazhi-report.html")]
    out: PathBuf,
    /// Example records shown per rule.
    #[arg(long, default_value_t = 5)]
    examples: usize,
    #[command(flatten)]
    config: ConfigArgs,
    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,
}

/// Exit statuses, as ruff and ripgrep use them.
const FAILURE: u8 = 2;

/// Why a command could not do its work (exit status 2); findings are not errors.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Split(#[from] SplitError),
    #[error(transparent)]
    Tokenizer(#[from] AuditError),
    #[error("--threads {threads}: cannot start the worker threads: {source}")]
    Threads {
        threads: u16,
        source: rayon::ThreadPoolBuildError,
    },
    #[error("no rule named `{0}` (see `cargo vazhi rules`)")]
    UnknownRule(String),
    #[error("writing the {what}: {source}")]
    Write { what: &'static str, source: io::Error },
}

/// Writes the output with `write`; a reader that went away (`| head`) is not an error.
fn emit(what: &'static str, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(Failure::Write { what, source: err }),
        _ => Ok(()),
    }
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|arg| arg == "vazhi") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { FAILURE } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Lint(args) => lint(args),
        Command::Files(args) => files(args),
        Command::Split(args) => split(args),
        Command::Report(args) => report(args),
        Command::Tokenizer(args) => tokenizer(args),
        Command::Rules { format } => list_rules(format),
        Command::Rule { rule } => show_rule(&rule),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(FAILURE)
        }
    }
}

/// More threads than this is a typo, not a machine: each one reserves a stack.
const MAX_THREADS: i64 = 1024;

impl ConfigArgs {
    /// The flags as overrides of the configuration file.
    fn overrides(&self) -> Overrides {
        Overrides {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            tokenizer: self.tokenizer.clone(),
            max_seq_len: self.max_seq_len,
            chat_template: self.chat_template.clone(),
            token_engine: self.token_engine.map(|engine| match engine {
                TokenEngineArg::Auto => TokenEngine::Auto,
                TokenEngineArg::Encode => TokenEngine::Encode,
            }),
            lid_model: self.lid_model.clone(),
        }
    }

    /// Starts the worker threads and loads the settings for a run over `paths`.
    fn settings(&self, paths: &[PathBuf]) -> Result<Settings, Failure> {
        if let Some(threads) = self.threads {
            rayon::ThreadPoolBuilder::new()
                .num_threads(usize::from(threads))
                .build_global()
                .map_err(|source| Failure::Threads { threads, source })?;
        }
        Ok(Settings::load(
            self.config.as_deref(),
            first_path(paths),
            &self.overrides(),
        )?)
    }
}

/// Where the configuration search starts.
fn first_path(paths: &[PathBuf]) -> &Path {
    paths.first().map_or(Path::new("."), PathBuf::as_path)
}

/// A progress bar on stderr for long runs on a terminal.
struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    fn new(wanted: bool) -> Bar {
        Bar((wanted && io::stderr().is_terminal()).then(|| {
            let style =
                indicatif::ProgressStyle::with_template("{spinner} linting {bytes}/{total_bytes} {wide_bar} {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            indicatif::ProgressBar::new(0).with_style(style)
        }))
    }
}

/// Below this a run finishes before a bar is worth drawing.
const BAR_MIN_BYTES: u64 = 64 << 20;

impl Progress for Bar {
    fn start(&self, total_bytes: u64) {
        if let Some(bar) = &self.0 {
            if total_bytes < BAR_MIN_BYTES {
                bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            bar.set_length(total_bytes);
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

fn lint(args: LintArgs) -> Result<ExitCode, Failure> {
    let html = matches!(args.format, OutputFormat::Html);
    if html && args.statistics {
        return Err(ConfigError::CommandLine(
            "--statistics prints counts, not the HTML page: drop one of --statistics and --format html".into(),
        )
        .into());
    }
    let settings = args.config.settings(&args.paths)?;
    let linter = Linter::new(settings)
        .token_statistics(args.statistics || html)
        .profile(html)
        .count_only(args.statistics);

    // `None` for HTML, whose reporter needs the settings.
    let format = match args.format {
        OutputFormat::Human => Some(Format::Human),
        OutputFormat::Json => Some(Format::Json),
        OutputFormat::Jsonl => Some(Format::Jsonl),
        OutputFormat::Github => Some(Format::Github),
        OutputFormat::Sarif => Some(Format::Sarif),
        OutputFormat::Html => None,
    };
    let options = HumanOptions {
        statistics_only: args.statistics,
        ..human_options(args.color)
    };
    let mut reporter: Box<dyn Reporter> = match format {
        Some(format) => format.reporter(options),
        None => Box::new(Html::new(linter.settings(), HtmlOptions::default())),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let progress = Bar::new(!args.no_progress);
    let (report, written) = if args.statistics {
        let report = linter.lint_paths(&args.paths, &progress);
        let written = if format == Some(Format::Human) {
            reporter.finish(&report, &mut out)
        } else {
            serde_json::to_writer_pretty(&mut out, &vazhi_lint::report::statistics_json(&report))
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
        };
        (report, written)
    } else {
        write_lint(&linter, &args.paths, &progress, reporter.as_mut(), &mut out)
    };
    match written.and_then(|()| out.flush()) {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            return Err(Failure::Write {
                what: "report",
                source: err,
            });
        }
        _ => {}
    }
    if format != Some(Format::Human) {
        for problem in &report.path_problems {
            eprintln!("error: {}: {}", problem.path.display(), problem.message);
        }
    }
    warn_unread(&report);
    note_without_records(&report);
    if !report.path_problems.is_empty() {
        return Ok(ExitCode::from(FAILURE));
    }
    let failed = report.count(Severity::Error) > 0 && !args.exit_zero;
    Ok(ExitCode::from(u8::from(failed)))
}

/// Lints `paths`, writing findings to `out` as the run settles them and the report's end after
/// the last. The first write error stops the writing, not the run, whose counts still decide the
/// exit status.
fn write_lint(
    linter: &Linter,
    paths: &[PathBuf],
    progress: &dyn Progress,
    reporter: &mut dyn Reporter,
    out: &mut dyn Write,
) -> (vazhi_lint::LintReport, io::Result<()>) {
    let mut written: io::Result<()> = Ok(());
    let report = linter.lint_paths_streaming(paths, progress, &mut |findings| {
        if written.is_ok() {
            written = reporter.findings(&findings, out);
        }
    });
    let written = written.and_then(|()| reporter.finish(&report, out));
    (report, written)
}

/// `cargo vazhi report`: the HTML page, written to a file (through a temporary file beside it, so
/// a failed run never leaves half a page) or to standard output.
fn report(args: ReportArgs) -> Result<ExitCode, Failure> {
    let settings = args.config.settings(&args.paths)?;
    let linter = Linter::new(settings).token_statistics(true).profile(true);
    let mut reporter = Html::new(
        linter.settings(),
        HtmlOptions {
            examples: args.examples,
        },
    );
    let progress = Bar::new(!args.no_progress);
    let to_stdout = args.out.as_os_str() == "-";
    let mut page = Vec::new();
    let (report, written) = write_lint(&linter, &args.paths, &progress, &mut reporter, &mut page);
    written.map_err(|source| Failure::Write { what: "report", source })?;
    if to_stdout {
        emit("report", |out| out.write_all(&page))?;
    } else {
        write_atomically(&args.out, &page).map_err(|source| Failure::Write {
            what: "report",
            source: io::Error::new(source.kind(), format!("{}: {source}", args.out.display())),
        })?;
    }
    for problem in &report.path_problems {
        eprintln!("error: {}: {}", problem.path.display(), problem.message);
    }
    warn_unread(&report);
    note_without_records(&report);
    if !to_stdout {
        eprintln!(
            "Wrote {}: {} records, {} errors, {} warnings.",
            args.out.display(),
            vazhi_lint::report::thousands(report.records),
            report.count(Severity::Error),
            report.count(Severity::Warning)
        );
    }
    Ok(ExitCode::from(if report.path_problems.is_empty() {
        0
    } else {
        FAILURE
    }))
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let mut temporary = name.to_os_string();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = path.with_file_name(temporary);
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// Colour and width of the human format: colour on a terminal unless NO_COLOR is set, the
/// width from $COLUMNS.
fn human_options(color: Color) -> HumanOptions {
    let color = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    HumanOptions {
        color,
        width: terminal_width().unwrap_or(100),
        statistics_only: false,
    }
}

/// Warns on stderr about data files in the linted folders that vazhi does not read: a corpus in
/// CSV or plain text would otherwise pass as "nothing found".
fn warn_unread(report: &vazhi_lint::LintReport) {
    let unread = &report.unread_files;
    if unread.is_empty() {
        return;
    }
    let shown: Vec<String> = unread.iter().take(3).map(|path| path.display().to_string()).collect();
    let more = match unread.len().saturating_sub(shown.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    eprintln!(
        "warning: not linted, in a format vazhi does not read: {}{more} (it reads {})",
        shown.join(", "),
        vazhi_lint::reader::READ_KINDS
    );
}

/// Names the JSON files that hold no records (metadata, manifests, empty files): not an error,
/// but not silently passed over either.
fn note_without_records(report: &vazhi_lint::LintReport) {
    let without = report.files_without_records();
    if without.is_empty() {
        return;
    }
    let shown: Vec<String> = without.iter().take(3).map(|path| path.display().to_string()).collect();
    let more = match without.len().saturating_sub(shown.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let files = if without.len() == 1 { "file holds" } else { "files hold" };
    eprintln!(
        "note: {} JSON {files} no records (metadata, not a corpus): {}{more}",
        without.len(),
        shown.join(", ")
    );
}

fn files(args: FilesArgs) -> Result<ExitCode, Failure> {
    // Only the reader: the same records lint reads, no rule's work.
    let reader_only = Overrides {
        select: Some(vec![vazhi_lint::rules::invalid_record::INVALID_RECORD.code.to_owned()]),
        ..Overrides::default()
    };
    let settings = Settings::load(args.config.as_deref(), first_path(&args.paths), &reader_only)?;
    let report = Linter::new(settings)
        .describe_files(true)
        .lint_paths(&args.paths, &Bar::new(false));
    let listing = vazhi_lint::report::files::Listing::new(&report, &args.paths);
    emit("listing", |out| match args.format {
        ListFormat::Text => listing.write_table(out),
        ListFormat::Json => listing.write_json(out),
    })?;
    for problem in &report.path_problems {
        eprintln!("error: {}: {}", problem.path.display(), problem.message);
    }
    Ok(ExitCode::from(if report.path_problems.is_empty() {
        0
    } else {
        FAILURE
    }))
}

fn terminal_width() -> Option<usize> {
    let columns: usize = std::env::var("COLUMNS").ok()?.parse().ok()?;
    Some(columns.clamp(60, 200))
}

fn list_rules(format: ListFormat) -> Result<ExitCode, Failure> {
    emit("rule list", |out| match format {
        ListFormat::Text => rules::all().try_for_each(|meta| {
            writeln!(
                out,
                "{:<6} {:<22} {:<8} {}",
                meta.code,
                meta.name,
                meta.severity.name(),
                meta.summary
            )
        }),
        ListFormat::Json => {
            let all: Vec<_> = rules::all()
                .map(|meta| {
                    serde_json::json!({"code": meta.code, "name": meta.name, "severity": meta.severity.name(), "summary": meta.summary})
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &all)?;
            writeln!(out)
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

fn show_rule(name: &str) -> Result<ExitCode, Failure> {
    let meta = rules::find(name).ok_or_else(|| Failure::UnknownRule(name.to_owned()))?;
    emit("rule page", |out| write!(out, "{}", rules::page(meta)))?;
    Ok(ExitCode::SUCCESS)
}

fn split(args: SplitArgs) -> Result<ExitCode, Failure> {
    let settings = args.config.settings(&args.paths)?;
    let linter = Linter::new(settings);
    let options = SplitOptions {
        out: args.out,
        strict: args.strict,
        allow_dataset_errors: args.allow_dataset_errors,
        fix: args.fix,
        allow_unreadable: args.allow_unreadable,
    };
    let outcome = vazhi_lint::split::split(&linter, &args.paths, &options, &Bar::new(true))?;
    warn_unread(&outcome.report);
    emit("summary", |out| outcome.write_summary(out, human_options(Color::Auto)))?;
    Ok(ExitCode::from(u8::from(!outcome.published())))
}

fn tokenizer(args: TokenizerArgs) -> Result<ExitCode, Failure> {
    let markers: Vec<&str> = args.chat_markers.iter().map(String::as_str).collect();
    let report = TokenizerReport::check(
        &args.tokenizer,
        args.config.as_deref(),
        &markers,
        args.compare.as_deref(),
    )?;
    emit("audit", |out| report.write_text(out))?;
    Ok(ExitCode::from(u8::from(report.count(Severity::Error) > 0)))
}
