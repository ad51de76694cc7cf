//! `cargo vazhi report`: the page is read back with an HTML5 parser and checked against what the
//! library finds on the same corpus, and a real headless Chromium renders it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{ElementRef, Html, Selector};
use vazhi_lint::report::{Html as HtmlReport, HtmlOptions, Reporter};
use vazhi_lint::{Linter, Settings, Severity, Silent};
use vazhi_tests::{test_data, vazhi_binary, workspace};

const MAX_SEQ_LEN: &str = "1024";

/// The report of corpora-samples with the Qwen tokenizer, as the CLI writes it.
fn samples_report(dir: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("report.html");
    let status = Command::new(vazhi_binary())
        .args(["vazhi", "report", "--no-progress", "--out"])
        .arg(&out)
        .arg(workspace().join("corpora-samples"))
        .arg("--tokenizer")
        .arg(test_data().join("qwen-tokenizer.json"))
        .args(["--max-seq-len", MAX_SEQ_LEN])
        .args(extra)
        .status()
        .unwrap();
    assert!(status.success(), "report exits 0 whatever it finds: {status}");
    out
}

fn select(selector: &str) -> Selector {
    Selector::parse(selector).unwrap()
}

fn number(text: &str) -> u64 {
    text.trim()
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("{text:?} is a number"))
}

fn attr(element: ElementRef<'_>, name: &str) -> u64 {
    number(
        element
            .value()
            .attr(name)
            .unwrap_or_else(|| panic!("{name} on {:?}", element.value())),
    )
}

fn text(element: ElementRef<'_>) -> String {
    element.text().collect()
}

/// The sum of `data-count` over the bars of a chart.
fn bars(chart: ElementRef<'_>) -> u64 {
    chart
        .select(&select("rect.bar"))
        .map(|bar| attr(bar, "data-count"))
        .sum()
}

#[test]
fn the_report_of_corpora_samples_shows_what_lint_finds() {
    let dir = tempfile::tempdir().unwrap();
    let page = Html::parse_document(&std::fs::read_to_string(samples_report(dir.path(), &[])).unwrap());
    let samples = workspace().join("corpora-samples");
    let settings = Settings::load(
        None,
        &samples,
        &vazhi_lint::settings::Overrides {
            tokenizer: Some(test_data().join("qwen-tokenizer.json")),
            max_seq_len: Some(MAX_SEQ_LEN.parse().unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    let linter = Linter::new(settings).profile(true).token_statistics(true);
    let expected = linter.lint_paths(&[samples], &Silent);

    // The verdict: the run's own counts.
    let figure = |name: &str| {
        page.select(&select(&format!("[data-figure={name}] b")))
            .next()
            .unwrap_or_else(|| panic!("figure {name}"))
    };
    assert_eq!(attr(figure("records"), "data-value"), expected.records);
    assert_eq!(number(&text(figure("errors"))), expected.count(Severity::Error) as u64);
    assert_eq!(
        number(&text(figure("warnings"))),
        expected.count(Severity::Warning) as u64
    );
    let quarantined: std::collections::BTreeSet<_> = expected
        .findings
        .iter()
        .filter(|finding| finding.severity == Severity::Error)
        .filter_map(|finding| finding.position.map(|position| (finding.path.clone(), position)))
        .collect();
    assert_eq!(attr(figure("quarantined"), "data-value"), quarantined.len() as u64);

    // A section per rule that fired, with its count and at most five real examples.
    let sections: BTreeMap<String, ElementRef<'_>> = page
        .select(&select("section.rule"))
        .map(|section| (section.value().attr("data-code").unwrap().to_owned(), section))
        .collect();
    let rows = expected.tally().rows();
    assert!(rows.len() >= 19, "the samples make every rule fire: {}", rows.len());
    assert_eq!(sections.len(), rows.len());
    for row in rows {
        let section = sections[row.rule.code];
        assert_eq!(attr(section, "data-count"), row.count as u64, "{}", row.rule.code);
        let examples: Vec<_> = section.select(&select(".example")).collect();
        assert_eq!(examples.len(), row.count.min(5), "{}", row.rule.code);
        let first = expected
            .findings
            .iter()
            .find(|finding| finding.rule.code == row.rule.code)
            .unwrap();
        assert!(
            text(examples[0]).contains(&first.message),
            "{}: the first example is the first finding",
            row.rule.code
        );
        if let Some(snippet) = &first.snippet {
            let marked = examples[0].select(&select("mark")).next().map(text).unwrap_or_default();
            assert_eq!(marked, snippet.text[snippet.span.clone()], "{}", row.rule.code);
        }
    }
    // Each link from the verdict's table reaches a rule section.
    for link in page.select(&select("#top-rules a")) {
        let target = link.value().attr("href").unwrap().trim_start_matches("#rule-");
        assert!(sections.contains_key(target), "{target}");
    }

    // The Tamil-share histograms: each label's bins and its records without letters add up to
    // its records, and the labels to every record with a training target.
    let profile =
        expected
            .profiles
            .iter()
            .flatten()
            .fold(vazhi_lint::profile::Profile::default(), |mut all, profile| {
                all.merge(profile.clone());
                all
            });
    let charts: Vec<_> = page.select(&select("figure.tamil-share")).collect();
    assert_eq!(charts.len(), profile.labels.len());
    for chart in &charts {
        let label = chart.value().attr("data-label").unwrap();
        assert_eq!(chart.select(&select("rect.bar")).count(), 20, "{label}: 5% bins");
        assert_eq!(
            bars(*chart) + attr(*chart, "data-no-letters"),
            attr(*chart, "data-records"),
            "{label}"
        );
        assert_eq!(attr(*chart, "data-records"), profile.labels[label].records(), "{label}");
    }
    let drawn: u64 = charts.iter().map(|chart| attr(*chart, "data-records")).sum();
    assert_eq!(drawn + profile.without_targets, profile.records());
    // The mislabelled samples are visible at a glance: `pure_tamil` records below 30% Tamil.
    let pure_tamil = page
        .select(&select("#label-bands tr[data-label=pure_tamil] td"))
        .map(text)
        .collect::<Vec<_>>();
    assert!(number(&pure_tamil[2]) > 0, "pure_tamil below 30%: {pure_tamil:?}");

    // Token lengths: every counted sample is in both charts of its dataset.
    let tokens = expected.token_stats.as_ref().unwrap();
    let mut checked = 0;
    for section in page.select(&select("section.dataset")) {
        let name = section.value().attr("data-dataset").unwrap();
        let index = expected
            .datasets
            .iter()
            .position(|dataset| dataset.name == name)
            .unwrap();
        for chart in section.select(&select("figure.tokens")) {
            assert_eq!(bars(chart), tokens.datasets[index].samples(), "{name}");
            checked += 1;
        }
    }
    assert!(checked >= 4, "{checked} token charts");

    // Self-contained: nothing is fetched from anywhere.
    let fetched: Vec<_> = page
        .select(&select("[src], link[href]"))
        .map(|element| element.html())
        .collect();
    assert!(fetched.is_empty(), "the page loads {fetched:?}");
    for link in page.select(&select("a[href]")) {
        let href = link.value().attr("href").unwrap();
        assert!(href.starts_with('#'), "{href}");
    }
    // Record text is marked Tamil, so the Tamil font stack applies.
    assert!(page.select(&select(".example .text[lang=ta]")).count() > 20);
}

/// The library's reporter and the CLI's page are the same page.
#[test]
fn lint_format_html_writes_the_report_page() {
    let duplicates = workspace().join("corpora-samples/defective/duplicates.jsonl");
    let output = Command::new(vazhi_binary())
        .args(["vazhi", "lint", "--format", "html", "--no-progress"])
        .arg(&duplicates)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "lint keeps its exit status");
    let page = Html::parse_document(&String::from_utf8(output.stdout).unwrap());
    let table = |id: &str| -> Vec<Vec<String>> {
        page.select(&select(&format!("#{id} tr")))
            .skip(1)
            .map(|row| row.select(&select("td")).map(text).collect())
            .collect()
    };

    let settings = Settings::discover(&workspace().join("corpora-samples")).unwrap();
    let linter = Linter::new(settings).profile(true);
    let report = linter.lint_paths(std::slice::from_ref(&duplicates), &Silent);
    // The copies of one record, grouped under it, and the answer given by many records: the
    // VAZHI set's 21 copies of one answer.
    let mut copies: BTreeMap<&str, u64> = BTreeMap::new();
    for finding in report.findings.iter().filter(|finding| finding.rule.code == "VZ206") {
        if let Some(first) = finding.message.strip_prefix("duplicate of the record at line ") {
            *copies.entry(first).or_default() += 1;
        }
    }
    let expected: Vec<Vec<String>> = copies
        .iter()
        .map(|(line, copies)| vec![format!("{}:{line}", duplicates.display()), (copies + 1).to_string()])
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(table("copied-records"), expected);
    let answers = table("repeated-answers");
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0][1], "21");
    let mut reporter = HtmlReport::new(linter.settings(), HtmlOptions { examples: 2 });
    let mut out = Vec::new();
    reporter.report(&report, &mut out).unwrap();
    let page = Html::parse_document(&String::from_utf8(out).unwrap());
    for section in page.select(&select("section.rule")) {
        assert!(section.select(&select(".example")).count() <= 2);
    }
}

/// The browser to render with: `VAZHI_CHROMIUM`, or chromium on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("VAZHI_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|path| path.is_file())
            })
        })
}

/// A screenshot of `page` at `width` × `height`, and the console messages the page logged.
fn screenshot(browser: &Path, page: &Path, shot: &Path, (width, height): (u32, u32)) -> Vec<String> {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}: {log}", browser.display());
    log.lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect()
}

/// Width, height, and how many pixels are not near-white and how many colours there are.
fn inspect_png(path: &Path) -> (u32, u32, usize, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let mut inked = 0;
    let mut colours = std::collections::HashSet::new();
    for pixel in pixels[..info.buffer_size()].chunks(channels) {
        if pixel.iter().take(3).any(|&value| value < 230) {
            inked += 1;
        }
        colours.insert(pixel[..3.min(channels)].to_vec());
    }
    (info.width, info.height, inked, colours.len())
}

/// Headless Chromium renders the corpora-samples report: a page of the expected size with ink on
/// it (text, bars, tables) and no console error. CI installs Chromium and sets
/// `VAZHI_REQUIRE_BROWSER`, so there the browser's absence fails instead of skipping.
#[test]
fn headless_chromium_renders_the_report() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("VAZHI_REQUIRE_BROWSER").is_none(),
            "VAZHI_REQUIRE_BROWSER is set but no chromium is on the PATH"
        );
        eprintln!("skipped: no chromium on the PATH (apt-get install chromium)");
        return;
    };
    // Without a Tamil font the record texts would draw as empty boxes.
    let tamil_fonts = Command::new("fc-list")
        .args([":lang=ta", "family"])
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_default();
    if tamil_fonts.is_empty() {
        assert!(
            std::env::var_os("VAZHI_REQUIRE_BROWSER").is_none(),
            "no Tamil font (apt-get install fonts-noto-core fonts-lohit-taml)"
        );
        eprintln!("warning: no Tamil font installed; Tamil text will not render");
    }
    let dir = tempfile::tempdir().unwrap();
    // The check sees console errors: a page that logs one is caught.
    let broken = dir.path().join("broken.html");
    std::fs::write(&broken, "<p>x</p><script>console.error('planted'); missing();</script>").unwrap();
    let messages = screenshot(&browser, &broken, &dir.path().join("broken.png"), (200, 100));
    assert!(messages.iter().any(|line| line.contains("planted")), "{messages:?}");

    let page = samples_report(dir.path(), &[]);
    let shot = dir.path().join("report.png");
    let messages = screenshot(&browser, &page, &shot, (1200, 1600));
    assert!(messages.is_empty(), "console messages: {messages:?}");
    let (width, height, inked, colours) = inspect_png(&shot);
    assert_eq!((width, height), (1200, 1600));
    let share = inked as f64 / f64::from(width * height);
    assert!(share > 0.02, "the page is blank: {:.1}% ink", share * 100.0);
    assert!(colours > 50, "text, bars and tables draw more than {colours} colours");
    if let Some(save) = std::env::var_os("VAZHI_SAVE_SCREENSHOT") {
        std::fs::copy(&shot, save).unwrap();
    }
}
