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
//! likewise. Results are keyed by segment label; undefined values
//! (division by zero) are null.

mod charts;
mod codes;
mod groups;
mod input;
mod metrics;
mod mix;
#[cfg(test)]
mod tests;

use super::{AnalysisContext, AnalysisOutput, input_table};
use crate::chart::ChartSpec;
use crate::config::Language;
use crate::error::{Error, Result};
use crate::table::Table;
use codes::{Codes, encode, slug};
use groups::{Groups, resolve_groups};
use input::{Input, read_input};
use metrics::{Dropped, SegmentStats};
use mix::ShareTable;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

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
    if spec.top_n == 0 {
        return Err(
            Error::new("setting `top_n` is 0").hint("list at least one value: `top_n = 10`")
        );
    }
    let df = input_table(ctx, &spec.table)?;
    let input = read_input(spec, df)?;
    let (stats, dropped) = metrics::sum_segments(&input);
    let orders: Vec<u64> = stats.iter().map(|s| s.orders).collect();
    let groups = resolve_groups(spec, &input, &orders)?;
    let mut out = Assembly::default();
    out.add_segments(spec, &input, &stats, &dropped, &groups, ctx.language)?;
    let labels = groups.ordered_labels();
    for column in &spec.mix {
        let col = encode(df, column, "mix")?;
        let shares = mix::mix_by_column(&input, &groups, &col);
        let name = format!("mix_{}", slug(column));
        let chart = charts::mix_chart(&name, column, &labels, ctx.language);
        out.top_index.insert(column.clone(), shares.top_index());
        let json = out.add_shares(&name, column, &shares, &groups, chart)?;
        out.mix.insert(column.clone(), json);
    }
    if let Some(dates) = &input.date {
        let weekday = mix::mix_by_weekday(&input, &groups, dates, ctx.language);
        let chart = charts::time_mix_chart("mix_weekday", "weekday", &labels, ctx.language);
        let json = out.add_shares("mix_weekday", "weekday", &weekday, &groups, chart)?;
        out.result.insert("weekday".into(), json);
        let month = mix::mix_by_month(&input, &groups, dates);
        let chart = charts::time_mix_chart("mix_month", "month", &labels, ctx.language);
        let json = out.add_shares("mix_month", "month", &month, &groups, chart)?;
        out.result.insert("month".into(), json);
    }
    for column in &spec.top {
        let col = encode(df, column, "top")?;
        out.add_top(spec, column, &col, &input, &groups, ctx.language)?;
    }
    Ok(out.finish())
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

    fn add_segments(
        &mut self,
        spec: &SegmentSpec,
        input: &Input,
        stats: &[SegmentStats],
        dropped: &Dropped,
        groups: &Groups,
        lang: Language,
    ) -> Result<()> {
        let m = metrics::derive_metrics(stats, groups, input.date.is_some());
        let r = &mut self.result;
        r.insert("column".into(), Value::from(spec.segment.clone()));
        r.insert(
            "focus".into(),
            Value::from(groups.labels[groups.focus()].clone()),
        );
        r.insert(
            "baseline".into(),
            Value::from(groups.labels[groups.baseline()].clone()),
        );
        r.insert("segment_order".into(), Value::from(groups.ordered_labels()));
        r.insert("segments".into(), metrics::segments_json(&m, stats, groups));
        r.insert("ratios".into(), metrics::ratios_json(&m));
        r.insert("totals".into(), totals_json(stats));
        r.insert("top_n".into(), Value::from(spec.top_n));
        let missing_amount: u64 = stats.iter().map(|s| s.missing_amount).sum();
        r.insert("dropped_missing_amount".into(), Value::from(missing_amount));
        r.insert(
            "dropped_missing_segment".into(),
            Value::from(dropped.missing_segment),
        );
        r.insert("missing_qty".into(), Value::from(dropped.missing_qty));
        r.insert(
            "missing_order_id".into(),
            Value::from(dropped.missing_order_id),
        );
        if input.date.is_some() {
            r.insert("missing_date".into(), Value::from(dropped.missing_date));
        }
        self.add_table("segments", metrics::segments_table(&m, stats, groups))?;
        self.add_table("ratios", metrics::ratios_table(&m, groups))?;
        charts::add_segment_charts(&mut self.out.charts, lang);
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

    fn add_top(
        &mut self,
        spec: &SegmentSpec,
        column: &str,
        col: &Codes,
        input: &Input,
        groups: &Groups,
        lang: Language,
    ) -> Result<()> {
        let entries = mix::top_by_qty(input, groups, col, spec.top_n);
        self.top
            .insert(column.to_string(), mix::top_json(&entries, groups));
        let name = format!("top_{}", slug(column));
        self.add_table(&name, mix::top_table(&entries, groups))?;
        self.out.charts.insert(
            name.clone(),
            charts::top_chart(&name, column, spec.top_n, lang),
        );
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

/// Lines, orders, revenue and quantity over all segments.
fn totals_json(stats: &[SegmentStats]) -> Value {
    let mut t = Map::new();
    t.insert(
        "lines".into(),
        Value::from(stats.iter().map(|s| s.lines).sum::<u64>()),
    );
    t.insert(
        "orders".into(),
        Value::from(stats.iter().map(|s| s.orders).sum::<u64>()),
    );
    t.insert(
        "revenue".into(),
        codes::number(Some(stats.iter().map(|s| s.revenue).sum())),
    );
    t.insert(
        "qty".into(),
        codes::number(Some(stats.iter().map(|s| s.qty).sum())),
    );
    Value::Object(t)
}
