//! Embedding a chart in a page: the one-line `<figure>` that `charts.js`
//! brings to life, with the option JSON escaped so that no data value can
//! close its `<script>` tag, and every piece of text HTML-escaped.

use std::fmt::Write;

use serde_json::Value;

use super::build::{SELECT_KEY, needs_gl};
use super::columns::kind_name;
use super::spec::{ChartKind, ChartSpec, ValueFormat};
use crate::config::Language;

/// Canvas height of most charts, in CSS pixels.
const BASE_HEIGHT: usize = 360;
/// Canvas height of 3D scatters and graphs, which need room to move.
const TALL_HEIGHT: usize = 480;
/// Pixels per category row on a vertical category axis, plus the margin.
const ROW_HEIGHT: usize = 28;
const ROW_MARGIN: usize = 120;
const MAX_HEIGHT: usize = 1400;

/// The chart's HTML: one line, no blank lines (it is placed inside
/// Markdown): a `<figure class="chart">` with an optional `<select>`, the
/// canvas, the option JSON in `<script type="application/json">` and the
/// title as `<figcaption>`.
pub fn chart_html(
    id: &str,
    spec: &ChartSpec,
    option: &Value,
    currency: &str,
    language: Language,
) -> String {
    let kind = kind_name(spec.kind);
    let mut html = String::new();
    let _ = write!(
        html,
        "<figure class=\"chart chart-{kind}\" id=\"chart-{}\" data-kind=\"{kind}\" \
         data-format=\"{}\"{} data-currency=\"{}\" data-locale=\"{}\"{}>",
        escape_html(id),
        format_name(spec.format),
        spec.x_format.map_or(String::new(), |f| format!(
            " data-x-format=\"{}\"",
            format_name(f)
        )),
        escape_html(currency),
        locale_tag(language),
        if needs_gl(spec) { GL_MARK } else { "" },
    );
    html.push_str(&select_html(spec, option));
    let _ = write!(
        html,
        "<div class=\"chart-canvas\" style=\"height:{}px\"></div>",
        canvas_height(spec, option)
    );
    let _ = write!(
        html,
        "<script type=\"application/json\" {OPTION_MARK}>{}</script>",
        script_json(option)
    );
    if let Some(title) = spec.title.as_deref().filter(|t| !t.trim().is_empty()) {
        let _ = write!(
            html,
            "<figcaption>{}</figcaption>",
            escape_html(&one_line(title))
        );
    }
    html.push_str("</figure>");
    html
}

/// The attribute of a chart's option `<script>` (what `charts.js` looks for).
const OPTION_MARK: &str = "class=\"chart-option\"";
/// The attribute of a figure whose chart needs ECharts GL.
const GL_MARK: &str = " data-gl=\"true\"";

/// Whether rendered page HTML holds a chart (and so needs ECharts).
pub fn has_chart(html: &str) -> bool {
    html.contains(OPTION_MARK)
}

/// Whether rendered page HTML holds a chart that needs ECharts GL.
pub fn has_gl_chart(html: &str) -> bool {
    html.contains(GL_MARK)
}

/// JSON that is safe inside `<script type="application/json">`: `<`, `>`,
/// `&` and the line separators U+2028/U+2029 become `\uXXXX` escapes (they
/// can only occur inside JSON strings, where the escape means the same).
pub fn script_json(value: &Value) -> String {
    let raw = serde_json::to_string(value).unwrap_or_else(|_| "null".to_string());
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// Text made safe for HTML content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The BCP 47 locale `Intl.NumberFormat` formats values with.
fn locale_tag(language: Language) -> &'static str {
    match language {
        Language::Id => "id-ID",
        Language::En => "en-US",
    }
}

fn format_name(format: ValueFormat) -> &'static str {
    match format {
        ValueFormat::Number => "number",
        ValueFormat::Money => "money",
        ValueFormat::Percent => "percent",
    }
}

/// Line breaks would end the Markdown HTML block; turn them into spaces.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The dropdown of a chart with `select`, labelled with the column's
/// display name; option values are indexes into the option list, the
/// visible text is the escaped data value.
fn select_html(spec: &ChartSpec, option: &Value) -> String {
    let Some(select) = option.get(SELECT_KEY) else {
        return String::new();
    };
    let column = select
        .get("column")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // The display name the option carries, else the spec's label.
    let label = select
        .get("label")
        .and_then(Value::as_str)
        .filter(|_| !spec.labels.contains_key(column))
        .unwrap_or_else(|| spec.display_name(column));
    let values = select.get("values").and_then(Value::as_array);
    let mut html = format!(
        "<label class=\"chart-select-label\"><span>{}</span> <select class=\"chart-select\">",
        escape_html(&one_line(label))
    );
    for (i, value) in values.into_iter().flatten().enumerate() {
        let text = value.as_str().unwrap_or_default();
        let _ = write!(
            html,
            "<option value=\"{i}\">{}</option>",
            escape_html(&one_line(text))
        );
    }
    html.push_str("</select></label>");
    html
}

/// Taller canvases for 3D and graphs, and for charts that list categories
/// down the page (heatmaps, horizontal bars): a row per category.
fn canvas_height(spec: &ChartSpec, option: &Value) -> usize {
    // Bars list their categories down the page when set `horizontal` or
    // turned so by the chart builder: then the y axis carries the data.
    let lists_rows = matches!(spec.kind, ChartKind::Heatmap | ChartKind::Bar);
    if matches!(spec.kind, ChartKind::Scatter3d | ChartKind::Graph) {
        TALL_HEIGHT
    } else if lists_rows {
        (row_categories(option) * ROW_HEIGHT + ROW_MARGIN).clamp(BASE_HEIGHT, MAX_HEIGHT)
    } else {
        BASE_HEIGHT
    }
}

/// The most categories on the y axis, over every selectable option.
fn row_categories(option: &Value) -> usize {
    let count = |o: &Value| {
        o.pointer("/yAxis/data")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    match option
        .pointer(&format!("/{SELECT_KEY}/options"))
        .and_then(Value::as_array)
    {
        Some(options) => options.iter().map(count).max().unwrap_or(0),
        None => count(option),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::build::build_option;
    use crate::table::Table;
    use serde_json::json;

    const EVIL: &str = "</script><script>alert(1)</script>";

    fn spec() -> ChartSpec {
        ChartSpec {
            table: "t".into(),
            title: Some(EVIL.into()),
            x: Some("name".into()),
            y: vec!["value".into()],
            format: ValueFormat::Money,
            ..ChartSpec::default()
        }
    }

    fn evil_table() -> Table {
        let mut t = Table::new(["name", "value", "group"]);
        t.push(vec![json!(EVIL), json!(1), json!(EVIL)]);
        t.push(vec![json!("a\u{2028}b & c"), json!(2), json!("plain")]);
        t
    }

    /// The body of the chart's `<script>` element.
    fn script_body(html: &str) -> &str {
        let open = "<script type=\"application/json\" class=\"chart-option\">";
        let start = html.find(open).unwrap() + open.len();
        let end = html[start..].find("</script>").unwrap() + start;
        &html[start..end]
    }

    #[test]
    fn injection_in_categories_and_title_cannot_escape() {
        let option = build_option(&spec(), &evil_table(), Language::Id).unwrap();
        let html = chart_html("rev", &spec(), &option, "IDR", Language::Id);
        // Exactly one closing script tag: ours.
        assert_eq!(html.matches("</script>").count(), 1, "{html}");
        assert!(!html.contains("<script>"), "{html}");
        let body = script_body(&html);
        assert!(!body.contains(['<', '>', '&', '\u{2028}']), "{body}");
        assert!(body.contains("\\u003c/script\\u003e"), "{body}");
        // The escaped JSON still parses back to the same option.
        let parsed: Value = serde_json::from_str(body).unwrap();
        assert_eq!(parsed, option);
        // (A 34-character name turns the bars horizontal.)
        assert_eq!(parsed["yAxis"]["data"][0], json!(EVIL));
        // The title is HTML-escaped in the caption.
        assert!(html.ends_with(
            "<figcaption>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</figcaption></figure>"
        ));
    }

    #[test]
    fn select_values_are_escaped_in_the_dropdown() {
        let mut s = spec();
        s.select = Some("group".into());
        let option = build_option(&s, &evil_table(), Language::En).unwrap();
        let html = chart_html("by-group", &s, &option, "IDR", Language::En);
        assert!(html.contains(
            "<select class=\"chart-select\"><option value=\"0\">&lt;/script&gt;&lt;script&gt;\
             alert(1)&lt;/script&gt;</option><option value=\"1\">plain</option></select>"
        ));
        assert_eq!(html.matches("</script>").count(), 1, "{html}");
    }

    #[test]
    fn figure_carries_format_currency_locale_on_one_line() {
        let mut s = spec();
        s.title = Some("Revenue\n\nby month".into());
        let option = json!({"series": []});
        let html = chart_html("a\"b", &s, &option, "IDR", Language::Id);
        assert!(html.starts_with(
            "<figure class=\"chart chart-bar\" id=\"chart-a&quot;b\" data-kind=\"bar\" \
             data-format=\"money\" data-currency=\"IDR\" data-locale=\"id-ID\">\
             <div class=\"chart-canvas\" style=\"height:360px\"></div>"
        ));
        assert!(html.contains("<figcaption>Revenue by month</figcaption>"));
        assert!(!html.contains('\n'));
        let en = chart_html("x", &s, &option, "USD", Language::En);
        assert!(en.contains("data-locale=\"en-US\"") && en.contains("data-currency=\"USD\""));
    }

    #[test]
    fn x_format_and_select_label_reach_the_page() {
        let mut s = spec();
        s.x_format = Some(ValueFormat::Percent);
        s.select = Some("group".into());
        s.labels = [("group".to_string(), "Kelompok <A>".to_string())].into();
        let option = build_option(&s, &evil_table(), Language::Id).unwrap();
        let html = chart_html("p", &s, &option, "IDR", Language::Id);
        assert!(
            html.contains("data-format=\"money\" data-x-format=\"percent\" data-currency"),
            "{html}"
        );
        assert!(html.contains("<span>Kelompok &lt;A&gt;</span>"), "{html}");
        // Without x_format there is no attribute.
        let html = chart_html("p", &spec(), &json!({}), "IDR", Language::Id);
        assert!(!html.contains("data-x-format"));
    }

    /// The currency prefixes of `charts.js` (`var SYMBOLS = {...}`), with
    /// its `\uXXXX` escapes decoded.
    fn js_symbols() -> Vec<(String, String)> {
        let js = include_str!("../../templates/static/charts.js");
        let start = js.find("var SYMBOLS = {").unwrap() + "var SYMBOLS = {".len();
        let body = &js[start..start + js[start..].find('}').unwrap()];
        body.split(',')
            .map(|pair| {
                let (code, text) = pair.split_once(':').unwrap();
                let text = text.trim().trim_matches('\'');
                let decoded = match text.strip_prefix("\\u") {
                    Some(hex) => char::from_u32(u32::from_str_radix(hex, 16).unwrap())
                        .unwrap()
                        .to_string(),
                    None => text.to_string(),
                };
                (code.trim().to_string(), decoded)
            })
            .collect()
    }

    #[test]
    fn charts_js_writes_currencies_as_the_money_filter_does() {
        use crate::render::locale::Locale;
        let symbols = js_symbols();
        let codes: Vec<&str> = symbols.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(codes, ["IDR", "USD", "INR", "EUR", "GBP"]);
        for (code, prefix) in symbols {
            // The money filter writes 7 as `<prefix>7` (zero decimals).
            let money = Locale::new(Language::En, &code).money(7.0, None, Some(0));
            assert_eq!(format!("{prefix}7"), money, "{code}");
        }
        // Other codes: `CODE ` in both (charts.js: `code + ' '`).
        let chf = Locale::new(Language::En, "CHF").money(7.0, None, Some(0));
        assert_eq!(chf, "CHF 7");
    }

    #[test]
    fn three_d_charts_are_marked_and_taller() {
        let s = ChartSpec {
            kind: ChartKind::Scatter3d,
            ..spec()
        };
        let html = chart_html("k", &s, &json!({}), "IDR", Language::En);
        assert!(html.contains(" data-gl=\"true\">"));
        assert!(html.contains("style=\"height:480px\""));
    }

    #[test]
    fn horizontal_bars_grow_with_their_categories() {
        let s = ChartSpec {
            horizontal: true,
            ..spec()
        };
        let categories: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
        let option = json!({"yAxis": {"data": categories}});
        // 20 rows * 28 px + 120 px margin = 680 px.
        assert!(chart_html("h", &s, &option, "IDR", Language::En).contains("height:680px"));
    }
}
