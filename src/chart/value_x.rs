//! Line and area charts over a numeric `x` (a customer share, a distance, a
//! year): a value axis and `[x, y]` points sorted by `x`, instead of a
//! category axis of raw floats. Used when every `x` cell is a number.

use std::collections::{HashMap, HashSet};

use charming::component::Axis;
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::AxisType;
use serde_json::Value;

use super::build::Frame;
use super::columns::{chart_value, distinct_labels, label, number};
use super::spec::ChartKind;

/// Series names with their `[x, y]` points.
pub(crate) type PointSeries = Vec<(String, Vec<DataPoint>)>;

/// Does this chart draw its `x` on a value axis? Line and area charts whose
/// every `x` cell is a JSON number (and that have rows at all).
pub(crate) fn uses_value_x(frame: &Frame) -> bool {
    let x = frame.columns.x_index();
    matches!(frame.spec.kind, ChartKind::Line | ChartKind::Area)
        && !frame.rows.is_empty()
        && frame.rows.iter().all(|row| row[x].is_number())
}

/// The x value axis: scaled to the data (years do not start at 0), with
/// whole steps when every `x` is a whole number.
pub(crate) fn value_axis(frame: &Frame) -> Axis {
    let x = frame.columns.x_index();
    let axis = Axis::new().type_(AxisType::Value).scale(true);
    let whole = frame
        .rows
        .iter()
        .all(|row| number(&row[x]).is_some_and(|v| v.fract() == 0.0));
    if whole { axis.min_interval(1) } else { axis }
}

/// Wide form: one series per `y` column, its points in `x` order.
pub(crate) fn wide_points(frame: &Frame) -> PointSeries {
    let x = frame.columns.x_index();
    let rows = sorted_by_x(frame.rows, x);
    frame
        .columns
        .y
        .iter()
        .map(|&y| {
            let points = rows.iter().map(|row| point(&row[x], &row[y])).collect();
            (frame.display(y).to_string(), points)
        })
        .collect()
}

/// Long form: one series per distinct `series` value (and `y` column), in
/// order of first appearance, its points in `x` order; where an `x` repeats
/// within a series, its first row wins.
pub(crate) fn long_points(frame: &Frame, series_column: usize) -> PointSeries {
    let x = frame.columns.x_index();
    let groups = distinct_labels(frame.rows, series_column);
    let mut by_group: HashMap<String, Vec<&Vec<Value>>> = HashMap::new();
    for &row in frame.rows {
        by_group
            .entry(label(&row[series_column]))
            .or_default()
            .push(row);
    }
    let several_y = frame.columns.y.len() > 1;
    let mut series = Vec::new();
    for &y in &frame.columns.y {
        for group in &groups {
            let rows = by_group.get(group).map(Vec::as_slice).unwrap_or_default();
            let mut seen = HashSet::new();
            let points = sorted_by_x(rows, x)
                .into_iter()
                .filter(|row| seen.insert(label(&row[x])))
                .map(|row| point(&row[x], &row[y]))
                .collect();
            let name = frame.spec.display_name(group);
            let name = if several_y {
                format!("{name} · {}", frame.display(y))
            } else {
                name.to_string()
            };
            series.push((name, points));
        }
    }
    series
}

/// The rows in ascending `x` order (stable: ties keep table order).
fn sorted_by_x<'a>(rows: &[&'a Vec<Value>], x: usize) -> Vec<&'a Vec<Value>> {
    let mut sorted = rows.to_vec();
    sorted.sort_by(|a, b| {
        let (a, b) = (number(&a[x]), number(&b[x]));
        a.unwrap_or(f64::NAN).total_cmp(&b.unwrap_or(f64::NAN))
    });
    sorted
}

fn point(x: &Value, y: &Value) -> DataPoint {
    DataPoint::from(CompositeValue::Array(vec![chart_value(x), chart_value(y)]))
}

#[cfg(test)]
mod tests {
    use crate::chart::build::build_option;
    use crate::chart::spec::{ChartKind, ChartSpec, ValueFormat};
    use crate::config::Language;
    use crate::table::Table;
    use serde_json::{Value, json};

    /// A Pareto curve, deliberately out of order: customer share -> revenue share.
    fn pareto() -> Table {
        let mut t = Table::new(["customer_share", "revenue_share", "group"]);
        t.push(vec![json!(0.5), json!(0.9), json!("a")]);
        t.push(vec![json!(0.25), json!(0.6), json!("a")]);
        t.push(vec![json!(1), json!(1.0), json!("b")]);
        t.push(vec![json!(0.25), json!(0.7), json!("a")]);
        t
    }

    fn spec(kind: ChartKind) -> ChartSpec {
        ChartSpec {
            kind,
            table: "value.pareto".into(),
            x: Some("customer_share".into()),
            y: vec!["revenue_share".into()],
            x_format: Some(ValueFormat::Percent),
            ..ChartSpec::default()
        }
    }

    #[test]
    fn numeric_x_gives_a_value_axis_and_sorted_pairs() {
        let option = build_option(&spec(ChartKind::Line), &pareto(), Language::En).unwrap();
        assert_eq!(option["xAxis"]["type"], json!("value"));
        assert_eq!(option["xAxis"]["scale"], json!(true));
        assert!(option["xAxis"].get("data").is_none());
        assert!(option["series"][0].get("showSymbol").is_none());
        // Not all x whole (0.5, 0.25): no whole-number steps.
        assert!(option["xAxis"].get("minInterval").is_none());
        // Sorted by x, ties in table order: 0.25 (0.6), 0.25 (0.7), 0.5, 1.
        assert_eq!(
            option["series"][0]["data"],
            json!([[0.25, 0.6], [0.25, 0.7], [0.5, 0.9], [1, 1.0]])
        );
    }

    #[test]
    fn long_form_numeric_x_has_one_sorted_series_per_group() {
        let mut s = spec(ChartKind::Area);
        s.series = Some("group".into());
        s.labels = [("a".to_string(), "Group A".to_string())].into();
        let option = build_option(&s, &pareto(), Language::En).unwrap();
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["name"], json!("Group A"));
        // x 0.25 repeats in group a: its first row (0.6) wins.
        assert_eq!(series[0]["data"], json!([[0.25, 0.6], [0.5, 0.9]]));
        assert_eq!(series[1]["data"], json!([[1, 1.0]]));
        assert!(series[0]["areaStyle"].is_object());
        assert!(option["xAxis"].get("boundaryGap").is_none());
    }

    #[test]
    fn whole_number_x_steps_by_one_and_text_x_stays_categorical() {
        let mut t = Table::new(["year", "orders"]);
        t.push(vec![json!(2024), json!(5)]);
        t.push(vec![json!(2023), Value::Null]);
        let s = ChartSpec {
            kind: ChartKind::Line,
            table: "t".into(),
            x: Some("year".into()),
            y: vec!["orders".into()],
            ..ChartSpec::default()
        };
        let option = build_option(&s, &t, Language::En).unwrap();
        assert_eq!(option["xAxis"]["minInterval"], json!(1.0));
        assert_eq!(
            option["series"][0]["data"],
            json!([[2023, null], [2024, 5]])
        );

        // One text cell: the category axis as before, in table order.
        t.push(vec![json!("2025"), json!(1)]);
        let option = build_option(&s, &t, Language::En).unwrap();
        assert_eq!(option["xAxis"]["type"], json!("category"));
        assert_eq!(option["xAxis"]["data"], json!(["2024", "2023", "2025"]));
    }

    #[test]
    fn bars_keep_a_category_axis_for_numeric_x() {
        let option = build_option(&spec(ChartKind::Bar), &pareto(), Language::En).unwrap();
        assert_eq!(option["xAxis"]["type"], json!("category"));
    }

    #[test]
    fn long_lines_hide_their_point_symbols() {
        // 41 points: one more than the 40 drawn with symbols.
        let mut t = Table::new(["customer_share", "revenue_share"]);
        for i in 0..=40 {
            t.push(vec![json!(f64::from(i) / 40.0), json!(f64::from(i) / 40.0)]);
        }
        let option = build_option(&spec(ChartKind::Line), &t, Language::En).unwrap();
        assert_eq!(option["series"][0]["showSymbol"], json!(false));
    }
}
