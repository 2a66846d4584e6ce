//! The front-matter schema of a data source: where a table comes from and how
//! it is cleaned. Declared by analysts, never coded per report.

use super::csv::Ragged;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One `[[sources]]` entry of a report's front matter.
///
/// Cleaning runs in this order: header names are trimmed (and a BOM
/// dropped), `rename` applies, then `types` and `dates` convert columns,
/// `derive` adds columns, and last `filters` keep the matching rows.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Table name used by analyses, SQL queries and charts.
    pub name: String,
    /// File path relative to the data directory. A `*` in the file name
    /// reads every matching file (in name order) and stacks them. A source
    /// names exactly one of `path`, `database` or `command`.
    #[serde(default)]
    pub path: String,
    /// A connection declared under `[databases.NAME]` in
    /// `content/_index.md`; with `query` or `table`.
    #[serde(default)]
    pub database: Option<String>,
    /// With `database`: the SQL whose result is the table.
    #[serde(default)]
    pub query: Option<String>,
    /// With `database`: a table or view, `name` or `schema.name`.
    #[serde(default)]
    pub table: Option<String>,
    /// A data loader: a program and its arguments, run in the portal root,
    /// e.g. `["python3", "loaders/invoices.py"]`. It prints the data on
    /// stdout, or writes the file named by `output`.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// With `command`: the file (relative to the portal root) the loader
    /// writes instead of printing; its extension gives the format.
    #[serde(default)]
    pub output: Option<String>,
    /// With `command`: how long the loader may run, e.g. `"90s"`, `"10m"`
    /// (default 10 minutes).
    #[serde(default)]
    pub timeout: Option<String>,
    /// A database or loader source: how old fetched data may be and still
    /// be used, e.g. `"6h"`, `"30m"`, `"2d"`. Without it every build
    /// fetches afresh (once per process: `serve` refetches only when the
    /// source's settings change); `build --refresh` ignores it.
    #[serde(default)]
    pub max_age: Option<String>,
    /// File format; inferred from the extension when absent.
    #[serde(default)]
    pub format: Option<Format>,
    /// CSV field delimiter (default `,`).
    #[serde(default)]
    pub delimiter: Option<char>,
    /// CSV: what to do with a line whose number of fields is not the
    /// header's — `error` (default), `pad` or `skip`.
    #[serde(default)]
    pub ragged: Option<Ragged>,
    /// Excel sheet name (default: the first sheet).
    #[serde(default)]
    pub sheet: Option<String>,
    /// JSON: dotted path to the array of records inside each document, or
    /// `.` for the document itself (default: the document when it is an
    /// array, else its single array-valued field, else the document as one
    /// record). Nested objects become `parent.child` columns; one array of
    /// objects per level becomes one row per element.
    #[serde(default)]
    pub records: Option<String>,
    /// Column renames, `old = "new"`, applied to the trimmed header names.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// Column types by (renamed) column name. Undeclared CSV columns are
    /// typed over the whole file: all true/false → bool, whole numbers
    /// without leading zeros → int, other numbers → float, else text.
    #[serde(default)]
    pub types: BTreeMap<String, ColumnType>,
    /// Date columns and their formats: `MM-DD-YY`, `DD-Mon-YY`, `dd/mm/yyyy`,
    /// `YYYY-MM-DD`, `iso` (timestamps with `UTC`, `Z` or `+00:00`), or a
    /// chrono `%` pattern.
    #[serde(default)]
    pub dates: BTreeMap<String, String>,
    /// Derived columns, computed in order from SQL expressions.
    #[serde(default)]
    pub derive: Vec<DeriveSpec>,
    /// Row filters as SQL boolean expressions; a row is kept when all hold,
    /// e.g. `"Status <> 'Cancelled'"`.
    #[serde(default)]
    pub filters: Vec<String>,
    /// Where a database or loader source's data was fetched to, set by the
    /// build before the source is read (never written in front matter).
    #[serde(skip)]
    pub fetched: Option<Fetched>,
}

/// A fetched copy of a database or loader source's data: a file of the
/// fetch cache, read like a data file, and the key it was fetched under
/// (which the results cache hashes instead of a machine path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub file: std::path::PathBuf,
    pub format: Format,
    pub key: String,
}

/// Where a source's data comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    File,
    Database,
    Command,
}

impl SourceSpec {
    /// Where the data comes from, by which of `path`, `database` and
    /// `command` is set (checked when the report is loaded).
    pub fn kind(&self) -> SourceKind {
        if self.database.is_some() {
            SourceKind::Database
        } else if self.command.is_some() {
            SourceKind::Command
        } else {
            SourceKind::File
        }
    }
}

/// A derived column: `{ name = "unit_price", expr = "Amount / Qty" }`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeriveSpec {
    pub name: String,
    pub expr: String,
}

/// Supported input formats.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Parquet,
    Json,
    Ndjson,
    Excel,
}

/// Declared column types. `money` parses currency text such as `$5,320 `,
/// `Rp 1.234.567`, `1.234,56` or `-$12.50` into a float; `bool` accepts
/// True/False, yes/no, ya/tidak, 1/0 in any case. Blank cells become null.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Int,
    Float,
    Money,
    String,
    Bool,
}

/// Which columns of a source a report reads: every column, or those whose
/// name (after `rename`, in any letter case) is among some words — the
/// words of the report's analysis settings, SQL and expressions, a superset
/// of the columns they use. A column nobody reads is never parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Wanted {
    #[default]
    All,
    Named(BTreeSet<String>),
}

impl Wanted {
    /// Keep the columns named by `words` (lowercased here).
    pub fn named<'a>(words: impl IntoIterator<Item = &'a str>) -> Self {
        Wanted::Named(words.into_iter().map(str::to_lowercase).collect())
    }

    /// Whether the column `name` (after `rename`) is read.
    pub fn keeps(&self, name: &str) -> bool {
        match self {
            Wanted::All => true,
            Wanted::Named(words) => words.contains(&name.to_lowercase()),
        }
    }

    /// Whether the column `name` is read because something names it (not
    /// merely because every column is).
    pub fn names(&self, name: &str) -> bool {
        matches!(self, Wanted::Named(words) if words.contains(&name.to_lowercase()))
    }

    /// These columns and those named by `words`.
    pub fn with<'a>(&self, words: impl IntoIterator<Item = &'a str>) -> Self {
        match self {
            Wanted::All => Wanted::All,
            Wanted::Named(own) => {
                let mut all = own.clone();
                all.extend(words.into_iter().map(str::to_lowercase));
                Wanted::Named(all)
            }
        }
    }
}
