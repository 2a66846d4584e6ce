//! What a build exports and what its results cache holds: analysis tables
//! and the query results pages show or the report marks `export`, but no
//! hidden working query; a cache of data only, whose cached builds write
//! exactly what a fresh build writes.

mod common;

use common::{Fixture, snapshot};

/// The tiny portal with a hidden query, an exported hidden query and a
/// hidden query previewed without its download.
fn with_queries() -> Fixture {
    let f = Fixture::new("tiny");
    f.edit(
        "content/shop/findings.md",
        "The top category is",
        "```sql working hide\nSELECT * FROM sales\n```\n\n\
         ```sql monthly hide export\nSELECT COUNT(*) AS lines FROM sales\n```\n\n\
         ```sql peek hide\nSELECT \"Order ID\", Qty FROM sales ORDER BY \"Order ID\", Qty\n```\n\n\
         {{ table(name=\"peek\", limit=2, download=false) }}\n\n\
         The top category is",
    );
    f
}

#[test]
fn only_shown_and_declared_tables_are_exported() {
    let f = with_queries();
    f.build();
    let results = f.path("public/shop/results");
    let mut names: Vec<String> = std::fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "b2b.json",
            "b2b.mix_category.csv",
            "b2b.mix_month.csv",
            "b2b.mix_weekday.csv",
            "b2b.ratios.csv",
            "b2b.segments.csv",
            "by_category.csv",
            "monthly.csv",
            "shop.xlsx"
        ]
    );
    assert_eq!(f.read("public/shop/results/monthly.csv"), "lines\n7\n");
    let findings = f.read("public/shop/findings.html");
    // The preview shows its two rows without a download link.
    assert!(findings.contains("<td>O1</td>"), "{findings}");
    assert!(!findings.contains("results/peek.csv"), "{findings}");
    assert!(findings.contains("results/by_category.csv"), "{findings}");
}

#[test]
fn cached_builds_write_what_fresh_builds_write() {
    let f = with_queries();
    let fresh = f.run_with("build", &["--no-cache"]);
    assert!(fresh.ok, "{}", fresh.stderr);
    let expected = snapshot(&f.path("public"));
    let again = f.run_with("build", &["--no-cache"]);
    assert!(again.ok, "{}", again.stderr);
    assert!(
        expected == snapshot(&f.path("public")),
        "two fresh builds differ"
    );
    // The first cached build fills the cache, the second reads it.
    for run in 0..2 {
        let cached = f.run("build");
        assert!(cached.ok, "{}", cached.stderr);
        assert!(
            cached.stderr.contains(&format!("({run} from cache)")),
            "{}",
            cached.stderr
        );
        assert!(
            expected == snapshot(&f.path("public")),
            "cached build {run} differs"
        );
    }
}

#[test]
fn the_cache_holds_data_not_html_or_formatted_numbers() {
    let f = with_queries();
    f.build();
    let cache = f.path(".wawasan-cache/reports/shop");
    let results = std::fs::read_to_string(cache.join("results.json")).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&results).unwrap();
    // The KPI is kept as its value (6), not as the text "6.0×".
    assert_eq!(parsed["kpis"][0]["value"], 6.0);
    for rendered in ["<figure", "<div", "<table", "6.0×", "$1,800"] {
        assert!(!results.contains(rendered), "{rendered} in the cache");
    }
    // Every table is a file of its own, the hidden working query included
    // (a later page may show it without recomputing anything).
    let tables = parsed["tables"].as_array().unwrap();
    let names: Vec<&str> = tables.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"working") && names.contains(&"b2b.segments"),
        "{names:?}"
    );
    for t in tables {
        assert!(cache.join(t["file"].as_str().unwrap()).is_file());
    }
}

#[test]
fn a_narrative_edit_can_show_a_cached_hidden_query() {
    let f = with_queries();
    f.build();
    f.edit(
        "content/shop/findings.md",
        "The top category is",
        "{{ table(name=\"working\", columns=[\"Category\"], limit=1) }}\n\nThe top category is",
    );
    let run = f.run("build");
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stderr.contains("(1 from cache)"), "{}", run.stderr);
    assert!(f.path("public/shop/results/working.csv").is_file());
    assert!(
        f.read("public/shop/results/working.csv")
            .starts_with("Order ID,Date,Status,Category,")
    );
}
