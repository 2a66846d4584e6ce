//! Site assembly: loads the content, computes every report's results in
//! parallel, renders the pages and writes the portal atomically. It knows
//! nothing about HTTP or file watching (those live in the binary).

pub mod assets;
pub mod cache;
pub mod output;
pub mod pages;
pub mod results;
pub mod workbook;

use crate::config::Paths;
use crate::content::{Portal, load_portal};
use crate::error::Result;
use crate::render::locale::Locale;
use crate::render::theme::load_theme;
use output::SiteFiles;
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
    /// Results kept in memory across builds of one process (`serve`).
    pub memory_cache: Option<cache::MemoryCache>,
}

/// What a build did, for the progress report.
#[derive(Clone, Debug, Default)]
pub struct BuildSummary {
    pub reports: usize,
    pub pages: usize,
    pub analyses: usize,
    /// Reports whose results came from the cache.
    pub cached_reports: usize,
    pub rows_read: usize,
    pub files: usize,
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
    output::write_site(&options.paths.output, &files)?;
    summary.write_time = started.elapsed();
    Ok(summary)
}

/// Validate everything a build would do, without writing anything.
pub fn check(options: &BuildOptions) -> Result<BuildSummary> {
    assemble(options).map(|(_, summary)| summary)
}

/// Load, compute and render the whole site in memory.
pub fn assemble(options: &BuildOptions) -> Result<(SiteFiles, BuildSummary)> {
    let mut summary = BuildSummary::default();
    let started = Instant::now();
    let mut portal = load_portal(&options.paths.content)?;
    if let Some(url) = &options.base_url {
        portal.config.base_url = url.clone();
    }
    let theme = load_theme(&options.paths.templates)?;
    summary.load_time = started.elapsed();

    let started = Instant::now();
    let computed = compute_reports(&portal, options)?;
    summary.cached_reports = computed.iter().filter(|c| c.from_cache).count();
    summary.compute_time = started.elapsed();

    let started = Instant::now();
    let site = SiteContext {
        portal: &portal,
        theme: &theme,
        templates_dir: &options.paths.templates,
        reports: pages::report_cards(&computed),
    };
    let mut files = SiteFiles::new();
    files.insert(
        "index.html".into(),
        pages::render_index(&site)?.into_bytes(),
    );
    let rendered: Vec<Vec<(String, String)>> = computed
        .par_iter()
        .map(|c| pages::render_report(&site, c))
        .collect::<Result<_>>()?;
    for (path, html) in rendered.into_iter().flatten() {
        files.insert(path, html.into_bytes());
        summary.pages += 1;
    }
    for c in &computed {
        for (name, bytes) in &c.results.files {
            files.insert(
                format!("{}/results/{name}", c.report.slug),
                bytes.clone().into_bytes(),
            );
        }
        if let Some(book) = &c.results.workbook {
            files.insert(format!("{0}/results/{0}.xlsx", c.report.slug), book.clone());
        }
        summary.analyses += c.report.meta.analyses.len();
        summary.rows_read += c.results.sources.iter().map(|s| s.rows_read).sum::<usize>();
    }
    for (path, bytes) in assets::collect_static(&options.paths.templates)? {
        files.insert(format!("assets/{path}"), bytes);
    }
    files.insert(".nojekyll".into(), Vec::new());
    summary.render_time = started.elapsed();
    summary.reports = computed.len();
    summary.files = files.len();
    Ok((files, summary))
}

fn compute_reports<'a>(
    portal: &'a Portal,
    options: &BuildOptions,
) -> Result<Vec<ComputedReport<'a>>> {
    portal
        .reports
        .par_iter()
        .map(|report| {
            let language = report.meta.language.unwrap_or(portal.config.language);
            let currency = report
                .meta
                .currency
                .as_deref()
                .unwrap_or(&portal.config.currency);
            let locale = Locale::new(language, currency);
            let cache =
                cache::ResultCache::new(options.cache_dir.clone(), options.memory_cache.clone());
            let caching = options.cache_dir.is_some() || options.memory_cache.is_some();
            // A key that cannot be computed (e.g. a missing data file) just
            // means no caching: `compute` reports the real error.
            let key = caching
                .then(|| cache.key(report, &options.paths.data, &locale).ok())
                .flatten();
            if let Some(results) = key.as_ref().and_then(|k| cache.get(&report.slug, k)) {
                return Ok(ComputedReport {
                    report,
                    results,
                    locale,
                    from_cache: true,
                });
            }
            let fresh = results::compute(report, &options.paths.data, &locale)?;
            let results = match &key {
                Some(key) => cache.put(&report.slug, key, fresh),
                None => std::sync::Arc::new(fresh),
            };
            Ok(ComputedReport {
                report,
                results,
                locale,
                from_cache: false,
            })
        })
        .collect()
}
