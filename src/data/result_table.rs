//! A result table as a report holds it: an analysis' `Table`, or a SQL
//! query's polars frame, in memory or in a file of the results cache.
//! Nothing is turned into JSON cells until a page, chart or export asks for
//! it, and then only once, so a million-row working query that no page
//! shows costs its frame and nothing more.

use super::frame::{Floats, frame_cells};
use crate::error::{Error, Result};
use crate::table::{Table, codec};
use polars::prelude::{DataFrame, ParquetCompression, ParquetReader, ParquetWriter, SerReader};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Where a result table came from, which decides whether it is exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A table of an analysis: always exported (analyses.md).
    Analysis,
    /// A SQL query's result; `shown` when its block is not `hide`,
    /// `export` when the block asks for it.
    Query { shown: bool, export: bool },
}

/// One result table, turned into a `Table` on first use.
#[derive(Debug)]
pub struct ResultTable {
    origin: Origin,
    data: Data,
    /// The number of rows, known without reading the table.
    height: usize,
    rows: OnceLock<std::result::Result<Arc<Table>, String>>,
}

#[derive(Debug)]
enum Data {
    Rows(Arc<Table>),
    Frame(DataFrame),
    /// A `Table` in the results cache (`table::codec`).
    RowsFile(PathBuf),
    /// A frame in the results cache (Parquet).
    FrameFile(PathBuf),
}

/// Rows of a frame converted to JSON cells at a time for its CSV.
const CSV_SLICE_ROWS: usize = 65_536;

/// How a stored table is kept in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stored {
    Rows,
    Frame,
}

impl ResultTable {
    /// An analysis table.
    pub fn rows(table: Table) -> Self {
        let height = table.len();
        Self::with(Origin::Analysis, Data::Rows(Arc::new(table)), height)
    }

    /// A query's result frame.
    pub fn frame(frame: DataFrame, origin: Origin) -> Self {
        let height = frame.height();
        Self::with(origin, Data::Frame(frame), height)
    }

    /// An analysis table kept as columns (`AnalysisOutput::frames`).
    pub fn analysis_frame(frame: DataFrame) -> Self {
        let height = frame.height();
        Self::with(Origin::Analysis, Data::Frame(frame), height)
    }

    /// A table of `height` rows kept in `path` by `store`, read when first
    /// used.
    pub fn stored(path: PathBuf, kind: Stored, origin: Origin, height: usize) -> Self {
        let data = match kind {
            Stored::Rows => Data::RowsFile(path),
            Stored::Frame => Data::FrameFile(path),
        };
        Self::with(origin, data, height)
    }

    fn with(origin: Origin, data: Data, height: usize) -> Self {
        ResultTable {
            origin,
            data,
            height,
            rows: OnceLock::new(),
        }
    }

    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.height
    }

    pub fn is_empty(&self) -> bool {
        self.height == 0
    }

    /// The first `n` rows as JSON cells: of a query's frame only those rows
    /// are converted (a page showing ten rows of a million pays for ten).
    pub fn head(&self, n: usize) -> Result<Arc<Table>> {
        if n >= self.height || self.rows.get().is_some() {
            let table = self.table()?;
            return Ok(if n >= table.len() {
                table
            } else {
                Arc::new(Table {
                    columns: table.columns.clone(),
                    rows: table.rows[..n].to_vec(),
                })
            });
        }
        match &self.data {
            Data::Frame(frame) => self.cells(&frame.head(Some(n))).map(Arc::new),
            Data::FrameFile(path) => read_frame(path, Some(n))
                .and_then(|f| self.cells(&f))
                .map(Arc::new),
            Data::Rows(_) | Data::RowsFile(_) => {
                let table = self.table()?;
                Ok(Arc::new(Table {
                    columns: table.columns.clone(),
                    rows: table.rows[..n.min(table.len())].to_vec(),
                }))
            }
        }
    }

    /// The table as JSON cells (converted or read once, then shared).
    pub fn table(&self) -> Result<Arc<Table>> {
        self.rows
            .get_or_init(|| self.materialise().map_err(|e| e.to_string()))
            .clone()
            .map_err(Error::new)
    }

    fn materialise(&self) -> Result<Arc<Table>> {
        match &self.data {
            Data::Rows(table) => Ok(table.clone()),
            Data::Frame(frame) => self.cells(frame).map(Arc::new),
            Data::RowsFile(path) => {
                let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
                codec::decode(&bytes).map(Arc::new).ok_or_else(|| {
                    Error::new("a cached result table is damaged")
                        .at(path)
                        .hint("delete the .wawasan-cache folder (or build with --no-cache)")
                })
            }
            Data::FrameFile(path) => read_frame(path, None)
                .and_then(|f| self.cells(&f))
                .map(Arc::new),
        }
    }

    /// A frame's rows as JSON cells: an analysis' numbers as it writes them.
    fn cells(&self, frame: &DataFrame) -> Result<Table> {
        let floats = match self.origin {
            Origin::Analysis => Floats::WholeAsIntegers,
            Origin::Query { .. } => Floats::AsIs,
        };
        frame_cells(frame, floats)
    }

    /// The table as CSV bytes (`Table::to_csv`). A frame is converted a
    /// slice of rows at a time, so a million-row table never exists as JSON
    /// cells, and the slices' text is copied straight into the one buffer
    /// the bytes are kept in (no growing string doubling past it, no copy
    /// of it).
    pub fn to_csv(&self) -> Result<std::sync::Arc<[u8]>> {
        let whole = |text: String| std::sync::Arc::from(text.into_bytes());
        if let Some(Ok(table)) = self.rows.get() {
            return Ok(whole(table.to_csv()));
        }
        let read;
        let frame = match &self.data {
            Data::Frame(frame) => frame,
            Data::FrameFile(path) => {
                read = read_frame(path, None)?;
                &read
            }
            Data::Rows(_) | Data::RowsFile(_) => return Ok(whole(self.table()?.to_csv())),
        };
        // The slices' text goes to an unnamed temporary file, one slice's
        // buffer reused, then is read back into one buffer of its exact
        // length: the peak is one copy of the CSV (text kept in memory by
        // slices, or in a growing string, would be held twice).
        let spill_error = |e: std::io::Error| {
            Error::new("cannot write the table's CSV to a temporary file")
                .caused_by(e)
                .hint("check the free space of the temporary folder (TMPDIR)")
        };
        let mut spill = tempfile::tempfile().map_err(spill_error)?;
        let mut part = String::new();
        let mut total = 0;
        let mut offset = 0;
        loop {
            let slice = self.cells(&frame.slice(offset as i64, CSV_SLICE_ROWS))?;
            part.clear();
            slice.write_csv(&mut part, offset == 0);
            spill.write_all(part.as_bytes()).map_err(spill_error)?;
            total += part.len();
            offset += CSV_SLICE_ROWS;
            if offset >= frame.height() {
                break;
            }
        }
        drop(part);
        let zeroed = std::sync::Arc::<[u8]>::new_zeroed_slice(total);
        // SAFETY: the bytes are zero-filled, and any bits are a valid `u8`.
        let mut bytes = unsafe { zeroed.assume_init() };
        // Just made, so not shared: `get_mut` gives it.
        if let Some(buffer) = std::sync::Arc::get_mut(&mut bytes) {
            spill.seek(SeekFrom::Start(0)).map_err(spill_error)?;
            spill.read_exact(buffer).map_err(spill_error)?;
        }
        Ok(bytes)
    }

    /// Write the table to `path` for `stored`; the kind it was written as.
    pub fn store(&self, path: &Path) -> Result<Stored> {
        match &self.data {
            Data::Frame(frame) => {
                write_frame(frame, path)?;
                Ok(Stored::Frame)
            }
            Data::FrameFile(from) => copy(from, path).map(|_| Stored::Frame),
            Data::RowsFile(from) => copy(from, path).map(|_| Stored::Rows),
            Data::Rows(table) => {
                let bytes = codec::encode(table);
                std::fs::write(path, bytes).map_err(|e| Error::io("write", path, e))?;
                Ok(Stored::Rows)
            }
        }
    }
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| Error::io("write", to, e))
}

fn write_frame(frame: &DataFrame, path: &Path) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| Error::io("write", path, e))?;
    let mut frame = frame.clone();
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Lz4Raw)
        .finish(&mut frame)
        .map(|_| ())
        .map_err(|e| {
            Error::new("cannot write a result table")
                .at(path)
                .caused_by(e)
        })
}

/// A stored frame, or its first `rows` rows.
fn read_frame(path: &Path, rows: Option<usize>) -> Result<DataFrame> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let reader = ParquetReader::new(file).with_slice(rows.map(|n| (0, n)));
    reader.finish().map_err(|e| {
        Error::new("cannot read a cached result table")
            .at(path)
            .caused_by(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{Int32Chunked, IntoColumn, IntoSeries, NewChunkedArray, df};
    use serde_json::json;

    #[test]
    fn frames_become_tables_once_and_survive_the_cache() {
        let mut frame = df!(
            "city" => [Some("Bandung"), None],
            "revenue" => [1500.0, 2.5],
            "orders" => [3u32, 1],
        )
        .unwrap();
        // Day 19112 is 2022-04-30.
        let day = Int32Chunked::from_iter_options("day".into(), [Some(19112), None].into_iter());
        frame
            .with_column(day.into_date().into_series().into_column())
            .unwrap();
        let fresh = ResultTable::frame(
            frame,
            Origin::Query {
                shown: false,
                export: true,
            },
        );
        let table = fresh.table().unwrap();
        assert!(
            Arc::ptr_eq(&table, &fresh.table().unwrap()),
            "converted once"
        );
        assert_eq!(
            table.rows[0],
            [
                json!("Bandung"),
                json!(1500.0),
                json!(3),
                json!("2022-04-30")
            ]
        );

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.parquet");
        assert_eq!(fresh.store(&path).unwrap(), Stored::Frame);
        let cached = ResultTable::stored(path.clone(), Stored::Frame, fresh.origin(), 2);
        // The first row alone is read, then the whole table.
        let head = cached.head(1).unwrap();
        assert_eq!(head.rows, table.rows[..1]);
        assert_eq!(*cached.table().unwrap(), *table);
        assert_eq!(cached.len(), 2);
        assert_eq!(fresh.head(1).unwrap().rows, table.rows[..1]);
        assert_eq!(*fresh.head(5).unwrap(), *table);
    }

    #[test]
    fn analysis_frames_write_whole_numbers_as_integers_and_csv_by_slices() {
        // More rows than one CSV slice, so the CSV is written in two parts.
        let n = CSV_SLICE_ROWS + 3;
        let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        let amounts: Vec<f64> = (0..n).map(|i| i as f64 / 2.0).collect();
        let frame = df!("customer" => names, "amount" => amounts).unwrap();
        let analysis = ResultTable::analysis_frame(frame.clone());
        let head = analysis.head(3).unwrap();
        // 0.0 and 1.0 are whole: integers, as an analysis' JSON table has.
        assert_eq!(
            head.rows,
            [
                [json!("c0"), json!(0)],
                [json!("c1"), json!(0.5)],
                [json!("c2"), json!(1)]
            ]
        );
        let query = ResultTable::frame(
            frame,
            Origin::Query {
                shown: true,
                export: false,
            },
        );
        assert_eq!(query.head(1).unwrap().rows[0][1], json!(0.0));
        // The CSV by slices is the CSV of the whole table, header once.
        let csv = String::from_utf8(analysis.to_csv().unwrap().to_vec()).unwrap();
        assert_eq!(csv, analysis.table().unwrap().to_csv());
        assert_eq!(csv.matches("customer,amount").count(), 1);
        assert_eq!(csv.lines().count(), n + 1);
        assert!(csv.ends_with(&format!("c{},{}\n", n - 1, (n - 1) as f64 / 2.0)));
    }

    #[test]
    fn rows_survive_the_cache_and_damage_is_an_error() {
        let mut t = Table::new(["segment", "aov"]);
        t.push(vec![json!("B2B"), json!(1800.0)]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bin");
        assert_eq!(
            ResultTable::rows(t.clone()).store(&path).unwrap(),
            Stored::Rows
        );
        let cached = ResultTable::stored(path.clone(), Stored::Rows, Origin::Analysis, 1);
        assert_eq!(*cached.table().unwrap(), t);
        std::fs::write(&path, b"damaged").unwrap();
        let damaged = ResultTable::stored(path, Stored::Rows, Origin::Analysis, 1);
        let err = damaged.table().unwrap_err().to_string();
        assert!(err.contains("damaged") && err.contains("t.bin"), "{err}");
    }
}
