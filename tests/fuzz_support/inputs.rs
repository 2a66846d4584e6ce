//! Structured text for the fuzz targets: plain words, random characters
//! and the sequences the parsers give a meaning to (Tera and Markdown
//! syntax, HTML, URL schemes, CSV quoting, the placeholder markers), and
//! page files with near-valid `+++` front matter.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// Sequences some parser of the crate gives a meaning to.
#[rustfmt::skip]
pub const SPECIAL: &[&str] = &[
    "{{", "}}", "{%", "%}", "{#", "#}", "{{ x }}", "{% raw %}", "{% endraw %}",
    "<script>alert(1)</script>", "<SCRIPT>", "</script>", "script", "b", "onclick",
    "javascript:alert(1)", "JaVaScRiPt:", "java\tscript:", " javascript:", "java", "script:x",
    "vbscript:x", "data:text/html,", "&#106;avascript:", "&colon;", "x onclick=alert(1)",
    "<img src=x onerror=alert(1)>", "img src=x onerror=alert(1)", "\" onmouseover=\"alert(1)",
    "' onclick='x", " onload=x ", "<b>", "</b>", "<div>", "</div>", "<!--", "-->",
    "<a href=\"x\">", "</a>", "](", "[x](javascript:alert(1))", "[", "]", "(", ")", "!", "`",
    "``", "```", "~~~", "*", "**", "_", "~~", "#", "# ", "## ", "- ", "1. ", "> ", "---", "|",
    "| a |", "|---|", "[^1]", "[^1]: ", "{#id}", "\\", "<", ">", "&", "&amp;", "\"", "'", "=",
    "\n", "\r\n", "\r", "\n\n", "\t", "  ", " ", "\u{0}", "\u{feff}", "\u{a0}", "\u{202f}",
    "\u{E000}", "\u{E001}", "\u{E002}", "\u{E003}", "\u{E000}3c62\u{E001}", "\u{E002}3c62\u{E003}",
    "3c", "e", "é", "💥", "ﷺ", "\u{200b}", "+++", "+++\n", ",", ";", "\"\"", ".", "%", "%Y",
    "%d", "Rp", "$", "€", "₹", "IDR", "-", "+", "0", "00", "1.234", "1,5",
    "9999999999999999999999", "1e309", "NaN", "-0",
];

/// A short run of text of one kind.
pub fn fragment() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[ -~]{0,10}",
        2 => "\\PC{0,6}",
        4 => select(SPECIAL).prop_map(str::to_string),
        1 => "[0-9.,' ]{1,10}",
        1 => "[a-zA-Z]{1,8}",
    ]
    .boxed()
}

/// Text of up to `max` fragments.
pub fn text(max: usize) -> BoxedStrategy<String> {
    vec(fragment(), 0..=max).prop_map(|v| v.concat()).boxed()
}

/// Text without line ends (one TOML or CSV value).
pub fn line_text(max: usize) -> BoxedStrategy<String> {
    text(max).prop_map(|s| s.replace(['\n', '\r'], " ")).boxed()
}

/// A name: usually an identifier, sometimes a reserved or invalid one.
pub fn name() -> BoxedStrategy<String> {
    prop_oneof![
        6 => "[a-z_][a-z0-9_]{0,6}",
        1 => select(&["portal", "report", "t", "page", "results", "sales", "b2b", "1x", "a-b", "", "é"][..])
            .prop_map(str::to_string),
        1 => line_text(2),
    ]
    .boxed()
}

/// A TOML string holding `text`.
pub fn toml_string(text: String) -> String {
    toml::Value::String(text).to_string()
}

/// A TOML value: usually a well-formed string, sometimes raw text.
pub fn toml_value() -> BoxedStrategy<String> {
    prop_oneof![
        6 => line_text(4).prop_map(toml_string),
        1 => line_text(3).prop_map(|s| format!("\"{s}\"")),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => select(&["true", "1.5", "[]", "{}", "[\"a\", 1]", "nan", "-inf", "1979-05-27", "'''x'''", "[[]]"][..])
            .prop_map(str::to_string),
        1 => line_text(2),
    ]
    .boxed()
}

/// Every key some front-matter table knows, and a few none does.
#[rustfmt::skip]
const KEYS: &[&str] = &[
    "title", "summary", "weight", "language", "currency", "overview_title", "name", "path",
    "format", "delimiter", "ragged", "sheet", "records", "rename", "types", "dates", "derive",
    "filters", "kind", "table", "segment", "labels", "compare", "order_id", "amount", "qty",
    "date", "mix", "top", "top_n", "k", "features", "customer", "item", "min_support",
    "min_confidence", "max_len", "restarts", "seed", "period", "agg", "by", "value", "type", "x",
    "y", "z", "series", "select", "horizontal", "stacked", "limit", "x_label", "y_label",
    "x_format", "min", "max", "range_exclude_x", "label", "decimals", "action", "r", "f",
    "titel", "base_url", "description", "segments", "snapshot", "product", "expr",
];

/// `types` values, valid and not.
pub const TYPES: &[&str] = &["int", "float", "money", "string", "bool", "date", "Int", ""];

/// `dates` values, valid and not.
#[rustfmt::skip]
pub const DATE_SETTINGS: &[&str] = &[
    "MM-DD-YY", "MM-DD-YYYY", "MM/DD/YY", "MM/DD/YYYY", "DD-Mon-YY", "DD-MON-YYYY", "dd/mm/yyyy",
    "DD-MM-YYYY", "YYYY-MM-DD", "iso", "ISO", "%d.%m.%Y", "%Y-%m-%d %H:%M", "%Y", "%", "%Q",
    "%.3f", "%s", "%j", "%U %a", "%e-%b-%Y", "%+", "DD.MM", "",
];

/// Settings a source, analysis, chart or KPI may take, mostly well typed.
fn typed_setting() -> BoxedStrategy<String> {
    prop_oneof![
        select(
            &[
                "segment_comparison",
                "kmeans",
                "customer_value",
                "cohorts",
                "time_series",
                "rfm",
                "market_basket",
                "bogus",
            ][..]
        )
        .prop_map(|k| format!("kind = \"{k}\"")),
        select(
            &[
                "bar",
                "line",
                "area",
                "pie",
                "donut",
                "scatter",
                "scatter3d",
                "heatmap",
                "graph",
                "x"
            ][..]
        )
        .prop_map(|t| format!("type = \"{t}\"")),
        (name(), select(TYPES))
            .prop_map(|(n, t)| format!("types = {{ {} = \"{t}\" }}", toml_string(n))),
        (name(), select(DATE_SETTINGS))
            .prop_map(|(n, d)| format!("dates = {{ {} = \"{d}\" }}", toml_string(n))),
        select(&[",", ";", "\\t", "|", "\"", "\\n", "é", ""][..])
            .prop_map(|d| format!("delimiter = \"{d}\"")),
        select(&["csv", "parquet", "json", "ndjson", "excel", "xml"][..])
            .prop_map(|f| format!("format = \"{f}\"")),
        select(&["error", "pad", "skip", "no"][..]).prop_map(|r| format!("ragged = \"{r}\"")),
        select(&["number", "money", "percent", "ratio", "compact", "x"][..])
            .prop_map(|f| format!("format = \"{f}\"")),
        line_text(3)
            .prop_map(|e| format!("derive = [{{ name = \"d\", expr = {} }}]", toml_string(e))),
        line_text(3).prop_map(|e| format!("filters = [{}]", toml_string(e))),
        (
            select(
                &[
                    "segment", "order_id", "amount", "qty", "date", "customer", "item", "table",
                    "x", "value", "label", "series", "z"
                ][..]
            ),
            name()
        )
            .prop_map(|(k, v)| format!("{k} = {}", toml_string(v))),
        (
            select(&["mix", "top", "features", "y", "compare"][..]),
            vec(name(), 0..3)
        )
            .prop_map(|(k, v)| format!(
                "{k} = [{}]",
                v.into_iter()
                    .map(toml_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        (
            select(
                &[
                    "top_n", "k", "restarts", "seed", "limit", "decimals", "max_len", "weight"
                ][..]
            ),
            any::<i64>()
        )
            .prop_map(|(k, n)| format!("{k} = {n}")),
        (
            select(&["min_support", "min_confidence", "min", "max"][..]),
            any::<f64>()
        )
            .prop_map(|(k, x)| format!("{k} = {}", toml::Value::Float(x))),
        select(
            &[
                "labels = { true = \"B2B\", false = \"B2C\" }",
                "horizontal = true",
                "stacked = 1",
                "base_url = \"javascript:alert(1)\"",
                "base_url = \"https://a.b/\"",
                "base_url = \"//x\"",
                "language = \"en\"",
                "language = \"fr\"",
                "currency = \"usd\"",
                "rename = { a = \"b\" }",
                "period = \"month\"",
                "agg = \"sum\"",
                "r = [5, 5]",
                "f = [0, 9]",
            ][..]
        )
        .prop_map(str::to_string),
    ]
    .boxed()
}

/// One line of front matter, of any kind.
pub fn front_matter_line() -> BoxedStrategy<String> {
    let table_header = prop_oneof![
        Just("[[sources]]".to_string()),
        Just("[[kpis]]".to_string()),
        name().prop_map(|n| format!("[analyses.{n}]")),
        name().prop_map(|n| format!("[charts.{n}]")),
        name().prop_map(|n| format!("[[analyses.{n}.segments]]")),
        Just("[types]".to_string()),
    ];
    let setting = (select(KEYS), toml_value()).prop_map(|(k, v)| format!("{k} = {v}"));
    prop_oneof![
        2 => table_header,
        3 => setting,
        4 => typed_setting(),
        1 => line_text(4).prop_map(|c| format!("# {c}")),
        1 => line_text(5),
        1 => Just(String::new()),
    ]
    .boxed()
}

/// Analysis settings with every required field.
#[rustfmt::skip]
const COMPLETE_ANALYSES: &[&str] = &[
    "kind = \"segment_comparison\"\ntable = \"sales\"\nsegment = \"B2B\"\norder_id = \"Order ID\"\namount = \"Amount\"\nqty = \"Qty\"\ndate = \"Date\"",
    "kind = \"rfm\"\ntable = \"sales\"\ncustomer = \"c\"\norder_id = \"o\"\namount = \"a\"\ndate = \"d\"",
    "kind = \"cohorts\"\ntable = \"sales\"\ncustomer = \"c\"\norder_id = \"o\"\namount = \"a\"\ndate = \"d\"",
    "kind = \"customer_value\"\ntable = \"sales\"\ncustomer = \"c\"\norder_id = \"o\"\namount = \"a\"\ndate = \"d\"",
    "kind = \"kmeans\"\ntable = \"sales\"\nfeatures = [\"a\", \"b\"]\nk = 3",
];

/// A report's front matter in the documented shape (title, settings,
/// sources, analyses, charts, KPIs), every table with its usual keys.
fn report_lines() -> BoxedStrategy<Vec<String>> {
    let title = prop_oneof![6 => toml_value().prop_map(|v| vec![format!("title = {v}")]), 1 => Just(vec![])];
    // A section's extra settings: none, its own kind, or any kind.
    let section = |header: BoxedStrategy<String>,
                   required: Vec<&'static str>,
                   own: &'static [&'static str]| {
        let extra = prop_oneof![
            2 => Just(Vec::new()),
            2 => vec(select(own).prop_map(str::to_string), 1..3),
            1 => vec(typed_setting(), 1..4),
        ];
        (header, extra).prop_map(move |(h, mut settings)| {
            settings.sort();
            settings.dedup_by(|a, b| a.split('=').next() == b.split('=').next());
            let mut lines = vec![h];
            lines.extend(required.iter().map(|r| r.to_string()));
            lines.append(&mut settings);
            lines
        })
    };
    let source = section(
        name()
            .prop_map(|n| format!("[[sources]]\nname = {}", toml_string(n)))
            .boxed(),
        vec!["path = \"sales.csv\""],
        &[
            "types = { Amount = \"money\", Qty = \"int\" }",
            "dates = { Date = \"MM-DD-YY\" }",
            "delimiter = \";\"",
            "ragged = \"pad\"",
            "format = \"csv\"",
            "rename = { a = \"b\" }",
            "filters = [\"Status <> 'Cancelled'\"]",
            "derive = [{ name = \"u\", expr = \"Amount / Qty\" }]",
        ],
    );
    let kind = select(
        &[
            "segment_comparison",
            "kmeans",
            "customer_value",
            "cohorts",
            "time_series",
            "rfm",
            "market_basket",
        ][..],
    );
    let complete = (name(), select(COMPLETE_ANALYSES))
        .prop_map(|(n, body)| vec![format!("[analyses.{n}]"), body.to_string()]);
    let partial = section(
        (name(), kind)
            .prop_map(|(n, k)| format!("[analyses.{n}]\nkind = \"{k}\""))
            .boxed(),
        vec!["table = \"sales\""],
        &[
            "segment = \"B2B\"",
            "order_id = \"Order ID\"",
            "amount = \"Amount\"",
            "qty = \"Qty\"",
            "date = \"Date\"",
            "customer = \"c\"",
            "item = \"i\"",
            "features = [\"a\", \"b\"]",
            "k = 3",
            "mix = [\"Category\"]",
            "top_n = 10",
        ],
    );
    let analysis = prop_oneof![3 => complete, 1 => partial];
    let chart = section(
        name()
            .prop_map(|n| format!("[charts.{n}]\ntype = \"bar\""))
            .boxed(),
        vec![
            "table = \"b2b.segments\"",
            "x = \"segment\"",
            "y = [\"aov\"]",
        ],
        &[
            "title = \"T\"",
            "horizontal = true",
            "stacked = true",
            "limit = 5",
            "format = \"money\"",
            "labels = { aov = \"AOV\" }",
            "min = 0",
            "max = 0.5",
            "series = \"s\"",
        ],
    );
    let kpi = section(
        Just("[[kpis]]".to_string()).boxed(),
        vec!["label = \"K\"", "value = \"b2b.ratios.aov\""],
        &["format = \"ratio\"", "decimals = 2", "format = \"money\""],
    );
    (
        title,
        vec(
            select(
                &[
                    "summary = \"S\"",
                    "weight = 2",
                    "language = \"en\"",
                    "currency = \"USD\"",
                    "overview_title = \"O\"",
                    "weight = -1",
                ][..],
            )
            .prop_map(str::to_string),
            0..3,
        ),
        vec(source, 0..3),
        vec(analysis, 0..3),
        vec(chart, 0..2),
        vec(kpi, 0..2),
    )
        .prop_map(|(title, top, sources, analyses, charts, kpis)| {
            let mut lines = title;
            let mut top = top;
            top.sort();
            top.dedup_by(|a, b| a.split('=').next() == b.split('=').next());
            lines.extend(top);
            for section in sources
                .into_iter()
                .chain(analyses)
                .chain(charts)
                .chain(kpis)
            {
                lines.extend(section);
            }
            lines
        })
        .boxed()
}

/// A Markdown page body: prose, value references and ```sql blocks.
pub fn body() -> BoxedStrategy<String> {
    let sql = (
        name(),
        select(&["", " hide", " export", " hide export", " bogus"][..]),
        line_text(4),
    )
        .prop_map(|(n, flags, q)| format!("```sql {n}{flags}\n{q}\n```\n"));
    let piece = prop_oneof![
        4 => text(6),
        1 => sql,
        1 => Just("```sql unclosed\nSELECT 1\n".to_string()),
        1 => name().prop_map(|n| format!("{{{{ {n} }}}}")),
    ];
    vec(piece, 0..5).prop_map(|v| v.join("\n")).boxed()
}

/// A whole page file: `+++` front matter (shaped as a report's or a
/// page's, a soup of lines, or damaged) and a body; sometimes random text.
pub fn page_text(report: bool) -> BoxedStrategy<String> {
    let shaped = if report {
        report_lines()
    } else {
        let title = prop_oneof![
            toml_value().prop_map(|v| format!("title = {v}")),
            any::<i64>().prop_map(|w| format!("weight = {w}"))
        ];
        vec(title, 0..3).boxed()
    };
    let lines = prop_oneof![
        2 => shaped,
        1 => vec(front_matter_line(), 0..14),
    ];
    let edits = prop_oneof![
        3 => Just(Vec::new()),
        1 => vec((any::<usize>(), front_matter_line()), 1..3),
    ];
    let structured = (
        select(&["", "", "", "\u{feff}"][..]),
        select(&["\n", "\n", "\r\n"][..]),
        prop_oneof![12 => Just("+++"), 1 => Just("+++ "), 1 => Just("++++")],
        lines,
        edits,
        prop_oneof![12 => Just(Some("+++")), 1 => Just(None), 1 => Just(Some(" +++"))],
        body(),
    )
        .prop_map(|(bom, eol, open, mut lines, edits, close, body)| {
            for (at, line) in edits {
                lines.insert(at % (lines.len() + 1), line);
            }
            let mut out = format!("{bom}{open}{eol}");
            for line in lines {
                out.push_str(&line.replace('\n', eol));
                out.push_str(eol);
            }
            if let Some(close) = close {
                out.push_str(close);
                out.push_str(eol);
            }
            out.push_str(&body);
            out
        });
    prop_oneof![
        12 => structured,
        1 => text(12),
        1 => vec(any::<u8>(), 0..200).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
    .boxed()
}

/// A JSON scalar for a template context: hostile text, numbers of every
/// size, null and booleans. (Not lists or objects, which Tera writes
/// unescaped: see `a_list_in_prose_is_escaped`.)
pub fn json_leaf() -> BoxedStrategy<serde_json::Value> {
    use serde_json::{Value, json};
    prop_oneof![
        6 => text(6).prop_map(Value::String),
        2 => super::cells::money_like().prop_map(Value::String),
        1 => super::cells::date_like().prop_map(Value::String),
        2 => any::<f64>().prop_map(|x| json!(x)),
        1 => any::<i64>().prop_map(|x| json!(x)),
        1 => any::<u64>().prop_map(|x| json!(x)),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
    ]
    .boxed()
}

/// A report file that should load: the documented shape with valid,
/// distinct names, hostile text only where text is free (titles, prose).
pub fn clean_report() -> BoxedStrategy<String> {
    let source = select(
        &[
            "",
            "types = { Amount = \"money\", Qty = \"int\" }",
            "dates = { Date = \"MM-DD-YY\" }",
            "delimiter = \";\"\nragged = \"skip\"",
            "filters = [\"Status <> 'Cancelled'\"]",
        ][..],
    );
    (
        line_text(4),
        vec(source, 0..3),
        vec(select(COMPLETE_ANALYSES), 0..3),
        any::<bool>(),
        text(8),
        vec(line_text(3), 0..3),
    )
        .prop_map(|(title, sources, analyses, kpi, prose, queries)| {
            let mut out = format!("+++\ntitle = {}\n", toml_string(title));
            for (i, settings) in sources.iter().enumerate() {
                out.push_str(&format!(
                    "[[sources]]\nname = \"s{i}\"\npath = \"s{i}.csv\"\n{settings}\n"
                ));
            }
            for (i, body) in analyses.iter().enumerate() {
                out.push_str(&format!("[analyses.a{i}]\n{body}\n"));
            }
            if kpi {
                out.push_str("[[kpis]]\nlabel = \"K\"\nvalue = \"a0.x\"\n");
            }
            out.push_str("+++\n");
            out.push_str(&prose);
            for (i, sql) in queries.iter().enumerate() {
                out.push_str(&format!("\n```sql q{i}\n{sql}\n```\n"));
            }
            out
        })
        .boxed()
}

/// A page file that should load.
pub fn clean_page() -> BoxedStrategy<String> {
    (line_text(3), any::<i64>(), text(8))
        .prop_map(|(title, weight, prose)| {
            format!(
                "+++\ntitle = {}\nweight = {weight}\n+++\n{prose}",
                toml_string(title)
            )
        })
        .boxed()
}
