//! Customer value and repeat behaviour (analyses.md §3), plus relation
//! checks between a report's tables:
//!
//! ```toml
//! [analyses.value]
//! kind = "customer_value"
//! table = "order_items"     # any table, also a SQL query result
//! customer = "user_id"
//! order_id = "order_id"     # optional: without it every row is one order
//! amount = "sale_price"
//! date = "created_at"       # optional: first and last order dates
//! high_share = 0.2          # default: High = first ceil(0.2 n) customers
//! medium_share = 0.5        # default: Medium = up to the first ceil(0.5 n)
//! [[analyses.value.relations]]
//! from = "orders.user_id"   # every non-null key here ...
//! to = "users.id"           # ... must exist here
//! ```
//!
//! When the amounts live in an items table and the customers in an orders
//! table, point `table` at a table that has all three columns: either one
//! that already does (thelook's `order_items` carries `user_id`), or a
//! ```` ```sql ```` query of the report that joins them, e.g.
//! `SELECT o.user_id, o.order_id, i.sale_price, o.created_at FROM orders o
//! JOIN order_items i ON i.order_id = o.order_id`, named and used as `table`.
//!
//! Method: rows without a customer id, or without an order id when
//! `order_id` is set, are dropped and counted. Orders are distinct order ids
//! per customer; revenue sums the amounts, a missing amount is excluded (the
//! row still counts for orders and dates) and counted. Customers are ranked
//! by revenue, highest first, ties by ascending id (numeric order for a
//! numeric id column). `ceil(share · n)` uses a 1e-9 tolerance so that
//! 0.1 × 30 is 3. Segment AOV = segment revenue / segment orders. The top
//! p% of customers are the first `ceil(p · n)`. Shares of a zero total are
//! null.

mod customers;
mod output;
pub mod pushdown;
mod relations;
mod summary;

pub use relations::RelationSpec;

use super::{AnalysisContext, AnalysisOutput, input_table};
use crate::error::{Error, Result};
use serde::Deserialize;

/// `[analyses.NAME]` with `kind = "customer_value"`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CustomerValueSpec {
    pub table: String,
    /// Customer id column.
    pub customer: String,
    /// Order id column; absent: every row is one order.
    #[serde(default)]
    pub order_id: Option<String>,
    /// Amount column (numeric).
    pub amount: String,
    /// Order date column (date or datetime).
    #[serde(default)]
    pub date: Option<String>,
    /// Share of customers in the High segment.
    #[serde(default = "default_high")]
    pub high_share: f64,
    /// Cumulative share of customers in High and Medium.
    #[serde(default = "default_medium")]
    pub medium_share: f64,
    #[serde(default)]
    pub relations: Vec<RelationSpec>,
}

impl CustomerValueSpec {
    /// Every table the analysis reads: `table`, then the tables named by the
    /// relations (sorted, without repeats), for caching and dependency order.
    pub fn tables(&self) -> Vec<&str> {
        let mut others: Vec<&str> = self
            .relations
            .iter()
            .flat_map(|r| [r.from.as_str(), r.to.as_str()])
            .filter_map(|reference| reference.split_once('.').map(|(t, _)| t))
            .filter(|t| *t != self.table)
            .collect();
        others.sort_unstable();
        others.dedup();
        let mut all = vec![self.table.as_str()];
        all.extend(others);
        all
    }
}

fn default_high() -> f64 {
    0.2
}

fn default_medium() -> f64 {
    0.5
}

/// Run the customer-value analysis and the relation checks.
pub fn run(spec: &CustomerValueSpec, ctx: &AnalysisContext) -> Result<AnalysisOutput> {
    validate(spec)?;
    let df = input_table(ctx, &spec.table)?;
    let customers = customers::aggregate_customers(df, spec)?;
    finish(spec, ctx, customers)
}

/// Run the analysis over the per-customer aggregate a database computed
/// (`pushdown::aggregate`).
pub fn run_pushed(
    spec: &CustomerValueSpec,
    ctx: &AnalysisContext,
    aggregate: &polars::prelude::DataFrame,
) -> Result<AnalysisOutput> {
    validate(spec)?;
    let customers = pushdown::customers(aggregate, spec)?;
    finish(spec, ctx, customers)
}

/// Run the analysis over the source's order groups a database computed
/// (`analysis::order_groups`).
pub fn run_over_groups(
    spec: &CustomerValueSpec,
    ctx: &AnalysisContext,
    groups: polars::prelude::DataFrame,
) -> Result<AnalysisOutput> {
    validate(spec)?;
    let (tally, ids) = pushdown::tally_groups(&groups)?;
    // Millions of groups: freed before the customers are ranked.
    drop(groups);
    let customers = tally.finish(ids, customers::Orders::Distinct)?;
    finish(spec, ctx, customers)
}

fn finish(
    spec: &CustomerValueSpec,
    ctx: &AnalysisContext,
    customers: customers::Customers,
) -> Result<AnalysisOutput> {
    if customers.list.is_empty() {
        return Err(Error::new(format!(
            "customer value on table `{}` found no customers: {} of {} rows lack a customer id (setting `customer`)",
            spec.table, customers.dropped_missing_customer, customers.rows
        ))
        .setting("customer")
        .hint("check the source's filters and the `customer` column"));
    }
    let relations = relations::check_relations(ctx.tables, &spec.relations)?;
    output::build(spec, &customers, &relations, ctx.language)
}

fn validate(spec: &CustomerValueSpec) -> Result<()> {
    let ok = |s: f64| (0.0..=1.0).contains(&s);
    if !ok(spec.high_share) || !ok(spec.medium_share) || spec.high_share > spec.medium_share {
        return Err(Error::new(format!(
            "settings `high_share` ({}) and `medium_share` ({}) must satisfy 0 <= high_share <= medium_share <= 1",
            spec.high_share, spec.medium_share
        ))
        .hint("medium_share is cumulative: the defaults are 0.2 and 0.5"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
