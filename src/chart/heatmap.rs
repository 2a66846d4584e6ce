//! Heatmaps (e.g. a cohort retention matrix): `x` and the first `y` column
//! are categories, `z` is the cell value, coloured by a continuous visual
//! map.

use std::collections::HashMap;

use charming::Chart;
use charming::component::{Axis, Grid, VisualMap, VisualMapChannel};
use charming::datatype::{CompositeValue, DataFrame, DataPoint, NumericValue};
use charming::element::{AxisType, Label, Orient, SplitArea, Tooltip, Trigger};
use charming::series::Heatmap;

use super::build::Frame;
use super::columns::{chart_value, distinct_labels, label, number};

/// Cells are labelled with their value while there are at most this many.
const MAX_LABELLED_CELLS: usize = 200;

/// A heatmap over the frame's rows. Cells without a value are left out;
/// where an (x, y) pair repeats, its first row wins. The first `y` value is
/// drawn at the top, as in a cohort table.
pub(crate) fn build(frame: &Frame) -> Chart {
    let x = frame.columns.x_index();
    let y = frame.columns.y_first();
    let z = frame.columns.z.unwrap_or_default();
    let xs = distinct_labels(frame.rows, x);
    let ys = distinct_labels(frame.rows, y);
    let cells = collect_cells(frame, &xs, &ys, [x, y, z]);
    let (min, max) = value_range(frame, z);
    let labelled = cells.len() <= MAX_LABELLED_CELLS;
    let mut heatmap = Heatmap::new().name(frame.name(z)).data(cells);
    if labelled {
        heatmap = heatmap.label(Label::new().show(true));
    }
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .grid(
            Grid::new()
                .left("3%")
                .right("4%")
                .top(16)
                .bottom(64)
                .contain_label(true),
        )
        .x_axis(category_axis(xs, frame.spec.x_label.as_deref()))
        .y_axis(category_axis(ys, frame.spec.y_label.as_deref()).inverse(true))
        .visual_map(
            VisualMap::new()
                .min(min)
                .max(max)
                .calculable(true)
                .orient(Orient::Horizontal)
                .left("center")
                .bottom(0)
                .in_range(VisualMapChannel::new().color(vec!["#e0f3f8", "#74add1", "#313695"])),
        )
        .series(heatmap)
}

/// `[x index, y index, value]` per cell with a value, in row order.
fn collect_cells(
    frame: &Frame,
    xs: &[String],
    ys: &[String],
    [x, y, z]: [usize; 3],
) -> Vec<DataFrame> {
    let x_pos: HashMap<&str, usize> = xs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let y_pos: HashMap<&str, usize> = ys
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut cells = Vec::new();
    for row in frame.rows {
        if number(&row[z]).is_none() {
            continue;
        }
        let (xl, yl) = (label(&row[x]), label(&row[y]));
        let (Some(&xi), Some(&yi)) = (x_pos.get(xl.as_str()), y_pos.get(yl.as_str())) else {
            continue;
        };
        if seen.insert((xi, yi)) {
            cells.push(vec![
                index_point(xi),
                index_point(yi),
                DataPoint::from(chart_value(&row[z])),
            ]);
        }
    }
    cells
}

fn index_point(i: usize) -> DataPoint {
    DataPoint::from(CompositeValue::Number(NumericValue::Integer(i as i64)))
}

/// The smallest and largest cell value; 0..1 when there is none.
fn value_range(frame: &Frame, z: usize) -> (f64, f64) {
    let values = frame.rows.iter().filter_map(|row| number(&row[z]));
    let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if min.is_finite() {
        (min, max)
    } else {
        (0.0, 1.0)
    }
}

fn category_axis(data: Vec<String>, name: Option<&str>) -> Axis {
    let axis = Axis::new()
        .type_(AxisType::Category)
        .data(data)
        .split_area(SplitArea::new().show(true));
    match name {
        Some(n) => axis.name(n),
        None => axis,
    }
}

#[cfg(test)]
mod tests {
    use crate::chart::build::build_option;
    use crate::chart::spec::{ChartKind, ChartSpec};
    use crate::config::Language;
    use crate::table::Table;
    use serde_json::{Value, json};

    /// A cohort retention matrix in long form.
    fn retention() -> Table {
        let mut t = Table::new(["cohort", "month", "retention"]);
        t.push(vec![json!("2024-01"), json!(0), json!(1.0)]);
        t.push(vec![json!("2024-01"), json!(1), json!(0.25)]);
        t.push(vec![json!("2024-02"), json!(0), json!(1.0)]);
        t.push(vec![json!("2024-02"), json!(1), Value::Null]);
        t
    }

    #[test]
    fn heatmap_cells_index_the_category_axes() {
        let s = ChartSpec {
            kind: ChartKind::Heatmap,
            table: "cohorts.retention".into(),
            x: Some("month".into()),
            y: vec!["cohort".into()],
            z: Some("retention".into()),
            ..ChartSpec::default()
        };
        let option = build_option(&s, &retention(), Language::En).unwrap();
        // Month labels are the cell text of the numbers 0 and 1.
        assert_eq!(option["xAxis"]["data"], json!(["0", "1"]));
        assert_eq!(option["yAxis"]["data"], json!(["2024-01", "2024-02"]));
        assert_eq!(option["yAxis"]["inverse"], json!(true));
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 1);
        assert_eq!(series[0]["type"], json!("heatmap"));
        // (month 1, cohort 2024-02) has no value and is left out.
        assert_eq!(
            series[0]["data"],
            json!([[0, 0, 1.0], [1, 0, 0.25], [0, 1, 1.0]])
        );
        // min/max over the non-null values 1.0, 0.25, 1.0.
        assert_eq!(option["visualMap"][0]["min"], json!(0.25));
        assert_eq!(option["visualMap"][0]["max"], json!(1.0));
    }
}
