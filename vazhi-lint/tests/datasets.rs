//! Dataset rules: judged over whole datasets, and exact however the records are split into files,
//! chunks and threads.

use std::path::{Path, PathBuf};

use vazhi_lint::settings::Options;
use vazhi_lint::{Finding, LintReport, Linter, Settings, Silent};

fn chat(question: &str, answer: &str) -> String {
    serde_json::json!({"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]})
        .to_string()
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn lint_with(config: &str, root: &Path, paths: &[PathBuf]) -> LintReport {
    let options: Options = toml::from_str(config).expect("test config parses");
    let settings = Settings::resolve(options, root.to_path_buf(), None).expect("test config resolves");
    Linter::new(settings).lint_files(paths, &Silent)
}

fn of_rule<'r>(report: &'r LintReport, name: &str) -> Vec<&'r Finding> {
    report
        .findings
        .iter()
        .filter(|finding| finding.rule.name == name)
        .collect()
}

#[test]
fn raw_text_beside_chat_records_is_one_finding_for_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let lines = vec![
        chat("வணக்கம்", "வணக்கம்! நலமா?"),
        r#"{"text": "யாதும் ஊரே யாவரும் கேளிர்"}"#.to_owned(),
        chat("நலமா?", "நலம், நன்றி."),
        r#"{"text": "<|im_start|>user\nவணக்கம்<|im_end|>\n<|im_start|>assistant\nவணக்கம்!<|im_end|>\n"}"#.to_owned(),
    ];
    let path = write(dir.path(), "sft.jsonl", &lines);
    let report = lint_with("select = [\"mixed-format\"]", dir.path(), &[path]);
    let findings = of_rule(&report, "mixed-format");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = findings[0];
    assert_eq!(finding.position, None);
    assert!(finding.path.ends_with("sft.jsonl"));
    assert_eq!(
        finding.message,
        "dataset mixes record layouts: 1 chatml-text, 2 messages, 1 raw (first chatml-text record at line 4; first raw record at line 2)"
    );
}

#[test]
fn one_layout_per_file_is_clean_and_a_declared_kind_is_enforced_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let sft = write(dir.path(), "data/sft/a.jsonl", &[chat("வணக்கம்", "வணக்கம்!")]);
    let raw = write(dir.path(), "data/sft/b.jsonl", &[r#"{"text": "யாதும் ஊரே"}"#.to_owned()]);
    let report = lint_with("select = [\"mixed-format\"]", dir.path(), &[sft.clone(), raw.clone()]);
    assert!(report.findings.is_empty(), "separate datasets by default");

    let config =
        "select = [\"mixed-format\"]\n[[datasets]]\nname = \"sft\"\npaths = [\"data/sft/**\"]\nkind = \"chat\"\n";
    let report = lint_with(config, dir.path(), &[sft, raw]);
    let findings = of_rule(&report, "mixed-format");
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0].path.ends_with("a.jsonl"),
        "reported on the dataset's first file"
    );
    assert!(
        findings[0]
            .message
            .starts_with("dataset `sft` is declared `chat` but holds 1 raw (first raw record at "),
        "{}",
        findings[0].message
    );
    assert!(findings[0].message.contains("b.jsonl:1"), "{}", findings[0].message);
}

#[test]
fn copies_are_found_through_spacing_and_unicode_normalisation() {
    let dir = tempfile::tempdir().unwrap();
    // கொ written as its two parts (U+0B95 U+0BC6 U+0BBE) is the same text as NFC's U+0B95 U+0BCA.
    let lines = vec![
        chat("முதல் குறள் என்ன?", "அகர முதல எழுத்தெல்லாம் ஆதி பகவன் முதற்றே உலகு. கொடு"),
        chat("வேறு கேள்வி", "வேறு பதில்"),
        chat(
            "முதல்   குறள் என்ன? ",
            "அகர முதல\nஎழுத்தெல்லாம் ஆதி பகவன் முதற்றே உலகு. க\u{0BC6}\u{0BBE}டு",
        ),
        chat("முதல் குறள் என்ன?", "அகர முதல எழுத்தெல்லாம் ஆதி பகவன் முதற்றே உலகு. கொடு"),
    ];
    let path = write(dir.path(), "qa.jsonl", &lines);
    let report = lint_with("select = [\"duplicate\"]", dir.path(), &[path]);
    let located: Vec<(Option<u64>, &str)> = report.findings.iter().map(|f| (f.line(), f.message.as_str())).collect();
    assert_eq!(
        located,
        vec![
            (Some(3), "duplicate of the record at line 1"),
            (Some(4), "duplicate of the record at line 1")
        ]
    );
}

#[test]
fn one_answer_to_many_prompts_is_a_warning_at_its_first_record() {
    let dir = tempfile::tempdir().unwrap();
    let answer = "அகர முதல எழுத்தெல்லாம் ஆதி பகவன் முதற்றே உலகு.";
    let lines: Vec<String> = (0..21)
        .map(|index| chat(&format!("முதல் குறள் எது? ({index})"), answer))
        .chain([chat("வணக்கம்", "வணக்கம்!")])
        .collect();
    let path = write(dir.path(), "culture.jsonl", &lines);
    let report = lint_with("select = [\"duplicate\"]", dir.path(), &[path]);
    assert_eq!(report.findings.len(), 1);
    let finding = &report.findings[0];
    assert_eq!(finding.severity, vazhi_lint::Severity::Warning);
    assert_eq!(finding.line(), Some(1));
    assert_eq!(
        finding.message,
        "this answer is the response of 21 records (more than 3)"
    );
}

fn skewed(count: usize, share_of_first: f64) -> Vec<String> {
    (0..count)
        .map(|index| {
            let pack = if (index as f64) < count as f64 * share_of_first {
                "thirukkural".to_owned()
            } else {
                ["health", "government", "security"][index % 3].to_owned()
            };
            let mut record: serde_json::Value =
                serde_json::from_str(&chat(&format!("கேள்வி {index}"), &format!("பதில் {index}"))).unwrap();
            record["pack"] = pack.into();
            record.to_string()
        })
        .collect()
}

#[test]
fn one_category_over_the_share_is_reported_with_the_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "vazhi.jsonl", &skewed(1000, 0.71));
    let report = lint_with("select = [\"category-skew\"]", dir.path(), &[path]);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(
        report.findings[0].message,
        "`thirukkural` is 71% of the dataset (over 40%): thirukkural 710, health 97, security 97, government 96"
    );

    let path = write(dir.path(), "balanced.jsonl", &skewed(1000, 0.25));
    assert!(
        lint_with("select = [\"category-skew\"]", dir.path(), &[path])
            .findings
            .is_empty()
    );
    let path = write(dir.path(), "small.jsonl", &skewed(60, 0.9));
    assert!(
        lint_with("select = [\"category-skew\"]", dir.path(), &[path])
            .findings
            .is_empty(),
        "below min-records"
    );
}

/// The same records as one file, or as shards grouped into one dataset, give the same dataset
/// findings: the aggregates merge exactly.
#[test]
fn shards_of_a_dataset_combine_exactly() {
    let dir = tempfile::tempdir().unwrap();
    // Enough records that each file spans several chunks and rayon splits them many ways.
    let mut lines = skewed(30_000, 0.6);
    for index in (0..lines.len()).step_by(97) {
        let copy = lines[index / 2].clone();
        lines[index] = copy;
    }
    lines[29_999] = r#"{"text": "ஒரு raw வரி"}"#.to_owned();
    let whole = write(dir.path(), "whole/all.jsonl", &lines);
    let shards: Vec<PathBuf> = lines
        .chunks(7_000)
        .enumerate()
        .map(|(index, chunk)| write(dir.path(), &format!("shards/part-{index}.jsonl"), chunk))
        .collect();
    let select = "select = [\"duplicate\", \"category-skew\", \"mixed-format\"]\n";
    let one = lint_with(select, dir.path(), &[whole]);
    let grouped = lint_with(
        &format!("{select}[[datasets]]\nname = \"all\"\npaths = [\"shards/**\"]\n"),
        dir.path(),
        &shards,
    );

    let summary = |report: &LintReport| {
        let mut out: Vec<(String, String)> = report
            .findings
            .iter()
            .map(|finding| {
                (
                    finding.rule.name.to_owned(),
                    finding.message.replace(|c: char| c.is_ascii_digit(), "#"),
                )
            })
            .collect();
        out.sort();
        out
    };
    assert!(
        of_rule(&one, "duplicate").len() > 250,
        "{}",
        of_rule(&one, "duplicate").len()
    );
    assert_eq!(of_rule(&one, "duplicate").len(), of_rule(&grouped, "duplicate").len());
    assert_eq!(
        of_rule(&one, "category-skew")[0].message,
        of_rule(&grouped, "category-skew")[0].message
    );
    assert_eq!(summary(&one).len(), summary(&grouped).len());
    // Which line each copy points back to is the same, whatever the split.
    let firsts = |report: &LintReport| {
        let mut out: Vec<u64> = of_rule(report, "duplicate")
            .iter()
            .filter_map(|finding| finding.message.rsplit([' ', ':']).next()?.parse().ok())
            .collect();
        out.sort();
        out
    };
    let shard_firsts: Vec<u64> = of_rule(&grouped, "duplicate")
        .iter()
        .filter_map(|finding| {
            let (file, line) = finding.message.rsplit_once(':')?;
            let part: u64 = file.rsplit("part-").next()?.trim_end_matches(".jsonl").parse().ok()?;
            Some(part * 7_000 + line.parse::<u64>().ok()?)
        })
        .chain(
            of_rule(&grouped, "duplicate")
                .iter()
                .filter(|finding| finding.message.contains("at line "))
                .filter_map(|finding| {
                    let part: u64 = finding
                        .path
                        .to_string_lossy()
                        .rsplit("part-")
                        .next()?
                        .trim_end_matches(".jsonl")
                        .parse()
                        .ok()?;
                    Some(part * 7_000 + finding.message.rsplit(' ').next()?.parse::<u64>().ok()?)
                }),
        )
        .collect::<Vec<_>>();
    let mut shard_firsts = shard_firsts;
    shard_firsts.sort();
    assert_eq!(firsts(&one), shard_firsts);
}
