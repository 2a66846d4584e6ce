//! The RFM result: the JSON for templates, the `customers`, `segments` and
//! `rf_matrix` tables and the built-in charts.

use super::charts;
use super::customers::Customers;
use super::quintiles::Scores;
use super::segments::{Rule, SegmentSummary};
use crate::analysis::AnalysisOutput;
use crate::analysis::common::{KahanSum, number};
use crate::config::Language;
use crate::error::Result;
use crate::table::Table;
use chrono::NaiveDate;
use polars::prelude::{Column, DataFrame, DataType, IntoColumn, NewChunkedArray, StringChunked};
use serde_json::{Map, Value};

/// Everything computed, ready to be written out.
pub(super) struct Scored<'a> {
    pub customers: &'a Customers,
    pub recency: &'a [f64],
    pub scores: &'a Scores,
    pub rules: &'a [Rule],
    /// Rule index per customer (`rules.len()` = `Other`).
    pub assigned: &'a [usize],
    pub summary: &'a [SegmentSummary],
    pub snapshot: NaiveDate,
}

impl Scored<'_> {
    fn segment_name(&self, customer: usize) -> &str {
        self.rules
            .get(self.assigned[customer])
            .map_or(super::segments::OTHER, |r| r.name.as_str())
    }
}

/// Build the result JSON, tables and charts.
pub(super) fn assemble(s: &Scored, lang: Language) -> Result<AnalysisOutput> {
    let mut out = AnalysisOutput {
        result: result_json(s),
        ..AnalysisOutput::default()
    };
    out.frames.insert("customers".into(), customers_frame(s)?);
    out.tables
        .insert("segments".into(), segments_table(s.summary));
    out.tables.insert("rf_matrix".into(), rf_matrix(s));
    charts::add_charts(&mut out.charts, lang);
    Ok(out)
}

fn result_json(s: &Scored) -> Value {
    let c = s.customers;
    let d = &c.dropped;
    let mut revenue = KahanSum::default();
    c.monetary.iter().for_each(|&m| revenue.add(m));
    let edges: Map<String, Value> = ["r", "f", "m"]
        .iter()
        .zip(&s.scores.edges)
        .map(|(k, e)| {
            let list = e.iter().map(|&x| number(Some(x))).collect();
            (k.to_string(), Value::Array(list))
        })
        .collect();
    let mut r = Map::new();
    r.insert("snapshot".into(), Value::from(s.snapshot.to_string()));
    r.insert("customers".into(), Value::from(c.len()));
    r.insert("revenue".into(), number(Some(revenue.value())));
    r.insert(
        "r_ranked_first".into(),
        Value::from(s.scores.r_ranked_first),
    );
    r.insert(
        "m_ranked_first".into(),
        Value::from(s.scores.m_ranked_first),
    );
    r.insert("edges".into(), Value::Object(edges));
    r.insert(
        "dropped_missing_customer".into(),
        Value::from(d.missing_customer),
    );
    r.insert("dropped_missing_date".into(), Value::from(d.missing_date));
    r.insert(
        "dropped_missing_order_id".into(),
        Value::from(d.missing_order_id),
    );
    r.insert(
        "dropped_missing_amount".into(),
        Value::from(d.missing_amount),
    );
    let order: Vec<Value> = s
        .summary
        .iter()
        .map(|g| Value::from(g.name.clone()))
        .collect();
    r.insert("segment_order".into(), Value::Array(order));
    r.insert("segments".into(), segments_json(s.summary));
    Value::Object(r)
}

/// The numbers of one segment, by field name.
fn segment_fields(g: &SegmentSummary) -> [(&'static str, Value); 8] {
    [
        ("customers", Value::from(g.customers)),
        ("share", number(g.share)),
        ("mean_recency", number(g.mean_recency)),
        ("mean_frequency", number(g.mean_frequency)),
        ("mean_monetary", number(g.mean_monetary)),
        ("revenue", number(Some(g.revenue))),
        ("revenue_share", number(g.revenue_share)),
        ("action", g.action.clone().map_or(Value::Null, Value::from)),
    ]
}

fn segments_json(summary: &[SegmentSummary]) -> Value {
    let mut out = Map::new();
    for g in summary {
        let fields = segment_fields(g).into_iter();
        let obj = fields.map(|(k, v)| (k.to_string(), v)).collect();
        out.insert(g.name.clone(), Value::Object(obj));
    }
    Value::Object(out)
}

/// One row per segment in rule order.
fn segments_table(summary: &[SegmentSummary]) -> Table {
    let mut columns = vec!["segment"];
    if let Some(first) = summary.first() {
        columns.extend(segment_fields(first).iter().map(|(k, _)| *k));
    }
    let mut table = Table::new(columns);
    for g in summary {
        let mut row = vec![Value::from(g.name.clone())];
        row.extend(segment_fields(g).into_iter().map(|(_, v)| v));
        table.push(row);
    }
    table
}

/// One row per customer in sorted id order, as columns (a row per customer
/// of millions is tens of bytes, not ten JSON cells).
fn customers_frame(s: &Scored) -> Result<DataFrame> {
    let c = s.customers;
    let sc = s.scores;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let days: Vec<i32> = c
        .last
        .iter()
        .map(|d| (*d - epoch).num_days() as i32)
        .collect();
    // "RFM" as three digits, without a string allocated per customer.
    let scores = StringChunked::from_iter_values(
        "score".into(),
        (0..c.len()).map(|i| Digits([b'0' + sc.r[i], b'0' + sc.f[i], b'0' + sc.m[i]])),
    );
    let segments: Vec<&str> = (0..c.len()).map(|i| s.segment_name(i)).collect();
    let columns = vec![
        c.ids.clone(),
        Column::new("last_order".into(), days).cast(&DataType::Date)?,
        Column::new("recency".into(), s.recency),
        Column::new("frequency".into(), &c.frequency),
        Column::new("monetary".into(), &c.monetary),
        Column::new("r".into(), wide(&sc.r)),
        Column::new("f".into(), wide(&sc.f)),
        Column::new("m".into(), wide(&sc.m)),
        scores.into_column(),
        Column::new("segment".into(), segments),
    ];
    Ok(DataFrame::new(c.len(), columns)?)
}

/// Three ASCII digits as text.
struct Digits([u8; 3]);

impl AsRef<str> for Digits {
    fn as_ref(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Scores as the integer type the frames have (their cells are the same).
fn wide(scores: &[u8]) -> Vec<u32> {
    scores.iter().map(|&s| u32::from(s)).collect()
}

/// Customers per (R, F) pair: R from 5 down to 1, F from 1 up to 5, every
/// pair listed (zeros included) for the heatmap.
fn rf_matrix(s: &Scored) -> Table {
    let mut counts = [[0u64; 5]; 5];
    for (&r, &f) in s.scores.r.iter().zip(&s.scores.f) {
        counts[r as usize - 1][f as usize - 1] += 1;
    }
    let mut table = Table::new(["r", "f", "customers"]);
    for r in (1..=5u8).rev() {
        for f in 1..=5u8 {
            let n = counts[r as usize - 1][f as usize - 1];
            table.push(vec![Value::from(r), Value::from(f), Value::from(n)]);
        }
    }
    table
}
