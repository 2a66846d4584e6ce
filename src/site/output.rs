//! Writing the site: every file is written to a temporary folder beside the
//! output folder, which replaces the old output only once complete, so a
//! failed build never leaves a half-written `public/`. Between builds of
//! one process (`serve`), files that did not change are hard-linked from
//! the current output into the new folder instead of being written again,
//! and nothing is swapped at all when no file changed.

use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

/// The bytes of one file of the site: shared with the results and with the
/// memory of earlier builds, not copied.
pub type FileBytes = Arc<[u8]>;

/// The site's files by path relative to the output folder.
pub type SiteFiles = BTreeMap<String, FileBytes>;

/// Write `files` to a fresh folder and swap it in place of `output`.
pub fn write_site(output: &Path, files: &SiteFiles) -> Result<()> {
    // With nothing published before, every file is written.
    let published = Published::default();
    publish(output, files, &published)?;
    published.remove_retired()
}

/// What the output folder held after the last publication of this process,
/// and the folder it replaced, still to be removed. Clones share it.
#[derive(Clone, Debug, Default)]
pub struct Published(Arc<Mutex<Memory>>);

#[derive(Debug, Default)]
struct Memory {
    files: BTreeMap<String, Stamp>,
    retired: Option<PathBuf>,
}

impl Published {
    /// Remove the output folder the last publication replaced. `publish`
    /// leaves that for later so that its caller can tell the browsers about
    /// the new site first; the next `publish` does it otherwise.
    pub fn remove_retired(&self) -> Result<()> {
        let retired = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retired
            .take();
        Retired(retired).remove()
    }
}

/// A file as published: its bytes, and its size and modification time on
/// disk, to notice a file changed behind our back.
#[derive(Clone, Debug)]
struct Stamp {
    bytes: FileBytes,
    len: u64,
    modified: Option<SystemTime>,
}

/// What `publish` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Publication {
    /// Files written afresh.
    pub written: usize,
    /// Files carried over unchanged (hard-linked or left in place).
    pub kept: usize,
    /// Files of the previous output that are gone.
    pub removed: usize,
}

impl Publication {
    /// Whether the output folder changed.
    pub fn changed(&self) -> bool {
        self.written > 0 || self.removed > 0
    }
}

/// Like `write_site`, but reuse what `published` says the output already
/// holds: unchanged files are hard-linked into the new folder, and when
/// no file changed the output is left as it is. The replaced folder is
/// removed by `Published::remove_retired` (or the next publication).
pub fn publish(output: &Path, files: &SiteFiles, published: &Published) -> Result<Publication> {
    let mut memory = published.0.lock().unwrap_or_else(PoisonError::into_inner);
    Retired(memory.retired.take()).remove()?;
    let unchanged: HashSet<&str> = files
        .iter()
        .filter(|(rel, bytes)| {
            memory
                .files
                .get(rel.as_str())
                .is_some_and(|stamp| stamp.holds(bytes) && stamp.matches_disk(&output.join(rel)))
        })
        .map(|(rel, _)| rel.as_str())
        .collect();
    let removed = memory
        .files
        .keys()
        .filter(|k| !files.contains_key(*k))
        .count();
    let mut report = Publication {
        written: files.len() - unchanged.len(),
        kept: unchanged.len(),
        removed,
    };
    // Nothing written and nothing removed: the output holds exactly `files`.
    if !report.changed() {
        return Ok(report);
    }
    let target = Target::new(output)?;
    let mut stamps = BTreeMap::new();
    let mut linked = 0;
    target.stage(|staging| {
        let mut dirs = HashSet::new();
        for (rel, bytes) in files {
            let path = staging.join(rel);
            let previous = memory.files.get(rel.as_str());
            if let Some(stamp) = previous.filter(|_| unchanged.contains(rel.as_str())) {
                ensure_parent(&path, &mut dirs)?;
                // Where links are not supported the file is written instead.
                if std::fs::hard_link(output.join(rel), &path).is_ok() {
                    stamps.insert(rel.clone(), stamp.clone());
                    linked += 1;
                    continue;
                }
            }
            stamps.insert(rel.clone(), write_file(&path, bytes, &mut dirs)?);
        }
        Ok(())
    })?;
    let old = target.swap_in()?;
    memory.files = stamps;
    memory.retired = old.0;
    report.written = files.len() - linked;
    report.kept = linked;
    Ok(report)
}

impl Stamp {
    fn holds(&self, bytes: &FileBytes) -> bool {
        Arc::ptr_eq(&self.bytes, bytes) || self.bytes[..] == bytes[..]
    }

    fn matches_disk(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok_and(|meta| {
            meta.is_file() && meta.len() == self.len && meta.modified().ok() == self.modified
        })
    }
}

/// Write one file (creating its folder) and stamp it.
fn write_file(path: &Path, bytes: &FileBytes, dirs: &mut HashSet<PathBuf>) -> Result<Stamp> {
    ensure_parent(path, dirs)?;
    std::fs::write(path, bytes).map_err(|e| Error::io("write", path, e))?;
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    Ok(Stamp {
        bytes: bytes.clone(),
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// Create the folder of `path` unless this build already did.
fn ensure_parent(path: &Path, dirs: &mut HashSet<PathBuf>) -> Result<()> {
    if let Some(parent) = path.parent()
        && !dirs.contains(parent)
    {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        dirs.insert(parent.to_path_buf());
    }
    Ok(())
}

/// The output folder and the names of its staging and retired siblings.
struct Target {
    output: PathBuf,
    staging: PathBuf,
    old: PathBuf,
}

impl Target {
    fn new(output: &Path) -> Result<Target> {
        if output.exists() && !output.is_dir() {
            return Err(Error::new(format!(
                "the output {} is a file, not a folder",
                output.display()
            ))
            .at(output)
            .hint("wawasan writes the portal as a folder there: move or delete that file, or pass another --output"));
        }
        let parent = match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io("create", &parent, e))?;
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".to_string());
        let id = std::process::id();
        Ok(Target {
            output: output.to_path_buf(),
            staging: parent.join(format!(".{name}.building-{id}")),
            old: parent.join(format!(".{name}.old-{id}")),
        })
    }

    /// Fill a fresh staging folder with `fill`; on failure remove it.
    fn stage(&self, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        let dir = &self.staging;
        let result = (|| {
            if dir.exists() {
                std::fs::remove_dir_all(dir).map_err(|e| Error::io("remove", dir, e))?;
            }
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
            fill(dir)
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(dir);
        }
        result
    }

    /// Put the staging folder in place of the output; the old output is
    /// returned for removal.
    fn swap_in(&self) -> Result<Retired> {
        let output = &self.output;
        let result = if output.exists() {
            if self.old.exists() {
                std::fs::remove_dir_all(&self.old)
                    .map_err(|e| Error::io("remove", &self.old, e))?;
            }
            std::fs::rename(output, &self.old).map_err(|e| Error::io("move aside", output, e))?;
            match std::fs::rename(&self.staging, output) {
                Ok(()) => Ok(Retired(Some(self.old.clone()))),
                Err(e) => {
                    let _ = std::fs::rename(&self.old, output);
                    Err(Error::io("replace", output, e))
                }
            }
        } else {
            std::fs::rename(&self.staging, output)
                .map(|()| Retired(None))
                .map_err(|e| Error::io("create", output, e))
        };
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        result
    }
}

/// The previous output folder, once replaced.
struct Retired(Option<PathBuf>);

impl Retired {
    fn remove(self) -> Result<()> {
        match self.0 {
            Some(old) => match std::fs::remove_dir_all(&old) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(Error::io("remove", &old, e))
                }
                _ => Ok(()),
            },
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> SiteFiles {
        entries
            .iter()
            .map(|(p, b)| (p.to_string(), FileBytes::from(b.as_bytes())))
            .collect()
    }

    fn leftovers(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn an_output_that_is_a_file_is_refused_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::write(&out, "mine").unwrap();
        let err = write_site(&out, &files(&[("index.html", "new")])).unwrap_err();
        assert!(err.to_string().contains("is a file, not a folder"), "{err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");
        assert_eq!(
            leftovers(tmp.path()),
            1,
            "no staging or retired folder left"
        );
    }

    #[test]
    fn replaces_old_output_completely() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("stale")).unwrap();
        std::fs::write(out.join("stale/old.html"), "old").unwrap();
        write_site(&out, &files(&[("index.html", "new"), ("a/b.csv", "x")])).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "new"
        );
        assert!(out.join("a/b.csv").is_file());
        assert!(!out.join("stale").exists());
        assert_eq!(leftovers(tmp.path()), 1, "no staging folders left behind");
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().ino()
    }

    #[test]
    fn publish_writes_only_what_changed_and_drops_what_is_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("stale")).unwrap();
        std::fs::write(out.join("stale/old.html"), "old").unwrap();
        let published = Published::default();
        let first = files(&[("index.html", "home"), ("a/b.html", "b"), ("a/c.html", "c")]);
        let report = publish(&out, &first, &published).unwrap();
        assert_eq!((report.written, report.kept), (3, 0));
        assert!(!out.join("stale").exists());

        let same = publish(&out, &first, &published).unwrap();
        assert!(!same.changed(), "{same:?}");
        assert_eq!(same.kept, 3);

        #[cfg(unix)]
        let home = inode(&out.join("index.html"));
        let second = files(&[("index.html", "home"), ("a/b.html", "b2")]);
        let report = publish(&out, &second, &published).unwrap();
        assert_eq!(
            report,
            Publication {
                written: 1,
                kept: 1,
                removed: 1
            }
        );
        assert_eq!(std::fs::read_to_string(out.join("a/b.html")).unwrap(), "b2");
        assert!(!out.join("a/c.html").exists());
        #[cfg(unix)]
        assert_eq!(inode(&out.join("index.html")), home, "kept, not rewritten");
        assert_eq!(leftovers(tmp.path()), 2, "the replaced folder waits");
        published.remove_retired().unwrap();
        assert_eq!(leftovers(tmp.path()), 1, "no staging folders left behind");
    }

    #[test]
    fn publish_rewrites_a_file_changed_behind_its_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let published = Published::default();
        let site = files(&[("index.html", "home")]);
        publish(&out, &site, &published).unwrap();
        std::fs::write(out.join("index.html"), "tampered!").unwrap();
        let report = publish(&out, &site, &published).unwrap();
        assert_eq!(report.written, 1);
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "home"
        );

        std::fs::remove_dir_all(&out).unwrap();
        let report = publish(&out, &site, &published).unwrap();
        assert_eq!(report.written, 1);
        assert!(out.join("index.html").is_file());
    }
}
