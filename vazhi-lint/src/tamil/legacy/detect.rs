//! Detection of legacy-font text in a Unicode corpus: a line cut into the words of each font,
//! well-formed words gathered into runs, and a run reported when it passes the font's thresholds
//! (see the parent module's documentation for the rules, the confidence and the measurements).

use std::ops::Range;

use super::bamini::bamini_glyph;
use super::glyph::{Glyph, Reading, read_glyphs};
use super::tscii::tscii_glyph;

/// A run of text in a legacy Tamil font encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyEncoded {
    /// Byte range into the analysed text.
    pub span: Range<usize>,
    pub encoding: LegacyFont,
    /// Best-effort Unicode Tamil for the span.
    pub decoded: Option<String>,
    /// 0..=1, see the module documentation.
    pub confidence: f32,
}

/// A pre-Unicode Tamil font encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegacyFont {
    /// TSCII 1.7 bytes read as Latin-1 or Windows-1252.
    Tscii,
    /// Bamini and look-alike ASCII glyph fonts.
    Bamini,
}

impl LegacyFont {
    /// The encoding's usual name.
    pub fn name(&self) -> &'static str {
        match self {
            LegacyFont::Tscii => "TSCII 1.7",
            LegacyFont::Bamini => "Bamini",
        }
    }
}

/// Common English words (function words and the commonest words of Pope's verse) that read
/// well-formed in Bamini: a word from this list ends a Bamini run. `if` (கை) and `it` (வை) are
/// left out: they are Tamil words in Bamini.
#[rustfmt::skip]
const ENGLISH_WORDS: &[&str] = &[
    "a", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before",
    "both", "but", "by", "can", "come", "could", "do", "end", "every", "for", "from", "good",
    "great", "had", "has", "have", "he", "her", "here", "his", "how", "i", "in", "is", "its",
    "just", "know", "let", "like", "make", "many", "may", "me", "more", "most", "much", "must",
    "my", "never", "new", "no", "not", "now", "of", "on", "only", "or", "other", "our", "over",
    "she", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "though", "through", "to", "too", "up", "upon", "very", "was", "we",
    "well", "were", "what", "when", "where", "which", "while", "who", "will", "with", "would",
    "yet", "you", "your",
];

/// How a character takes part in a legacy-font run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A glyph of the font: part of a word.
    Glyph,
    /// Between words of one run: spaces, digits, punctuation that is not a glyph.
    Gap,
    /// Ends the run: line breaks, letters of other scripts, characters the font cannot hold.
    Break,
}

fn role(font: LegacyFont, c: char) -> Role {
    let glyph = match font {
        LegacyFont::Tscii => c == '\u{FFFD}' || tscii_byte_read_as_latin(c).is_some(),
        LegacyFont::Bamini => bamini_glyph(c).is_some(),
    };
    if glyph {
        Role::Glyph
    } else if c == ' ' || c == '\t' || c.is_ascii_digit() || c.is_ascii_punctuation() {
        Role::Gap
    } else {
        Role::Break
    }
}

/// One word (maximal run of glyphs) read in a legacy font.
struct Word {
    range: Range<usize>,
    /// A line break or a non-glyph letter separates it from the previous word.
    broken: bool,
    reading: Reading,
    glyphs: usize,
    /// A glyph with a sign, pulli or built-in ு/ூ, in a word of two or more glyphs.
    structured: bool,
    /// Bamini only: a pulli `;` in the word, and one followed by another glyph.
    pulli: bool,
    inner_pulli: bool,
    /// Bamini only: a lowercase letter later followed by a capital (`jpUf;Fws;`): Bamini's
    /// capitals are letters (கு, ரு, ே …), English capitals start words.
    mixed_case: bool,
    /// Bamini only: a geminate (`j;j` த்த) or nasal + stop (`e;j` ந்த, `q;f` ங்க) cluster, the
    /// commonest consonant clusters of Tamil and rare in English or code.
    tamil_cluster: bool,
    /// Not a candidate: mojibake, an English function word, an HTML entity, or a word that
    /// cannot start a Tamil word.
    excluded: bool,
}

/// The words of the text in a font, each marked with whether a break precedes it.
fn font_words(text: &str, font: LegacyFont) -> Vec<Word> {
    let mut words = Vec::new();
    let mut broken = true;
    let mut start: Option<usize> = None;
    // The word is glued to a character of another script (before or after it).
    let mut glued = false;
    let mut previous = '\n';
    for (at, c) in text.char_indices().chain(std::iter::once((text.len(), '\n'))) {
        let r = role(font, c);
        let foreign = r == Role::Break && !c.is_ascii();
        if r == Role::Glyph {
            if start.is_none() {
                start = Some(at);
                glued = role(font, previous) == Role::Break && !previous.is_ascii();
            }
            previous = c;
            continue;
        }
        previous = c;
        if let Some(s) = start.take() {
            let mut range = s..at;
            if font == LegacyFont::Bamini {
                // A trailing `,` is the ASCII comma (Bamini types its comma as `>`).
                let trimmed = text[range.clone()].trim_end_matches(',').len();
                range.end = range.start + trimmed.max(1);
            }
            let mut word = read_word(text, range, font, broken);
            // Glued to letters of another script (`‚ö†Ô∏è`, `üîÑ`): a fragment of something else,
            // typically Mac Roman mojibake of emoji, not a legacy-font word.
            word.excluded |= glued || foreign;
            words.push(word);
            broken = false;
        }
        broken |= r == Role::Break;
    }
    words
}

/// The glyphs of a word in a font.
fn glyphs_of(word: &str, font: LegacyFont) -> impl Iterator<Item = (Option<Glyph>, char)> + '_ {
    word.chars().map(move |c| match font {
        LegacyFont::Tscii => (tscii_byte_read_as_latin(c).and_then(tscii_glyph), c),
        LegacyFont::Bamini => (bamini_glyph(c), c),
    })
}

/// Reads one word in a font (counts only) and notes what the run thresholds need.
fn read_word(text: &str, range: Range<usize>, font: LegacyFont, broken: bool) -> Word {
    let word = &text[range.clone()];
    let reading = read_glyphs(glyphs_of(word, font), font == LegacyFont::Bamini, false);
    let bamini = font == LegacyFont::Bamini;
    let excluded = match font {
        LegacyFont::Tscii => reading.errors == 0 && is_mojibake(word),
        LegacyFont::Bamini => {
            reading.errors == 0
                && (!can_start_tamil_word(&reading)
                    || has_html_entity(word)
                    || ENGLISH_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word)))
        }
    };
    let mixed_case = word
        .find(|c: char| c.is_ascii_lowercase())
        .is_some_and(|i| word[i..].contains(|c: char| c.is_ascii_uppercase()));
    let glyphs = word.chars().count();
    Word {
        range,
        broken,
        structured: glyphs >= 2 && reading.structure > 0,
        glyphs,
        reading,
        pulli: bamini && word.contains(';'),
        inner_pulli: bamini && word.trim_end_matches(';').contains(';'),
        mixed_case: bamini && mixed_case,
        tamil_cluster: bamini && has_tamil_cluster(word),
        excluded,
    }
}

/// Native Tamil words do not start with ங ஞ ண ழ ள ற ன, nor with a consonant cluster (a pulli
/// on the first consonant), Grantha ஸ்/ஷ் (ஸ்ரீ, ஸ்டாலின்) and க்ஷ excepted. English words
/// that read well-formed in Bamini often start with `s` (ள), `d` (ன), `w` (ற), `o` (ழ), `z` (ண).
fn can_start_tamil_word(reading: &Reading) -> bool {
    let Some(first) = reading.first else {
        return false;
    };
    if matches!(first, "ங" | "ஞ" | "ண" | "ழ" | "ள" | "ற" | "ன") {
        return false;
    }
    let grantha = first.starts_with('ஸ') || first.starts_with('ஷ') || first.starts_with("க்ஷ");
    !reading.first_pulli || grantha
}

/// A Bamini geminate or homorganic nasal + stop cluster: `X;X` for a consonant glyph X, or one
/// of ங்க `q;f`, ஞ்ச `Q;r`, ண்ட `z;l`, ந்த `e;j`, ம்ப `k;g`, ன்ற `d;w`.
fn has_tamil_cluster(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.windows(3).any(|w| {
        let consonant = matches!(bamini_glyph(char::from(w[0])), Some(Glyph::Consonant(_)));
        w[1] == b';'
            && consonant
            && (w[0] == w[2]
                || matches!(
                    (w[0], w[2]),
                    (b'q', b'f') | (b'Q', b'r') | (b'z', b'l') | (b'e', b'j') | (b'k', b'g') | (b'd', b'w')
                ))
    })
}

/// An HTML character reference such as `&amp;` or `&#39;` (`&` is ரூ in Bamini).
fn has_html_entity(word: &str) -> bool {
    word.match_indices('&').any(|(i, _)| {
        let rest = &word[i + 1..];
        let name = rest.trim_start_matches('#');
        let len = name.find(';').unwrap_or(0);
        len > 0 && len <= 8 && name[..len].chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// The TSCII byte behind a character of a Latin-1 or Windows-1252 reading (high bytes only).
fn tscii_byte_read_as_latin(c: char) -> Option<u8> {
    use crate::tamil::mojibake::MisdecodedAs;
    if c.is_ascii() {
        return None;
    }
    MisdecodedAs::Latin1
        .byte_of(c)
        .or_else(|| MisdecodedAs::Windows1252.byte_of(c))
}

/// Is a word of high characters UTF-8 mojibake rather than TSCII? It is when it holds a Tamil
/// UTF-8 sequence (`E0 AE|AF xx`) in its Latin-1/Windows-1252 bytes or the Mac Roman `‡Æ`/`‡Ø`,
/// or when it has three or more characters and its bytes in either reading are valid UTF-8
/// (`â€™`, `‚úÖ`). Words that short can be valid UTF-8 by chance (TSCII ரா is `Ã¡`).
fn is_mojibake(word: &str) -> bool {
    use crate::tamil::mojibake::MisdecodedAs;
    if word.contains("‡Æ") || word.contains("‡Ø") {
        return true;
    }
    let latin: Option<Vec<u8>> = word
        .chars()
        .map(|c| tscii_byte_read_as_latin(c).or(u8::try_from(c).ok().filter(u8::is_ascii)))
        .collect();
    if let Some(bytes) = &latin {
        let tamil_sequence = |w: &[u8]| {
            w[0] == 0xE0 && matches!(w[1], 0xAE | 0xAF) && w.get(2).is_none_or(|b| (0x80..=0xBF).contains(b))
        };
        // A Tamil sequence, or its first two bytes at the end of the word (third byte lost).
        let tail = bytes.len().checked_sub(2).map(|i| &bytes[i..]);
        if bytes.windows(3).any(tamil_sequence) || tail.is_some_and(tamil_sequence) {
            return true;
        }
    }
    if word.chars().count() < 3 {
        return false;
    }
    let valid = |bytes: &[u8]| std::str::from_utf8(bytes).is_ok_and(looks_misdecoded);
    // Latin-1 letters through Mac Roman make valid UTF-8 too often (மழை `Á¨Æ` is E7 AC AE), so
    // the Mac Roman reading counts only for words with a character beyond Latin-1 (`‚úÖ`).
    let beyond_latin1 = word.chars().any(|c| u32::from(c) > 0xFF);
    latin.as_deref().is_some_and(valid)
        || (beyond_latin1 && MisdecodedAs::MacRoman.encode(word).as_deref().is_some_and(valid))
}

/// A rough script bucket, to tell real text from a random valid UTF-8 reading.
fn bucket(c: char) -> u8 {
    match u32::from(c) {
        0..=0x24F => 0,           // Latin
        0x370..=0x3FF => 1,       // Greek
        0x400..=0x52F => 2,       // Cyrillic
        0x530..=0x8FF => 3,       // Armenian, Hebrew, Arabic, Syriac …
        0x900..=0xDFF => 4,       // Indic
        0x2000..=0x2BFF => 5,     // punctuation, arrows, symbols
        0x1_F000..=0x1_FAFF => 5, // emoji
        0x2E80..=0x9FFF => 6,     // CJK
        0xAC00..=0xD7AF => 7,     // Hangul
        _ => 8,
    }
}

/// Is this valid UTF-8 decode what a misdecoded word would have been? Real text: assigned
/// characters that are symbols or emoji, or letters of one non-Latin script (Cyrillic, CJK …).
/// A TSCII word that happens to be valid UTF-8 decodes to Latin letters (வாரி `Å¡Ã¢` is "šâ"),
/// to a mix of scripts, or to unassigned code points.
fn looks_misdecoded(decoded: &str) -> bool {
    use unicode_normalization::char::is_public_assigned;
    let mut letters = decoded.chars().filter(|c| !c.is_ascii());
    let Some(first) = letters.next() else {
        return false;
    };
    // Real text does not start with a combining mark, nor hold unassigned code points.
    let mark = unicode_normalization::char::is_combining_mark(first);
    if mark || !decoded.chars().all(is_public_assigned) {
        return false;
    }
    let first = bucket(first);
    let mut mixed = false;
    let mut symbols = first == 5;
    for b in letters.map(bucket) {
        mixed |= b != first;
        symbols |= b == 5;
    }
    symbols || (first != 0 && first != 8 && !mixed)
}

/// Does a run of words pass the font's thresholds?
fn accept(run: &[Word], font: LegacyFont) -> bool {
    let letters: usize = run.iter().map(|w| w.reading.letters).sum();
    match font {
        LegacyFont::Tscii => {
            // Tamil text has separate vowel-sign glyphs (ா ி ெ ே ை …, bytes A1..A8, which read
            // as the symbols ¡¢£¤¥¦§¨); runs of accented letters (`öäüß`, `éééé`) have none.
            let multi = run.iter().filter(|w| w.glyphs >= 2).count();
            let signs: usize = run.iter().map(|w| w.reading.signs).sum();
            letters >= 3 && multi * 2 >= run.len() && run.iter().any(|w| w.structured) && signs >= 1
        }
        LegacyFont::Bamini => {
            let pulli_words = run.iter().filter(|w| w.pulli).count();
            let inner = run.iter().any(|w| w.inner_pulli);
            let enough_words = run.len() >= 2 || inner;
            // Tamil evidence beyond the pulli: a geminate / nasal+stop cluster, or capitals
            // inside words — with a pulli inside the same word, or in a run of 3+ words half of
            // which carry a pulli (camelCase identifiers alone do not pass).
            let cluster = run.iter().any(|w| w.tamil_cluster);
            let mixed_inner = run.iter().any(|w| w.mixed_case && w.inner_pulli);
            let mixed_dense = run.iter().any(|w| w.mixed_case) && run.len() >= 3 && pulli_words * 2 >= run.len();
            enough_words
                && letters >= 4
                && (inner || pulli_words >= 2)
                && pulli_words * 4 >= run.len()
                && (cluster || mixed_inner || mixed_dense)
        }
    }
}

/// Turns an accepted run into a finding.
fn finding(text: &str, run: &[Word], font: LegacyFont) -> Option<LegacyEncoded> {
    let (first, last) = (run.first()?, run.last()?);
    let mut decoded = String::new();
    let mut cursor = first.range.start;
    let (mut letters, mut structure) = (0usize, 0usize);
    for word in run {
        let gap = &text[cursor..word.range.start];
        match font {
            LegacyFont::Bamini => decoded.extend(gap.chars().map(|c| if c == '>' { ',' } else { c })),
            LegacyFont::Tscii => decoded.push_str(gap),
        }
        let glyphs = glyphs_of(&text[word.range.clone()], font);
        decoded.push_str(&read_glyphs(glyphs, font == LegacyFont::Bamini, true).text);
        letters += word.reading.letters;
        structure += word.reading.structure;
        cursor = word.range.end;
    }
    // Bamini's comma `>` right after the last word belongs to the run.
    let mut end = last.range.end;
    if font == LegacyFont::Bamini && text[end..].starts_with('>') {
        end += 1;
        decoded.push(',');
    }
    let (l, s) = (letters as f32, structure as f32);
    let confidence = 1.0 - (1.0 / (1.0 + s)) * (4.0 / (4.0 + l));
    Some(LegacyEncoded {
        span: first.range.start..end,
        encoding: font,
        decoded: Some(decoded),
        confidence,
    })
}

/// Collects the runs of well-formed candidate words of one font.
fn find_runs(text: &str, font: LegacyFont, out: &mut Vec<LegacyEncoded>) {
    let mut run: Vec<Word> = Vec::new();
    let close = |run: &mut Vec<Word>, out: &mut Vec<LegacyEncoded>| {
        if !run.is_empty()
            && accept(run, font)
            && let Some(found) = finding(text, run, font)
        {
            out.push(found);
        }
        run.clear();
    };
    for word in font_words(text, font) {
        if word.broken {
            close(&mut run, out);
        }
        if word.reading.errors == 0 && word.reading.letters > 0 && !word.excluded {
            run.push(word);
        } else {
            close(&mut run, out);
        }
    }
    close(&mut run, out);
}

/// Is there a `;` right after an ASCII letter or a Bamini symbol glyph?
fn has_bamini_anchor(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b';', bytes).any(|i| {
        i > 0
            && bytes
                .get(i - 1)
                .is_some_and(|&b| b.is_ascii_alphabetic() || matches!(b, b'[' | b']' | b'\\' | b'`'))
    })
}

/// Cheap line filter for Bamini: some Tamil evidence the run thresholds ask for (a capital
/// after a lowercase letter inside a word, or a `X;X`-type cluster) is present.
fn has_bamini_evidence(line: &[u8]) -> bool {
    let mut lowercase_in_word = false;
    for &b in line {
        if b.is_ascii_whitespace() {
            lowercase_in_word = false;
        } else if b.is_ascii_lowercase() {
            lowercase_in_word = true;
        } else if b.is_ascii_uppercase() && lowercase_in_word {
            return true;
        }
    }
    line.windows(3).any(|w| {
        let pair = (w[0], w[2]);
        let nasal_stop = matches!(
            pair,
            (b'e', b'j') | (b'q', b'f') | (b'k', b'g') | (b'd', b'w') | (b'z', b'l') | (b'Q', b'r')
        );
        w[1] == b';' && (w[0] == w[2] || nasal_stop)
    })
}

/// Finds runs of text in a legacy Tamil font encoding (TSCII read as Latin-1/Windows-1252, Bamini).
pub fn find_legacy_encoding(text: &str) -> Vec<LegacyEncoded> {
    let bytes = text.as_bytes();
    let tscii = memchr::memchr2(0xC2, 0xC3, bytes).is_some();
    let bamini = has_bamini_anchor(bytes);
    if !tscii && !bamini {
        return Vec::new();
    }
    // Runs never cross a line break, so only lines with a trigger are read.
    let mut out = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        let line = &text[start..end];
        let found_before = out.len();
        if tscii && memchr::memchr2(0xC2, 0xC3, line.as_bytes()).is_some() {
            find_runs(line, LegacyFont::Tscii, &mut out);
        }
        if bamini && has_bamini_anchor(line.as_bytes()) && has_bamini_evidence(line.as_bytes()) {
            find_runs(line, LegacyFont::Bamini, &mut out);
        }
        for found in &mut out[found_before..] {
            found.span = found.span.start + start..found.span.end + start;
        }
        start = end + 1;
    }
    out.sort_by_key(|f| f.span.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tamil::legacy::bamini::unicode_to_bamini;
    use crate::tamil::legacy::tscii::unicode_to_tscii;
    use crate::tamil::mojibake::MisdecodedAs;
    use crate::test_data::*;
    use unicode_normalization::UnicodeNormalization;

    /// English, code, markup and lists full of `;` — the inputs most likely to look like Bamini.
    const ADVERSARIAL: &str = r#"body{margin:0;padding:0;font-family:Arial,sans-serif;color:#333;background:#fff}
<div style="color:red;font-size:12px;border:none;display:block;">Tom &amp; Jerry&rsquo;s it&rsquo;s don&rsquo;t &quot;quoted&quot; &lt;tag&gt; &nbsp;&nbsp; &copy; 2024 &mdash; &hellip;</div>
p { text-align:left;line-height:1.5;font-weight:bold;text-decoration:underline; }
.nav a:hover{color:blue;text-decoration:none;cursor:pointer;outline:0}
for(i=0;i<n;i++){sum+=a[i];} while(x){x=x->next;} int a;int b;char c;
let x = foo(a);bar(b);baz(c); if (ok) { return x; } else { panic!("bad"); }
SELECT name,age FROM users WHERE id=1;DELETE FROM logs;UPDATE t SET a=b;
cd /tmp;ls -la;rm -rf build;make clean;make all;echo done;exit 0
\begin{document}\section{Intro}\label{sec:intro}\end{document} $x^2;y_1$ \alpha;\beta
The results were clear; however, the method failed; nevertheless, we persisted; thus it worked.
He came; he saw; he conquered. Red; green; blue; yellow; orange; purple; black; white.
Ingredients: flour; sugar; butter; eggs; milk; salt; vanilla; baking powder; cocoa.
Paris; London; Berlin; Madrid; Rome; Vienna; Prague; Dublin; Lisbon; Athens; Oslo.
sodium chloride;potassium;magnesium;calcium;iron;zinc;copper;manganese;selenium
https://example.com/path;jsessionid=abc123?x=1;y=2 mailto:a@b.c;d@e.f
keyword;keyword2;tag;label;item;value;option;choice;select;input;output;result
Smith J; Jones K; Brown L; Taylor M; Wilson N; Davies P; Evans R; Thomas S; Johnson T.
iPhone;iPad;MacBook;AirPods;eBay;YouTube;PayPal;LinkedIn;GitHub;JavaScript;TypeScript
getElementById;addEventListener;querySelector;innerHTML;textContent;appendChild;
viewBox;fillOpacity;strokeWidth;preserveAspectRatio;xmlns;xlink;href;clipPath;
"#;

    const EUROPEAN: &str = "Le café était déjà fermé à l’heure où Noël arriva — « naïve », dit-il… \
        Größe, Übermäßig, Fußgänger, Ärger; señor, niño, ¿Qué pasó? ¡Olé! ação, coração, é, às vezes; \
        Ærø, Østergård, Åsa, smørrebrød, fjäll, Malmö; ÆØÅ ÄÖÜ öäüÖÄÜß éééé øøø; “quoted” ‘single’ \
        – en – dash — em; 5 €, 10 £, § 3, ¶ 2, © ® ™ ° ± ½ ¼ ¾ µ ¡ ¢ ¥ ¦ ¨; façade, rôle, Zoë, Curaçao.";

    /// The text with every finding's span replaced by its decoded text.
    fn splice(text: &str, found: &[LegacyEncoded]) -> String {
        let mut out = String::new();
        let mut cursor = 0;
        for f in found {
            out.push_str(&text[cursor..f.span.start]);
            out.push_str(f.decoded.as_deref().unwrap_or_default());
            cursor = f.span.end;
        }
        out.push_str(&text[cursor..]);
        out
    }

    /// Bamini writes ௌ and ெள alike; compare with ௌ spelled out.
    fn au(text: &str) -> String {
        text.replace('ௌ', "ெள")
    }

    fn nfc(text: &str) -> String {
        text.replace('\u{200C}', "").nfc().collect()
    }

    /// Every TSCII reading of a text: its bytes decoded as Latin-1 and as Windows-1252.
    fn tscii_readings(text: &str) -> Option<[String; 2]> {
        let bytes = unicode_to_tscii(text).ok()?;
        Some([
            MisdecodedAs::Latin1.decode(&bytes),
            MisdecodedAs::Windows1252.decode(&bytes),
        ])
    }

    #[test]
    fn finds_tscii_kurals_and_commentaries() {
        let (mut lines, mut exact) = (0, 0);
        for kural in field(KURALS, "tamil") {
            for reading in tscii_readings(&kural).into_iter().flatten() {
                for (line, original) in reading.lines().zip(kural.lines()) {
                    let found = find_legacy_encoding(line);
                    assert!(
                        found
                            .iter()
                            .all(|f| f.encoding == LegacyFont::Tscii && f.confidence > 0.5)
                    );
                    lines += 1;
                    exact += usize::from(splice(line, &found) == original);
                }
            }
        }
        // 2660 kural lines × 2 readings; 29 lines per reading keep a word with no vowel-sign
        // glyph (e.g. `ÀñÒõ ÀÂÛõ «Ð`) out of any run.
        assert_eq!((lines, exact), (5320, 5320 - 58));
        let mut texts = 0;
        for (field, text) in tamil_texts().into_iter().filter(|(f, _)| f != "tamil").step_by(3) {
            let original = nfc(&text);
            for reading in tscii_readings(&original).into_iter().flatten() {
                assert_eq!(splice(&reading, &find_legacy_encoding(&reading)), original, "{field}");
                texts += 1;
            }
        }
        assert!(texts > 800, "{texts}");
    }

    #[test]
    fn finds_bamini_kurals_and_commentaries() {
        let (mut lines, mut found_lines, mut words, mut covered) = (0, 0, 0, 0);
        for kural in field(KURALS, "tamil") {
            let Ok(ascii) = unicode_to_bamini(&kural) else {
                continue;
            };
            for (line, original) in ascii.lines().zip(kural.lines()) {
                let found = find_legacy_encoding(line);
                assert!(found.iter().all(|f| f.encoding == LegacyFont::Bamini));
                for f in &found {
                    // Each finding decodes to the original words it covers.
                    // (An இ at the end of a word is Bamini `,`, read as a comma: `eLnthP,` for
                    // நடுவொரீஇ.)
                    let decoded = f.decoded.as_deref().unwrap_or_default().replace(',', "இ");
                    assert!(au(original).contains(&au(&decoded)), "{decoded} in {original}");
                    covered += line[f.span.clone()].split_whitespace().count();
                }
                lines += 1;
                found_lines += usize::from(!found.is_empty());
                words += line.split_whitespace().count();
            }
        }
        // Short kural lines with at most one pulli (`MFy ePu gpw.`) stay below the thresholds.
        assert_eq!((lines, found_lines), (2660, 2546));
        assert_eq!((words, covered), (9311, 8859));
        let (mut texts, mut exact) = (0, 0);
        for (_, text) in tamil_texts().into_iter().filter(|(f, _)| f != "tamil").step_by(3) {
            let original = nfc(&text);
            let Ok(ascii) = unicode_to_bamini(&original) else {
                continue;
            };
            texts += 1;
            exact += usize::from(au(&splice(&ascii, &find_legacy_encoding(&ascii))) == au(&original));
        }
        assert!(exact * 100 >= texts * 99, "{exact} of {texts}");
    }

    #[test]
    fn no_false_alarms() {
        for name in ["english", "english_explanation", "transliteration"] {
            for text in field(KURALS, name) {
                assert!(find_legacy_encoding(&text).is_empty(), "{text}");
            }
        }
        for (field, text) in tamil_texts() {
            assert!(find_legacy_encoding(&text).is_empty(), "{field}: {text}");
        }
        for text in [ESSAY, TEAM_LOG, ADVERSARIAL, EUROPEAN] {
            assert_eq!(find_legacy_encoding(text), [], "{}", &text[..40]);
        }
        // (Not the files of this module: their documentation and tests hold real TSCII and Bamini
        // examples.)
        for source in [include_str!("../unicode.rs"), include_str!("../mojibake.rs")] {
            assert_eq!(find_legacy_encoding(source), []);
        }
        // UTF-8 Tamil mojibake belongs to the mojibake rule.
        for kural in field(KURALS, "tamil").iter().step_by(5) {
            for page in [MisdecodedAs::Latin1, MisdecodedAs::Windows1252, MisdecodedAs::MacRoman] {
                assert_eq!(find_legacy_encoding(&page.decode(kural.as_bytes())), []);
            }
        }
    }

    #[test]
    fn spans_in_mixed_text() {
        let tamil = "அகர முதல எழுத்தெல்லாம் ஆதி";
        let Some([latin1, _]) = tscii_readings(tamil) else {
            panic!("TSCII can hold {tamil}")
        };
        let text = format!("Kural 1: {latin1}. (TSCII)");
        let found = find_legacy_encoding(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].decoded.as_deref(), Some(tamil));
        assert_eq!(&text[found[0].span.clone()], latin1);
        let Ok(ascii) = unicode_to_bamini("தமிழ் மொழி, திருக்குறள்") else {
            panic!()
        };
        assert_eq!(ascii, "jkpo; nkhop> jpUf;Fws;");
        let text = format!("Bamini: {ascii} and more");
        let found = find_legacy_encoding(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].decoded.as_deref(), Some("தமிழ் மொழி, திருக்குறள்"));
        assert_eq!(&text[found[0].span.clone()], ascii);
        assert_eq!(LegacyFont::Bamini.name(), "Bamini");
    }
}
