//! Fenced code blocks and the prose lines outside them: code repeats lines, literals and
//! brackets for good reasons, so the prose measures skip it and the run and period detectors
//! hold it to `filler_run_min`.

use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem::Finder;

/// Byte ranges of fenced code blocks (```` ``` ```` or `~~~` fences, fence lines
/// included; an unclosed fence runs to the end, as in CommonMark). Code repeats
/// lines, literals and brackets for good reasons, so the prose measures skip it
/// and the run/period detectors hold it to `filler_run_min`.
pub(super) struct Fences(pub(super) Vec<Range<usize>>);

impl Fences {
    pub(super) fn new(text: &str) -> Self {
        // Most answers have no fence at all: two vector searches (with searchers built once)
        // settle that, where reading every line's start took a hundredth of all rules.
        static BACKTICKS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("```"));
        static TILDES: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("~~~"));
        let bytes = text.as_bytes();
        if BACKTICKS.find(bytes).is_none() && TILDES.find(bytes).is_none() {
            return Self(Vec::new());
        }
        let mut out = Vec::new();
        let mut open: Option<(usize, char)> = None;
        for (off, line) in lines_with_offsets(text) {
            let l = line.trim_start();
            let fence = if l.starts_with("```") {
                Some('`')
            } else if l.starts_with("~~~") {
                Some('~')
            } else {
                None
            };
            match (open, fence) {
                (None, Some(c)) => open = Some((off, c)),
                (Some((start, c)), Some(f)) if c == f => {
                    out.push(start..off + line.len());
                    open = None;
                }
                _ => {}
            }
        }
        if let Some((start, _)) = open {
            out.push(start..text.len());
        }
        Self(out)
    }

    /// Whether `span` lies inside one code block.
    pub(super) fn contains(&self, span: &Range<usize>) -> bool {
        let i = self.0.partition_point(|r| r.start <= span.start);
        i > 0 && self.0[i - 1].end >= span.end
    }
}

/// Lines (byte offset, text) split on `\n`.
pub(super) fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut off = 0;
    text.split('\n').map(move |l| {
        let o = off;
        off += l.len() + 1;
        (o, l)
    })
}

/// Lines outside fenced code blocks.
pub(super) fn prose_lines<'a>(text: &'a str, fences: &Fences) -> Vec<(usize, &'a str)> {
    lines_with_offsets(text)
        .filter(|(off, l)| !fences.contains(&(*off..off + l.len())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str) -> Vec<&str> {
        Fences::new(text).0.iter().map(|r| &text[r.clone()]).collect()
    }

    #[test]
    fn fences_of_either_kind_are_found_and_an_unclosed_one_runs_to_the_end() {
        let text = "intro\n```rust\nlet a = 1;\n```\nmiddle\n  ~~~\nx\n~~~\nafter\n```\nopen";
        assert_eq!(blocks(text), ["```rust\nlet a = 1;\n```", "  ~~~\nx\n~~~", "```\nopen"]);
        assert_eq!(blocks("prose\n~~~\nonly tildes\n~~~\n"), ["~~~\nonly tildes\n~~~"]);
        // A fence of one kind is not closed by the other.
        assert_eq!(blocks("~~~\n```\nstill code"), ["~~~\n```\nstill code"]);
        assert!(blocks("no fence here: `code` and ~tilde~").is_empty());
    }
}
