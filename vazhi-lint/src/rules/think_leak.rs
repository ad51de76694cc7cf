use crate::declare_rule;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::text::markers::find_think_leaks;

declare_rule! {
    /// ## What it does
    /// Finds `<think>`, `</think>` and `<think/>` tags, and empty `<think></think>` blocks, in a
    /// record's training targets (the assistant turns, or all of a raw text). One finding per tag or
    /// block, underlined. The word "think" on its own ("I think that…", "நான் think பண்றேன்") is
    /// not a tag and is never reported.
    ///
    /// ## Why is this bad?
    /// Qwen3's tokenizer turns `<think>` and `</think>` into special tokens (ids 151667 and 151668)
    /// wherever they appear. Targets distilled from a reasoning model, or rendered with Qwen3's
    /// template, carry the empty `<think>\n\n</think>\n\n` preamble; a model trained on them emits
    /// think tags in the middle of answers. VAZHI v3.3's model did exactly that.
    ///
    /// ## Example
    /// ```json
    /// {"prompt": "வணக்கம்", "completion": "<think>\n\n</think>\n\nவணக்கம்! நான் உங்களுக்கு எப்படி உதவலாம்?"}
    /// ```
    /// `VZ203 think-leak: empty <think></think> block (chat-template preamble) in the response`.
    ///
    /// ## Options
    /// None. Reasoning data that is meant to teach thinking can lower it:
    /// `severity = { think-leak = "warning" }`, or turn it off per file with `per-file-ignores`.
    /// `cargo vazhi split --fix` removes empty think blocks from the clean copies.
    pub static THINK_LEAK = {
        code: "VZ203",
        name: "think-leak",
        severity: Error,
        scope: Record,
        summary: "`<think>` tags or empty think blocks in a training target",
    };
}

pub struct ThinkLeak;

impl RecordRule for ThinkLeak {
    fn meta(&self) -> &'static RuleMeta {
        &THINK_LEAK
    }

    fn check(&self, record: &Record<'_>, _: &Facts, out: &mut Vec<Finding>) {
        // A preference pair's rejected answer is not trained to, but a leaked tag in it is still a
        // template defect the pair teaches against.
        let rejected = record
            .rejected
            .iter()
            .filter(|turn| turn.role == crate::record::Role::Assistant)
            .map(|turn| (true, record.segment(turn)));
        for (is_rejected, segment) in record.targets().map(|segment| (false, segment)).chain(rejected) {
            // Every tag contains "<think" or "</think"; most targets have neither.
            if memchr::memmem::find(segment.text().as_bytes(), b"think").is_none() {
                continue;
            }
            let which = if is_rejected {
                "the rejected response"
            } else {
                "the response"
            };
            for leak in find_think_leaks(segment.text()) {
                out.push(
                    Finding::record(&THINK_LEAK, record, format!("{} in {which}", leak.kind.describe()))
                        .in_segment(&segment, leak.span)
                        .label(leak.kind.describe())
                        .help("remove reasoning tags from SFT targets (Qwen3 tokenizes them as special tokens)"),
                );
            }
        }
    }
}
