//! Cohorts and retention: each customer's cohort is the month of their first
//! dated order; `retention[c][m]` is the share of cohort `c`'s customers with
//! an order in month `c + m`, for every `m` up to the last month of the data
//! (so `m = 0` is 1). Also counts active and new customers per month.

use super::input::Input;
use super::table_of;
use crate::analysis::common::{month_label, number, ratio};
use crate::table::Table;
use rayon::prelude::*;
use serde_json::{Map, Value};

/// One cohort: its month, its size and how many of its customers ordered
/// `m` months later (`retained[0]` is the size).
pub(super) struct Cohort {
    pub month: i32,
    pub customers: u64,
    pub retained: Vec<u64>,
}

impl Cohort {
    /// `retained[m] / customers`.
    pub fn rate(&self, m: usize) -> Option<f64> {
        ratio(Some(self.retained[m] as f64), Some(self.customers as f64))
    }
}

/// The non-empty cohorts in month order, with distinct active and new
/// customers of every month from the first to the last.
pub(super) struct Cohorts {
    pub list: Vec<Cohort>,
    pub active: Vec<u64>,
    pub new: Vec<u64>,
}

impl Cohorts {
    /// Customers with a dated order.
    pub fn customers(&self) -> u64 {
        self.list.iter().map(|c| c.customers).sum()
    }
}

/// Find every customer's cohort and the months they ordered in.
pub(super) fn build_cohorts(input: &Input) -> Cohorts {
    let months = input.months();
    let mut pairs: Vec<(u64, i32)> = input
        .customer
        .iter()
        .zip(&input.month)
        .filter_map(|(c, m)| Some(((*c)?, (*m)?)))
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    let mut dense: Vec<Cohort> = (0..months)
        .map(|slot| Cohort {
            month: input.first + slot as i32,
            customers: 0,
            retained: vec![0; months - slot],
        })
        .collect();
    let mut active = vec![0u64; months];
    let mut current: Option<(u64, usize)> = None;
    for &(customer, month) in &pairs {
        let first = match current {
            Some((c, first)) if c == customer => first,
            _ => {
                let first = input.slot(month);
                current = Some((customer, first));
                dense[first].customers += 1;
                first
            }
        };
        let slot = input.slot(month);
        active[slot] += 1;
        dense[first].retained[slot - first] += 1;
    }
    let new = dense.iter().map(|c| c.customers).collect();
    let list = dense.into_iter().filter(|c| c.customers > 0).collect();
    Cohorts { list, active, new }
}

/// Mean retention rate at month index `m` over the cohorts old enough to
/// have it (each cohort weighs the same, as pandas `matrix[m].mean()`).
fn average_rate(cohorts: &Cohorts, m: usize) -> Option<f64> {
    let rates: Vec<f64> = cohorts.list.iter().filter_map(|c| rate_at(c, m)).collect();
    ratio(Some(rates.iter().sum()), Some(rates.len() as f64))
}

fn rate_at(cohort: &Cohort, m: usize) -> Option<f64> {
    if m < cohort.retained.len() {
        cohort.rate(m)
    } else {
        None
    }
}

/// `cohorts.*`, `avg_retention[]`, `avg_retention_m1`, `avg_retention_m3`.
pub(super) fn cohorts_json(cohorts: &Cohorts, months: usize) -> Map<String, Value> {
    let mut by_month = Map::new();
    for c in &cohorts.list {
        let rates: Vec<Value> = (0..c.retained.len()).map(|m| number(c.rate(m))).collect();
        let mut entry = Map::new();
        entry.insert("customers".into(), c.customers.into());
        entry.insert("retention".into(), Value::Array(rates));
        by_month.insert(month_label(c.month), Value::Object(entry));
    }
    let averages: Vec<Value> = (0..months)
        .map(|m| number(average_rate(cohorts, m)))
        .collect();
    let mut r = Map::new();
    r.insert("cohorts".into(), Value::Object(by_month));
    r.insert("avg_retention".into(), Value::Array(averages));
    r.insert("avg_retention_m1".into(), number(average_rate(cohorts, 1)));
    r.insert("avg_retention_m3".into(), number(average_rate(cohorts, 3)));
    r
}

/// Long form: one row per cohort and month index.
pub(super) fn long_table(cohorts: &Cohorts) -> Table {
    let rows = cohorts.list.iter().flat_map(|c| {
        (0..c.retained.len()).map(move |m| {
            vec![
                month_label(c.month).into(),
                m.into(),
                c.customers.into(),
                c.retained[m].into(),
                number(c.rate(m)),
            ]
        })
    });
    table_of(
        &["cohort", "month_index", "customers", "retained", "rate"],
        rows,
    )
}

/// Wide form: a row per cohort, a rate column `m0..mK` per month index;
/// months after the end of the data are null.
pub(super) fn matrix_table(cohorts: &Cohorts, months: usize) -> Table {
    let mut columns = vec!["cohort".to_string()];
    columns.extend((0..months).map(|m| format!("m{m}")));
    let mut t = Table::new(columns);
    for c in &cohorts.list {
        let mut row = vec![Value::from(month_label(c.month))];
        row.extend((0..months).map(|m| number(rate_at(c, m))));
        t.push(row);
    }
    t
}

/// Customers per cohort.
pub(super) fn sizes_table(cohorts: &Cohorts) -> Table {
    let rows = cohorts
        .list
        .iter()
        .map(|c| vec![month_label(c.month).into(), c.customers.into()]);
    table_of(&["cohort", "customers"], rows)
}
