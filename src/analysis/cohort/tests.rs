//! Tests of the cohort analysis on tiny tables worked out by hand.

use super::*;
use crate::analysis::AnalysisSpec;
use crate::chart::{SELECT_KEY, build_option};
use crate::config::Language;
use crate::data::Tables;
use chrono::NaiveDate;
use polars::prelude::DataFrame;
use serde_json::json;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, m, day).unwrap()
}

/// Six customers over January to March 2024 (O1 has two lines; O9 has no
/// amount; O11 has no date and is left out of everything).
///
/// | order | customer | date       | amount |
/// |-------|----------|------------|--------|
/// | O1    | A        | 2024-01-05 | 100    |
/// | O1    | A        | 2024-01-05 | 50     |
/// | O2    | B        | 2024-01-10 | 80     |
/// | O3    | C        | 2024-01-31 | 40     |
/// | O4    | A        | 2024-02-01 | 60     |
/// | O5    | D        | 2024-02-14 | 120    |
/// | O6    | E        | 2024-02-29 | 30     |
/// | O7    | A        | 2024-03-01 | 90     |
/// | O8    | C        | 2024-03-15 | 20     |
/// | O9    | D        | 2024-03-20 | -      |
/// | O10   | F        | 2024-03-31 | 70     |
/// | O11   | A        | -          | 999    |
fn sales() -> DataFrame {
    polars::df!(
        "Order" => ["O1", "O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8", "O9", "O10", "O11"],
        "Customer" => ["A", "A", "B", "C", "A", "D", "E", "A", "C", "D", "F", "A"],
        "Date" => [Some(d(1, 5)), Some(d(1, 5)), Some(d(1, 10)), Some(d(1, 31)), Some(d(2, 1)),
                   Some(d(2, 14)), Some(d(2, 29)), Some(d(3, 1)), Some(d(3, 15)), Some(d(3, 20)),
                   Some(d(3, 31)), None],
        "Amount" => [Some(100.0), Some(50.0), Some(80.0), Some(40.0), Some(60.0), Some(120.0),
                     Some(30.0), Some(90.0), Some(20.0), None, Some(70.0), Some(999.0)]
    )
    .unwrap()
}

const BASE: &str = r#"
kind = "cohorts"
table = "sales"
customer = "Customer"
order_id = "Order"
amount = "Amount"
date = "Date"
"#;

fn parse(front_matter: &str) -> CohortSpec {
    match toml::from_str::<AnalysisSpec>(front_matter).unwrap() {
        AnalysisSpec::Cohorts(s) => s,
        other => panic!("parsed as {other:?}"),
    }
}

fn run_on(df: DataFrame, extra: &str) -> Result<AnalysisOutput> {
    let tables: Tables = [("sales".to_string(), df)].into_iter().collect();
    let ctx = AnalysisContext {
        tables: &tables,
        language: Language::En,
    };
    run(&parse(&format!("{BASE}{extra}")), &ctx)
}

/// Assert a JSON number equals `expected` to 1e-12.
fn close(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!(
        (got - expected).abs() < 1e-12,
        "got {got}, expected {expected}"
    );
}

fn closes(values: &[Value], expected: &[Option<f64>]) {
    assert_eq!(values.len(), expected.len(), "{values:?}");
    for (v, e) in values.iter().zip(expected) {
        match e {
            Some(e) => close(v, *e),
            None => assert_eq!(v, &Value::Null),
        }
    }
}

#[test]
fn front_matter_parses_with_defaults() {
    let s = parse(&format!("{BASE}[streak]\nproduct = \"P\"\n"));
    let streak = s.streak.unwrap();
    assert_eq!((streak.months, streak.amount), (3, None));
    assert!(toml::from_str::<AnalysisSpec>(&format!("{BASE}custmer = \"x\"")).is_err());
}

#[test]
fn retention_matrix_matches_hand_computed_shares() {
    let out = run_on(sales(), "").unwrap();
    // Cohorts: Jan = {A, B, C}, Feb = {D, E}, Mar = {F}.
    // Jan: Feb active {A} -> 1/3; Mar active {A, C} -> 2/3.
    // Feb: Mar active {D} -> 1/2.
    let m = &out.tables["retention_matrix"];
    assert_eq!(m.columns, ["cohort", "m0", "m1", "m2"]);
    assert_eq!(
        m.column("cohort").unwrap(),
        [&json!("2024-01"), &json!("2024-02"), &json!("2024-03")]
    );
    closes(
        &m.rows[0][1..],
        &[Some(1.0), Some(1.0 / 3.0), Some(2.0 / 3.0)],
    );
    closes(&m.rows[1][1..], &[Some(1.0), Some(0.5), None]);
    closes(&m.rows[2][1..], &[Some(1.0), None, None]);
    let long = &out.tables["retention"];
    assert_eq!(long.len(), 3 + 2 + 1);
    assert_eq!(
        long.rows[2][..4],
        [json!("2024-01"), json!(2), json!(3), json!(2)]
    );
    let sizes = &out.tables["cohort_sizes"];
    assert_eq!(
        sizes.column("customers").unwrap(),
        [&json!(3), &json!(2), &json!(1)]
    );
    let r = &out.result;
    assert_eq!(r["cohorts"]["2024-02"]["customers"], json!(2));
    // Average over cohorts that reach the month: m1 = (1/3 + 1/2) / 2 =
    // 5/12; m2 = 2/3 (January only); m3 is beyond the data.
    closes(
        r["avg_retention"].as_array().unwrap(),
        &[Some(1.0), Some(5.0 / 12.0), Some(2.0 / 3.0)],
    );
    close(&r["avg_retention_m1"], 5.0 / 12.0);
    assert_eq!(r["avg_retention_m3"], Value::Null);
}

#[test]
fn trend_counts_orders_revenue_and_customers_per_month() {
    let out = run_on(sales(), "").unwrap();
    let t = &out.tables["trend"];
    assert_eq!(
        t.columns[..6],
        [
            "month",
            "orders",
            "revenue",
            "aov",
            "active_customers",
            "new_customers"
        ]
    );
    // Jan: O1-O3 = 3 orders, 100+50+80+40 = 270, AOV 90, active {A,B,C}, new 3.
    // Feb: O4-O6 = 3, 60+120+30 = 210, AOV 70, active {A,D,E}, new {D,E}.
    // Mar: O7-O10 = 4, 90+20+70 = 180 (O9 left out, not 0), AOV 45,
    //      active {A,C,D,F}, new {F}.
    closes(
        &t.rows[0][1..6],
        &[Some(3.0), Some(270.0), Some(90.0), Some(3.0), Some(3.0)],
    );
    closes(
        &t.rows[1][1..6],
        &[Some(3.0), Some(210.0), Some(70.0), Some(3.0), Some(2.0)],
    );
    closes(
        &t.rows[2][1..6],
        &[Some(4.0), Some(180.0), Some(45.0), Some(4.0), Some(1.0)],
    );
    // MoM Feb: 0, (210-270)/270 = -2/9, (70-90)/90 = -2/9, 0, (2-3)/3.
    // MoM Mar: 1/3, (180-210)/210 = -1/7, (45-70)/70 = -5/14, 1/3, -1/2.
    closes(&t.rows[0][6..], &[None, None, None, None, None]);
    closes(
        &t.rows[1][6..],
        &[
            Some(0.0),
            Some(-2.0 / 9.0),
            Some(-2.0 / 9.0),
            Some(0.0),
            Some(-1.0 / 3.0),
        ],
    );
    let r = &out.result;
    close(&r["last_mom"]["aov"], -5.0 / 14.0);
    close(&r["last"]["revenue_mom"], -1.0 / 7.0);
    close(&r["trend"]["2024-03"]["new_customers_mom"], -0.5);
    assert_eq!(r["last_month"], json!("2024-03"));
    assert_eq!(r["months"], json!(3));
    // Totals: 10 orders (O1-O10), 660 revenue, AOV 66, 6 customers.
    assert_eq!(
        r["totals"],
        json!({"orders": 10, "revenue": 660, "aov": 66, "customers": 6})
    );
    assert_eq!(r["dropped_missing_date"], json!(1));
    assert_eq!(r["dropped_missing_amount"], json!(1));
    // Orders 3, 3, 4: never falling.
    assert_eq!(
        r["orders_decline"],
        json!({"longest": {"declines": 0, "from": null, "to": null}, "at_end": 0})
    );
}

#[test]
fn empty_months_are_zero_with_a_null_aov() {
    // Jan: A (O1, 100), B (O2, 50); Feb: nothing; Mar: A (O3, 30).
    let df = polars::df!(
        "Order" => ["O1", "O2", "O3"],
        "Customer" => ["A", "B", "A"],
        "Date" => [d(1, 2), d(1, 3), d(3, 4)],
        "Amount" => [100.0, 50.0, 30.0]
    )
    .unwrap();
    let out = run_on(df, "").unwrap();
    let t = &out.tables["trend"];
    assert_eq!(
        t.column("month").unwrap(),
        [&json!("2024-01"), &json!("2024-02"), &json!("2024-03")]
    );
    // Feb: 0 orders, 0 revenue, no AOV; every change from Jan is -100%
    // except AOV (undefined). Mar: changes from 0 or null are null.
    closes(
        &t.rows[1][1..],
        &[
            Some(0.0),
            Some(0.0),
            None,
            Some(0.0),
            Some(0.0),
            Some(-1.0),
            Some(-1.0),
            None,
            Some(-1.0),
            Some(-1.0),
        ],
    );
    closes(
        &t.rows[2][1..],
        &[
            Some(1.0),
            Some(30.0),
            Some(30.0),
            Some(1.0),
            Some(0.0),
            None,
            None,
            None,
            None,
            None,
        ],
    );
    // Cohort Jan {A, B}: nobody in Feb, A in Mar -> 1, 0, 1/2.
    closes(
        &out.tables["retention_matrix"].rows[0][1..],
        &[Some(1.0), Some(0.0), Some(0.5)],
    );
    assert_eq!(out.tables["retention_matrix"].len(), 1);
    // Orders 2, 0, 1: one fall, January to February.
    assert_eq!(
        out.result["orders_decline"],
        json!({"longest": {"declines": 1, "from": "2024-01", "to": "2024-02"}, "at_end": 0})
    );
}

#[test]
fn decline_runs_count_consecutive_falls() {
    // Orders per month: Jan 1, Feb 3, Mar 2, Apr 1 -> falls in Mar and Apr.
    let dates = [
        d(1, 1),
        d(2, 1),
        d(2, 2),
        d(2, 3),
        d(3, 1),
        d(3, 2),
        d(4, 1),
    ];
    let df = polars::df!(
        "Order" => ["O1", "O2", "O3", "O4", "O5", "O6", "O7"],
        "Customer" => ["A", "A", "B", "C", "A", "B", "A"],
        "Date" => dates,
        "Amount" => [1.0; 7]
    )
    .unwrap();
    let r = run_on(df, "").unwrap().result;
    assert_eq!(
        r["orders_decline"],
        json!({"longest": {"declines": 2, "from": "2024-02", "to": "2024-04"}, "at_end": 2})
    );
    close(&r["last_mom"]["orders"], -0.5);
}

/// Four products over January to April 2024, one row per sale; one Feb row
/// has no product and one Feb X row no amount (both left out).
///
/// | month | X  | Y  | Z      | W | product means' mean      |
/// |-------|----|----|--------|---|--------------------------|
/// | Jan   | 10 | 36 | 50, 90 | 5 | (10+36+70+5)/4 = 30.25   |
/// | Feb   | 20 | 50 | 40     |   | (20+50+40)/3 = 36.667    |
/// | Mar   | 30 | 10 | 80     | 5 | (30+10+80+5)/4 = 31.25   |
/// | Apr   | 90 | 20 | 40     | 5 | (90+20+40+5)/4 = 38.75   |
///
/// Below: X Jan-Mar (3 months); Y Mar-Apr (2); W Jan, then Mar-Apr (2: the
/// unsold February breaks the run); Z never. In January Y (36) is above the
/// mean of product means (30.25) though below the mean of rows (191/5 = 38.2).
fn products() -> DataFrame {
    let rows: [(Option<&str>, NaiveDate, Option<f64>); 18] = [
        (Some("X"), d(1, 3), Some(10.0)),
        (Some("Y"), d(1, 4), Some(36.0)),
        (Some("Z"), d(1, 5), Some(50.0)),
        (Some("Z"), d(1, 6), Some(90.0)),
        (Some("W"), d(1, 7), Some(5.0)),
        (Some("X"), d(2, 3), Some(20.0)),
        (Some("X"), d(2, 4), None),
        (None, d(2, 4), Some(999.0)),
        (Some("Y"), d(2, 5), Some(50.0)),
        (Some("Z"), d(2, 6), Some(40.0)),
        (Some("X"), d(3, 3), Some(30.0)),
        (Some("Y"), d(3, 4), Some(10.0)),
        (Some("Z"), d(3, 5), Some(80.0)),
        (Some("W"), d(3, 6), Some(5.0)),
        (Some("X"), d(4, 3), Some(90.0)),
        (Some("Y"), d(4, 4), Some(20.0)),
        (Some("Z"), d(4, 5), Some(40.0)),
        (Some("W"), d(4, 6), Some(5.0)),
    ];
    let orders: Vec<String> = (0..=rows.len()).map(|i| format!("O{i}")).collect();
    // Plus product V on an undated row: left out, not listed.
    polars::df!(
        "Order" => orders.clone(),
        "Customer" => orders,
        "Date" => rows.iter().map(|r| Some(r.1)).chain([None]).collect::<Vec<_>>(),
        "Amount" => rows.iter().map(|r| r.2).chain([Some(1.0)]).collect::<Vec<_>>(),
        "Product" => rows.iter().map(|r| r.0).chain([Some("V")]).collect::<Vec<_>>()
    )
    .unwrap()
}

#[test]
fn streak_flags_exactly_n_months_below_the_mean_of_product_means() {
    let out = run_on(products(), "[streak]\nproduct = \"Product\"\n").unwrap();
    let s = &out.result["streak"];
    assert_eq!(s["flagged"], json!(["X"]));
    assert_eq!(
        s["runs"],
        json!([{"product": "X", "start": "2024-01", "end": "2024-03", "length": 3,
                "months": ["2024-01", "2024-02", "2024-03"]}])
    );
    assert_eq!(s["dropped_missing_product"], json!(1));
    assert_eq!(s["dropped_missing_amount"], json!(1));
    assert_eq!(s["products"], json!(4));
    let runs = &out.tables["streaks"];
    assert_eq!(runs.rows[0][4], json!("2024-01, 2024-02, 2024-03"));
    let monthly = &out.tables["product_monthly"];
    // 4 products (sorted W, X, Y, Z; not the undated V) x 4 months; W has
    // no February mean.
    assert_eq!(monthly.len(), 16);
    assert_eq!(
        monthly.rows[1][..3],
        [json!("W"), json!("2024-02"), Value::Null]
    );
    // Y in January: 36 against 30.25, not below.
    let y_jan = &monthly.rows[8];
    assert_eq!(y_jan[..3], [json!("Y"), json!("2024-01"), json!(36)]);
    close(&y_jan[3], 30.25);
    assert_eq!(y_jan[4], json!(false));
    close(&monthly.rows[5][3], 110.0 / 3.0);
}

#[test]
fn streak_of_two_months_flags_the_shorter_runs() {
    let out = run_on(products(), "[streak]\nproduct = \"Product\"\nmonths = 2\n").unwrap();
    let s = &out.result["streak"];
    // W: Mar-Apr; X: Jan-Mar; Y: Mar-Apr (sorted by product).
    assert_eq!(s["flagged"], json!(["W", "X", "Y"]));
    let lengths: Vec<&Value> = out.tables["streaks"].column("length").unwrap();
    assert_eq!(lengths, [&json!(2), &json!(3), &json!(2)]);
}

#[test]
fn charts_cover_retention_trend_and_products() {
    let out = run_on(products(), "[streak]\nproduct = \"Product\"\n").unwrap();
    let names: Vec<&str> = out.charts.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "aov",
            "customers",
            "orders",
            "product_monthly",
            "retention",
            "revenue"
        ]
    );
    let heat = build_option(
        &out.charts["retention"],
        &out.tables["retention"],
        Language::En,
    )
    .unwrap();
    assert_eq!(heat["series"][0]["type"], json!("heatmap"));
    let pick = &out.charts["product_monthly"];
    let option = build_option(pick, &out.tables["product_monthly"], Language::En).unwrap();
    assert_eq!(option[SELECT_KEY]["values"], json!(["W", "X", "Y", "Z"]));
    assert_eq!(
        option[SELECT_KEY]["options"][0]["series"][0]["data"],
        json!([5, null, 5, 5])
    );
}

#[test]
fn errors_name_the_setting() {
    let err = |df: DataFrame, extra: &str| run_on(df, extra).unwrap_err().to_string();
    let text_dates = polars::df!("Order" => ["O1"], "Customer" => ["A"], "Date" => ["2024-01-01"],
        "Amount" => [1.0])
    .unwrap();
    assert!(err(text_dates, "").contains("`Date` (setting `date`) is str, not a date"));
    let no_rows = sales().head(Some(0));
    assert!(err(no_rows, "").contains("has no rows"));
    let undated = sales().slice(11, 1);
    assert!(err(undated, "").contains("has no row with a `Date` date"));
    assert!(err(sales(), "[streak]\nproduct = \"Product\"\n").contains("setting `streak.product`"));
    assert!(
        err(products(), "[streak]\nproduct = \"Product\"\nmonths = 0\n")
            .contains("`streak.months` is 0")
    );
    let renamed = sales().drop("Customer").unwrap();
    assert!(err(renamed, "").contains("column `Customer` (setting `customer`) does not exist"));
}
