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

/// The xxh3 hash of a file's bytes, read in blocks (data files for the
/// results cache, loader scripts for the fetch cache).
pub fn hash_file(path: &std::path::Path) -> crate::error::Result<u64> {
    use std::io::Read;
    let io = |e| crate::error::Error::io("read", path, e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut block).map_err(io)?;
        if n == 0 {
            return Ok(hasher.digest());
        }
        hasher.update(&block[..n]);
    }
}

/// A report's tables by name.
pub type Tables = BTreeMap<String, DataFrame>;
