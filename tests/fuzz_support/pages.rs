//! Pages for the rendering target: bodies an analyst might write, made of
//! prose, Markdown structure, raw HTML and every way of placing a value
//! (filters, loops, links, attributes, tables, KPIs), with hostile values
//! in the context; and rendering them as a build does (Tera, then Markdown).

use super::cells::{date_like, money_like};
use super::inputs::{SPECIAL, json_leaf, text};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use wawasan::config::Language;
use wawasan::content::{Page, Report, ReportMeta};
use wawasan::data::ResultTable;
use wawasan::render::locale::Locale;
use wawasan::render::markdown::render_markdown;
use wawasan::render::narrative::{Narrative, Placeables};
use wawasan::table::Table;

/// Page text an analyst writes; none of it is markup that runs script or
/// a tag in `FOREIGN_TAGS`, so any such markup in a page came from a value.
#[rustfmt::skip]
const PROSE: &[&str] = &[
    "Text ", "and more text. ", "\n\n", "\n", "# ", "## ", "### ", "- ", "1. ", "> ", "- [ ] ",
    "| a | b |\n|---|---|\n| ", " | ", " |\n", "*", "**", "_", "`", "```\n", "~~", "---\n",
    "[link](page.html)", "[^1]", "\n\n[^1]: A note.\n", " { #custom-id }", "<div class=\"note\">",
    "</div>", "<span>", "</span>", "![chart](img.png)", "\\", "&amp;", "<!-- c -->",
    "<p>", "</p>",
];

/// Text that breaks a template.
const JUNK: &[&str] = &[
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "{{ }}",
    "{% if %}",
    "{{ s0 | }}",
];

/// Where a page puts values: `§S` a text value, `§N` a number, `§D` a
/// date, `§L` a list, `§V` any value.
#[rustfmt::skip]
const PLACES: &[&str] = &[
    "{{ §S }}", "{{ §V }}", "{{ §N | num }}", "{{ §N | num(decimals=2) }}", "{{ §N | num(decimals=99) }}",
    "{{ §N | money }}", "{{ §N | money(currency=\"USD\", decimals=1) }}", "{{ §N | money(currency=§S) }}",
    "{{ §N | pct }}", "{{ §N | signed_pct }}", "{{ §N | ratio }}", "{{ §N | compact }}",
    "{{ §D | date }}", "{{ §D | date(style=\"short\") }}", "{{ §D | date(style=\"%A %d %B %Y\") }}",
    "{{ §D | date(style=§S) }}", "{{ §D | month }}", "{{ §N | month_name }}",
    "{{ §D | month_name(short=true) }}", "{{ §N | day_name }}", "{{ §D | day_name(short=true) }}",
    "{{ §S | upper }}", "{{ §L | length }}", "{{ §V | json_encode }}", "{{ §S | escape }}",
    "{{ §V | default(value=\"d\") }}", "{{ §L | first }}", "{{ §L | join(sep=§S) }}",
"{{ obj | json_encode }}", "{% for k, v in obj %}{{ k }}={{ v }} {% endfor %}",
    "{% for x in §L %}- {{ x }}\n{% endfor %}", "{% if §V %}yes{% else %}no{% endif %}",
    "{% set y = §V %}{{ y }}", "[link]({{ §S }})", "[{{ §S }}](page.html)", "![i]({{ §S }})",
    "[t](page.html \"{{ §S }}\")", "<a href=\"{{ §S }}\">a</a>", "<a href='{{ §S }}'>a</a>",
    "<a href={{ §S }}>a</a>", "<a href=\" {{ §S }}\">a</a>", "<a href=\"{{ §S }}{{ §S }}\">a</a>",
    "<a href=\"/r/{{ §S }}\">a</a>", "<a title=\"{{ §S }}\">a</a>", "<span class={{ §S }}>s</span>",
    "<div title='{{ §S }}'>d</div>", "<div {{ §S }}>d</div>", "<{{ §S }}>", "<img alt=\"{{ §S }}\" src=\"x.png\">",
    "`{{ §S }}`", "```\n{{ §S }}\n```\n", "## {{ §S }}\n", "## T { #{{ §S }} }\n", "| {{ §S }} | x |\n",
    "<!-- {{ §S }} -->", "<div\nclass={{ §S }}\n>\n", "{{ kpis() }}", "{{ table(name=\"t\") }}",
    "{{ table(name=\"t\", limit=1, money=[\"a\"], percent=[\"b\"], download=false) }}",
    "{{ table(name=\"t\", columns=[§S]) }}", "{{ table(name=\"t\", headers=[§S, §S, §S]) }}",
    "{{ table(name=§S) }}", "{{ chart(name=\"c\") }}", "{{ undefined_name }}",
];

/// Value names for each kind of slot.
fn slot_names(kind: char) -> &'static [&'static str] {
    match kind {
        'S' => &["s0", "s1", "s0", "s1", "n0"],
        'N' => &["n0", "n1", "n0", "s0"],
        'D' => &["d0", "d0", "s1", "n0"],
        // Not strings while Tera panics looping over one with combining marks
        // (see `for_loop_over_text_with_a_combining_mark`).
        'L' => &["list", "list", "obj"],
        // Not lists or objects, which Tera writes unescaped (see
        // `a_list_in_prose_is_escaped`).
        _ => &["s0", "s1", "n0", "n1", "d0"],
    }
}

/// A place with its slots filled by value names picked with `picks`.
fn fill(place: &str, picks: &[usize]) -> String {
    let mut out = String::new();
    let mut parts = place.split('§');
    out.push_str(parts.next().unwrap_or(""));
    for (i, part) in parts.enumerate() {
        let mut chars = part.chars();
        let kind = chars.next().unwrap_or('V');
        let names = slot_names(kind);
        out.push_str(names[picks.get(i).copied().unwrap_or(0) % names.len()]);
        out.push_str(chars.as_str());
    }
    out
}

/// A page body and the context, table and KPI tiles it renders with.
#[derive(Clone, Debug)]
pub struct PageCase {
    pub body: String,
    pub values: Vec<(String, Value)>,
    pub table: (Vec<String>, Vec<Vec<Value>>),
    pub kpis: Vec<(String, String)>,
    pub indonesian: bool,
    /// Which of `LITERAL_PLACES` the literal check uses.
    pub literal: usize,
}

/// Text a value may hold: hostile fragments, joined.
pub fn hostile() -> BoxedStrategy<String> {
    prop_oneof![
        2 => text(6),
        2 => vec(select(SPECIAL), 1..4).prop_map(|v| v.concat()),
        1 => select(SPECIAL).prop_map(str::to_string),
    ]
    .boxed()
}

fn cell_value() -> BoxedStrategy<Value> {
    prop_oneof![
        hostile().prop_map(Value::String),
        any::<f64>().prop_map(|x| json!(x)),
        any::<i64>().prop_map(|x| json!(x)),
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
    ]
    .boxed()
}

pub fn page_case(literal_places: usize) -> impl Strategy<Value = PageCase> {
    let piece = prop_oneof![
        20 => select(PROSE).prop_map(str::to_string),
        20 => (select(PLACES), vec(0usize..8, 3)).prop_map(|(p, picks)| fill(p, &picks)),
        1 => select(JUNK).prop_map(str::to_string),
        3 => "[a-z ]{1,12}",
        // Any text an analyst types, but no template syntax, tags or
        // placeholder markers.
        3 => text(4).prop_map(|t| t.replace(['{', '}', '<', '\u{E000}', '\u{E001}', '\u{E002}', '\u{E003}'], "")),
    ];
    let number = prop_oneof![
        any::<f64>().prop_map(|x| json!(x)),
        any::<i64>().prop_map(|x| json!(x)),
        (-1e6f64..1e6).prop_map(|x| json!(x)),
        money_like().prop_map(Value::String),
        (0u32..14).prop_map(|x| json!(x)),
    ];
    let date = prop_oneof![
        Just(json!("2022-03-05")),
        Just(json!("2022-03")),
        Just(json!("2022-03-05T10:00:00Z")),
        date_like().prop_map(Value::String),
    ];
    let values = (
        (hostile(), hostile(), number, json_leaf(), date),
        vec(json_leaf(), 0..4),
        vec((hostile(), json_leaf()), 0..3),
    )
        .prop_map(|((s0, s1, n0, n1, d0), list, obj)| {
            let obj: serde_json::Map<String, Value> = obj.into_iter().collect();
            vec![
                ("s0".to_string(), Value::String(s0)),
                ("s1".to_string(), Value::String(s1)),
                ("n0".to_string(), n0),
                ("n1".to_string(), n1),
                ("d0".to_string(), d0),
                ("list".to_string(), Value::Array(list)),
                ("obj".to_string(), Value::Object(obj)),
            ]
        });
    let table = (1usize..4, 0usize..4).prop_flat_map(|(w, h)| {
        (
            prop_oneof![
                Just(vec!["a".to_string(), "b".into(), "c".into()]),
                vec(hostile(), 3)
            ],
            vec(vec(cell_value(), w..=w), h..=h),
        )
            .prop_map(move |(names, rows)| (names[..w].to_vec(), rows))
    });
    (
        vec(piece, 0..12).prop_map(|v| v.concat()),
        values,
        table,
        vec((hostile(), hostile()), 0..3),
        any::<bool>(),
        0..literal_places,
    )
        .prop_map(
            |(body, values, table, kpis, indonesian, literal)| PageCase {
                body,
                values,
                table,
                kpis,
                indonesian,
                literal,
            },
        )
}

/// A report of one page with `body`, as `Narrative` takes it.
fn report_with(body: &str) -> Report {
    let dir = PathBuf::from("content/r");
    Report {
        slug: "r".into(),
        dir: dir.clone(),
        meta: ReportMeta {
            title: "R".into(),
            summary: String::new(),
            weight: 0,
            language: None,
            currency: None,
            overview_title: None,
            sources: Vec::new(),
            analyses: BTreeMap::new(),
            charts: BTreeMap::new(),
            labels: BTreeMap::new(),
            kpis: Vec::new(),
            pushed: BTreeMap::new(),
        },
        front_matter: String::new(),
        front_matter_line: 2,
        pages: vec![Page {
            path: dir.join("page.md"),
            slug: "page".into(),
            title: "Page".into(),
            weight: 0,
            body: body.to_string(),
            body_line: 1,
            queries: Vec::new(),
            for_each: None,
        }],
    }
}

/// `body` with the case's context through Tera and then Markdown, as a
/// build renders a page: the HTML, or the error's text.
pub fn render_page(case: &PageCase, body: &str) -> Result<Result<String, String>, TestCaseError> {
    let report = report_with(body);
    let (columns, rows) = &case.table;
    let mut table = Table::new(columns.iter().cloned());
    for row in rows {
        table.push(row.clone());
    }
    let placeables = Placeables {
        tables: Arc::new([("t".to_string(), ResultTable::rows(table))].into()),
        kpis: case.kpis.clone(),
        download_label: "CSV".into(),
        rows_note: "{shown} / {total}".into(),
        ..Placeables::default()
    };
    let language = if case.indonesian {
        Language::Id
    } else {
        Language::En
    };
    let locale = Locale::new(language, if case.indonesian { "IDR" } else { "USD" });
    let narrative = match Narrative::new(&report, Arc::new(placeables), &locale) {
        Ok(n) => n,
        Err(e) => {
            super::check_error(&e)?;
            return Ok(Err(e.to_string()));
        }
    };
    let mut context = tera::Context::new();
    for (name, value) in &case.values {
        context.insert(name.as_str(), value);
    }
    match narrative.render(&report.pages[0], &context) {
        Ok(markdown) => {
            let rendered = render_markdown(&markdown);
            let ids: BTreeSet<&str> = rendered.toc.iter().map(|t| t.id.as_str()).collect();
            prop_assert_eq!(ids.len(), rendered.toc.len(), "heading ids are unique");
            Ok(Ok(rendered.html))
        }
        Err(e) => {
            super::check_error(&e)?;
            Ok(Err(e.to_string()))
        }
    }
}
