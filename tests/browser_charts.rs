//! Charts readable on any screen and on paper (issue 11, items 3 and 4), in
//! headless Chromium over HTTP: at a 375 px window every one of nine long
//! category names is drawn on its axis, long names turn bars horizontal
//! without squeezing them, the graph's nodes and labels stay inside their
//! frame, the 3D chart fits (or, without WebGL or echarts-gl, is drawn in
//! 2D with a note in the page's language), heatmap tooltips name both axes
//! and tell empty cells from zero; printed on A4 and on Letter, an
//! 11-column table shows every column header and charts are drawn at the
//! printed width without animation.
//!
//! Needs Chromium and chromedriver (`apt-get install -y chromium
//! chromium-driver`) and `pdftotext` (`poppler-utils`); without them the
//! test fails and says so.

mod common;

use std::time::Duration;

use common::Fixture;
use common::browser::{Browser, StaticServer, pdf_text};
use serde_json::{Value, json};

/// Nine category names of 16-17 characters: too wide to stand level side
/// by side at 375 px, short enough for upright bars.
const CATEGORIES: [&str; 9] = [
    "Gaun Pesta Malam",
    "Kemeja Batik Pria",
    "Kaos Oblong Anak",
    "Rok Lipit Panjang",
    "Jaket Denim Biru",
    "Celana Chino Pria",
    "Blus Sutra Wanita",
    "Sepatu Kulit Asli",
    "Tas Anyaman Rotan",
];

const SIZES: [&str; 4] = ["S", "M", "L", "XL"];

/// The headers of the 11-column table (the rules table's width).
const HEADERS: [&str; 11] = [
    "Alfa", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett",
    "Kilo",
];

const CHARTS: &str = r#"[charts.cats]
type = "bar"
table = "by_category"
x = "Category"
y = ["qty"]
title = "Qty per kategori"

[charts.rules]
type = "bar"
table = "rules"
x = "rule"
y = ["qty"]
title = "Aturan panjang"

[charts.links]
type = "graph"
table = "by_size"
x = "Category"
y = ["Size"]
z = "qty"

[charts.orders]
type = "graph"
table = "rows"
x = "Category"
y = ["Order ID"]

[charts.cube]
type = "scatter3d"
table = "rows"
x = "Qty"
y = ["Amount"]
z = "Line"
series = "Size"

[charts.heat]
type = "heatmap"
table = "by_size"
x = "Size"
y = ["Category"]
z = "qty"
x_label = "Ukuran"
y_label = "Kategori"

[charts.aov]"#;

/// SQL results for the charts and the wide table.
fn findings() -> String {
    let columns = [
        "\"Order ID\"",
        "Category",
        "Size",
        "Qty",
        "Amount",
        "Category || ' ukuran ' || Size",
        "Qty * 1.5",
        "Amount * 2",
        "Category",
        "'tanpa-spasi-sama-sekali-' || \"Order ID\"",
        "Line",
    ];
    let wide: Vec<String> = columns
        .iter()
        .zip(HEADERS)
        .map(|(c, h)| format!("{c} AS \"{h}\""))
        .collect();
    format!(
        r#"+++
title = "Temuan"
weight = 1
+++

## Grafik

```sql by_category hide
SELECT Category, SUM(Qty) AS qty FROM sales GROUP BY Category ORDER BY Category
```

```sql by_size hide
SELECT Category, Size, SUM(Qty) AS qty FROM sales GROUP BY Category, Size ORDER BY Category, Size
```

```sql rows hide
SELECT * FROM sales ORDER BY "Order ID"
```

```sql rules hide
SELECT Category || ', ' || Size || ' → ' || Category AS rule, SUM(Qty) AS qty FROM sales GROUP BY Category, Size ORDER BY Category, Size LIMIT 8
```

```sql wide hide
SELECT {} FROM sales ORDER BY "Order ID"
```

{{{{ chart(name="cats") }}}}

{{{{ chart(name="rules") }}}}

{{{{ chart(name="links") }}}}

{{{{ chart(name="orders") }}}}

{{{{ chart(name="cube") }}}}

{{{{ chart(name="heat") }}}}

## Tabel

{{{{ table(name="wide") }}}}
"#,
        wide.join(", ")
    )
}

/// The tiny portal in Indonesian with 18 order lines: two per category,
/// sizes in turn (so some category x size cells stay empty).
fn portal() -> Fixture {
    let f = Fixture::new("tiny");
    let mut csv = String::from("Order ID,Date,Status,Category,Size,Qty ,Amount,B2B,Line\n");
    for i in 0..18 {
        let category = CATEGORIES[i / 2];
        let size = SIZES[i % SIZES.len()];
        let qty = 1 + i % 5;
        csv.push_str(&format!(
            "O{i:02},03-{:02}-22,Shipped,{category},{size},{qty},{},{},{i}\n",
            i + 1,
            100 * qty + 7 * i,
            if i % 3 == 0 { "True" } else { "False" }
        ));
    }
    f.write("data/sales.csv", &csv);
    f.edit(
        "content/_index.md",
        "language = \"en\"",
        "language = \"id\"",
    );
    f.edit("content/shop/_index.md", "[charts.aov]", CHARTS);
    f.write("content/shop/findings.md", &findings());
    f.build();
    f
}

/// Every figure set up by charts.js, drawn or showing its message.
const CHARTS_READY: &str = r#"
var figures = document.querySelectorAll('figure.chart');
if (!figures.length || typeof echarts === 'undefined') return false;
for (var i = 0; i < figures.length; i++) {
  var f = figures[i];
  if (!f.getAttribute('data-chart-ready')) return false;
  if (!f.querySelector('[_echarts_instance_], .chart-message')) return false;
}
return document.readyState === 'complete';
"#;

/// Helpers every check below starts with: `chart(id)` (the ECharts
/// instance), `painted(id)` (non-transparent pixels of its canvas) and
/// `say(text)`, which collects problems in `problems`.
const PRELUDE: &str = r#"
var problems = [];
var say = function (t) { problems.push(t); };
var chart = function (id) {
  var canvas = document.querySelector('#chart-' + id + ' .chart-canvas');
  return canvas && echarts.getInstanceByDom(canvas);
};
var painted = function (id) {
  var c = document.querySelector('#chart-' + id + ' canvas');
  if (!c) return 0;
  var data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
  for (var i = 3; i < data.length; i += 4) if (data[i]) n++;
  return n;
};
"#;

/// At the current window size: every category label of `cats` drawn, the
/// long rule labels cut so that the bars keep their room.
const LABELS: &str = r#"
var c = chart('cats');
if (!c) { say('chart #cats not drawn'); return problems; }
var axis = c.getOption().xAxis[0];
if (axis.type !== 'category') say('cats: x axis is ' + axis.type);
if (axis.axisLabel.interval !== 0) say('cats: interval ' + JSON.stringify(axis.axisLabel.interval));
var drawn = c.getModel().getComponent('xAxis', 0).axis.getViewLabels().map(function (l) {
  return l.formattedLabel;
});
if (drawn.length !== arguments[0].length) say('cats: ' + drawn.length + ' labels drawn: ' + JSON.stringify(drawn));
if (window.innerWidth < 500 && !(axis.axisLabel.rotate > 0)) say('cats: labels level at ' + window.innerWidth + ' px');
if (painted('cats') < 1000) say('cats: canvas nearly empty');
var r = chart('rules');
if (!r) { say('chart #rules not drawn'); return problems; }
var ry = r.getOption().yAxis[0];
if (ry.type !== 'category') say('rules: long labels did not turn the bars horizontal');
var plot = r.getModel().getComponent('grid', 0).coordinateSystem.getRect();
var width = document.querySelector('#chart-rules .chart-canvas').clientWidth;
if (plot.width < width * 0.45) say('rules: bars squeezed into ' + plot.width + ' of ' + width + ' px');
if (r.getModel().getComponent('yAxis', 0).axis.getViewLabels().length !== ry.data.length) say('rules: labels skipped');
return problems;
"#;

/// Every node of both graphs inside its canvas; every shown label too.
const GRAPHS: &str = r#"
['links', 'orders'].forEach(function (id) {
  var c = chart(id);
  if (!c) { say('chart #' + id + ' not drawn'); return; }
  var w = c.getWidth(), h = c.getHeight();
  var data = c.getModel().getSeriesByIndex(0).getData(), labels = 0;
  if (data.count() < 10) say(id + ': only ' + data.count() + ' nodes');
  for (var i = 0; i < data.count(); i++) {
    var p = c.convertToPixel({ seriesIndex: 0 }, data.getItemLayout(i));
    if (!(p[0] >= 0 && p[0] <= w && p[1] >= 0 && p[1] <= h)) {
      say(id + ': node ' + data.getName(i) + ' at ' + p.map(Math.round) + ' outside ' + w + 'x' + h);
    }
    // The label hangs on the node's symbol path, inside its group.
    var text = null;
    var el = data.getItemGraphicEl(i);
    if (el) el.traverse(function (e) { text = text || (e.getTextContent && e.getTextContent()); });
    if (text && !text.ignore && !text.invisible && text.style && text.style.text) {
      labels++;
      var box = text.getBoundingRect().clone();
      box.applyTransform(text.getComputedTransform());
      if (box.x < -1 || box.y < -1 || box.x + box.width > w + 1 || box.y + box.height > h + 1) {
        say(id + ': label ' + JSON.stringify(text.style.text) + ' leaves the frame: ' +
          [box.x, box.y, box.width, box.height].map(Math.round));
      }
    }
  }
  // The 13-node graph is labelled; the 27-node one on hover only.
  var want = id === 'links' ? data.count() : 0;
  if (labels !== want) say(id + ': ' + labels + ' labels shown, want ' + want);
  if (painted(id) < 500) say(id + ': canvas nearly empty');
});
return problems;
"#;

/// The 3D chart: drawn in 3D with the camera stepped back on a narrow
/// canvas, or in 2D under a note saying why (in Indonesian).
const CUBE: &str = r#"
var c = chart('cube');
if (!c) { say('chart #cube not drawn'); return problems; }
var o = c.getOption();
var note = document.querySelector('#chart-cube .chart-note');
var canvas = document.querySelector('#chart-cube .chart-canvas');
if (o.grid3D) {
  var distance = o.grid3D[0].viewControl.distance;
  if (canvas.clientWidth < canvas.clientHeight && !(distance > 200)) say('cube: camera at ' + distance);
  if (note) say('cube: drawn in 3D under a note');
} else {
  if (!note) say('cube: drawn flat without a note');
  else if (note.textContent.indexOf('Tampilan 2D') !== 0) say('cube: note ' + JSON.stringify(note.textContent));
  if (o.series[0].type !== 'scatter') say('cube: flat series ' + o.series[0].type);
}
if (c.getWidth() > canvas.clientWidth + 1) say('cube: ' + c.getWidth() + ' px wide in ' + canvas.clientWidth);
return problems;
"#;

/// Without echarts-gl the 3D chart is drawn in 2D: a note in the page's
/// language and all three dimensions in each point's tooltip.
const CUBE_FLAT: &str = r#"
window['echarts-gl'] = undefined;
wawasanCharts.redraw();
var c = chart('cube');
var note = document.querySelector('#chart-cube .chart-note');
if (!note) { say('no note over the flat 3D chart'); return problems; }
if (document.documentElement.lang !== 'id') say('page language ' + document.documentElement.lang);
// The axis names as the build wrote them into the 3D option.
var built = JSON.parse(document.querySelector('#chart-cube script.chart-option').textContent);
var x = built.xAxis3D.name, y = built.yAxis3D.name, z = built.zAxis3D.name;
var want = 'Tampilan 2D (' + x + ' \u00d7 ' + y + '): pustaka grafik 3D (echarts-gl) tidak termuat. ' +
  'Nilai ' + z + ' ada di tooltip setiap titik.';
if (note.textContent !== want) say('note reads ' + JSON.stringify(note.textContent) + ', want ' + JSON.stringify(want));
var o = c.getOption();
if (o.xAxis[0].name !== x || o.yAxis[0].name !== y) say('flat axes ' + o.xAxis[0].name + ', ' + o.yAxis[0].name);
c.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: 0 });
var tip = document.querySelector('#chart-cube .chart-canvas').innerText;
var point = built.series[0].data[0];
if (tip.indexOf(z + ': ' + point[2]) < 0 || tip.indexOf(y + ': ') < 0) say('flat tooltip ' + JSON.stringify(tip));
if (painted('cube') < 500) say('flat cube: canvas nearly empty');
return problems;
"#;

/// Heatmap tooltips: "Kategori <name> · ukuran <size>: <value>"; an empty
/// cell is grey and says "tidak ada data".
const HEAT: &str = r#"
var c = chart('heat');
if (!c) { say('chart #heat not drawn'); return problems; }
var o = c.getOption();
if (o.series.length !== 2 || !o.series[1].noData) { say('heat: no series of empty cells'); return problems; }
var canvas = document.querySelector('#chart-heat .chart-canvas');
var tip = function (s, i) {
  c.dispatchAction({ type: 'showTip', seriesIndex: s, dataIndex: i });
  return canvas.innerText.replace(/\s+/g, ' ').trim();
};
var cell = o.series[0].data[0];
var want = 'Kategori ' + o.yAxis[0].data[cell[1]] + ' \u00b7 ukuran ' + o.xAxis[0].data[cell[0]] + ': ' + cell[2];
var got = tip(0, 0);
if (got !== want) say('heat tooltip ' + JSON.stringify(got) + ', want ' + JSON.stringify(want));
var empty = o.series[1].data[0];
var wantEmpty = 'Kategori ' + o.yAxis[0].data[empty[1]] + ' \u00b7 ukuran ' + o.xAxis[0].data[empty[0]] + ': tidak ada data';
got = tip(1, 0);
if (got !== wantEmpty) say('empty cell tooltip ' + JSON.stringify(got) + ', want ' + JSON.stringify(wantEmpty));
var filled = {};
o.series[0].data.forEach(function (d) { filled[d[0] + ',' + d[1]] = true; });
o.series[1].data.forEach(function (d) { if (filled[d[0] + ',' + d[1]]) say('cell ' + d + ' both filled and empty'); });
if (o.series[0].data.length + o.series[1].data.length !== o.xAxis[0].data.length * o.yAxis[0].data.length) say('heat: cells missing from the grid');
c.dispatchAction({ type: 'hideTip' });
return problems;
"#;

/// After `beforeprint`: every chart drawn at the printed width without
/// animation; after `afterprint`, back to its canvas width.
const PRINT_SIZES: &str = r#"
var ids = ['cats', 'rules', 'links', 'heat'];
window.dispatchEvent(new Event('beforeprint'));
ids.forEach(function (id) {
  var c = chart(id);
  if (!c) { say(id + ' not drawn for print'); return; }
  if (c.getWidth() !== 640) say(id + ': printed ' + c.getWidth() + ' px wide');
  if (c.getOption().animation !== false) say(id + ': animated in print');
});
window.dispatchEvent(new Event('afterprint'));
ids.forEach(function (id) {
  var c = chart(id);
  var w = document.querySelector('#chart-' + id + ' .chart-canvas').clientWidth;
  if (!c || Math.abs(c.getWidth() - w) > 1) say(id + ': not restored to ' + w + ' px');
});
return problems;
"#;

fn problems(browser: &Browser, script: &str, args: &[Value]) -> Vec<String> {
    let found = browser.execute(&format!("{PRELUDE}{script}"), args);
    found
        .as_array()
        .unwrap_or_else(|| panic!("a list of problems, not {found}"))
        .iter()
        .map(|p| p.as_str().unwrap_or_default().to_string())
        .collect()
}

fn load(browser: &Browser, url: &str) {
    browser.goto(url);
    browser.wait_until(CHARTS_READY, Duration::from_secs(20));
    wait_for_still_canvases(browser);
}

/// A fingerprint of every 2D chart canvas's pixels: their alpha weighted
/// by position, so that a node that moves changes it too.
const CANVAS_PIXELS: &str = r#"
return Array.prototype.map.call(document.querySelectorAll('figure.chart canvas'), function (c) {
  // A WebGL canvas cannot be read as 2D: -1, never taken for blank.
  var g = c.getContext('2d');
  if (!g) return -1;
  if (!c.width || !c.height) return 0;
  var data = g.getImageData(0, 0, c.width, c.height).data, sum = 0;
  for (var i = 3; i < data.length; i += 4) sum += data[i] * ((i >> 2) % 9973 + 1);
  return sum;
}).join(',');
"#;

/// Wait until the charts' entry animations are over: a graph's nodes grow
/// in for a while after the chart is made, and a check of its pixels must
/// see them drawn. At most 10 s, then the checks report what they see.
fn wait_for_still_canvases(browser: &Browser) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut last = browser.execute(CANVAS_PIXELS, &[]);
    while std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(300));
        let now = browser.execute(CANVAS_PIXELS, &[]);
        // Still, and painted: a canvas not drawn yet is still too.
        let blank = now.as_str().is_some_and(|s| s.split(',').any(|n| n == "0"));
        if now == last && !blank {
            return;
        }
        last = now;
    }
}

#[test]
fn charts_are_readable_at_phone_and_desktop_width() {
    let f = portal();
    let server = StaticServer::start(&f.path("public"));
    let browser = Browser::start();
    let url = server.url("shop/findings.html");
    let mut found = Vec::new();
    for (width, height) in [(375, 800), (1280, 900)] {
        browser.set_window_size(width, height);
        load(&browser, &url);
        let inner = browser.execute("return window.innerWidth;", &[]);
        assert!(
            inner.as_u64().is_some_and(|w| w <= u64::from(width)),
            "window is {inner} px wide, wanted {width}"
        );
        for script in [LABELS, GRAPHS, CUBE, HEAT] {
            found.extend(
                problems(&browser, script, &[json!(CATEGORIES)])
                    .into_iter()
                    .map(|p| format!("{width} px: {p}")),
            );
        }
    }
    // Back and forth: resizing to a phone refits the labels.
    browser.set_window_size(375, 800);
    std::thread::sleep(Duration::from_millis(400));
    found.extend(problems(&browser, LABELS, &[json!(CATEGORIES)]));
    found.extend(problems(&browser, CUBE_FLAT, &[]));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn print_shows_every_table_column_and_charts_at_page_width() {
    let f = portal();
    let server = StaticServer::start(&f.path("public"));
    let browser = Browser::start();
    browser.set_window_size(1280, 900);
    load(&browser, &server.url("shop/findings.html"));
    let found = problems(&browser, PRINT_SIZES, &[]);
    assert!(found.is_empty(), "{}", found.join("\n"));
    // A4 and Letter, in centimetres.
    for (paper, width, height) in [("A4", 21.0, 29.7), ("Letter", 21.59, 27.94)] {
        let pdf = browser.print_pdf(width, height);
        assert!(pdf.starts_with(b"%PDF"), "{paper}: not a PDF");
        let text = pdf_text(&f.path(&format!("print-{paper}.pdf")), &pdf);
        let words: Vec<&str> = text.split_whitespace().collect();
        let missing: Vec<&str> = HEADERS
            .iter()
            .copied()
            .filter(|h| !words.contains(h))
            .collect();
        assert!(
            missing.is_empty(),
            "{paper}: the printed table lacks the columns {missing:?}; its text:\n{text}"
        );
        // The charts are printed, captions and all.
        assert!(
            text.contains("Qty per kategori"),
            "{paper}: no chart caption"
        );
    }
}
