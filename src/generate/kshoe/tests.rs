//! Tests of the Kshoe generator: shape, formats, decline and retention.

use super::allocate;
use crate::generate::Dataset;
use crate::generate::testutil::{Csv, assert_deterministic, generate_one_csv, has_shape};
use std::collections::{BTreeMap, BTreeSet};

fn generated(rows: usize, seed: u64) -> Csv {
    generate_one_csv(Dataset::Kshoe, rows, seed, "transactions.csv")
}

#[test]
fn allocation_keeps_the_total_and_gives_leftovers_to_the_largest_remainders() {
    // 10 * [1, 1, 1] / 3 = 3.33 each: floors 3+3+3, one left, to the first
    assert_eq!(allocate(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
    // 7 * [0.5, 0.3, 0.2] = 3.5, 2.1, 1.4: floors 3, 2, 1; remainders .5 .1 .4
    assert_eq!(allocate(7, &[0.5, 0.3, 0.2]), vec![4, 2, 1]);
    assert_eq!(allocate(0, &[2.0, 1.0]), vec![0, 0]);
}

#[test]
fn same_seed_same_bytes() {
    assert_deterministic(Dataset::Kshoe, 300);
}

#[test]
fn header_count_and_formats() {
    let csv = generated(1_500, 2);
    assert_eq!(
        csv.header,
        "order_id,order_date,customer_id,product_id,product_name,brand,condition,size,price,\
         quantity,city,channel"
    );
    assert_eq!(csv.rows.len(), 1_500);
    let mut conditions = BTreeSet::new();
    let mut last_date = String::new();
    for row in &csv.rows {
        assert!(has_shape(&row[1], &[4, 2, 2], '-'), "{}", row[1]);
        assert!(row[1] >= last_date, "rows are in date order");
        last_date = row[1].clone();
        conditions.insert(row[6].clone());
        let price: i64 = row[8].parse().unwrap();
        assert!(price >= 5_000 && price % 1_000 == 0, "rupiah price {price}");
        assert!(row[9] == "1" || row[9] == "2");
    }
    assert_eq!(
        conditions,
        BTreeSet::from(["new".to_string(), "used".to_string()])
    );
}

#[test]
fn two_years_of_transactions_decline_at_the_end_and_few_customers_return() {
    let csv = generated(8_000, 3);
    // distinct orders per month (YYYY-MM), and orders per customer
    let mut months: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut customer_orders: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for row in &csv.rows {
        months.entry(&row[1][..7]).or_default().insert(&row[0]);
        customer_orders.entry(&row[2]).or_default().insert(&row[0]);
    }
    assert_eq!(months.len(), 24);
    let counts: Vec<f64> = months.values().map(|o| o.len() as f64).collect();
    let first3 = counts[..3].iter().sum::<f64>() / 3.0;
    let last3 = counts[21..].iter().sum::<f64>() / 3.0;
    assert!(
        last3 < 0.8 * first3,
        "last three months {last3} vs first {first3}"
    );
    // each of the last three months is below the one before it
    assert!(
        counts[21] > counts[22] && counts[22] > counts[23],
        "{counts:?}"
    );
    let repeat = customer_orders.values().filter(|o| o.len() >= 2).count() as f64
        / customer_orders.len() as f64;
    assert!(repeat < 0.3, "repeat customers {repeat}");
}
