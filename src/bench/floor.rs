//! The floor a portal build is measured against: the time and memory of
//! reading the bytes of a file once, and of a bare polars lazy scan and
//! group-by of the Amazon report's file (the B2B vs B2C orders, revenue and
//! units of the lines that are not cancelled) — what any tool on polars
//! pays at the least.

use crate::error::{Error, Result};
use polars::prelude::{Engine, LazyCsvReader, LazyFileListReader, PlRefPath, col, lit};
use std::io::Read;
use std::path::Path;
use std::time::Instant;

/// Read every byte of `files` once; the bytes read and the seconds taken.
pub fn read_bytes(files: &[&Path]) -> Result<(u64, f64)> {
    let started = Instant::now();
    let mut total = 0u64;
    let mut block = vec![0u8; 1 << 20];
    for path in files {
        let mut file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
        loop {
            let n = file
                .read(&mut block)
                .map_err(|e| Error::io("read", path, e))?;
            if n == 0 {
                break;
            }
            total += n as u64;
        }
    }
    Ok((total, started.elapsed().as_secs_f64()))
}

/// A lazy scan and group-by of an Amazon sale report; the groups found and
/// the seconds taken. `streaming` picks polars' streaming engine.
pub fn scan_group_by(file: &Path, streaming: bool) -> Result<(usize, f64)> {
    let started = Instant::now();
    let path = PlRefPath::try_from_path(file)
        .map_err(|e| Error::new("cannot open the file").at(file).caused_by(e))?;
    let fail = |e| Error::new("the polars scan failed").at(file).caused_by(e);
    let query = LazyCsvReader::new(path)
        .finish()
        .map_err(fail)?
        .filter(col("Status").neq(lit("Cancelled")))
        .group_by([col("B2B")])
        .agg([
            col("Order ID").n_unique().alias("orders"),
            col("Amount").sum().alias("revenue"),
            col("Qty").sum().alias("qty"),
        ]);
    let engine = if streaming {
        Engine::Streaming
    } else {
        Engine::InMemory
    };
    // A query without sinks gives one frame.
    let groups = query
        .collect_with_engine(engine)
        .map_err(fail)?
        .unwrap_single()
        .height();
    Ok((groups, started.elapsed().as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_groups_b2b_and_b2c_of_generated_data() {
        let dir = tempfile::tempdir().unwrap();
        let files =
            crate::generate::generate(crate::generate::Dataset::Amazon, 3_000, 1, dir.path())
                .unwrap();
        let (groups, _) = scan_group_by(&files[0], false).unwrap();
        assert_eq!(groups, 2);
        assert_eq!(scan_group_by(&files[0], true).unwrap().0, 2);
        let (bytes, _) = read_bytes(&[files[0].as_path()]).unwrap();
        assert_eq!(bytes, std::fs::metadata(&files[0]).unwrap().len());
    }
}
