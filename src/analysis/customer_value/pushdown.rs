//! Customer value pushed down to a database: the per-customer figures
//! (rows, distinct orders, revenue, first and last date, the rows left
//! out) as one `GROUP BY` over the cleaned source, and the `Customers` made
//! from its rows — the same as `customers::aggregate_customers` over the
//! order lines.

use super::CustomerValueSpec;
use super::customers::{Customers, Orders, Tally};
use crate::analysis::common::counts;
use crate::analysis::ids::{Ids, ids, keys};
use crate::analysis::order_groups;
use crate::data::columns;
use crate::data::external::pushdown::{Aggregate, Grouped, finite_or_null, q};
use crate::error::Result;
use polars::prelude::DataFrame;

/// The aggregation over the cleaned source `s`.
pub fn aggregate(spec: &CustomerValueSpec) -> Aggregate {
    let c = q(&spec.customer);
    // A counted row has an order id (every row does without `order_id`).
    let counted = spec
        .order_id
        .as_deref()
        .map_or("TRUE".to_string(), |o| format!("{} IS NOT NULL", q(o)));
    let orders = match &spec.order_id {
        Some(o) => format!("COUNT(DISTINCT {})", q(o)),
        None => "COUNT(*)".to_string(),
    };
    // Not a number, or infinite: left out of revenue (and counted).
    let finite = finite_or_null(&spec.amount);
    let (first, last) = match &spec.date {
        Some(d) => (
            format!("CAST(MIN(CASE WHEN {counted} THEN {} END) AS date)", q(d)),
            format!("CAST(MAX(CASE WHEN {counted} THEN {} END) AS date)", q(d)),
        ),
        None => (
            "CAST(NULL AS date)".to_string(),
            "CAST(NULL AS date)".to_string(),
        ),
    };
    let values = [
        (
            "counted_rows",
            format!("SUM(CASE WHEN {counted} THEN 1 ELSE 0 END)"),
        ),
        (
            "no_order_rows",
            format!("SUM(CASE WHEN {counted} THEN 0 ELSE 1 END)"),
        ),
        ("orders", orders),
        (
            "revenue",
            format!("SUM(CASE WHEN {counted} THEN {finite} END)"),
        ),
        (
            "no_amount_rows",
            format!("SUM(CASE WHEN {counted} AND ({finite}) IS NULL THEN 1 ELSE 0 END)"),
        ),
        ("first_day", first),
        ("last_day", last),
    ];
    let grouped = Grouped::per_customer(c, values);
    let mut columns = vec![spec.customer.clone(), spec.amount.clone()];
    columns.extend(spec.order_id.clone());
    columns.extend(spec.date.clone());
    Aggregate::group_by(
        grouped,
        columns,
        spec.date.iter().cloned().collect(),
        vec![spec.amount.clone()],
    )
}

/// The customers from the aggregate's rows (one per customer, and one for
/// the rows without a customer).
pub fn customers(frame: &DataFrame, spec: &CustomerValueSpec) -> Result<Customers> {
    let ids = ids(frame, "customer", "customer")?;
    let count = |name: &str| counts(frame, name);
    let (counted, no_order, orders, no_amount) = (
        count("counted_rows")?,
        count("no_order_rows")?,
        count("orders")?,
        count("no_amount_rows")?,
    );
    let revenue = columns::numbers(frame, "revenue", "revenue")?;
    let first = columns::dates(frame, "first_day", "date")?;
    let last = columns::dates(frame, "last_day", "date")?;
    let mut tally = Tally::new(ids.len());
    for row in 0..frame.height() {
        let rows = counted[row] + no_order[row];
        tally.counts.rows += rows as usize;
        let Some(code) = ids.codes[row] else {
            tally.counts.dropped_missing_customer += rows as usize;
            continue;
        };
        tally.counts.dropped_missing_order += no_order[row] as usize;
        tally.add(
            code,
            counted[row],
            revenue[row],
            no_amount[row],
            first[row],
            last[row],
        );
        tally.orders(code, orders[row]);
    }
    let orders = match spec.order_id {
        Some(_) => Orders::Given,
        None => Orders::Rows,
    };
    tally.finish(ids, orders)
}

/// The sums per customer of the source's order groups
/// (`analysis::order_groups`), to finish with `Orders::Distinct` once the
/// groups are freed: a counted group has an order id, a customer's orders
/// are its distinct order ids (an order whose rows span months is in
/// several groups).
pub(super) fn tally_groups(groups: &DataFrame) -> Result<(Tally, Ids)> {
    let mut ids = ids(groups, "customer", "customer")?;
    let orders = keys(groups, "order_id", "order_id")?;
    let rows = order_groups::whole(groups, "row_count")?;
    let revenue = order_groups::floats(groups, "revenue")?;
    let no_revenue = order_groups::whole(groups, "no_revenue_rows")?;
    let first = columns::dates(groups, "first_day", "date")?;
    let last = columns::dates(groups, "last_day", "date")?;
    let mut tally = Tally::new(ids.len());
    let values = rows.iter().zip(revenue.iter()).zip(no_revenue.iter());
    for (row, ((rows, revenue), no_revenue)) in values.enumerate() {
        let rows = rows.unwrap_or(0) as u64;
        tally.counts.rows += rows as usize;
        let Some(customer) = ids.codes[row] else {
            tally.counts.dropped_missing_customer += rows as usize;
            continue;
        };
        let Some(order) = orders[row] else {
            tally.counts.dropped_missing_order += rows as usize;
            continue;
        };
        tally.order(customer, order);
        tally.add(
            customer,
            rows,
            revenue,
            no_revenue.unwrap_or(0) as u64,
            first[row],
            last[row],
        );
    }
    // The codes of the rows are done with.
    ids.codes = Vec::new();
    Ok((tally, ids))
}
