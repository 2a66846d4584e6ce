//! Bar, line and area charts: a category axis from `x`, one series per `y`
//! column (wide form) or per distinct value of `series` (long form, e.g.
//! grouped bars), optionally horizontal or stacked.

use std::collections::HashMap;

use charming::Chart;
use charming::component::Axis;
use charming::datatype::CompositeValue;
use charming::element::{AreaStyle, AxisType, BoundaryGap, Tooltip, Trigger};
use charming::series::{Bar, Line, Series};
use serde_json::Value;

use super::build::{Frame, grid, with_legend};
use super::columns::{chart_value, distinct_labels, label};
use super::spec::ChartKind;

/// Series names with their values, aligned to the category axis.
type SeriesData = Vec<(String, Vec<CompositeValue>)>;

/// A bar, line or area chart over the frame's rows.
pub(crate) fn build(frame: &Frame) -> Chart {
    let (categories, series) = match frame.columns.series {
        Some(series_column) => long_form(frame, series_column),
        None => wide_form(frame),
    };
    let names: Vec<String> = series.iter().map(|(name, _)| name.clone()).collect();
    let mut chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(grid(names.len() > 1));
    chart = with_legend(chart, &names);
    chart = add_axes(chart, frame, categories);
    for (name, data) in series {
        chart = chart.series(make_series(frame, name, data));
    }
    chart
}

/// One category per row (in table order), one series per `y` column.
fn wide_form(frame: &Frame) -> (Vec<String>, SeriesData) {
    let x = frame.columns.x_index();
    let categories = frame.rows.iter().map(|row| label(&row[x])).collect();
    let series = frame
        .columns
        .y
        .iter()
        .map(|&y| {
            let data = frame.rows.iter().map(|row| chart_value(&row[y])).collect();
            (frame.name(y).to_string(), data)
        })
        .collect();
    (categories, series)
}

/// Distinct `x` values as categories and distinct `series` values as
/// series (both in order of first appearance); a missing (x, series) pair
/// is a gap. Where a pair repeats, its first row wins.
fn long_form(frame: &Frame, series_column: usize) -> (Vec<String>, SeriesData) {
    let x = frame.columns.x_index();
    let categories = distinct_labels(frame.rows, x);
    let groups = distinct_labels(frame.rows, series_column);
    let several_y = frame.columns.y.len() > 1;
    let mut series = Vec::new();
    for &y in &frame.columns.y {
        let mut cells: HashMap<(String, String), &Value> = HashMap::new();
        for row in frame.rows {
            let key = (label(&row[series_column]), label(&row[x]));
            cells.entry(key).or_insert(&row[y]);
        }
        for group in &groups {
            let data = categories
                .iter()
                .map(|category| {
                    cells
                        .get(&(group.clone(), category.clone()))
                        .map_or(CompositeValue::OptionalNumber(None), |v| chart_value(v))
                })
                .collect();
            let name = if several_y {
                format!("{group} · {}", frame.name(y))
            } else {
                group.clone()
            };
            series.push((name, data));
        }
    }
    (categories, series)
}

/// The category axis and the value axis, swapped for horizontal bars (then
/// the first category is drawn at the top).
fn add_axes(chart: Chart, frame: &Frame, categories: Vec<String>) -> Chart {
    let spec = frame.spec;
    let mut category = Axis::new().type_(AxisType::Category).data(categories);
    if let Some(name) = &spec.x_label {
        category = category.name(name.as_str());
    }
    if spec.kind == ChartKind::Area {
        category = category.boundary_gap(BoundaryGap::CategoryAxis(false));
    }
    let mut value = Axis::new().type_(AxisType::Value);
    if let Some(name) = &spec.y_label {
        value = value.name(name.as_str());
    }
    if is_horizontal(frame) {
        chart.x_axis(value).y_axis(category.inverse(true))
    } else {
        chart.x_axis(category).y_axis(value)
    }
}

fn is_horizontal(frame: &Frame) -> bool {
    frame.spec.horizontal && frame.spec.kind == ChartKind::Bar
}

fn make_series(frame: &Frame, name: String, data: Vec<CompositeValue>) -> Series {
    let stacked = frame.spec.stacked;
    match frame.spec.kind {
        ChartKind::Line | ChartKind::Area => {
            let mut line = Line::new().name(name).data(data);
            if frame.spec.kind == ChartKind::Area {
                line = line.area_style(AreaStyle::new().opacity(0.25));
            }
            if stacked {
                line = line.stack("total");
            }
            line.into()
        }
        _ => {
            let mut bar = Bar::new().name(name).data(data);
            if stacked {
                bar = bar.stack("total");
            }
            bar.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::chart::build::build_option;
    use crate::chart::spec::{ChartKind, ChartSpec};
    use crate::config::Language;
    use crate::table::Table;
    use serde_json::{Value, json};

    fn spec(kind: ChartKind, y: &[&str]) -> ChartSpec {
        ChartSpec {
            kind,
            table: "b2b.segments".into(),
            x: Some("segment".into()),
            y: y.iter().map(|s| s.to_string()).collect(),
            ..ChartSpec::default()
        }
    }

    fn segments() -> Table {
        let mut t = Table::new(["segment", "revenue", "orders"]);
        t.push(vec![json!("B2B"), json!(1500.5), json!(3)]);
        t.push(vec![json!("B2C"), json!(900), Value::Null]);
        t
    }

    #[test]
    fn bar_has_one_series_per_y_with_values_in_row_order() {
        let option = build_option(
            &spec(ChartKind::Bar, &["revenue", "orders"]),
            &segments(),
            Language::En,
        )
        .unwrap();
        assert_eq!(option["xAxis"]["type"], json!("category"));
        assert_eq!(option["xAxis"]["data"], json!(["B2B", "B2C"]));
        assert_eq!(option["yAxis"]["type"], json!("value"));
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["type"], json!("bar"));
        assert_eq!(series[0]["name"], json!("revenue"));
        assert_eq!(series[0]["data"], json!([1500.5, 900]));
        // The null stays a gap, not a zero.
        assert_eq!(series[1]["data"], json!([3, null]));
        assert_eq!(option["legend"]["data"][1]["name"], json!("orders"));
    }

    #[test]
    fn horizontal_stacked_bar_swaps_axes() {
        let mut s = spec(ChartKind::Bar, &["revenue"]);
        s.horizontal = true;
        s.stacked = true;
        s.y_label = Some("Revenue".into());
        let option = build_option(&s, &segments(), Language::En).unwrap();
        assert_eq!(option["xAxis"]["type"], json!("value"));
        assert_eq!(option["xAxis"]["name"], json!("Revenue"));
        assert_eq!(option["yAxis"]["data"], json!(["B2B", "B2C"]));
        assert_eq!(option["yAxis"]["inverse"], json!(true));
        assert_eq!(option["series"][0]["stack"], json!("total"));
        // One series: no legend.
        assert!(option.get("legend").is_none());
    }

    #[test]
    fn grouped_bar_from_long_form() {
        // category x country, long form; (Feb, SG) is missing -> null.
        let mut t = Table::new(["month", "country", "qty"]);
        t.push(vec![json!("Jan"), json!("ID"), json!(5)]);
        t.push(vec![json!("Jan"), json!("SG"), json!(2)]);
        t.push(vec![json!("Feb"), json!("ID"), json!(7)]);
        t.push(vec![json!("Mar"), json!("SG"), json!(4)]);
        t.push(vec![json!("Mar"), json!("ID"), json!(1)]);
        let s = ChartSpec {
            table: "t".into(),
            x: Some("month".into()),
            y: vec!["qty".into()],
            series: Some("country".into()),
            ..ChartSpec::default()
        };
        let option = build_option(&s, &t, Language::En).unwrap();
        assert_eq!(option["xAxis"]["data"], json!(["Jan", "Feb", "Mar"]));
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["name"], json!("ID"));
        assert_eq!(series[0]["data"], json!([5, 7, 1]));
        assert_eq!(series[1]["name"], json!("SG"));
        assert_eq!(series[1]["data"], json!([2, null, 4]));
        assert!(series.iter().all(|s| s["type"] == json!("bar")));
        assert!(series[0].get("stack").is_none());
    }

    #[test]
    fn line_and_area_are_line_series() {
        let line = build_option(
            &spec(ChartKind::Line, &["revenue"]),
            &segments(),
            Language::En,
        )
        .unwrap();
        assert_eq!(line["series"][0]["type"], json!("line"));
        assert!(line["series"][0].get("areaStyle").is_none());
        assert_eq!(line["tooltip"]["trigger"], json!("axis"));

        let mut s = spec(ChartKind::Area, &["revenue"]);
        s.stacked = true;
        let area = build_option(&s, &segments(), Language::En).unwrap();
        assert_eq!(area["series"][0]["type"], json!("line"));
        assert!(area["series"][0]["areaStyle"].is_object());
        assert_eq!(area["series"][0]["stack"], json!("total"));
        assert_eq!(area["xAxis"]["boundaryGap"], json!(false));
    }

    #[test]
    fn hostile_category_values_stay_plain_json_strings() {
        let evil = "</script><script>alert(1)</script>";
        let mut t = Table::new(["segment", "revenue"]);
        t.push(vec![json!(evil), json!(1)]);
        let option = build_option(&spec(ChartKind::Bar, &["revenue"]), &t, Language::En).unwrap();
        assert_eq!(option["xAxis"]["data"], json!([evil]));
    }
}
