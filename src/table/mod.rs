//! `Table`: the plain, typed-by-JSON result table that analyses and SQL
//! queries produce and that templates, charts, CSV and Excel exports consume,
//! and its compact binary form for the results cache (`codec`).

pub mod codec;
pub mod names;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A number as a cell: integral values as integers, undefined or
/// non-finite values as null (never NaN).
pub fn number_cell(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 => Value::from(x as i64),
        Some(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        None => Value::Null,
    }
}

/// A rectangular result table. Cells are JSON values (number, string, bool
/// or null) so that they serialise unchanged into results JSON and templates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// An empty table with the given column names.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        Table {
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Append a row; it must have one cell per column.
    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len(), "row width != column count");
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Position of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// All cells of one column, top to bottom.
    pub fn column(&self, name: &str) -> Option<Vec<&Value>> {
        let i = self.column_index(name)?;
        Some(self.rows.iter().map(|r| &r[i]).collect())
    }

    /// Rows as JSON objects (`[{column: value, ...}, ...]`), for templates.
    pub fn to_records(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    let mut obj = Map::new();
                    for (c, v) in self.columns.iter().zip(row) {
                        obj.insert(c.clone(), v.clone());
                    }
                    Value::Object(obj)
                })
                .collect(),
        )
    }

    /// RFC 4180 CSV with a header row; numbers keep full precision. Text
    /// that a spreadsheet would run as a formula is neutralised.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        self.write_csv(&mut out, true);
        out
    }

    /// Append the rows as CSV to `out`, after the header row when
    /// `header` (a long table is written a part at a time). Cells go
    /// straight into `out`: no text is made per cell.
    pub fn write_csv(&self, out: &mut String, header: bool) {
        if header {
            write_csv_row(out, self.columns.iter().map(|c| Cell::Text(c)));
        }
        for row in &self.rows {
            write_csv_row(out, row.iter().map(Cell::Value));
        }
    }
}

/// A cell to write as CSV: a column name or a value.
enum Cell<'a> {
    Text(&'a str),
    Value(&'a Value),
}

/// Whether a spreadsheet opening this text would read it as a formula
/// (`=`, `+`, `-`, `@`, or a tab or carriage return first: OWASP's list).
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The plain text of a cell: strings unquoted, null empty.
pub fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One CSV row. Text that a spreadsheet would run as a formula gets a
/// leading `'`, which spreadsheets show as text (numbers are never text
/// here, so `-5` stays a number); text with a separator, quote, line break
/// or edge space is quoted.
fn write_csv_row<'a>(out: &mut String, cells: impl Iterator<Item = Cell<'a>>) {
    use std::fmt::Write;
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        match cell {
            Cell::Text(text) => write_csv_text(out, text),
            Cell::Value(Value::String(text)) => write_csv_text(out, text),
            Cell::Value(Value::Null) => {}
            // Digits, signs, a point and an exponent, or true/false: never
            // quoted, never a formula.
            Cell::Value(v @ (Value::Number(_) | Value::Bool(_))) => {
                let _ = write!(out, "{v}");
            }
            Cell::Value(other) => write_csv_text(out, &other.to_string()),
        }
    }
    out.push('\n');
}

fn write_csv_text(out: &mut String, text: &str) {
    let prefix = if looks_like_formula(text) { "'" } else { "" };
    let quote = text.contains([',', '"', '\n', '\r'])
        || (prefix.is_empty() && text.starts_with(' '))
        || text.ends_with(' ');
    if quote {
        out.push('"');
        out.push_str(prefix);
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(prefix);
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_neutralises_formulas_in_text_but_not_numbers() {
        let mut t = Table::new(["=HYPERLINK(\"x\")", "n"]);
        t.push(vec![json!("=1+2"), json!(-5)]);
        t.push(vec![json!("+cmd|' /C calc'!A0"), json!(1)]);
        t.push(vec![json!("-2"), json!(1)]);
        t.push(vec![json!("@SUM(A1)"), json!(1)]);
        t.push(vec![json!("\tx"), json!(1)]);
        t.push(vec![json!("\rx"), json!(1)]);
        t.push(vec![json!("a=b"), json!(1)]);
        assert_eq!(
            t.to_csv(),
            "\"'=HYPERLINK(\"\"x\"\")\",n\n'=1+2,-5\n'+cmd|' /C calc'!A0,1\n'-2,1\n'@SUM(A1),1\n'\tx,1\n\"'\rx\",1\na=b,1\n"
        );
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines() {
        let mut t = Table::new(["name", "qty"]);
        t.push(vec![json!("a,b"), json!(2)]);
        t.push(vec![json!("say \"hi\"\nnow"), Value::Null]);
        t.push(vec![json!(" lead"), json!(true)]);
        t.push(vec![json!("=trail "), json!(0.5)]);
        assert_eq!(
            t.to_csv(),
            "name,qty\n\"a,b\",2\n\"say \"\"hi\"\"\nnow\",\n\" lead\",true\n\"'=trail \",0.5\n"
        );
    }

    #[test]
    fn records_pair_columns_with_cells() {
        let mut t = Table::new(["k", "v"]);
        t.push(vec![json!("x"), json!(1.5)]);
        assert_eq!(t.to_records(), json!([{"k": "x", "v": 1.5}]));
        assert_eq!(t.column("v"), Some(vec![&json!(1.5)]));
    }
}
