//! Tests of the chocolate generator: shape, formats, clusters and laggards.

use super::*;
use crate::generate::Dataset;
use crate::generate::testutil::{Csv, assert_deterministic, generate_one_csv};
use std::collections::BTreeMap;

fn generated(rows: usize, seed: u64) -> Csv {
    generate_one_csv(Dataset::Chocolate, rows, seed, "chocolate_sales.csv")
}

/// `$5,320 ` -> 5320, the cleaning a loader must do.
fn dollars(text: &str) -> f64 {
    text.trim()
        .trim_start_matches('$')
        .replace(',', "")
        .parse()
        .unwrap()
}

#[test]
fn same_seed_same_bytes() {
    assert_deterministic(Dataset::Chocolate, 300);
}

#[test]
fn dollar_text_has_sign_thousands_commas_and_optional_space() {
    assert_eq!(Dollars(5320, true).to_string(), "$5,320 ");
    assert_eq!(Dollars(623, false).to_string(), "$623");
    assert_eq!(Dollars(1_234_567, false).to_string(), "$1,234,567");
    assert_eq!(Dollars(100_000, true).to_string(), "$100,000 ");
}

#[test]
fn header_count_and_formats_match_the_original() {
    let csv = generated(1_100, 3);
    assert_eq!(
        csv.header,
        "Sales Person,Country,Product,Date,Amount,Boxes Shipped"
    );
    assert_eq!(csv.rows.len(), 1_100);
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"];
    let mut people = BTreeMap::new();
    let mut products = BTreeMap::new();
    let mut countries = BTreeMap::new();
    for row in &csv.rows {
        let parts: Vec<&str> = row[3].split('-').collect();
        assert_eq!(parts.len(), 3, "{}", row[3]);
        assert!(parts[0].len() == 2 && parts[0].parse::<u32>().is_ok());
        assert!(months.contains(&parts[1]) && parts[2] == "22", "{}", row[3]);
        assert!(
            row[4].starts_with('$') && dollars(&row[4]) > 0.0,
            "{}",
            row[4]
        );
        assert!(row[5].parse::<u32>().unwrap() >= 1);
        *people.entry(&row[0]).or_insert(0) += 1;
        *products.entry(&row[2]).or_insert(0) += 1;
        *countries.entry(&row[1]).or_insert(0) += 1;
    }
    assert_eq!((people.len(), products.len(), countries.len()), (25, 22, 6));
    assert!(
        csv.rows
            .iter()
            .any(|r| r[4].contains(',') && r[4].ends_with(' '))
    );
}

#[test]
fn four_planted_clusters_are_each_well_populated() {
    let csv = generated(1_100, 4);
    let mut counts = [0usize; 4];
    for row in &csv.rows {
        let (amount, boxes) = (dollars(&row[4]), row[5].parse::<f64>().unwrap());
        let per_box = amount / boxes;
        let group = if boxes >= 250.0 {
            1 // mass buyers: many cheap boxes
        } else if per_box >= 80.0 && amount >= 6_000.0 {
            2 // premium: dear boxes, large amounts
        } else if boxes <= 30.0 {
            3 // testers: tiny orders
        } else {
            0 // explorers
        };
        counts[group] += 1;
    }
    // planted shares 35/20/15/30%: each group holds at least 10% of rows
    assert!(counts.iter().all(|c| *c >= 110), "{counts:?}");
}

#[test]
fn laggards_sell_below_the_monthly_average_in_june_july_and_august() {
    for seed in [1, 2, 3] {
        let csv = generated(1_100, seed);
        // (month, product) -> (sum, count), and month -> (sum, count)
        let mut by_product: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
        let mut by_month: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for row in &csv.rows {
            let month = row[3][3..6].to_string();
            let amount = dollars(&row[4]);
            let p = by_product
                .entry((month.clone(), row[2].clone()))
                .or_default();
            *p = (p.0 + amount, p.1 + 1.0);
            let m = by_month.entry(month).or_default();
            *m = (m.0 + amount, m.1 + 1.0);
        }
        let below_all_summer = |product: &str| {
            ["Jun", "Jul", "Aug"].iter().all(|month| {
                let (ps, pc) = by_product[&(month.to_string(), product.to_string())];
                let (ms, mc) = by_month[*month];
                ps / pc < ms / mc
            })
        };
        for product in LAGGARDS {
            assert!(below_all_summer(product), "{product} seed {seed}");
        }
        let others = PRODUCTS
            .iter()
            .filter(|p| !LAGGARDS.contains(p) && below_all_summer(p));
        assert!(others.count() <= 2, "too many chance laggards, seed {seed}");
    }
}
