//! Findings counted per rule and severity. `--statistics` needs only these counts, so a run that
//! asks for them counts each finding as it is made and keeps none: memory stays flat however many
//! findings a corpus has (a million lines of `{}` or of English text included).

use std::collections::BTreeMap;

use crate::finding::Finding;
use crate::rule::{RuleMeta, Severity};

/// One rule's findings: how many, and how many at each severity.
#[derive(Debug, Clone)]
pub struct RuleCount {
    pub rule: &'static RuleMeta,
    pub count: usize,
    pub by_severity: BTreeMap<Severity, usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Tally {
    rules: BTreeMap<&'static str, RuleCount>,
}

impl Tally {
    pub fn of<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Tally {
        let mut tally = Tally::default();
        for finding in findings {
            tally.add(finding.rule, finding.severity);
        }
        tally
    }

    pub fn add(&mut self, rule: &'static RuleMeta, severity: Severity) {
        let entry = self.rules.entry(rule.code).or_insert_with(|| RuleCount {
            rule,
            count: 0,
            by_severity: BTreeMap::new(),
        });
        entry.count += 1;
        *entry.by_severity.entry(severity).or_default() += 1;
    }

    pub fn merge(&mut self, other: Tally) {
        for (code, theirs) in other.rules {
            match self.rules.get_mut(code) {
                Some(mine) => {
                    mine.count += theirs.count;
                    for (severity, count) in theirs.by_severity {
                        *mine.by_severity.entry(severity).or_default() += count;
                    }
                }
                None => {
                    self.rules.insert(code, theirs);
                }
            }
        }
    }

    /// Findings in all.
    pub fn total(&self) -> usize {
        self.rules.values().map(|row| row.count).sum()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.rules
            .values()
            .filter_map(|row| row.by_severity.get(&severity))
            .sum()
    }

    /// Rules in code order.
    pub fn rows(&self) -> Vec<RuleCount> {
        self.rules.values().cloned().collect()
    }
}
