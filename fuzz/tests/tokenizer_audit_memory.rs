//! `tokenizer_audit` keeps no memory from one input to the next (issue 17). tokenizers 0.23
//! keeps each BPE model's encode cache in a thread-local map that dropping the model does not
//! clear, so a body that loads tokenizers on the fuzzer's one thread grew by kilobytes an input
//! until libFuzzer's RSS limit stopped it. Live heap bytes are counted here, exactly, around a
//! few hundred runs of the body on two corpus inputs.
//!
//! `cargo test --test tokenizer_audit_memory` in `fuzz/` (its own binary: the counting allocator
//! below is the whole process's).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call goes to the system allocator unchanged; only the byte count is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Byte-level BPE (the fast path and `Tokenizer::encode` both count) and a WordLevel model.
const INPUTS: &[&[u8]] = &[
    include_bytes!("../corpus/tokenizer_audit/byte-level-bpe.json"),
    include_bytes!("../corpus/tokenizer_audit/word-level.json"),
];

#[test]
fn tokenizer_audit_keeps_no_memory_between_inputs() {
    // The first runs fill what lives for the process and stays bounded: lazily built regexes,
    // the linter, and the regex crate's pool of match caches, one a stack for up to 8 stacks
    // picked by thread id (the body's threads are new each time).
    for _ in 0..20 {
        for input in INPUTS {
            vazhi_fuzz::bodies::tokenizer_audit(input);
        }
    }
    let before = LIVE.load(Ordering::Relaxed);
    let rounds = 200;
    for _ in 0..rounds {
        for input in INPUTS {
            vazhi_fuzz::bodies::tokenizer_audit(input);
        }
    }
    let grown = LIVE.load(Ordering::Relaxed) - before;
    // Measured: 0 bytes. With the body on the caller's thread (before the fix) about 27.6 KB a
    // round stayed live, 5.5 MB over the 200 rounds.
    assert!(
        grown < 64 << 10,
        "{grown} bytes still live after {rounds} rounds of tokenizer_audit ({} a round)",
        grown / rounds
    );
}
