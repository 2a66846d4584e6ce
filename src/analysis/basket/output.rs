//! The market basket result: the JSON for templates, the `itemsets`,
//! `rules` and `together` tables and the built-in charts.

use super::BasketSpec;
use super::charts;
use super::mining::Itemset;
use super::rules::{Rule, label, together};
use super::transactions::{Baskets, Frequent};
use crate::analysis::AnalysisOutput;
use crate::analysis::common::number;
use crate::config::Language;
use crate::table::Table;
use serde_json::{Map, Value};

/// Rules listed in the result JSON as `top_rules`.
const TOP_RULES: usize = 10;

/// Everything mined, ready to be written out.
pub(super) struct Mined<'a> {
    pub baskets: &'a Baskets,
    pub frequent: &'a Frequent,
    pub itemsets: &'a [Itemset],
    pub rules: &'a [Rule],
}

/// Build the result JSON, tables and charts.
pub(super) fn assemble(spec: &BasketSpec, m: &Mined, lang: Language) -> AnalysisOutput {
    let names = &m.frequent.names;
    let rules = rules_table(m.rules, names);
    let mut out = AnalysisOutput {
        result: result_json(spec, m, &rules),
        ..AnalysisOutput::default()
    };
    out.tables
        .insert("itemsets".into(), itemsets_table(m.itemsets, m.frequent));
    out.tables.insert("rules".into(), rules);
    out.tables.insert(
        "together".into(),
        together_table(m.rules, names, spec.together_n),
    );
    charts::add_charts(&mut out.charts, lang);
    out
}

fn result_json(spec: &BasketSpec, m: &Mined, rules: &Table) -> Value {
    let top = Table {
        columns: rules.columns.clone(),
        rows: rules.rows.iter().take(TOP_RULES).cloned().collect(),
    };
    let fields = [
        ("transactions", Value::from(m.frequent.n)),
        ("items", Value::from(m.frequent.items)),
        ("frequent_items", Value::from(m.frequent.names.len())),
        ("itemsets", Value::from(m.itemsets.len())),
        ("rules", Value::from(m.rules.len())),
        ("min_support", number(Some(spec.min_support))),
        ("min_confidence", number(Some(spec.min_confidence))),
        ("max_len", Value::from(spec.max_len)),
        (
            "dropped_missing_order_id",
            Value::from(m.baskets.dropped_missing_order_id),
        ),
        (
            "dropped_missing_item",
            Value::from(m.baskets.dropped_missing_item),
        ),
        ("top_rules", top.to_records()),
    ];
    let map: Map<String, Value> = fields.into_iter().map(|(k, v)| (k.into(), v)).collect();
    Value::Object(map)
}

/// One row per frequent itemset.
fn itemsets_table(itemsets: &[Itemset], f: &Frequent) -> Table {
    let mut table = Table::new(["itemset", "length", "support", "count"]);
    for s in itemsets {
        table.push(vec![
            Value::from(label(&s.items, &f.names)),
            Value::from(s.items.len()),
            number(Some(s.count as f64 / f.n as f64)),
            Value::from(s.count),
        ]);
    }
    table
}

/// One row per rule, in rule order; an infinite conviction is null with
/// `conviction_infinite` true.
fn rules_table(rules: &[Rule], names: &[String]) -> Table {
    let mut table = Table::new([
        "rule",
        "antecedents",
        "consequents",
        "antecedent_support",
        "consequent_support",
        "support",
        "confidence",
        "lift",
        "leverage",
        "conviction",
        "conviction_infinite",
    ]);
    for r in rules {
        let (a, c) = (label(&r.antecedent, names), label(&r.consequent, names));
        table.push(vec![
            Value::from(format!("{a} → {c}")),
            Value::from(a),
            Value::from(c),
            number(Some(r.antecedent_support)),
            number(Some(r.consequent_support)),
            number(Some(r.support)),
            number(Some(r.confidence)),
            number(Some(r.lift)),
            number(Some(r.leverage)),
            number(r.conviction),
            Value::from(r.conviction.is_none()),
        ]);
    }
    table
}

/// Per item (in name order), its top consequents by lift.
fn together_table(rules: &[Rule], names: &[String], top_n: usize) -> Table {
    let mut table = Table::new(["product", "rank", "recommended", "lift", "confidence"]);
    for (item, picks) in together(rules, names.len(), top_n).iter().enumerate() {
        for (rank, &k) in picks.iter().enumerate() {
            let r = &rules[k];
            table.push(vec![
                Value::from(names[item].clone()),
                Value::from(rank + 1),
                Value::from(label(&r.consequent, names)),
                number(Some(r.lift)),
                number(Some(r.confidence)),
            ]);
        }
    }
    table
}
