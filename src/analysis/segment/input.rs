//! Reads and checks the columns a segment comparison needs, once, as plain
//! vectors: segment and order ids as codes, amount and qty as numbers, the
//! optional date as calendar dates.

use super::SegmentSpec;
use crate::analysis::common::{Codes, encode};
use crate::data::columns;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use polars::prelude::{DataFrame, DataType};

/// The columns of one segment comparison, row-aligned.
pub(super) struct Input {
    pub segment: Codes,
    /// The segment column is boolean (default comparison: true vs false).
    pub segment_is_bool: bool,
    pub order: Codes,
    pub amount: Vec<Option<f64>>,
    pub qty: Vec<Option<f64>>,
    pub date: Option<Vec<Option<NaiveDate>>>,
}

impl Input {
    pub fn rows(&self) -> usize {
        self.segment.codes.len()
    }
}

/// Read the columns `spec` names from `df`, or explain what is missing.
pub(super) fn read_input(spec: &SegmentSpec, df: &DataFrame) -> Result<Input> {
    if df.height() == 0 {
        return Err(Error::new(format!(
            "table `{}` (setting `table`) has no rows to compare",
            spec.table
        ))
        .setting("table")
        .hint("check the source's file and its `filters`: they may exclude every row"));
    }
    let segment_is_bool =
        columns::column(df, &spec.segment, "segment")?.dtype() == &DataType::Boolean;
    let (segment, order) = rayon::join(
        || encode(df, &spec.segment, "segment"),
        || encode(df, &spec.order_id, "order_id"),
    );
    Ok(Input {
        segment: segment?,
        segment_is_bool,
        order: order?,
        amount: read_numbers(df, &spec.amount, "amount")?,
        qty: read_numbers(df, &spec.qty, "qty")?,
        date: match &spec.date {
            Some(name) => Some(columns::dates(df, name, "date")?),
            None => None,
        },
    })
}

/// A numeric column with NaN treated as missing, like pandas does.
fn read_numbers(df: &DataFrame, name: &str, setting: &str) -> Result<Vec<Option<f64>>> {
    let values = columns::numbers(df, name, setting)?;
    Ok(values
        .into_iter()
        .map(|v| v.filter(|x| !x.is_nan()))
        .collect())
}
