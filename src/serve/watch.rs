//! Watching the portal's inputs: content/, data/, templates/ and the data
//! loaders' scripts in loaders/ through notify (native events, or polling
//! with `--poll`), debounced; events are sorted into kinds of change, editor
//! temp files and the output folder are dropped, and each batch of changes
//! goes to the rebuild loop.

use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, FileIdCache, NoCache, RecommendedCache,
    new_debouncer_opt,
};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;
use wawasan::config::Paths;
use wawasan::error::{Error, Result};

/// How long each file event is held back so that an editor's burst of
/// events for one save (truncate and write, or write a temporary file and
/// rename it: a few milliseconds) arrives as one batch, after the save.
/// Should a burst still be split, the second rebuild finds the site
/// unchanged and browsers are not reloaded again.
pub const DEBOUNCE: Duration = Duration::from_millis(20);
/// How often held-back events are looked at: a batch goes out between
/// `DEBOUNCE` and `DEBOUNCE + TICK` after its first event.
const TICK: Duration = Duration::from_millis(5);
/// How often `--poll` looks at the files.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// The folder of the portal root where data loaders' scripts live.
const LOADERS: &str = "loaders";

/// What kind of input changed; it decides what a rebuild must redo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// `content/_index.md`: the portal's settings and home page.
    Settings,
    /// A narrative or report page under content/.
    Content,
    /// A data file.
    Data,
    /// A template of the theme.
    Template,
    /// A file under templates/static/.
    Static,
    /// A data loader's script (or a file it reads) under `<root>/loaders/`:
    /// the rebuild re-plans the loader sources, whose key hashes the script,
    /// so an edited loader runs again.
    Loader,
}

/// One changed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// Relative to the watched folder of its kind.
    pub path: PathBuf,
    pub action: &'static str,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = format!("{:?}", self.kind).to_lowercase();
        write!(f, "{kind} {} {}", self.path.display(), self.action)
    }
}

/// The watched folders (canonical, as notify reports paths below them) and
/// the output folder, whose events are ignored.
#[derive(Clone, Debug)]
pub struct Roots {
    content: PathBuf,
    data: PathBuf,
    templates: PathBuf,
    /// `<root>/loaders/`, where data loaders' scripts live.
    loaders: PathBuf,
    output: PathBuf,
}

impl Roots {
    /// The canonical form of the portal's folders; missing ones keep their path.
    pub fn new(paths: &Paths) -> Roots {
        Roots {
            content: canonical(&paths.content),
            data: canonical(&paths.data),
            templates: canonical(&paths.templates),
            loaders: canonical(&paths.root.join(LOADERS)),
            output: canonical(&paths.output),
        }
    }

    /// The folders to watch: those that exist.
    pub fn watched(&self) -> Vec<&Path> {
        [&self.content, &self.data, &self.templates, &self.loaders]
            .into_iter()
            .filter(|p| p.is_dir())
            .map(PathBuf::as_path)
            .collect()
    }

    /// The existing parents of the folders that do not exist yet, watched
    /// (not recursively) so that creating one of them is noticed.
    fn awaited(&self) -> Vec<&Path> {
        let mut parents: Vec<&Path> = [&self.data, &self.templates, &self.loaders]
            .into_iter()
            .filter(|p| !p.is_dir())
            .filter_map(|p| p.parent())
            .filter(|p| p.is_dir())
            .collect();
        parents.sort();
        parents.dedup();
        parents
    }

    /// Sort a changed path into its kind; `None` for what must not trigger a
    /// rebuild (the output, editor temp files, paths outside the portal).
    pub fn classify(&self, path: &Path) -> Option<(ChangeKind, PathBuf)> {
        if path.starts_with(&self.output) {
            return None;
        }
        let static_dir = self.templates.join("static");
        let (kind, root) = [
            (ChangeKind::Static, static_dir.as_path()),
            (ChangeKind::Template, self.templates.as_path()),
            (ChangeKind::Data, self.data.as_path()),
            (ChangeKind::Content, self.content.as_path()),
            (ChangeKind::Loader, self.loaders.as_path()),
        ]
        .into_iter()
        .filter(|(_, root)| path.starts_with(root))
        .max_by_key(|(_, root)| root.components().count())?;
        let rel = path.strip_prefix(root).ok()?.to_path_buf();
        if rel.iter().any(|c| is_temp_name(&c.to_string_lossy())) {
            return None;
        }
        let kind = if kind == ChangeKind::Content && rel == Path::new("_index.md") {
            ChangeKind::Settings
        } else {
            kind
        };
        Some((kind, rel))
    }

    /// The changes a batch of debounced events stands for, one per path.
    pub fn changes(&self, events: &[DebouncedEvent]) -> Vec<Change> {
        let mut by_path: BTreeMap<(ChangeKind, PathBuf), &'static str> = BTreeMap::new();
        for event in events {
            if event.need_rescan() {
                // The OS dropped events: assume anything may have changed.
                by_path.insert((ChangeKind::Content, PathBuf::from("*")), "rescanned");
            }
            let Some(action) = action(&event.kind) else {
                continue;
            };
            for path in &event.paths {
                if let Some(key) = self.classify(path) {
                    let entry = by_path.entry(key).or_insert(action);
                    // A file created then written in the same batch is new.
                    if *entry != "created" || action != "modified" {
                        *entry = action;
                    }
                }
            }
        }
        by_path
            .into_iter()
            .map(|((kind, path), action)| Change { kind, path, action })
            .collect()
    }
}

/// The canonical path; for a folder not created yet (the output before the
/// first build), its parent's canonical path joined with its name.
fn canonical(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
            canonical(parent).join(name)
        }
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// Editor backups, lock and swap files, hidden files, and vim's write probe.
fn is_temp_name(name: &str) -> bool {
    wawasan::content::is_editor_temp(name) || name == "4913"
}

/// What happened to a path, in the log's words; `None` for mere reads.
fn action(kind: &EventKind) -> Option<&'static str> {
    use notify::event::ModifyKind;
    match kind {
        EventKind::Access(_) => None,
        EventKind::Create(_) => Some("created"),
        EventKind::Remove(_) => Some("removed"),
        EventKind::Modify(ModifyKind::Name(_)) => Some("renamed"),
        EventKind::Modify(_) => Some("modified"),
        EventKind::Any | EventKind::Other => Some("changed"),
    }
}

/// Keeps the watchers alive; dropping it stops watching.
pub struct Watcher {
    _debouncers: Vec<Box<dyn std::any::Any + Send>>,
    /// The folders watched recursively when it started.
    folders: Vec<PathBuf>,
    poll: bool,
    batches: mpsc::Sender<Vec<DebouncedEvent>>,
}

impl Watcher {
    /// Start watching again if a portal folder was created since the
    /// watching started (a `templates/` added while serving, say); returns
    /// whether it did.
    pub fn follow_new_folders(&mut self, roots: &Roots) -> Result<bool> {
        if owned(roots.watched()) == self.folders {
            return Ok(false);
        }
        *self = start(roots, self.poll, self.batches.clone())?;
        Ok(true)
    }
}

fn owned(paths: Vec<&Path>) -> Vec<PathBuf> {
    paths.into_iter().map(Path::to_path_buf).collect()
}

/// Start watching the portal's folders; every debounced batch of events
/// goes to `batches`.
///
/// Polling compares modification times, which notify reads in whole
/// seconds, so content/, templates/ and loaders/ (small text files) are
/// also compared by content: two saves within a second are both seen. Data
/// files, which can be large, are compared by modification time only.
pub fn start(
    roots: &Roots,
    poll: bool,
    batches: mpsc::Sender<Vec<DebouncedEvent>>,
) -> Result<Watcher> {
    let folders = roots.watched();
    let watched = owned(folders.clone());
    let awaited = roots.awaited();
    let mut debouncers: Vec<Box<dyn std::any::Any + Send>> = Vec::new();
    if poll {
        let (data, text): (Vec<&Path>, Vec<&Path>) =
            folders.into_iter().partition(|p| *p == roots.data);
        // The awaited parents are polled with the text folders (without
        // their subfolders).
        for (dirs, parents, compare_contents) in [(text, awaited, true), (data, vec![], false)] {
            if dirs.is_empty() && parents.is_empty() {
                continue;
            }
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(compare_contents);
            let debouncer: Debouncer<PollWatcher, _> = new_debouncer_opt(
                DEBOUNCE,
                Some(TICK),
                forward(batches.clone()),
                NoCache::new(),
                config,
            )
            .map_err(cannot_watch)?;
            debouncers.push(Box::new(watch_folders(debouncer, &dirs, &parents)?));
        }
    } else {
        let config = notify::Config::default();
        let handler = forward(batches.clone());
        let debouncer: Debouncer<RecommendedWatcher, _> = new_debouncer_opt(
            DEBOUNCE,
            Some(TICK),
            handler,
            RecommendedCache::new(),
            config,
        )
        .map_err(cannot_watch)?;
        debouncers.push(Box::new(watch_folders(debouncer, &folders, &awaited)?));
    }
    Ok(Watcher {
        _debouncers: debouncers,
        folders: watched,
        poll,
        batches,
    })
}

/// An event handler that passes batches on and reports watch errors.
fn forward(batches: mpsc::Sender<Vec<DebouncedEvent>>) -> impl FnMut(DebounceEventResult) {
    move |result| match result {
        Ok(events) => {
            let _ = batches.send(events);
        }
        Err(errors) => {
            for e in errors {
                eprintln!("watch error: {e}");
            }
        }
    }
}

fn cannot_watch(e: notify::Error) -> Error {
    Error::new("cannot watch the portal's files").caused_by(e)
}

/// Watch `dirs` with everything below them, and `parents` themselves only.
fn watch_folders<T: notify::Watcher, C: FileIdCache>(
    mut debouncer: Debouncer<T, C>,
    dirs: &[&Path],
    parents: &[&Path],
) -> Result<Debouncer<T, C>> {
    let modes = dirs
        .iter()
        .map(|d| (d, RecursiveMode::Recursive))
        .chain(parents.iter().map(|p| (p, RecursiveMode::NonRecursive)));
    for (dir, mode) in modes {
        debouncer.watch(dir, mode).map_err(|e| {
            Error::new(format!("cannot watch {}", dir.display()))
                .at(dir)
                .caused_by(e)
                .hint("on network drives or in containers, try `wawasan serve --poll`")
        })?;
    }
    Ok(debouncer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, ModifyKind, RemoveKind};
    use std::time::Instant;

    fn roots() -> Roots {
        Roots::new(&Paths::under("/p"))
    }

    fn event(kind: EventKind, path: &str) -> DebouncedEvent {
        DebouncedEvent::new(
            notify::Event::new(kind).add_path(PathBuf::from(path)),
            Instant::now(),
        )
    }

    #[test]
    fn paths_are_sorted_into_kinds() {
        let r = roots();
        let kind = |p: &str| r.classify(Path::new(p)).map(|(k, _)| k);
        assert_eq!(kind("/p/content/_index.md"), Some(ChangeKind::Settings));
        assert_eq!(kind("/p/content/shop/_index.md"), Some(ChangeKind::Content));
        assert_eq!(
            kind("/p/content/shop/findings.md"),
            Some(ChangeKind::Content)
        );
        assert_eq!(kind("/p/data/sales.csv"), Some(ChangeKind::Data));
        assert_eq!(kind("/p/templates/page.html"), Some(ChangeKind::Template));
        assert_eq!(
            kind("/p/templates/static/style.css"),
            Some(ChangeKind::Static)
        );
        assert_eq!(kind("/p/loaders/sales.py"), Some(ChangeKind::Loader));
        assert_eq!(kind("/p/loaders/lib/api.py"), Some(ChangeKind::Loader));
        assert_eq!(kind("/p/loaders/.sales.py.swp"), None);
        // Files of the root outside the portal's folders are not inputs.
        assert_eq!(kind("/p/README.md"), None);
        assert_eq!(kind("/p/.wawasan-cache/sources/k.json"), None);
        assert_eq!(kind("/elsewhere/x.md"), None);
        let rel = r
            .classify(Path::new("/p/content/shop/findings.md"))
            .unwrap()
            .1;
        assert_eq!(rel, PathBuf::from("shop/findings.md"));
    }

    #[test]
    fn editor_temp_files_and_the_output_are_ignored() {
        let r = Roots::new(&Paths {
            root: "/p".into(),
            content: "/p/content".into(),
            data: "/p/data".into(),
            templates: "/p/templates".into(),
            output: "/p/content/public".into(),
        });
        for path in [
            "/p/content/shop/.findings.md.swp",
            "/p/content/shop/findings.md~",
            "/p/content/shop/.#findings.md",
            "/p/content/shop/#findings.md#",
            "/p/content/shop/4913",
            "/p/content/.git/index",
            "/p/content/public/index.html",
            "/p/content/.public.building-12/index.html",
        ] {
            assert_eq!(r.classify(Path::new(path)), None, "{path}");
        }
    }

    #[test]
    fn a_missing_output_folder_is_still_recognised() {
        let tmp = tempfile::tempdir().unwrap();
        let content = tmp.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        let r = Roots::new(&Paths {
            output: content.join("public"),
            ..Paths::under(tmp.path())
        });
        let real = content.canonicalize().unwrap();
        assert_eq!(r.classify(&real.join("public/index.html")), None);
        assert!(r.classify(&real.join("a/_index.md")).is_some());
    }

    #[test]
    fn the_loaders_folder_is_watched_or_awaited() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        for dir in ["content", "data", "templates"] {
            std::fs::create_dir(root.join(dir)).unwrap();
        }
        let before = Roots::new(&Paths::under(&root));
        assert!(!before.watched().contains(&root.join("loaders").as_path()));
        // Its parent, the root, is watched so that creating it is noticed.
        assert_eq!(before.awaited(), vec![root.as_path()]);
        std::fs::create_dir(root.join("loaders")).unwrap();
        let after = Roots::new(&Paths::under(&root));
        assert_eq!(
            after.watched(),
            ["content", "data", "templates", "loaders"]
                .map(|d| root.join(d))
                .iter()
                .map(PathBuf::as_path)
                .collect::<Vec<_>>()
        );
        assert!(after.awaited().is_empty());
        let change = after.classify(&root.join("loaders/invoices.py"));
        assert_eq!(
            change,
            Some((ChangeKind::Loader, PathBuf::from("invoices.py")))
        );
    }

    #[test]
    fn a_batch_becomes_one_change_per_path() {
        let r = roots();
        let events = [
            event(
                EventKind::Access(notify::event::AccessKind::Any),
                "/p/data/a.csv",
            ),
            event(EventKind::Create(CreateKind::File), "/p/content/s/new.md"),
            event(
                EventKind::Modify(ModifyKind::Data(DataChange::Any)),
                "/p/content/s/new.md",
            ),
            event(EventKind::Remove(RemoveKind::File), "/p/content/s/old.md"),
            event(
                EventKind::Modify(ModifyKind::Data(DataChange::Any)),
                "/p/loaders/sales.py",
            ),
            event(
                EventKind::Modify(ModifyKind::Any),
                "/p/content/s/.old.md.swp",
            ),
        ];
        let changes: Vec<String> = r.changes(&events).iter().map(Change::to_string).collect();
        assert_eq!(
            changes,
            vec![
                "content s/new.md created",
                "content s/old.md removed",
                "loader sales.py modified"
            ]
        );
    }
}
