//! The example portal in headless Chromium, served under a sub-path the way
//! GitHub Pages serves a project site (`/insights/`): every page loads
//! without console errors or failed requests, every chart draws a non-empty
//! canvas, a dropdown switches its chart's series, every link and asset
//! resolves under the sub-path, search finds a report by a word of its
//! narrative, no page scrolls sideways at 375 px, and the
//! page with the widest table prints on A4 with every column and chart. A
//! failing check saves a screenshot (or the PDF) under `target/` and names it.
//!
//! Needs Chromium and chromedriver (`apt-get install -y chromium
//! chromium-driver`); without them the tests fail and say so.

mod common;

use common::browser::{Browser, StaticServer, pdf_text};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The repository name the site is published under.
const SUB_PATH: &str = "insights";

/// The example portal, built once for every test of this file.
struct Built {
    /// The folder served: `public/` lives in it as `insights/`.
    _dir: tempfile::TempDir,
    served: PathBuf,
    public: PathBuf,
    pages: Vec<String>,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let served = dir.path().to_path_buf();
        let public = served.join(SUB_PATH);
        let run = Command::new(env!("CARGO_BIN_EXE_wawasan"))
            .args(["build", "--no-cache", "--quiet", "--root"])
            .arg(env!("CARGO_MANIFEST_DIR"))
            .arg("--output")
            .arg(&public)
            .args(["--base-url", "https://acme.github.io/insights/"])
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let mut pages: Vec<String> = walkdir::WalkDir::new(&public)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
            .map(|e| relative(&public, e.path()))
            .collect();
        pages.sort();
        assert!(pages.len() > 20, "expected the example's pages: {pages:?}");
        Built {
            _dir: dir,
            served,
            public,
            pages,
        }
    })
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// Every `href` and `src` of every page names a file of the site, by a
/// relative path (an absolute `/x` would leave the sub-path).
#[test]
fn every_link_and_asset_resolves_under_the_sub_path() {
    let site = built();
    let mut problems = Vec::new();
    let mut checked = 0;
    for page in &site.pages {
        let html = std::fs::read_to_string(site.public.join(page)).unwrap();
        for target in link_targets(&html) {
            checked += 1;
            if let Some(problem) = check_target(&site.public, page, &target) {
                problems.push(format!("{page}: {target}: {problem}"));
            }
        }
    }
    assert!(checked > 500, "only {checked} links found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The values of every `href="..."` and `src="..."`, entities decoded.
fn link_targets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attribute in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            let start = at + attribute.len();
            let Some(len) = rest[start..].find('"') else {
                break;
            };
            out.push(decode_entities(&rest[start..start + len]));
            rest = &rest[start + len..];
        }
    }
    out
}

fn decode_entities(text: &str) -> String {
    text.replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Why a link of `page` does not resolve, if it does not.
fn check_target(public: &Path, page: &str, target: &str) -> Option<String> {
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("javascript:") {
        return Some("a javascript: link".into());
    }
    if target.starts_with('#')
        || lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with("data:")
    {
        return None;
    }
    if target.starts_with('/') {
        return Some("absolute path: breaks under a sub-path".into());
    }
    let path = target.split(['#', '?']).next().unwrap_or_default();
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Some("leaves the site".into());
                }
            }
            p => parts.push(p),
        }
    }
    let mut file = public.join(parts.join("/"));
    if path.is_empty() || path.ends_with('/') {
        file = file.join("index.html");
    }
    (!file.is_file()).then(|| format!("no file {}", relative(public, &file)))
}

/// Set up by charts.js: drawn or showing its message.
const CHARTS_READY: &str = r#"
var figures = document.querySelectorAll('figure.chart');
for (var i = 0; i < figures.length; i++) {
  if (!figures[i].getAttribute('data-chart-ready')) return false;
}
return document.readyState === 'complete';
"#;

/// What is wrong with the loaded page: a chart without pixels, a request
/// that failed.
const PAGE_PROBLEMS: &str = r#"
var problems = [];
document.querySelectorAll('figure.chart').forEach(function (f, n) {
  var name = f.id || ('chart ' + n);
  var drawn = false;
  f.querySelectorAll('canvas').forEach(function (c) {
    if (!c.width || !c.height) return;
    var ctx = null;
    try { ctx = c.getContext('2d'); } catch (e) {}
    // A WebGL canvas cannot be read back as 2D: its size is the evidence.
    if (!ctx) { drawn = true; return; }
    var d = ctx.getImageData(0, 0, c.width, c.height).data;
    for (var j = 3; j < d.length; j += 16) { if (d[j]) { drawn = true; return; } }
  });
  if (!drawn) {
    var message = f.querySelector('.chart-message');
    problems.push(name + ' drew nothing' + (message ? ': ' + message.textContent : ''));
  }
});
performance.getEntriesByType('resource').forEach(function (e) {
  if (e.responseStatus >= 400) problems.push('failed request (' + e.responseStatus + '): ' + e.name);
});
return problems;
"#;

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// Load a page of the site and wait for its charts.
fn load(browser: &Browser, server: &StaticServer, page: &str) {
    browser.goto(&server.url(&format!("{SUB_PATH}/{page}")));
    browser.wait_until(CHARTS_READY, Duration::from_secs(20));
}

/// A screenshot of the page as it is now, named after `page` and `check`;
/// its path, for the message.
fn screenshot(browser: &Browser, page: &str, check: &str) -> String {
    let name = format!("{check}-{}.png", page.replace('/', "_"));
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser-failures")
        .join(name);
    browser.screenshot(&path).display().to_string()
}

#[test]
fn every_page_loads_clean_and_draws_every_chart() {
    let site = built();
    let server = StaticServer::start(&site.served);
    let browser = Browser::start();
    let mut problems = Vec::new();
    let mut charts = 0;
    for page in &site.pages {
        load(&browser, &server, page);
        charts += browser
            .execute(
                "return document.querySelectorAll('figure.chart').length;",
                &[],
            )
            .as_u64()
            .unwrap_or(0);
        // Animations end within a second; poll until every chart has pixels.
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut found = strings(&browser.execute(PAGE_PROBLEMS, &[]));
        while !found.is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
            found = strings(&browser.execute(PAGE_PROBLEMS, &[]));
        }
        for (level, message) in browser.logs() {
            if level == "SEVERE" {
                found.push(format!("console: {message}"));
            }
        }
        if !found.is_empty() {
            let shot = screenshot(&browser, page, "load");
            problems.push(format!(
                "{page} (screenshot {shot}):\n  {}",
                found.join("\n  ")
            ));
        }
    }
    assert!(charts > 40, "only {charts} charts in the example portal");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_dropdown_switches_its_charts_series() {
    let site = built();
    let server = StaticServer::start(&site.served);
    let browser = Browser::start();
    let page = site
        .pages
        .iter()
        .find(|p| {
            std::fs::read_to_string(site.public.join(p))
                .is_ok_and(|html| html.contains("<select") && html.contains("chart-option"))
        })
        .expect("a page with a chart dropdown");
    load(&browser, &server, page);
    let outcome = browser.execute(
        r#"
var select = document.querySelector('figure.chart select');
var figure = select.closest('figure');
function series() {
  var el = figure.querySelector('[_echarts_instance_]');
  var chart = el && echarts.getInstanceByDom(el);
  return chart ? JSON.stringify(chart.getOption().series.map(function (s) { return s.data; })) : null;
}
if (select.options.length < 2) return 'the dropdown has one value';
var before = series();
select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
select.dispatchEvent(new Event('change', { bubbles: true }));
var after = series();
if (before === null || after === null) return 'no chart instance';
return before === after ? 'the series did not change' : 'switched';
"#,
        &[],
    );
    if outcome != "switched" {
        let shot = screenshot(&browser, page, "dropdown");
        panic!("{page}: {outcome} (screenshot {shot})");
    }
}

#[test]
fn no_page_scrolls_sideways_on_a_phone() {
    let site = built();
    let server = StaticServer::start(&site.served);
    let browser = Browser::start();
    browser.set_window_size(375, 812);
    let mut problems = Vec::new();
    for page in &site.pages {
        load(&browser, &server, page);
        let sizes = browser.execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            &[],
        );
        let (scroll, width) = (sizes[0].as_u64(), sizes[1].as_u64());
        assert!(
            width.is_some_and(|w| w <= 400),
            "window not narrow: {sizes}"
        );
        if scroll > width {
            let shot = screenshot(&browser, page, "375px");
            problems.push(format!(
                "{page}: {scroll:?} px wide in a {width:?} px window (screenshot {shot})"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The page of the example with the widest table, printed on A4: every
/// column header and every chart's caption is in the PDF's text.
#[test]
fn the_widest_table_prints_whole_with_its_charts() {
    let site = built();
    let widest = |page: &String| -> usize {
        let html = std::fs::read_to_string(site.public.join(page)).unwrap_or_default();
        html.split("<thead>")
            .skip(1)
            .map(|t| {
                t.split("</thead>")
                    .next()
                    .unwrap_or("")
                    .matches("<th")
                    .count()
            })
            .max()
            .unwrap_or(0)
    };
    let page = site.pages.iter().max_by_key(|p| widest(p)).unwrap();
    assert!(
        widest(page) >= 10,
        "{page}: widest table has {}",
        widest(page)
    );
    let server = StaticServer::start(&site.served);
    let browser = Browser::start();
    load(&browser, &server, page);
    let headers = browser.execute(
        "var best = null; document.querySelectorAll('table.data-table').forEach(function (t) { \
           if (!best || t.tHead.rows[0].cells.length > best.tHead.rows[0].cells.length) best = t; }); \
         return Array.from(best.tHead.rows[0].cells).map(function (c) { return c.textContent.trim(); });",
        &[],
    );
    let charts = browser
        .execute(
            "return document.querySelectorAll('figure.chart canvas').length;",
            &[],
        )
        .as_u64()
        .unwrap_or(0);
    let captions = browser.execute(
        "return Array.from(document.querySelectorAll('figure.chart figcaption')) \
           .map(function (c) { return c.textContent.trim(); });",
        &[],
    );
    let pdf = browser.print_pdf(21.0, 29.7);
    // Kept under target/ for a look when a check fails.
    let file = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser-failures")
        .join("print-widest.pdf");
    let text = pdf_text(&file, &pdf);
    let words: Vec<&str> = text.split_whitespace().collect();
    let missing: Vec<String> = strings(&headers)
        .into_iter()
        .filter(|h| {
            // A narrow column may break a word at its hyphen ("rata-" / "rata").
            let printed = |w: &str| {
                words.contains(&w) || w.split_inclusive('-').all(|piece| words.contains(&piece))
            };
            !h.split_whitespace().all(printed)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{page}: the printed PDF ({}) lacks the columns {missing:?}",
        file.display()
    );
    // Chromium prints a canvas as vector drawing, its text included: each
    // chart's caption and axis labels are in the PDF's text.
    let missing_charts: Vec<String> = strings(&captions)
        .into_iter()
        .filter(|c| !c.split_whitespace().all(|w| words.contains(&w)))
        .collect();
    assert!(
        charts > 0 && missing_charts.is_empty(),
        "{page}: {charts} charts on screen; printed without {missing_charts:?} ({})",
        file.display()
    );
}

/// From another report's page, typing a word of the Kshoe narrative
/// ("sepatu") into the header's search finds the Kshoe report, and the
/// result opens it under the sub-path.
#[test]
fn search_finds_a_report_by_a_word_of_its_narrative() {
    let site = built();
    let server = StaticServer::start(&site.served);
    let browser = Browser::start();
    load(&browser, &server, "amazon-b2b/index.html");
    browser.type_keys("/");
    browser.type_keys("sepatu");
    let links = browser.wait_until(
        "var a = document.querySelectorAll('#site-search-results [role=\"option\"] a'); \
         return a.length ? Array.prototype.map.call(a, function (x) { return x.href; }) : null;",
        Duration::from_secs(10),
    );
    let links = strings(&links);
    let prefix = server.url(&format!("{SUB_PATH}/kshoe-business/"));
    assert!(
        !links.is_empty() && links.iter().all(|l| l.starts_with(&prefix)),
        "results for `sepatu`: {links:?} (screenshot {})",
        screenshot(&browser, "amazon-b2b/index.html", "search")
    );
    browser.goto(&links[0]);
    let title = browser.execute("return document.title;", &[]);
    assert!(
        title.as_str().is_some_and(|t| t.contains("Kshoe")),
        "opened {}: {title}",
        links[0]
    );
}
