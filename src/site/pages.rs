//! Rendering the site's HTML: each report's pages (narrative through Tera and
//! Markdown, then the page template) and the index page.

use super::results::ReportResults;
use crate::content::{Page, Portal, Report};
use crate::error::Result;
use crate::render::i18n::ui_strings;
use crate::render::locale::Locale;
use crate::render::markdown::render_markdown;
use crate::render::narrative::{Narrative, Placeables};
use crate::render::theme::render_template;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::sync::Arc;

/// A report with its computed results and locale.
pub struct ComputedReport<'a> {
    pub report: &'a Report,
    pub results: std::sync::Arc<ReportResults>,
    pub locale: Locale,
    /// Whether the results came from the cache.
    pub from_cache: bool,
    /// The cache key of the results (none when caching is off).
    pub results_key: Option<String>,
}

/// Shared inputs of page rendering.
pub struct SiteContext<'a> {
    pub portal: &'a Portal,
    pub theme: &'a tera::Tera,
    pub templates_dir: &'a Path,
    /// `reports` entry of every template context (cards and navigation).
    pub reports: Value,
}

/// URL of a page relative to the site root.
pub fn page_url(report: &Report, page: &Page) -> String {
    if page.slug == "index" {
        format!("{}/index.html", report.slug)
    } else {
        format!("{}/{}.html", report.slug, page.slug)
    }
}

/// The `reports` list of the template context.
pub fn report_cards(reports: &[ComputedReport]) -> Value {
    Value::Array(
        reports
            .iter()
            .map(|c| {
                json!({
                    "slug": c.report.slug,
                    "title": c.report.meta.title,
                    "summary": c.report.meta.summary,
                    "url": format!("{}/index.html", c.report.slug),
                    "kpis": c.results.kpis.iter().map(|(l, v)| json!({"label": l, "value": v})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

pub(crate) fn portal_value(portal: &Portal) -> Value {
    json!({
        "title": portal.config.title,
        "description": portal.config.description,
        "language": portal.config.language.tag(),
        "base_url": portal.config.base_url,
    })
}

/// Render the pages of one report at the given positions of its page
/// list: their HTML, in the same order.
pub fn render_pages(
    site: &SiteContext,
    computed: &ComputedReport,
    which: &[usize],
) -> Result<Vec<String>> {
    let report = computed.report;
    let ui = ui_strings(site.portal.config.language);
    let placeables = Arc::new(Placeables {
        tables: computed.results.tables.clone(),
        charts: computed
            .results
            .charts
            .iter()
            .map(|(name, c)| (name.clone(), c.html.clone()))
            .collect(),
        kpis: computed.results.kpis.clone(),
        download_label: ui
            .get("download_csv")
            .and_then(Value::as_str)
            .unwrap_or("CSV")
            .to_string(),
    });
    let narrative = Narrative::new(report, placeables, &computed.locale)?;
    // One context for all pages: the results are large (query records), so
    // only the `page` entry changes between pages.
    let mut context = tera::Context::new();
    for (name, value) in &computed.results.context {
        context.insert(name.as_str(), value);
    }
    context.insert("portal", &portal_value(site.portal));
    context.insert(
        "report",
        &json!({"title": report.meta.title, "summary": report.meta.summary}),
    );
    let mut out = Vec::with_capacity(which.len());
    for (i, page) in which
        .iter()
        .filter_map(|&i| Some((i, report.pages.get(i)?)))
    {
        context.insert("page", &json!({"title": page.title, "slug": page.slug}));
        let markdown = narrative.render(page, &context)?;
        let rendered = render_markdown(&markdown);
        let context = page_context(site, computed, i, &rendered, &ui);
        out.push(render_template(
            site.theme,
            "page.html",
            &context,
            site.templates_dir,
        )?);
    }
    Ok(out)
}

fn page_context(
    site: &SiteContext,
    computed: &ComputedReport,
    index: usize,
    rendered: &crate::render::markdown::Rendered,
    ui: &Map<String, Value>,
) -> tera::Context {
    let report = computed.report;
    let page = &report.pages[index];
    let link = |p: &Page| json!({"title": p.title, "url": page_url(report, p)});
    let pages: Vec<Value> = report
        .pages
        .iter()
        .map(|p| json!({"slug": p.slug, "title": p.title, "url": page_url(report, p), "current": p.slug == page.slug}))
        .collect();
    let mut downloads: Vec<Value> = report
        .meta
        .analyses
        .keys()
        .map(|name| json!({"label": format!("{name}.json"), "url": format!("{}/results/{name}.json", report.slug)}))
        .collect();
    if !computed.results.tables.is_empty() {
        downloads.push(json!({"label": format!("{}.xlsx", report.slug), "url": format!("{}/results/{}.xlsx", report.slug, report.slug)}));
    }
    let value = json!({
        "portal": portal_value(site.portal),
        "t": ui,
        "root": "../",
        "reports": site.reports,
        "report": {
            "slug": report.slug,
            "title": report.meta.title,
            "summary": report.meta.summary,
            "url": format!("{}/index.html", report.slug),
            "pages": pages,
            "downloads": downloads,
        },
        "page": {
            "slug": page.slug,
            "title": page.title,
            "content": rendered.html,
            "toc": rendered.toc,
            "prev": index.checked_sub(1).map(|i| link(&report.pages[i])),
            "next": report.pages.get(index + 1).map(link),
            "needs_gl": rendered.html.contains("data-gl=\"true\""),
        },
    });
    tera::Context::from_value(value).unwrap_or_default()
}

/// Render the index page.
pub fn render_index(site: &SiteContext) -> Result<String> {
    let ui = ui_strings(site.portal.config.language);
    let intro = render_markdown(&site.portal.intro).html;
    let value = json!({
        "portal": portal_value(site.portal),
        "t": ui,
        "root": "",
        "reports": site.reports,
        "intro": intro,
    });
    let context = tera::Context::from_value(value).unwrap_or_default();
    render_template(site.theme, "index.html", &context, site.templates_dir)
}
