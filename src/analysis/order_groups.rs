//! Order groups: a source's rows reduced on the server to one per
//! customer, calendar month and order id, with the sums, counts and first
//! and last days that customer value, RFM and cohorts read. Cohorts read
//! the groups as they are; customer value and RFM sum them per customer as
//! they sum order lines (`customers_of_groups` in their `pushdown`).
//! A report with several of these analyses over one source therefore scans
//! it once on the server and fetches one result (the groups are about as
//! many as the orders, which the per-customer `COUNT(DISTINCT order)` has
//! to sort anyway).

use crate::data::external::pushdown::{Aggregate, finite_or_null, number_or_null, q};
use crate::error::{Error, Result};
use polars::prelude::{Column, DataFrame, DataType, Float64Chunked, Int64Chunked};

/// The columns (after `rename`) an analysis over order groups reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderColumns {
    pub customer: String,
    pub order_id: String,
    pub date: String,
    pub amount: String,
}

/// The groups of the cleaned source `s`: `customer`, `month` (its first
/// day), `order_id` (undated rows in groups of their own, month null);
/// `amount`, the sum of the amounts that are numbers, and `no_amount_rows`
/// counting the others; `revenue` and `no_revenue_rows` the same for the
/// finite amounts; `row_count`; `first_day` and `last_day`.
pub fn aggregate(c: &OrderColumns) -> Aggregate {
    let (customer, order, date) = (q(&c.customer), q(&c.order_id), q(&c.date));
    let present = number_or_null(&c.amount);
    let finite = finite_or_null(&c.amount);
    // The first day of the month: one key, and cheaper on the server than
    // `EXTRACT` (numeric since PostgreSQL 14) of the year and the month.
    let month = format!("CAST(date_trunc('month', {date}) AS date)");
    let sql = format!(
        "SELECT {customer} AS \"customer\", {month} AS \"month\", {order} AS \"order_id\", \
         SUM({present}) AS \"amount\", COUNT(*) AS \"row_count\", \
         COUNT(*) - COUNT({present}) AS \"no_amount_rows\", \
         SUM({finite}) AS \"revenue\", \
         COUNT(*) - COUNT({finite}) AS \"no_revenue_rows\", \
         CAST(MIN({date}) AS date) AS \"first_day\", CAST(MAX({date}) AS date) AS \"last_day\" \
         FROM s GROUP BY {customer}, {month}, {order}"
    );
    Aggregate {
        sql,
        grouped: None,
        columns: vec![
            c.customer.clone(),
            c.order_id.clone(),
            c.date.clone(),
            c.amount.clone(),
        ],
        dates: vec![c.date.clone()],
        numbers: vec![c.amount.clone()],
    }
}

/// The columns of the groups each analysis reads (the others are not
/// loaded).
pub const COHORT_COLUMNS: [&str; 6] = [
    "customer",
    "month",
    "order_id",
    "amount",
    "row_count",
    "no_amount_rows",
];
pub const CUSTOMER_VALUE_COLUMNS: [&str; 7] = [
    "customer",
    "order_id",
    "row_count",
    "revenue",
    "no_revenue_rows",
    "first_day",
    "last_day",
];
pub const RFM_COLUMNS: [&str; 6] = [
    "customer",
    "order_id",
    "row_count",
    "amount",
    "no_amount_rows",
    "last_day",
];

/// Count column `name` of the groups as whole numbers.
pub(crate) fn whole(groups: &DataFrame, name: &str) -> Result<Int64Chunked> {
    Ok(typed(groups, name, DataType::Int64)?.i64()?.clone())
}

/// Sum column `name` of the groups as floats (null: no value summed).
pub(crate) fn floats(groups: &DataFrame, name: &str) -> Result<Float64Chunked> {
    Ok(typed(groups, name, DataType::Float64)?.f64()?.clone())
}

fn typed(groups: &DataFrame, name: &str, dtype: DataType) -> Result<Column> {
    let column = crate::data::columns::column(groups, name, name)?;
    column.cast(&dtype).map_err(|e| {
        Error::new(format!(
            "column `{name}` of the fetched order groups is {}, not {dtype}",
            column.dtype()
        ))
        .caused_by(e)
    })
}

/// Order groups as the server gives them, for the analyses' tests:
/// customer a has order 1 in two months and an undated order 2; b has a
/// row without an order; the rows without a customer form their own group.
#[cfg(test)]
pub(crate) fn sample_groups() -> DataFrame {
    use polars::prelude::{IntoColumn, IntoSeries, NewChunkedArray};
    let dates = |name: &str, days: &[Option<i32>]| {
        polars::prelude::Int32Chunked::from_iter_options(name.into(), days.iter().copied())
            .into_date()
            .into_series()
            .into_column()
    };
    let columns = vec![
        Column::new(
            "customer".into(),
            [Some("a"), Some("a"), Some("a"), Some("b"), None],
        ),
        // Day 19723 is 2024-01-01.
        dates(
            "month",
            &[Some(19723), Some(19754), None, Some(19783), Some(19783)],
        ),
        Column::new(
            "order_id".into(),
            [Some(1i64), Some(1), Some(2), None, Some(9)],
        ),
        Column::new(
            "amount".into(),
            [Some(10.0), Some(5.0), Some(7.0), Some(4.0), None],
        ),
        Column::new("row_count".into(), [2i64, 1, 1, 3, 2]),
        Column::new("no_amount_rows".into(), [0i64, 0, 0, 1, 2]),
        Column::new(
            "revenue".into(),
            [Some(10.0), None, Some(7.0), Some(4.0), None],
        ),
        Column::new("no_revenue_rows".into(), [0i64, 1, 0, 1, 2]),
        // Day 19723 is 2024-01-01.
        dates(
            "first_day",
            &[Some(19723), Some(19754), None, Some(19783), Some(19783)],
        ),
        dates(
            "last_day",
            &[Some(19730), Some(19760), None, Some(19790), Some(19790)],
        ),
    ];
    DataFrame::new(5, columns).expect("equal lengths")
}
