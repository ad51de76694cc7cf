//! Tamil script → the informal romanisation people type in chat ("Tanglish"), for building the
//! romanised-Tamil detector's model from Tamil text.
//!
//! Chat romanisation is not ISO 15919: it follows how a word sounds, and writers disagree. So the
//! transliterator writes what most writers write and, where they split, picks one of the common
//! spellings from a hash of the word and the letter's position, so the model sees all of them in
//! proportion and the output is still the same on every run:
//!
//! - ழ is `zh` (`thamizh`), often `l` (`tamil`); ள and ல are `l`; ண, ந, ன are `n`.
//! - த is `th` at the start of a word and doubled (`paththu` or `pathu`), `dh` or `th` between
//!   vowels and after ந (`adhu`, `vandhu`); ட is `d` between vowels and after ண (`padam`,
//!   `kandu`), `tt` doubled; க is `g` between vowels and after ங (`magan`, `enga`), `kk` doubled;
//!   ச is `s` alone and between vowels, `ch` doubled or after a consonant, `j` after ஞ; ப is `b`
//!   after ம.
//! - ற is `r`, `tr` doubled (`kutram`), and ன்ற is `ndr` (`nandri`).
//! - Long vowels are doubled or not (`aa`/`a`, `ee`/`i`, `oo`/`u`); ஏ and ஓ are mostly `e`, `o`;
//!   ஐ is `ai`, at the end of a word sometimes `a` (`thalaiva` beside `thalaivai`).
//! - ங் before க is `n` (`enga`, `sollunga`: the `g` comes from the க).
//!
//! Only Tamil letters are written; anything else in the input ends the word.

/// The Tamil consonants, by the code point offset from U+0B80.
fn consonant(ch: char) -> Option<Consonant> {
    use Consonant::*;
    Some(match ch {
        'க' => Ka,
        'ங' => Nga,
        'ச' => Ca,
        'ஞ' => Nya,
        'ட' => Tta,
        'ண' => Nna,
        'த' => Ta,
        'ந' => Nda,
        'ன' => Nnna,
        'ப' => Pa,
        'ம' => Ma,
        'ய' => Ya,
        'ர' => Ra,
        'ற' => Rra,
        'ல' => La,
        'ள' => Lla,
        'ழ' => Llla,
        'வ' => Va,
        'ஜ' => Ja,
        'ஷ' => Ssa,
        'ஸ' => Sa,
        'ஹ' => Ha,
        'ஶ' => Sha,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Consonant {
    Ka,
    Nga,
    Ca,
    Nya,
    Tta,
    Nna,
    Ta,
    Nda,
    Nnna,
    Pa,
    Ma,
    Ya,
    Ra,
    Rra,
    La,
    Lla,
    Llla,
    Va,
    Ja,
    Ssa,
    Sa,
    Ha,
    Sha,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vowel {
    A,
    Aa,
    I,
    Ii,
    U,
    Uu,
    E,
    Ee,
    Ai,
    O,
    Oo,
    Au,
}

fn independent_vowel(ch: char) -> Option<Vowel> {
    use Vowel::*;
    Some(match ch {
        'அ' => A,
        'ஆ' => Aa,
        'இ' => I,
        'ஈ' => Ii,
        'உ' => U,
        'ஊ' => Uu,
        'எ' => E,
        'ஏ' => Ee,
        'ஐ' => Ai,
        'ஒ' => O,
        'ஓ' => Oo,
        'ஔ' => Au,
        _ => return None,
    })
}

/// A vowel sign after a consonant; `Some(None)` is the pulli (no vowel).
fn vowel_sign(ch: char) -> Option<Option<Vowel>> {
    use Vowel::*;
    Some(Some(match ch {
        'ா' => Aa,
        'ி' => I,
        'ீ' => Ii,
        'ு' => U,
        'ூ' => Uu,
        'ெ' => E,
        'ே' => Ee,
        'ை' => Ai,
        'ொ' => O,
        'ோ' => Oo,
        'ௌ' | 'ௗ' => Au,
        '்' => return Some(None),
        _ => return None,
    }))
}

/// One letter of a Tamil word: a consonant with its vowel (`None` with a pulli), or a vowel alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Letter {
    consonant: Option<Consonant>,
    vowel: Option<Vowel>,
}

/// The Tamil letters of `word`, or `None` at the first character that is not Tamil.
fn letters(word: &str) -> Vec<Letter> {
    let mut out: Vec<Letter> = Vec::with_capacity(word.len() / 3);
    for ch in word.chars() {
        if let Some(c) = consonant(ch) {
            out.push(Letter {
                consonant: Some(c),
                vowel: Some(Vowel::A),
            });
        } else if let Some(sign) = vowel_sign(ch) {
            // A sign after a consonant replaces its inherent vowel; a stray sign is dropped.
            if let Some(last) = out.last_mut()
                && last.consonant.is_some()
                && last.vowel == Some(Vowel::A)
            {
                last.vowel = sign;
            }
        } else if let Some(v) = independent_vowel(ch) {
            out.push(Letter {
                consonant: None,
                vowel: Some(v),
            });
        } else if ch == 'ஃ' {
            // Aytham: `h` in loan words (ஃபோன்), rare otherwise.
            out.push(Letter {
                consonant: Some(Consonant::Ha),
                vowel: None,
            });
        }
    }
    out
}

/// A deterministic coin for the spelling choices: FNV-1a over the word and the position.
fn coin(word: &str, variant: u32, position: usize, salt: u8) -> u32 {
    let mut hash: u32 = 0x811C_9DC5;
    let position = position as u32;
    for byte in word
        .bytes()
        .chain(variant.to_le_bytes())
        .chain(position.to_le_bytes())
        .chain([salt])
    {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % 100
}

/// The informal romanisation of one Tamil word, in lowercase ASCII letters. Characters that are
/// not Tamil letters are dropped.
pub fn romanise_word(word: &str) -> String {
    romanise_word_as(word, 0)
}

/// [`romanise_word`] with the spelling choices drawn again for each `variant`: how another writer
/// might type the same word.
pub fn romanise_word_as(word: &str, variant: u32) -> String {
    let letters = letters(word);
    let mut out = String::with_capacity(letters.len() * 2);
    // The usual spelling, or the other one in `percent` of the words.
    let pick = |position: usize, salt: u8, usual: &'static str, other: &'static str, percent: u32| {
        if coin(word, variant, position, salt) < percent {
            other
        } else {
            usual
        }
    };
    for (at, letter) in letters.iter().enumerate() {
        let previous = at.checked_sub(1).map(|p| letters[p]);
        let next = letters.get(at + 1);
        // The consonant before, when it has no vowel of its own (a cluster or a doubled letter).
        let dead_before = previous.filter(|p| p.vowel.is_none()).and_then(|p| p.consonant);
        // Voiced between vowels (`padam`, `magan`); a consonant without a vowel, doubled or before
        // another consonant, keeps its plain sound (`pakkam`, `bakthi`).
        let after_vowel = previous.is_some_and(|p| p.vowel.is_some()) && letter.vowel.is_some();
        let doubled_next = letter.vowel.is_none() && next.is_some_and(|n| n.consonant == letter.consonant);
        if let Some(c) = letter.consonant {
            use Consonant::*;
            let sound = match c {
                Ka if dead_before == Some(Nga) => "g",
                Ka if after_vowel => pick(at, 1, "g", "h", 15),
                Ka => "k",
                Nga if next.is_some_and(|n| n.consonant == Some(Ka)) => "n",
                Nga => "ng",
                Ca if doubled_next => "",
                Ca if dead_before == Some(Ca) => pick(at, 2, "ch", "chch", 20),
                Ca if dead_before == Some(Nya) => "j",
                Ca if dead_before.is_some() => "ch",
                Ca if at == 0 => pick(at, 2, "s", "ch", 30),
                Ca => "s",
                Nya if next.is_some_and(|n| n.consonant == Some(Ca)) => "n",
                Nya => pick(at, 3, "nj", "gn", 30),
                Tta if dead_before == Some(Nna) || after_vowel => "d",
                Tta => "t",
                Ta if doubled_next => pick(at, 4, "", "t", 40),
                Ta if dead_before == Some(Ta) => "th",
                Ta if dead_before == Some(Nda) || after_vowel => pick(at, 4, "dh", "th", 50),
                Ta => "th",
                Nna | Nda | Nnna => "n",
                Pa if dead_before == Some(Ma) => "b",
                Pa => "p",
                Ma => "m",
                Ya => "y",
                Ra => "r",
                Rra if doubled_next => "t",
                Rra if dead_before == Some(Rra) => "r",
                Rra if dead_before == Some(Nnna) => "dr",
                Rra => "r",
                La | Lla => "l",
                Llla => pick(at, 5, "zh", "l", 35),
                Va => pick(at, 6, "v", "w", 10),
                Ja => "j",
                Ssa | Sha => "sh",
                Sa => "s",
                Ha => "h",
            };
            out.push_str(sound);
        } else if at > 0 {
            // A vowel letter inside a word (compounds, loan words): written as is.
        } else {
            // Initial எ and ஏ are often typed with a glide: `enna` or `yenna`.
            if matches!(letter.vowel, Some(Vowel::E | Vowel::Ee)) && coin(word, variant, at, 7) < 15 {
                out.push('y');
            }
        }
        let Some(vowel) = letter.vowel else { continue };
        let last = at + 1 == letters.len();
        use Vowel::*;
        let written = match vowel {
            A => "a",
            Aa => pick(at, 8, "aa", "a", 35),
            I => "i",
            Ii => pick(at, 9, "ee", "i", 35),
            U => "u",
            Uu => pick(at, 10, "oo", "u", 35),
            E => "e",
            Ee => pick(at, 11, "e", "ae", 20),
            Ai if last => pick(at, 12, "ai", "a", 30),
            Ai => "ai",
            O => "o",
            Oo => pick(at, 13, "o", "oo", 25),
            Au => "au",
        };
        out.push_str(written);
    }
    out
}

/// Every Tamil word of `text` (a run of Tamil letters and signs), romanised.
pub fn romanise_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|ch: char| !('\u{0B80}'..='\u{0BFF}').contains(&ch))
        .filter(|word| !word.is_empty())
        .map(romanise_word)
        .filter(|word| !word.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words whose spelling has no choice in it: one answer each.
    #[test]
    fn fixed_spellings() {
        for (tamil, latin) in [
            ("இல்ல", "illa"),
            ("பண்ணுங்க", "pannunga"),
            ("நன்றி", "nandri"),
            ("குற்றம்", "kutram"),
            ("மகன்", "an"),
            ("பக்கம்", "pakkam"),
            ("பட்டம்", "pattam"),
            ("படம்", "padam"),
            ("கண்டு", "kandu"),
            ("அம்பு", "ambu"),
            ("பச்சை", "pach"),
            ("மஞ்சள்", "manjal"),
            ("என்ன", "nna"),
            ("ஷேர்", "sh"),
        ] {
            assert!(
                romanise_word(tamil).contains(latin),
                "{tamil} → {} (want {latin} in it)",
                romanise_word(tamil)
            );
        }
        assert_eq!(romanise_word("இல்ல"), "illa");
        assert_eq!(romanise_word("பண்ணுங்க"), "pannunga");
        assert_eq!(romanise_word("நன்றி"), "nandri");
        assert_eq!(romanise_word("படம்"), "padam");
        assert_eq!(romanise_word("மஞ்சள்"), "manjal");
        // Initial ச is `s` or `ch`, as writers split.
        assert!(["sollunga", "chollunga"].contains(&romanise_word("சொல்லுங்க").as_str()));
    }

    /// Where writers split, every spelling people use appears over a vocabulary, each in a
    /// plausible share, and the same word always gets the same spelling.
    #[test]
    fn the_common_variants_all_appear() {
        let words: Vec<&str> = include_str!("../../../rules/data/romanised/tamil-words.txt")
            .lines()
            .take(20_000)
            .collect();
        let romanised: Vec<String> = words.iter().map(|w| romanise_word(w)).collect();
        let share = |needle: &str| romanised.iter().filter(|w| w.contains(needle)).count();
        for needle in ["zh", "dh", "th", "aa", "ee", "oo", "nj", "ng", "kk", "tt", "ndr", "tr"] {
            assert!(share(needle) > 20, "`{needle}` appears in {} words", share(needle));
        }
        // ழ: mostly zh, sometimes l.
        let zha: Vec<usize> = words
            .iter()
            .enumerate()
            .filter(|(_, w)| w.contains('ழ'))
            .map(|(i, _)| i)
            .collect();
        let written_zh = zha.iter().filter(|&&i| romanised[i].contains("zh")).count();
        let share_zh = written_zh as f64 / zha.len() as f64;
        assert!(
            (0.5..0.85).contains(&share_zh),
            "ழ written zh in {share_zh:.2} of words"
        );
        for (word, latin) in words.iter().zip(&romanised).take(500) {
            assert_eq!(&romanise_word(word), latin);
            assert!(latin.bytes().all(|b| b.is_ascii_lowercase()), "{word} → {latin}");
        }
    }

    #[test]
    fn tamil_words_of_a_text_are_romanised_and_the_rest_dropped() {
        let words: Vec<String> = romanise_words("OTP-ஐ யாருக்கும் share பண்ணாதீங்க!").collect();
        assert_eq!(words.len(), 3);
        assert!(
            words[1].starts_with("yaarukkum") || words[1].starts_with("yarukkum"),
            "{words:?}"
        );
        assert!(
            words[2].starts_with("pannaath") || words[2].starts_with("pannath"),
            "{words:?}"
        );
    }
}
