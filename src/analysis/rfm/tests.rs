//! Tests of RFM on a fourteen-line table worked out by hand.

use super::*;
use crate::analysis::AnalysisSpec;
use crate::config::Language;
use crate::data::Tables;
use polars::prelude::DataFrame;
use serde_json::{Value, json};

/// Fourteen order lines; the last three are dropped (no customer, no
/// order id, no date) and C3's order C2 has no amount.
///
/// | customer | order | date       | amount |
/// |----------|-------|------------|--------|
/// | C1       | A1    | 2024-03-01 | 100    |
/// | C1       | A1    | 2024-03-01 | 50     |
/// | C1       | A2    | 2024-03-10 | 200    |
/// | C2       | B1    | 2024-01-05 | 80     |
/// | C3       | C1    | 2024-02-20 | 30     |
/// | C3       | C2    | 2024-03-05 | -      |
/// | C3       | C3    | 2024-03-08 | 40     |
/// | C4       | D1    | 2024-02-01 | 500    |
/// | C5       | E1    | 2024-03-09 | 60     |
/// | C5       | E2    | 2024-03-09 | 60     |
/// | C6       | F1    | 2023-12-31 | 10     |
/// | -        | G1    | 2024-03-10 | 999    |
/// | C2       | -     | 2024-03-10 | 5      |
/// | C4       | H1    | -          | 7      |
fn sales() -> DataFrame {
    let d = |y, m, day| Some(NaiveDate::from_ymd_opt(y, m, day).unwrap());
    polars::df!(
        "Customer" => [Some("C1"), Some("C1"), Some("C1"), Some("C2"), Some("C3"), Some("C3"),
                       Some("C3"), Some("C4"), Some("C5"), Some("C5"), Some("C6"), None,
                       Some("C2"), Some("C4")],
        "Invoice" => [Some("A1"), Some("A1"), Some("A2"), Some("B1"), Some("C1"), Some("C2"),
                      Some("C3"), Some("D1"), Some("E1"), Some("E2"), Some("F1"), Some("G1"),
                      None, Some("H1")],
        "Date" => [d(2024, 3, 1), d(2024, 3, 1), d(2024, 3, 10), d(2024, 1, 5), d(2024, 2, 20),
                   d(2024, 3, 5), d(2024, 3, 8), d(2024, 2, 1), d(2024, 3, 9), d(2024, 3, 9),
                   d(2023, 12, 31), d(2024, 3, 10), d(2024, 3, 10), None],
        "Amount" => [Some(100.0), Some(50.0), Some(200.0), Some(80.0), Some(30.0), None,
                     Some(40.0), Some(500.0), Some(60.0), Some(60.0), Some(10.0), Some(999.0),
                     Some(5.0), Some(7.0)]
    )
    .unwrap()
}

const BASE: &str = r#"
kind = "rfm"
table = "sales"
customer = "Customer"
order_id = "Invoice"
amount = "Amount"
date = "Date"
"#;

pub(super) fn parse(front_matter: &str) -> RfmSpec {
    match toml::from_str::<AnalysisSpec>(front_matter).unwrap() {
        AnalysisSpec::Rfm(s) => s,
        other => panic!("not an RFM spec: {other:?}"),
    }
}

pub(super) fn run_with(df: DataFrame, extra: &str, language: Language) -> Result<AnalysisOutput> {
    let tables: Tables = [("sales".to_string(), df)].into_iter().collect();
    let ctx = AnalysisContext {
        tables: &tables,
        language,
    };
    run(&parse(&format!("{BASE}{extra}")), &ctx)
}

fn run_on(df: DataFrame, extra: &str) -> Result<AnalysisOutput> {
    run_with(df, extra, Language::En)
}

/// Assert a JSON number equals `expected` to 1e-12.
fn close(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!(
        (got - expected).abs() < 1e-12,
        "got {got}, expected {expected}"
    );
}

#[test]
fn front_matter_parses_and_rejects_typos() {
    let s = parse(BASE);
    assert_eq!(s.snapshot, None);
    assert_eq!(s.segments, None);
    let with_rules = format!(
        "{BASE}[[segments]]\nname = \"Best\"\nr = [4, 5]\nf = [4, 5]\naction = \"Thank them\"\n"
    );
    let s = parse(&with_rules);
    assert_eq!(s.segments.unwrap()[0].r, [4, 5]);
    assert!(toml::from_str::<AnalysisSpec>(&format!("{BASE}snapshto = \"2024-01-01\"")).is_err());
}

/// Snapshot 2024-03-11 (day after C1's 2024-03-10). Per customer:
///
/// | customer | last       | recency | frequency | monetary          |
/// |----------|------------|---------|-----------|-------------------|
/// | C1       | 2024-03-10 | 1       | 2         | 100+50+200 = 350  |
/// | C2       | 2024-01-05 | 26+29+11 = 66 | 1   | 80                |
/// | C3       | 2024-03-08 | 3       | 3         | 30+40 = 70        |
/// | C4       | 2024-02-01 | 28+11 = 39 | 1      | 500               |
/// | C5       | 2024-03-09 | 2       | 2         | 120               |
/// | C6       | 2023-12-31 | 31+29+11 = 71 | 1   | 10                |
///
/// (C2: Jan 5 -> Jan 31 is 26 days, February 2024 has 29, then 11 days
/// to Mar 11; C4: Feb 1 -> Feb 29 is 28 days, then 11.)
///
/// R: sorted recency 1 2 3 39 66 71, n = 6, virtual indexes 0 1 2 3 4 5
/// -> edges 1 2 3 39 66 71 (unique): bins 1,2 -> 0; 3 -> 1; 39 -> 2;
/// 66 -> 3; 71 -> 4; R = 5 - bin: C1 5, C5 5, C3 4, C4 3, C2 2, C6 1.
/// F: frequency 2 1 3 1 2 1 -> first ranks 4 1 6 2 5 3 -> edges of 1..6
/// are 1 2 3 4 5 6: ranks 1,2 -> F1; 3 -> F2; 4 -> F3; 5 -> F4; 6 -> F5:
/// C1 3, C2 1, C3 5, C4 1, C5 4, C6 2.
/// M: sorted 10 70 80 120 350 500 -> bins 10,70 -> 0; 80 -> 1; 120 -> 2;
/// 350 -> 3; 500 -> 4: C1 4, C2 2, C3 1, C4 5, C5 3, C6 1.
///
/// Segments: C1 R5F3 Potential Loyalists; C2 R2F1 Hibernating; C3 R4F5
/// Loyal Customers; C4 R3F1 About to Sleep; C5 R5F4 Champions; C6 R1F2
/// Hibernating.
#[test]
fn customers_match_hand_computed_scores() {
    let out = run_on(sales(), "").unwrap();
    let t = &out.table("customers");
    let col = |name: &str| -> Vec<Value> { t.column(name).unwrap().into_iter().cloned().collect() };
    assert_eq!(
        col("customer"),
        json!(["C1", "C2", "C3", "C4", "C5", "C6"])
            .as_array()
            .unwrap()[..]
    );
    assert_eq!(
        col("recency"),
        json!([1, 66, 3, 39, 2, 71]).as_array().unwrap()[..]
    );
    assert_eq!(
        col("frequency"),
        json!([2, 1, 3, 1, 2, 1]).as_array().unwrap()[..]
    );
    assert_eq!(
        col("monetary"),
        json!([350, 80, 70, 500, 120, 10]).as_array().unwrap()[..]
    );
    assert_eq!(
        col("score"),
        json!(["534", "212", "451", "315", "543", "121"])
            .as_array()
            .unwrap()[..]
    );
    let segments = json!([
        "Potential Loyalists",
        "Hibernating",
        "Loyal Customers",
        "About to Sleep",
        "Champions",
        "Hibernating"
    ]);
    assert_eq!(col("segment"), segments.as_array().unwrap()[..]);
    let r = &out.result;
    assert_eq!(r["snapshot"], json!("2024-03-11"));
    assert_eq!(r["customers"], json!(6));
    assert_eq!(r["r_ranked_first"], json!(false));
    assert_eq!(r["m_ranked_first"], json!(false));
    assert_eq!(r["dropped_missing_customer"], json!(1));
    assert_eq!(r["dropped_missing_order_id"], json!(1));
    assert_eq!(r["dropped_missing_date"], json!(1));
    assert_eq!(r["dropped_missing_amount"], json!(1));
    close(&r["revenue"], 1130.0);
}

#[test]
fn segments_summarize_customers_and_revenue() {
    let out = run_on(sales(), "").unwrap();
    let r = &out.result;
    // Hibernating: C2 and C6 -> 2 of 6; recency (66+71)/2; monetary
    // (80+10)/2; revenue 90 of 350+80+70+500+120+10 = 1130.
    let h = &r["segments"]["Hibernating"];
    assert_eq!(h["customers"], json!(2));
    close(&h["share"], 1.0 / 3.0);
    close(&h["mean_recency"], 68.5);
    close(&h["mean_frequency"], 1.0);
    close(&h["mean_monetary"], 45.0);
    close(&h["revenue_share"], 90.0 / 1130.0);
    assert!(h["action"].as_str().unwrap().starts_with("Offer"));
    // Empty segments are listed with zero customers and null means.
    let empty = &r["segments"]["Cannot Lose Them"];
    assert_eq!(empty["customers"], json!(0));
    assert_eq!(empty["mean_recency"], Value::Null);
    close(&empty["revenue_share"], 0.0);
    assert_eq!(r["segment_order"][0], json!("Champions"));
    assert_eq!(out.tables["segments"].len(), 10);
    // R x F matrix: 25 cells from R5 F1 down to R1 F5; C5 is R5 F4.
    let m = &out.tables["rf_matrix"];
    assert_eq!(m.len(), 25);
    assert_eq!(m.rows[0], [json!(5), json!(1), json!(0)]);
    assert_eq!(m.rows[3], [json!(5), json!(4), json!(1)]);
    let total: u64 = m.rows.iter().map(|row| row[2].as_u64().unwrap()).sum();
    assert_eq!(total, 6);
}

#[test]
fn snapshot_setting_moves_recency() {
    // 2024-03-31: C1 last 2024-03-10 -> 21 days; C6 2023-12-31 -> 91.
    let out = run_on(sales(), "snapshot = \"2024-03-31\"").unwrap();
    let customers = out.table("customers");
    let recency = customers.column("recency").unwrap();
    assert_eq!(recency[0], &json!(21));
    assert_eq!(recency[5], &json!(91));
    assert_eq!(out.result["snapshot"], json!("2024-03-31"));
}

#[test]
fn custom_rules_replace_the_defaults() {
    // Best: R4-5 and F4-5 -> C3 (R4 F5) and C5 (R5 F4); the rest match no
    // rule and are listed as Other, after the rules.
    let extra = "[[segments]]\nname = \"Best\"\nr = [4, 5]\nf = [4, 5]\naction = \"Thank them\"\n";
    let r = run_on(sales(), extra).unwrap().result;
    assert_eq!(r["segment_order"], json!(["Best", "Other"]));
    assert_eq!(r["segments"]["Best"]["customers"], json!(2));
    assert_eq!(r["segments"]["Best"]["action"], json!("Thank them"));
    // Revenue 70 + 120 of 1130.
    close(&r["segments"]["Best"]["revenue_share"], 190.0 / 1130.0);
    assert_eq!(r["segments"]["Other"]["customers"], json!(4));
}

#[test]
fn numeric_customer_ids_sort_as_numbers() {
    // Ids 10, 9, 100 are ranked in the order 9, 10, 100 (pandas' groupby):
    // all three have one order, so F ranks follow that order.
    let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
    let df = polars::df!(
        "Customer" => [10i64, 9, 100],
        "Invoice" => ["a", "b", "c"],
        "Date" => [d(1), d(2), d(3)],
        "Amount" => [1.0, 2.0, 3.0]
    )
    .unwrap();
    let out = run_on(df, "").unwrap();
    let t = &out.table("customers");
    assert_eq!(
        t.column("customer").unwrap(),
        [&json!("9"), &json!("10"), &json!("100")]
    );
    // Ranks 1 2 3 -> edges 1 1.4 1.8 2.2 2.6 3 -> bins 0, 2, 4.
    assert_eq!(t.column("f").unwrap(), [&json!(1), &json!(3), &json!(5)]);
}

#[test]
fn tied_monetary_values_are_ranked_first_and_flagged() {
    // Five customers spending 10 and one 20: edges 10 10 ... -> ranked.
    let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
    let df = polars::df!(
        "Customer" => ["a", "b", "c", "d", "e", "f"],
        "Invoice" => ["1", "2", "3", "4", "5", "6"],
        "Date" => [d(1), d(2), d(3), d(4), d(5), d(6)],
        "Amount" => [10.0, 20.0, 10.0, 10.0, 10.0, 10.0]
    )
    .unwrap();
    let out = run_on(df, "").unwrap();
    assert_eq!(out.result["m_ranked_first"], json!(true));
    assert_eq!(out.result["r_ranked_first"], json!(false));
    // First ranks: a 1, b 6, c 2, d 3, e 4, f 5 -> M 1 5 1 2 3 4.
    let customers = out.table("customers");
    let m = customers.column("m").unwrap();
    let m: Vec<u64> = m.iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(m, [1, 5, 1, 2, 3, 4]);
}

#[test]
fn titles_and_actions_follow_the_language() {
    let out = run_with(sales(), "", Language::Id).unwrap();
    let title = out.charts["segment_sizes"].title.clone().unwrap();
    assert!(title.contains("pelanggan"), "{title}");
    let action = out.result["segments"]["Champions"]["action"]
        .as_str()
        .unwrap();
    assert!(action.starts_with("Beri"), "{action}");
    for (name, chart) in &out.charts {
        assert!(out.tables.contains_key(&chart.table), "{name}");
    }
    assert_eq!(out.charts["rf_heatmap"].z.as_deref(), Some("customers"));
}

#[test]
fn errors_name_the_setting() {
    let err = |df: DataFrame, extra: &str| run_on(df, extra).unwrap_err().to_string();
    let e = err(sales(), "snapshot = \"2024-03-01\"");
    assert!(
        e.contains("`snapshot`") && e.contains("before the latest"),
        "{e}"
    );
    let e = err(sales(), "snapshot = \"11/03/2024\"");
    assert!(e.contains("`snapshot`") && e.contains("YYYY-MM-DD"), "{e}");
    let e = err(sales().drop("Invoice").unwrap(), "");
    assert!(
        e.contains("`Invoice` (setting `order_id`) does not exist"),
        "{e}"
    );
    let e = err(sales().head(Some(1)), "");
    assert!(e.contains("at least 2 customers"), "{e}");
    let e = err(sales().head(Some(0)), "");
    assert!(e.contains("has no rows"), "{e}");
    let e = err(
        sales(),
        "[[segments]]\nname = \"X\"\nr = [5, 4]\nf = [1, 5]\n",
    );
    assert!(e.contains("`r = [5, 4]`"), "{e}");
}

#[test]
fn order_groups_keep_dated_rows_with_an_order_and_count_the_rest_by_reason() {
    use crate::analysis::order_groups::{RFM_COLUMNS, sample_groups};
    let groups = sample_groups().select(RFM_COLUMNS).unwrap();
    let (tally, ids) = pushdown::tally_groups(&groups).unwrap();
    let c = tally.finish(&parse(BASE), &ids).unwrap();
    // Only a has a dated group with an order: b's rows lack an order id.
    assert_eq!(c.len(), 1);
    assert_eq!(c.ids.str().unwrap().get(0), Some("a"));
    // Order 1 spans two months (one order); the undated order 2 is out.
    assert_eq!(c.frequency, vec![1.0]);
    assert_eq!(c.monetary, vec![15.0]);
    assert_eq!(c.last, vec![NaiveDate::from_ymd_opt(2024, 2, 7).unwrap()]);
    let d = &c.dropped;
    assert_eq!(
        (
            d.missing_customer,
            d.missing_date,
            d.missing_order_id,
            d.missing_amount
        ),
        (2, 1, 3, 0)
    );
}
