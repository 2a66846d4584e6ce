//! Incremental rendering for `serve`: everything a page depends on — the
//! theme, the portal's settings, every report's card (the navigation), its
//! report's front matter, page list and results, and its own Markdown — is
//! hashed into a key, and a page whose key is the one of an earlier build of
//! this process is taken from memory instead of being rendered again. The
//! index page depends on the theme, the settings, its intro and the cards.

use super::hash::Fnv;
use super::item_pages;
use super::output::FileBytes;
use super::pages::{self, ComputedReport, SiteContext};
use crate::content::Page;
use crate::error::Result;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Pages rendered by earlier builds, by output path, with their keys.
/// Clones share the memory.
#[derive(Clone, Debug, Default)]
pub struct PageMemo(Arc<Mutex<HashMap<String, Keyed>>>);

type Keyed = (u64, FileBytes);

impl PageMemo {
    fn get(&self, path: &str, key: u64) -> Option<FileBytes> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(path)
            .filter(|(k, _)| *k == key)
            .map(|(_, html)| html.clone())
    }

    /// Remember exactly the pages of the latest build.
    fn replace(&self, pages: HashMap<String, Keyed>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = pages;
    }
}

/// The site's HTML pages and how many had to be rendered.
pub struct RenderedSite {
    /// (path relative to the output, HTML): the index, then every report's
    /// pages in order.
    pub files: Vec<(String, FileBytes)>,
    /// Report pages in the site.
    pub pages: usize,
    /// Report pages rendered by this build (the others came from memory).
    pub pages_rendered: usize,
    /// Each report's exported tables (see `exports`), in report order.
    pub exported: Vec<Vec<String>>,
}

/// A page with its key (none: it cannot be reused).
struct Entry {
    path: String,
    key: Option<u64>,
    html: FileBytes,
}

/// Render the index and every report's pages; with a memory, only the
/// pages whose key changed since the build it remembers.
pub fn render_site(
    site: &SiteContext,
    computed: &[ComputedReport],
    theme_sources: &[(String, String)],
    memo: Option<&PageMemo>,
) -> Result<RenderedSite> {
    let base = site_key(site, theme_sources);
    let index_key = index_key(base.clone(), site);
    let index = match memo.and_then(|m| m.get("index.html", index_key)) {
        Some(html) => html,
        None => html_bytes(pages::render_index(site)?),
    };
    let mut entries = vec![Entry {
        path: "index.html".to_string(),
        key: Some(index_key),
        html: index,
    }];
    let reports: Vec<RenderedReport> = computed
        .par_iter()
        .map(|c| render_report(site, c, base.clone(), memo))
        .collect::<Result<_>>()?;
    let mut pages_rendered = 0;
    let mut exported = Vec::with_capacity(reports.len());
    for report in reports {
        pages_rendered += report.rendered;
        entries.extend(report.entries);
        exported.push(report.exported);
    }
    if let Some(memo) = memo {
        memo.replace(
            entries
                .iter()
                .filter_map(|e| Some((e.path.clone(), (e.key?, e.html.clone()))))
                .collect(),
        );
    }
    Ok(RenderedSite {
        pages: entries.len() - 1,
        pages_rendered,
        exported,
        files: entries.into_iter().map(|e| (e.path, e.html)).collect(),
    })
}

/// One report's pages with their keys.
struct RenderedReport {
    entries: Vec<Entry>,
    /// How many pages were rendered (the others came from memory).
    rendered: usize,
    exported: Vec<String>,
}

fn render_report(
    site: &SiteContext,
    computed: &ComputedReport,
    base: Fnv,
    memo: Option<&PageMemo>,
) -> Result<RenderedReport> {
    let report = computed.report;
    // Parsing the pages tells what they use, rendered or not.
    let prepared = pages::ReportPages::new(computed)?;
    let exported = prepared.exported().to_vec();
    // Without a results key the results cannot be told apart: render.
    let keys: Vec<Option<u64>> = match &computed.results_key {
        Some(results_key) => page_keys(base, computed, results_key, &exported)
            .into_iter()
            .map(Some)
            .collect(),
        None => vec![None; report.pages.len()],
    };
    let mut found: Vec<Option<FileBytes>> = report
        .pages
        .iter()
        .zip(&keys)
        .map(|(page, key)| memo?.get(&pages::page_url(report, page), (*key)?))
        .collect();
    let missing: Vec<usize> = (0..found.len()).filter(|&i| found[i].is_none()).collect();
    if !missing.is_empty() {
        let rendered = prepared.render(site, &missing)?;
        for (&i, html) in missing.iter().zip(rendered) {
            found[i] = Some(html_bytes(html));
        }
    }
    let mut rendered = missing.len();
    let mut entries: Vec<Entry> = report
        .pages
        .iter()
        .zip(keys.iter().copied())
        .zip(found)
        .filter_map(|((page, key), html)| {
            Some(Entry {
                path: pages::page_url(report, page),
                key,
                html: html?,
            })
        })
        .collect();
    // The pages generated per value: each item keyed by its page's key and
    // its own values (its tables are in the results key).
    for (index, page) in report.pages.iter().enumerate() {
        let Some(generated) = computed.results.items.get(&page.slug) else {
            continue;
        };
        let item_entries: Vec<(String, Option<u64>)> = generated
            .items
            .iter()
            .map(|item| {
                let key = keys[index].map(|k| {
                    let mut h = Fnv::new();
                    h.number(k);
                    h.text(&serde_json::to_string(item).unwrap_or_default());
                    h.finish()
                });
                (item_pages::item_url(report, page, item), key)
            })
            .collect();
        let mut found: Vec<Option<FileBytes>> = item_entries
            .iter()
            .map(|(path, key)| memo?.get(path, (*key)?))
            .collect();
        let missing: Vec<usize> = (0..found.len()).filter(|&j| found[j].is_none()).collect();
        if !missing.is_empty() {
            let html = item_pages::render_items(&prepared, site, index, &missing)?;
            for (&j, html) in missing.iter().zip(html) {
                found[j] = Some(html_bytes(html));
            }
        }
        rendered += missing.len();
        for ((path, key), html) in item_entries.into_iter().zip(found) {
            if let Some(html) = html {
                entries.push(Entry { path, key, html });
            }
        }
    }
    Ok(RenderedReport {
        entries,
        rendered,
        exported,
    })
}

/// What every page depends on: the theme, the portal's settings and every
/// report's card.
fn site_key(site: &SiteContext, theme_sources: &[(String, String)]) -> Fnv {
    // The memory lives as long as one process, so the renderer's version
    // is not part of the key.
    let mut h = Fnv::new();
    for (name, text) in theme_sources {
        h.text(name);
        h.text(text);
    }
    // Every setting, not only those templates see today.
    h.text(&format!("{:?}", site.portal.config));
    h.text(&site.reports.to_string());
    h.text(&site.assets.to_string());
    h
}

fn index_key(mut base: Fnv, site: &SiteContext) -> u64 {
    base.text("index.html");
    base.text(&site.portal.intro);
    base.finish()
}

/// One key per page of the report.
fn page_keys(
    mut base: Fnv,
    computed: &ComputedReport,
    results_key: &str,
    exported: &[String],
) -> Vec<u64> {
    let report = computed.report;
    base.text(&report.slug);
    // Pages list the downloads.
    for name in exported {
        base.text(name);
    }
    base.text(&report.front_matter);
    base.number(report.front_matter_line as u64);
    base.text(results_key);
    base.text(computed.locale.language().tag());
    base.text(computed.locale.currency());
    for page in &report.pages {
        base.text(&page.slug);
        base.text(&page.title);
        base.text(&page.path.to_string_lossy());
    }
    // A page that includes or imports a template could be using another
    // page: then every page depends on every page's text.
    if report.pages.iter().any(|p| may_use_other_pages(&p.body)) {
        for page in &report.pages {
            hash_page_text(&mut base, page);
        }
    }
    report
        .pages
        .iter()
        .map(|page| {
            let mut h = base.clone();
            h.text(&page.slug);
            hash_page_text(&mut h, page);
            h.finish()
        })
        .collect()
}

fn hash_page_text(h: &mut Fnv, page: &Page) {
    h.text(&page.body);
    h.number(page.body_line as u64);
    for query in &page.queries {
        h.text(&query.name);
        h.text(&query.sql);
        h.number(query.line as u64);
        h.number(u64::from(query.shown));
        h.number(u64::from(query.export));
    }
}

/// Whether a page's Markdown has an `include`, `import` or `extends` tag,
/// through which it could use another page.
fn may_use_other_pages(body: &str) -> bool {
    body.split("{%").skip(1).any(|tag| {
        let word = tag.trim_start_matches('-').trim_start();
        ["include", "import", "extends"]
            .iter()
            .any(|t| word.starts_with(t))
    })
}

fn html_bytes(html: String) -> FileBytes {
    FileBytes::from(html.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_that_could_use_other_pages_are_recognised() {
        assert!(may_use_other_pages("a {% include \"x.md\" %} b"));
        assert!(may_use_other_pages("{%- import \"m\" as m -%}"));
        assert!(may_use_other_pages("{%extends \"base\" %}"));
        assert!(!may_use_other_pages(
            "An important result {% if x %}y{% endif %}"
        ));
        assert!(!may_use_other_pages("{{ include }} and no tags"));
    }
}
