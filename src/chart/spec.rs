//! The declarative description of a chart: which table, which columns, which
//! chart type. Reports declare these in front matter; analyses declare their
//! built-in charts with the same type.

use serde::{Deserialize, Serialize};

/// A chart over one result table. One series per `y` column; with `series`,
/// the table is in long form and each distinct value of that column becomes
/// a series (a grouped bar or multi-line chart). With `select`, the reader
/// picks one value of that column from a dropdown and the chart switches to
/// it, without a server.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ChartSpec {
    #[serde(rename = "type")]
    pub kind: ChartKind,
    /// Table reference: `analysis.table` (e.g. `b2b.segments`) or a SQL
    /// query name. Analyses give their own tables' local names here.
    pub table: String,
    #[serde(default)]
    pub title: Option<String>,
    /// Category axis column (bar, line), slice names (pie), x value (scatter,
    /// heatmap), source node (graph).
    #[serde(default)]
    pub x: Option<String>,
    /// Value columns; each becomes a series. Graph: the target node column.
    #[serde(default)]
    pub y: Vec<String>,
    /// Long-form series column.
    #[serde(default)]
    pub series: Option<String>,
    /// Third dimension: z of a 3D scatter, cell value of a heatmap, edge
    /// weight of a graph.
    #[serde(default)]
    pub z: Option<String>,
    /// Column whose values the reader picks from a dropdown.
    #[serde(default)]
    pub select: Option<String>,
    /// Bars run horizontally.
    #[serde(default)]
    pub horizontal: bool,
    /// Bars or areas are stacked.
    #[serde(default)]
    pub stacked: bool,
    /// How values are shown in axis labels and tooltips.
    #[serde(default)]
    pub format: ValueFormat,
    /// Keep only the first N rows of the table.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Axis titles.
    #[serde(default)]
    pub x_label: Option<String>,
    #[serde(default)]
    pub y_label: Option<String>,
}

/// The chart types a report can ask for.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    #[default]
    Bar,
    Line,
    Area,
    Pie,
    Donut,
    Scatter,
    Scatter3d,
    Heatmap,
    Graph,
}

/// Value formatting for axis labels and tooltips.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ValueFormat {
    #[default]
    Number,
    Money,
    Percent,
}
