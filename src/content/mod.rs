//! The content model: the portal, its reports and their pages, read from
//! `content/` with TOML front matter, and validated in one place.

pub mod for_each;
pub mod front_matter;
pub mod queries;
pub mod report;
mod validate;

pub use for_each::ForEach;
pub use report::{KpiFormat, KpiSpec, Page, PageMeta, Report, ReportMeta, is_editor_temp};

use crate::config::{Language, PortalConfig};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Everything under `content/`.
#[derive(Clone, Debug)]
pub struct Portal {
    pub config: PortalConfig,
    /// The raw front matter of `content/_index.md`.
    pub front_matter: String,
    /// `content/_index.md`.
    pub index_path: PathBuf,
    /// The Markdown body of `content/_index.md`, shown on the index page.
    pub intro: String,
    pub intro_line: usize,
    /// Reports by ascending weight, then folder name.
    pub reports: Vec<Report>,
}

impl Portal {
    /// The file line and column of the portal setting `key`, if written.
    pub fn locate_setting(&self, key: &str) -> Option<(usize, usize)> {
        let split = front_matter::Split {
            front_matter: &self.front_matter,
            front_matter_line: 2,
            body: "",
            body_line: 0,
        };
        front_matter::locate_key(&split, &[key])
    }
}

/// Read and validate the whole content tree.
pub fn load_portal(content_dir: &Path) -> Result<Portal> {
    if !content_dir.is_dir() {
        return Err(Error::new("content folder not found")
            .at(content_dir)
            .hint("run the command from the portal's root, pass --content, or create one with `wawasan init <dir>`"));
    }
    let index_path = content_dir.join("_index.md");
    not_a_folder(&index_path)?;
    if !index_path.is_file() {
        return Err(Error::new("the portal settings file is missing")
            .at(&index_path)
            .hint("create content/_index.md with +++ title = \"...\" language = \"id\" +++"));
    }
    let text = report::read_text(&index_path)?;
    let split = front_matter::split(&text, &index_path)?;
    let config: PortalConfig = front_matter::parse(&split, &index_path)?;
    let overview = match config.language {
        Language::Id => "Ringkasan",
        Language::En => "Overview",
    };
    let mut reports = Vec::new();
    for dir in report_dirs(content_dir)? {
        reports.push(report::load_report(&dir, overview)?);
    }
    reports.sort_by(|a, b| {
        a.meta
            .weight
            .cmp(&b.meta.weight)
            .then_with(|| a.slug.cmp(&b.slug))
    });
    let portal = Portal {
        config,
        front_matter: split.front_matter.to_string(),
        index_path,
        intro: split.body.to_string(),
        intro_line: split.body_line,
        reports,
    };
    validate::validate(&portal)?;
    Ok(portal)
}

/// Sub-folders of `content/` that hold a report (`_index.md`), sorted.
fn report_dirs(content_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    let entries = std::fs::read_dir(content_dir).map_err(|e| Error::io("list", content_dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io("list", content_dir, e))?.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        if !path.is_dir() || hidden {
            continue;
        }
        let index = path.join("_index.md");
        not_a_folder(&index)?;
        if index.is_file() {
            dirs.push(path);
        } else if has_markdown(&path) {
            return Err(Error::new("report folder has pages but no _index.md")
                .at(&path)
                .hint("add _index.md with the report's front matter (title, sources, analyses)"));
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// An `_index.md` that is a folder (or another non-file) would otherwise
/// read as a missing one.
fn not_a_folder(index: &Path) -> Result<()> {
    if !index.exists() || index.is_file() {
        return Ok(());
    }
    let what = if index.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    };
    Err(Error::new(format!("_index.md is {what}, not a Markdown file"))
        .at(index)
        .hint("remove or rename it, and write _index.md as a file with the front matter (between +++ lines)"))
}

fn has_markdown(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "md"))
    })
}
