//! Site assembly: loads the content, computes every report's results in
//! parallel, renders the pages and writes the portal atomically. It knows
//! nothing about HTTP or file watching (those live in the binary); a
//! `Session` lets repeated builds of one process redo only what changed.

pub mod assets;
pub mod cache;
pub mod exports;
pub mod fetch;
pub mod hash;
pub mod incremental;
pub mod item_pages;
pub mod items;
pub mod needs;
pub mod output;
pub mod pages;
pub mod privacy;
pub mod progress;
pub mod results;
pub mod schedule;
pub mod search;
pub mod single_file;
pub mod workbook;

use crate::config::Paths;
use crate::content::{Portal, Report, load_portal};
use crate::data;
use crate::error::Result;
use crate::render::locale::Locale;
use crate::render::theme::{build_theme, theme_sources};
use output::{FileBytes, SiteFiles};
use pages::{ComputedReport, SiteContext};
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What a build needs to know.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub paths: Paths,
    /// Overrides the portal's `base_url`.
    pub base_url: Option<String>,
    /// Where computed results are cached between builds (none: no cache).
    pub cache_dir: Option<PathBuf>,
    /// What earlier builds of this process left to reuse (`serve`).
    pub session: Option<Session>,
    /// Where the build reports its steps.
    pub progress: progress::ProgressSink,
    /// Also write every report as one self-contained file, `<slug>.html`.
    pub single_file: bool,
    /// Refetch every database and loader source, whatever its `max_age`.
    pub refresh: bool,
}

/// What one process (`serve`) remembers between builds, so that a rebuild
/// redoes only what changed: results and data-file hashes, rendered pages,
/// and what the output folder holds. Clones share the memory.
#[derive(Clone, Debug, Default)]
pub struct Session {
    results: cache::MemoryCache,
    pages: incremental::PageMemo,
    published: output::Published,
}

impl Session {
    /// Remove what the last build left for later: the output folder it
    /// replaced (so a caller can first announce the new site). The next
    /// build does it otherwise.
    pub fn clean_up(&self) -> Result<()> {
        self.published.remove_retired()
    }
}

/// What a build did, for the progress report.
#[derive(Clone, Debug, Default)]
pub struct BuildSummary {
    pub reports: usize,
    pub pages: usize,
    pub analyses: usize,
    /// Reports whose results came from the cache.
    pub cached_reports: usize,
    /// Analyses run by this build (the others' results came from the cache).
    pub analyses_run: usize,
    /// Report pages rendered by this build (the others came from the session).
    pub pages_rendered: usize,
    pub rows_read: usize,
    pub files: usize,
    /// Files written to the output folder (the others were kept as they were).
    pub files_written: usize,
    /// Files of the previous output that are gone (known with a session only).
    pub files_removed: usize,
    /// What the user should know although the build succeeded, e.g.
    /// `shop: source sales: sales.csv: 3 lines padded ...`.
    pub warnings: Vec<String>,
    /// A line per database or loader source: what it fetched, e.g.
    /// `shop: source sales: 12,345 rows fetched from database warehouse`.
    pub fetched: Vec<String>,
    pub load_time: Duration,
    pub compute_time: Duration,
    pub render_time: Duration,
    pub write_time: Duration,
}

/// Build the portal and write it to the output folder. On error the
/// previous output is left untouched.
pub fn build(options: &BuildOptions) -> Result<BuildSummary> {
    let (files, mut summary) = assemble(options)?;
    let started = Instant::now();
    options.progress.started("", "write");
    match &options.session {
        Some(session) => {
            let done = output::publish(&options.paths.output, &files, &session.published)?;
            summary.files_written = done.written;
            summary.files_removed = done.removed;
        }
        None => {
            output::write_site(&options.paths.output, &files)?;
            summary.files_written = files.len();
        }
    }
    summary.write_time = started.elapsed();
    options.progress.finished("", "write", "", 1);
    Ok(summary)
}

impl BuildSummary {
    /// Whether the output folder changed (every build without a session
    /// rewrites it).
    pub fn changed_output(&self) -> bool {
        self.files_written > 0 || self.files_removed > 0
    }
}

/// Validate everything a build would do, without writing anything.
pub fn check(options: &BuildOptions) -> Result<BuildSummary> {
    let (_, summary) = assemble(options)?;
    // The step `build` spends writing.
    options.progress.finished("", "check", "nothing written", 1);
    Ok(summary)
}

/// Load, compute and render the whole site in memory.
pub fn assemble(options: &BuildOptions) -> Result<(SiteFiles, BuildSummary)> {
    let mut summary = BuildSummary::default();
    let started = Instant::now();
    let mut portal = load_portal(&options.paths.content)?;
    if let Some(url) = &options.base_url {
        crate::config::check_base_url(url).map_err(|m| {
            crate::error::Error::new(format!("--base-url: {m}")).hint(
                "pass the address readers open, e.g. --base-url https://acme.github.io/insights/",
            )
        })?;
        portal.config.base_url = url.clone();
    }
    // Before any work: a private portal without its password fails here.
    let privacy = privacy::Privacy::from_portal(&portal, options.session.is_some())?;
    let templates = theme_sources(&options.paths.templates)?;
    let theme = build_theme(&templates, &options.paths.templates)?;
    summary.load_time = started.elapsed();

    let started = Instant::now();
    let memory = options.session.as_ref().map(|s| s.results.clone());
    let cache = cache::ResultCache::new(options.cache_dir.clone(), memory);
    let steps: usize = portal.reports.iter().map(results::steps).sum();
    // Fetches; sources, queries and analyses; each report's exports;
    // render, write.
    options
        .progress
        .plan(fetch::steps(&portal) + steps + portal.reports.len() + 2);
    summary.fetched = fetch::fetch_sources(&mut portal, options)?;
    let computed = compute_reports(&portal, options, &cache)?;
    for c in computed.iter().filter(|c| !c.from_cache) {
        summary.analyses_run += c.report.meta.analyses.len();
    }
    summary.cached_reports = computed.iter().filter(|c| c.from_cache).count();
    summary.compute_time = started.elapsed();

    let started = Instant::now();
    options.progress.started("", "render");
    let assets = assets::Assets::collect(&options.paths.templates)?;
    let site = SiteContext {
        portal: &portal,
        theme: &theme,
        templates: &templates,
        templates_dir: &options.paths.templates,
        reports: pages::report_cards(&computed),
        assets: assets.context(),
    };
    let memo = options.session.as_ref().map(|s| &s.pages);
    let rendered = incremental::render_site(&site, &computed, &templates, memo)?;
    summary.pages = rendered.pages;
    summary.pages_rendered = rendered.pages_rendered;
    options
        .progress
        .finished("", "render", &format!("{} pages", summary.pages), 1);
    let mut files: SiteFiles = rendered.files.into_iter().collect();
    // The index follows the portal's reports; `computed` holds them all.
    let generated: Vec<Vec<(String, String)>> = portal
        .reports
        .iter()
        .map(|r| {
            computed
                .iter()
                .find(|c| c.report.slug == r.slug)
                .map(|c| item_pages::item_urls(r, &c.results))
                .unwrap_or_default()
        })
        .collect();
    let (index_path, index) = search::index_file(&portal, &files, &generated);
    files.insert(index_path, index);
    let exports: Vec<exports::ExportFiles> = computed
        .par_iter()
        .zip(&rendered.exported)
        .map(|(c, tables)| {
            let store = cache.exports_path(&c.report.slug);
            options.progress.started(&c.report.slug, "exports");
            let files = exports::export_files(&exports::ExportInputs {
                slug: &c.report.slug,
                results: &c.results,
                tables,
                results_key: c.results_key.as_deref(),
                store: store.as_deref(),
            })
            .map_err(|e| e.at(c.report.index_path()))?;
            let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
            let detail = format!("{} files, {:.1} MB", files.len(), bytes as f64 / 1e6);
            options
                .progress
                .finished(&c.report.slug, "exports", &detail, 1);
            Ok(files)
        })
        .collect::<Result<_>>()?;
    cache.save();
    for (c, report_files) in computed.iter().zip(exports) {
        for (path, bytes) in report_files.iter() {
            files.insert(path.clone(), bytes.clone());
        }
        summary.analyses += c.report.meta.analyses.len();
        summary.rows_read += c.results.sources.iter().map(|s| s.rows_read).sum::<usize>();
        for source in &c.results.sources {
            for note in &source.notes {
                summary.warnings.push(format!(
                    "{}: source `{}`: {note}",
                    c.report.slug, source.name
                ));
            }
        }
    }
    if options.single_file {
        let singles: Vec<(String, String)> = computed
            .par_iter()
            .map(|c| {
                let html = single_file::render_single_file(&site, c, &assets)?;
                Ok((single_file::single_file_path(&c.report.slug), html))
            })
            .collect::<Result<_>>()?;
        for (path, html) in singles {
            files.insert(path, html.into_bytes().into());
        }
    }
    for (path, bytes) in assets.files {
        files.insert(path, bytes.into());
    }
    files.insert(".nojekyll".into(), FileBytes::from(&[][..]));
    if let Some(privacy) = &privacy {
        privacy.seal_site(&portal, &assets.urls, &mut files)?;
    }
    summary.render_time = started.elapsed();
    summary.reports = computed.len();
    summary.files = files.len();
    Ok((files, summary))
}

fn compute_reports<'a>(
    portal: &'a Portal,
    options: &BuildOptions,
    cache: &cache::ResultCache,
) -> Result<Vec<ComputedReport<'a>>> {
    if let Some(session) = &options.session {
        let slugs: Vec<&str> = portal.reports.iter().map(|r| r.slug.as_str()).collect();
        session.results.retain(&slugs);
    }
    // A report's memory is estimated from the size of its data files.
    let cost = |report: &Report| -> u64 {
        report
            .meta
            .sources
            .iter()
            .filter_map(|s| data::load::resolve_files(s, &options.paths.data).ok())
            .flatten()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len().saturating_mul(2))
            .sum()
    };
    let workers = rayon::current_num_threads();
    let budget = schedule::memory_budget();
    schedule::costliest_first(&portal.reports, cost, budget, workers, |i| {
        let report = &portal.reports[i];
        let language = report.meta.language.unwrap_or(portal.config.language);
        let currency = report
            .meta
            .currency
            .as_deref()
            .unwrap_or(&portal.config.currency);
        let locale = Locale::new(language, currency);
        // A key that cannot be computed (e.g. a missing data file) just
        // means no caching: `compute` reports the real error.
        let key = cache
            .enabled()
            .then(|| cache.key(report, &options.paths.data, &locale).ok())
            .flatten();
        if let Some(results) = key.as_ref().and_then(|k| cache.get(&report.slug, k)) {
            options.progress.finished(
                &report.slug,
                "results from the cache",
                "",
                results::steps(report),
            );
            return Ok(ComputedReport {
                report,
                results,
                locale,
                from_cache: true,
                results_key: key,
            });
        }
        let fresh = results::compute(report, &options.paths.data, &locale, &*options.progress)?;
        let results = match &key {
            Some(key) => cache.put(&report.slug, key, fresh),
            None => std::sync::Arc::new(fresh),
        };
        Ok(ComputedReport {
            report,
            results,
            locale,
            from_cache: false,
            results_key: key,
        })
    })
    .into_iter()
    .collect()
}
