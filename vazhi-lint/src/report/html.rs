//! `cargo vazhi report` (and `lint --format html`): one self-contained HTML page that shows a
//! corpus, its defects and why. Inline SVG and CSS, no network, no script needed to read it (a few
//! lines sort the findings table when scripts run).
//!
//! Everything on the page comes from the lint pass itself: the findings as they stream (counted
//! per rule and file, the first few kept per rule as examples, copies grouped by their first
//! record) and the run's [`Profile`]s and token statistics. What it keeps is bounded by rules ×
//! files and the example count, not by the records, except the set of records with an error
//! (what `split` would quarantine), which is one entry per such record.
//!
//! The charts are SVG drawn by the template (`report.html`, rendered with minijinja, HTML-escaped);
//! this module only computes each bar's place and size.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use super::{Reporter, location, share_of, thousands};
use crate::engine::LintReport;
use crate::finding::Finding;
use crate::profile::{LabelProfile, Profile, SHARE_BINS};
use crate::record::Position;
use crate::rule::Severity;
use crate::rules::duplicate::{COPY_MESSAGE, DUPLICATE, REPEATED_ANSWER_MESSAGE};
use crate::settings::Settings;
use crate::tokens::stats::{Histogram, TokenStatistics, TokenStats};

const TEMPLATE: &str = include_str!("report.html");

/// Copies grouped by their first record, at most this many groups (the rest counted together):
/// a corpus that is half copies must not make the report hold one entry per record.
const MAX_COPY_GROUPS: usize = 100_000;
/// Rows of the most-copied table.
const COPY_ROWS: usize = 20;
/// Files in the rule × file table (those with the most findings).
const FILE_ROWS: usize = 50;
/// Categories drawn per dataset (the largest).
const CATEGORY_BARS: usize = 30;
/// Datasets drawn in detail (token lengths, categories), the largest first; the table lists more.
const DATASET_SECTIONS: usize = 20;
const DATASET_ROWS: usize = 200;
/// Bins of a token-length histogram up to 1.5 × `max-seq-len`, and one more for the rest.
const TOKEN_BINS: usize = 30;

/// Chart sizes in SVG user units.
const CHART_WIDTH: f64 = 400.0;
const CHART_HEIGHT: f64 = 90.0;
/// The longest category bar (names take 200 units to its left, shares 40 to its right).
const CATEGORY_WIDTH: f64 = 400.0;

#[derive(Debug, Clone, Copy)]
pub struct HtmlOptions {
    /// Example findings shown per rule.
    pub examples: usize,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions { examples: 5 }
    }
}

/// The HTML page, built as the findings arrive and written at the end.
pub struct Html {
    options: HtmlOptions,
    /// `tamil-ratio`'s bands, drawn on the Tamil-share charts.
    error_below: f64,
    warn_below: f64,
    /// `category-skew`'s limit, drawn on the category charts.
    max_category_share: f64,
    by_rule_file: HashMap<(&'static str, Arc<Path>), u64>,
    by_file: HashMap<Arc<Path>, u64>,
    examples: BTreeMap<&'static str, Vec<Finding>>,
    /// Copies per first record (the duplicate rule's message names it).
    copies: HashMap<String, u64>,
    copies_ungrouped: u64,
    /// Answers given by more records than `max-response-copies`, the largest kept.
    repeated_answers: Vec<CopyRow>,
    /// Records with at least one error: what `split` sends to quarantine.
    error_records: HashSet<(Arc<Path>, Position)>,
    /// Errors about a file or dataset as a whole: `split` refuses to publish while there are any.
    whole_errors: u64,
}

impl Html {
    pub fn new(settings: &Settings, options: HtmlOptions) -> Html {
        Html {
            options,
            error_below: settings.rules.tamil_ratio.error_below,
            warn_below: settings.rules.tamil_ratio.warn_below,
            max_category_share: settings.rules.category_skew.max_share,
            by_rule_file: HashMap::new(),
            by_file: HashMap::new(),
            examples: BTreeMap::new(),
            copies: HashMap::new(),
            copies_ungrouped: 0,
            repeated_answers: Vec::new(),
            error_records: HashSet::new(),
            whole_errors: 0,
        }
    }

    fn take(&mut self, finding: &Finding) {
        *self
            .by_rule_file
            .entry((finding.rule.code, finding.path.clone()))
            .or_default() += 1;
        *self.by_file.entry(finding.path.clone()).or_default() += 1;
        let examples = self.examples.entry(finding.rule.code).or_default();
        if examples.len() < self.options.examples {
            examples.push(finding.clone());
        }
        match finding.position {
            Some(position) if finding.severity == Severity::Error => {
                self.error_records.insert((finding.path.clone(), position));
            }
            None if finding.severity == Severity::Error => self.whole_errors += 1,
            _ => {}
        }
        if finding.rule.code == DUPLICATE.code && finding.position.is_some() {
            self.take_copy(finding);
        }
    }

    /// A duplicate finding: a copy counted under its first record, or an answer given by many.
    fn take_copy(&mut self, finding: &Finding) {
        if let Some(first) = finding.message.strip_prefix(COPY_MESSAGE) {
            // The message names the first record's file only when it is another file.
            let path = finding.path.display();
            let first = if let Some(line) = first.strip_prefix("line ") {
                format!("{path}:{line}")
            } else if first.starts_with("row ") {
                format!("{path} ({first})")
            } else {
                first.to_owned()
            };
            if let Some(count) = self.copies.get_mut(&first) {
                *count += 1;
            } else if self.copies.len() < MAX_COPY_GROUPS {
                self.copies.insert(first, 1);
            } else {
                self.copies_ungrouped += 1;
            }
        } else if let Some(records) = finding
            .message
            .strip_prefix(REPEATED_ANSWER_MESSAGE)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|count| count.parse::<u64>().ok())
        {
            self.repeated_answers.push(CopyRow {
                first: location(finding),
                records,
            });
            // Only the largest are shown: keep a few times that many.
            if self.repeated_answers.len() > 4 * COPY_ROWS {
                sort_copies(&mut self.repeated_answers);
                self.repeated_answers.truncate(COPY_ROWS);
            }
        }
    }

    /// The page's data, as the template reads it.
    fn page(&self, report: &LintReport) -> Page {
        let tally = report.tally();
        let rows = tally.rows();
        let count = |severity| report.count(severity) as u64;
        let mut top: Vec<RuleRow> = rows.iter().map(RuleRow::of).collect();
        top.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
        let records = report.records;
        let quarantined = self.error_records.len() as u64;
        let verdict = Verdict {
            records: thousands(records),
            records_raw: records,
            files: report.files.len(),
            datasets: report.datasets.len(),
            errors: thousands(count(Severity::Error)),
            warnings: thousands(count(Severity::Warning)),
            infos: thousands(count(Severity::Info)),
            quarantined: thousands(quarantined),
            quarantined_raw: quarantined,
            quarantined_share: share_of(quarantined, records),
            whole_errors: self.whole_errors,
            top_rules: top.iter().take(8).cloned().collect(),
        };
        let mut corpus = Profile::default();
        for profile in report.profiles.iter().flatten() {
            corpus.merge(profile.clone());
        }
        let mut datasets: Vec<DatasetSection> = report
            .datasets
            .iter()
            .enumerate()
            .map(|(index, dataset)| {
                let profile = report.profiles.as_ref().and_then(|profiles| profiles.get(index));
                let tokens = report.token_stats.as_ref().map(|stats| (stats, &stats.datasets[index]));
                let findings = dataset
                    .files
                    .iter()
                    .map(|file| self.by_file.get(file).copied().unwrap_or(0))
                    .sum();
                self.dataset_section(&dataset.name, dataset.files.len(), findings, profile, tokens)
            })
            .collect();
        datasets.sort_by(|a, b| b.records.cmp(&a.records).then_with(|| a.name.cmp(&b.name)));
        let datasets_hidden = datasets.len().saturating_sub(DATASET_ROWS);
        datasets.truncate(DATASET_ROWS);
        let detailed = datasets
            .iter()
            .filter(|dataset| dataset.tokens.is_some() || dataset.categories.is_some())
            .take(DATASET_SECTIONS)
            .map(|dataset| dataset.name.clone())
            .collect();
        let rules = rows
            .iter()
            .map(|row| RuleSection {
                code: row.rule.code,
                name: row.rule.name,
                severity: row.rule.severity.name(),
                summary: row.rule.summary,
                documentation: row.rule.documentation(),
                count: thousands(row.count as u64),
                count_raw: row.count as u64,
                examples: self
                    .examples
                    .get(row.rule.code)
                    .map(|examples| examples.iter().map(Example::of).collect())
                    .unwrap_or_default(),
            })
            .collect();
        Page {
            verdict,
            languages: self.language_section(&corpus),
            datasets,
            datasets_hidden,
            detailed,
            table: self.rule_file_table(&rows),
            copies: self.most_copied(),
            repeated_answers: {
                let mut answers = self.repeated_answers.clone();
                sort_copies(&mut answers);
                answers.truncate(COPY_ROWS);
                answers
            },
            copies_ungrouped: self.copies_ungrouped,
            rules,
            examples_per_rule: self.options.examples,
        }
    }

    /// The corpus's training targets per language label. The bands are drawn at the bin edges
    /// nearest `tamil-ratio`'s thresholds (exactly on them for the defaults, 30% and 70%).
    fn language_section(&self, corpus: &Profile) -> LanguageSection {
        let edge = |share: f64| ((share * SHARE_BINS as f64).round() as usize).min(SHARE_BINS);
        let (error_edge, warn_edge) = (edge(self.error_below), edge(self.warn_below));
        LanguageSection {
            labels: corpus
                .labels
                .iter()
                .map(|(label, counts)| LabelSection::of(label, counts, error_edge, warn_edge))
                .collect(),
            without_targets: corpus.without_targets,
            band_error_x: x_of(error_edge as f64 / SHARE_BINS as f64),
            band_warn_x: x_of(warn_edge as f64 / SHARE_BINS as f64),
            band_error: percent_of(error_edge as f64 / SHARE_BINS as f64),
            band_warn: percent_of(warn_edge as f64 / SHARE_BINS as f64),
        }
    }

    fn dataset_section(
        &self,
        name: &str,
        files: usize,
        findings: u64,
        profile: Option<&Profile>,
        tokens: Option<(&TokenStatistics, &TokenStats)>,
    ) -> DatasetSection {
        let categories = profile.and_then(|profile| self.category_chart(profile));
        DatasetSection {
            name: name.to_owned(),
            files,
            records: profile.map_or(0, Profile::records),
            findings,
            top_category: categories
                .as_ref()
                .and_then(|chart| chart.bars.first())
                .map(|bar| format!("{} {}", bar.short, bar.share)),
            categories,
            tokens: tokens.map(|(run, stats)| TokenSection::of(run.max_seq_len, stats)),
        }
    }

    fn category_chart(&self, profile: &Profile) -> Option<CategoryChart> {
        let categorised: u64 = profile.categories.values().sum::<u64>() + profile.other_categories;
        if categorised == 0 {
            return None;
        }
        let mut largest: Vec<(&String, &u64)> = profile.categories.iter().collect();
        largest.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown = &largest[..largest.len().min(CATEGORY_BARS)];
        // Scale to the larger of the biggest share and the limit, so the limit line is on the chart.
        let top_share = *shown[0].1 as f64 / categorised as f64;
        let scale = top_share.max(self.max_category_share).max(f64::EPSILON);
        let bar_height = 16.0;
        let bars = shown
            .iter()
            .enumerate()
            .map(|(index, (category, count))| {
                let share = **count as f64 / categorised as f64;
                CategoryBar {
                    name: (*category).clone(),
                    short: short_name(category),
                    count: **count,
                    share: percent_of(share),
                    y: index as f64 * (bar_height + 4.0),
                    width: round(share / scale * CATEGORY_WIDTH),
                    over: share > self.max_category_share,
                }
            })
            .collect();
        Some(CategoryChart {
            height: shown.len() as f64 * (bar_height + 4.0),
            limit_x: round(self.max_category_share / scale * CATEGORY_WIDTH),
            limit: percent_of(self.max_category_share),
            bars,
            categories: largest.len(),
            categorised,
            uncategorised: profile.uncategorised,
            other: profile.other_categories,
        })
    }

    /// Findings per rule and file, for the files with the most.
    fn rule_file_table(&self, rows: &[crate::tally::RuleCount]) -> RuleFileTable {
        let codes: Vec<&'static str> = rows.iter().map(|row| row.rule.code).collect();
        let mut per_file: BTreeMap<&Path, Vec<u64>> = BTreeMap::new();
        for ((code, path), count) in &self.by_rule_file {
            let column = codes.iter().position(|known| known == code).expect("a tallied rule");
            per_file.entry(path.as_ref()).or_insert_with(|| vec![0; codes.len()])[column] += count;
        }
        let mut files: Vec<(&Path, Vec<u64>)> = per_file.into_iter().collect();
        files.sort_by_key(|(path, counts)| (std::cmp::Reverse(counts.iter().sum::<u64>()), *path));
        let hidden = files.len().saturating_sub(FILE_ROWS);
        let max = files
            .iter()
            .flat_map(|(_, counts)| counts.iter().copied())
            .max()
            .unwrap_or(1)
            .max(1);
        let rows = files
            .into_iter()
            .take(FILE_ROWS)
            .map(|(path, counts)| RuleFileRow {
                path: path.display().to_string(),
                total: counts.iter().sum(),
                cells: counts
                    .iter()
                    .map(|&count| Cell {
                        count,
                        // Square root, so one file with thousands does not wash out the rest.
                        heat: round((count as f64 / max as f64).sqrt()),
                    })
                    .collect(),
            })
            .collect();
        RuleFileTable { codes, rows, hidden }
    }

    fn most_copied(&self) -> Vec<CopyRow> {
        let mut groups: Vec<CopyRow> = self
            .copies
            .iter()
            .map(|(first, copies)| CopyRow {
                first: first.clone(),
                records: copies + 1,
            })
            .collect();
        sort_copies(&mut groups);
        groups.truncate(COPY_ROWS);
        groups
    }
}

impl Reporter for Html {
    fn findings(&mut self, findings: &[Finding], _: &mut dyn Write) -> io::Result<()> {
        for finding in findings {
            self.take(finding);
        }
        Ok(())
    }

    fn finish(&mut self, report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
        let page = self.page(report);
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        // Counts as people read them: 1,600,209.
        env.add_filter("n", |count: u64| thousands(count));
        env.add_template("report.html", TEMPLATE)
            .map_err(|err| io::Error::other(format!("the report template: {err:#}")))?;
        let template = env.get_template("report.html").map_err(io::Error::other)?;
        let html = template
            .render(minijinja::context! { page => minijinja::Value::from(minijinja::value::Serde(&page)) })
            .map_err(|err| io::Error::other(format!("rendering the report: {err:#}")))?;
        out.write_all(html.as_bytes())
    }
}

/// At most 30 characters, with an ellipsis when cut.
fn short_name(name: &str) -> String {
    match name.char_indices().nth(29) {
        Some((cut, _)) if name.chars().count() > 30 => format!("{}…", &name[..cut]),
        _ => name.to_owned(),
    }
}

/// The most records first; ties in location order, so the page is the same from run to run.
fn sort_copies(rows: &mut [CopyRow]) {
    rows.sort_by(|a, b| b.records.cmp(&a.records).then_with(|| a.first.cmp(&b.first)));
}

fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn x_of(share: f64) -> f64 {
    round(share * CHART_WIDTH)
}

fn percent_of(share: f64) -> String {
    let percent = share * 100.0;
    if (percent - percent.round()).abs() < 0.05 {
        format!("{percent:.0}%")
    } else {
        format!("{percent:.1}%")
    }
}

#[derive(Serialize)]
struct Page {
    verdict: Verdict,
    languages: LanguageSection,
    /// The largest datasets first.
    datasets: Vec<DatasetSection>,
    datasets_hidden: usize,
    /// The datasets drawn in detail.
    detailed: Vec<String>,
    table: RuleFileTable,
    copies: Vec<CopyRow>,
    copies_ungrouped: u64,
    repeated_answers: Vec<CopyRow>,
    rules: Vec<RuleSection>,
    examples_per_rule: usize,
}

#[derive(Serialize)]
struct Verdict {
    records: String,
    records_raw: u64,
    files: usize,
    datasets: usize,
    errors: String,
    warnings: String,
    infos: String,
    quarantined: String,
    quarantined_raw: u64,
    quarantined_share: String,
    whole_errors: u64,
    top_rules: Vec<RuleRow>,
}

#[derive(Serialize, Clone)]
struct RuleRow {
    code: &'static str,
    name: &'static str,
    summary: &'static str,
    count: u64,
    errors: u64,
    warnings: u64,
}

impl RuleRow {
    fn of(row: &crate::tally::RuleCount) -> RuleRow {
        let by = |severity| row.by_severity.get(&severity).copied().unwrap_or(0) as u64;
        RuleRow {
            code: row.rule.code,
            name: row.rule.name,
            summary: row.rule.summary,
            count: row.count as u64,
            errors: by(Severity::Error),
            warnings: by(Severity::Warning),
        }
    }
}

#[derive(Serialize)]
struct LanguageSection {
    labels: Vec<LabelSection>,
    without_targets: u64,
    band_error_x: f64,
    band_warn_x: f64,
    band_error: String,
    band_warn: String,
}

#[derive(Serialize)]
struct DatasetSection {
    name: String,
    files: usize,
    records: u64,
    findings: u64,
    top_category: Option<String>,
    categories: Option<CategoryChart>,
    tokens: Option<TokenSection>,
}

/// One label's Tamil-share histogram and the table rows beside it.
#[derive(Serialize)]
struct LabelSection {
    label: String,
    records: u64,
    bins: Vec<Bar>,
    no_letters: u64,
    below_error: u64,
    between: u64,
    above_warn: u64,
    verdicts: Vec<(&'static str, u64)>,
    too_short: u64,
    other_language: u64,
}

impl LabelSection {
    fn of(label: &str, counts: &LabelProfile, error_edge: usize, warn_edge: usize) -> LabelSection {
        let max = counts.share_bins.iter().copied().max().unwrap_or(0).max(1);
        let width = CHART_WIDTH / SHARE_BINS as f64;
        let bins = counts
            .share_bins
            .iter()
            .enumerate()
            .map(|(index, &count)| Bar::new(index, width, count, max, (index * 5, (index + 1) * 5), "%"))
            .collect();
        let below_error = counts.below(error_edge);
        let below_warn = counts.below(warn_edge);
        let measured: u64 = counts.share_bins.iter().sum();
        let verdicts = ["tamil-script", "mixed", "tanglish", "english"]
            .into_iter()
            .map(|key| (key, counts.verdicts.get(key).copied().unwrap_or(0)))
            .collect();
        LabelSection {
            label: label.to_owned(),
            records: counts.records(),
            bins,
            no_letters: counts.no_letters,
            below_error,
            between: below_warn - below_error,
            above_warn: measured - below_warn,
            verdicts,
            too_short: counts.too_short,
            other_language: counts.other_language,
        }
    }
}

/// A bar of a histogram: its place and height, and what it counts.
#[derive(Serialize)]
struct Bar {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    count: u64,
    range: String,
}

impl Bar {
    fn new(index: usize, width: f64, count: u64, max: u64, (from, to): (usize, usize), unit: &str) -> Bar {
        // A bar of a few records beside one of thousands still shows: at least 1.5 units tall.
        let height = match count {
            0 => 0.0,
            _ => round((count as f64 / max as f64 * CHART_HEIGHT).max(1.5)),
        };
        Bar {
            x: round(index as f64 * width),
            y: round(CHART_HEIGHT - height),
            width: round(width - 1.0),
            height,
            count,
            range: format!("{from}–{to}{unit}"),
        }
    }
}

#[derive(Serialize)]
struct CategoryChart {
    height: f64,
    limit_x: f64,
    limit: String,
    bars: Vec<CategoryBar>,
    categories: usize,
    categorised: u64,
    uncategorised: u64,
    other: u64,
}

#[derive(Serialize)]
struct CategoryBar {
    name: String,
    /// The name as the chart's axis has room for it.
    short: String,
    count: u64,
    share: String,
    y: f64,
    width: f64,
    over: bool,
}

#[derive(Serialize)]
struct TokenSection {
    max_seq_len: usize,
    samples: u64,
    prompt: Vec<Bar>,
    total: Vec<Bar>,
    window_x: f64,
    prompt_summary: Option<String>,
    total_summary: Option<String>,
    total_p95: Option<usize>,
    cut: u64,
    prompt_over: u64,
    no_response: u64,
    not_counted: u64,
    per_tamil_word: Option<String>,
    per_tamil_char: Option<String>,
}

impl TokenSection {
    fn of(max_seq_len: usize, stats: &TokenStats) -> TokenSection {
        let summary = |histogram: &Histogram| {
            histogram
                .summary()
                .map(|s| format!("min {}, median {}, p95 {}, max {}", s.min, s.p50, s.p95, s.max))
        };
        TokenSection {
            max_seq_len,
            samples: stats.samples(),
            prompt: token_bars(&stats.prompt, max_seq_len),
            total: token_bars(&stats.total, max_seq_len),
            window_x: round(
                max_seq_len as f64 / token_step(max_seq_len) as f64 * CHART_WIDTH / (TOKEN_BINS + 1) as f64,
            ),
            prompt_summary: summary(&stats.prompt),
            total_summary: summary(&stats.total),
            total_p95: stats.total.percentile(95),
            cut: stats.total_over,
            prompt_over: stats.prompt_over,
            no_response: stats.no_response,
            not_counted: stats.not_counted,
            per_tamil_word: stats.fertility.per_tamil_word().map(|value| format!("{value:.2}")),
            per_tamil_char: stats.fertility.per_tamil_char().map(|value| format!("{value:.2}")),
        }
    }
}

/// Tokens per bin of a token-count histogram.
fn token_step(max_seq_len: usize) -> usize {
    (max_seq_len * 3).div_ceil(2).max(TOKEN_BINS).div_ceil(TOKEN_BINS)
}

/// A token-count histogram: [`TOKEN_BINS`] bins up to 1.5 × the window, then one for the rest.
fn token_bars(histogram: &Histogram, max_seq_len: usize) -> Vec<Bar> {
    let step = token_step(max_seq_len);
    let mut counts = [0u64; TOKEN_BINS + 1];
    for (tokens, samples) in histogram.iter() {
        counts[(tokens / step).min(TOKEN_BINS)] += samples;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let width = CHART_WIDTH / (TOKEN_BINS + 1) as f64;
    counts
        .iter()
        .enumerate()
        .map(|(index, &count)| {
            let mut bar = Bar::new(index, width, count, max, (index * step, (index + 1) * step), "");
            if index == TOKEN_BINS {
                bar.range = format!("{}+", index * step);
            }
            bar
        })
        .collect()
}

#[derive(Serialize)]
struct RuleFileTable {
    codes: Vec<&'static str>,
    rows: Vec<RuleFileRow>,
    hidden: usize,
}

#[derive(Serialize)]
struct RuleFileRow {
    path: String,
    total: u64,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct Cell {
    count: u64,
    heat: f64,
}

#[derive(Serialize, Clone)]
struct CopyRow {
    first: String,
    records: u64,
}

#[derive(Serialize)]
struct RuleSection {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    summary: &'static str,
    documentation: String,
    count: String,
    count_raw: u64,
    examples: Vec<Example>,
}

/// A finding as the page shows it: where, what, and the field's text with the span marked.
#[derive(Serialize)]
struct Example {
    location: String,
    severity: &'static str,
    message: String,
    field: Option<String>,
    before: String,
    marked: String,
    after: String,
    cut_before: bool,
    cut_after: bool,
    label: Option<String>,
    help: Option<String>,
}

impl Example {
    fn of(finding: &Finding) -> Example {
        let (before, marked, after, cut_before, cut_after) = match &finding.snippet {
            Some(snippet) => {
                let span = snippet.span.start.min(snippet.text.len())..snippet.span.end.min(snippet.text.len());
                (
                    snippet.text[..span.start].to_owned(),
                    snippet.text[span.clone()].to_owned(),
                    snippet.text[span.end..].to_owned(),
                    snippet.cut_before,
                    snippet.cut_after,
                )
            }
            None => Default::default(),
        };
        let mut location = location(finding);
        if let Some(element) = finding.element {
            location.push_str(&format!(" [element {element}]"));
        }
        Example {
            location,
            severity: finding.severity.name(),
            message: finding.message.clone(),
            field: finding.field.clone(),
            before,
            marked,
            after,
            cut_before,
            cut_after,
            label: finding.label.clone(),
            help: finding.help.clone(),
        }
    }
}
