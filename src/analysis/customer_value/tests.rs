//! Customer-value tests on a hand-computed 7-customer data set.
//!
//! Rows (customer, order, amount, date); `-` is missing:
//! ```text
//!  3 o1 100 01-05 | 3 o2 50 02-10 | 3 o2 25 02-10      -> 2 orders, 175
//! 10 o3 175 01-20                                      -> 1 order,  175
//!  5 o4 60 03-01 | 5 o5 - 03-09 | 5 o6 40 03-03        -> 3 orders, 100
//!  7 o7 80 04-01                                       -> 1 order,   80
//!  1 o8..o12: 20 20 20 10 10 (01-01..01-04, -)         -> 5 orders,  80
//!  2 o13 30 05-05                                      -> 1 order,   30
//!  4 o14..o17: 5 each (06-01..06-04)                   -> 4 orders,  20
//!  - o18 999 (no customer: dropped) | 2 - 500 (no order id: dropped)
//! ```
//! Value order (ties by numeric id): 3, 10, 5, 1, 7, 2, 4. n = 7, total
//! revenue 660, total orders 17. High = ceil(1.4) = 2 customers {3, 10}:
//! 350, 3 orders; Medium = up to ceil(3.5) = 4: {5, 1}: 180, 8 orders;
//! Low {7, 2, 4}: 130, 6 orders.

use super::*;
use crate::config::Language;
use crate::data::Tables;
use chrono::NaiveDate;
use polars::prelude::{DataFrame, DataType, IntoColumn};
use serde_json::{Value, json};

fn day(y: i32, m: u32, d: u32) -> Option<i32> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    Some(
        NaiveDate::from_ymd_opt(y, m, d)?
            .signed_duration_since(epoch)
            .num_days() as i32,
    )
}

fn orders() -> DataFrame {
    let customer = [
        Some(3),
        Some(3),
        Some(3),
        Some(10),
        Some(5),
        Some(5),
        Some(5),
        Some(7),
        Some(1),
        Some(1),
        Some(1),
        Some(1),
        Some(1),
        Some(2),
        Some(4),
        Some(4),
        Some(4),
        Some(4),
        None,
        Some(2),
    ];
    let order: Vec<Option<String>> = ["o1", "o2", "o2"]
        .into_iter()
        .map(str::to_string)
        .chain((3..=18).map(|i| format!("o{i}")))
        .map(Some)
        .chain([None])
        .collect();
    let amount = [
        Some(100.0),
        Some(50.0),
        Some(25.0),
        Some(175.0),
        Some(60.0),
        None,
        Some(40.0),
        Some(80.0),
        Some(20.0),
        Some(20.0),
        Some(20.0),
        Some(10.0),
        Some(10.0),
        Some(30.0),
        Some(5.0),
        Some(5.0),
        Some(5.0),
        Some(5.0),
        Some(999.0),
        Some(500.0),
    ];
    let dates = [
        day(2022, 1, 5),
        day(2022, 2, 10),
        day(2022, 2, 10),
        day(2022, 1, 20),
        day(2022, 3, 1),
        day(2022, 3, 9),
        day(2022, 3, 3),
        day(2022, 4, 1),
        day(2022, 1, 1),
        day(2022, 1, 2),
        day(2022, 1, 3),
        day(2022, 1, 4),
        None,
        day(2022, 5, 5),
        day(2022, 6, 1),
        day(2022, 6, 2),
        day(2022, 6, 3),
        day(2022, 6, 4),
        day(2022, 1, 1),
        day(2022, 1, 1),
    ];
    let mut df = polars::df!(
        "user_id" => customer,
        "order_id" => order,
        "amount" => amount,
        "day" => dates,
    )
    .expect("orders frame");
    let date = df
        .column("day")
        .expect("day")
        .cast(&DataType::Date)
        .expect("date cast")
        .as_materialized_series()
        .clone()
        .with_name("created_at".into());
    df.with_column(date.into_column()).expect("date column");
    df
}

fn tables() -> Tables {
    let mut t = Tables::new();
    t.insert("orders".into(), orders());
    let users = polars::df!("id" => [1i64, 2, 3, 4, 5, 7]).expect("users");
    t.insert("users".into(), users);
    let items = polars::df!("product" => [Some("p2"), Some("p10"), Some("p1"), Some("p10"), None, Some("p3")])
        .expect("items");
    t.insert("items".into(), items);
    t.insert(
        "products".into(),
        polars::df!("id" => ["p1"]).expect("products"),
    );
    t
}

const SPEC: &str = r#"table = "orders"
customer = "user_id"
order_id = "order_id"
amount = "amount"
date = "created_at"
[[relations]]
from = "orders.user_id"
to = "users.id"
[[relations]]
from = "items.product"
to = "products.id"
"#;

fn run_spec(spec: &str, tables: &Tables) -> Result<AnalysisOutput> {
    let spec: CustomerValueSpec = toml::from_str(spec).expect("spec parses");
    let ctx = AnalysisContext {
        tables,
        language: Language::En,
    };
    run(&spec, &ctx)
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-12)
}

#[test]
fn headline_figures_by_hand() {
    let out = run_spec(SPEC, &tables()).expect("run");
    let r = &out.result;
    assert_eq!(r["total_customers"], json!(7));
    // Repeat: 3 (2 orders), 5 (3), 1 (5), 4 (4).
    assert_eq!(r["repeat_customers"], json!(4));
    assert!(close(&r["repeat_rate"], 4.0 / 7.0));
    assert_eq!(r["total_revenue"], json!(660.0));
    assert_eq!(r["total_orders"], json!(17));
    assert!(close(&r["avg_revenue_per_customer"], 660.0 / 7.0));
    assert!(close(&r["aov"], 660.0 / 17.0));
    assert_eq!(r["rows"], json!(20));
    assert_eq!(r["dropped_missing_customer"], json!(1));
    assert_eq!(r["dropped_missing_order"], json!(1));
    assert_eq!(r["missing_amount_rows"], json!(1));
    assert_eq!(r["first_date"], json!("2022-01-01"));
    assert_eq!(r["last_date"], json!("2022-06-04"));
}

#[test]
fn segments_with_ties_and_ceil_rules() {
    let out = run_spec(SPEC, &tables()).expect("run");
    let s = &out.result["segments"];
    assert_eq!(s["High"]["customers"], json!(2));
    assert_eq!(s["High"]["revenue"], json!(350.0));
    assert!(close(&s["High"]["revenue_share"], 350.0 / 660.0));
    assert!(close(&s["High"]["aov"], 350.0 / 3.0));
    assert_eq!(s["Medium"]["customers"], json!(2));
    assert_eq!(s["Medium"]["orders"], json!(8));
    assert!(close(&s["Medium"]["aov"], 22.5));
    assert_eq!(s["Low"]["customers"], json!(3));
    assert!(close(&s["Low"]["revenue_share"], 130.0 / 660.0));
    assert!(close(&s["Low"]["aov"], 130.0 / 6.0));
    // Tie 175: id 3 before 10 (numeric order, not text); tie 80: 1 before 7.
    let ids: Vec<Value> = out.tables["customers"]
        .rows
        .iter()
        .map(|r| r[1].clone())
        .collect();
    assert_eq!(ids, ["3", "10", "5", "1", "7", "2", "4"].map(|s| json!(s)));
    let first = &out.tables["customers"].rows[0];
    let expected = [
        json!(1),
        json!("3"),
        json!(2),
        json!(175.0),
        json!("2022-01-05"),
        json!("2022-02-10"),
        json!("High"),
    ];
    assert_eq!(first[..], expected);
    // Customer 5's missing-amount row still counts as an order and a date.
    let five = &out.tables["customers"].rows[2];
    assert_eq!((&five[2], &five[5]), (&json!(3), &json!("2022-03-09")));
    // Customer 2's dropped row (no order id) does not count.
    assert_eq!(out.tables["customers"].rows[5][4], json!("2022-05-05"));
}

#[test]
fn pareto_top_shares_and_order_counts() {
    let out = run_spec(SPEC, &tables()).expect("run");
    let r = &out.result;
    // Top 1% and 10%: ceil(0.07) = ceil(0.7) = 1 customer -> 175 / 660;
    // top 20%: ceil(1.4) = 2 -> 350 / 660.
    assert!(close(&r["top_1_revenue_share"], 175.0 / 660.0));
    assert!(close(&r["top_10_revenue_share"], 175.0 / 660.0));
    assert!(close(&r["top_20_revenue_share"], 350.0 / 660.0));
    let pareto = &out.tables["pareto"];
    let cum = [0.0, 175.0, 350.0, 450.0, 530.0, 610.0, 640.0, 660.0];
    assert_eq!(pareto.len(), 8);
    for (i, (row, c)) in pareto.rows.iter().zip(cum).enumerate() {
        assert_eq!(row[0], json!(i));
        assert!(close(&row[1], i as f64 / 7.0));
        assert!(close(&row[2], c / 660.0));
    }
    // 1 order: 10, 7, 2; 2: 3; 3: 5; 4: 4; 5+: 1.
    assert_eq!(
        r["order_counts"],
        json!({"1": 3, "2": 1, "3": 1, "4": 1, "5+": 1})
    );
    let counts = &out.tables["order_counts"];
    assert_eq!(counts.rows[0], vec![json!("1"), json!(3), json!(3.0 / 7.0)]);
}

#[test]
fn relation_failures_are_counted_and_listed_sorted() {
    let out = run_spec(SPEC, &tables()).expect("run");
    // 19 rows with a user id; user 10 is not in users.
    let rel = &out.result["relations"];
    assert_eq!(rel[0]["checked"], json!(19));
    assert_eq!(rel[0]["failures"], json!(1));
    assert_eq!(rel[0]["examples"], json!(["10"]));
    // p2, p10, p10, p3 are not products (null skipped): 4 rows, 3 keys.
    assert_eq!(rel[1]["checked"], json!(5));
    assert_eq!(rel[1]["failures"], json!(4));
    assert_eq!(rel[1]["failing_keys"], json!(3));
    assert_eq!(rel[1]["examples"], json!(["p10", "p2", "p3"]));
    assert_eq!(out.result["relations_ok"], json!(false));
    let spec: CustomerValueSpec = toml::from_str(SPEC).expect("spec");
    assert_eq!(spec.tables(), ["orders", "items", "products", "users"]);
    let t = &out.tables["relations"];
    assert_eq!(t.rows[1][5], json!("p10, p2, p3"));
}

#[test]
fn at_most_twenty_examples_in_numeric_order() {
    let mut t = Tables::new();
    let keys: Vec<i64> = (1..=25).rev().collect();
    t.insert("a".into(), polars::df!("k" => keys).expect("a"));
    t.insert("b".into(), polars::df!("k" => [100i64]).expect("b"));
    t.insert(
        "o".into(),
        polars::df!("c" => [1i64], "v" => [1.0]).expect("o"),
    );
    let spec = "table = \"o\"\ncustomer = \"c\"\namount = \"v\"\n[[relations]]\nfrom = \"a.k\"\nto = \"b.k\"";
    let out = run_spec(spec, &t).expect("run");
    let rel = &out.result["relations"][0];
    assert_eq!(rel["failing_keys"], json!(25));
    let expected: Vec<String> = (1..=20).map(|i| i.to_string()).collect();
    assert_eq!(rel["examples"], json!(expected));
    // Without order_id every row is an order.
    assert_eq!(out.result["total_orders"], json!(1));
}

#[test]
fn settings_errors_are_named() {
    let t = tables();
    let base = "table = \"orders\"\ncustomer = \"user_id\"\namount = \"amount\"";
    let cases = [
        (format!("{base}\nhigh_share = 0.6"), "`high_share`"),
        (
            base.replace("amount = \"amount\"", "amount = \"zz\""),
            "setting `amount`",
        ),
        (
            format!("{base}\n[[relations]]\nfrom = \"orders\"\nto = \"users.id\""),
            "not `table.column`",
        ),
        (
            format!("{base}\n[[relations]]\nfrom = \"nope.x\"\nto = \"users.id\""),
            "table `nope`",
        ),
        (
            format!("{base}\n[[relations]]\nfrom = \"orders.user_id\"\nto = \"users.zz\""),
            "setting `relations[0].to`",
        ),
        (format!("{base}\ndate = \"amount\""), "not a date"),
    ];
    for (spec, expected) in cases {
        let err = run_spec(&spec, &t).expect_err(&spec);
        assert!(err.message().contains(expected), "{spec}: {err}");
    }
}

#[test]
fn parses_as_an_analysis_kind() {
    let spec: crate::analysis::AnalysisSpec = toml::from_str(
        "kind = \"customer_value\"\ntable = \"orders\"\ncustomer = \"c\"\namount = \"a\"",
    )
    .expect("kind parses");
    assert_eq!(spec.table(), "orders");
    let err = toml::from_str::<crate::analysis::AnalysisSpec>(
        "kind = \"customer_value\"\ntable = \"o\"\ncustomer = \"c\"\namount = \"a\"\ntypo = 1",
    )
    .expect_err("unknown key");
    assert!(err.to_string().contains("unknown field"), "{err}");
}

#[test]
fn order_groups_count_an_order_once_across_months() {
    use crate::analysis::order_groups::{CUSTOMER_VALUE_COLUMNS, sample_groups};
    // The columns it reads suffice.
    let groups = sample_groups().select(CUSTOMER_VALUE_COLUMNS).unwrap();
    let (tally, ids) = pushdown::tally_groups(&groups).unwrap();
    let c = tally.finish(ids, customers::Orders::Distinct).unwrap();
    // b's only rows have no order id: b is no customer.
    assert_eq!(c.list.len(), 1);
    let a = &c.list[0];
    assert_eq!(c.id_text(a).unwrap(), "a");
    // Order 1 (two months) and the undated order 2.
    assert_eq!(a.orders, 2);
    // Finite amounts only: 10 + 7; one row's amount was not finite.
    assert_eq!(a.revenue, 17.0);
    assert_eq!(c.missing_amount_rows, 1);
    assert_eq!(a.first, NaiveDate::from_ymd_opt(2024, 1, 1));
    assert_eq!(a.last, NaiveDate::from_ymd_opt(2024, 2, 7));
    assert_eq!(
        (c.rows, c.dropped_missing_customer, c.dropped_missing_order),
        (9, 2, 3)
    );
}
