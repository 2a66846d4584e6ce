//! The items of pages generated once per value (`for_each`): the values
//! read from their table, sorted, cut to the top N and given unique slugs;
//! then, per item, the page's SQL queries over the sources split by the key
//! (each source grouped once, not scanned once per item), the split analysis
//! tables and the report charts over them. Item tables and charts join the
//! report's results under `<page>/<slug>/<name>`, so the results cache
//! keeps them like any other.

use super::results::make_chart;
use crate::chart::ChartData;
use crate::content::for_each::{Pattern, slugify};
use crate::content::{ForEach, Page, Report};
use crate::data::sql::bind_item_params;
use crate::data::{Origin, ResultTable, Tables, run_query};
use crate::error::{Error, Result};
use crate::render::locale::Locale;
use crate::table::{Table, cell_text};
use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The name the item's own values have as a table in the page's SQL.
pub const ITEM_TABLE: &str = "item";

/// The pages generated for one `for_each` page, in their order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemPages {
    /// The key column.
    pub key: String,
    /// The items' fields in their table's column order.
    pub fields: Vec<String>,
    pub items: Vec<Item>,
}

/// One generated page: its slug and title, the key's value and the item's
/// fields (a source's key and `rows`, or every column of a table's row).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub slug: String,
    pub title: String,
    pub value: Value,
    pub fields: Map<String, Value>,
}

/// The reference of an item's table or chart among the report's results.
pub fn item_ref(page: &str, slug: &str, name: &str) -> String {
    format!("{page}/{slug}/{name}")
}

/// Whether a result reference belongs to a generated page.
pub fn is_item_ref(name: &str) -> bool {
    name.contains('/')
}

/// The report charts drawn per item of `page`: those over its queries or
/// its split tables (the latter are drawn for the whole report too).
pub fn item_charts<'a>(report: &'a Report, page: &Page) -> Vec<&'a str> {
    let Some(for_each) = &page.for_each else {
        return Vec::new();
    };
    let split = split_names(report, for_each);
    report
        .meta
        .charts
        .iter()
        .filter(|(_, spec)| {
            page.queries.iter().any(|q| q.name == spec.table) || split.contains(&spec.table)
        })
        .map(|(name, _)| name.as_str())
        .collect()
}

/// The report charts that exist only per item: those over the queries of
/// pages generated per value.
pub fn only_per_item(report: &Report) -> Vec<&str> {
    report
        .meta
        .charts
        .iter()
        .filter(|(_, spec)| {
            report
                .pages
                .iter()
                .filter(|p| p.for_each.is_some())
                .any(|p| p.queries.iter().any(|q| q.name == spec.table))
        })
        .map(|(name, _)| name.as_str())
        .collect()
}

/// The tables split by the key on each item's page.
fn split_names(report: &Report, for_each: &ForEach) -> Vec<String> {
    match &for_each.split {
        Some(names) => names.clone(),
        None if report.meta.sources.iter().any(|s| s.name == for_each.table) => {
            vec![for_each.table.clone()]
        }
        None => Vec::new(),
    }
}

/// Everything `compute` reads.
pub struct ItemInputs<'a> {
    pub report: &'a Report,
    /// Sources and report-level query results, by name.
    pub frames: &'a Tables,
    /// Report-level result tables (analyses and queries).
    pub tables: &'a BTreeMap<String, ResultTable>,
    pub locale: &'a Locale,
}

/// What `compute` makes: the items by page slug, and their tables and
/// charts by reference (`item_ref`).
#[derive(Default)]
pub struct Computed {
    pub pages: BTreeMap<String, ItemPages>,
    pub tables: Vec<(String, ResultTable)>,
    pub charts: Vec<(String, ChartData)>,
}

/// The items of every `for_each` page of the report, with their tables
/// and charts.
pub fn compute(inputs: &ItemInputs) -> Result<Computed> {
    let mut out = Computed::default();
    for page in &inputs.report.pages {
        let Some(for_each) = &page.for_each else {
            continue;
        };
        let at_page = |e: Error| {
            let line = for_each.line;
            e.context(format!("page generated for each `{}`", for_each.key))
                .at(&page.path)
                .maybe_line(line)
        };
        let generated = compute_page(inputs, page, for_each).map_err(at_page)?;
        out.tables.extend(generated.tables);
        out.charts.extend(generated.charts);
        out.pages.insert(page.slug.clone(), generated.pages);
    }
    Ok(out)
}

/// One `for_each` page's items with their tables and charts.
struct Generated {
    pages: ItemPages,
    tables: Vec<(String, ResultTable)>,
    charts: Vec<(String, ChartData)>,
}

fn compute_page(inputs: &ItemInputs, page: &Page, for_each: &ForEach) -> Result<Generated> {
    let report = inputs.report;
    let key = for_each.key.as_str();
    let is_source = report.meta.sources.iter().any(|s| s.name == for_each.table);
    let (fields, mut items) = if is_source {
        let frame = inputs
            .frames
            .get(&for_each.table)
            .ok_or_else(|| Error::new(format!("source `{}` was not loaded", for_each.table)))?;
        let fields = vec![key.to_string(), "rows".to_string()];
        (fields, source_items(frame, &for_each.table, key)?)
    } else {
        let table = row_table(inputs, &for_each.table)?;
        let items = row_items(&table, &for_each.table, key)?;
        (table.columns.clone(), items)
    };
    if let Some(sort) = &for_each.sort {
        sort_items(&mut items, sort)?;
    }
    if let Some(limit) = for_each.limit {
        items.truncate(limit);
    }
    let items = name_items(items, for_each)?;
    // Each split table grouped once: its rows by key text.
    let split = split_names(report, for_each);
    let mut frames_by_item: Vec<(String, HashMap<String, DataFrame>)> = Vec::new();
    let mut tables_by_item: Vec<(String, HashMap<String, Table>)> = Vec::new();
    let wanted: HashSet<String> = items.iter().map(|i| cell_text(&i.value)).collect();
    for name in &split {
        if let Some(frame) = inputs.frames.get(name) {
            frames_by_item.push((name.clone(), partition(frame, name, key, &wanted)?));
        } else if let Some(table) = inputs.tables.get(name) {
            let table = table.table()?;
            tables_by_item.push((name.clone(), split_table(&table, name, key)?));
        } else {
            return Err(unknown_table(inputs, name, "split"));
        }
    }
    let per_item: Vec<ItemResults> = items
        .par_iter()
        .map(|item| {
            let text = cell_text(&item.value);
            item_results(inputs, page, item, &text, &frames_by_item, &tables_by_item)
                .map_err(|e| e.context(format!("the page for `{text}`")))
        })
        .collect::<Result<_>>()?;
    let mut tables = Vec::new();
    let mut charts = Vec::new();
    for (t, c) in per_item {
        tables.extend(t);
        charts.extend(c);
    }
    Ok(Generated {
        pages: ItemPages {
            key: key.to_string(),
            fields,
            items,
        },
        tables,
        charts,
    })
}

/// One item's tables and charts, by reference.
type ItemResults = (Vec<(String, ResultTable)>, Vec<(String, ChartData)>);

/// One item's tables (its queries and split tables) and charts.
fn item_results(
    inputs: &ItemInputs,
    page: &Page,
    item: &Item,
    text: &str,
    frames_by_item: &[(String, HashMap<String, DataFrame>)],
    tables_by_item: &[(String, HashMap<String, Table>)],
) -> Result<ItemResults> {
    let mut frames = inputs.frames.clone();
    for (name, parts) in frames_by_item {
        let part = match parts.get(text) {
            Some(part) => part.clone(),
            None => inputs.frames[name].clear(),
        };
        frames.insert(name.clone(), part);
    }
    frames.insert(ITEM_TABLE.to_string(), item_frame(&item.fields)?);
    let mut local: BTreeMap<String, ResultTable> = BTreeMap::new();
    for (name, parts) in tables_by_item {
        let table = parts.get(text).cloned().unwrap_or_else(|| {
            let columns = inputs.tables[name]
                .table()
                .map(|t| t.columns.clone())
                .unwrap_or_default();
            Table::new(columns)
        });
        local.insert(name.clone(), ResultTable::rows(table));
    }
    let fields: Vec<&str> = item.fields.keys().map(String::as_str).collect();
    for query in &page.queries {
        let sql = bind_item_params(&query.sql, &fields, ITEM_TABLE).map_err(|why| {
            Error::new(format!("query `{}`: {why}", query.name))
                .at(&page.path)
                .line(query.line)
        })?;
        let frame = run_query(&sql, &frames).map_err(|e| {
            e.context(format!("query `{}`", query.name))
                .at(&page.path)
                .line(query.line)
        })?;
        let origin = Origin::Query {
            shown: query.shown,
            export: false,
        };
        local.insert(
            query.name.clone(),
            ResultTable::frame(frame.clone(), origin),
        );
        frames.insert(query.name.clone(), frame);
    }
    let mut charts = Vec::new();
    for name in item_charts(inputs.report, page) {
        let spec = inputs.report.meta.charts[name].for_report(&inputs.report.meta.labels);
        let chart = make_chart(name, &spec, &spec.table, &local, inputs.locale).map_err(|e| {
            e.within(
                inputs.report.index_path(),
                inputs.report.locate_key(&["charts", name]),
            )
        })?;
        charts.push((item_ref(&page.slug, &item.slug, name), chart));
    }
    let tables = local
        .into_iter()
        .map(|(name, table)| (item_ref(&page.slug, &item.slug, &name), table))
        .collect();
    Ok((tables, charts))
}

/// A query result or analysis table read as rows.
fn row_table(inputs: &ItemInputs, name: &str) -> Result<std::sync::Arc<Table>> {
    if let Some(table) = inputs.tables.get(name) {
        return table.table();
    }
    Err(unknown_table(inputs, name, "table"))
}

fn unknown_table(inputs: &ItemInputs, name: &str, setting: &str) -> Error {
    let mut known: Vec<&str> = inputs.frames.keys().map(String::as_str).collect();
    known.extend(inputs.tables.keys().map(String::as_str));
    known.sort();
    known.dedup();
    Error::new(format!(
        "`for_each.{setting}`: no table `{name}` in this report"
    ))
    .hint(format!(
        "name a source, a query of another page or an analysis table: {}",
        known.join(", ")
    ))
}

/// One item per distinct value of `key` in a source, in first-seen order,
/// with its value and row count.
fn source_items(frame: &DataFrame, table: &str, key: &str) -> Result<Vec<Item>> {
    let column = key_column(frame, table, key)?;
    let nulls = column.null_count();
    if nulls > 0 {
        return Err(empty_key(table, key, nulls));
    }
    let (values, groups) = key_groups(frame, table, key)?;
    let mut items = Vec::with_capacity(values.len());
    for (value, group) in values.into_iter().zip(groups.iter()) {
        check_key(&value, table, key)?;
        let mut fields = Map::new();
        fields.insert(key.to_string(), value.clone());
        if key != "rows" {
            fields.insert("rows".to_string(), Value::from(group.len()));
        }
        items.push(Item {
            slug: String::new(),
            title: String::new(),
            value,
            fields,
        });
    }
    Ok(items)
}

/// The groups of a frame's rows by `key`, in first-seen order, with each
/// group's key value as JSON (read from one gather of the first rows).
fn key_groups(frame: &DataFrame, table: &str, key: &str) -> Result<(Vec<Value>, GroupPositions)> {
    let fail = |e: PolarsError| Error::new(format!("cannot group `{table}` by `{key}`: {e}"));
    let keys = frame.select([key]).map_err(fail)?;
    let groups = keys.group_by_stable([key]).map_err(fail)?.into_groups();
    let firsts: Vec<IdxSize> = groups.iter().map(|g| g.first()).collect();
    let first_rows = keys
        .take(&IdxCa::from_vec("first".into(), firsts))
        .map_err(fail)?;
    let table = ResultTable::frame(
        first_rows,
        Origin::Query {
            shown: false,
            export: false,
        },
    )
    .table()?;
    let values = table
        .rows
        .iter()
        .map(|row| row.first().cloned().unwrap_or(Value::Null))
        .collect();
    Ok((values, groups))
}

/// One item per row of a query result or analysis table.
fn row_items(table: &Table, name: &str, key: &str) -> Result<Vec<Item>> {
    let index = table.column_index(key).ok_or_else(|| {
        Error::new(format!("table `{name}` has no column `{key}`"))
            .hint(format!("its columns: {}", table.columns.join(", ")))
    })?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut items = Vec::with_capacity(table.len());
    for (row_number, row) in table.rows.iter().enumerate() {
        let value = row[index].clone();
        if value.is_null() {
            return Err(empty_key(name, key, 1).append(format!("(row {})", row_number + 1)));
        }
        check_key(&value, name, key)?;
        let text = cell_text(&value);
        if let Some(first) = seen.insert(text.clone(), row_number) {
            return Err(Error::new(format!(
                "`{key}` = `{text}` appears twice in table `{name}` (rows {} and {}), so it cannot name one page",
                first + 1,
                row_number + 1
            ))
            .hint("make the key unique (GROUP BY it in the query), or generate pages from a source, which makes one page per distinct value"));
        }
        let fields = table
            .columns
            .iter()
            .cloned()
            .zip(row.iter().cloned())
            .collect();
        items.push(Item {
            slug: String::new(),
            title: String::new(),
            value,
            fields,
        });
    }
    Ok(items)
}

fn key_column<'a>(frame: &'a DataFrame, table: &str, key: &str) -> Result<&'a Column> {
    frame.column(key).map_err(|_| {
        let columns: Vec<&str> = frame
            .get_column_names()
            .into_iter()
            .map(|c| c.as_str())
            .collect();
        Error::new(format!("source `{table}` has no column `{key}`"))
            .hint(format!("its columns: {}", columns.join(", ")))
    })
}

fn empty_key(table: &str, key: &str, rows: usize) -> Error {
    Error::new(format!(
        "`{key}` is empty in {rows} row(s) of `{table}`, and an empty value cannot name a page"
    ))
    .hint(format!(
        "leave those rows out with the source's filters (e.g. filters = [\"\\\"{key}\\\" IS NOT NULL\"]), or fill them in the data"
    ))
}

fn check_key(value: &Value, table: &str, key: &str) -> Result<()> {
    if cell_text(value).trim().is_empty() {
        return Err(empty_key(table, key, 1).append("(a value of only spaces)"));
    }
    Ok(())
}

/// Order items by a field, `-field` for descending; nulls last.
fn sort_items(items: &mut [Item], sort: &str) -> Result<()> {
    let (field, descending) = match sort.trim().strip_prefix('-') {
        Some(f) => (f.trim(), true),
        None => (sort.trim(), false),
    };
    if let Some(item) = items.first()
        && !item.fields.contains_key(field)
    {
        let known: Vec<&str> = item.fields.keys().map(String::as_str).collect();
        return Err(Error::new(format!(
            "`for_each.sort`: the items have no field `{field}`"
        ))
        .hint(format!(
            "sort by one of: {} (with - before it for descending)",
            known.join(", ")
        )));
    }
    items.sort_by(|a, b| {
        let (x, y) = (&a.fields[field], &b.fields[field]);
        match (x.is_null(), y.is_null()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            (false, false) => {
                let order = match (x.as_f64(), y.as_f64()) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    _ => cell_text(x).cmp(&cell_text(y)),
                };
                if descending { order.reverse() } else { order }
            }
        }
    });
    Ok(())
}

/// Give each item its title and a unique slug.
fn name_items(mut items: Vec<Item>, for_each: &ForEach) -> Result<Vec<Item>> {
    let key_field = format!("{{{}}}", for_each.key);
    let title = Pattern::parse(for_each.title.as_deref().unwrap_or(&key_field))
        .map_err(|why| Error::new(format!("`for_each.title`: {why}")))?;
    let slug = Pattern::parse(for_each.slug.as_deref().unwrap_or(&key_field))
        .map_err(|why| Error::new(format!("`for_each.slug`: {why}")))?;
    let mut taken: HashMap<String, String> = HashMap::new();
    for item in &mut items {
        let text = cell_text(&item.value);
        item.title = title
            .fill(&item.fields)
            .map_err(|why| Error::new(format!("`for_each.title`: {why}")))?;
        let filled = slug
            .fill(&item.fields)
            .map_err(|why| Error::new(format!("`for_each.slug`: {why}")))?;
        let made = slugify(&filled);
        if made.is_empty() {
            return Err(Error::new(format!(
                "the value `{text}` gives an empty page name (only letters a–z and digits are kept)"
            ))
            .hint("set for_each.slug to a pattern with a field that has letters or digits, e.g. slug = \"{id}\""));
        }
        if let Some(other) = taken.insert(made.clone(), text.clone()) {
            return Err(Error::new(format!(
                "the values `{other}` and `{text}` both give the page name `{made}`"
            ))
            .hint(
                "set for_each.slug to a pattern that tells them apart, e.g. slug = \"{id}-{name}\"",
            ));
        }
        item.slug = made;
    }
    Ok(items)
}

/// A frame's rows grouped by the text of `key`, each group once; only
/// the groups of `wanted` keys are gathered (a top 200 of 30,000 products
/// copies 200 groups, not all).
fn partition(
    frame: &DataFrame,
    table: &str,
    key: &str,
    wanted: &HashSet<String>,
) -> Result<HashMap<String, DataFrame>> {
    key_column(frame, table, key)?;
    let fail = |e: PolarsError| Error::new(format!("cannot group `{table}` by `{key}`: {e}"));
    let (values, groups) = key_groups(frame, table, key)?;
    let mut out = HashMap::with_capacity(wanted.len());
    for (group, value) in groups.iter().zip(&values) {
        let text = cell_text(value);
        if !wanted.contains(&text) {
            continue;
        }
        let rows: Vec<IdxSize> = match group {
            GroupsIndicator::Idx((_, idx)) => idx.to_vec(),
            GroupsIndicator::Slice([first, len]) => (first..first + len).collect(),
        };
        let part = frame
            .take(&IdxCa::from_vec("rows".into(), rows))
            .map_err(fail)?;
        out.insert(text, part);
    }
    Ok(out)
}

/// An analysis table's rows grouped by the text of `key`.
fn split_table(table: &Table, name: &str, key: &str) -> Result<HashMap<String, Table>> {
    let index = table.column_index(key).ok_or_else(|| {
        Error::new(format!(
            "`for_each.split`: table `{name}` has no column `{key}`"
        ))
        .hint(format!("its columns: {}", table.columns.join(", ")))
    })?;
    let mut out: HashMap<String, Table> = HashMap::new();
    for row in &table.rows {
        out.entry(cell_text(&row[index]))
            .or_insert_with(|| Table::new(table.columns.clone()))
            .push(row.clone());
    }
    Ok(out)
}

/// The item's fields as a one-row frame (numbers, text, booleans; null as
/// a null text).
fn item_frame(fields: &Map<String, Value>) -> Result<DataFrame> {
    let columns: Vec<Column> = fields
        .iter()
        .map(|(name, value)| {
            let name = PlSmallStr::from(name.as_str());
            match value {
                Value::Number(n) if n.is_i64() => Column::new(name, [n.as_i64()]),
                Value::Number(n) => Column::new(name, [n.as_f64()]),
                Value::Bool(b) => Column::new(name, [Some(*b)]),
                Value::String(s) => Column::new(name, [Some(s.as_str())]),
                Value::Null => Column::new(name, [None::<&str>]),
                other => Column::new(name, [Some(other.to_string())]),
            }
        })
        .collect();
    DataFrame::new(1, columns).map_err(|e| Error::new(format!("cannot build the item table: {e}")))
}
