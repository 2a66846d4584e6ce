//! Rendering the site's HTML: each report's pages (narrative through Tera and
//! Markdown, then the page template) and the index page.

use super::exports::{exported_tables, in_workbook};
use super::results::{KpiValue, ReportResults};
use crate::content::{KpiFormat, Page, Portal, Report};
use crate::data::Origin;
use crate::error::Result;
use crate::render::i18n::ui_strings;
use crate::render::locale::{Locale, MISSING};
use crate::render::markdown::{Rendered, render_markdown};
use crate::render::narrative::{Narrative, Placeables};
use crate::render::references::References;
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
    /// The theme's templates as (name, text), to name their files in errors.
    pub templates: &'a [(String, String)],
    pub templates_dir: &'a Path,
    /// `reports` entry of every template context (cards and navigation).
    pub reports: Value,
    /// `assets` entry of every template context: the fingerprinted static
    /// files' URLs by plain name (see `assets::Assets`).
    pub assets: Value,
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
                    "kpis": format_kpis(c).iter().map(|(l, v)| json!({"label": l, "value": v})).collect::<Vec<_>>(),
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

/// The report's KPIs as (label, text in the report's locale).
pub fn format_kpis(computed: &ComputedReport) -> Vec<(String, String)> {
    computed
        .results
        .kpis
        .iter()
        .map(|kpi| (kpi.label.clone(), format_kpi(kpi, &computed.locale)))
        .collect()
}

fn format_kpi(kpi: &KpiValue, locale: &Locale) -> String {
    let Some(x) = kpi.value.as_f64() else {
        return match &kpi.value {
            Value::String(s) => s.clone(),
            Value::Null => MISSING.to_string(),
            other => other.to_string(),
        };
    };
    let decimals = kpi.decimals;
    match kpi.format {
        KpiFormat::Number => locale.number(x, decimals.unwrap_or(0)),
        KpiFormat::Money => locale.money(x, None, decimals),
        KpiFormat::Percent => locale.percent(x, decimals.unwrap_or(1)),
        KpiFormat::Ratio => locale.ratio(x, decimals.unwrap_or(1)),
        KpiFormat::Compact => locale.compact(x),
    }
}

fn ui_text(ui: &Map<String, Value>, key: &str) -> String {
    ui.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// One report made ready to render: its pages parsed as templates, and
/// what they read and place.
pub struct ReportPages<'a> {
    pub(super) computed: &'a ComputedReport<'a>,
    narrative: Narrative,
    pub(super) references: References,
    /// The exported tables (see `exports::exported_tables`).
    exported: Vec<String>,
    pub(super) ui: Map<String, Value>,
    /// What the placing functions see (each generated page gets its own
    /// copy with its item's prefix).
    pub(super) placeables: Arc<Placeables>,
}

impl<'a> ReportPages<'a> {
    pub fn new(computed: &'a ComputedReport<'a>) -> Result<Self> {
        // A report in another language than the portal's reads in its own.
        let ui = ui_strings(computed.locale.language());
        let placeables = Arc::new(Placeables {
            tables: computed.results.tables.clone(),
            charts: computed.results.charts.clone(),
            kpis: format_kpis(computed),
            download_label: ui_text(&ui, "download_csv"),
            rows_note: ui_text(&ui, "rows_shown"),
            labels: computed.report.meta.labels.clone(),
            links: super::item_pages::column_links(&computed.results),
            item: None,
        });
        let narrative = Narrative::new(computed.report, placeables.clone(), &computed.locale)?;
        let references = narrative.references();
        let exported = exported_tables(&computed.results, &references);
        Ok(ReportPages {
            computed,
            narrative,
            references,
            exported,
            ui,
            placeables,
        })
    }

    /// What the pages read and place.
    pub fn references(&self) -> &References {
        &self.references
    }

    /// The report's exported tables, in name order.
    pub fn exported(&self) -> &[String] {
        &self.exported
    }

    /// The HTML of the pages at the given positions of the report's page
    /// list, in the same order.
    pub fn render(&self, site: &SiteContext, which: &[usize]) -> Result<Vec<String>> {
        self.contents(site, which)?
            .into_iter()
            .map(|(i, rendered)| {
                let context = page_context(site, self, i, None, &rendered);
                render_template(
                    site.theme,
                    site.templates,
                    "page.html",
                    &context,
                    site.templates_dir,
                )
            })
            .collect()
    }

    /// The content (narrative through Tera and Markdown, without the page
    /// template) of the pages at the given positions, with their positions.
    pub fn contents(&self, site: &SiteContext, which: &[usize]) -> Result<Vec<(usize, Rendered)>> {
        let report = self.computed.report;
        let mut context = self.narrative_context(site)?;
        let mut out = Vec::with_capacity(which.len());
        for (i, page) in which
            .iter()
            .filter_map(|&i| Some((i, report.pages.get(i)?)))
        {
            if page.for_each.is_some() {
                out.push((i, super::item_pages::listing(self, page)?));
                continue;
            }
            context.insert("page", &json!({"title": page.title, "slug": page.slug}));
            let markdown = self.narrative.render(page, &context)?;
            out.push((i, render_markdown(&markdown)));
        }
        Ok(out)
    }

    /// The UI strings of the report's language.
    pub fn ui(&self) -> &Map<String, Value> {
        &self.ui
    }

    /// One context for all pages: the analysis results and the rows of the
    /// queries the pages read; only the `page` entry changes between pages.
    pub(super) fn narrative_context(&self, site: &SiteContext) -> Result<tera::Context> {
        let computed = self.computed;
        let results: &ReportResults = &computed.results;
        let mut context = tera::Context::new();
        for (name, value) in &results.analyses {
            context.insert(name.as_str(), value);
        }
        for (name, table) in results.tables.iter() {
            let is_query = table.origin() != Origin::Analysis;
            if super::items::is_item_ref(name) {
                continue;
            }
            if is_query && self.references.reads(name) {
                let table = table
                    .table()
                    .map_err(|e| e.context(format!("query `{name}`")))?;
                context.insert(name.as_str(), &table.to_records());
            }
        }
        context.insert("portal", &portal_value(site.portal));
        let report = computed.report;
        context.insert(
            "report",
            &json!({"title": report.meta.title, "summary": report.meta.summary}),
        );
        Ok(context)
    }
}

/// The template context of page `index` of the report, or of item `item`
/// of that page when it is generated per value.
pub(super) fn page_context(
    site: &SiteContext,
    prepared: &ReportPages,
    index: usize,
    item: Option<usize>,
    rendered: &Rendered,
) -> tera::Context {
    let computed = prepared.computed;
    let ui = &prepared.ui;
    let report = computed.report;
    let page = &report.pages[index];
    let link = |p: &Page| json!({"title": p.title, "url": page_url(report, p)});
    let generated = computed.results.items.get(&page.slug);
    let current_item = item.and_then(|j| Some(&generated?.items[j]));
    let pages: Vec<Value> = report
        .pages
        .iter()
        .map(|p| {
            let items = super::item_pages::nav_items(report, p, &computed.results, current_item);
            json!({
                "slug": p.slug,
                "title": p.title,
                "url": page_url(report, p),
                "current": p.slug == page.slug && item.is_none(),
                "open": p.slug == page.slug,
                "items": items,
            })
        })
        .collect();
    let mut downloads: Vec<Value> = report
        .meta
        .analyses
        .keys()
        .map(|name| json!({"label": format!("{name}.json"), "url": format!("{}/results/{name}.json", report.slug)}))
        .collect();
    if prepared.exported.iter().any(|name| in_workbook(name)) {
        downloads.push(json!({"label": format!("{}.xlsx", report.slug), "url": format!("{}/results/{}.xlsx", report.slug, report.slug)}));
    }
    let (title, slug, prev, next) = match (current_item, generated, item) {
        (Some(it), Some(generated), Some(j)) => {
            let link = |k: usize| {
                generated.items.get(k).map(|i| {
                    json!({"title": i.title, "url": super::item_pages::item_url(report, page, i)})
                })
            };
            (
                it.title.as_str(),
                it.slug.as_str(),
                j.checked_sub(1).and_then(link),
                link(j + 1),
            )
        }
        _ => (
            page.title.as_str(),
            page.slug.as_str(),
            index.checked_sub(1).map(|i| link(&report.pages[i])),
            report.pages.get(index + 1).map(link),
        ),
    };
    let root = if item.is_some() { "../../" } else { "../" };
    let value = json!({
        "portal": portal_value(site.portal),
        "lang": computed.locale.language().tag(),
        "t": ui,
        "root": root,
        "assets": site.assets,
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
            "slug": slug,
            "title": title,
            "content": rendered.html,
            "toc": rendered.toc,
            "prev": prev,
            "next": next,
            "needs_charts": crate::chart::has_chart(&rendered.html),
            "needs_gl": crate::chart::has_gl_chart(&rendered.html),
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
        "lang": site.portal.config.language.tag(),
        "t": ui,
        "root": "",
        "assets": site.assets,
        "reports": site.reports,
        "intro": intro,
    });
    let context = tera::Context::from_value(value).unwrap_or_default();
    render_template(
        site.theme,
        site.templates,
        "index.html",
        &context,
        site.templates_dir,
    )
}
