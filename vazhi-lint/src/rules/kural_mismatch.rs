use crate::declare_rule;
use crate::finding::Finding;
use crate::record::{Record, Role};
use crate::rule::{Facts, RecordRule, RuleMeta};
use crate::tamil::kural::{KuralIssueKind, check_text, kural, render_diff};

declare_rule! {
    /// ## What it does
    /// Finds quotations of the Thirukkural in a record's training targets and checks each against
    /// the authoritative text of all 1330 kurals, compiled in from `rules/data/thirukkural.jsonl`.
    /// A quotation that differs — a word substituted or dropped, the lines swapped, letters damaged —
    /// is reported with the kural's number, the authoritative text and a word-level diff; when it
    /// equals one of 41 damaged readings of a widely copied public package
    /// (`rules/data/thirukkural-libkural-corrupt.jsonl`), the message says so. A record that names a
    /// kural number (`குறள் 1`, `திருக்குறள் 1`, `kural 1`, `முதல் குறள்`, `first kural`) and then
    /// quotes a different kural correctly is reported too.
    ///
    /// Editions split and join words differently, with sandhi (`பொருளல்லது அவ்வூன்` /
    /// `பொருளல்ல தவ்வூன்`), so quotations are compared by phonemes: each letter split into
    /// consonant and vowel, word boundaries and punctuation dropped, the short u of a consonant
    /// before a vowel elided, and the nasals treated alike. A kural is a candidate when 40% of its
    /// phoneme 6-grams occur in the text; a candidate stretch is a misquotation when its edits fall
    /// within two neighbouring words and at least half of it matches exactly. Measured: all 1330
    /// kurals quoted correctly in 12 layouts and 5 contexts (79,800 quotations) pass; every
    /// single-word substitution and dropped word (18,616) and every swap of lines is caught with the
    /// right number; no commentary, poem or essay is flagged.
    ///
    /// ## Why is this bad?
    /// VAZHI's first model "cited" a wrong first kural, and adding 21 more samples did not fix it.
    /// A model repeats the quotations it is trained on; a misquoted classic in the data becomes a
    /// confident misquotation in every answer.
    ///
    /// ## Example
    /// ```json
    /// {"prompt": "முதல் குறள் என்ன?", "completion": "அகர முதல எழுத்தெல்லாம் ஆதி பகவன் முதற்றே உலகம்."}
    /// ```
    /// `VZ401 kural-mismatch: misquotes kural 1 (கடவுள் வாழ்த்து): அகர முதல எழுத்தெல்லாம் ஆதி பகவன் முதற்றே [-உலகு-] {+உலகம்+}`.
    ///
    /// ## Options
    /// None.
    pub static KURAL_MISMATCH = {
        code: "VZ401",
        name: "kural-mismatch",
        severity: Error,
        scope: Record,
        summary: "A quotation of the Thirukkural that differs from the authoritative text",
    };
}

pub struct KuralMismatch;

impl RecordRule for KuralMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &KURAL_MISMATCH
    }

    fn check(&self, record: &Record<'_>, facts: &Facts, out: &mut Vec<Finding>) {
        let mut prompt: Option<&str> = None;
        let mut targets = record.targets().zip(facts.target_scripts(record));
        for turn in &record.turns {
            let is_target = !record.format.is_chat() || turn.role == Role::Assistant;
            if !is_target {
                if turn.role == Role::User {
                    prompt = Some(record.turn_text(turn));
                }
                continue;
            }
            let Some((segment, counts)) = targets.next() else { break };
            // A quotation of a kural is Tamil text; most English targets stop here.
            if counts.tamil < 20 {
                continue;
            }
            // The question names the kural ("முதல் குறள் என்ன?") and the answer quotes it: check them
            // together, keeping only what lies in the answer.
            let (text, offset) = match prompt {
                Some(prompt) => (format!("{prompt}\n\n{}", segment.text()), prompt.len() + 2),
                None => (segment.text().to_owned(), 0),
            };
            for mut issue in check_text(&text) {
                if issue.span.start < offset {
                    continue;
                }
                issue.span = issue.span.start - offset..issue.span.end - offset;
                let Some(reference) = kural(issue.number) else { continue };
                let message = match issue.kind {
                    KuralIssueKind::Misquoted => {
                        let mut message = format!(
                            "misquotes kural {} ({}): {}",
                            issue.number,
                            reference.chapter,
                            render_diff(&issue.diff)
                        );
                        if let Some(source) = issue.known_damaged {
                            message.push_str(&format!("; this is a known damaged reading from {source}"));
                        }
                        message
                    }
                    KuralIssueKind::WrongNumber { named } => {
                        format!(
                            "names kural {named} but quotes kural {} ({})",
                            issue.number, reference.chapter
                        )
                    }
                };
                let label = match issue.kind {
                    KuralIssueKind::Misquoted => format!("kural {} reads differently", issue.number),
                    KuralIssueKind::WrongNumber { .. } => format!("this is kural {}", issue.number),
                };
                out.push(
                    Finding::record(&KURAL_MISMATCH, record, message)
                        .in_segment(&segment, issue.span)
                        .label(label)
                        .help(format!(
                            "kural {}: {}",
                            issue.number,
                            reference.tamil.replace('\n', " / ")
                        )),
                );
            }
        }
    }
}
