//! How the CSV reader turns one column's fields into a polars column: as
//! text, or parsed while reading into the type a source declares (`types`,
//! `dates`), so a million amounts never become a million strings first. A
//! value that does not parse stops the chunk with the value and its row.

use crate::data::convert::{date_hint, expected_text, type_hint};
use crate::data::parse::{DateFormat, parse_bool, parse_float, parse_int, parse_money};
use crate::data::source::ColumnType;
use chrono::NaiveDate;
use polars::prelude::{
    BooleanChunkedBuilder, ChunkedBuilder, Column, Float64Type, Int32Type, Int64Type, IntoColumn,
    IntoSeries, PlSmallStr, PrimitiveChunkedBuilder, StringChunkedBuilder,
};
use std::collections::HashMap;

/// How to read one column.
#[derive(Clone, Debug)]
pub enum Plan {
    /// As text (undeclared columns are typed later, over the whole file).
    Text,
    /// Parsed as a declared type.
    Typed(ColumnType),
    /// Parsed as dates in a declared format (`setting` is its text).
    Date { format: DateFormat, setting: String },
}

impl Plan {
    /// What a value of column `name` should look like, and how to fix one
    /// that does not.
    pub fn describe(&self, name: &str) -> (String, String) {
        match self {
            Plan::Text => ("text".into(), String::new()),
            Plan::Typed(ty) => (expected_text(*ty).into(), type_hint(*ty, name)),
            Plan::Date { setting, .. } => {
                (format!("a date in format `{setting}`"), date_hint(name))
            }
        }
    }
}

/// A value that does not parse.
#[derive(Debug)]
pub struct BadValue {
    /// The field's text.
    pub value: String,
}

/// Distinct date texts remembered per chunk (timestamps rarely repeat).
const DATE_CACHE_LIMIT: usize = 10_000;

/// One column of one chunk being read.
pub enum Builder {
    Text(StringChunkedBuilder),
    Int(PrimitiveChunkedBuilder<Int64Type>),
    Float(
        PrimitiveChunkedBuilder<Float64Type>,
        fn(&str) -> Option<f64>,
    ),
    Bool(BooleanChunkedBuilder),
    Date(
        PrimitiveChunkedBuilder<Int32Type>,
        DateFormat,
        HashMap<String, Option<i32>>,
    ),
}

impl Builder {
    pub fn new(name: &str, plan: &Plan, capacity: usize) -> Self {
        let name = PlSmallStr::from(name);
        match plan {
            Plan::Text | Plan::Typed(ColumnType::String) => {
                Builder::Text(StringChunkedBuilder::new(name, capacity))
            }
            Plan::Typed(ColumnType::Int) => {
                Builder::Int(PrimitiveChunkedBuilder::new(name, capacity))
            }
            Plan::Typed(ColumnType::Float) => {
                Builder::Float(PrimitiveChunkedBuilder::new(name, capacity), parse_float)
            }
            Plan::Typed(ColumnType::Money) => {
                Builder::Float(PrimitiveChunkedBuilder::new(name, capacity), parse_money)
            }
            Plan::Typed(ColumnType::Bool) => {
                Builder::Bool(BooleanChunkedBuilder::new(name, capacity))
            }
            Plan::Date { format, .. } => Builder::Date(
                PrimitiveChunkedBuilder::new(name, capacity),
                format.clone(),
                HashMap::new(),
            ),
        }
    }

    /// Add one field (already valid UTF-8). An empty field, or for a typed
    /// column a blank one, is null.
    pub fn push(&mut self, field: &str) -> Result<(), BadValue> {
        if let Builder::Text(b) = self {
            if field.is_empty() {
                b.append_null();
            } else {
                b.append_value(field);
            }
            return Ok(());
        }
        if field.trim().is_empty() {
            self.push_null();
            return Ok(());
        }
        let bad = || BadValue {
            value: field.to_string(),
        };
        match self {
            Builder::Text(_) => {}
            Builder::Int(b) => b.append_value(parse_int(field).ok_or_else(bad)?),
            Builder::Float(b, parse) => b.append_value(parse(field).ok_or_else(bad)?),
            Builder::Bool(b) => b.append_value(parse_bool(field).ok_or_else(bad)?),
            Builder::Date(b, format, seen) => {
                let days = match seen.get(field) {
                    Some(days) => *days,
                    None => {
                        let days = days_since_epoch(format, field);
                        if seen.len() < DATE_CACHE_LIMIT {
                            seen.insert(field.to_string(), days);
                        }
                        days
                    }
                };
                b.append_value(days.ok_or_else(bad)?);
            }
        }
        Ok(())
    }

    pub fn push_null(&mut self) {
        match self {
            Builder::Text(b) => b.append_null(),
            Builder::Int(b) => b.append_null(),
            Builder::Float(b, _) => b.append_null(),
            Builder::Bool(b) => b.append_null(),
            Builder::Date(b, ..) => b.append_null(),
        }
    }

    pub fn finish(self) -> Column {
        match self {
            Builder::Text(b) => b.finish().into_column(),
            Builder::Int(b) => b.finish().into_column(),
            Builder::Float(b, _) => b.finish().into_column(),
            Builder::Bool(b) => b.finish().into_column(),
            Builder::Date(b, ..) => b.finish().into_date().into_series().into_column(),
        }
    }
}

fn days_since_epoch(format: &DateFormat, text: &str) -> Option<i32> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let date = format.parse(text)?;
    i32::try_from((date - epoch).num_days()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::DataType;

    fn column(plan: Plan, fields: &[&str]) -> Result<Column, BadValue> {
        let mut b = Builder::new("c", &plan, fields.len());
        for f in fields {
            b.push(f)?;
        }
        Ok(b.finish())
    }

    #[test]
    fn declared_types_are_parsed_while_reading() {
        let money = column(
            Plan::Typed(ColumnType::Money),
            &["$5,320 ", " ", "Rp 1.234.567"],
        )
        .unwrap();
        let values: Vec<Option<f64>> = money.f64().unwrap().iter().collect();
        assert_eq!(values, [Some(5320.0), None, Some(1234567.0)]);
        let flags = column(Plan::Typed(ColumnType::Bool), &["True", "tidak", ""]).unwrap();
        let flags: Vec<Option<bool>> = flags.bool().unwrap().iter().collect();
        assert_eq!(flags, [Some(true), Some(false), None]);
        let dates = column(
            Plan::Date {
                format: DateFormat::from_setting("MM-DD-YY").unwrap(),
                setting: "MM-DD-YY".into(),
            },
            &["04-30-22", "04-30-22", ""],
        )
        .unwrap();
        assert_eq!(dates.dtype(), &DataType::Date);
        // 2022-04-30 is day 19112 after 1970-01-01.
        let days = dates.cast(&DataType::Int32).unwrap();
        let days: Vec<Option<i32>> = days.i32().unwrap().iter().collect();
        assert_eq!(days, [Some(19112), Some(19112), None]);
        let text = column(Plan::Text, &["a", "", " "]).unwrap();
        let text: Vec<Option<&str>> = text.str().unwrap().iter().collect();
        assert_eq!(text, [Some("a"), None, Some(" ")]);
    }

    #[test]
    fn a_value_that_does_not_parse_is_returned() {
        let err = column(Plan::Typed(ColumnType::Int), &["1", "two"])
            .err()
            .unwrap();
        assert_eq!(err.value, "two");
    }
}
