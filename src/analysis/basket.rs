//! Market basket analysis (analyses.md §5), the equivalent of mlxtend's
//! `apriori` + `association_rules(metric="confidence")`: frequent itemsets
//! over transactions (distinct order ids), association rules A -> C with
//! confidence, lift, leverage and conviction, and "frequently bought
//! together" recommendations per item.
//!
//! Front matter:
//! ```toml
//! [analyses.basket]
//! kind = "market_basket"
//! table = "lines"
//! order_id = "Invoice"
//! item = "Item Name"        # product, SKU or category column
//! min_support = 0.01        # default 0.01, in (0, 1]
//! min_confidence = 0.2      # default 0.2, in (0, 1]
//! max_len = 3               # default 3 (mlxtend's default is unlimited)
//! together_n = 5            # recommendations per item, default 5
//! ```
//!
//! Definitions, as mlxtend computes them on the one-hot table of orders ×
//! items (which this module never builds):
//! - A transaction is a distinct order id among the rows that have both an
//!   order id and an item; rows missing either are left out and counted.
//!   An item counts once per transaction however many lines carry it.
//! - support(X) = transactions containing X / transactions, as a float
//!   `count / n`; frequent itemsets have support >= `min_support` and at
//!   most `max_len` items.
//! - Every frequent itemset of two or more items is split into every
//!   non-empty antecedent A and consequent C; confidence = sAC / sA,
//!   lift = confidence / sC, leverage = sAC − sA·sC, conviction =
//!   (1 − sC) / (1 − confidence), infinite when confidence >= 1: then the
//!   `conviction` cell is null and `conviction_infinite` is true (JSON has
//!   no infinity). Rules with confidence >= `min_confidence` are kept.
//! - Order: itemsets by length, then support (high first), then items;
//!   rules by lift, then confidence (both high first), then antecedent, then
//!   consequent, compared item by item in name order. Items inside a set
//!   are in name order and joined with " + ".
//! - Together: for each item, the rules whose antecedent is that item
//!   alone, in rule order, first `together_n` (any consequent size).
//!
//! Mining is vertical and sparse: items below `min_support` are pruned
//! first, pairs are counted in one pass over the transactions, and longer
//! itemsets are grown depth-first by intersecting transaction lists with
//! per-item bitsets (only for items in frequent pairs and in at least 1/32
//! of the orders; rarer items are binary-searched in their transaction
//! lists), so memory stays linear in the number of order lines.

mod charts;
mod mining;
mod output;
pub mod pushdown;
mod rules;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_mlxtend;
mod transactions;

use super::{AnalysisContext, AnalysisOutput, input_table};
use crate::error::{Error, Result};
use serde::Deserialize;

/// The settings of a `kind = "market_basket"` analysis.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BasketSpec {
    /// The input table (a source name).
    pub table: String,
    /// The order (invoice) id column: one transaction per distinct id.
    pub order_id: String,
    /// The item column (product id or name, category...).
    pub item: String,
    /// Minimum support of a frequent itemset, in (0, 1].
    #[serde(default = "default_min_support")]
    pub min_support: f64,
    /// Minimum confidence of a rule, in (0, 1].
    #[serde(default = "default_min_confidence")]
    pub min_confidence: f64,
    /// Maximum number of items in an itemset.
    #[serde(default = "default_max_len")]
    pub max_len: usize,
    /// Recommendations per item in the `together` table.
    #[serde(default = "default_together_n")]
    pub together_n: usize,
}

fn default_min_support() -> f64 {
    0.01
}

fn default_min_confidence() -> f64 {
    0.2
}

fn default_max_len() -> usize {
    3
}

fn default_together_n() -> usize {
    5
}

/// Run the analysis. Result fields: `transactions`, `items`,
/// `frequent_items`, `itemsets`, `rules`, `min_support`, `min_confidence`,
/// `max_len`, `dropped_missing_order_id`, `dropped_missing_item` and
/// `top_rules` (the first ten rules as records). Tables: `itemsets`,
/// `rules`, `together`. Charts: `rules_graph`, `top_rules`.
pub fn run(spec: &BasketSpec, ctx: &AnalysisContext) -> Result<AnalysisOutput> {
    check_settings(spec)?;
    let df = input_table(ctx, &spec.table)?;
    let baskets = transactions::read(spec, df)?;
    mine(spec, ctx, baskets)
}

/// Run the analysis over the distinct (order, item) pairs a database
/// computed (`pushdown::aggregate`).
pub fn run_pushed(
    spec: &BasketSpec,
    ctx: &AnalysisContext,
    pairs: &polars::prelude::DataFrame,
) -> Result<AnalysisOutput> {
    check_settings(spec)?;
    let baskets = transactions::read_pairs(spec, pairs)?;
    mine(spec, ctx, baskets)
}

fn mine(
    spec: &BasketSpec,
    ctx: &AnalysisContext,
    baskets: transactions::Baskets,
) -> Result<AnalysisOutput> {
    let frequent = transactions::frequent_items(&baskets, spec.min_support);
    let mut itemsets = mining::mine(&frequent, spec.min_support, spec.max_len);
    rules::sort_itemsets(&mut itemsets);
    let rules = rules::derive(&itemsets, frequent.n, spec.min_confidence);
    let mined = output::Mined {
        baskets: &baskets,
        frequent: &frequent,
        itemsets: &itemsets,
        rules: &rules,
    };
    Ok(output::assemble(spec, &mined, ctx.language))
}

/// Thresholds in (0, 1], lengths of at least 1.
fn check_settings(spec: &BasketSpec) -> Result<()> {
    for (name, value) in [
        ("min_support", spec.min_support),
        ("min_confidence", spec.min_confidence),
    ] {
        if !(value > 0.0 && value <= 1.0) {
            return Err(
                Error::new(format!("setting `{name}` = {value} is not in (0, 1]"))
                    .setting(name)
                    .hint(format!(
                        "use a share above 0 and at most 1, e.g. `{name} = {}`",
                        if name == "min_support" { 0.01 } else { 0.2 }
                    )),
            );
        }
    }
    for (name, value) in [("max_len", spec.max_len), ("together_n", spec.together_n)] {
        if value == 0 {
            return Err(Error::new(format!("setting `{name}` is 0"))
                .setting(name)
                .hint(format!(
                    "use 1 or more, e.g. `{name} = {}`",
                    if name == "max_len" { 3 } else { 5 }
                )));
        }
    }
    Ok(())
}
