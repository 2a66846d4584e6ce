//! Test helpers: read a generated CSV back (with RFC 4180 quoting) and
//! check the determinism contract for any dataset.

use super::{Dataset, generate};
use std::path::Path;

/// A generated CSV read back: the raw header line and the rows as fields.
pub struct Csv {
    pub header: String,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    /// Read a CSV without embedded line breaks (our generators write none).
    pub fn read(path: &Path) -> Csv {
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default().to_string();
        let rows = lines.map(split_line).collect();
        Csv { header, rows }
    }

    /// Index of a column by its exact header name.
    pub fn col(&self, name: &str) -> usize {
        split_line(&self.header)
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.header))
    }
}

/// Split one CSV line into unquoted fields.
pub fn split_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            _ => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// Generate a single-file dataset, check the file's name and read it back.
pub fn generate_one_csv(dataset: Dataset, rows: usize, seed: u64, file: &str) -> Csv {
    let dir = tempfile::tempdir().unwrap();
    let files = generate(dataset, rows, seed, dir.path()).unwrap();
    assert_eq!(files, vec![dir.path().join(file)]);
    Csv::read(&files[0])
}

/// Same (dataset, rows, seed) twice gives identical bytes in every file;
/// another seed changes at least one file.
pub fn assert_deterministic(dataset: Dataset, rows: usize) {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = generate(dataset, rows, 42, dirs[0].path()).unwrap();
    let b = generate(dataset, rows, 42, dirs[1].path()).unwrap();
    let c = generate(dataset, rows, 43, dirs[2].path()).unwrap();
    assert_eq!(a.len(), b.len());
    let mut any_differs = false;
    for ((pa, pb), pc) in a.iter().zip(&b).zip(&c) {
        assert_eq!(
            pa.strip_prefix(dirs[0].path()).unwrap(),
            pb.strip_prefix(dirs[1].path()).unwrap()
        );
        let bytes_a = std::fs::read(pa).unwrap();
        assert!(
            bytes_a == std::fs::read(pb).unwrap(),
            "{} differs between runs",
            pa.display()
        );
        any_differs |= bytes_a != std::fs::read(pc).unwrap();
    }
    assert!(any_differs, "seed 43 wrote the same files as seed 42");
}

/// Parse `MM-DD-YY`-like digit groups: true when `s` is digits and `sep`
/// in exactly the given group widths.
pub fn has_shape(s: &str, widths: &[usize], sep: char) -> bool {
    let parts: Vec<&str> = s.split(sep).collect();
    parts.len() == widths.len()
        && parts
            .iter()
            .zip(widths)
            .all(|(p, w)| p.len() == *w && p.bytes().all(|b| b.is_ascii_digit()))
}
