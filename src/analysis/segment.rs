//! Segment comparison (analyses.md §1): B2B vs B2C or any other split of
//! order lines by one column. Per segment: orders, revenue, AOV, units per
//! order, shares and focus/baseline ratios; quantity mix by chosen columns,
//! weekday and month with an over-representation index; top-N by quantity.
//!
//! Front matter:
//! ```toml
//! [analyses.b2b]
//! kind = "segment_comparison"
//! table = "sales"
//! segment = "B2B"                             # any column, bool or text
//! labels = { true = "B2B", false = "B2C" }    # optional display names
//! compare = ["B2B", "B2C"]                    # optional focus, baseline
//! order_id = "Order ID"
//! amount = "Amount"
//! qty = "Qty"
//! date = "Date"                               # optional: weekday/month mix
//! mix = ["Category", "Size"]                  # optional
//! top = ["Category", "Style", "SKU"]          # optional
//! top_n = 10                                  # default 10
//! ```
//! Rows whose segment is empty are left out (counted). Missing amounts are
//! left out of revenue (counted), never taken as zero; missing quantities
//! likewise; lines, orders and the other sums keep those rows. Order shares
//! divide by the sum of the segments' orders. A mix divides by the
//! segment's quantity on rows where the mix column (or date) is present.
//! Results are keyed by segment label; undefined values (division by zero)
//! are null, numbers are unrounded. Over a database source the lines are
//! first grouped on the server (`pushdown`) and the same sums run over the
//! groups.

mod charts;
mod groups;
mod input;
mod metrics;
mod mix;
pub mod pushdown;
#[cfg(test)]
mod tests;

use super::{AnalysisContext, AnalysisOutput, input_table};
use crate::analysis::common::{self as codes, Codes, encode, slug};
use crate::chart::ChartSpec;
use crate::config::Language;
use crate::error::{Error, Result};
use crate::table::Table;
use chrono::NaiveDate;
use groups::{Groups, resolve_groups};
use input::{Input, read_input};
use metrics::{Dropped, SegmentStats};
use mix::ShareTable;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// The settings of a `kind = "segment_comparison"` analysis.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    /// The input table (a source name).
    pub table: String,
    /// The column that splits the rows into segments (bool or text).
    pub segment: String,
    /// Display names of segment values, `value = "label"`; keys match the
    /// values exactly, else ignoring ASCII case (`true` matches `True`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `[focus, baseline]` by label or value: ratios and indexes are
    /// focus / baseline. Default: `true` vs `false` for a bool column, else
    /// the two segments with the most orders, ordered by label.
    #[serde(default)]
    pub compare: Option<Vec<String>>,
    /// The order (invoice) id column; orders are distinct ids.
    pub order_id: String,
    /// The sale amount column (numeric).
    pub amount: String,
    /// The quantity column (numeric).
    pub qty: String,
    /// A date column: adds the weekday and month mixes and `weekday_share`.
    #[serde(default)]
    pub date: Option<String>,
    /// Columns whose quantity mix is compared (share within each segment
    /// and over-representation index).
    #[serde(default)]
    pub mix: Vec<String>,
    /// Columns whose top values by quantity are listed per segment.
    #[serde(default)]
    pub top: Vec<String>,
    /// Length of the top lists.
    #[serde(default = "default_top_n")]
    pub top_n: usize,
}

fn default_top_n() -> usize {
    10
}

/// Run the comparison. Result fields: `column`, `focus`, `baseline`,
/// `segment_order`, `segments.LABEL.*`, `ratios.*`, `totals`,
/// `dropped_missing_amount`, `dropped_missing_segment`, `missing_qty`,
/// `missing_order_id`, `mix.COLUMN.VALUE.{qty,share,index}`, `top_index`,
/// `top.COLUMN.LABEL[]`, and with a date `weekday.Mon..Sun`,
/// `month.YYYY-MM`, `missing_date`. Tables: `segments`, `ratios`,
/// `mix_<slug>`, `mix_weekday`, `mix_month`, `top_<slug>`.
pub fn run(spec: &SegmentSpec, ctx: &AnalysisContext) -> Result<AnalysisOutput> {
    check_top_n(spec)?;
    let df = input_table(ctx, &spec.table)?;
    let input = read_input(spec, df)?;
    // Every `mix` and `top` column is read once, in parallel.
    let wanted = by_columns(spec);
    let encoded = wanted
        .par_iter()
        .map(|(column, setting)| encode(df, column, setting))
        .collect::<Result<Vec<Codes>>>()?;
    compare(spec, ctx.language, input, &wanted, encoded)
}

/// Run the comparison over the groups of order lines a database computed
/// (`pushdown::aggregate`); the result is that of `run` over the lines.
pub fn run_pushed(
    spec: &SegmentSpec,
    ctx: &AnalysisContext,
    aggregate: &polars::prelude::DataFrame,
) -> Result<AnalysisOutput> {
    check_top_n(spec)?;
    let (input, encoded) = pushdown::read_input(spec, aggregate)?;
    compare(spec, ctx.language, input, &by_columns(spec), encoded)
}

fn check_top_n(spec: &SegmentSpec) -> Result<()> {
    if spec.top_n == 0 {
        return Err(Error::new("setting `top_n` is 0")
            .setting("top_n")
            .hint("list at least one value: `top_n = 10`"));
    }
    Ok(())
}

/// The `mix` columns, then the `top` columns not among them, each with the
/// setting that names it: the columns read as codes besides the segment.
fn by_columns(spec: &SegmentSpec) -> Vec<(&str, &'static str)> {
    let mut wanted: Vec<(&str, &str)> = spec.mix.iter().map(|c| (c.as_str(), "mix")).collect();
    for column in &spec.top {
        if !spec.mix.contains(column) {
            wanted.push((column.as_str(), "top"));
        }
    }
    wanted
}

/// Sum, compare and assemble the output from the input and the codes of
/// the `by_columns` (in their order), however they were read.
fn compare(
    spec: &SegmentSpec,
    lang: Language,
    input: Input,
    wanted: &[(&str, &str)],
    encoded: Vec<Codes>,
) -> Result<AnalysisOutput> {
    let encoded: HashMap<&str, Codes> = wanted.iter().map(|(c, _)| *c).zip(encoded).collect();
    let (stats, dropped) = metrics::sum_segments(&input);
    let orders: Vec<u64> = stats.iter().map(|s| s.orders).collect();
    let groups = resolve_groups(spec, &input, &orders)?;
    let run = Comparison {
        spec,
        input,
        stats,
        dropped,
        groups,
        lang,
    };
    let mut out = Assembly::default();
    out.add_segments(&run)?;
    for column in &spec.mix {
        out.add_mix_column(&run, column, &encoded[column.as_str()])?;
    }
    if let Some(dates) = &run.input.date {
        out.add_time_mixes(&run, dates)?;
    }
    for column in &spec.top {
        out.add_top(&run, column, &encoded[column.as_str()])?;
    }
    Ok(out.finish())
}

/// Everything read and summed once, shared by the parts of the output.
struct Comparison<'a> {
    spec: &'a SegmentSpec,
    input: Input,
    stats: Vec<SegmentStats>,
    dropped: Dropped,
    groups: Groups,
    lang: Language,
}

/// The output under construction.
#[derive(Default)]
struct Assembly {
    result: Map<String, Value>,
    /// `result.mix`, `result.top`, `result.top_index`, by column.
    mix: Map<String, Value>,
    top: Map<String, Value>,
    top_index: Map<String, Value>,
    out: AnalysisOutput,
}

impl Assembly {
    /// Add a local table, rejecting two settings that give the same name.
    fn add_table(&mut self, name: &str, table: Table) -> Result<()> {
        if self.out.tables.insert(name.to_string(), table).is_some() {
            return Err(Error::new(format!(
                "two `mix` or `top` columns both make table `{name}`"
            ))
            .hint("list each column once; names differing only in case or punctuation clash"));
        }
        Ok(())
    }

    /// Metrics, ratios and counts; the `segments` and `ratios` tables.
    fn add_segments(&mut self, run: &Comparison) -> Result<()> {
        let (stats, groups) = (&run.stats, &run.groups);
        let m = metrics::derive_metrics(stats, groups, run.input.date.is_some());
        self.result.extend(summary_json(run));
        let bool_values = run.input.segment_is_bool;
        let segments = metrics::segments_json(&m, stats, groups, bool_values);
        self.result.insert("segments".into(), segments);
        self.result
            .insert("ratios".into(), metrics::ratios_json(&m));
        let table = metrics::segments_table(&m, stats, groups, bool_values);
        self.add_table("segments", table)?;
        self.add_table("ratios", metrics::ratios_table(&m, groups))?;
        charts::add_segment_charts(&mut self.out.charts, run.lang);
        Ok(())
    }

    /// The quantity mix by one column, with its index and chart.
    fn add_mix_column(&mut self, run: &Comparison, column: &str, col: &Codes) -> Result<()> {
        let shares = mix::mix_by_column(&run.input, &run.groups, col);
        let name = format!("mix_{}", slug(column));
        let labels = run.groups.ordered_labels();
        let chart = charts::mix_chart(&name, column, &labels, run.lang);
        let json = self.add_shares(&name, column, &shares, &run.groups, chart)?;
        self.mix.insert(column.to_string(), json);
        self.top_index
            .insert(column.to_string(), shares.top_index());
        Ok(())
    }

    /// The weekday and month mixes.
    fn add_time_mixes(&mut self, run: &Comparison, dates: &[Option<NaiveDate>]) -> Result<()> {
        let (input, groups, lang) = (&run.input, &run.groups, run.lang);
        let labels = groups.ordered_labels();
        let weekday = mix::mix_by_weekday(input, groups, dates, lang);
        let chart = charts::time_mix_chart("mix_weekday", "weekday", &labels, lang);
        let json = self.add_shares("mix_weekday", "weekday", &weekday, groups, chart)?;
        self.result.insert("weekday".into(), json);
        let month = mix::mix_by_month(input, groups, dates);
        let chart = charts::time_mix_chart("mix_month", "month", &labels, lang);
        let json = self.add_shares("mix_month", "month", &month, groups, chart)?;
        self.result.insert("month".into(), json);
        Ok(())
    }

    /// Add a share table and its chart; return its JSON for the result.
    fn add_shares(
        &mut self,
        name: &str,
        first: &str,
        shares: &ShareTable,
        groups: &Groups,
        chart: ChartSpec,
    ) -> Result<Value> {
        self.add_table(name, shares.to_table(first, groups)?)?;
        self.out.charts.insert(name.to_string(), chart);
        Ok(shares.to_json(groups))
    }

    /// The top-N list of one column within each segment.
    fn add_top(&mut self, run: &Comparison, column: &str, col: &Codes) -> Result<()> {
        let n = run.spec.top_n;
        let entries = mix::top_by_qty(&run.input, &run.groups, col, n);
        let json = mix::top_json(&entries, &run.groups);
        self.top.insert(column.to_string(), json);
        let name = format!("top_{}", slug(column));
        self.add_table(&name, mix::top_table(&entries, &run.groups))?;
        // Does every segment list `top_n` values? Then the title counts them.
        let segments = run.groups.ordered_labels().len();
        let full = (0..segments).all(|g| entries.iter().filter(|e| e.segment == g).count() == n);
        let chart = charts::top_chart(&name, column, n, full, run.lang);
        self.out.charts.insert(name, chart);
        Ok(())
    }

    fn finish(mut self) -> AnalysisOutput {
        self.result.insert("mix".into(), Value::Object(self.mix));
        self.result.insert("top".into(), Value::Object(self.top));
        self.result
            .insert("top_index".into(), Value::Object(self.top_index));
        self.out.result = Value::Object(self.result);
        self.out
    }
}

/// The scalar fields of the result: names, totals and dropped-row counts.
fn summary_json(run: &Comparison) -> Map<String, Value> {
    let (stats, groups, dropped) = (&run.stats, &run.groups, &run.dropped);
    let label = |code: usize| Value::from(groups.labels[code].clone());
    let sum = |f: fn(&SegmentStats) -> f64| codes::number(Some(stats.iter().map(f).sum()));
    let totals = [
        ("lines", sum(|s| s.lines as f64)),
        ("orders", sum(|s| s.orders as f64)),
        ("revenue", sum(|s| s.revenue)),
        ("qty", sum(|s| s.qty)),
    ];
    let totals: Map<String, Value> = totals.into_iter().map(|(k, v)| (k.into(), v)).collect();
    let mut r = Map::new();
    r.insert("column".into(), Value::from(run.spec.segment.clone()));
    r.insert("focus".into(), label(groups.focus()));
    r.insert("baseline".into(), label(groups.baseline()));
    r.insert("segment_order".into(), Value::from(groups.ordered_labels()));
    r.insert("totals".into(), Value::Object(totals));
    r.insert("top_n".into(), Value::from(run.spec.top_n));
    r.insert(
        "dropped_missing_amount".into(),
        sum(|s| s.missing_amount as f64),
    );
    r.insert(
        "dropped_missing_segment".into(),
        Value::from(dropped.missing_segment),
    );
    r.insert("missing_qty".into(), Value::from(dropped.missing_qty));
    r.insert(
        "missing_order_id".into(),
        Value::from(dropped.missing_order_id),
    );
    if run.input.date.is_some() {
        r.insert("missing_date".into(), Value::from(dropped.missing_date));
    }
    r
}
