//! Rendering the pages generated per value (`for_each`): the listing page
//! at `<report>/<page>.html` that links to every item, each item's page at
//! `<report>/<page>/<slug>.html` (the page's Markdown rendered with the
//! item in its context and its own tables and charts placed), their
//! entries in the navigation, and the links from table cells to them.

use super::items::{Item, ItemPages};
use super::pages::{ReportPages, SiteContext, page_context};
use super::results::ReportResults;
use crate::content::{Page, Report};
use crate::error::Result;
use crate::render::markdown::{Rendered, render_markdown};
use crate::render::narrative::{Narrative, Placeables};
use crate::render::table_html::{ColumnLinks, TableView, table_html};
use crate::render::theme::render_template;
use crate::table::{Table, cell_text};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// URL of an item's page relative to the site root.
pub fn item_url(report: &Report, page: &Page, item: &Item) -> String {
    format!("{}/{}/{}.html", report.slug, page.slug, item.slug)
}

/// Every generated page's URL and title, for the search index.
pub fn item_urls(report: &Report, results: &ReportResults) -> Vec<(String, String)> {
    report
        .pages
        .iter()
        .filter_map(|page| Some((page, results.items.get(&page.slug)?)))
        .flat_map(|(page, generated)| {
            generated
                .items
                .iter()
                .map(move |i| (item_url(report, page, i), i.title.clone()))
        })
        .collect()
}

/// The links `table(links="<page>")` puts on the key column: by page slug,
/// each item's URL relative to the report's folder by its key's text.
pub fn column_links(results: &ReportResults) -> BTreeMap<String, ColumnLinks> {
    results
        .items
        .iter()
        .map(|(page, generated)| {
            let urls = generated
                .items
                .iter()
                .map(|i| (cell_text(&i.value), format!("{page}/{}.html", i.slug)))
                .collect();
            let links = ColumnLinks {
                column: generated.key.clone(),
                urls,
            };
            (page.clone(), links)
        })
        .collect()
}

/// The navigation entries under a generated page: one per item.
pub fn nav_items(
    report: &Report,
    page: &Page,
    results: &ReportResults,
    current: Option<&Item>,
) -> Vec<Value> {
    let Some(generated) = results.items.get(&page.slug) else {
        return Vec::new();
    };
    generated
        .items
        .iter()
        .map(|i| {
            json!({
                "title": i.title,
                "url": item_url(report, page, i),
                "current": current.is_some_and(|c| c.slug == i.slug),
            })
        })
        .collect()
}

/// The listing page's content: a table of the items, the key linking to
/// each one's page.
pub fn listing(prepared: &ReportPages, page: &Page) -> Result<Rendered> {
    let generated = items_of(prepared, page);
    let mut columns: Vec<String> = vec![generated.key.clone()];
    columns.extend(
        generated
            .fields
            .iter()
            .filter(|k| **k != generated.key)
            .cloned(),
    );
    let mut table = Table::new(columns.clone());
    for item in &generated.items {
        table.push(
            columns
                .iter()
                .map(|c| item.fields.get(c).cloned().unwrap_or(Value::Null))
                .collect(),
        );
    }
    // The listing sits in the report's folder, as the links' URLs expect.
    let placeables = &prepared.placeables;
    let view = TableView {
        labels: Some(&placeables.labels),
        download_label: &placeables.download_label,
        links: placeables.links.get(&page.slug),
        ..Default::default()
    };
    let html = table_html(&table, &view, &prepared.computed.locale)
        .map_err(|e| e.context("the list of generated pages").at(&page.path))?;
    Ok(Rendered {
        html,
        toc: Vec::new(),
    })
}

/// The items report page `page` generates (none for another page).
pub(super) fn items_of<'a>(prepared: &'a ReportPages, page: &Page) -> &'a ItemPages {
    static NONE: std::sync::OnceLock<ItemPages> = std::sync::OnceLock::new();
    prepared
        .computed
        .results
        .items
        .get(&page.slug)
        .unwrap_or_else(|| NONE.get_or_init(ItemPages::default))
}

/// The HTML of the given items' pages of report page `index`, in order.
pub fn render_items(
    prepared: &ReportPages,
    site: &SiteContext,
    index: usize,
    which: &[usize],
) -> Result<Vec<String>> {
    let contents = item_contents(prepared, site, index, which)?;
    which
        .par_iter()
        .zip(contents)
        .map(|(&j, mut rendered)| {
            rendered.html = one_folder_down(&rendered.html);
            let page_context = page_context(site, prepared, index, Some(j), &rendered);
            render_template(
                site.theme,
                site.templates,
                "page.html",
                &page_context,
                site.templates_dir,
            )
        })
        .collect()
}

/// The content (without the page template) of the given items' pages of
/// report page `index`, in order, its relative links as seen from the
/// report's folder.
pub fn item_contents(
    prepared: &ReportPages,
    site: &SiteContext,
    index: usize,
    which: &[usize],
) -> Result<Vec<Rendered>> {
    if which.is_empty() {
        return Ok(Vec::new());
    }
    let computed = prepared.computed;
    let report = computed.report;
    let page = &report.pages[index];
    let generated = items_of(prepared, page);
    let base_context = prepared.narrative_context(site)?;
    which
        .par_iter()
        .map(|&j| {
            let mut context = base_context.clone();
            let item = &generated.items[j];
            let prefix = super::items::item_ref(&page.slug, &item.slug, "");
            let base = &prepared.placeables;
            let placeables = Arc::new(Placeables {
                tables: base.tables.clone(),
                charts: base.charts.clone(),
                kpis: base.kpis.clone(),
                download_label: base.download_label.clone(),
                rows_note: base.rows_note.clone(),
                labels: base.labels.clone(),
                links: base.links.clone(),
                item: Some(prefix.clone()),
            });
            let narrative = Narrative::with_pages(&[page], placeables, &computed.locale)?;
            for query in &page.queries {
                let own = format!("{prefix}{}", query.name);
                if let Some(table) = computed.results.tables.get(&own) {
                    let table = table
                        .table()
                        .map_err(|e| e.context(format!("query `{}`", query.name)))?;
                    context.insert(query.name.as_str(), &table.to_records());
                }
            }
            let mut fields = item.fields.clone();
            fields.insert("slug".into(), Value::from(item.slug.clone()));
            fields.insert("title".into(), Value::from(item.title.clone()));
            context.insert("item", &fields);
            context.insert("page", &json!({"title": item.title, "slug": item.slug}));
            let markdown = narrative.render(page, &context)?;
            Ok(render_markdown(&markdown))
        })
        .collect()
}

/// The narrative's relative links made to work from one folder deeper
/// (`results/x.csv` → `../results/x.csv`); anchors, absolute URLs and
/// addresses with a scheme are left as they are.
fn one_folder_down(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    loop {
        let next = ["href=\"", "src=\""]
            .iter()
            .filter_map(|attr| rest.find(attr).map(|p| (p, attr.len())))
            .min();
        let Some((at, len)) = next else {
            out.push_str(rest);
            return out;
        };
        let value_start = at + len;
        out.push_str(&rest[..value_start]);
        let value = &rest[value_start..];
        if is_relative(value) {
            out.push_str("../");
        }
        rest = value;
    }
}

fn is_relative(url: &str) -> bool {
    let end = url.find('"').unwrap_or(url.len());
    let url = &url[..end];
    let scheme = url.find(':').is_some_and(|colon| {
        url[..colon]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    !(url.is_empty()
        || url.starts_with('#')
        || url.starts_with('/')
        || url.starts_with('?')
        || scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_go_one_folder_up_and_others_stay() {
        let html = r##"<a href="temuan.html">a</a><a href="#x">b</a><img src="https://e.x/i.png"><a href="/abs">c</a><a href="results/t.csv" download>d</a><a href="mailto:a@b.c">e</a>"##;
        assert_eq!(
            one_folder_down(html),
            r##"<a href="../temuan.html">a</a><a href="#x">b</a><img src="https://e.x/i.png"><a href="/abs">c</a><a href="../results/t.csv" download>d</a><a href="mailto:a@b.c">e</a>"##
        );
    }
}
