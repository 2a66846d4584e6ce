//! Customer value pushed down to a database: the per-customer figures
//! (rows, distinct orders, revenue, first and last date, the rows left
//! out) as one `GROUP BY` over the cleaned source, and the `Customers` made
//! from its rows — the same as `customers::aggregate_customers` over the
//! order lines.

use super::CustomerValueSpec;
use super::customers::{Customer, Customers, Key};
use crate::analysis::common::{counts, encode};
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
    let ids = encode(frame, "customer", "customer")?;
    let numeric = columns::column(frame, "customer", "customer")?
        .dtype()
        .is_primitive_numeric();
    let count = |name: &str| -> Result<Vec<usize>> {
        Ok(counts(frame, name)?
            .into_iter()
            .map(|n| n as usize)
            .collect())
    };
    let (counted, no_order, orders, no_amount) = (
        count("counted_rows")?,
        count("no_order_rows")?,
        count("orders")?,
        count("no_amount_rows")?,
    );
    let revenue = columns::numbers(frame, "revenue", "revenue")?;
    let first = columns::dates(frame, "first_day", "date")?;
    let last = columns::dates(frame, "last_day", "date")?;
    let mut out = Customers {
        list: Vec::new(),
        rows: 0,
        dropped_missing_customer: 0,
        dropped_missing_order: 0,
        missing_amount_rows: 0,
    };
    for row in 0..frame.height() {
        let rows = counted[row] + no_order[row];
        out.rows += rows;
        let Some(code) = ids.codes[row] else {
            out.dropped_missing_customer += rows;
            continue;
        };
        out.dropped_missing_order += no_order[row];
        out.missing_amount_rows += no_amount[row];
        // A customer whose every row lacked an order id has no orders.
        if counted[row] == 0 {
            continue;
        }
        out.list.push(Customer {
            key: Key::new(&ids.names[code as usize], numeric),
            orders: if spec.order_id.is_some() {
                orders[row]
            } else {
                counted[row]
            },
            revenue: revenue[row].unwrap_or(0.0),
            first: first[row],
            last: last[row],
        });
    }
    out.list.sort_by(|a, b| {
        b.revenue
            .total_cmp(&a.revenue)
            .then_with(|| a.key.cmp(&b.key))
    });
    Ok(out)
}
