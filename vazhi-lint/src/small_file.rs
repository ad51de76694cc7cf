//! Whole-file reads of the small files vazhi is pointed at (its configuration, a marker list, a
//! tokenizer, a manifest), with a size bound: `--config /dev/zero` or a tokenizer path that is a
//! FIFO must fail with a message, not grow until memory runs out.

use std::io::{self, Read};
use std::path::Path;

/// Upper bounds, by what the file is. A tokenizer.json holds the whole vocabulary and its merges
/// (Qwen's is 7 MB, Gemma's 34 MB); the rest are hand-written text.
pub const CONFIG_BYTES: u64 = 4 << 20;
pub const MARKER_LIST_BYTES: u64 = 4 << 20;
pub const CHAT_TEMPLATE_BYTES: u64 = 4 << 20;
pub const TOKENIZER_BYTES: u64 = 1 << 30;
pub const MANIFEST_BYTES: u64 = 256 << 20;

/// Reads `path` as UTF-8 text if it is a regular file of at most `limit` bytes; `what` names the
/// file in the error (`a vazhi configuration`).
pub fn read_text(path: &Path, limit: u64, what: &str) -> io::Result<String> {
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file; {what} is read from one"),
        ));
    }
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {} MiB; {what} is not this large", limit >> 20),
        )
    };
    if metadata.len() > limit {
        return Err(too_large());
    }
    // The length can change under us (a file still being written): the bound holds regardless.
    let mut text = String::with_capacity(metadata.len() as usize);
    file.take(limit + 1).read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_or_an_oversized_file_is_refused_with_a_reason() {
        let zero = read_text(Path::new("/dev/zero"), CONFIG_BYTES, "a vazhi configuration").unwrap_err();
        assert!(zero.to_string().contains("not a regular file"), "{zero}");
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("vazhi.toml");
        std::fs::write(&big, vec![b'#'; 2048]).unwrap();
        let error = read_text(&big, 1024, "a vazhi configuration").unwrap_err();
        assert!(error.to_string().contains("larger than"), "{error}");
        assert_eq!(read_text(&big, 4096, "a vazhi configuration").unwrap().len(), 2048);
    }
}
