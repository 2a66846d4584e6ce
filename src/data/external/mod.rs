//! Database and loader sources: fetches their data into the fetch cache
//! (`.wawasan-cache/sources/`), reuses a copy that is fresh enough for the
//! source's `max_age`, and points the source at it, so that it is read and
//! cleaned like a data file.
//!
//! A fetched copy is keyed by a hash of what identifies the data — the
//! connection's identity (user, hosts, ports, database; never the password)
//! and the SQL, or a loader's command line and the content of its script —
//! and stored as `<key>.parquet` (databases) or `<key>.data.<ext>`
//! (loaders) beside `<key>.json`, which records when it was fetched, by
//! which process, and how many rows it holds.

pub mod env;
pub mod loader;
pub mod parquet_sink;
pub mod postgres;
pub mod prune;
pub mod pushdown;
pub mod text_format;

use super::source::{Fetched, Format, SourceKind, SourceSpec, Wanted};
use crate::config::DatabaseSpec;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What fetching needs to know about the build.
pub struct FetchContext<'a> {
    /// The portal root: loaders run here.
    pub root: &'a Path,
    /// The folder fetched copies are kept in.
    pub dir: &'a Path,
    /// `[databases.NAME]` of `content/_index.md`.
    pub databases: &'a BTreeMap<String, DatabaseSpec>,
    /// Refetch whatever the sources' `max_age`.
    pub refresh: bool,
    /// `content/_index.md` and its text, where connection errors point.
    pub portal_index: &'a Path,
    pub portal_text: &'a str,
}

/// A source's fetch, planned without touching the network: its key and
/// how to get the data.
#[derive(Clone, Debug)]
pub struct Planned {
    pub key: String,
    pub max_age: Option<Duration>,
    pub how: How,
}

/// How a source's data is fetched.
#[derive(Clone, Debug)]
pub enum How {
    Database {
        connection: postgres::Connection,
        select: postgres::Select,
    },
    /// An analysis' aggregate, computed by the server.
    Pushdown {
        connection: postgres::Connection,
        pushdown: pushdown::Pushdown,
    },
    Command {
        command: Vec<String>,
        output: Option<String>,
        timeout: Duration,
        format: Option<Format>,
    },
}

/// A fetch done (or a fresh copy found): the file, and the rows fetched.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub fetched: Fetched,
    /// Rows in the fetched copy (database sources; loaders' output is
    /// counted when it is read).
    pub rows: Option<usize>,
    /// Whether the copy came from the cache rather than the source.
    pub reused: bool,
}

/// What `<key>.json` records of a fetched copy.
#[derive(Clone, Serialize, Deserialize)]
struct Meta {
    /// Seconds since the Unix epoch.
    fetched_at: u64,
    /// The process that fetched it (see `process_token`).
    #[serde(default)]
    fetched_by: String,
    /// The last other process that reused it (a lease: pruning leaves a
    /// copy alone while that process runs).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    used_by: String,
    file: String,
    format: Format,
    rows: Option<usize>,
}

/// Plan the fetch of a database or loader source (`None` for a file
/// source): check its settings and compute its key.
pub fn plan(spec: &SourceSpec, cx: &FetchContext, wanted: &Wanted) -> Result<Option<Planned>> {
    check_kind(spec)?;
    let max_age = spec
        .max_age
        .as_deref()
        .map(|text| parse_duration(text).map_err(|e| e.setting("max_age")))
        .transpose()?;
    let planned = match spec.kind() {
        SourceKind::File => return Ok(None),
        SourceKind::Database => {
            let name = spec.database.as_deref().unwrap_or_default();
            let declared = cx
                .databases
                .get(name)
                .ok_or_else(|| unknown_database(name, cx))?;
            let connection = postgres::Connection::declare(name, declared).map_err(|e| {
                let header = format!("[databases.{name}]");
                let line = cx
                    .portal_text
                    .lines()
                    .position(|l| l.trim() == header)
                    .map(|i| i + 2); // the front matter starts on line 2
                e.at(cx.portal_index).maybe_line(line)
            })?;
            let select = postgres::Select::of(spec, wanted)?;
            let key = key_of(&["database", &connection.identity, &select.identity()]);
            Planned {
                key,
                max_age,
                how: How::Database { connection, select },
            }
        }
        SourceKind::Command => {
            let command = spec.command.clone().unwrap_or_default();
            let timeout = spec
                .timeout
                .as_deref()
                .map(|t| parse_duration(t).map_err(|e| e.setting("timeout")))
                .transpose()?
                .unwrap_or(loader::DEFAULT_TIMEOUT);
            let identity = loader::identity(&command, spec.output.as_deref(), cx.root)?;
            let format = spec.format.map(|f| format!("{f:?}")).unwrap_or_default();
            let key = key_of(&["command", &identity, &format]);
            Planned {
                key,
                max_age,
                how: How::Command {
                    command,
                    output: spec.output.clone(),
                    timeout,
                    format: spec.format,
                },
            }
        }
    };
    Ok(Some(planned))
}

/// Fetch a planned source, or find a copy fresh enough to reuse.
pub fn fetch(spec: &SourceSpec, planned: &Planned, cx: &FetchContext) -> Result<Outcome> {
    if let Some(outcome) = reusable(planned, cx) {
        return Ok(outcome);
    }
    std::fs::create_dir_all(cx.dir).map_err(|e| Error::io("create", cx.dir, e))?;
    let stem = cx.dir.join(&planned.key);
    let (file, format, rows) = match &planned.how {
        How::Database { connection, select } => {
            let file = stem.with_extension("parquet");
            let rows = postgres::fetch_to_parquet(&spec.name, connection, select, &file)?;
            (file, Format::Parquet, Some(rows))
        }
        How::Pushdown { .. } => {
            return Err(Error::new(
                "internal: a pushdown is fetched with `fetch_pushdown`",
            ));
        }
        How::Command { .. } => {
            let out = loader::run(spec, &planned.how, cx.root, &stem)?;
            (out.file, out.format, None)
        }
    };
    let meta = Meta {
        fetched_at: now_secs(),
        fetched_by: process_token().to_string(),
        used_by: String::new(),
        file: file_name(&file),
        format,
        rows,
    };
    write_meta(&stem.with_extension("json"), &meta)?;
    Ok(Outcome {
        fetched: Fetched {
            file,
            format,
            key: planned.key.clone(),
        },
        rows,
        reused: false,
    })
}

/// Plan the pushdown of an analysis' aggregation over a database source:
/// `None` when the source is no database, or its cleaning cannot be
/// expressed in SQL (then its rows are fetched).
pub fn plan_pushdown(
    spec: &SourceSpec,
    aggregate: pushdown::Aggregate,
    cx: &FetchContext,
) -> Result<Option<Planned>> {
    if spec.kind() != SourceKind::Database || pushdown::not_expressible(spec, &aggregate).is_some()
    {
        return Ok(None);
    }
    // Its rows may never be read here: a broken `derive` is found now.
    crate::data::clean::check_derive_syntax(spec)?;
    let Some(Planned {
        how: How::Database { connection, select },
        max_age,
        ..
    }) = plan(spec, cx, &Wanted::All)?
    else {
        return Ok(None);
    };
    let pushdown = pushdown::Pushdown {
        select,
        rename: spec
            .rename
            .iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect(),
        conditions: pushdown::conditions(spec).unwrap_or_default(),
        aggregate,
    };
    let key = key_of(&["pushdown", &connection.identity, &pushdown.identity()]);
    Ok(Some(Planned {
        key,
        max_age,
        how: How::Pushdown {
            connection,
            pushdown,
        },
    }))
}

/// Fetch a planned pushdown (or reuse a fresh copy); `Err(why)` inside when
/// the server's columns do not allow it (the rows are fetched instead).
pub fn fetch_pushdown(
    spec: &SourceSpec,
    planned: &Planned,
    cx: &FetchContext,
) -> Result<std::result::Result<Outcome, String>> {
    if let Some(outcome) = reusable(planned, cx) {
        return Ok(Ok(outcome));
    }
    let How::Pushdown {
        connection,
        pushdown,
    } = &planned.how
    else {
        return Err(Error::new("internal: not a pushdown"));
    };
    std::fs::create_dir_all(cx.dir).map_err(|e| Error::io("create", cx.dir, e))?;
    let stem = cx.dir.join(&planned.key);
    let file = stem.with_extension("parquet");
    let rows = match pushdown::fetch_aggregate(&spec.name, connection, pushdown, &file)? {
        pushdown::Outcome::Fetched(rows) => rows,
        pushdown::Outcome::NotPossible(why) => return Ok(Err(why)),
    };
    let meta = Meta {
        fetched_at: now_secs(),
        fetched_by: process_token().to_string(),
        used_by: String::new(),
        file: file_name(&file),
        format: Format::Parquet,
        rows: Some(rows),
    };
    write_meta(&stem.with_extension("json"), &meta)?;
    Ok(Ok(Outcome {
        fetched: Fetched {
            file,
            format: Format::Parquet,
            key: planned.key.clone(),
        },
        rows: Some(rows),
        reused: false,
    }))
}

/// A copy of `planned` fetched by this process, or (unless refreshing)
/// younger than the source's `max_age`.
fn reusable(planned: &Planned, cx: &FetchContext) -> Option<Outcome> {
    let stem = cx.dir.join(&planned.key);
    let meta: Meta =
        serde_json::from_slice(&std::fs::read(stem.with_extension("json")).ok()?).ok()?;
    let file = cx.dir.join(&meta.file);
    if !file.is_file() {
        return None;
    }
    let this_process = meta.fetched_by == process_token();
    let young = planned
        .max_age
        .is_some_and(|age| now_secs().saturating_sub(meta.fetched_at) <= age.as_secs());
    let reused = this_process || (young && !cx.refresh);
    if reused && !this_process && meta.used_by != process_token() {
        // Take the lease; a copy that cannot be marked is still read.
        let lease = Meta {
            used_by: process_token().to_string(),
            ..meta.clone()
        };
        let _ = write_meta(&stem.with_extension("json"), &lease);
    }
    reused.then(|| Outcome {
        fetched: Fetched {
            file,
            format: meta.format,
            key: planned.key.clone(),
        },
        rows: meta.rows,
        reused: true,
    })
}

/// What tells this process from every other: copies it fetched are
/// fresh (one build, or one `serve` session, fetches a source once).
fn process_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        format!("{}-{nanos}", std::process::id())
    })
}

/// The process id in a token made by `process_token`.
fn process_of(token: &str) -> Option<u32> {
    token.split('-').next()?.parse().ok()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Written beside the copy, through a temporary file: a build stopped
/// half-way never leaves a record of a copy that is not there.
fn write_meta(path: &Path, meta: &Meta) -> Result<()> {
    let text = serde_json::to_vec_pretty(meta).map_err(|e| Error::new(e.to_string()))?;
    write_atomically(path, &text)
}

/// Write `bytes` to `path` through a temporary file beside it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temporary_beside(path);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io("write", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io("write", path, e))
}

/// A temporary name beside `path` (same folder, so a rename moves it in).
pub fn temporary_beside(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// A stable key: a hash of the parts (which may hold nothing secret: the
/// key is a file name).
fn key_of(parts: &[&str]) -> String {
    let mut bytes = Vec::new();
    for part in parts {
        // Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
        bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes))
}

/// Exactly one of `path`, `database` and `command`, with the settings that
/// go with it.
fn check_kind(spec: &SourceSpec) -> Result<()> {
    let given: Vec<&str> = [
        ("path", !spec.path.is_empty()),
        ("database", spec.database.is_some()),
        ("command", spec.command.is_some()),
    ]
    .into_iter()
    .filter(|(_, set)| *set)
    .map(|(name, _)| name)
    .collect();
    let hint = "a source reads a file (`path = \"shop/sales.csv\"`), a database (`database = \"warehouse\"` with `query` or `table`) or a loader's output (`command = [\"python3\", \"loaders/sales.py\"]`)";
    match given.as_slice() {
        [] => {
            return Err(Error::new(format!(
                "source `{}` names no data: it has no `path`, `database` or `command`",
                spec.name
            ))
            .hint(hint));
        }
        [_] => {}
        many => {
            return Err(Error::new(format!(
                "source `{}` sets both `{}` and `{}`; it can read only one",
                spec.name, many[0], many[1]
            ))
            .setting(many[1])
            .hint(hint));
        }
    }
    let misplaced: &[(&str, bool, &str)] = &[
        ("query", spec.query.is_some(), "database"),
        ("table", spec.table.is_some(), "database"),
        ("output", spec.output.is_some(), "command"),
        ("timeout", spec.timeout.is_some(), "command"),
    ];
    for (setting, set, needs) in misplaced {
        let has = match *needs {
            "database" => spec.database.is_some(),
            _ => spec.command.is_some(),
        };
        if *set && !has {
            return Err(Error::new(format!(
                "`{setting}` only applies to a source with `{needs}`"
            ))
            .setting(*setting)
            .hint(format!("remove `{setting}`, or add `{needs}`")));
        }
    }
    if spec.max_age.is_some() && spec.kind() == SourceKind::File {
        return Err(
            Error::new("`max_age` only applies to database and loader sources")
                .setting("max_age")
                .hint("a data file is reread whenever it changes; remove `max_age`"),
        );
    }
    if spec.database.is_some() {
        match (&spec.query, &spec.table) {
            (Some(_), Some(_)) => {
                return Err(
                    Error::new("a database source sets both `query` and `table`")
                        .setting("table")
                        .hint(
                            "keep `query = \"SELECT ...\"` or `table = \"schema.table\"`, not both",
                        ),
                );
            }
            (None, None) => {
                return Err(Error::new(format!(
                    "database source `{}` says neither what to read: add `query` or `table`",
                    spec.name
                ))
                .setting("database")
                .hint("e.g. `table = \"thelook.order_items\"` or `query = \"SELECT * FROM orders WHERE status <> 'Cancelled'\"`"));
            }
            _ => {}
        }
    }
    if let Some(command) = &spec.command
        && command
            .first()
            .is_none_or(|program| program.trim().is_empty())
    {
        return Err(Error::new("`command` is empty")
            .setting("command")
            .hint("give the program and its arguments, e.g. `command = [\"python3\", \"loaders/invoices.py\"]`"));
    }
    Ok(())
}

fn unknown_database(name: &str, cx: &FetchContext) -> Error {
    let known: Vec<&str> = cx.databases.keys().map(String::as_str).collect();
    let hint = if known.is_empty() {
        format!(
            "declare it in content/_index.md: `[databases.{name}]` with `url = \"${{{}_URL}}\"`, the URL in that environment variable",
            name.to_uppercase()
        )
    } else {
        format!("declared databases: {}", known.join(", "))
    };
    Error::new(format!("unknown database `{name}`"))
        .setting("database")
        .hint(hint)
}

/// A duration such as `90s`, `30m`, `6h`, `2d` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let seconds = match unit.trim() {
        "" | "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => 0,
    };
    match number.parse::<u64>() {
        Ok(n) if seconds > 0 => Ok(Duration::from_secs(n.saturating_mul(seconds))),
        _ => Err(Error::new(format!("`{text}` is not a duration"))
            .hint("write a whole number and a unit: `90s`, `30m`, `6h` or `2d`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_their_units() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration(" 6h ").unwrap(), Duration::from_secs(21_600));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert_eq!(parse_duration("15").unwrap(), Duration::from_secs(15));
        for bad in ["", "h", "6 hours", "-1h", "1.5h", "6w"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
