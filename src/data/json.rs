//! JSON and NDJSON files as tables. A JSON document holds an array of
//! records (at the `records` path, the document itself, or its single array
//! field); NDJSON holds one record per line. Nested objects flatten to
//! `parent.child` columns, and one array of objects per record level
//! explodes into one row per element with the parent's fields repeated.
//! Columns keep the order in which they first appear in the file.

use crate::error::{Error, Result};
use polars::prelude::{
    BooleanChunked, Column, DataFrame, Float64Chunked, Int64Chunked, IntoColumn, NewChunkedArray,
    StringChunked,
};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// A JSON value that keeps object keys in document order.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
}

/// One flattened cell.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

type Row = Vec<(String, Cell)>;

/// Reads a JSON document; `records` is a dotted path to the records, or `.`
/// for the document itself.
pub fn read_json(path: &Path, records: Option<&str>) -> Result<DataFrame> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let doc: Node = serde_json::from_slice(&bytes).map_err(|e| {
        Error::new("the file is not valid JSON")
            .at(path)
            .line(e.line())
            .caused_by(e)
    })?;
    let items = find_records(&doc, records).map_err(|e| e.at(path))?;
    let mut table = TableBuilder::default();
    for (i, item) in items.iter().enumerate() {
        let Node::Object(fields) = item else {
            return Err(Error::new(format!("record {} is not a JSON object", i + 1))
                .at(path)
                .hint("each record must be an object like {\"number\": \"SI-1\", ...}; set `records` to the path of the array of records"));
        };
        let rows = flatten_record(fields, "")
            .map_err(|e| e.context(format!("record {}", i + 1)).at(path))?;
        rows.into_iter().for_each(|row| table.push_row(row));
    }
    table.finish().map_err(|e| e.at(path))
}

/// Reads newline-delimited JSON: one object per non-blank line.
pub fn read_ndjson(path: &Path) -> Result<DataFrame> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Error::new("the file is not UTF-8 text")
            .at(path)
            .caused_by(e)
            .hint("save the file as UTF-8")
    })?;
    let mut table = TableBuilder::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let node: Node = serde_json::from_str(line)
            .map_err(|e| Error::new("invalid JSON").at(path).line(i + 1).caused_by(e))?;
        let Node::Object(fields) = node else {
            return Err(Error::new("this line is not a JSON object")
                .at(path)
                .line(i + 1)
                .hint("NDJSON files hold one object per line"));
        };
        let rows = flatten_record(&fields, "").map_err(|e| e.at(path).line(i + 1))?;
        rows.into_iter().for_each(|row| table.push_row(row));
    }
    table.finish().map_err(|e| e.at(path))
}

/// The array of records inside a document.
fn find_records<'a>(doc: &'a Node, records: Option<&str>) -> Result<&'a [Node]> {
    let target = match records.map(str::trim) {
        Some(".") => doc,
        Some(dotted) => follow_path(doc, dotted)?,
        None => default_records(doc)?,
    };
    match target {
        Node::List(items) => Ok(items),
        Node::Object(_) => Ok(std::slice::from_ref(target)),
        _ => Err(Error::new(format!(
            "`records` points at a {} value, not at an array of records",
            kind(target)
        ))
        .hint("set `records` to the dotted path of the array, e.g. `d` or `data.items`")),
    }
}

fn follow_path<'a>(doc: &'a Node, dotted: &str) -> Result<&'a Node> {
    let mut node = doc;
    for key in dotted.split('.') {
        let Node::Object(fields) = node else {
            return Err(Error::new(format!(
                "`records = \"{dotted}\"`: `{key}` is inside a {}, not an object",
                kind(node)
            )));
        };
        node = fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                let keys: Vec<String> = fields.iter().map(|(k, _)| format!("`{k}`")).collect();
                Error::new(format!(
                    "`records = \"{dotted}\"`: there is no field `{key}`"
                ))
                .hint(format!("fields found there: {}", keys.join(", ")))
            })?;
    }
    Ok(node)
}

/// The document when it is an array; else its single array field, or the
/// document as one record when it has no array field.
fn default_records(doc: &Node) -> Result<&Node> {
    let Node::Object(fields) = doc else {
        return Ok(doc);
    };
    let lists: Vec<&(String, Node)> = fields
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

fn kind(node: &Node) -> &'static str {
    match node {
        Node::Null => "null",
        Node::Bool(_) => "boolean",
        Node::Int(_) | Node::Float(_) => "number",
        Node::Text(_) => "string",
        Node::List(_) => "array",
        Node::Object(_) => "object",
    }
}

/// One record as rows: its scalars (nested objects flattened with dots),
/// times one row per element of its array of objects, if it has one.
fn flatten_record(fields: &[(String, Node)], prefix: &str) -> Result<Vec<Row>> {
    let mut base = Row::new();
    let mut explode = None;
    collect_fields(fields, prefix, &mut base, &mut explode)?;
    let Some((name, items)) = explode else {
        return Ok(vec![base]);
    };
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        if let Node::Object(child) = item {
            for extra in flatten_record(child, &format!("{name}."))? {
                let mut row = base.clone();
                row.extend(extra);
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

fn collect_fields<'a>(
    fields: &'a [(String, Node)],
    prefix: &str,
    base: &mut Row,
    explode: &mut Option<(String, &'a [Node])>,
) -> Result<()> {
    for (key, value) in fields {
        let name = format!("{prefix}{key}");
        match value {
            Node::Object(inner) => collect_fields(inner, &format!("{name}."), base, explode)?,
            Node::List(items) if items.is_empty() => {}
            Node::List(items) if items.iter().all(|i| matches!(i, Node::Object(_))) => {
                if let Some((first, _)) = explode {
                    return Err(Error::new(format!(
                        "two arrays of objects at the same level, `{first}` and `{name}`; only one can become rows"
                    ))
                    .hint("keep one of them in the file, or load each from its own source with `records`"));
                }
                *explode = Some((name, items));
            }
            other => base.push((name, to_cell(other))),
        }
    }
    Ok(())
}

fn to_cell(node: &Node) -> Cell {
    match node {
        Node::Null => Cell::Null,
        Node::Bool(b) => Cell::Bool(*b),
        Node::Int(i) => Cell::Int(*i),
        Node::Float(f) => Cell::Float(*f),
        Node::Text(s) => Cell::Text(s.clone()),
        list_or_object => Cell::Text(to_json_text(list_or_object)),
    }
}

/// Compact JSON text of a node (arrays of scalars are kept as text).
fn to_json_text(node: &Node) -> String {
    let quote = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    match node {
        Node::Null => "null".to_owned(),
        Node::Bool(b) => b.to_string(),
        Node::Int(i) => i.to_string(),
        Node::Float(f) => serde_json::Value::from(*f).to_string(),
        Node::Text(s) => quote(s),
        Node::List(items) => {
            let parts: Vec<String> = items.iter().map(to_json_text).collect();
            format!("[{}]", parts.join(","))
        }
        Node::Object(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}:{}", quote(k), to_json_text(v)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
    }
}

/// Accumulates rows into columns, padding absent fields with nulls.
#[derive(Default)]
struct TableBuilder {
    index: HashMap<String, usize>,
    names: Vec<String>,
    cells: Vec<Vec<Cell>>,
    rows: usize,
}

impl TableBuilder {
    fn push_row(&mut self, row: Row) {
        for (name, cell) in row {
            let i = match self.index.get(&name) {
                Some(i) => *i,
                None => {
                    self.index.insert(name.clone(), self.names.len());
                    self.names.push(name);
                    self.cells.push(vec![Cell::Null; self.rows]);
                    self.cells.len() - 1
                }
            };
            let column = &mut self.cells[i];
            if column.len() > self.rows {
                column.truncate(self.rows); // a repeated key: the last one wins
            }
            column.push(cell);
        }
        self.rows += 1;
        for column in &mut self.cells {
            column.resize(self.rows, Cell::Null);
        }
    }

    fn finish(self) -> Result<DataFrame> {
        let columns: Vec<Column> = self
            .names
            .iter()
            .zip(self.cells)
            .map(|(n, cells)| build_column(n, cells))
            .collect();
        Ok(DataFrame::new(self.rows, columns)?)
    }
}

/// A typed column: booleans, integers, floats (ints mixed with floats) or
/// text (any other mix, numbers and booleans written as text).
fn build_column(name: &str, cells: Vec<Cell>) -> Column {
    let has = |f: fn(&Cell) -> bool| cells.iter().any(f);
    let text = has(|c| matches!(c, Cell::Text(_)));
    let bools = has(|c| matches!(c, Cell::Bool(_)));
    let ints = has(|c| matches!(c, Cell::Int(_)));
    let floats = has(|c| matches!(c, Cell::Float(_)));
    let name = name.into();
    if bools && !(text || ints || floats) {
        let it = cells.iter().map(|c| {
            if let Cell::Bool(b) = c {
                Some(*b)
            } else {
                None
            }
        });
        BooleanChunked::from_iter_options(name, it).into_column()
    } else if ints && !(text || bools || floats) {
        let it = cells
            .iter()
            .map(|c| if let Cell::Int(i) = c { Some(*i) } else { None });
        Int64Chunked::from_iter_options(name, it).into_column()
    } else if (ints || floats) && !(text || bools) {
        let it = cells.iter().map(|c| match c {
            Cell::Int(i) => Some(*i as f64),
            Cell::Float(f) => Some(*f),
            _ => None,
        });
        Float64Chunked::from_iter_options(name, it).into_column()
    } else {
        let it = cells.into_iter().map(|c| match c {
            Cell::Null => None,
            Cell::Bool(b) => Some(b.to_string()),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Float(f) => Some(f.to_string()),
            Cell::Text(s) => Some(s),
        });
        StringChunked::from_iter_options(name, it).into_column()
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Node, E> {
        Ok(i64::try_from(v).map_or(Node::Float(v as f64), Node::Int))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Node, E> {
        Ok(Node::Text(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Node, E> {
        Ok(Node::Text(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Node, A::Error> {
        let mut fields = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            fields.push((key, value));
        }
        Ok(Node::Object(fields))
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
        let col = df.column(name).unwrap().cast(&DataType::String).unwrap();
        col.str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect()
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
    fn ambiguous_or_broken_documents_are_explained() {
        let err = load(r#"{"a": [1], "b": [2]}"#, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("several arrays (`a`, `b`)"), "{err}");
        let err = load(r#"{"data": {"rows": []}}"#, Some("data.items"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("there is no field `items`") && err.contains("`rows`"),
            "{err}"
        );
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
}
