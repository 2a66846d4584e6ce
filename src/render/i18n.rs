//! UI strings of the default theme (header, navigation, table of contents,
//! pager, footer) in Indonesian and English, handed to the templates as `t`.
//!
//! Every string lives in one table with both translations side by side, so a
//! key cannot exist in one language and be missing in the other.

use crate::config::Language;
use serde_json::{Map, Value};

/// `(key, Indonesian, English)` for every string the templates use.
const UI_STRINGS: &[(&str, &str, &str)] = &[
    ("back_to_top", "Kembali ke atas", "Back to top"),
    ("dark_mode", "Mode gelap", "Dark mode"),
    ("download_csv", "Unduh CSV", "Download CSV"),
    ("downloads", "Unduhan", "Downloads"),
    ("generated_with", "Dibuat dengan", "Generated with"),
    ("next", "Berikutnya", "Next"),
    ("no_reports", "Belum ada laporan.", "No reports yet."),
    ("on_this_page", "Di halaman ini", "On this page"),
    ("page_navigation", "Navigasi halaman", "Page navigation"),
    ("pages_generated", "halaman", "pages"),
    ("previous", "Sebelumnya", "Previous"),
    ("read_report", "Baca laporan", "Read report"),
    ("report_pages", "Halaman laporan", "Report pages"),
    ("reports", "Laporan", "Reports"),
    (
        "rows_shown",
        "Menampilkan {shown} baris pertama dari {total}; unduh CSV untuk semuanya.",
        "Showing the first {shown} of {total} rows; download the CSV for all of them.",
    ),
    // Search (the field in the header, `search.js`).
    ("search", "Cari…", "Search…"),
    ("search_count", "{count} hasil", "{count} results"),
    ("search_count_one", "1 hasil", "1 result"),
    (
        "search_label",
        "Cari di semua laporan",
        "Search all reports",
    ),
    (
        "search_loading",
        "Memuat indeks pencarian…",
        "Loading the search index…",
    ),
    (
        "search_no_results",
        "Tidak ada hasil untuk “{query}”",
        "No results for “{query}”",
    ),
    ("search_results", "Hasil pencarian", "Search results"),
    (
        "search_shortcut",
        "Tekan / untuk mencari",
        "Press / to search",
    ),
    (
        "search_unavailable",
        "Pencarian tidak tersedia",
        "Search is not available",
    ),
    ("skip_to_content", "Langsung ke konten", "Skip to content"),
];

/// The UI strings for `language`, keyed by name (`t.on_this_page` in a template).
pub fn ui_strings(language: Language) -> Map<String, Value> {
    UI_STRINGS
        .iter()
        .map(|(key, id, en)| {
            let text = match language {
                Language::Id => id,
                Language::En => en,
            };
            (key.to_string(), Value::String(text.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_non_empty_keys() {
        let id = ui_strings(Language::Id);
        let en = ui_strings(Language::En);
        let id_keys: Vec<&String> = id.keys().collect();
        let en_keys: Vec<&String> = en.keys().collect();
        assert_eq!(id_keys, en_keys);
        assert_eq!(id.len(), UI_STRINGS.len(), "duplicate key in UI_STRINGS");
        for (key, value) in id.iter().chain(en.iter()) {
            let text = value.as_str().unwrap_or_default();
            assert!(!text.trim().is_empty(), "empty UI string `{key}`");
        }
    }

    #[test]
    fn strings_follow_the_language() {
        assert_eq!(ui_strings(Language::Id)["next"], "Berikutnya");
        assert_eq!(ui_strings(Language::En)["next"], "Next");
    }
}

/// The default theme rendered through a real `tera::Tera` with a hand-made
/// context shaped like the one the site builder passes.
#[cfg(test)]
mod theme_tests {
    use super::*;
    use serde_json::json;
    use tera::{Context, Tera};

    use crate::render::theme::DEFAULT_TEMPLATES as TEMPLATES;

    const EVIL: &str = "<script>alert(1)</script>";

    fn load_theme() -> Tera {
        let mut tera = Tera::default();
        tera.add_raw_templates(TEMPLATES.to_vec())
            .expect("the default theme parses");
        tera
    }

    fn reports() -> Value {
        let plain = |slug: &str, title: &str| {
            json!({"slug": slug, "title": title, "summary": "", "url": format!("{slug}/index.html"),
                   "kpis": []})
        };
        json!([
            {"slug": "amazon-b2b", "title": format!("Amazon B2B {EVIL}"),
             "summary": "Siapa pelanggan bisnis kita dan apa yang mereka beli.",
             "url": "amazon-b2b/index.html",
             "kpis": [{"label": "Pendapatan", "value": "Rp 1,2 M"},
                      {"label": "Pelanggan", "value": "4.372"},
                      {"label": "Rata-rata nilai pesanan", "value": "Rp 67.890"}]},
            plain("retail", "Ritel daring"),
            plain("kmeans", "Segmentasi Konsumen dengan Clustering K-Means"),
            plain("behavior", "Customer Behavior & Segmentation"),
            plain("sales", "Sales Performance & Customer Segmentation Analytics"),
        ])
    }

    fn base_context(language: Language, root: &str) -> Context {
        let mut context = Context::new();
        context.insert(
            "portal",
            &json!({"title": format!("Portal {EVIL}"), "description": "Wawasan data",
                    "language": language.tag(), "base_url": "https://acme.github.io/insights/"}),
        );
        context.insert("t", &ui_strings(language));
        context.insert("root", root);
        context.insert("reports", &reports());
        context.insert(
            "assets",
            &json!({"style.css": "assets/style.0123456789.css",
                "site.js": "assets/site.0123456789.js",
                "search.js": "assets/search.0123456789.js",
                "charts.js": "assets/charts.0123456789.js",
                "favicon.svg": "assets/favicon.0123456789.svg",
                "vendor/echarts/echarts.min.js": "assets/vendor/echarts/echarts.min.0123456789.js",
                "vendor/echarts-gl/echarts-gl.min.js": "assets/vendor/echarts-gl/echarts-gl.min.0123456789.js"}),
        );
        context
    }

    fn index_context(language: Language) -> Context {
        let mut context = base_context(language, "");
        context.insert("intro", "<p>Selamat datang di <strong>portal</strong>.</p>");
        context
    }

    fn page_context(language: Language, needs_gl: Option<bool>) -> Context {
        page_context_with(language, needs_gl, Some(true))
    }

    fn page_context_with(
        language: Language,
        needs_gl: Option<bool>,
        needs_charts: Option<bool>,
    ) -> Context {
        let mut context = base_context(language, "../");
        context.insert(
            "report",
            &json!({"slug": "amazon-b2b", "title": format!("Amazon B2B {EVIL}"),
                "summary": "Ringkasan", "url": "amazon-b2b/index.html",
                "pages": [
                    {"slug": "index", "title": "Ikhtisar", "url": "amazon-b2b/index.html", "current": false},
                    {"slug": "segmen", "title": "Segmen", "url": "amazon-b2b/segmen.html", "current": true},
                    {"slug": "saran", "title": "Saran", "url": "amazon-b2b/saran.html", "current": false}],
                "downloads": [{"label": "Excel (.xlsx)", "url": "amazon-b2b/hasil.xlsx"}]}),
        );
        let mut page = json!({"slug": "segmen", "title": format!("Segmen {EVIL}"),
            "content": "<h2 id=\"temuan\">Temuan</h2><figure class=\"chart\"></figure>",
            "toc": [{"level": 2, "id": "temuan", "title": "Temuan"},
                    {"level": 3, "id": "detail", "title": "Detail & catatan"}],
            "prev": {"title": "Ikhtisar", "url": "amazon-b2b/index.html"},
            "next": null});
        if let Some(gl) = needs_gl {
            page["needs_gl"] = json!(gl);
        }
        if let Some(charts) = needs_charts {
            page["needs_charts"] = json!(charts);
        }
        context.insert("page", &page);
        context
    }

    fn render(name: &str, context: &Context) -> String {
        load_theme()
            .render(name, context)
            .unwrap_or_else(|e| panic!("rendering {name}: {e:?}"))
    }

    fn assert_escaped(html: &str) {
        assert!(!html.contains(EVIL), "unescaped title in:\n{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
    }

    #[test]
    fn index_lists_every_report_as_a_card_with_kpis() {
        let html = render("index.html", &index_context(Language::Id));
        assert_escaped(&html);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"id\">"));
        assert_eq!(html.matches("<li class=\"report-card\">").count(), 5);
        assert!(html.contains("<dd class=\"kpi-value\">Rp 1,2 M</dd>"));
        assert!(html.contains("<dt class=\"kpi-label\">Pelanggan</dt>"));
        // One KPI grid: the other reports have no KPIs.
        assert_eq!(html.matches("class=\"kpi-grid\"").count(), 1);
        assert!(html.contains("<p>Selamat datang di <strong>portal</strong>.</p>"));
        assert!(html.contains("href=\"amazon-b2b&#x2F;index.html\""));
        assert!(
            html.contains("<link rel=\"stylesheet\" href=\"assets&#x2F;style.0123456789.css\">")
        );
        assert!(html.contains(
            "<link rel=\"icon\" type=\"image/svg+xml\" href=\"assets&#x2F;favicon.0123456789.svg\">"
        ));
        assert!(html.contains("<a class=\"skip-link\" href=\"#content\">Langsung ke konten</a>"));
        assert!(html.contains("<main id=\"content\""));
        assert!(html.contains("class=\"theme-toggle\""));
        assert!(!html.contains("charts.js"), "the index has no charts");
        assert!(
            !html.contains("aria-current"),
            "no report is current on the index"
        );
    }

    #[test]
    fn header_lists_few_short_reports_inline_and_many_behind_a_button() {
        let many = render("index.html", &index_context(Language::Id));
        assert!(many.contains("<header class=\"site-header compact\">"));
        assert!(many.contains("title=\"Sales Performance &amp; Customer Segmentation Analytics\""));
        let mut few = index_context(Language::Id);
        few.insert("reports", &json!([reports()[1], reports()[2]]));
        let few = render("index.html", &few);
        assert!(few.contains("<header class=\"site-header\">"));
    }

    #[test]
    fn report_page_has_navigation_toc_pager_and_downloads() {
        let html = render("page.html", &page_context(Language::En, Some(false)));
        assert_escaped(&html);
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("<title>Segmen &lt;script&gt;"));
        assert!(html.contains(
            "<a href=\"..&#x2F;amazon-b2b&#x2F;segmen.html\" aria-current=\"page\" class=\"active\">Segmen</a>"
        ));
        assert!(html.contains("aria-current=\"true\" class=\"active\">Amazon B2B"));
        assert!(html.contains("<summary>On this page</summary>"));
        assert!(
            html.contains("<li class=\"toc-h3\"><a href=\"#detail\">Detail &amp; catatan</a></li>")
        );
        assert!(html.contains("rel=\"prev\""));
        assert!(
            !html.contains("rel=\"next\""),
            "the last page has no next link"
        );
        assert!(
            html.contains("href=\"..&#x2F;amazon-b2b&#x2F;hasil.xlsx\" download>Excel (.xlsx)</a>")
        );
        assert!(html.contains("<h2 id=\"temuan\">Temuan</h2><figure class=\"chart\"></figure>"));
        assert!(html.contains("<link rel=\"canonical\" href=\"https:&#x2F;&#x2F;acme.github.io&#x2F;insights/amazon-b2b&#x2F;segmen.html\">"));
        assert!(html.contains(
            "src=\"..&#x2F;assets&#x2F;vendor&#x2F;echarts&#x2F;echarts.min.0123456789.js\""
        ));
        assert!(
            html.contains(
                "<script defer src=\"..&#x2F;assets&#x2F;charts.0123456789.js\"></script>"
            )
        );
        assert!(!html.contains("echarts-gl"));
    }

    #[test]
    fn echarts_is_loaded_only_on_pages_with_charts() {
        for needs in [Some(false), None] {
            let html = render(
                "page.html",
                &page_context_with(Language::Id, Some(true), needs),
            );
            assert!(!html.contains("echarts"), "{needs:?}");
            assert!(!html.contains("charts.0123456789.js"), "{needs:?}");
            assert!(html.contains("site.0123456789.js"), "{needs:?}");
        }
    }

    #[test]
    fn echarts_gl_is_loaded_only_when_the_page_needs_it() {
        let with_gl = render("page.html", &page_context(Language::Id, Some(true)));
        assert!(with_gl.contains("echarts-gl&#x2F;echarts-gl.min.0123456789.js"));
        let without_flag = render("page.html", &page_context(Language::Id, None));
        assert!(!without_flag.contains("echarts-gl"));
    }

    /// Every `{{ t.key }}` the templates use exists in the string table.
    #[test]
    fn templates_use_only_known_ui_strings() {
        let strings = ui_strings(Language::Id);
        let mut used = 0;
        for (name, source) in TEMPLATES {
            for part in source.split("{{ t.").skip(1) {
                let key: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                assert!(strings.contains_key(&key), "{name} uses unknown t.{key}");
                used += 1;
            }
        }
        assert!(used >= 10, "expected the templates to use UI strings");
    }

    /// Writes the rendered theme to a folder for a look in a browser:
    /// `WAWASAN_THEME_PREVIEW=/tmp/theme-preview cargo test --lib render::i18n -- --ignored`.
    /// A `content.html` already in that folder replaces the page body.
    #[test]
    #[ignore = "writes files for a manual visual check"]
    fn write_preview() {
        let dir = std::path::PathBuf::from(
            std::env::var("WAWASAN_THEME_PREVIEW").unwrap_or_else(|_| "/tmp/theme-preview".into()),
        );
        let report_dir = dir.join("amazon-b2b");
        std::fs::create_dir_all(&report_dir).expect("create the preview folder");
        let mut context = page_context(Language::Id, Some(false));
        if let Ok(body) = std::fs::read_to_string(dir.join("content.html")) {
            let mut page = context.get("page").cloned().unwrap_or_default();
            page["content"] = Value::String(body);
            context.insert("page", &page);
        }
        let index = render("index.html", &index_context(Language::Id));
        std::fs::write(dir.join("index.html"), index).expect("write index.html");
        let page = render("page.html", &context);
        std::fs::write(report_dir.join("segmen.html"), page).expect("write segmen.html");
    }
}
