//! The results cache: a report's results (analysis JSON, tables, chart
//! options, KPI values — data only, never HTML or formatted text) stored
//! under a key that hashes everything they depend on: the report's front
//! matter, its SQL blocks, the bytes of its data files, the resolved
//! language and currency, and the fingerprint of this very build of wawasan
//! (its source, theme and locked dependencies), so an upgraded or rebuilt
//! wawasan never reads another build's results. A narrative edit reuses
//! every result; a data edit recomputes only the reports that read the file.
//!
//! On disk, `.wawasan-cache/` beside `content/` holds one folder per report
//! (`reports/<slug>/`: `results.json` and one file per table — analysis
//! tables in `table::codec` form, query results as Parquet, read only when a
//! page or export needs them) and the remembered hashes of the data files.
//! `serve` adds a memory layer. Delete the folder or pass `--no-cache` to
//! start afresh.

use super::hash::{FileHashes, Fnv};
use super::results::{KpiValue, ReportResults, SourceStats};
use crate::chart::ChartData;
use crate::content::Report;
use crate::data::load::resolve_files;
use crate::data::{Origin, ResultTable, Stored};
use crate::error::Result;
use crate::render::locale::Locale;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Bump when the stored form changes (the build fingerprint covers every
/// change of the code, so this only documents the layout).
const FORMAT: &str = "wawasan-results-2";

/// What identifies this build of wawasan: results cached by any other
/// build are never used.
pub fn fingerprint() -> String {
    format!(
        "{FORMAT}/{}/{}",
        env!("CARGO_PKG_VERSION"),
        env!("WAWASAN_BUILD_ID")
    )
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
        let map = self.results.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(slug)
            .filter(|(k, _)| k == key)
            .map(|(_, r)| r.clone())
    }

    fn put(&self, slug: &str, key: &str, results: Arc<ReportResults>) {
        let mut map = self.results.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(slug.to_string(), (key.to_string(), results));
    }

    /// Forget the results of reports that no longer exist.
    pub fn retain(&self, slugs: &[&str]) {
        let mut map = self.results.lock().unwrap_or_else(PoisonError::into_inner);
        map.retain(|slug, _| slugs.contains(&slug.as_str()));
    }
}

/// A cache folder (or none) and an optional memory layer, for one build.
/// Clones share the remembered file hashes.
#[derive(Clone, Debug)]
pub struct ResultCache {
    dir: Option<PathBuf>,
    memory: Option<MemoryCache>,
    hashes: FileHashes,
    /// `fingerprint()`, part of every key.
    build: String,
}

/// A report's results as `results.json` holds them; the tables are files
/// beside it.
#[derive(Serialize, Deserialize)]
struct StoredResults {
    key: String,
    analyses: BTreeMap<String, Value>,
    charts: BTreeMap<String, ChartData>,
    kpis: Vec<KpiValue>,
    sources: Vec<SourceStats>,
    tables: Vec<StoredTable>,
    #[serde(default)]
    items: BTreeMap<String, crate::site::items::ItemPages>,
}

#[derive(Serialize, Deserialize)]
struct StoredTable {
    name: String,
    origin: Origin,
    kind: Stored,
    file: String,
    rows: usize,
}

impl ResultCache {
    /// The cache of one build: the folder (none: nothing on disk) and the
    /// memory of earlier builds of this process.
    pub fn new(dir: Option<PathBuf>, memory: Option<MemoryCache>) -> Self {
        let hashes = match (&memory, &dir) {
            (Some(memory), _) => memory.hashes.clone(),
            (None, Some(dir)) => FileHashes::load(&dir.join("files.json")),
            (None, None) => FileHashes::default(),
        };
        ResultCache {
            dir,
            memory,
            hashes,
            build: fingerprint(),
        }
    }

    /// Whether results are kept at all.
    pub fn enabled(&self) -> bool {
        self.dir.is_some() || self.memory.is_some()
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
        if let Some(dir) = self.report_dir(slug) {
            store(&dir, key, &results);
        }
        let results = Arc::new(results);
        if let Some(memory) = &self.memory {
            memory.put(slug, key, results.clone());
        }
        results
    }

    /// Save what later builds reuse besides the results (the data files'
    /// hashes); failing to is not an error.
    pub fn save(&self) {
        if let (Some(dir), None) = (&self.dir, &self.memory) {
            self.hashes.save(&dir.join("files.json"));
        }
    }

    /// The content hash of a report's inputs and of this build.
    pub fn key(&self, report: &Report, data_dir: &Path, locale: &Locale) -> Result<String> {
        let mut h = Fnv::new();
        h.text(&self.build);
        h.text(&report.front_matter);
        h.text(locale.language().tag());
        h.text(locale.currency());
        for (_, query) in report.queries() {
            h.text(&query.name);
            h.text(&query.sql);
            h.number(u64::from(query.shown));
            h.number(u64::from(query.export));
        }
        for page in &report.pages {
            if let Some(for_each) = &page.for_each {
                h.text(&page.slug);
                h.text(&serde_json::to_string(for_each).unwrap_or_default());
            }
        }
        for (analysis, pushed) in &report.meta.pushed {
            h.text(analysis);
            h.text(&pushed.fetched.key);
            h.number(self.hashes.hash(&pushed.fetched.file)?);
            h.number(u64::from(pushed.order_groups));
            for (stored, read_as) in pushed.columns.iter().flatten() {
                h.text(stored);
                h.text(read_as);
            }
        }
        for source in &report.meta.sources {
            // A database source read only by pushed-down analyses.
            if source.kind() != crate::data::SourceKind::File && source.fetched.is_none() {
                continue;
            }
            for file in resolve_files(source, data_dir)? {
                // Relative to the data folder (a fetched copy by its key):
                // a moved or freshly cloned portal keeps its cache.
                match &source.fetched {
                    Some(fetched) => h.text(&fetched.key),
                    None => h.text(
                        &file
                            .strip_prefix(data_dir)
                            .unwrap_or(&file)
                            .to_string_lossy(),
                    ),
                }
                h.number(self.hashes.hash(&file)?);
            }
        }
        Ok(format!("{:016x}", h.finish()))
    }

    /// The file of the cache where the exports of `slug` are remembered.
    pub fn exports_path(&self, slug: &str) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join("exports").join(format!("{slug}.bin")))
    }

    fn report_dir(&self, slug: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("reports").join(slug))
    }

    /// The cached results for `key`, if any; tables are read when used.
    fn load(&self, slug: &str, key: &str) -> Option<ReportResults> {
        let dir = self.report_dir(slug)?;
        let text = std::fs::read(dir.join("results.json")).ok()?;
        let stored: StoredResults = serde_json::from_slice(&text).ok()?;
        if stored.key != key {
            return None;
        }
        let tables = stored
            .tables
            .into_iter()
            .map(|t| {
                let table = ResultTable::stored(dir.join(&t.file), t.kind, t.origin, t.rows);
                (t.name, table)
            })
            .collect();
        Some(ReportResults {
            analyses: stored.analyses,
            tables: Arc::new(tables),
            charts: Arc::new(stored.charts),
            kpis: stored.kpis,
            sources: stored.sources,
            items: stored.items,
            exports: Default::default(),
        })
    }
}

/// Write `results` as the folder `dir`: into a new folder first, which then
/// replaces the old one. A cache that cannot be written is not an error.
fn store(dir: &Path, key: &str, results: &ReportResults) {
    let Some(parent) = dir.parent() else {
        return;
    };
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    let fresh = parent.join(format!(
        ".{}.new-{}",
        name.unwrap_or_default(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&fresh);
    if write_folder(&fresh, key, results).is_none() {
        let _ = std::fs::remove_dir_all(&fresh);
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    if std::fs::rename(&fresh, dir).is_err() {
        let _ = std::fs::remove_dir_all(&fresh);
    }
}

fn write_folder(dir: &Path, key: &str, results: &ReportResults) -> Option<()> {
    std::fs::create_dir_all(dir).ok()?;
    let mut tables = Vec::with_capacity(results.tables.len());
    for (i, (name, table)) in results.tables.iter().enumerate() {
        let file = format!("t{i}");
        let kind = table.store(&dir.join(&file)).ok()?;
        tables.push(StoredTable {
            name: name.clone(),
            origin: table.origin(),
            kind,
            file,
            rows: table.len(),
        });
    }
    let stored = StoredResults {
        key: key.to_string(),
        analyses: results.analyses.clone(),
        charts: (*results.charts).clone(),
        kpis: results.kpis.clone(),
        sources: results.sources.clone(),
        tables,
        items: results.items.clone(),
    };
    let text = serde_json::to_vec(&stored).ok()?;
    std::fs::write(dir.join("results.json"), text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Language;

    fn report(dir: &Path) -> Report {
        let folder = dir.join("content/r");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("_index.md"), "+++\ntitle = \"R\"\n+++\nText\n").unwrap();
        crate::content::report::load_report(&folder, "Overview").unwrap()
    }

    fn results() -> ReportResults {
        ReportResults {
            analyses: [("x".to_string(), Value::from(1.5))].into(),
            ..ReportResults::default()
        }
    }

    #[test]
    fn results_of_another_build_of_wawasan_are_never_read() {
        let tmp = tempfile::tempdir().unwrap();
        let report = report(tmp.path());
        let locale = Locale::new(Language::En, "USD");
        let dir = tmp.path().join(".wawasan-cache");
        let ours = ResultCache::new(Some(dir.clone()), None);
        let key = ours.key(&report, tmp.path(), &locale).unwrap();
        ours.put("r", &key, results());
        let read = ours.get("r", &key).expect("our own results");
        assert_eq!(read.analyses["x"], 1.5);

        // The same inputs under another build (another source, theme or
        // dependency set): another key, and nothing read.
        let mut other = ResultCache::new(Some(dir), None);
        other.build = format!("{FORMAT}/{}/0123456789abcdef", env!("CARGO_PKG_VERSION"));
        let other_key = other.key(&report, tmp.path(), &locale).unwrap();
        assert_ne!(other_key, key);
        assert!(other.get("r", &other_key).is_none());
        // A key never matches results stored under another one.
        assert!(other.get("r", &format!("{key}0")).is_none());
    }

    #[test]
    fn the_fingerprint_names_this_build() {
        let id = env!("WAWASAN_BUILD_ID");
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(fingerprint().ends_with(id));
        assert!(fingerprint().contains(env!("CARGO_PKG_VERSION")));
    }
}
