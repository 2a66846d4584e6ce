//! The monthly trend: distinct orders, revenue, AOV, distinct active
//! customers and new customers (first order in the month) for every month
//! from the first to the last, their month-over-month changes, and the runs
//! of declining monthly orders.

use super::input::Input;
use super::retention::Cohorts;
use crate::analysis::common::{change, month_label, number, ratio};
use crate::table::Table;
use rayon::prelude::*;
use serde_json::{Map, Value};

/// The trend metrics, in table column order.
pub(super) const METRICS: [&str; 5] = [
    "orders",
    "revenue",
    "aov",
    "active_customers",
    "new_customers",
];

/// Metric values per month (`values[slot][metric]`, by `METRICS`) and the
/// totals over all months.
pub(super) struct Months {
    pub first: i32,
    pub values: Vec<[Option<f64>; 5]>,
    pub total_orders: u64,
    pub total_revenue: f64,
}

impl Months {
    /// Revenue per distinct order over the whole period.
    pub fn total_aov(&self) -> Option<f64> {
        ratio(Some(self.total_revenue), Some(self.total_orders as f64))
    }

    /// The month-over-month change of `metric` at `slot`.
    fn mom(&self, slot: usize, metric: usize) -> Option<f64> {
        let previous = slot.checked_sub(1)?;
        change(self.values[previous][metric], self.values[slot][metric])
    }

    /// Month label, metrics and their changes of one month, as JSON cells.
    fn row(&self, slot: usize) -> Vec<Value> {
        let mut row = vec![Value::from(month_label(self.first + slot as i32))];
        row.extend(self.values[slot].iter().map(|v| number(*v)));
        row.extend((0..METRICS.len()).map(|m| number(self.mom(slot, m))));
        row
    }
}

/// Sum up every month.
pub(super) fn sum_months(input: &Input, cohorts: &Cohorts) -> Months {
    let months = input.months();
    let mut orders = vec![0u64; months];
    let mut revenue = vec![0.0; months];
    let mut pairs: Vec<(i32, u64)> = Vec::new();
    for (row, month) in input.month.iter().enumerate() {
        let Some(month) = *month else { continue };
        if let Some(order) = input.order[row] {
            pairs.push((month, order));
        }
        if let Some(a) = input.amount[row] {
            revenue[input.slot(month)] += a;
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    for &(month, _) in &pairs {
        orders[input.slot(month)] += 1;
    }
    let mut distinct: Vec<u64> = pairs.iter().map(|&(_, o)| o).collect();
    distinct.par_sort_unstable();
    distinct.dedup();
    let values = (0..months)
        .map(|s| {
            let (o, r) = (orders[s] as f64, revenue[s]);
            [
                Some(o),
                Some(r),
                ratio(Some(r), Some(o)),
                Some(cohorts.active[s] as f64),
                Some(cohorts.new[s] as f64),
            ]
        })
        .collect();
    Months {
        first: input.first,
        values,
        total_orders: distinct.len() as u64,
        total_revenue: revenue.iter().sum(),
    }
}

/// The trend table's column names.
fn columns() -> Vec<String> {
    let mut columns = vec!["month".to_string()];
    columns.extend(METRICS.iter().map(|m| m.to_string()));
    columns.extend(METRICS.iter().map(|m| format!("{m}_mom")));
    columns
}

/// One row per month.
pub(super) fn trend_table(months: &Months) -> Table {
    let mut t = Table::new(columns());
    for slot in 0..months.values.len() {
        t.push(months.row(slot));
    }
    t
}

/// `trend.YYYY-MM.*`, `last`, `last_mom.*` and `orders_decline`.
pub(super) fn trend_json(months: &Months) -> Map<String, Value> {
    let names = columns();
    let object = |slot: usize| -> Map<String, Value> {
        names.iter().cloned().zip(months.row(slot)).collect()
    };
    let mut trend = Map::new();
    for slot in 0..months.values.len() {
        trend.insert(
            month_label(months.first + slot as i32),
            Value::Object(object(slot)),
        );
    }
    let last = months.values.len() - 1;
    let last_mom: Map<String, Value> = METRICS
        .iter()
        .enumerate()
        .map(|(m, name)| (name.to_string(), number(months.mom(last, m))))
        .collect();
    let mut r = Map::new();
    r.insert("trend".into(), Value::Object(trend));
    r.insert("last".into(), Value::Object(object(last)));
    r.insert("last_mom".into(), Value::Object(last_mom));
    r.insert("orders_decline".into(), decline_json(months));
    r
}

/// Runs of months whose orders are below the month before: the longest
/// (earliest on ties) as `declines` (number of falling months), `from` (the
/// month before the first fall) and `to` (the last falling month); and
/// `at_end`, the falls in a row that end at the last month.
fn decline_json(months: &Months) -> Value {
    let orders: Vec<f64> = months.values.iter().map(|v| v[0].unwrap_or(0.0)).collect();
    let (mut run, mut best, mut best_end) = (0usize, 0usize, 0usize);
    for (before, pair) in orders.windows(2).enumerate() {
        run = if pair[1] < pair[0] { run + 1 } else { 0 };
        if run > best {
            (best, best_end) = (run, before + 1);
        }
    }
    let label = |slot: usize| Value::from(month_label(months.first + slot as i32));
    let (from, to) = if best > 0 {
        (label(best_end - best), label(best_end))
    } else {
        (Value::Null, Value::Null)
    };
    serde_json::json!({
        "longest": { "declines": best, "from": from, "to": to },
        "at_end": run,
    })
}
