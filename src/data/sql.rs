//! Running a report's SQL queries with polars SQL over the report's tables.
//! Results are deterministic: a query without a top-level `ORDER BY` is
//! sorted by all its columns, left to right.

use super::Tables;
use crate::error::{Error, Result};
use polars::prelude::{DataFrame, DataType, IntoLazy, SortMultipleOptions};
use polars::sql::SQLContext;

/// Runs `sql` with every table registered under its name.
pub fn run_query(sql: &str, tables: &Tables) -> Result<DataFrame> {
    let mut ctx = SQLContext::new();
    for (name, df) in tables {
        ctx.register(name, df.clone().lazy());
    }
    let df = ctx
        .execute(sql)
        .and_then(|lf| lf.collect())
        .map_err(|e| {
            Error::new("the SQL query failed")
                .caused_by(e)
                .hint(format!(
                    "tables: {}; put names with spaces or capitals in double quotes (\"Sales Channel\") and text in single quotes ('Cancelled')",
                    describe_tables(tables)
                ))
        })?;
    if has_top_level_order_by(sql) {
        Ok(df)
    } else {
        sort_by_all_columns(df)
    }
}

/// `name (col, col, ...)` for each table, in name order.
fn describe_tables(tables: &Tables) -> String {
    if tables.is_empty() {
        return "none (declare `sources` first)".to_owned();
    }
    let parts: Vec<String> = tables
        .iter()
        .map(|(name, df)| {
            let cols: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
            format!("`{name}` ({})", cols.join(", "))
        })
        .collect();
    parts.join("; ")
}

/// Sorts by every sortable column, nulls last, so row order never depends
/// on how polars happened to schedule the query.
fn sort_by_all_columns(df: DataFrame) -> Result<DataFrame> {
    let keys: Vec<String> = df
        .columns()
        .iter()
        .filter(|c| {
            !matches!(
                c.dtype(),
                DataType::List(_) | DataType::Struct(_) | DataType::Array(_, _)
            )
        })
        .map(|c| c.name().to_string())
        .collect();
    if keys.is_empty() || df.height() < 2 {
        return Ok(df);
    }
    let options = SortMultipleOptions::default()
        .with_nulls_last(true)
        .with_maintain_order(true);
    Ok(df.sort(keys, options)?)
}

/// Whether the query ends with its own `ORDER BY` (not one inside
/// parentheses, such as a subquery or `OVER (ORDER BY ...)`), ignoring
/// quoted text and comments.
fn has_top_level_order_by(sql: &str) -> bool {
    let bytes = sql.as_bytes();
    let (mut i, mut depth, mut previous) = (0usize, 0i32, String::new());
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' | b'`' => i = skip_past(bytes, i + 1, &[c]),
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = skip_past(bytes, i + 2, b"\n"),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_past(bytes, i + 2, b"*/"),
            b'(' => (depth, i) = (depth + 1, i + 1),
            b')' => (depth, i) = (depth - 1, i + 1),
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = sql[start..i].to_ascii_uppercase();
                if depth == 0 && previous == "ORDER" && word == "BY" {
                    return true;
                }
                if depth == 0 {
                    previous = word;
                }
            }
            _ => i += 1,
        }
    }
    false
}

/// The index just after the next `end` at or after `from` (or the end).
fn skip_past(bytes: &[u8], from: usize, end: &[u8]) -> usize {
    (from..bytes.len())
        .find(|&j| bytes[j..].starts_with(end))
        .map_or(bytes.len(), |j| j + end.len())
}
