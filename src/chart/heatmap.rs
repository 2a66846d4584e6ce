//! Heatmaps (e.g. a cohort retention matrix): `x` and the first `y` column
//! are categories, `z` is the cell value, coloured by a continuous visual
//! map. Cells without a value are drawn apart (grey, hatched, outside the
//! visual map) so that they never read as zero, and the series carries the
//! names `charts.js` writes in the tooltip ("Kohort 2023-05 · bulan ke-4:
//! 12,5%", "tidak ada data").

use std::collections::{HashMap, HashSet};

use charming::Chart;
use charming::component::{Axis, Grid, VisualMap, VisualMapChannel};
use charming::datatype::{CompositeValue, DataFrame, DataPoint, NumericValue};
use charming::element::{AxisType, Label, Orient, SplitArea, Tooltip, Trigger};
use charming::series::Heatmap;
use serde_json::{Value, json};

use super::axes::{Room, bottom_labels, set_labels, side_labels, title_below, title_beside};
use super::build::{Frame, to_json};
use super::columns::{chart_value, distinct_labels, label, number};
use crate::config::Language;
use crate::error::Result;

/// The fill of a cell without a value: a neutral grey under diagonal
/// hatching (`charts.js` darkens both in dark mode).
const NO_DATA_FILL: &str = "#d5d9e0";
const NO_DATA_HATCH: &str = "rgba(64, 70, 82, 0.35)";

/// Cells are labelled with their value while there are at most this many.
const MAX_LABELLED_CELLS: usize = 200;

/// Margins around the plot, in pixels, before axis titles: the visual map
/// sits under the x axis labels.
const TOP: i64 = 16;
const BOTTOM: i64 = 64;

/// A heatmap over the frame's rows, as option JSON: series 0 holds the
/// cells with a value, series 1 (when there are any) the cells without one.
/// Where an (x, y) pair repeats, its first row wins. The first `y` value is
/// drawn at the top, as in a cohort table.
pub(crate) fn build(frame: &Frame, language: Language) -> Result<Value> {
    let x = frame.columns.x_index();
    let y = frame.columns.y_first();
    let z = frame.columns.z.unwrap_or_default();
    let xs = distinct_labels(frame.rows, x);
    let ys = distinct_labels(frame.rows, y);
    let (cells, filled) = collect_cells(frame, &xs, &ys, [x, y, z]);
    let empty = empty_cells(&filled, xs.len(), ys.len());
    let (min, max) = colour_range(frame, [x, z]);
    let labelled = cells.len() <= MAX_LABELLED_CELLS;
    let mut heatmap = Heatmap::new().name(frame.display(z)).data(cells);
    if labelled {
        heatmap = heatmap.label(Label::new().show(true));
    }
    let mut room = Room::default();
    let x_title = frame.title(frame.spec.x_label.as_deref(), x);
    let y_title = frame.title(frame.spec.y_label.as_deref(), y);
    let y_axis = title_beside(
        category_axis(ys.clone()).inverse(true),
        y_title,
        &ys,
        &mut room,
    );
    let x_axis = title_below(category_axis(xs.clone()), x_title, &mut room);
    let grid = Grid::new().left("3%").right("4%").contain_label(true);
    let chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .grid(room.apply(grid, TOP, BOTTOM))
        .x_axis(x_axis)
        .y_axis(y_axis)
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
        .series(heatmap);
    let mut option = to_json(&chart)?;
    set_labels(option.get_mut("xAxis"), bottom_labels(&xs), true);
    set_labels(option.get_mut("yAxis"), side_labels(&ys), false);
    let names = tooltip_names(frame, [x, y, z], language);
    if let Some(series) = option
        .pointer_mut("/series/0")
        .and_then(Value::as_object_mut)
    {
        series.insert("tooltipNames".into(), names.clone());
    }
    if !empty.is_empty() {
        add_empty_cells(&mut option, empty, labelled, names);
    }
    Ok(option)
}

/// What the tooltip calls the axes and a cell without a value: the axis
/// titles (else the columns' display names), the x one in lower case as it
/// follows the y one ("Kohort 2023-05 · bulan ke-4").
fn tooltip_names(frame: &Frame, [x, y, z]: [usize; 3], language: Language) -> Value {
    let x_name = frame
        .title(frame.spec.x_label.as_deref(), x)
        .unwrap_or_else(|| frame.display(x));
    let y_name = frame
        .title(frame.spec.y_label.as_deref(), y)
        .unwrap_or_else(|| frame.display(y));
    let no_data = match language {
        Language::Id => "tidak ada data",
        Language::En => "no data",
    };
    json!({
        "x": lower_first(x_name.trim()),
        "y": y_name.trim(),
        "z": frame.display(z),
        "noData": no_data,
    })
}

/// `text` with its first character in lower case.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every `[x index, y index]` of the grid without a cell, row by row.
fn empty_cells(filled: &HashSet<(usize, usize)>, width: usize, height: usize) -> Vec<[usize; 2]> {
    (0..height)
        .flat_map(|yi| (0..width).map(move |xi| [xi, yi]))
        .filter(|&[xi, yi]| !filled.contains(&(xi, yi)))
        .collect()
}

/// The second series: the cells without a value, grey and hatched, left
/// out of the visual map (which then colours series 0 only).
fn add_empty_cells(option: &mut Value, empty: Vec<[usize; 2]>, labelled: bool, names: Value) {
    let data: Vec<Value> = empty.iter().map(|&[xi, yi]| json!([xi, yi, 0])).collect();
    let mut series = json!({
        "type": "heatmap",
        "name": names["noData"],
        "noData": true,
        "tooltipNames": names,
        "data": data,
        "itemStyle": {
            "color": NO_DATA_FILL,
            "decal": {
                "symbol": "rect",
                "color": NO_DATA_HATCH,
                "dashArrayX": [1, 0],
                "dashArrayY": [2, 4],
                "rotation": std::f64::consts::FRAC_PI_4,
            },
        },
        "emphasis": {"disabled": true},
    });
    if labelled {
        series["label"] = json!({"show": false});
    }
    if let Some(list) = option.get_mut("series").and_then(Value::as_array_mut) {
        list.push(series);
    }
    if let Some(map) = option
        .pointer_mut("/visualMap/0")
        .and_then(Value::as_object_mut)
    {
        map.insert("seriesIndex".into(), json!(0));
    }
}

/// `[x index, y index, value]` per cell with a value, in row order, and
/// the `(x index, y index)` pairs they fill.
fn collect_cells(
    frame: &Frame,
    xs: &[String],
    ys: &[String],
    [x, y, z]: [usize; 3],
) -> (Vec<DataFrame>, HashSet<(usize, usize)>) {
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
    let mut seen = HashSet::new();
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
    (cells, seen)
}

fn index_point(i: usize) -> DataPoint {
    DataPoint::from(CompositeValue::Number(NumericValue::Integer(i as i64)))
}

/// The colour scale: the spec's `min` / `max` where set, else the smallest
/// and largest cell value outside the `range_exclude_x` columns; 0..1 when
/// there is none.
fn colour_range(frame: &Frame, [x, z]: [usize; 2]) -> (f64, f64) {
    let excluded = &frame.spec.range_exclude_x;
    let values = frame
        .rows
        .iter()
        .filter(|row| !excluded.contains(&label(&row[x])))
        .filter_map(|row| number(&row[z]));
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let min = frame.spec.min.unwrap_or(lo);
    let max = frame.spec.max.unwrap_or(hi);
    // One bound set beyond all the data: the range collapses onto it.
    if min <= max {
        (min, max)
    } else if frame.spec.max.is_some() {
        (max, max)
    } else {
        (min, min)
    }
}

fn category_axis(data: Vec<String>) -> Axis {
    Axis::new()
        .type_(AxisType::Category)
        .data(data)
        .split_area(SplitArea::new().show(true))
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
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["type"], json!("heatmap"));
        // (month 1, cohort 2024-02) has no value: not a coloured cell...
        assert_eq!(
            series[0]["data"],
            json!([[0, 0, 1.0], [1, 0, 0.25], [0, 1, 1.0]])
        );
        // ...but a grey hatched one in a series the visual map leaves alone.
        assert_eq!(series[1]["type"], json!("heatmap"));
        assert_eq!(series[1]["noData"], json!(true));
        assert_eq!(series[1]["data"], json!([[1, 1, 0]]));
        assert_eq!(series[1]["itemStyle"]["color"], json!("#d5d9e0"));
        assert_eq!(series[1]["itemStyle"]["decal"]["symbol"], json!("rect"));
        assert_eq!(option["visualMap"][0]["seriesIndex"], json!(0));
        assert_eq!(series[1]["tooltipNames"]["noData"], json!("no data"));
        // min/max over the non-null values 1.0, 0.25, 1.0.
        assert_eq!(option["visualMap"][0]["min"], json!(0.25));
        assert_eq!(option["visualMap"][0]["max"], json!(1.0));
    }

    fn retention_spec() -> ChartSpec {
        ChartSpec {
            kind: ChartKind::Heatmap,
            table: "cohorts.retention".into(),
            x: Some("month".into()),
            y: vec!["cohort".into()],
            z: Some("retention".into()),
            ..ChartSpec::default()
        }
    }

    /// Three cohorts over months 0..2; month 0 is always 1.0.
    fn cohorts() -> Table {
        let mut t = Table::new(["cohort", "month", "retention"]);
        for (cohort, m1, m2) in [("2024-01", 0.3, 0.2), ("2024-02", 0.4, 0.1)] {
            t.push(vec![json!(cohort), json!(0), json!(1.0)]);
            t.push(vec![json!(cohort), json!(1), json!(m1)]);
            t.push(vec![json!(cohort), json!(2), json!(m2)]);
        }
        t
    }

    #[test]
    fn tooltip_names_both_axes_in_the_report_language() {
        let mut s = retention_spec();
        s.x_label = Some("Bulan ke-".into());
        s.labels = [
            ("cohort".to_string(), "Kohort".to_string()),
            ("retention".to_string(), "Retensi".to_string()),
        ]
        .into();
        let option = build_option(&s, &retention(), Language::Id).unwrap();
        // The y title leads, the x title follows in lower case:
        // "Kohort 2024-01 · bulan ke-1: 25%".
        assert_eq!(
            option["series"][0]["tooltipNames"],
            json!({"x": "bulan ke-", "y": "Kohort", "z": "Retensi", "noData": "tidak ada data"})
        );
        assert_eq!(option["series"][1]["name"], json!("tidak ada data"));
    }

    #[test]
    fn full_grid_has_no_empty_cell_series_and_shows_every_label() {
        let option = build_option(&retention_spec(), &cohorts(), Language::En).unwrap();
        assert_eq!(option["series"].as_array().unwrap().len(), 1);
        assert!(option["visualMap"][0].get("seriesIndex").is_none());
        assert_eq!(option["xAxis"]["axisLabel"]["interval"], json!(0));
        assert_eq!(option["yAxis"]["axisLabel"]["interval"], json!(0));
        // Cohort labels of 7 characters left of the plot: 49 px wide.
        assert_eq!(option["yAxis"]["axisLabel"]["width"], json!(49.0));
    }

    #[test]
    fn excluded_x_columns_stay_out_of_the_automatic_range() {
        let mut s = retention_spec();
        s.range_exclude_x = vec!["0".into()];
        let option = build_option(&s, &cohorts(), Language::En).unwrap();
        // Months 1..2 hold 0.3, 0.2, 0.4, 0.1: range 0.1..0.4.
        assert_eq!(option["visualMap"][0]["min"], json!(0.1));
        assert_eq!(option["visualMap"][0]["max"], json!(0.4));
        // Month 0 is still drawn: 6 cells.
        assert_eq!(option["series"][0]["data"].as_array().unwrap().len(), 6);
    }

    #[test]
    fn explicit_bounds_override_the_data() {
        let mut s = retention_spec();
        s.max = Some(0.5);
        let option = build_option(&s, &cohorts(), Language::En).unwrap();
        // min from the data (0.1), max as set.
        assert_eq!(option["visualMap"][0]["min"], json!(0.1));
        assert_eq!(option["visualMap"][0]["max"], json!(0.5));
        s.min = Some(0.0);
        let option = build_option(&s, &cohorts(), Language::En).unwrap();
        assert_eq!(option["visualMap"][0]["min"], json!(0.0));
        // A max below every value collapses the range onto it.
        s.min = None;
        s.max = Some(0.05);
        let option = build_option(&s, &cohorts(), Language::En).unwrap();
        assert_eq!(option["visualMap"][0]["min"], json!(0.05));
        assert_eq!(option["visualMap"][0]["max"], json!(0.05));
    }

    #[test]
    fn axis_titles_have_room_inside_the_canvas() {
        let mut s = retention_spec();
        s.x_label = Some("Bulan ke-".into());
        s.labels = [
            ("cohort".to_string(), "Kohort".to_string()),
            ("retention".to_string(), "Retensi".to_string()),
        ]
        .into();
        let option = build_option(&s, &cohorts(), Language::Id).unwrap();
        assert_eq!(option["xAxis"]["name"], json!("Bulan ke-"));
        assert_eq!(option["xAxis"]["nameLocation"], json!("middle"));
        // The y title comes from `labels`, left of the 7-character cohort
        // labels: 7 * 7 px + 14 px.
        assert_eq!(option["yAxis"]["name"], json!("Kohort"));
        assert_eq!(option["yAxis"]["nameLocation"], json!("middle"));
        assert_eq!(option["yAxis"]["nameGap"], json!(63.0));
        assert_eq!(option["series"][0]["name"], json!("Retensi"));
        // Grid: 16 px top, 64 px + 26 px bottom, 24 px left.
        assert_eq!(option["grid"][0]["bottom"], json!(90));
        assert_eq!(option["grid"][0]["left"], json!(24));
    }
}
