//! Tests of the thelook generator: shapes, formats, relations, behaviour.

use super::*;
use crate::generate::testutil::{Csv, assert_deterministic};
use crate::generate::{Dataset, generate};
use std::collections::{BTreeMap, BTreeSet};

struct Generated {
    users: Csv,
    orders: Csv,
    items: Csv,
    products: Csv,
}

fn generated(rows: usize, seed: u64) -> Generated {
    let dir = tempfile::tempdir().unwrap();
    let files = generate(Dataset::Thelook, rows, seed, dir.path()).unwrap();
    let names: Vec<_> = files
        .iter()
        .map(|f| f.strip_prefix(dir.path()).unwrap())
        .collect();
    let expected = ["users.csv", "orders.csv", "order_items.csv", "products.csv"];
    assert_eq!(names, expected.map(Path::new));
    let read = |i: usize| Csv::read(&files[i]);
    Generated {
        users: read(0),
        orders: read(1),
        items: read(2),
        products: read(3),
    }
}

fn ids(csv: &Csv, column: &str) -> BTreeSet<String> {
    let c = csv.col(column);
    csv.rows.iter().map(|r| r[c].clone()).collect()
}

#[test]
fn same_seed_same_bytes() {
    assert_deterministic(Dataset::Thelook, 300);
}

#[test]
fn headers_counts_and_formats_match_thelook() {
    let g = generated(2_000, 9);
    assert_eq!(
        g.users.header,
        "id,first_name,last_name,email,age,gender,state,city,country,traffic_source,created_at"
    );
    assert_eq!(
        g.orders.header,
        "order_id,user_id,status,gender,created_at,returned_at,shipped_at,delivered_at,num_of_item"
    );
    assert_eq!(
        g.items.header,
        "id,order_id,user_id,product_id,inventory_item_id,status,created_at,shipped_at,\
         delivered_at,returned_at,sale_price"
    );
    assert_eq!(
        g.products.header,
        "id,cost,category,name,brand,retail_price,department,sku,distribution_center_id"
    );
    assert_eq!(g.items.rows.len(), 2_000);
    let statuses: BTreeSet<&str> = g.orders.rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["Cancelled", "Complete", "Processing", "Returned", "Shipped"])
    );
    // `2022-03-14 07:39:05 UTC`: 19 characters of date and time, then the suffix
    for row in &g.orders.rows {
        assert!(row[4].len() == 23 && row[4].ends_with(" UTC"), "{}", row[4]);
        assert_eq!(&row[4][4..5], "-");
        assert_eq!(
            row[6].is_empty(),
            matches!(row[2].as_str(), "Processing" | "Cancelled")
        );
        assert_eq!(row[5].is_empty(), row[2] != "Returned");
    }
    for row in &g.items.rows {
        assert!(
            row[6].len() == 25 && row[6].ends_with("+00:00"),
            "{}",
            row[6]
        );
        assert!(row[10].parse::<f64>().unwrap() > 0.0);
    }
    assert!(
        g.users
            .rows
            .iter()
            .all(|r| r[10].ends_with("+00:00") && r[3].contains('@'))
    );
}

#[test]
fn num_of_item_counts_the_items_of_each_order() {
    let g = generated(2_000, 10);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &g.items.rows {
        *counts.entry(&row[1]).or_default() += 1;
    }
    for row in &g.orders.rows {
        assert_eq!(
            row[8],
            counts[row[0].as_str()].to_string(),
            "order {}",
            row[0]
        );
    }
}

#[test]
fn buyers_mostly_order_once_revenue_is_concentrated_and_some_relations_break() {
    let g = generated(15_000, 11);
    // orders per customer, and revenue per customer from the items
    let mut orders: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &g.orders.rows {
        *orders.entry(&row[1]).or_default() += 1;
    }
    let repeat = orders.values().filter(|n| **n >= 2).count() as f64 / orders.len() as f64;
    assert!((0.15..0.4).contains(&repeat), "repeat rate {repeat}");
    let mut revenue: BTreeMap<&str, f64> = BTreeMap::new();
    for row in &g.items.rows {
        *revenue.entry(&row[2]).or_default() += row[10].parse::<f64>().unwrap();
    }
    let mut values: Vec<f64> = revenue.into_values().collect();
    values.sort_by(|a, b| b.total_cmp(a));
    let top = values.len().div_ceil(5);
    let top_share = values[..top].iter().sum::<f64>() / values.iter().sum::<f64>();
    assert!(
        top_share > 0.45,
        "top 20% of customers hold {top_share} of revenue"
    );

    let users = ids(&g.users, "id");
    let order_ids = ids(&g.orders, "order_id");
    let products = ids(&g.products, "id");
    let orphan_orders = g
        .orders
        .rows
        .iter()
        .filter(|r| !users.contains(&r[1]))
        .count();
    let items_without_order = g
        .items
        .rows
        .iter()
        .filter(|r| !order_ids.contains(&r[1]))
        .count();
    let items_without_product = g
        .items
        .rows
        .iter()
        .filter(|r| !products.contains(&r[3]))
        .count();
    for broken in [orphan_orders, items_without_order, items_without_product] {
        assert!((1..300).contains(&broken), "{broken} broken of 15,000");
    }
    assert!(users.len() > orders.len(), "some users never order");
}
