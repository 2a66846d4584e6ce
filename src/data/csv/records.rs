//! Finding records and fields in CSV bytes (RFC 4180): a record ends at a
//! newline outside quotes; a field that starts with `"` runs to the next
//! lone `"` (a doubled `""` is one quote in the text); `\r\n` and `\n` both
//! end lines. The scans jump between quotes, delimiters and newlines with
//! `memchr` (SIMD on stable Rust), so unquoted lines cost one search each.

use memchr::{memchr, memchr_iter, memchr2, memrchr};
use std::borrow::Cow;

/// Where the complete records of `bytes` end: just after the last newline
/// that is outside quotes, when `bytes` starts at a record boundary. `None`
/// when no record is complete.
pub fn last_record_end(bytes: &[u8]) -> Option<usize> {
    let mut end = bytes.len();
    while let Some(newline) = memrchr(b'\n', &bytes[..end]) {
        let quotes = memchr_iter(b'"', &bytes[..newline]).count();
        if quotes.is_multiple_of(2) {
            return Some(newline + 1);
        }
        end = newline;
    }
    None
}

/// One record: its bytes (without the line end) and the newlines inside
/// it (those of multi-line quoted fields).
pub struct Record<'a> {
    pub bytes: &'a [u8],
    pub inner_newlines: usize,
}

/// The records of `bytes` in order.
pub struct Records<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// The end of input came inside a quoted field.
#[derive(Debug, PartialEq, Eq)]
pub struct Unterminated {
    /// Offset of the record that holds the open quote.
    pub record_start: usize,
}

impl<'a> Records<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Records { bytes, at: 0 }
    }

    /// The offset of the next record.
    pub fn position(&self) -> usize {
        self.at
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, Unterminated>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let start = self.at;
        let rest = &self.bytes[start..];
        let mut i = 0;
        let mut in_quotes = false;
        let mut inner_newlines = 0;
        loop {
            let found = if in_quotes {
                memchr(b'"', &rest[i..])
            } else {
                memchr2(b'"', b'\n', &rest[i..])
            };
            let Some(offset) = found else {
                if in_quotes {
                    self.at = self.bytes.len();
                    return Some(Err(Unterminated {
                        record_start: start,
                    }));
                }
                self.at = self.bytes.len();
                return Some(Ok(Record {
                    bytes: trim_cr(rest),
                    inner_newlines,
                }));
            };
            let pos = i + offset;
            if rest[pos] == b'"' {
                if in_quotes {
                    inner_newlines += memchr_iter(b'\n', &rest[i..pos]).count();
                }
                in_quotes = !in_quotes;
                i = pos + 1;
                continue;
            }
            self.at = start + pos + 1;
            return Some(Ok(Record {
                bytes: trim_cr(&rest[..pos]),
                inner_newlines,
            }));
        }
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The fields of one record, unquoted; `None` for a malformed quoted field
/// (text after its closing quote).
pub fn fields<'a>(record: &'a [u8], delimiter: u8, out: &mut Vec<Cow<'a, [u8]>>) -> Option<()> {
    out.clear();
    if memchr(b'"', record).is_none() {
        let mut start = 0;
        for d in memchr_iter(delimiter, record) {
            out.push(Cow::Borrowed(&record[start..d]));
            start = d + 1;
        }
        out.push(Cow::Borrowed(&record[start..]));
        return Some(());
    }
    let mut at = 0;
    loop {
        if record.get(at) == Some(&b'"') {
            let (text, end) = quoted(record, at + 1)?;
            out.push(text);
            match record.get(end) {
                None => return Some(()),
                Some(&c) if c == delimiter => at = end + 1,
                Some(_) => return None,
            }
        } else {
            let end = memchr(delimiter, &record[at..]).map_or(record.len(), |d| at + d);
            out.push(Cow::Borrowed(&record[at..end]));
            if end == record.len() {
                return Some(());
            }
            at = end + 1;
        }
        if at == record.len() {
            out.push(Cow::Borrowed(&record[at..]));
            return Some(());
        }
    }
}

/// The text of a quoted field whose content starts at `from`, and the
/// offset just after its closing quote.
fn quoted(record: &[u8], from: usize) -> Option<(Cow<'_, [u8]>, usize)> {
    let mut text: Option<Vec<u8>> = None;
    let mut at = from;
    loop {
        let close = at + memchr(b'"', &record[at..])?;
        if record.get(close + 1) == Some(&b'"') {
            // A doubled quote: one quote in the text.
            text.get_or_insert_with(Vec::new)
                .extend_from_slice(&record[at..=close]);
            at = close + 2;
            continue;
        }
        let value = match text {
            None => Cow::Borrowed(&record[from..close]),
            Some(mut owned) => {
                owned.extend_from_slice(&record[at..close]);
                Cow::Owned(owned)
            }
        };
        return Some((value, close + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(record: &str, delimiter: u8) -> Option<Vec<String>> {
        let mut out = Vec::new();
        fields(record.as_bytes(), delimiter, &mut out)?;
        Some(
            out.iter()
                .map(|f| String::from_utf8(f.to_vec()).unwrap())
                .collect(),
        )
    }

    #[test]
    fn fields_are_split_and_unquoted() {
        assert_eq!(split("a,b,,c", b',').unwrap(), ["a", "b", "", "c"]);
        assert_eq!(split("a,", b',').unwrap(), ["a", ""]);
        assert_eq!(split("", b',').unwrap(), [""]);
        assert_eq!(
            split("1,\"has, comma\",\"say \"\"hi\"\"\",\"\"", b',').unwrap(),
            ["1", "has, comma", "say \"hi\"", ""]
        );
        assert_eq!(split("\"a\",", b',').unwrap(), ["a", ""]);
        assert_eq!(
            split("x;\"two\nlines\"", b';').unwrap(),
            ["x", "two\nlines"]
        );
        // A quote inside an unquoted field is text.
        assert_eq!(split("5\" screen,x", b',').unwrap(), ["5\" screen", "x"]);
        // Text after a closing quote is malformed.
        assert_eq!(split("\"a\"b,c", b','), None);
    }

    #[test]
    fn records_end_at_newlines_outside_quotes() {
        let text = b"h1,h2\r\n1,\"two\nlines\"\n\n3,x";
        let records: Vec<_> = Records::new(text).map(|r| r.unwrap()).collect();
        let lines: Vec<(&[u8], usize)> = records
            .iter()
            .map(|r| (r.bytes, r.inner_newlines))
            .collect();
        assert_eq!(
            lines,
            [
                (&b"h1,h2"[..], 0),
                (&b"1,\"two\nlines\""[..], 1),
                (&b""[..], 0),
                (&b"3,x"[..], 0)
            ]
        );
        let open = b"a\n\"b\nc";
        let mut records = Records::new(open);
        assert!(records.next().unwrap().is_ok());
        assert_eq!(
            records.next().unwrap().err(),
            Some(Unterminated { record_start: 2 })
        );
    }

    #[test]
    fn complete_records_end_outside_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(last_record_end(b"a,\"b\nc"), None);
        assert_eq!(last_record_end(b"x\na,\"b\nc"), Some(2));
        assert_eq!(last_record_end(b"no newline"), None);
        assert_eq!(last_record_end(b"a,\"b\nc\"\nd"), Some(8));
    }
}
