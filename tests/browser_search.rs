//! Search across reports (issue 11, item 6): the built index holds every
//! page's narrative words with hostile values escaped, and in headless
//! Chromium the header's search field finds a word of another report's
//! narrative — by prefix, ignoring case and accents — over HTTP under a
//! sub-path and from `file://`, is driven by the keyboard (`/`, arrows,
//! Enter, Escape), opens the page it lists, and shows a hostile data value
//! in its results as text (the sentinel `window.__pwn` stays unset).
//!
//! Needs Chromium and chromedriver (`apt-get install -y chromium
//! chromium-driver`); without them the browser test fails and says so.

mod common;

use std::time::Duration;

use common::Fixture;
use common::browser::{Browser, StaticServer};
use serde_json::{Value, json};

/// A category name that tries to become markup and script; it is the top
/// category, so the Shop report's findings page quotes it in its prose.
const HOSTILE: &str =
    "<img src=x onerror=\"window.__pwn=1\">zamrud</script><script>window.__pwn=2</script>";

/// The Indonesian report's second page.
const TEMUAN: &str = r#"+++
title = "Temuan"
weight = 1
+++

## Pelanggan setia

Pelanggan setia kedai membeli kopi susu setiap pagi di Kafé Menteng.
"#;

const ARROW_DOWN: &str = "\u{E015}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

/// The tiny portal in Indonesian with a second report, `kedai`, and the
/// hostile category on top of the Shop report's data.
fn portal() -> Fixture {
    let f = Fixture::new("tiny");
    f.edit(
        "content/_index.md",
        "language = \"en\"",
        "language = \"id\"",
    );
    let shop = f.read("content/shop/_index.md");
    let kedai = shop.replacen("title = \"Shop\"", "title = \"Kedai Kopi\"", 1);
    f.write("content/kedai/_index.md", &kedai);
    f.write("content/kedai/temuan.md", TEMUAN);
    let mut csv = f.read("data/sales.csv");
    csv.push_str(&format!(
        "Z1,03-09-22,Shipped,\"{}\",M,50,5000,True\n",
        HOSTILE.replace('"', "\"\"")
    ));
    f.write("data/sales.csv", &csv);
    f.build();
    f
}

/// The pages of the built index, by URL.
fn index_pages(f: &Fixture) -> Vec<Value> {
    let script = f.read("public/assets/search-index.js");
    let json = script
        .split_once("window.wawasanSearchIndex = ")
        .and_then(|(_, rest)| rest.trim_end().strip_suffix(';'))
        .expect("the index assigns window.wawasanSearchIndex");
    let value: Value = serde_json::from_str(json).expect("the index is JSON");
    value["pages"].as_array().expect("a list of pages").clone()
}

#[test]
fn the_index_holds_every_page_with_its_narrative_and_escaped_values() {
    let f = portal();
    let script = f.read("public/assets/search-index.js");
    for raw in ["<", ">", "\u{2028}"] {
        assert!(!script.contains(raw), "{raw:?} raw in the index");
    }
    let pages = index_pages(&f);
    let urls: Vec<&str> = pages.iter().map(|p| p["url"].as_str().unwrap()).collect();
    assert_eq!(
        urls,
        [
            "index.html",
            "kedai/index.html",
            "kedai/temuan.html",
            "shop/index.html",
            "shop/findings.html"
        ]
    );
    let temuan = &pages[2];
    assert_eq!(temuan["title"], "Temuan");
    assert_eq!(temuan["report"], "Kedai Kopi");
    assert_eq!(
        temuan["text"],
        "Pelanggan setia Pelanggan setia kedai membeli kopi susu setiap pagi di Kafé Menteng."
    );
    // The hostile value is the findings page's text, as text.
    let findings = pages[4]["text"].as_str().unwrap();
    assert_eq!(
        findings,
        format!("Categories The top category is {HOSTILE}.")
    );
    // The overview starts with the report's summary.
    assert!(
        pages[3]["text"]
            .as_str()
            .unwrap()
            .starts_with("B2B vs B2C on eight hand-made order lines. B2B AOV is"),
        "{}",
        pages[3]["text"]
    );
    // Every page has the field and loads the script.
    for page in ["index.html", "kedai/temuan.html", "shop/index.html"] {
        let html = f.read(&format!("public/{page}"));
        assert!(html.contains("id=\"site-search-input\""), "{page}");
        assert!(html.contains("assets/search-index.js"), "{page}");
        assert!(
            html.contains("/assets/search.") || html.contains("\"assets/search."),
            "{page}"
        );
    }
}

/// Wait until the result list shows options; their links' `href`s.
const RESULTS: &str = r#"
var items = document.querySelectorAll('#site-search-results [role="option"] a');
if (!items.length) return null;
return Array.prototype.map.call(items, function (a) { return a.href; });
"#;

/// The state of the field and its list.
const STATE: &str = r#"
var input = document.getElementById('site-search-input');
var panel = document.querySelector('.site-search-panel');
var options = document.querySelectorAll('#site-search-results [role="option"]');
return {
  focused: document.activeElement === input,
  value: input.value,
  expanded: input.getAttribute('aria-expanded'),
  active: input.getAttribute('aria-activedescendant'),
  selected: Array.prototype.map.call(options, function (o) { return o.getAttribute('aria-selected'); }),
  firstId: options.length ? options[0].id : null,
  hidden: panel.hidden,
  status: document.getElementById('site-search-status').textContent,
  marks: Array.prototype.map.call(document.querySelectorAll('#site-search-results mark'),
    function (m) { return m.textContent; }),
  text: document.getElementById('site-search-results').textContent,
  elements: document.querySelectorAll('#site-search-results img, #site-search-results script, #site-search-results [onerror]').length,
  pwn: window.__pwn === undefined ? null : String(window.__pwn)
};
"#;

fn state(browser: &Browser) -> Value {
    browser.execute(STATE, &[])
}

fn loaded(browser: &Browser, heading: &str) {
    browser.wait_until(
        &format!(
            "var h = document.querySelector('h1'); return document.readyState === 'complete' && \
             h && h.textContent === {};",
            json!(heading)
        ),
        Duration::from_secs(20),
    );
}

/// Focus the field with `/`, type `query`; the result links.
fn search(browser: &Browser, query: &str) -> Vec<String> {
    browser.type_keys("/");
    assert_eq!(state(browser)["focused"], true, "`/` focuses the field");
    browser.type_keys(query);
    let links = browser.wait_until(RESULTS, Duration::from_secs(10));
    serde_json::from_value(links).unwrap()
}

fn no_console_errors(browser: &Browser) {
    let errors: Vec<String> = browser
        .logs()
        .into_iter()
        .filter(|(level, m)| level == "SEVERE" && !m.contains("favicon"))
        .map(|(_, m)| m)
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

#[test]
fn search_finds_another_reports_page_by_keyboard_over_http_and_file() {
    let f = portal();
    let browser = Browser::start();
    // The folder above `public/` is served, so the site lives under the
    // sub-path `/public/` as on a project's GitHub Pages.
    let server = StaticServer::start(f.root());
    browser.goto(&server.url("public/shop/findings.html"));
    loaded(&browser, "Findings");

    // A prefix of a word of the other report's narrative, in capitals.
    let links = search(&browser, "PELANG");
    let temuan = server.url("public/kedai/temuan.html");
    assert_eq!(links.first(), Some(&temuan), "{links:?}");
    let s = state(&browser);
    assert_eq!(s["expanded"], "true", "{s}");
    assert_eq!(s["hidden"], false, "{s}");
    assert!(
        s["marks"].as_array().unwrap().contains(&json!("Pelanggan")),
        "{s}"
    );
    assert!(
        s["text"].as_str().unwrap().contains("Kedai Kopi"),
        "the report's title: {s}"
    );
    let count = links.len();
    let expected_status = if count == 1 {
        "1 hasil".to_string()
    } else {
        format!("{count} hasil")
    };
    assert_eq!(s["status"], json!(expected_status), "{s}");

    // Arrow down selects the first result, Enter opens it.
    browser.type_keys(ARROW_DOWN);
    let s = state(&browser);
    assert_eq!(s["active"], s["firstId"], "{s}");
    assert_eq!(s["selected"][0], "true", "{s}");
    browser.type_keys(ENTER);
    loaded(&browser, "Temuan");
    assert_eq!(browser.url(), temuan);

    // Accents are ignored both ways; Escape closes the list, a second
    // Escape clears the field.
    let links = search(&browser, "kafe");
    assert_eq!(links.first(), Some(&temuan), "{links:?}");
    browser.type_keys(ESCAPE);
    let s = state(&browser);
    assert_eq!(
        (s["hidden"].clone(), s["expanded"].clone()),
        (json!(true), json!("false")),
        "{s}"
    );
    assert_eq!(s["value"], "kafe");
    browser.type_keys(ESCAPE);
    assert_eq!(state(&browser)["value"], "");

    // A word nobody wrote.
    browser.type_keys("qwzx");
    browser.wait_until(
        "return document.getElementById('site-search-status').textContent.indexOf('Tidak ada hasil') === 0;",
        Duration::from_secs(10),
    );
    no_console_errors(&browser);

    // From the file system, starting at the index page (root "").
    let public = f.path("public").canonicalize().unwrap();
    browser.goto(&format!("file://{}", public.join("index.html").display()));
    loaded(&browser, "Tiny portal");
    let links = search(&browser, "kopi");
    let file_temuan = format!("file://{}", public.join("kedai/temuan.html").display());
    assert_eq!(links.first(), Some(&file_temuan), "{links:?}");
    browser.type_keys(&format!("{ARROW_DOWN}{ENTER}"));
    loaded(&browser, "Temuan");
    assert_eq!(browser.url(), file_temuan);
    no_console_errors(&browser);
}

#[test]
fn a_hostile_value_reads_as_text_in_the_results() {
    let f = portal();
    let browser = Browser::start();
    let server = StaticServer::start(f.root());
    browser.goto(&server.url("public/kedai/index.html"));
    loaded(&browser, "Ringkasan");
    let links = search(&browser, "zamrud");
    assert_eq!(
        links.first(),
        Some(&server.url("public/shop/findings.html")),
        "{links:?}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let s = state(&browser);
    assert!(s["text"].as_str().unwrap().contains(HOSTILE), "{s}");
    assert_eq!(s["elements"], 0, "markup from data in the results: {s}");
    assert_eq!(s["pwn"], Value::Null, "{s}");
    no_console_errors(&browser);
}
