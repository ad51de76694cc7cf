//! rules/NAME.md is generated from each rule's doc comment; this test fails when a page is stale.
//! Regenerate with `VAZHI_BLESS=1 cargo test -p vazhi-lint --test rule_pages`.

use std::path::PathBuf;

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules")
}

#[test]
fn every_rule_page_matches_its_doc_comment() {
    let bless = std::env::var_os("VAZHI_BLESS").is_some();
    let mut stale = Vec::new();
    for meta in vazhi_lint::rules::all() {
        let path = rules_dir().join(format!("{}.md", meta.name));
        let want = vazhi_lint::rules::page(meta);
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            if bless {
                std::fs::write(&path, &want).expect("write rule page");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule pages (run `VAZHI_BLESS=1 cargo test -p vazhi-lint --test rule_pages`): {stale:?}"
    );
}

/// rules/README.md: the index of every rule.
fn index() -> String {
    let mut out = String::from(
        "# Rules\n\nGenerated from each rule's doc comment (`cargo vazhi rule NAME` prints the same text). \
         `data/` holds the reference data rules compile in.\n\n| code | name | default | what it catches |\n|---|---|---|---|\n",
    );
    for meta in vazhi_lint::rules::all() {
        out.push_str(&format!(
            "| {} | [{}]({}.md) | {} | {} |\n",
            meta.code,
            meta.name,
            meta.name,
            meta.severity.name(),
            meta.summary
        ));
    }
    out
}

#[test]
fn the_index_lists_every_rule() {
    let path = rules_dir().join("README.md");
    let want = index();
    if std::env::var_os("VAZHI_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write rules/README.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(have, want, "rules/README.md is stale (run with VAZHI_BLESS=1)");
}

#[test]
fn no_page_outlives_its_rule() {
    let names: Vec<String> = vazhi_lint::rules::all()
        .map(|meta| format!("{}.md", meta.name))
        .collect();
    for entry in std::fs::read_dir(rules_dir()).expect("rules/ exists") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && name != "README.md" {
            assert!(names.contains(&name), "rules/{name} documents no rule; remove it");
        }
    }
}
