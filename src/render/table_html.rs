//! Result tables as HTML: the columns picked for the page under their
//! display names (explicit `headers`, else the report's `labels`, else the
//! built-in or humanised names), escaped cells, numbers formatted for the
//! locale with their raw value kept for sorting (money with its symbol,
//! shares as percentages), booleans as words, and a CSV download link (of
//! the whole table).

use super::locale::{Locale, MISSING};
use crate::chart::escape_html;
use crate::error::{Error, Result};
use crate::table::Table;
use crate::table::names::{self, ColumnNames};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// How to show a table.
#[derive(Clone, Debug, Default)]
pub struct TableView<'a> {
    /// A note shown under the table (e.g. that it shows only its first rows).
    pub note: Option<&'a str>,
    /// Columns shown as percentages (values are ratios); columns whose name
    /// contains `share`, `rate` or `pct`, or ends in `_mom`, and the built-in
    /// ratio columns (`names::is_percent`) are by default.
    pub percent: BTreeSet<String>,
    /// Columns shown as money in the locale's currency; the built-in money
    /// columns (`names::is_money`) are by default.
    pub money: BTreeSet<String>,
    /// Columns to show, in this order; every column, in table order, when
    /// empty.
    pub columns: Vec<String>,
    /// Header texts of the shown columns, in order; the columns' display
    /// names when empty.
    pub headers: Vec<String>,
    /// The report's display names by column (front-matter `labels`).
    pub labels: Option<&'a BTreeMap<String, String>>,
    /// Relative URL of the table's CSV, for the download link.
    pub csv_url: Option<&'a str>,
    /// Text of the download link.
    pub download_label: &'a str,
    /// A column whose cells link to pages, by cell text.
    pub links: Option<&'a ColumnLinks>,
}

/// Links from the cells of one column to pages: `urls` by the cell's text,
/// relative to the report's folder.
#[derive(Clone, Debug, Default)]
pub struct ColumnLinks {
    pub column: String,
    pub urls: std::collections::HashMap<String, String>,
}

/// The table as one line of HTML (it is placed inside Markdown). A
/// `columns` entry the table lacks, or a `headers` list whose length is not
/// the number of shown columns, is an error.
pub fn table_html(table: &Table, view: &TableView, locale: &Locale) -> Result<String> {
    let shown = shown_columns(table, view)?;
    let mut html = String::from(
        "<div class=\"table-block\"><div class=\"table-wrap\"><table class=\"data-table\"><thead><tr>",
    );
    let kinds: Vec<CellKind> = shown
        .iter()
        .map(|&i| column_kind(&table.columns[i], view))
        .collect();
    let names = ColumnNames {
        language: locale.language(),
        labels: view.labels,
    };
    for (n, &i) in shown.iter().enumerate() {
        let numeric = table.rows.iter().any(|r| r[i].is_number());
        let class = if numeric { " class=\"num\"" } else { "" };
        let header = match view.headers.get(n) {
            Some(header) => header.clone(),
            None => names.get(&table.columns[i]),
        };
        let _ = write!(
            html,
            "<th scope=\"col\"{class}>{}</th>",
            escape_html(&header)
        );
    }
    html.push_str("</tr></thead><tbody>");
    let linked = view
        .links
        .and_then(|l| Some((table.column_index(&l.column)?, &l.urls)));
    for row in &table.rows {
        html.push_str("<tr>");
        for (&i, kind) in shown.iter().zip(&kinds) {
            let link = linked
                .filter(|(column, _)| *column == i)
                .and_then(|(_, urls)| urls.get(&crate::table::cell_text(&row[i])));
            write_cell(&mut html, &row[i], *kind, locale, link.map(String::as_str));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    if let Some(note) = view.note {
        let _ = write!(html, "<p class=\"table-note\">{}</p>", escape_html(note));
    }
    if let Some(url) = view.csv_url {
        let _ = write!(
            html,
            "<p class=\"table-actions\"><a href=\"{}\" download>{}</a></p>",
            escape_html(url),
            escape_html(view.download_label)
        );
    }
    html.push_str("</div>");
    Ok(html)
}

/// Positions of the columns the view shows, checked against the table.
fn shown_columns(table: &Table, view: &TableView) -> Result<Vec<usize>> {
    let shown = if view.columns.is_empty() {
        (0..table.columns.len()).collect()
    } else {
        view.columns
            .iter()
            .map(|name| {
                table.column_index(name).ok_or_else(|| {
                    Error::new(format!(
                        "`columns` names `{name}`, which the table does not have (columns: {})",
                        table.columns.join(", ")
                    ))
                    .hint("list columns of the table, in the order to show them")
                })
            })
            .collect::<Result<Vec<_>>>()?
    };
    if !view.headers.is_empty() && view.headers.len() != shown.len() {
        return Err(Error::new(format!(
            "`headers` needs one name per shown column, {} ({}), but has {}",
            shown.len(),
            shown
                .iter()
                .map(|&i| table.columns[i].as_str())
                .collect::<Vec<_>>()
                .join(", "),
            view.headers.len()
        ))
        .hint("give one header per shown column, or pick the columns with `columns=[...]`"));
    }
    Ok(shown)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum CellKind {
    Plain,
    Percent,
    Money,
}

fn column_kind(name: &str, view: &TableView) -> CellKind {
    if view.money.contains(name) {
        CellKind::Money
    } else if view.percent.contains(name) || names::is_percent(name) {
        CellKind::Percent
    } else if names::is_money(name) {
        CellKind::Money
    } else {
        CellKind::Plain
    }
}

/// One cell; with `link`, its text is a link to that URL.
fn write_cell(
    html: &mut String,
    cell: &Value,
    kind: CellKind,
    locale: &Locale,
    link: Option<&str>,
) {
    let Some(url) = link else {
        return write_plain_cell(html, cell, kind, locale);
    };
    let mut plain = String::new();
    write_plain_cell(&mut plain, cell, kind, locale);
    // `<td…>text</td>` with the text inside the link.
    let (open, rest) = plain.split_once('>').unwrap_or(("<td", &plain));
    let text = rest.strip_suffix("</td>").unwrap_or(rest);
    let _ = write!(
        html,
        "{open}><a href=\"{}\">{text}</a></td>",
        escape_html(url)
    );
}

fn write_plain_cell(html: &mut String, cell: &Value, kind: CellKind, locale: &Locale) {
    match cell {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            let text = match kind {
                CellKind::Percent => locale.percent(x, 1),
                CellKind::Money => locale.money(x, None, None),
                CellKind::Plain if n.is_i64() || n.is_u64() => locale.number(x, 0),
                CellKind::Plain => locale.number(x, 2),
            };
            let _ = write!(html, "<td class=\"num\" data-value=\"{n}\">{text}</td>");
        }
        Value::Null => {
            let _ = write!(html, "<td>{MISSING}</td>");
        }
        Value::String(s) => {
            let _ = write!(html, "<td>{}</td>", escape_html(s));
        }
        Value::Bool(b) => {
            let _ = write!(html, "<td>{}</td>", names::bool_text(*b, locale.language()));
        }
        other => {
            let _ = write!(html, "<td>{}</td>", escape_html(&other.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Language;
    use serde_json::json;

    fn sample() -> Table {
        let mut t = Table::new(["category", "qty", "revenue", "share"]);
        t.push(vec![
            json!("<b>Set</b>"),
            json!(1234),
            json!(1500.5),
            json!(0.125),
        ]);
        t.push(vec![json!("kurta"), Value::Null, json!(2.0), json!(0.5)]);
        t
    }

    #[test]
    fn cells_are_escaped_and_formatted_for_the_locale() {
        let view = TableView {
            money: ["revenue".to_string()].into(),
            csv_url: Some("results/x.csv"),
            download_label: "Unduh CSV",
            ..TableView::default()
        };
        let html = table_html(&sample(), &view, &Locale::new(Language::Id, "IDR")).unwrap();
        assert!(html.contains("<td>&lt;b&gt;Set&lt;/b&gt;</td>"), "{html}");
        assert!(!html.contains("<b>Set"));
        assert!(html.contains("data-value=\"1234\">1.234</td>"));
        assert!(html.contains(">Rp 1.501</td>"));
        assert!(html.contains(">12,5%</td>"));
        assert!(html.contains("<td>–</td>"));
        assert!(html.contains("href=\"results/x.csv\" download>Unduh CSV</a>"));
        assert!(!html.contains('\n'));
    }

    #[test]
    fn a_note_goes_under_the_table_escaped() {
        let view = TableView {
            note: Some("first <2> rows"),
            ..TableView::default()
        };
        let html = table_html(&sample(), &view, &Locale::new(Language::En, "USD")).unwrap();
        assert!(html.contains("</table></div><p class=\"table-note\">first &lt;2&gt; rows</p>"));
    }

    #[test]
    fn headers_rename_every_column_in_order() {
        let view = TableView {
            headers: vec![
                "Kategori".into(),
                "Unit".into(),
                "<Omzet>".into(),
                "Porsi".into(),
            ],
            ..TableView::default()
        };
        let html = table_html(&sample(), &view, &Locale::new(Language::Id, "IDR")).unwrap();
        assert!(
            html.contains(
                "<tr><th scope=\"col\">Kategori</th><th scope=\"col\" class=\"num\">Unit</th>\
             <th scope=\"col\" class=\"num\">&lt;Omzet&gt;</th>\
             <th scope=\"col\" class=\"num\">Porsi</th></tr>"
            ),
            "{html}"
        );
    }

    #[test]
    fn columns_pick_and_order_cells_and_keep_their_formats() {
        let view = TableView {
            columns: vec!["share".into(), "category".into()],
            headers: vec!["Porsi".into(), "Kategori".into()],
            ..TableView::default()
        };
        let html = table_html(&sample(), &view, &Locale::new(Language::Id, "IDR")).unwrap();
        assert!(
            html.contains(
                "<th scope=\"col\" class=\"num\">Porsi</th><th scope=\"col\">Kategori</th>"
            )
        );
        // Rows hold the picked cells in the picked order; `share` still
        // formats as a percentage (0.5 -> 50,0%).
        assert!(
            html.contains("<tr><td class=\"num\" data-value=\"0.5\">50,0%</td><td>kurta</td></tr>"),
            "{html}"
        );
        assert!(!html.contains("1.234"));
    }

    #[test]
    fn unknown_columns_and_miscounted_headers_are_errors() {
        let locale = Locale::new(Language::En, "USD");
        let view = TableView {
            columns: vec!["qty".into(), "revnue".into()],
            ..TableView::default()
        };
        let err = table_html(&sample(), &view, &locale).unwrap_err();
        assert!(err.message().contains("`revnue`"), "{err}");
        assert!(
            err.message().contains("category, qty, revenue, share"),
            "{err}"
        );
        let view = TableView {
            headers: vec!["A".into(), "B".into()],
            ..TableView::default()
        };
        let err = table_html(&sample(), &view, &locale).unwrap_err();
        assert!(
            err.message().contains(
                "one name per shown column, 4 (category, qty, revenue, share), but has 2"
            ),
            "{err}"
        );
    }
}
