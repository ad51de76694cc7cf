//! Hostile inputs, made at test time (never committed): the large and odd files a probe of the
//! readers and `split` found records lost or time and memory unbounded on.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A good pretty-printed Alpaca record.
pub fn record(index: usize) -> String {
    format!(
        "  {{\n    \"instruction\": \"கேள்வி {index}\",\n    \"output\": \"இது ஒரு நல்ல பதில் எண் {index} ஆகும்.\"\n  }}"
    )
}

/// A JSON array of `count` pretty-printed records whose element `broken` (0-based) is cut halfway
/// through its answer and followed by `BROKEN`.
pub fn array_with_broken_element(path: &Path, count: usize, broken: usize) {
    let elements: Vec<String> = (0..count)
        .map(|index| {
            let element = record(index);
            if index == broken {
                let cut = element.find("நல்ல").unwrap() + "ந".len();
                format!("{}BROKEN", &element[..cut])
            } else {
                element
            }
        })
        .collect();
    std::fs::write(path, format!("[\n{}\n]\n", elements.join(",\n"))).unwrap();
}

/// A JSON array of `count` records with its closing `]` (and the newline) missing.
pub fn unclosed_array(path: &Path, count: usize) {
    let elements: Vec<String> = (0..count).map(record).collect();
    std::fs::write(path, format!("[\n{}\n", elements.join(",\n"))).unwrap();
}

/// One JSONL line of `len` bytes of `x` (not JSON, and longer than any record vazhi buffers).
const HUGE_LINE: usize = 300 << 20;

/// `good` line, a 300 MB line, `good` line.
pub fn huge_line_between_good_lines(path: &Path, good: &str) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "{good}").unwrap();
    let block = vec![b'x'; 1 << 20];
    for _ in 0..HUGE_LINE >> 20 {
        file.write_all(&block).unwrap();
    }
    writeln!(file).unwrap();
    writeln!(file, "{good}").unwrap();
}

/// A gzip whose text is `good` line then a final 300 MB line with no newline. Gzip members may
/// be concatenated, so one compressed MiB written 300 times is the whole file (fast to make).
pub fn gzip_ending_in_a_huge_line(path: &Path, good: &str) {
    let member = |bytes: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    };
    let mut file = std::fs::File::create(path).unwrap();
    file.write_all(&member(format!("{good}\n").as_bytes())).unwrap();
    let block = member(&vec![b'x'; 1 << 20]);
    for _ in 0..HUGE_LINE >> 20 {
        file.write_all(&block).unwrap();
    }
}

/// A gzip of `bytes` newlines and then one record: leading whitespace that was quadratic to skip.
pub fn gzip_of_newlines_then_a_record(path: &Path, newlines: usize, good: &str) {
    let member = |bytes: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    };
    let mut file = std::fs::File::create(path).unwrap();
    let block = member(&vec![b'\n'; 1 << 20]);
    for _ in 0..newlines >> 20 {
        file.write_all(&block).unwrap();
    }
    file.write_all(&member(format!("{good}\n").as_bytes())).unwrap();
}

/// The first `keep` bytes of a gzip of `lines` copies of `good`.
pub fn truncated_gzip(path: &Path, good: &str, lines: usize, keep: usize) {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for _ in 0..lines {
        writeln!(encoder, "{good}").unwrap();
    }
    let bytes = encoder.finish().unwrap();
    std::fs::write(path, &bytes[..keep.min(bytes.len() - 8)]).unwrap();
}

/// `text` as UTF-16 little-endian with a byte order mark, as Windows tools save it.
pub fn utf16_file(path: &Path, text: &str) {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

/// A Hugging Face hub cache snapshot: `snapshots/<rev>/train.jsonl` a link to `blobs/<hash>`.
#[cfg(unix)]
pub fn hub_snapshot(root: &Path, body: &str) -> PathBuf {
    let blobs = root.join("blobs");
    let snapshot = root.join("snapshots/0123abc");
    std::fs::create_dir_all(&blobs).unwrap();
    std::fs::create_dir_all(&snapshot).unwrap();
    std::fs::write(blobs.join("5f2e9a"), body).unwrap();
    std::os::unix::fs::symlink("../../blobs/5f2e9a", snapshot.join("train.jsonl")).unwrap();
    snapshot
}

/// A named pipe (nothing ever writes to it: reading one would wait forever).
#[cfg(unix)]
pub fn fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo");
}

/// A process id no process has now, for a staging folder left by a killed split.
pub fn dead_pid() -> u32 {
    (100_000..4_000_000)
        .step_by(7919)
        .find(|pid| !Path::new("/proc").join(pid.to_string()).exists())
        .unwrap()
}
