//! One pass over the order lines to the per-customer measures of RFM: last
//! order date, distinct orders and the sum of amounts, with the customers
//! in sorted id order (pandas' `groupby` order) and the dropped rows counted.

use super::RfmSpec;
use crate::analysis::common::{KahanSum, encode, numbers};
use crate::data::columns;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use polars::prelude::DataFrame;
use polars::prelude::PlHashSet as HashSet;

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
    pub names: Vec<String>,
    pub last: Vec<NaiveDate>,
    /// Distinct order ids.
    pub frequency: Vec<f64>,
    /// Sum of the amounts that are present.
    pub monetary: Vec<f64>,
    pub dropped: Dropped,
}

impl Customers {
    pub fn len(&self) -> usize {
        self.names.len()
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

/// Read the columns `spec` names and aggregate them per customer.
pub(super) fn aggregate(spec: &RfmSpec, df: &DataFrame) -> Result<Customers> {
    if df.height() == 0 {
        return Err(no_rows(spec, "has no rows"));
    }
    let customer = encode(df, &spec.customer, "customer")?;
    let order = encode(df, &spec.order_id, "order_id")?;
    let dates = columns::dates(df, &spec.date, "date")?;
    let amount = numbers(df, &spec.amount, "amount")?;
    let numeric_ids = columns::column(df, &spec.customer, "customer")?
        .dtype()
        .is_primitive_numeric();
    let mut running = vec![Running::default(); customer.names.len()];
    let mut seen: HashSet<(u32, u32)> = HashSet::default();
    let mut dropped = Dropped::default();
    for row in 0..df.height() {
        let (Some(c), Some(day), Some(o)) = (customer.codes[row], dates[row], order.codes[row])
        else {
            count_missing(&mut dropped, customer.codes[row], dates[row]);
            continue;
        };
        let r = &mut running[c as usize];
        r.last = r.last.max(Some(day));
        if seen.insert((c, o)) {
            r.orders += 1;
        }
        match amount[row] {
            Some(a) => r.amount.add(a),
            None => dropped.missing_amount += 1,
        }
    }
    let mut kept: Vec<usize> = (0..running.len())
        .filter(|&c| running[c].last.is_some())
        .collect();
    if kept.is_empty() {
        return Err(no_rows(
            spec,
            "has no row with a customer, an order id and a date",
        ));
    }
    sort_customers(&mut kept, &customer.names, numeric_ids);
    Ok(Customers {
        names: kept.iter().map(|&c| customer.names[c].clone()).collect(),
        last: kept
            .iter()
            .map(|&c| running[c].last.unwrap_or_default())
            .collect(),
        frequency: kept.iter().map(|&c| running[c].orders as f64).collect(),
        monetary: kept.iter().map(|&c| running[c].amount.value()).collect(),
        dropped,
    })
}

/// Count a row left out: the first of customer, date, order id missing.
fn count_missing(dropped: &mut Dropped, customer: Option<u32>, day: Option<NaiveDate>) {
    if customer.is_none() {
        dropped.missing_customer += 1;
    } else if day.is_none() {
        dropped.missing_date += 1;
    } else {
        dropped.missing_order_id += 1;
    }
}

/// Sort customer codes by id: numerically for a numeric column (its text is
/// a number), else by text.
pub(super) fn sort_customers(codes: &mut [usize], names: &[String], numeric: bool) {
    if numeric {
        let value = |c: usize| names[c].parse::<f64>().unwrap_or(f64::NAN);
        codes.sort_by(|&a, &b| {
            value(a)
                .total_cmp(&value(b))
                .then_with(|| names[a].cmp(&names[b]))
        });
    } else {
        codes.sort_by(|&a, &b| names[a].cmp(&names[b]));
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
