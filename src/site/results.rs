//! Running one report: load its sources, run its SQL queries and analyses,
//! build its charts and KPIs, and serialise its results (JSON + CSV).

use crate::analysis::{AnalysisContext, AnalysisOutput};
use crate::chart::{ChartSpec, build_option, chart_html, needs_gl};
use crate::content::{KpiFormat, Report};
use crate::data::{Tables, frame_to_table, load_source, run_query};
use crate::error::{Error, Result};
use crate::render::locale::Locale;
use crate::table::Table;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Everything a report's pages can use, computed once per build.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ReportResults {
    /// Template context entries: analysis results and query records by name.
    pub context: Map<String, Value>,
    /// Tables by reference (`analysis.table`, or a query name).
    pub tables: Arc<BTreeMap<String, Table>>,
    /// Chart HTML by reference (`analysis.chart`, or a report chart name).
    pub charts: BTreeMap<String, ChartHtml>,
    /// Headline KPIs as (label, formatted value).
    pub kpis: Vec<(String, String)>,
    /// Text files below the report's `results/` folder (JSON and CSV);
    /// shared with the site's files, not copied.
    pub files: BTreeMap<String, Arc<str>>,
    /// Rows read and kept per source.
    pub sources: Vec<SourceStats>,
    /// Every result table as an Excel workbook (none when there are no
    /// tables). Cached beside the JSON, not inside it.
    #[serde(skip)]
    pub workbook: Option<Arc<[u8]>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChartHtml {
    pub html: String,
    pub needs_gl: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceStats {
    pub name: String,
    pub rows_read: usize,
    pub rows_kept: usize,
}

/// Compute a report's results.
pub fn compute(report: &Report, data_dir: &Path, locale: &Locale) -> Result<ReportResults> {
    let index = report.index_path();
    let mut out = ReportResults::default();
    let mut tables = load_tables(report, data_dir, &mut out)?;
    run_queries(report, &mut tables, &mut out)?;
    let outputs: Vec<(String, AnalysisOutput)> = report
        .meta
        .analyses
        .par_iter()
        .map(|(name, spec)| {
            let ctx = AnalysisContext {
                tables: &tables,
                language: locale.language(),
            };
            spec.run(&ctx)
                .map(|o| (name.clone(), o))
                .map_err(|e| locate_analysis_error(e, report, name))
        })
        .collect::<Result<_>>()?;
    for (name, output) in outputs {
        add_analysis(&mut out, &name, output, report, locale)?;
    }
    for (name, spec) in &report.meta.charts {
        let chart = make_chart(name, spec, &spec.table, &out.tables, locale).map_err(|e| {
            e.at(&index)
                .maybe_line(report.locate(&format!("charts.{name}")))
        })?;
        out.charts.insert(name.clone(), chart);
    }
    out.kpis = format_kpis(report, &out.context, locale)?;
    if !out.tables.is_empty() {
        let book = super::workbook::workbook(&out.tables).map_err(|e| e.at(&index))?;
        out.workbook = Some(book.into());
    }
    Ok(out)
}

fn load_tables(report: &Report, data_dir: &Path, out: &mut ReportResults) -> Result<Tables> {
    let loaded: Vec<_> = report
        .meta
        .sources
        .par_iter()
        .map(|spec| {
            load_source(spec, data_dir).map_err(|e| {
                e.at(report.index_path())
                    .maybe_line(report.locate(&format!("\"{}\"", spec.path)))
            })
        })
        .collect::<Result<_>>()?;
    let mut tables = Tables::new();
    for (spec, source) in report.meta.sources.iter().zip(loaded) {
        out.sources.push(SourceStats {
            name: spec.name.clone(),
            rows_read: source.rows_read,
            rows_kept: source.rows_kept,
        });
        tables.insert(spec.name.clone(), source.frame);
    }
    Ok(tables)
}

/// Queries run in page order; each result is also a table later queries
/// and analyses can read.
fn run_queries(report: &Report, tables: &mut Tables, out: &mut ReportResults) -> Result<()> {
    for (page, query) in report.queries() {
        let frame = run_query(&query.sql, tables).map_err(|e| {
            e.context(format!("query `{}`", query.name))
                .at(&page.path)
                .line(query.line)
        })?;
        let table = frame_to_table(&frame).map_err(|e| e.at(&page.path).line(query.line))?;
        out.context.insert(query.name.clone(), table.to_records());
        out.files
            .insert(format!("{}.csv", query.name), table.to_csv().into());
        Arc::make_mut(&mut out.tables).insert(query.name.clone(), table);
        tables.insert(query.name.clone(), frame);
    }
    Ok(())
}

fn add_analysis(
    out: &mut ReportResults,
    name: &str,
    output: AnalysisOutput,
    report: &Report,
    locale: &Locale,
) -> Result<()> {
    let json = serde_json::to_string_pretty(&output.result).map_err(|e| {
        Error::new(format!("cannot serialise the result of analysis `{name}`")).caused_by(e)
    })?;
    out.files.insert(format!("{name}.json"), json.into());
    for (local, table) in output.tables {
        out.files
            .insert(format!("{name}.{local}.csv"), table.to_csv().into());
        Arc::make_mut(&mut out.tables).insert(format!("{name}.{local}"), table);
    }
    for (local, spec) in &output.charts {
        let table_ref = format!("{name}.{}", spec.table);
        let chart = make_chart(
            &format!("{name}.{local}"),
            spec,
            &table_ref,
            &out.tables,
            locale,
        )
        .map_err(|e| {
            e.context(format!("built-in chart of analysis `{name}`"))
                .at(report.index_path())
        })?;
        out.charts.insert(format!("{name}.{local}"), chart);
    }
    out.context.insert(name.to_string(), output.result);
    Ok(())
}

fn make_chart(
    name: &str,
    spec: &ChartSpec,
    table_ref: &str,
    tables: &BTreeMap<String, Table>,
    locale: &Locale,
) -> Result<ChartHtml> {
    let table = tables.get(table_ref).ok_or_else(|| {
        let known: Vec<&str> = tables.keys().map(String::as_str).collect();
        Error::new(format!("chart `{name}`: unknown table `{table_ref}`"))
            .hint(format!("tables of this report: {}", known.join(", ")))
    })?;
    let option = build_option(spec, table, locale.language())
        .map_err(|e| e.context(format!("chart `{name}`")))?;
    let id = name.replace('.', "-");
    Ok(ChartHtml {
        html: chart_html(&id, spec, &option, locale.currency(), locale.language()),
        needs_gl: needs_gl(spec),
    })
}

/// Point an analysis error at the setting it names, inside the analysis'
/// section of the front matter.
fn locate_analysis_error(err: Error, report: &Report, name: &str) -> Error {
    let line = locate_setting(report, name, err.setting_name())
        .or_else(|| report.locate(&format!("analyses.{name}")));
    err.context(format!("analysis `{name}`"))
        .at(report.index_path())
        .maybe_line(line)
}

fn locate_setting(report: &Report, analysis: &str, setting: Option<&str>) -> Option<usize> {
    let setting = setting?;
    let header = format!("[analyses.{analysis}]");
    let lines: Vec<&str> = report.front_matter.lines().collect();
    let start = lines.iter().position(|l| l.trim() == header)?;
    let offset = lines[start + 1..]
        .iter()
        // The section ends at the next table header that is not one of its
        // own sub-tables (e.g. `[[analyses.NAME.relations]]`).
        .take_while(|l| {
            let t = l.trim_start();
            !t.starts_with('[')
                || t.starts_with(&format!("[[analyses.{analysis}."))
                || t.starts_with(&format!("[analyses.{analysis}."))
        })
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(setting) && t[setting.len()..].trim_start().starts_with('=')
        })?;
    Some(report.front_matter_line + start + 1 + offset)
}

/// Resolve and format the report's KPIs.
fn format_kpis(
    report: &Report,
    context: &Map<String, Value>,
    locale: &Locale,
) -> Result<Vec<(String, String)>> {
    report
        .meta
        .kpis
        .iter()
        .map(|kpi| {
            let value = lookup(context, &kpi.value).ok_or_else(|| {
                Error::new(format!("KPI `{}`: unknown reference `{}`", kpi.label, kpi.value))
                    .at(report.index_path())
                    .maybe_line(report.locate(&format!("\"{}\"", kpi.value)))
                    .hint("a KPI value is a dotted path into the results, e.g. `b2b.segments.B2B.aov`; see results/*.json")
            })?;
            Ok((kpi.label.clone(), format_kpi(value, kpi.format, kpi.decimals, locale)))
        })
        .collect()
}

/// Follow a dotted path (`a.b.0.c`) through JSON objects and arrays.
pub fn lookup<'a>(context: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = context.get(parts.next()?)?;
    for part in parts {
        value = match value {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

fn format_kpi(
    value: &Value,
    format: KpiFormat,
    decimals: Option<usize>,
    locale: &Locale,
) -> String {
    let Some(x) = value.as_f64() else {
        return match value {
            Value::String(s) => s.clone(),
            Value::Null => crate::render::locale::MISSING.to_string(),
            other => other.to_string(),
        };
    };
    match format {
        KpiFormat::Number => locale.number(x, decimals.unwrap_or(0)),
        KpiFormat::Money => locale.money(x, None, decimals),
        KpiFormat::Percent => locale.percent(x, decimals.unwrap_or(1)),
        KpiFormat::Ratio => locale.ratio(x, decimals.unwrap_or(1)),
        KpiFormat::Compact => locale.compact(x),
    }
}
