//! Each report's exported tables as one Excel workbook: one sheet per table,
//! within Excel's limits — a sheet name of at most 31 characters without
//! `[]:*?/\`, unique; at most 32,767 characters in a cell; rows split over
//! further sheets beyond 1,048,576 — and within a size that opens quickly:
//! a table longer than `MAX_TABLE_ROWS` keeps its first rows (its CSV has
//! them all). Whatever was cut is said on a first sheet, `notes`. Text
//! cells are written as text, never as formulas. The creation date is fixed
//! so that the same tables give the same bytes.

use crate::error::{Error, Result};
use crate::table::Table;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Data rows per sheet: Excel's 1,048,576 rows less the header.
const SHEET_ROWS: usize = 1_048_575;
/// Rows of one table in the workbook; longer tables are cut (see the notes
/// sheet), their CSV download has every row.
pub const MAX_TABLE_ROWS: usize = 100_000;
/// Excel's limit on the characters of one cell.
const CELL_CHARS: usize = 32_767;

/// A table for the workbook: its first rows (all of them, or at least the
/// first `MAX_TABLE_ROWS`) and how many rows it has in all.
pub struct Sheet {
    pub name: String,
    pub head: Arc<Table>,
    pub rows: usize,
}

impl Sheet {
    /// A sheet of the whole of `table`.
    pub fn whole(name: &str, table: Arc<Table>) -> Sheet {
        Sheet {
            name: name.to_string(),
            rows: table.len(),
            head: table,
        }
    }
}

/// The workbook bytes for `tables` (in the given order).
pub fn workbook(tables: &[Sheet]) -> Result<Vec<u8>> {
    build(tables, MAX_TABLE_ROWS, SHEET_ROWS).map_err(|e| {
        Error::new("cannot build the Excel workbook")
            .caused_by(e)
            .hint("this is a bug in wawasan: please report it with the report's tables")
    })
}

fn build(
    tables: &[Sheet],
    max_rows: usize,
    sheet_rows: usize,
) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // The fastest compression: a workbook of 100,000-row sheets is written
    // about three times faster, and a little larger.
    book.set_zip_compression_level(1);
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
    let bold = Format::new().set_bold();
    let notes = notes(tables, max_rows);
    let mut names = BTreeSet::new();
    if !notes.is_empty() {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name("notes", &mut names))?;
        sheet.write_string_with_format(0, 0, "note", &bold)?;
        for (r, note) in notes.iter().enumerate() {
            sheet.write_string(r as u32 + 1, 0, note)?;
        }
    }
    for Sheet {
        name, head: table, ..
    } in tables
    {
        let kept = table.len().min(max_rows);
        // At least one sheet, also for an empty table.
        let parts = kept.div_ceil(sheet_rows).max(1);
        for part in 0..parts {
            let title = match part {
                0 => name.clone(),
                n => format!("{name} ({})", n + 1),
            };
            let sheet = book.add_worksheet();
            sheet.set_name(sheet_name(&title, &mut names))?;
            let rows =
                &table.rows[(part * sheet_rows).min(kept)..((part + 1) * sheet_rows).min(kept)];
            write_sheet(sheet, &table.columns, rows, &bold)?;
        }
    }
    book.save_to_buffer()
}

/// Text cells are never formulas in the workbook; those that would read as
/// one when edited or saved as CSV also carry Excel's quote prefix, so they
/// stay text there too.
fn write_sheet(
    sheet: &mut Worksheet,
    columns: &[String],
    rows: &[Vec<Value>],
    bold: &Format,
) -> std::result::Result<(), XlsxError> {
    let quoted = Format::new().set_quote_prefix();
    let quoted_bold = bold.clone().set_quote_prefix();
    let text = |sheet: &mut Worksheet, r: u32, c: u16, s: &str, header: bool| {
        let format = match (crate::table::looks_like_formula(s), header) {
            (true, true) => &quoted_bold,
            (true, false) => &quoted,
            (false, true) => bold,
            (false, false) => return sheet.write_string(r, c, fit_cell(s)).map(|_| ()),
        };
        sheet
            .write_string_with_format(r, c, fit_cell(s), format)
            .map(|_| ())
    };
    for (c, column) in columns.iter().enumerate() {
        text(sheet, 0, c as u16, column, true)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Value::Number(n) => {
                    if let Some(x) = n.as_f64() {
                        sheet.write_number(r, c, x)?;
                    }
                }
                Value::String(s) => text(sheet, r, c, s, false)?,
                Value::Bool(b) => {
                    sheet.write_boolean(r, c, *b)?;
                }
                Value::Null => {}
                other => {
                    sheet.write_string(r, c, fit_cell(&other.to_string()))?;
                }
            }
        }
    }
    Ok(())
}

/// A text cut to Excel's cell limit (on a character boundary).
fn fit_cell(text: &str) -> &str {
    match text.char_indices().nth(CELL_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// What the workbook leaves out, one sentence each.
fn notes(tables: &[Sheet], max_rows: usize) -> Vec<String> {
    let mut notes = Vec::new();
    for Sheet {
        name,
        head: table,
        rows,
    } in tables
    {
        if *rows > max_rows {
            notes.push(format!(
                "{name}: the first {max_rows} of {rows} rows; {name}.csv has every row"
            ));
        }
        let long = table
            .rows
            .iter()
            .take(max_rows)
            .flatten()
            .filter(|v| v.as_str().is_some_and(|s| fit_cell(s).len() < s.len()))
            .count();
        if long > 0 {
            notes.push(format!(
                "{name}: {long} cells longer than Excel's {CELL_CHARS} characters were cut; {name}.csv has them whole"
            ));
        }
    }
    notes
}

/// A valid, unique sheet name: at most 31 characters, none of `[]:*?/\`,
/// not starting or ending with `'`.
fn sheet_name(name: &str, taken: &mut BTreeSet<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let clean = clean.trim_matches('\'').to_string();
    let clean = if clean.is_empty() {
        "table".to_string()
    } else {
        clean
    };
    let mut candidate = clean.clone();
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        let suffix = format!("~{n}");
        let keep: String = clean.chars().take(31 - suffix.len()).collect();
        candidate = format!("{keep}{suffix}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(rows: usize) -> Arc<Table> {
        let mut t = Table::new(["a", "b"]);
        for i in 0..rows {
            t.push(vec![json!(format!("r{i}")), json!(i)]);
        }
        Arc::new(t)
    }

    /// The sheets of a workbook, each with its cells as text.
    fn sheets(book: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
        use calamine::{Reader, Xlsx};
        let mut xlsx: Xlsx<_> = Xlsx::new(std::io::Cursor::new(book.to_vec())).unwrap();
        let names = xlsx.sheet_names();
        names
            .into_iter()
            .map(|name| {
                let range = xlsx.worksheet_range(&name).unwrap();
                let rows = range
                    .rows()
                    .map(|r| r.iter().map(|c| c.to_string()).collect())
                    .collect();
                (name, rows)
            })
            .collect()
    }

    #[test]
    fn same_tables_give_same_bytes() {
        let tables = [Sheet::whole("rfm.segments", table(2))];
        let one = workbook(&tables).unwrap();
        assert_eq!(one, workbook(&tables).unwrap());
        assert_eq!(&one[..2], b"PK");
    }

    #[test]
    fn long_tables_are_split_then_cut_with_a_note() {
        // Sheets of 4 rows, at most 10 rows a table: 10 rows in 3 sheets.
        let tables = [
            Sheet::whole("big", table(12)),
            Sheet::whole("small", table(1)),
        ];
        let bytes = build(&tables, 10, 4).unwrap();
        // Given only the rows it keeps, as exports give a long table, the
        // workbook is the same.
        let head = [
            Sheet {
                name: "big".into(),
                head: table(10),
                rows: 12,
            },
            Sheet::whole("small", table(1)),
        ];
        assert_eq!(build(&head, 10, 4).unwrap(), bytes);
        let book = sheets(&bytes);
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["notes", "big", "big (2)", "big (3)", "small"]);
        assert_eq!(
            book[0].1[1][0],
            "big: the first 10 of 12 rows; big.csv has every row"
        );
        // Every sheet has the header; the rows continue across sheets and
        // stop at the tenth row (r9).
        let big: Vec<&str> = book[1..4]
            .iter()
            .flat_map(|(_, rows)| {
                assert_eq!(rows[0], ["a", "b"]);
                rows[1..].iter().map(|r| r[0].as_str())
            })
            .collect();
        assert_eq!(
            big,
            ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"]
        );
    }

    #[test]
    fn overlong_cells_are_cut_and_formulas_stay_text() {
        let mut t = Table::new(["text"]);
        t.push(vec![json!("é".repeat(CELL_CHARS + 5))]);
        t.push(vec![json!("=1+2")]);
        let bytes = workbook(&[Sheet::whole("t", Arc::new(t))]).unwrap();
        let book = sheets(&bytes);
        assert!(
            book[0].1[1][0].starts_with("t: 1 cells longer than Excel"),
            "{:?}",
            book[0]
        );
        let cells = &book[1].1;
        assert_eq!(cells[1][0], "é".repeat(CELL_CHARS));
        // Text, not a formula: Excel shows the characters, never 3.
        assert_eq!(cells[2][0], "=1+2");
        use calamine::Reader;
        let mut xlsx: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let formulas = xlsx.worksheet_formula("t").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = BTreeSet::new();
        let long = "a_very_long_analysis_name.with_a_long_table_name";
        let first = sheet_name(long, &mut taken);
        let second = sheet_name(long, &mut taken);
        assert_eq!(first.chars().count(), 31);
        assert_ne!(first, second);
        assert!(second.chars().count() <= 31);
        assert_eq!(sheet_name("a/b", &mut taken), "a_b");
        assert_eq!(sheet_name("'quoted'", &mut taken), "quoted");
    }
}
