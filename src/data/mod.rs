//! Data loading and cleaning: turns the sources a report declares into named
//! polars tables, and runs the report's SQL queries over them.

pub mod columns;
pub mod source;

pub use source::{ColumnType, DeriveSpec, Format, SourceSpec};

use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// A report's tables by name.
pub type Tables = BTreeMap<String, DataFrame>;
