//! Typed access to DataFrame columns for the analyses, with errors that name
//! the missing or mistyped column, the setting that asked for it and the
//! columns that do exist.

use crate::error::{Error, Result};
use chrono::NaiveDate;
use polars::prelude::{Column, DataFrame, DataType};

/// Look up `name` in `df`, or explain which setting asked for a missing column.
pub fn column<'a>(df: &'a DataFrame, name: &str, setting: &str) -> Result<&'a Column> {
    df.column(name).map_err(|_| {
        let available: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|c| format!("`{c}`"))
            .collect();
        Error::new(format!(
            "column `{name}` (setting `{setting}`) does not exist in the table"
        ))
        .setting(setting)
        .hint(format!(
            "available columns: {}; check the spelling or the source's `rename`",
            available.join(", ")
        ))
    })
}

/// Any column as text keys (ids, categories, booleans as `true`/`false`).
pub fn keys(df: &DataFrame, name: &str, setting: &str) -> Result<Vec<Option<String>>> {
    let col = column(df, name, setting)?;
    let text = col.cast(&DataType::String).map_err(|e| {
        Error::new(format!(
            "column `{name}` (setting `{setting}`) cannot be read as text"
        ))
        .setting(setting)
        .caused_by(e)
    })?;
    let ca = text.str().map_err(Error::from)?;
    Ok(ca.iter().map(|v| v.map(str::to_owned)).collect())
}

/// A numeric column as `f64` values; nulls stay `None`. Text columns are an
/// error (declare them in `types`), not silently parsed.
pub fn numbers(df: &DataFrame, name: &str, setting: &str) -> Result<Vec<Option<f64>>> {
    let col = column(df, name, setting)?;
    let dtype = col.dtype();
    if !(dtype.is_primitive_numeric() || matches!(dtype, DataType::Boolean)) {
        return Err(Error::new(format!(
            "column `{name}` (setting `{setting}`) is {dtype}, not numeric"
        ))
        .setting(setting)
        .hint(format!(
            "declare it in the source's `types`, e.g. `{name} = \"float\"` or `\"money\"` for currency text"
        )));
    }
    let floats = col.cast(&DataType::Float64).map_err(Error::from)?;
    let ca = floats.f64().map_err(Error::from)?;
    Ok(ca.iter().collect())
}

/// A date or datetime column as calendar dates; nulls stay `None`.
pub fn dates(df: &DataFrame, name: &str, setting: &str) -> Result<Vec<Option<NaiveDate>>> {
    let col = column(df, name, setting)?;
    if !matches!(col.dtype(), DataType::Date | DataType::Datetime(_, _)) {
        return Err(Error::new(format!(
            "column `{name}` (setting `{setting}`) is {}, not a date",
            col.dtype()
        ))
        .setting(setting)
        .hint(format!(
            "declare its format in the source's `dates`, e.g. `{name} = \"MM-DD-YY\"`"
        )));
    }
    let as_date = col.cast(&DataType::Date).map_err(Error::from)?;
    let days = as_date.cast(&DataType::Int32).map_err(Error::from)?;
    let ca = days.i32().map_err(Error::from)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    Ok(ca
        .iter()
        .map(|d| d.and_then(|d| epoch.checked_add_signed(chrono::TimeDelta::days(d as i64))))
        .collect())
}
