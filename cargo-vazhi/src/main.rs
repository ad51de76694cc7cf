//! `cargo vazhi`: the command line. Parses flags, builds settings, runs the library, picks a
//! reporter. Everything else lives in vazhi-lint so training code can use it without the CLI.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use vazhi_lint::report::{Format, HumanOptions};
use vazhi_lint::rules;
use vazhi_lint::settings::{Options, Settings};
use vazhi_lint::tokens::TokenEngine;
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

/// Exit statuses, as ruff and ripgrep use them.
const FAILURE: u8 = 2;

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
        Command::Tokenizer(args) => tokenizer(args),
        Command::Rules { format } => list_rules(format),
        Command::Rule { rule } => show_rule(&rule),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(FAILURE)
        }
    }
}

/// More threads than this is a typo, not a machine: each one reserves a stack.
const MAX_THREADS: i64 = 1024;

fn settings_for(args: &ConfigArgs, paths: &[PathBuf]) -> Result<Settings, String> {
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(threads))
            .build_global()
            .map_err(|err| format!("--threads {threads}: cannot start the worker threads: {err}"))?;
    }
    let mut settings = match &args.config {
        Some(path) => Settings::from_file(path),
        None => Settings::discover(paths.first().map_or(std::path::Path::new("."), PathBuf::as_path)),
    }
    .map_err(|err| err.to_string())?;
    if args.select.is_some() || !args.ignore.is_empty() {
        // Re-resolve the selection with the flags on top of the file's choice.
        let select = args
            .select
            .clone()
            .unwrap_or_else(|| settings.enabled.iter().map(|code| (*code).to_owned()).collect());
        let options = Options {
            select: Some(select),
            ignore: Some(args.ignore.clone()),
            ..Options::default()
        };
        let flags =
            Settings::resolve(options, settings.root.clone(), None).map_err(|err| format!("command line: {err}"))?;
        settings.enabled = flags.enabled;
    }
    if args.tokenizer.is_some()
        || args.max_seq_len.is_some()
        || args.chat_template.is_some()
        || args.token_engine.is_some()
    {
        let configured = settings.tokens.as_ref();
        let tokenizer = args
            .tokenizer
            .clone()
            .or_else(|| configured.map(|tokens| tokens.tokenizer.clone()));
        let max_seq_len = args.max_seq_len.or_else(|| configured.map(|tokens| tokens.max_seq_len));
        let template = args
            .chat_template
            .clone()
            .or_else(|| configured.and_then(|tokens| tokens.chat_template.clone()));
        let engine = match args.token_engine {
            Some(TokenEngineArg::Auto) => TokenEngine::Auto,
            Some(TokenEngineArg::Encode) => TokenEngine::Encode,
            None => configured.map_or(TokenEngine::Auto, |tokens| tokens.engine),
        };
        let (Some(tokenizer), Some(max_seq_len)) = (tokenizer, max_seq_len) else {
            return Err("the token rules need both --tokenizer and --max-seq-len (or `tokenizer` and `max-seq-len` in vazhi.toml)".into());
        };
        settings.tokens = Some(vazhi_lint::tokens::TokenSettings::load_with_engine(
            &tokenizer,
            max_seq_len,
            template.as_deref(),
            engine,
        )?);
    }
    Ok(settings)
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

fn lint(args: LintArgs) -> Result<ExitCode, String> {
    let settings = settings_for(&args.config, &args.paths)?;
    let linter = Linter::new(settings)
        .token_statistics(args.statistics)
        .count_only(args.statistics);
    let report = linter.lint_paths(&args.paths, &Bar::new(!args.no_progress));

    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let width = terminal_width().unwrap_or(100);
    let format = match args.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Json => Format::Json,
        OutputFormat::Jsonl => Format::Jsonl,
        OutputFormat::Github => Format::Github,
        OutputFormat::Sarif => Format::Sarif,
    };
    let options = HumanOptions {
        color,
        width,
        statistics_only: args.statistics,
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = if args.statistics && format != Format::Human {
        write_statistics_json(&report, &mut out)
    } else {
        format.reporter(options).report(&report, &mut out)
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
        Err(err) => return Err(format!("writing the report: {err}")),
    }
    if format != Format::Human {
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

fn files(args: FilesArgs) -> Result<ExitCode, String> {
    let mut settings = match &args.config {
        Some(path) => Settings::from_file(path),
        None => Settings::discover(args.paths.first().map_or(std::path::Path::new("."), PathBuf::as_path)),
    }
    .map_err(|err| err.to_string())?;
    // Only the reader: the same records lint reads, no rule's work.
    settings.enabled = vec![vazhi_lint::rules::invalid_record::INVALID_RECORD.code];
    let report = Linter::new(settings)
        .describe_files(true)
        .lint_paths(&args.paths, &Bar::new(false));
    let listing = vazhi_lint::report::files::Listing::new(&report, &args.paths);
    let mut out = io::stdout().lock();
    let written = match args.format {
        ListFormat::Text => listing.write_table(&mut out),
        ListFormat::Json => listing.write_json(&mut out),
    };
    match written {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
        Err(err) => return Err(format!("writing the listing: {err}")),
    }
    for problem in &report.path_problems {
        eprintln!("error: {}: {}", problem.path.display(), problem.message);
    }
    Ok(ExitCode::from(if report.path_problems.is_empty() {
        0
    } else {
        FAILURE
    }))
}

fn write_statistics_json(report: &vazhi_lint::LintReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &vazhi_lint::report::statistics_json(report))?;
    writeln!(out)
}

fn terminal_width() -> Option<usize> {
    let columns: usize = std::env::var("COLUMNS").ok()?.parse().ok()?;
    Some(columns.clamp(60, 200))
}

fn list_rules(format: ListFormat) -> Result<ExitCode, String> {
    let mut out = io::stdout().lock();
    let result = match format {
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
            serde_json::to_writer_pretty(&mut out, &all)
                .map_err(io::Error::other)
                .and_then(|()| writeln!(out))
        }
    };
    result.map_err(|err| err.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn show_rule(name: &str) -> Result<ExitCode, String> {
    let meta = rules::find(name).ok_or_else(|| format!("no rule named `{name}` (see `cargo vazhi rules`)"))?;
    print!("{}", vazhi_lint::rules::page(meta));
    Ok(ExitCode::SUCCESS)
}

fn split(args: SplitArgs) -> Result<ExitCode, String> {
    let settings = settings_for(&args.config, &args.paths)?;
    let linter = Linter::new(settings);
    let options = vazhi_lint::split::SplitOptions {
        out: args.out.clone(),
        strict: args.strict,
        allow_dataset_errors: args.allow_dataset_errors,
        fix: args.fix,
        allow_unreadable: args.allow_unreadable,
    };
    let outcome =
        vazhi_lint::split::split(&linter, &args.paths, &options, &Bar::new(true)).map_err(|err| err.to_string())?;
    warn_unread(&outcome.report);
    let mut out = io::stdout().lock();
    let write = |out: &mut dyn Write, text: String| writeln!(out, "{text}").map_err(|err| err.to_string());
    if outcome.manifest.is_none() && outcome.blocking.is_empty() {
        let mut count = 0;
        for (source, unreadable) in outcome.unreadable() {
            count += 1;
            let at = match unreadable.position {
                vazhi_lint::Position::Line(line) => format!("{}:{line}", source.display()),
                vazhi_lint::Position::Row(row) => format!("{} (row {row})", source.display()),
            };
            write(&mut out, format!("{at}: {}", unreadable.message))?;
        }
        write(
            &mut out,
            format!(
                "Nothing written: {count} part{} of the input could not be read as records (above). Fix the input, or pass --allow-unreadable to split the rest and list these in the manifest.",
                if count == 1 { "" } else { "s" }
            ),
        )?;
        return Ok(ExitCode::from(1));
    }
    if outcome.manifest.is_none() {
        let blocked = vazhi_lint::LintReport {
            findings: outcome.blocking.clone(),
            files: outcome.report.files.clone(),
            records: outcome.report.records,
            bytes: outcome.report.bytes,
            ..Default::default()
        };
        let options = HumanOptions {
            color: io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            width: terminal_width().unwrap_or(100),
            statistics_only: false,
        };
        Format::Human
            .reporter(options)
            .report(&blocked, &mut out)
            .map_err(|err| err.to_string())?;
        write(
            &mut out,
            "Nothing written: dataset-level errors above (use --allow-dataset-errors to split anyway).".into(),
        )?;
        return Ok(ExitCode::from(1));
    }
    let fixed: usize = outcome.files.iter().map(|file| file.fixes.len()).sum();
    let (mut clean, mut quarantined, mut unreadable) = (0, 0, 0);
    for file in &outcome.files {
        clean += file.clean;
        quarantined += file.quarantined;
        unreadable += file.unreadable.len();
        let unread = match file.unreadable.len() {
            0 => String::new(),
            count => format!(", {count} unreadable (in the manifest)"),
        };
        write(
            &mut out,
            format!(
                "{}: {} clean, {} quarantined{unread}",
                file.source.display(),
                file.clean,
                file.quarantined
            ),
        )?;
    }
    let unread = match unreadable {
        0 => String::new(),
        count => format!(", {count} unreadable"),
    };
    write(
        &mut out,
        format!(
            "Split {} records from {} files into {}: {clean} clean ({fixed} fixed), {quarantined} quarantined{unread}. Manifest: {}",
            clean + quarantined,
            outcome.files.len(),
            args.out.display(),
            outcome
                .manifest
                .as_ref()
                .map_or_else(String::new, |path| path.display().to_string())
        ),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn tokenizer(args: TokenizerArgs) -> Result<ExitCode, String> {
    use vazhi_lint::tokens::{IssueSeverity, TokenCounter, audit, compare, fertility};
    let (tokenizer, config) = vazhi_lint::tokens::locate(&args.tokenizer, args.config.as_deref());
    let args = TokenizerArgs {
        tokenizer,
        config,
        ..args
    };
    let markers: Vec<&str> = args.chat_markers.iter().map(String::as_str).collect();
    let issues = audit(&args.tokenizer, args.config.as_deref(), &markers).map_err(|err| err.to_string())?;
    let mut out = io::stdout().lock();
    let mut write = |text: String| writeln!(out, "{text}").map_err(|err| err.to_string());
    let path = args.tokenizer.display();
    for issue in &issues {
        let level = match issue.severity {
            IssueSeverity::Error => "error",
            IssueSeverity::Warning => "warning",
            IssueSeverity::Info => "info",
        };
        write(format!("{path}: {level}[{}]: {}", issue.check, issue.message))?;
    }
    let sample: Vec<&str> = vazhi_lint::tokens::audit::FERTILITY_SAMPLE
        .lines()
        .filter(|line| !line.is_empty())
        .collect();
    // A tokenizer broken badly enough (a vocabulary hole) may not load at all: say so, keep the audit.
    match TokenCounter::from_file(&args.tokenizer) {
        Ok(counter) => {
            let measured = fertility(&counter, &sample).map_err(|err| err.to_string())?;
            write(format!(
                "{path}: Tamil fertility on the 1330 kurals: {:.2} tokens per Tamil code point, {:.1} per Tamil word",
                measured.tokens_per_tamil_char, measured.tokens_per_tamil_word
            ))?;
            if let Some(other) = &args.compare {
                let other_counter = TokenCounter::from_file(other).map_err(|err| err.to_string())?;
                let comparison = compare(&counter, &other_counter, &sample).map_err(|err| err.to_string())?;
                write(format!("A = {path}, B = {}: {comparison}", other.display()))?;
            }
        }
        Err(err) => write(format!(
            "{path}: fertility not measured: the tokenizers library cannot load it: {err}"
        ))?,
    }
    let errors = issues
        .iter()
        .filter(|issue| issue.severity == IssueSeverity::Error)
        .count();
    let warnings = issues
        .iter()
        .filter(|issue| issue.severity == IssueSeverity::Warning)
        .count();
    write(format!("{errors} errors, {warnings} warnings"))?;
    Ok(ExitCode::from(u8::from(errors > 0)))
}
