//! One pass over the order lines to the per-customer measures of RFM: last
//! order date, distinct orders and the sum of amounts, with the customers
//! in sorted id order (pandas' `groupby` order) and the dropped rows counted.

use super::RfmSpec;
use crate::analysis::common::{KahanSum, numbers};
use crate::analysis::ids::{Ids, ids, keys};
use crate::data::columns;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use polars::prelude::{Column, DataFrame};
use rayon::prelude::*;

/// Rows left out of the analysis (or of the monetary value), by reason.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Dropped {
    pub missing_customer: u64,
    pub missing_date: u64,
    pub missing_order_id: u64,
    /// Kept rows without an amount: in recency and frequency, not in the
    /// monetary value.
    pub missing_amount: u64,
}

/// The measures of every customer, in sorted customer-id order.
#[derive(Debug)]
pub(super) struct Customers {
    /// The customers' ids as text.
    pub ids: Column,
    pub last: Vec<NaiveDate>,
    /// Distinct order ids.
    pub frequency: Vec<f64>,
    /// Sum of the amounts that are present.
    pub monetary: Vec<f64>,
    pub dropped: Dropped,
}

impl Customers {
    pub fn len(&self) -> usize {
        self.last.len()
    }

    /// The latest order date of any customer (there is at least one).
    pub fn latest(&self) -> NaiveDate {
        self.last.iter().copied().max().unwrap_or_default()
    }

    /// Days from each customer's last order to `snapshot`.
    pub fn recency(&self, snapshot: NaiveDate) -> Vec<f64> {
        self.last
            .iter()
            .map(|&d| (snapshot - d).num_days() as f64)
            .collect()
    }
}

/// Sums per customer code while reading the rows.
#[derive(Clone, Default)]
struct Running {
    last: Option<NaiveDate>,
    orders: u64,
    amount: KahanSum,
}

/// The measures per customer code while reading rows (order lines, order
/// groups or a database's per-customer rows).
pub(super) struct Tally {
    running: Vec<Running>,
    /// (customer, order key) of every kept row, for distinct orders.
    pairs: Vec<(u32, u64)>,
    pub dropped: Dropped,
}

impl Tally {
    pub fn new(customers: usize) -> Tally {
        Tally {
            running: vec![Running::default(); customers],
            pairs: Vec::new(),
            dropped: Dropped::default(),
        }
    }

    /// Kept rows of `customer` in order `order` dated up to `last`: the sum
    /// of their amounts (`None`: none present) and how many lacked one.
    pub fn add(
        &mut self,
        customer: u32,
        order: u64,
        last: NaiveDate,
        amount: Option<f64>,
        missing_amount: u64,
    ) {
        let r = &mut self.running[customer as usize];
        r.last = r.last.max(Some(last));
        if let Some(a) = amount {
            r.amount.add(a);
        }
        self.dropped.missing_amount += missing_amount;
        self.pairs.push((customer, order));
    }

    /// A customer's measures as a database computed them.
    pub fn customer(&mut self, customer: u32, last: NaiveDate, orders: u64, monetary: f64) {
        let r = &mut self.running[customer as usize];
        r.last = r.last.max(Some(last));
        r.orders += orders;
        r.amount.add(monetary);
    }

    /// The customers with a kept row, in sorted id order.
    pub fn finish(mut self, spec: &RfmSpec, ids: &Ids) -> Result<Customers> {
        self.pairs.par_sort_unstable();
        self.pairs.dedup();
        for &(customer, _) in &self.pairs {
            self.running[customer as usize].orders += 1;
        }
        self.pairs = Vec::new();
        let kept: Vec<u32> = ids
            .sorted()?
            .into_iter()
            .filter(|&c| self.running[c as usize].last.is_some())
            .collect();
        if kept.is_empty() {
            return Err(no_rows(
                spec,
                "has no row with a customer, an order id and a date",
            ));
        }
        let running = |c: &u32| &self.running[*c as usize];
        Ok(Customers {
            ids: ids.text_of(&kept, "customer")?,
            last: kept
                .iter()
                .map(|c| running(c).last.unwrap_or_default())
                .collect(),
            frequency: kept.iter().map(|c| running(c).orders as f64).collect(),
            monetary: kept.iter().map(|c| running(c).amount.value()).collect(),
            dropped: self.dropped,
        })
    }
}

/// Read the columns `spec` names and aggregate them per customer.
pub(super) fn aggregate(spec: &RfmSpec, df: &DataFrame) -> Result<Customers> {
    if df.height() == 0 {
        return Err(no_rows(spec, "has no rows"));
    }
    let customer = ids(df, &spec.customer, "customer")?;
    let order = keys(df, &spec.order_id, "order_id")?;
    let dates = columns::dates(df, &spec.date, "date")?;
    let amount = numbers(df, &spec.amount, "amount")?;
    let mut tally = Tally::new(customer.len());
    for row in 0..df.height() {
        let (Some(c), Some(day), Some(o)) = (customer.codes[row], dates[row], order[row]) else {
            count_missing(&mut tally.dropped, customer.codes[row], dates[row], 1);
            continue;
        };
        tally.add(c, o, day, amount[row], u64::from(amount[row].is_none()));
    }
    tally.finish(spec, &customer)
}

/// Count a row left out: the first of customer, date, order id missing.
pub(super) fn count_missing(
    dropped: &mut Dropped,
    customer: Option<u32>,
    day: Option<NaiveDate>,
    rows: u64,
) {
    if customer.is_none() {
        dropped.missing_customer += rows;
    } else if day.is_none() {
        dropped.missing_date += rows;
    } else {
        dropped.missing_order_id += rows;
    }
}

pub(super) fn no_rows(spec: &RfmSpec, what: &str) -> Error {
    Error::new(format!(
        "table `{}` (setting `table`) {what} for RFM",
        spec.table
    ))
    .setting("table")
    .hint("check the source's file and its `filters`, and the `customer`, `order_id` and `date` columns")
}
