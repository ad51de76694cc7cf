use crate::declare_rule;
use crate::finding::Finding;
use crate::record::{Record, Role};
use crate::rule::{Facts, RecordRule, RuleMeta, Severity};
use crate::tamil::kural::{KuralIssueKind, check_text_after, kural, render_diff};

declare_rule! {
    /// ## What it does
    /// Finds quotations of the Thirukkural in a record's training targets and checks each against
    /// the authoritative text of all 1330 kurals, compiled in from `rules/data/thirukkural.jsonl`.
    /// Each finding gives the kural's number, a word-level diff and the authoritative text, and
    /// says what the difference is:
    ///
    /// | class | severity | what |
    /// |---|---|---|
    /// | misquote | error | a word changed, added, dropped or moved; the lines swapped; letters damaged as in one of 41 damaged readings of a widely copied package (`rules/data/thirukkural-libkural-corrupt.jsonl`, named in the message) |
    /// | misspelling | error | the kural's words with a letter wrong: a doubled consonant dropped inside a word (`அஃதிலார்`), a wrong vowel sign, a nasal confused where no consonant decides it (`கணங்குழை` for `கனங்குழை`), one letter that makes another word (`மனமாட்சி`), one glide put for the other (`வினைவிழையார்` for `வினைவிழைவார்`) |
    /// | another form | warning | the same word in another grammatical form: `-ஆன்` / `-ஆல்`, `-இல்` / `-இன்`, `ஒடு` / `ஓடு`, `-ட்கு` / `-ளுக்கு`, `-ற்கு` / `-லுக்கு` |
    /// | wrong number | error | the record names kural N (`குறள் 1`, `திருக்குறள் 1`, `kural 1`, `முதல் குறள்`, `first kural`) and quotes kural M, exactly or not |
    ///
    /// Spellings that printed editions and careful writers also use are not reported at all:
    ///
    /// | variant | example |
    /// |---|---|
    /// | words joined or split, with the sandhi of the junction | `பொருளல்லது அவ்வூன்` / `பொருளல்ல தவ்வூன்`, `அகர முதல` / `அகரமுதல` |
    /// | a glide between a vowel and a vowel-initial word | `பெருமை யுடையவர்` / `பெருமை உடையவர்` |
    /// | a hard consonant doubled at a word's end, or not | `தன்மகனைச் சான்றோன்` / `தன்மகனை சான்றோன்`, `பிறர்க்குக்` before a vowel |
    /// | alapedai written or not | `தொழாஅர்` / `தொழார்`, `எல்லாஅம்` / `எல்லாம்` |
    /// | a final consonant doubled when joined before a vowel | `கண்இணை` / `கண்ணிணை` |
    /// | `ல்` / `ள்`, and a word's final `ன்` / `ண்`, as `ற்` / `ட்` before a hard consonant | `காலத்தினால் செய்த` / `காலத்தி னாற்செய்த`, `மந்திரியின் பக்கத்துள்` / `மந்திரியிற் பக்கத்துள்` |
    /// | `ன்` / `ண்` before `த` making it `ற` / `ட` | `ஊன்தின்` / `ஊன்றின்`, `கண்தாம்` / `கண்டாம்` |
    /// | a final `ம்`, `ன்`, `ல்`, `ள்` merged into the nasal that starts the next word | `தூறும் மணற்கேணி` / `தூறு மணற்கேணி`, `கோல்நோக்கி` / `கோனோக்கி`, `புத்தேள்நாட்டு` / `புத்தேணாட்டு` |
    /// | a final short `உ` as `இ` before `ய` where an edition splits | `கரப்பவர்க்கு யாங்கொளிக்கும்` / `கரப்பவர்க் கியாங்கொளிக்கும்` |
    /// | a final `அ` or `உ` elided where an edition splits | `புகழ்புரிந்த இல்லிலோர்க்கு` / `புகழ்புரிந் தில்லிலோர்க்கு` |
    /// | edition readings of particular kurals | 27 `நாற்றமென ஐந்தின்` / `நாற்றமென் றைந்தின்` (as kodebot/classical_tamil_llm prints it); 110 `செய்ந்நன்றி` / `செய்நன்றி` |
    ///
    /// Quotations are found and compared by phonemes (each letter split into consonant and vowel,
    /// word boundaries dropped, the short u before a vowel elided, the nasals alike): a kural is a
    /// candidate when 40% of its phoneme 6-grams occur in the text, and a stretch is a misquotation
    /// when its edits fall within two neighbouring words. Measured: all 1330 kurals quoted
    /// correctly in 12 layouts and 5 contexts (79,800 quotations) pass; 8,665 edition spellings
    /// built from the reference at every junction of every kural (glides, doublings, joins, splits,
    /// alapedai, nasal sandhi, kutriyalikaram) raise 16 errors; every word substituted, dropped or
    /// swapped and every doubled consonant dropped or nasal confused inside a word (1,778 slips) is
    /// caught with the right number; no commentary, poem or essay is flagged. On 6,651 real
    /// quotations from public Tamil datasets, 441 of them read against the standard text by hand,
    /// 173 of the 199 errors raised there are real defects; 25 are edition spellings still
    /// outside the table (a glide written inside a joined word, `அதுவின்றேல்`), one is a
    /// reading the 41 damaged readings share with some printed editions (`மகற்காற்று நன்றி`).
    ///
    /// Held apart from all of that tuning: the Tamil text of two public Thirukkural datasets
    /// (vijayanandrp/Thirukkural-Tamil-Dataset `data/all_kural.json`, tk120404/thirukkural
    /// `thirukkural.json`) read against the reference, each differing kural labelled by hand. Of
    /// 179 distinct differing quotations, 81 differ only in spacing (71), an edition's word
    /// division and junctions (9) or punctuation (1): no error is raised on any of them
    /// (precision 1.00). 95 are defects (94 misspelt or damaged, one kural under another's
    /// number): 90 were caught as first measured, 94 after the two fixes that set prompted (a
    /// quotation may not run across the joint of question and answer or a question mark, whose
    /// letters could stand in for a first letter the answer lost; one glide for the other is a
    /// misspelling). The one missed has two separate slips; only one contiguous edit of at most
    /// two words makes a stretch a misquotation. Three more are unclear and left out.
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

thread_local! {
    /// A question and its answer joined for [`check_text_after`], kept from record to record: a
    /// fresh string per record was an allocation and a copy of every Tamil answer.
    static JOINED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The most [`JOINED`] keeps between records.
const KEPT_JOINED_BYTES: usize = 1 << 20;

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
            let offset = prompt.map_or(0, |prompt| prompt.len() + 2);
            let issues = match prompt {
                Some(prompt) => JOINED.with_borrow_mut(|joined| {
                    joined.clear();
                    joined.push_str(prompt);
                    joined.push_str("\n\n");
                    joined.push_str(segment.text());
                    let issues = check_text_after(joined, offset);
                    // One huge record should not stay in memory for the rest of the run.
                    if joined.capacity() > KEPT_JOINED_BYTES {
                        *joined = String::new();
                    }
                    issues
                }),
                None => check_text_after(segment.text(), 0),
            };
            for mut issue in issues {
                if issue.span.start < offset {
                    continue;
                }
                issue.span = issue.span.start - offset..issue.span.end - offset;
                let Some(reference) = kural(issue.number) else { continue };
                let diff = render_diff(&issue.diff);
                let message = match issue.kind {
                    KuralIssueKind::Misspelled => {
                        format!("misspells kural {} ({}): {diff}", issue.number, reference.chapter)
                    }
                    KuralIssueKind::OtherForm => format!(
                        "quotes kural {} ({}) with a word in another form: {diff}",
                        issue.number, reference.chapter
                    ),
                    KuralIssueKind::Misquoted => {
                        let mut message = format!("misquotes kural {} ({}): {diff}", issue.number, reference.chapter);
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
                    KuralIssueKind::Misspelled => format!("kural {} is spelled differently", issue.number),
                    KuralIssueKind::OtherForm => "another form of the word".to_owned(),
                    KuralIssueKind::WrongNumber { .. } => format!("this is kural {}", issue.number),
                };
                let severity = match issue.kind {
                    KuralIssueKind::OtherForm => Severity::Warning,
                    _ => Severity::Error,
                };
                out.push(
                    Finding::record(&KURAL_MISMATCH, record, message)
                        .severity(severity)
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
