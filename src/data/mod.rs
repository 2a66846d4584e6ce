//! Data loading and cleaning: turns the sources a report declares into named
//! polars tables, and runs the report's SQL queries over them.

pub mod clean;
pub mod columns;
pub mod convert;
pub mod csv;
pub mod excel;
pub mod external;
pub mod frame;
pub mod json;
pub mod load;
pub mod parse;
pub mod result_table;
pub mod source;
pub mod sql;

pub use frame::frame_to_table;
pub use load::{LoadedSource, load_columns, load_source};
pub use result_table::{Origin, ResultTable, Stored};
pub use source::{ColumnType, DeriveSpec, Fetched, Format, SourceKind, SourceSpec, Wanted};
pub use sql::run_query;

use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// A report's tables by name.
pub type Tables = BTreeMap<String, DataFrame>;
