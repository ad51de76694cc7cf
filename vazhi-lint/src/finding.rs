//! A finding: what a rule reports, located precisely enough that a person can go and fix the record.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::record::{Position, Record, Segment, TextField};
use crate::rule::{RuleMeta, Severity};
use crate::text::{ceil_char_boundary, floor_char_boundary};

/// Longest excerpt of a field kept for display; a 3 MB line must not be copied into every finding.
const SNIPPET_BYTES: usize = 320;

/// A share as messages print it: whole percent, rounded down, so a share just below a 30%
/// threshold prints as 29%, never as the 30% it was judged to miss.
pub fn percent(share: f64) -> String {
    format!("{:.0}%", (share * 100.0).floor())
}

/// An excerpt of a field's text around the reported span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// The reported span, relative to [`Snippet::text`].
    pub span: Range<usize>,
    /// True when text before the excerpt was left out.
    pub cut_before: bool,
    pub cut_after: bool,
}

impl Snippet {
    /// An excerpt of `text` that shows `span`, widened to whole lines where they fit.
    pub fn around(text: &str, span: Range<usize>) -> Snippet {
        let span = floor_char_boundary(text, span.start)..ceil_char_boundary(text, span.end.max(span.start));
        let shown_span_end = ceil_char_boundary(text, span.end.min(span.start + SNIPPET_BYTES));
        let budget = SNIPPET_BYTES.saturating_sub(shown_span_end - span.start);
        let line_start = text[..span.start].rfind('\n').map_or(0, |at| at + 1);
        let start = if span.start - line_start <= budget / 2 {
            line_start
        } else {
            floor_char_boundary(text, span.start - budget / 2)
        };
        let line_end = text[shown_span_end..]
            .find('\n')
            .map_or(text.len(), |at| shown_span_end + at);
        let end = if line_end - shown_span_end <= budget / 2 {
            line_end
        } else {
            floor_char_boundary(text, shown_span_end + budget / 2)
        };
        Snippet {
            text: text[start..end].to_owned(),
            span: span.start - start..shown_span_end - start,
            cut_before: start > 0,
            cut_after: end < text.len(),
        }
    }
}

/// One reported problem.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    pub path: Arc<Path>,
    /// The record the finding is about (`None` for a whole file or dataset): what `split` and
    /// the gate key on.
    pub position: Option<Position>,
    /// The line where the offending value starts, when it is not the record's first line (a field
    /// of a pretty-printed record): where an editor should jump.
    pub value_line: Option<u64>,
    /// The record's 0-based index in its array, for records of a JSON document.
    pub element: Option<u64>,
    /// The field the finding is about, as a path (`messages[2].content`).
    pub field: Option<String>,
    /// Byte span in the field's decoded text.
    pub span: Option<Range<usize>>,
    /// 1-based column, in Unicode code points, of the source line (JSON inputs).
    pub column: Option<usize>,
    pub snippet: Option<Snippet>,
    /// Short text under the underline.
    pub label: Option<String>,
    pub help: Option<String>,
    /// For a finding that stands for many records failing one way (a grouped `invalid-record`
    /// with no position of its own): the places of those records, so `split` quarantines
    /// exactly them. Not written out; the message names the first few.
    pub covers: Vec<Position>,
}

impl Finding {
    /// A finding about a whole record, at its position.
    pub fn record(rule: &'static RuleMeta, record: &Record<'_>, message: impl Into<String>) -> Finding {
        let mut finding = Finding::file(rule, record.source.path.clone(), message);
        finding.position = Some(record.position);
        finding.element = record.element;
        finding
    }

    /// A finding about a file or dataset as a whole (`line` null).
    pub fn file(rule: &'static RuleMeta, path: Arc<Path>, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            path,
            position: None,
            value_line: None,
            element: None,
            field: None,
            span: None,
            column: None,
            snippet: None,
            label: None,
            help: None,
            covers: Vec::new(),
        }
    }

    /// Points the finding at `span` (bytes of the field's text) and keeps an excerpt to show.
    pub fn at(mut self, field: &TextField<'_>, span: Range<usize>) -> Finding {
        self.field = Some(field.name.to_string());
        self.column = field.source_column(span.start);
        if let (Some(Position::Line(line)), Some(offset)) = (self.position, field.source_line_offset()) {
            self.value_line = (offset > 0).then_some(line + offset);
        }
        self.snippet = Some(Snippet::around(&field.text, span.clone()));
        self.span = Some(span);
        self
    }

    /// Points the finding at `local`, a span relative to the segment's text.
    pub fn in_segment(self, segment: &Segment<'_, '_>, local: Range<usize>) -> Finding {
        let span = segment.to_field(local);
        self.at(segment.field, span)
    }

    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn field_name(mut self, field: impl Into<String>) -> Finding {
        self.field = Some(field.into());
        self
    }

    /// The line to show: where the offending value starts, else where the record does.
    pub fn line(&self) -> Option<u64> {
        self.value_line.or_else(|| self.position.and_then(Position::line))
    }

    pub fn row(&self) -> Option<u64> {
        self.position.and_then(Position::row)
    }

    /// The order findings are written in: file, then position (whole-file findings first), then
    /// rule code, then where the span starts.
    ///
    /// Findings of one file share its path's allocation, so that is asked first: comparing two
    /// equal paths goes component by component, byte by byte, and sorting the findings of a
    /// chunk compared them at every step (6% of the CPU of `VZ206` alone on the kurals bench
    /// corpus, whose records all have findings).
    pub fn cmp_order(&self, other: &Finding) -> std::cmp::Ordering {
        let path = if Arc::ptr_eq(&self.path, &other.path) {
            std::cmp::Ordering::Equal
        } else {
            self.path.cmp(&other.path)
        };
        path.then_with(|| self.place_key().cmp(&other.place_key()))
    }

    /// [`Self::cmp_order`]'s key within a file.
    fn place_key(&self) -> (Option<Position>, &'static str, usize) {
        (
            self.position,
            self.rule.code,
            self.span.as_ref().map_or(0, |span| span.start),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_of_a_short_field_is_the_whole_field() {
        let snippet = Snippet::around("அகர முதல எழுத்தெல்லாம்", 10..19);
        assert_eq!(snippet.text, "அகர முதல எழுத்தெல்லாம்");
        assert_eq!(snippet.span, 10..19);
        assert!(!snippet.cut_before && !snippet.cut_after);
    }

    #[test]
    fn snippet_of_a_huge_field_is_bounded_and_keeps_char_boundaries() {
        let text = "த".repeat(1_000_000);
        let snippet = Snippet::around(&text, 1_500_000..1_500_003);
        assert!(snippet.text.len() <= SNIPPET_BYTES + 3);
        assert_eq!(&snippet.text[snippet.span.clone()], "த");
        assert!(snippet.cut_before && snippet.cut_after);
    }
}
