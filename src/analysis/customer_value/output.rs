//! The customer-value result: tables (`customers`, `segments`, `pareto`,
//! `order_counts`, `relations`), built-in charts and the result JSON.

use super::CustomerValueSpec;
use super::customers::Customers;
use super::relations::RelationReport;
use super::summary::{self, SEGMENTS, Segment};
use crate::analysis::AnalysisOutput;
use crate::chart::{ChartKind, ChartSpec, ValueFormat};
use crate::config::Language;
use crate::error::Result;
use crate::table::Table;
use serde_json::{Map, Value, json};

/// Customers listed in the `customers` table.
pub const TOP_CUSTOMERS: usize = 100;

/// Order-count buckets of the distribution.
const ORDER_BUCKETS: [&str; 5] = ["1", "2", "3", "4", "5+"];

/// Everything derived from the ranked customers.
struct Figures<'a> {
    customers: &'a Customers,
    ranks: Vec<usize>,
    segments: Vec<Segment>,
    cum: Vec<f64>,
    total_orders: usize,
    buckets: [usize; 5],
}

impl Figures<'_> {
    fn n(&self) -> usize {
        self.customers.list.len()
    }

    fn total_revenue(&self) -> f64 {
        self.cum[self.n()]
    }

    /// `part / total revenue`, null when the total is 0.
    fn revenue_share(&self, part: f64) -> Value {
        let total = self.total_revenue();
        if total == 0.0 {
            Value::Null
        } else {
            json!(part / total)
        }
    }
}

/// Build the tables, charts and result JSON.
pub fn build(
    spec: &CustomerValueSpec,
    customers: &Customers,
    relations: &[RelationReport],
    language: Language,
) -> Result<AnalysisOutput> {
    let n = customers.list.len();
    let ranks = summary::segment_of_ranks(n, spec.high_share, spec.medium_share);
    let f = Figures {
        customers,
        segments: summary::segments(&customers.list, &ranks),
        ranks,
        cum: summary::cumulative_revenue(&customers.list),
        total_orders: customers.list.iter().map(|c| c.orders).sum(),
        buckets: summary::order_count_distribution(&customers.list),
    };
    let mut out = AnalysisOutput {
        result: result_json(spec, &f, relations),
        ..AnalysisOutput::default()
    };
    let tables = [
        ("customers", customers_table(spec, &f, language)?),
        ("segments", segments_table(&f, language)),
        ("pareto", pareto_table(&f)),
        ("order_counts", order_counts_table(&f)),
        ("relations", relations_table(relations)),
    ];
    for (name, table) in tables {
        out.tables.insert(name.to_string(), table);
    }
    out.charts.extend(charts(language));
    Ok(out)
}

/// The top customers; their segment under its display name (`Tinggi`), as
/// the segments table's `label` and the charts show it.
fn customers_table(spec: &CustomerValueSpec, f: &Figures, language: Language) -> Result<Table> {
    let dated = spec.date.is_some();
    let mut cols = vec!["rank", "customer", "orders", "revenue"];
    if dated {
        cols.extend(["first_order", "last_order"]);
    }
    cols.push("segment");
    let mut t = Table::new(cols);
    let date = |d: Option<chrono::NaiveDate>| d.map_or(Value::Null, |d| json!(d.to_string()));
    for (i, c) in f.customers.list.iter().enumerate().take(TOP_CUSTOMERS) {
        let mut row = vec![
            json!(i + 1),
            json!(f.customers.id_text(c)?),
            json!(c.orders),
            json!(c.revenue),
        ];
        if dated {
            row.extend([date(c.first), date(c.last)]);
        }
        row.push(json!(segment_label(SEGMENTS[f.ranks[i]], language)));
        t.push(row);
    }
    Ok(t)
}

fn segment_label(name: &str, language: Language) -> &'static str {
    match (name, language) {
        ("High", Language::Id) => "Tinggi",
        ("Medium", Language::Id) => "Sedang",
        ("Low", Language::Id) => "Rendah",
        ("High", _) => "High",
        ("Medium", _) => "Medium",
        _ => "Low",
    }
}

fn segments_table(f: &Figures, language: Language) -> Table {
    let mut t = Table::new([
        "segment",
        "label",
        "customers",
        "customer_share",
        "orders",
        "revenue",
        "revenue_share",
        "aov",
    ]);
    for s in &f.segments {
        t.push(vec![
            json!(s.name),
            json!(segment_label(s.name, language)),
            json!(s.customers),
            json!(s.customers as f64 / f.n() as f64),
            json!(s.orders),
            json!(s.revenue),
            f.revenue_share(s.revenue),
            json!(s.aov()),
        ]);
    }
    t
}

fn pareto_table(f: &Figures) -> Table {
    let mut t = Table::new(["customers", "customer_share", "revenue_share"]);
    for i in summary::pareto_points(f.n()) {
        t.push(vec![
            json!(i),
            json!(i as f64 / f.n() as f64),
            f.revenue_share(f.cum[i]),
        ]);
    }
    t
}

fn order_counts_table(f: &Figures) -> Table {
    let mut t = Table::new(["orders", "customers", "share"]);
    for (label, count) in ORDER_BUCKETS.iter().zip(f.buckets) {
        t.push(vec![
            json!(label),
            json!(count),
            json!(count as f64 / f.n() as f64),
        ]);
    }
    t
}

fn relations_table(relations: &[RelationReport]) -> Table {
    let mut t = Table::new([
        "from",
        "to",
        "checked",
        "failures",
        "failing_keys",
        "examples",
    ]);
    for r in relations {
        t.push(vec![
            json!(r.from),
            json!(r.to),
            json!(r.checked),
            json!(r.failures),
            json!(r.failing_keys),
            json!(r.examples.join(", ")),
        ]);
    }
    t
}

fn charts(language: Language) -> Vec<(String, ChartSpec)> {
    let t = |en: &str, id: &str| match language {
        Language::En => en.to_string(),
        Language::Id => id.to_string(),
    };
    let chart = |kind, table: &str, x: &str, y: &str, title: String, format| ChartSpec {
        kind,
        table: table.to_string(),
        title: Some(title),
        x: Some(x.to_string()),
        y: vec![y.to_string()],
        format,
        x_format: x.ends_with("_share").then_some(ValueFormat::Percent),
        ..ChartSpec::default()
    };
    vec![
        (
            "segments".to_string(),
            chart(
                ChartKind::Donut,
                "segments",
                "label",
                "revenue_share",
                t(
                    "Revenue share by value segment",
                    "Porsi pendapatan per segmen nilai",
                ),
                ValueFormat::Percent,
            ),
        ),
        (
            "pareto".to_string(),
            chart(
                ChartKind::Line,
                "pareto",
                "customer_share",
                "revenue_share",
                t(
                    "Cumulative revenue share (Pareto)",
                    "Porsi pendapatan kumulatif (Pareto)",
                ),
                ValueFormat::Percent,
            ),
        ),
        (
            "order_counts".to_string(),
            chart(
                ChartKind::Bar,
                "order_counts",
                "orders",
                "customers",
                t(
                    "Customers by number of orders",
                    "Pelanggan per jumlah pesanan",
                ),
                ValueFormat::Number,
            ),
        ),
    ]
}

fn result_json(spec: &CustomerValueSpec, f: &Figures, relations: &[RelationReport]) -> Value {
    let n = f.n();
    let total = f.total_revenue();
    let repeat = f.customers.list.iter().filter(|c| c.orders >= 2).count();
    let segments: Map<String, Value> = f
        .segments
        .iter()
        .map(|s| {
            let v = json!({
                "customers": s.customers,
                "customer_share": s.customers as f64 / n as f64,
                "orders": s.orders,
                "revenue": s.revenue,
                "revenue_share": f.revenue_share(s.revenue),
                "aov": s.aov(),
            });
            (s.name.to_string(), v)
        })
        .collect();
    let order_counts: Map<String, Value> = ORDER_BUCKETS
        .iter()
        .zip(f.buckets)
        .map(|(b, c)| (b.to_string(), json!(c)))
        .collect();
    let firsts = f.customers.list.iter().filter_map(|c| c.first).min();
    let lasts = f.customers.list.iter().filter_map(|c| c.last).max();
    json!({
        "total_customers": n,
        "repeat_customers": repeat,
        "repeat_rate": repeat as f64 / n as f64,
        "total_revenue": total,
        "total_orders": f.total_orders,
        "aov": (f.total_orders > 0).then(|| total / f.total_orders as f64),
        "avg_revenue_per_customer": total / n as f64,
        "avg_orders_per_customer": f.total_orders as f64 / n as f64,
        "first_date": firsts.map(|d| d.to_string()),
        "last_date": lasts.map(|d| d.to_string()),
        "rows": f.customers.rows,
        "dropped_missing_customer": f.customers.dropped_missing_customer,
        "dropped_missing_order": f.customers.dropped_missing_order,
        "missing_amount_rows": f.customers.missing_amount_rows,
        "high_share": spec.high_share,
        "medium_share": spec.medium_share,
        "segments": segments,
        "top_1_revenue_share": summary::top_share(&f.cum, 0.01),
        "top_10_revenue_share": summary::top_share(&f.cum, 0.10),
        "top_20_revenue_share": summary::top_share(&f.cum, 0.20),
        "order_counts": order_counts,
        "relations": relations.iter().map(relation_json).collect::<Vec<_>>(),
        "relations_ok": relations.iter().all(|r| r.failures == 0),
    })
}

fn relation_json(r: &RelationReport) -> Value {
    json!({
        "from": r.from,
        "to": r.to,
        "checked": r.checked,
        "failures": r.failures,
        "failing_keys": r.failing_keys,
        "examples": r.examples,
    })
}
