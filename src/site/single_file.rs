//! One report as one self-contained HTML file (`build --single-file`):
//! every page of the report one after the other, with the stylesheet, the
//! scripts, ECharts and the chart data inlined, so that the file opens
//! offline — from an e-mail attachment — with its charts and tables working.
//! Links between the report's pages become links inside the file; links to
//! the rest of the portal point at `base_url` when it is known.

use super::assets::Assets;
use super::item_pages;
use super::pages::{ComputedReport, ReportPages, SiteContext, page_url, portal_value};
use crate::error::Result;
use crate::render::theme::render_template;
use serde_json::{Value, json};

/// Where the single file of the report `slug` is written, below the output.
pub fn single_file_path(slug: &str) -> String {
    format!("{slug}.html")
}

/// The self-contained HTML of one report.
pub fn render_single_file(
    site: &SiteContext,
    computed: &ComputedReport,
    assets: &Assets,
) -> Result<String> {
    let report = computed.report;
    let prepared = ReportPages::new(computed)?;
    let all: Vec<usize> = (0..report.pages.len()).collect();
    // Every page, and after a page generated per value each of its items.
    let mut sections: Vec<Section> = Vec::new();
    for (i, rendered) in prepared.contents(site, &all)? {
        let page = &report.pages[i];
        let items = &item_pages::items_of(&prepared, page).items;
        let nav: Vec<Value> = items
            .iter()
            .map(|item| json!({"anchor": anchor(&item_section(&page.slug, &item.slug)), "title": item.title}))
            .collect();
        sections.push(Section {
            slug: page.slug.clone(),
            url: page_url(report, page),
            title: page.title.clone(),
            html: rendered.html,
            nav,
            generated: false,
        });
        let which: Vec<usize> = (0..items.len()).collect();
        let contents = item_pages::item_contents(&prepared, site, i, &which)?;
        for (item, rendered) in items.iter().zip(contents) {
            sections.push(Section {
                slug: item_section(&page.slug, &item.slug),
                url: item_pages::item_url(report, page, item),
                title: item.title.clone(),
                html: rendered.html,
                nav: Vec::new(),
                generated: true,
            });
        }
    }
    let own_pages: Vec<(String, String)> = sections
        .iter()
        .map(|s| (s.url.clone(), anchor(&s.slug)))
        .collect();
    let base_url = site.portal.config.base_url.trim_end_matches('/');
    let needs_charts = sections.iter().any(|s| crate::chart::has_chart(&s.html));
    let needs_gl = sections.iter().any(|s| crate::chart::has_gl_chart(&s.html));
    let pages: Vec<Value> = sections
        .iter()
        .map(|section| {
            let links = Links {
                report: &report.slug,
                page: &section.slug,
                own_pages: &own_pages,
                base_url,
            };
            json!({
                "slug": section.slug,
                "anchor": anchor(&section.slug),
                "title": section.title,
                "content": links.rewrite(&section.html),
                "generated": section.generated,
                "items": section.nav,
            })
        })
        .collect();
    let script = |name: &str| assets.bytes(name).map(inline_script);
    let inline = json!({
        "style": assets.bytes("style.css").map(inline_style),
        "favicon": assets.bytes("favicon.svg").map(data_uri_svg),
        "site_js": script("site.js"),
        "echarts": needs_charts.then(|| script("vendor/echarts/echarts.min.js")).flatten(),
        "echarts_gl": needs_gl.then(|| script("vendor/echarts-gl/echarts-gl.min.js")).flatten(),
        "charts_js": needs_charts.then(|| script("charts.js")).flatten(),
    });
    let context = json!({
        "portal": portal_value(site.portal),
        "lang": computed.locale.language().tag(),
        "t": prepared.ui(),
        "report": {
            "slug": report.slug,
            "title": report.meta.title,
            "summary": report.meta.summary,
        },
        "pages": pages,
        "inline": inline,
    });
    let context = tera::Context::from_value(context).unwrap_or_default();
    render_template(
        site.theme,
        site.templates,
        "single.html",
        &context,
        site.templates_dir,
    )
}

/// The id of a page's section in the file.
fn anchor(slug: &str) -> String {
    format!("page-{slug}")
}

/// One section of the file: a report page or a generated item's page.
struct Section {
    /// What its ids and anchor are made from: the page's slug, or
    /// `<page>--<item>` for an item.
    slug: String,
    /// Its URL relative to the site root, where links point.
    url: String,
    title: String,
    /// Its content, relative links as seen from the report's folder.
    html: String,
    /// Under a page generated per value: its items, for the navigation.
    nav: Vec<Value>,
    /// Whether it is an item's page.
    generated: bool,
}

/// The section slug of an item's page.
fn item_section(page: &str, item: &str) -> String {
    format!("{page}--{item}")
}

/// How the links of one page are rewritten for the single file.
struct Links<'a> {
    report: &'a str,
    page: &'a str,
    /// (URL relative to the site root, section id) of the report's pages.
    own_pages: &'a [(String, String)],
    base_url: &'a str,
}

impl Links<'_> {
    /// The page's HTML with its ids prefixed by the page (two pages may
    /// both have a heading `#temuan`) and its links pointing inside the
    /// file or, for the rest of the portal, at `base_url`.
    fn rewrite(&self, html: &str) -> String {
        let html = self.prefix_ids(html);
        let mut out = String::with_capacity(html.len());
        let mut rest = html.as_str();
        while let Some(at) = rest.find("href=\"") {
            let start = at + "href=\"".len();
            let Some(len) = rest[start..].find('"') else {
                break;
            };
            out.push_str(&rest[..start]);
            out.push_str(&self.target(&rest[start..start + len]));
            rest = &rest[start + len..];
        }
        out.push_str(rest);
        out
    }

    /// The HTML with the value of every attribute that holds or names an
    /// element id prefixed by the page.
    fn prefix_ids(&self, html: &str) -> String {
        const ATTRIBUTES: &[&str] = &[
            " id=\"",
            " for=\"",
            " aria-controls=\"",
            " aria-labelledby=\"",
            " aria-describedby=\"",
        ];
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        loop {
            let next = ATTRIBUTES
                .iter()
                .filter_map(|a| rest.find(a).map(|at| (at, a.len())))
                .min();
            let Some((at, len)) = next else {
                break;
            };
            let start = at + len;
            let Some(value_len) = rest[start..].find('"') else {
                break;
            };
            out.push_str(&rest[..start]);
            let ids: Vec<String> = rest[start..start + value_len]
                .split(' ')
                .map(|id| format!("{}--{id}", self.page))
                .collect();
            out.push_str(&ids.join(" "));
            rest = &rest[start + value_len..];
        }
        out.push_str(rest);
        out
    }

    /// Where a link (as written in the page, HTML-escaped) points in the file.
    fn target(&self, href: &str) -> String {
        if let Some(fragment) = href.strip_prefix('#') {
            return format!("#{}--{fragment}", self.page);
        }
        if href.contains(':') || href.starts_with('/') || href.starts_with("&#x2F;") {
            return href.to_string();
        }
        // Relative to the report's folder, as every page of it lives there.
        let plain = href.replace("&#x2F;", "/");
        let (path, fragment) = match plain.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (plain.as_str(), None),
        };
        let from_root = resolve(self.report, path);
        if let Some((_, id)) = self.own_pages.iter().find(|(url, _)| *url == from_root) {
            let page = id.trim_start_matches("page-");
            return match fragment {
                Some(f) => format!("#{page}--{f}"),
                None => format!("#{id}"),
            };
        }
        if self.base_url.is_empty() {
            return href.to_string();
        }
        let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
        format!("{}/{from_root}{fragment}", self.base_url)
    }
}

/// A link relative to the folder `report` as a path from the site root.
fn resolve(report: &str, href: &str) -> String {
    let mut parts: Vec<&str> = vec![report];
    for part in href.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if href.is_empty() || href.ends_with('/') {
        format!("{joined}/index.html")
            .trim_start_matches('/')
            .to_string()
    } else {
        joined
    }
}

/// Script text safe inside an inline `<script>` element: no `</script`
/// and no `<!--` (either would end or derail the element). `<\/script` and
/// `<\!--` mean the same inside JavaScript strings, where code has them;
/// nothing else is touched (`/</g` is a valid regular expression).
fn inline_script(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    replace_ignoring_case(&text, "</script", "<\\/script").replace("<!--", "<\\!--")
}

/// CSS safe inside an inline `<style>` element.
fn inline_style(bytes: &[u8]) -> String {
    replace_ignoring_case(&String::from_utf8_lossy(bytes), "</style", "<\\/style")
}

/// `text` with every ASCII-case-insensitive match of `pattern` (ASCII)
/// replaced by `with`.
fn replace_ignoring_case(text: &str, pattern: &str, with: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower.match_indices(pattern) {
        out.push_str(&text[last..at]);
        out.push_str(with);
        last = at + pattern.len();
    }
    out.push_str(&text[last..]);
    out
}

/// An SVG as a `data:` URI.
fn data_uri_svg(bytes: &[u8]) -> String {
    let mut uri = String::from("data:image/svg+xml,");
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-_.!~*()/:=;,".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(base_url: &'static str) -> Links<'static> {
        static OWN: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
        let own = OWN.get_or_init(|| {
            vec![
                ("shop/index.html".into(), "page-index".into()),
                ("shop/findings.html".into(), "page-findings".into()),
            ]
        });
        Links {
            report: "shop",
            page: "findings",
            own_pages: own,
            base_url,
        }
    }

    #[test]
    fn links_between_the_reports_pages_stay_inside_the_file() {
        let l = links("");
        assert_eq!(l.target("index.html"), "#page-index");
        assert_eq!(l.target("findings.html#top"), "#findings--top");
        assert_eq!(l.target("..&#x2F;shop&#x2F;index.html"), "#page-index");
        assert_eq!(l.target("#detail"), "#findings--detail");
        assert_eq!(l.target("https://example.com/a"), "https://example.com/a");
        // Without a base URL another report's link stays as written.
        assert_eq!(l.target("../other/index.html"), "../other/index.html");
    }

    #[test]
    fn links_to_the_rest_of_the_portal_point_at_the_base_url() {
        let l = links("https://acme.github.io/insights");
        assert_eq!(
            l.target("../other/index.html"),
            "https://acme.github.io/insights/other/index.html"
        );
        assert_eq!(
            l.target("results/by_category.csv"),
            "https://acme.github.io/insights/shop/results/by_category.csv"
        );
        assert_eq!(
            l.target("../"),
            "https://acme.github.io/insights/index.html"
        );
    }

    #[test]
    fn ids_and_their_links_are_prefixed_by_the_page() {
        let html = "<h2 id=\"temuan\">T</h2><a href=\"#temuan\">x</a><a href=\"index.html\">i</a>";
        assert_eq!(
            links("").rewrite(html),
            "<h2 id=\"findings--temuan\">T</h2><a href=\"#findings--temuan\">x</a><a href=\"#page-index\">i</a>"
        );
        let select = "<label for=\"pick\">P</label><select id=\"pick\" aria-controls=\"a b\">";
        assert_eq!(
            links("").rewrite(select),
            "<label for=\"findings--pick\">P</label><select id=\"findings--pick\" aria-controls=\"findings--a findings--b\">"
        );
    }

    #[test]
    fn inlined_scripts_cannot_close_their_element() {
        let js = inline_script(b"var s = '</script><script>alert(1)</SCRIPT>'; // <!-- x");
        assert!(!js.to_lowercase().contains("</script"), "{js}");
        assert!(!js.contains("<!--"), "{js}");
        assert_eq!(
            js,
            "var s = '<\\/script><script>alert(1)<\\/script>'; // <\\!-- x"
        );
        // Regular expressions and other `</` stay as they are.
        assert_eq!(
            inline_script(b"s.replace(/</g, '&lt;')"),
            "s.replace(/</g, '&lt;')"
        );
        assert!(!inline_style(b"a{content:'</style>'}").contains("</style"));
    }

    #[test]
    fn the_favicon_becomes_a_data_uri_without_quotes_or_angle_brackets() {
        let uri = data_uri_svg(b"<svg a=\"1\">#</svg>");
        assert_eq!(uri, "data:image/svg+xml,%3Csvg%20a=%221%22%3E%23%3C/svg%3E");
    }
}
