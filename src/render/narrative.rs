//! A report's Markdown pages through Tera: results in the context, the
//! locale filters, and the functions that place charts, tables and KPI tiles.
//! Tera errors become errors that name the page file and line.

use super::filters::register_filters;
use super::locale::Locale;
use super::placeholders::{block_placeholder, text_placeholder};
use super::references::References;
use super::table_html::{TableView, table_html};
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
}

/// Renders the Markdown of one report's pages through Tera.
pub struct Narrative {
    tera: Tera,
}

impl Narrative {
    /// Parse every page of `report` as a Tera template.
    pub fn new(report: &Report, placeables: Arc<Placeables>, locale: &Locale) -> Result<Self> {
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
        for page in &report.pages {
            tera.add_raw_template(&template_name(page), &page.body)
                .map_err(|e| page_error(page, &e))?;
            refuse_safe(&tera, page)?;
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
        self.tera
            .render(&template_name(page), context)
            .map_err(|e| page_error(page, &e))
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
    let line = find_line(&page.body, "safe").map(|l| page.body_line + l);
    Err(Error::new("the `safe` filter is not available in pages")
        .at(&page.path)
        .maybe_line(line)
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
        let charts = &self.placeables.charts;
        let chart = charts
            .get(&name)
            .ok_or_else(|| unknown("chart", &name, charts.keys()))?;
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
const TABLE_ARGS: [&str; 7] = [
    "name", "limit", "percent", "money", "columns", "headers", "download",
];

impl Function for TableFn {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let name = string_arg("table", args, "name")?;
        let Some(result) = self.placeables.tables.get(&name) else {
            return Err(unknown("table", &name, self.placeables.tables.keys()));
        };
        let limit = args
            .get("limit")
            .and_then(Value::as_u64)
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
        // `download=false` leaves the link out (and the table unexported).
        let csv_url = (args.get("download") != Some(&Value::Bool(false)))
            .then(|| format!("results/{name}.csv"));
        let view = TableView {
            note: note.as_deref(),
            percent: list_arg(args, "percent").into_iter().collect(),
            money: list_arg(args, "money").into_iter().collect(),
            columns: list_arg(args, "columns"),
            headers: list_arg(args, "headers"),
            csv_url: csv_url.as_deref(),
            download_label: &self.placeables.download_label,
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

fn unknown<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a String>) -> tera::Error {
    let known: Vec<&str> = known.map(String::as_str).collect();
    tera::Error::msg(format!(
        "unknown {what} `{name}` (known: {})",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    ))
}

/// Turn a Tera error into an error naming the page and the line.
fn page_error(page: &Page, err: &tera::Error) -> Error {
    let chain = tera_error::chain(err);
    let (message, needle) = describe(&chain);
    let line = tera_error::parse_line(&chain)
        .map(|l| page.body_line + l - 1)
        .or_else(|| {
            needle
                .and_then(|n| find_line(&page.body, &n))
                .map(|l| page.body_line + l)
        });
    Error::new(message).at(&page.path).maybe_line(line).hint(
        "results are named after the analyses and queries of the report's front matter; \
               check the name, or see results/*.json for the available fields",
    )
}

/// The most useful message of the chain and a text to look for in the page.
fn describe(chain: &[String]) -> (String, Option<String>) {
    let innermost = chain.last().cloned().unwrap_or_default();
    for part in chain {
        if let Some(var) = between(part, "Variable `", "` not found") {
            return (format!("unknown reference `{var}`"), Some(var));
        }
        if let Some(filter) = between(part, "Filter `", "` not found") {
            return (
                format!("unknown filter `{filter}`"),
                Some(format!("| {filter}")).or(Some(filter)),
            );
        }
        if let Some(f) = between(part, "Function `", "` not found") {
            return (format!("unknown function `{f}`"), Some(format!("{f}(")));
        }
    }
    let needle = between(&innermost, "`", "`");
    (
        innermost
            .lines()
            .next()
            .unwrap_or("template error")
            .to_string(),
        needle,
    )
}

/// 0-based line of the first line in `body` containing `needle`.
fn find_line(body: &str, needle: &str) -> Option<usize> {
    body.lines().position(|l| l.contains(needle)).or_else(|| {
        let last = needle.rsplit('.').next()?;
        body.lines().position(|l| l.contains(last))
    })
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
