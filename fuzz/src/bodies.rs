//! One body per fuzz target, shared by the libFuzzer targets (`fuzz/fuzz_targets/*.rs`) and by
//! the stable replay test (`tests/tests/fuzz_corpus.rs`, which includes this file by path). It
//! uses only crates both have: vazhi-lint, serde_json, flate2, zstd, parquet, arrow.
//!
//! Each body takes arbitrary bytes and panics only when an invariant breaks:
//!
//! * no panic anywhere in vazhi-lint (libFuzzer reports one as a crash);
//! * every record accounted for: `split` (with `allow_unreadable` and `allow_dataset_errors`)
//!   never fails its count check, writes `clean + quarantined == records` per file, agrees with
//!   a plain `lint` of the same file, and the quarantine file holds one line per quarantined
//!   record; for plain JSON Lines the records are also counted here, independently (one per
//!   non-blank line), and a compressed file reads as the same records as its plain content;
//! * ranges that vazhi hands out (turns, spans, rendered responses) lie inside their text, on
//!   character boundaries;
//! * the fast token counter agrees with `Tokenizer::encode`, between its own bounds.
//!
//! Time and memory are bounded by libFuzzer's `-timeout` and `-rss_limit_mb` (see the README).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use vazhi_lint::conversation::Message;
use vazhi_lint::record::{Position, Record, Source};
use vazhi_lint::split::{SplitError, SplitOptions, split};
use vazhi_lint::tokens::{ChatTemplate, TokenCounter};
use vazhi_lint::{Linter, Settings, Silent};

/// A fuzz target's body.
pub type Body = fn(&[u8]);

/// Every target, by the name of its `fuzz/fuzz_targets/<name>.rs` and `fuzz/corpus/<name>/`.
pub const TARGETS: &[(&str, Body)] = &[
    ("jsonl", jsonl),
    ("json_document", json_document),
    ("compressed", compressed),
    ("parquet", parquet),
    ("layout", layout),
    ("config", config),
    ("chat_template", chat_template),
    ("tokenizer_audit", tokenizer_audit),
];

// ---------------------------------------------------------------------------------------------
// Scratch folders: the readers take paths, so each input is written to a file (in /dev/shm when
// there is one: no disk traffic at thousands of executions a second).

struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!(
            "vazhi-fuzz-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create a scratch folder");
        Scratch(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        fs::write(&path, bytes).expect("write the input");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn linter() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(|| Linter::new(Settings::default()))
}

// ---------------------------------------------------------------------------------------------
// Every record accounted for.

/// What `lint` and `split` made of one file.
struct Accounted {
    /// Records split placed (clean or quarantined).
    records: u64,
    /// Whether split listed input it could not read as records.
    unreadable: bool,
}

/// Lints and splits `bytes` as a file called `name`, asserting that every record is accounted
/// for. `None` when split refused with a named error (never a panic, never a count mismatch).
fn lint_and_split(name: &str, bytes: &[u8]) -> Option<Accounted> {
    let scratch = Scratch::new();
    let input = scratch.write(name, bytes);
    lint_and_split_file(&scratch, &input)
}

fn lint_and_split_file(scratch: &Scratch, input: &Path) -> Option<Accounted> {
    let linter = linter();
    let inputs = [input.to_path_buf()];
    let report = linter.lint_paths(&inputs, &Silent);
    let linted = report.records_per_file.get(input).copied();
    assert_eq!(
        report.records,
        linted.unwrap_or(0),
        "lint's total differs from its count for the one file"
    );
    let out = scratch.0.join("out");
    let options = SplitOptions {
        out: out.clone(),
        strict: false,
        allow_dataset_errors: true,
        fix: false,
        allow_unreadable: true,
    };
    let outcome = match split(linter, &inputs, &options, &Silent) {
        Ok(outcome) => outcome,
        Err(SplitError::Count(message)) => panic!("a record was not accounted for: {message}"),
        // A named error (an unreadable file, a refused path): reported, nothing lost silently.
        Err(SplitError::Refused(_) | SplitError::Io { .. } | SplitError::Read { .. }) => return None,
    };
    assert_eq!(
        outcome.report.records, report.records,
        "two lints of the same file read different numbers of records"
    );
    let mut unreadable = false;
    for file in &outcome.files {
        assert_eq!(
            file.records,
            file.clean + file.quarantined,
            "{}: records in != clean + quarantined",
            file.source.display()
        );
        // Split reads what lint read, except: a table lint could pick no records from (no text
        // column) is split row by row, all quarantined; and a column only split decodes may stop
        // it early, the rest then listed as unreadable.
        let linted = outcome.report.records_per_file.get(&file.source).copied();
        let whole_file_finding = linted == Some(0) && file.quarantined == file.records;
        let stopped_early = !file.unreadable.is_empty() && linted.is_some_and(|linted| file.records < linted);
        assert!(
            Some(file.records) == linted || whole_file_finding || stopped_early,
            "split read {} records, lint {linted:?}",
            file.records
        );
        if let Some(quarantine) = &file.quarantine {
            let text = fs::read(out.join(quarantine)).expect("read the quarantine");
            let lines = text.split(|&b| b == b'\n').filter(|line| !line.is_empty()).count() as u64;
            assert_eq!(
                lines, file.quarantined,
                "the quarantine holds a line per quarantined record"
            );
            for line in text.split(|&b| b == b'\n').filter(|line| !line.is_empty()) {
                serde_json::from_slice::<serde_json::Value>(line).expect("a quarantine line is JSON");
            }
        } else {
            assert_eq!(file.quarantined, 0, "quarantined records but no quarantine file");
        }
        if file.clean == 0 {
            assert!(file.shard.is_none(), "a shard without clean records");
        }
        unreadable |= !file.unreadable.is_empty();
    }
    Some(Accounted {
        records: outcome.files.iter().map(|file| file.records).sum(),
        unreadable,
    })
}

/// The records of a JSON Lines text, counted as the format says: one per line with anything but
/// ASCII whitespace on it, after a leading byte order mark.
fn jsonl_records(bytes: &[u8]) -> u64 {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
        .count() as u64
}

/// Whether vazhi reads this head as UTF-16 (a whole-file error, no records).
fn looks_utf16(bytes: &[u8]) -> bool {
    vazhi_lint::reader::utf16(&bytes[..bytes.len().min(64 << 10)]).is_some()
}

// ---------------------------------------------------------------------------------------------
// Targets.

/// Arbitrary bytes as a `.jsonl` file: lint, split, and an independent count of the lines.
pub fn jsonl(data: &[u8]) {
    if let Some(accounted) = lint_and_split("data.jsonl", data)
        && !accounted.unreadable
        && !looks_utf16(data)
    {
        assert_eq!(
            accounted.records,
            jsonl_records(data),
            "records read != non-blank lines of the JSON Lines file"
        );
    }
}

/// Arbitrary bytes as a `.json` document: an array, an object wrapping record lists, a stream of
/// pretty-printed values, or JSON Lines under a `.json` name.
pub fn json_document(data: &[u8]) {
    lint_and_split("data.json", data);
}

/// Compressed input. The first byte picks the container (JSON Lines or a JSON document) and the
/// codec (gzip or zstd), and whether the rest is the compressed file itself (arbitrary bytes:
/// corrupt streams must be named errors) or content to compress here, optionally cut short
/// (a truncated download). Compressed well-formed content must read as the same records as the
/// same content uncompressed.
pub fn compressed(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let lines = mode & 1 == 0;
    let gzip = mode & 2 == 0;
    let raw = mode & 4 != 0;
    let name = match (lines, gzip) {
        (true, true) => "data.jsonl.gz",
        (true, false) => "data.jsonl.zst",
        (false, true) => "data.json.gz",
        (false, false) => "data.json.zst",
    };
    if raw {
        lint_and_split(name, rest);
        return;
    }
    let (cut, content) = match rest.split_first_chunk::<2>() {
        Some((cut, content)) => (u16::from_le_bytes(*cut), content),
        None => (0, rest),
    };
    let mut packed = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(content).expect("gzip in memory");
        encoder.finish().expect("gzip in memory")
    } else {
        zstd::stream::encode_all(content, 1).expect("zstd in memory")
    };
    // The high bit asks for a truncated file, cut at `cut` modulo its length.
    let truncated = mode & 8 != 0 && !packed.is_empty();
    if truncated {
        packed.truncate(usize::from(cut) % packed.len());
    }
    let compressed = lint_and_split(name, &packed);
    if truncated {
        return;
    }
    let plain = lint_and_split(if lines { "data.jsonl" } else { "data.json" }, content);
    if let (Some(compressed), Some(plain)) = (compressed, plain)
        && !compressed.unreadable
        && !plain.unreadable
    {
        assert_eq!(
            compressed.records, plain.records,
            "the compressed file read as different records than its content"
        );
    }
}

/// Parquet. Even first byte: the rest as a `.parquet` file (arbitrary bytes must be a named
/// error). Odd: a table built here from the rest, one row per line, in columns named by the
/// second byte, with row groups as small as the third byte says; every row must be a record.
pub fn parquet(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        lint_and_split("data.parquet", rest);
        return;
    }
    let (layout, group, content) = match rest {
        [layout, group, content @ ..] => (*layout, *group, content),
        _ => (0, 0, rest),
    };
    let Some(bytes) = parquet_table(layout, group, content) else {
        return;
    };
    let rows = String::from_utf8_lossy(content).split('\n').count() as u64;
    if let Some(accounted) = lint_and_split("data.parquet", &bytes)
        && !accounted.unreadable
    {
        assert_eq!(accounted.records, rows, "rows of the Parquet file != records read");
    }
}

/// Column sets a corpus table has.
const TABLE_LAYOUTS: &[&[&str]] = &[
    &["text"],
    &["instruction", "output"],
    &["instruction", "input", "output"],
    &["question", "answer"],
    &["prompt", "completion"],
    &["prompt", "chosen", "rejected"],
    &["messages"],
    &["conversations", "language"],
    &["id", "content"],
];

/// A Parquet file of string columns; a field is null when the line has fewer `\t`-separated
/// cells than columns, or the cell is `\0`.
fn parquet_table(layout: u8, group: u8, content: &[u8]) -> Option<Vec<u8>> {
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    let columns = TABLE_LAYOUTS[usize::from(layout) % TABLE_LAYOUTS.len()];
    let text = String::from_utf8_lossy(content);
    let rows: Vec<Vec<&str>> = text.split('\n').map(|line| line.split('\t').collect()).collect();
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|name| Field::new(*name, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let arrays: Vec<ArrayRef> = (0..columns.len())
        .map(|column| {
            Arc::new(
                rows.iter()
                    .map(|cells| cells.get(column).copied().filter(|cell| *cell != "\0"))
                    .collect::<StringArray>(),
            ) as ArrayRef
        })
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).ok()?;
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(usize::from(group % 16) + 1))
        .build();
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, schema, Some(properties)).ok()?;
    writer.write(&batch).ok()?;
    writer.close().ok()?;
    Some(out)
}

/// One JSON value through the record layouts (`reader::json::parse_record` and the record rules),
/// and its text through the ChatML splitter.
pub fn layout(data: &[u8]) {
    let path: Arc<Path> = Arc::from(Path::new("record.jsonl"));
    let source = Source::new(path.clone(), 0);
    let linter = linter();
    if let Ok(record) =
        vazhi_lint::reader::json::parse_record(data, Position::Line(1), &source, &linter.settings().fields)
    {
        check_record(&record);
    }
    linter.check_json_record(&path, Position::Line(1), data);
    let text = String::from_utf8_lossy(data);
    for (_, range, _) in vazhi_lint::layout::chatml_turns(&text) {
        assert_range(&text, &range, "chatml_turns");
    }
}

fn assert_range(text: &str, range: &std::ops::Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what}: {range:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what}: {range:?} not on character boundaries"
    );
}

fn check_record(record: &Record<'_>) {
    for field in &record.fields {
        if let Some(raw) = &field.raw {
            assert!(raw.range.end <= raw.source.len(), "a raw span outside its source");
        }
        field.source_column(0);
        field.source_column(field.text.len());
        field.source_line_offset();
    }
    for turn in record.turns.iter().chain(&record.rejected) {
        let field = record.fields.get(turn.field).expect("a turn names an existing field");
        assert_range(&field.text, &turn.content, "a turn's content");
        record.turn_text(turn);
        record.is_target(turn);
    }
    for segment in record.segments() {
        segment.text();
    }
    record.targets().for_each(|segment| {
        segment.text();
    });
}

/// A small JSON Lines corpus to lint under a fuzzed configuration.
const CONFIG_SAMPLE: &[u8] = "{\"instruction\": \"திருக்குறள் என்றால் என்ன?\", \"output\": \"திருவள்ளுவர் எழுதிய நூல்.\", \"language\": \"ta\"}\n\
{\"messages\": [{\"role\": \"user\", \"content\": \"வணக்கம்\"}, {\"role\": \"assistant\", \"content\": \"வணக்கம்! hello\"}]}\n\
{\"text\": \"அகர முதல எழுத்தெல்லாம் ஆதி பகவன் முதற்றே உலகு\", \"category\": \"kural\"}\n\
{\"question\": \"\", \"answer\": \"à®µà®£à®•à¯\u{8d}à®•à®®à¯\u{8d}\"}\n"
    .as_bytes();

/// Arbitrary bytes as `vazhi.toml`: a named error or settings that lint a small corpus.
pub fn config(data: &[u8]) {
    let scratch = Scratch::new();
    let path = scratch.write("vazhi.toml", data);
    let Ok(settings) = Settings::from_file(&path) else {
        return;
    };
    settings.to_json();
    settings.fingerprint();
    let corpus = scratch.write("corpus.jsonl", CONFIG_SAMPLE);
    let linter = Linter::new(settings).token_statistics(true).describe_files(true);
    let report = linter.lint_paths(&[corpus], &Silent);
    assert_eq!(report.records, 4, "the sample's four records under any configuration");
}

/// Arbitrary template text and messages through the chat-template renderer. The input is the
/// template, a NUL byte, then one turn per line (`role:content`, or content alone for
/// alternating user/assistant turns).
pub fn chat_template(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (template, conversation) = text.split_once('\0').unwrap_or((&text, "user:வணக்கம்\nassistant:சரி"));
    let turns: Vec<Message<&str>> = conversation
        .split('\n')
        .enumerate()
        .map(|(index, line)| match line.split_once(':') {
            Some((role, content)) => Message { role, content },
            None => Message {
                role: if index % 2 == 0 { "user" } else { "assistant" },
                content: line,
            },
        })
        .collect();
    check_rendering(&ChatTemplate::ChatMl, &turns);
    if let Ok(jinja) = ChatTemplate::from_jinja(template, &[("bos_token", "<s>"), ("eos_token", "</s>")]) {
        check_rendering(&jinja, &turns);
    }
}

fn check_rendering(template: &ChatTemplate, turns: &[Message<&str>]) {
    if let Ok(rendered) = template.render(turns) {
        assert!(rendered.prompt_end <= rendered.text.len(), "prompt_end past the text");
        assert!(
            rendered.text.is_char_boundary(rendered.prompt_end),
            "prompt_end inside a character"
        );
        let mut previous = 0;
        for span in &rendered.assistant_spans {
            assert_range(&rendered.text, span, "an assistant span");
            assert!(span.start >= previous, "assistant spans overlap or are out of order");
            previous = span.end;
        }
        if let Some(first) = rendered.assistant_spans.first() {
            assert!(
                rendered.prompt_end <= first.start,
                "the prompt ends after the first response starts"
            );
        }
        if matches!(template, ChatTemplate::ChatMl) {
            let responses = turns.iter().filter(|turn| turn.role == "assistant").count();
            assert_eq!(
                rendered.assistant_spans.len(),
                responses,
                "a ChatML span per assistant turn"
            );
        }
    }
    let _ = template.render_generation_prompt(turns);
}

/// Texts the token counter is checked on: Tamil, English, ChatML markers, whitespace runs.
const TOKEN_SAMPLES: &[&str] = &[
    "",
    "a",
    "வணக்கம் உலகம்",
    "Hello, world! 123",
    "<|im_start|>user\nவணக்கம்<|im_end|>\n",
    "  \n\t spaces   and\r\nlines ",
    "அகர முதல எழுத்தெல்லாம் ஆதி பகவன் முதற்றே உலகு",
    "e\u{301} ﬁ ＡＢＣ 𝔘",
];

/// Arbitrary bytes as `tokenizer.json`: the audit, and the token counter (its fast byte-level
/// BPE path) checked against `Tokenizer::encode` and its own bounds.
///
/// Runs on a thread of its own that ends with the input. tokenizers 0.23 keeps every BPE
/// model's encode cache in a thread-local map keyed by a per-model id
/// (`BPE_LOCAL_CACHE` in `tokenizers/src/models/bpe/model.rs`), and dropping the model does not
/// remove its entry: each tokenizer loaded and used on a thread stays in that thread's map (up
/// to 10,000 cached words) until the thread exits. On libFuzzer's one thread that was about
/// 5–8 KB an input, unbounded (2 GB after 266,000 inputs); a thread per input frees it with the
/// input. A panic is raised again on the caller's thread, as if the body ran there.
pub fn tokenizer_audit(data: &[u8]) {
    let data = data.to_vec();
    let worker = std::thread::Builder::new()
        .name("tokenizer_audit".into())
        // The main thread's 8 MiB, not a spawned thread's 2 MiB: the same input, the same stack.
        .stack_size(8 << 20)
        .spawn(move || tokenizer_audit_here(&data))
        .expect("start the tokenizer_audit thread");
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}

fn tokenizer_audit_here(data: &[u8]) {
    let scratch = Scratch::new();
    let path = scratch.write("tokenizer.json", data);
    let _ = vazhi_lint::tokens::audit(&path, None, &[]);
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let (Ok(fast), Ok(reference)) = (
        TokenCounter::from_json(json, &path),
        TokenCounter::from_json(json, &path).map(TokenCounter::encode_only),
    ) else {
        return;
    };
    for sample in TOKEN_SAMPLES {
        let (Ok(count), Ok(expected)) = (fast.count(sample), reference.count(sample)) else {
            continue;
        };
        assert_eq!(
            count, expected,
            "the fast count differs from Tokenizer::encode on {sample:?}"
        );
        assert!(
            fast.min_tokens_bound(sample) <= count,
            "the lower bound is above the count"
        );
        assert!(
            fast.max_tokens_bound(sample) >= count,
            "the upper bound is below the count"
        );
    }
}
