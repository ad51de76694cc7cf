//! Degenerate repetition in training text: the analysis behind the `repetition`
//! rule (error).
//!
//! A fine-tuning run on Tamil data was lost to degenerate targets: glued loops
//! (`systemsystemsystem…`), word loops (`celebrated celebrated …`), runs
//! (`!!!!!!!!`), punctuation soup (`ooks = 1)0]:,. is:.. = *="-1., of,.....`).
//! Tamil makes the thresholds delicate: words are long and agglutinative, and
//! poems and commentaries repeat words and lines on purpose (kural 1314
//! "யாரினும் யாரினும்", kural 1110's commentary "அறிய அறிய அறிய", the
//! refrains of the tamilkavi poems). [`find_degeneration`] runs seven detectors;
//! every limit is a field of [`RepetitionThresholds`].
//!
//! **Looping sentences** ([`DegenerationKind::RepeatedSentence`]). SFT answers are short and
//! structured: a numbered list repeats its items' heads, a law summary repeats its subject in every
//! rule, a song its chorus. What a looping model writes instead is the same sentence or list item
//! again and again, or a block of them restarting. Units are sentences of prose lines with list
//! markers stripped, compared case-folded without edge punctuation; a block of 1–32 units written
//! `sentence_min_repeats` = 3 times in a row (at least `sentence_min_letters` = 40 characters per
//! block, or 20 when the copies hold 120), and a unit of `long_sentence_letters` = 120 letters found
//! twice anywhere, fire. Tuned and measured on 325 real answers from public SFT and evaluation sets
//! (294 good, 31 degenerate; a third held apart): no good answer flagged, 30 of 31 loops caught.
//! The Gopher fractions below judge chat answers only from 1,000 words (the rule's
//! `answer-min-words`): below that they flagged 5 to 23 of the good answers and caught nothing the
//! other detectors missed.
//!
//! # Detectors and thresholds
//!
//! **Back-to-back repeats** ([`DegenerationKind::CharRun`],
//! [`DegenerationKind::RepeatedToken`], [`DegenerationKind::RepeatedPeriod`]).
//! A scan over every byte period finds maximal periodic stretches (no regex:
//! Rust's has no backreferences, and dolma's `(.+?)(\s?\1){3,}` backtracks).
//! A unit of one character is a run; a unit that is one word (glued
//! `systemsystem…` or spaced `celebrated celebrated …`) a repeated token; any
//! other unit (`I am sorry. `, `=)`) a repeated period. A second, word-level
//! scan counts the same word in a row whatever the separators
//! (`celebrated\ncelebrated, celebrated`).
//!
//! * `period_min_repeats` = `token_min_repeats` = 4: dolma's repetitions
//!   tagger (allenai/dolma, `python/dolma/taggers/repetitions/`,
//!   `repetitions_v1`) flags a unit followed by `{3,}` optionally
//!   space-separated copies, i.e. 4 occurrences, with no minimum length. Its
//!   token-level tagger searches periods of 1 to 13 GPT-NeoX tokens, and the
//!   dolma mixer recipe for AI2's CCCC corpus drops documents whose largest
//!   repeat count exceeds 32. Dolma publishes no minimum total length; the
//!   floors below are vazhi's own.
//! * `period_min_chars` = 20 characters (code points) for units of two or more
//!   characters and for repeated words: spares `hahahaha`, `வா வா வா வா`, and
//!   the essay's Brainfuck lesson `+>+>+>+>+>` (5 repeats, 10 characters),
//!   while `systemsystemsystemsystem` (24) and `celebrated ×4` (43) fire.
//! * `period_max_chars` = 100: longest unit searched, enough for sentence
//!   loops (13 English tokens are about 60 characters).
//! * `char_run_min` = 8: dolma's 4 would flag `!!!!`, `ஆஆஆஆ` and ellipses;
//!   `!!!!!!!!!!` and `இஇஇஇஇஇஇஇ` (8) fire.
//! * `filler_run_min` = 100: runs and periods made only of filler characters
//!   (digits, whitespace, `- = _ * ~ # . + | / \ :`, `x`/`X`, box drawing), and
//!   any run or period inside a fenced code block, need 100 characters. That
//!   keeps markdown rules and table separators (`----------` up to 99), leader
//!   dots of a table of contents, `0.3333333333333333`, `0x00000000`, masked
//!   numbers (`98XXXXXXXX`), and code (`[None, None, None, None, None]`,
//!   `}}}}}}}}`); so a normal `...` or `…` in Tamil prose never counts.
//!   Whitespace runs are never reported (indentation; blank lines are another
//!   rule's concern).
//!
//! **Duplicate lines and n-grams** ([`DegenerationKind::DuplicateLines`],
//! [`DegenerationKind::DuplicateNgrams`]): the Gopher repetition filter, Rae et
//! al. 2021, "Scaling Language Models: Methods, Analysis & Insights from
//! Training Gopher" (arXiv:2112.11446), Appendix A, MassiveText repetition
//! removal. The values are the paper's, also the defaults of datatrove's
//! `GopherRepetitionFilter`, whose counting vazhi follows (first occurrence
//! not counted; for 5..10-grams a duplicate is skipped past, so overlapping
//! repeats count once):
//!
//! | measure | threshold |
//! |---|---|
//! | duplicate lines / lines | `dup_line_frac` 0.30 |
//! | duplicate paragraphs / paragraphs | `dup_para_frac` 0.30 |
//! | characters in duplicate lines | `dup_line_char_frac` 0.20 |
//! | characters in duplicate paragraphs | `dup_para_char_frac` 0.20 |
//! | characters in the most frequent 2-, 3-, 4-gram | 0.20, 0.18, 0.16 |
//! | characters in duplicated 5- … 10-grams | 0.15, 0.14, 0.13, 0.12, 0.11, 0.10 |
//!
//! * `min_words` = 50: Gopher's quality filter keeps documents of 50 to
//!   100,000 words, so its fractions were never meant for shorter texts. Here
//!   they fire wildly below it: the top 2-gram holds 0.69 of kural 623's
//!   characters, the top 3-gram 0.60 of a commentary. A short answer is never
//!   judged by a fraction.
//! * `min_lines` = 10 (vazhi's): with fewer lines one repeated line is already
//!   20 %.
//! * Differences from datatrove, all deliberate: characters are counted inside
//!   words (edge punctuation and whitespace excluded) on both sides of each
//!   ratio; words are whitespace tokens with edge punctuation trimmed; lines
//!   and paragraphs without a letter (`}`, `---`, `|---|`) are structure and
//!   not counted; fenced code blocks are left out of all fraction measures
//!   (code repeats lines for good reasons). Only the worst line measure and
//!   the worst n are reported (largest measured/threshold), one diagnostic per
//!   problem.
//!
//! **Setu / IndicLLMSuite** (Khan et al., ACL 2024, arXiv:2403.06350; code
//! AI4Bharat/setu). Its public configs (`configs/crawls/spark_*_config.json`:
//! Hindi, Kannada, Gujarati, Assamese, …; there is no Tamil config, and all
//! use the same values) set `word_ngram_cum_thresholds {"5": 0.5}`,
//! `char_ngram_cum_thresholds {"10": 0.2}` and `symbol_threshold 0.2`. Per
//! `setu/components/crawl_analysis/document_filters.py` the word score is the
//! share of all word 5-gram occurrences whose 5-gram occurs twice or more
//! (overlaps included, Indic NLP trivial tokenizer), the char score the share
//! of character 10-gram occurrences taken by the ⌊√k⌋ most frequent of the k
//! distinct ones, and the symbol score the document's share of characters
//! outside the letters and digits of Indic, Latin and Arabic scripts. These
//! are the values read from the code; I did not find them printed in the
//! paper. vazhi does not use Setu's measures: they are document-level crawl
//! filters (Setu also requires 4+ lines per document), their word cut is far
//! looser than Gopher's per-n cuts, and Gopher's stricter measures already
//! keep a wide margin on the Tamil references (below). Setu's 0.2 symbol
//! share, applied to a window, would flag every short code or formula answer.
//!
//! **Punctuation soup** ([`DegenerationKind::PunctuationSoup`]), vazhi's own: a
//! window of `soup_window` = 32 non-space characters (outside fenced code and
//! inline code) with a punctuation/symbol share (Unicode P*/S*) of at least
//! `soup_punct_frac` = 0.5 *and* at least `soup_min_clusters` = 2 disordered
//! clusters — adjacent punctuation mixing two of `, . : ;` (`]:,.`, `:..`,
//! `.,`). Share alone is not enough: the essay's Brainfuck line
//! `++++++++[>++++[>++>…` is 100 % punctuation, and code, formulas and JSON are
//! 40–70 %; they keep their sentence punctuation apart. The soup example has
//! share 0.67 and four clusters. The span runs from the first to the last word
//! holding a cluster.
//!
//! Code garbage (`\' />", // The data is not a valid JSON…`) is other rules'
//! concern.
//!
//! # Measured margins on clean text
//!
//! Required references (all must pass, and do): the 1330 kurals (`tamil`),
//! Pope's `english`, `english_explanation`, both Tamil commentaries, the 41
//! tamilkavi poems and their meanings, the Open-Tamil essay: 6,733 texts, of
//! which only 5 reach 50 words. So the fractions were also measured on 535
//! longer clean documents: each Thirukkural chapter (10 kurals) per field, all
//! poems together, all meanings together. Worst values (printed by
//! `cargo run --release -p vazhi-lint --features calibration --example repetition_margins`):
//!
//! | measure | threshold | worst, required texts | worst, chapter documents |
//! |---|---|---|---|
//! | run of one character | 8 | 4 (`<<<<`, essay Brainfuck) | 3 (`ததத`) |
//! | run of filler | 100 | 8 (`++++++++`, essay) | 3 (`...`) |
//! | same word in a row | 4, over ≥ 20 chars | 3 (`அறிய அறிய அறிய`, 14 chars, kural 1110 commentary) | 3 (same) |
//! | unit ≥ 2 chars back-to-back | 4, over ≥ 20 chars | 5 repeats over 10 chars (`+>+>+>+>+>`, essay); over ≥ 20 chars never 3 | never 3 repeats |
//! | soup window | share ≥ 0.5 and ≥ 2 clusters | ≤ 1 cluster in every window; share ≤ 0.28 where there is one (essay `‘,’,’.’`); windows with share ≥ 0.5 (Brainfuck, up to 1.0) have none | ≤ 1 cluster; share ≤ 0.06 where there is one |
//! | duplicate lines / chars | 0.30 / 0.20 | 0.051 / 0.032 (poem 41, the Pongal refrain) | 0.100 / 0.109 (chapter 32, a commentary sentence used twice) |
//! | duplicate paragraphs / chars | 0.30 / 0.20 | 0 | 0 |
//! | top 2-, 3-, 4-gram | 0.20, 0.18, 0.16 | 0.071, 0.054, 0.078 (poem 41) | 0.132, 0.092, 0.084 |
//! | duplicated 5- … 10-grams | 0.15 … 0.10 | 0.034, then 0 | 0.081, 0.094, 0.108, 0.062, 0.077, 0.081 |
//!
//! The thinnest margins: a word three times in a row (threshold 4, and 20
//! characters); the 7-gram fraction of the chapter documents (0.108 of 0.13);
//! one disordered cluster per window (soup needs 2).
//!
//! # Cost
//!
//! Linear in practice, no backtracking. The periodic scan probes 8 bytes at a
//! stride derived from the thresholds (about 3 probes per byte in all, over
//! all 400 byte periods), extends only around matches, and jumps over
//! stretches already known periodic with a divisor period; on commentary prose the nine word
//! n-gram tables dominate. Figures: bench/README.md ("Components"). A randomized test checks
//! the sampled scan against a naive all-positions scan.
//!
//! # Parts
//!
//! This file holds [`find_degeneration`], which runs the detectors in order; each lives in its
//! own file: `periodic` (back-to-back runs, words and periods), `words` (the same word in a row,
//! and the words the fractions count), `sentences` (looping sentences and list items), `lines`
//! (Gopher's duplicate lines and paragraphs), `ngrams` (Gopher's word n-grams) and `soup`
//! (punctuation soup). What they share: `thresholds` ([`RepetitionThresholds`]), `degeneration`
//! (the [`Degeneration`] they report), `chars` (punctuation and filler classes) and `fences`
//! (fenced code and the prose lines outside it). `clean` (tests and the `calibration` feature)
//! holds the clean texts of the margins above, and `calibration` (that feature only) the report
//! that measures them.

#[cfg(feature = "calibration")]
#[doc(hidden)]
pub mod calibration;
mod chars;
#[cfg(any(test, feature = "calibration"))]
mod clean;
mod degeneration;
mod fences;
mod lines;
mod ngrams;
mod periodic;
mod sentences;
mod soup;
mod thresholds;
mod words;

pub use degeneration::{Degeneration, DegenerationKind};
pub use thresholds::RepetitionThresholds;

use degeneration::drop_contained;
use fences::{Fences, prose_lines};
use lines::duplicate_lines;
use ngrams::duplicate_ngrams;
use periodic::periodic_runs;
use sentences::repeated_sentences;
use soup::soup;
use words::{prose_words, push_words, token_runs};

/// Finds degenerate repetition in `text`, sorted by span start. The local
/// detectors (runs, repeated words and periods, soup) may report several
/// regions; the fraction measures report at most one finding each.
pub fn find_degeneration(text: &str, t: &RepetitionThresholds) -> Vec<Degeneration> {
    let fences = Fences::new(text);
    // The text's tokens, read once for the word runs, the fractions and the sentences. Room for
    // words of six bytes and a space, more than Tamil prose or English needs, so the lists are not
    // grown and copied word by word (a fifth of the rule's allocation time).
    let mut tokens = Vec::with_capacity(text.len() / 7 + 1);
    tokens.extend(crate::text::word_ranges(text));
    let mut all_words = Vec::with_capacity(tokens.len());
    push_words(text, &tokens, &mut all_words);
    let mut local = Vec::new();
    periodic_runs(text, t, &fences, &mut local);
    token_runs(text, t, &fences, &all_words, &mut local);
    let mut out = drop_contained(local);
    out.extend(soup(text, t, &fences));
    let prose = prose_lines(text, &fences);
    // A looping sentence the back-to-back scan already reports is not reported again.
    out.extend(repeated_sentences(text, &prose, &tokens, t).filter(|d| {
        !out.iter()
            .any(|o| o.span.start < d.span.end && d.span.start < o.span.end)
    }));
    let words = prose_words(all_words, &fences);
    if words.len() >= t.min_words {
        out.extend(duplicate_lines(text, &prose, t));
        out.extend(duplicate_ngrams(text, &words, t));
    }
    out.sort_by_key(|d| (d.span.start, d.span.end));
    out
}

#[cfg(test)]
mod tests {
    use super::clean::{clean_corpus, field, long_clean_docs};
    use super::*;

    fn find(text: &str) -> Vec<Degeneration> {
        find_degeneration(text, &RepetitionThresholds::default())
    }

    fn kinds(text: &str) -> Vec<DegenerationKind> {
        find(text).into_iter().map(|d| d.kind).collect()
    }

    fn assert_clean(text: &str) {
        let found = find(text);
        assert!(found.is_empty(), "false alarm on {text:?}: {found:#?}");
    }

    /// The only finding, with its span text.
    fn single(text: &str) -> (Degeneration, &str) {
        let found = find(text);
        assert_eq!(found.len(), 1, "expected one finding in {text:?}: {found:#?}");
        let d = found.into_iter().next().expect("one finding");
        let s = &text[d.span.clone()];
        (d, s)
    }

    use crate::test_data;

    fn kural(number: usize) -> String {
        let all = test_data::kurals();
        field(&all[number - 1], "tamil")
    }

    // -- sentences and list items -------------------------------------------

    fn sentence_loops(text: &str) -> Vec<Degeneration> {
        find(text)
            .into_iter()
            .filter(|d| matches!(d.kind, DegenerationKind::RepeatedSentence { .. }))
            .collect()
    }

    #[test]
    fn a_list_whose_items_became_one_item_is_a_loop_where_it_starts() {
        let item = "In ten years' time, who is the most likely to become a professional gamer?";
        let text = format!("Here are some:\n1. {item}\n2. {item}\n3. {item}\n4. {item}\n");
        let found = sentence_loops(&text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(&text[found[0].span.clone()], item);
        let DegenerationKind::RepeatedSentence {
            units, count, again, ..
        } = &found[0].kind
        else {
            unreachable!()
        };
        assert_eq!((*units, *count, again.len()), (1, 4, 3));
        assert_eq!(&text[again[0]..again[0] + item.len()], item);
    }

    #[test]
    fn shared_heads_list_markers_and_refrains_are_structure() {
        let heads: String = (1..=10)
            .map(|i| format!("{i}) Right to information about item number {i}, in writing. "))
            .collect();
        assert!(sentence_loops(&heads).is_empty());
        let emoji = "1️⃣ பொது அதிகாரப் பத்திரம் (General POA) எல்லாவற்றுக்கும்\n2️⃣ சிறப்பு அதிகாரப் பத்திரம் (Special POA) ஒன்றுக்கு மட்டும்\n3️⃣ நிலையான அதிகாரப் பத்திரம் (Durable POA) எப்போதும்";
        assert!(sentence_loops(emoji).is_empty());
        let chorus = "Lay the weapons down tonight and sing along with me.";
        let song =
            format!("Verse one here.\n{chorus}\nVerse two is different.\n{chorus}\nVerse three ends it.\n{chorus}");
        assert!(sentence_loops(&song).is_empty());
    }

    #[test]
    fn a_block_of_names_restarting_is_a_loop() {
        // Longer than the back-to-back scan's longest unit (100 characters).
        let block = [
            "GradSchoolGlory",
            "ApplicationAce",
            "ScholarSquad",
            "AdmissionAlly",
            "HigherEdHonors",
            "StudentStratosphere",
            "GradSchoolGroundwork",
        ];
        let text: String = std::iter::repeat_n(block, 5)
            .flatten()
            .map(|name| format!("- {name}\n"))
            .collect();
        let found = sentence_loops(&text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(matches!(
            found[0].kind,
            DegenerationKind::RepeatedSentence { units: 7, count: 5, .. }
        ));
    }

    #[test]
    fn a_long_sentence_pasted_twice_is_a_loop_a_short_one_is_not() {
        let long = "The scheme gives every eligible family a cash transfer of one thousand rupees a month, paid directly into the bank account of the woman who heads the household.";
        let found = sentence_loops(&format!("{long} Applications were taken in two phases. {long}"));
        assert_eq!(found.len(), 1, "{found:#?}");
        let short = "Apply at the ration shop.";
        assert!(sentence_loops(&format!("{short} Bring your card. {short}")).is_empty());
    }

    #[test]
    fn of_two_equal_pasted_sentences_the_first_is_reported_every_time() {
        // Same length, each pasted twice: the tie once went to whichever the hash map gave first.
        let first = "The scheme gives every eligible family a cash transfer of one thousand rupees a month, paid directly into the bank account of the woman who heads the household.";
        let second = first.replacen("a month", "a annum", 1);
        assert_eq!(first.len(), second.len());
        let text = format!("{first} Then. {second} Again. {first} More. {second}");
        for _ in 0..8 {
            let found = sentence_loops(&text);
            assert_eq!(found.len(), 1, "{found:#?}");
            assert_eq!(found[0].span.start, 0, "{found:#?}");
        }
    }

    #[test]
    fn tamil_parallel_clauses_are_not_a_loop() {
        let text = "குறிப்பிட்ட விதமான மக்களுடன் வியாபாரம் செய்ய விரும்புகிறோம்; குறிப்பிட்ட விதமான மக்களுடன் திருமணம் செய்து கொள்ள விரும்புகிறோம்; குறிப்பிட்ட விதமான மக்களுடன் நட்பில் இருக்க விரும்புகிறோம்.";
        assert!(find(text).is_empty());
    }

    #[test]
    fn separators_of_dashes_and_table_rules_are_not_runs() {
        assert!(find("முதல் பகுதி\n———————————————————————\nஇரண்டாம் பகுதி").is_empty());
        let rule = format!("| a | b |\n|{}|---|\n| 1 | 2 |", "-".repeat(300));
        assert!(find(&rule).is_empty());
        assert!(find("The total is 6,000,000,000,000,000 atoms.").is_empty());
    }

    // -- must fire ---------------------------------------------------------

    #[test]
    fn glued_token_repeats() {
        let text = "<|im_start|>systemsystemsystemsystemsystem";
        let (d, s) = single(text);
        assert_eq!(s, "systemsystemsystemsystemsystem");
        assert_eq!(
            d.kind,
            DegenerationKind::RepeatedToken {
                token: "system".into(),
                count: 5
            }
        );
        assert_eq!((d.measured, d.threshold), (5.0, 4.0));
        // A trailing partial repeat is not counted nor underlined.
        let (d, s) = single("systemsystemsystemsystemsys and more");
        assert_eq!(s, "systemsystemsystemsystem");
        assert_eq!(d.measured, 4.0);
    }

    #[test]
    fn spaced_token_repeats() {
        let text = "The crowd celebrated celebrated celebrated celebrated the win.";
        let (d, s) = single(text);
        assert_eq!(s, "celebrated celebrated celebrated celebrated");
        assert_eq!(
            d.kind,
            DegenerationKind::RepeatedToken {
                token: "celebrated".into(),
                count: 4
            }
        );
        // Irregular separators: only the word scan sees this one.
        let (d, s) = single("celebrated\ncelebrated,  celebrated; celebrated!");
        assert_eq!(s, "celebrated\ncelebrated,  celebrated; celebrated");
        assert_eq!(d.measured, 4.0);
    }

    #[test]
    fn tamil_word_repeated_ten_times() {
        let text = ["வணக்கம்"; 10].join(" ");
        let (d, s) = single(&text);
        assert_eq!(s, text);
        assert_eq!(
            d.kind,
            DegenerationKind::RepeatedToken {
                token: "வணக்கம்".into(),
                count: 10
            }
        );
        // Glued, and with irregular spacing.
        let glued = "நன்றி".repeat(6);
        assert!(
            matches!(&single(&glued).0.kind, DegenerationKind::RepeatedToken { token, count: 6 } if token == "நன்றி")
        );
        let spaced = "சரி சரி\nசரி  சரி, சரி சரி";
        assert!(
            matches!(&single(spaced).0.kind, DegenerationKind::RepeatedToken { token, count: 6 } if token == "சரி")
        );
    }

    #[test]
    fn char_runs() {
        let (d, s) = single("Wow!!!!!!!!!! Great.");
        assert_eq!(s, "!!!!!!!!!!");
        assert_eq!(d.kind, DegenerationKind::CharRun { ch: '!', len: 10 });
        assert_eq!((d.measured, d.threshold), (10.0, 8.0));
        let (d, s) = single("இஇஇஇஇஇஇஇ");
        assert_eq!(s, "இஇஇஇஇஇஇஇ");
        assert_eq!(d.kind, DegenerationKind::CharRun { ch: 'இ', len: 8 });
        // Filler characters fire too once the run is really long.
        let rule = "-".repeat(150);
        let (d, _) = single(&rule);
        assert_eq!(d.kind, DegenerationKind::CharRun { ch: '-', len: 150 });
        assert_eq!(d.threshold, 100.0);
    }

    #[test]
    fn repeated_phrase() {
        let text = "Answer: I am sorry. I am sorry. I am sorry. I am sorry. Bye";
        let (d, s) = single(text);
        assert_eq!(s, "I am sorry. I am sorry. I am sorry. I am sorry.");
        assert_eq!(
            d.kind,
            DegenerationKind::RepeatedPeriod {
                period: "I am sorry. ".into(),
                count: 4
            }
        );
        let (d, _) = single("ஆமாம் இல்லை ஆமாம் இல்லை ஆமாம் இல்லை ஆமாம் இல்லை");
        assert_eq!(d.measured, 4.0);
        assert!(matches!(d.kind, DegenerationKind::RepeatedPeriod { .. }));
        let (d, _) = single("=)=)=)=)=)=)=)=)=)=)");
        assert!(matches!(d.kind, DegenerationKind::RepeatedPeriod { count: 10, .. }));
    }

    #[test]
    fn punctuation_soup() {
        let soup = r#"ooks = 1)0]:,. is:.. = *="-1., of,....."#;
        let (d, _) = single(soup);
        assert_eq!(d.kind, DegenerationKind::PunctuationSoup);
        assert!(d.measured >= 0.6, "{d:?}");
        // Inside a normal answer the span covers the soup, not the prose.
        let text = format!("இது ஒரு நல்ல பதில் ஆகும், நன்றி. {soup} {soup}");
        let (d, s) = single(&text);
        assert_eq!(d.kind, DegenerationKind::PunctuationSoup);
        assert!(s.starts_with("1)0]:,.") && s.ends_with("of,....."), "{s}");
    }

    #[test]
    fn duplicate_lines_fire() {
        let mut text = String::new();
        for i in 0..12 {
            text.push_str(&format!("Point {i} talks about a different subject entirely.\n"));
            if i % 2 == 0 {
                text.push_str("The model keeps saying the very same sentence again.\n");
            }
        }
        let found = find(&text);
        let lines = found
            .iter()
            .find(|d| d.kind == DegenerationKind::DuplicateLines)
            .expect("duplicate lines");
        // 5 of 18 lines are repeats (0.278 < 0.30), holding 0.288 of the characters.
        assert_eq!(lines.threshold, 0.20);
        assert!(lines.measured > 0.28 && lines.measured < 0.29, "{lines:?}");
        assert_eq!(
            &text[lines.span.clone()],
            "The model keeps saying the very same sentence again."
        );
        assert!(
            found
                .iter()
                .any(|d| matches!(d.kind, DegenerationKind::DuplicateNgrams { .. }))
        );
    }

    #[test]
    fn duplicate_ngrams_fire_without_duplicate_lines() {
        // One paragraph, no repeated line, no back-to-back repeats: a stock phrase
        // recurs between varying words.
        let filler = [
            "apples", "rivers", "engines", "poems", "cities", "numbers", "clouds", "stones",
        ];
        let mut text = String::new();
        for f in filler {
            text.push_str(&format!("{f} and {f} again because as an AI language model I cannot "));
        }
        let kinds = kinds(&text);
        assert!(
            kinds
                .iter()
                .any(|k| matches!(k, DegenerationKind::DuplicateNgrams { .. })),
            "{kinds:?}"
        );
        assert!(!kinds.contains(&DegenerationKind::DuplicateLines));
    }

    // -- near misses -------------------------------------------------------

    #[test]
    fn markdown_and_filler_pass() {
        assert_clean("# Title\n\n----------\n\nText.\n\n==========\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        assert_clean("Name: __________________  Date: ________");
        assert_clean("Chapter 1 .................................................. 5");
        assert_clean("1/3 = 0.3333333333333333 and 0x00000000 and 100000000000");
        assert_clean("அழைக்கவும்: +91 98XXXXXXXX, கடவுச்சொல்: ********");
        assert_clean("<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> branch");
        assert_clean("* * * * * * * * * *");
    }

    #[test]
    fn normal_punctuation_passes() {
        assert_clean("இது ஒரு நீண்ட தமிழ் உரை... ஆனால் இது சாதாரணமானது... சரியா?!");
        assert_clean("Wait... what?! Really?!!");
        assert_clean("Fruits (e.g., apples, pears, etc.), vegetables (i.e., roots), and so on.");
        assert_clean("x = (−b ± √(b² − 4ac)) / (2a), where a ≠ 0; see eq. (3).");
        assert_clean(r#"{"name": "get_weather", "arguments": {"city": "Chennai", "days": [1, 2, 3]}}"#);
        assert_clean("https://example.com/a/b?c=d&e=f#frag https://ta.wikipedia.org/wiki/திருக்குறள்");
        assert_clean("for (int i = 0; i < n; i++) { a[i] = b[i] * 2; } // c[i] += d[i];");
        // The essay's Brainfuck hello-world: 100 % punctuation, orderly clusters.
        assert_clean("++++++++[>++++[>++>+++>+++>+<<<<-]>+>+>->>+[<]<-]>>.>—.+++++++..+++.>>.<-.<.+++.——.——–.");
    }

    #[test]
    fn short_repeats_pass() {
        assert_clean("hahahaha, that was funny");
        assert_clean("ha ha ha ha");
        assert_clean("very very very good");
        assert_clean("முருகா முருகா வேல் முருகா");
        assert_clean("அறிய அறிய அறிய");
        assert_clean("வா வா வா வா"); // four, but only 11 characters
        assert_clean("Sooooooo good"); // a run of 7
        assert_clean("+>+>+>+>+> என்பது 5 என்ற எண்ணை குறியிடும்");
    }

    #[test]
    fn code_blocks_are_lenient() {
        let mut text =
            String::from("இந்த நிரல் ஒரு பட்டியலை உருவாக்கி அதை அச்சிடுகிறது. கீழே உள்ள உதாரணத்தை பாருங்கள்:\n\n```python\n");
        // Repeated literals, brackets and lines are normal in code.
        text.push_str("items = [None, None, None, None, None]\nprint(items)\n}}}}}}}}\n");
        text.push_str("for i in range(10):\n    print(items)\n    print(items)\n");
        text.push_str("print(items)\n}}}}}}}}\nprint(items)\n");
        text.push_str("```\n\n");
        // Enough real prose (ten commentaries) for the fraction measures to apply.
        for v in test_data::kurals().iter().take(10) {
            text.push_str(&field(v, "meaning_varadarasanar"));
            text.push('\n');
        }
        text.push_str("```\nprint(items)\n```\n```\nprint(items)\n```\n");
        assert_clean(&text);
        // The same repeats outside a code block do fire.
        assert!(!find("items = [None, None, None, None, None]").is_empty());
    }

    #[test]
    fn repeating_kurals_pass() {
        for n in [4, 105, 1044, 1314] {
            assert_clean(&kural(n));
        }
    }

    #[test]
    fn fractions_need_enough_words() {
        // A refrain that is 100 % duplicate lines, but far below min_words.
        assert_clean("வா நிலா வா\nவான் நிலா வா\nவா நிலா வா\nவான் நிலா வா\nவா நிலா வா");
    }

    #[test]
    fn thresholds_are_configurable() {
        let strict = RepetitionThresholds {
            token_min_repeats: 3,
            period_min_chars: 10,
            ..RepetitionThresholds::default()
        };
        let found = find_degeneration("அறிய அறிய அறிய", &strict);
        assert_eq!(found.len(), 1, "{found:?}");
        // Degenerate thresholds must not hang or panic.
        let zero = RepetitionThresholds {
            char_run_min: 0,
            filler_run_min: 0,
            period_min_repeats: 0,
            period_min_chars: 0,
            period_max_chars: 0,
            token_min_repeats: 0,
            min_lines: 0,
            min_words: 0,
            soup_window: 0,
            soup_min_clusters: 0,
            ..RepetitionThresholds::default()
        };
        let _ = find_degeneration("abc abc abc\n\n!!", &zero);
        let _ = find_degeneration("", &zero);
        assert!(find("").is_empty());
    }

    // -- clean corpora (the texts are in `clean`) ----------------------------

    #[test]
    fn clean_corpora_pass() {
        let t = RepetitionThresholds::default();
        let mut n = 0;
        for (label, text) in clean_corpus().into_iter().chain(long_clean_docs()) {
            let found = find_degeneration(&text, &t);
            assert!(found.is_empty(), "{label}: {found:#?}");
            n += 1;
        }
        assert_eq!(n, 1330 * 5 + 41 * 2 + 1 + 133 * 4 + 2);
    }

    // -- speed -------------------------------------------------------------

    fn timed(label: &str, text: &str) -> (std::time::Duration, Vec<Degeneration>) {
        let start = std::time::Instant::now();
        let found = find_degeneration(text, &RepetitionThresholds::default());
        let took = start.elapsed();
        eprintln!("{label}: {} bytes in {took:?}", text.len());
        (took, found)
    }

    #[test]
    fn one_megabyte_is_fast() {
        // Debug builds are ~20x slower than release; the release numbers are in
        // the module doc. These bounds only catch quadratic behaviour.
        let limit = std::time::Duration::from_millis(if cfg!(debug_assertions) { 3000 } else { 150 });
        let (took, found) = timed("a×1M", &"a".repeat(1 << 20));
        assert!(took < limit, "{took:?}");
        assert_eq!(found.len(), 1);
        let (took, found) = timed("system×", &"system".repeat(175_000));
        assert!(took < limit, "{took:?}");
        assert!(matches!(
            &found[0].kind,
            DegenerationKind::RepeatedToken { count: 175_000, .. }
        ));
        let (took, found) = timed("இ×", &"இ".repeat(350_000));
        assert!(took < limit, "{took:?}");
        assert_eq!(found.len(), 1);
        // Real Tamil prose: the commentaries, repeated up to 1 MB (the repeat
        // itself is far longer than any period searched).
        let mut prose = String::new();
        for v in test_data::kurals() {
            prose.push_str(&field(v, "meaning_varadarasanar"));
            prose.push('\n');
        }
        let mut big = String::new();
        while big.len() < (1 << 20) {
            big.push_str(&prose);
        }
        let (took, _) = timed("tamil prose", &big);
        assert!(took < limit, "{took:?}");
        // The periodic scan alone, the part that must stay linear.
        let start = std::time::Instant::now();
        let mut out = Vec::new();
        periodic_runs(&big, &RepetitionThresholds::default(), &Fences::new(&big), &mut out);
        eprintln!("periodic scan, tamil prose: {:?}", start.elapsed());
        assert!(out.is_empty(), "{out:?}");
    }
}
