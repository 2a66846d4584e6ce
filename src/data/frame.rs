//! Converting a polars `DataFrame` into the crate's JSON-celled `Table`:
//! numbers stay numbers (NaN and infinities become null), dates become
//! `YYYY-MM-DD`, datetimes `YYYY-MM-DDTHH:MM:SS`, nulls null. An
//! analysis' frames write whole floats as integers, as its JSON tables do.

use crate::error::{Error, Result};
use crate::table::Table;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike};
use polars::prelude::{Column, DataFrame, DataType, TimeUnit};
use serde_json::{Number, Value};
use std::fmt::Write;

/// How float cells become JSON numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Floats {
    /// As floats (`3.0`), as a query returned them.
    AsIs,
    /// Whole ones as integers (`3`), as an analysis writes its numbers.
    WholeAsIntegers,
}

/// The whole frame as a `Table`, column order and names kept.
pub fn frame_to_table(df: &DataFrame) -> Result<Table> {
    frame_cells(df, Floats::AsIs)
}

/// The whole frame as a `Table`, with floats as `floats` says.
pub fn frame_cells(df: &DataFrame, floats: Floats) -> Result<Table> {
    let mut columns = df
        .columns()
        .iter()
        .map(|c| column_values(c, floats).map(Vec::into_iter))
        .collect::<Result<Vec<_>>>()?;
    let mut table = Table::new(df.get_column_names().iter().map(|n| n.to_string()));
    for _ in 0..df.height() {
        table.push(
            columns
                .iter_mut()
                .map(|c| c.next().unwrap_or(Value::Null))
                .collect(),
        );
    }
    Ok(table)
}

/// One column's cells as JSON values.
fn column_values(col: &Column, floats: Floats) -> Result<Vec<Value>> {
    let dtype = col.dtype();
    let values = match dtype {
        DataType::Null => vec![Value::Null; col.len()],
        DataType::Boolean => col
            .bool()?
            .iter()
            .map(|v| v.map_or(Value::Null, Value::Bool))
            .collect(),
        DataType::String => col
            .str()?
            .iter()
            .map(|v| v.map_or(Value::Null, Value::from))
            .collect(),
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => {
            let cast = col.cast(&DataType::UInt64)?;
            cast.u64()?
                .iter()
                .map(|v| v.map_or(Value::Null, Value::from))
                .collect()
        }
        d if d.is_integer() && *d != DataType::Int128 => {
            let cast = col.cast(&DataType::Int64)?;
            cast.i64()?
                .iter()
                .map(|v| v.map_or(Value::Null, Value::from))
                .collect()
        }
        d if d.is_float() => {
            let cast = col.cast(&DataType::Float64)?;
            let cell: fn(Option<f64>) -> Value = match floats {
                Floats::AsIs => |v: Option<f64>| {
                    v.and_then(Number::from_f64)
                        .map_or(Value::Null, Value::Number)
                },
                Floats::WholeAsIntegers => crate::table::number_cell,
            };
            cast.f64()?.iter().map(cell).collect()
        }
        DataType::Date => date_values(col)?,
        DataType::Datetime(unit, _) => datetime_values(col, *unit)?,
        _ => text_values(col)?,
    };
    Ok(values)
}

fn date_values(col: &Column) -> Result<Vec<Value>> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let days = col.cast(&DataType::Int32)?;
    Ok(days
        .i32()?
        .iter()
        .map(|d| {
            d.and_then(|d| epoch.checked_add_signed(TimeDelta::days(i64::from(d))))
                .map_or(Value::Null, |date| Value::String(date_text(date)))
        })
        .collect())
}

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d` writes it, without parsing that
/// format for every cell (a million-row table has a million dates). Years
/// outside 0-9999, which `%Y` writes with a sign, go through chrono.
fn date_text(date: NaiveDate) -> String {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        return date.format("%Y-%m-%d").to_string();
    }
    let mut text = String::with_capacity(19);
    let _ = write!(text, "{year:04}-{:02}-{:02}", date.month(), date.day());
    text
}

/// Datetimes as their (UTC) wall-clock time, to the second.
fn datetime_values(col: &Column, unit: TimeUnit) -> Result<Vec<Value>> {
    let ticks = col.cast(&DataType::Int64)?;
    let to_datetime = |t: i64| match unit {
        TimeUnit::Nanoseconds => Some(DateTime::from_timestamp_nanos(t)),
        TimeUnit::Microseconds => DateTime::from_timestamp_micros(t),
        TimeUnit::Milliseconds => DateTime::from_timestamp_millis(t),
    };
    Ok(ticks
        .i64()?
        .iter()
        .map(|t| {
            t.and_then(to_datetime).map_or(Value::Null, |dt| {
                let time = dt.time();
                let mut text = date_text(dt.date_naive());
                let (h, m, s) = (time.hour(), time.minute(), time.second());
                let _ = write!(text, "T{h:02}:{m:02}:{s:02}");
                Value::String(text)
            })
        })
        .collect())
}

/// Any other type (decimals, times, lists...) as its text form.
fn text_values(col: &Column) -> Result<Vec<Value>> {
    let text = col.cast(&DataType::String).map_err(|e| {
        Error::new(format!(
            "column `{}` of type {} cannot be shown in a table",
            col.name(),
            col.dtype()
        ))
        .caused_by(e)
        .hint("cast it to text or a number in the query, e.g. `CAST(x AS VARCHAR)`")
    })?;
    Ok(text
        .str()?
        .iter()
        .map(|v| v.map_or(Value::Null, Value::from))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{
        Int32Chunked, Int64Chunked, IntoColumn, IntoSeries, NewChunkedArray, df,
    };
    use serde_json::json;

    #[test]
    fn cells_become_json_values() {
        let mut frame = df!(
            "id" => [Some(1i64), None],
            "share" => [Some(0.5f64), Some(f64::NAN)],
            "name" => [Some("a"), None],
            "b2b" => [Some(true), Some(false)],
            "small" => [7u32, 8]
        )
        .unwrap();
        // Day 19112 is 2022-04-30 (2022-01-01 is day 18993, plus 119 days).
        let date = Int32Chunked::from_iter_options("day".into(), [Some(19112), None].into_iter());
        frame
            .with_column(date.into_date().into_series().into_column())
            .unwrap();
        // 1651276800000 ms = 19112 days * 86400000 ms: 2022-04-30T00:00:00; +3723 s = 01:02:03.
        let ms = Int64Chunked::from_iter_options(
            "at".into(),
            [Some(1_651_280_523_000), None].into_iter(),
        );
        let at = ms
            .into_datetime(TimeUnit::Milliseconds, None)
            .into_series()
            .into_column();
        frame.with_column(at).unwrap();
        let table = frame_to_table(&frame).unwrap();
        assert_eq!(
            table.columns,
            ["id", "share", "name", "b2b", "small", "day", "at"]
        );
        assert_eq!(
            table.rows,
            [
                vec![
                    json!(1),
                    json!(0.5),
                    json!("a"),
                    json!(true),
                    json!(7),
                    json!("2022-04-30"),
                    json!("2022-04-30T01:02:03")
                ],
                vec![
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    json!(false),
                    json!(8),
                    Value::Null,
                    Value::Null
                ],
            ]
        );
    }

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for (y, m, d) in [
            (2024, 2, 29),
            (1, 1, 1),
            (0, 12, 31),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 6, 5),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(date_text(date), date.format("%Y-%m-%d").to_string());
        }
        assert_eq!(
            date_text(NaiveDate::from_ymd_opt(7, 3, 9).unwrap()),
            "0007-03-09"
        );
    }
}
