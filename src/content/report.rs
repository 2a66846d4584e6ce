//! Reports and pages: the front-matter schema of a report (`_index.md` in a
//! report folder) and of its pages, and reading them from disk.

use super::for_each::ForEach;
use super::front_matter::{self, Split};
use super::queries::{self, SqlBlock};
use crate::analysis::AnalysisSpec;
use crate::chart::ChartSpec;
use crate::config::Language;
use crate::data::SourceSpec;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The front matter of a report's `_index.md`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportMeta {
    pub title: String,
    /// One or two sentences for the index card.
    #[serde(default)]
    pub summary: String,
    /// Reports are listed by ascending weight, then folder name.
    #[serde(default)]
    pub weight: i64,
    /// Overrides the portal language for this report.
    #[serde(default)]
    pub language: Option<Language>,
    /// Overrides the portal currency (ISO 4217) for this report.
    #[serde(default)]
    pub currency: Option<String>,
    /// Title of the overview page (the body of `_index.md`).
    #[serde(default)]
    pub overview_title: Option<String>,
    #[serde(default)]
    pub sources: Vec<SourceSpec>,
    #[serde(default)]
    pub analyses: BTreeMap<String, AnalysisSpec>,
    #[serde(default)]
    pub charts: BTreeMap<String, ChartSpec>,
    /// Display names by column name for this report's tables, charts
    /// (legend, tooltip, axis titles) and dropdowns, over the built-in
    /// names; a chart's own `labels` and a table's `headers` still win.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Headline numbers for the index card and the `kpis()` function.
    #[serde(default)]
    pub kpis: Vec<KpiSpec>,
    /// Analyses whose first aggregation a database computed: their
    /// aggregate, fetched by the build (never written in front matter).
    #[serde(skip)]
    pub pushed: BTreeMap<String, crate::data::external::pushdown::Pushed>,
}

/// A headline number: `{ label = "AOV B2B", value = "b2b.segments.B2B.aov", format = "money" }`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KpiSpec {
    pub label: String,
    /// Dotted path into the results, e.g. `b2b.ratios.aov`.
    pub value: String,
    #[serde(default)]
    pub format: KpiFormat,
    #[serde(default)]
    pub decimals: Option<usize>,
}

/// How a KPI value is written.
#[derive(Clone, Copy, Debug, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum KpiFormat {
    #[default]
    Number,
    Money,
    Percent,
    Ratio,
    Compact,
}

/// The front matter of a page other than the overview.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    #[serde(default)]
    pub title: Option<String>,
    /// Pages are ordered by ascending weight, then file name.
    #[serde(default)]
    pub weight: i64,
    /// Generate this page once per value of a column or row of a table.
    #[serde(default)]
    pub for_each: Option<ForEach>,
}

/// One Markdown page of a report.
#[derive(Clone, Debug)]
pub struct Page {
    pub path: PathBuf,
    /// `index` for the overview, else the file stem.
    pub slug: String,
    pub title: String,
    pub weight: i64,
    /// The Markdown body with ```sql blocks replaced by table calls.
    pub body: String,
    /// 1-based file line of the body's first line.
    pub body_line: usize,
    pub queries: Vec<SqlBlock>,
    /// Set for a page generated once per value (see `for_each`).
    pub for_each: Option<ForEach>,
}

/// A report: a folder of `content/` with `_index.md` and more pages.
#[derive(Clone, Debug)]
pub struct Report {
    pub slug: String,
    pub dir: PathBuf,
    pub meta: ReportMeta,
    /// The raw front matter and its first line, to point errors at settings.
    pub front_matter: String,
    pub front_matter_line: usize,
    /// Overview first, then the other pages in order.
    pub pages: Vec<Page>,
}

impl Report {
    pub fn index_path(&self) -> PathBuf {
        self.dir.join("_index.md")
    }

    /// The file line of the first front-matter line containing `needle`.
    pub fn locate(&self, needle: &str) -> Option<usize> {
        let split = Split {
            front_matter: &self.front_matter,
            front_matter_line: self.front_matter_line,
            body: "",
            body_line: 0,
        };
        front_matter::locate(&split, needle)
    }

    /// Line and column of the front-matter key at `keys` (or of the
    /// deepest part of it that exists), e.g. `["analyses", "b2b", "amount"]`.
    pub fn locate_key(&self, keys: &[&str]) -> Option<(usize, usize)> {
        let split = Split {
            front_matter: &self.front_matter,
            front_matter_line: self.front_matter_line,
            body: "",
            body_line: 0,
        };
        front_matter::locate_key(&split, keys)
    }

    /// Every SQL query of the report, in page order.
    pub fn queries(&self) -> impl Iterator<Item = (&Page, &SqlBlock)> {
        self.pages
            .iter()
            .flat_map(|p| p.queries.iter().map(move |q| (p, q)))
    }
}

/// Read a file as UTF-8, with an error naming it otherwise.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        Error::new("file is not valid UTF-8")
            .at(path)
            .line(line)
            .hint("save the file as UTF-8 (most editors offer this in 'Save as' / encoding)")
    })
}

/// Read a report folder.
pub fn load_report(dir: &Path, default_overview_title: &str) -> Result<Report> {
    let index_path = dir.join("_index.md");
    let text = read_text(&index_path)?;
    let split = front_matter::split(&text, &index_path)?;
    if split.front_matter.is_empty() {
        return Err(Error::new("a report's _index.md needs front matter")
            .at(&index_path)
            .line(1)
            .hint("start the file with +++, title = \"...\", +++"));
    }
    let meta: ReportMeta = front_matter::parse(&split, &index_path)?;
    let overview_title = meta
        .overview_title
        .clone()
        .unwrap_or_else(|| default_overview_title.to_string());
    let mut pages = vec![build_page(&index_path, "index", overview_title, 0, &split)?];
    let mut others = Vec::new();
    for path in markdown_files(dir)? {
        others.push(load_page(&path)?);
    }
    others.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.slug.cmp(&b.slug)));
    pages.extend(others);
    let slug = dir_name(dir)?;
    Ok(Report {
        slug,
        dir: dir.to_path_buf(),
        meta,
        front_matter: split.front_matter.to_string(),
        front_matter_line: split.front_matter_line,
        pages,
    })
}

fn load_page(path: &Path) -> Result<Page> {
    let text = read_text(path)?;
    let split = front_matter::split(&text, path)?;
    let meta: PageMeta = front_matter::parse(&split, path)?;
    let slug = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("page")
        .to_string();
    let title = meta
        .title
        .clone()
        .or_else(|| first_heading(split.body))
        .unwrap_or_else(|| slug.clone());
    let mut page = build_page(path, &slug, title, meta.weight, &split)?;
    if let Some(mut for_each) = meta.for_each {
        for_each.line = front_matter::locate(&split, "for_each");
        for_each.check(path, for_each.line)?;
        page.for_each = Some(for_each);
    }
    Ok(page)
}

fn build_page(path: &Path, slug: &str, title: String, weight: i64, split: &Split) -> Result<Page> {
    let (body, queries) = queries::extract(split.body, split.body_line, path)?;
    Ok(Page {
        path: path.to_path_buf(),
        slug: slug.to_string(),
        title,
        weight,
        body,
        body_line: split.body_line,
        queries,
        for_each: None,
    })
}

fn first_heading(body: &str) -> Option<String> {
    body.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
}

/// The `.md` files of a report folder other than `_index.md`, sorted.
fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io("list", dir, e))?.path();
        let is_md = path.extension().is_some_and(|e| e == "md");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_md && path.is_file() && name != "_index.md" && !is_editor_temp(name) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Editor backup and lock files that must never become pages.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with(".#")
        || name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
}

pub(crate) fn dir_name(dir: &Path) -> Result<String> {
    dir.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .ok_or_else(|| Error::new("report folder name is not valid UTF-8").at(dir))
}
