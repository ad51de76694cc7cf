use crate::declare_rule;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::tamil::unicode::nfc_violations_known;

declare_rule! {
    /// ## What it does
    /// Finds text that is not in Unicode NFC, in every turn — in Tamil, mostly the two-part vowels
    /// ொ ோ ௌ written as their two halves (ெ + ா) instead of the composed character. One finding per
    /// turn, underlining the first place and counting the rest.
    ///
    /// Measured: 281 of the 2660 commentaries on the kurals write ொ/ோ as two signs somewhere.
    ///
    /// ## Why is this bad?
    /// The two spellings look the same and tokenize differently, so one word is two words to the
    /// model, and duplicates and quotations stop matching. Normalise once, before training.
    ///
    /// ## Example
    /// ```json
    /// {"prompt": "வணக்கம்", "completion": "க\u0BC6\u0BBEடு"}
    /// ```
    /// `VZ405 not-nfc: text not in Unicode NFC (1 place)`.
    ///
    /// ## Options
    /// None. `cargo vazhi split --fix` normalises the clean copies.
    pub static NOT_NFC = {
        code: "VZ405",
        name: "not-nfc",
        severity: Warning,
        scope: Record,
        summary: "Text not in Unicode NFC (Tamil two-part vowels written as two signs)",
    };
}

pub struct NotNfc;

impl RecordRule for NotNfc {
    fn meta(&self) -> &'static RuleMeta {
        &NOT_NFC
    }

    fn check(&self, record: &Record<'_>, facts: &Facts, out: &mut Vec<Finding>) {
        for (segment, &nfc) in record.segments().zip(facts.turn_nfc(record)) {
            let runs = nfc_violations_known(segment.text(), nfc);
            let Some(first) = runs.first() else { continue };
            let places = if runs.len() == 1 {
                "1 place".to_owned()
            } else {
                format!("{} places", runs.len())
            };
            out.push(
                Finding::record(&NOT_NFC, record, format!("text not in Unicode NFC ({places})"))
                    .in_segment(&segment, first.clone())
                    .label("decomposed")
                    .help("normalise to NFC (`cargo vazhi split --fix` does it for the clean copies)"),
            );
        }
    }
}
