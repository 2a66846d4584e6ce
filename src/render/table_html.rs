//! Result tables as HTML: escaped cells, numbers formatted for the locale
//! with their raw value kept for sorting, and a CSV download link.

use super::locale::{Locale, MISSING};
use crate::chart::escape_html;
use crate::table::Table;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write;

/// How to show a table.
#[derive(Clone, Debug, Default)]
pub struct TableView<'a> {
    /// Show at most this many rows (all by default).
    pub limit: Option<usize>,
    /// Columns shown as percentages (values are ratios); columns whose name
    /// contains `share`, `rate` or `pct`, or ends in `_mom`, are by default.
    pub percent: BTreeSet<String>,
    /// Columns shown as money in the locale's currency.
    pub money: BTreeSet<String>,
    /// Relative URL of the table's CSV, for the download link.
    pub csv_url: Option<&'a str>,
    /// Text of the download link.
    pub download_label: &'a str,
}

/// The table as one line of HTML (it is placed inside Markdown).
pub fn table_html(table: &Table, view: &TableView, locale: &Locale) -> String {
    let mut html = String::from(
        "<div class=\"table-block\"><div class=\"table-wrap\"><table class=\"data-table\"><thead><tr>",
    );
    let kinds: Vec<CellKind> = table.columns.iter().map(|c| column_kind(c, view)).collect();
    let numeric: Vec<bool> = (0..table.columns.len())
        .map(|i| table.rows.iter().any(|r| r[i].is_number()))
        .collect();
    for (i, c) in table.columns.iter().enumerate() {
        let class = if numeric[i] { " class=\"num\"" } else { "" };
        let _ = write!(html, "<th scope=\"col\"{class}>{}</th>", escape_html(c));
    }
    html.push_str("</tr></thead><tbody>");
    let shown = view.limit.unwrap_or(usize::MAX);
    for row in table.rows.iter().take(shown) {
        html.push_str("<tr>");
        for (cell, kind) in row.iter().zip(&kinds) {
            write_cell(&mut html, cell, *kind, locale);
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    if let Some(url) = view.csv_url {
        let _ = write!(
            html,
            "<p class=\"table-actions\"><a href=\"{}\" download>{}</a></p>",
            escape_html(url),
            escape_html(view.download_label)
        );
    }
    html.push_str("</div>");
    html
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum CellKind {
    Plain,
    Percent,
    Money,
}

fn column_kind(name: &str, view: &TableView) -> CellKind {
    let lower = name.to_lowercase();
    if view.money.contains(name) {
        CellKind::Money
    } else if view.percent.contains(name)
        || lower.contains("share")
        || lower.contains("rate")
        || lower.contains("pct")
        || lower.ends_with("_mom")
    {
        CellKind::Percent
    } else {
        CellKind::Plain
    }
}

fn write_cell(html: &mut String, cell: &Value, kind: CellKind, locale: &Locale) {
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
        let html = table_html(&sample(), &view, &Locale::new(Language::Id, "IDR"));
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
    fn limit_caps_rows() {
        let view = TableView {
            limit: Some(1),
            ..TableView::default()
        };
        let html = table_html(&sample(), &view, &Locale::new(Language::En, "USD"));
        assert_eq!(html.matches("<tr>").count(), 2);
        assert!(html.contains(">1,234</td>"));
    }
}
