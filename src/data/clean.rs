//! Cleaning a loaded table as a source declares it, in the documented order:
//! `rename`, then `types` and `dates`, type inference for undeclared text
//! columns, `derive`, and last `filters`. Every value that does not parse is
//! an error naming the data file, the row (and CSV line) and the column.

use super::parse::{DateFormat, parse_bool, parse_float, parse_int, parse_money};
use super::source::{ColumnType, DeriveSpec, SourceSpec};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use polars::prelude::{
    BooleanChunked, Column, DataFrame, DataType, Expr, Float64Chunked, Int32Chunked, Int64Chunked,
    IntoColumn, IntoLazy, IntoSeries, LazyFrame, NewChunkedArray, PlSmallStr, StringChunked,
};
use polars::sql::sql_expr;
use rayon::prelude::*;
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
    /// Row `i` sits on file line `i + 2` (CSV without multi-line fields).
    csv_lines: bool,
}

impl Origins {
    /// Records the next `rows` rows as coming from `path`.
    pub fn push(&mut self, path: &Path, rows: usize, csv_lines: bool) {
        let path = path.to_path_buf();
        self.files.push(FileRows {
            path,
            rows,
            csv_lines,
        });
    }

    /// The file, 0-based row within it and file line of stacked row `row`.
    fn locate(&self, mut row: usize) -> (Option<&Path>, usize, Option<usize>) {
        for f in &self.files {
            if row < f.rows {
                return (Some(&f.path), row, f.csv_lines.then_some(row + 2));
            }
            row -= f.rows;
        }
        (None, row, None)
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

/// Applies `rename`, `types`, `dates`, inference (when `infer_text`, for
/// CSV's all-text columns) and `derive`. Filters come separately so the
/// caller can count the rows they drop.
pub fn prepare(
    df: DataFrame,
    spec: &SourceSpec,
    origins: &Origins,
    infer_text: bool,
) -> Result<DataFrame> {
    let mut df = rename_columns(df, spec)?;
    for (name, ty) in &spec.types {
        let col = find_column(&df, name, "types")?;
        let converted = convert_type(col, *ty, origins)?;
        replace_column(&mut df, name, converted)?;
    }
    for (name, setting) in &spec.dates {
        let format = DateFormat::from_setting(setting).map_err(|hint| {
            Error::new(format!(
                "unknown date format `{setting}` for column `{name}` in `dates`"
            ))
            .hint(hint)
        })?;
        let col = find_column(&df, name, "dates")?;
        let converted = convert_dates(col, &format, setting, origins)?;
        replace_column(&mut df, name, converted)?;
    }
    if infer_text {
        df = infer_text_columns(df, spec)?;
    }
    derive_columns(df, &spec.derive)
}

/// Keeps the rows for which every filter holds.
pub fn apply_filters(df: DataFrame, filters: &[String]) -> Result<DataFrame> {
    if filters.is_empty() {
        return Ok(df);
    }
    let names = column_list(&df);
    let mut lf = df.lazy();
    for filter in filters {
        let expr = parse_expression(filter, "filter", &names)?;
        let dtype = lf
            .clone()
            .select([expr.clone().alias("__filter__")])
            .collect_schema()
            .map_err(|e| expression_error(filter, "filter", &names).caused_by(e))?
            .get("__filter__")
            .cloned();
        if !matches!(dtype, Some(DataType::Boolean)) {
            let found = dtype.map_or("nothing".into(), |d| d.to_string());
            return Err(Error::new(format!(
                "filter `{filter}` is not a condition (it gives {found})"
            ))
            .hint("write a yes/no test such as `Status <> 'Cancelled'` or `Qty > 0`"));
        }
        lf = lf.filter(expr);
    }
    lf.collect()
        .map_err(|e| Error::new("applying the source's `filters` failed").caused_by(e))
}

fn rename_columns(mut df: DataFrame, spec: &SourceSpec) -> Result<DataFrame> {
    for (old, new) in &spec.rename {
        find_column(&df, old, "rename")?;
        if old != new && df.get_column_index(new).is_some() {
            return Err(Error::new(format!(
                "`rename` turns `{old}` into `{new}`, but a column `{new}` already exists"
            ))
            .hint("choose another new name, or rename the existing column too"));
        }
        df.rename(old, PlSmallStr::from(new.as_str()))?;
    }
    Ok(df)
}

/// The column `name`, or an error listing the columns that exist.
fn find_column<'a>(df: &'a DataFrame, name: &str, setting: &str) -> Result<&'a Column> {
    df.column(name).map_err(|_| {
        Error::new(format!(
            "column `{name}` named in `{setting}` does not exist"
        ))
        .hint(format!("available columns: {}", column_list(df).join(", ")))
    })
}

fn column_list(df: &DataFrame) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|c| format!("`{c}`"))
        .collect()
}

fn replace_column(df: &mut DataFrame, name: &str, col: Column) -> Result<()> {
    df.replace(name, col)?;
    Ok(())
}

/// Parses every non-blank cell of a text column; blank cells become null.
/// On failure, the row and the offending text.
type Cells<T> = std::result::Result<Vec<Option<T>>, (usize, String)>;

fn parse_cells<T>(ca: &StringChunked, parse: impl Fn(&str) -> Option<T>) -> Cells<T> {
    ca.iter()
        .enumerate()
        .map(|(row, cell)| match cell {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => parse(s).map(Some).ok_or_else(|| (row, s.to_owned())),
        })
        .collect()
}

fn convert_type(col: &Column, ty: ColumnType, origins: &Origins) -> Result<Column> {
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

fn expected_text(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Int => "a whole number",
        ColumnType::Float => "a number like `12.5`",
        ColumnType::Money => "an amount of money like `$5,320` or `Rp 1.234.567`",
        ColumnType::Bool => "a yes/no value (True/False, yes/no, ya/tidak, 1/0)",
        ColumnType::String => "text",
    }
}

fn type_hint(ty: ColumnType, name: &str) -> String {
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

fn convert_dates(
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
    let days = parse_cells(ca, |s| {
        let d = format.parse(s)?;
        i32::try_from((d - epoch).num_days()).ok()
    })
    .map_err(|(row, value)| {
        origins
            .bad_value(row, &name, &value, &format!("a date in format `{setting}`"))
            .hint(format!("declare the right format in `dates` (e.g. `{name} = \"DD-Mon-YY\"`, `\"iso\"` or a chrono pattern like `\"%d.%m.%Y\"`), or fix the value"))
    })?;
    Ok(Int32Chunked::from_iter_options(name, days.into_iter())
        .into_date()
        .into_series()
        .into_column())
}

/// Gives undeclared text columns their natural type: all true/false values
/// become booleans, whole numbers (without leading zeros, which mark codes)
/// integers, and other numbers floats. Blank cells are null.
fn infer_text_columns(df: DataFrame, spec: &SourceSpec) -> Result<DataFrame> {
    let height = df.height();
    let declared = |n: &str| spec.types.contains_key(n) || spec.dates.contains_key(n);
    let columns: Vec<Column> = df
        .columns()
        .par_iter()
        .map(|c| match c.dtype() {
            DataType::String if !declared(c.name()) => infer_column(c).unwrap_or_else(|| c.clone()),
            _ => c.clone(),
        })
        .collect();
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
    t.parse().ok()
}

fn derive_columns(df: DataFrame, derives: &[DeriveSpec]) -> Result<DataFrame> {
    if derives.is_empty() {
        return Ok(df);
    }
    let mut names = column_list(&df);
    let mut lf: LazyFrame = df.lazy();
    for d in derives {
        let expr = parse_expression(&d.expr, "derive", &names)?;
        let mut next = lf.with_column(expr.alias(d.name.as_str()));
        next.collect_schema().map_err(|e| {
            expression_error(&d.expr, "derive", &names)
                .context(format!("derived column `{}`", d.name))
                .caused_by(e)
        })?;
        names.push(format!("`{}`", d.name));
        lf = next;
    }
    lf.collect()
        .map_err(|e| Error::new("computing the source's `derive` columns failed").caused_by(e))
}

fn parse_expression(text: &str, setting: &str, names: &[String]) -> Result<Expr> {
    sql_expr(text).map_err(|e| expression_error(text, setting, names).caused_by(e))
}

fn expression_error(text: &str, setting: &str, names: &[String]) -> Error {
    Error::new(format!("cannot use the `{setting}` expression `{text}`")).hint(format!(
        "available columns: {}; write SQL, with names containing spaces in double quotes (\"Sales Channel\") and text in single quotes ('Cancelled')",
        names.join(", ")
    ))
}
