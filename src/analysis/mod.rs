//! The analysis library: every analysis of `analyses.md`, one module each,
//! configured from front matter and run over a report's tables.

pub mod basket;
pub mod cohort;
pub mod common;
pub mod customer_value;
pub(crate) mod ids;
pub mod kmeans;
pub mod order_groups;
pub mod rfm;
pub mod segment;
pub mod timeseries;

use crate::chart::ChartSpec;
use crate::config::Language;
use crate::data::Tables;
use crate::error::Result;
use crate::table::Table;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One `[analyses.NAME]` entry of a report's front matter; `kind` picks the
/// analysis.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnalysisSpec {
    SegmentComparison(segment::SegmentSpec),
    Kmeans(kmeans::KmeansSpec),
    CustomerValue(customer_value::CustomerValueSpec),
    Cohorts(cohort::CohortSpec),
    TimeSeries(timeseries::TimeSeriesSpec),
    Rfm(rfm::RfmSpec),
    MarketBasket(basket::BasketSpec),
}

/// What an analysis sees: the report's tables and language.
pub struct AnalysisContext<'a> {
    pub tables: &'a Tables,
    pub language: Language,
}

/// What an analysis produces.
#[derive(Clone, Debug, Default)]
pub struct AnalysisOutput {
    /// The full result, unrounded; templates read it as `{{ NAME.field }}`
    /// and it is written to `results/NAME.json`.
    pub result: Value,
    /// Result tables by local name; referenced as `NAME.table`, written to
    /// `results/NAME.table.csv`.
    pub tables: BTreeMap<String, Table>,
    /// Result tables with a row per customer (or other entity), kept as
    /// columns: millions of rows cost tens of bytes each, not a JSON cell
    /// per value. Referenced and exported like `tables`; their floats that
    /// are whole numbers read as integers, as `common::number` writes them.
    pub frames: BTreeMap<String, polars::prelude::DataFrame>,
    /// Built-in charts by local name over the local tables; referenced as
    /// `NAME.chart`.
    pub charts: BTreeMap<String, ChartSpec>,
}

#[cfg(test)]
impl AnalysisOutput {
    /// Result table `name`, from `tables` or `frames`, as JSON cells.
    pub fn table(&self, name: &str) -> Table {
        match self.frames.get(name) {
            Some(frame) => crate::data::ResultTable::analysis_frame(frame.clone())
                .table()
                .map(|t| (*t).clone())
                .expect("an analysis frame converts"),
            None => self.tables[name].clone(),
        }
    }
}

impl AnalysisSpec {
    /// The table this analysis reads.
    pub fn table(&self) -> &str {
        match self {
            AnalysisSpec::SegmentComparison(s) => &s.table,
            AnalysisSpec::Kmeans(s) => &s.table,
            AnalysisSpec::CustomerValue(s) => &s.table,
            AnalysisSpec::Cohorts(s) => &s.table,
            AnalysisSpec::TimeSeries(s) => &s.table,
            AnalysisSpec::Rfm(s) => &s.table,
            AnalysisSpec::MarketBasket(s) => &s.table,
        }
    }

    /// The analysis' first aggregation as SQL, for a table in a database
    /// (`None`: this analysis reads the rows).
    pub fn pushdown(&self) -> Option<crate::data::external::pushdown::Aggregate> {
        match self {
            AnalysisSpec::SegmentComparison(s) => Some(segment::pushdown::aggregate(s)),
            AnalysisSpec::CustomerValue(s) => Some(customer_value::pushdown::aggregate(s)),
            AnalysisSpec::Rfm(s) => Some(rfm::pushdown::aggregate(s)),
            AnalysisSpec::Cohorts(s) => cohort::pushdown::aggregate(s),
            AnalysisSpec::MarketBasket(s) => Some(basket::pushdown::aggregate(s)),
            AnalysisSpec::TimeSeries(s) => Some(timeseries::pushdown::aggregate(s)),
            _ => None,
        }
    }

    /// The columns by which it can run over the source's order groups
    /// (`order_groups`): customer value with an order id and a date, RFM,
    /// cohorts without a streak.
    pub fn order_columns(&self) -> Option<order_groups::OrderColumns> {
        let columns = |customer: &str, order_id: &str, date: &str, amount: &str| {
            Some(order_groups::OrderColumns {
                customer: customer.to_string(),
                order_id: order_id.to_string(),
                date: date.to_string(),
                amount: amount.to_string(),
            })
        };
        match self {
            AnalysisSpec::CustomerValue(s) => columns(
                &s.customer,
                s.order_id.as_deref()?,
                s.date.as_deref()?,
                &s.amount,
            ),
            AnalysisSpec::Rfm(s) => columns(&s.customer, &s.order_id, &s.date, &s.amount),
            AnalysisSpec::Cohorts(s) if s.streak.is_none() => {
                columns(&s.customer, &s.order_id, &s.date, &s.amount)
            }
            _ => None,
        }
    }

    /// The columns of the order groups it reads (`order_columns`).
    pub fn order_group_columns(&self) -> &'static [&'static str] {
        match self {
            AnalysisSpec::CustomerValue(_) => &order_groups::CUSTOMER_VALUE_COLUMNS,
            AnalysisSpec::Rfm(_) => &order_groups::RFM_COLUMNS,
            _ => &order_groups::COHORT_COLUMNS,
        }
    }

    /// Run the analysis over the aggregate its `pushdown` SQL returned, or
    /// over the source's order groups (`order_groups`: only for those with
    /// `order_columns`).
    pub fn run_pushed(
        &self,
        ctx: &AnalysisContext,
        aggregate: polars::prelude::DataFrame,
        of_order_groups: bool,
    ) -> Result<AnalysisOutput> {
        match self {
            AnalysisSpec::CustomerValue(s) if of_order_groups => {
                customer_value::run_over_groups(s, ctx, aggregate)
            }
            AnalysisSpec::Rfm(s) if of_order_groups => rfm::run_over_groups(s, ctx, aggregate),
            AnalysisSpec::SegmentComparison(s) => segment::run_pushed(s, ctx, &aggregate),
            AnalysisSpec::CustomerValue(s) => customer_value::run_pushed(s, ctx, &aggregate),
            AnalysisSpec::Rfm(s) => rfm::run_pushed(s, ctx, &aggregate),
            AnalysisSpec::Cohorts(s) => cohort::run_pushed(s, ctx, aggregate),
            AnalysisSpec::MarketBasket(s) => basket::run_pushed(s, ctx, &aggregate),
            AnalysisSpec::TimeSeries(s) => timeseries::run_pushed(s, ctx, &aggregate),
            _ => self.run(ctx),
        }
    }

    /// Run the analysis.
    pub fn run(&self, ctx: &AnalysisContext) -> Result<AnalysisOutput> {
        match self {
            AnalysisSpec::SegmentComparison(s) => segment::run(s, ctx),
            AnalysisSpec::Kmeans(s) => kmeans::run(s, ctx),
            AnalysisSpec::CustomerValue(s) => customer_value::run(s, ctx),
            AnalysisSpec::Cohorts(s) => cohort::run(s, ctx),
            AnalysisSpec::TimeSeries(s) => timeseries::run(s, ctx),
            AnalysisSpec::Rfm(s) => rfm::run(s, ctx),
            AnalysisSpec::MarketBasket(s) => basket::run(s, ctx),
        }
    }
}

/// Fetch the analysis' input table or explain which tables exist.
pub fn input_table<'a>(
    ctx: &'a AnalysisContext,
    name: &str,
) -> Result<&'a polars::prelude::DataFrame> {
    ctx.tables.get(name).ok_or_else(|| {
        let known: Vec<&str> = ctx.tables.keys().map(String::as_str).collect();
        crate::error::Error::new(format!(
            "table `{name}` (setting `table`) is not a source of this report"
        ))
        .setting("table")
        .hint(format!("declared sources: {}", known.join(", ")))
    })
}
