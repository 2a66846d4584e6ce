//! A small buffered CSV writer for the generated files: RFC 4180 quoting
//! only where a value needs it, `\n` line ends, one reused row buffer.

use crate::error::{Error, Result};
use std::fmt::{Display, Write as _};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes one CSV file row by row.
pub struct CsvWriter {
    out: BufWriter<File>,
    path: PathBuf,
    row: String,
    fields: usize,
}

impl CsvWriter {
    /// Create (or truncate) `path` and write its header line.
    pub fn create(path: &Path, header: &[&str]) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io("create", path, e))?;
        let mut writer = CsvWriter {
            out: BufWriter::with_capacity(1 << 16, file),
            path: path.to_path_buf(),
            row: String::with_capacity(512),
            fields: 0,
        };
        for name in header {
            writer.text(name);
        }
        writer.end_row()?;
        Ok(writer)
    }

    fn separate(&mut self) {
        if self.fields > 0 {
            self.row.push(',');
        }
        self.fields += 1;
    }

    /// A text field, quoted when it holds a comma, quote or line break.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        if value
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        {
            self.row.push('"');
            self.row.push_str(&value.replace('"', "\"\""));
            self.row.push('"');
        } else {
            self.row.push_str(value);
        }
        self
    }

    /// A field that never needs quoting (numbers, fixed codes).
    pub fn plain(&mut self, value: impl Display) -> &mut Self {
        self.separate();
        // Writing into a String cannot fail.
        let _ = write!(self.row, "{value}");
        self
    }

    /// An empty field.
    pub fn empty(&mut self) -> &mut Self {
        self.separate();
        self
    }

    /// Finish the current row.
    pub fn end_row(&mut self) -> Result<()> {
        self.row.push('\n');
        let written = self.out.write_all(self.row.as_bytes());
        self.row.clear();
        self.fields = 0;
        written.map_err(|e| Error::io("write", &self.path, e))
    }

    /// Flush the file and return its path.
    pub fn finish(mut self) -> Result<PathBuf> {
        self.out
            .flush()
            .map_err(|e| Error::io("write", &self.path, e))?;
        Ok(self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_fields_that_need_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = CsvWriter::create(&path, &["a", "Sales Channel "]).unwrap();
        w.text("$5,320 ").plain(3);
        w.end_row().unwrap();
        w.text("say \"hi\"").empty();
        w.end_row().unwrap();
        w.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "a,Sales Channel \n\"$5,320 \",3\n\"say \"\"hi\"\"\",\n"
        );
    }
}
