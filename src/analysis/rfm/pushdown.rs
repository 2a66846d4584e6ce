//! RFM pushed down to a database: per customer the last order date, the
//! distinct orders and the sum of amounts over rows with a customer, a date
//! and an order id (and the rows left out, by reason) as one `GROUP BY`
//! over the cleaned source — the same as `customers::aggregate` over the
//! order lines.

use super::RfmSpec;
use super::customers::{Customers, Tally, count_missing};
use crate::analysis::common::counts;
use crate::analysis::ids::{Ids, ids, keys};
use crate::analysis::order_groups;
use crate::data::columns;
use crate::data::external::pushdown::{Aggregate, Grouped, number_or_null, q};
use crate::error::Result;
use polars::prelude::DataFrame;

/// The aggregation over the cleaned source `s`.
pub fn aggregate(spec: &RfmSpec) -> Aggregate {
    let (c, o, d) = (q(&spec.customer), q(&spec.order_id), q(&spec.date));
    let present = number_or_null(&spec.amount);
    let kept = format!("{d} IS NOT NULL AND {o} IS NOT NULL");
    let values = [
        (
            "no_customer_rows",
            format!("SUM(CASE WHEN {c} IS NULL THEN 1 ELSE 0 END)"),
        ),
        (
            "no_date_rows",
            format!("SUM(CASE WHEN {c} IS NOT NULL AND {d} IS NULL THEN 1 ELSE 0 END)"),
        ),
        (
            "no_order_rows",
            format!(
                "SUM(CASE WHEN {c} IS NOT NULL AND {d} IS NOT NULL AND {o} IS NULL THEN 1 ELSE 0 END)"
            ),
        ),
        (
            "orders",
            format!("COUNT(DISTINCT CASE WHEN {d} IS NOT NULL THEN {o} END)"),
        ),
        (
            "monetary",
            format!("SUM(CASE WHEN {kept} THEN {present} END)"),
        ),
        (
            "no_amount_rows",
            format!("SUM(CASE WHEN {kept} AND ({present}) IS NULL THEN 1 ELSE 0 END)"),
        ),
        (
            "last_day",
            format!("CAST(MAX(CASE WHEN {o} IS NOT NULL THEN {d} END) AS date)"),
        ),
    ];
    let grouped = Grouped::per_customer(c, values);
    Aggregate::group_by(
        grouped,
        vec![
            spec.customer.clone(),
            spec.order_id.clone(),
            spec.date.clone(),
            spec.amount.clone(),
        ],
        vec![spec.date.clone()],
        vec![spec.amount.clone()],
    )
}

/// The customers from the aggregate's rows, in sorted id order.
pub(super) fn customers(frame: &DataFrame, spec: &RfmSpec) -> Result<Customers> {
    let ids = ids(frame, "customer", "customer")?;
    let count = |name: &str| counts(frame, name);
    let no_customer = count("no_customer_rows")?;
    let no_date = count("no_date_rows")?;
    let no_order = count("no_order_rows")?;
    let no_amount = count("no_amount_rows")?;
    let orders = count("orders")?;
    let monetary = columns::numbers(frame, "monetary", "amount")?;
    let last = columns::dates(frame, "last_day", "date")?;
    let mut tally = Tally::new(ids.len());
    for row in 0..frame.height() {
        let dropped = &mut tally.dropped;
        dropped.missing_customer += no_customer[row];
        dropped.missing_date += no_date[row];
        dropped.missing_order_id += no_order[row];
        dropped.missing_amount += no_amount[row];
        if let (Some(code), Some(last)) = (ids.codes[row], last[row]) {
            tally.customer(code, last, orders[row], monetary[row].unwrap_or(0.0));
        }
    }
    tally.finish(spec, &ids)
}

/// The measures per customer of the source's order groups
/// (`analysis::order_groups`), to finish once the groups are freed: a kept
/// group has a customer, a date and an order id; the others count their
/// rows as dropped, by the first of the three they lack.
pub(super) fn tally_groups(groups: &DataFrame) -> Result<(Tally, Ids)> {
    let mut ids = ids(groups, "customer", "customer")?;
    let orders = keys(groups, "order_id", "order_id")?;
    let rows = order_groups::whole(groups, "row_count")?;
    let amount = order_groups::floats(groups, "amount")?;
    let no_amount = order_groups::whole(groups, "no_amount_rows")?;
    let last = columns::dates(groups, "last_day", "date")?;
    let mut tally = Tally::new(ids.len());
    let values = rows.iter().zip(amount.iter()).zip(no_amount.iter());
    for (row, ((rows, amount), no_amount)) in values.enumerate() {
        let rows = rows.unwrap_or(0) as u64;
        // An undated group has no last day (undated rows are grouped apart).
        let day = last[row];
        let (Some(c), Some(day), Some(o)) = (ids.codes[row], day, orders[row]) else {
            count_missing(&mut tally.dropped, ids.codes[row], day, rows);
            continue;
        };
        tally.add(c, o, day, amount, no_amount.unwrap_or(0) as u64);
    }
    // The codes of the rows are done with.
    ids.codes = Vec::new();
    Ok((tally, ids))
}
