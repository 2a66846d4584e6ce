//! A private portal in headless Chromium: the tiny fixture built with
//! `[privacy]` and opened from `file://`. The unlock form appears, a wrong
//! password says so and lets the reader retry, the right one shows the
//! page with its chart drawn; another page of the same tab opens without
//! asking and shows its table filled; search finds a page through the
//! sealed index; a download link saves the decrypted CSV; "Lock" forgets
//! the key. Then over HTTP under a sub-path, the same unlock works.
//!
//! Needs Chromium and chromedriver (`apt-get install -y chromium
//! chromium-driver`); without them the test fails and says so.

mod common;

use common::Fixture;
use common::browser::{Browser, StaticServer};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const PASSWORD: &str = "kopi-tubruk-42";
const VARIABLE: &str = "BROWSER_PORTAL_PASSWORD";
const LONG: Duration = Duration::from_secs(30);

fn private_portal() -> Fixture {
    let f = Fixture::new("tiny");
    f.edit(
        "content/_index.md",
        "currency = \"USD\"\n",
        &format!("currency = \"USD\"\n\n[privacy]\npassword_env = \"{VARIABLE}\"\n"),
    );
    let run = Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .args(["build", "--no-cache", "--quiet", "--root"])
        .arg(f.root())
        .env(VARIABLE, PASSWORD)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    f
}

fn file_url(public: &Path, page: &str) -> String {
    format!("file://{}", public.join(page).display())
}

/// Wait until the unlock form shows; then type `password` and submit.
fn unlock_with(browser: &Browser, password: &str) {
    browser.wait_until(
        "var f = document.getElementById('wawasan-unlock'); return f && !f.hidden;",
        LONG,
    );
    browser.execute(
        "var input = document.getElementById('wawasan-password');\n\
         input.value = arguments[0];\n\
         document.getElementById('wawasan-unlock-button').click();",
        &[json!(password)],
    );
}

/// The page is open: its `<h1>`, once scripts ran.
fn opened(browser: &Browser) -> String {
    let value = browser.wait_until(
        "if (document.getElementById('wawasan-sealed') || document.readyState !== 'complete') return null;\n\
         var h = document.querySelector('main h1'); return h && h.textContent;",
        LONG,
    );
    value.as_str().unwrap_or_default().to_string()
}

/// The first chart's canvas: its size and how many pixels are painted,
/// once ECharts drew it.
const CHART: &str = r#"
var c = document.querySelector('figure.chart canvas');
if (!c || !window.echarts) return null;
var data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
for (var i = 3; i < data.length; i += 4) if (data[i]) n++;
if (n < 500) return null;
return {width: c.clientWidth, height: c.clientHeight, painted: n,
        charts: document.querySelectorAll('figure.chart').length};
"#;

#[test]
fn the_password_opens_pages_charts_tables_search_and_downloads() {
    let f = private_portal();
    let public = f.path("public");
    let browser = Browser::start();
    browser.goto(&file_url(&public, "shop/index.html"));
    let title = browser.execute("return document.title;", &[]);
    assert_eq!(title, json!("Protected portal"));

    // A wrong password: the message, and the form stays for a retry.
    unlock_with(&browser, "teh-manis");
    let message = browser.wait_until(
        "var m = document.getElementById('wawasan-unlock-message');\n\
         return m && m.classList.contains('is-error') && m.textContent;",
        LONG,
    );
    assert_eq!(message, json!("Wrong password. Try again."));
    assert_eq!(
        browser.execute(
            "return !!document.getElementById('wawasan-sealed') && \
             !document.getElementById('wawasan-unlock-button').disabled;",
            &[]
        ),
        json!(true)
    );

    // The right one: the overview with its chart drawn.
    unlock_with(&browser, PASSWORD);
    assert_eq!(opened(&browser), "Overview");
    let chart = browser.wait_until(CHART, LONG);
    assert!(chart["width"].as_f64().unwrap() > 100.0, "{chart}");
    assert!(chart["height"].as_f64().unwrap() > 100.0, "{chart}");
    assert_eq!(chart["charts"], json!(2), "{chart}");
    let text = browser.execute("return document.body.innerText;", &[]);
    assert!(text.as_str().unwrap().contains("1,800"), "{text}");

    // Another page of the tab: no prompt, its table filled (Set 4+2+1,
    // kurta 2+1+1, Top 2 once the cancelled order is filtered out).
    browser.goto(&file_url(&public, "shop/findings.html"));
    assert_eq!(opened(&browser), "Findings");
    let rows = browser.wait_until(
        "var rows = document.querySelectorAll('.content table tbody tr');\n\
         if (!rows.length) return null;\n\
         return Array.prototype.map.call(rows, function (r) {\n\
           return Array.prototype.map.call(r.cells, function (c) { return c.textContent.trim(); }).join('|');\n\
         });",
        LONG,
    );
    assert_eq!(rows, json!(["Set|7", "kurta|4", "Top|2"]));

    // Search reads the sealed index: "top" is only in the findings' text.
    browser.type_keys("/");
    browser.type_keys("top category");
    let links = browser.wait_until(
        "var items = document.querySelectorAll('#site-search-results [role=\"option\"] a');\n\
         if (!items.length) return null;\n\
         return Array.prototype.map.call(items, function (a) { return a.getAttribute('href'); });",
        LONG,
    );
    let links: Vec<String> = serde_json::from_value(links).unwrap();
    assert!(
        links.iter().any(|l| l.ends_with("shop/findings.html")),
        "{links:?}"
    );
    browser.type_keys("\u{E00C}"); // Escape

    // A CSV link: the click loads the sealed `.csv.js`, decrypts it and
    // saves it through a Blob URL, whose bytes are read back here.
    let href = browser.execute(
        "var a = Array.prototype.filter.call(document.querySelectorAll('a[href]'),\n\
           function (a) { return /by_category\\.csv$/.test(a.getAttribute('href')); })[0];\n\
         if (!a) return null;\n\
         var created = URL.createObjectURL;\n\
         URL.createObjectURL = function (blob) {\n\
           blob.text().then(function (t) { window.__saved = {text: t, type: blob.type}; });\n\
           return created.call(URL, blob);\n\
         };\n\
         a.click();\n\
         return a.getAttribute('href');",
        &[],
    );
    assert!(href.as_str().is_some(), "no link to the by_category CSV");
    let saved = browser.wait_until("return window.__saved || null;", LONG);
    let csv = saved["text"].as_str().unwrap();
    for row in ["Set,7", "kurta,4", "Top,2"] {
        assert!(csv.contains(row), "{csv}");
    }
    assert!(
        saved["type"].as_str().unwrap().starts_with("text/csv"),
        "{saved}"
    );
    assert!(
        browser.url().ends_with("shop/findings.html"),
        "stayed on the page"
    );

    // Lock: the key is forgotten and the form is back.
    browser.execute(
        "document.querySelector('button.wawasan-lock').click();",
        &[],
    );
    browser.wait_until(
        "var f = document.getElementById('wawasan-unlock'); return f && !f.hidden;",
        LONG,
    );
    let kept = browser.execute("return sessionStorage.length;", &[]);
    assert_eq!(kept, json!(0));
}

#[test]
fn the_portal_unlocks_under_a_sub_path_over_http() {
    let f = private_portal();
    // The fixture root is served, so the site lives under `/public/`.
    let server = StaticServer::start(f.root());
    let browser = Browser::start();
    browser.goto(&server.url("public/index.html"));
    unlock_with(&browser, PASSWORD);
    assert_eq!(opened(&browser), "Tiny portal");
    let card: Value = browser.wait_until(
        "var a = document.querySelector('main a[href$=\"shop/index.html\"]'); return a && a.href;",
        LONG,
    );
    assert!(
        card.as_str().unwrap().contains("/public/shop/index.html"),
        "{card}"
    );
    browser.goto(&server.url("public/shop/index.html"));
    assert_eq!(opened(&browser), "Overview");
    browser.wait_until(CHART, LONG);
}
