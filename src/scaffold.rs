//! `wawasan init`: a new portal that builds as it is — settings, one report
//! with a segment comparison over a small generated dataset, and the
//! folders a user fills in.

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

/// Create a new portal in `dir` (which must not already hold one).
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
        (".gitignore", "/public/\n"),
        ("templates/.gitkeep", ""),
    ] {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
        written.push(path);
    }
    written.extend(generate(
        Dataset::Amazon,
        2_000,
        7,
        &dir.join("data/example"),
    )?);
    Ok(written)
}
