//! Records into columns. Each record's fields are walked once: nested
//! objects flatten to `parent.child` columns, and one array of objects per
//! level explodes into one row per element with the parent's fields
//! repeated. Field paths are interned once per file, so a row is a list of
//! column indices pointing at the parsed values; values are only copied
//! when the typed columns are built.

use super::node::Node;
use crate::error::{Error, Result};
use polars::prelude::{
    BooleanChunked, Column, DataFrame, Float64Chunked, Int64Chunked, IntoColumn, NewChunkedArray,
    StringChunked,
};
use std::borrow::Cow;
use std::collections::HashMap;

/// A field path below the records, e.g. `customer` then `customer.name`.
struct PathNode {
    /// The dotted column name (empty for the record itself).
    name: String,
    children: Vec<(String, usize)>,
    /// Children by key, kept only once there are many of them.
    by_key: HashMap<String, usize>,
    column: Option<usize>,
}

/// Children looked up by scanning until a path has this many.
const SCAN_LIMIT: usize = 16;

/// Flattens the records of one file into a table; `'n` borrows the parsed
/// document, `'a` the file's text.
pub(super) struct Flattener<'n, 'a> {
    paths: Vec<PathNode>,
    /// Column by name; `a.b` from `{"a.b": 1}` and `{"a": {"b": 1}}` is one.
    columns_by_name: HashMap<String, usize>,
    names: Vec<String>,
    cells: Vec<Vec<Option<&'n Node<'a>>>>,
    rows: usize,
    /// The row being assembled: (column, value) in field order.
    row: Vec<(usize, &'n Node<'a>)>,
}

const ROOT: usize = 0;

impl<'n, 'a> Flattener<'n, 'a> {
    pub(super) fn new() -> Self {
        let root = PathNode {
            name: String::new(),
            children: Vec::new(),
            by_key: HashMap::new(),
            column: None,
        };
        Flattener {
            paths: vec![root],
            columns_by_name: HashMap::new(),
            names: Vec::new(),
            cells: Vec::new(),
            rows: 0,
            row: Vec::new(),
        }
    }

    /// Rows so far.
    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    /// Adds one record's rows: its scalars (nested objects flattened with
    /// dots), times one row per element of its array of objects, if any.
    pub(super) fn push_record(&mut self, fields: &'n [(Cow<'a, str>, Node<'a>)]) -> Result<()> {
        self.row.clear();
        self.flatten(fields, ROOT)
    }

    fn flatten(&mut self, fields: &'n [(Cow<'a, str>, Node<'a>)], path: usize) -> Result<()> {
        let mark = self.row.len();
        let mut explode = None;
        self.collect_fields(fields, path, &mut explode)?;
        match explode {
            None => self.push_row(),
            Some((list_path, items)) => {
                for item in items {
                    if let Node::Object(child) = item {
                        self.flatten(child, list_path)?;
                    }
                }
            }
        }
        self.row.truncate(mark);
        Ok(())
    }

    fn collect_fields(
        &mut self,
        fields: &'n [(Cow<'a, str>, Node<'a>)],
        path: usize,
        explode: &mut Option<(usize, &'n [Node<'a>])>,
    ) -> Result<()> {
        for (key, value) in fields {
            let field = self.child(path, key);
            match value {
                Node::Object(inner) => self.collect_fields(inner, field, explode)?,
                Node::List(items) if items.is_empty() => {}
                Node::List(items) if items.iter().all(|i| matches!(i, Node::Object(_))) => {
                    if let Some((first, _)) = explode {
                        return Err(Error::new(format!(
                            "two arrays of objects at the same level, `{}` and `{}`; only one can become rows",
                            self.paths[*first].name, self.paths[field].name
                        ))
                        .hint("keep one of them in the file, or load each from its own source with `records`"));
                    }
                    *explode = Some((field, items));
                }
                other => {
                    let column = self.column(field);
                    self.row.push((column, other));
                }
            }
        }
        Ok(())
    }

    /// The path of field `key` under `parent`, interned on first sight.
    fn child(&mut self, parent: usize, key: &str) -> usize {
        let node = &self.paths[parent];
        let found = if node.children.len() < SCAN_LIMIT {
            node.children
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, i)| *i)
        } else {
            node.by_key.get(key).copied()
        };
        if let Some(i) = found {
            return i;
        }
        let name = if parent == ROOT {
            key.to_owned()
        } else {
            format!("{}.{key}", node.name)
        };
        let i = self.paths.len();
        self.paths.push(PathNode {
            name,
            children: Vec::new(),
            by_key: HashMap::new(),
            column: None,
        });
        let node = &mut self.paths[parent];
        node.children.push((key.to_owned(), i));
        if node.children.len() == SCAN_LIMIT {
            node.by_key = node.children.iter().cloned().collect();
        } else if node.children.len() > SCAN_LIMIT {
            node.by_key.insert(key.to_owned(), i);
        }
        i
    }

    /// The column of a scalar path, created (null so far) on first sight.
    fn column(&mut self, path: usize) -> usize {
        if let Some(c) = self.paths[path].column {
            return c;
        }
        let name = &self.paths[path].name;
        let c = match self.columns_by_name.get(name) {
            Some(c) => *c,
            None => {
                let c = self.names.len();
                self.columns_by_name.insert(name.clone(), c);
                self.names.push(name.clone());
                self.cells.push(Vec::new());
                c
            }
        };
        self.paths[path].column = Some(c);
        c
    }

    /// Appends the assembled row; columns it does not fill stay null.
    fn push_row(&mut self) {
        for &(c, value) in &self.row {
            let column = &mut self.cells[c];
            if column.len() > self.rows {
                column.truncate(self.rows); // a repeated key: the last one wins
            }
            column.resize(self.rows, None);
            column.push(Some(value));
        }
        self.rows += 1;
    }

    /// The typed columns in order of first appearance.
    pub(super) fn finish(self) -> Result<DataFrame> {
        let rows = self.rows;
        let columns: Vec<Column> = self
            .names
            .iter()
            .zip(self.cells)
            .map(|(name, mut cells)| {
                cells.resize(rows, None);
                build_column(name, &cells)
            })
            .collect();
        Ok(DataFrame::new(rows, columns)?)
    }
}

/// A typed column: booleans, integers, floats (ints mixed with floats) or
/// text (any other mix, numbers and booleans written as text; arrays and
/// objects as JSON text).
fn build_column(name: &str, cells: &[Option<&Node>]) -> Column {
    let has = |f: fn(&Node) -> bool| cells.iter().flatten().any(|n| f(n));
    let text = has(|n| matches!(n, Node::Text(_) | Node::List(_) | Node::Object(_)));
    let bools = has(|n| matches!(n, Node::Bool(_)));
    let ints = has(|n| matches!(n, Node::Int(_)));
    let floats = has(|n| matches!(n, Node::Float(_)));
    let name = name.into();
    if bools && !(text || ints || floats) {
        let it = cells.iter().map(|c| match c {
            Some(Node::Bool(b)) => Some(*b),
            _ => None,
        });
        BooleanChunked::from_iter_options(name, it).into_column()
    } else if ints && !(text || bools || floats) {
        let it = cells.iter().map(|c| match c {
            Some(Node::Int(i)) => Some(*i),
            _ => None,
        });
        Int64Chunked::from_iter_options(name, it).into_column()
    } else if (ints || floats) && !(text || bools) {
        let it = cells.iter().map(|c| match c {
            Some(Node::Int(i)) => Some(*i as f64),
            Some(Node::Float(f)) => Some(*f),
            _ => None,
        });
        Float64Chunked::from_iter_options(name, it).into_column()
    } else {
        let it = cells.iter().map(|c| match c {
            None | Some(Node::Null) => None,
            Some(Node::Bool(b)) => Some(Cow::Owned(b.to_string())),
            Some(Node::Int(i)) => Some(Cow::Owned(i.to_string())),
            Some(Node::Float(f)) => Some(Cow::Owned(f.to_string())),
            Some(Node::Text(s)) => Some(Cow::Borrowed(s.as_ref())),
            Some(list_or_object) => Some(Cow::Owned(list_or_object.to_json_text())),
        });
        StringChunked::from_iter_options(name, it).into_column()
    }
}
