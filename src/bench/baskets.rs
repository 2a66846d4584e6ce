//! Synthetic baskets for the market-basket bench case: orders of one to
//! five lines over 5,000 items, item k drawn as 5000·u³ (a long tail: the
//! first item is in about 6% of lines, every item appears), and half of the
//! time item k + 1 is bought with it — many frequent pairs among thousands
//! of items, the hard case for itemset mining.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The number of distinct items.
pub const ITEMS: u64 = 5000;

/// Write `lines` basket lines to `dir/baskets.csv` (`order_id,item`).
pub fn generate(lines: usize, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let path = dir.join("baskets.csv");
    let file = std::fs::File::create(&path).map_err(|e| Error::io("write", &path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let fail = |e| Error::io("write", &path, e);
    writeln!(out, "order_id,item").map_err(fail)?;
    // xorshift64: the same bytes on every machine.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut written, mut order) = (0usize, 0u64);
    while written < lines {
        let size = 1 + next() % 5;
        for _ in 0..size {
            if written == lines {
                break;
            }
            let u = (next() % 1_000_000) as f64 / 1e6;
            let k = (ITEMS as f64 * u * u * u) as u64;
            writeln!(out, "O{order},SKU-{k}").map_err(fail)?;
            written += 1;
            if next() % 2 == 0 && written < lines {
                writeln!(out, "O{order},SKU-{}", (k + 1) % ITEMS).map_err(fail)?;
                written += 1;
            }
        }
        order += 1;
    }
    out.flush().map_err(fail)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baskets_have_the_lines_asked_and_the_same_bytes_each_time() {
        let dir = tempfile::tempdir().unwrap();
        let a = std::fs::read_to_string(generate(1000, &dir.path().join("a")).unwrap()).unwrap();
        let b = std::fs::read_to_string(generate(1000, &dir.path().join("b")).unwrap()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.lines().count(), 1001);
        assert!(a.starts_with("order_id,item\nO0,SKU-"));
    }
}
