//! Running one report: load its sources, run its SQL queries and analyses,
//! build its charts and resolve its KPIs. The results are data only — result
//! JSON, tables, chart options, KPI values — and pages, exports and
//! formatted numbers are made from them when the site is rendered, so cached
//! results never carry the output of another build.

use super::exports::ExportMemo;
use super::progress::{Progress, count};
use crate::analysis::{AnalysisContext, AnalysisOutput, AnalysisSpec};
use crate::chart::{ChartData, ChartSpec};
use crate::content::{KpiFormat, Report};
use crate::data::external::pushdown::Pushed;
use crate::data::{Origin, ResultTable, SourceKind, SourceSpec, Tables, load_columns, run_query};
use crate::error::{Error, Result};
use crate::render::locale::Locale;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Everything a report's pages can use, computed once per build.
#[derive(Debug, Default)]
pub struct ReportResults {
    /// Analysis results (unrounded) by analysis name.
    pub analyses: BTreeMap<String, Value>,
    /// Result tables by reference (`analysis.table`, or a query name).
    pub tables: Arc<BTreeMap<String, ResultTable>>,
    /// Charts by reference (`analysis.chart`, or a report chart name).
    pub charts: Arc<BTreeMap<String, ChartData>>,
    /// Headline KPIs with their values.
    pub kpis: Vec<KpiValue>,
    /// The items of each page generated per value, by page slug (their
    /// tables and charts are in `tables` and `charts`).
    pub items: BTreeMap<String, super::items::ItemPages>,
    /// Rows read and kept per source.
    pub sources: Vec<SourceStats>,
    /// The export files made from these results, remembered.
    pub(crate) exports: ExportMemo,
}

/// A KPI with its value, formatted when a page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiValue {
    pub label: String,
    pub value: Value,
    pub format: KpiFormat,
    pub decimals: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceStats {
    pub name: String,
    pub rows_read: usize,
    pub rows_kept: usize,
    /// What reading it found worth telling (e.g. lines padded).
    #[serde(default)]
    pub notes: Vec<String>,
    /// The files read, and the filter that left no row (for errors of
    /// this build; not cached, so no machine path is stored).
    #[serde(skip)]
    pub files: Vec<std::path::PathBuf>,
    #[serde(skip)]
    pub emptied_by: Option<String>,
}

impl SourceStats {
    /// Why an analysis found this source empty, when it is.
    fn emptiness(&self) -> Option<(String, String)> {
        if self.rows_kept > 0 {
            return None;
        }
        let files: Vec<String> = self.files.iter().map(|f| f.display().to_string()).collect();
        let files = files.join(", ");
        Some(match &self.emptied_by {
            Some(filter) => (
                format!(
                    "source `{}` has no rows left: its filter `{filter}` removed all {} rows read from {files}",
                    self.name, self.rows_read
                ),
                "check the filter's values against the data (text compares exactly, with its case and spaces)".to_string(),
            ),
            None => (
                format!("source `{}` has no rows: {files} holds no data rows", self.name),
                "add rows to the file, or point `path` at the file with the data".to_string(),
            ),
        })
    }
}

/// How many progress steps `compute` reports for `report`.
pub fn steps(report: &Report) -> usize {
    let generated = report.pages.iter().any(|p| p.for_each.is_some());
    let queries = report
        .queries()
        .filter(|(p, _)| p.for_each.is_none())
        .count();
    report.meta.sources.len() + queries + report.meta.analyses.len() + usize::from(generated)
}

/// Compute a report's results, reporting each source, query and analysis
/// to `progress`.
pub fn compute(
    report: &Report,
    data_dir: &Path,
    locale: &Locale,
    progress: &dyn Progress,
) -> Result<ReportResults> {
    let index = report.index_path();
    let mut out = ReportResults::default();
    let mut frames = load_tables(report, data_dir, &mut out, progress)?;
    let mut tables = BTreeMap::new();
    run_queries(report, &mut frames, &mut tables, progress)?;
    let run = |&(name, spec): &(&String, &AnalysisSpec)| -> Result<(String, AnalysisOutput)> {
        let ctx = AnalysisContext {
            tables: &frames,
            language: locale.language(),
        };
        let step = format!("analysis {name}");
        progress.started(&report.slug, &step);
        let output = match report.meta.pushed.get(name) {
            Some(pushed) => {
                read_aggregate(pushed).and_then(|a| spec.run_pushed(&ctx, a, pushed.order_groups))
            }
            None => spec.run(&ctx),
        }
        .map_err(|e| {
            let empty = out
                .sources
                .iter()
                .find(|s| s.name == spec.table())
                .and_then(SourceStats::emptiness);
            let e = match empty {
                Some((why, hint)) => e.append(why).replace_hint(hint),
                None => e,
            };
            locate_analysis_error(e, report, name)
        })?;
        progress.finished(&report.slug, &step, "", 1);
        Ok((name.clone(), output))
    };
    // Analyses over one source's order groups run one after another, each
    // reading its columns of them (each holds millions of customers),
    // cohorts first and RFM last (its result keeps a row per customer); the
    // others side by side, meanwhile.
    let (mut in_turn, others): (Vec<_>, Vec<_>) =
        report.meta.analyses.iter().partition(|(name, _)| {
            report
                .meta
                .pushed
                .get(*name)
                .is_some_and(|p| p.order_groups)
        });
    in_turn.sort_by_key(|(_, spec)| match spec {
        AnalysisSpec::Cohorts(_) => 0,
        AnalysisSpec::Rfm(_) => 2,
        _ => 1,
    });
    let (outputs, in_turn) = rayon::join(
        || others.par_iter().map(run).collect::<Result<Vec<_>>>(),
        || in_turn.iter().map(run).collect::<Result<Vec<_>>>(),
    );
    let mut outputs = outputs?;
    outputs.extend(in_turn?);
    outputs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut charts = BTreeMap::new();
    for (name, output) in outputs {
        add_analysis(
            &mut out,
            &mut tables,
            &mut charts,
            &name,
            output,
            report,
            locale,
        )?;
    }
    // Pages generated per value read the sources split by their key.
    let item_charts = super::items::only_per_item(report);
    if report.pages.iter().any(|p| p.for_each.is_some()) {
        let step = "generated pages";
        progress.started(&report.slug, step);
        let inputs = super::items::ItemInputs {
            report,
            frames: &frames,
            tables: &tables,
            locale,
        };
        let generated = super::items::compute(&inputs)?;
        tables.extend(generated.tables);
        charts.extend(generated.charts);
        out.items = generated.pages;
        let pages: usize = out.items.values().map(|p| p.items.len()).sum();
        progress.finished(&report.slug, step, &format!("{} pages", count(pages)), 1);
    }
    // The sources and working frames are no longer needed.
    drop(frames);
    for (name, spec) in &report.meta.charts {
        if item_charts.contains(&name.as_str()) {
            continue;
        }
        let spec = &spec.for_report(&report.meta.labels);
        let chart = make_chart(name, spec, &spec.table, &tables, locale).map_err(|e| {
            let setting = e.setting_name().unwrap_or("table").to_string();
            e.within(&index, report.locate_key(&["charts", name, &setting]))
        })?;
        charts.insert(name.clone(), chart);
    }
    out.kpis = resolve_kpis(report, &out.analyses, &tables)?;
    out.tables = Arc::new(tables);
    out.charts = Arc::new(charts);
    Ok(out)
}

fn load_tables(
    report: &Report,
    data_dir: &Path,
    out: &mut ReportResults,
    progress: &dyn Progress,
) -> Result<Tables> {
    let wanted = super::needs::wanted_columns(report);
    // A database source whose analyses all ran on the server was not
    // fetched: nothing reads its rows.
    let read: Vec<&SourceSpec> = report
        .meta
        .sources
        .iter()
        .filter(|s| s.kind() == SourceKind::File || s.fetched.is_some())
        .collect();
    let loaded: Vec<_> = read
        .par_iter()
        .map(|spec| {
            let step = format!("load {}", spec.name);
            progress.started(&report.slug, &step);
            let columns = wanted.get(&spec.name).cloned().unwrap_or_default();
            let source = load_columns(spec, data_dir, &columns).map_err(|e| {
                let setting = e.setting_name().unwrap_or("path").to_string();
                let index = report.meta.sources.iter().position(|s| s.name == spec.name);
                let index = index.unwrap_or(0).to_string();
                e.within(
                    report.index_path(),
                    report.locate_key(&["sources", &index, &setting]),
                )
            })?;
            let detail = if source.rows_kept == source.rows_read {
                format!("{} rows", count(source.rows_read))
            } else {
                format!(
                    "{} rows, {} kept",
                    count(source.rows_read),
                    count(source.rows_kept)
                )
            };
            progress.finished(&report.slug, &step, &detail, 1);
            Ok(source)
        })
        .collect::<Result<_>>()?;
    let mut tables = Tables::new();
    for (spec, source) in read.iter().zip(loaded) {
        out.sources.push(SourceStats {
            name: spec.name.clone(),
            rows_read: source.rows_read,
            rows_kept: source.rows_kept,
            notes: source.notes,
            files: source.files,
            emptied_by: source.emptied_by,
        });
        tables.insert(spec.name.clone(), source.frame);
    }
    Ok(tables)
}

/// The aggregate a database computed for an analysis: its own columns
/// only, under their own names, when it shared the query.
fn read_aggregate(pushed: &Pushed) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::SerReader;
    let path = &pushed.fetched.file;
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let reader = polars::prelude::ParquetReader::new(file);
    let Some(columns) = &pushed.columns else {
        return reader.finish().map_err(|e| Error::from(e).at(path));
    };
    let stored: Vec<String> = columns.iter().map(|(s, _)| s.clone()).collect();
    let mut frame = reader
        .with_columns(Some(stored))
        .finish()
        .map_err(|e| Error::from(e).at(path))?;
    for (stored, read_as) in columns {
        if stored != read_as {
            frame
                .rename(stored, read_as.into())
                .map_err(|e| Error::from(e).at(path))?;
        }
    }
    Ok(frame)
}

/// Queries run in page order; each sees the sources and the queries before
/// it. (Run side by side they were slower: each query already spreads over
/// every core.) Results stay polars frames: they become JSON cells only if
/// a page, chart or export uses them.
fn run_queries(
    report: &Report,
    frames: &mut Tables,
    tables: &mut BTreeMap<String, ResultTable>,
    progress: &dyn Progress,
) -> Result<()> {
    // A generated page's queries run once per item (see `items`).
    for (page, query) in report.queries().filter(|(p, _)| p.for_each.is_none()) {
        let step = format!("query {}", query.name);
        progress.started(&report.slug, &step);
        let frame = run_query(&query.sql, frames).map_err(|e| {
            let (line, column) = crate::data::sql::error_position(&query.sql, e.message());
            e.context(format!("query `{}`", query.name))
                .at(&page.path)
                .line(query.line + line)
                .maybe_column(column)
        })?;
        let rows = format!("{} rows", count(frame.height()));
        progress.finished(&report.slug, &step, &rows, 1);
        let origin = Origin::Query {
            shown: query.shown,
            export: query.export,
        };
        tables.insert(
            query.name.clone(),
            ResultTable::frame(frame.clone(), origin),
        );
        frames.insert(query.name.clone(), frame);
    }
    Ok(())
}

fn add_analysis(
    out: &mut ReportResults,
    tables: &mut BTreeMap<String, ResultTable>,
    charts: &mut BTreeMap<String, ChartData>,
    name: &str,
    output: AnalysisOutput,
    report: &Report,
    locale: &Locale,
) -> Result<()> {
    for (local, table) in output.tables {
        tables.insert(format!("{name}.{local}"), ResultTable::rows(table));
    }
    for (local, frame) in output.frames {
        tables.insert(
            format!("{name}.{local}"),
            ResultTable::analysis_frame(frame),
        );
    }
    for (local, spec) in &output.charts {
        let spec = &spec.for_report(&report.meta.labels);
        let table_ref = format!("{name}.{}", spec.table);
        let chart = make_chart(&format!("{name}.{local}"), spec, &table_ref, tables, locale)
            .map_err(|e| {
                e.context(format!("built-in chart of analysis `{name}`"))
                    .at(report.index_path())
            })?;
        charts.insert(format!("{name}.{local}"), chart);
    }
    out.analyses.insert(name.to_string(), output.result);
    Ok(())
}

pub(super) fn make_chart(
    name: &str,
    spec: &ChartSpec,
    table_ref: &str,
    tables: &BTreeMap<String, ResultTable>,
    locale: &Locale,
) -> Result<ChartData> {
    let table = tables.get(table_ref).ok_or_else(|| {
        let known: Vec<&str> = tables.keys().map(String::as_str).collect();
        Error::new(format!("chart `{name}`: unknown table `{table_ref}`"))
            .hint(format!("tables of this report: {}", known.join(", ")))
    })?;
    let table = table
        .table()
        .map_err(|e| e.context(format!("chart `{name}`")))?;
    ChartData::build(spec, &table, locale.language())
        .map_err(|e| e.context(format!("chart `{name}`")))
}

/// Point an analysis error at the setting it names (its key's own line
/// and column), or at the analysis' section.
fn locate_analysis_error(err: Error, report: &Report, name: &str) -> Error {
    let keys: Vec<&str> = ["analyses", name]
        .into_iter()
        .chain(err.setting_name().into_iter().flat_map(|s| s.split('.')))
        .collect();
    let position = report.locate_key(&keys);
    err.context(format!("analysis `{name}`"))
        .within(report.index_path(), position)
}

/// Resolve the report's KPIs to their values.
fn resolve_kpis(
    report: &Report,
    analyses: &BTreeMap<String, Value>,
    tables: &BTreeMap<String, ResultTable>,
) -> Result<Vec<KpiValue>> {
    report
        .meta
        .kpis
        .iter()
        .map(|kpi| {
            let value = lookup(analyses, tables, &kpi.value)?.ok_or_else(|| {
                Error::new(format!("KPI `{}`: unknown reference `{}`", kpi.label, kpi.value))
                    .at(report.index_path())
                    .maybe_line(report.locate(&format!("\"{}\"", kpi.value)))
                    .hint("a KPI value is a dotted path into the results, e.g. `b2b.segments.B2B.aov` or `my_query.0.revenue`; see results/*.json")
            })?;
            let numeric = !matches!(kpi.format, KpiFormat::Number);
            if numeric && !(value.is_number() || value.is_null()) {
                return Err(Error::new(format!(
                    "KPI `{}`: `{}` is {}, which cannot be formatted as {}",
                    kpi.label,
                    kpi.value,
                    crate::render::tera_error::bounded_value(&value),
                    format!("{:?}", kpi.format).to_lowercase()
                ))
                .at(report.index_path())
                .maybe_line(report.locate(&format!("\"{}\"", kpi.value)))
                .hint("point the KPI at a number, or leave `format` out to show the value as it is"));
            }
            Ok(KpiValue {
                label: kpi.label.clone(),
                value,
                format: kpi.format,
                decimals: kpi.decimals,
            })
        })
        .collect()
}

/// Follow a dotted path (`a.b.0.c`) into an analysis result, or into a
/// query's rows (`query.0.column`).
fn lookup(
    analyses: &BTreeMap<String, Value>,
    tables: &BTreeMap<String, ResultTable>,
    path: &str,
) -> Result<Option<Value>> {
    let mut parts = path.split('.');
    let Some(root) = parts.next() else {
        return Ok(None);
    };
    if let Some(result) = analyses.get(root) {
        return Ok(follow(result, parts).cloned());
    }
    let Some(query) = tables.get(root).filter(|t| t.origin() != Origin::Analysis) else {
        return Ok(None);
    };
    let table = query.table()?;
    let row = parts.next().and_then(|p| p.parse::<usize>().ok());
    let Some(row) = row.and_then(|r| table.rows.get(r)) else {
        return Ok(None);
    };
    let Some(column) = parts.next().and_then(|c| table.column_index(c)) else {
        return Ok(None);
    };
    Ok(follow(&row[column], parts).cloned())
}

fn follow<'a, 'p>(mut value: &'a Value, parts: impl Iterator<Item = &'p str>) -> Option<&'a Value> {
    for part in parts {
        value = match value {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}
