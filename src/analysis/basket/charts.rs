//! The built-in charts of a market basket analysis, over its `rules`
//! table (already in lift order), with titles in the report's language.

use crate::analysis::common::text;
use crate::chart::{ChartKind, ChartSpec};
use crate::config::Language;
use std::collections::BTreeMap;

/// Rules drawn in the graph.
const GRAPH_RULES: usize = 30;
/// Rules drawn as bars.
const BAR_RULES: usize = 10;

/// `rules_graph` (antecedents -> consequents, weighted by lift) and
/// `top_rules` (horizontal bars of lift).
pub(super) fn add_charts(charts: &mut BTreeMap<String, ChartSpec>, lang: Language) {
    let graph = ChartSpec {
        kind: ChartKind::Graph,
        table: "rules".into(),
        title: Some(text(
            lang,
            &format!("{GRAPH_RULES} aturan asosiasi teratas menurut lift"),
            &format!("Top {GRAPH_RULES} association rules by lift"),
        )),
        x: Some("antecedents".into()),
        y: vec!["consequents".into()],
        z: Some("lift".into()),
        limit: Some(GRAPH_RULES),
        ..ChartSpec::default()
    };
    charts.insert("rules_graph".into(), graph);
    let bars = ChartSpec {
        kind: ChartKind::Bar,
        table: "rules".into(),
        title: Some(text(
            lang,
            &format!("{BAR_RULES} aturan dengan lift tertinggi"),
            &format!("Top {BAR_RULES} rules by lift"),
        )),
        x: Some("rule".into()),
        y: vec!["lift".into()],
        horizontal: true,
        limit: Some(BAR_RULES),
        ..ChartSpec::default()
    };
    charts.insert("top_rules".into(), bars);
}
