//! Data cells for the fuzz targets: amounts written the ways data holds
//! money (symbols, grouping, negative styles), dates in the named formats,
//! text that nearly looks like either, and whole CSV files of them, written
//! with RFC 4180 quoting and then maybe damaged.

use super::inputs::{DATE_SETTINGS, TYPES, line_text, text};
use chrono::{NaiveDate, TimeDelta};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use wawasan::data::csv::Ragged;

/// `units / 10^decimals`, exactly.
#[derive(Clone, Debug)]
pub struct Amount {
    pub units: i64,
    pub decimals: u32,
}

impl Amount {
    /// The whole and fraction digits of the magnitude.
    pub fn digits(&self) -> (String, String) {
        let text = self.units.unsigned_abs().to_string();
        let d = self.decimals as usize;
        let padded = format!("{text:0>width$}", width = d + 1);
        let (whole, frac) = padded.split_at(padded.len() - d);
        (whole.to_string(), frac.to_string())
    }

    /// The nearest `f64`, as a parser of the decimal text gives it.
    pub fn value(&self) -> f64 {
        let (whole, frac) = self.digits();
        let sign = if self.units < 0 { "-" } else { "" };
        format!("{sign}{whole}.{frac}0").parse().expect("a number")
    }
}

/// Amounts with 0, 1, 2 or 4 decimals (3 decimals after a lone separator
/// read as thousands, `1.234`, which is the documented reading).
pub fn amount() -> impl Strategy<Value = Amount> {
    (
        prop_oneof![
            -999_999_999_999_999i64..=999_999_999_999_999,
            -100_000i64..100_000,
            -1_000i64..1_000
        ],
        select(&[0u32, 1, 2, 4][..]),
    )
        .prop_map(|(units, decimals)| Amount { units, decimals })
}

/// How an amount is written.
#[derive(Clone, Debug)]
pub struct MoneyStyle {
    pub thousands: &'static str,
    pub decimal: &'static str,
    /// `1,23,45,678` grouping.
    pub indian: bool,
    pub prefix: &'static str,
    pub suffix: &'static str,
    /// 0: `-$5`, 1: `$-5`, 2: `($5)`.
    pub negative: u8,
}

pub fn money_style() -> impl Strategy<Value = MoneyStyle> {
    (
        select(&["", ",", ".", " ", "'", "\u{a0}", "\u{202f}"][..]),
        any::<bool>(),
        any::<bool>(),
        select(&["", "Rp ", "Rp", "Rp.", "$", "€", "₹", "£", "IDR ", "USD "][..]),
        select(&["", " €", " IDR", "€", " USD"][..]),
        0u8..3,
    )
        .prop_map(|(thousands, comma, indian, prefix, suffix, negative)| {
            let decimal = match (thousands, comma) {
                (",", _) => ".",
                (".", _) => ",",
                (_, true) => ",",
                (_, false) => ".",
            };
            MoneyStyle {
                thousands,
                decimal,
                indian: indian && thousands == ",",
                prefix,
                suffix,
                negative,
            }
        })
}

/// Groups the digits of `whole` with `sep` (Indian style: 3, then 2s).
fn group(whole: &str, sep: &str, indian: bool) -> String {
    let digits: Vec<char> = whole.chars().collect();
    let mut groups: Vec<String> = Vec::new();
    let (mut end, mut size) = (digits.len(), 3);
    while end > size {
        groups.push(digits[end - size..end].iter().collect());
        end -= size;
        if indian {
            size = 2;
        }
    }
    groups.push(digits[..end].iter().collect());
    groups.reverse();
    groups.join(sep)
}

pub fn write_money(a: &Amount, s: &MoneyStyle) -> String {
    let (whole, frac) = a.digits();
    let mut number = group(&whole, s.thousands, s.indian);
    if !frac.is_empty() {
        number.push_str(s.decimal);
        number.push_str(&frac);
    }
    let body = format!("{}{number}{}", s.prefix, s.suffix);
    match (a.units < 0, s.negative) {
        (false, _) => body,
        (true, 0) => format!("-{body}"),
        (true, 1) => format!("{}-{number}{}", s.prefix, s.suffix),
        (true, _) => format!("({body})"),
    }
}

/// The named `dates` formats: setting, chrono pattern, two-digit year.
pub const NAMED_DATES: &[(&str, &str, bool)] = &[
    ("MM-DD-YY", "%m-%d-%y", true),
    ("MM-DD-YYYY", "%m-%d-%Y", false),
    ("MM/DD/YY", "%m/%d/%y", true),
    ("MM/DD/YYYY", "%m/%d/%Y", false),
    ("DD-Mon-YY", "%d-%b-%y", true),
    ("DD-MON-YYYY", "%d-%b-%Y", false),
    ("dd/mm/yyyy", "%d/%m/%Y", false),
    ("DD-MM-YYYY", "%d-%m-%Y", false),
    ("YYYY-MM-DD", "%Y-%m-%d", false),
    ("iso", "%Y-%m-%d", false),
    ("%d.%m.%Y", "%d.%m.%Y", false),
];

/// A date of one of `years`.
pub fn date_in(years: std::ops::RangeInclusive<i32>) -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(*years.start(), 1, 1).expect("date");
    let last = NaiveDate::from_ymd_opt(*years.end(), 12, 31).expect("date");
    (0..=(last - first).num_days()).prop_map(move |d| first + TimeDelta::days(d))
}

/// A date and the named format it is written in (two-digit years only
/// from 1970 to 2068, which is what they read back as).
pub fn named_date() -> impl Strategy<Value = (NaiveDate, &'static str)> {
    (0..NAMED_DATES.len()).prop_flat_map(|i| {
        let (setting, _, short_year) = NAMED_DATES[i];
        let years = if short_year { 1970..=2068 } else { 1000..=9999 };
        (date_in(years), Just(setting))
    })
}

/// `date` written in the named format `setting`.
pub fn write_date(date: NaiveDate, setting: &str) -> String {
    let pattern = NAMED_DATES
        .iter()
        .find(|n| n.0 == setting)
        .expect("a named format")
        .1;
    date.format(pattern).to_string()
}

/// Text that looks like an amount of money, a number, or neither.
pub fn money_like() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        6 => "[0-9]{1,4}",
        3 => select(&[".", ",", " ", "'", "\u{a0}", "\u{202f}"][..]).prop_map(str::to_string),
        1 => select(&["Rp", "Rp.", "Rp ", "$", "-$", "$-", "€", "₹", "£", "IDR ", " USD", "-", "+", "(", ")", "e", "E5", "..", ",,", "--", "+-"][..])
            .prop_map(str::to_string),
        1 => "\\PC{0,2}",
    ];
    vec(piece, 0..8).prop_map(|v| v.concat()).boxed()
}

/// Text that looks like a date or a timestamp, or nearly.
pub fn date_like() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        6 => "[0-9]{1,4}",
        3 => select(&["-", "/", ".", " ", "T", "t", ":", "Z", "UTC", "+07:00", "-0500", "+07", "+", "GMT"][..])
            .prop_map(str::to_string),
        1 => select(&["Jan", "jan", "Feb", "Mar", "Sep", "Dec", "Mei", "99", "2022", "12", "31", "00", "60", "24"][..])
            .prop_map(str::to_string),
        1 => "\\PC{0,2}",
    ];
    vec(piece, 0..9).prop_map(|v| v.concat()).boxed()
}

/// Any one cell's text (before quoting).
pub fn cell() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ]{0,8}",
        2 => money_like(),
        2 => date_like(),
        2 => text(4),
        1 => select(&["", " ", "\"", "\"\"", ",", ";", "\n", "\r\n", "\r", "a\"b", "true", "ya", "0", "-", "NULL"][..])
            .prop_map(str::to_string),
    ]
    .boxed()
}

/// What a source declares for a column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Declared {
    Nothing,
    /// A `types` setting (maybe not a valid one).
    Type(&'static str),
    /// A `dates` setting (maybe not a valid one).
    Date(&'static str),
}

fn declared() -> impl Strategy<Value = Declared> {
    prop_oneof![
        3 => Just(Declared::Nothing),
        3 => select(&["int", "float", "money", "bool", "string"][..]).prop_map(Declared::Type),
        2 => (0..NAMED_DATES.len()).prop_map(|i| Declared::Date(NAMED_DATES[i].0)),
        1 => select(TYPES).prop_map(Declared::Type),
        1 => select(DATE_SETTINGS).prop_map(Declared::Date),
    ]
}

/// A cell for a column declared `declared`: usually a value of that kind.
fn cell_for(declared: Declared) -> BoxedStrategy<String> {
    let typed = match declared {
        Declared::Type("int") => prop_oneof![
            any::<i64>().prop_map(|i| i.to_string()),
            (-1000i64..1000).prop_map(|i| format!(" {i}.0")),
        ]
        .boxed(),
        Declared::Type("float") => any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| format!("{x:?}"))
            .boxed(),
        Declared::Type("money") => (amount(), money_style())
            .prop_map(|(a, s)| write_money(&a, &s))
            .boxed(),
        Declared::Type("bool") => {
            select(&["True", "false", "ya", "tidak", "1", "0", "Y", "no"][..])
                .prop_map(str::to_string)
                .boxed()
        }
        Declared::Date(setting) if NAMED_DATES.iter().any(|n| n.0 == setting) => {
            let short = NAMED_DATES.iter().any(|n| n.0 == setting && n.2);
            let years = if short { 1970..=2068 } else { 1000..=9999 };
            date_in(years)
                .prop_map(move |d| write_date(d, setting))
                .boxed()
        }
        _ => return cell(),
    };
    prop_oneof![8 => typed, 1 => Just(String::new()), 1 => cell()].boxed()
}

/// A table written as CSV, then maybe damaged, and the source settings
/// it is read with.
#[derive(Clone, Debug)]
pub struct CsvCase {
    pub header: Vec<String>,
    pub declared: Vec<Declared>,
    pub rows: Vec<Vec<String>>,
    pub delimiter: u8,
    pub crlf: bool,
    pub bom: bool,
    pub quote_all: bool,
    pub final_newline: bool,
    /// Byte edits: (position seed, bytes inserted, bytes deleted).
    pub damage: Vec<(usize, Vec<u8>, usize)>,
    pub ragged: Option<Ragged>,
    /// A `derive` (true) or `filters` (false) expression.
    pub expression: Option<(bool, String)>,
}

/// Bytes that break CSV structure or its encoding.
#[rustfmt::skip]
const DAMAGE: &[&[u8]] = &[
    b"\"", b",", b";", b"\n", b"\r", b"\r\n", b"\xff", b"\xc3", b"\xEF\xBB\xBF", b"\"\"", b"\t", b"",
];

/// Expressions for `derive` and `filters`.
fn expression() -> impl Strategy<Value = Option<(bool, String)>> {
    let text = prop_oneof![
        select(
            &[
                "a > 0",
                "a || b",
                "a IS NOT NULL",
                "CAST(a AS INT)",
                "a / 0",
                "*",
                "a +",
                "'x'"
            ][..]
        )
        .prop_map(str::to_string),
        // ASCII only while `referenced_names` panics on a non-ASCII word
        // before `*` (see `expression_with_non_ascii_word_before_star`).
        line_text(3).prop_map(|s| s.replace(|c: char| !c.is_ascii(), "")),
    ];
    proptest::option::weighted(0.15, (any::<bool>(), text))
}

/// A header field's column name: spaces and a BOM aside.
pub fn column_name(field: &str) -> &str {
    field.trim_start_matches('\u{feff}').trim()
}

pub fn csv_case() -> impl Strategy<Value = CsvCase> {
    let header = vec(cell(), 1..6).prop_map(|fields| {
        let mut seen = std::collections::BTreeSet::new();
        let unique: Vec<String> = fields
            .into_iter()
            .filter(|f| seen.insert(column_name(f).to_string()))
            .collect();
        unique
    });
    let damage = prop_oneof![
        3 => Just(Vec::new()),
        1 => vec(
            (
                any::<usize>(),
                prop_oneof![select(DAMAGE).prop_map(<[u8]>::to_vec), vec(any::<u8>(), 0..4)],
                0usize..4,
            ),
            1..4,
        ),
    ];
    let delimiter = select(
        &[
            b',', b',', b',', b';', b'\t', b'|', b' ', b'a', b'0', b'\x01',
        ][..],
    );
    let ragged = select(
        &[
            None,
            Some(Ragged::Error),
            Some(Ragged::Pad),
            Some(Ragged::Skip),
        ][..],
    );
    let layout = (any::<[bool; 4]>(), delimiter, damage, ragged, expression());
    (header, 0usize..12, layout)
        .prop_flat_map(|(header, n, layout)| {
            let width = header.len();
            (
                Just(header),
                vec(declared(), width..=width),
                Just(n),
                Just(layout),
            )
        })
        .prop_flat_map(|(header, declared, n, layout)| {
            let row: Vec<BoxedStrategy<String>> = declared.iter().map(|d| cell_for(*d)).collect();
            (Just(header), Just(declared), vec(row, n..=n), Just(layout))
        })
        .prop_map(|(header, declared, rows, layout)| {
            let ([crlf, bom, quote_all, final_newline], delimiter, damage, ragged, expression) =
                layout;
            CsvCase {
                header,
                declared,
                rows,
                delimiter,
                crlf,
                bom,
                quote_all,
                final_newline,
                damage,
                ragged,
                expression,
            }
        })
}

/// The CSV bytes of a case (RFC 4180 quoting where a field needs it, or
/// everywhere), with its damage done.
pub fn write_csv(case: &CsvCase) -> Vec<u8> {
    let d = case.delimiter as char;
    let eol = if case.crlf { "\r\n" } else { "\n" };
    let field = |f: &String| {
        let needs = case.quote_all
            || f.is_empty()
            || f.contains([d, '"', '\n', '\r'])
            || f.starts_with('\u{feff}');
        if needs {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.clone()
        }
    };
    let lines: Vec<String> = std::iter::once(&case.header)
        .chain(&case.rows)
        .map(|r| r.iter().map(field).collect::<Vec<_>>().join(&d.to_string()))
        .collect();
    let mut out = String::from(if case.bom { "\u{feff}" } else { "" });
    out.push_str(&lines.join(eol));
    if case.final_newline {
        out.push_str(eol);
    }
    let mut bytes = out.into_bytes();
    for (at, insert, delete) in &case.damage {
        let at = at % (bytes.len() + 1);
        let end = (at + delete).min(bytes.len());
        bytes.splice(at..end, insert.iter().copied());
    }
    bytes
}
