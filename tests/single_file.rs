//! `build --single-file` writes each report as one self-contained HTML file
//! that opens offline — copied alone into an empty folder, as an e-mail
//! attachment is — with its charts drawn and its tables sortable.

mod common;

use common::Fixture;
use common::browser::Browser;
use std::time::Duration;

fn built() -> (Fixture, String) {
    let f = Fixture::new("tiny");
    let run = f.run_with("build", &["--single-file"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let html = f.read("public/shop.html");
    (f, html)
}

#[test]
fn the_file_links_to_nothing_outside_itself() {
    let (f, html) = built();
    // Every page of the report, in order, as a section of the file.
    let index = html
        .find("id=\"page-index\"")
        .expect("the overview section");
    let findings = html
        .find("id=\"page-findings\"")
        .expect("the findings section");
    assert!(index < findings);
    assert!(html.contains("The top category is Set."), "{html}");
    // Nothing is loaded from elsewhere: no script, stylesheet or icon URL.
    assert!(!html.contains("<script src") && !html.contains("<script defer src"));
    assert!(!html.contains("rel=\"stylesheet\""));
    assert!(html.contains("rel=\"icon\" type=\"image/svg+xml\" href=\"data:image/svg+xml,"));
    // ECharts, the chart data and the theme's styles are inside.
    assert!(html.contains("echarts"), "ECharts is not inlined");
    assert!(html.contains("class=\"chart-option\""));
    assert!(html.contains("<style>") && html.contains(".data-table"));
    // The navigation points at the sections.
    assert!(html.contains("<a href=\"#page-findings\">"), "{html}");
    // The normal site is still written beside it.
    assert!(f.path("public/shop/index.html").is_file());
    // A plain build writes no single file.
    let plain = Fixture::new("tiny");
    plain.build();
    assert!(!plain.path("public/shop.html").exists());
}

#[test]
fn the_file_works_alone_in_a_browser() {
    let (_f, html) = built();
    let alone = tempfile::tempdir().unwrap();
    let path = alone.path().join("shop.html");
    std::fs::write(&path, html).unwrap();

    let browser = Browser::start();
    browser.goto(&format!("file://{}", path.display()));
    browser.wait_until(
        "var f = document.querySelectorAll('figure.chart'); \
         if (!f.length) return false; \
         for (var i = 0; i < f.length; i++) { \
           if (!f[i].querySelector('[_echarts_instance_]')) return false; } \
         return document.readyState === 'complete';",
        Duration::from_secs(20),
    );
    // Every chart drew something: its canvas has non-transparent pixels.
    let blank = browser.execute(
        "var out = []; \
         document.querySelectorAll('figure.chart canvas').forEach(function (c, i) { \
           var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, any = false; \
           for (var j = 3; j < d.length; j += 4) { if (d[j]) { any = true; break; } } \
           if (!any) out.push(i); }); \
         return [document.querySelectorAll('figure.chart canvas').length, out];",
        &[],
    );
    assert!(
        blank[0].as_u64().unwrap_or(0) > 0,
        "no chart canvas: {blank}"
    );
    assert_eq!(blank[1], serde_json::json!([]), "blank canvases: {blank}");
    // A table sorts (site.js is inlined and running).
    let sorted = browser.execute(
        "var th = document.querySelector('table.data-table th'); \
         if (!th || !th.querySelector('button')) return 'no sort button'; th.querySelector('button').click(); \
         return th.getAttribute('aria-sort') || 'unsorted';",
        &[],
    );
    assert!(
        sorted == "ascending" || sorted == "descending",
        "table did not sort: {sorted}"
    );
    let errors: Vec<_> = browser
        .logs()
        .into_iter()
        .filter(|(level, _)| level == "SEVERE")
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

#[test]
fn pages_generated_per_value_are_sections_of_the_file() {
    let f = Fixture::new("per_value");
    let run = f.run_with("build", &["--single-file"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let html = f.read("public/shop.html");
    // Each country's page follows the listing, in the listing's order.
    let at = |id: &str| {
        html.find(&format!("<article class=\"page no-toc\" id=\"{id}\""))
            .unwrap_or_else(|| panic!("no section {id}"))
    };
    let order = [
        at("page-country"),
        at("page-country--indonesia"),
        at("page-country--new-zealand"),
        at("page-country--cote-d-ivoire"),
        at("page-top"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // The listing and the navigation link to the sections, not to files.
    assert!(!html.contains("href=\"country/indonesia.html\""), "{html}");
    assert!(html.contains("<a href=\"#page-country--indonesia\">Indonesia</a>"));
    assert!(
        html.contains("<li><a href=\"#page-country--new-zealand\">Country: New Zealand</a></li>")
    );
    // Each section holds its item's own numbers and chart (by hand from
    // sales.csv: Indonesia Kopi 250, Teh 160; New Zealand Kopi 100).
    let indonesia = &html[order[1]..order[2]];
    assert!(
        indonesia.contains("This country has 3 order lines."),
        "{indonesia}"
    );
    assert!(indonesia.contains("\"data\":[250,160]"), "{indonesia}");
    assert!(indonesia.contains("id=\"country--indonesia--chart-products_bar\""));
    let nz = &html[order[2]..order[3]];
    assert!(nz.contains("\"data\":[100]"), "{nz}");
    // Values stay text here too.
    assert!(!html.contains("<script>alert(1)</script>"));
}
