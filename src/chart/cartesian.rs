//! Bar, line and area charts: a category axis from `x` (a value axis for a
//! line or area over numbers, see `value_x`), one series per `y` column
//! (wide form) or per distinct value of `series` (long form, e.g. grouped
//! bars), optionally horizontal or stacked. Bars with many or long category
//! names turn horizontal by themselves, so that no name is lost or squeezed;
//! every category label is shown (see `axes`).

use std::collections::HashMap;

use charming::Chart;
use charming::component::Axis;
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::{AreaStyle, AxisType, BoundaryGap, Tooltip, Trigger};
use charming::series::{Bar, Line, Series};
use serde_json::Value;

use super::axes::{
    Room, bottom_labels, longest, set_labels, side_labels, title_above, title_below, title_beside,
};
use super::build::{Frame, grid, to_json, with_legend};
use super::columns::{chart_value, distinct_labels, label};
use super::spec::ChartKind;
use super::value_x::{long_points, uses_value_x, value_axis, wide_points};
use crate::error::Result;

/// Margin under the x axis labels, in pixels, before any axis title.
const BOTTOM: i64 = 10;

/// Lines with more points than this draw no point symbols (the hovered
/// point still shows one).
const MAX_SYMBOLS: usize = 40;

/// Bars turn horizontal with more categories than this, or with a category
/// name wider than `MAX_UPRIGHT_LABEL` pixels (about 18 characters).
const MAX_UPRIGHT_BARS: usize = 15;
const MAX_UPRIGHT_LABEL: f64 = 126.0;

/// Series names with their values (aligned to the category axis) or their
/// `[x, y]` points (on a value x axis).
type SeriesData = Vec<(String, Vec<DataPoint>)>;

/// A bar, line or area chart over the frame's rows, as option JSON.
pub(crate) fn build(frame: &Frame) -> Result<Value> {
    let value_x = uses_value_x(frame);
    let (categories, series) = match (frame.columns.series, value_x) {
        (Some(column), true) => (Vec::new(), long_points(frame, column)),
        (None, true) => (Vec::new(), wide_points(frame)),
        (Some(column), false) => long_form(frame, column),
        (None, false) => wide_form(frame),
    };
    let names: Vec<String> = series.iter().map(|(name, _)| name.clone()).collect();
    let horizontal = !value_x && is_horizontal(frame, &categories);
    let x_axis = if value_x {
        value_axis(frame)
    } else {
        category_axis(frame, categories.clone())
    };
    let (chart, room) = add_axes(Chart::new(), frame, x_axis, horizontal, &categories);
    let base = if names.len() > 1 { 40 } else { 24 };
    let mut chart = chart
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(room.apply(grid(names.len() > 1), base, BOTTOM));
    chart = with_legend(chart, &names);
    for (name, data) in series {
        chart = chart.series(make_series(frame, name, data));
    }
    let mut option = to_json(&chart)?;
    if !value_x {
        if horizontal {
            set_labels(option.get_mut("yAxis"), side_labels(&categories), false);
        } else {
            set_labels(option.get_mut("xAxis"), bottom_labels(&categories), true);
        }
    }
    Ok(option)
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
            let data = frame.rows.iter().map(|row| value(&row[y])).collect();
            (frame.display(y).to_string(), data)
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
                        .map_or(DataPoint::from(CompositeValue::OptionalNumber(None)), |v| {
                            value(v)
                        })
                })
                .collect();
            let name = frame.spec.display_name(group);
            let name = if several_y {
                format!("{name} · {}", frame.display(y))
            } else {
                name.to_string()
            };
            series.push((name, data));
        }
    }
    (categories, series)
}

fn value(cell: &Value) -> DataPoint {
    DataPoint::from(chart_value(cell))
}

fn category_axis(frame: &Frame, categories: Vec<String>) -> Axis {
    let axis = Axis::new().type_(AxisType::Category).data(categories);
    if frame.spec.kind == ChartKind::Area {
        axis.boundary_gap(BoundaryGap::CategoryAxis(false))
    } else {
        axis
    }
}

/// The x axis (categories or values) and the value axis, swapped for
/// horizontal bars (then the first category is drawn at the top), with
/// their titles and the room those need.
fn add_axes(
    chart: Chart,
    frame: &Frame,
    x_axis: Axis,
    horizontal: bool,
    categories: &[String],
) -> (Chart, Room) {
    let spec = frame.spec;
    let x_title = frame.title(spec.x_label.as_deref(), frame.columns.x_index());
    let y_title = match frame.columns.y.as_slice() {
        [only] => frame.title(spec.y_label.as_deref(), *only),
        _ => spec.y_label.as_deref(),
    };
    let mut room = Room::default();
    let value = Axis::new().type_(AxisType::Value);
    let chart = if horizontal {
        let categories = title_beside(x_axis.inverse(true), x_title, categories, &mut room);
        let value = title_below(value, y_title, &mut room);
        chart.x_axis(value).y_axis(categories)
    } else {
        let x_axis = title_below(x_axis, x_title, &mut room);
        let value = title_above(value, y_title, false, &mut room);
        chart.x_axis(x_axis).y_axis(value)
    };
    (chart, room)
}

/// Do the bars run horizontally? When the spec says so, or when there are
/// too many or too long category names to stand under upright bars.
fn is_horizontal(frame: &Frame, categories: &[String]) -> bool {
    frame.spec.kind == ChartKind::Bar
        && (frame.spec.horizontal
            || categories.len() > MAX_UPRIGHT_BARS
            || longest(categories) > MAX_UPRIGHT_LABEL)
}

fn make_series(frame: &Frame, name: String, data: Vec<DataPoint>) -> Series {
    let stacked = frame.spec.stacked;
    match frame.spec.kind {
        ChartKind::Line | ChartKind::Area => {
            let crowded = data.len() > MAX_SYMBOLS;
            let mut line = Line::new().name(name).data(data);
            if crowded {
                line = line.show_symbol(false);
            }
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
        // Series are named by the columns' built-in display names.
        assert_eq!(series[0]["name"], json!("Revenue"));
        assert_eq!(series[0]["data"], json!([1500.5, 900]));
        // The null stays a gap, not a zero.
        assert_eq!(series[1]["data"], json!([3, null]));
        assert_eq!(option["legend"]["data"][1]["name"], json!("Orders"));
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
        // Two points: symbols shown (ECharts' default).
        assert!(line["series"][0].get("showSymbol").is_none());
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
        // 34 characters: the bars turn horizontal, the name on the y axis.
        assert_eq!(option["yAxis"]["data"], json!([evil]));
    }

    #[test]
    fn labels_name_series_legend_and_untitled_axes() {
        let mut s = spec(ChartKind::Bar, &["revenue", "orders"]);
        s.labels = [
            ("segment".to_string(), "Segmen".to_string()),
            ("revenue".to_string(), "Pendapatan".to_string()),
        ]
        .into();
        let option = build_option(&s, &segments(), Language::Id).unwrap();
        assert_eq!(option["series"][0]["name"], json!("Pendapatan"));
        // No label: the built-in display name in the chart's language.
        assert_eq!(option["series"][1]["name"], json!("Pesanan"));
        assert_eq!(option["legend"]["data"][0]["name"], json!("Pendapatan"));
        // x title from `labels`, centred under the axis; two y columns: no y title.
        assert_eq!(option["xAxis"]["name"], json!("Segmen"));
        assert_eq!(option["xAxis"]["nameLocation"], json!("middle"));
        assert!(option["yAxis"].get("name").is_none());

        // One y column: its label titles the value axis, unless y_label is set.
        let mut s = spec(ChartKind::Line, &["revenue"]);
        s.labels = [("revenue".to_string(), "Pendapatan".to_string())].into();
        let option = build_option(&s, &segments(), Language::Id).unwrap();
        assert_eq!(option["yAxis"]["name"], json!("Pendapatan"));
        assert_eq!(option["yAxis"]["nameTextStyle"]["align"], json!("left"));
        s.y_label = Some("Rp".into());
        let option = build_option(&s, &segments(), Language::Id).unwrap();
        assert_eq!(option["yAxis"]["name"], json!("Rp"));
    }

    #[test]
    fn long_form_series_values_take_labels_too() {
        let mut t = Table::new(["month", "kind", "customers"]);
        t.push(vec![json!("Jan"), json!("new"), json!(5)]);
        t.push(vec![json!("Jan"), json!("active"), json!(9)]);
        let s = ChartSpec {
            kind: ChartKind::Line,
            table: "t".into(),
            x: Some("month".into()),
            y: vec!["customers".into()],
            series: Some("kind".into()),
            labels: [("new".to_string(), "Baru".to_string())].into(),
            ..ChartSpec::default()
        };
        let option = build_option(&s, &t, Language::Id).unwrap();
        assert_eq!(option["series"][0]["name"], json!("Baru"));
        assert_eq!(option["series"][1]["name"], json!("active"));
    }

    fn categories(names: &[String]) -> Table {
        let mut t = Table::new(["segment", "revenue"]);
        for (i, name) in names.iter().enumerate() {
            t.push(vec![json!(name), json!(i)]);
        }
        t
    }

    #[test]
    fn every_category_label_is_shown_and_crowded_ones_turn() {
        // Nine 13-character names (the Amazon categories' kind): 91 px each,
        // more than 580 / 9 = 64 px: all shown, turned 45°.
        let names: Vec<String> = (1..=9).map(|i| format!("Category no.{i}")).collect();
        let mut s = spec(ChartKind::Bar, &["revenue"]);
        s.x_label = Some("Category".into());
        let option = build_option(&s, &categories(&names), Language::En).unwrap();
        assert_eq!(option["xAxis"]["type"], json!("category"));
        let axis_label = &option["xAxis"]["axisLabel"];
        assert_eq!(axis_label["interval"], json!(0));
        assert_eq!(axis_label["rotate"], json!(45.0));
        assert_eq!(axis_label["overflow"], json!("truncate"));
        // The title sits below the turned labels: 8 + 91 sin 45° +
        // 12 cos 45° + 10 = 90.8 -> 91 px.
        assert_eq!(option["xAxis"]["nameGap"], json!(91.0));
        // Full names stay in the axis data (and so in the tooltip).
        assert_eq!(option["xAxis"]["data"], json!(names));
        // Three short names sit level.
        let few = ["B2B", "B2C", "Both"].map(String::from);
        let option = build_option(&s, &categories(&few), Language::En).unwrap();
        assert_eq!(option["xAxis"]["axisLabel"]["rotate"], json!(0.0));
        assert_eq!(option["xAxis"]["nameGap"], json!(30.0));
    }

    #[test]
    fn many_or_long_categories_turn_bars_horizontal() {
        let s = spec(ChartKind::Bar, &["revenue"]);
        // 16 categories: over the 15 upright bars.
        let many: Vec<String> = (0..16).map(|i| format!("c{i}")).collect();
        let option = build_option(&s, &categories(&many), Language::En).unwrap();
        assert_eq!(option["yAxis"]["type"], json!("category"));
        assert_eq!(option["yAxis"]["inverse"], json!(true));
        assert_eq!(option["xAxis"]["type"], json!("value"));
        assert_eq!(option["yAxis"]["axisLabel"]["interval"], json!(0));
        // 15 are fine upright.
        let option = build_option(&s, &categories(&many[..15]), Language::En).unwrap();
        assert_eq!(option["xAxis"]["type"], json!("category"));
        // A 19-character rule label (133 px, over 126 px): horizontal, its
        // labels cut at 160 px; 18 characters stay upright.
        let long = ["bread, jam → butter".to_string(), "tea".to_string()];
        let option = build_option(&s, &categories(&long), Language::En).unwrap();
        assert_eq!(option["yAxis"]["type"], json!("category"));
        assert_eq!(option["yAxis"]["axisLabel"]["width"], json!(133.0));
        let longer = ["x".repeat(60), "tea".to_string()];
        let option = build_option(&s, &categories(&longer), Language::En).unwrap();
        assert_eq!(option["yAxis"]["axisLabel"]["width"], json!(160.0));
        let upright = ["a".repeat(18), "tea".to_string()];
        let option = build_option(&s, &categories(&upright), Language::En).unwrap();
        assert_eq!(option["xAxis"]["type"], json!("category"));
        // Lines never turn: 16 months stay on the x axis.
        let option = build_option(
            &spec(ChartKind::Line, &["revenue"]),
            &categories(&many),
            Language::En,
        )
        .unwrap();
        assert_eq!(option["xAxis"]["type"], json!("category"));
        assert_eq!(option["xAxis"]["axisLabel"]["interval"], json!(0));
    }

    #[test]
    fn horizontal_category_title_sits_beside_the_labels() {
        let mut s = spec(ChartKind::Bar, &["revenue"]);
        s.horizontal = true;
        s.x_label = Some("Segment".into());
        let option = build_option(&s, &segments(), Language::En).unwrap();
        assert_eq!(option["yAxis"]["name"], json!("Segment"));
        assert_eq!(option["yAxis"]["nameLocation"], json!("middle"));
        // Labels "B2B", "B2C": 3 * 7 px + 14 px.
        assert_eq!(option["yAxis"]["nameGap"], json!(35.0));
        assert_eq!(option["grid"][0]["left"], json!(24));
    }
}
