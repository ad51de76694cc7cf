use crate::declare_rule;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::tamil::mojibake::find_mojibake;

declare_rule! {
    /// ## What it does
    /// Finds Tamil text whose UTF-8 bytes were decoded as Latin-1, Windows-1252 or Mac Roman and
    /// saved again (`à®¤à®®à®¿à®´à¯`, `‡Æ§‡Æø‡Æ∞‡ØÅ`), in every turn. A run is confirmed by the round
    /// trip: mapped back to bytes through the code page, it must decode as valid UTF-8 that is
    /// Tamil. The message shows the recovered text. The lossy form found in the wild, where
    /// Windows-1252's five undefined bytes became U+FFFD, C1 controls or nothing, is reported too,
    /// with what could be recovered and how many bytes could not.
    ///
    /// Measured: every kural line damaged through each code page is found and recovered byte for
    /// byte; nothing fires on the reference texts, the essay or accented European text (café,
    /// naïve, “quotes” — dashes); all 50 damaged lines of the VAZHI team's own log are found.
    ///
    /// ## Why is this bad?
    /// Mojibake tokenizes into long runs of rare Latin tokens and teaches the model to produce them.
    /// It is common in scraped Tamil and in files passed through a tool that guessed the encoding:
    /// the VAZHI team's own training log is Mac Roman mojibake from end to end.
    ///
    /// ## Example
    /// ```json
    /// {"prompt": "மொழி?", "completion": "à®¤à®®à®¿à®´à¯\u008d"}
    /// ```
    /// `VZ403 mojibake: Tamil text decoded as Latin-1: it reads "தமிழ்"`.
    ///
    /// ## Options
    /// None. `cargo vazhi split --fix` restores the text in the clean copies where the recovery is
    /// exact.
    pub static MOJIBAKE = {
        code: "VZ403",
        name: "mojibake",
        severity: Error,
        scope: Record,
        summary: "Tamil UTF-8 decoded with a single-byte code page and saved again",
    };
}

pub struct MojibakeRule;

impl RecordRule for MojibakeRule {
    fn meta(&self) -> &'static RuleMeta {
        &MOJIBAKE
    }

    fn check(&self, record: &Record<'_>, _: &Facts, out: &mut Vec<Finding>) {
        for segment in record.segments() {
            for run in find_mojibake(segment.text()) {
                let recovered: String = run.recovered.chars().take(80).collect();
                let mut message = format!(
                    "Tamil text decoded as {}: it reads \"{recovered}\"",
                    run.encoding.name()
                );
                if run.lossy && run.unrecovered > 0 {
                    message.push_str(&format!(
                        " ({} byte{} lost beyond recovery)",
                        run.unrecovered,
                        if run.unrecovered == 1 { " was" } else { "s were" }
                    ));
                }
                out.push(
                    Finding::record(&MOJIBAKE, record, message)
                        .in_segment(&segment, run.span)
                        .label(format!("mojibake ({})", run.encoding.name()))
                        .help("re-decode the source as UTF-8, or fix it with `cargo vazhi split --fix`"),
                );
            }
        }
    }
}
