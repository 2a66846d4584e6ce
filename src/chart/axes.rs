//! Axis titles and category labels that stay inside the canvas. ECharts'
//! `containLabel` makes room for tick labels but not for axis names, so a
//! title at the default place (the far end of the axis) is cut off at the
//! canvas edge. Titles go where there is room: centred under an x axis,
//! above a vertical value axis running right, or rotated left of a vertical
//! category axis clear of its labels; `Room` says how much margin the grid
//! must add for them. Category labels are never skipped (`interval: 0`):
//! crowded ones are rotated, long ones cut with an ellipsis (the tooltip
//! has the full text). The choice here is made for a typical desktop plot
//! width; `charts.js` makes it again for the real width on every resize.

use charming::component::{Axis, Grid};
use charming::element::{NameLocation, TextStyle};
use serde_json::{Value, json};

/// Distance from the x axis line to its centred title (below the labels).
const BOTTOM_GAP: f64 = 30.0;
/// Margin under the tick labels for a title below the x axis.
const BOTTOM_ROOM: i64 = 26;
/// Margin above the plot for a title over a vertical value axis.
const TOP_ROOM: i64 = 18;
/// Margin left of the tick labels for a rotated title.
const SIDE_ROOM: i64 = 24;
/// Width of one character of a 12 px tick label, generously, and the gap
/// ECharts leaves between the axis line and its labels.
const CHAR_WIDTH: f64 = 7.0;
const LABEL_MARGIN: f64 = 14.0;
/// Widest category label left of a vertical axis, and widest rotated label
/// under a horizontal one, in pixels; longer labels end in an ellipsis.
pub(crate) const MAX_SIDE_LABEL: f64 = 160.0;
const MAX_ROTATED_LABEL: f64 = 120.0;
/// The plot width the static label layout assumes (a desktop column less
/// the value axis labels).
const REFERENCE_PLOT_WIDTH: f64 = 580.0;
/// Below this many pixels per category, labels turn 90° instead of 45°.
const STEEP_BELOW: f64 = 28.0;
/// Height of one line of 12 px labels, and the gap between labels and a
/// title below them.
const LINE_HEIGHT: f64 = 12.0;
const TITLE_GAP: f64 = 10.0;
/// ECharts' default distance from the axis line to its labels.
const AXIS_LABEL_MARGIN: f64 = 8.0;

/// Extra grid margins (in pixels) the titles of a chart need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Room {
    pub top: i64,
    pub bottom: i64,
    pub left: i64,
}

impl Room {
    /// `grid` with `top`, `bottom` and `left` margins: the base value plus
    /// the room the titles need (`left` only changes when a title needs it).
    pub fn apply(self, grid: Grid, top: i64, bottom: i64) -> Grid {
        let grid = grid.top(top + self.top).bottom(bottom + self.bottom);
        if self.left > 0 {
            grid.left(self.left)
        } else {
            grid
        }
    }
}

/// A title centred under a horizontal axis.
pub(crate) fn title_below(axis: Axis, title: Option<&str>, room: &mut Room) -> Axis {
    let Some(title) = non_empty(title) else {
        return axis;
    };
    room.bottom = BOTTOM_ROOM;
    axis.name(title)
        .name_location(NameLocation::Middle)
        .name_gap(BOTTOM_GAP)
}

/// A title above a vertical value axis, starting at the axis line and
/// running right over the plot (`inverse` axes have their top at `start`).
pub(crate) fn title_above(axis: Axis, title: Option<&str>, inverse: bool, room: &mut Room) -> Axis {
    let Some(title) = non_empty(title) else {
        return axis;
    };
    room.top = TOP_ROOM;
    let location = if inverse {
        NameLocation::Start
    } else {
        NameLocation::End
    };
    axis.name(title)
        .name_location(location)
        .name_text_style(TextStyle::new().align("left"))
}

/// A title rotated along a vertical category axis, left of its longest
/// label.
pub(crate) fn title_beside(
    axis: Axis,
    title: Option<&str>,
    labels: &[String],
    room: &mut Room,
) -> Axis {
    let Some(title) = non_empty(title) else {
        return axis;
    };
    room.left = SIDE_ROOM;
    axis.name(title)
        .name_location(NameLocation::Middle)
        .name_gap(label_width(labels) + LABEL_MARGIN)
}

/// The estimated pixel width of the widest label, as drawn (at most
/// `MAX_SIDE_LABEL`: longer labels are cut).
fn label_width(labels: &[String]) -> f64 {
    longest(labels).min(MAX_SIDE_LABEL)
}

/// The estimated pixel width of the widest label, uncut.
pub(crate) fn longest(labels: &[String]) -> f64 {
    let chars = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    (chars as f64 * CHAR_WIDTH).ceil()
}

/// `axisLabel` of a category axis under the plot: every label shown, level
/// when they fit side by side, else turned 45° (90° when crowded) and cut
/// at `MAX_ROTATED_LABEL` pixels.
pub(crate) fn bottom_labels(labels: &[String]) -> Value {
    let widest = longest(labels);
    let per = REFERENCE_PLOT_WIDTH / labels.len().max(1) as f64;
    let (rotate, width) = if widest + AXIS_LABEL_MARGIN <= per {
        (0.0, per.floor())
    } else if per >= STEEP_BELOW {
        (45.0, widest.min(MAX_ROTATED_LABEL))
    } else {
        (90.0, widest.min(MAX_ROTATED_LABEL))
    };
    json!({
        "interval": 0,
        "hideOverlap": false,
        "rotate": rotate,
        "width": width,
        "overflow": "truncate",
        "ellipsis": "\u{2026}",
    })
}

/// `axisLabel` of a category axis left of the plot: every label shown, cut
/// at `MAX_SIDE_LABEL` pixels.
pub(crate) fn side_labels(labels: &[String]) -> Value {
    json!({
        "interval": 0,
        "hideOverlap": false,
        "width": label_width(labels).max(1.0),
        "overflow": "truncate",
        "ellipsis": "\u{2026}",
    })
}

/// The distance from a horizontal axis line to a centred title below
/// labels drawn with `axis_label` (from `bottom_labels`): clear of their
/// rotated height.
pub(crate) fn title_gap_below(axis_label: &Value) -> f64 {
    let rotate = axis_label["rotate"].as_f64().unwrap_or(0.0).to_radians();
    let width = axis_label["width"].as_f64().unwrap_or(0.0);
    let height = if rotate == 0.0 {
        LINE_HEIGHT
    } else {
        width * rotate.sin() + LINE_HEIGHT * rotate.cos()
    };
    (AXIS_LABEL_MARGIN + height + TITLE_GAP).ceil()
}

/// Give the category axis at `axis` (an option's `xAxis` or `yAxis`) its
/// `axisLabel`; a centred title below it moves clear of rotated labels.
pub(crate) fn set_labels(axis: Option<&mut Value>, axis_label: Value, below: bool) {
    let Some(Value::Object(axis)) = axis else {
        return;
    };
    if below && axis.contains_key("name") {
        axis.insert("nameGap".into(), json!(title_gap_below(&axis_label)));
    }
    axis.insert("axisLabel".into(), axis_label);
}

fn non_empty(title: Option<&str>) -> Option<&str> {
    title.filter(|t| !t.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use charming::element::AxisType;
    use serde_json::{Value, json};

    fn to_json(axis: &Axis) -> Value {
        serde_json::to_value(axis).unwrap()
    }

    #[test]
    fn titles_go_where_there_is_room_and_claim_it() {
        let mut room = Room::default();
        let x = title_below(Axis::new(), Some("Bulan ke-"), &mut room);
        let x = to_json(&x);
        assert_eq!(x["nameLocation"], json!("middle"));
        assert_eq!(x["nameGap"], json!(30.0));
        let labels = vec!["2024-01".to_string(), "2024-10".to_string()];
        let y = to_json(&title_beside(
            Axis::new().type_(AxisType::Category),
            Some("Kohort"),
            &labels,
            &mut room,
        ));
        // 7 characters * 7 px + 14 px margin.
        assert_eq!(y["nameGap"], json!(63.0));
        assert_eq!(
            room,
            Room {
                top: 0,
                bottom: 26,
                left: 24
            }
        );
    }

    fn labels(count: usize, chars: usize) -> Vec<String> {
        (0..count).map(|i| format!("{i:0chars$}")).collect()
    }

    #[test]
    fn bottom_labels_are_all_shown_level_when_they_fit() {
        // 5 labels of 7 characters: 49 px + 8 px margin <= 580 / 5 = 116 px.
        let axis_label = bottom_labels(&labels(5, 7));
        assert_eq!(axis_label["interval"], json!(0));
        assert_eq!(axis_label["rotate"], json!(0.0));
        assert_eq!(axis_label["width"], json!(116.0));
        assert_eq!(title_gap_below(&axis_label), 30.0);
    }

    #[test]
    fn crowded_bottom_labels_turn_and_are_cut() {
        // 9 labels of 14 characters: 98 px > 580 / 9 = 64 px: turned 45°.
        let turned = bottom_labels(&labels(9, 14));
        assert_eq!(turned["rotate"], json!(45.0));
        assert_eq!(turned["width"], json!(98.0));
        assert_eq!(turned["overflow"], json!("truncate"));
        assert_eq!(turned["ellipsis"], json!("\u{2026}"));
        // Title below: 8 px + 98 sin 45° + 12 cos 45° + 10 px = 95.8 -> 96.
        assert_eq!(title_gap_below(&turned), 96.0);
        // 30 labels: 19 px each, under 28 px: upright; 25 characters
        // (175 px) cut at 120 px.
        let steep = bottom_labels(&labels(30, 25));
        assert_eq!(steep["rotate"], json!(90.0));
        assert_eq!(steep["width"], json!(120.0));
        assert_eq!(steep["interval"], json!(0));
        // 8 + 120 + 10.
        assert_eq!(title_gap_below(&steep), 138.0);
    }

    #[test]
    fn side_labels_are_all_shown_and_cut_at_the_cap() {
        let short = side_labels(&labels(3, 4));
        assert_eq!(short["interval"], json!(0));
        assert_eq!(short["width"], json!(28.0));
        let long = side_labels(&labels(3, 60));
        assert_eq!(long["width"], json!(160.0));
        assert_eq!(long["overflow"], json!("truncate"));
    }

    #[test]
    fn no_title_leaves_axis_and_room_alone() {
        let mut room = Room::default();
        let axis = title_above(Axis::new(), Some("  "), false, &mut room);
        assert!(to_json(&axis).get("name").is_none());
        assert_eq!(room, Room::default());
        let axis = title_above(Axis::new(), Some("Revenue"), true, &mut room);
        assert_eq!(to_json(&axis)["nameLocation"], json!("start"));
        assert_eq!(to_json(&axis)["nameTextStyle"]["align"], json!("left"));
        assert_eq!(room.top, 18);
    }
}
