//! Segment comparison pushed down to a database: the order lines reduced on
//! the server to one row per segment value, order id, day of the `date` and
//! value of each `mix` and `top` column (nulls grouped too), with the
//! group's lines counted and its amounts and quantities summed, the lines
//! without one counted apart. Every figure of the comparison — distinct
//! orders per segment, the line, revenue and quantity sums, the mixes by
//! column, weekday and month, the top lists and every dropped-line count —
//! adds up over these groups as over the lines, so `run_pushed` equals
//! `run` over the same lines.
//!
//! An order usually has one date and few lines, so with few `mix`/`top`
//! columns the groups are about the orders; a column that varies within an
//! order (an SKU) makes them approach the lines themselves — still
//! correct, only less reduced. Every setting can be expressed this way.

use super::input::{Input, Weights, no_rows};
use super::{SegmentSpec, by_columns};
use crate::analysis::common::{Codes, counts, encode};
use crate::data::columns;
use crate::data::external::pushdown::{Aggregate, number_or_null, q};
use crate::error::{Error, Result};
use polars::prelude::{DataFrame, DataType, SortMultipleOptions};

/// The aggregate's name for the `i`-th of `by_columns`.
fn by_name(i: usize) -> String {
    format!("by_{i}")
}

/// The grouping keys: SQL over `s` and the aggregate's name for each.
fn keys(spec: &SegmentSpec) -> Vec<(String, String)> {
    let mut keys = vec![
        (q(&spec.segment), "segment".to_string()),
        (q(&spec.order_id), "order_id".to_string()),
    ];
    if let Some(d) = &spec.date {
        keys.push((format!("CAST({} AS date)", q(d)), "day".to_string()));
    }
    for (i, (column, _)) in by_columns(spec).iter().enumerate() {
        keys.push((q(column), by_name(i)));
    }
    keys
}

/// The aggregation over the cleaned source `s`.
pub fn aggregate(spec: &SegmentSpec) -> Aggregate {
    let keys = keys(spec);
    // NaN is missing (left out and counted), as the lines are read.
    let (amount, qty) = (number_or_null(&spec.amount), number_or_null(&spec.qty));
    let select: Vec<String> = keys
        .iter()
        .map(|(sql, name)| format!("{sql} AS {}", q(name)))
        .collect();
    let group: Vec<&str> = keys.iter().map(|(sql, _)| sql.as_str()).collect();
    let sql = format!(
        "SELECT {}, COUNT(*) AS \"lines\", SUM({amount}) AS \"amount\", \
         SUM(CASE WHEN ({amount}) IS NULL THEN 1 ELSE 0 END) AS \"missing_amount\", \
         SUM({qty}) AS \"qty\", COUNT({qty}) AS \"qty_lines\" \
         FROM s GROUP BY {}",
        select.join(", "),
        group.join(", ")
    );
    let mut columns = vec![
        spec.segment.clone(),
        spec.order_id.clone(),
        spec.amount.clone(),
        spec.qty.clone(),
    ];
    columns.extend(spec.date.clone());
    columns.extend(by_columns(spec).iter().map(|(c, _)| c.to_string()));
    Aggregate {
        sql,
        grouped: None,
        columns,
        dates: spec.date.iter().cloned().collect(),
        numbers: vec![spec.amount.clone(), spec.qty.clone()],
    }
}

/// The comparison's input from the aggregate's rows (one per group), and
/// the codes of the `by_columns` in their order.
pub(super) fn read_input(spec: &SegmentSpec, frame: &DataFrame) -> Result<(Input, Vec<Codes>)> {
    if frame.height() == 0 {
        return Err(no_rows(spec));
    }
    // The server returns the groups in any order: sorted, the sums add up
    // in the same order on every build.
    let names: Vec<String> = keys(spec).into_iter().map(|(_, name)| name).collect();
    let options = SortMultipleOptions::default()
        .with_nulls_last(true)
        .with_maintain_order(true);
    let frame = frame
        .sort(names, options)
        .map_err(|e| Error::from(e).context("sorting the aggregate of the database"))?;
    let segment_is_bool =
        columns::column(&frame, "segment", "segment")?.dtype() == &DataType::Boolean;
    let weights = Weights {
        lines: counts(&frame, "lines")?,
        qty_lines: counts(&frame, "qty_lines")?,
        missing_amount: counts(&frame, "missing_amount")?,
    };
    let input = Input {
        segment: encode(&frame, "segment", "segment")?,
        segment_is_bool,
        order: encode(&frame, "order_id", "order_id")?,
        // Sums: NaN only where +inf and -inf met, as when adding lines.
        amount: columns::numbers(&frame, "amount", "amount")?,
        // No quantity when no line has one (whatever an engine sums then).
        qty: columns::numbers(&frame, "qty", "qty")?
            .into_iter()
            .zip(&weights.qty_lines)
            .map(|(q, &n)| q.filter(|_| n > 0))
            .collect(),
        date: match &spec.date {
            Some(_) => Some(columns::dates(&frame, "day", "date")?),
            None => None,
        },
        weights: Some(weights),
    };
    let encoded = by_columns(spec)
        .iter()
        .enumerate()
        .map(|(i, (_, setting))| encode(&frame, &by_name(i), setting))
        .collect::<Result<Vec<Codes>>>()?;
    Ok((input, encoded))
}

#[cfg(test)]
mod tests;
