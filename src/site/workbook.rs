//! Each report's results as one Excel workbook: one sheet per result table.
//! The creation date is fixed so that the same results give the same bytes.

use crate::error::{Error, Result};
use crate::table::Table;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Excel limits a sheet to 1,048,576 rows; leave room for the header.
const MAX_ROWS: usize = 1_048_575;

/// The workbook bytes for `tables` (sheet per table, in name order).
pub fn workbook(tables: &BTreeMap<String, Table>) -> Result<Vec<u8>> {
    let fail =
        |e: rust_xlsxwriter::XlsxError| Error::new("cannot build the Excel workbook").caused_by(e);
    let mut book = Workbook::new();
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1).map_err(fail)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
    let bold = Format::new().set_bold();
    let mut names = BTreeSet::new();
    for (name, table) in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(name, &mut names)).map_err(fail)?;
        for (c, column) in table.columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, column, &bold)
                .map_err(fail)?;
        }
        for (r, row) in table.rows.iter().take(MAX_ROWS).enumerate() {
            let r = (r + 1) as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Value::Number(n) => {
                        if let Some(x) = n.as_f64() {
                            sheet.write_number(r, c, x).map_err(fail)?;
                        }
                    }
                    Value::String(s) => {
                        sheet.write_string(r, c, s).map_err(fail)?;
                    }
                    Value::Bool(b) => {
                        sheet.write_boolean(r, c, *b).map_err(fail)?;
                    }
                    Value::Null => {}
                    other => {
                        sheet.write_string(r, c, other.to_string()).map_err(fail)?;
                    }
                }
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// A valid, unique sheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str, taken: &mut BTreeSet<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
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

    #[test]
    fn same_tables_give_same_bytes() {
        let mut t = Table::new(["a", "b"]);
        t.push(vec![json!("x"), json!(1.5)]);
        let tables: BTreeMap<String, Table> = [("rfm.segments".to_string(), t)].into();
        let one = workbook(&tables).unwrap();
        let two = workbook(&tables).unwrap();
        assert_eq!(one, two);
        assert_eq!(&one[..2], b"PK");
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
    }
}
