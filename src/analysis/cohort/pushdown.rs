//! Cohorts pushed down to a database: the rows reduced on the server to
//! their order groups (`analysis::order_groups`: one per customer, calendar
//! month and order id, amounts summed, rows and missing amounts counted;
//! undated rows in groups of their own), which
//! hold everything the cohorts, retention and trend read — distinct
//! (customer, month) and (month, order) pairs, revenue per month and the
//! dropped-row counts — so the result equals that over the order lines.

use super::CohortSpec;
use super::input::{Counts, Input, month_range};
use crate::analysis::common::month_number;
use crate::analysis::ids::keys;
use crate::analysis::order_groups::{self, OrderColumns};
use crate::data::columns;
use crate::data::external::pushdown::Aggregate;
use crate::error::Result;
use polars::prelude::DataFrame;

/// The aggregation over the cleaned source `s`: its order groups
/// (`None` with a streak, which reads every row's product).
pub fn aggregate(spec: &CohortSpec) -> Option<Aggregate> {
    if spec.streak.is_some() {
        return None;
    }
    Some(order_groups::aggregate(&OrderColumns {
        customer: spec.customer.clone(),
        order_id: spec.order_id.clone(),
        date: spec.date.clone(),
        amount: spec.amount.clone(),
    }))
}

/// The cohort input from the aggregate's rows: one row per group.
pub(super) fn read_input(spec: &CohortSpec, frame: &DataFrame) -> Result<Input> {
    let month: Vec<Option<i32>> = columns::dates(frame, "month", "date")?
        .into_iter()
        .map(|d| d.map(month_number))
        .collect();
    let customer = keys(frame, "customer", "customer")?;
    let order = keys(frame, "order_id", "order_id")?;
    let amount = columns::numbers(frame, "amount", "amount")?;
    let rows = order_groups::whole(frame, "row_count")?;
    let no_amount = order_groups::whole(frame, "no_amount_rows")?;
    let total: i64 = rows.iter().flatten().sum();
    let (first, last) = month_range(&month, spec, total as usize)?;
    let mut missing = Counts::default();
    let counts = rows.iter().zip(no_amount.iter());
    for (row, (n, no_amount)) in counts.enumerate() {
        let n = n.unwrap_or(0) as u64;
        if month[row].is_none() {
            missing.missing_date += n;
            continue;
        }
        if customer[row].is_none() {
            missing.missing_customer += n;
        }
        if order[row].is_none() {
            missing.missing_order_id += n;
        }
        missing.missing_amount += no_amount.unwrap_or(0) as u64;
    }
    Ok(Input {
        month,
        customer,
        order,
        amount,
        first,
        last,
        counts: missing,
    })
}
