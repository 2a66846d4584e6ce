//! Loading a declared source: finds its file(s) (a `*` in the file name
//! stacks every match), reads CSV and Parquet here and JSON, NDJSON and Excel
//! through their modules, trims header names, and hands the table to
//! `clean` for renames, types, dates, derived columns and filters.

use super::clean;
use super::convert::{Origins, RowLines};
use super::csv::{self, CsvOptions, Plan};
use super::parse::DateFormat;
use super::source::{Format, SourceKind, SourceSpec, Wanted};
use super::{excel, json};
use crate::error::{Error, Result};
use polars::prelude::{Column, DataFrame, DataType, ParquetReader, PlSmallStr, SerReader};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A source's table after cleaning, with where it came from.
#[derive(Clone, Debug)]
pub struct LoadedSource {
    pub frame: DataFrame,
    /// The files read, in stacking order.
    pub files: Vec<PathBuf>,
    /// Rows read from the files (after JSON arrays exploded).
    pub rows_read: usize,
    /// Rows left after the source's `filters`.
    pub rows_kept: usize,
    /// What the build should tell about reading it (e.g. lines padded).
    pub notes: Vec<String>,
    /// The filter that left no row, when the files had rows.
    pub emptied_by: Option<String>,
}

/// One file read: its kept columns, and every column name of its header.
struct FileTable {
    frame: DataFrame,
    header: Vec<String>,
    notes: Vec<String>,
    /// Data rows read (whatever columns were kept).
    rows: usize,
    /// How to find a row's line, for errors found after reading.
    lines: RowLines,
}

/// Reads and cleans one source, every column; paths are relative to
/// `data_dir`.
pub fn load_source(spec: &SourceSpec, data_dir: &Path) -> Result<LoadedSource> {
    load_columns(spec, data_dir, &Wanted::All)
}

/// Reads and cleans the `wanted` columns of one source (and those its own
/// `derive` and `filters` read).
pub fn load_columns(spec: &SourceSpec, data_dir: &Path, wanted: &Wanted) -> Result<LoadedSource> {
    let in_source = |e: Error| e.context(format!("source `{}`", spec.name));
    if spec.fetched.is_none() {
        inside_data_dir(spec, data_dir, None).map_err(in_source)?;
    }
    let format = detect_format(spec).map_err(in_source)?;
    check_settings(spec, format).map_err(in_source)?;
    let files = resolve_files(spec, data_dir).map_err(in_source)?;
    let wanted = with_own_expressions(spec, wanted);
    // Files are read in parallel; results keep the files' order, and the
    // first error in that order is the one reported.
    let read: Vec<Result<FileTable>> = files
        .par_iter()
        .map(|file| read_file(file, format, spec, &wanted).map_err(|e| at_file(e, file)))
        .collect();
    let mut frames = Vec::with_capacity(files.len());
    let mut origins = Origins::default();
    let mut header: Vec<String> = Vec::new();
    let mut notes = Vec::new();
    let mut first: Option<(&Path, Vec<String>)> = None;
    let mut rows_read = 0usize;
    for (file, result) in files.iter().zip(read) {
        let table = result.map_err(in_source)?;
        // JSON records may leave out fields; tabular files must agree.
        if !matches!(format, Format::Json | Format::Ndjson) {
            match &first {
                None => first = Some((file, table.header.clone())),
                Some((first_file, first_header)) => {
                    same_columns(first_file, first_header, file, &table.header)
                        .map_err(in_source)?
                }
            }
        }
        // Declared CSV values were parsed while reading, with their exact
        // lines; later errors (inferred columns, JSON types) find them here.
        origins.push_lines(file, table.rows, table.lines);
        rows_read += table.rows;
        for name in table.header {
            if !header.contains(&name) {
                header.push(name);
            }
        }
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        notes.extend(
            table
                .notes
                .into_iter()
                .map(|n| format!("{}: {n}", name.clone().unwrap_or_default())),
        );
        frames.push(table.frame);
    }
    let frame = stack_frames(frames).map_err(in_source)?;
    if rows_read == 0 {
        return Err(in_source(no_rows(&files, format)));
    }
    let frame = clean::prepare(
        frame,
        spec,
        &header,
        &origins,
        &wanted,
        format == Format::Csv,
    )
    .map_err(in_source)?;
    let (frame, emptied_by) = clean::filter_rows(frame, &spec.filters).map_err(in_source)?;
    Ok(LoadedSource {
        rows_kept: frame.height(),
        frame,
        files,
        rows_read,
        notes,
        emptied_by,
    })
}

/// An error on a file that is found but not a source's data file (its
/// setting, e.g. a `sheet` it lacks) is the setting's, whose line the
/// caller knows; every other error is the file's.
fn at_file(err: Error, file: &Path) -> Error {
    if err.setting_name().is_some() && err.path().is_none() {
        err
    } else {
        err.at(file)
    }
}

/// The error for a source whose files hold no data rows: a header alone
/// would give columns of nothing, and every query and analysis over them
/// would fail far from the file.
fn no_rows(files: &[PathBuf], format: Format) -> Error {
    let first = files.first().cloned().unwrap_or_default();
    let what = match format {
        Format::Csv => "has a header but no rows",
        Format::Json | Format::Ndjson => "holds no records",
        _ => "has no data rows",
    };
    let subject = match files {
        [one] => one.display().to_string(),
        many => format!(
            "none of the {} files has rows: {}",
            many.len(),
            first.display()
        ),
    };
    let err = Error::new(format!("{subject} {what}"))
        .at(&first)
        .hint("add the data rows to the file, or point `path` at the file that has them");
    match format {
        Format::Csv => err.line(1),
        _ => err,
    }
}

/// Stacked files must have the same columns (in any order): a file with
/// other columns would leave holes, or drop rows, without anyone noticing.
fn same_columns(
    first: &Path,
    first_header: &[String],
    file: &Path,
    header: &[String],
) -> Result<()> {
    let missing: Vec<&str> = first_header
        .iter()
        .filter(|c| !header.contains(c))
        .map(String::as_str)
        .collect();
    let extra: Vec<&str> = header
        .iter()
        .filter(|c| !first_header.contains(c))
        .map(String::as_str)
        .collect();
    if missing.is_empty() && extra.is_empty() {
        return Ok(());
    }
    let quote = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut differences = Vec::new();
    if !missing.is_empty() {
        differences.push(format!("it lacks {}", quote(&missing)));
    }
    if !extra.is_empty() {
        differences.push(format!("it has {} in addition", quote(&extra)));
    }
    Err(Error::new(format!(
        "stacked files have different columns: {} does not match {} ({})",
        file.display(),
        first.display(),
        differences.join("; ")
    ))
    .at(file)
    .line(1)
    .setting("path")
    .hint("files stacked by a `*` in `path` need the same header; fix the file, or give it a source of its own"))
}

/// `wanted` and the columns the source's own `derive` and `filters` read.
pub(crate) fn with_own_expressions(spec: &SourceSpec, wanted: &Wanted) -> Wanted {
    let texts = spec
        .derive
        .iter()
        .map(|d| d.expr.as_str())
        .chain(spec.filters.iter().map(String::as_str));
    let mut words = Vec::new();
    for text in texts {
        let (names, star) = super::sql::referenced_names(text);
        if star {
            return Wanted::All;
        }
        words.extend(names);
    }
    wanted.with(words.iter().map(String::as_str))
}

/// A header name with surrounding spaces (and a stray BOM) removed.
fn trim_name(name: &str) -> &str {
    name.trim_start_matches('\u{feff}').trim()
}

fn detect_format(spec: &SourceSpec) -> Result<Format> {
    if let Some(fetched) = &spec.fetched {
        return Ok(fetched.format);
    }
    if let Some(format) = spec.format {
        return Ok(format);
    }
    let ext = Path::new(&spec.path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => Ok(Format::Csv),
        "parquet" | "pq" => Ok(Format::Parquet),
        "json" => Ok(Format::Json),
        "ndjson" | "jsonl" => Ok(Format::Ndjson),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Ok(Format::Excel),
        _ => Err(Error::new(format!(
            "cannot tell the format of `{}` from its extension",
            spec.path
        ))
        .setting("path")
        .hint("set `format` to one of csv, parquet, json, ndjson, excel")),
    }
}

/// Settings that only make sense for another format are mistakes.
fn check_settings(spec: &SourceSpec, format: Format) -> Result<()> {
    let misplaced = [
        ("delimiter", spec.delimiter.is_some(), Format::Csv, "CSV"),
        ("sheet", spec.sheet.is_some(), Format::Excel, "Excel"),
        ("records", spec.records.is_some(), Format::Json, "JSON"),
        ("ragged", spec.ragged.is_some(), Format::Csv, "CSV"),
    ];
    for (setting, given, wanted, label) in misplaced {
        if given && format != wanted {
            return Err(Error::new(format!(
                "`{setting}` only applies to {label} sources, but `{}` is read as {format:?}",
                spec.path
            ))
            .setting(setting)
            .hint(format!(
                "remove `{setting}`, or set `format` if the file really is {label}"
            )));
        }
    }
    match spec.delimiter {
        Some(d) if !d.is_ascii() || d == '"' || d == '\n' => Err(Error::new(format!(
            "`delimiter = \"{d}\"` cannot separate CSV fields"
        ))
        .setting("delimiter")
        .hint("use a single ASCII character such as \",\", \";\", \"|\" or \"\\t\"")),
        _ => Ok(()),
    }
}

/// The file `path` names, or every match of a `*` pattern in name order.
/// The files a source reads, in stacking order (a `*` matches many).
pub fn resolve_files(spec: &SourceSpec, data_dir: &Path) -> Result<Vec<PathBuf>> {
    match (&spec.fetched, spec.kind()) {
        (Some(fetched), _) => return Ok(vec![fetched.file.clone()]),
        (None, SourceKind::File) => {}
        (None, _) => {
            return Err(Error::new(format!(
                "source `{}` reads a database or a loader, whose data has not been fetched",
                spec.name
            ))
            .hint("build the portal with `wawasan build`, which fetches it first"));
        }
    }
    inside_data_dir(spec, data_dir, None)?;
    let files = find_files(spec, data_dir)?;
    for file in &files {
        inside_data_dir(spec, data_dir, Some(file))?;
    }
    Ok(files)
}

/// A source reads only below the data folder: no absolute path, no `..`,
/// no symbolic link that leads out (a portal built in CI must not publish
/// files of the machine).
/// Checked on the setting itself (`file` None), then on each file found.
fn inside_data_dir(spec: &SourceSpec, data_dir: &Path, file: Option<&Path>) -> Result<()> {
    let outside = |why: String| {
        Error::new(format!("`path = \"{}\"` {why}", spec.path))
            .setting("path")
            .hint(format!(
                "sources read files inside the data folder {}; copy the file there and give its path relative to it",
                data_dir.display()
            ))
    };
    let given = Path::new(&spec.path);
    if given.has_root() || given.is_absolute() {
        return Err(outside("is an absolute path".into()));
    }
    if given
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(outside("leaves the data folder with `..`".into()));
    }
    let Some(file) = file else {
        return Ok(());
    };
    let resolved = |p: &Path| std::fs::canonicalize(p).map_err(|e| Error::io("resolve", p, e));
    let root = resolved(data_dir)?;
    let real = resolved(file)?;
    if !real.starts_with(&root) {
        return Err(outside(format!(
            "leads outside the data folder through a symbolic link ({} is {})",
            file.display(),
            real.display()
        )));
    }
    Ok(())
}

/// The file `path` names, or every match of a `*` pattern in name order.
fn find_files(spec: &SourceSpec, data_dir: &Path) -> Result<Vec<PathBuf>> {
    let full = std::path::absolute(data_dir.join(&spec.path))
        .unwrap_or_else(|_| data_dir.join(&spec.path));
    let pattern = full
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_owned();
    let dir = full.parent().map(Path::to_path_buf).unwrap_or_default();
    let setting_hint = format!(
        "check `path = \"{}\"`; it is relative to the data directory {}",
        spec.path,
        data_dir.display()
    );
    if !pattern.contains('*') {
        if full.is_file() {
            return Ok(vec![full]);
        }
        let what = if full.exists() {
            "is not a file"
        } else {
            "does not exist"
        };
        return Err(Error::new(format!("data file {} {what}", full.display()))
            .setting("path")
            .hint(setting_hint));
    }
    if dir.to_string_lossy().contains('*') {
        return Err(Error::new(format!(
            "`path = \"{}\"` has a `*` in a folder name",
            spec.path
        ))
        .setting("path")
        .hint("only the file name may contain `*`, e.g. `invoices/page_*.json`"));
    }
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        Error::new(format!(
            "cannot list the folder {} for `{pattern}`",
            dir.display()
        ))
        .caused_by(e)
        .hint(setting_hint.clone())
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| wanted_match(n, &pattern))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(
            Error::new(format!("no file matches `{pattern}` in {}", dir.display()))
                .setting("path")
                .hint(setting_hint),
        );
    }
    Ok(files)
}

/// A glob match that skips hidden and office lock files (`.x`, `~$x`)
/// unless the pattern itself starts that way.
fn wanted_match(name: &str, pattern: &str) -> bool {
    let hidden = |s: &str| s.starts_with('.') || s.starts_with("~$");
    (!hidden(name) || hidden(pattern)) && glob_match(name.as_bytes(), pattern.as_bytes())
}

/// `*` matches any run of characters; everything else matches itself.
/// Linear backtracking to the last `*`, so no pattern can blow up.
fn glob_match(name: &[u8], pattern: &[u8]) -> bool {
    let (mut n, mut p) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                last_star = Some((p + 1, n));
                p += 1;
            }
            Some(c) if *c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match last_star {
                Some((after_star, from)) => {
                    last_star = Some((after_star, from + 1));
                    (p, n) = (after_star, from + 1);
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

/// One file as a table of the wanted columns, with trimmed names.
fn read_file(path: &Path, format: Format, spec: &SourceSpec, wanted: &Wanted) -> Result<FileTable> {
    let table = match format {
        Format::Csv => read_csv(path, spec, wanted)?,
        other => {
            let (frame, lines) = match other {
                Format::Parquet => (read_parquet(path)?, RowLines::Unknown),
                Format::Json => {
                    let table = json::read_json_table(path, spec.records.as_deref())?;
                    (table.frame, RowLines::Listed(table.lines))
                }
                Format::Ndjson => {
                    let table = json::read_ndjson_table(path)?;
                    (table.frame, RowLines::Listed(table.lines))
                }
                _ => (
                    excel::read_excel(path, spec.sheet.as_deref())?,
                    RowLines::Unknown,
                ),
            };
            let header: Vec<String> = frame
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect();
            let kept: Vec<String> = header
                .iter()
                .filter(|raw| wanted.keeps(renamed(spec, trim_name(raw))))
                .cloned()
                .collect();
            FileTable {
                rows: frame.height(),
                frame: frame.select(kept)?,
                header,
                notes: Vec::new(),
                lines,
            }
        }
    };
    trim_headers(table)
}

/// A column's name after the source's `rename`.
fn renamed<'a>(spec: &'a SourceSpec, trimmed: &'a str) -> &'a str {
    spec.rename.get(trimmed).map_or(trimmed, String::as_str)
}

/// Reads the wanted CSV columns, parsing those `types` and `dates` declare
/// (undeclared text columns are typed later, over the whole file).
fn read_csv(path: &Path, spec: &SourceSpec, wanted: &Wanted) -> Result<FileTable> {
    let tsv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let delimiter = spec.delimiter.unwrap_or(if tsv { '\t' } else { ',' }) as u8;
    let keep = |raw: &str| wanted.keeps(renamed(spec, trim_name(raw)));
    let plan = |raw: &str| {
        let name = renamed(spec, trim_name(raw));
        let plan = if let Some(ty) = spec.types.get(name) {
            Plan::Typed(*ty)
        } else if let Some(setting) = spec.dates.get(name) {
            // An unknown format is reported with the other settings.
            match DateFormat::from_setting(setting) {
                Ok(format) => Plan::Date {
                    format,
                    setting: setting.clone(),
                },
                Err(_) => Plan::Text,
            }
        } else {
            Plan::Text
        };
        (plan, name.to_string())
    };
    let ragged = spec.ragged.unwrap_or_default();
    let table = csv::read_csv(
        path,
        &CsvOptions {
            delimiter,
            keep: &keep,
            plan: &plan,
            ragged,
        },
    )?;
    Ok(FileTable {
        rows: table.frame.height(),
        frame: table.frame,
        header: table.header,
        notes: table.notes,
        lines: RowLines::Csv {
            delimiter,
            skip_ragged: ragged == csv::Ragged::Skip,
        },
    })
}

fn read_parquet(path: &Path) -> Result<DataFrame> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| {
            Error::new("cannot read the Parquet file")
                .caused_by(e)
                .hint("the file is damaged or not Parquet: export it again, or set `format` to what it is")
        })
}

/// Header names with surrounding spaces (and a stray BOM) removed; two
/// columns with one name are an error.
fn trim_headers(mut table: FileTable) -> Result<FileTable> {
    let header: Vec<String> = table
        .header
        .iter()
        .map(|n| trim_name(n).to_owned())
        .collect();
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = header.iter().find(|n| !seen.insert(n.as_str())) {
        return Err(Error::new(format!(
            "two columns are named `{dup}` (after trimming spaces)"
        ))
        .hint("rename one of them in the file's header row"));
    }
    let names: Vec<String> = table
        .frame
        .get_column_names()
        .iter()
        .map(|n| trim_name(n).to_owned())
        .collect();
    table.frame.set_column_names(&names)?;
    table.header = header;
    Ok(table)
}

/// Stacks tables; a column missing from a file is null there, and columns
/// whose types differ between files take their common type (else text).
fn stack_frames(frames: Vec<DataFrame>) -> Result<DataFrame> {
    if frames.len() <= 1 {
        return Ok(frames.into_iter().next().unwrap_or_default());
    }
    let mut names: Vec<PlSmallStr> = Vec::new();
    let mut dtypes: Vec<DataType> = Vec::new();
    for col in frames.iter().flat_map(|f| f.columns()) {
        match names.iter().position(|n| n == col.name()) {
            Some(i) => dtypes[i] = common_type(&dtypes[i], col.dtype()),
            None => {
                names.push(col.name().clone());
                dtypes.push(col.dtype().clone());
            }
        }
    }
    let mut stacked: Option<DataFrame> = None;
    for frame in frames {
        let height = frame.height();
        let columns = names
            .iter()
            .zip(&dtypes)
            .map(|(name, dtype)| match frame.column(name) {
                Ok(c) => c.cast(dtype),
                Err(_) => Ok(Column::full_null(name.clone(), height, dtype)),
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let aligned = DataFrame::new(height, columns)?;
        match stacked.as_mut() {
            None => stacked = Some(aligned),
            Some(s) => {
                s.vstack_mut_owned(aligned)?;
            }
        }
    }
    let mut out = stacked.unwrap_or_default();
    out.rechunk_mut();
    Ok(out)
}

/// The type two files' versions of a column share: numbers widen to
/// `Int64`/`Float64`, dates to datetimes, a null column takes the other
/// type, and any other mix becomes text.
fn common_type(a: &DataType, b: &DataType) -> DataType {
    match (a, b) {
        _ if a == b => a.clone(),
        (DataType::Null, other) | (other, DataType::Null) => other.clone(),
        _ if a.is_integer() && b.is_integer() => DataType::Int64,
        _ if a.is_primitive_numeric() && b.is_primitive_numeric() => DataType::Float64,
        (DataType::Date, DataType::Datetime(..)) => b.clone(),
        (DataType::Datetime(..), DataType::Date) => a.clone(),
        _ => DataType::String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{ParquetWriter, df};

    fn spec(path: &str, extra: &str) -> SourceSpec {
        toml::from_str(&format!("name = \"t\"\npath = \"{path}\"\n{extra}")).unwrap()
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    fn strings(df: &DataFrame, name: &str) -> Vec<Option<String>> {
        crate::data::columns::keys(df, name, "test").unwrap()
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn csv_with_bom_spaced_header_quotes_and_crlf() {
        let dir = tempfile::tempdir().unwrap();
        let text = "\u{feff}index,Sales Channel ,Qty,Amount,B2B,Note\r\n\
                    0,Amazon.in,1,449.00,False,plain\r\n\
                    1,Amazon.in,2,,True,\"has, comma\"\r\n\
                    2,Non-Amazon,1,329,False,\"say \"\"hi\"\"\"\r\n";
        write(dir.path(), "sales.csv", text.as_bytes());
        let loaded = load_source(&spec("sales.csv", ""), dir.path()).unwrap();
        let df = &loaded.frame;
        let names: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            ["index", "Sales Channel", "Qty", "Amount", "B2B", "Note"]
        );
        assert_eq!(df.column("index").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("Amount").unwrap().dtype(), &DataType::Float64);
        assert_eq!(df.column("B2B").unwrap().dtype(), &DataType::Boolean);
        assert_eq!(strings(df, "Amount"), [s("449.0"), None, s("329.0")]);
        assert_eq!(
            strings(df, "Note"),
            [s("plain"), s("has, comma"), s("say \"hi\"")]
        );
        assert_eq!((loaded.rows_read, loaded.rows_kept), (3, 3));
    }

    #[test]
    fn custom_delimiter_multiline_fields_and_ragged_lines() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "notes.csv",
            b"id;note\n1;\"two\nlines\"\n2;x;y\n",
        );
        let err = load_source(&spec("notes.csv", "delimiter = \";\""), dir.path()).unwrap_err();
        // The ragged row starts on line 4, after the two-line field.
        assert_eq!(err.line_number(), Some(4));
        let text = err.to_string();
        assert!(
            text.contains("this line has 3 fields, but the header has 2: `2;x;y`"),
            "{text}"
        );
        assert!(text.contains("ragged = \"pad\""), "{text}");
        for (setting, rows, note) in [("pad", 2, "padded"), ("skip", 1, "skipped")] {
            let extra = format!("delimiter = \";\"\nragged = \"{setting}\"");
            let loaded = load_source(&spec("notes.csv", &extra), dir.path()).unwrap();
            assert_eq!(loaded.frame.height(), rows);
            assert_eq!(loaded.notes.len(), 1);
            assert!(
                loaded.notes[0].starts_with("notes.csv: 1 lines"),
                "{:?}",
                loaded.notes
            );
            assert!(loaded.notes[0].contains(note), "{:?}", loaded.notes);
        }
        write(
            dir.path(),
            "notes.csv",
            b"id;note\n1;\"two\nlines\"\nx;plain\n",
        );
        let extra = "delimiter = \";\"\n[types]\nid = \"int\"";
        let err = load_source(&spec("notes.csv", extra), dir.path()).unwrap_err();
        // A multi-line field shifts lines; the reader still knows them.
        assert_eq!(err.line_number(), Some(4));
        assert!(
            err.to_string().contains("`x` in column `id` (row 2)"),
            "{err}"
        );
        let loaded = load_source(&spec("notes.csv", "delimiter = \";\""), dir.path()).unwrap();
        assert_eq!(
            strings(&loaded.frame, "note"),
            [s("two\nlines"), s("plain")]
        );
    }

    #[test]
    fn unterminated_quotes_name_their_line_and_show_little() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("a,b\n1,x\n2,\"open\n");
        for i in 0..10_000 {
            text.push_str(&format!("{i},filler text that must not be printed\n"));
        }
        write(dir.path(), "open.csv", text.as_bytes());
        let err = load_source(&spec("open.csv", ""), dir.path()).unwrap_err();
        assert_eq!(err.line_number(), Some(3));
        let message = err.to_string();
        assert!(message.contains("never closed: `2,\"open`"), "{message}");
        assert!(message.len() < 600, "{message}");
    }

    #[test]
    fn only_the_wanted_columns_are_read_but_every_setting_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "t.csv",
            b"Keep,Other,Bad,Used\n1,x,not money,2\n3,y,also not,4\n",
        );
        let extra = "derive = [{ name = \"twice\", expr = \"Used * 2\" }]\n\
                     [rename]\nKeep = \"kept\"\n[types]\nBad = \"money\"";
        let wanted = Wanted::named(["KEPT"]);
        let loaded = load_columns(&spec("t.csv", extra), dir.path(), &wanted).unwrap();
        let names: Vec<&str> = loaded
            .frame
            .get_column_names()
            .iter()
            .map(|c| c.as_str())
            .collect();
        // `Bad` is never parsed, so its text is no error; `Used` is read
        // for the derived column.
        assert_eq!(names, ["kept", "Used", "twice"]);
        let typo = "[types]\nBda = \"money\"";
        let err = load_columns(&spec("t.csv", typo), dir.path(), &wanted).unwrap_err();
        assert!(
            err.to_string()
                .contains("column `Bda` named in `types` does not exist"),
            "{err}"
        );
        assert!(
            err.to_string().contains("`Keep`, `Other`, `Bad`, `Used`"),
            "{err}"
        );
    }

    #[test]
    fn numbers_then_text_late_in_the_file_stay_text() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("code,qty\n");
        for i in 0..300 {
            text.push_str(&format!("{i},{i}\n"));
        }
        text.push_str("A-17,5\n");
        write(dir.path(), "codes.csv", text.as_bytes());
        let loaded = load_source(&spec("codes.csv", ""), dir.path()).unwrap();
        assert_eq!(
            loaded.frame.column("code").unwrap().dtype(),
            &DataType::String
        );
        assert_eq!(
            loaded.frame.column("qty").unwrap().dtype(),
            &DataType::Int64
        );
        assert_eq!(strings(&loaded.frame, "code")[300], s("A-17"));
    }

    #[test]
    fn bad_date_reports_the_csv_line() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "sales.csv",
            b"Date,Qty\n04-30-22,1\n05-01-22,2\n31-05-22,3\n",
        );
        let extra = "[dates]\nDate = \"MM-DD-YY\"";
        let err = load_source(&spec("sales.csv", extra), dir.path()).unwrap_err();
        // Third data row, fourth line of the file.
        assert_eq!(err.line_number(), Some(4));
        assert!(err.path().unwrap().ends_with("sales.csv"));
        let text = err.to_string();
        assert!(
            text.contains("source `t`: cannot read `31-05-22` in column `Date` (row 3)"),
            "{text}"
        );
    }

    #[test]
    fn errors_found_after_reading_name_the_data_line() {
        let dir = tempfile::tempdir().unwrap();
        // An inferred number column with NaN: line 4 (a blank line and
        // a skipped ragged line are no rows, but count as lines).
        write(
            dir.path(),
            "q.csv",
            b"id,qty\n1,2\n\n2,3,extra\n3,NaN\n4,5\n",
        );
        let err = load_source(&spec("q.csv", "ragged = \"skip\""), dir.path()).unwrap_err();
        assert_eq!(err.line_number(), Some(5), "{err}");
        assert!(err.path().unwrap().ends_with("q.csv"));
        assert!(
            err.message()
                .contains("cannot read `NaN` in column `qty` (row 2)"),
            "{err}"
        );
        // A declared float takes no NaN either.
        let err = load_source(
            &spec("q.csv", "ragged = \"skip\"\n[types]\nqty = \"float\""),
            dir.path(),
        )
        .unwrap_err();
        assert_eq!(err.line_number(), Some(5), "{err}");
        // A column of text with a NaN among words stays text.
        write(dir.path(), "t.csv", b"id,note\n1,NaN\n2,fine\n");
        load_source(&spec("t.csv", ""), dir.path()).unwrap();
        // A JSON record's bad value: the line of its record.
        write(
            dir.path(),
            "b.json",
            b"[\n {\"b\": \"yes\"},\n {\"b\": \"maybe\"}\n]",
        );
        let err = load_source(&spec("b.json", "[types]\nb = \"bool\""), dir.path()).unwrap_err();
        assert_eq!(err.line_number(), Some(3), "{err}");
        assert!(err.path().unwrap().ends_with("b.json"));
    }

    #[test]
    fn a_header_without_rows_and_a_missing_column_are_at_the_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "h.csv", b"a,b\n");
        let err = load_source(&spec("h.csv", ""), dir.path()).unwrap_err();
        assert_eq!(err.line_number(), Some(1));
        assert!(err.path().unwrap().ends_with("h.csv"));
        assert!(
            err.message().contains("h.csv has a header but no rows"),
            "{err}"
        );
        write(dir.path(), "e.json", b"[]");
        let err = load_source(&spec("e.json", ""), dir.path()).unwrap_err();
        assert!(err.message().contains("e.json holds no records"), "{err}");
        // One empty file among stacked ones is fine.
        write(dir.path(), "p_1.csv", b"a,b\n1,2\n");
        write(dir.path(), "p_2.csv", b"a,b\n");
        assert_eq!(
            load_source(&spec("p_*.csv", ""), dir.path())
                .unwrap()
                .rows_read,
            1
        );
        write(dir.path(), "p_1.csv", b"a,b\n");
        let err = load_source(&spec("p_*.csv", ""), dir.path()).unwrap_err();
        assert!(
            err.message().contains("none of the 2 files has rows"),
            "{err}"
        );
        // A column `types` names and the report reads, but the file lacks:
        // the file's header is at fault.
        write(dir.path(), "m.csv", b"a,b\n1,2\n");
        let typed = spec("m.csv", "[types]\nc = \"int\"");
        let err = load_columns(&typed, dir.path(), &Wanted::named(["a", "C"])).unwrap_err();
        assert!(err.path().unwrap().ends_with("m.csv"), "{err}");
        assert_eq!(err.line_number(), Some(1));
        assert_eq!(err.setting_name(), Some("types"));
        assert!(err.message().contains("the data file lacks it"), "{err}");
        // Named only in `types` (or every column read): the setting is.
        for wanted in [Wanted::named(["a"]), Wanted::All] {
            let err = load_columns(&typed, dir.path(), &wanted).unwrap_err();
            assert_eq!((err.path(), err.setting_name()), (None, Some("types")));
        }
    }

    #[test]
    fn a_sheet_or_records_path_the_file_lacks_is_the_settings_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "r.json", b"{\"rows\": [{\"a\": 1}]}");
        let err = load_source(&spec("r.json", "records = \"data\""), dir.path()).unwrap_err();
        assert_eq!((err.setting_name(), err.path()), (Some("records"), None));
        assert!(
            err.message().contains("r.json has no field `data`"),
            "{err}"
        );
    }

    #[test]
    fn missing_file_names_full_path_and_setting() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_source(&spec("sub/nope.csv", ""), dir.path())
            .unwrap_err()
            .to_string();
        let full = dir.path().join("sub/nope.csv");
        assert!(
            err.contains(&format!("data file {} does not exist", full.display())),
            "{err}"
        );
        assert!(err.contains("`path = \"sub/nope.csv\"`"), "{err}");
    }

    #[test]
    fn non_utf8_csv_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "latin.csv", b"city\nS\xe3o Paulo\n");
        let err = load_source(&spec("latin.csv", ""), dir.path()).unwrap_err();
        assert_eq!(err.line_number(), Some(2));
        assert!(err.path().unwrap().ends_with("latin.csv"));
        let text = err.to_string();
        assert!(text.contains("the file is not UTF-8 text"), "{text}");
    }

    #[test]
    fn glob_stacks_matches_in_name_order_and_refuses_other_columns() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "part_2.csv", b"c,a\n,3\n");
        write(dir.path(), "part_1.csv", b"a,c\n1,1.5\n2,2.5\n");
        write(dir.path(), "other.csv", b"z\n9\n");
        write(dir.path(), ".part_3.csv", b"a\n99\n");
        let loaded = load_source(&spec("part_*.csv", "filters = [\"a > 1\"]"), dir.path()).unwrap();
        let names: Vec<&str> = loaded
            .files
            .iter()
            .map(|f| f.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["part_1.csv", "part_2.csv"]);
        assert_eq!((loaded.rows_read, loaded.rows_kept), (3, 2));
        let df = &loaded.frame;
        assert_eq!(strings(df, "a"), [s("2"), s("3")]);
        assert_eq!(strings(df, "c"), [s("2.5"), None]);
        // A file with other columns would leave holes unnoticed.
        write(dir.path(), "part_3.csv", b"a,b\n4,x\n");
        let err = load_source(&spec("part_*.csv", ""), dir.path()).unwrap_err();
        assert!(
            err.message().contains("part_3.csv does not match")
                && err
                    .message()
                    .contains("it lacks `c`; it has `b` in addition"),
            "{err}"
        );
        assert!(err.path().unwrap().ends_with("part_3.csv"), "{err}");
        let err = load_source(&spec("x_*.csv", ""), dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no file matches `x_*.csv` in"), "{err}");
    }

    #[test]
    fn parquet_keeps_its_types_and_takes_cleaning() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = df!("id" => [1i64, 2, 3], "amount" => ["$1", "$2,000", ""]).unwrap();
        let file = std::fs::File::create(dir.path().join("t.parquet")).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
        let loaded = load_source(
            &spec("t.parquet", "[types]\namount = \"money\""),
            dir.path(),
        )
        .unwrap();
        assert_eq!(strings(&loaded.frame, "id"), [s("1"), s("2"), s("3")]);
        assert_eq!(
            strings(&loaded.frame, "amount"),
            [s("1.0"), s("2000.0"), None]
        );
    }

    #[test]
    fn json_and_ndjson_dispatch_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.jsonl",
            b"{\"x\": 1}\n\n{\"x\": 2, \"y\": \"b\"}\n",
        );
        let loaded = load_source(&spec("a.jsonl", ""), dir.path()).unwrap();
        assert_eq!(strings(&loaded.frame, "y"), [None, s("b")]);
        write(dir.path(), "a.json", b"{\"d\": [{\"x\": 1}]}");
        let loaded = load_source(&spec("a.json", ""), dir.path()).unwrap();
        assert_eq!(strings(&loaded.frame, "x"), [s("1")]);
    }

    #[test]
    fn settings_for_another_format_and_unknown_extensions_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.csv", b"x\n1\n");
        let err = load_source(&spec("a.csv", "sheet = \"S\""), dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`sheet` only applies to Excel sources"),
            "{err}"
        );
        let err = load_source(&spec("a.dat", ""), dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot tell the format of `a.dat`"), "{err}");
    }

    #[test]
    fn glob_patterns() {
        assert!(glob_match(b"part_1.csv", b"part_*.csv"));
        assert!(glob_match(b"a.csv", b"*"));
        assert!(!glob_match(b"part_1.csv.bak", b"part_*.csv"));
        assert!(glob_match(b"a_b_c.csv", b"a*c*.csv"));
        assert!(!glob_match(b"abc", b"a*d"));
        let long = [b'a'; 200];
        assert!(!glob_match(&long, b"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"));
        assert!(wanted_match("~$book.xlsx", "~$*.xlsx"));
        assert!(!wanted_match("~$book.xlsx", "*.xlsx"));
    }

    #[test]
    fn json_pages_read_in_parallel_stack_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        // Enough pages to be spread over threads; later pages add columns.
        for page in 1..=40 {
            let extra = match page {
                7 => r#", "note": "late""#,
                20 => r#", "flag": true"#,
                _ => "",
            };
            let text = format!(
                r#"{{"d": [{{"number": "SI-{page}", "items": [{{"q": {page}}}, {{"q": 1}}]{extra}}}]}}"#
            );
            write(dir.path(), &format!("page_{page:02}.json"), text.as_bytes());
        }
        let loaded = load_source(&spec("page_*.json", "records = \"d\""), dir.path()).unwrap();
        let df = &loaded.frame;
        let names: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
        assert_eq!(names, ["number", "items.q", "note", "flag"]);
        assert_eq!(df.height(), 80);
        let numbers = strings(df, "number");
        assert_eq!(
            (numbers[0].clone(), numbers[79].clone()),
            (s("SI-1"), s("SI-40"))
        );
        let notes = strings(df, "note");
        assert_eq!(notes.iter().flatten().count(), 2);
        assert_eq!((notes[12].clone(), notes[11].clone()), (s("late"), None));
        assert_eq!(df.column("flag").unwrap().dtype(), &DataType::Boolean);
        assert_eq!(strings(df, "flag")[38], s("true"));
        assert_eq!(strings(df, "flag")[0], None);
        // A broken page is named, and the first broken one in name order wins.
        write(dir.path(), "page_31.json", b"{\"d\": [");
        write(dir.path(), "page_09.json", b"{\"d\": [1]}");
        let err = load_source(&spec("page_*.json", "records = \"d\""), dir.path()).unwrap_err();
        assert!(err.path().unwrap().ends_with("page_09.json"), "{err}");
        assert!(
            err.to_string().contains("record 1 is not a JSON object"),
            "{err}"
        );
    }
}
