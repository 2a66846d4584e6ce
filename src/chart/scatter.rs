//! Scatter charts: 2D points (`x`, `y`) with charming, and 3D points (`x`,
//! first `y`, `z`) for echarts-gl, whose `scatter3D` series charming lacks.
//! A `series` column colours groups (e.g. k-means clusters).

use std::collections::HashMap;

use charming::Chart;
use charming::component::Axis;
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::Scatter;
use serde_json::{Value, json};

use super::axes::{Room, title_above, title_below};
use super::build::{Frame, grid, to_json, with_legend};
use super::columns::{chart_value, distinct_labels, label};
use crate::error::Result;

/// Margin under the x axis labels, in pixels, before the axis title.
const BOTTOM: i64 = 10;

/// Points of one colour group: a name and, per point, one cell per dimension.
type Group<'a> = (String, Vec<Vec<&'a Value>>);

/// A 2D scatter: one series per `series` group, else one per `y` column.
pub(crate) fn build_2d(frame: &Frame) -> Chart {
    let x = frame.columns.x_index();
    let groups: Vec<Group> = match frame.columns.series {
        Some(s) => grouped(frame, s, &[x, frame.columns.y_first()]),
        None => frame
            .columns
            .y
            .iter()
            .map(|&y| (frame.display(y).to_string(), points(frame.rows, &[x, y])))
            .collect(),
    };
    let names: Vec<String> = groups.iter().map(|(name, _)| name.clone()).collect();
    let x_name = axis_name(frame.spec.x_label.as_deref(), frame.display(x));
    let y_name = axis_name(
        frame.spec.y_label.as_deref(),
        frame.display(frame.columns.y_first()),
    );
    // The x title sits centred under the tick labels and the y title above
    // its axis, both inside the canvas; the grid leaves room for them.
    let mut room = Room::default();
    let x_axis = title_below(value_axis(), Some(&x_name), &mut room);
    let y_axis = title_above(value_axis(), Some(&y_name), false, &mut room);
    let top = if names.len() > 1 { 40 } else { 24 };
    let mut chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .grid(room.apply(grid(names.len() > 1), top, BOTTOM))
        .x_axis(x_axis)
        .y_axis(y_axis);
    chart = with_legend(chart, &names);
    for (name, pts) in groups {
        let data: Vec<DataPoint> = pts
            .iter()
            .map(|cells| {
                let values: Vec<CompositeValue> = cells.iter().map(|c| chart_value(c)).collect();
                DataPoint::from(values)
            })
            .collect();
        chart = chart.series(Scatter::new().name(name).symbol_size(8).data(data));
    }
    chart
}

/// A 3D scatter for echarts-gl: `grid3D`, three value axes and one
/// `scatter3D` series per `series` group (else one series).
pub(crate) fn build_3d(frame: &Frame) -> Result<Value> {
    let x = frame.columns.x_index();
    let y = frame.columns.y_first();
    let z = frame.columns.z.unwrap_or_default();
    let dims = [x, y, z];
    let groups: Vec<Group> = match frame.columns.series {
        Some(s) => grouped(frame, s, &dims),
        None => vec![(frame.display(y).to_string(), points(frame.rows, &dims))],
    };
    let names: Vec<String> = groups.iter().map(|(name, _)| name.clone()).collect();
    let chart = with_legend(Chart::new().tooltip(Tooltip::new()), &names);
    let mut option = to_json(&chart)?;
    let series: Vec<Value> = groups
        .into_iter()
        .map(|(name, pts)| {
            let data: Vec<Value> = pts
                .iter()
                .map(|cells| Value::Array(cells.iter().map(|c| cell_json(c)).collect()))
                .collect();
            json!({"type": "scatter3D", "name": name, "symbolSize": 6, "data": data})
        })
        .collect();
    if let Value::Object(map) = &mut option {
        map.insert("grid3D".into(), json!({}));
        let x_name = axis_name(frame.spec.x_label.as_deref(), frame.display(x));
        let y_name = axis_name(frame.spec.y_label.as_deref(), frame.display(y));
        map.insert("xAxis3D".into(), json!({"type": "value", "name": x_name}));
        map.insert("yAxis3D".into(), json!({"type": "value", "name": y_name}));
        map.insert(
            "zAxis3D".into(),
            json!({"type": "value", "name": frame.display(z)}),
        );
        map.insert("series".into(), Value::Array(series));
    }
    Ok(option)
}

/// Rows grouped by the label in column `series`, in order of first
/// appearance and named by its display name, each row reduced to the cells
/// of `dims`.
fn grouped<'a>(frame: &Frame<'a>, series: usize, dims: &[usize]) -> Vec<Group<'a>> {
    let order = distinct_labels(frame.rows, series);
    let mut by_label: HashMap<String, Vec<&'a Vec<Value>>> = HashMap::new();
    for &row in frame.rows {
        by_label.entry(label(&row[series])).or_default().push(row);
    }
    order
        .into_iter()
        .map(|name| {
            let rows = by_label.remove(&name).unwrap_or_default();
            let pts = points(&rows, dims);
            (frame.spec.display_name(&name).to_string(), pts)
        })
        .collect()
}

fn points<'a>(rows: &[&'a Vec<Value>], dims: &[usize]) -> Vec<Vec<&'a Value>> {
    rows.iter()
        .map(|row| dims.iter().map(|&d| &row[d]).collect())
        .collect()
}

/// A cell as plain JSON for hand-built series: numbers as they are, gaps null.
fn cell_json(cell: &Value) -> Value {
    serde_json::to_value(chart_value(cell)).unwrap_or(Value::Null)
}

fn axis_name(label: Option<&str>, column: &str) -> String {
    label.unwrap_or(column).to_string()
}

fn value_axis() -> Axis {
    Axis::new().type_(AxisType::Value).scale(true)
}

#[cfg(test)]
mod tests {
    use crate::chart::build::build_option;
    use crate::chart::spec::{ChartKind, ChartSpec};
    use crate::config::Language;
    use crate::table::Table;
    use serde_json::{Value, json};

    /// Customers with recency, frequency, monetary and their cluster.
    fn rfm() -> Table {
        let mut t = Table::new(["recency", "frequency", "monetary", "cluster"]);
        t.push(vec![json!(10), json!(5), json!(250.5), json!("A")]);
        t.push(vec![json!(200), json!(1), json!(20), json!("B")]);
        t.push(vec![json!(15), json!(4), Value::Null, json!("A")]);
        t
    }

    fn spec(kind: ChartKind, series: Option<&str>) -> ChartSpec {
        ChartSpec {
            kind,
            table: "kmeans.points".into(),
            x: Some("recency".into()),
            y: vec!["frequency".into()],
            z: Some("monetary".into()),
            series: series.map(Into::into),
            ..ChartSpec::default()
        }
    }

    #[test]
    fn scatter_groups_points_by_series_column() {
        let option = build_option(
            &spec(ChartKind::Scatter, Some("cluster")),
            &rfm(),
            Language::En,
        )
        .unwrap();
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["type"], json!("scatter"));
        assert_eq!(series[0]["name"], json!("A"));
        assert_eq!(series[0]["data"], json!([[10, 5], [15, 4]]));
        assert_eq!(series[1]["name"], json!("B"));
        assert_eq!(series[1]["data"], json!([[200, 1]]));
        assert_eq!(option["xAxis"]["type"], json!("value"));
        assert_eq!(option["xAxis"]["name"], json!("Recency (days)"));
        assert_eq!(option["xAxis"]["nameLocation"], json!("middle"));
        assert_eq!(option["yAxis"]["name"], json!("Frequency"));
        assert_eq!(option["legend"]["data"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn labels_name_groups_and_axes() {
        let mut s = spec(ChartKind::Scatter, Some("cluster"));
        s.labels = [
            ("recency".to_string(), "Recency (days)".to_string()),
            ("A".to_string(), "Loyal".to_string()),
        ]
        .into();
        let option = build_option(&s, &rfm(), Language::En).unwrap();
        assert_eq!(option["xAxis"]["name"], json!("Recency (days)"));
        assert_eq!(option["yAxis"]["name"], json!("Frequency"));
        assert_eq!(option["series"][0]["name"], json!("Loyal"));
        assert_eq!(option["series"][1]["name"], json!("B"));
        let s3 = ChartSpec {
            kind: ChartKind::Scatter3d,
            ..s
        };
        let option = build_option(&s3, &rfm(), Language::En).unwrap();
        assert_eq!(option["xAxis3D"]["name"], json!("Recency (days)"));
        assert_eq!(option["series"][0]["name"], json!("Loyal"));
    }

    #[test]
    fn scatter_without_series_has_one_series_per_y() {
        let mut s = spec(ChartKind::Scatter, None);
        s.y = vec!["frequency".into(), "monetary".into()];
        let option = build_option(&s, &rfm(), Language::En).unwrap();
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[1]["name"], json!("Monetary value"));
        assert_eq!(
            series[1]["data"],
            json!([[10, 250.5], [200, 20], [15, null]])
        );
    }

    #[test]
    fn scatter3d_is_hand_built_for_echarts_gl() {
        let option = build_option(
            &spec(ChartKind::Scatter3d, Some("cluster")),
            &rfm(),
            Language::En,
        )
        .unwrap();
        assert_eq!(option["grid3D"], json!({}));
        assert_eq!(
            option["xAxis3D"],
            json!({"type": "value", "name": "Recency (days)"})
        );
        assert_eq!(option["yAxis3D"]["name"], json!("Frequency"));
        assert_eq!(option["zAxis3D"]["name"], json!("Monetary value"));
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["type"], json!("scatter3D"));
        assert_eq!(series[0]["name"], json!("A"));
        assert_eq!(series[0]["data"], json!([[10, 5, 250.5], [15, 4, null]]));
        assert_eq!(series[1]["data"], json!([[200, 1, 20]]));
        assert!(option.get("xAxis").is_none());
    }

    #[test]
    fn scatter3d_needs_z() {
        let mut s = spec(ChartKind::Scatter3d, None);
        s.z = None;
        let err = build_option(&s, &rfm(), Language::En)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`z`") && err.contains("`kmeans.points`"),
            "{err}"
        );
    }
}
