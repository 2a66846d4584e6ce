//! RFM (analyses.md §4): per customer recency, frequency and monetary value
//! against a snapshot date, scored 1–5 by quintiles exactly as pandas'
//! `qcut(x, 5, labels=...)` does, and named segments from the R and F
//! scores with a recommended action per segment.
//!
//! Front matter:
//! ```toml
//! [analyses.rfm]
//! kind = "rfm"
//! table = "sales"
//! customer = "Customer ID"
//! order_id = "Invoice"
//! amount = "Amount"
//! date = "Date"
//! snapshot = "2024-01-01"     # optional; default: day after the latest date
//!
//! [[analyses.rfm.segments]]   # optional; replaces the ten default rules
//! name = "Champions"
//! r = [5, 5]                  # inclusive score range
//! f = [4, 5]
//! action = "Reward them"      # optional for the ten default names
//! ```
//!
//! Definitions, as a pandas reference computes them:
//! - Rows without a customer, a date or an order id are left out of every
//!   figure and counted (each row once, in that order of checks). Rows
//!   without an amount count for recency and frequency but not for the
//!   monetary value (counted), never as zero.
//! - recency = days from the customer's last order date to the snapshot
//!   (a datetime column counts by its calendar date);
//!   frequency = distinct order ids; monetary = sum of amounts, summed in
//!   row order with Kahan compensation like pandas' groupby `sum`.
//! - Customers are listed and ranked in sorted customer-id order (numeric
//!   order for a numeric column, text order otherwise), the order of
//!   pandas' `groupby`. `rank(method="first")` breaks ties by that order.
//! - R = `qcut(recency, 5, labels=[5,4,3,2,1])`, F =
//!   `qcut(frequency.rank(method="first"), 5, labels=[1..5])`, M =
//!   `qcut(monetary, 5, labels=[1..5])`. When ties make two quintile edges
//!   of recency or monetary equal (qcut raises "Bin edges must be unique"),
//!   that measure is ranked with method "first" first, and
//!   `r_ranked_first` / `m_ranked_first` say so. Edges follow pandas 3
//!   (`np.quantile`, linear interpolation, quantile levels rounded up).
//! - Segments: the first rule whose R and F ranges hold wins; customers no
//!   rule matches are in `Other`. Segment names stay as configured (the
//!   defaults are the usual English names); actions are in the report's
//!   language.

mod charts;
mod customers;
mod output;
pub mod pushdown;
mod quintiles;
mod segments;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_pandas;

pub use segments::SegmentRule;

use super::{AnalysisContext, AnalysisOutput, input_table};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use polars::prelude::DataFrame;
use serde::Deserialize;

/// The settings of a `kind = "rfm"` analysis.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RfmSpec {
    /// The input table (a source name).
    pub table: String,
    /// The customer id column.
    pub customer: String,
    /// The order (invoice) id column; frequency counts distinct ids.
    pub order_id: String,
    /// The sale amount column (numeric).
    pub amount: String,
    /// The order date column (date or datetime).
    pub date: String,
    /// The analysis date, `YYYY-MM-DD`; default: the day after the latest
    /// date in the data.
    #[serde(default)]
    pub snapshot: Option<String>,
    /// Segment rules replacing the defaults, first match wins.
    #[serde(default)]
    pub segments: Option<Vec<SegmentRule>>,
}

/// Run the RFM analysis. Result fields: `snapshot`, `customers`,
/// `revenue`, `r_ranked_first`, `m_ranked_first`, `edges.{r,f,m}`,
/// `dropped_missing_customer`, `dropped_missing_date`,
/// `dropped_missing_order_id`, `dropped_missing_amount`, `segment_order`
/// and `segments.NAME.{customers, share, mean_recency, mean_frequency,
/// mean_monetary, revenue, revenue_share, action}`. Tables: `customers`,
/// `segments`, `rf_matrix`. Charts: `segment_sizes`, `rf_heatmap`.
pub fn run(spec: &RfmSpec, ctx: &AnalysisContext) -> Result<AnalysisOutput> {
    let df = input_table(ctx, &spec.table)?;
    score(spec, ctx, |_| customers::aggregate(spec, df))
}

/// Run RFM over the per-customer aggregate a database computed
/// (`pushdown::aggregate`).
pub fn run_pushed(
    spec: &RfmSpec,
    ctx: &AnalysisContext,
    aggregate: &DataFrame,
) -> Result<AnalysisOutput> {
    score(spec, ctx, |_| pushdown::customers(aggregate, spec))
}

/// Run RFM over the source's order groups a database computed
/// (`analysis::order_groups`).
pub fn run_over_groups(
    spec: &RfmSpec,
    ctx: &AnalysisContext,
    groups: DataFrame,
) -> Result<AnalysisOutput> {
    score(spec, ctx, move |_| {
        let (tally, ids) = pushdown::tally_groups(&groups)?;
        // Millions of groups: freed before the customers are sorted.
        drop(groups);
        tally.finish(spec, &ids)
    })
}

/// Score and segment the customers `aggregate` finds.
fn score(
    spec: &RfmSpec,
    ctx: &AnalysisContext,
    aggregate: impl FnOnce(&RfmSpec) -> Result<customers::Customers>,
) -> Result<AnalysisOutput> {
    let rules = segments::resolve_rules(spec.segments.as_deref(), ctx.language)?;
    let fixed_snapshot = parse_snapshot(spec.snapshot.as_deref())?;
    let customers = aggregate(spec)?;
    let snapshot = resolve_snapshot(fixed_snapshot, customers.latest())?;
    let recency = customers.recency(snapshot);
    let scores = quintiles::score(&recency, &customers.frequency, &customers.monetary)?;
    let assigned = segments::assign(&rules, &scores.r, &scores.f);
    let summary = segments::summarize(&rules, &assigned, &customers, &recency);
    let scored = output::Scored {
        customers: &customers,
        recency: &recency,
        scores: &scores,
        rules: &rules,
        assigned: &assigned,
        summary: &summary,
        snapshot,
    };
    output::assemble(&scored, ctx.language)
}

/// Parse the `snapshot` setting.
fn parse_snapshot(text: Option<&str>) -> Result<Option<NaiveDate>> {
    let Some(text) = text else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|e| {
            Error::new(format!("setting `snapshot` = \"{text}\" is not a date"))
                .setting("snapshot")
                .hint("write it as YYYY-MM-DD, e.g. `snapshot = \"2024-01-01\"`")
                .caused_by(e)
        })
}

/// The snapshot: the configured date, or the day after the latest order.
fn resolve_snapshot(fixed: Option<NaiveDate>, latest: NaiveDate) -> Result<NaiveDate> {
    match fixed {
        Some(day) if day < latest => Err(Error::new(format!(
            "setting `snapshot` = {day} is before the latest order date {latest}"
        ))
        .setting("snapshot")
        .hint("choose a later snapshot, or filter out the orders after it in the source")),
        Some(day) => Ok(day),
        None => latest
            .succ_opt()
            .ok_or_else(|| Error::new(format!("the latest order date {latest} has no next day"))),
    }
}
