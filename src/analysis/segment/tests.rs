//! Tests of the segment comparison on a ten-line table worked out by hand.

use super::*;
use crate::analysis::AnalysisSpec;
use crate::data::Tables;
use chrono::NaiveDate;
use polars::prelude::DataFrame;
use serde_json::json;

/// Ten order lines. B2B (true): O1 has two lines; O3 is on a Saturday.
/// B2C (false): O5 has no amount; O5 and O6 are on a weekend.
///
/// | order | B2B   | amount | qty | date (day)      | category | size |
/// |-------|-------|--------|-----|-----------------|----------|------|
/// | O1    | true  | 100    | 4   | 2022-04-04 Mon  | Set      | L    |
/// | O1    | true  | 50     | 2   | 2022-04-04 Mon  | kurta    | XL   |
/// | O2    | true  | 150    | 5   | 2022-04-05 Tue  | Set      | L    |
/// | O3    | true  | 60     | 3   | 2022-05-07 Sat  | Top      | M    |
/// | O4    | false | 40     | 1   | 2022-04-04 Mon  | kurta    | M    |
/// | O5    | false | -      | 1   | 2022-04-09 Sat  | Set      | S    |
/// | O6    | false | 30     | 1   | 2022-04-10 Sun  | kurta    | M    |
/// | O7    | false | 50     | 2   | 2022-05-02 Mon  | Top      | L    |
/// | O8    | false | 20     | 1   | 2022-05-03 Tue  | kurta    | S    |
/// | O9    | false | 60     | 1   | 2022-05-06 Fri  | Set      | M    |
fn sales() -> DataFrame {
    let d = |m, day| NaiveDate::from_ymd_opt(2022, m, day).unwrap();
    polars::df!(
        "Order ID" => ["O1", "O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8", "O9"],
        "B2B" => [true, true, true, true, false, false, false, false, false, false],
        "Amount" => [Some(100.0), Some(50.0), Some(150.0), Some(60.0), Some(40.0), None,
                     Some(30.0), Some(50.0), Some(20.0), Some(60.0)],
        "Qty" => [4i64, 2, 5, 3, 1, 1, 1, 2, 1, 1],
        "Date" => [d(4, 4), d(4, 4), d(4, 5), d(5, 7), d(4, 4), d(4, 9), d(4, 10), d(5, 2),
                   d(5, 3), d(5, 6)],
        "Category" => ["Set", "kurta", "Set", "Top", "kurta", "Set", "kurta", "Top", "kurta", "Set"],
        "Size" => ["L", "XL", "L", "M", "M", "S", "M", "L", "S", "M"]
    )
    .unwrap()
}

const BASE: &str = r#"
kind = "segment_comparison"
table = "sales"
segment = "B2B"
order_id = "Order ID"
amount = "Amount"
qty = "Qty"
"#;

const FULL: &str = r#"
labels = { true = "B2B", false = "B2C" }
date = "Date"
mix = ["Category", "Size"]
top = ["Category"]
top_n = 2
"#;

fn parse(front_matter: &str) -> SegmentSpec {
    match toml::from_str::<AnalysisSpec>(front_matter).unwrap() {
        AnalysisSpec::SegmentComparison(s) => s,
        other => panic!("parsed as {other:?}"),
    }
}

fn run_spec(df: DataFrame, spec: &SegmentSpec, language: Language) -> Result<AnalysisOutput> {
    let tables: Tables = [("sales".to_string(), df)].into_iter().collect();
    let ctx = AnalysisContext {
        tables: &tables,
        language,
    };
    run(spec, &ctx)
}

/// Run `BASE` plus `extra` settings in English.
fn run_on(df: DataFrame, extra: &str) -> Result<AnalysisOutput> {
    run_spec(df, &parse(&format!("{BASE}{extra}")), Language::En)
}

fn full() -> AnalysisOutput {
    run_on(sales(), FULL).unwrap()
}

/// Assert a JSON number equals `expected` to 1e-12.
fn close(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!(
        (got - expected).abs() < 1e-12,
        "got {got}, expected {expected}"
    );
}

fn error_of(df: DataFrame, extra: &str) -> String {
    run_on(df, extra).unwrap_err().to_string()
}

#[test]
fn front_matter_parses_with_defaults() {
    let s = parse(&format!("{BASE}{FULL}"));
    assert_eq!(s.labels.get("true").map(String::as_str), Some("B2B"));
    assert_eq!(s.compare, None);
    assert_eq!(parse(BASE).top_n, 10);
    assert!(toml::from_str::<AnalysisSpec>(&format!("{BASE}tpo_n = 3")).is_err());
}

#[test]
fn segment_metrics_match_hand_computed_values() {
    let r = full().result;
    assert_eq!(r["focus"], json!("B2B"));
    assert_eq!(r["baseline"], json!("B2C"));
    assert_eq!(r["dropped_missing_amount"], json!(1));
    let (b2b, b2c) = (&r["segments"]["B2B"], &r["segments"]["B2C"]);
    // A boolean segment column keeps its values boolean.
    assert_eq!(b2b["value"], json!(true));
    // B2B: orders {O1, O2, O3} = 3; lines 4; revenue 100+50+150+60 = 360;
    // qty 4+2+5+3 = 14; AOV 360/3 = 120; avg_qty 14/3; qty per line 14/4.
    close(&b2b["orders"], 3.0);
    close(&b2b["lines"], 4.0);
    close(&b2b["revenue"], 360.0);
    close(&b2b["aov"], 120.0);
    close(&b2b["avg_qty"], 14.0 / 3.0);
    close(&b2b["qty_per_line"], 3.5);
    // B2C: 6 orders, revenue 40+30+50+20+60 = 200 (O5 left out, not 0),
    // qty 7; AOV 200/6; avg_qty 7/6; one missing amount.
    close(&b2c["orders"], 6.0);
    close(&b2c["revenue"], 200.0);
    close(&b2c["aov"], 200.0 / 6.0);
    close(&b2c["avg_qty"], 7.0 / 6.0);
    assert_eq!(b2c["missing_amount"], json!(1));
    // Shares: revenue 360/560 = 9/14, orders 3/9 = 1/3.
    close(&b2b["revenue_share"], 9.0 / 14.0);
    close(&b2c["revenue_share"], 5.0 / 14.0);
    close(&b2b["order_share"], 1.0 / 3.0);
    // Weekday share: B2B Mon-Fri qty 4+2+5 = 11 of 14; B2C 1+2+1+1 = 5 of 7.
    close(&b2b["weekday_share"], 11.0 / 14.0);
    close(&b2c["weekday_share"], 5.0 / 7.0);
    // Ratios: AOV 120 / (200/6) = 3.6; avg_qty (14/3)/(7/6) = 4;
    // orders 3/6; qty per line 3.5/(7/6) = 3; weekday (11/14)/(5/7) = 1.1.
    let ratios = &r["ratios"];
    close(&ratios["aov"], 3.6);
    close(&ratios["avg_qty"], 4.0);
    close(&ratios["orders"], 0.5);
    close(&ratios["revenue"], 1.8);
    close(&ratios["qty_per_line"], 3.0);
    close(&ratios["weekday_share"], 1.1);
}

#[test]
fn mix_shares_and_indexes_match_hand_computed_values() {
    let r = full().result;
    // Category qty: B2B Set 4+5 = 9, kurta 2, Top 3 (of 14);
    // B2C Set 1+1 = 2, kurta 1+1+1 = 3, Top 2 (of 7).
    let set = &r["mix"]["Category"]["Set"];
    close(&set["share"]["B2B"], 9.0 / 14.0);
    close(&set["share"]["B2C"], 2.0 / 7.0);
    close(&set["qty"]["B2B"], 9.0);
    // Index Set = (9/14)/(2/7) = 2.25; kurta = (2/14)/(3/7) = 1/3.
    close(&set["index"], 2.25);
    close(&r["mix"]["Category"]["kurta"]["index"], 1.0 / 3.0);
    assert_eq!(r["top_index"]["Category"], json!("Set"));
    // Size XL: B2B 2/14, B2C 0 -> undefined index (null, never NaN/inf);
    // S: 0 / (2/7) = 0. Highest defined index is L: (9/14)/(2/7) = 2.25.
    assert_eq!(r["mix"]["Size"]["XL"]["index"], Value::Null);
    close(&r["mix"]["Size"]["S"]["index"], 0.0);
    assert_eq!(r["top_index"]["Size"], json!("L"));
    // Weekday: Monday B2B 4+2 = 6 of 14, B2C 1+2 = 3 of 7 -> index 1;
    // Wednesday has no qty in either segment -> shares 0, index null.
    close(&r["weekday"]["Mon"]["share"]["B2B"], 6.0 / 14.0);
    close(&r["weekday"]["Mon"]["index"], 1.0);
    close(&r["weekday"]["Wed"]["share"]["B2C"], 0.0);
    assert_eq!(r["weekday"]["Wed"]["index"], Value::Null);
    // Month 2022-04: B2B 4+2+5 = 11 of 14, B2C 1+1+1 = 3 of 7 -> 11/6.
    close(&r["month"]["2022-04"]["share"]["B2B"], 11.0 / 14.0);
    close(&r["month"]["2022-04"]["index"], 11.0 / 6.0);
}

#[test]
fn top_lists_rank_by_qty_then_name() {
    let r = full().result;
    // B2C categories: kurta 3, Set 2, Top 2 -> kurta, then Set before Top.
    let b2c: Vec<&Value> = r["top"]["Category"]["B2C"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["value"])
        .collect();
    assert_eq!(b2c, [&json!("kurta"), &json!("Set")]);
    // B2B: Set 9 of 14, Top 3; kurta 2 falls outside top_n = 2.
    let b2b = &r["top"]["Category"]["B2B"];
    assert_eq!(b2b[0]["value"], json!("Set"));
    close(&b2b[0]["share"], 9.0 / 14.0);
    assert_eq!(b2b[1]["value"], json!("Top"));
    assert_eq!(b2b.as_array().unwrap().len(), 2);
}

#[test]
fn tables_and_charts_use_local_names() {
    let out = full();
    let names: Vec<&str> = out.tables.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "mix_category",
            "mix_month",
            "mix_size",
            "mix_weekday",
            "ratios",
            "segments",
            "top_category"
        ]
    );
    let weekday = &out.tables["mix_weekday"];
    assert_eq!(weekday.columns, ["weekday", "B2B", "B2C", "index"]);
    assert_eq!(weekday.rows.len(), 7);
    assert_eq!(weekday.rows[6][0], json!("Sunday"));
    let segments = &out.tables["segments"];
    assert_eq!(
        segments.column("segment").unwrap(),
        [&json!("B2B"), &json!("B2C")]
    );
    // The category table lists values by total qty: Set 11, kurta 5, Top 5.
    let cats = out.tables["mix_category"].column("Category").unwrap();
    assert_eq!(cats, [&json!("Set"), &json!("Top"), &json!("kurta")]);
    for (name, chart) in &out.charts {
        assert!(
            out.tables.contains_key(&chart.table),
            "chart {name} -> {}",
            chart.table
        );
    }
    assert_eq!(out.charts["mix_size"].y, ["B2B", "B2C"]);
    assert_eq!(
        out.charts["revenue_share"].kind,
        crate::chart::ChartKind::Donut
    );
}

#[test]
fn text_segments_default_to_the_two_largest_in_label_order() {
    // Channel: Web 3 orders, App 2, Shop 1 -> focus App, baseline Web.
    let df = polars::df!(
        "Order ID" => ["a", "b", "c", "d", "e", "f"],
        "Channel" => ["Web", "Web", "Web", "App", "App", "Shop"],
        "Amount" => [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "Qty" => [1, 1, 1, 1, 1, 1]
    )
    .unwrap();
    let spec = parse(&BASE.replace("\"B2B\"", "\"Channel\""));
    let out = run_spec(df, &spec, Language::Id).unwrap();
    let title = out.charts["aov"].title.as_deref().unwrap_or_default();
    assert!(title.contains("per segmen"), "Indonesian title: {title}");
    let r = out.result;
    assert_eq!(r["segment_order"], json!(["App", "Web", "Shop"]));
    // AOV App (4+5)/2 = 4.5, Web (1+2+3)/3 = 2 -> ratio 2.25.
    close(&r["ratios"]["aov"], 2.25);
}

#[test]
fn compare_accepts_labels_or_values_in_any_order() {
    let r = run_on(sales(), "compare = [\"false\", \"true\"]")
        .unwrap()
        .result;
    assert_eq!(r["focus"], json!("false"));
    // AOV (200/6) / 120.
    close(&r["ratios"]["aov"], 200.0 / 6.0 / 120.0);
    let r = run_on(sales(), &format!("{FULL}compare = [\"b2c\", \"B2B\"]"))
        .unwrap()
        .result;
    assert_eq!(r["focus"], json!("B2C"));
}

#[test]
fn rows_without_segment_are_left_out_and_counted() {
    let df = polars::df!(
        "Order ID" => ["a", "b", "c"],
        "B2B" => [Some(true), None, Some(false)],
        "Amount" => [10.0, 99.0, 5.0],
        "Qty" => [1, 9, 1]
    )
    .unwrap();
    let r = run_on(df, "").unwrap().result;
    assert_eq!(r["dropped_missing_segment"], json!(1));
    close(&r["totals"]["revenue"], 15.0);
}

#[test]
fn errors_name_the_setting_and_give_a_hint() {
    let e = error_of(sales(), "mix = [\"Colour\"]");
    assert!(
        e.contains("`Colour` (setting `mix`)") && e.contains("hint"),
        "{e}"
    );
    let e = error_of(sales().drop("B2B").unwrap(), "");
    assert!(
        e.contains("column `B2B` (setting `segment`) does not exist"),
        "{e}"
    );
    let e = error_of(with_text_amount(sales()), "");
    assert!(e.contains("(setting `amount`) is str, not numeric"), "{e}");
    let one = sales().head(Some(3));
    let e = error_of(one, "");
    assert!(
        e.contains("has only `true`") && e.contains("filters"),
        "{e}"
    );
    let e = error_of(sales().head(Some(0)), "");
    assert!(e.contains("has no rows"), "{e}");
    let e = error_of(sales(), "compare = [\"B2B\", \"Wholesale\"]");
    assert!(
        e.contains("`B2B` (setting `compare`) is not a value"),
        "{e}"
    );
    let e = error_of(sales(), "compare = [\"true\"]");
    assert!(e.contains("exactly two"), "{e}");
    let e = error_of(sales(), "labels = { true = \"X\", false = \"X\" }");
    assert!(e.contains("both labelled `X`"), "{e}");
    let e = error_of(sales(), "labels = { true = \"index\" }\nmix = [\"Size\"]");
    assert!(e.contains("label `index` clashes"), "{e}");
    let e = error_of(sales(), "top_n = 0");
    assert!(e.contains("`top_n`"), "{e}");
}

/// The table with `Amount` as text, as a CSV read without `types` gives it.
fn with_text_amount(mut df: DataFrame) -> DataFrame {
    let text = df
        .column("Amount")
        .unwrap()
        .cast(&polars::prelude::DataType::String)
        .unwrap();
    df.with_column(text).unwrap();
    df
}
