//! `wawasan init`: a new portal that builds as it is — settings, one report
//! with a segment comparison over a small generated dataset, the folders a
//! user fills in, and the GitHub Pages workflow that publishes it.

use crate::error::{Error, Result};
use crate::generate::{Dataset, generate};
use std::path::{Path, PathBuf};

const PORTAL_INDEX: &str = r#"+++
title = "Portal Wawasan"
description = "Laporan analisis data untuk tim bisnis."
language = "id"    # or "en"
currency = "IDR"
base_url = ""      # e.g. "https://acme.github.io/insights/"
+++

Selamat datang. Setiap kartu di bawah ini adalah satu laporan.
"#;

const REPORT_INDEX: &str = r#"+++
title = "Contoh: B2B vs B2C"
summary = "Perbandingan nilai pesanan pelanggan bisnis dan konsumen."
currency = "INR"

[[sources]]
name = "sales"
path = "example/amazon_sale_report.csv"
types = { Amount = "money", Qty = "int", B2B = "bool" }
dates = { Date = "MM-DD-YY" }
filters = ["Status <> 'Cancelled'"]

[analyses.b2b]
kind = "segment_comparison"
table = "sales"
segment = "B2B"
labels = { true = "B2B", false = "B2C" }
order_id = "Order ID"
amount = "Amount"
qty = "Qty"
date = "Date"
mix = ["Category", "Size"]

[[kpis]]
label = "AOV B2B"
value = "b2b.segments.B2B.aov"
format = "money"

[[kpis]]
label = "AOV B2B / B2C"
value = "b2b.ratios.aov"
format = "ratio"
+++

Pesanan B2B bernilai rata-rata {{ b2b.segments.B2B.aov | money }},
{{ b2b.ratios.aov | ratio }} dibanding B2C ({{ b2b.segments.B2C.aov | money }}).

{{ chart(name="b2b.aov") }}

{{ table(name="b2b.segments") }}
"#;

/// The GitHub Pages workflow, byte for byte the one this repository (itself
/// an example portal) publishes with: one file to keep right.
pub const PAGES_WORKFLOW: &str = include_str!("../.github/workflows/pages.yml");

/// Where `init` writes [`PAGES_WORKFLOW`] in the new portal.
pub const PAGES_WORKFLOW_PATH: &str = ".github/workflows/pages.yml";

/// What a portal's `.gitignore` must list: the output and the results cache.
const IGNORED: [&str; 2] = ["/public/", "/.wawasan-cache/"];

/// Create a new portal in `dir` (which must not already hold one). Returns
/// the files written. A `.gitignore` already there keeps its lines and gets
/// the missing ones appended; a Pages workflow already there is left alone.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    let content = dir.join("content");
    if content.exists() {
        return Err(Error::new("a portal already exists here")
            .at(&content)
            .hint("choose an empty folder, or remove content/ first"));
    }
    let mut written = Vec::new();
    for (rel, text) in [
        ("content/_index.md", PORTAL_INDEX),
        ("content/example/_index.md", REPORT_INDEX),
        ("templates/.gitkeep", ""),
    ] {
        written.push(write(&dir.join(rel), text)?);
    }
    let workflow = dir.join(PAGES_WORKFLOW_PATH);
    if !workflow.exists() {
        written.push(write(&workflow, PAGES_WORKFLOW)?);
    }
    let gitignore = dir.join(".gitignore");
    let old = match std::fs::read_to_string(&gitignore) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io("read", &gitignore, e)),
    };
    if let Some(text) = with_ignored(&old) {
        written.push(write(&gitignore, &text)?);
    }
    written.extend(generate(
        Dataset::Amazon,
        2_000,
        7,
        &dir.join("data/example"),
    )?);
    Ok(written)
}

/// `text` of a `.gitignore` with the lines of [`IGNORED`] it lacks appended,
/// or `None` when it has them all.
fn with_ignored(text: &str) -> Option<String> {
    let missing: Vec<&str> = IGNORED
        .into_iter()
        .filter(|want| !text.lines().any(|line| line.trim() == *want))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for line in missing {
        out.push_str(line);
        out.push('\n');
    }
    Some(out)
}

/// Write `text` to `path`, creating its folder.
fn write(path: &Path, text: &str) -> Result<PathBuf> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io("write", path, e))?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_writes_the_repository_pages_workflow_and_ignores_output_and_cache() {
        let dir = tempfile::tempdir().unwrap();
        let written = init(dir.path()).unwrap();
        let workflow = dir.path().join(".github/workflows/pages.yml");
        assert!(written.contains(&workflow));
        let repo_file = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/pages.yml");
        assert_eq!(
            std::fs::read(&workflow).unwrap(),
            std::fs::read(repo_file).unwrap()
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
            "/public/\n/.wawasan-cache/\n"
        );
        assert!(
            dir.path()
                .join("data/example/amazon_sale_report.csv")
                .is_file()
        );
    }

    #[test]
    fn init_keeps_a_users_gitignore_and_workflow() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "*.log\n/public/").unwrap();
        let workflow = dir.path().join(".github/workflows/pages.yml");
        std::fs::create_dir_all(workflow.parent().unwrap()).unwrap();
        std::fs::write(&workflow, "name: mine\n").unwrap();
        let written = init(dir.path()).unwrap();
        assert!(!written.contains(&workflow));
        assert_eq!(std::fs::read_to_string(&workflow).unwrap(), "name: mine\n");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
            "*.log\n/public/\n/.wawasan-cache/\n"
        );
    }

    #[test]
    fn init_refuses_a_folder_that_holds_a_portal() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        let err = init(dir.path()).unwrap_err();
        assert!(err.to_string().contains("a portal already exists"), "{err}");
        assert!(!dir.path().join(".gitignore").exists());
    }

    #[test]
    fn a_gitignore_with_both_lines_is_left_as_it_is() {
        assert_eq!(with_ignored("/.wawasan-cache/\n  /public/  \n"), None);
        assert_eq!(
            with_ignored("").as_deref(),
            Some("/public/\n/.wawasan-cache/\n")
        );
    }
}
