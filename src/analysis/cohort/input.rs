//! Reads and checks the columns a cohort analysis needs, once, as plain
//! vectors: the month of each row, customers and orders as keys, amounts
//! as numbers; and counts the rows each figure has to leave out.

use super::CohortSpec;
use crate::analysis::common::{month_number, numbers};
use crate::analysis::ids::keys;
use crate::data::columns;
use crate::error::{Error, Result};
use polars::prelude::DataFrame;

/// Rows left out of some figures. All but `missing_date` count only dated
/// rows (undated rows are out of everything).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Counts {
    pub missing_date: u64,
    pub missing_customer: u64,
    pub missing_order_id: u64,
    pub missing_amount: u64,
}

/// The columns of one cohort analysis, row-aligned.
pub(super) struct Input {
    /// Month number of each row (`None`: no date).
    pub month: Vec<Option<i32>>,
    /// Customer and order of each row, as keys equal when the ids are.
    pub customer: Vec<Option<u64>>,
    pub order: Vec<Option<u64>>,
    pub amount: Vec<Option<f64>>,
    /// First and last month number with a dated row.
    pub first: i32,
    pub last: i32,
    pub counts: Counts,
}

impl Input {
    /// Number of calendar months from the first to the last, both included.
    pub fn months(&self) -> usize {
        (self.last - self.first + 1) as usize
    }

    /// Position of a month number within `first..=last`.
    pub fn slot(&self, month: i32) -> usize {
        (month - self.first) as usize
    }
}

/// Read the columns `spec` names from `df`, or explain what is missing.
pub(super) fn read_input(spec: &CohortSpec, df: &DataFrame) -> Result<Input> {
    let dates = columns::dates(df, &spec.date, "date")?;
    let month: Vec<Option<i32>> = dates.iter().map(|d| d.map(month_number)).collect();
    let customer = keys(df, &spec.customer, "customer")?;
    let order = keys(df, &spec.order_id, "order_id")?;
    let amount = numbers(df, &spec.amount, "amount")?;
    let (first, last) = month_range(&month, spec, df.height())?;
    let counts = count_missing(&month, &customer, &order, &amount);
    Ok(Input {
        month,
        customer,
        order,
        amount,
        first,
        last,
        counts,
    })
}

fn count_missing(
    month: &[Option<i32>],
    customer: &[Option<u64>],
    order: &[Option<u64>],
    amount: &[Option<f64>],
) -> Counts {
    let mut c = Counts::default();
    for (row, m) in month.iter().enumerate() {
        if m.is_none() {
            c.missing_date += 1;
            continue;
        }
        c.missing_customer += u64::from(customer[row].is_none());
        c.missing_order_id += u64::from(order[row].is_none());
        c.missing_amount += u64::from(amount[row].is_none());
    }
    c
}

/// The first and last month with a dated row; `rows` (all of them) for the
/// error when there is none.
pub(super) fn month_range(
    month: &[Option<i32>],
    spec: &CohortSpec,
    rows: usize,
) -> Result<(i32, i32)> {
    match (
        month.iter().flatten().min().copied(),
        month.iter().flatten().max().copied(),
    ) {
        (Some(first), Some(last)) => Ok((first, last)),
        _ => Err(no_dated_rows(spec, rows)),
    }
}

fn no_dated_rows(spec: &CohortSpec, rows: usize) -> Error {
    let what = if rows == 0 {
        "has no rows".to_string()
    } else {
        format!("has no row with a `{}` date ({rows} rows)", spec.date)
    };
    Error::new(format!(
        "table `{}` (setting `table`) {what}; cohorts need dated orders",
        spec.table
    ))
    .setting("table")
    .hint("check the source's file, its `filters` and the date format in `dates`")
}
