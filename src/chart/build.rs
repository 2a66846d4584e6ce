//! Building ECharts option JSON from a `ChartSpec` and its result table:
//! column checks, the row subset (limit, per-value `select`), the display
//! names of the columns (the spec's `labels`, else the built-in or humanised
//! names) and booleans as words in the chart's language, the dispatch to one
//! builder per chart kind, and the pieces they share.

use std::borrow::Cow;
use std::collections::HashMap;

use charming::Chart;
use charming::component::{Grid, Legend, LegendType, Title};
use charming::element::TextStyle;
use serde_json::{Value, json};

use super::columns::{Columns, distinct_labels, label};
use super::spec::{ChartKind, ChartSpec};
use super::{cartesian, graph, heatmap, pie, scatter};
use crate::config::Language;
use crate::error::{Error, Result};
use crate::table::Table;
use crate::table::names::{bool_text, display_name};

/// The key under which a chart with `select` carries one option per value:
/// `{"wawasanSelect": {"column": .., "label": .., "values": [..], "options": [..]}}`,
/// `label` being the column's display name and `options[i]` the full
/// ECharts option for `values[i]`.
pub const SELECT_KEY: &str = "wawasanSelect";

/// Everything a kind builder reads: the spec, its resolved columns, the rows
/// to draw (already limited and filtered).
pub(crate) struct Frame<'a> {
    pub spec: &'a ChartSpec,
    pub columns: &'a Columns,
    pub rows: &'a [&'a Vec<Value>],
    /// Column names of the table.
    pub names: &'a [String],
    /// Display names of the table's columns, in table order: the spec's
    /// `labels` entry, else the built-in or humanised name.
    pub display: &'a [String],
}

impl Frame<'_> {
    /// The name of the column at `index`.
    pub fn name(&self, index: usize) -> &str {
        self.names
            .get(index)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The display name of the column at `index` (its `labels` entry, else
    /// its built-in or humanised name), for series, legends and tooltips.
    pub fn display(&self, index: usize) -> &str {
        self.display
            .get(index)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// An axis title: the explicit `x_label` / `y_label`, else the `labels`
    /// entry of the column at `index`, else none.
    pub fn title<'s>(&'s self, explicit: Option<&'s str>, index: usize) -> Option<&'s str> {
        explicit.or_else(|| self.spec.labels.get(self.name(index)).map(String::as_str))
    }
}

/// ECharts option JSON for a chart over a table (title/labels in `language`).
///
/// A column the spec names that the table lacks is an error naming the
/// chart's table, the setting and the available columns; an empty table
/// gives an empty chart with a "no data" note.
pub fn build_option(spec: &ChartSpec, table: &Table, language: Language) -> Result<Value> {
    check_range(spec)?;
    let columns = Columns::resolve(spec, table)?;
    let table = booleans_as_words(table, language);
    let table = table.as_ref();
    let display = display_names(spec, table, language);
    let rows: Vec<&Vec<Value>> = table.rows.iter().collect();
    let ctx = Context {
        spec,
        table,
        columns: &columns,
        display: &display,
        language,
    };
    match columns.select {
        Some(select) => build_selectable(&ctx, select, &rows),
        None => build_rows(&ctx, &limit_rows(spec, rows)),
    }
}

/// What every option of one chart is built from.
struct Context<'a> {
    spec: &'a ChartSpec,
    table: &'a Table,
    columns: &'a Columns,
    display: &'a [String],
    language: Language,
}

/// The display name of every column of `table`.
fn display_names(spec: &ChartSpec, table: &Table, language: Language) -> Vec<String> {
    table
        .columns
        .iter()
        .map(|c| match spec.labels.get(c) {
            Some(label) => label.clone(),
            None => display_name(c, language),
        })
        .collect()
}

/// The table with boolean cells written as words (`Ya`/`Tidak`,
/// `Yes`/`No`): a chart shows them as categories, series or dropdown
/// values, never as numbers. Borrowed as it is when it has none.
fn booleans_as_words(table: &Table, language: Language) -> Cow<'_, Table> {
    if !table.rows.iter().flatten().any(Value::is_boolean) {
        return Cow::Borrowed(table);
    }
    let mut words = table.clone();
    for cell in words.rows.iter_mut().flatten() {
        if let Value::Bool(b) = cell {
            *cell = Value::from(bool_text(*b, language));
        }
    }
    Cow::Owned(words)
}

/// `min` must lie below `max` when both are set.
fn check_range(spec: &ChartSpec) -> Result<()> {
    match (spec.min, spec.max) {
        (Some(min), Some(max)) if min >= max || !min.is_finite() || !max.is_finite() => {
            Err(Error::new(format!(
                "chart on table `{}`: `min` ({min}) must be below `max` ({max})",
                spec.table
            ))
            .hint("swap the two bounds, or drop them to take the range from the data"))
        }
        _ => Ok(()),
    }
}

/// Does this chart need echarts-gl (3D)?
pub fn needs_gl(spec: &ChartSpec) -> bool {
    spec.kind == ChartKind::Scatter3d
}

/// One option per distinct value of the `select` column, in order of first
/// appearance; `limit` applies within each value's rows.
fn build_selectable(ctx: &Context, select: usize, rows: &[&Vec<Value>]) -> Result<Value> {
    let values = distinct_labels(rows, select);
    if values.is_empty() {
        return build_rows(ctx, &[]);
    }
    let mut groups: HashMap<String, Vec<&Vec<Value>>> = HashMap::new();
    for row in rows {
        groups.entry(label(&row[select])).or_default().push(row);
    }
    let options = values
        .iter()
        .map(|value| {
            let group = groups.remove(value).unwrap_or_default();
            build_rows(ctx, &limit_rows(ctx.spec, group))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(json!({
        SELECT_KEY: {
            "column": ctx.table.columns[select],
            "label": ctx.display[select],
            "values": values,
            "options": options,
        }
    }))
}

fn limit_rows<'a>(spec: &ChartSpec, mut rows: Vec<&'a Vec<Value>>) -> Vec<&'a Vec<Value>> {
    if let Some(n) = spec.limit {
        rows.truncate(n);
    }
    rows
}

fn build_rows(ctx: &Context, rows: &[&Vec<Value>]) -> Result<Value> {
    let (spec, language) = (ctx.spec, ctx.language);
    let frame = Frame {
        spec,
        columns: ctx.columns,
        rows,
        names: &ctx.table.columns,
        display: ctx.display,
    };
    let mut option = match spec.kind {
        ChartKind::Bar | ChartKind::Line | ChartKind::Area => cartesian::build(&frame)?,
        ChartKind::Pie | ChartKind::Donut => to_json(&pie::build(&frame))?,
        ChartKind::Scatter => to_json(&scatter::build_2d(&frame))?,
        ChartKind::Scatter3d => scatter::build_3d(&frame)?,
        ChartKind::Heatmap => heatmap::build(&frame, language)?,
        ChartKind::Graph => graph::build(&frame)?,
    };
    if rows.is_empty() {
        add_no_data_note(&mut option, language)?;
    }
    Ok(option)
}

/// Serialise a charming chart to strict option JSON.
pub(crate) fn to_json<T: serde::Serialize>(chart: &T) -> Result<Value> {
    serde_json::to_value(chart)
        .map_err(|e| Error::new("cannot serialise chart option").caused_by(e))
}

/// A centred "no data" title over an empty chart.
fn add_no_data_note(option: &mut Value, language: Language) -> Result<()> {
    let text = match language {
        Language::Id => "Tidak ada data",
        Language::En => "No data",
    };
    let title = Title::new()
        .text(text)
        .left("center")
        .top("middle")
        .text_style(TextStyle::new().color("#888888").font_size(14));
    if let Value::Object(map) = option {
        map.insert("title".to_string(), to_json(&title)?);
    }
    Ok(())
}

/// A scrolling legend at the top, listing `names`.
pub(crate) fn legend(names: &[String]) -> Legend {
    Legend::new()
        .type_(LegendType::Scroll)
        .top(0)
        .data(names.to_vec())
}

/// The plot area, leaving room for a legend at the top when there is one.
pub(crate) fn grid(with_legend: bool) -> Grid {
    Grid::new()
        .left("3%")
        .right("4%")
        .bottom("3%")
        .top(if with_legend { 40 } else { 24 })
        .contain_label(true)
}

/// Add a legend to `chart` when it draws more than one series.
pub(crate) fn with_legend(chart: Chart, names: &[String]) -> Chart {
    if names.len() > 1 {
        chart.legend(legend(names))
    } else {
        chart
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::spec::ValueFormat;

    const EVIL: &str = "</script><script>alert(1)</script>";

    fn spec(kind: ChartKind, x: &str, y: &[&str]) -> ChartSpec {
        ChartSpec {
            kind,
            table: "t".into(),
            x: Some(x.into()),
            y: y.iter().map(|s| s.to_string()).collect(),
            ..ChartSpec::default()
        }
    }

    /// Long-form monthly revenue per country.
    fn by_country() -> Table {
        let mut t = Table::new(["country", "month", "revenue"]);
        t.push(vec![json!("ID"), json!("2024-01"), json!(10)]);
        t.push(vec![json!("SG"), json!("2024-01"), json!(7.5)]);
        t.push(vec![json!("ID"), json!("2024-02"), json!(12)]);
        t.push(vec![json!("ID"), json!("2024-03"), Value::Null]);
        t.push(vec![json!(EVIL), json!("2024-01"), json!(1)]);
        t
    }

    #[test]
    fn select_carries_one_option_per_value_in_first_appearance_order() {
        let mut s = spec(ChartKind::Line, "month", &["revenue"]);
        s.select = Some("country".into());
        let option = build_option(&s, &by_country(), Language::En).unwrap();
        let select = &option[SELECT_KEY];
        assert_eq!(select["column"], json!("country"));
        assert_eq!(select["values"], json!(["ID", "SG", EVIL]));
        let options = select["options"].as_array().unwrap();
        assert_eq!(options.len(), 3);
        // ID: rows 1, 3, 4 -> months 01..03, the null stays a gap.
        assert_eq!(
            options[0]["xAxis"]["data"],
            json!(["2024-01", "2024-02", "2024-03"])
        );
        assert_eq!(options[0]["series"][0]["data"], json!([10, 12, null]));
        // SG: one row.
        assert_eq!(options[1]["series"][0]["data"], json!([7.5]));
        assert_eq!(options[2]["series"][0]["data"], json!([1]));
    }

    #[test]
    fn limit_applies_within_each_selected_value() {
        let mut s = spec(ChartKind::Bar, "month", &["revenue"]);
        s.select = Some("country".into());
        s.limit = Some(2);
        let option = build_option(&s, &by_country(), Language::En).unwrap();
        let id = &option[SELECT_KEY]["options"][0];
        assert_eq!(id["xAxis"]["data"], json!(["2024-01", "2024-02"]));
    }

    #[test]
    fn empty_table_gives_an_empty_chart_with_a_note() {
        let t = Table::new(["month", "revenue"]);
        let option = build_option(
            &spec(ChartKind::Bar, "month", &["revenue"]),
            &t,
            Language::Id,
        )
        .unwrap();
        assert_eq!(option["title"]["text"], json!("Tidak ada data"));
        assert_eq!(option["series"][0]["type"], json!("bar"));
        assert!(option["series"][0].get("data").is_none());

        let mut s = spec(ChartKind::Line, "month", &["revenue"]);
        s.select = Some("month".into());
        let option = build_option(&s, &t, Language::En).unwrap();
        assert!(option.get(SELECT_KEY).is_none());
        assert_eq!(option["title"]["text"], json!("No data"));
    }

    #[test]
    fn same_input_gives_the_same_bytes() {
        let mut s = spec(ChartKind::Bar, "month", &["revenue"]);
        s.series = Some("country".into());
        s.format = ValueFormat::Money;
        let a = serde_json::to_string(&build_option(&s, &by_country(), Language::Id).unwrap());
        let b = serde_json::to_string(&build_option(&s, &by_country(), Language::Id).unwrap());
        assert_eq!(a.unwrap(), b.unwrap());
    }

    #[test]
    fn min_not_below_max_is_an_error_naming_the_table() {
        let mut s = spec(ChartKind::Heatmap, "month", &["country"]);
        s.z = Some("revenue".into());
        s.min = Some(1.0);
        s.max = Some(0.5);
        let err = build_option(&s, &by_country(), Language::En)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`t`") && err.contains("`min` (1)"), "{err}");
    }

    #[test]
    fn needs_gl_only_for_3d() {
        assert!(needs_gl(&spec(ChartKind::Scatter3d, "a", &["b"])));
        assert!(!needs_gl(&spec(ChartKind::Scatter, "a", &["b"])));
    }
}
