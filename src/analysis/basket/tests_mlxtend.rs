//! Market basket against mlxtend on 40 orders (102 lines, some items
//! repeated within an order) with planted bundles. Expected values come from
//! `tests/reference/basket.py` (mlxtend 0.25.0, pandas 3.1.1), which reads
//! the CSV text below out of this file.

use super::tests::run_with;
use polars::prelude::DataFrame;
use serde_json::Value;

const DATA: &str = r"
order,item
SO-010,Sepatu Lari
SO-018,Tali Sepatu
SO-026,Sol Dalam
SO-005,Tali Sepatu
SO-030,Sol Dalam
SO-007,Tas Ransel
SO-016,Kaos Kaki
SO-020,Topi
SO-014,Semir
SO-013,Tali Sepatu
SO-010,Sol Dalam
SO-028,Topi
SO-037,Topi
SO-025,Kaos Kaki
SO-026,Tali Sepatu
SO-004,Semir
SO-013,Tali Sepatu
SO-027,Tas Ransel
SO-006,Tas Ransel
SO-013,Sol Dalam
SO-008,Semir
SO-009,Topi
SO-009,Jaket
SO-017,Sepatu Lari
SO-003,Botol Minum
SO-013,Kaos Kaki
SO-015,Sepatu Lari
SO-025,Sepatu Lari
SO-029,Botol Minum
SO-004,Tali Sepatu
SO-023,Tas Ransel
SO-012,Tas Ransel
SO-016,Sepatu Lari
SO-008,Kaos Kaki
SO-024,Tas Ransel
SO-016,Semir
SO-024,Tali Sepatu
SO-004,Sandal
SO-008,Sepatu Lari
SO-011,Jaket
SO-021,Sepatu Lari
SO-038,Topi
SO-028,Jaket
SO-025,Tali Sepatu
SO-033,Sepatu Lari
SO-015,Semir
SO-009,Sandal
SO-030,Kaos Kaki
SO-031,Topi
SO-023,Botol Minum
SO-027,Sepatu Lari
SO-030,Tali Sepatu
SO-009,Jaket
SO-019,Botol Minum
SO-019,Tas Ransel
SO-017,Semir
SO-017,Semir
SO-015,Sandal
SO-027,Semir
SO-025,Sol Dalam
SO-033,Sepatu Lari
SO-004,Sepatu Lari
SO-036,Botol Minum
SO-018,Topi
SO-034,Tas Ransel
SO-030,Tali Sepatu
SO-022,Tas Ransel
SO-035,Topi
SO-024,Semir
SO-024,Tas Ransel
SO-005,Topi
SO-031,Jaket
SO-010,Kaos Kaki
SO-017,Tali Sepatu
SO-005,Jaket
SO-032,Tali Sepatu
SO-014,Jaket
SO-032,Sepatu Lari
SO-002,Botol Minum
SO-034,Jaket
SO-013,Sepatu Lari
SO-038,Jaket
SO-013,Jaket
SO-026,Tali Sepatu
SO-006,Sol Dalam
SO-001,Topi
SO-000,Jaket
SO-001,Jaket
SO-032,Semir
SO-014,Sol Dalam
SO-039,Sol Dalam
SO-033,Tali Sepatu
SO-018,Semir
SO-002,Jaket
SO-000,Topi
SO-006,Botol Minum
SO-009,Topi
SO-012,Kaos Kaki
SO-017,Sandal
SO-029,Sol Dalam
SO-007,Tas Ransel
SO-010,Tali Sepatu
";

/// The CSV text as a table.
fn frame() -> DataFrame {
    let (orders, items): (Vec<&str>, Vec<&str>) = DATA
        .trim()
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(','))
        .unzip();
    polars::df!("Order" => orders, "Item" => items).unwrap()
}

/// A rule as `(antecedents, consequents, support, confidence, lift,
/// leverage, conviction)`, `None` for an infinite conviction.
type RuleRow = (&'static str, &'static str, f64, f64, f64, f64, Option<f64>);

/// What mlxtend finds for one configuration, sorted by name.
struct Expected {
    settings: &'static str,
    transactions: u64,
    /// `(items, support)`.
    itemsets: &'static [(&'static str, f64)],
    rules: &'static [RuleRow],
}

/// `python3 tests/reference/basket.py`, configuration 1.
#[rustfmt::skip]
fn expected_1() -> Expected {
    Expected {
        settings: "min_support = 0.1\nmin_confidence = 0.3\nmax_len = 3\n",
        transactions: 40,
        itemsets: &[
            ("Botol Minum", 0.175),
            ("Jaket", 0.3),
            ("Jaket + Topi", 0.175),
            ("Kaos Kaki", 0.175),
            ("Kaos Kaki + Sepatu Lari", 0.125),
            ("Kaos Kaki + Sol Dalam", 0.1),
            ("Kaos Kaki + Sol Dalam + Tali Sepatu", 0.1),
            ("Kaos Kaki + Tali Sepatu", 0.1),
            ("Sandal", 0.1),
            ("Semir", 0.25),
            ("Semir + Sepatu Lari", 0.175),
            ("Semir + Tali Sepatu", 0.125),
            ("Sepatu Lari", 0.3),
            ("Sepatu Lari + Tali Sepatu", 0.175),
            ("Sol Dalam", 0.225),
            ("Sol Dalam + Tali Sepatu", 0.125),
            ("Tali Sepatu", 0.3),
            ("Tas Ransel", 0.225),
            ("Topi", 0.275),
        ],
        rules: &[
            ("Jaket", "Topi", 0.175, 0.5833333333333334, 2.121212121212121, 0.09249999999999999, Some(1.74)),
            ("Kaos Kaki", "Sepatu Lari", 0.125, 0.7142857142857143, 2.380952380952381, 0.07250000000000001, Some(2.45)),
            ("Kaos Kaki", "Sol Dalam", 0.1, 0.5714285714285715, 2.53968253968254, 0.060625000000000005, Some(1.8083333333333338)),
            ("Kaos Kaki", "Sol Dalam + Tali Sepatu", 0.1, 0.5714285714285715, 4.571428571428572, 0.078125, Some(2.041666666666667)),
            ("Kaos Kaki", "Tali Sepatu", 0.1, 0.5714285714285715, 1.904761904761905, 0.04750000000000001, Some(1.6333333333333335)),
            ("Kaos Kaki + Sol Dalam", "Tali Sepatu", 0.1, 1.0, 3.3333333333333335, 0.07, None),
            ("Kaos Kaki + Tali Sepatu", "Sol Dalam", 0.1, 1.0, 4.444444444444445, 0.0775, None),
            ("Semir", "Sepatu Lari", 0.175, 0.7, 2.3333333333333335, 0.09999999999999999, Some(2.333333333333333)),
            ("Semir", "Tali Sepatu", 0.125, 0.5, 1.6666666666666667, 0.05, Some(1.4)),
            ("Sepatu Lari", "Kaos Kaki", 0.125, 0.4166666666666667, 2.3809523809523814, 0.07250000000000001, Some(1.4142857142857144)),
            ("Sepatu Lari", "Semir", 0.175, 0.5833333333333334, 2.3333333333333335, 0.09999999999999999, Some(1.8000000000000003)),
            ("Sepatu Lari", "Tali Sepatu", 0.175, 0.5833333333333334, 1.9444444444444446, 0.08499999999999999, Some(1.68)),
            ("Sol Dalam", "Kaos Kaki", 0.1, 0.4444444444444445, 2.53968253968254, 0.060625000000000005, Some(1.4849999999999999)),
            ("Sol Dalam", "Kaos Kaki + Tali Sepatu", 0.1, 0.4444444444444445, 4.444444444444445, 0.0775, Some(1.6199999999999999)),
            ("Sol Dalam", "Tali Sepatu", 0.125, 0.5555555555555556, 1.851851851851852, 0.057499999999999996, Some(1.575)),
            ("Sol Dalam + Tali Sepatu", "Kaos Kaki", 0.1, 0.8, 4.571428571428572, 0.078125, Some(4.125000000000001)),
            ("Tali Sepatu", "Kaos Kaki", 0.1, 0.33333333333333337, 1.904761904761905, 0.04750000000000001, Some(1.2375)),
            ("Tali Sepatu", "Kaos Kaki + Sol Dalam", 0.1, 0.33333333333333337, 3.3333333333333335, 0.07, Some(1.35)),
            ("Tali Sepatu", "Semir", 0.125, 0.4166666666666667, 1.6666666666666667, 0.05, Some(1.2857142857142858)),
            ("Tali Sepatu", "Sepatu Lari", 0.175, 0.5833333333333334, 1.9444444444444446, 0.08499999999999999, Some(1.68)),
            ("Tali Sepatu", "Sol Dalam", 0.125, 0.4166666666666667, 1.8518518518518519, 0.057499999999999996, Some(1.3285714285714287)),
            ("Topi", "Jaket", 0.175, 0.6363636363636362, 2.121212121212121, 0.09249999999999999, Some(1.9249999999999992)),
        ],
    }
}

/// `python3 tests/reference/basket.py`, configuration 2.
#[rustfmt::skip]
fn expected_2() -> Expected {
    Expected {
        settings: "min_support = 0.05\nmin_confidence = 0.5\nmax_len = 4\n",
        transactions: 40,
        itemsets: &[
            ("Botol Minum", 0.175),
            ("Botol Minum + Sol Dalam", 0.05),
            ("Botol Minum + Tas Ransel", 0.075),
            ("Jaket", 0.3),
            ("Jaket + Sol Dalam", 0.05),
            ("Jaket + Tali Sepatu", 0.05),
            ("Jaket + Topi", 0.175),
            ("Kaos Kaki", 0.175),
            ("Kaos Kaki + Semir", 0.05),
            ("Kaos Kaki + Semir + Sepatu Lari", 0.05),
            ("Kaos Kaki + Sepatu Lari", 0.125),
            ("Kaos Kaki + Sepatu Lari + Sol Dalam", 0.075),
            ("Kaos Kaki + Sepatu Lari + Sol Dalam + Tali Sepatu", 0.075),
            ("Kaos Kaki + Sepatu Lari + Tali Sepatu", 0.075),
            ("Kaos Kaki + Sol Dalam", 0.1),
            ("Kaos Kaki + Sol Dalam + Tali Sepatu", 0.1),
            ("Kaos Kaki + Tali Sepatu", 0.1),
            ("Sandal", 0.1),
            ("Sandal + Semir", 0.075),
            ("Sandal + Semir + Sepatu Lari", 0.075),
            ("Sandal + Semir + Sepatu Lari + Tali Sepatu", 0.05),
            ("Sandal + Semir + Tali Sepatu", 0.05),
            ("Sandal + Sepatu Lari", 0.075),
            ("Sandal + Sepatu Lari + Tali Sepatu", 0.05),
            ("Sandal + Tali Sepatu", 0.05),
            ("Semir", 0.25),
            ("Semir + Sepatu Lari", 0.175),
            ("Semir + Sepatu Lari + Tali Sepatu", 0.075),
            ("Semir + Tali Sepatu", 0.125),
            ("Semir + Tas Ransel", 0.05),
            ("Sepatu Lari", 0.3),
            ("Sepatu Lari + Sol Dalam", 0.075),
            ("Sepatu Lari + Sol Dalam + Tali Sepatu", 0.075),
            ("Sepatu Lari + Tali Sepatu", 0.175),
            ("Sol Dalam", 0.225),
            ("Sol Dalam + Tali Sepatu", 0.125),
            ("Tali Sepatu", 0.3),
            ("Tali Sepatu + Topi", 0.05),
            ("Tas Ransel", 0.225),
            ("Topi", 0.275),
        ],
        rules: &[
            ("Jaket", "Topi", 0.175, 0.5833333333333334, 2.121212121212121, 0.09249999999999999, Some(1.74)),
            ("Kaos Kaki", "Sepatu Lari", 0.125, 0.7142857142857143, 2.380952380952381, 0.07250000000000001, Some(2.45)),
            ("Kaos Kaki", "Sol Dalam", 0.1, 0.5714285714285715, 2.53968253968254, 0.060625000000000005, Some(1.8083333333333338)),
            ("Kaos Kaki", "Sol Dalam + Tali Sepatu", 0.1, 0.5714285714285715, 4.571428571428572, 0.078125, Some(2.041666666666667)),
            ("Kaos Kaki", "Tali Sepatu", 0.1, 0.5714285714285715, 1.904761904761905, 0.04750000000000001, Some(1.6333333333333335)),
            ("Kaos Kaki + Semir", "Sepatu Lari", 0.05, 1.0, 3.3333333333333335, 0.035, None),
            ("Kaos Kaki + Sepatu Lari", "Sol Dalam", 0.075, 0.6, 2.6666666666666665, 0.046875, Some(1.9375)),
            ("Kaos Kaki + Sepatu Lari", "Sol Dalam + Tali Sepatu", 0.075, 0.6, 4.8, 0.059375, Some(2.1875)),
            ("Kaos Kaki + Sepatu Lari", "Tali Sepatu", 0.075, 0.6, 2.0, 0.0375, Some(1.7499999999999998)),
            ("Kaos Kaki + Sepatu Lari + Sol Dalam", "Tali Sepatu", 0.075, 1.0, 3.3333333333333335, 0.0525, None),
            ("Kaos Kaki + Sepatu Lari + Tali Sepatu", "Sol Dalam", 0.075, 1.0, 4.444444444444445, 0.058124999999999996, None),
            ("Kaos Kaki + Sol Dalam", "Sepatu Lari", 0.075, 0.7499999999999999, 2.4999999999999996, 0.045, Some(2.7999999999999985)),
            ("Kaos Kaki + Sol Dalam", "Sepatu Lari + Tali Sepatu", 0.075, 0.7499999999999999, 4.285714285714286, 0.057499999999999996, Some(3.2999999999999985)),
            ("Kaos Kaki + Sol Dalam", "Tali Sepatu", 0.1, 1.0, 3.3333333333333335, 0.07, None),
            ("Kaos Kaki + Sol Dalam + Tali Sepatu", "Sepatu Lari", 0.075, 0.7499999999999999, 2.4999999999999996, 0.045, Some(2.7999999999999985)),
            ("Kaos Kaki + Tali Sepatu", "Sepatu Lari", 0.075, 0.7499999999999999, 2.4999999999999996, 0.045, Some(2.7999999999999985)),
            ("Kaos Kaki + Tali Sepatu", "Sepatu Lari + Sol Dalam", 0.075, 0.7499999999999999, 9.999999999999998, 0.0675, Some(3.6999999999999984)),
            ("Kaos Kaki + Tali Sepatu", "Sol Dalam", 0.1, 1.0, 4.444444444444445, 0.0775, None),
            ("Sandal", "Semir", 0.075, 0.7499999999999999, 2.9999999999999996, 0.049999999999999996, Some(2.9999999999999987)),
            ("Sandal", "Semir + Sepatu Lari", 0.075, 0.7499999999999999, 4.285714285714286, 0.057499999999999996, Some(3.2999999999999985)),
            ("Sandal", "Semir + Sepatu Lari + Tali Sepatu", 0.05, 0.5, 6.666666666666667, 0.0425, Some(1.85)),
            ("Sandal", "Semir + Tali Sepatu", 0.05, 0.5, 4.0, 0.037500000000000006, Some(1.75)),
            ("Sandal", "Sepatu Lari", 0.075, 0.7499999999999999, 2.4999999999999996, 0.045, Some(2.7999999999999985)),
            ("Sandal", "Sepatu Lari + Tali Sepatu", 0.05, 0.5, 2.857142857142857, 0.0325, Some(1.65)),
            ("Sandal", "Tali Sepatu", 0.05, 0.5, 1.6666666666666667, 0.020000000000000004, Some(1.4)),
            ("Sandal + Semir", "Sepatu Lari", 0.075, 1.0, 3.3333333333333335, 0.0525, None),
            ("Sandal + Semir", "Sepatu Lari + Tali Sepatu", 0.05, 0.6666666666666667, 3.80952380952381, 0.036875000000000005, Some(2.4750000000000005)),
            ("Sandal + Semir", "Tali Sepatu", 0.05, 0.6666666666666667, 2.2222222222222228, 0.027500000000000004, Some(2.1000000000000005)),
            ("Sandal + Semir + Sepatu Lari", "Tali Sepatu", 0.05, 0.6666666666666667, 2.2222222222222228, 0.027500000000000004, Some(2.1000000000000005)),
            ("Sandal + Semir + Tali Sepatu", "Sepatu Lari", 0.05, 1.0, 3.3333333333333335, 0.035, None),
            ("Sandal + Sepatu Lari", "Semir", 0.075, 1.0, 4.0, 0.056249999999999994, None),
            ("Sandal + Sepatu Lari", "Semir + Tali Sepatu", 0.05, 0.6666666666666667, 5.333333333333334, 0.040625, Some(2.6250000000000004)),
            ("Sandal + Sepatu Lari", "Tali Sepatu", 0.05, 0.6666666666666667, 2.2222222222222228, 0.027500000000000004, Some(2.1000000000000005)),
            ("Sandal + Sepatu Lari + Tali Sepatu", "Semir", 0.05, 1.0, 4.0, 0.037500000000000006, None),
            ("Sandal + Tali Sepatu", "Semir", 0.05, 1.0, 4.0, 0.037500000000000006, None),
            ("Sandal + Tali Sepatu", "Semir + Sepatu Lari", 0.05, 1.0, 5.714285714285714, 0.04125, None),
            ("Sandal + Tali Sepatu", "Sepatu Lari", 0.05, 1.0, 3.3333333333333335, 0.035, None),
            ("Semir", "Sepatu Lari", 0.175, 0.7, 2.3333333333333335, 0.09999999999999999, Some(2.333333333333333)),
            ("Semir", "Tali Sepatu", 0.125, 0.5, 1.6666666666666667, 0.05, Some(1.4)),
            ("Semir + Sepatu Lari + Tali Sepatu", "Sandal", 0.05, 0.6666666666666667, 6.666666666666667, 0.0425, Some(2.7000000000000006)),
            ("Semir + Tali Sepatu", "Sepatu Lari", 0.075, 0.6, 2.0, 0.0375, Some(1.7499999999999998)),
            ("Sepatu Lari", "Semir", 0.175, 0.5833333333333334, 2.3333333333333335, 0.09999999999999999, Some(1.8000000000000003)),
            ("Sepatu Lari", "Tali Sepatu", 0.175, 0.5833333333333334, 1.9444444444444446, 0.08499999999999999, Some(1.68)),
            ("Sepatu Lari + Sol Dalam", "Kaos Kaki", 0.075, 1.0, 5.714285714285714, 0.061875, None),
            ("Sepatu Lari + Sol Dalam", "Kaos Kaki + Tali Sepatu", 0.075, 1.0, 10.0, 0.0675, None),
            ("Sepatu Lari + Sol Dalam", "Tali Sepatu", 0.075, 1.0, 3.3333333333333335, 0.0525, None),
            ("Sepatu Lari + Sol Dalam + Tali Sepatu", "Kaos Kaki", 0.075, 1.0, 5.714285714285714, 0.061875, None),
            ("Sol Dalam", "Tali Sepatu", 0.125, 0.5555555555555556, 1.851851851851852, 0.057499999999999996, Some(1.575)),
            ("Sol Dalam + Tali Sepatu", "Kaos Kaki", 0.1, 0.8, 4.571428571428572, 0.078125, Some(4.125000000000001)),
            ("Sol Dalam + Tali Sepatu", "Kaos Kaki + Sepatu Lari", 0.075, 0.6, 4.8, 0.059375, Some(2.1875)),
            ("Sol Dalam + Tali Sepatu", "Sepatu Lari", 0.075, 0.6, 2.0, 0.0375, Some(1.7499999999999998)),
            ("Tali Sepatu", "Sepatu Lari", 0.175, 0.5833333333333334, 1.9444444444444446, 0.08499999999999999, Some(1.68)),
            ("Topi", "Jaket", 0.175, 0.6363636363636362, 2.121212121212121, 0.09249999999999999, Some(1.9249999999999992)),
        ],
    }
}

fn assert_close(got: &Value, expected: f64, what: &str) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {got} is not a number"));
    assert!(
        (got - expected).abs() <= 1e-9,
        "{what}: got {got}, mlxtend {expected}"
    );
}

/// Rows of a result table as `(key, row)`, sorted by key. Rule keys are
/// `antecedents\0consequents`: sorted like Python's `(a, c)` tuples.
fn keyed(rows: &[Vec<Value>], key: impl Fn(&[Value]) -> String) -> Vec<(String, &[Value])> {
    let mut out: Vec<(String, &[Value])> = rows.iter().map(|r| (key(r), r.as_slice())).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn check(e: &Expected) {
    let out = run_with(frame(), e.settings).unwrap();
    assert_eq!(out.result["transactions"], e.transactions);
    let itemsets = keyed(&out.tables["itemsets"].rows, |r| text(&r[0]));
    let names: Vec<&str> = itemsets.iter().map(|(k, _)| k.as_str()).collect();
    let expected: Vec<&str> = e.itemsets.iter().map(|s| s.0).collect();
    assert_eq!(names, expected, "itemsets");
    for ((name, row), (_, support)) in itemsets.iter().zip(e.itemsets) {
        assert_close(&row[2], *support, name);
    }
    let rules = keyed(&out.tables["rules"].rows, |r| {
        format!("{}\0{}", text(&r[1]), text(&r[2]))
    });
    let names: Vec<&str> = rules.iter().map(|(k, _)| k.as_str()).collect();
    let expected: Vec<String> = e
        .rules
        .iter()
        .map(|r| format!("{}\0{}", r.0, r.1))
        .collect();
    assert_eq!(names, expected, "rules");
    for ((name, row), r) in rules.iter().zip(e.rules) {
        assert_close(&row[5], r.2, &format!("support of {name}"));
        assert_close(&row[6], r.3, &format!("confidence of {name}"));
        assert_close(&row[7], r.4, &format!("lift of {name}"));
        assert_close(&row[8], r.5, &format!("leverage of {name}"));
        match r.6 {
            Some(c) => assert_close(&row[9], c, &format!("conviction of {name}")),
            None => assert_eq!(
                (&row[9], &row[10]),
                (&Value::Null, &Value::Bool(true)),
                "{name}"
            ),
        }
    }
    // Rules come out by lift, then confidence, both high first.
    let num = |r: &Vec<Value>, i: usize| r[i].as_f64().unwrap();
    for pair in out.tables["rules"].rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(num(a, 7) > num(b, 7) || (num(a, 7) == num(b, 7) && num(a, 6) >= num(b, 6)));
    }
}

#[test]
fn itemsets_and_rules_match_mlxtend() {
    check(&expected_1());
}

#[test]
fn four_item_sets_match_mlxtend_at_a_boundary_support() {
    // min_support 0.05 = 2 of 40 orders exactly: 2 / 40 >= 0.05 holds.
    check(&expected_2());
}
