//! Keeps the fetch cache from growing without end: after the fetch stage
//! of a build, the copies no source of the portal uses any more (a query
//! edited, a source removed, a loader script changed) are deleted.
//!
//! Only names this module's siblings write are touched — `<key>.json`,
//! `<key>.parquet`, `<key>.data.<ext>` and their `.tmp-<pid>` files, a key
//! being 16 hexadecimal digits — and never a copy another running wawasan
//! process fetched or reused (a `serve` beside a `build` whose front matter differs
//! for a moment), nor a temporary file of a live process.

use super::{Meta, process_of};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What pruning removed, for the build's summary.
#[derive(Debug, Default, PartialEq)]
pub struct Pruned {
    /// Fetched copies removed (a copy: its record and its data file).
    pub copies: usize,
    pub bytes: u64,
    /// Files that could not be removed, with why.
    pub failures: Vec<String>,
}

impl Pruned {
    /// `2 unused fetched copies removed (12.3 MB)`, or nothing to say.
    pub fn describe(&self) -> Option<String> {
        (self.copies > 0).then(|| {
            let noun = if self.copies == 1 { "copy" } else { "copies" };
            format!(
                "fetch cache: {} unused fetched {noun} removed ({:.1} MB)",
                self.copies,
                self.bytes as f64 / 1e6
            )
        })
    }
}

/// Delete from `dir` every fetched copy whose key is not in `used`.
pub fn prune(dir: &Path, used: &BTreeSet<String>) -> Pruned {
    let mut pruned = Pruned::default();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return pruned;
    };
    let mut by_key: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(key) = key_of_name(&name) else {
            continue;
        };
        if used.contains(key) || temporary_of_live_process(&name) {
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        by_key
            .entry(key.to_string())
            .or_default()
            .push((name, size));
    }
    for (key, files) in by_key {
        if fetched_by_other_live_process(&dir.join(format!("{key}.json"))) {
            continue;
        }
        let mut removed_any = false;
        for (name, size) in files {
            let path = dir.join(&name);
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    removed_any = true;
                    pruned.bytes += size;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => pruned.failures.push(format!("{}: {e}", path.display())),
            }
        }
        pruned.copies += usize::from(removed_any);
    }
    pruned
}

/// The key a cache file's name starts with: 16 lowercase hex digits
/// followed by a dot.
fn key_of_name(name: &str) -> Option<&str> {
    let (key, _) = name.split_once('.')?;
    let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    (key.len() == 16 && key.chars().all(hex)).then_some(key)
}

/// A `.tmp-<pid>` file of a process still running: a fetch under way.
fn temporary_of_live_process(name: &str) -> bool {
    let Some((_, pid)) = name.rsplit_once(".tmp-") else {
        return false;
    };
    pid.parse::<u32>().is_ok_and(is_running)
}

/// Whether the copy recorded at `json` was fetched, or last reused, by
/// another process that is still running.
fn fetched_by_other_live_process(json: &Path) -> bool {
    let Some(meta) = std::fs::read(json)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Meta>(&bytes).ok())
    else {
        return false;
    };
    [&meta.fetched_by, &meta.used_by]
        .into_iter()
        .filter_map(|token| process_of(token))
        .any(|pid| pid != std::process::id() && is_running(pid))
}

/// Whether a process with this id runs (Linux: `/proc/<pid>`; elsewhere
/// unknown, and taken as not).
fn is_running(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    fn meta(fetched_by: &str, used_by: &str) -> Vec<u8> {
        format!(
            r#"{{"fetched_at": 1, "fetched_by": "{fetched_by}", "used_by": "{used_by}", "file": "x", "format": "parquet", "rows": 1}}"#
        )
        .into_bytes()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn unused_copies_go_and_used_ones_stay() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let (used, old, loader) = ("00000000000000aa", "00000000000000bb", "00000000000000cc");
        // A process id no system hands out (above Linux's 2^22 limit).
        let dead = "4194999999-1";
        for (key, data) in [(used, "parquet"), (old, "parquet"), (loader, "data.csv")] {
            write(dir, &format!("{key}.json"), &meta(dead, ""));
            write(dir, &format!("{key}.{data}"), b"12345");
        }
        // A temporary file of a fetch that died, and one of this process.
        write(dir, &format!("{old}.parquet.tmp-4194999999"), b"123");
        let mine = format!("00000000000000dd.parquet.tmp-{}", std::process::id());
        write(dir, &mine, b"1");
        write(dir, "notes.txt", b"not ours");
        let pruned = prune(dir, &BTreeSet::from([used.to_string()]));
        assert_eq!(
            names(dir),
            [
                "00000000000000aa.json".to_string(),
                "00000000000000aa.parquet".to_string(),
                mine,
                "notes.txt".to_string(),
            ]
        );
        let json = meta(dead, "").len() as u64;
        assert_eq!(
            pruned,
            Pruned {
                copies: 2,
                bytes: 2 * json + 5 + 5 + 3,
                failures: Vec::new()
            }
        );
        assert_eq!(
            pruned.describe().unwrap(),
            format!(
                "fetch cache: 2 unused fetched copies removed ({:.1} MB)",
                (2 * json + 13) as f64 / 1e6
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_copy_another_running_process_fetched_or_reused_stays() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let parent = std::os::unix::process::parent_id();
        write(
            dir,
            "00000000000000ee.json",
            &meta(&format!("{parent}-5"), ""),
        );
        write(dir, "00000000000000ee.parquet", b"1");
        // Fetched by a process gone, reused by one running: leased.
        let reused = meta("4194999999-1", &format!("{parent}-7"));
        write(dir, "00000000000000ff.json", &reused);
        write(dir, "00000000000000ff.parquet", b"1");
        let pruned = prune(dir, &BTreeSet::new());
        assert_eq!(pruned.copies, 0);
        assert_eq!(names(dir).len(), 4);
        assert_eq!(pruned.describe(), None);
    }

    #[test]
    fn only_sixteen_hex_digit_keys_are_cache_names() {
        assert_eq!(
            key_of_name("0123456789abcdef.json"),
            Some("0123456789abcdef")
        );
        assert_eq!(
            key_of_name("0123456789abcdef.data.csv"),
            Some("0123456789abcdef")
        );
        assert_eq!(key_of_name("0123456789ABCDEF.json"), None);
        assert_eq!(key_of_name("0123456789abcde.json"), None);
        assert_eq!(key_of_name("0123456789abcdef"), None);
        assert_eq!(key_of_name("report.json"), None);
    }
}
