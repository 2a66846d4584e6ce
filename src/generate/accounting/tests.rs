//! Tests of the accounting generator: page layout, formats, masters,
//! customer variety and the planted bundles.

use super::catalog::BUNDLES;
use crate::generate::testutil::{assert_deterministic, has_shape};
use crate::generate::{Dataset, generate};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Generated files and every invoice of every page, in page order.
fn generated(dir: &Path, rows: usize, seed: u64) -> (Vec<PathBuf>, Vec<Value>) {
    let files = generate(Dataset::Accounting, rows, seed, dir).unwrap();
    let pages = &files[..files.len() - 2];
    let invoices = pages
        .iter()
        .flat_map(|p| read(p)["d"].as_array().unwrap().clone())
        .collect();
    (files, invoices)
}

#[test]
fn same_seed_same_bytes() {
    assert_deterministic(Dataset::Accounting, 300);
}

#[test]
fn pages_masters_and_formats_match_the_api_cache() {
    let dir = tempfile::tempdir().unwrap();
    let (files, invoices) = generated(dir.path(), 1_000, 6);
    let rel: Vec<_> = files
        .iter()
        .map(|f| f.strip_prefix(dir.path()).unwrap())
        .collect();
    let pages = invoices.len().div_ceil(100);
    assert_eq!(rel.len(), pages + 2);
    assert_eq!(rel[0], Path::new("invoices/invoices_001.json"));
    assert_eq!(
        rel[pages - 1],
        Path::new(&format!("invoices/invoices_{pages:03}.json"))
    );
    assert_eq!(
        rel[pages..],
        [Path::new("customers.json"), Path::new("items.json")]
    );
    let first = read(&files[0]);
    assert_eq!(first["s"], true);
    assert_eq!(first["sp"]["rowCount"], invoices.len());
    assert_eq!(first["sp"]["pageCount"], pages);

    let customers: BTreeSet<String> = read(&files[pages])["d"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customerNo"].as_str().unwrap().to_string())
        .collect();
    let items: BTreeSet<String> = read(&files[pages + 1])["d"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["itemNo"].as_str().unwrap().to_string())
        .collect();
    let mut lines = 0;
    for inv in &invoices {
        let date = inv["transDate"].as_str().unwrap();
        assert!(
            has_shape(date, &[2, 2, 4], '/') && date.ends_with("2024"),
            "{date}"
        );
        assert!(customers.contains(inv["customerNo"].as_str().unwrap()));
        let mut total = 0;
        for d in inv["detailItem"].as_array().unwrap() {
            let (q, p) = (
                d["quantity"].as_i64().unwrap(),
                d["unitPrice"].as_i64().unwrap(),
            );
            assert_eq!(d["totalPrice"].as_i64().unwrap(), q * p);
            assert!(items.contains(d["itemNo"].as_str().unwrap()));
            total += q * p;
            lines += 1;
        }
        assert_eq!(inv["totalAmount"].as_i64().unwrap(), total);
    }
    assert_eq!(lines, 1_000);
}

#[test]
fn a_smaller_run_leaves_no_stale_pages_behind() {
    let dir = tempfile::tempdir().unwrap();
    generate(Dataset::Accounting, 2_000, 1, dir.path()).unwrap();
    let (files, _) = generated(dir.path(), 300, 1);
    let on_disk = std::fs::read_dir(dir.path().join("invoices"))
        .unwrap()
        .count();
    assert_eq!(on_disk, files.len() - 2);
}

#[test]
fn customers_vary_in_recency_and_frequency_and_bundles_have_lift() {
    let dir = tempfile::tempdir().unwrap();
    let (files, invoices) = generated(dir.path(), 6_000, 7);
    let item_master = read(&files[files.len() - 1]);
    let base_item_no = |i: usize| item_master["d"][i]["itemNo"].as_str().unwrap().to_string();

    // frequency and the month of the last invoice per customer
    let mut per_customer: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut baskets: Vec<BTreeSet<String>> = Vec::new();
    for inv in &invoices {
        let date = inv["transDate"].as_str().unwrap();
        let yyyymm = format!("{}{}", &date[6..], &date[3..5]);
        let entry = per_customer
            .entry(inv["customerNo"].as_str().unwrap().into())
            .or_default();
        entry.0 += 1;
        entry.1 = entry.1.clone().max(yyyymm);
        let basket = inv["detailItem"].as_array().unwrap().iter();
        baskets.push(
            basket
                .map(|d| d["itemNo"].as_str().unwrap().to_string())
                .collect(),
        );
    }
    let months: BTreeSet<&str> = invoices
        .iter()
        .map(|i| &i["transDate"].as_str().unwrap()[3..5])
        .collect();
    assert_eq!(months.len(), 12);
    let freq: Vec<usize> = per_customer.values().map(|v| v.0).collect();
    let (min, max) = (freq.iter().min().unwrap(), freq.iter().max().unwrap());
    assert!(*max >= 10 * *min, "frequency from {min} to {max}");
    let lapsed = per_customer
        .values()
        .filter(|v| v.1.as_str() <= "202408")
        .count();
    assert!(
        lapsed >= 5,
        "{lapsed} customers stopped buying before September"
    );

    // support, confidence and lift as analyses.md defines them
    let n = baskets.len() as f64;
    let support = |items: &[String]| {
        baskets
            .iter()
            .filter(|b| items.iter().all(|i| b.contains(i)))
            .count() as f64
            / n
    };
    for (bundle, _) in BUNDLES {
        let (a, c) = (base_item_no(bundle[0]), base_item_no(bundle[1]));
        let lift = support(&[a.clone(), c.clone()]) / (support(&[a]) * support(&[c]));
        assert!(lift > 2.0, "bundle {bundle:?} lift {lift}");
    }
}
