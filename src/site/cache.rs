//! The results cache: a report's computed results (analysis outputs, query
//! tables, charts, KPIs) stored under a hash of everything they depend on —
//! the report's front matter, its SQL blocks, the bytes of its data files,
//! the resolved language and currency, and the wawasan version. A narrative
//! edit therefore reuses every result; a data edit recomputes only the
//! reports that read that file. The cache lives in `.wawasan-cache/` beside
//! `content/`; delete that folder (or pass `--no-cache`) to start afresh.
//! `serve` adds a memory layer that also remembers the data files' hashes.

use super::hash::{FileHashes, Fnv, hash_file};
use super::results::ReportResults;
use crate::content::Report;
use crate::data::load::resolve_files;
use crate::error::Result;
use crate::render::locale::Locale;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Bump when the cached format or any analysis' output changes shape.
const FORMAT: &str = "wawasan-results-1";

#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    results: ReportResults,
}

/// Results and data-file hashes kept in memory between builds of one
/// process (`serve`), so a rebuild after a narrative edit neither reads the
/// cache folder nor the data files. Clones share the memory.
#[derive(Clone, Debug, Default)]
pub struct MemoryCache {
    results: Arc<Mutex<BTreeMap<String, Keyed>>>,
    hashes: FileHashes,
}

/// Results with the key they were computed for.
type Keyed = (String, Arc<ReportResults>);

impl MemoryCache {
    fn get(&self, slug: &str, key: &str) -> Option<Arc<ReportResults>> {
        let map = self.results.lock().ok()?;
        map.get(slug)
            .filter(|(k, _)| k == key)
            .map(|(_, r)| r.clone())
    }

    fn put(&self, slug: &str, key: &str, results: Arc<ReportResults>) {
        if let Ok(mut map) = self.results.lock() {
            map.insert(slug.to_string(), (key.to_string(), results));
        }
    }

    /// Forget the results of reports that no longer exist.
    pub fn retain(&self, slugs: &[&str]) {
        if let Ok(mut map) = self.results.lock() {
            map.retain(|slug, _| slugs.contains(&slug.as_str()));
        }
    }
}

/// A cache folder (or none: caching off) and an optional memory layer.
#[derive(Clone, Debug)]
pub struct ResultCache {
    dir: Option<PathBuf>,
    memory: Option<MemoryCache>,
}

impl ResultCache {
    pub fn new(dir: Option<PathBuf>, memory: Option<MemoryCache>) -> Self {
        ResultCache { dir, memory }
    }

    /// Cached results for `key`: from memory, else from the folder.
    pub fn get(&self, slug: &str, key: &str) -> Option<Arc<ReportResults>> {
        if let Some(found) = self.memory.as_ref().and_then(|m| m.get(slug, key)) {
            return Some(found);
        }
        let results = Arc::new(self.load(slug, key)?);
        if let Some(memory) = &self.memory {
            memory.put(slug, key, results.clone());
        }
        Some(results)
    }

    /// Keep fresh results in memory and in the folder.
    pub fn put(&self, slug: &str, key: &str, results: ReportResults) -> Arc<ReportResults> {
        let results = Arc::new(self.store(slug, key, results));
        if let Some(memory) = &self.memory {
            memory.put(slug, key, results.clone());
        }
        results
    }

    /// The content hash of a report's inputs.
    pub fn key(&self, report: &Report, data_dir: &Path, locale: &Locale) -> Result<String> {
        let mut h = Fnv::new();
        h.text(FORMAT);
        h.text(env!("CARGO_PKG_VERSION"));
        h.text(&report.front_matter);
        h.text(locale.language().tag());
        h.text(locale.currency());
        for (_, query) in report.queries() {
            h.text(&query.name);
            h.text(&query.sql);
        }
        for source in &report.meta.sources {
            for file in resolve_files(source, data_dir)? {
                h.text(&file.to_string_lossy());
                h.number(match &self.memory {
                    Some(memory) => memory.hashes.hash(&file)?,
                    None => hash_file(&file)?,
                });
            }
        }
        Ok(format!("{:016x}", h.finish()))
    }

    /// The cached results for `key`, if any.
    fn load(&self, slug: &str, key: &str) -> Option<ReportResults> {
        let path = self.path(slug)?;
        let text = std::fs::read_to_string(path).ok()?;
        let entry: Entry = serde_json::from_str(&text).ok()?;
        if entry.key != key {
            return None;
        }
        let mut results = entry.results;
        if !results.tables.is_empty() {
            results.workbook = Some(std::fs::read(self.workbook_path(slug)?).ok()?.into());
        }
        Some(results)
    }

    /// Store results; a cache that cannot be written is not an error.
    fn store(&self, slug: &str, key: &str, results: ReportResults) -> ReportResults {
        let Some(path) = self.path(slug) else {
            return results;
        };
        let entry = Entry {
            key: key.to_string(),
            results,
        };
        if let (Some(book), Some(book_path)) = (&entry.results.workbook, self.workbook_path(slug)) {
            let _ = std::fs::create_dir_all(book_path.parent().unwrap_or(Path::new(".")));
            let _ = std::fs::write(book_path, book);
        }
        if let Ok(text) = serde_json::to_string(&entry) {
            let tmp = path.with_extension("tmp");
            let written = path
                .parent()
                .is_some_and(|p| std::fs::create_dir_all(p).is_ok())
                && std::fs::write(&tmp, text).is_ok();
            if written {
                let _ = std::fs::rename(&tmp, &path);
            }
        }
        entry.results
    }

    fn workbook_path(&self, slug: &str) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join("results").join(format!("{slug}.xlsx")))
    }

    fn path(&self, slug: &str) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join("results").join(format!("{slug}.json")))
    }
}
