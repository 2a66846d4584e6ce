//! Column conversions declared by a source (`types`, `dates`) and type
//! inference for undeclared CSV text columns, plus the bookkeeping that lets
//! a bad cell be reported by data file, row and line.

use super::parse::{
    DateFormat, is_not_a_number_text, parse_bool, parse_float, parse_int, parse_money,
};
use super::source::{ColumnType, SourceSpec};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use polars::prelude::{
    BooleanChunked, Column, DataFrame, DataType, Float64Chunked, Int32Chunked, Int64Chunked,
    IntoColumn, IntoSeries, NewChunkedArray, StringChunked,
};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where the rows of a stacked table came from, for error messages.
#[derive(Clone, Debug, Default)]
pub struct Origins {
    files: Vec<FileRows>,
}

#[derive(Clone, Debug)]
struct FileRows {
    path: PathBuf,
    rows: usize,
    lines: RowLines,
}

/// How to find the file line of a file's row.
#[derive(Clone, Debug)]
pub enum RowLines {
    /// Not known (Parquet, Excel).
    Unknown,
    /// Row `i` sits on file line `i + 2` (a header, then one line a row).
    AfterHeader,
    /// The line of each row, as read (JSON records).
    Listed(Vec<Option<usize>>),
    /// Found by reading the CSV file again, which only an error does.
    Csv { delimiter: u8, skip_ragged: bool },
}

impl Origins {
    /// Records the next `rows` rows as coming from `path`; with
    /// `csv_lines`, row `i` is on line `i + 2`.
    pub fn push(&mut self, path: &Path, rows: usize, csv_lines: bool) {
        let lines = if csv_lines {
            RowLines::AfterHeader
        } else {
            RowLines::Unknown
        };
        self.push_lines(path, rows, lines);
    }

    /// Records the next `rows` rows as coming from `path`, on `lines`.
    pub fn push_lines(&mut self, path: &Path, rows: usize, lines: RowLines) {
        self.files.push(FileRows {
            path: path.to_path_buf(),
            rows,
            lines,
        });
    }

    /// The file, 0-based row within it and file line of stacked row `row`.
    fn locate(&self, mut row: usize) -> (Option<&Path>, usize, Option<usize>) {
        for f in &self.files {
            if row < f.rows {
                let line = match &f.lines {
                    RowLines::Unknown => None,
                    RowLines::AfterHeader => Some(row + 2),
                    RowLines::Listed(lines) => lines.get(row).copied().flatten(),
                    RowLines::Csv {
                        delimiter,
                        skip_ragged,
                    } => super::csv::row_line(&f.path, *delimiter, *skip_ragged, row),
                };
                return (Some(&f.path), row, line);
            }
            row -= f.rows;
        }
        (None, row, None)
    }

    /// The first file, if any (a source's files share one header).
    pub fn first_file(&self) -> Option<&Path> {
        self.files.first().map(|f| f.path.as_path())
    }

    /// Whether the first file has a header line of its own (CSV).
    pub fn first_has_header_line(&self) -> bool {
        self.files
            .first()
            .is_some_and(|f| matches!(f.lines, RowLines::AfterHeader | RowLines::Csv { .. }))
    }

    /// An error about the cell at stacked row `row` of `column`.
    fn bad_value(&self, row: usize, column: &str, value: &str, expected: &str) -> Error {
        let (path, file_row, line) = self.locate(row);
        let err = Error::new(format!(
            "cannot read `{value}` in column `{column}` (row {}) as {expected}",
            file_row + 1
        ))
        .maybe_line(line);
        match path {
            Some(p) => err.at(p),
            None => err,
        }
    }
}

/// A column's parsed cells, or the first bad row and its text.
type Cells<T> = std::result::Result<Vec<Option<T>>, (usize, String)>;

/// Parses every non-blank cell of a text column; blank cells become null.
fn parse_cells<T>(ca: &StringChunked, mut parse: impl FnMut(&str) -> Option<T>) -> Cells<T> {
    ca.iter()
        .enumerate()
        .map(|(row, cell)| match cell {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => parse(s).map(Some).ok_or_else(|| (row, s.to_owned())),
        })
        .collect()
}

pub fn convert_type(col: &Column, ty: ColumnType, origins: &Origins) -> Result<Column> {
    if let Some(done) = convert_by_cast(col, ty)? {
        return Ok(done);
    }
    let name = col.name().clone();
    let text = col.cast(&DataType::String)?;
    let ca = text.str()?;
    let fail = |(row, value): (usize, String)| {
        origins
            .bad_value(row, &name, &value, expected_text(ty))
            .hint(type_hint(ty, &name))
    };
    let out = match ty {
        ColumnType::Int => {
            let cells = parse_cells(ca, parse_int).map_err(fail)?;
            Int64Chunked::from_iter_options(name, cells.into_iter()).into_column()
        }
        ColumnType::Bool => {
            let cells = parse_cells(ca, parse_bool).map_err(fail)?;
            BooleanChunked::from_iter_options(name, cells.into_iter()).into_column()
        }
        ColumnType::Money => {
            let cells = parse_cells(ca, parse_money).map_err(fail)?;
            Float64Chunked::from_iter_options(name, cells.into_iter()).into_column()
        }
        ColumnType::Float => {
            let cells = parse_cells(ca, parse_float).map_err(fail)?;
            Float64Chunked::from_iter_options(name, cells.into_iter()).into_column()
        }
        ColumnType::String => text,
    };
    Ok(out)
}

/// Conversions that need no parsing: to text, between numeric types.
fn convert_by_cast(col: &Column, ty: ColumnType) -> Result<Option<Column>> {
    let dtype = col.dtype();
    let target = match ty {
        ColumnType::String => DataType::String,
        ColumnType::Int if dtype.is_integer() => DataType::Int64,
        ColumnType::Float | ColumnType::Money if dtype.is_primitive_numeric() => DataType::Float64,
        ColumnType::Bool if dtype.is_bool() => DataType::Boolean,
        _ => return Ok(None),
    };
    Ok(Some(col.cast(&target)?))
}

pub(crate) fn expected_text(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Int => "a whole number",
        ColumnType::Float => "a number like `12.5`",
        ColumnType::Money => "an amount of money like `$5,320` or `Rp 1.234.567`",
        ColumnType::Bool => "a yes/no value (True/False, yes/no, ya/tidak, 1/0)",
        ColumnType::String => "text",
    }
}

pub(crate) fn type_hint(ty: ColumnType, name: &str) -> String {
    match ty {
        ColumnType::Int => format!(
            "declare `{name} = \"float\"` or `\"money\"` in `types` if the column has decimals or currency text, or fix the value"
        ),
        ColumnType::Float => format!(
            "declare `{name} = \"money\"` in `types` for currency symbols or thousands separators, or fix the value"
        ),
        ColumnType::Bool => {
            format!("declare `{name} = \"string\"` in `types` to keep the text, or fix the value")
        }
        ColumnType::Money | ColumnType::String => {
            format!("fix the value, or declare `{name} = \"string\"` in `types` to keep the text")
        }
    }
}

/// How to fix a value of date column `name` that does not parse.
pub(crate) fn date_hint(name: &str) -> String {
    format!(
        "declare the right format in `dates` (e.g. `{name} = \"DD-Mon-YY\"`, `\"iso\"` or a chrono pattern like `\"%d.%m.%Y\"`), or fix the value"
    )
}

/// Distinct date texts remembered per column (timestamps rarely repeat).
const DATE_CACHE_LIMIT: usize = 10_000;

pub fn convert_dates(
    col: &Column,
    format: &DateFormat,
    setting: &str,
    origins: &Origins,
) -> Result<Column> {
    let name = col.name().clone();
    match col.dtype() {
        DataType::Date => return Ok(col.clone()),
        DataType::Datetime(_, _) => return Ok(col.cast(&DataType::Date)?),
        DataType::String => {}
        other => {
            return Err(Error::new(format!(
                "column `{name}` is {other}, but `dates` reads dates from text"
            ))
            .hint(format!(
                "remove `{name}` from `dates`, or check the column name"
            )));
        }
    }
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let ca = col.str()?;
    // Dates repeat a lot (one per order line): parse each text once.
    let mut seen: HashMap<String, Option<i32>> = HashMap::new();
    let days = parse_cells(ca, |s| {
        if let Some(days) = seen.get(s) {
            return *days;
        }
        let days = format
            .parse(s)
            .and_then(|d| i32::try_from((d - epoch).num_days()).ok());
        if seen.len() < DATE_CACHE_LIMIT {
            seen.insert(s.to_owned(), days);
        }
        days
    })
    .map_err(|(row, value)| {
        origins
            .bad_value(row, &name, &value, &format!("a date in format `{setting}`"))
            .hint(date_hint(&name))
    })?;
    Ok(Int32Chunked::from_iter_options(name, days.into_iter())
        .into_date()
        .into_series()
        .into_column())
}

/// Gives undeclared text columns their natural type: all true/false values
/// become booleans, whole numbers (without leading zeros, which mark codes)
/// integers, and other numbers floats. Blank cells are null. A column of
/// numbers with `NaN` or `inf` among them is an error at that cell: it is
/// no value to compute with, and the column would silently become text.
pub fn infer_text_columns(
    df: DataFrame,
    spec: &SourceSpec,
    origins: &Origins,
) -> Result<DataFrame> {
    let height = df.height();
    let declared = |n: &str| spec.types.contains_key(n) || spec.dates.contains_key(n);
    let columns: Vec<Result<Column>> = df
        .columns()
        .par_iter()
        .map(|c| match c.dtype() {
            DataType::String if !declared(c.name()) => match infer_column(c) {
                Some(typed) => Ok(typed),
                None => refuse_not_a_number(c, origins).map(|()| c.clone()),
            },
            _ => Ok(c.clone()),
        })
        .collect();
    let columns = columns.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(DataFrame::new(height, columns)?)
}

fn infer_column(col: &Column) -> Option<Column> {
    let name = col.name().clone();
    if col.null_count() == col.len() {
        return None;
    }
    let ca = col.str().ok()?;
    if let Ok(v) = parse_cells(ca, infer_bool) {
        return Some(BooleanChunked::from_iter_options(name, v.into_iter()).into_column());
    }
    if let Ok(v) = parse_cells(ca, infer_int) {
        return Some(Int64Chunked::from_iter_options(name, v.into_iter()).into_column());
    }
    let v = parse_cells(ca, infer_float).ok()?;
    Some(Float64Chunked::from_iter_options(name, v.into_iter()).into_column())
}

/// An error at the first `NaN`/`inf` cell of a text column whose other
/// cells are all numbers (at least one).
fn refuse_not_a_number(col: &Column, origins: &Origins) -> Result<()> {
    let Ok(ca) = col.str() else {
        return Ok(());
    };
    let mut first_nan = None;
    let mut numbers = 0usize;
    for (row, cell) in ca.iter().enumerate() {
        let Some(text) = cell.filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        if is_not_a_number_text(text) {
            first_nan.get_or_insert((row, text));
        } else if infer_float(text).is_some() {
            numbers += 1;
        } else {
            return Ok(());
        }
    }
    match first_nan {
        Some((row, text)) if numbers > 0 => Err(origins
            .bad_value(row, col.name(), text, "a number")
            .append("`NaN` and infinities are no values a report can compute with")
            .hint(format!(
                "leave the cell empty for a missing value (empty cells are left out of sums and averages), or declare `{} = \"string\"` in `types` to keep the column as text",
                col.name()
            ))),
        _ => Ok(()),
    }
}

fn infer_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn infer_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    t.parse().ok()
}

fn infer_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let long_code = digits.len() > 15 && digits.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
    if long_code || leading_zero || !digits.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().filter(|f: &f64| f.is_finite())
}

/// A frame of text columns for tests; `""` cells are null, as CSV reads them.
#[cfg(test)]
pub fn text_frame(columns: &[(&str, &[&str])]) -> DataFrame {
    use polars::prelude::PlSmallStr;
    let height = columns.first().map_or(0, |(_, cells)| cells.len());
    let cols = columns
        .iter()
        .map(|(name, cells)| {
            let it = cells.iter().map(|c| (!c.is_empty()).then_some(*c));
            StringChunked::from_iter_options(PlSmallStr::from(*name), it).into_column()
        })
        .collect();
    DataFrame::new(height, cols).expect("columns of equal length")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_file(rows: usize) -> Origins {
        let mut o = Origins::default();
        o.push(Path::new("data/sales.csv"), rows, true);
        o
    }

    fn ints(c: &Column) -> Vec<Option<i64>> {
        c.i64().unwrap().iter().collect()
    }

    fn floats(c: &Column) -> Vec<Option<f64>> {
        c.f64().unwrap().iter().collect()
    }

    #[test]
    fn declared_types_parse_text() {
        let df = text_frame(&[
            ("Amount", &["$5,320 ", "", "Rp 1.234.567", "-$12.50"]),
            ("B2B", &["ya", "tidak", "", "TRUE"]),
            ("Qty", &["1", "2", "560085.0", ""]),
        ]);
        let o = one_file(4);
        let amount = convert_type(df.column("Amount").unwrap(), ColumnType::Money, &o).unwrap();
        assert_eq!(
            floats(&amount),
            [Some(5320.0), None, Some(1234567.0), Some(-12.5)]
        );
        let b2b = convert_type(df.column("B2B").unwrap(), ColumnType::Bool, &o).unwrap();
        let b2b: Vec<Option<bool>> = b2b.bool().unwrap().iter().collect();
        assert_eq!(b2b, [Some(true), Some(false), None, Some(true)]);
        let qty = convert_type(df.column("Qty").unwrap(), ColumnType::Int, &o).unwrap();
        assert_eq!(ints(&qty), [Some(1), Some(2), Some(560085), None]);
    }

    #[test]
    fn bad_money_names_file_line_column_and_value() {
        let df = text_frame(&[("Amount", &["$1", "$2", "lima ribu"])]);
        let col = df.column("Amount").unwrap();
        let err = convert_type(col, ColumnType::Money, &one_file(3)).unwrap_err();
        let text = err.to_string();
        // Third data row: row 3, line 4 (the header is line 1).
        assert!(text.starts_with("data/sales.csv:4: cannot read `lima ribu` in column `Amount` (row 3) as an amount of money"), "{text}");
        assert!(text.contains("hint:"), "{text}");
    }

    #[test]
    fn bad_date_in_second_file_points_at_that_file() {
        let mut o = Origins::default();
        o.push(Path::new("a.csv"), 2, true);
        o.push(Path::new("b.csv"), 3, true);
        let df = text_frame(&[(
            "Date",
            &["04-30-22", "04-30-22", "05-01-22", "13-45-22", "05-03-22"],
        )]);
        let format = DateFormat::from_setting("MM-DD-YY").unwrap();
        let err = convert_dates(df.column("Date").unwrap(), &format, "MM-DD-YY", &o).unwrap_err();
        // Stacked row 4 is b.csv's second data row: row 2, line 3.
        assert_eq!(err.path(), Some(Path::new("b.csv")));
        assert_eq!(err.line_number(), Some(3));
        let text = err.to_string();
        assert!(
            text.contains("`13-45-22` in column `Date` (row 2) as a date in format `MM-DD-YY`"),
            "{text}"
        );
        assert!(
            text.contains("declare the right format in `dates`"),
            "{text}"
        );
    }

    #[test]
    fn rows_without_known_lines_report_only_the_row() {
        let mut o = Origins::default();
        o.push(Path::new("notes.csv"), 2, false);
        let df = text_frame(&[("Qty", &["1", "x"])]);
        let err = convert_type(df.column("Qty").unwrap(), ColumnType::Int, &o).unwrap_err();
        assert_eq!(err.line_number(), None);
        assert!(
            err.to_string()
                .starts_with("notes.csv: cannot read `x` in column `Qty` (row 2)")
        );
    }

    #[test]
    fn dates_become_date_columns() {
        let df = text_frame(&[(
            "created_at",
            &["2022-01-03 10:11:12 UTC", "", "2022-01-04T00:00:00+00:00"],
        )]);
        let col = df.column("created_at").unwrap();
        let dates = convert_dates(col, &DateFormat::Iso, "iso", &one_file(3)).unwrap();
        assert_eq!(dates.dtype(), &DataType::Date);
        // 2022-01-03 is day 18995 since 1970-01-01 (52 years incl. 13 leap days: 52*365+13+2).
        let days: Vec<Option<i32>> = dates
            .cast(&DataType::Int32)
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(days, [Some(18995), None, Some(18996)]);
    }

    #[test]
    fn inference_types_undeclared_text_columns() {
        let df = text_frame(&[
            ("index", &["0", "1", "2", "3"]),
            ("postal", &["01234", "56789", "10001", "20002"]),
            ("B2B", &["False", "True", "false", ""]),
            ("Amount", &["449", "", "329.5", "-1"]),
            ("late", &["1", "2", "3", "n/a"]),
            ("Qty", &["1", "2", "3", "4"]),
        ]);
        let spec: SourceSpec =
            toml::from_str("name = \"t\"\npath = \"t.csv\"\n[types]\nQty = \"string\"").unwrap();
        let out = infer_text_columns(df, &spec, &one_file(2)).unwrap();
        assert_eq!(
            ints(out.column("index").unwrap()),
            [Some(0), Some(1), Some(2), Some(3)]
        );
        assert_eq!(out.column("postal").unwrap().dtype(), &DataType::String);
        let b2b: Vec<Option<bool>> = out.column("B2B").unwrap().bool().unwrap().iter().collect();
        assert_eq!(b2b, [Some(false), Some(true), Some(false), None]);
        assert_eq!(
            floats(out.column("Amount").unwrap()),
            [Some(449.0), None, Some(329.5), Some(-1.0)]
        );
        assert_eq!(out.column("late").unwrap().dtype(), &DataType::String);
        // Declared columns are left to their declaration.
        assert_eq!(out.column("Qty").unwrap().dtype(), &DataType::String);
    }
}
