use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use std::path::Path;

use crate::declare_rule;
use crate::rule::RuleConfig;
use crate::finding::Finding;
use crate::record::Record;
use crate::rule::{Aggregate, DatasetRule, Facts, RuleMeta, restore_state, same_aggregate, save_state};
use crate::finding::percent;

declare_rule! {
    /// ## What it does
    /// Counts the values of the record's category field (the first of `pack`, `category`, `source`,
    /// `domain`; see `[fields]`) over a dataset and warns when one value holds more than `max-share`
    /// (default 0.40) of the records that have a category. One finding per dataset with the
    /// distribution. Datasets with fewer than `min-records` categorised records (default 100), or
    /// with a single category, are not judged: a file that is one pack is not skewed, it is a pack.
    ///
    /// ## Why is this bad?
    /// A model mirrors the mix it is trained on. Thirukkural held 71% of the VAZHI set, and the model
    /// answered unrelated questions in kural structure; the team had to downsample it to 25%.
    ///
    /// ## Example
    /// A set of 1,000 records of which 710 have `"pack": "thirukkural"`:
    /// `VZ207 category-skew: `thirukkural` is 71% of the dataset (over 40%): thirukkural 710, health 120, …`.
    ///
    /// ## Options
    /// ```toml
    /// [rules.category-skew]
    /// max-share = 0.40
    /// min-records = 100
    /// ```
    pub static CATEGORY_SKEW = {
        code: "VZ207",
        name: "category-skew",
        severity: Warning,
        scope: Dataset,
        summary: "One category holds too large a share of a dataset",
    };
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    pub max_share: Option<f64>,
    pub min_records: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub max_share: f64,
    pub min_records: u64,
}

impl RuleConfig for Options {
    type Settings = Settings;

    fn resolve(self, _root: &Path) -> Result<Settings, String> {
        let max_share = self.max_share.unwrap_or(0.40);
        if !(0.0..=1.0).contains(&max_share) {
            return Err(format!(
                "rules.category-skew.max-share: {max_share} is not a share between 0 and 1"
            ));
        }
        Ok(Settings {
            max_share,
            min_records: self.min_records.unwrap_or(100),
        })
    }
}

pub struct CategorySkew(pub Settings);

impl DatasetRule for CategorySkew {
    fn meta(&self) -> &'static RuleMeta {
        &CATEGORY_SKEW
    }

    fn aggregate(&self) -> Box<dyn Aggregate> {
        Box::new(Distribution {
            settings: self.0.clone(),
            counts: HashMap::new(),
        })
    }

    fn restore(&self, saved: &[u8]) -> Result<Box<dyn Aggregate>, String> {
        let counts: Vec<(String, u64)> = restore_state(&CATEGORY_SKEW, saved)?;
        Ok(Box::new(Distribution {
            settings: self.0.clone(),
            counts: counts.into_iter().collect(),
        }))
    }
}

struct Distribution {
    settings: Settings,
    counts: HashMap<String, u64>,
}

impl Aggregate for Distribution {
    fn observe(&mut self, record: &Record<'_>, _: &Facts) {
        if let Some(category) = &record.category {
            let category = category.trim();
            match self.counts.get_mut(category) {
                Some(count) => *count += 1,
                None => {
                    self.counts.insert(category.to_owned(), 1);
                }
            }
        }
    }

    fn merge(&mut self, later: Box<dyn Aggregate>) {
        for (category, count) in same_aggregate::<Distribution>(later).counts {
            *self.counts.entry(category).or_default() += count;
        }
    }

    fn finish(self: Box<Self>, dataset: &Dataset, out: &mut dyn FnMut(Finding)) {
        (*self).findings(dataset).into_iter().for_each(out);
    }

    /// The counts per category, as pairs.
    fn save(&self) -> Vec<u8> {
        let counts: Vec<(&String, &u64)> = self.counts.iter().collect();
        save_state(&counts)
    }

    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

impl Distribution {
    fn findings(self, dataset: &Dataset) -> Vec<Finding> {
        let total: u64 = self.counts.values().sum();
        if total < self.settings.min_records || self.counts.len() < 2 {
            return Vec::new();
        }
        let mut ranked: Vec<(&String, &u64)> = self.counts.iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let (top, top_count) = ranked[0];
        let share = *top_count as f64 / total as f64;
        if share <= self.settings.max_share {
            return Vec::new();
        }
        let mut shown: Vec<String> = ranked
            .iter()
            .take(5)
            .map(|(name, count)| format!("{name} {count}"))
            .collect();
        if ranked.len() > 5 {
            let rest: u64 = ranked[5..].iter().map(|(_, count)| **count).sum();
            shown.push(format!("{} others {rest}", ranked.len() - 5));
        }
        vec![
            Finding::file(
                &CATEGORY_SKEW,
                dataset.first_file(),
                format!(
                    "`{top}` is {} of the dataset (over {}): {}",
                    percent(share),
                    percent(self.settings.max_share),
                    shown.join(", ")
                ),
            )
            .help(format!("downsample `{top}` or add data from the other categories")),
        ]
    }
}
