//! End-to-end tests: fixture portals built by the real binary.

mod common;

use common::{Fixture, snapshot};

fn close(actual: &serde_json::Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() < 1e-9, "expected {expected}, got {a}");
}

/// Expected values worked out by hand from tests/fixtures/tiny/data/sales.csv.
/// After dropping the Cancelled line (O6):
///   B2B lines: O1 Set 4×2000 · O1 kurta 2×1000 · O2 Set 2×600 (Saturday)
///   B2C lines: O3 kurta 1×300 · O4 Set 1×500 · O5 kurta 1×(missing) (Sunday) · O7 Top 2×400
/// B2B: orders 2, revenue 3600, AOV 1800, qty 8, avg_qty 4, weekday qty 6/8.
/// B2C: orders 4, revenue 1200 (O5 excluded), AOV 300, qty 5, avg_qty 1.25, weekday qty 4/5.
#[test]
fn segment_comparison_matches_hand_computed_numbers() {
    let f = Fixture::new("tiny");
    f.build();
    let r = f.json("public/shop/results/b2b.json");
    let b2b = &r["segments"]["B2B"];
    let b2c = &r["segments"]["B2C"];
    close(&b2b["orders"], 2.0);
    close(&b2b["revenue"], 3600.0);
    close(&b2b["aov"], 1800.0);
    close(&b2b["avg_qty"], 4.0);
    close(&b2c["orders"], 4.0);
    close(&b2c["revenue"], 1200.0);
    close(&b2c["aov"], 300.0);
    close(&b2c["avg_qty"], 1.25);
    close(&b2b["revenue_share"], 0.75);
    close(&b2b["order_share"], 2.0 / 6.0);
    close(&b2b["weekday_share"], 0.75);
    close(&b2c["weekday_share"], 0.8);
    close(&r["ratios"]["aov"], 6.0);
    close(&r["ratios"]["avg_qty"], 3.2);
    close(&r["dropped_missing_amount"], 1.0);
    // Category qty shares: B2B Set 6/8, B2C Set 1/5 -> index 3.75.
    close(&r["mix"]["Category"]["Set"]["index"], 3.75);
    close(&r["mix"]["Category"]["kurta"]["index"], 0.625);
    assert_eq!(r["top_index"]["Category"], "Set");
}

#[test]
fn pages_show_injected_numbers_charts_and_query_results() {
    let f = Fixture::new("tiny");
    f.build();
    let overview = f.read("public/shop/index.html");
    assert!(
        overview.contains("B2B AOV is $1,800, 6.0× the B2C AOV."),
        "{overview}"
    );
    assert!(overview.contains("class=\"chart chart-bar\""));
    // ECharts is linked under its content-hashed name, and that file exists.
    let echarts = linked_asset(&overview, "vendor/echarts/echarts.min.")
        .unwrap_or_else(|| panic!("no ECharts script in {overview}"));
    assert!(echarts.ends_with(".js"), "{echarts}");
    let written = f.path("public").join(&echarts);
    assert!(written.is_file(), "{} missing", written.display());
    assert!(
        !f.path("public/assets/vendor/echarts/echarts.min.js")
            .exists()
    );
    let findings = f.read("public/shop/findings.html");
    assert!(findings.contains("The top category is Set."), "{findings}");
    assert!(findings.contains("class=\"data-table\""));
    assert_eq!(
        f.read("public/shop/results/by_category.csv"),
        "Category,qty\nSet,7\nkurta,4\nTop,2\n"
    );
    assert!(
        f.read("public/shop/results/b2b.segments.csv")
            .starts_with("segment,")
    );
    assert!(f.path("public/shop/results/shop.xlsx").is_file());
    let index = f.read("public/index.html");
    assert!(
        index.contains("Shop") && index.contains("6.0×"),
        "index shows the KPI"
    );
}

#[test]
fn output_is_byte_identical_across_builds() {
    let f = Fixture::new("tiny");
    let build = || assert!(f.run_with("build", &["--no-cache"]).ok);
    build();
    let first = snapshot(&f.path("public"));
    build();
    assert!(first == snapshot(&f.path("public")), "two builds differ");
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let f = Fixture::new("tiny");
    f.build();
    let before = snapshot(&f.path("public"));
    f.edit(
        "content/shop/_index.md",
        "{{ b2b.ratios.aov | ratio }}",
        "{{ b2b.ratios.nope }}",
    );
    assert!(!f.run("build").ok);
    assert!(
        before == snapshot(&f.path("public")),
        "public/ changed after a failed build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(f.root())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "staging folder left behind");
}

#[test]
fn missing_column_names_the_file_and_setting_line() {
    let f = Fixture::new("tiny");
    f.edit(
        "content/shop/_index.md",
        "amount = \"Amount\"",
        "amount = \"Amont\"",
    );
    let run = f.run("check");
    assert!(!run.ok);
    let expected_line = f.line_of("content/shop/_index.md", "\"Amont\"");
    assert!(
        run.stderr
            .contains(&format!("shop/_index.md:{expected_line}:")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Amont"), "{}", run.stderr);
}

#[test]
fn bad_date_names_the_data_file_and_line() {
    let f = Fixture::new("tiny");
    f.edit("data/sales.csv", "O4,03-09-22", "O4,2022/03/09");
    let run = f.run("build");
    assert!(!run.ok);
    // Header is line 1; O4 is the fifth data row -> line 6.
    assert!(
        run.stderr.contains("sales.csv:6\n") || run.stderr.contains("sales.csv:6:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2022/03/09"), "{}", run.stderr);
}

#[test]
fn broken_front_matter_names_the_file_and_line() {
    let f = Fixture::new("tiny");
    f.edit("content/shop/_index.md", "summary = ", "sumary = ");
    let run = f.run("check");
    assert!(!run.ok);
    assert!(run.stderr.contains("shop/_index.md:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("sumary"), "{}", run.stderr);
}

#[test]
fn unknown_reference_names_the_page_and_line() {
    let f = Fixture::new("tiny");
    f.edit(
        "content/shop/findings.md",
        "{{ by_category[0].Category }}",
        "{{ by_categry[0].Category }}",
    );
    let run = f.run("check");
    assert!(!run.ok);
    let line = f.line_of("content/shop/findings.md", "by_categry");
    assert!(
        run.stderr.contains(&format!("findings.md:{line}:")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("by_categry"), "{}", run.stderr);
}

#[test]
fn unknown_chart_and_unknown_analysis_are_errors() {
    let f = Fixture::new("tiny");
    f.edit(
        "content/shop/_index.md",
        "{{ chart(name=\"aov\") }}",
        "{{ chart(name=\"aovv\") }}",
    );
    let run = f.run("check");
    assert!(!run.ok && run.stderr.contains("aovv"), "{}", run.stderr);

    let g = Fixture::new("tiny");
    g.edit(
        "content/shop/_index.md",
        "kind = \"segment_comparison\"",
        "kind = \"segment_comparisn\"",
    );
    let run = g.run("check");
    assert!(
        !run.ok && run.stderr.contains("segment_comparisn"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("shop/_index.md:"), "{}", run.stderr);
}

#[test]
fn check_writes_nothing() {
    let f = Fixture::new("tiny");
    let run = f.run("check");
    assert!(run.ok, "{}", run.stderr);
    assert!(!f.path("public").exists());
}

#[test]
fn hostile_category_is_escaped_in_html_and_chart_json() {
    let f = Fixture::new("tiny");
    let evil = "</script><script>alert(1)</script>";
    f.edit(
        "data/sales.csv",
        "O7,04-04-22,Shipped,Top",
        &format!("O7,04-04-22,Shipped,{evil}"),
    );
    f.build();
    for page in ["public/shop/index.html", "public/shop/findings.html"] {
        let html = f.read(page);
        assert!(
            !html.contains("<script>alert(1)"),
            "{page} contains the raw payload"
        );
    }
    let overview = f.read("public/shop/index.html");
    assert!(
        overview.contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"),
        "payload should be \\u-escaped in chart JSON"
    );
    let findings = f.read("public/shop/findings.html");
    assert!(
        findings.contains("&lt;/script&gt;&lt;script&gt;alert(1)"),
        "payload escaped in the table"
    );
}

#[test]
fn init_scaffolds_a_portal_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .args(["init"])
        .arg(&target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .args(["build", "--root"])
        .arg(&target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(target.join("public/example/index.html")).unwrap();
    assert!(page.contains("Pesanan B2B bernilai rata-rata"));
    assert!(!page.contains("{{"));
}

#[test]
fn cache_reuses_results_until_data_or_settings_change() {
    let f = Fixture::new("tiny");
    let first = f.run("build");
    assert!(first.stderr.contains("(0 from cache)"), "{}", first.stderr);
    // A narrative-only edit reuses the results and still shows the new text.
    f.edit(
        "content/shop/findings.md",
        "The top category is",
        "Top category:",
    );
    let second = f.run("build");
    assert!(
        second.stderr.contains("(1 from cache)"),
        "{}",
        second.stderr
    );
    assert!(
        f.read("public/shop/findings.html")
            .contains("Top category: Set.")
    );
    // A data edit recomputes: O7 (Top, qty 2) becomes qty 9.
    f.edit(
        "data/sales.csv",
        "O7,04-04-22,Shipped,Top,S,2,",
        "O7,04-04-22,Shipped,Top,S,9,",
    );
    let third = f.run("build");
    assert!(third.stderr.contains("(0 from cache)"), "{}", third.stderr);
    assert!(
        f.read("public/shop/results/by_category.csv")
            .contains("Top,9")
    );
}

#[test]
fn long_builds_show_progress_quiet_ones_and_quiet_builds_do_not() {
    let f = Fixture::new("tiny");
    let run = |args: &[&str], after_ms: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wawasan"))
            .args(["build", "--no-cache", "--root"])
            .arg(f.root())
            .args(args)
            .env("WAWASAN_PROGRESS_AFTER_MS", after_ms)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    // Shown at once: one plain line per finished step (stderr is a pipe).
    // The tiny report has a source, a query and an analysis, then the site
    // is rendered, the report's downloads made and the site written: 6 steps.
    let shown = run(&[], "0");
    assert!(
        shown.contains("] shop: load sales (8 rows, 7 kept) — 1/6 steps"),
        "{shown}"
    );
    assert!(shown.contains("] shop: exports (8 files, "), "{shown}");
    assert!(
        shown.contains("shop: query by_category (3 rows)"),
        "{shown}"
    );
    assert!(shown.contains("shop: analysis b2b — "), "{shown}");
    assert!(shown.contains("] write — 6/6 steps"), "{shown}");
    // A build done within the default second shows none of it.
    let quick = run(&[], "60000");
    assert!(!quick.contains("steps"), "{quick}");
    assert!(quick.contains("Wrote "), "{quick}");
    // --quiet prints nothing at all.
    assert_eq!(run(&["--quiet"], "0"), "");
}

#[test]
fn queries_see_earlier_queries_only_whatever_order_they_run_in() {
    let f = Fixture::new("tiny");
    f.edit(
        "content/shop/findings.md",
        "The top category is",
        "```sql totals hide\nSELECT Category, SUM(Qty) AS qty FROM sales GROUP BY Category\n```\n\n\
         ```sql lines hide\nSELECT COUNT(*) AS n FROM sales\n```\n\n\
         ```sql best hide\nSELECT Category FROM totals ORDER BY qty DESC, Category LIMIT 1\n```\n\n\
         Best: {{ best[0].Category }}, {{ lines[0].n }} lines. The top category is",
    );
    f.build();
    assert!(
        f.read("public/shop/findings.html")
            .contains("Best: Set, 7 lines."),
        "{}",
        f.read("public/shop/findings.html")
    );
    // A query naming a later one does not see it.
    f.edit(
        "content/shop/findings.md",
        "SELECT COUNT(*) AS n FROM sales",
        "SELECT COUNT(*) AS n FROM best",
    );
    let run = f.run("check");
    assert!(!run.ok);
    // The error points into the query: its first line, after the fence.
    let line = f.line_of("content/shop/findings.md", "```sql lines") + 1;
    assert!(
        run.stderr.contains(&format!("findings.md:{line}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("query `lines`"), "{}", run.stderr);
}

/// The path below `public/` of the asset whose name starts with `prefix`
/// (below `assets/`) that a page links to, with `&#x2F;` decoded.
fn linked_asset(html: &str, prefix: &str) -> Option<String> {
    let html = html.replace("&#x2F;", "/");
    let start = html.find(&format!("assets/{prefix}"))?;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].to_string())
}

#[test]
fn echarts_loads_only_on_pages_with_charts_and_every_page_has_a_favicon() {
    let f = Fixture::new("tiny");
    f.build();
    let mut with_charts = 0;
    let mut without = 0;
    for entry in walkdir::WalkDir::new(f.path("public")) {
        let entry = entry.expect("list public/");
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).expect("read a page");
        let favicon = linked_asset(&html, "favicon.")
            .unwrap_or_else(|| panic!("{} has no favicon", entry.path().display()));
        assert!(f.path("public").join(&favicon).is_file(), "{favicon}");
        let charts = html.contains("class=\"chart-option\"");
        assert_eq!(
            charts,
            html.contains("echarts.min."),
            "{}: ECharts loaded iff the page has a chart",
            entry.path().display()
        );
        if charts {
            with_charts += 1;
        } else {
            without += 1;
        }
    }
    assert!(with_charts > 0 && without > 0, "{with_charts} {without}");
}

#[test]
fn a_report_in_another_language_reads_in_it_everywhere() {
    let f = Fixture::new("tiny");
    f.edit(
        "content/shop/_index.md",
        "title = \"Shop\"",
        "title = \"Shop\"\nlanguage = \"id\"",
    );
    f.build();
    let page = f.read("public/shop/findings.html");
    assert!(page.contains("<html lang=\"id\">"), "{page}");
    // The theme's strings of the report's pages are Indonesian...
    assert!(page.contains("Langsung ke konten"), "{page}");
    assert!(!page.contains("Skip to content"), "{page}");
    // ... while the portal's own index stays English.
    let index = f.read("public/index.html");
    assert!(index.contains("<html lang=\"en\">"));
    assert!(index.contains("Skip to content"));
}

#[test]
fn a_moved_portal_keeps_its_cache() {
    let f = Fixture::new("tiny");
    let first = f.run("build");
    assert!(first.stderr.contains("(0 from cache)"), "{}", first.stderr);
    let moved = tempfile::tempdir().unwrap();
    common::copy_dir(f.root(), moved.path());
    assert!(moved.path().join(".wawasan-cache").is_dir());
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .args(["build", "--root"])
        .arg(moved.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("(1 from cache)"), "{stderr}");
    assert_eq!(
        std::fs::read(moved.path().join("public/shop/findings.html")).unwrap(),
        std::fs::read(f.path("public/shop/findings.html")).unwrap()
    );
}
