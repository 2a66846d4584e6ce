//! PostgreSQL's text format (`COPY ... TO STDOUT` rows, simple-query
//! values) decoded into typed polars columns: integers → Int64; numeric
//! and floats → Float64; bool → Boolean; date → Date; timestamp → naive
//! Datetime (µs); timestamptz → UTC Datetime (µs); everything else (text,
//! json, uuid, ...) → String. NULL stays null.
//!
//! The session is set to `DateStyle = ISO` and `TimeZone = UTC` before
//! reading, so dates and timestamps arrive as `2024-03-01 10:02:03.5+00`.
//! Rows of a parameterised query arrive in binary form instead:
//! `push_binary` reads the types `binary_ready` accepts (the query casts
//! the others to one of them).

use super::parquet_sink::RowSink;
use crate::error::{Error, Result};
use polars::prelude::{
    BooleanChunkedBuilder, ChunkedBuilder, Column, Int32Chunked, Int64Chunked, IntoColumn,
    IntoSeries, NewChunkedArray, PlSmallStr, StringChunkedBuilder, TimeUnit, TimeZone,
};
use std::io::Read;

/// What a server column becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    Bool,
    Date,
    Timestamp,
    TimestampTz,
    Text,
}

impl Kind {
    /// The kind for a server type name (`int4`, `numeric`, `timestamptz`...).
    pub fn of_type(name: &str) -> Kind {
        match name {
            "int2" | "int4" | "int8" | "oid" => Kind::Int,
            "float4" | "float8" | "numeric" | "money" => Kind::Float,
            "bool" => Kind::Bool,
            "date" => Kind::Date,
            "timestamp" => Kind::Timestamp,
            "timestamptz" => Kind::TimestampTz,
            _ => Kind::Text,
        }
    }
}

/// One column being filled, value by value.
pub struct ColumnBuilder {
    name: String,
    kind: Kind,
    values: Values,
}

enum Values {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Bool(BooleanChunkedBuilder),
    Date(Vec<Option<i32>>),
    Micros(Vec<Option<i64>>),
    Text(StringChunkedBuilder),
}

impl ColumnBuilder {
    pub fn new(name: &str, kind: Kind) -> Self {
        let n = PlSmallStr::from(name);
        let values = match kind {
            Kind::Int => Values::Int(Vec::new()),
            Kind::Float => Values::Float(Vec::new()),
            Kind::Bool => Values::Bool(BooleanChunkedBuilder::new(n, 0)),
            Kind::Date => Values::Date(Vec::new()),
            Kind::Timestamp | Kind::TimestampTz => Values::Micros(Vec::new()),
            Kind::Text => Values::Text(StringChunkedBuilder::new(n, 0)),
        };
        ColumnBuilder {
            name: name.to_string(),
            kind,
            values,
        }
    }

    /// Add one value (`None`: NULL); a value that does not read as the
    /// column's type is an error naming the column and the value.
    pub fn push(&mut self, value: Option<&str>) -> Result<()> {
        let bad = |what: &str, v: &str| {
            Error::new(format!(
                "column `{}` holds `{}`, which is not {what}",
                self.name,
                excerpt(v)
            ))
            .hint(format!(
                "cast it in the query, e.g. `SELECT \"{0}\"::text AS \"{0}\"`",
                self.name
            ))
        };
        match &mut self.values {
            Values::Int(v) => v.push(match value {
                None => None,
                Some(s) => Some(s.parse::<i64>().map_err(|_| bad("an integer", s))?),
            }),
            Values::Float(v) => v.push(match value {
                None => None,
                Some(s) => Some(parse_float(s).ok_or_else(|| bad("a number", s))?),
            }),
            Values::Bool(b) => b.append_option(match value {
                None => None,
                Some("t") => Some(true),
                Some("f") => Some(false),
                Some(s) => return Err(bad("a boolean", s)),
            }),
            Values::Date(v) => v.push(match value {
                None => None,
                Some(s) => Some(parse_date(s).ok_or_else(|| bad("a date (YYYY-MM-DD)", s))?),
            }),
            Values::Micros(v) => v.push(match value {
                None => None,
                Some(s) => Some(parse_timestamp(s).ok_or_else(|| bad("a timestamp", s))?),
            }),
            Values::Text(b) => b.append_option(value),
        }
        Ok(())
    }

    /// Add one value in PostgreSQL's binary form (`None`: NULL) of the
    /// server type `type_name`, one of those `binary_ready` accepts.
    pub fn push_binary(&mut self, type_name: &str, raw: Option<&[u8]>) -> Result<()> {
        let Some(raw) = raw else {
            return self.push(None);
        };
        let bad = || {
            Error::new(format!(
                "column `{}`: a {type_name} value of {} bytes cannot be read",
                self.name,
                raw.len()
            ))
        };
        let int = |n: usize| -> Option<i64> {
            let bytes = raw.get(..n)?;
            Some(match n {
                2 => i64::from(i16::from_be_bytes(bytes.try_into().ok()?)),
                4 => i64::from(i32::from_be_bytes(bytes.try_into().ok()?)),
                _ => i64::from_be_bytes(bytes.try_into().ok()?),
            })
        };
        // Dates and timestamps count from 2000-01-01.
        const DAYS_2000: i64 = 10_957;
        const MICROS_2000: i64 = DAYS_2000 * 86_400_000_000;
        match (&mut self.values, type_name) {
            (Values::Int(v), "int2") => v.push(Some(int(2).ok_or_else(bad)?)),
            (Values::Int(v), "int4") => v.push(Some(int(4).ok_or_else(bad)?)),
            (Values::Int(v), "int8") => v.push(Some(int(8).ok_or_else(bad)?)),
            (Values::Float(v), "float4") => {
                let b: [u8; 4] = raw.try_into().map_err(|_| bad())?;
                v.push(Some(f64::from(f32::from_be_bytes(b))))
            }
            (Values::Float(v), "float8") => {
                let b: [u8; 8] = raw.try_into().map_err(|_| bad())?;
                v.push(Some(f64::from_be_bytes(b)))
            }
            (Values::Bool(b), "bool") => b.append_value(raw.first().ok_or_else(bad)? != &0),
            (Values::Date(v), "date") => {
                let days = int(4).ok_or_else(bad)? + DAYS_2000;
                v.push(Some(i32::try_from(days).map_err(|_| bad())?))
            }
            (Values::Micros(v), "timestamp" | "timestamptz") => {
                v.push(Some(int(8).ok_or_else(bad)?.saturating_add(MICROS_2000)))
            }
            (Values::Text(b), _) => b.append_value(std::str::from_utf8(raw).map_err(|_| bad())?),
            _ => return Err(bad()),
        }
        Ok(())
    }

    pub fn finish(self) -> Column {
        let name = PlSmallStr::from(self.name.as_str());
        match self.values {
            Values::Int(v) => Int64Chunked::from_iter_options(name, v.into_iter()).into_column(),
            Values::Float(v) => {
                polars::prelude::Float64Chunked::from_iter_options(name, v.into_iter())
                    .into_column()
            }
            Values::Bool(b) => b.finish().into_column(),
            Values::Date(v) => Int32Chunked::from_iter_options(name, v.into_iter())
                .into_date()
                .into_series()
                .into_column(),
            Values::Micros(v) => {
                let tz = (self.kind == Kind::TimestampTz).then_some(TimeZone::UTC);
                Int64Chunked::from_iter_options(name, v.into_iter())
                    .into_datetime(TimeUnit::Microseconds, tz)
                    .into_series()
                    .into_column()
            }
            Values::Text(b) => b.finish().into_column(),
        }
    }
}

/// Whether values of server type `name` are read in binary form as they
/// are (the others are cast: numbers to `double precision`, the rest to
/// `text`).
pub fn binary_ready(name: &str) -> bool {
    matches!(
        name,
        "int2"
            | "int4"
            | "int8"
            | "float4"
            | "float8"
            | "bool"
            | "date"
            | "timestamp"
            | "timestamptz"
            | "text"
            | "varchar"
            | "bpchar"
            | "name"
    )
}

/// A number in PostgreSQL's output: `12.5`, `-3`, `1e-07`, `NaN`,
/// `Infinity`, `-Infinity`; `money` as `$1,234.50` too.
fn parse_float(s: &str) -> Option<f64> {
    if let Ok(x) = s.parse::<f64>() {
        return Some(x);
    }
    let cleaned: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E' | '+'))
        .collect();
    cleaned.parse::<f64>().ok()
}

/// Days since 1970-01-01 of `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])? as i32;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day)?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

/// Microseconds since the epoch of `YYYY-MM-DD HH:MM:SS[.ffffff][±HH[:MM[:SS]]]`
/// (the offset, when given, is taken off: the result is UTC).
fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let days = i64::from(parse_date(&s[..10])?);
    let (h, m, sec) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut micros = 0i64;
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        let digits_text = &fraction[..end];
        if digits_text.is_empty() || digits_text.len() > 6 {
            return None;
        }
        let value: i64 = digits_text.parse().ok()?;
        micros = value * 10i64.pow(6 - digits_text.len() as u32);
        rest = &fraction[end..];
    }
    let offset = parse_offset(rest)?;
    let seconds = days * 86_400 + (h * 3600 + m * 60 + sec) as i64 - offset;
    Some(seconds * 1_000_000 + micros)
}

/// `""` (none), `+00`, `-05:30`, `+05:53:28` in seconds east of UTC.
fn parse_offset(s: &str) -> Option<i64> {
    if s.is_empty() {
        return Some(0);
    }
    let sign = match s.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut seconds = 0i64;
    for (i, part) in s[1..].split(':').enumerate() {
        if i > 2 || part.len() != 2 {
            return None;
        }
        seconds += digits(part.as_bytes())? as i64 * [3600, 60, 1][i];
    }
    Some(sign * seconds)
}

/// A value short enough for a message.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Read `COPY ... TO STDOUT` text rows into `sink`; returns the rows read.
pub fn read_copy(mut reader: impl Read, sink: &mut impl RowSink) -> Result<usize> {
    let mut buffer = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut rows = 0usize;
    let mut field = String::new();
    loop {
        let n = reader
            .read(&mut buffer)
            .map_err(|e| Error::new(format!("reading the rows failed: {e}")))?;
        if n == 0 {
            break;
        }
        carry.extend_from_slice(&buffer[..n]);
        let mut start = 0;
        while let Some(end) = memchr::memchr(b'\n', &carry[start..]) {
            let line = &carry[start..start + end];
            read_line(line, sink.columns(), &mut field, rows)?;
            sink.row_done()?;
            rows += 1;
            start += end + 1;
        }
        carry.drain(..start);
    }
    if !carry.is_empty() {
        read_line(&carry, sink.columns(), &mut field, rows)?;
        sink.row_done()?;
        rows += 1;
    }
    Ok(rows)
}

/// One row: tab-separated fields, `\N` for NULL, backslash escapes.
fn read_line(
    line: &[u8],
    columns: &mut [ColumnBuilder],
    field: &mut String,
    row: usize,
) -> Result<()> {
    let line = std::str::from_utf8(line).map_err(|_| {
        Error::new(format!("row {} is not valid UTF-8", row + 1))
            .hint("set the database's client encoding to UTF8")
    })?;
    let mut fields = line.split('\t');
    for column in columns.iter_mut() {
        let raw = fields
            .next()
            .ok_or_else(|| Error::new(format!("row {} has fewer fields than columns", row + 1)))?;
        if raw == "\\N" {
            column.push(None)?;
        } else if raw.contains('\\') {
            unescape(raw, field);
            column.push(Some(field))?;
        } else {
            column.push(Some(raw))?;
        }
    }
    Ok(())
}

/// Undo COPY's text escapes (`\\`, `\t`, `\n`, `\r`, `\b`, `\f`, `\v`,
/// octal `\123`, hex `\x41`).
fn unescape(raw: &str, out: &mut String) {
    out.clear();
    let mut bytes: Vec<u8> = Vec::with_capacity(raw.len());
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 == b.len() {
            bytes.push(b[i]);
            i += 1;
            continue;
        }
        let c = b[i + 1];
        i += 2;
        match c {
            b't' => bytes.push(b'\t'),
            b'n' => bytes.push(b'\n'),
            b'r' => bytes.push(b'\r'),
            b'b' => bytes.push(8),
            b'f' => bytes.push(12),
            b'v' => bytes.push(11),
            b'0'..=b'7' => {
                let mut value = u32::from(c - b'0');
                let mut taken = 0;
                while taken < 2 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    value = value * 8 + u32::from(b[i] - b'0');
                    i += 1;
                    taken += 1;
                }
                bytes.push(value as u8);
            }
            b'x' if i < b.len() && b[i].is_ascii_hexdigit() => {
                let mut value = 0u32;
                let mut taken = 0;
                while taken < 2 && i < b.len() && b[i].is_ascii_hexdigit() {
                    value = value * 16 + (b[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    taken += 1;
                }
                bytes.push(value as u8);
            }
            other => bytes.push(other),
        }
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{AnyValue, DataType};

    fn column(kind: Kind, values: &[Option<&str>]) -> Column {
        let mut b = ColumnBuilder::new("c", kind);
        for v in values {
            b.push(*v).unwrap();
        }
        b.finish()
    }

    #[test]
    fn timestamps_read_fractions_and_offsets() {
        // 2024-03-01 is 19783 days after 1970-01-01 (date -d 2024-03-01 +%s / 86400).
        let day = 19_783i64 * 86_400 * 1_000_000;
        let hour = 3_600 * 1_000_000i64;
        assert_eq!(parse_timestamp("2024-03-01 00:00:00"), Some(day));
        assert_eq!(
            parse_timestamp("2024-03-01 10:00:00+00"),
            Some(day + 10 * hour)
        );
        assert_eq!(
            parse_timestamp("2024-03-01 10:00:00.5+00"),
            Some(day + 10 * hour + 500_000)
        );
        assert_eq!(
            parse_timestamp("2024-03-01 10:00:00.000123"),
            Some(day + 10 * hour + 123)
        );
        assert_eq!(
            parse_timestamp("2024-03-01 10:00:00+05:30"),
            Some(day + 10 * hour - 5 * hour - hour / 2)
        );
        assert_eq!(
            parse_timestamp("2024-03-01 10:00:00-01"),
            Some(day + 11 * hour)
        );
        for bad in [
            "2024-03-01",
            "2024-13-01 00:00:00",
            "2024-03-01T10:00:00",
            "infinity",
            "2024-03-01 10:00:00.1234567",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("1969-12-31"), Some(-1));
        assert_eq!(parse_date("2024-02-30"), None);
    }

    #[test]
    fn copy_rows_keep_nulls_escapes_and_types() {
        let text = "1\t2.5\tt\t2024-03-01\ta\\tb\\\\c\\nd\n\\N\t\\N\t\\N\t\\N\t\\N\n-7\tNaN\tf\t1970-01-01\t\n";
        let mut columns = vec![
            ColumnBuilder::new("i", Kind::Int),
            ColumnBuilder::new("x", Kind::Float),
            ColumnBuilder::new("b", Kind::Bool),
            ColumnBuilder::new("d", Kind::Date),
            ColumnBuilder::new("s", Kind::Text),
        ];
        assert_eq!(read_copy(text.as_bytes(), &mut columns).unwrap(), 3);
        let cols: Vec<Column> = columns.into_iter().map(ColumnBuilder::finish).collect();
        assert_eq!(cols[0].dtype(), &DataType::Int64);
        assert_eq!(cols[0].get(0).unwrap(), AnyValue::Int64(1));
        assert_eq!(cols[0].get(2).unwrap(), AnyValue::Int64(-7));
        assert_eq!(cols[0].null_count(), 1);
        assert!(matches!(cols[1].get(2).unwrap(), AnyValue::Float64(x) if x.is_nan()));
        assert_eq!(cols[2].get(0).unwrap(), AnyValue::Boolean(true));
        assert_eq!(cols[3].dtype(), &DataType::Date);
        assert_eq!(cols[3].get(0).unwrap(), AnyValue::Date(19_783));
        assert_eq!(cols[4].str().unwrap().get(0), Some("a\tb\\c\nd"));
        // An empty text is not NULL.
        assert_eq!(cols[4].str().unwrap().get(2), Some(""));
        assert_eq!(cols[4].null_count(), 1);
    }

    #[test]
    fn binary_values_count_dates_and_timestamps_from_2000() {
        let mut d = ColumnBuilder::new("d", Kind::Date);
        // Day 0 is 2000-01-01, day 10957 of the Unix epoch.
        d.push_binary("date", Some(&0i32.to_be_bytes())).unwrap();
        d.push_binary("date", Some(&(-1i32).to_be_bytes())).unwrap();
        d.push_binary("date", None).unwrap();
        let d = d.finish();
        assert_eq!(d.get(0).unwrap(), AnyValue::Date(10_957));
        assert_eq!(d.get(1).unwrap(), AnyValue::Date(10_956));
        assert_eq!(d.null_count(), 1);
        let mut t = ColumnBuilder::new("t", Kind::TimestampTz);
        t.push_binary("timestamptz", Some(&1_500_000i64.to_be_bytes()))
            .unwrap();
        let micros = 10_957i64 * 86_400_000_000 + 1_500_000;
        let got = match t.finish().get(0).unwrap() {
            AnyValue::Datetime(us, _, _) | AnyValue::DatetimeOwned(us, _, _) => us,
            other => panic!("{other:?}"),
        };
        assert_eq!(got, micros);
        let mut i = ColumnBuilder::new("i", Kind::Int);
        i.push_binary("int4", Some(&(-7i32).to_be_bytes())).unwrap();
        i.push_binary("int8", Some(&(1i64 << 60).to_be_bytes()))
            .unwrap();
        let i = i.finish();
        assert_eq!(i.get(0).unwrap(), AnyValue::Int64(-7));
        assert_eq!(i.get(1).unwrap(), AnyValue::Int64(1 << 60));
        let mut f = ColumnBuilder::new("f", Kind::Float);
        f.push_binary("float8", Some(&0.1f64.to_be_bytes()))
            .unwrap();
        assert_eq!(f.finish().get(0).unwrap(), AnyValue::Float64(0.1));
        let mut s = ColumnBuilder::new("s", Kind::Text);
        s.push_binary("text", Some("ünï".as_bytes())).unwrap();
        assert_eq!(s.finish().str().unwrap().get(0), Some("ünï"));
        // A value of the wrong width is an error, not a panic.
        let mut i = ColumnBuilder::new("i", Kind::Int);
        assert!(i.push_binary("int8", Some(&[1, 2])).is_err());
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_column() {
        let mut b = ColumnBuilder::new("qty", Kind::Int);
        let err = b.push(Some("12x")).unwrap_err();
        assert!(err.to_string().contains("`qty`"), "{err}");
        assert!(err.to_string().contains("`12x`"), "{err}");
    }

    #[test]
    fn timestamptz_is_utc() {
        let c = column(Kind::TimestampTz, &[Some("2024-03-01 10:00:00+00"), None]);
        assert!(
            matches!(c.dtype(), DataType::Datetime(TimeUnit::Microseconds, Some(tz)) if tz.as_str() == "UTC")
        );
        let n = column(Kind::Timestamp, &[Some("2024-03-01 10:00:00")]);
        assert_eq!(n.dtype(), &DataType::Datetime(TimeUnit::Microseconds, None));
        assert_eq!(Kind::of_type("jsonb"), Kind::Text);
        assert_eq!(Kind::of_type("numeric"), Kind::Float);
    }
}
