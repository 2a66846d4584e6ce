//! Tests of the segment pushdown: the SQL it sends, and the comparison over
//! a hand-grouped aggregate against the same comparison over the lines.

use super::super::{run, run_pushed};
use super::*;
use crate::analysis::{AnalysisContext, AnalysisOutput, AnalysisSpec};
use crate::config::Language;
use crate::data::Tables;
use chrono::NaiveDate;
use serde_json::json;

const SPEC: &str = r#"
kind = "segment_comparison"
table = "sales"
segment = "B2B"
labels = { true = "B2B", false = "B2C" }
compare = ["B2B", "B2C"]
order_id = "Order ID"
amount = "Amount"
qty = "Qty"
date = "Date"
mix = ["Category"]
top = ["Category"]
top_n = 2
"#;

fn parse(text: &str) -> SegmentSpec {
    match toml::from_str::<AnalysisSpec>(text).unwrap() {
        AnalysisSpec::SegmentComparison(s) => s,
        other => panic!("parsed as {other:?}"),
    }
}

fn day(m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2022, m, d)
}

/// Ten lines with every kind of gap. 04-04 and 05-02 are Mondays, 05-03 a
/// Tuesday, 04-09 a Saturday, 04-10 a Sunday.
///
/// | # | order | B2B   | amount | qty | date  | category |
/// |---|-------|-------|--------|-----|-------|----------|
/// | 1 | O1    | true  | 10     | 2   | 04-04 | Set      |
/// | 2 | O1    | true  | 5      | 1   | 04-04 | Set      |
/// | 3 | O1    | true  | NaN    | 3   | 04-04 | Top      |
/// | 4 | O2    | true  | 20     | -   | 04-09 | Kurta    |
/// | 5 | -     | true  | 7      | 1   | 04-10 | Top      |
/// | 6 | O3    | false | 8      | 4   | -     | Set      |
/// | 7 | O3    | false | -      | 1   | -     | Set      |
/// | 8 | O4    | false | 12     | 2   | 05-02 | -        |
/// | 9 | O5    | -     | 100    | 9   | 05-03 | Set      |
/// | 10| O6    | false | 3      | 1   | 05-03 | Top      |
fn lines() -> DataFrame {
    polars::df!(
        "Order ID" => [Some("O1"), Some("O1"), Some("O1"), Some("O2"), None, Some("O3"),
                       Some("O3"), Some("O4"), Some("O5"), Some("O6")],
        "B2B" => [Some(true), Some(true), Some(true), Some(true), Some(true), Some(false),
                  Some(false), Some(false), None, Some(false)],
        "Amount" => [Some(10.0), Some(5.0), Some(f64::NAN), Some(20.0), Some(7.0), Some(8.0),
                     None, Some(12.0), Some(100.0), Some(3.0)],
        "Qty" => [Some(2i64), Some(1), Some(3), None, Some(1), Some(4), Some(1), Some(2),
                  Some(9), Some(1)],
        "Date" => [day(4, 4), day(4, 4), day(4, 4), day(4, 9), day(4, 10), None, None,
                   day(5, 2), day(5, 3), day(5, 3)],
        "Category" => [Some("Set"), Some("Set"), Some("Top"), Some("Kurta"), Some("Top"),
                       Some("Set"), Some("Set"), None, Some("Set"), Some("Top")]
    )
    .unwrap()
}

/// What the server returns for `lines()`, grouped by hand: one row per
/// (segment, order, day, category); lines 1-2 and 6-7 share a group.
/// `qty_of_none` is the quantity sum of the group whose lines have none
/// (SQL gives NULL; an engine might give 0). Rows in `order`.
fn groups(qty_of_none: Option<f64>, order: &[usize]) -> DataFrame {
    let segment = [
        Some(true),
        Some(true),
        Some(true),
        Some(true),
        Some(false),
        Some(false),
        None,
        Some(false),
    ];
    let order_id = [
        Some("O1"),
        Some("O1"),
        Some("O2"),
        None,
        Some("O3"),
        Some("O4"),
        Some("O5"),
        Some("O6"),
    ];
    let days = [
        day(4, 4),
        day(4, 4),
        day(4, 9),
        day(4, 10),
        None,
        day(5, 2),
        day(5, 3),
        day(5, 3),
    ];
    let category = [
        Some("Set"),
        Some("Top"),
        Some("Kurta"),
        Some("Top"),
        Some("Set"),
        None,
        Some("Set"),
        Some("Top"),
    ];
    let lines = [2i64, 1, 1, 1, 2, 1, 1, 1];
    let amount = [
        Some(15.0),
        None,
        Some(20.0),
        Some(7.0),
        Some(8.0),
        Some(12.0),
        Some(100.0),
        Some(3.0),
    ];
    let missing_amount = [0i64, 1, 0, 0, 1, 0, 0, 0];
    let qty = [
        Some(3.0),
        Some(3.0),
        qty_of_none,
        Some(1.0),
        Some(5.0),
        Some(2.0),
        Some(9.0),
        Some(1.0),
    ];
    let qty_lines = [2i64, 1, 0, 1, 2, 1, 1, 1];
    polars::df!(
        "segment" => order.iter().map(|&i| segment[i]).collect::<Vec<_>>(),
        "order_id" => order.iter().map(|&i| order_id[i]).collect::<Vec<_>>(),
        "day" => order.iter().map(|&i| days[i]).collect::<Vec<_>>(),
        "by_0" => order.iter().map(|&i| category[i]).collect::<Vec<_>>(),
        "lines" => order.iter().map(|&i| lines[i]).collect::<Vec<_>>(),
        "amount" => order.iter().map(|&i| amount[i]).collect::<Vec<_>>(),
        "missing_amount" => order.iter().map(|&i| missing_amount[i]).collect::<Vec<_>>(),
        "qty" => order.iter().map(|&i| qty[i]).collect::<Vec<_>>(),
        "qty_lines" => order.iter().map(|&i| qty_lines[i]).collect::<Vec<_>>()
    )
    .unwrap()
}

fn compare_both(aggregate: &DataFrame) -> (AnalysisOutput, AnalysisOutput) {
    let spec = parse(SPEC);
    let tables: Tables = [("sales".to_string(), lines())].into_iter().collect();
    let ctx = AnalysisContext {
        tables: &tables,
        language: Language::En,
    };
    let from_lines = run(&spec, &ctx).unwrap();
    let pushed = run_pushed(&spec, &ctx, aggregate).unwrap();
    (from_lines, pushed)
}

fn assert_same(a: &AnalysisOutput, b: &AnalysisOutput) {
    assert_eq!(a.result, b.result);
    assert_eq!(
        a.tables.keys().collect::<Vec<_>>(),
        b.tables.keys().collect::<Vec<_>>()
    );
    for (name, table) in &a.tables {
        assert_eq!(table.columns, b.tables[name].columns, "{name}");
        assert_eq!(table.rows, b.tables[name].rows, "{name}");
    }
    assert_eq!(
        a.charts.keys().collect::<Vec<_>>(),
        b.charts.keys().collect::<Vec<_>>()
    );
}

#[test]
fn the_aggregate_gives_the_comparison_of_the_lines() {
    let in_order: Vec<usize> = (0..8).collect();
    let (from_lines, pushed) = compare_both(&groups(None, &in_order));
    assert_same(&from_lines, &pushed);
    // Counted by hand from the table of `lines()`.
    let r = &pushed.result;
    assert_eq!(r["dropped_missing_segment"], json!(1)); // line 9
    assert_eq!(r["missing_order_id"], json!(1)); // line 5
    assert_eq!(r["missing_qty"], json!(1)); // line 4
    assert_eq!(r["missing_date"], json!(2)); // lines 6, 7
    assert_eq!(r["dropped_missing_amount"], json!(2)); // lines 3 (NaN), 7
    let (b2b, b2c) = (&r["segments"]["B2B"], &r["segments"]["B2C"]);
    // B2B: lines 1-5, orders O1, O2; revenue 10+5+20+7; qty 2+1+3+1.
    assert_eq!(
        [&b2b["lines"], &b2b["orders"], &b2b["revenue"], &b2b["qty"]],
        [&json!(5), &json!(2), &json!(42), &json!(7)]
    );
    // B2C: lines 6-8 and 10, orders O3, O4, O6; revenue 8+12+3; qty 4+1+2+1.
    assert_eq!(
        [&b2c["lines"], &b2c["orders"], &b2c["revenue"], &b2c["qty"]],
        [&json!(4), &json!(3), &json!(23), &json!(8)]
    );
    assert_eq!(b2b["missing_amount"], json!(1));
    // Weekday share: B2B Mon 6 of dated 6 + Sun 1; B2C Mon 2 + Tue 1 of 3.
    assert_eq!(b2b["weekday_share"], json!(6.0 / 7.0));
    assert_eq!(b2c["weekday_share"], json!(1));
    // Category mix: B2B Set 3, Top 4; B2C Set 5, Top 1. Kurta's only line
    // has no quantity, so it is no row of the mix.
    let mix = &r["mix"]["Category"];
    assert_eq!(mix["Set"]["share"]["B2B"], json!(3.0 / 7.0));
    assert_eq!(mix["Set"]["share"]["B2C"], json!(5.0 / 6.0));
    assert_eq!(mix["Top"]["qty"]["B2B"], json!(4));
    assert!(mix.get("Kurta").is_none(), "{mix}");
    assert_eq!(r["top"]["Category"]["B2B"][0]["value"], json!("Top"));
}

#[test]
fn the_order_of_the_groups_and_a_zero_sum_of_no_quantity_change_nothing() {
    let in_order: Vec<usize> = (0..8).collect();
    let (from_lines, _) = compare_both(&groups(None, &in_order));
    let reversed: Vec<usize> = (0..8).rev().collect();
    let (_, pushed) = compare_both(&groups(Some(0.0), &reversed));
    assert_same(&from_lines, &pushed);
}

#[test]
fn the_sql_quotes_every_name_and_holds_no_value() {
    let text = SPEC
        .replace("\"Category\"", r#""Cat\"egory""#)
        .replace("segment = \"B2B\"", "segment = \"B2B'; DROP TABLE x; --\"");
    let spec = parse(&text);
    let a = aggregate(&spec);
    let sql = &a.sql;
    assert!(
        sql.contains(r#""B2B'; DROP TABLE x; --" AS "segment""#),
        "{sql}"
    );
    assert!(sql.contains(r#""Cat""egory" AS "by_0""#), "{sql}");
    assert!(sql.contains(r#"CAST("Date" AS date) AS "day""#), "{sql}");
    assert!(sql.contains(r#"COUNT(*) AS "lines""#), "{sql}");
    assert!(
        sql.ends_with(
            r#"GROUP BY "B2B'; DROP TABLE x; --", "Order ID", CAST("Date" AS date), "Cat""egory""#
        ),
        "{sql}"
    );
    assert_eq!(a.dates, ["Date"]);
    assert_eq!(a.numbers, ["Amount", "Qty"]);
    assert_eq!(a.columns.len(), 6);
    // `top` columns already in `mix` are grouped once; without a date no day.
    let spec = parse(
        &SPEC
            .replace("date = \"Date\"\n", "")
            .replace("top = [\"Category\"]", "top = [\"Category\", \"SKU\"]"),
    );
    let sql = aggregate(&spec).sql;
    // Labels and compared values are applied here, never sent; the only
    // quoted texts are the names of the special floats (NaN is missing).
    for value in ["B2C", "true", "false"] {
        assert!(!sql.contains(value), "{value} in {sql}");
    }
    let texts: Vec<&str> = sql.split('\'').skip(1).step_by(2).collect();
    assert!(
        !texts.is_empty() && texts.iter().all(|t| *t == "NaN"),
        "{texts:?}"
    );
    assert!(
        sql.ends_with(r#"GROUP BY "B2B", "Order ID", "Category", "SKU""#),
        "{sql}"
    );
    assert!(!sql.contains("\"day\""), "{sql}");
}

#[test]
fn groups_arriving_in_another_order_sum_to_the_same_bits() {
    // In floating point (1e16 + 1) - 1e16 is 0 but (1e16 - 1e16) + 1 is 1:
    // the groups are sorted before they are added, so both orders agree.
    let frame = |rows: [usize; 4]| {
        let orders = ["a", "b", "c", "d"];
        let amounts = [1e16, 1.0, -1e16, 5.0];
        let segment = [true, true, true, false];
        polars::df!(
            "segment" => rows.map(|i| segment[i]),
            "order_id" => rows.map(|i| orders[i]),
            "lines" => [1i64; 4],
            "amount" => rows.map(|i| amounts[i]),
            "missing_amount" => [0i64; 4],
            "qty" => [1.0; 4],
            "qty_lines" => [1i64; 4]
        )
        .unwrap()
    };
    let spec = parse(
        "kind = \"segment_comparison\"\ntable = \"t\"\nsegment = \"s\"\norder_id = \"o\"\n\
         amount = \"a\"\nqty = \"q\"\n",
    );
    let tables = Tables::default();
    let ctx = AnalysisContext {
        tables: &tables,
        language: Language::En,
    };
    let revenue = |rows| {
        let out = run_pushed(&spec, &ctx, &frame(rows)).unwrap();
        out.result["segments"]["true"]["revenue"].clone()
    };
    assert_eq!(revenue([0, 1, 2, 3]), revenue([0, 2, 1, 3]));
    assert_eq!(revenue([3, 2, 1, 0]), revenue([0, 2, 1, 3]));
}
