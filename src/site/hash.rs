//! Content hashes for the caches: a stable 64-bit FNV-1a for small keys,
//! xxh3 for data files, and the hashes of data files remembered by path,
//! size, modification and change time and inode — between builds of one
//! process (`serve`) and, saved in the cache folder, between builds — so
//! that an unchanged data file is not read again just to learn it is
//! unchanged (as git's index does).

use crate::data::hash_file;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// File hashes remembered between builds; cheap to clone (clones share the
/// memory).
#[derive(Clone, Debug, Default)]
pub struct FileHashes {
    known: Arc<Mutex<BTreeMap<PathBuf, Remembered>>>,
    /// Files read and hashed by this value (the others were remembered).
    read: Arc<AtomicUsize>,
}

/// What is remembered of a file: its hash, and what must not have changed
/// for the hash to still be its hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Remembered {
    stamp: Stamp,
    hash: u64,
}

/// Size, modification and status-change times (ns since 1970) and inode.
/// Writing a file changes its change time, which no tool can set back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    len: u64,
    modified: u128,
    changed: u128,
    inode: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        let nanos = |t: SystemTime| t.duration_since(UNIX_EPOCH).ok().map(|d| d.as_nanos());
        let modified = nanos(meta.modified().ok()?)?;
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt;
            let changed = u128::try_from(meta.ctime()).ok()? * 1_000_000_000
                + u128::try_from(meta.ctime_nsec()).ok()?;
            (changed, meta.ino())
        };
        #[cfg(not(unix))]
        let (changed, inode) = (modified, 0);
        Some(Stamp {
            len: meta.len(),
            modified,
            changed,
            inode,
        })
    }

    /// Whether the file last changed long enough before `now` that a later
    /// change must show in the stamp.
    fn settled(&self, now: SystemTime) -> bool {
        let Ok(now) = now.duration_since(UNIX_EPOCH) else {
            return false;
        };
        let last = self.modified.max(self.changed);
        now.as_nanos().saturating_sub(last) > RACY.as_nanos()
    }
}

impl FileHashes {
    /// The remembered hashes saved in `path` by `save`; none when the file
    /// is missing or unreadable (then every file is hashed again).
    pub fn load(path: &Path) -> FileHashes {
        let known: BTreeMap<PathBuf, Remembered> = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        FileHashes {
            known: Arc::new(Mutex::new(known)),
            read: Arc::default(),
        }
    }

    /// Save the remembered hashes for `load`; failing to is not an error
    /// (the next build hashes the files again).
    pub fn save(&self, path: &Path) {
        let text = {
            let known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
            serde_json::to_vec(&*known)
        };
        if let (Ok(text), Some(dir)) = (text, path.parent()) {
            let tmp = path.with_extension("tmp");
            if std::fs::create_dir_all(dir).is_ok() && std::fs::write(&tmp, text).is_ok() {
                let _ = std::fs::rename(&tmp, path);
            }
        }
    }

    /// The hash of the file's bytes: remembered while its stamp stays the
    /// same, else read and hashed.
    pub fn hash(&self, path: &Path) -> Result<u64> {
        self.hash_at(path, SystemTime::now())
    }

    /// `hash`, with the file read at time `now`.
    fn hash_at(&self, path: &Path, now: SystemTime) -> Result<u64> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
        let stamp = Stamp::of(&meta);
        if let Some(stamp) = stamp {
            let known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(r) = known.get(path).filter(|r| r.stamp == stamp) {
                return Ok(r.hash);
            }
        }
        let hash = hash_file(path)?;
        self.read.fetch_add(1, Ordering::Relaxed);
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        match stamp.filter(|s| s.settled(now)) {
            Some(stamp) => known.insert(path.to_path_buf(), Remembered { stamp, hash }),
            None => known.remove(path),
        };
        Ok(hash)
    }

    /// How many file hashes are remembered.
    pub fn len(&self) -> usize {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many files were read and hashed (not remembered).
    pub fn files_read(&self) -> usize {
        self.read.load(Ordering::Relaxed)
    }
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

    #[test]
    fn file_hash_is_xxh3_of_the_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a.csv");
        // Longer than one read block, so blocks are joined correctly.
        let bytes: Vec<u8> = (0..(3 << 20) + 17).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(
            hash_file(&path).unwrap(),
            xxhash_rust::xxh3::xxh3_64(&bytes)
        );
    }

    fn set_modified(path: &Path, time: SystemTime) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(time).unwrap();
    }

    #[test]
    fn unchanged_files_are_remembered_across_saves_and_changes_are_seen() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a.csv");
        let saved = tmp.path().join("cache/files.json");
        let minute_ago = SystemTime::now() - Duration::from_secs(60);
        std::fs::write(&path, "x,y\n1,2\n").unwrap();
        set_modified(&path, minute_ago);
        // Read a minute after the last change: settled, so remembered.
        let hashes = FileHashes::default();
        let in_a_minute = SystemTime::now() + Duration::from_secs(60);
        let first = hashes.hash_at(&path, in_a_minute).unwrap();
        assert_eq!(first, hash_file(&path).unwrap());
        assert_eq!((hashes.files_read(), hashes.len()), (1, 1));
        hashes.save(&saved);

        // A new process: the saved hash is used without reading the file.
        let again = FileHashes::load(&saved);
        assert_eq!(again.hash(&path).unwrap(), first);
        assert_eq!(again.files_read(), 0);

        // Same size, same modification time, new bytes: the change time
        // moved, so the file is read again.
        std::fs::write(&path, "x,y\n3,4\n").unwrap();
        set_modified(&path, minute_ago);
        let second = again.hash(&path).unwrap();
        assert_ne!(second, first);
        assert_eq!(second, hash_file(&path).unwrap());
        assert_eq!(again.files_read(), 1);
    }

    #[test]
    fn freshly_written_files_are_hashed_every_time() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a.csv");
        std::fs::write(&path, "1").unwrap();
        let hashes = FileHashes::default();
        hashes.hash(&path).unwrap();
        hashes.hash(&path).unwrap();
        assert!(
            hashes.is_empty(),
            "a file written just now is not remembered"
        );
        assert_eq!(hashes.files_read(), 2);
        let missing = hashes.hash(&tmp.path().join("none.csv")).unwrap_err();
        assert!(missing.to_string().contains("none.csv"), "{missing}");
        // A damaged saved index is ignored, not an error.
        std::fs::write(tmp.path().join("bad.json"), "{not json").unwrap();
        assert!(FileHashes::load(&tmp.path().join("bad.json")).is_empty());
    }
}
