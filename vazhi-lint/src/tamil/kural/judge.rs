//! Judging one placed quotation (step 4 of the module documentation): the stretch read alone
//! and compared with the kural, exactly, as an edition spelling, as one line, as a known damaged
//! reading or through a global alignment; then what a misquotation's word edits amount to
//! ([`classify`]) and which of overlapping explanations of a stretch to keep.

use std::ops::Range;

use super::align::{Ends, Op, align, is_glide_swap, single_edit_possible};
use super::issue::{KuralIssueKind, WordEdit};
use super::reference::{Entry, without_closing_mark};
use crate::tamil::phoneme::{self, Phonemes};
use crate::tamil::variant::{may_read_as, reading_prefix, same_reading, significant_nasals, variant_keys};

#[derive(Debug)]
pub(super) enum Verdict {
    Exact,
    /// The kural as an edition spells it: not an issue, but it names its number like any quote.
    Variant,
    /// One whole line quoted alone, correctly.
    Partial,
    Misquoted {
        diff: Vec<WordEdit>,
        known_damaged: Option<&'static str>,
    },
}

#[derive(Debug)]
pub(super) struct Quote {
    pub(super) number: u16,
    pub(super) span: Range<usize>,
    pub(super) verdict: Verdict,
    /// Phoneme edits against the reference; the cheapest explanation of a stretch wins.
    pub(super) cost: usize,
}

/// Reads `text[span]` on its own (so that elision at its edges does not depend on the
/// neighbours) and compares it with the kural. `None` when it is not a quotation of it.
pub(super) fn judge(entry: &Entry, text: &str, span: Range<usize>, joint: usize) -> Option<Quote> {
    // Kural 53 is itself a question: its own question mark is no end.
    let ends_questions = !entry.kural.tamil.contains('?');
    let span = one_sentence(text, span, joint, ends_questions);
    let quoted = &text[span.clone()];
    let number = entry.kural.number;
    if is_verbatim(entry, quoted) {
        return Some(Quote {
            number,
            span,
            verdict: Verdict::Exact,
            cost: 0,
        });
    }
    let read = phoneme::phonemes_with_letters(quoted);
    let verse = &entry.verse;
    let quote = |verdict, cost| {
        Some(Quote {
            number,
            span: span.clone(),
            verdict,
            cost,
        })
    };
    // Asked only of a stretch that reads as the kural or one of its spellings: most stretches
    // judged are turned away before, and reading the nasals of each was a tenth of judging.
    let own_nasals = || entry.spellings().nasals.contains(&significant_nasals(quoted));
    if read.codes == verse.codes && own_nasals() {
        return quote(Verdict::Exact, 0);
    }
    if entry.lines.contains(&read.codes) {
        return quote(Verdict::Partial, verse.len().saturating_sub(read.codes.len()));
    }
    let damaged = entry.damaged.iter().find(|d| d.codes == read.codes);
    let variant = std::cell::OnceCell::new();
    let is_variant = || {
        *variant.get_or_init(|| {
            let spellings = &entry.spellings().variants;
            may_read_as(&reading_prefix(quoted), spellings) && same_reading(&variant_keys(quoted), spellings)
        })
    };
    // Every verdict below but the single edit needs one of these readings; without them, a
    // stretch that leaves no room for a single edit is paraphrase, known before aligning it.
    if damaged.is_none()
        && read.codes != verse.codes
        && read.codes != entry.swapped.codes
        && !single_edit_possible(entry, &read.codes)
        && !is_variant()
    {
        return None;
    }
    let mut straight = align(&verse.codes, &read.codes, Ends::Global);
    straight.normalize_gaps(&verse.codes, &read.codes, &entry.words);
    let misquoted = |known_damaged| Verdict::Misquoted {
        diff: word_diff(entry, &straight.ops, quoted, &read),
        known_damaged,
    };
    if let Some(damaged) = damaged {
        return quote(misquoted(Some(damaged.source)), straight.edits());
    }
    if read.codes == verse.codes || is_variant() && !straight.swaps_glides(&verse.codes, &read.codes) {
        // Nasals that no consonant decides are the word's own: `கணங்குழை` is not `கனங்குழை`.
        if !own_nasals() {
            return quote(
                Verdict::Misquoted {
                    diff: letter_diff(entry, quoted),
                    known_damaged: None,
                },
                1,
            );
        }
        if read.codes == verse.codes {
            return quote(Verdict::Exact, 0);
        }
        let diff = word_diff(entry, &straight.ops, quoted, &read);
        if classify(&diff) == Some(KuralIssueKind::OtherForm) {
            return quote(
                Verdict::Misquoted {
                    diff,
                    known_damaged: None,
                },
                1,
            );
        }
        return quote(Verdict::Variant, 1);
    }
    if read.codes == entry.swapped.codes {
        // Exactly the kural with its lines swapped: nothing explains this stretch better.
        return quote(misquoted(None), 0);
    }
    if straight.is_single_edit(entry) {
        return quote(misquoted(None), straight.edits());
    }
    None
}

/// True when `quoted` is the reference's words, byte for byte, with only white space between
/// them and whatever punctuation after the last letter: most quotations in real data. Its
/// phonemes and the nasals no consonant decides are then the reference's own (any white space
/// reads as one word boundary, and marks after the last letter change neither), so [`judge`] would find it
/// exact; this settles it without reading it. Anything else (other punctuation, a joiner,
/// another letter) takes the full path.
fn is_verbatim(entry: &Entry, quoted: &str) -> bool {
    let mut have = without_closing_mark(quoted).split_whitespace();
    entry.tokens.iter().all(|&want| have.next() == Some(want)) && have.next().is_none()
}

/// A diff of the quotation's words against the kural's, letter for letter, for quotations whose
/// phonemes agree (a nasal confused): the words that differ, in place.
fn letter_diff(entry: &Entry, quoted: &str) -> Vec<WordEdit> {
    let quoted_words: Vec<&str> = phoneme::words(quoted).into_iter().map(|w| &quoted[w]).collect();
    let reference: Vec<&str> = entry.words.iter().map(|&(_, word)| word).collect();
    if quoted_words.len() != reference.len() {
        let mut diff: Vec<WordEdit> = reference.iter().map(|w| WordEdit::Removed((*w).to_owned())).collect();
        diff.extend(quoted_words.iter().map(|w| WordEdit::Added((*w).to_owned())));
        return diff;
    }
    let mut diff = Vec::new();
    for (want, have) in reference.iter().zip(&quoted_words) {
        if want == have {
            diff.push(WordEdit::Same((*have).to_owned()));
        } else {
            diff.push(WordEdit::Removed((*want).to_owned()));
            diff.push(WordEdit::Added((*have).to_owned()));
        }
    }
    diff
}

/// Endings that make the same word in another grammatical form: instrumental `-ஆன்` / `-ஆல்`,
/// locative `-இல்` / `-இன்`, sociative `ஒடு` / `ஓடு`, dative `-ட்கு` / `-ளுக்கு`, `-ற்கு` / `-லுக்கு`.
const OTHER_FORMS: [(&str, &str); 5] = [
    ("ான்", "ால்"),
    ("ில்", "ின்"),
    ("ொடு", "ோடு"),
    ("ட்கு", "ளுக்கு"),
    ("ற்கு", "லுக்கு"),
];

/// What a misquotation's edits amount to: the worst of its edit regions (runs of removed and
/// added words between kept ones). A region that reads the same up to edition spellings (with the
/// word before it, for glides) is none; one word for one word in another grammatical form is
/// [`KuralIssueKind::OtherForm`]; one word for one close spelling of it is
/// [`KuralIssueKind::Misspelled`]; anything else is [`KuralIssueKind::Misquoted`]. `None` when
/// every region is spelling.
pub fn classify(diff: &[WordEdit]) -> Option<KuralIssueKind> {
    let mut worst: Option<KuralIssueKind> = None;
    let rank = |kind: KuralIssueKind| match kind {
        KuralIssueKind::OtherForm => 0,
        KuralIssueKind::Misspelled => 1,
        _ => 2,
    };
    let mut previous: Option<&str> = None;
    let mut i = 0;
    while i < diff.len() {
        if let WordEdit::Same(word) = &diff[i] {
            previous = Some(word);
            i += 1;
            continue;
        }
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        while let Some(edit) = diff.get(i) {
            match edit {
                WordEdit::Removed(word) => removed.push(word.as_str()),
                WordEdit::Added(word) => added.push(word.as_str()),
                WordEdit::Same(_) => break,
            }
            i += 1;
        }
        // The words on both sides decide a junction: a glide or doubling depends on the one
        // before, a nasal's sandhi (`மிசைவாற் புலம்`) on the one after.
        let following = match diff.get(i) {
            Some(WordEdit::Same(word)) => word.as_str(),
            _ => "",
        };
        let with_context = |words: &[&str]| {
            let mut text = previous.unwrap_or_default().to_owned();
            for word in words.iter().chain([&following]) {
                text.push(' ');
                text.push_str(word);
            }
            text
        };
        let (before, after) = (with_context(&removed), with_context(&added));
        // Another form stays another form where the junction would hide it (`களரில் நரி` /
        // `களரின் நரி`: both endings merge into the nasal after them).
        let kind = if let ([want], [have]) = (removed.as_slice(), added.as_slice())
            && other_form(want, have)
        {
            Some(KuralIssueKind::OtherForm)
        } else if same_reading(&variant_keys(&before), &variant_keys(&after))
            && significant_nasals(&before) == significant_nasals(&after)
            && !glide_swapped(&before, &after)
        {
            None
        } else if let ([want], [have]) = (removed.as_slice(), added.as_slice()) {
            Some(one_word(want, have))
        } else {
            Some(KuralIssueKind::Misquoted)
        };
        if let Some(kind) = kind
            && worst.is_none_or(|w| rank(kind) > rank(w))
        {
            worst = Some(kind);
        }
    }
    worst
}

/// Whether `b` reads as `a` with one glide (`ய`, `வ`) put for the other and nothing else
/// changed: no edition spelling (see
/// [`Alignment::swaps_glides`](super::align::Alignment::swaps_glides)).
fn glide_swapped(a: &str, b: &str) -> bool {
    let (a, b) = (phoneme::phonemes(a), phoneme::phonemes(b));
    a.len() == b.len()
        && a.iter().zip(&b).all(|(&x, &y)| x == y || is_glide_swap(x, y))
        && a.iter().zip(&b).any(|(&x, &y)| is_glide_swap(x, y))
}

/// Whether `have` is `want` with one ending of [`OTHER_FORMS`] for the other.
fn other_form(want: &str, have: &str) -> bool {
    OTHER_FORMS.iter().any(|&(a, b)| {
        [(a, b), (b, a)].into_iter().any(|(x, y)| {
            matches!(
                (want.strip_suffix(x), have.strip_suffix(y)),
                (Some(stem), Some(other)) if stem == other && stem.chars().count() >= 2
            )
        })
    })
}

/// One word quoted for another: another form of it, a misspelling of it, or another word.
pub(super) fn one_word(want: &str, have: &str) -> KuralIssueKind {
    if other_form(want, have) {
        return KuralIssueKind::OtherForm;
    }
    let want: Vec<char> = want.chars().collect();
    let have: Vec<char> = have.chars().collect();
    let is_nasal = |c: &char| matches!(c, 'ங' | 'ஞ' | 'ண' | 'ந' | 'ம' | 'ன');
    // One nasal for another, however short the word (`கனி` / `கணி`).
    if want.len() == have.len()
        && want
            .iter()
            .zip(&have)
            .all(|(a, b)| a == b || is_nasal(a) && is_nasal(b))
    {
        return KuralIssueKind::Misspelled;
    }
    let distance = edit_distance(&want, &have);
    // A slip of a letter or two in a word of some length; `மனமாட்சி` for `மனைமாட்சி` is also a
    // misspelling in form, though it makes another word.
    if distance <= 2 && want.len().min(have.len()) >= 4 {
        KuralIssueKind::Misspelled
    } else {
        KuralIssueKind::Misquoted
    }
}

/// Levenshtein distance of two short words, in code points.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Keeps the cheapest explanation of each stretch of text; the result is in text order.
pub(super) fn resolve_overlaps(mut quotes: Vec<Quote>) -> Vec<Quote> {
    quotes.sort_by_key(|q| (q.cost, q.span.start, q.number));
    let mut kept: Vec<Quote> = Vec::with_capacity(quotes.len());
    for quote in quotes {
        let overlaps = kept
            .iter()
            .any(|k| k.span.start < quote.span.end && quote.span.start < k.span.end);
        if !overlaps {
            kept.push(quote);
        }
    }
    kept.sort_by_key(|q| q.span.start);
    kept
}

/// The longest stretch of `text[span]` between questions' and exclamations' ends (`?` or `!`
/// before white space; only the joint when `ends_questions` is false, for a kural that is a
/// question) and the joint of question and answer, its edges trimmed to letters. No
/// kural has such an end before its last word, but phonemes ignore punctuation, so a placement
/// can run on into the sentence before: "… என்ன?" followed by an answer whose first letter was
/// lost reads exactly like kural 994, which starts with ந ("என்ன?" + "யனொடு"). A full stop is
/// no such end: a quotation with its lines swapped carries the kural's own full stop inside.
fn one_sentence(text: &str, span: Range<usize>, joint: usize, ends_questions: bool) -> Range<usize> {
    let quoted = &text[span.clone()];
    let mut ends: Vec<usize> = quoted
        .char_indices()
        .filter(|&(at, c)| {
            ends_questions && matches!(c, '?' | '!') && quoted[at + c.len_utf8()..].starts_with(char::is_whitespace)
        })
        .map(|(at, c)| at + c.len_utf8())
        .collect();
    if span.start < joint && joint < span.end {
        ends.push(joint - span.start);
        ends.sort_unstable();
    }
    if ends.is_empty() {
        return span;
    }
    ends.insert(0, 0);
    ends.push(quoted.len());
    let letters = |from: usize, to: usize| quoted[from..to].chars().filter(|&c| phoneme::is_word_char(c)).count();
    let (from, to) = ends
        .windows(2)
        .map(|w| (w[0], w[1]))
        .max_by_key(|&(from, to)| (letters(from, to), from))
        .unwrap_or((0, quoted.len()));
    let piece = &quoted[from..to];
    let start = piece.find(phoneme::is_word_char).unwrap_or(0);
    let end = piece.rfind(phoneme::is_word_char).map_or(piece.len(), |at| {
        at + piece[at..].chars().next().map_or(0, char::len_utf8)
    });
    span.start + from + start..span.start + from + end.max(start)
}

/// Word diff driven by the phoneme alignment: the two word sequences are cut where both have a
/// word boundary at the same aligned point; a piece that aligns exactly is `Same` (in the quoted
/// spelling, so a different word split is not an edit), any other piece is `Removed` reference
/// words followed by `Added` quoted words.
fn word_diff(entry: &Entry, ops: &[Op], quoted: &str, read: &Phonemes) -> Vec<WordEdit> {
    let quoted_words: Vec<(usize, &str)> = phoneme::words(quoted)
        .into_iter()
        .filter_map(|w| {
            let at = read.letters.iter().position(|&(s, _)| s as usize >= w.start)?;
            Some((at, &quoted[w]))
        })
        .collect();
    let reference_len = entry.verse.len();
    let quoted_len = read.codes.len();
    let boundary =
        |words: &[(usize, &str)], len: usize, at: usize| at == len || words.iter().any(|&(start, _)| start == at);
    let emit = |from: (usize, usize), to: (usize, usize), clean: bool, out: &mut Vec<WordEdit>| {
        let reference_piece = entry
            .words
            .iter()
            .filter(|&&(s, _)| s >= from.0 && s < to.0)
            .map(|&(_, w)| w.to_string());
        let quoted_piece = quoted_words
            .iter()
            .filter(|&&(s, _)| s >= from.1 && s < to.1)
            .map(|&(_, w)| w.to_string());
        if clean {
            out.extend(quoted_piece.map(WordEdit::Same));
        } else {
            out.extend(reference_piece.map(WordEdit::Removed));
            out.extend(quoted_piece.map(WordEdit::Added));
        }
    };
    // Each word is emitted once: the quotation's as same or added, the kural's as removed.
    let mut out = Vec::with_capacity(entry.words.len() + quoted_words.len());
    let (mut i, mut j) = (0, 0);
    let mut cut = (0, 0);
    let mut clean = true;
    for &op in ops {
        if (i, j) != cut && boundary(&entry.words, reference_len, i) && boundary(&quoted_words, quoted_len, j) {
            emit(cut, (i, j), clean, &mut out);
            cut = (i, j);
            clean = true;
        }
        clean &= op == Op::Match;
        (i, j) = op.step((i, j));
    }
    emit(cut, (i, j), clean, &mut out);
    out
}
