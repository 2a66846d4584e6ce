//! End-to-end: a built page names every table column, chart series and
//! dropdown by its display name in the report's language, a report's
//! `labels` override them (under a chart's own labels and a table's
//! `headers`), and booleans read as words, in tables, charts and prose.

mod common;

use common::Fixture;
use serde_json::Value;

/// A page of the tiny fixture's shop report that places a built-in table,
/// a query result with the report's own snake_case columns, a chart with a
/// dropdown and a boolean in prose.
const PAGE: &str = r#"+++
title = "Names"
+++

Focus is B2B: {{ b2b.segments.B2B.value }}.

{{ table(name="b2b.segments", columns=["segment", "value", "orders", "revenue", "revenue_share"]) }}

```sql per_kategori
SELECT "Category" AS kode_barang, SUM(Qty) AS rata_rata_qty FROM sales GROUP BY 1 ORDER BY 1
```

{{ table(name="b2b.segments", columns=["segment", "orders"], headers=["Kelompok", "Jumlah"]) }}

{{ chart(name="b2b.top_category") }}

{{ chart(name="share") }}
"#;

/// The tiny fixture in `language`, with the page above, a top list (a
/// chart with a dropdown), a chart of its own and the report's `labels`.
fn fixture(language: &str) -> Fixture {
    let f = Fixture::new("tiny");
    f.edit(
        "content/_index.md",
        "language = \"en\"",
        &format!("language = \"{language}\""),
    )
    .edit(
        "content/shop/_index.md",
        "mix = [\"Category\"]",
        "mix = [\"Category\"]\ntop = [\"Category\"]",
    )
    .edit(
        "content/shop/_index.md",
        "[[sources]]",
        "labels = { revenue = \"Omzet\", orders = \"Order (report)\", \
         order_share = \"Order share (report)\" }\n\n[[sources]]",
    )
    .edit(
        "content/shop/_index.md",
        "[[kpis]]",
        "[charts.share]\ntype = \"bar\"\ntable = \"b2b.segments\"\nx = \"segment\"\n\
         y = [\"revenue_share\", \"order_share\"]\n\
         labels = { order_share = \"Order share (chart)\" }\n\n[[kpis]]",
    )
    .write("content/shop/names.md", PAGE);
    f.build();
    f
}

/// The texts of every `<th>` of `html`, in order.
fn headers(html: &str) -> Vec<String> {
    html.split("<th")
        .skip(1)
        .filter(|rest| rest.starts_with([' ', '>']))
        .map(|rest| {
            let start = rest.find('>').unwrap() + 1;
            let end = rest.find("</th>").unwrap();
            rest[start..end].to_string()
        })
        .collect()
}

/// The option JSON of every chart of `html`, in order.
fn charts(html: &str) -> Vec<Value> {
    let open = "<script type=\"application/json\" class=\"chart-option\">";
    html.split(open)
        .skip(1)
        .map(|rest| serde_json::from_str(&rest[..rest.find("</script>").unwrap()]).unwrap())
        .collect()
}

/// The series names of a chart option (the first option of a dropdown chart).
fn series_names(option: &Value) -> Vec<String> {
    let option = option
        .get("wawasanSelect")
        .map_or(option, |s| &s["options"][0]);
    option["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

/// The visible label of the first chart dropdown of `html`.
fn dropdown_label(html: &str) -> &str {
    let open = "<label class=\"chart-select-label\"><span>";
    let at = html.find(open).unwrap() + open.len();
    &html[at..at + html[at..].find("</span>").unwrap()]
}

#[test]
fn indonesian_pages_show_display_names_and_words_for_booleans() {
    let f = fixture("id");
    let html = f.read("public/shop/names.html");
    assert_eq!(
        headers(&html),
        [
            // b2b.segments: built-in names, `revenue` from the report's labels.
            "Segmen",
            "Nilai",
            "Order (report)",
            "Omzet",
            "Porsi pendapatan",
            // The query's own columns, humanised.
            "Kode barang",
            "Rata-rata qty",
            // Explicit headers win over everything.
            "Kelompok",
            "Jumlah",
        ]
    );
    // Booleans: table cells and prose.
    assert!(
        html.contains("<td>Ya</td>") && html.contains("<td>Tidak</td>"),
        "{html}"
    );
    assert!(!html.contains(">true<") && !html.contains(">false<"));
    assert!(html.contains("Focus is B2B: Ya."), "{html}");
    // Money and share columns formatted as such without being told:
    // B2B revenue 3600 of 4800 (see tests/portal.rs).
    assert!(html.contains(">$3.600</td>"), "{html}");
    assert!(html.contains(">75,0%</td>"), "{html}");

    let options = charts(&html);
    assert_eq!(options.len(), 2);
    // The top list: units under their built-in name, a dropdown of segments.
    assert_eq!(series_names(&options[0]), ["Unit"]);
    assert_eq!(options[0]["wawasanSelect"]["label"], "Segmen");
    assert_eq!(dropdown_label(&html), "Segmen");
    // The chart's own label beats the report's; a chart of shares only is
    // a percent chart without being told.
    assert_eq!(
        series_names(&options[1]),
        ["Porsi pendapatan", "Order share (chart)"]
    );
    let figure = &html[html.find("id=\"chart-share\"").unwrap()..];
    assert!(
        figure[..200].contains("data-format=\"percent\""),
        "{figure}"
    );
}

#[test]
fn english_pages_show_display_names_and_words_for_booleans() {
    let f = fixture("en");
    let html = f.read("public/shop/names.html");
    assert_eq!(
        headers(&html),
        [
            "Segment",
            "Value",
            "Order (report)",
            "Omzet",
            "Revenue share",
            "Kode barang",
            "Rata-rata qty",
            "Kelompok",
            "Jumlah",
        ]
    );
    assert!(
        html.contains("<td>Yes</td>") && html.contains("<td>No</td>"),
        "{html}"
    );
    assert!(html.contains("Focus is B2B: Yes."), "{html}");
    assert!(html.contains(">$3,600</td>"), "{html}");
    let options = charts(&html);
    assert_eq!(series_names(&options[0]), ["Units"]);
    assert_eq!(dropdown_label(&html), "Segment");
    assert_eq!(
        series_names(&options[1]),
        ["Revenue share", "Order share (chart)"]
    );
}
