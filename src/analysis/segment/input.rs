//! Reads and checks the columns a segment comparison needs, once, as plain
//! vectors: segment and order ids as codes, amount and qty as numbers, the
//! optional date as calendar dates; each row is one order line, or (read
//! from a database's aggregate) a group of lines with its line counts.

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
    /// `None`: every row is one order line. Else each row is a group of
    /// lines, `amount` and `qty` being the sums of the values present.
    pub weights: Option<Weights>,
}

/// The line counts of each group row of an aggregate.
pub(super) struct Weights {
    pub lines: Vec<u64>,
    /// Lines with a quantity (`qty` is `None` when there is none).
    pub qty_lines: Vec<u64>,
    /// Lines without an amount (left out of `amount`).
    pub missing_amount: Vec<u64>,
}

/// How many lines one row stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Weight {
    pub lines: u64,
    pub qty_lines: u64,
    pub missing_amount: u64,
}

impl Input {
    pub fn rows(&self) -> usize {
        self.segment.codes.len()
    }

    /// The lines row `row` stands for: one line, or a group's counts.
    pub fn weight(&self, row: usize) -> Weight {
        match &self.weights {
            Some(w) => Weight {
                lines: w.lines[row],
                qty_lines: w.qty_lines[row],
                missing_amount: w.missing_amount[row],
            },
            None => Weight {
                lines: 1,
                qty_lines: u64::from(self.qty[row].is_some()),
                missing_amount: u64::from(self.amount[row].is_none()),
            },
        }
    }
}

/// The error for a table without rows.
pub(super) fn no_rows(spec: &SegmentSpec) -> Error {
    Error::new(format!(
        "table `{}` (setting `table`) has no rows to compare",
        spec.table
    ))
    .setting("table")
    .hint("check the source's file and its `filters`: they may exclude every row")
}

/// Read the columns `spec` names from `df`, or explain what is missing.
pub(super) fn read_input(spec: &SegmentSpec, df: &DataFrame) -> Result<Input> {
    if df.height() == 0 {
        return Err(no_rows(spec));
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
        weights: None,
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
