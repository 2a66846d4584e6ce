//! Hostile data runs no script in a real browser and is shown as the literal
//! text (issue 10, item 10). The tiny portal's category names and one
//! column header are HTML, `</script>`, `javascript:` links, quotes, Unicode
//! controls, Markdown, Tera syntax and a spreadsheet formula; they reach the
//! prose (a value alone, in a heading and the table of contents, in
//! emphasis, as a link's text and target), tables, every chart kind's labels
//! and tooltips, two dropdowns, and the exports. Every page is loaded in
//! headless Chromium over HTTP (one also from `file://`), its charts'
//! tooltips shown point by point and its dropdowns switched through, and the
//! sentinel `window.__pwn` must stay unset.
//!
//! Needs Chromium and chromedriver (`apt-get install -y chromium
//! chromium-driver`); without them the test fails and says so.

mod common;

use std::path::Path;
use std::time::Duration;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::Fixture;
use common::browser::{Browser, StaticServer};
use serde_json::{Value, json};

/// Category names that try to become markup, script, a link, a formula or
/// a template, or to hide themselves (bidi override, C0 controls, a line
/// separator that ends a JavaScript string in old engines). U+0000 is left
/// out: HTML parsers drop it from text, so no page could show it.
const HOSTILE: [&str; 11] = [
    "<img src=x onerror=window.__pwn=1>",
    "<img src=x onerror=\"window.__pwn=11\">",
    "</script><script>window.__pwn=2</script>",
    "[x](javascript:window.__pwn=3)",
    "\"'><svg onload=window.__pwn=4>",
    "{{ 7*7 }} {% raw %}",
    "*bold* _i_ {# c #} | x",
    "\u{202e}evil\u{1}\u{1b}\u{2028}x",
    "=HYPERLINK(\"javascript:window.__pwn=8\")",
    "<javascript:window.__pwn=9>",
    "&lt;i&gt; &amp;",
];

/// A column header of the data that tries the same.
const HEADER: &str = "<i onmouseover=\"window.__pwn=10\">Note</i>";

/// Charts over the hostile values, one of each kind that shows category
/// names, two with a dropdown (`select` and a time series' `by`), and one
/// whose series is named by the hostile header.
const CHARTS: &str = r#"[analyses.trend]
kind = "time_series"
table = "sales"
date = "Date"
value = "Amount"
by = "Category"

[charts.cats]
type = "bar"
table = "by_category"
x = "Category"
y = ["qty"]

[charts.share]
type = "pie"
table = "by_category"
x = "Category"
y = ["qty"]

[charts.dots]
type = "scatter"
table = "by_category"
x = "qty"
y = ["revenue"]
series = "Category"

[charts.sizes]
type = "bar"
table = "by_size"
x = "Size"
y = ["qty"]
series = "Category"
stacked = true

[charts.pick]
type = "bar"
table = "by_size"
x = "Size"
y = ["qty"]
select = "Category"

[charts.heat]
type = "heatmap"
table = "by_size"
x = "Size"
y = ["Category"]
z = "qty"

[charts.links]
type = "graph"
table = "by_size"
x = "Category"
y = ["Size"]
z = "qty"

[charts.notes]
type = "bar"
table = "rows"
x = "Order ID"
y = ['<i onmouseover="window.__pwn=10">Note</i>']

[charts.aov]"#;

/// The findings page: the values in SQL results, prose, headings, lists,
/// links, tables and charts.
const FINDINGS: &str = r#"+++
title = "Findings"
weight = 1
+++

## Categories

```sql by_category
SELECT Category, SUM(Qty) AS qty, SUM(Amount) AS revenue FROM sales GROUP BY Category ORDER BY qty DESC, Category
```

```sql by_size hide
SELECT Category, Size, SUM(Qty) AS qty FROM sales GROUP BY Category, Size ORDER BY Category, Size
```

```sql rows
SELECT * FROM sales ORDER BY "Order ID"
```

The top category is {{ by_category[0].Category }}.

{% for c in by_category %}### {{ c.Category }}

{{ c.Category }}

- **{{ c.Category }}** and *{{ c.Category }}*, [{{ c.Category }}]({{ c.Category }})

{% endfor %}

{{ table(name="by_category", columns=["Category", "qty"]) }}

{{ table(name="by_size") }}

{{ chart(name="cats") }}

{{ chart(name="share") }}

{{ chart(name="dots") }}

{{ chart(name="sizes") }}

{{ chart(name="pick") }}

{{ chart(name="heat") }}

{{ chart(name="links") }}

{{ chart(name="notes") }}

{{ chart(name="trend.series") }}

{{ chart(name="trend.overview") }}
"#;

/// The tiny portal with two order lines (one B2B, one B2C) per hostile
/// category; the first category sells most, the last least.
fn hostile() -> Fixture {
    let f = Fixture::new("tiny");
    let mut csv = format!(
        "\u{feff}Order ID,Date,Status,Category,Size,Qty ,Amount,B2B,{}\n",
        csv_field(HEADER)
    );
    for (i, value) in HOSTILE.iter().enumerate() {
        let (qty, value) = (HOSTILE.len() - i, csv_field(value));
        csv.push_str(&format!(
            "B{i:02},03-{:02}-22,Shipped,{value},S,{qty},{},True,{i}\n",
            i + 1,
            100 * qty
        ));
        csv.push_str(&format!(
            "C{i:02},04-{:02}-22,Shipped,{value},M,{qty},{},False,{}\n",
            i + 1,
            50 * qty,
            i + 10
        ));
    }
    f.write("data/sales.csv", &csv);
    f.edit("content/shop/_index.md", "[charts.aov]", CHARTS);
    f.edit(
        "content/shop/_index.md",
        "{{ chart(name=\"b2b.mix_category\") }}",
        "{{ chart(name=\"b2b.mix_category\") }}\n\n{{ table(name=\"b2b.mix_category\") }}",
    );
    f.write("content/shop/findings.md", FINDINGS);
    f.build();
    f
}

/// A CSV field as RFC 4180 writes it.
fn csv_field(value: &str) -> String {
    if value.contains(['"', ',', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// The inspection of one page, in the page: returns a list of problems.
/// `arguments[0]` is the plan: `exact` (elements whose text must equal each
/// value), `charts` (per figure id, the values its option must hold, and
/// whether its tooltips must show them), `dropdowns` (per figure id, the
/// values its dropdown must offer; every one is picked and its chart's
/// tooltips shown).
const INSPECT: &str = r#"
var plan = arguments[0], problems = [];
var say = function (text) { problems.push(text); };
var show = function (v) { return JSON.stringify(v); };
var main = document.querySelector('main') || document.body;

function checkElements(root, where) {
  var bad = root.querySelectorAll(
    'img, svg, iframe, frame, object, embed, i, form, input, base, link, meta, style, math, template');
  for (var i = 0; i < bad.length; i++) {
    say(where + ': a <' + bad[i].tagName.toLowerCase() + '> element: ' + bad[i].outerHTML.slice(0, 120));
  }
  var scripts = root.querySelectorAll('script');
  for (var j = 0; j < scripts.length; j++) {
    var s = scripts[j];
    var json = s.type === 'application/json' && s.classList.contains('chart-option');
    var asset = s.src && new URL(s.src).pathname.indexOf('/assets/') >= 0;
    if (!json && !asset) say(where + ': a script that is not the theme\'s: ' + s.outerHTML.slice(0, 120));
  }
}

function checkDocument() {
  if (window.__pwn !== undefined) say('window.__pwn is ' + show(window.__pwn));
  var js = document.querySelectorAll('a[href^="javascript:" i]').length;
  if (js) say(js + ' a[href^="javascript:"]');
  var all = document.querySelectorAll('*');
  for (var i = 0; i < all.length; i++) {
    var e = all[i];
    if ((e.tagName === 'A' || e.tagName === 'AREA') && e.hasAttribute('href') && e.protocol === 'javascript:') {
      say('a javascript: link: ' + e.outerHTML.slice(0, 120));
    }
    for (var k = 0; k < e.attributes.length; k++) {
      var a = e.attributes[k];
      if (/^on/i.test(a.name)) say('an event handler attribute: ' + e.outerHTML.slice(0, 120));
      if (/^(href|src|action|formaction|xlink:href|data|poster|srcdoc)$/i.test(a.name) &&
          /^[\s\u0000-\u001f]*(javascript|vbscript|data):/i.test(a.value)) {
        say('a script URL in ' + a.name + ': ' + e.outerHTML.slice(0, 120));
      }
    }
  }
  checkElements(main, 'main');
}

/* The text of an element, without a heading's `#` anchor. */
function textOf(e) {
  var copy = e.cloneNode(true);
  var anchors = copy.querySelectorAll('a.anchor');
  for (var i = 0; i < anchors.length; i++) anchors[i].remove();
  return copy.textContent.replace(/ $/, '');
}

plan.exact.forEach(function (place) {
  var texts = Array.prototype.map.call(document.querySelectorAll(place.selector), textOf);
  place.values.forEach(function (v) {
    if (texts.indexOf(v) < 0) say(place.selector + ': no element reads exactly ' + show(v));
  });
});

function strings(value, out) {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') {
    Object.keys(value).forEach(function (k) { strings(value[k], out); });
  }
  return out;
}

function instance(id) {
  var figure = document.getElementById(id);
  if (!figure) { say('no chart #' + id); return null; }
  var canvas = figure.querySelector('.chart-canvas');
  var chart = typeof echarts === 'undefined' ? null : echarts.getInstanceByDom(canvas);
  if (!chart) say('chart #' + id + ' was not drawn: ' + show(canvas.textContent));
  return chart && { chart: chart, canvas: canvas };
}

/* Show the tooltip of every point (and graph edge) of a chart; their text. */
function tooltips(id, c) {
  var texts = [];
  var tip = function (payload) {
    c.chart.dispatchAction(payload);
    texts.push(c.canvas.innerText);
    checkElements(c.canvas, 'tooltip of #' + id);
  };
  (c.chart.getOption().series || []).forEach(function (s, si) {
    var points = (s.data || s.nodes || []).length;
    for (var i = 0; i < points; i++) tip({ type: 'showTip', seriesIndex: si, dataIndex: i });
    var edges = (s.links || s.edges || []).length;
    for (var j = 0; j < edges; j++) {
      tip({ type: 'showTip', seriesIndex: si, dataIndex: j, dataType: 'edge' });
    }
  });
  c.chart.dispatchAction({ type: 'hideTip' });
  if (!texts.length) say('chart #' + id + ' has no points');
  return texts.join('\n');
}

Object.keys(plan.charts).forEach(function (id) {
  var c = instance(id);
  if (!c) return;
  var want = plan.charts[id];
  var labels = strings(c.chart.getOption(), []);
  var tips = tooltips(id, c);
  want.values.forEach(function (v) {
    if (labels.indexOf(v) < 0) say('chart #' + id + ': no label ' + show(v) + ' in its option');
    if (want.tips && tips.indexOf(v) < 0) say('chart #' + id + ': no tooltip shows ' + show(v));
  });
});

Object.keys(plan.dropdowns).forEach(function (id) {
  var figure = document.getElementById(id);
  var select = figure && figure.querySelector('select.chart-select');
  if (!select) { say('chart #' + id + ' has no dropdown'); return; }
  var texts = Array.prototype.map.call(select.options, function (o) { return o.textContent; });
  var want = plan.dropdowns[id];
  if (texts.length !== want.length) say('dropdown #' + id + ' has ' + texts.length + ' options');
  want.forEach(function (v) {
    if (texts.indexOf(v) < 0) say('dropdown #' + id + ': no option reads ' + show(v));
  });
  for (var i = 0; i < select.options.length; i++) {
    select.selectedIndex = i;
    select.dispatchEvent(new Event('change'));
    var c = instance(id);
    if (c) tooltips(id, c);
  }
});

checkDocument();
return problems;
"#;

/// After the page had time for asynchronous handlers (an image's
/// `onerror`, a timer): the sentinel and the document once more.
const RECHECK: &str = r#"
var problems = [];
if (window.__pwn !== undefined) problems.push('window.__pwn is ' + JSON.stringify(window.__pwn));
var js = document.querySelectorAll('a[href^="javascript:" i], [onerror], [onload], [onmouseover]');
if (js.length) problems.push(js.length + ' javascript: links or handler attributes');
return problems;
"#;

/// Every figure set up by charts.js, drawn or showing its message.
const CHARTS_READY: &str = r#"
var figures = document.querySelectorAll('figure.chart');
for (var i = 0; i < figures.length; i++) {
  var f = figures[i];
  if (!f.getAttribute('data-chart-ready')) return false;
  if (!f.querySelector('[_echarts_instance_], .chart-message')) return false;
}
return document.readyState === 'complete';
"#;

/// What each page must show, as the plan for [`INSPECT`].
fn plan(page: &str) -> Value {
    let values: Vec<&str> = HOSTILE.to_vec();
    match page {
        "shop/findings.html" => {
            let top = format!("The top category is {}.", HOSTILE[0]);
            let charts = |tips: bool| json!({ "values": values, "tips": tips });
            json!({
                "exact": [
                    { "selector": "main .content p", "values": values },
                    { "selector": "main .content p", "values": [top] },
                    { "selector": "main .content h3", "values": values },
                    { "selector": "main .toc a", "values": values },
                    { "selector": "main .content li strong", "values": values },
                    { "selector": "main .content li em", "values": values },
                    { "selector": "main .content li a", "values": values },
                    { "selector": "main .content td", "values": values },
                    { "selector": "main .content th", "values": [HEADER] },
                ],
                "charts": {
                    "chart-cats": charts(true),
                    "chart-share": charts(true),
                    "chart-dots": charts(true),
                    "chart-sizes": charts(true),
                    "chart-heat": charts(true),
                    "chart-links": charts(true),
                    "chart-trend-overview": charts(true),
                    "chart-notes": { "values": [HEADER], "tips": true },
                },
                "dropdowns": { "chart-pick": values, "chart-trend-series": values },
            })
        }
        "shop/index.html" => json!({
            "exact": [{ "selector": "main .content td", "values": values }],
            "charts": { "chart-b2b-mix_category": { "values": values, "tips": true } },
            "dropdowns": {},
        }),
        _ => json!({ "exact": [], "charts": {}, "dropdowns": {} }),
    }
}

/// Load `url`, wait for its charts, run [`INSPECT`] with `page`'s plan,
/// give asynchronous handlers a moment, check again and read the console;
/// every problem found, prefixed with the page.
fn inspect(browser: &Browser, url: &str, page: &str) -> Vec<String> {
    browser.goto(url);
    browser.wait_until(CHARTS_READY, Duration::from_secs(20));
    let mut problems = strings(&browser.execute(INSPECT, &[plan(page)]));
    std::thread::sleep(Duration::from_millis(300));
    problems.extend(strings(&browser.execute(RECHECK, &[])));
    for (level, message) in browser.logs() {
        if level == "SEVERE" && !message.contains("favicon.ico") {
            problems.push(format!("console {level}: {message}"));
        }
    }
    problems
        .into_iter()
        .map(|p| format!("{url}: {p}"))
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("a list of problems, not {value}"))
        .iter()
        .map(|p| p.as_str().unwrap_or_default().to_string())
        .collect()
}

/// The HTML pages of the built site, as paths below `public/`.
fn pages(public: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(public).unwrap();
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn hostile_data_runs_no_script_and_reads_as_text() {
    let f = hostile();
    let public = f.path("public");
    let pages = pages(&public);
    assert_eq!(
        pages,
        ["index.html", "shop/findings.html", "shop/index.html"]
    );
    // Hostile values in the search index and its results are covered by
    // tests/browser_search.rs.

    let browser = Browser::start();
    // The values reach the page unchanged (WebDriver's own replies turn
    // U+2028 into a space, so every comparison is made in the page).
    let points = browser.execute(
        "return arguments[0].map(function (v) { \
           return Array.from(v).map(function (c) { return c.codePointAt(0); }); });",
        &[json!(HOSTILE)],
    );
    let expected: Vec<Vec<u32>> = HOSTILE
        .iter()
        .map(|v| v.chars().map(u32::from).collect())
        .collect();
    assert_eq!(points, json!(expected), "values garbled on the way in");

    let server = StaticServer::start(&public);
    let mut problems = Vec::new();
    for page in &pages {
        problems.extend(inspect(&browser, &server.url(page), page));
    }
    let file = format!("file://{}", public.join("shop/findings.html").display());
    problems.extend(inspect(&browser, &file, "shop/findings.html"));
    assert!(
        problems.is_empty(),
        "hostile data misbehaved in Chromium:\n{}",
        problems.join("\n")
    );
}

#[test]
fn hostile_data_is_literal_in_the_exports() {
    let f = hostile();
    let results = f.path("public/shop/results");
    // The CSV cells are the values, except that text a spreadsheet would
    // run as a formula (`=…`) starts with `'` there (OWASP's defence).
    let literal: Vec<String> = HOSTILE
        .iter()
        .map(|v| {
            if v.starts_with('=') {
                format!("'{v}")
            } else {
                v.to_string()
            }
        })
        .collect();
    let by_category = read_csv(&results.join("by_category.csv"));
    assert_eq!(by_category[0], ["Category", "qty", "revenue"]);
    let categories: Vec<String> = by_category[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(categories, literal);
    let rows = read_csv(&results.join("rows.csv"));
    assert_eq!(rows[0].last().map(String::as_str), Some(HEADER));
    let mix = read_csv(&results.join("b2b.mix_category.csv"));
    let mut mixed: Vec<String> = mix[1..].iter().map(|r| r[0].clone()).collect();
    let mut literal = literal;
    mixed.sort();
    literal.sort();
    assert_eq!(mixed, literal);

    // The workbook holds the values as text cells, never as formulas.
    let mut book: Xlsx<_> = open_workbook(results.join("shop.xlsx")).expect("the workbook");
    let sheet = book
        .sheet_names()
        .into_iter()
        .find(|s| s == "by_category")
        .expect("a by_category sheet");
    let range = book.worksheet_range(&sheet).unwrap();
    let cells: Vec<Data> = range.rows().skip(1).map(|r| r[0].clone()).collect();
    let want: Vec<Data> = HOSTILE
        .iter()
        .map(|v| Data::String(v.to_string()))
        .collect();
    assert_eq!(cells, want);
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "sheet {name} holds a formula"
        );
    }
    let rows_sheet = book
        .worksheet_range("rows")
        .expect("a rows sheet")
        .rows()
        .next()
        .map(|r| r.to_vec())
        .unwrap();
    assert_eq!(rows_sheet.last(), Some(&Data::String(HEADER.to_string())));

    // The results JSON keeps them as strings.
    let trend = f.read("public/shop/results/trend.json");
    let trend: Value = serde_json::from_str(&trend).unwrap();
    let mut found = Vec::new();
    collect_strings(&trend, &mut found);
    for value in HOSTILE {
        assert!(
            found.iter().any(|s| s == value),
            "{value:?} not in trend.json"
        );
    }
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// The records of an RFC 4180 CSV file (quoted fields may hold `,`, `"` and
/// line breaks).
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}
