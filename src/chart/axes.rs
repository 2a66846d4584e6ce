//! Axis titles that stay inside the canvas. ECharts' `containLabel` makes
//! room for tick labels but not for axis names, so a title at the default
//! place (the far end of the axis) is cut off at the canvas edge. Titles go
//! where there is room: centred under an x axis, above a vertical value axis
//! running right, or rotated left of a vertical category axis clear of its
//! labels; `Room` says how much margin the grid must add for them.

use charming::component::{Axis, Grid};
use charming::element::{NameLocation, TextStyle};

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
/// Labels longer than this are taken to be cut by ECharts anyway.
const MAX_LABEL_CHARS: usize = 40;

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

/// The estimated pixel width of the widest label.
fn label_width(labels: &[String]) -> f64 {
    let chars = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_LABEL_CHARS);
    (chars as f64 * CHAR_WIDTH).ceil()
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
