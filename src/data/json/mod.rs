//! JSON and NDJSON files as tables. A JSON document holds an array of
//! records (at the `records` path, the document itself, or its single array
//! field); NDJSON holds one record per line. Nested objects flatten to
//! `parent.child` columns, and one array of objects per record level
//! explodes into one row per element with the parent's fields repeated.
//! Columns keep the order in which they first appear in the file.

mod node;
mod table;

use crate::error::{Error, Result};
use node::Node;
use polars::prelude::DataFrame;
use std::borrow::Cow;
use std::path::Path;
use table::Flattener;

const JSON_HINT: &str = "fix the file at that place (a missing comma, quote or bracket is the usual cause), or set `format` if the file is not JSON";

/// A JSON file's table, with the file line of each row's record.
pub struct JsonTable {
    pub frame: DataFrame,
    /// Row `i` came from the record on line `lines[i]` (None: not known,
    /// e.g. a record whose keys all hold escapes).
    pub lines: Vec<Option<usize>>,
}

/// Reads a JSON document; `records` is a dotted path to the records, or `.`
/// for the document itself.
pub fn read_json(path: &Path, records: Option<&str>) -> Result<DataFrame> {
    Ok(read_json_table(path, records)?.frame)
}

/// Reads newline-delimited JSON: one object per non-blank line.
pub fn read_ndjson(path: &Path) -> Result<DataFrame> {
    Ok(read_ndjson_table(path)?.frame)
}

/// [`read_json`], with the line of each row.
pub fn read_json_table(path: &Path, records: Option<&str>) -> Result<JsonTable> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let doc: Node = serde_json::from_slice(&bytes).map_err(|e| {
        Error::new("the file is not valid JSON")
            .at(path)
            .line(e.line())
            .column(e.column())
            .hint(JSON_HINT)
            .caused_by(e)
    })?;
    let items = find_records(&doc, records, path)?;
    let mut table = Flattener::new();
    let mut lines = Vec::new();
    let mut counter = LineCounter::new(&bytes);
    for (i, item) in items.iter().enumerate() {
        let Node::Object(fields) = item else {
            return Err(Error::new(format!("record {} is not a JSON object", i + 1))
                .at(path)
                .hint("each record must be an object like {\"number\": \"SI-1\", ...}; set `records` to the path of the array of records"));
        };
        let line = counter.line_of(fields);
        table.push_record(fields).map_err(|e| {
            e.context(format!("record {}", i + 1))
                .at(path)
                .maybe_line(line)
        })?;
        lines.resize(table.rows(), line);
    }
    let frame = table.finish().map_err(|e| e.at(path))?;
    Ok(JsonTable { frame, lines })
}

/// Lines of records found from where their keys sit in the file's bytes
/// (keys without escapes borrow from them); records come in file order,
/// so newlines are counted once.
struct LineCounter<'b> {
    bytes: &'b [u8],
    offset: usize,
    line: usize,
}

impl<'b> LineCounter<'b> {
    fn new(bytes: &'b [u8]) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record's first key that points into the file.
    fn line_of(&mut self, fields: &[(Cow<'_, str>, Node<'_>)]) -> Option<usize> {
        let start = self.bytes.as_ptr() as usize;
        let offset = fields.iter().find_map(|(key, _)| match key {
            Cow::Borrowed(k) => {
                let at = (k.as_ptr() as usize).checked_sub(start)?;
                (at <= self.bytes.len()).then_some(at)
            }
            Cow::Owned(_) => None,
        })?;
        if offset < self.offset {
            // Not in file order (cannot happen for one array); count afresh.
            (self.offset, self.line) = (0, 1);
        }
        self.line += memchr::memchr_iter(b'\n', &self.bytes[self.offset..offset]).count();
        self.offset = offset;
        Some(self.line)
    }
}

/// [`read_ndjson`], with the line of each row.
pub fn read_ndjson_table(path: &Path) -> Result<JsonTable> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Error::new("the file is not UTF-8 text")
            .at(path)
            .caused_by(e)
            .hint("save the file as UTF-8")
    })?;
    // Every line is parsed before flattening (the rows borrow the parsed
    // values); an invalid line is reported after the lines before it, as a
    // line-by-line reader would.
    let mut lines = Vec::new();
    let mut broken = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Node>(line) {
            Ok(node) => lines.push((i + 1, node)),
            Err(e) => {
                broken = Some(
                    Error::new("invalid JSON")
                        .at(path)
                        .line(i + 1)
                        .column(e.column())
                        .hint(JSON_HINT)
                        .caused_by(e),
                );
                break;
            }
        }
    }
    let mut table = Flattener::new();
    let mut row_lines = Vec::new();
    for (line, node) in &lines {
        let Node::Object(fields) = node else {
            return Err(Error::new("this line is not a JSON object")
                .at(path)
                .line(*line)
                .hint("NDJSON files hold one object per line"));
        };
        table
            .push_record(fields)
            .map_err(|e| e.at(path).line(*line))?;
        row_lines.resize(table.rows(), Some(*line));
    }
    if let Some(err) = broken {
        return Err(err);
    }
    let frame = table.finish().map_err(|e| e.at(path))?;
    Ok(JsonTable {
        frame,
        lines: row_lines,
    })
}

/// The array of records inside a document. An error about a `records`
/// path that is set names the file in its message and the setting as its
/// place (the caller knows the setting's line); others are at the file.
fn find_records<'n, 'a>(
    doc: &'n Node<'a>,
    records: Option<&str>,
    path: &Path,
) -> Result<&'n [Node<'a>]> {
    let target = match records.map(str::trim) {
        Some(".") => doc,
        Some(dotted) => follow_path(doc, dotted, path)?,
        None => default_records(doc).map_err(|e| e.at(path))?,
    };
    match target {
        Node::List(items) => Ok(items),
        Node::Object(_) => Ok(std::slice::from_ref(target)),
        _ => {
            let hint = "set `records` to the dotted path of the array, e.g. `d` or `data.items`";
            let kind = target.kind();
            Err(match records {
                Some(dotted) => Error::new(format!(
                    "`records = \"{dotted}\"` points at a {kind} value in {}, not at an array of records",
                    path.display()
                ))
                .setting("records")
                .hint(hint),
                None => Error::new(format!(
                    "`records` points at a {kind} value, not at an array of records"
                ))
                .at(path)
                .hint(hint),
            })
        }
    }
}

fn follow_path<'n, 'a>(doc: &'n Node<'a>, dotted: &str, path: &Path) -> Result<&'n Node<'a>> {
    let mut node = doc;
    let mut walked: Vec<&str> = Vec::new();
    let place = |walked: &[&str]| match walked {
        [] => format!("{}", path.display()),
        _ => format!("`{}` of {}", walked.join("."), path.display()),
    };
    for key in dotted.split('.') {
        let Node::Object(fields) = node else {
            return Err(Error::new(format!(
                "`records = \"{dotted}\"`: {} is a {}, not an object with a field `{key}`",
                place(&walked),
                node.kind()
            ))
            .setting("records")
            .hint("set `records` to the dotted path of the array of records, e.g. `d` or `data.items`"));
        };
        node = fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                let keys: Vec<String> = fields.iter().map(|(k, _)| format!("`{k}`")).collect();
                Error::new(format!(
                    "`records = \"{dotted}\"`: {} has no field `{key}`",
                    place(&walked)
                ))
                .setting("records")
                .hint(format!(
                    "fields found there: {}; check the `records` setting",
                    keys.join(", ")
                ))
            })?;
        walked.push(key);
    }
    Ok(node)
}

/// The document when it is an array; else its single array field, or the
/// document as one record when it has no array field.
fn default_records<'n, 'a>(doc: &'n Node<'a>) -> Result<&'n Node<'a>> {
    let Node::Object(fields) = doc else {
        return Ok(doc);
    };
    let lists: Vec<_> = fields
        .iter()
        .filter(|(_, v)| matches!(v, Node::List(_)))
        .collect();
    match lists.as_slice() {
        [] => Ok(doc),
        [(_, list)] => Ok(list),
        many => {
            let names: Vec<String> = many.iter().map(|(k, _)| format!("`{k}`")).collect();
            Err(Error::new(format!(
                "the document has several arrays ({}); which one holds the records?",
                names.join(", ")
            ))
            .hint("set `records` to its name (a dotted path for nested ones), or `.` for the document itself"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::DataType;

    fn load(text: &str, records: Option<&str>) -> Result<DataFrame> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        std::fs::write(&path, text).unwrap();
        read_json(&path, records)
    }

    fn strings(df: &DataFrame, name: &str) -> Vec<Option<String>> {
        crate::data::columns::keys(df, name, "test").unwrap()
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    const INVOICES: &str = r#"{"s": true, "d": [
        {"number": "SI-1", "transDate": "03/01/2023", "customer": {"name": "Toko A", "no": "C1"},
         "detailItem": [{"itemNo": "I1", "quantity": 2, "unitPrice": 50000},
                        {"itemNo": "I2", "quantity": 1, "unitPrice": 50000.5}]},
        {"number": "SI-2", "transDate": "04/01/2023", "customer": {"name": "Toko B", "no": "C2"},
         "detailItem": []}
    ]}"#;

    #[test]
    fn invoices_explode_to_one_row_per_item() {
        let df = load(INVOICES, None).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "number",
                "transDate",
                "customer.name",
                "customer.no",
                "detailItem.itemNo",
                "detailItem.quantity",
                "detailItem.unitPrice"
            ]
        );
        assert_eq!(strings(&df, "number"), [s("SI-1"), s("SI-1"), s("SI-2")]);
        assert_eq!(
            strings(&df, "customer.name"),
            [s("Toko A"), s("Toko A"), s("Toko B")]
        );
        assert_eq!(strings(&df, "detailItem.itemNo"), [s("I1"), s("I2"), None]);
        assert_eq!(
            df.column("detailItem.quantity").unwrap().dtype(),
            &DataType::Int64
        );
        // 50000 (an integer) and 50000.5 share a float column.
        assert_eq!(
            strings(&df, "detailItem.unitPrice"),
            [s("50000.0"), s("50000.5"), None]
        );
        let same = load(INVOICES, Some("d")).unwrap();
        assert!(same.equals_missing(&df));
    }

    #[test]
    fn arrays_documents_and_records_paths() {
        let df = load(
            r#"[{"a": 1, "tags": ["x", "y"]}, {"a": "two", "b": true}]"#,
            None,
        )
        .unwrap();
        // Numbers mixed with text become text; scalar arrays stay JSON text.
        assert_eq!(strings(&df, "a"), [s("1"), s("two")]);
        assert_eq!(strings(&df, "tags"), [s(r#"["x","y"]"#), None]);
        assert_eq!(df.column("b").unwrap().dtype(), &DataType::Boolean);
        let nested = r#"{"meta": {"page": 1}, "data": {"rows": [{"k": 1}, {"k": 2}]}}"#;
        assert_eq!(
            strings(&load(nested, Some("data.rows")).unwrap(), "k"),
            [s("1"), s("2")]
        );
        let single = r#"{"number": "SI-9", "detailItem": [{"itemNo": "I1"}]}"#;
        let one = load(single, Some(".")).unwrap();
        assert_eq!(strings(&one, "number"), [s("SI-9")]);
        assert_eq!(strings(&one, "detailItem.itemNo"), [s("I1")]);
    }

    #[test]
    fn rows_know_the_line_of_their_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        let text = "{\"d\": [\n  {\"a\": 1, \"items\": [{\"q\": 1}, {\"q\": 2}]},\n\n  {\n    \"a\": 2}\n]}";
        std::fs::write(&path, text).unwrap();
        let table = read_json_table(&path, None).unwrap();
        // Record 1 (two rows) is on line 2; record 2 opens on line 4 but
        // its first key is on line 5.
        assert_eq!(table.lines, [Some(2), Some(2), Some(5)]);
        std::fs::write(&path, "{\"a\": 1}\n\n{\"a\": 2}\n").unwrap();
        assert_eq!(read_ndjson_table(&path).unwrap().lines, [Some(1), Some(3)]);
    }

    #[test]
    fn ambiguous_or_broken_documents_are_explained() {
        let err = load(r#"{"a": [1], "b": [2]}"#, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("several arrays (`a`, `b`)"), "{err}");
        let err = load(r#"{"data": {"rows": []}}"#, Some("data.items")).unwrap_err();
        // The `records` setting is at fault: the caller points at its line.
        assert_eq!((err.setting_name(), err.path()), (Some("records"), None));
        let err = err.to_string();
        assert!(
            err.contains("`data` of ")
                && err.contains("doc.json has no field `items`")
                && err.contains("`rows`"),
            "{err}"
        );
        // Without `records`, the document itself is at fault.
        let err = load("42", None).unwrap_err();
        assert_eq!(err.setting_name(), None);
        assert!(err.path().unwrap().ends_with("doc.json"), "{err}");
        let two = r#"[{"n": 1, "items": [{"i": 1}], "payments": [{"p": 1}]}]"#;
        let err = load(two, None).unwrap_err().to_string();
        assert!(
            err.contains(
                "record 1: two arrays of objects at the same level, `items` and `payments`"
            ),
            "{err}"
        );
        let err = load("[{\"a\": 1},\n {\"a\": }]", None).unwrap_err();
        assert_eq!(err.line_number(), Some(2));
        assert!(err.to_string().contains("is not valid JSON"), "{err}");
    }

    #[test]
    fn ndjson_reads_one_object_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.ndjson");
        std::fs::write(
            &path,
            "{\"id\": 1, \"u\": {\"c\": \"Jakarta\"}}\n\n{\"id\": 2}\n",
        )
        .unwrap();
        let df = read_ndjson(&path).unwrap();
        assert_eq!(strings(&df, "id"), [s("1"), s("2")]);
        assert_eq!(strings(&df, "u.c"), [s("Jakarta"), None]);
        std::fs::write(&path, "{\"id\": 1}\n[1, 2]\n").unwrap();
        let err = read_ndjson(&path).unwrap_err();
        assert_eq!(err.line_number(), Some(2));
        assert!(err.to_string().contains("not a JSON object"), "{err}");
    }

    #[test]
    fn escapes_dotted_keys_repeats_and_fields_after_the_array() {
        let doc = r#"[
            {"items": [{"i": 1}, {"i": 2}], "n": "caf\u00e9", "a.b": 1, "a": {"b": 2}, "x": 1, "x": 3},
            {"k\"ey": {"in": "q\"uote"}, "n": "plain"}
        ]"#;
        let df = load(doc, None).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
        // Array fields come after the record's own fields; `a.b` written
        // either way is one column; a repeated key keeps its last value.
        assert_eq!(names, ["n", "a.b", "x", "items.i", "k\"ey.in"]);
        assert_eq!(strings(&df, "n"), [s("café"), s("café"), s("plain")]);
        assert_eq!(strings(&df, "a.b"), [s("2"), s("2"), None]);
        assert_eq!(strings(&df, "x"), [s("3"), s("3"), None]);
        assert_eq!(strings(&df, "items.i"), [s("1"), s("2"), None]);
        assert_eq!(strings(&df, "k\"ey.in"), [None, None, s("q\"uote")]);
    }

    #[test]
    fn ndjson_reports_the_first_problem_in_line_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.ndjson");
        let two = "{\"a\": [{\"b\": 1}], \"c\": [{\"d\": 1}]}";
        std::fs::write(&path, format!("{{\"a\": 1}}\n{two}\n{{broken\n")).unwrap();
        let err = read_ndjson(&path).unwrap_err();
        assert_eq!(err.line_number(), Some(2));
        assert!(err.to_string().contains("two arrays of objects"), "{err}");
        std::fs::write(&path, "{\"a\": 1}\n{broken\n[1]\n").unwrap();
        let err = read_ndjson(&path).unwrap_err();
        assert_eq!(err.line_number(), Some(2));
        assert!(err.to_string().contains("invalid JSON"), "{err}");
    }
}
