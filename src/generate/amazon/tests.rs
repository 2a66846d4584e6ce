//! Tests of the Amazon generator: shape, formats and the planted B2B signal.

use super::*;
use crate::generate::Dataset;
use crate::generate::testutil::{Csv, assert_deterministic, generate_one_csv, has_shape};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

fn generated(rows: usize, seed: u64) -> Csv {
    generate_one_csv(Dataset::Amazon, rows, seed, "amazon_sale_report.csv")
}

#[test]
fn same_seed_same_bytes() {
    assert_deterministic(Dataset::Amazon, 400);
}

#[test]
fn header_row_count_and_value_formats_match_the_original() {
    let csv = generated(3_000, 5);
    assert_eq!(
        csv.header,
        "index,Order ID,Date,Status,Fulfilment,Sales Channel ,ship-service-level,Style,SKU,\
         Category,Size,ASIN,Courier Status,Qty,currency,Amount,ship-city,ship-state,\
         ship-postal-code,ship-country,promotion-ids,B2B,fulfilled-by"
    );
    assert_eq!(csv.rows.len(), 3_000);
    let (date, amount, currency) = (csv.col("Date"), csv.col("Amount"), csv.col("currency"));
    let (status, b2b, postal) = (
        csv.col("Status"),
        csv.col("B2B"),
        csv.col("ship-postal-code"),
    );
    let mut empty_cancelled_amounts = 0;
    for (i, row) in csv.rows.iter().enumerate() {
        assert_eq!(row.len(), 23, "row {i}: {row:?}");
        assert_eq!(row[0], i.to_string());
        assert!(has_shape(&row[date], &[2, 2, 2], '-'), "date {}", row[date]);
        let month: u32 = row[date][..2].parse().unwrap();
        assert!((3..=6).contains(&month));
        assert!(row[b2b] == "True" || row[b2b] == "False");
        assert!(has_shape(&row[1], &[3, 7, 7], '-'), "order id {}", row[1]);
        if row[amount].is_empty() {
            assert_eq!(row[currency], "");
            assert_eq!(
                row[status], "Cancelled",
                "only cancelled rows lack an amount"
            );
            empty_cancelled_amounts += 1;
        } else {
            assert_eq!(row[currency], "INR");
            assert!(row[amount].parse::<f64>().unwrap() > 0.0);
        }
        assert!(row[postal].is_empty() || has_shape(&row[postal], &[6, 1], '.'));
    }
    assert!(empty_cancelled_amounts > 50, "{empty_cancelled_amounts}");
}

/// Per-segment totals, computed the way analyses.md defines them
/// (cancelled rows and missing amounts excluded).
#[derive(Default, Debug)]
struct Segment {
    orders: BTreeMap<String, ()>,
    revenue: f64,
    qty: f64,
    weekday_qty: f64,
    by_category: BTreeMap<String, f64>,
    by_size: BTreeMap<String, f64>,
}

impl Segment {
    fn aov(&self) -> f64 {
        self.revenue / self.orders.len() as f64
    }
    fn share(map: &BTreeMap<String, f64>, keys: &[&str], total: f64) -> f64 {
        keys.iter()
            .map(|k| map.get(*k).copied().unwrap_or(0.0))
            .sum::<f64>()
            / total
    }
}

fn segments(csv: &Csv) -> [Segment; 2] {
    let mut seg = [Segment::default(), Segment::default()];
    let c = |n| csv.col(n);
    let (status, amount, qty, b2b, date) =
        (c("Status"), c("Amount"), c("Qty"), c("B2B"), c("Date"));
    for row in csv
        .rows
        .iter()
        .filter(|r| r[status] != "Cancelled" && !r[amount].is_empty())
    {
        let s = &mut seg[(row[b2b] == "True") as usize];
        let q: f64 = row[qty].parse().unwrap();
        s.orders.insert(row[1].clone(), ());
        s.revenue += row[amount].parse::<f64>().unwrap();
        s.qty += q;
        let day = NaiveDate::parse_from_str(&row[date], "%m-%d-%y").unwrap();
        if day.weekday().number_from_monday() <= 5 {
            s.weekday_qty += q;
        }
        *s.by_category.entry(row[c("Category")].clone()).or_default() += q;
        *s.by_size.entry(row[c("Size")].clone()).or_default() += q;
    }
    seg
}

#[test]
fn b2b_orders_are_rare_larger_weekday_heavy_and_lean_to_sets_and_large_sizes() {
    for seed in [1, 2] {
        let csv = generated(20_000, seed);
        let b2b_rows = csv
            .rows
            .iter()
            .filter(|r| r[csv.col("B2B")] == "True")
            .count();
        assert!(
            b2b_rows > 40 && b2b_rows < 200,
            "B2B rows {b2b_rows} of 20,000"
        );
        let [b2c, b2b] = segments(&csv);
        assert!(
            b2b.aov() > 2.0 * b2c.aov(),
            "AOV {} vs {}",
            b2b.aov(),
            b2c.aov()
        );
        let units = |s: &Segment| s.qty / s.orders.len() as f64;
        assert!(units(&b2b) > 2.0 * units(&b2c));
        assert!(b2b.weekday_qty / b2b.qty > b2c.weekday_qty / b2c.qty + 0.1);
        let set = |s: &Segment| Segment::share(&s.by_category, &["Set"], s.qty);
        assert!(
            set(&b2b) > set(&b2c),
            "Set share {} vs {}",
            set(&b2b),
            set(&b2c)
        );
        let large = |s: &Segment| Segment::share(&s.by_size, &["L", "XL"], s.qty);
        assert!(large(&b2b) > large(&b2c));
    }
}

#[test]
fn python_float_formatting_drops_trailing_zeros_like_pandas() {
    assert_eq!(PythonFloat(40_600).to_string(), "406.0");
    assert_eq!(PythonFloat(64_760).to_string(), "647.6");
    assert_eq!(PythonFloat(64_762).to_string(), "647.62");
    assert_eq!(PythonFloat(64_705).to_string(), "647.05");
}
