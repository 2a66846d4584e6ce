//! Cohorts, retention and trend (analyses.md §6): customers grouped by the
//! calendar month of their first order, the share of each cohort that orders
//! again m months later, the monthly trend of orders, revenue, AOV, active
//! and new customers with month-over-month changes, and optionally the
//! products whose mean sale amount stays below the month's average.
//!
//! Front matter:
//! ```toml
//! [analyses.cohort]
//! kind = "cohorts"
//! table = "sales"
//! customer = "Customer ID"
//! order_id = "Order ID"
//! amount = "Amount"
//! date = "Date"
//! [analyses.cohort.streak]        # optional
//! product = "Product"
//! amount = "Amount"               # default: the `amount` above
//! months = 3                      # default 3
//! ```
//! Rows without a date are left out of everything (counted). Per metric,
//! as pandas groupby does: rows without a customer count for orders and
//! revenue but not for customers or cohorts; rows without an order id count
//! for revenue and customers but not for orders; missing amounts are left
//! out of revenue and means, never taken as zero (counted). A customer's
//! first order is their earliest dated row. Every month from the first to
//! the last month of the data is listed; an empty month has 0 orders,
//! revenue and customers and a null AOV. Month-over-month changes are
//! fractions (0.25 = +25%), null for the first month and after a zero or
//! null value. Numbers are unrounded.

mod charts;
mod input;
pub mod pushdown;
mod retention;
mod streak;
#[cfg(test)]
mod tests;
mod trend;

use super::{AnalysisContext, AnalysisOutput, input_table};
use crate::analysis::common::{month_label, number};
use crate::error::{Error, Result};
use crate::table::Table;
use input::{Counts, Input, read_input};
use retention::Cohorts;
use serde::Deserialize;
use serde_json::{Map, Value};
use trend::Months;

/// The settings of a `kind = "cohorts"` analysis.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CohortSpec {
    /// The input table (a source name).
    pub table: String,
    /// The customer id column.
    pub customer: String,
    /// The order (invoice) id column; orders are distinct ids.
    pub order_id: String,
    /// The sale amount column (numeric).
    pub amount: String,
    /// The order date column; months are calendar months.
    pub date: String,
    /// The below-average streak of products, when given.
    #[serde(default)]
    pub streak: Option<StreakSpec>,
}

/// The `[analyses.NAME.streak]` block: flag products whose mean sale amount
/// is below the month's all-product mean for `months` months in a row.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StreakSpec {
    /// The product column.
    pub product: String,
    /// The amount column averaged per product and month; default: the
    /// analysis' `amount`.
    #[serde(default)]
    pub amount: Option<String>,
    /// Consecutive months below the average that flag a product.
    #[serde(default = "default_months")]
    pub months: usize,
}

fn default_months() -> usize {
    3
}

/// Run the analysis. Result fields: `first_month`, `last_month`, `months`,
/// `totals.{orders,revenue,aov,customers}`, `cohorts.YYYY-MM.{customers,
/// retention[]}`, `avg_retention[]`, `avg_retention_m1`, `avg_retention_m3`,
/// `trend.YYYY-MM.{orders,revenue,aov,active_customers,new_customers,*_mom}`,
/// `last` (the last month's trend row), `last_mom.*`,
/// `orders_decline.{longest.{declines,from,to},at_end}`, the dropped-row
/// counts and, with a streak block, `streak.*`. Tables: `retention`,
/// `retention_matrix`, `cohort_sizes`, `trend`, and with a streak block
/// `streaks` and `product_monthly`.
pub fn run(spec: &CohortSpec, ctx: &AnalysisContext) -> Result<AnalysisOutput> {
    if let Some(s) = &spec.streak
        && s.months == 0
    {
        return Err(Error::new("setting `streak.months` is 0")
            .setting("streak.months")
            .hint("a product is flagged after at least one month: `months = 3`"));
    }
    let df = input_table(ctx, &spec.table)?;
    let input = read_input(spec, df)?;
    finish(spec, ctx, input, Some(df))
}

/// Run the analysis over the reduced rows a database computed
/// (`pushdown::aggregate`; never with a streak).
pub fn run_pushed(
    spec: &CohortSpec,
    ctx: &AnalysisContext,
    aggregate: polars::prelude::DataFrame,
) -> Result<AnalysisOutput> {
    let input = pushdown::read_input(spec, &aggregate)?;
    // Millions of groups: freed before the figures are worked out.
    drop(aggregate);
    finish(spec, ctx, input, None)
}

fn finish(
    spec: &CohortSpec,
    ctx: &AnalysisContext,
    input: Input,
    rows: Option<&polars::prelude::DataFrame>,
) -> Result<AnalysisOutput> {
    let cohorts = retention::build_cohorts(&input);
    let months = trend::sum_months(&input, &cohorts);
    let mut out = AnalysisOutput::default();
    let mut result = summary_json(&input, &cohorts, &months);
    result.extend(retention::cohorts_json(&cohorts, input.months()));
    result.extend(trend::trend_json(&months));
    out.tables
        .insert("retention".into(), retention::long_table(&cohorts));
    out.tables.insert(
        "retention_matrix".into(),
        retention::matrix_table(&cohorts, input.months()),
    );
    out.tables
        .insert("cohort_sizes".into(), retention::sizes_table(&cohorts));
    out.tables
        .insert("trend".into(), trend::trend_table(&months));
    charts::add_trend_charts(&mut out.charts, ctx.language);
    if let (Some(s), Some(df)) = (&spec.streak, rows) {
        let found = streak::find_streaks(s, df, &input)?;
        result.insert("streak".into(), found.to_json(s.months));
        out.tables.insert("streaks".into(), found.runs_table());
        out.tables
            .insert("product_monthly".into(), found.monthly_table());
        charts::add_streak_chart(&mut out.charts, ctx.language);
    }
    out.result = Value::Object(result);
    Ok(out)
}

/// The month range, totals and dropped-row counts.
fn summary_json(input: &Input, cohorts: &Cohorts, months: &Months) -> Map<String, Value> {
    let Counts {
        missing_date,
        missing_customer,
        missing_order_id,
        missing_amount,
    } = input.counts;
    let mut totals = Map::new();
    totals.insert("orders".into(), Value::from(months.total_orders));
    totals.insert("revenue".into(), number(Some(months.total_revenue)));
    totals.insert("aov".into(), number(months.total_aov()));
    totals.insert("customers".into(), Value::from(cohorts.customers()));
    let mut r = Map::new();
    r.insert("first_month".into(), month_label(input.first).into());
    r.insert("last_month".into(), month_label(input.last).into());
    r.insert("months".into(), Value::from(input.months()));
    r.insert("totals".into(), Value::Object(totals));
    r.insert("dropped_missing_date".into(), missing_date.into());
    r.insert("dropped_missing_amount".into(), missing_amount.into());
    r.insert("missing_customer".into(), missing_customer.into());
    r.insert("missing_order_id".into(), missing_order_id.into());
    r
}

/// A table from rows of cells.
fn table_of(columns: &[&str], rows: impl IntoIterator<Item = Vec<Value>>) -> Table {
    let mut t = Table::new(columns.iter().copied());
    for row in rows {
        t.push(row);
    }
    t
}
