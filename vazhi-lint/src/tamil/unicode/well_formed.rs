//! The byte check that clears well-formed Tamil before [`super::malformed_sequences`] scans it:
//! no joiner, no unassigned code point, and every sign where it belongs ([`Part::after`]).
//! Anything else, even text that is only unusual, is left to the full scan, so this never
//! changes a finding (tests compare both on generated text).
//!
//! A sign's place depends only on the code point right before it: after a code point that
//! passed, the state is the one that code point leads to ([`SETTLED`]), and anything but a Tamil
//! letter leaves nothing to attach to. So the check is a test of each position against the
//! three bytes before its code point ([`pair_malformed`]), which runs on 32-byte vectors
//! ([`malformed_block`]) instead of letter by letter through the states.

use super::{ASSIGNED_BITS, AU_LENGTH_MARK, LETTER_O, PULLI, SIGN_AA, SIGN_E, SIGN_EE};
use super::{is_tamil_consonant, is_tamil_vowel_sign};

/// True when [`first_suspect`] finds `bytes` well formed.
#[cfg(test)]
pub(super) fn well_formed(bytes: &[u8]) -> bool {
    first_suspect(bytes).is_none()
}

/// `None` when [`super::malformed_sequences`] surely finds nothing in `bytes` (UTF-8): no joiner,
/// no unassigned code point, every sign where it belongs. Else a position before which that
/// holds: the code points that end before it pass, and the first that does not ends at or after
/// it. Several times faster than the full scan, which reads `char`s through a state machine that
/// also builds spans and fixes.
pub(super) fn first_suspect(bytes: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return first_malformed_position(bytes);
    }
    (!well_formed_by_states(bytes)).then_some(0)
}

/// How [`well_formed_by_states`] reads a Tamil-block code point.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Unassigned,
    Consonant,
    SignE,
    SignEe,
    /// ா: a sign after it may be its other half in the wrong order.
    SignAa,
    AuLength,
    /// Any other vowel sign: the vowel is complete.
    Sign,
    Pulli,
    LetterO,
    /// Independent vowels, ஃ, digits and symbols: nothing attaches to them.
    Standalone,
}

/// What the last code point leaves for a sign to attach to, in [`well_formed_by_states`];
/// `Malformed` ends the check.
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    Nothing,
    Consonant,
    SignE,
    SignEe,
    LetterO,
    Malformed,
}

impl After {
    /// Every state, in declaration order (the rows of [`STEPS`]).
    const ALL: [After; 6] = [
        After::Nothing,
        After::Consonant,
        After::SignE,
        After::SignEe,
        After::LetterO,
        After::Malformed,
    ];
}

impl Part {
    const fn of(c: char) -> Part {
        let offset = c as u32 - 0x0B80;
        if ASSIGNED_BITS & (1 << offset) == 0 {
            Part::Unassigned
        } else if is_tamil_consonant(c) {
            Part::Consonant
        } else if c == SIGN_E {
            Part::SignE
        } else if c == SIGN_EE {
            Part::SignEe
        } else if c == SIGN_AA {
            Part::SignAa
        } else if c == AU_LENGTH_MARK {
            Part::AuLength
        } else if c == PULLI {
            Part::Pulli
        } else if is_tamil_vowel_sign(c) {
            Part::Sign
        } else if c == LETTER_O {
            Part::LetterO
        } else {
            Part::Standalone
        }
    }

    /// Where `part` leaves the check after `after`: a vowel sign or pulli right after a
    /// consonant, ா or ௗ completing ெ/ே as [`super::two_part_vowel`] composes them, ௗ after ஒ;
    /// anything else a sign meets is for the full scan.
    const fn after(self, after: After) -> After {
        match (after, self) {
            (_, Part::Unassigned) | (After::Malformed, _) => After::Malformed,
            (_, Part::Consonant) => After::Consonant,
            (_, Part::LetterO) => After::LetterO,
            (_, Part::Standalone) => After::Nothing,
            (After::Consonant, Part::SignE) => After::SignE,
            (After::Consonant, Part::SignEe) => After::SignEe,
            // A sign after ா may be its other half in the wrong order: the next step decides.
            (After::Consonant, Part::SignAa | Part::Sign | Part::Pulli) => After::Nothing,
            (After::SignE | After::SignEe, Part::SignAa) | (After::SignE | After::LetterO, Part::AuLength) => {
                After::Nothing
            }
            _ => After::Malformed,
        }
    }
}

/// [`Part::after`] for every state and Tamil-block code point U+0B80..=U+0BFF: one look-up per
/// letter.
const STEPS: [[After; 128]; After::ALL.len()] = {
    let mut steps = [[After::Malformed; 128]; After::ALL.len()];
    let mut s = 0;
    while s < After::ALL.len() {
        // `well_formed` indexes the rows by `After as usize`.
        assert!(After::ALL[s] as usize == s);
        let mut i = 0;
        while i < 128 {
            let Some(c) = char::from_u32(0x0B80 + i as u32) else {
                unreachable!()
            };
            steps[s][i] = Part::of(c).after(After::ALL[s]);
            i += 1;
        }
        s += 1;
    }
    steps
};

/// The state after each Tamil-block code point in a text well formed so far: every state a
/// code point does not make malformed leads to the same one (a consonant to
/// [`After::Consonant`], ெ to [`After::SignE`] since it is only allowed after a consonant, any
/// sign completing a letter to [`After::Nothing`]), which the table's construction checks.
/// [`After::Malformed`] for a code point no state allows.
const SETTLED: [After; 128] = {
    let mut settled = [After::Malformed; 128];
    let mut i = 0;
    while i < 128 {
        let mut s = 0;
        while s < After::ALL.len() {
            let next = STEPS[s][i];
            if !matches!(next, After::Malformed) {
                assert!(
                    matches!(settled[i], After::Malformed) || settled[i] as usize == next as usize,
                    "a code point allowed in two states leads to one state"
                );
                settled[i] = next;
            }
            s += 1;
        }
        i += 1;
    }
    settled
};

/// [`first_suspect`]'s question, code point by code point: one table look-up per letter. For
/// processors without AVX2, and the reference the vector check is tested against.
fn well_formed_by_states(bytes: &[u8]) -> bool {
    let mut after = After::Nothing;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte < 0x80 {
            after = After::Nothing;
            at += 1;
            continue;
        }
        if let Some(offset) = super::super::phoneme::tamil_offset(bytes, at) {
            if STEPS[after as usize][offset] == After::Malformed {
                return false;
            }
            // The next state from this code point alone ([`SETTLED`]), not from the look-up
            // just made: each letter's look-up then waits on no other.
            after = SETTLED[offset];
            at += 3;
            continue;
        }
        // ZWNJ and ZWJ are `E2 80 8C` and `E2 80 8D`.
        if matches!(bytes.get(at..at + 3), Some([0xE2, 0x80, 0x8C | 0x8D])) {
            return false;
        }
        after = After::Nothing;
        at += 1;
    }
    true
}

/// Offsets from U+0B80 of the code points [`pair_malformed`] tells apart.
const fn offset(c: char) -> u8 {
    (c as u32 - 0x0B80) as u8
}

/// The consonants' offsets, first and last: the assigned code points between them are all
/// consonants (a check below), and an unassigned one fails on its own.
const CONSONANTS: (u8, u8) = (offset('\u{0B95}'), offset('\u{0BB9}'));
/// The signs that follow only a consonant (vowel signs but ா, and the pulli), first and last:
/// the assigned code points between them are all such signs.
const AFTER_CONSONANT_ONLY: (u8, u8) = (offset('\u{0BBF}'), offset(PULLI));

/// Whether the Tamil code point at offset `cur` breaks the text after `prev`, the offset of the
/// Tamil code point right before it (`None` after anything else or at the start), when
/// everything before it passed. [`STEPS`] in comparisons a vector can make, checked against it
/// for every pair below.
const fn pair_malformed(prev: Option<u8>, cur: u8) -> bool {
    if ASSIGNED_BITS & (1 << cur) == 0 {
        return true;
    }
    let (consonant, e, ee, letter_o) = match prev {
        Some(p) => (
            p >= CONSONANTS.0 && p <= CONSONANTS.1,
            p == offset(SIGN_E),
            p == offset(SIGN_EE),
            p == offset(LETTER_O),
        ),
        None => (false, false, false, false),
    };
    if cur >= AFTER_CONSONANT_ONLY.0 && cur <= AFTER_CONSONANT_ONLY.1 {
        !consonant
    } else if cur == offset(SIGN_AA) {
        !(consonant | e | ee)
    } else if cur == offset(AU_LENGTH_MARK) {
        // ௗ completes ெ or ஒ, and on a bare consonant is an orphan.
        !(e | letter_o)
    } else {
        false
    }
}

// `pair_malformed` says what the states say, for every code point after every code point that
// can pass and after none; and the ranges hold what they are named for.
const _: () = {
    let mut cur = 0;
    while cur < 128 {
        let malformed = matches!(STEPS[After::Nothing as usize][cur], After::Malformed);
        assert!(pair_malformed(None, cur as u8) == malformed);
        let mut prev = 0;
        while prev < 128 {
            let state = SETTLED[prev];
            if !matches!(state, After::Malformed) {
                let malformed = matches!(STEPS[state as usize][cur], After::Malformed);
                assert!(pair_malformed(Some(prev as u8), cur as u8) == malformed);
            }
            prev += 1;
        }
        let Some(c) = char::from_u32(0x0B80 + cur as u32) else {
            unreachable!()
        };
        let assigned = ASSIGNED_BITS & (1 << cur) != 0;
        let o = cur as u8;
        if assigned && o >= CONSONANTS.0 && o <= CONSONANTS.1 {
            assert!(is_tamil_consonant(c));
        }
        if assigned && o >= AFTER_CONSONANT_ONLY.0 && o <= AFTER_CONSONANT_ONLY.1 {
            assert!(c == PULLI || is_tamil_vowel_sign(c));
        }
        cur += 1;
    }
};

/// Whether the code point ending at byte `i` breaks the text: a joiner (`E2 80 8C`, `E2 80 8D`),
/// or a Tamil code point (`E0 AE xx`, `E0 AF xx`) [`pair_malformed`] after the one ending three
/// bytes before it. In UTF-8 `E0` and `E2` only ever lead a character, so these bytes are
/// exactly those characters. For the few positions the vectors leave over.
fn malformed_at(bytes: &[u8], i: usize) -> bool {
    let back = |k: usize| i.checked_sub(k).map_or(0, |j| bytes[j]);
    let tamil = |lead: u8, second: u8| lead == 0xE0 && (second | 1) == 0xAF;
    let offset_of = |second: u8, third: u8| ((second & 1) << 6) | (third & 0x3F);
    let (b0, b1, b2) = (bytes[i], back(1), back(2));
    if b2 == 0xE2 && b1 == 0x80 && (b0 | 1) == 0x8D {
        return true;
    }
    if !tamil(b2, b1) {
        return false;
    }
    let (b3, b4, b5) = (back(3), back(4), back(5));
    let prev = if tamil(b5, b4) { Some(offset_of(b4, b3)) } else { None };
    pair_malformed(prev, offset_of(b1, b0))
}

/// Bytes a position's test reads before it.
const LOOK_BEHIND: usize = 5;
/// Positions one vector step tests.
const BLOCK: usize = 32;

/// A position at or before the first of `bytes` that is [`malformed_at`], if any is: the
/// positions with [`LOOK_BEHIND`] bytes before them in blocks of [`BLOCK`] on vectors (a block
/// holding one gives its start), the rest one by one.
#[cfg(target_arch = "x86_64")]
fn first_malformed_position(bytes: &[u8]) -> Option<usize> {
    let blocks = bytes.len().saturating_sub(LOOK_BEHIND) / BLOCK;
    let body = LOOK_BEHIND..LOOK_BEHIND + blocks * BLOCK;
    let one_by_one = |positions: std::ops::Range<usize>| positions.into_iter().find(|&i| malformed_at(bytes, i));
    one_by_one(0..body.start.min(bytes.len()))
        // SAFETY: `first_suspect` calls this only where the processor has AVX2.
        .or_else(|| {
            if blocks > 0 {
                unsafe { malformed_block(bytes, body.clone()) }
            } else {
                None
            }
        })
        .or_else(|| one_by_one(body.end..bytes.len()))
}

/// The start of the first block of `body` (from [`LOOK_BEHIND`] on, a whole number of blocks)
/// holding a position [`malformed_at`], testing 32 positions at a time: each of the six bytes it reads is one unaligned load, the offsets'
/// sets are range comparisons, and whether an offset is assigned is a bit of [`ASSIGNED_BITS`]
/// picked by two byte shuffles (its byte by the offset's high bits, the bit by the low three).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn malformed_block(bytes: &[u8], body: std::ops::Range<usize>) -> Option<usize> {
    use std::arch::x86_64::*;
    assert!(body.start >= LOOK_BEHIND && body.end <= bytes.len() && body.len().is_multiple_of(BLOCK));
    let splat = |b: u8| _mm256_set1_epi8(b as i8);
    let and = |a, b| _mm256_and_si256(a, b);
    let or = |a, b| _mm256_or_si256(a, b);
    // `!a & b`.
    let and_not = |a, b| _mm256_andnot_si256(a, b);
    let equals = |v, b: u8| _mm256_cmpeq_epi8(v, splat(b));
    // Offsets are below 0x80, so signed comparisons order them right.
    let within = |o, (first, last): (u8, u8)| {
        and(
            _mm256_cmpgt_epi8(o, splat(first - 1)),
            _mm256_cmpgt_epi8(splat(last + 1), o),
        )
    };
    let tamil_lead = |lead, second| and(equals(lead, 0xE0), equals(or(second, splat(1)), 0xAF));
    let offset_of = |second, third| or(_mm256_slli_epi16::<6>(and(second, splat(1))), and(third, splat(0x3F)));
    // The shuffles' tables: the same sixteen bytes in each 128-bit lane.
    let lanes = |table: [u8; 16]| {
        let half = |eight: &[u8]| i64::from_le_bytes(eight.try_into().expect("eight bytes"));
        let (low, high) = (half(&table[..8]), half(&table[8..]));
        _mm256_set_epi64x(high, low, high, low)
    };
    let assigned_bytes = lanes(ASSIGNED_BITS.to_le_bytes());
    let bit_of = lanes([1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128]);
    let mut at = body.start;
    while at < body.end {
        // SAFETY: `at - LOOK_BEHIND .. at + BLOCK` lies within `bytes` (asserted above).
        let load = |back: usize| unsafe { _mm256_loadu_si256(bytes.as_ptr().add(at - back).cast()) };
        let (b0, b1, b2, b3, b4, b5) = (load(0), load(1), load(2), load(3), load(4), load(5));
        let joiner = and(and(equals(b2, 0xE2), equals(b1, 0x80)), equals(or(b0, splat(1)), 0x8D));
        let cur = offset_of(b1, b0);
        let assigned_byte = _mm256_shuffle_epi8(assigned_bytes, and(_mm256_srli_epi16::<3>(cur), splat(0x0F)));
        let bit = _mm256_shuffle_epi8(bit_of, and(cur, splat(7)));
        let unassigned = _mm256_cmpeq_epi8(and(assigned_byte, bit), _mm256_setzero_si256());
        let prev_tamil = tamil_lead(b5, b4);
        let prev = offset_of(b4, b3);
        let consonant = and(prev_tamil, within(prev, CONSONANTS));
        let e = and(prev_tamil, equals(prev, offset(SIGN_E)));
        let ee = and(prev_tamil, equals(prev, offset(SIGN_EE)));
        let letter_o = and(prev_tamil, equals(prev, offset(LETTER_O)));
        let misplaced = or(
            and_not(consonant, within(cur, AFTER_CONSONANT_ONLY)),
            or(
                and_not(or(consonant, or(e, ee)), equals(cur, offset(SIGN_AA))),
                and_not(or(e, letter_o), equals(cur, offset(AU_LENGTH_MARK))),
            ),
        );
        let malformed = or(joiner, and(tamil_lead(b2, b1), or(unassigned, misplaced)));
        if _mm256_movemask_epi8(malformed) != 0 {
            return Some(at);
        }
        at += BLOCK;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::Xorshift;

    /// Every Tamil-block code point, assigned or not, joiners, ASCII and characters of two,
    /// three and four bytes from elsewhere.
    fn alphabet() -> Vec<char> {
        let mut chars: Vec<char> = (0x0B80..=0x0BFF).filter_map(char::from_u32).collect();
        chars.extend([
            '\u{200C}', '\u{200D}', '\u{200B}', ' ', 'a', '.', 'é', '€', '😀', '\u{0D15}',
        ]);
        chars
    }

    #[test]
    fn positions_and_vectors_agree_with_the_states_on_generated_text() {
        let alphabet = alphabet();
        let pieces = [
            "க",
            "ஷ",
            "கா",
            "கி",
            "கெ",
            "கே",
            "க்",
            // The two-part vowels composed, and written as two signs.
            "கொ",
            "க\u{0BC6}\u{0BBE}",
            "கௌ",
            "க\u{0BC6}\u{0BD7}",
            "ஔ",
            "அ",
            " ",
            ", ",
            "௧",
        ];
        let mut random = Xorshift(1330);
        let (mut passed, mut failed) = (0, 0);
        for round in 0..60_000 {
            // Syllables with now and then any character at all, so that long texts pass too.
            let len = 1 + random.below(if round % 2 == 0 { 8 } else { 40 });
            let odd_one_in = 2 + round % 60;
            let text: String = (0..len)
                .map(|_| {
                    if random.below(odd_one_in) == 0 {
                        alphabet[random.below(alphabet.len())].to_string()
                    } else {
                        pieces[random.below(pieces.len())].to_string()
                    }
                })
                .collect();
            let bytes = text.as_bytes();
            let expected = well_formed_by_states(bytes);
            let by_positions = !(0..bytes.len()).any(|i| malformed_at(bytes, i));
            assert_eq!(by_positions, expected, "{text:?}");
            assert_eq!(well_formed(bytes), expected, "{text:?}");
            if expected {
                passed += 1;
            } else {
                failed += 1;
            }
        }
        assert!(passed > 10_000 && failed > 10_000, "{passed} passed, {failed} failed");
    }

    #[test]
    fn every_pair_is_judged_alike_wherever_it_falls_in_a_block() {
        let alphabet = alphabet();
        for &first in &alphabet {
            for &second in &alphabet {
                for lead in [0, 3, 30, 31, 37, 64] {
                    let text = format!("{}{first}{second}{}", "a".repeat(lead), "க".repeat(lead % 7));
                    let bytes = text.as_bytes();
                    assert_eq!(well_formed(bytes), well_formed_by_states(bytes), "{text:?}");
                }
            }
        }
    }
}
