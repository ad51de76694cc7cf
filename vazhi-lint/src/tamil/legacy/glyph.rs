//! What both legacy-font codecs share: the kinds of glyph a font has, the reader that turns a
//! glyph sequence into Unicode Tamil (and counts what the detector needs), and the syllable split
//! and reverse tables that encoding uses.

use std::collections::HashMap;

use crate::tamil::unicode::PULLI;

/// What a glyph of a legacy font is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Glyph {
    /// A bare consonant: takes a prefix sign before it and a postfix sign after it.
    Consonant(&'static str),
    /// ெ ே ை, typed before their consonant.
    Prefix(char),
    /// ா ி ீ ு ூ ் ௗ, typed after their consonant.
    Postfix(char),
    /// A complete letter: a vowel, ஃ, a consonant with its ு/ூ/ி/ீ/pulli built in, a ligature.
    Letter(&'static str),
    /// Bamini's `+` / `}`: turns the ு of the combined glyph before it into ூ.
    LongU,
    /// Not a letter: digits, quotes, ©, no-break space, undefined bytes.
    Symbol(&'static str),
}

/// The result of reading a sequence of glyphs as Tamil.
#[derive(Debug, Default)]
pub(super) struct Reading {
    /// The Unicode text, built only when asked for.
    pub(super) text: String,
    emit: bool,
    /// Tamil letters (syllables, vowels, ஃ).
    pub(super) letters: usize,
    /// Glyphs that show Tamil syllable structure: signs, pulli forms, ு/ூ forms.
    pub(super) structure: usize,
    /// Separate vowel-sign glyphs (prefix or postfix), a subset of `structure`.
    pub(super) signs: usize,
    /// Ill-formed spots (orphan signs, prefix without consonant, …).
    pub(super) errors: usize,
    /// The first letter, and whether a pulli sits on it (a cluster at the start of the word).
    pub(super) first: Option<&'static str>,
    pub(super) first_pulli: bool,
}

impl Reading {
    fn push(&mut self, c: char) {
        if self.emit {
            self.text.push(c);
        }
    }

    fn push_str(&mut self, s: &str) {
        if self.emit {
            self.text.push_str(s);
        }
    }

    /// Replaces the last char of the text (a sign) by `with`.
    fn replace_last(&mut self, with: char) {
        if self.emit {
            self.text.pop();
            self.text.push(with);
        }
    }

    /// Counts a letter; notes it if it is the first.
    fn letter(&mut self, s: &'static str, pulli_follows: bool) {
        if self.letters == 0 {
            self.first = Some(s);
            self.first_pulli = pulli_follows || s.ends_with(PULLI);
        }
        self.letters += 1;
    }
}

/// Where the reader stands after the last glyph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    Nothing,
    /// A bare consonant, or one with the given prefix sign.
    Consonant(Option<char>),
    /// A letter whose last sign is ு (Bamini: a following `h`, `+` or `}` makes it ூ).
    UForm,
    /// The independent vowel ஒ (ஒ + ௗ is ஔ).
    LetterO,
    /// A letter that takes no further sign.
    Closed,
}

/// Reads glyphs (with `None` for characters that stand for themselves) as Unicode Tamil,
/// building the text only if `emit`. `bamini` enables Bamini's conventions: ௗ written as ள,
/// ூ written as ு-form + `h`/`+`/`}`.
pub(super) fn read_glyphs(glyphs: impl Iterator<Item = (Option<Glyph>, char)>, bamini: bool, emit: bool) -> Reading {
    let mut r = Reading {
        emit,
        ..Reading::default()
    };
    let mut after = After::Nothing;
    let mut pending: Option<char> = None;
    let mut glyphs = glyphs.peekable();
    while let Some((glyph, raw)) = glyphs.next() {
        let next = glyphs.peek().and_then(|g| g.0);
        if let Some(prefix) = pending
            && !matches!(glyph, Some(Glyph::Consonant(_)))
        {
            // A prefix sign with no consonant after it.
            r.errors += 1;
            r.push(prefix);
            pending = None;
        }
        let Some(glyph) = glyph else {
            r.push(raw);
            after = After::Nothing;
            continue;
        };
        after = match glyph {
            Glyph::Prefix(p) => {
                pending = Some(p);
                r.structure += 1;
                r.signs += 1;
                After::Nothing
            }
            Glyph::Consonant(s) => {
                let takes_sign = matches!(next, Some(Glyph::Postfix(_) | Glyph::LongU));
                if bamini && s == "ள" && !takes_sign {
                    // Bamini writes ௌ as ெ + consonant + ள, and ஔ as ஒ + ள.
                    match after {
                        After::Consonant(Some('ெ')) => {
                            r.replace_last('ௌ');
                            after = After::Closed;
                            continue;
                        }
                        After::LetterO => {
                            r.replace_last('ஔ');
                            after = After::Closed;
                            continue;
                        }
                        _ => {}
                    }
                }
                r.push_str(s);
                r.letter(s, next == Some(Glyph::Postfix(PULLI)));
                let prefix = pending.take();
                if let Some(p) = prefix {
                    r.push(p);
                }
                After::Consonant(prefix)
            }
            Glyph::Postfix(sign) => {
                r.structure += 1;
                r.signs += 1;
                match (after, sign) {
                    (After::Consonant(None), _) => {
                        r.push(sign);
                        if sign == 'ு' { After::UForm } else { After::Closed }
                    }
                    (After::Consonant(Some('ெ')), 'ா') => {
                        r.replace_last('ொ');
                        After::Closed
                    }
                    (After::Consonant(Some('ே')), 'ா') => {
                        r.replace_last('ோ');
                        After::Closed
                    }
                    (After::Consonant(Some('ெ')), 'ௗ') => {
                        r.replace_last('ௌ');
                        After::Closed
                    }
                    (After::LetterO, 'ௗ') => {
                        r.replace_last('ஔ');
                        After::Closed
                    }
                    (After::UForm, 'ா') if bamini => {
                        r.replace_last('ூ');
                        After::Closed
                    }
                    _ => {
                        r.errors += 1;
                        r.push(sign);
                        After::Closed
                    }
                }
            }
            Glyph::LongU => {
                if after == After::UForm {
                    r.replace_last('ூ');
                } else {
                    r.errors += 1;
                    r.push(raw);
                }
                After::Closed
            }
            Glyph::Letter(s) => {
                r.push_str(s);
                r.letter(s, false);
                let built_in = s.chars().count() > 1;
                r.structure += usize::from(built_in);
                if s == "ஒ" {
                    After::LetterO
                } else if s.ends_with('ு') {
                    After::UForm
                } else {
                    After::Closed
                }
            }
            Glyph::Symbol(s) => {
                r.push_str(s);
                After::Nothing
            }
        };
    }
    if let Some(prefix) = pending {
        r.errors += 1;
        r.push(prefix);
    }
    r
}

/// One Unicode Tamil syllable split into what legacy fonts need: a consonant (or another
/// base letter) and its sign.
pub(super) struct Syllable<'a> {
    pub(super) base: &'a str,
    pub(super) sign: Option<char>,
}

/// Splits NFC Tamil into syllables (consonant + optional sign); other chars come out alone.
/// க்ஷ and ஸ்ரீ are kept whole.
pub(super) fn syllables(text: &str) -> Vec<Syllable<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let mut base_len = c.len_utf8();
        for ligature in ["ஸ்ரீ", "க்ஷ"] {
            if rest.starts_with(ligature) {
                base_len = ligature.len();
            }
        }
        let base = &rest[..base_len];
        rest = &rest[base_len..];
        let consonant = base != "ஸ்ரீ" && crate::tamil::unicode::is_tamil_consonant(c);
        let sign = rest
            .chars()
            .next()
            .filter(|&s| consonant && crate::tamil::unicode::is_tamil_dependent(s));
        if let Some(s) = sign {
            rest = &rest[s.len_utf8()..];
        }
        out.push(Syllable { base, sign });
    }
    out
}

/// A font's glyphs by what they stand for, for encoding (the first code wins).
pub(super) struct Reverse<T> {
    pub(super) consonants: HashMap<&'static str, T>,
    /// Letters and symbols.
    pub(super) letters: HashMap<&'static str, T>,
    pub(super) prefixes: HashMap<char, T>,
    pub(super) postfixes: HashMap<char, T>,
}

impl<T: Copy> Reverse<T> {
    pub(super) fn new(glyphs: impl Iterator<Item = (Glyph, T)>) -> Self {
        let mut reverse = Reverse {
            consonants: HashMap::new(),
            letters: HashMap::new(),
            prefixes: HashMap::new(),
            postfixes: HashMap::new(),
        };
        for (glyph, code) in glyphs {
            match glyph {
                Glyph::Consonant(t) => reverse.consonants.entry(t).or_insert(code),
                Glyph::Letter(t) | Glyph::Symbol(t) => reverse.letters.entry(t).or_insert(code),
                Glyph::Prefix(c) => reverse.prefixes.entry(c).or_insert(code),
                Glyph::Postfix(c) => reverse.postfixes.entry(c).or_insert(code),
                Glyph::LongU => continue,
            };
        }
        reverse
    }
}
