use crate::declare_rule;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::tamil::legacy::find_legacy_encoding;

declare_rule! {
    /// ## What it does
    /// Finds text written in a pre-Unicode Tamil font encoding — TSCII 1.7 (bytes 0x80–0xFF read as
    /// Latin-1 or Windows-1252) or Bamini-style glyph fonts (ASCII letters and punctuation standing
    /// for Tamil glyphs) — in every turn, and shows a best-effort decoding.
    ///
    /// Detection is conservative and measured: no false alarm on any of Pope's 1330 verses and
    /// explanations, their transliterations, the Tamil texts, European text with accents, code, CSS
    /// and HTML entities (98 MB of Rust sources among them); TSCII is found in 2631 of 2660 kural
    /// lines and all 5434 prose readings, Bamini in 95% of kural lines and 2367 of 2380 prose texts.
    ///
    /// ## Why is this bad?
    /// Old Tamil web pages, PDFs and word-processor files use these fonts; scraped, they look like
    /// Latin garbage to a tokenizer and teach the model nothing but noise.
    ///
    /// ## Example
    /// ```json
    /// {"prompt": "வணக்கம்", "completion": "tzf;fk;"}
    /// ```
    /// `VZ404 legacy-encoding: text in the Bamini font encoding: it reads "வணக்கம்"`.
    ///
    /// ## Options
    /// None.
    pub static LEGACY_ENCODING = {
        code: "VZ404",
        name: "legacy-encoding",
        severity: Warning,
        scope: Record,
        summary: "Text in a pre-Unicode Tamil font encoding (TSCII, Bamini)",
    };
}

pub struct LegacyEncoding;

impl RecordRule for LegacyEncoding {
    fn meta(&self) -> &'static RuleMeta {
        &LEGACY_ENCODING
    }

    fn check(&self, record: &Record<'_>, _: &Facts, out: &mut Vec<Finding>) {
        for segment in record.segments() {
            for run in find_legacy_encoding(segment.text()) {
                let mut message = format!("text in the {} font encoding", run.encoding.name());
                if let Some(decoded) = &run.decoded {
                    let decoded: String = decoded.chars().take(80).collect();
                    message.push_str(&format!(": it reads \"{decoded}\""));
                }
                out.push(
                    Finding::record(&LEGACY_ENCODING, record, message)
                        .in_segment(&segment, run.span)
                        .label(format!("{} ({:.0}% sure)", run.encoding.name(), run.confidence * 100.0))
                        .help("convert the source to Unicode Tamil before training"),
                );
            }
        }
    }
}
