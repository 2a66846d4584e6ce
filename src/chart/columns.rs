//! Resolving the columns a `ChartSpec` names against its result table, and
//! reading cells as chart values: numbers stay numbers, nulls stay gaps,
//! category labels are plain text.

use charming::datatype::{CompositeValue, NumericValue};
use serde_json::Value;

use super::spec::{ChartKind, ChartSpec};
use crate::error::{Error, Result};
use crate::table::{Table, cell_text};

/// The column positions a chart reads, checked against the table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Columns {
    pub x: Option<usize>,
    pub y: Vec<usize>,
    pub series: Option<usize>,
    pub z: Option<usize>,
    pub select: Option<usize>,
}

impl Columns {
    /// Look up every column the spec names; a missing one is an error that
    /// names the chart's table, the setting and the available columns.
    pub fn resolve(spec: &ChartSpec, table: &Table) -> Result<Self> {
        let find = |setting: &str, name: &Option<String>| -> Result<Option<usize>> {
            name.as_deref()
                .map(|n| find_column(spec, table, setting, n))
                .transpose()
        };
        let y = spec
            .y
            .iter()
            .map(|n| find_column(spec, table, "y", n))
            .collect::<Result<Vec<_>>>()?;
        let columns = Columns {
            x: find("x", &spec.x)?,
            y,
            series: find("series", &spec.series)?,
            z: find("z", &spec.z)?,
            select: find("select", &spec.select)?,
        };
        columns.check_required(spec, table)?;
        Ok(columns)
    }

    /// Every kind needs `x` and one `y`; some need `z` as well.
    fn check_required(&self, spec: &ChartSpec, table: &Table) -> Result<()> {
        if self.x.is_none() {
            return Err(missing_setting(spec, table, "x"));
        }
        if self.y.is_empty() {
            return Err(missing_setting(spec, table, "y"));
        }
        let needs_z = matches!(spec.kind, ChartKind::Scatter3d | ChartKind::Heatmap);
        if needs_z && self.z.is_none() {
            return Err(missing_setting(spec, table, "z"));
        }
        Ok(())
    }

    /// The `x` column (checked present by `resolve`).
    pub fn x_index(&self) -> usize {
        self.x.unwrap_or_default()
    }

    /// The first `y` column (checked present by `resolve`).
    pub fn y_first(&self) -> usize {
        self.y.first().copied().unwrap_or_default()
    }
}

fn find_column(spec: &ChartSpec, table: &Table, setting: &str, name: &str) -> Result<usize> {
    table.column_index(name).ok_or_else(|| {
        Error::new(format!(
            "chart on table `{}`: setting `{setting}` names column `{name}`, which the table \
             does not have (available columns: {})",
            spec.table,
            available(table)
        ))
        .setting(setting)
        .hint(format!("set `{setting}` to one of the available columns"))
    })
}

fn missing_setting(spec: &ChartSpec, table: &Table, setting: &str) -> Error {
    Error::new(format!(
        "chart on table `{}`: a {} chart needs the setting `{setting}` (available columns: {})",
        spec.table,
        kind_name(spec.kind),
        available(table)
    ))
    .setting(setting)
    .hint(format!("add `{setting} = \"<column>\"` to the chart"))
}

fn available(table: &Table) -> String {
    if table.columns.is_empty() {
        return "none".to_string();
    }
    table
        .columns
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name of a chart kind as written in front matter.
pub(crate) fn kind_name(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Bar => "bar",
        ChartKind::Line => "line",
        ChartKind::Area => "area",
        ChartKind::Pie => "pie",
        ChartKind::Donut => "donut",
        ChartKind::Scatter => "scatter",
        ChartKind::Scatter3d => "scatter3d",
        ChartKind::Heatmap => "heatmap",
        ChartKind::Graph => "graph",
    }
}

/// A cell as a number: JSON numbers as they are, numeric text parsed,
/// anything else (null, bool, other text) is a gap.
pub(crate) fn number(cell: &Value) -> Option<f64> {
    match cell {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// A cell as a chart value: integers stay integers, gaps serialise as null.
pub(crate) fn chart_value(cell: &Value) -> CompositeValue {
    if let Value::Number(n) = cell
        && let Some(i) = n.as_i64()
    {
        return CompositeValue::Number(NumericValue::Integer(i));
    }
    match number(cell) {
        Some(f) => CompositeValue::Number(NumericValue::Float(f)),
        None => CompositeValue::OptionalNumber(None),
    }
}

/// A cell as a category or series label.
pub(crate) fn label(cell: &Value) -> String {
    cell_text(cell)
}

/// Distinct labels of a column in order of first appearance.
pub(crate) fn distinct_labels(rows: &[&Vec<Value>], index: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    rows.iter()
        .map(|row| label(&row[index]))
        .filter(|l| seen.insert(l.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table() -> Table {
        Table::new(["month", "revenue", "country"])
    }

    #[test]
    fn missing_column_names_table_setting_and_columns() {
        let spec = ChartSpec {
            table: "trend.monthly".into(),
            x: Some("month".into()),
            y: vec!["revnue".into()],
            ..ChartSpec::default()
        };
        let err = Columns::resolve(&spec, &table()).unwrap_err().to_string();
        assert!(err.contains("`trend.monthly`"), "{err}");
        assert!(err.contains("setting `y`"), "{err}");
        assert!(err.contains("`revnue`"), "{err}");
        assert!(err.contains("`month`, `revenue`, `country`"), "{err}");
    }

    #[test]
    fn missing_select_column_is_an_error_too() {
        let spec = ChartSpec {
            table: "t".into(),
            x: Some("month".into()),
            y: vec!["revenue".into()],
            select: Some("region".into()),
            ..ChartSpec::default()
        };
        let err = Columns::resolve(&spec, &table()).unwrap_err().to_string();
        assert!(
            err.contains("setting `select`") && err.contains("`region`"),
            "{err}"
        );
    }

    #[test]
    fn heatmap_without_z_is_an_error() {
        let spec = ChartSpec {
            kind: ChartKind::Heatmap,
            table: "cohorts.retention".into(),
            x: Some("month".into()),
            y: vec!["country".into()],
            ..ChartSpec::default()
        };
        let err = Columns::resolve(&spec, &table()).unwrap_err().to_string();
        assert!(err.contains("heatmap chart needs the setting `z`"), "{err}");
        assert!(err.contains("`cohorts.retention`"), "{err}");
    }

    #[test]
    fn cells_become_numbers_or_gaps() {
        assert_eq!(
            serde_json::to_value(chart_value(&json!(3))).unwrap(),
            json!(3)
        );
        assert_eq!(
            serde_json::to_value(chart_value(&json!(2.5))).unwrap(),
            json!(2.5)
        );
        assert_eq!(
            serde_json::to_value(chart_value(&json!(" 7.5 "))).unwrap(),
            json!(7.5)
        );
        assert_eq!(
            serde_json::to_value(chart_value(&Value::Null)).unwrap(),
            Value::Null
        );
        assert_eq!(
            serde_json::to_value(chart_value(&json!("n/a"))).unwrap(),
            Value::Null
        );
    }

    #[test]
    fn distinct_labels_keep_first_appearance_order() {
        let rows = [
            vec![json!("b")],
            vec![json!("a")],
            vec![json!("b")],
            vec![json!(1)],
        ];
        let refs: Vec<&Vec<Value>> = rows.iter().collect();
        assert_eq!(distinct_labels(&refs, 0), vec!["b", "a", "1"]);
    }
}
