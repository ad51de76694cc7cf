//! The limits of every detector, one public field each, with the defaults the module
//! documentation derives (sources and measured margins).

/// Limits for [`find_degeneration`](super::find_degeneration). Every field is public so the engine can map
/// configuration keys onto it; [`Default`] gives the values documented (with
/// their sources and measured margins) in the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct RepetitionThresholds {
    /// A run of one character (letter, mark, punctuation, emoji) this long or longer fires.
    pub char_run_min: usize,
    /// Runs and periods made only of filler characters (digits, whitespace,
    /// `- = _ * ~ # . + | / \ :`, `x`/`X` masks, box drawing), and any run or period
    /// inside a fenced code block, fire only from this many characters on.
    pub filler_run_min: usize,
    /// A unit of two or more characters must repeat back-to-back at least this often.
    pub period_min_repeats: usize,
    /// ... and its repeats must cover at least this many characters (code points).
    /// Also the least span of a
    /// [`DegenerationKind::RepeatedToken`](super::degeneration::DegenerationKind::RepeatedToken) run.
    pub period_min_chars: usize,
    /// Longest unit (in characters) searched for back-to-back repeats.
    pub period_max_chars: usize,
    /// The same whitespace-separated word this many times in a row fires.
    pub token_min_repeats: usize,
    /// Line and paragraph fractions are judged only from this many counted lines on.
    pub min_lines: usize,
    /// Line, paragraph and n-gram fractions are judged only from this many words on.
    pub min_words: usize,
    /// A sentence or list item counts as substance from this many words on...
    pub sentence_min_words: usize,
    /// ... and this many letters (Tamil words are long: eight of them are a sentence).
    pub sentence_min_letters: usize,
    /// Such a unit found this many times, anywhere in the text, is a loop.
    pub sentence_min_repeats: usize,
    /// A unit of this many letters found twice already is one (a paragraph pasted again).
    pub long_sentence_letters: usize,
    /// Gopher: duplicate lines / lines.
    pub dup_line_frac: f64,
    /// Gopher: characters in duplicate lines / characters in lines.
    pub dup_line_char_frac: f64,
    /// Gopher: duplicate paragraphs / paragraphs.
    pub dup_para_frac: f64,
    /// Gopher: characters in duplicate paragraphs / characters in paragraphs.
    pub dup_para_char_frac: f64,
    /// Gopher: characters in the most frequent word 2-gram / word characters.
    pub top_2gram_char_frac: f64,
    /// Gopher: same for 3-grams.
    pub top_3gram_char_frac: f64,
    /// Gopher: same for 4-grams.
    pub top_4gram_char_frac: f64,
    /// Gopher: characters in duplicated word 5-grams / word characters.
    pub dup_5gram_char_frac: f64,
    /// Gopher: same for 6-grams.
    pub dup_6gram_char_frac: f64,
    /// Gopher: same for 7-grams.
    pub dup_7gram_char_frac: f64,
    /// Gopher: same for 8-grams.
    pub dup_8gram_char_frac: f64,
    /// Gopher: same for 9-grams.
    pub dup_9gram_char_frac: f64,
    /// Gopher: same for 10-grams.
    pub dup_10gram_char_frac: f64,
    /// Punctuation soup is judged over windows of this many non-space characters.
    pub soup_window: usize,
    /// Share of punctuation/symbol characters among a window's non-space characters.
    pub soup_punct_frac: f64,
    /// Disordered punctuation clusters (adjacent punctuation mixing two of
    /// `, . : ;`, e.g. `]:,.`) a soup window must also hold.
    pub soup_min_clusters: usize,
}

impl Default for RepetitionThresholds {
    fn default() -> Self {
        Self {
            char_run_min: 8,
            filler_run_min: 100,
            period_min_repeats: 4,
            period_min_chars: 20,
            period_max_chars: 100,
            token_min_repeats: 4,
            min_lines: 10,
            min_words: 50,
            sentence_min_words: 6,
            sentence_min_letters: 40,
            sentence_min_repeats: 3,
            long_sentence_letters: 120,
            dup_line_frac: 0.30,
            dup_line_char_frac: 0.20,
            dup_para_frac: 0.30,
            dup_para_char_frac: 0.20,
            top_2gram_char_frac: 0.20,
            top_3gram_char_frac: 0.18,
            top_4gram_char_frac: 0.16,
            dup_5gram_char_frac: 0.15,
            dup_6gram_char_frac: 0.14,
            dup_7gram_char_frac: 0.13,
            dup_8gram_char_frac: 0.12,
            dup_9gram_char_frac: 0.11,
            dup_10gram_char_frac: 0.10,
            soup_window: 32,
            soup_punct_frac: 0.5,
            soup_min_clusters: 2,
        }
    }
}
