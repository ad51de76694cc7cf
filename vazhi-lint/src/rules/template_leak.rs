use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use std::path::Path;

use crate::declare_rule;
use crate::rule::RuleConfig;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::text::markers::{BUILTIN_MARKERS, TemplateMarkers};

declare_rule! {
    /// ## What it does
    /// Finds chat special tokens and template markers inside the content of any turn (or a raw
    /// text): ChatML `<|im_start|>`, `<|im_end|>`, `<|endoftext|>`; Llama 2 `[INST]`, `[/INST]`,
    /// `<<SYS>>`, `<s>`, `</s>`; Llama 3 `<|start_header_id|>`, `<|eot_id|>`; Gemma
    /// `<start_of_turn>`, `<end_of_turn>`; Alpaca `### Instruction:`, `### Response:` at the start of
    /// a line; and the rest of the list in `rules/data/template-markers.txt`. Each marker is
    /// underlined and named with its template family.
    ///
    /// The list is exact and case-sensitive. Alpaca and Vicuna headers count only at the start of a
    /// line, so a markdown heading such as `### Instructions for applying` is not a marker; `<s>` and
    /// `</s>` count only where they act as BOS/EOS (the ends of the text, beside another marker), not
    /// as HTML strikethrough (`<s>₹500</s>`).
    ///
    /// ## Why is this bad?
    /// Tokenizers turn special-token strings into their special ids wherever they occur, so a marker
    /// inside content opens or closes a turn in the middle of an answer. VAZHI v0.1 leaked template
    /// markers into its targets, and the model learned to print them.
    ///
    /// ## Example
    /// ```json
    /// {"instruction": "வணக்கம்", "output": "வணக்கம்! நலமா?<|im_end|>\n<|im_start|>user"}
    /// ```
    /// `VZ204 template-leak: chat template marker `<|im_end|>` (chatml) in the content`.
    ///
    /// ## Options
    /// ```toml
    /// [rules.template-leak]
    /// markers-file = "my-markers.txt"     # replaces the built-in list; same format
    /// extra-markers = ["<|assistant|>"]   # added to the list, matched anywhere
    /// ```
    pub static TEMPLATE_LEAK = {
        code: "VZ204",
        name: "template-leak",
        severity: Error,
        scope: Record,
        summary: "Chat special tokens or template markers inside a turn's content",
    };
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// A marker list in the format of rules/data/template-markers.txt, replacing the built-in one.
    pub markers_file: Option<PathBuf>,
    /// Markers added to the list, matched anywhere.
    pub extra_markers: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Settings {
    /// The marker list in effect, as text (its content, not its path, is what the findings depend on).
    pub markers: String,
    #[serde(skip)]
    pub compiled: Arc<TemplateMarkers>,
}

impl RuleConfig for Options {
    type Settings = Settings;

    /// `root` is the configuration file's folder, which `markers-file` is relative to.
    fn resolve(self, root: &Path) -> Result<Settings, String> {
        let mut markers = match &self.markers_file {
            Some(path) => {
                let path = root.join(path);
                crate::small_file::read_text(&path, crate::small_file::MARKER_LIST_BYTES, "a marker list")
                    .map_err(|err| format!("rules.template-leak.markers-file: {}: {err}", path.display()))?
            }
            None => BUILTIN_MARKERS.to_owned(),
        };
        for marker in self.extra_markers.unwrap_or_default() {
            if marker.trim().is_empty() || marker.contains(char::is_whitespace) {
                return Err(format!(
                    "rules.template-leak.extra-markers: `{marker}` must be one word without spaces"
                ));
            }
            if marker.len() > crate::text::markers::MAX_MARKER_BYTES {
                return Err(format!(
                    "rules.template-leak.extra-markers: a marker of {} bytes; template markers are at most {}",
                    marker.len(),
                    crate::text::markers::MAX_MARKER_BYTES
                ));
            }
            markers.push_str(&format!("\ncustom any {marker}\n"));
        }
        let compiled = TemplateMarkers::from_lines(&markers).map_err(|err| format!("rules.template-leak: {err}"))?;
        Ok(Settings {
            markers,
            compiled: Arc::new(compiled),
        })
    }
}

pub struct TemplateLeak(pub Settings);

impl RecordRule for TemplateLeak {
    fn meta(&self) -> &'static RuleMeta {
        &TEMPLATE_LEAK
    }

    fn check(&self, record: &Record<'_>, _: &Facts, out: &mut Vec<Finding>) {
        for segment in record.segments().chain(record.rejected_segments()) {
            for hit in self.0.compiled.find(segment.text()) {
                out.push(
                    Finding::record(
                        &TEMPLATE_LEAK,
                        record,
                        format!("chat template marker `{}` ({}) in the content", hit.marker, hit.family),
                    )
                    .in_segment(&segment, hit.span)
                    .label(format!("{} marker", hit.family))
                    .help("strip template markers from contents: the trainer's template adds its own"),
                );
            }
        }
    }
}
