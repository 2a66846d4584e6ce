//! The declarative description of a chart: which table, which columns, which
//! chart type. Reports declare these in front matter; analyses declare their
//! built-in charts with the same type. Also the chart as a report draws it:
//! the report's `labels` under the chart's own, value formats inferred from
//! the columns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::table::names::{is_money, is_percent};

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
    /// Display names by column name (and, with `series`, by series value):
    /// used for series names, the legend, tooltips, the dropdown label and
    /// the axis titles `x_label` / `y_label` leave unset.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// How a numeric `x` is written on its axis (line, area, scatter); the
    /// default is a plain number.
    #[serde(default)]
    pub x_format: Option<ValueFormat>,
    /// Heatmap colour scale bounds; taken from the data when absent.
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Heatmap: `x` values whose cells stay out of the automatic colour
    /// scale (e.g. `["0"]`, month 0 of a retention matrix, always 100%).
    /// They are still drawn, in the colour of the nearest bound.
    #[serde(default)]
    pub range_exclude_x: Vec<String>,
}

impl ChartSpec {
    /// The display name of a column (or series value): its `labels` entry,
    /// else the name itself.
    pub fn display_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.labels.get(name).map_or(name, String::as_str)
    }

    /// The chart as a report draws it: the report's `labels` added under
    /// the chart's own (which win), and, when the chart leaves `format` at
    /// `number`, the format its value columns call for: `percent` when every
    /// one is a share or rate, `money` when every one is a built-in money
    /// column; likewise `x_format = "percent"` for a share on a numeric x
    /// axis (a Pareto curve).
    pub fn for_report(&self, labels: &BTreeMap<String, String>) -> ChartSpec {
        let mut spec = self.clone();
        for (column, label) in labels {
            spec.labels
                .entry(column.clone())
                .or_insert_with(|| label.clone());
        }
        let values: Vec<&str> = match self.kind {
            ChartKind::Heatmap | ChartKind::Graph => self.z.as_deref().into_iter().collect(),
            _ => self.y.iter().map(String::as_str).collect(),
        };
        if spec.format == ValueFormat::Number && !values.is_empty() {
            if values.iter().all(|c| is_percent(c)) {
                spec.format = ValueFormat::Percent;
            } else if values.iter().all(|c| is_money(c)) {
                spec.format = ValueFormat::Money;
            }
        }
        let numeric_x = matches!(
            self.kind,
            ChartKind::Line | ChartKind::Area | ChartKind::Scatter
        );
        if numeric_x && spec.x_format.is_none() && self.x.as_deref().is_some_and(is_percent) {
            spec.x_format = Some(ValueFormat::Percent);
        }
        spec
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_settings_read_from_front_matter_and_default_off() {
        let spec: ChartSpec = toml::from_str(
            r#"
            type = "heatmap"
            table = "cohorts.retention"
            x = "month_index"
            y = ["cohort"]
            z = "rate"
            labels = { cohort = "Kohort", rate = "Retensi" }
            x_format = "percent"
            min = 0
            max = 0.5
            range_exclude_x = ["0"]
            "#,
        )
        .unwrap();
        assert_eq!(spec.display_name("cohort"), "Kohort");
        assert_eq!(spec.display_name("month_index"), "month_index");
        assert_eq!(spec.x_format, Some(ValueFormat::Percent));
        assert_eq!((spec.min, spec.max), (Some(0.0), Some(0.5)));
        assert_eq!(spec.range_exclude_x, vec!["0".to_string()]);

        let plain: ChartSpec = toml::from_str("type = \"line\"\ntable = \"t\"").unwrap();
        assert!(plain.labels.is_empty() && plain.range_exclude_x.is_empty());
        assert_eq!((plain.x_format, plain.min, plain.max), (None, None, None));
        assert!(toml::from_str::<ChartSpec>("type = \"line\"\ntable = \"t\"\nlabel = {}").is_err());
    }

    #[test]
    fn report_labels_go_under_the_chart_labels() {
        let mut spec = ChartSpec {
            table: "t".into(),
            x: Some("segment".into()),
            y: vec!["revenue".into()],
            ..ChartSpec::default()
        };
        spec.labels.insert("revenue".into(), "Omzet grafik".into());
        let report: BTreeMap<String, String> = [
            ("revenue".to_string(), "Omzet laporan".to_string()),
            ("segment".to_string(), "Kelompok".to_string()),
        ]
        .into();
        let drawn = spec.for_report(&report);
        assert_eq!(drawn.display_name("revenue"), "Omzet grafik");
        assert_eq!(drawn.display_name("segment"), "Kelompok");
    }

    #[test]
    fn formats_follow_the_value_columns_unless_set() {
        let spec = |kind, x: &str, y: &[&str], format| ChartSpec {
            kind,
            table: "t".into(),
            x: Some(x.into()),
            y: y.iter().map(|s| s.to_string()).collect(),
            format,
            ..ChartSpec::default()
        };
        let none = BTreeMap::new();
        let f = |s: ChartSpec| s.for_report(&none);
        let bar = ChartKind::Bar;
        assert_eq!(
            f(spec(
                bar,
                "segment",
                &["revenue_share"],
                ValueFormat::Number
            ))
            .format,
            ValueFormat::Percent
        );
        assert_eq!(
            f(spec(
                bar,
                "segment",
                &["revenue", "aov"],
                ValueFormat::Number
            ))
            .format,
            ValueFormat::Money
        );
        assert_eq!(
            f(spec(
                bar,
                "segment",
                &["revenue", "share"],
                ValueFormat::Number
            ))
            .format,
            ValueFormat::Number
        );
        assert_eq!(
            f(spec(bar, "segment", &["share"], ValueFormat::Money)).format,
            ValueFormat::Money
        );
        let pareto = f(spec(
            ChartKind::Line,
            "customer_share",
            &["revenue_share"],
            ValueFormat::Number,
        ));
        assert_eq!(pareto.x_format, Some(ValueFormat::Percent));
        assert_eq!(
            f(spec(
                bar,
                "customer_share",
                &["orders"],
                ValueFormat::Number
            ))
            .x_format,
            None
        );
        let mut heat = spec(
            ChartKind::Heatmap,
            "month_index",
            &["cohort"],
            ValueFormat::Number,
        );
        heat.z = Some("rate".into());
        assert_eq!(f(heat).format, ValueFormat::Percent);
    }
}
