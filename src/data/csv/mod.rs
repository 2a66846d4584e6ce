//! Reading CSV files: our own reader, because a source needs more than a
//! generic one gives. It reads only the columns a report uses, parses
//! declared types while reading, knows the line of every row (so an error
//! names the exact line, also after multi-line fields), refuses ragged lines
//! unless told to pad or skip them, and reads the file in blocks that are
//! parsed in parallel, so memory follows the columns kept, not the file.
//! Records and fields follow RFC 4180 (`records`); columns are built by
//! `columns`.

mod columns;
mod records;

pub use columns::Plan;

use crate::error::{Error, Result};
use columns::Builder;
use polars::prelude::{Column, DataFrame};
use rayon::prelude::*;
use records::{Records, fields, last_record_end};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

/// Bytes read per chunk; chunks are parsed in parallel.
const CHUNK_BYTES: usize = 8 << 20;
/// The longest excerpt of a line an error message shows.
const EXCERPT_CHARS: usize = 80;

/// Two header fields with one name (spaces and a BOM aside) would make
/// every setting naming it ambiguous.
fn refuse_duplicate_names(header: &[String]) -> Result<()> {
    let name = |n: &str| n.trim_start_matches('\u{feff}').trim().to_string();
    let mut seen = std::collections::HashMap::new();
    for (i, field) in header.iter().enumerate() {
        if let Some(first) = seen.insert(name(field), i) {
            return Err(Error::new(format!(
                "columns {} and {} of the header are both named `{}`",
                first + 1,
                i + 1,
                name(field)
            ))
            .line(1)
            .hint("give each column its own name in the file's header row"));
        }
    }
    Ok(())
}

/// What to do with a line whose number of fields is not the header's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ragged {
    /// Stop with an error naming the line.
    #[default]
    Error,
    /// Fill missing fields with nothing and drop extra ones.
    Pad,
    /// Leave the line out.
    Skip,
}

/// How to read one file.
pub struct CsvOptions<'a> {
    pub delimiter: u8,
    /// Whether to keep a column, by its name as the header writes it.
    pub keep: &'a (dyn Fn(&str) -> bool + Sync),
    /// How to read a kept column, by its header name and its name after
    /// `rename` (which error messages use).
    pub plan: &'a (dyn Fn(&str) -> (Plan, String) + Sync),
    pub ragged: Ragged,
}

/// A file read.
#[derive(Debug)]
pub struct CsvTable {
    /// The kept columns, in header order.
    pub frame: DataFrame,
    /// Every header name, as written.
    pub header: Vec<String>,
    /// What the build should tell (lines padded or skipped).
    pub notes: Vec<String>,
}

/// Read the CSV file at `path`. Errors name the line (the file is named by
/// the caller).
pub fn read_csv(path: &Path, options: &CsvOptions) -> Result<CsvTable> {
    let mut reader = ChunkReader::open(path)?;
    let header = reader.header(options.delimiter)?;
    refuse_duplicate_names(&header)?;
    let kept: Vec<KeptColumn> = header
        .iter()
        .enumerate()
        .filter(|(_, name)| (options.keep)(name))
        .map(|(index, name)| {
            let (plan, shown) = (options.plan)(name);
            KeptColumn {
                index,
                name: name.clone(),
                shown,
                plan,
            }
        })
        .collect();
    let layout = Layout {
        width: header.len(),
        kept: &kept,
        delimiter: options.delimiter,
        ragged: options.ragged,
    };
    let threads = rayon::current_num_threads().max(1);
    let mut parts: Vec<ChunkColumns> = Vec::new();
    let mut rows_before = 0usize;
    let mut ragged_lines = 0usize;
    loop {
        let batch = reader.next_batch(threads)?;
        if batch.is_empty() {
            break;
        }
        let parsed: Vec<Result<ChunkColumns, ChunkError>> = batch
            .par_iter()
            .map(|chunk| parse_chunk(chunk, &layout))
            .collect();
        for (chunk, result) in batch.iter().zip(parsed) {
            match result {
                Ok(columns) => {
                    rows_before += columns.rows;
                    ragged_lines += columns.ragged;
                    parts.push(columns);
                }
                Err(e) => return Err(e.into_error(chunk, rows_before, &kept)),
            }
        }
    }
    let frame = assemble(&kept, parts, rows_before)?;
    let mut notes = Vec::new();
    if ragged_lines > 0 {
        let done = match options.ragged {
            Ragged::Pad => "padded or cut to the header's",
            _ => "skipped, not having the header's",
        };
        notes.push(format!(
            "{ragged_lines} lines {done} {} fields",
            header.len()
        ));
    }
    Ok(CsvTable {
        frame,
        header,
        notes,
    })
}

/// The file line of data row `row` (0-based, as the reader counts rows:
/// blank lines and, with `skip_ragged`, ragged lines are no rows). Reads
/// the file again, so only errors ask; `None` if it has fewer rows now.
pub fn row_line(path: &Path, delimiter: u8, skip_ragged: bool, row: usize) -> Option<usize> {
    let mut reader = ChunkReader::open(path).ok()?;
    let width = reader.header(delimiter).ok()?.len();
    let mut seen = 0usize;
    loop {
        let chunk = reader.next_batch(1).ok()?.pop()?;
        let mut split: Vec<Cow<[u8]>> = Vec::with_capacity(width);
        let mut records = Records::new(&chunk.bytes);
        loop {
            let offset = records.position();
            let Some(Ok(record)) = records.next() else {
                break;
            };
            if record.bytes.is_empty() {
                continue;
            }
            if skip_ragged {
                fields(record.bytes, delimiter, &mut split)?;
                if split.len() != width {
                    continue;
                }
            }
            if seen == row {
                let before = memchr::memchr_iter(b'\n', &chunk.bytes[..offset]).count();
                return Some(chunk.first_line + before);
            }
            seen += 1;
        }
    }
}

/// A column the reader keeps.
struct KeptColumn {
    /// Its position in the header.
    index: usize,
    /// Its header name as written.
    name: String,
    /// Its name after `rename`, for messages.
    shown: String,
    plan: Plan,
}

/// What every chunk is parsed by.
struct Layout<'a> {
    width: usize,
    kept: &'a [KeptColumn],
    delimiter: u8,
    ragged: Ragged,
}

/// Complete records of the file, with the line their first one starts on.
struct Chunk {
    bytes: Vec<u8>,
    first_line: usize,
}

/// One chunk's kept columns.
struct ChunkColumns {
    columns: Vec<Column>,
    rows: usize,
    ragged: usize,
}

/// Reads a file in chunks of whole records.
struct ChunkReader {
    file: std::fs::File,
    /// Bytes read and not yet handed out (they start at a record).
    pending: Vec<u8>,
    /// The line `pending` starts on.
    line: usize,
    eof: bool,
}

impl ChunkReader {
    fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
        Ok(ChunkReader {
            file,
            pending: Vec::new(),
            line: 1,
            eof: false,
        })
    }

    /// Read until `pending` holds `want` bytes or the file ends.
    fn fill(&mut self, want: usize) -> Result<()> {
        while !self.eof && self.pending.len() < want {
            let missing = (want - self.pending.len()) as u64;
            self.pending.reserve(missing as usize);
            let n = (&mut self.file)
                .take(missing)
                .read_to_end(&mut self.pending)
                .map_err(|e| Error::new("cannot read the file").caused_by(e))?;
            self.eof = n == 0;
        }
        Ok(())
    }

    /// The header's field names; the file must have one.
    fn header(&mut self, delimiter: u8) -> Result<Vec<String>> {
        self.fill(CHUNK_BYTES)?;
        if self.pending.starts_with(b"\xEF\xBB\xBF") {
            self.pending.drain(..3);
        }
        if self.pending.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::new("the file is empty").hint("a CSV source needs a header row"));
        }
        let mut records = Records::new(&self.pending);
        let Some(Ok(record)) = records.next() else {
            return Err(Error::new("the header line opens a quote it never closes")
                .line(1)
                .hint("a `\"` inside a field must be doubled (`\"\"`)"));
        };
        let mut split = Vec::new();
        fields(record.bytes, delimiter, &mut split).ok_or_else(|| {
            Error::new("text follows a closing quote in the header line")
                .line(1)
                .hint("a quoted name ends with `\"` right before the delimiter")
        })?;
        let names = split
            .iter()
            .map(|f| {
                std::str::from_utf8(f)
                    .map(str::to_owned)
                    .map_err(|_| not_utf8(1))
            })
            .collect::<Result<Vec<_>>>()?;
        let consumed = records.position();
        let inner = record.inner_newlines;
        self.pending.drain(..consumed);
        self.line += 1 + inner;
        Ok(names)
    }

    /// Up to `count` chunks of whole records (none at the end of the file).
    fn next_batch(&mut self, count: usize) -> Result<Vec<Chunk>> {
        let mut batch = Vec::with_capacity(count);
        while batch.len() < count {
            self.fill(CHUNK_BYTES)?;
            if self.pending.is_empty() {
                break;
            }
            let end = if self.eof {
                self.pending.len()
            } else {
                match last_record_end(&self.pending) {
                    Some(end) => end,
                    // One record longer than a chunk: read more.
                    None => {
                        let more = self.pending.len() * 2;
                        self.fill(more)?;
                        continue;
                    }
                }
            };
            let rest = self.pending.split_off(end);
            let bytes = std::mem::replace(&mut self.pending, rest);
            let first_line = self.line;
            self.line += memchr::memchr_iter(b'\n', &bytes).count();
            batch.push(Chunk { bytes, first_line });
        }
        Ok(batch)
    }
}

/// Where a chunk stopped.
enum ChunkError {
    NotUtf8 {
        offset: usize,
    },
    Unterminated {
        offset: usize,
    },
    Malformed {
        offset: usize,
    },
    Ragged {
        offset: usize,
        found: usize,
        expected: usize,
    },
    Value {
        offset: usize,
        row: usize,
        column: usize,
        value: String,
    },
}

impl ChunkError {
    /// The error, with the line found from the chunk's bytes.
    fn into_error(self, chunk: &Chunk, rows_before: usize, kept: &[KeptColumn]) -> Error {
        let line_at = |offset: usize| {
            chunk.first_line + memchr::memchr_iter(b'\n', &chunk.bytes[..offset]).count()
        };
        let excerpt = |offset: usize| excerpt(&chunk.bytes[offset..]);
        match self {
            ChunkError::NotUtf8 { offset } => not_utf8(line_at(offset)),
            ChunkError::Unterminated { offset } => Error::new(format!(
                "a quoted field on this line is never closed: {}",
                excerpt(offset)
            ))
            .line(line_at(offset))
            .hint("a `\"` inside a field must be doubled (`\"\"`), and a quoted field must end with `\"`"),
            ChunkError::Malformed { offset } => Error::new(format!(
                "text follows a closing quote on this line: {}",
                excerpt(offset)
            ))
            .line(line_at(offset))
            .hint("a quoted field ends with `\"` right before the delimiter; double a `\"` inside it (`\"\"`)"),
            ChunkError::Ragged {
                offset,
                found,
                expected,
            } => Error::new(format!(
                "this line has {found} fields, but the header has {expected}: {}",
                excerpt(offset)
            ))
            .line(line_at(offset))
            .hint("check for a missing or extra delimiter; to read such lines anyway set `ragged = \"pad\"` (fill in missing fields) or `ragged = \"skip\"` in the source"),
            ChunkError::Value {
                offset,
                row,
                column,
                value,
            } => {
                let kept = &kept[column];
                let (expected, hint) = kept.plan.describe(&kept.shown);
                Error::new(format!(
                    "cannot read `{}` in column `{}` (row {}) as {expected}",
                    truncate(&value),
                    kept.shown,
                    rows_before + row + 1
                ))
                .line(line_at(offset))
                .hint(hint)
            }
        }
    }
}

fn not_utf8(line: usize) -> Error {
    Error::new("the file is not UTF-8 text")
        .line(line)
        .hint("save the file as UTF-8 (in Excel: \"CSV UTF-8\"; or convert it with `iconv -f latin1 -t utf-8`)")
}

/// The start of a line, for an error message.
fn excerpt(bytes: &[u8]) -> String {
    let end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    let line = String::from_utf8_lossy(&bytes[..end]);
    format!("`{}`", truncate(line.trim_end_matches('\r')))
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// Parse one chunk's records into its kept columns.
fn parse_chunk(chunk: &Chunk, layout: &Layout) -> std::result::Result<ChunkColumns, ChunkError> {
    let bytes = &chunk.bytes;
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(ChunkError::NotUtf8 {
            offset: e.valid_up_to(),
        });
    }
    let estimate = memchr::memchr_iter(b'\n', bytes).count() + 1;
    let mut builders: Vec<Builder> = layout
        .kept
        .iter()
        .map(|k| Builder::new(&k.name, &k.plan, estimate))
        .collect();
    let mut out = ChunkColumns {
        columns: Vec::new(),
        rows: 0,
        ragged: 0,
    };
    let mut split: Vec<Cow<[u8]>> = Vec::with_capacity(layout.width);
    let mut records = Records::new(bytes);
    loop {
        let offset = records.position();
        let Some(record) = records.next() else {
            break;
        };
        let record = record.map_err(|e| ChunkError::Unterminated {
            offset: e.record_start,
        })?;
        if record.bytes.is_empty() {
            continue;
        }
        fields(record.bytes, layout.delimiter, &mut split)
            .ok_or(ChunkError::Malformed { offset })?;
        if split.len() != layout.width {
            match layout.ragged {
                Ragged::Error => {
                    return Err(ChunkError::Ragged {
                        offset,
                        found: split.len(),
                        expected: layout.width,
                    });
                }
                Ragged::Skip => {
                    out.ragged += 1;
                    continue;
                }
                Ragged::Pad => out.ragged += 1,
            }
        }
        for (column, (kept, builder)) in layout.kept.iter().zip(&mut builders).enumerate() {
            let Some(field) = split.get(kept.index) else {
                builder.push_null();
                continue;
            };
            // SAFETY: the whole chunk was checked to be UTF-8 above, and a
            // field is a run of it cut at ASCII bytes (delimiter, quotes,
            // line ends) with only ASCII quotes taken out.
            let text = unsafe { std::str::from_utf8_unchecked(field) };
            builder.push(text).map_err(|bad| ChunkError::Value {
                offset,
                row: out.rows,
                column,
                value: bad.value,
            })?;
        }
        out.rows += 1;
    }
    out.columns = builders.into_iter().map(Builder::finish).collect();
    Ok(out)
}

/// The chunks' columns joined into one frame.
fn assemble(kept: &[KeptColumn], parts: Vec<ChunkColumns>, height: usize) -> Result<DataFrame> {
    let mut columns: Vec<Option<Column>> = vec![None; kept.len()];
    for part in parts {
        for (slot, column) in columns.iter_mut().zip(part.columns) {
            match slot {
                None => *slot = Some(column),
                Some(joined) => {
                    joined.append_owned(column)?;
                }
            }
        }
    }
    let columns = columns
        .into_iter()
        .zip(kept)
        // The chunks stay chunks: joining them would copy every column.
        .map(|(c, k)| c.unwrap_or_else(|| Builder::new(&k.name, &k.plan, 0).finish()))
        .collect();
    Ok(DataFrame::new(height, columns)?)
}
