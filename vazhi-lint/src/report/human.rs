use std::fmt;
use std::io::{self, Write};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{HumanOptions, Reporter, location, plural, share_of, statistics, thousands, write_in_order};
use crate::engine::LintReport;
use crate::finding::Finding;
use crate::rule::Severity;
use crate::tokens::stats::{Summary, TokenStatistics};

/// The default format: each finding as a miette diagnostic showing the field's text with the
/// offending span underlined, then a summary.
pub struct Human(pub HumanOptions);

/// A finding seen through miette's eyes.
struct Rendered<'f> {
    finding: &'f Finding,
    source: Option<NamedSource<String>>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|source| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let snippet = self.finding.snippet.as_ref()?;
        let prefix = if snippet.cut_before { "…".len() } else { 0 };
        let span = SourceSpan::new((snippet.span.start + prefix).into(), snippet.span.len());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            self.finding.label.clone(),
            span,
        ))))
    }
}

impl Human {
    fn handler(&self) -> GraphicalReportHandler {
        let theme = if self.0.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.0.width)
            .with_context_lines(1)
    }

    fn render(&self, handler: &GraphicalReportHandler, finding: &Finding) -> String {
        let source = finding.snippet.as_ref().map(|snippet| {
            let mut text = String::new();
            if snippet.cut_before {
                text.push('…');
            }
            text.push_str(&snippet.text);
            if snippet.cut_after {
                text.push('…');
            }
            NamedSource::new(finding.field.clone().unwrap_or_else(|| "record".into()), text)
        });
        let diagnostic = Rendered { finding, source };
        let mut out = String::new();
        if handler.render_report(&mut out, &diagnostic).is_err() {
            out = format!("  {}\n", finding.message);
        }
        out
    }
}

impl Reporter for Human {
    fn findings(&mut self, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
        if !self.0.statistics_only {
            let handler = self.handler();
            write_in_order(findings, out, |_, finding, text| {
                write!(
                    text,
                    "{}: {} {}",
                    location(finding),
                    finding.rule.code,
                    finding.rule.name
                )?;
                if finding.snippet.is_none()
                    && let Some(field) = &finding.field
                {
                    write!(text, " [{field}]")?;
                }
                writeln!(text)?;
                text.extend_from_slice(self.render(&handler, finding).as_bytes());
                writeln!(text)
            })?;
        }
        Ok(())
    }

    fn finish(&mut self, report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
        for problem in &report.path_problems {
            writeln!(out, "{}: {}", problem.path.display(), problem.message)?;
        }
        write_summary(report, out)
    }
}

/// `1.2 kB`, `340.5 MB`.
fn size(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < units.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

fn write_summary(report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
    write_rule_counts(report, out)?;
    if let Some(stats) = &report.token_stats {
        write_token_stats(report, stats, out)?;
    }
    Ok(())
}

fn write_rule_counts(report: &LintReport, out: &mut dyn Write) -> io::Result<()> {
    let read = format!(
        "{} {} in {}, {}",
        thousands(report.records),
        if report.records == 1 { "record" } else { "records" },
        plural(report.files.len(), "file"),
        size(report.bytes),
    );
    let tally = report.tally();
    if tally.total() == 0 {
        return if report.files.is_empty() {
            writeln!(out, "Nothing linted: no corpus files.")
        } else if !report.path_problems.is_empty() {
            writeln!(
                out,
                "No findings in the files read ({read}), but {} could not be linted.",
                plural(report.path_problems.len(), "path")
            )
        } else {
            writeln!(out, "All checks passed ({read}).")
        };
    }
    let severities: Vec<String> = [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .filter_map(|severity| {
            let count = tally.count(severity);
            (count > 0).then(|| plural(count, severity.name()))
        })
        .collect();
    writeln!(
        out,
        "Found {}: {} ({read}).",
        plural(tally.total(), "finding"),
        severities.join(", ")
    )?;
    let table = statistics(report);
    let width = table.iter().map(|row| row.count.to_string().len()).max().unwrap_or(1);
    for row in table {
        let by: Vec<String> = row
            .by_severity
            .iter()
            .rev()
            .map(|(severity, count)| plural(*count, severity.name()))
            .collect();
        writeln!(
            out,
            "  {:>width$}  {} {:<22} {}",
            row.count,
            row.rule.code,
            row.rule.name,
            by.join(", ")
        )?;
    }
    Ok(())
}

/// `min 12, p50 340, p95 910, max 1,530`.
fn summary(summary: Option<Summary>) -> String {
    match summary {
        Some(Summary { min, p50, p95, max }) => format!(
            "min {}, p50 {}, p95 {}, max {}",
            thousands(min as u64),
            thousands(p50 as u64),
            thousands(p95 as u64),
            thousands(max as u64)
        ),
        None => "none".into(),
    }
}

/// The `token-stats` section of `--statistics`: one block per dataset.
fn write_token_stats(report: &LintReport, stats: &TokenStatistics, out: &mut dyn Write) -> io::Result<()> {
    let template = stats
        .chat_template
        .as_ref()
        .map_or_else(|| "ChatML".to_owned(), |path| path.display().to_string());
    let engine = match stats.engine_name() {
        "encode" => "Tokenizer::encode",
        _ => "the count-only byte-level BPE",
    };
    writeln!(
        out,
        "Token statistics ({}, window {}, {template}; every sample counted exactly with {engine}; percentiles nearest-rank):",
        stats.tokenizer.display(),
        thousands(stats.max_seq_len as u64),
    )?;
    let max = thousands(stats.max_seq_len as u64);
    for (dataset, tokens) in report.datasets.iter().zip(&stats.datasets) {
        let samples = tokens.samples();
        writeln!(
            out,
            "  {}: {} with a response ({})",
            dataset.name,
            plural(samples as usize, "sample"),
            plural(tokens.records as usize, "record"),
        )?;
        writeln!(out, "    prompt tokens     {}", summary(tokens.prompt.summary()))?;
        writeln!(out, "    response tokens   {}", summary(tokens.response.summary()))?;
        writeln!(
            out,
            "    over the window   {} with the prompt at {max} or more (no response token fits), {} with prompt + response over {max}",
            thousands(tokens.prompt_over),
            thousands(tokens.total_over),
        )?;
        let fertility = &tokens.fertility;
        match (fertility.per_tamil_char(), fertility.per_tamil_word()) {
            (Some(per_char), Some(per_word)) => writeln!(
                out,
                "    Tamil fertility   {per_char:.2} tokens per Tamil character, {per_word:.1} per Tamil word ({} tokens in {})",
                thousands(fertility.tokens),
                plural(fertility.texts as usize, "mostly-Tamil text"),
            )?,
            _ => writeln!(out, "    Tamil fertility   no mostly-Tamil text")?,
        }
        writeln!(
            out,
            "    counting          {} by the byte-level BPE, {} by Tokenizer::encode; without --statistics the byte bound settles {} ({})",
            thousands(tokens.counted),
            thousands(tokens.encoded),
            thousands(tokens.bound_would_settle),
            share_of(tokens.bound_would_settle, samples),
        )?;
        if tokens.no_response > 0 {
            writeln!(
                out,
                "    no response       {} without an assistant turn",
                plural(tokens.no_response as usize, "chat record")
            )?;
        }
        if tokens.not_counted > 0 {
            writeln!(
                out,
                "    not counted       {}: the template or the tokenizer failed (see over-long-prompt)",
                plural(tokens.not_counted as usize, "chat record")
            )?;
        }
    }
    Ok(())
}
