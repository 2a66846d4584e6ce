//! Excel and OpenDocument workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) as
//! tables, via calamine: the named sheet or the first one, with its first row
//! as the header. Each column gets the type its cells share.

use crate::error::{Error, Result};
use calamine::{Data, ExcelDateTime, Reader, open_workbook_auto};
use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::{
    BooleanChunked, Column, DataFrame, Float64Chunked, Int32Chunked, Int64Chunked, IntoColumn,
    IntoSeries, NewChunkedArray, PlSmallStr, StringChunked, TimeUnit,
};
use std::path::Path;

/// Reads one sheet of a workbook; `sheet` defaults to the first.
pub fn read_excel(path: &Path, sheet: Option<&str>) -> Result<DataFrame> {
    let mut workbook = open_workbook_auto(path).map_err(|e| {
        Error::new("cannot open the workbook")
            .at(path)
            .caused_by(e)
            .hint("check that the file is an .xlsx, .xlsm, .xlsb, .xls or .ods workbook")
    })?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                // Located at the `sheet` setting by the caller.
                Error::new(format!(
                    "`sheet = \"{wanted}\"`: the workbook {} has no sheet `{wanted}`",
                    path.display()
                ))
                .setting("sheet")
                .hint(format!(
                    "its sheets are: {}; check the `sheet` setting",
                    quoted(&names)
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::new("the workbook has no sheets").at(path))?,
    };
    let range = workbook.worksheet_range(&name).map_err(|e| {
        Error::new(format!("cannot read sheet `{name}`"))
            .at(path)
            .caused_by(e)
    })?;
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Ok(DataFrame::empty());
    };
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, c)| header_name(i, c))
        .collect();
    let body: Vec<&[Data]> = rows.collect();
    let columns: Vec<Column> = names
        .iter()
        .enumerate()
        .map(|(i, n)| build_column(n, body.iter().map(|r| r.get(i).unwrap_or(&Data::Empty))))
        .collect();
    DataFrame::new(body.len(), columns).map_err(|e| {
        Error::new(format!("cannot build a table from sheet `{name}`"))
            .at(path)
            .caused_by(e)
            .hint("check that the header row has no duplicate names")
    })
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A trimmed header cell; blank headers become `column_<n>`.
fn header_name(index: usize, cell: &Data) -> String {
    let text = cell.to_string();
    let text = text.trim();
    if text.is_empty() {
        format!("column_{}", index + 1)
    } else {
        text.to_owned()
    }
}

/// What a non-empty cell holds, for choosing the column type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Whole,
    Number,
    Date,
    DateTime,
    Text,
}

fn kind_of(cell: &Data) -> Option<Kind> {
    match cell {
        Data::Empty | Data::Error(_) => None,
        Data::Bool(_) => Some(Kind::Bool),
        Data::Int(_) => Some(Kind::Whole),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(Kind::Whole),
        Data::Float(_) => Some(Kind::Number),
        Data::DateTime(dt) if dt.is_datetime() => match to_datetime(dt) {
            Some(d) if d.time() == chrono::NaiveTime::MIN => Some(Kind::Date),
            Some(_) => Some(Kind::DateTime),
            None => Some(Kind::Text),
        },
        _ => Some(Kind::Text),
    }
}

/// The common type of a column's kinds: whole numbers widen to numbers,
/// dates to datetimes; any other mix is text.
fn common_kind(kinds: impl Iterator<Item = Kind>) -> Kind {
    kinds
        .reduce(|a, b| match (a, b) {
            _ if a == b => a,
            (Kind::Whole, Kind::Number) | (Kind::Number, Kind::Whole) => Kind::Number,
            (Kind::Date, Kind::DateTime) | (Kind::DateTime, Kind::Date) => Kind::DateTime,
            _ => Kind::Text,
        })
        .unwrap_or(Kind::Text)
}

fn build_column<'a>(name: &str, cells: impl Iterator<Item = &'a Data> + Clone) -> Column {
    let kind = common_kind(cells.clone().filter_map(kind_of));
    let name = PlSmallStr::from(name);
    match kind {
        Kind::Bool => BooleanChunked::from_iter_options(
            name,
            cells.map(|c| match c {
                Data::Bool(b) => Some(*b),
                _ => None,
            }),
        )
        .into_column(),
        Kind::Whole => {
            Int64Chunked::from_iter_options(name, cells.map(|c| number(c).map(|f| f as i64)))
                .into_column()
        }
        Kind::Number => Float64Chunked::from_iter_options(name, cells.map(number)).into_column(),
        Kind::Date => {
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            let days = cells.map(|c| {
                let d = excel_datetime(c)?.date();
                i32::try_from((d - epoch).num_days()).ok()
            });
            Int32Chunked::from_iter_options(name, days)
                .into_date()
                .into_series()
                .into_column()
        }
        Kind::DateTime => {
            let ms = cells.map(|c| excel_datetime(c).map(|d| d.and_utc().timestamp_millis()));
            Int64Chunked::from_iter_options(name, ms)
                .into_datetime(TimeUnit::Milliseconds, None)
                .into_series()
                .into_column()
        }
        Kind::Text => StringChunked::from_iter_options(name, cells.map(text)).into_column(),
    }
}

fn number(cell: &Data) -> Option<f64> {
    match cell {
        Data::Int(i) => Some(*i as f64),
        Data::Float(f) => Some(*f),
        _ => None,
    }
}

fn excel_datetime(cell: &Data) -> Option<NaiveDateTime> {
    match cell {
        Data::DateTime(dt) => to_datetime(dt),
        _ => None,
    }
}

fn text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty | Data::Error(_) => None,
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(format!("{}", *f as i64)),
        Data::DateTime(dt) if dt.is_datetime() => to_datetime(dt).map(|d| {
            if d.time() == chrono::NaiveTime::MIN {
                d.format("%Y-%m-%d").to_string()
            } else {
                d.format("%Y-%m-%dT%H:%M:%S").to_string()
            }
        }),
        other => Some(other.to_string()),
    }
}

fn to_datetime(dt: &ExcelDateTime) -> Option<NaiveDateTime> {
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))?.and_hms_milli_opt(
        u32::from(h),
        u32::from(mi),
        u32::from(s),
        u32::from(ms),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::DataType;
    use rust_xlsxwriter::{ExcelDateTime as XlsxDate, Format, Workbook};

    /// Two sheets; `Sales` has a date column, numbers, text and a blank.
    fn write_workbook(path: &Path) {
        let mut wb = Workbook::new();
        let first = wb.add_worksheet();
        first.set_name("Notes").unwrap();
        first.write_string(0, 0, "note").unwrap();
        first.write_string(1, 0, "ignore me").unwrap();
        let sales = wb.add_worksheet();
        sales.set_name("Sales").unwrap();
        let date_format = Format::new().set_num_format("yyyy-mm-dd");
        for (c, h) in ["Date", " Qty ", "Price", "Product", "B2B"]
            .iter()
            .enumerate()
        {
            sales.write_string(0, c as u16, *h).unwrap();
        }
        let d1 = XlsxDate::from_ymd(2022, 1, 4).unwrap();
        let d2 = XlsxDate::from_ymd(2022, 2, 28).unwrap();
        sales
            .write_datetime_with_format(1, 0, &d1, &date_format)
            .unwrap();
        sales
            .write_datetime_with_format(2, 0, &d2, &date_format)
            .unwrap();
        sales.write_number(1, 1, 3.0).unwrap();
        sales.write_number(2, 1, 5.0).unwrap();
        sales.write_number(1, 2, 2.5).unwrap();
        sales.write_number(2, 2, 4.0).unwrap();
        sales.write_string(1, 3, "Kurta").unwrap();
        sales.write_number(2, 3, 42.0).unwrap();
        sales.write_boolean(1, 4, true).unwrap();
        wb.save(path).unwrap();
    }

    #[test]
    fn reads_named_sheet_with_typed_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sales.xlsx");
        write_workbook(&path);
        let df = read_excel(&path, Some("Sales")).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["Date", "Qty", "Price", "Product", "B2B"]);
        assert_eq!(df.column("Date").unwrap().dtype(), &DataType::Date);
        let qty: Vec<Option<i64>> = df.column("Qty").unwrap().i64().unwrap().iter().collect();
        assert_eq!(qty, [Some(3), Some(5)]);
        let price: Vec<Option<f64>> = df.column("Price").unwrap().f64().unwrap().iter().collect();
        assert_eq!(price, [Some(2.5), Some(4.0)]);
        // Text mixed with a number becomes text.
        let product: Vec<Option<&str>> = df
            .column("Product")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(product, [Some("Kurta"), Some("42")]);
        let b2b: Vec<Option<bool>> = df.column("B2B").unwrap().bool().unwrap().iter().collect();
        assert_eq!(b2b, [Some(true), None]);
    }

    #[test]
    fn first_sheet_by_default_and_unknown_sheet_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sales.xlsx");
        write_workbook(&path);
        let df = read_excel(&path, None).unwrap();
        assert_eq!(df.get_column_names()[0].as_str(), "note");
        let err = read_excel(&path, Some("Salse")).unwrap_err();
        assert_eq!(err.setting_name(), Some("sheet"));
        assert_eq!(err.path(), None, "the caller points at the setting");
        let err = err.to_string();
        assert!(
            err.contains(&format!("{} has no sheet `Salse`", path.display()))
                && err.contains("`Notes`, `Sales`"),
            "{err}"
        );
    }
}
