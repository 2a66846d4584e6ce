//! Fuzzing with property tests: structured random inputs for the parsers
//! that read what users write and what data holds — front matter, CSV
//! files, money, number and date text, and pages through Tera and Markdown.
//! Every target checks that nothing panics, that failures are
//! `wawasan::Error` values naming a line that exists, and an invariant of
//! its own. A normal `cargo test` runs a few hundred cases per target; a
//! long run repeats them with fresh seeds for a time budget (see "Fuzzing"
//! in README.md):
//!
//! ```sh
//! WAWASAN_FUZZ_SECS=600 cargo test --release --test fuzz -- --test-threads 1 --nocapture
//! ```
//!
//! Inputs the runs found to fail stay at the end as named regression tests.

mod fuzz_support;

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use fuzz_support::cells::{
    self, Amount, CsvCase, Declared, MoneyStyle, NAMED_DATES, amount, csv_case, date_in,
    money_style, named_date, write_csv, write_date, write_money,
};
use fuzz_support::html::{URL_ATTRIBUTES, is_script_url, tags};
use fuzz_support::inputs::{self, DATE_SETTINGS};
use fuzz_support::pages::{PageCase, page_case, render_page};
use fuzz_support::{check_error, fuzz};
use polars::prelude::DataType;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use wawasan::config::{Language, PortalConfig};
use wawasan::content::front_matter;
use wawasan::content::{PageMeta, ReportMeta};
use wawasan::data::csv::{CsvOptions, Plan, read_csv};
use wawasan::data::parse::{DateFormat, parse_bool, parse_float, parse_int, parse_money};
use wawasan::data::{ColumnType, DeriveSpec, SourceSpec};
use wawasan::render::locale::Locale;
use wawasan::render::markdown::render_markdown;

// ---------------------------------------------------------------------------
// Front matter: splitting, deserialising every schema, SQL blocks, and
// loading and validating a whole content tree.

#[test]
fn fuzz_front_matter() {
    let strategy = prop_oneof![
        (
            inputs::page_text(true),
            inputs::page_text(false),
            select(&["shop", "Bad Name", "r-2_x", "é"][..]),
        ),
        (inputs::clean_report(), inputs::clean_page(), Just("shop")),
    ];
    fuzz("front_matter", 96, strategy, |(report, page, folder)| {
        check_front_matter(&report)?;
        check_front_matter(&page)?;
        check_portal(&report, &page, folder)
    });
}

/// `split`, every schema's `parse`, and the SQL blocks of one page text.
fn check_front_matter(text: &str) -> Result<(), TestCaseError> {
    let path = Path::new("content/r/_index.md");
    let lines = text.split('\n').count();
    let split = match front_matter::split(text, path) {
        Ok(split) => split,
        Err(e) => {
            check_error(&e)?;
            prop_assert!(e.line_number().is_some_and(|l| l <= lines), "{e}");
            return Ok(());
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    prop_assert!(text.ends_with(split.body));
    let before_body = &text[..text.len() - split.body.len()];
    // The body starts on the line after the closing fence (which is past
    // the end when the fence ends the file without a line end).
    let body_line = 1 + before_body.matches('\n').count();
    let at_end = split.body.is_empty() && !before_body.is_empty() && !before_body.ends_with('\n');
    prop_assert_eq!(split.body_line, body_line + usize::from(at_end));
    prop_assert!(before_body.contains(split.front_matter));
    check_parse::<ReportMeta>(&split, path, lines)?;
    check_parse::<PageMeta>(&split, path, lines)?;
    check_parse::<PortalConfig>(&split, path, lines)?;
    match wawasan::content::queries::extract(split.body, split.body_line, path) {
        // Blocks are replaced line for line, so later lines keep their numbers.
        Ok((body, blocks)) => {
            prop_assert_eq!(body.lines().count(), split.body.lines().count());
            for b in blocks {
                prop_assert!(b.line >= split.body_line && b.line <= lines);
            }
        }
        Err(e) => {
            check_error(&e)?;
            prop_assert!(e.line_number().is_some_and(|l| l <= lines), "{e}");
        }
    }
    Ok(())
}

fn check_parse<T: serde::de::DeserializeOwned>(
    split: &front_matter::Split,
    path: &Path,
    lines: usize,
) -> Result<(), TestCaseError> {
    if let Err(e) = front_matter::parse::<T>(split, path) {
        check_error(&e)?;
        if let Some(line) = e.line_number() {
            prop_assert!(
                line >= 1 && line <= lines,
                "line {} of {}: {}",
                line,
                lines,
                e
            );
        }
    }
    Ok(())
}

/// A content tree with the fuzzed report and page, loaded and validated.
fn check_portal(report: &str, page: &str, folder: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let content = dir.path().join("content");
    let report_dir = content.join(folder);
    std::fs::create_dir_all(&report_dir).expect("report folder");
    std::fs::write(
        content.join("_index.md"),
        "+++\ntitle = \"P\"\n+++\nIntro\n",
    )
    .expect("write");
    std::fs::write(report_dir.join("_index.md"), report).expect("write");
    std::fs::write(report_dir.join("page.md"), page).expect("write");
    match wawasan::content::load_portal(&content) {
        Ok(portal) => {
            prop_assert_eq!(portal.reports.len(), 1);
            prop_assert_eq!(portal.reports[0].pages.len(), 2);
        }
        Err(e) => {
            check_error(&e)?;
            let lines = report.split('\n').count().max(page.split('\n').count());
            if let Some(line) = e.line_number() {
                prop_assert!(
                    line >= 1 && line <= lines,
                    "line {} of {}: {}",
                    line,
                    lines,
                    e
                );
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The CSV reader: well-formed files give back their cells exactly; damaged
// files are read or refused with an error naming a line of the file; and a
// source with declared types, dates, derive and filters loads (its typed
// columns holding what the cell parsers read) or fails cleanly.

#[test]
fn fuzz_csv_reader() {
    fuzz("csv_reader", 128, csv_case(), |case| {
        let bytes = write_csv(&case);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.csv");
        std::fs::write(&path, &bytes).expect("write");
        let lines = bytes.split(|&b| b == b'\n').count();
        let blank = bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&bytes)
            .iter()
            .all(u8::is_ascii_whitespace);
        check_text_read(&case, &path, lines, blank)?;
        check_source_load(&case, dir.path(), lines)
    });
}

/// Read every column as text: a well-formed file (with a header that is
/// not all blank) gives back its cells.
fn check_text_read(
    case: &CsvCase,
    path: &Path,
    lines: usize,
    blank: bool,
) -> Result<(), TestCaseError> {
    let keep = |_: &str| true;
    let plan = |name: &str| (Plan::Text, name.to_string());
    let options = CsvOptions {
        delimiter: case.delimiter,
        keep: &keep,
        plan: &plan,
        ragged: case.ragged.unwrap_or_default(),
    };
    let table = match read_csv(path, &options) {
        Ok(table) => table,
        Err(e) => {
            check_error(&e)?;
            if let Some(line) = e.line_number() {
                prop_assert!(
                    line >= 1 && line <= lines,
                    "line {} of {}: {}",
                    line,
                    lines,
                    e
                );
            }
            let names: BTreeSet<&str> = case.header.iter().map(|n| cells::column_name(n)).collect();
            let duplicate = names.len() != case.header.len();
            prop_assert!(
                !case.damage.is_empty() || duplicate || blank,
                "well-formed CSV refused: {e}"
            );
            return Ok(());
        }
    };
    if !case.damage.is_empty() {
        prop_assert!(table.frame.height() <= lines);
        return Ok(());
    }
    prop_assert_eq!(&table.header, &case.header);
    prop_assert_eq!(table.frame.height(), case.rows.len());
    for (c, column) in table.frame.columns().iter().enumerate() {
        let cells: Vec<Option<&str>> = column.str().expect("text column").iter().collect();
        let expected: Vec<Option<&str>> = case
            .rows
            .iter()
            .map(|r| Some(r[c].as_str()).filter(|s| !s.is_empty()))
            .collect();
        prop_assert_eq!(cells, expected, "column {}", c);
    }
    Ok(())
}

/// The file as a source with declared types and dates, through cleaning.
fn check_source_load(case: &CsvCase, dir: &Path, lines: usize) -> Result<(), TestCaseError> {
    let mut types = BTreeMap::new();
    let mut dates = BTreeMap::new();
    for (name, declared) in case.header.iter().zip(&case.declared) {
        match declared {
            Declared::Type(ty) => {
                if let Ok(ty) = serde_json::from_value::<ColumnType>(Value::from(*ty)) {
                    types.insert(cells::column_name(name).to_string(), ty);
                }
            }
            Declared::Date(setting) => {
                dates.insert(cells::column_name(name).to_string(), setting.to_string());
            }
            Declared::Nothing => {}
        }
    }
    let (derive, filters) = match &case.expression {
        Some((true, e)) => (
            vec![DeriveSpec {
                name: "d".into(),
                expr: e.clone(),
            }],
            vec![],
        ),
        Some((false, e)) => (vec![], vec![e.clone()]),
        None => (vec![], vec![]),
    };
    let spec = SourceSpec {
        name: "t".into(),
        path: "x.csv".into(),
        format: None,
        delimiter: Some(case.delimiter as char),
        ragged: case.ragged,
        sheet: None,
        records: None,
        rename: BTreeMap::new(),
        types,
        dates,
        derive,
        filters,
        ..SourceSpec::default()
    };
    let loaded = match wawasan::data::load_source(&spec, dir) {
        Ok(loaded) => loaded,
        Err(e) => {
            check_error(&e)?;
            if let Some(line) = e.line_number() {
                prop_assert!(
                    line >= 1 && line <= lines,
                    "line {} of {}: {}",
                    line,
                    lines,
                    e
                );
            }
            return Ok(());
        }
    };
    prop_assert!(loaded.frame.height() <= lines);
    if case.damage.is_empty() && case.expression.is_none() {
        check_typed_columns(case, &loaded.frame)?;
    }
    Ok(())
}

/// Every declared money, int and date column holds what the cell parsers
/// read from its cells (blank cells are null).
fn check_typed_columns(
    case: &CsvCase,
    frame: &polars::prelude::DataFrame,
) -> Result<(), TestCaseError> {
    for (c, (name, declared)) in case.header.iter().zip(&case.declared).enumerate() {
        let Ok(column) = frame.column(cells::column_name(name)) else {
            continue;
        };
        let cells = case
            .rows
            .iter()
            .map(|r| Some(r[c].as_str()).filter(|s| !s.trim().is_empty()));
        match declared {
            Declared::Type("money") => {
                let got: Vec<Option<f64>> = column.f64().expect("money is f64").iter().collect();
                let want: Vec<Option<f64>> = cells.map(|s| s.and_then(parse_money)).collect();
                prop_assert_eq!(got, want, "money column {:?}", name);
            }
            Declared::Type("int") => {
                let got: Vec<Option<i64>> = column.i64().expect("int is i64").iter().collect();
                let want: Vec<Option<i64>> = cells.map(|s| s.and_then(parse_int)).collect();
                prop_assert_eq!(got, want, "int column {:?}", name);
            }
            Declared::Date(setting) => {
                let Ok(format) = DateFormat::from_setting(setting) else {
                    continue;
                };
                let days = column.cast(&DataType::Int32).expect("days");
                let got: Vec<Option<i32>> = days.i32().expect("i32").iter().collect();
                let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
                let want: Vec<Option<i32>> = cells
                    .map(|s| {
                        let date = format.parse(s?)?;
                        i32::try_from((date - epoch).num_days()).ok()
                    })
                    .collect();
                prop_assert_eq!(got, want, "date column {:?} as {}", name, setting);
            }
            _ => {}
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Cleaning text cells: any text through every parser, and round trips of
// amounts, numbers, dates and timestamps written the ways data holds them.

#[derive(Clone, Debug)]
enum Cleaning {
    /// Any text through every cell parser, and any text as a date setting.
    Text(String, String),
    /// An amount written with a symbol, separators and a negative style.
    Money(Amount, MoneyStyle),
    /// An amount or number written by the portal's own locale formatter.
    Locale(Amount, bool, &'static str),
    /// A date in a named `dates` format.
    Date(NaiveDate, &'static str),
    /// An ISO timestamp: date, seconds of the day, fraction, zone, separator.
    Timestamp(NaiveDate, u32, Option<String>, &'static str, usize),
    /// Plain integers and floats.
    Number(i64, f64),
}

fn cleaning() -> impl Strategy<Value = Cleaning> {
    let setting = prop_oneof![
        select(DATE_SETTINGS).prop_map(str::to_string),
        "[%a-zA-Z0-9.:+# -]{0,8}",
        inputs::text(3),
    ];
    let any_text = prop_oneof![cells::money_like(), cells::date_like(), inputs::text(5)];
    let zone = select(
        &[
            "", "Z", "z", "UTC", " UTC", " GMT", "+07:00", "-05:00", "+0700", "-05", "+00:00",
            "+14:00", "-12:00",
        ][..],
    );
    let timestamp = (
        date_in(1..=9998),
        0u32..86_400,
        proptest::option::of("[0-9]{1,9}"),
        zone,
        0usize..3,
    )
        .prop_map(|(d, secs, frac, zone, sep)| Cleaning::Timestamp(d, secs, frac, zone, sep));
    let currency = select(&["IDR", "USD", "EUR", "INR", "GBP", "JPY", "CHF", "xyz"][..]);
    prop_oneof![
        3 => (any_text, setting).prop_map(|(t, s)| Cleaning::Text(t, s)),
        3 => (amount(), money_style()).prop_map(|(a, s)| Cleaning::Money(a, s)),
        2 => (amount(), any::<bool>(), currency).prop_map(|(a, id, c)| Cleaning::Locale(a, id, c)),
        2 => named_date().prop_map(|(d, f)| Cleaning::Date(d, f)),
        2 => timestamp,
        1 => (any::<i64>(), any::<f64>()).prop_map(|(i, f)| Cleaning::Number(i, f)),
    ]
}

#[test]
fn fuzz_text_cleaning() {
    fuzz("text_cleaning", 1024, cleaning(), check_cleaning);
}

fn check_cleaning(case: Cleaning) -> Result<(), TestCaseError> {
    match case {
        Cleaning::Text(text, setting) => {
            let _ = (parse_int(&text), parse_float(&text), parse_bool(&text));
            if let Some(x) = parse_money(&text) {
                prop_assert!(!x.is_nan(), "{:?} -> NaN", text);
            }
            for (name, _, _) in NAMED_DATES {
                let _ = DateFormat::from_setting(name)
                    .expect("a named format")
                    .parse(&text);
            }
            if let Ok(format) = DateFormat::from_setting(&setting) {
                let _ = format.parse(&text);
                let _ = format.parse(&setting);
            }
        }
        Cleaning::Money(amount, style) => {
            let text = write_money(&amount, &style);
            prop_assert_eq!(parse_money(&text), Some(amount.value()), "{:?}", text);
        }
        Cleaning::Locale(amount, indonesian, currency) => {
            let language = if indonesian {
                Language::Id
            } else {
                Language::En
            };
            let locale = Locale::new(language, currency);
            let x = amount.value();
            let decimals = amount.decimals as usize;
            let money = locale.money(x, None, Some(decimals));
            prop_assert_eq!(parse_money(&money), Some(x), "{:?}", money);
            let number = locale.number(x, decimals);
            prop_assert_eq!(parse_money(&number), Some(x), "{:?}", number);
        }
        Cleaning::Date(date, name) => {
            let text = write_date(date, name);
            let format = DateFormat::from_setting(name).expect("a named format");
            prop_assert_eq!(format.parse(&text), Some(date), "{:?} as {}", text, name);
            let padded = format!(" {text}\t");
            prop_assert_eq!(
                format.parse(&padded),
                Some(date),
                "{:?} as {}",
                padded,
                name
            );
        }
        Cleaning::Timestamp(date, secs, frac, zone, sep) => {
            let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).expect("time");
            let mut text = format!(
                "{}{}{}",
                date.format("%Y-%m-%d"),
                ["T", " ", "t"][sep],
                time.format("%H:%M")
            );
            if let Some(digits) = &frac {
                text.push_str(&format!("{}.{digits}", time.format(":%S")));
            } else if secs % 2 == 0 {
                text.push_str(&time.format(":%S").to_string());
            }
            text.push_str(zone);
            let offset = zone_seconds(zone);
            let expected = (date.and_time(time) - TimeDelta::seconds(offset)).date();
            prop_assert_eq!(DateFormat::Iso.parse(&text), Some(expected), "{:?}", text);
        }
        Cleaning::Number(i, f) => {
            prop_assert_eq!(parse_int(&i.to_string()), Some(i));
            prop_assert_eq!(parse_int(&format!(" {i} ")), Some(i));
            if f.is_finite() {
                prop_assert_eq!(parse_float(&format!("{f:?}")), Some(f));
                let _ = parse_money(&format!("{f}"));
            }
        }
    }
    Ok(())
}

/// Seconds east of UTC of a zone suffix written by the generator.
fn zone_seconds(zone: &str) -> i64 {
    let z = zone.trim();
    let Some(sign) = z
        .strip_prefix('+')
        .map(|r| (1, r))
        .or(z.strip_prefix('-').map(|r| (-1, r)))
    else {
        return 0;
    };
    let digits: String = sign.1.chars().filter(char::is_ascii_digit).collect();
    let hours: i64 = digits[..2].parse().expect("hours");
    let minutes: i64 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(0, |m| m.parse().expect("minutes"));
    sign.0 * (hours * 3600 + minutes * 60)
}

// ---------------------------------------------------------------------------
// Pages through Tera and Markdown: arbitrary values never become markup,
// wherever the page places them; a value in fixed prose renders as exactly
// its text; and a page with any text either renders or fails with an error.

/// Tags no page fragment writes: one in the output came from a value.
const FOREIGN_TAGS: &[&str] = &[
    "script", "iframe", "svg", "object", "embed", "b", "style", "math", "base", "form", "meta",
    "link",
];

/// No value became a tag, an event handler or a script URL.
fn check_markup(html: &str) -> Result<(), TestCaseError> {
    for tag in tags(html) {
        prop_assert!(
            !FOREIGN_TAGS.contains(&tag.name.as_str()),
            "<{}> in {}",
            tag.name,
            html
        );
        for (name, value) in &tag.attributes {
            prop_assert!(
                !name.starts_with("on"),
                "attribute {} on <{}> in {}",
                name,
                tag.name,
                html
            );
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                prop_assert!(
                    !is_script_url(value),
                    "{}={:?} on <{}> in {}",
                    name,
                    value,
                    tag.name,
                    html
                );
            }
        }
    }
    Ok(())
}

/// Fixed texts around a value, and how the value's text is escaped there
/// (`true`: by Markdown's writer, `&<>` only; `false`: in raw HTML, which
/// also escapes quotes).
const LITERAL_PLACES: &[(&str, bool)] = &[
    ("Before {{ s0 }} after.", true),
    ("- item {{ s0 }} end\n- two", true),
    ("> quote {{ s0 }} end", true),
    ("| h |\n|---|\n| a {{ s0 }} b |", true),
    ("*em {{ s0 }} em*", true),
    ("[a {{ s0 }} b](page.html)", true),
    ("x `a {{ s0 }} b` y", true),
    ("```\na {{ s0 }} b\n```", true),
    ("x <span title=\"a {{ s0 }} b\">s</span> y", false),
    ("<div class=\"note\">a {{ s0 }} b</div>", false),
];

const NEUTRAL: &str = "NEUTRALVALUE";

/// A value placed in fixed text renders as its own text: the page with the
/// value equals the page with a plain word, the word replaced by the
/// value's escaped text.
fn check_literal(case: &PageCase) -> Result<(), TestCaseError> {
    let (place, markdown_escaped) = LITERAL_PLACES[case.literal];
    let Some((_, Value::String(value))) = case.values.first() else {
        return Ok(());
    };
    let mut neutral_case = case.clone();
    neutral_case.values[0].1 = Value::String(NEUTRAL.into());
    let neutral = render_page(&neutral_case, place)?.expect("a fixed page renders");
    let html = match render_page(case, place)? {
        Ok(html) => html,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "{place:?} with {value:?}: {e}"
            )));
        }
    };
    let escaped = if markdown_escaped {
        value
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        wawasan::chart::escape_html(value)
    };
    prop_assert_eq!(
        html,
        neutral.replace(NEUTRAL, &escaped),
        "{:?} with {:?}",
        place,
        value
    );
    Ok(())
}

#[test]
fn fuzz_page_rendering() {
    fuzz(
        "page_rendering",
        192,
        page_case(LITERAL_PLACES.len()),
        |case| {
            if let Ok(html) = render_page(&case, &case.body)? {
                check_markup(&html)?;
            }
            // The page text as Markdown alone, placeholders and all.
            check_markup(&render_markdown(&case.body).html)?;
            check_literal(&case)
        },
    );
}

// ---------------------------------------------------------------------------
// Regressions: inputs the fuzz targets found, fixed, kept as plain tests.

/// `referenced_names` (src/data/sql.rs) slices inside a non-ASCII character
/// when a word of one ends right before `*`; reported, not fixed here.
#[test]
fn expression_with_non_ascii_word_before_star() {
    let (names, star) = wawasan::data::sql::referenced_names("é*");
    assert!(names.contains("é") && !star);
}

/// `body` rendered with `s0` and `s1` in the context: the HTML or the error.
fn render_with(body: &str, s0: &str, s1: &str, list: Value) -> Result<String, String> {
    let case = PageCase {
        body: body.to_string(),
        values: vec![
            ("s0".into(), Value::from(s0)),
            ("s1".into(), Value::from(s1)),
            ("list".into(), list),
        ],
        table: (vec!["a".into()], vec![]),
        kpis: vec![],
        indonesian: false,
        literal: 0,
    };
    render_page(&case, body).expect("no property fails")
}

fn render_text(body: &str, s0: &str, s1: &str) -> String {
    render_with(body, s0, s1, Value::Null).expect("the page renders")
}

/// Found by `page_rendering`: a value in an unquoted `href` kept its
/// `javascript:` scheme (fixed in `render::placeholders`, `html_value`).
#[test]
fn a_value_in_an_unquoted_href_is_no_script_url() {
    let html = render_text("<a href={{ s0 }}>a</a>", "javascript:alert(1)", "");
    assert_eq!(html, "<p><a href=#>a</a></p>\n");
}

/// Found by `page_rendering`: a value in an unquoted attribute, on a line
/// of its own in an HTML block, added an event handler (fixed in
/// `render::placeholders`: `html_value`, and `resolve` reading the block's
/// lines as one).
#[test]
fn a_value_in_an_unquoted_attribute_stays_its_value() {
    let html = render_text("<div\nclass={{ s0 }}\n>\n", "x onclick=alert(1)", "");
    assert_eq!(html, "<div\nclass=x&#32;onclick&#61;alert(1)\n>\n");
}

/// Found with the two above: spaces before a value, or a value before it,
/// are part of the URL whose scheme is checked.
#[test]
fn a_url_scheme_is_checked_with_what_stands_before_the_value() {
    let spaced = render_text("x <a href=\" {{ s0 }}\">a</a>", "javascript:alert(1)", "");
    assert_eq!(spaced, "<p>x <a href=\" #\">a</a></p>\n");
    let joined = render_text(
        "x <a href=\"{{ s0 }}{{ s1 }}\">a</a>",
        "java",
        "script:alert(1)",
    );
    assert_eq!(joined, "<p>x <a href=\"java#\">a</a></p>\n");
    let below = render_text("x <a href=\"/r/{{ s0 }}\">a</a>", "javascript:x", "");
    assert_eq!(below, "<p>x <a href=\"/r/javascript:x\">a</a></p>\n");
}

/// Found with the ones above: where a tag or attribute name goes, a value
/// names nothing.
#[test]
fn a_value_where_a_name_goes_names_nothing() {
    let html = render_text("<div>\n<{{ s0 }}>\n</div>", "script", "");
    assert_eq!(html, "<div>\n<&#115;&#99;&#114;&#105;&#112;&#116;>\n</div>");
}

/// Found by `page_rendering`: Tera counts a text's characters but loops
/// over its graphemes, and panics at a combining mark
/// (tera-1.20.1/src/renderer/for_loop.rs:62). Reported, not fixed here:
/// the fix belongs where pages are rendered (`render::narrative`).
#[test]
fn for_loop_over_text_with_a_combining_mark() {
    let result = render_with(
        "{% for x in s0 %}{{ x }}{% endfor %}",
        "0\u{1193b}",
        "",
        Value::Null,
    );
    // Tera miscounts such text and panics; the page gets an error instead.
    match &result {
        Ok(_) => {}
        Err(e) => assert!(e.contains("template engine failed"), "{e}"),
    }
}

/// Found by `page_rendering`: Tera escapes only a text value, so `~`
/// (always) and a list or object (written as `[a, b]`) reached Markdown
/// unescaped, as markup (fixed in `render::text_values`).
#[test]
fn a_list_in_prose_is_escaped() {
    let joined = render_text("{{ s1 ~ s0 }}", "<script>alert(1)</script>", "");
    assert!(!joined.contains("<script"), "{joined}");
    let list = render_with("{{ list }}", "", "", serde_json::json!(["<b>x</b>"]));
    assert!(!list.expect("renders").contains("<b>"));
}
