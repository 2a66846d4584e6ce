//! A report's Markdown pages through Tera: results in the context, the
//! locale filters, and the functions that place charts, tables and KPI tiles.
//! Tera errors become errors that name the page file and line.

use super::filters::register_filters;
use super::locale::Locale;
use super::placeholders::{block_placeholder, text_placeholder};
use super::references::References;
use super::table_html::{ColumnLinks, TableView, table_html};
use super::tera_error::{self, between};
use crate::chart::ChartData;
use crate::content::{Page, Report};
use crate::data::ResultTable;
use crate::error::{Error, Result};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tera::{Context, Function, Tera};

/// What a report's pages can place by name.
#[derive(Debug, Default)]
pub struct Placeables {
    /// Tables by reference (`b2b.segments`, `top_cities`); each one's CSV
    /// is at `results/<reference>.csv` beside the page. Shared, not copied.
    pub tables: Arc<BTreeMap<String, ResultTable>>,
    /// Charts by reference (`b2b.aov`, `my_chart`), made into HTML when placed.
    pub charts: Arc<BTreeMap<String, ChartData>>,
    /// KPI tiles as (label, formatted value).
    pub kpis: Vec<(String, String)>,
    /// Text of CSV download links.
    pub download_label: String,
    /// Note under a table cut to `MAX_SHOWN_ROWS`, with `{shown}` and
    /// `{total}` in it.
    pub rows_note: String,
    /// The report's display names by column (front-matter `labels`).
    pub labels: BTreeMap<String, String>,
    /// Links to the pages generated per value, by the generating page's
    /// slug, for `table(links="…")`.
    pub links: BTreeMap<String, ColumnLinks>,
    /// On a page generated for one item: the prefix of its own tables and
    /// charts (`<page>/<slug>/`), found before the report's; its tables'
    /// CSV files are at `results/<page>/<slug>/<name>.csv`.
    pub item: Option<String>,
}

impl Placeables {
    /// The table `name` as the page sees it: the item's own first.
    fn table(&self, name: &str) -> Option<&ResultTable> {
        self.item
            .as_ref()
            .and_then(|prefix| self.tables.get(&format!("{prefix}{name}")))
            .or_else(|| self.tables.get(name))
    }

    fn chart(&self, name: &str) -> Option<&ChartData> {
        self.item
            .as_ref()
            .and_then(|prefix| self.charts.get(&format!("{prefix}{name}")))
            .or_else(|| self.charts.get(name))
    }

    /// Names a page can place: the report's, without other items' own.
    fn names<'a, T>(&self, map: &'a BTreeMap<String, T>) -> Vec<&'a str> {
        map.keys()
            .map(|k| match &self.item {
                Some(prefix) => k.strip_prefix(prefix.as_str()).unwrap_or(k),
                None => k.as_str(),
            })
            .filter(|k| !crate::site::items::is_item_ref(k))
            .collect()
    }
}

/// Renders the Markdown of one report's pages through Tera.
pub struct Narrative {
    tera: Tera,
}

impl Narrative {
    /// Parse every page of `report` as a Tera template.
    pub fn new(report: &Report, placeables: Arc<Placeables>, locale: &Locale) -> Result<Self> {
        let pages: Vec<&Page> = report.pages.iter().collect();
        Self::with_pages(&pages, placeables, locale)
    }

    /// Parse the given pages of a report as Tera templates.
    pub fn with_pages(
        pages: &[&Page],
        placeables: Arc<Placeables>,
        locale: &Locale,
    ) -> Result<Self> {
        let mut tera = Tera::default();
        // Every value is written as a placeholder that Markdown cannot
        // read as markup; it becomes escaped text after parsing.
        tera.autoescape_on(vec![""]);
        tera.set_escape_fn(text_placeholder);
        disable_environment(&mut tera);
        register_filters(&mut tera, locale);
        tera.register_function(
            "chart",
            ChartFn {
                placeables: placeables.clone(),
                locale: locale.clone(),
            },
        );
        tera.register_function(
            "table",
            TableFn {
                placeables: placeables.clone(),
                locale: locale.clone(),
            },
        );
        tera.register_function("kpis", KpisFn(placeables));
        let sources: Vec<(String, String)> = pages
            .iter()
            .map(|p| (template_name(p), p.body.clone()))
            .collect();
        super::template_loops::check_loops(&sources, &|name| name.into()).map_err(|e| {
            // Lines count from the page's body; the file's line is later.
            let page = pages.iter().find(|p| Some(p.path.as_path()) == e.path());
            match (page, e.line_number()) {
                (Some(page), Some(line)) => e.relocate_line(page.body_line + line - 1),
                _ => e,
            }
        })?;
        super::text_values::register(&mut tera, locale.language());
        for page in pages {
            let name = template_name(page);
            tera.add_raw_template(&name, &page.body)
                .map_err(|e| page_error(page, &e))?;
            refuse_safe(&tera, page)?;
            if let Some(template) = tera.templates.get_mut(&name) {
                super::text_values::route_through_text(template);
            }
        }
        Ok(Narrative { tera })
    }

    /// What the pages read and place.
    pub fn references(&self) -> References {
        let mut refs = References::default();
        for template in self.tera.templates.values() {
            refs.add_nodes(&template.ast);
        }
        refs
    }

    /// Render one page's Markdown with the given context.
    pub fn render(&self, page: &Page, context: &Context) -> Result<String> {
        // Tera can panic on some inputs (a `for` loop over text with
        // combining marks); that is this page's error, not a crash.
        let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.tera.render(&template_name(page), context)
        }));
        match rendered {
            Ok(result) => result.map_err(|e| page_error(page, &e)),
            Err(_) => Err(Error::new("the template engine failed on this page")
                .at(&page.path)
                .hint("a `{% for %}` loop over a text (not a list) with combining characters is a known cause; loop over a list or a query's rows instead")),
        }
    }
}

/// `get_env` would let a page print the build machine's environment (where
/// credentials live): it is replaced by an error.
pub fn disable_environment(tera: &mut Tera) {
    tera.register_function(
        "get_env",
        |_: &HashMap<String, Value>| -> tera::Result<Value> {
            Err(tera::Error::msg(
                "function `get_env` is disabled: pages and templates cannot read environment variables",
            ))
        },
    );
}

/// The `safe` filter would put a value into the page as markup: refused.
fn refuse_safe(tera: &Tera, page: &Page) -> Result<()> {
    let Ok(template) = tera.get_template(&template_name(page)) else {
        return Ok(());
    };
    let mut refs = References::default();
    refs.add_nodes(&template.ast);
    if !refs.filters.contains("safe") {
        return Ok(());
    }
    let (line, column) = tera_error::find_in_tags(&page.body, "safe").unzip();
    let line = line.map(|l| page.body_line + l);
    Err(Error::new("the `safe` filter is not available in pages")
        .at(&page.path)
        .maybe_line(line)
        .maybe_column(column)
        .hint("values are always shown as text, so data never becomes markup; write the markup in the page itself around the value"))
}

fn template_name(page: &Page) -> String {
    page.path.display().to_string()
}

/// `{{ chart(name="b2b.aov") }}`
struct ChartFn {
    placeables: Arc<Placeables>,
    locale: Locale,
}

impl Function for ChartFn {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let name = string_arg("chart", args, "name")?;
        let placeables = &self.placeables;
        let chart = placeables.chart(&name).ok_or_else(|| {
            unknown(
                "chart",
                &name,
                placeables.names(&placeables.charts).into_iter(),
            )
        })?;
        let html = chart.html(&name, self.locale.currency(), self.locale.language());
        Ok(Value::String(block_placeholder(&html)))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ table(name="b2b.segments", limit=10, percent=["x"], money=["revenue"],
/// columns=["segment", "revenue"], headers=["Segmen", "Pendapatan"]) }}`
struct TableFn {
    placeables: Arc<Placeables>,
    locale: Locale,
}

/// Rows a `table()` without `limit` shows at most (the CSV has them all).
pub const MAX_SHOWN_ROWS: usize = 1000;

/// The arguments `table()` takes.
const TABLE_ARGS: [&str; 8] = [
    "name", "limit", "percent", "money", "columns", "headers", "download", "links",
];

impl Function for TableFn {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let name = string_arg("table", args, "name")?;
        let placeables = &self.placeables;
        let Some(result) = placeables.table(&name) else {
            let names = placeables.names(&placeables.tables);
            return Err(unknown("table", &name, names.into_iter()));
        };
        let limit = match args.get("limit") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                tera::Error::msg(format!(
                    "table `{name}`: `limit` must be a whole number of rows, not {v}"
                ))
            })?),
        }
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        // Only the rows shown are read; without a limit a page shows at
        // most `MAX_SHOWN_ROWS`, and says so.
        let shown = limit.unwrap_or(MAX_SHOWN_ROWS).min(result.len());
        let table = result
            .head(shown)
            .map_err(|e| tera::Error::msg(format!("table `{name}`: {e}")))?;
        let note = (limit.is_none() && result.len() > shown).then(|| {
            self.placeables
                .rows_note
                .replace("{shown}", &self.locale.number(shown as f64, 0))
                .replace("{total}", &self.locale.number(result.len() as f64, 0))
        });
        let mut keys: Vec<&String> = args.keys().collect();
        keys.sort();
        for key in keys {
            if !TABLE_ARGS.contains(&key.as_str()) {
                return Err(tera::Error::msg(format!(
                    "function `table`: unknown argument `{key}`; it takes {}",
                    TABLE_ARGS.join(", ")
                )));
            }
        }
        // `download=false` leaves the link out (and the table unexported);
        // an item's own table is at `results/<page>/<slug>/<name>.csv`.
        let own = placeables
            .item
            .as_ref()
            .map(|prefix| format!("{prefix}{name}"))
            .filter(|reference| placeables.tables.contains_key(reference));
        let csv_url = (args.get("download") != Some(&Value::Bool(false)))
            .then(|| format!("results/{}.csv", own.as_deref().unwrap_or(&name)));
        let links = match args.get("links") {
            None | Some(Value::Null) => None,
            Some(Value::String(page)) => Some(placeables.links.get(page).ok_or_else(|| {
                let pages: Vec<&str> = placeables.links.keys().map(String::as_str).collect();
                tera::Error::msg(format!(
                    "table `{name}`: links=\"{page}\" names no page generated per value (this report has {})",
                    if pages.is_empty() { "none".to_string() } else { pages.join(", ") }
                ))
            })?),
            Some(other) => {
                return Err(tera::Error::msg(format!(
                    "table `{name}`: `links` is the name of a page generated per value, e.g. links=\"negara\", not {other}"
                )));
            }
        };
        let view = TableView {
            note: note.as_deref(),
            percent: list_arg(args, "percent").into_iter().collect(),
            money: list_arg(args, "money").into_iter().collect(),
            columns: list_arg(args, "columns"),
            headers: list_arg(args, "headers"),
            labels: Some(&self.placeables.labels),
            csv_url: csv_url.as_deref(),
            download_label: &self.placeables.download_label,
            links,
        };
        table_html(&table, &view, &self.locale)
            .map(|html| Value::String(block_placeholder(&html)))
            .map_err(|e| {
                let hint = e.hint_text().map(|h| format!(" ({h})")).unwrap_or_default();
                tera::Error::msg(format!("table `{name}`: {}{hint}", e.message()))
            })
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ kpis() }}`: the report's headline KPI tiles.
struct KpisFn(Arc<Placeables>);

impl Function for KpisFn {
    fn call(&self, _args: &HashMap<String, Value>) -> tera::Result<Value> {
        let mut html = String::from("<dl class=\"kpi-grid\">");
        for (label, value) in &self.0.kpis {
            html.push_str(&format!(
                "<div class=\"kpi\"><dt class=\"kpi-label\">{}</dt><dd class=\"kpi-value\">{}</dd></div>",
                crate::chart::escape_html(label),
                crate::chart::escape_html(value)
            ));
        }
        html.push_str("</dl>");
        Ok(Value::String(block_placeholder(&html)))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

fn string_arg(function: &str, args: &HashMap<String, Value>, key: &str) -> tera::Result<String> {
    match args.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(tera::Error::msg(format!(
            "function `{function}` needs {key}=\"...\", e.g. {function}({key}=\"b2b.segments\")"
        ))),
    }
}

/// A list of strings in argument order (a single string is a list of one).
fn list_arg(args: &HashMap<String, Value>, key: &str) -> Vec<String> {
    match args.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => crate::table::cell_text(other),
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn unknown<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a str>) -> tera::Error {
    let known: Vec<&str> = known.collect();
    tera::Error::msg(format!(
        "unknown {what} `{name}` (known: {})",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    ))
}

/// Turn a Tera error into an error naming the page, line and column, with
/// a hint that fits the kind of error.
fn page_error(page: &Page, err: &tera::Error) -> Error {
    let chain = tera_error::chain(err);
    if let Some((line, column)) = tera_error::parse_position(&chain) {
        let expected =
            tera_error::syntax_expectation(&chain).unwrap_or_else(|| "a valid tag".to_string());
        let (line, column, message, hint) =
            tera_error::syntax_error(&page.body, line, column, &expected);
        return Error::new(message)
            .at(&page.path)
            .line(page.body_line + line - 1)
            .column(column)
            .hint(hint);
    }
    let (message, needle, hint) = describe(&chain);
    let called = chain
        .iter()
        .find_map(|p| between(p, "Function call '", "'"));
    let position = match (tera_error::missing_template(&chain), called) {
        (Some(missing), _) => tera_error::find_quoted(&page.body, &missing),
        // A chart or table call that failed: the argument the message
        // quotes, or else the first call of that function.
        (None, Some(function)) => needle
            .as_deref()
            .and_then(|n| tera_error::find_quoted(&page.body, n))
            .or_else(|| tera_error::find_call_missing(&page.body, &function, &chain))
            .or_else(|| tera_error::find_in_tags(&page.body, &function)),
        (None, None) => needle.and_then(|n| tera_error::find_in_tags(&page.body, &n)),
    };
    let (line, column) = position.unzip();
    Error::new(message)
        .at(&page.path)
        .maybe_line(line.map(|l| page.body_line + l))
        .maybe_column(column)
        .hint(hint)
}

/// The most useful message of the chain, the name to look for in the
/// page's tags, and a hint for that kind of error.
fn describe(chain: &[String]) -> (String, Option<String>, String) {
    for part in chain {
        if let Some(var) = between(part, "Variable `", "` not found") {
            let root = tera_error::root_name(&var);
            return (
                format!("unknown reference `{var}`"),
                Some(root),
                "results are named after the analyses and queries of the report's front matter; \
                 check the name, or see results/*.json for the available fields"
                    .to_string(),
            );
        }
        if let Some(filter) = tera_error::not_found(part, "Filter") {
            let ours: Vec<&str> = super::filters::filter_names().collect();
            return (
                format!("unknown filter `{filter}`"),
                Some(filter),
                format!(
                    "the formatting filters are {}, besides Tera's own (upper, round, length, …)",
                    ours.join(", ")
                ),
            );
        }
        if let Some(f) = tera_error::not_found(part, "Function") {
            return (
                format!("unknown function `{f}`"),
                Some(f),
                "pages can call chart(name=\"…\"), table(name=\"…\") and kpis(), \
                 besides Tera's own (range, now, throw)"
                    .to_string(),
            );
        }
    }
    let innermost = chain.last().cloned().unwrap_or_default();
    let message = tera_error::innermost_message(chain);
    let placing = chain
        .iter()
        .find_map(|p| between(p, "Function call '", "'"))
        .filter(|f| ["chart", "table", "kpis"].contains(&f.as_str()));
    if let Some(function) = placing {
        let hint = if message.contains("unknown") {
            "charts and tables are placed by reference: a name of the front matter \
             ([charts.NAME], a query's name) or an analysis' own (`b2b.segments`); \
             see \"Writing the narrative\" in the README"
        } else {
            "the arguments are name=\"…\", and for table() limit=10, columns=[…], \
             headers=[…], percent=[…], money=[…], download=false; see \"Writing the \
             narrative\" in the README"
        };
        return (
            format!("{function}(): {message}"),
            between(&innermost, "`", "`"),
            hint.to_string(),
        );
    }
    let needle = between(&innermost, "`", "`");
    (
        if message.is_empty() {
            "template error".to_string()
        } else {
            message
        },
        needle,
        "check the values this tag or filter is given; the message says what it received"
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Language;
    use serde_json::json;

    fn table_fn() -> TableFn {
        let mut t = crate::table::Table::new(["segment", "revenue"]);
        t.push(vec![json!("B2B"), json!(1500)]);
        let placeables = Placeables {
            tables: Arc::new([("b2b.segments".to_string(), ResultTable::rows(t))].into()),
            ..Placeables::default()
        };
        TableFn {
            placeables: Arc::new(placeables),
            locale: Locale::new(Language::Id, "IDR"),
        }
    }

    fn call(args: Value) -> tera::Result<Value> {
        let args: HashMap<String, Value> = serde_json::from_value(args).unwrap();
        table_fn().call(&args)
    }

    #[test]
    fn table_takes_columns_and_headers() {
        let html = call(json!({
            "name": "b2b.segments",
            "columns": ["revenue", "segment"],
            "headers": ["Pendapatan", "Segmen"],
            "money": ["revenue"],
        }))
        .unwrap();
        let html = crate::render::placeholders::resolve_html(html.as_str().unwrap());
        assert!(
            html.contains(">Pendapatan</th><th scope=\"col\">Segmen</th>"),
            "{html}"
        );
        assert!(html.contains(">Rp 1.500</td><td>B2B</td>"), "{html}");
    }

    #[test]
    fn table_shows_its_limit_or_at_most_the_cap_with_a_note() {
        let mut t = crate::table::Table::new(["n"]);
        for i in 0..MAX_SHOWN_ROWS + 5 {
            t.push(vec![json!(i)]);
        }
        let placeables = Placeables {
            tables: Arc::new([("big".to_string(), ResultTable::rows(t))].into()),
            rows_note: "{shown} of {total}".into(),
            ..Placeables::default()
        };
        let f = TableFn {
            placeables: Arc::new(placeables),
            locale: Locale::new(Language::En, "USD"),
        };
        let html = |args: Value| {
            let args: HashMap<String, Value> = serde_json::from_value(args).unwrap();
            let out = f.call(&args).unwrap();
            crate::render::placeholders::resolve_html(out.as_str().unwrap())
        };
        let two = html(json!({"name": "big", "limit": 2}));
        assert_eq!(two.matches("<tr>").count(), 3, "header and two rows");
        assert!(!two.contains("table-note"));
        let capped = html(json!({"name": "big"}));
        assert_eq!(capped.matches("<tr>").count(), MAX_SHOWN_ROWS + 1);
        assert!(
            capped.contains("<p class=\"table-note\">1,000 of 1,005</p>"),
            "{capped}"
        );
    }

    #[test]
    fn table_errors_name_the_table_and_the_arguments() {
        let err = call(json!({"name": "b2b.segments", "headers": ["A"]})).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("table `b2b.segments`: `headers` needs one name per shown column, 2"),
            "{msg}"
        );
        let err = call(json!({"name": "b2b.segments", "header": ["A"]})).unwrap_err();
        assert!(
            err.to_string().contains("unknown argument `header`"),
            "{err}"
        );
        assert!(err.to_string().contains("columns, headers"), "{err}");
    }
}
