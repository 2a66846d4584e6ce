//! RFM pushed down to a database: per customer the last order date, the
//! distinct orders and the sum of amounts over rows with a customer, a date
//! and an order id (and the rows left out, by reason) as one `GROUP BY`
//! over the cleaned source — the same as `customers::aggregate` over the
//! order lines.

use super::RfmSpec;
use super::customers::{Customers, Dropped, sort_customers};
use crate::analysis::common::{counts, encode};
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
    let ids = encode(frame, "customer", "customer")?;
    let numeric = columns::column(frame, "customer", "customer")?
        .dtype()
        .is_primitive_numeric();
    let count = |name: &str| counts(frame, name);
    let no_customer = count("no_customer_rows")?;
    let no_date = count("no_date_rows")?;
    let no_order = count("no_order_rows")?;
    let no_amount = count("no_amount_rows")?;
    let orders = count("orders")?;
    let monetary = columns::numbers(frame, "monetary", "amount")?;
    let last = columns::dates(frame, "last_day", "date")?;
    let mut dropped = Dropped::default();
    let mut kept: Vec<usize> = Vec::new();
    let mut code_row = vec![0usize; ids.names.len()];
    for row in 0..frame.height() {
        dropped.missing_customer += no_customer[row];
        dropped.missing_date += no_date[row];
        dropped.missing_order_id += no_order[row];
        dropped.missing_amount += no_amount[row];
        if let (Some(code), Some(_)) = (ids.codes[row], last[row]) {
            code_row[code as usize] = row;
            kept.push(code as usize);
        }
    }
    if kept.is_empty() {
        return Err(super::customers::no_rows(
            spec,
            "has no row with a customer, an order id and a date",
        ));
    }
    sort_customers(&mut kept, &ids.names, numeric);
    let row_of = |c: usize| code_row[c];
    Ok(Customers {
        names: kept.iter().map(|&c| ids.names[c].clone()).collect(),
        last: kept
            .iter()
            .map(|&c| last[row_of(c)].unwrap_or_default())
            .collect(),
        frequency: kept.iter().map(|&c| orders[row_of(c)] as f64).collect(),
        monetary: kept
            .iter()
            .map(|&c| monetary[row_of(c)].unwrap_or(0.0))
            .collect(),
        dropped,
    })
}
