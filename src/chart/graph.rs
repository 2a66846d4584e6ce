//! Network graphs (e.g. association rules): one edge per row from the `x`
//! node to the first `y` node, weighted by `z` (e.g. lift); nodes are sized
//! by their degree and placed on a circle (ECharts' circular layout: fixed,
//! the same on every load, never drifting out of its frame), their labels
//! turned outward along the radius and cut with an ellipsis, with room kept
//! around the circle for them. A crowded graph shows labels on hover only;
//! the tooltip always has the full names. `charts.js` narrows the label
//! room on small screens.

use std::collections::HashMap;
use std::f64::consts::TAU;

use charming::Chart;
use charming::element::{Label, LabelPosition, LineStyle, Tooltip, Trigger};
use charming::series::{Graph, GraphCategory, GraphData, GraphLayout, GraphLink, GraphNode};
use serde_json::{Value, json};

use super::build::{Frame, to_json};
use super::columns::{label, number};
use crate::error::Result;

/// Radius of the circle the node coordinates are given on (the layout
/// scales the circle to the frame).
const START_RADIUS: f64 = 200.0;
/// Node symbol sizes run from `MIN_SIZE` (degree 1) up to `MIN_SIZE + SIZE_RANGE`.
const MIN_SIZE: f64 = 10.0;
const SIZE_RANGE: f64 = 30.0;
/// Pixels kept free around the circle and its labels.
const MARGIN: f64 = 24.0;
/// Estimated width of one character of a 12 px label, and the bounds of the
/// room kept for labels around the circle.
const CHAR_WIDTH: f64 = 7.0;
const MIN_LABEL_WIDTH: f64 = 40.0;
const MAX_LABEL_WIDTH: f64 = 120.0;
/// With more nodes than this, labels show on hover only (on a 480 px tall
/// frame the circle has room for about this many 12 px labels side by side).
const MAX_LABELLED_NODES: usize = 24;

/// A circular graph over the frame's rows.
pub(crate) fn build(frame: &Frame) -> Result<Value> {
    let source = frame.columns.x_index();
    let target = frame.columns.y_first();
    let links: Vec<GraphLink> = frame
        .rows
        .iter()
        .map(|row| GraphLink {
            source: label(&row[source]),
            target: label(&row[target]),
            value: frame.columns.z.and_then(|z| number(&row[z])),
        })
        .collect();
    let nodes = make_nodes(&links);
    let labelled = nodes.len() <= MAX_LABELLED_NODES;
    let category = GraphCategory {
        name: frame.display(source).to_string(),
    };
    let mut graph = Graph::new()
        .layout(GraphLayout::Circular)
        .roam(false)
        .label(Label::new().show(labelled).position(LabelPosition::Right))
        .line_style(LineStyle::new().opacity(0.6).curveness(0.3))
        .edge_symbol(Some(("none".to_string(), "arrow".to_string())))
        .data(GraphData {
            nodes,
            links,
            categories: vec![category],
        });
    if let Some(z) = frame.columns.z {
        graph = graph.name(frame.display(z));
    }
    let chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .series(graph);
    let mut option = to_json(&chart)?;
    if let Some(series) = option
        .pointer_mut("/series/0")
        .and_then(Value::as_object_mut)
    {
        let width = label_width(&node_names(frame, source, target));
        set_frame(series, width, labelled);
    }
    Ok(option)
}

/// What charming's graph settings lack: labels turned along the radius and
/// cut at `label_width` pixels, a frame that keeps that much room on every
/// side of the circle (only the margin when labels show on hover only),
/// hover showing a node's label and its neighbours, and no layout
/// animation.
fn set_frame(series: &mut serde_json::Map<String, Value>, label_width: f64, labelled: bool) {
    let room = if labelled {
        label_width + MARGIN
    } else {
        MARGIN
    };
    for side in ["left", "right", "top", "bottom"] {
        series.insert(side.into(), json!(room));
    }
    series.insert("circular".into(), json!({"rotateLabel": true}));
    series.insert("layoutAnimation".into(), json!(false));
    series.insert(
        "emphasis".into(),
        json!({"focus": "adjacency", "label": {"show": true}}),
    );
    if let Some(label) = series.get_mut("label").and_then(Value::as_object_mut) {
        label.insert("width".into(), json!(label_width));
        label.insert("overflow".into(), json!("truncate"));
        label.insert("ellipsis".into(), json!("\u{2026}"));
    }
}

/// Every node name of the frame: sources and targets.
fn node_names(frame: &Frame, source: usize, target: usize) -> Vec<String> {
    frame
        .rows
        .iter()
        .flat_map(|row| [label(&row[source]), label(&row[target])])
        .collect()
}

/// The pixel width kept for node labels: the longest name's estimated
/// width, at most `MAX_LABEL_WIDTH` (longer names are cut).
fn label_width(names: &[String]) -> f64 {
    let chars = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    (chars as f64 * CHAR_WIDTH).clamp(MIN_LABEL_WIDTH, MAX_LABEL_WIDTH)
}

/// Distinct nodes in order of first appearance (sources and targets), each
/// with its degree as value and size, placed evenly on a circle (the
/// circular layout keeps this order).
fn make_nodes(links: &[GraphLink]) -> Vec<GraphNode> {
    let mut order: Vec<&str> = Vec::new();
    let mut degree: HashMap<&str, u32> = HashMap::new();
    for link in links {
        for name in [link.source.as_str(), link.target.as_str()] {
            let d = degree.entry(name).or_insert(0);
            if *d == 0 {
                order.push(name);
            }
            *d += 1;
        }
    }
    let max_degree = degree.values().copied().max().unwrap_or(1).max(1) as f64;
    let count = order.len().max(1) as f64;
    order
        .iter()
        .enumerate()
        .map(|(i, &name)| {
            let d = f64::from(degree.get(name).copied().unwrap_or(0));
            let angle = TAU * i as f64 / count;
            GraphNode {
                id: name.to_string(),
                name: name.to_string(),
                x: (START_RADIUS * angle.cos()).round(),
                y: (START_RADIUS * angle.sin()).round(),
                value: d,
                category: 0,
                symbol_size: (MIN_SIZE + SIZE_RANGE * d / max_degree).round(),
                label: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::chart::build::build_option;
    use crate::chart::spec::{ChartKind, ChartSpec};
    use crate::config::Language;
    use crate::table::Table;
    use serde_json::json;

    /// Association rules: bread -> butter, bread -> jam, jam -> butter.
    fn rules() -> Table {
        let mut t = Table::new(["antecedent", "consequent", "lift"]);
        t.push(vec![json!("bread"), json!("butter"), json!(1.5)]);
        t.push(vec![json!("bread"), json!("jam"), json!(2)]);
        t.push(vec![json!("jam"), json!("butter"), json!(1.25)]);
        t
    }

    #[test]
    fn graph_has_distinct_nodes_sized_by_degree_and_weighted_links() {
        let s = ChartSpec {
            kind: ChartKind::Graph,
            table: "basket.rules".into(),
            x: Some("antecedent".into()),
            y: vec!["consequent".into()],
            z: Some("lift".into()),
            ..ChartSpec::default()
        };
        let option = build_option(&s, &rules(), Language::En).unwrap();
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 1);
        let g = &series[0];
        assert_eq!(g["type"], json!("graph"));
        // A fixed layout inside a fixed frame: nothing drifts or animates.
        assert_eq!(g["layout"], json!("circular"));
        assert_eq!(g["circular"]["rotateLabel"], json!(true));
        assert_eq!(g["layoutAnimation"], json!(false));
        assert_eq!(g["roam"], json!(false));
        assert!(g.get("force").is_none());
        // Longest name "butter": 6 * 7 px = 42 px kept on every side of the
        // circle, plus the 24 px margin; 3 nodes: labels shown.
        assert_eq!(g["label"]["show"], json!(true));
        assert_eq!(g["label"]["width"], json!(42.0));
        assert_eq!(g["label"]["overflow"], json!("truncate"));
        for side in ["left", "right", "top", "bottom"] {
            assert_eq!(g[side], json!(66.0), "{side}");
        }
        assert_eq!(g["emphasis"]["focus"], json!("adjacency"));
        let nodes = g["data"].as_array().unwrap();
        let names: Vec<_> = nodes.iter().map(|n| n["name"].clone()).collect();
        assert_eq!(names, vec![json!("bread"), json!("butter"), json!("jam")]);
        // Degrees: bread 2, butter 2, jam 2 -> all the largest size 10 + 30.
        assert!(nodes.iter().all(|n| n["value"] == json!(2.0)));
        assert!(nodes.iter().all(|n| n["symbolSize"] == json!(40.0)));
        // The first node starts at angle 0 on the radius-200 circle.
        assert_eq!(
            (nodes[0]["x"].clone(), nodes[0]["y"].clone()),
            (json!(200.0), json!(0.0))
        );
        let links = g["links"].as_array().unwrap();
        assert_eq!(links.len(), 3);
        assert_eq!(
            links[1],
            json!({"source": "bread", "target": "jam", "value": 2.0})
        );
    }

    #[test]
    fn degree_sets_node_size() {
        // a -> b, a -> c: a has degree 2 (size 40), b and c degree 1 (size 25).
        let mut t = Table::new(["from", "to"]);
        t.push(vec![json!("a"), json!("b")]);
        t.push(vec![json!("a"), json!("c")]);
        let s = ChartSpec {
            kind: ChartKind::Graph,
            table: "t".into(),
            x: Some("from".into()),
            y: vec!["to".into()],
            ..ChartSpec::default()
        };
        let option = build_option(&s, &t, Language::En).unwrap();
        let nodes = option["series"][0]["data"].as_array().unwrap();
        let sizes: Vec<_> = nodes.iter().map(|n| n["symbolSize"].clone()).collect();
        assert_eq!(sizes, vec![json!(40.0), json!(25.0), json!(25.0)]);
        assert!(option["series"][0]["links"][0].get("value").is_none());
    }

    #[test]
    fn crowded_graphs_label_on_hover_only() {
        // 13 edges a_i -> b_i: 26 nodes, over the 24 that get labels.
        let mut t = Table::new(["from", "to"]);
        for i in 0..13 {
            t.push(vec![json!(format!("a{i}")), json!(format!("b{i}"))]);
        }
        let s = ChartSpec {
            kind: ChartKind::Graph,
            table: "t".into(),
            x: Some("from".into()),
            y: vec!["to".into()],
            ..ChartSpec::default()
        };
        let option = build_option(&s, &t, Language::En).unwrap();
        let g = &option["series"][0];
        assert_eq!(g["data"].as_array().unwrap().len(), 26);
        assert_eq!(g["label"]["show"], json!(false));
        assert_eq!(g["emphasis"]["label"]["show"], json!(true));
        // No label room: only the margin.
        assert_eq!(g["top"], json!(24.0));
        // 12 nodes (6 edges): labelled, room for 3-character names (40 px
        // at least) and the margin.
        t.rows.truncate(6);
        let option = build_option(&s, &t, Language::En).unwrap();
        assert_eq!(option["series"][0]["label"]["show"], json!(true));
        assert_eq!(option["series"][0]["top"], json!(64.0));
    }

    #[test]
    fn long_names_are_cut_within_a_capped_label_room() {
        let long = "Vans Old Skool Black White Limited Edition";
        let mut t = Table::new(["from", "to"]);
        t.push(vec![json!(long), json!("a")]);
        let s = ChartSpec {
            kind: ChartKind::Graph,
            table: "t".into(),
            x: Some("from".into()),
            y: vec!["to".into()],
            ..ChartSpec::default()
        };
        let option = build_option(&s, &t, Language::En).unwrap();
        // 42 characters * 7 px = 294 px, capped at 120 px.
        assert_eq!(option["series"][0]["label"]["width"], json!(120.0));
        assert_eq!(option["series"][0]["right"], json!(144.0));
        assert_eq!(option["series"][0]["label"]["ellipsis"], json!("\u{2026}"));
    }
}
