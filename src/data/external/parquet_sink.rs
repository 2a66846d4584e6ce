//! Rows streamed from a server into a Parquet file a row group at a time:
//! the columns of at most `GROUP_ROWS` rows are in memory at once, however
//! many rows the server sends. The file appears whole, under its name,
//! only when every row is written.

use super::text_format::{ColumnBuilder, Kind};
use crate::error::{Error, Result};
use polars::io::parquet::write::BatchedWriter;
use polars::prelude::{DataFrame, ParquetWriter};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Rows held before they are written as one row group.
pub const GROUP_ROWS: usize = 256 * 1024;

/// Where the rows of a fetch go, row by row: fill `columns()`, then call
/// `row_done`.
pub trait RowSink {
    fn columns(&mut self) -> &mut [ColumnBuilder];
    fn row_done(&mut self) -> Result<()>;
}

/// Plain column builders keep every row (for small results and tests).
impl RowSink for Vec<ColumnBuilder> {
    fn columns(&mut self) -> &mut [ColumnBuilder] {
        self
    }

    fn row_done(&mut self) -> Result<()> {
        Ok(())
    }
}

/// The Parquet file being written.
pub struct ParquetSink {
    dest: PathBuf,
    tmp: PathBuf,
    kinds: Vec<(String, Kind)>,
    columns: Vec<ColumnBuilder>,
    pending: usize,
    rows: usize,
    writer: Option<BatchedWriter<File>>,
}

impl ParquetSink {
    /// A sink for columns `kinds` (name and kind, in order) writing `dest`.
    pub fn new(dest: &Path, kinds: Vec<(String, Kind)>) -> ParquetSink {
        ParquetSink {
            dest: dest.to_path_buf(),
            tmp: super::temporary_beside(dest),
            columns: builders(&kinds),
            kinds,
            pending: 0,
            rows: 0,
            writer: None,
        }
    }

    /// Write the rows still held, close the file and give it its name; the
    /// number of rows written.
    pub fn finish(mut self) -> Result<usize> {
        // An empty result still gets a file, with its columns.
        if self.pending > 0 || self.writer.is_none() {
            self.flush()?;
        }
        if let Some(writer) = self.writer.take() {
            writer.finish().map_err(|e| Error::from(e).at(&self.tmp))?;
        }
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| Error::io("write", &self.dest, e))?;
        Ok(self.rows)
    }

    fn flush(&mut self) -> Result<()> {
        let full = std::mem::replace(&mut self.columns, builders(&self.kinds));
        let columns = full.into_iter().map(ColumnBuilder::finish).collect();
        let frame = DataFrame::new(self.pending, columns)?;
        self.pending = 0;
        let writer = match &mut self.writer {
            Some(writer) => writer,
            None => {
                let file =
                    File::create(&self.tmp).map_err(|e| Error::io("create", &self.tmp, e))?;
                let batched = ParquetWriter::new(file)
                    .batched(frame.schema())
                    .map_err(|e| Error::from(e).at(&self.tmp))?;
                self.writer.insert(batched)
            }
        };
        writer
            .write_batch(&frame)
            .map_err(|e| Error::from(e).at(&self.tmp))
    }
}

impl RowSink for ParquetSink {
    fn columns(&mut self) -> &mut [ColumnBuilder] {
        &mut self.columns
    }

    fn row_done(&mut self) -> Result<()> {
        self.pending += 1;
        self.rows += 1;
        if self.pending == GROUP_ROWS {
            self.flush()?;
        }
        Ok(())
    }
}

impl Drop for ParquetSink {
    /// A sink dropped before `finish` (a failed fetch) leaves no file.
    fn drop(&mut self) {
        self.writer = None;
        let _ = std::fs::remove_file(&self.tmp);
    }
}

fn builders(kinds: &[(String, Kind)]) -> Vec<ColumnBuilder> {
    kinds
        .iter()
        .map(|(name, kind)| ColumnBuilder::new(name, *kind))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{ParquetReader, SerReader};

    fn read(path: &Path) -> DataFrame {
        ParquetReader::new(File::open(path).unwrap())
            .finish()
            .unwrap()
    }

    #[test]
    fn rows_beyond_a_group_arrive_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("rows.parquet");
        let kinds = vec![("n".to_string(), Kind::Int), ("t".to_string(), Kind::Text)];
        let mut sink = ParquetSink::new(&dest, kinds);
        let total = GROUP_ROWS * 2 + 5;
        for i in 0..total {
            let text = (i % 3 != 0).then(|| format!("r{i}"));
            let columns = sink.columns();
            columns[0].push(Some(&i.to_string())).unwrap();
            columns[1].push(text.as_deref()).unwrap();
            sink.row_done().unwrap();
        }
        assert!(!dest.exists(), "the file appears only when finished");
        assert_eq!(sink.finish().unwrap(), total);
        let frame = read(&dest);
        assert_eq!(frame.height(), total);
        let n = frame.column("n").unwrap().i64().unwrap();
        assert!(n.iter().enumerate().all(|(i, v)| v == Some(i as i64)));
        let t = frame.column("t").unwrap().str().unwrap();
        assert_eq!(
            t.get(GROUP_ROWS + 1),
            Some(format!("r{}", GROUP_ROWS + 1).as_str())
        );
        assert_eq!(t.null_count(), total.div_ceil(3));
    }

    #[test]
    fn an_empty_result_has_its_columns_and_a_dropped_sink_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("empty.parquet");
        let kinds = vec![("d".to_string(), Kind::Date)];
        assert_eq!(ParquetSink::new(&dest, kinds.clone()).finish().unwrap(), 0);
        let frame = read(&dest);
        assert_eq!(frame.height(), 0);
        assert_eq!(frame.get_column_names(), ["d"]);

        let failed = dir.path().join("failed.parquet");
        let mut sink = ParquetSink::new(&failed, kinds);
        for _ in 0..GROUP_ROWS + 1 {
            sink.columns()[0].push(Some("2024-01-02")).unwrap();
            sink.row_done().unwrap();
        }
        drop(sink);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the finished file remains");
    }
}
