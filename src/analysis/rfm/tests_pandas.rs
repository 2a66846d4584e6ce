//! RFM against pandas on two 30-customer datasets: `DATA_A` with ties in
//! every measure (some on quintile edges) but unique edges, `DATA_B` where
//! recency and monetary edges collide and are ranked with method "first".
//! Expected values come from `tests/reference/rfm.py` (pandas 3.1.1, numpy
//! 2.4.6), which reads the CSV texts below out of this file.

use super::tests::run_with;
use crate::config::Language;
use chrono::NaiveDate;
use polars::prelude::DataFrame;
use serde_json::Value;

/// Order lines as pandas' `read_csv` reads them; an empty amount is NaN.
const DATA_A: &str = r"
customer,invoice,date,amount
C8-29,INV1061,2024-03-25,10.0
C21-6,INV1012,2024-02-15,7.3
C33-22,INV1047,2024-02-09,12.5
C44-15,INV1033,2024-03-13,50.0
C8-0,INV1001,2024-01-07,20.0
C70-2,INV1005,2024-02-03,150.0
C75-18,INV1039,2024-02-27,10.0
C66-23,INV1049,2024-01-10,20.0
C70-2,INV1005,2024-02-03,99.99
C69-25,INV1054,2024-01-01,150.0
C42-4,INV1008,2024-01-13,7.3
C18-11,INV1023,2024-03-25,150.0
C16-27,INV1057,2024-02-03,99.99
C16-27,INV1058,2024-01-01,12.5
C68-26,INV1055,2024-01-16,
C75-18,INV1037,2024-02-06,7.3
C21-6,INV1013,2024-02-18,
C75-18,INV1040,2024-01-13,50.0
C21-6,INV1012,2024-02-15,
C18-11,INV1025,2024-02-03,20.0
C16-27,INV1057,2024-02-03,50.0
C33-1,INV1003,2024-02-09,99.99
C22-19,INV1042,2024-02-12,7.3
C18-11,INV1022,2024-01-25,35.25
C42-4,INV1008,2024-01-13,7.3
C75-18,INV1037,2024-02-06,99.99
C8-29,INV1060,2024-03-01,35.25
C48-13,INV1028,2024-01-13,20.0
C15-12,INV1027,2024-01-01,10.0
C14-17,INV1036,2024-02-12,7.3
C18-11,INV1025,2024-02-03,35.25
C70-2,INV1004,2024-02-18,10.0
C99-7,INV1016,2024-01-28,7.3
C24-5,INV1010,2024-03-16,
C75-18,INV1039,2024-02-27,7.3
C33-22,INV1046,2024-01-13,150.0
C68-26,INV1056,2024-02-03,7.3
C21-6,INV1015,2024-01-31,50.0
C75-18,INV1038,2024-01-13,50.0
C33-22,INV1045,2024-02-09,7.3
C99-7,INV1016,2024-01-28,7.3
C67-14,INV1029,2024-01-01,35.25
C76-10,INV1021,2024-03-04,7.3
C75-18,INV1038,2024-01-13,50.0
C69-25,INV1052,2024-02-06,35.25
C21-6,INV1014,2024-02-03,
C16-27,INV1058,2024-01-01,12.5
C99-7,INV1017,2024-02-18,35.25
C21-6,INV1013,2024-02-18,
C21-6,INV1011,2024-02-06,35.25
C63-8,INV1019,2024-03-10,35.25
C67-14,INV1031,2024-02-03,50.0
C44-15,INV1032,2024-01-01,
C33-1,INV1002,2024-01-19,20.0
C97-16,INV1034,2024-03-22,
C63-8,INV1018,2024-02-03,99.99
C33-22,INV1045,2024-02-09,10.0
C40-28,INV1059,2024-03-19,
C8-0,INV1001,2024-01-07,50.0
C70-2,INV1004,2024-02-18,10.0
C28-24,INV1051,2024-02-18,50.0
C24-5,INV1009,2024-03-16,7.3
C91-20,INV1043,2024-01-22,
C28-24,INV1051,2024-02-18,
C67-14,INV1029,2024-01-01,10.0
C55-3,INV1007,2024-01-22,20.0
C66-23,INV1048,2024-01-07,12.5
C66-23,INV1050,2024-03-13,12.5
C96-9,INV1020,2024-01-04,50.0
C24-5,INV1010,2024-03-16,99.99
C69-25,INV1053,2024-03-10,7.3
C67-14,INV1030,2024-01-13,10.0
C21-6,INV1011,2024-02-06,7.3
C75-18,INV1041,2024-01-04,20.0
C97-16,INV1035,2024-01-22,99.99
C8-29,INV1060,2024-03-01,
C69-25,INV1053,2024-03-10,150.0
C24-5,INV1009,2024-03-16,99.99
C21-6,INV1014,2024-02-03,35.25
C10-21,INV1044,2024-01-07,99.99
C99-7,INV1017,2024-02-18,50.0
C55-3,INV1006,2024-01-16,35.25
C18-11,INV1026,2024-03-04,12.5
C44-15,INV1032,2024-01-01,7.3
C33-1,INV1003,2024-02-09,7.3
C18-11,INV1024,2024-03-25,10.0
";

const DATA_B: &str = r"
customer,invoice,date,amount
C29-26,INV1032,2024-03-01,25.0
C5-18,INV1023,2024-03-01,25.0
C93-8,INV1011,2024-03-01,25.0
C18-0,INV1001,2024-03-01,25.0
C6-12,INV1015,2024-01-11,25.0
C55-15,INV1019,2024-01-31,25.0
C45-20,INV1025,2024-03-01,25.0
C98-5,INV1007,2024-01-31,25.0
C13-1,INV1003,2024-03-01,25.0
C13-1,INV1003,2024-03-01,25.0
C52-14,INV1017,2024-03-01,25.0
C52-14,INV1018,2024-03-01,25.0
C55-15,INV1019,2024-01-31,25.0
C93-8,INV1010,2024-01-11,25.0
C59-17,INV1021,2024-03-01,25.0
C71-10,INV1013,2024-03-01,25.0
C29-26,INV1033,2024-03-01,25.0
C18-0,INV1002,2024-01-31,25.0
C41-3,INV1005,2024-03-01,25.0
C39-28,INV1035,2024-01-11,25.0
C93-8,INV1011,2024-03-01,25.0
C34-23,INV1029,2024-03-01,25.0
C29-26,INV1032,2024-03-01,25.0
C30-6,INV1008,2024-01-31,25.0
C62-9,INV1012,2024-01-11,25.0
C59-17,INV1022,2024-03-01,25.0
C18-0,INV1002,2024-01-31,25.0
C3-24,INV1030,2024-03-01,25.0
C29-26,INV1033,2024-03-01,25.0
C3-24,INV1030,2024-03-01,25.0
C7-27,INV1034,2024-03-01,25.0
C67-11,INV1014,2024-03-01,25.0
C49-4,INV1006,2024-01-11,25.0
C33-21,INV1026,2024-03-01,25.0
C93-25,INV1031,2024-01-31,25.0
C30-6,INV1008,2024-01-31,25.0
C33-21,INV1027,2024-03-01,25.0
C4-22,INV1028,2024-01-11,25.0
C52-14,INV1017,2024-03-01,25.0
C33-21,INV1026,2024-03-01,25.0
C71-10,INV1013,2024-03-01,25.0
C18-0,INV1001,2024-03-01,25.0
C93-25,INV1031,2024-01-31,25.0
C63-16,INV1020,2024-01-11,25.0
C62-9,INV1012,2024-01-11,25.0
C72-29,INV1036,2024-03-01,25.0
C33-21,INV1027,2024-03-01,25.0
C39-28,INV1035,2024-01-11,25.0
C63-16,INV1020,2024-01-11,25.0
C72-29,INV1036,2024-03-01,25.0
C2-19,INV1024,2024-03-01,25.0
C52-14,INV1018,2024-03-01,25.0
C4-22,INV1028,2024-01-11,25.0
C2-19,INV1024,2024-03-01,25.0
C72-7,INV1009,2024-03-01,25.0
C90-2,INV1004,2024-03-01,25.0
C67-11,INV1014,2024-03-01,25.0
C72-7,INV1009,2024-03-01,25.0
C65-13,INV1016,2024-03-01,25.0
";

/// The CSV text as a table with a real date column.
fn frame(csv: &str) -> DataFrame {
    let (mut customer, mut invoice, mut date, mut amount) = (vec![], vec![], vec![], vec![]);
    for line in csv.trim().lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        customer.push(cells[0].to_string());
        invoice.push(cells[1].to_string());
        date.push(NaiveDate::parse_from_str(cells[2], "%Y-%m-%d").unwrap());
        amount.push(cells[3].parse::<f64>().ok());
    }
    polars::df!(
        "Customer" => customer,
        "Invoice" => invoice,
        "Date" => date,
        "Amount" => amount
    )
    .unwrap()
}

/// `(name, customers, mean recency, mean frequency, mean monetary, revenue)`.
type SegmentRow = (&'static str, u64, f64, f64, f64, f64);

/// What pandas computes for one dataset: per customer in sorted id order,
/// then per segment.
struct Expected {
    snapshot: &'static str,
    r_ranked_first: bool,
    m_ranked_first: bool,
    customers: &'static [&'static str],
    recency: &'static [i64],
    frequency: &'static [i64],
    monetary: &'static [f64],
    r: &'static [u64],
    f: &'static [u64],
    m: &'static [u64],
    segments: &'static [&'static str],
    summary: &'static [SegmentRow],
}

/// `python3 tests/reference/rfm.py`, section DATA_A.
#[rustfmt::skip]
fn expected_data_a() -> Expected {
    Expected {
        snapshot: "2024-03-26",
        r_ranked_first: false,
        m_ranked_first: false,
        customers: &["C10-21", "C14-17", "C15-12", "C16-27", "C18-11", "C21-6", "C22-19", "C24-5", "C28-24", "C33-1", "C33-22", "C40-28", "C42-4", "C44-15", "C48-13", "C55-3", "C63-8", "C66-23", "C67-14", "C68-26", "C69-25", "C70-2", "C75-18", "C76-10", "C8-0", "C8-29", "C91-20", "C96-9", "C97-16", "C99-7"],
        recency: &[79, 43, 85, 52, 1, 37, 43, 10, 37, 46, 46, 7, 73, 13, 73, 64, 16, 13, 52, 52, 16, 37, 28, 22, 79, 1, 64, 82, 4, 37],
        frequency: &[1, 1, 1, 2, 5, 5, 1, 2, 1, 2, 3, 1, 1, 2, 1, 2, 2, 3, 3, 2, 3, 2, 5, 1, 1, 2, 1, 1, 2, 2],
        monetary: &[99.99, 7.3, 10.0, 174.99, 263.0, 135.1, 7.3, 207.27999999999997, 50.0, 127.28999999999999, 179.8, 0.0, 14.6, 57.3, 20.0, 55.25, 135.24, 45.0, 105.25, 7.3, 342.55, 269.99, 294.59, 7.3, 70.0, 45.25, 0.0, 50.0, 99.99, 99.85],
        r: &[1, 3, 1, 2, 5, 4, 3, 5, 4, 3, 3, 5, 1, 5, 1, 2, 4, 5, 2, 2, 4, 4, 4, 4, 1, 5, 2, 1, 5, 4],
        f: &[1, 1, 1, 3, 5, 5, 1, 3, 1, 3, 4, 1, 2, 3, 2, 3, 3, 5, 5, 4, 5, 4, 5, 2, 2, 4, 2, 2, 4, 4],
        m: &[3, 1, 2, 4, 5, 4, 1, 5, 2, 4, 5, 1, 2, 3, 2, 3, 4, 2, 4, 1, 5, 5, 5, 1, 3, 2, 1, 2, 3, 3],
        segments: &["Hibernating", "About to Sleep", "Hibernating", "At Risk", "Champions", "Loyal Customers", "About to Sleep", "Potential Loyalists", "Promising", "Need Attention", "Loyal Customers", "New Customers", "Hibernating", "Potential Loyalists", "Hibernating", "At Risk", "Potential Loyalists", "Champions", "Cannot Lose Them", "At Risk", "Loyal Customers", "Loyal Customers", "Loyal Customers", "Potential Loyalists", "Hibernating", "Champions", "Hibernating", "Hibernating", "Champions", "Loyal Customers"],
        summary: &[
            ("About to Sleep", 2, 43.0, 1.0, 7.3, 14.6),
            ("At Risk", 3, 56.0, 2.0, 79.18, 237.54000000000002),
            ("Cannot Lose Them", 1, 52.0, 3.0, 105.25, 105.25),
            ("Champions", 4, 4.75, 3.0, 113.31, 453.24),
            ("Hibernating", 7, 76.42857142857143, 1.0, 37.798571428571435, 264.59000000000003),
            ("Loyal Customers", 6, 33.5, 3.3333333333333335, 220.31333333333336, 1321.88),
            ("Need Attention", 1, 46.0, 2.0, 127.28999999999999, 127.28999999999999),
            ("New Customers", 1, 7.0, 1.0, 0.0, 0.0),
            ("Potential Loyalists", 4, 15.25, 1.75, 101.78, 407.12),
            ("Promising", 1, 37.0, 1.0, 50.0, 50.0),
        ],
    }
}

/// `python3 tests/reference/rfm.py`, section DATA_B.
#[rustfmt::skip]
fn expected_data_b() -> Expected {
    Expected {
        snapshot: "2024-03-02",
        r_ranked_first: true,
        m_ranked_first: true,
        customers: &["C13-1", "C18-0", "C2-19", "C29-26", "C3-24", "C30-6", "C33-21", "C34-23", "C39-28", "C4-22", "C41-3", "C45-20", "C49-4", "C5-18", "C52-14", "C55-15", "C59-17", "C6-12", "C62-9", "C63-16", "C65-13", "C67-11", "C7-27", "C71-10", "C72-29", "C72-7", "C90-2", "C93-25", "C93-8", "C98-5"],
        recency: &[1, 1, 1, 1, 1, 31, 1, 1, 51, 51, 1, 1, 51, 1, 1, 31, 1, 51, 51, 51, 1, 1, 1, 1, 1, 1, 1, 31, 1, 31],
        frequency: &[1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1],
        monetary: &[50.0, 100.0, 50.0, 100.0, 50.0, 50.0, 100.0, 25.0, 50.0, 50.0, 25.0, 25.0, 25.0, 25.0, 100.0, 50.0, 50.0, 25.0, 50.0, 50.0, 25.0, 50.0, 25.0, 50.0, 50.0, 50.0, 25.0, 50.0, 75.0, 25.0],
        r: &[5, 5, 5, 5, 5, 2, 5, 4, 1, 1, 4, 4, 1, 4, 4, 2, 4, 1, 1, 1, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2],
        f: &[1, 5, 1, 5, 1, 1, 5, 1, 1, 2, 2, 2, 2, 2, 5, 2, 5, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5, 4],
        m: &[2, 5, 2, 5, 3, 3, 5, 1, 3, 3, 1, 1, 1, 1, 5, 3, 3, 1, 4, 4, 2, 4, 2, 4, 4, 4, 2, 5, 5, 2],
        segments: &["New Customers", "Champions", "New Customers", "Champions", "New Customers", "Hibernating", "Champions", "Promising", "Hibernating", "Hibernating", "Potential Loyalists", "Potential Loyalists", "Hibernating", "Potential Loyalists", "Loyal Customers", "Hibernating", "Loyal Customers", "At Risk", "At Risk", "At Risk", "Need Attention", "Need Attention", "Need Attention", "Loyal Customers", "Loyal Customers", "Loyal Customers", "At Risk", "At Risk", "Cannot Lose Them", "At Risk"],
        summary: &[
            ("At Risk", 6, 36.0, 1.0, 37.5, 225.0),
            ("Cannot Lose Them", 1, 1.0, 2.0, 75.0, 75.0),
            ("Champions", 3, 1.0, 2.0, 100.0, 300.0),
            ("Hibernating", 5, 43.0, 1.0, 45.0, 225.0),
            ("Loyal Customers", 5, 1.0, 1.4, 60.0, 300.0),
            ("Need Attention", 3, 1.0, 1.0, 33.333333333333336, 100.0),
            ("New Customers", 3, 1.0, 1.0, 50.0, 150.0),
            ("Potential Loyalists", 3, 1.0, 1.0, 25.0, 75.0),
            ("Promising", 1, 1.0, 1.0, 25.0, 25.0),
        ],
    }
}

/// One column of the `customers` table.
fn column(out: &crate::analysis::AnalysisOutput, name: &str) -> Vec<Value> {
    let customers = out.table("customers");
    customers
        .column(name)
        .unwrap()
        .into_iter()
        .cloned()
        .collect()
}

fn assert_close(got: &Value, expected: f64, what: &str) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {got} is not a number"));
    assert!(
        (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{what}: got {got}, pandas {expected}"
    );
}

fn check(csv: &str, e: &Expected) {
    let out = run_with(frame(csv), "", Language::En).unwrap();
    let r = &out.result;
    assert_eq!(r["snapshot"], e.snapshot);
    assert_eq!(r["r_ranked_first"], e.r_ranked_first);
    assert_eq!(r["m_ranked_first"], e.m_ranked_first);
    let text = |name| -> Vec<String> {
        column(&out, name)
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let ints = |name| -> Vec<i64> {
        column(&out, name)
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect()
    };
    assert_eq!(text("customer"), e.customers);
    assert_eq!(ints("recency"), e.recency);
    assert_eq!(ints("frequency"), e.frequency);
    for (i, (got, &want)) in column(&out, "monetary").iter().zip(e.monetary).enumerate() {
        assert_close(got, want, &format!("monetary of {}", e.customers[i]));
    }
    let scores = |name| -> Vec<u64> {
        column(&out, name)
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect()
    };
    assert_eq!(scores("r"), e.r, "R scores");
    assert_eq!(scores("f"), e.f, "F scores");
    assert_eq!(scores("m"), e.m, "M scores");
    assert_eq!(text("segment"), e.segments);
    let listed: u64 = e.summary.iter().map(|s| s.1).sum();
    assert_eq!(listed, e.customers.len() as u64);
    for &(name, customers, recency, frequency, monetary, revenue) in e.summary {
        let s = &r["segments"][name];
        assert_eq!(s["customers"], customers, "{name}");
        assert_close(&s["mean_recency"], recency, name);
        assert_close(&s["mean_frequency"], frequency, name);
        assert_close(&s["mean_monetary"], monetary, name);
        assert_close(&s["revenue"], revenue, name);
    }
}

#[test]
fn scores_match_pandas_with_ties_on_edges() {
    check(DATA_A, &expected_data_a());
}

#[test]
fn scores_match_pandas_when_edges_collide() {
    check(DATA_B, &expected_data_b());
}
