//! A dataset's profile: what its training targets are written in per language label, and its
//! categories. Collected in the lint pass itself (like token statistics) when a report asks for
//! it, merged part by part, so drawing a corpus never reads it twice and its memory does not grow
//! with the records: a fixed histogram per label, a count per category.

use std::collections::BTreeMap;

use crate::record::Record;
use crate::rule::Facts;
use crate::script::ScriptCounts;
use crate::script::lid::LidModel;

/// Bins of the Tamil-share histogram: 5% each, so the rule bands' default edges (30%, 70%) fall
/// on bin edges.
pub const SHARE_BINS: usize = 20;

/// Distinct categories kept per dataset; the rest are counted together. A category field that
/// holds free text (a title per record) must not make the profile grow with the corpus.
pub const MAX_CATEGORIES: usize = 1000;

/// The label key for records that carry none.
pub const NO_LABEL: &str = "(no label)";

/// What one language label's training targets are written in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelProfile {
    /// Records per bin of the targets' Tamil share (letters in Tamil script over all letters).
    pub share_bins: [u64; SHARE_BINS],
    /// Records whose targets hold no letter, so no share: empty or all digits and punctuation.
    pub no_letters: u64,
    /// Records by the romanised-Tamil detector's verdict on their targets.
    pub verdicts: BTreeMap<&'static str, u64>,
    /// Records whose targets are too short for a verdict.
    pub too_short: u64,
    /// Records whose targets are Latin text in another language (Hindi or Telugu function words,
    /// or another language by the language-ID model).
    pub other_language: u64,
}

impl LabelProfile {
    pub fn records(&self) -> u64 {
        self.share_bins.iter().sum::<u64>() + self.no_letters
    }

    /// Records whose share is below the bin edge `edge_bin` (edge 6 is 30%).
    pub fn below(&self, edge_bin: usize) -> u64 {
        self.share_bins[..edge_bin.min(SHARE_BINS)].iter().sum()
    }

    fn merge(&mut self, other: LabelProfile) {
        for (mine, theirs) in self.share_bins.iter_mut().zip(other.share_bins) {
            *mine += theirs;
        }
        self.no_letters += other.no_letters;
        for (verdict, count) in other.verdicts {
            *self.verdicts.entry(verdict).or_default() += count;
        }
        self.too_short += other.too_short;
        self.other_language += other.other_language;
    }
}

/// The bin of the Tamil share: `floor(share × 20)` computed on whole letters, so a share of
/// exactly 30% lands in the bin that starts at 30%, as the rules' `<` comparisons expect.
pub fn share_bin(counts: &ScriptCounts) -> Option<usize> {
    let letters = counts.letters();
    if letters == 0 {
        return None;
    }
    let bin = counts.tamil * SHARE_BINS / letters;
    Some(bin.min(SHARE_BINS - 1))
}

/// One dataset's profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// Records with training targets, by normalised language label ([`NO_LABEL`] for none).
    pub labels: BTreeMap<String, LabelProfile>,
    /// Records without a training target (raw text has one; a chat with no assistant turn not).
    pub without_targets: u64,
    /// Records per category, at most [`MAX_CATEGORIES`] of them.
    pub categories: BTreeMap<String, u64>,
    /// Records in categories beyond the first [`MAX_CATEGORIES`].
    pub other_categories: u64,
    /// Records that carry no category.
    pub uncategorised: u64,
}

impl Profile {
    pub fn observe(&mut self, record: &Record<'_>, facts: &Facts, lid_model: Option<&LidModel>) {
        match &record.category {
            Some(category) => {
                let category = category.trim();
                if let Some(count) = self.categories.get_mut(category) {
                    *count += 1;
                } else if self.categories.len() < MAX_CATEGORIES {
                    self.categories.insert(category.to_owned(), 1);
                } else {
                    self.other_categories += 1;
                }
            }
            None => self.uncategorised += 1,
        }
        if record.targets().next().is_none() {
            self.without_targets += 1;
            return;
        }
        let label = record.language.as_deref().unwrap_or(NO_LABEL);
        let profile = match self.labels.get_mut(label) {
            Some(profile) => profile,
            None => self.labels.entry(label.to_owned()).or_default(),
        };
        let mut total = ScriptCounts::default();
        for counts in facts.target_scripts(record) {
            total.add(counts);
        }
        match share_bin(&total) {
            Some(bin) => profile.share_bins[bin] += 1,
            None => profile.no_letters += 1,
        }
        let judged = facts.targets_verdict(record, lid_model);
        match judged.verdict {
            Some(verdict) => *profile.verdicts.entry(verdict.key()).or_default() += 1,
            None if judged.other_language().is_some() => profile.other_language += 1,
            None => profile.too_short += 1,
        }
    }

    /// Appends a later part's profile (categories beyond the cap stay counted, not named).
    pub fn merge(&mut self, later: Profile) {
        for (label, profile) in later.labels {
            self.labels.entry(label).or_default().merge(profile);
        }
        self.without_targets += later.without_targets;
        for (category, count) in later.categories {
            if let Some(mine) = self.categories.get_mut(&category) {
                *mine += count;
            } else if self.categories.len() < MAX_CATEGORIES {
                self.categories.insert(category, count);
            } else {
                self.other_categories += count;
            }
        }
        self.other_categories += later.other_categories;
        self.uncategorised += later.uncategorised;
    }

    /// Records the profile saw.
    pub fn records(&self) -> u64 {
        self.labels.values().map(LabelProfile::records).sum::<u64>() + self.without_targets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_bins_put_band_edges_at_bin_starts() {
        let counts = |tamil, latin| ScriptCounts {
            tamil,
            latin,
            ..ScriptCounts::default()
        };
        assert_eq!(share_bin(&counts(3, 7)), Some(6), "30% starts the 30–35% bin");
        assert_eq!(share_bin(&counts(29, 71)), Some(5));
        assert_eq!(share_bin(&counts(7, 3)), Some(14), "70% starts the 70–75% bin");
        assert_eq!(
            share_bin(&counts(10, 0)),
            Some(SHARE_BINS - 1),
            "100% is in the last bin"
        );
        assert_eq!(share_bin(&counts(0, 0)), None);
    }

    #[test]
    fn categories_beyond_the_cap_are_counted_not_named() {
        let mut profile = Profile::default();
        for index in 0..MAX_CATEGORIES + 5 {
            profile.categories.insert(format!("c{index}"), 1);
            if profile.categories.len() > MAX_CATEGORIES {
                profile.categories.remove(&format!("c{index}"));
                profile.other_categories += 1;
            }
        }
        let mut later = Profile::default();
        later.categories.insert("c0".into(), 2);
        later.categories.insert("new".into(), 3);
        profile.merge(later);
        assert_eq!(profile.categories["c0"], 3);
        assert!(!profile.categories.contains_key("new"));
        assert_eq!(profile.other_categories, 5 + 3);
    }
}
