//! A compact, exact binary form of a result `Table` for the results cache:
//! column by column, numbers as 9-byte tagged cells, text dictionary-coded
//! (a segment or product column stores each name once), booleans as one
//! byte, and anything else as JSON text. Decoding gives back the very same
//! JSON values (an integer stays an integer, a float a float), so a cached
//! build writes the same bytes as a fresh one.

use crate::table::Table;
use serde_json::{Number, Value};
use std::collections::HashMap;

const MAGIC: &[u8; 4] = b"WTB1";

/// How one column is stored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Null, integer or float cells: a tag byte and 8 bytes each.
    Number = 1,
    Bool = 2,
    /// Null or text cells: the distinct texts, then one code per cell.
    Text = 3,
    /// Anything else (mixed kinds, arrays, objects): JSON text per cell.
    Json = 4,
}

const NULL: u8 = 0;
const INT: u8 = 1;
const UINT: u8 = 2;
const FLOAT: u8 = 3;
const NULL_CODE: u32 = u32::MAX;

/// The table's bytes.
pub fn encode(table: &Table) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + table.len() * table.columns.len() * 9);
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, table.columns.len() as u32);
    put_u64(&mut out, table.len() as u64);
    for (c, name) in table.columns.iter().enumerate() {
        put_str(&mut out, name);
        let cells = || table.rows.iter().map(move |row| &row[c]);
        let kind = column_kind(cells());
        out.push(kind as u8);
        match kind {
            Kind::Number => cells().for_each(|v| put_number(&mut out, v)),
            Kind::Bool => out.extend(cells().map(|v| match v {
                Value::Bool(true) => 1,
                Value::Bool(false) => 0,
                _ => 2,
            })),
            Kind::Text => put_texts(&mut out, cells()),
            Kind::Json => cells().for_each(|v| put_str(&mut out, &v.to_string())),
        }
    }
    out
}

/// The table `encode` wrote, or `None` when the bytes are not one.
pub fn decode(bytes: &[u8]) -> Option<Table> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != MAGIC {
        return None;
    }
    let width = r.u32()? as usize;
    let height = usize::try_from(r.u64()?).ok()?;
    // Every cell takes at least one byte: a bound against bad lengths.
    if width.checked_mul(height)? > bytes.len() {
        return None;
    }
    let mut columns = Vec::with_capacity(width);
    let mut cells: Vec<Vec<Value>> = Vec::with_capacity(width);
    for _ in 0..width {
        columns.push(r.str()?.to_owned());
        cells.push(read_column(&mut r, height)?);
    }
    if r.at != bytes.len() {
        return None;
    }
    let mut iters: Vec<_> = cells.into_iter().map(Vec::into_iter).collect();
    let rows = (0..height)
        .map(|_| {
            iters
                .iter_mut()
                .map(|c| c.next().unwrap_or(Value::Null))
                .collect()
        })
        .collect();
    Some(Table { columns, rows })
}

fn column_kind<'a>(cells: impl Iterator<Item = &'a Value>) -> Kind {
    let mut kind = None;
    for v in cells {
        let this = match v {
            Value::Null => continue,
            Value::Number(_) => Kind::Number,
            Value::Bool(_) => Kind::Bool,
            Value::String(_) => Kind::Text,
            _ => return Kind::Json,
        };
        match kind {
            None => kind = Some(this),
            Some(k) if k != this => return Kind::Json,
            Some(_) => {}
        }
    }
    kind.unwrap_or(Kind::Number)
}

fn put_number(out: &mut Vec<u8>, v: &Value) {
    let Value::Number(n) = v else {
        out.push(NULL);
        out.extend_from_slice(&[0; 8]);
        return;
    };
    if let Some(u) = n.as_u64() {
        out.push(UINT);
        out.extend_from_slice(&u.to_le_bytes());
    } else if let Some(i) = n.as_i64() {
        out.push(INT);
        out.extend_from_slice(&i.to_le_bytes());
    } else {
        out.push(FLOAT);
        out.extend_from_slice(&n.as_f64().unwrap_or(0.0).to_le_bytes());
    }
}

fn put_texts<'a>(out: &mut Vec<u8>, cells: impl Iterator<Item = &'a Value> + Clone) {
    let mut codes: HashMap<&str, u32> = HashMap::new();
    let mut distinct: Vec<&str> = Vec::new();
    let mut per_cell = Vec::new();
    for v in cells {
        per_cell.push(match v {
            Value::String(s) => *codes.entry(s.as_str()).or_insert_with(|| {
                distinct.push(s);
                (distinct.len() - 1) as u32
            }),
            _ => NULL_CODE,
        });
    }
    put_u32(out, distinct.len() as u32);
    for s in distinct {
        put_str(out, s);
    }
    for code in per_cell {
        put_u32(out, code);
    }
}

fn read_column(r: &mut Reader, height: usize) -> Option<Vec<Value>> {
    let kind = r.take(1)?[0];
    let mut cells = Vec::with_capacity(height);
    match kind {
        k if k == Kind::Number as u8 => {
            for _ in 0..height {
                let tag = r.take(1)?[0];
                let raw: [u8; 8] = r.take(8)?.try_into().ok()?;
                cells.push(match tag {
                    NULL => Value::Null,
                    INT => Value::from(i64::from_le_bytes(raw)),
                    UINT => Value::from(u64::from_le_bytes(raw)),
                    FLOAT => Value::Number(Number::from_f64(f64::from_le_bytes(raw))?),
                    _ => return None,
                });
            }
        }
        k if k == Kind::Bool as u8 => {
            for &b in r.take(height)? {
                cells.push(match b {
                    0 => Value::Bool(false),
                    1 => Value::Bool(true),
                    2 => Value::Null,
                    _ => return None,
                });
            }
        }
        k if k == Kind::Text as u8 => {
            let n = r.u32()? as usize;
            let distinct: Vec<&str> = (0..n).map(|_| r.str()).collect::<Option<_>>()?;
            for _ in 0..height {
                cells.push(match r.u32()? {
                    NULL_CODE => Value::Null,
                    code => Value::from(*distinct.get(code as usize)?),
                });
            }
        }
        k if k == Kind::Json as u8 => {
            for _ in 0..height {
                cells.push(serde_json::from_str(r.str()?).ok()?);
            }
        }
        _ => return None,
    }
    Some(cells)
}

fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

/// Reads the encoding front to back; every read checks the length.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Table {
        let mut t = Table::new(["segment", "orders", "aov", "b2b", "mixed", "empty"]);
        t.push(vec![
            json!("B2B"),
            json!(2),
            json!(1800.0),
            json!(true),
            json!([1, "a"]),
            Value::Null,
        ]);
        t.push(vec![
            json!("B2C"),
            json!(-4),
            json!(0.1),
            Value::Null,
            json!("x"),
            Value::Null,
        ]);
        t.push(vec![
            Value::Null,
            json!(u64::MAX),
            json!(3),
            json!(false),
            json!(1.5),
            Value::Null,
        ]);
        t.push(vec![
            json!("B2B"),
            Value::Null,
            json!(2.5e-300),
            json!(true),
            Value::Null,
            Value::Null,
        ]);
        t
    }

    #[test]
    fn decoding_gives_back_the_same_values_and_kinds() {
        let t = sample();
        let back = decode(&encode(&t)).expect("decodes");
        assert_eq!(back, t);
        // The integer stays an integer and the float a float: their JSON
        // texts (what CSV and results files show) are unchanged.
        assert_eq!(back.rows[0][2].to_string(), "1800.0");
        assert_eq!(back.rows[2][2].to_string(), "3");
        assert_eq!(back.rows[2][1].to_string(), u64::MAX.to_string());
    }

    #[test]
    fn text_is_stored_once_per_distinct_value() {
        let mut t = Table::new(["segment"]);
        let long = "a segment name that is long enough to notice";
        for _ in 0..1000 {
            t.push(vec![json!(long)]);
        }
        let bytes = encode(&t);
        // One copy of the text plus four bytes per row (and the header).
        assert!(bytes.len() < long.len() + 4 * 1000 + 64, "{}", bytes.len());
        assert_eq!(decode(&bytes).unwrap(), t);
    }

    #[test]
    fn damaged_bytes_are_refused_not_misread() {
        let bytes = encode(&sample());
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_none());
        assert!(decode(b"WTB1\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff").is_none());
        assert!(decode(b"nope").is_none());
        assert_eq!(decode(&encode(&Table::new(["a"]))).unwrap().len(), 0);
    }
}
