//! Order groups: a source's rows reduced on the server to one per
//! customer, calendar month and order id, with the sums, counts and first
//! and last days that customer value, RFM and cohorts read. Cohorts read
//! the groups as they are; customer value and RFM roll them up per
//! customer here into exactly the columns their own per-customer SQL gives.
//! A report with several of these analyses over one source therefore scans
//! it once on the server and fetches one result (the groups are about as
//! many as the orders, which the per-customer `COUNT(DISTINCT order)` has
//! to sort anyway).

use crate::data::external::pushdown::{Aggregate, finite_or_null, number_or_null, q};
use crate::error::{Error, Result};
use polars::prelude::{
    DataFrame, Expr, IntoLazy, JoinArgs, JoinType, NULL, UniqueKeepStrategy, col, len, lit, when,
};

/// The columns (after `rename`) an analysis over order groups reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderColumns {
    pub customer: String,
    pub order_id: String,
    pub date: String,
    pub amount: String,
}

/// The groups of the cleaned source `s`: `customer`, `year`, `month`,
/// `order_id` (undated rows in groups of their own, year and month null);
/// `amount`, the sum of the amounts that are numbers, and `no_amount_rows`
/// counting the others; `revenue` and `no_revenue_rows` the same for the
/// finite amounts; `row_count`; `first_day` and `last_day`.
pub fn aggregate(c: &OrderColumns) -> Aggregate {
    let (customer, order, date) = (q(&c.customer), q(&c.order_id), q(&c.date));
    let present = number_or_null(&c.amount);
    let finite = finite_or_null(&c.amount);
    let year = format!("CAST(EXTRACT(YEAR FROM {date}) AS integer)");
    let month = format!("CAST(EXTRACT(MONTH FROM {date}) AS integer)");
    let sql = format!(
        "SELECT {customer} AS \"customer\", {year} AS \"year\", {month} AS \"month\", {order} AS \"order_id\", \
         SUM({present}) AS \"amount\", COUNT(*) AS \"row_count\", \
         COUNT(*) - COUNT({present}) AS \"no_amount_rows\", \
         SUM({finite}) AS \"revenue\", \
         COUNT(*) - COUNT({finite}) AS \"no_revenue_rows\", \
         CAST(MIN({date}) AS date) AS \"first_day\", CAST(MAX({date}) AS date) AS \"last_day\" \
         FROM s GROUP BY {customer}, {year}, {month}, {order}"
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
pub const COHORT_COLUMNS: [&str; 7] = [
    "customer",
    "year",
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
pub const RFM_COLUMNS: [&str; 7] = [
    "customer",
    "year",
    "order_id",
    "row_count",
    "amount",
    "no_amount_rows",
    "last_day",
];

/// Per customer, the columns of `customer_value::pushdown::aggregate`: a
/// counted row has an order id.
pub fn customer_value_rows(groups: &DataFrame) -> Result<DataFrame> {
    let counted = col("order_id").is_not_null();
    roll_up(
        groups,
        counted.clone(),
        vec![
            (
                count_where("row_count", counted.clone()),
                "counted_rows",
                Agg::Sum,
            ),
            (
                count_where("row_count", counted.clone().not()),
                "no_order_rows",
                Agg::Sum,
            ),
            (value_where("revenue", counted.clone()), "revenue", Agg::Sum),
            (
                count_where("no_revenue_rows", counted.clone()),
                "no_amount_rows",
                Agg::Sum,
            ),
            (
                value_where("first_day", counted.clone()),
                "first_day",
                Agg::Min,
            ),
            (value_where("last_day", counted), "last_day", Agg::Max),
        ],
    )
}

/// Per customer, the columns of `rfm::pushdown::aggregate`: a kept row has
/// a customer, a date and an order id.
pub fn rfm_rows(groups: &DataFrame) -> Result<DataFrame> {
    let has_customer = col("customer").is_not_null();
    let dated = col("year").is_not_null();
    let has_order = col("order_id").is_not_null();
    let kept = dated.clone().and(has_order.clone());
    let no_order = has_customer
        .clone()
        .and(dated.clone())
        .and(has_order.clone().not());
    roll_up(
        groups,
        kept.clone(),
        vec![
            (
                count_where("row_count", has_customer.clone().not()),
                "no_customer_rows",
                Agg::Sum,
            ),
            (
                count_where("row_count", has_customer.and(dated.not())),
                "no_date_rows",
                Agg::Sum,
            ),
            (
                count_where("row_count", no_order),
                "no_order_rows",
                Agg::Sum,
            ),
            (value_where("amount", kept.clone()), "monetary", Agg::Sum),
            (
                count_where("no_amount_rows", kept),
                "no_amount_rows",
                Agg::Sum,
            ),
            (value_where("last_day", has_order), "last_day", Agg::Max),
        ],
    )
}

#[derive(Clone, Copy)]
enum Agg {
    Sum,
    Min,
    Max,
}

/// Column `name` where `condition` holds, null elsewhere.
fn value_where(name: &str, condition: Expr) -> Expr {
    when(condition).then(col(name)).otherwise(lit(NULL))
}

/// Count column `name` where `condition` holds, 0 elsewhere (so a sum over
/// no such group is 0, as `SUM(CASE ... THEN 1 ELSE 0 END)` gives).
fn count_where(name: &str, condition: Expr) -> Expr {
    when(condition).then(col(name)).otherwise(lit(0i64))
}

/// Each `(expression, name, aggregation)` per customer, with `orders`: the
/// distinct order ids of the groups where `ordered` holds (an order whose
/// rows span months is in several groups). The expressions are computed
/// over whole columns first, so the grouping only sums, which is fast.
fn roll_up(groups: &DataFrame, ordered: Expr, values: Vec<(Expr, &str, Agg)>) -> Result<DataFrame> {
    let lazy = groups.clone().lazy();
    let orders = lazy
        .clone()
        .filter(ordered.and(col("order_id").is_not_null()))
        .select([col("customer"), col("order_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .group_by([col("customer")])
        .agg([len().alias("orders")]);
    let mut flat = vec![col("customer")];
    flat.extend(
        values
            .iter()
            .map(|(expr, name, _)| expr.clone().alias(*name)),
    );
    let aggregated: Vec<Expr> = values
        .iter()
        .map(|(_, name, agg)| match agg {
            Agg::Sum => col(*name).sum(),
            Agg::Min => col(*name).min(),
            Agg::Max => col(*name).max(),
        })
        .collect();
    // The rows without a customer are a group of their own, here too.
    let mut args = JoinArgs::new(JoinType::Left);
    args.nulls_equal = true;
    lazy.select(flat)
        .group_by([col("customer")])
        .agg(aggregated)
        .join(orders, [col("customer")], [col("customer")], args)
        .with_column(col("orders").fill_null(lit(0u32)))
        // In customer order, as the server's per-customer query gives them:
        // the analyses' sorts then find them sorted.
        .sort(["customer"], Default::default())
        .collect()
        .map_err(|e| {
            Error::new("cannot roll the fetched order groups up per customer").caused_by(e)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{AnyValue, Column, DataType, IntoColumn, IntoSeries, NewChunkedArray};

    fn dates(name: &str, days: &[Option<i32>]) -> Column {
        polars::prelude::Int32Chunked::from_iter_options(name.into(), days.iter().copied())
            .into_date()
            .into_series()
            .into_column()
    }

    /// Groups as the server gives them: customer a has order 1 in two
    /// months and an undated order 2; b has a row without an order; the
    /// rows without a customer form their own group.
    fn groups() -> DataFrame {
        let columns = vec![
            Column::new(
                "customer".into(),
                [Some("a"), Some("a"), Some("a"), Some("b"), None],
            ),
            Column::new(
                "year".into(),
                [Some(2024), Some(2024), None, Some(2024), Some(2024)],
            ),
            Column::new("month".into(), [Some(1), Some(2), None, Some(3), Some(3)]),
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
        DataFrame::new(5, columns).unwrap()
    }

    /// The row of customer `who` (`None`: the rows without one).
    fn row(frame: &DataFrame, who: Option<&str>) -> Vec<(String, AnyValue<'static>)> {
        let customers = frame.column("customer").unwrap().str().unwrap().clone();
        let at = (0..frame.height())
            .find(|&i| customers.get(i) == who)
            .unwrap();
        frame
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.get(at).unwrap().into_static()))
            .collect()
    }

    fn value(row: &[(String, AnyValue<'static>)], name: &str) -> AnyValue<'static> {
        row.iter().find(|(n, _)| n == name).unwrap().1.clone()
    }

    fn number(v: AnyValue) -> f64 {
        v.cast(&DataType::Float64).extract::<f64>().unwrap()
    }

    #[test]
    fn customer_value_counts_orders_once_across_months() {
        // The columns it reads suffice.
        let cv = customer_value_rows(&groups().select(CUSTOMER_VALUE_COLUMNS).unwrap()).unwrap();
        assert_eq!(cv.height(), 3);
        let a = row(&cv, Some("a"));
        // Order 1 (two months) and order 2: 2 orders over 4 rows.
        assert_eq!(number(value(&a, "orders")), 2.0);
        assert_eq!(number(value(&a, "counted_rows")), 4.0);
        assert_eq!(number(value(&a, "no_order_rows")), 0.0);
        // Finite amounts only: 10 + 7; one row's amount was not finite.
        assert_eq!(number(value(&a, "revenue")), 17.0);
        assert_eq!(number(value(&a, "no_amount_rows")), 1.0);
        assert_eq!(value(&a, "first_day"), AnyValue::Date(19723));
        assert_eq!(value(&a, "last_day"), AnyValue::Date(19760));
        // b's only rows have no order: none counted, no dates.
        let b = row(&cv, Some("b"));
        assert_eq!(number(value(&b, "no_order_rows")), 3.0);
        assert_eq!(number(value(&b, "orders")), 0.0);
        assert_eq!(value(&b, "first_day"), AnyValue::Null);
    }

    #[test]
    fn rfm_keeps_dated_rows_with_an_order_and_counts_the_rest_by_reason() {
        let rfm = rfm_rows(&groups().select(RFM_COLUMNS).unwrap()).unwrap();
        let a = row(&rfm, Some("a"));
        // The undated order 2 is out of frequency and monetary.
        assert_eq!(number(value(&a, "orders")), 1.0);
        assert_eq!(number(value(&a, "monetary")), 15.0);
        assert_eq!(number(value(&a, "no_date_rows")), 1.0);
        assert_eq!(value(&a, "last_day"), AnyValue::Date(19760));
        let b = row(&rfm, Some("b"));
        assert_eq!(number(value(&b, "no_order_rows")), 3.0);
        assert_eq!(number(value(&b, "no_amount_rows")), 0.0);
        let nobody = row(&rfm, None);
        assert_eq!(number(value(&nobody, "no_customer_rows")), 2.0);
        assert_eq!(number(value(&nobody, "no_order_rows")), 0.0);
    }
}
