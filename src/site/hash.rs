//! Content hashes for the caches: a stable 64-bit FNV-1a, and the hashes of
//! data files remembered by path, size and modification time, so that a
//! rebuild in `serve` does not read an unchanged data file again.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// 64-bit FNV-1a: stable across platforms and Rust versions.
#[derive(Clone, Debug)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

impl Fnv {
    pub fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    /// Add one field.
    pub fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
        // Separate fields so that ("ab", "c") and ("a", "bc") differ.
        self.0 ^= bytes.len() as u64;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    pub fn text(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub fn number(&mut self, n: u64) {
        self.bytes(&n.to_le_bytes());
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// A file modified this recently could change again without its
/// modification time changing (coarse file-system clocks): its hash is not
/// remembered.
const RACY: Duration = Duration::from_secs(2);

/// File hashes remembered between builds of one process; cheap to clone
/// (clones share the memory).
#[derive(Clone, Debug, Default)]
pub struct FileHashes(Arc<Mutex<HashMap<PathBuf, Remembered>>>);

#[derive(Clone, Copy, Debug)]
struct Remembered {
    len: u64,
    modified: SystemTime,
    hash: u64,
}

impl FileHashes {
    /// The hash of the file's bytes: remembered while its size and
    /// modification time stay the same, else read and hashed.
    pub fn hash(&self, path: &Path) -> Result<u64> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
        let modified = meta.modified().ok();
        if let (Some(modified), Ok(map)) = (modified, self.0.lock())
            && let Some(r) = map.get(path)
            && r.len == meta.len()
            && r.modified == modified
        {
            return Ok(r.hash);
        }
        let read_at = SystemTime::now();
        let hash = hash_file(path)?;
        let settled = modified.filter(|m| read_at.duration_since(*m).is_ok_and(|age| age > RACY));
        if let (Some(modified), Ok(mut map)) = (settled, self.0.lock()) {
            let len = meta.len();
            map.insert(
                path.to_path_buf(),
                Remembered {
                    len,
                    modified,
                    hash,
                },
            );
        }
        Ok(hash)
    }

    /// How many file hashes are remembered.
    pub fn len(&self) -> usize {
        self.0.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The FNV-1a hash of a file's bytes.
pub fn hash_file(path: &Path) -> Result<u64> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let mut h = Fnv::new();
    h.bytes(&bytes);
    Ok(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_vector_and_separates_fields() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (reference test vector);
        // our field separator is applied after it.
        let mut raw = Fnv::new();
        raw.byte(b'a');
        assert_eq!(raw.0, 0xaf63_dc4c_8601_ec8c);
        let mut ab_c = Fnv::new();
        ab_c.text("ab");
        ab_c.text("c");
        let mut a_bc = Fnv::new();
        a_bc.text("a");
        a_bc.text("bc");
        assert_ne!(ab_c.finish(), a_bc.finish());
    }

    fn set_modified(path: &Path, time: SystemTime) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(time).unwrap();
    }

    #[test]
    fn settled_files_are_remembered_until_they_change() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a.csv");
        let minute_ago = SystemTime::now() - Duration::from_secs(60);
        std::fs::write(&path, "x,y\n1,2\n").unwrap();
        set_modified(&path, minute_ago);
        let hashes = FileHashes::default();
        let first = hashes.hash(&path).unwrap();
        assert_eq!(first, hash_file(&path).unwrap());
        assert_eq!(hashes.len(), 1);

        // Same size and time: the remembered hash, without reading.
        std::fs::write(&path, "x,y\n3,4\n").unwrap();
        set_modified(&path, minute_ago);
        assert_eq!(hashes.hash(&path).unwrap(), first);

        // A new modification time: read again.
        set_modified(&path, minute_ago + Duration::from_secs(30));
        let second = hashes.hash(&path).unwrap();
        assert_ne!(second, first);
        assert_eq!(second, hash_file(&path).unwrap());
    }

    #[test]
    fn freshly_written_files_are_hashed_every_time() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a.csv");
        std::fs::write(&path, "1").unwrap();
        let hashes = FileHashes::default();
        hashes.hash(&path).unwrap();
        assert!(
            hashes.is_empty(),
            "a file written just now is not remembered"
        );
        let missing = hashes.hash(&tmp.path().join("none.csv")).unwrap_err();
        assert!(missing.to_string().contains("none.csv"), "{missing}");
    }
}
