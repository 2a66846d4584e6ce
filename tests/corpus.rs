//! The bad-input corpus: every `tests/corpus/*.case` file is one small
//! change to a copy of `tests/fixtures/tiny` (a good portal), built by the
//! real binary after a first, good build made `public/` (that build runs
//! once; each case starts from a copy of its result, cache included).
//!
//! Every case asserts: the exit status it expects (`expect = error` or
//! `ok`), that the process was not killed by a signal (abort, stack
//! overflow) and did not time out, that stderr holds no panic
//! (`panicked`, `RUST_BACKTRACE`, `stack overflow`) and stays short (an
//! error shows at most the start of a long line), and that nothing is left
//! in the root but what was there before (no `.public.building-*` or
//! `.public.old-*` folders). An error case also asserts that stderr holds a
//! `hint:`, the `file:line` of `line =` (and the path of `file =`), and that
//! `public/` (file or folder, whatever it was) is byte-identical to before.
//! An `ok` case asserts that every JSON file of `public/` (outside
//! `assets/`) parses, and what its `same_output`/`absent`/`stderr_has` ask.
//! Last, stderr — the root replaced by `<root>`, durations by `<time>`,
//! process ids in staging folder names by `<pid>` — is
//! compared with the reviewed snapshot `tests/corpus/<case>.stderr`;
//! `WAWASAN_BLESS=1` writes the snapshots instead. Every failure of every
//! case is collected and reported together at the end.
//! `WAWASAN_CORPUS=text` runs only the cases whose name contains `text`.
//!
//! # The case format
//!
//! ```text
//! # One line: what this case checks.            (the first `#` line, required)
//! # More `#` lines are comments.
//! expect = error                                  (required: error | ok)
//! line = content/shop/_index.md:14                (stderr must name this file:line)
//! file = data/sales.csv                           (stderr must name this path)
//! check = yes                                     (also run `wawasan check`, same expectations)
//! args = --base-url javascript:alert(1)           (extra arguments, split at spaces)
//! same_output = yes                               (ok: public/ equals the good build's)
//! absent = NaN                                    (ok: no page, JSON or CSV of public/ holds it; repeatable)
//! stderr_has = padded                             (stderr must contain it; repeatable)
//! stderr_lacks = data/sales.csv:7                 (stderr must not name it, e.g. a wrong file:line; repeatable)
//! known = what is still wrong                     (a known gap: the expectations must still fail, strictly)
//! --- write PATH                                  (the file is the section's lines, each ending in \n;
//!                                                  trailing blank lines dropped)
//! --- append PATH                                 (the same, added to the end of the file)
//! --- edit PATH                                   (replace the first occurrence; the old text must be there)
//! <<< old text                                    (one line; or `<<<` alone, then lines up to `>>>`)
//! >>> new text                                    (one line; or `>>>` alone, then lines up to the next
//!                                                  `<<<` or the end; several pairs may follow)
//! --- bytes PATH                                  (exact bytes: line breaks in the section are ignored;
//!                                                  escapes \n \r \t \0 \\ \xNN)
//! --- generate PATH                               (like write, and %REPEAT:N:TEXT% becomes TEXT N times,
//!                                                  so a 10 MB line is not stored in git)
//! --- delete PATH                                 (a file, folder or link)
//! --- mkdir PATH
//! --- symlink PATH -> TARGET                      (TARGET as written: relative to the link's folder)
//! --- copy FROM -> TO                             (a file; FROM may be in public/ of the good build)
//! --- move FROM -> TO
//! --- garble DIR                                  (overwrite every file below DIR with junk)
//! ```
//! A line is a section start only when it is `--- ` and one of these verbs.
//! In every text, `<root>` becomes the portal's absolute root. PATHs are
//! relative to the root and may not contain `..`.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::os::unix::process::ExitStatusExt;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const VERBS: &[&str] = &[
    "write", "append", "edit", "bytes", "generate", "delete", "mkdir", "symlink", "copy", "move",
    "garble",
];
/// Longest acceptable stderr of one run (a 10 MB line must not be echoed).
const MAX_STDERR: usize = 8_000;
/// A run that takes longer is killed and reported.
const TIMEOUT: Duration = Duration::from_secs(120);
const THREADS: usize = 3;

#[derive(Debug)]
enum Op {
    Write(String, Vec<u8>),
    Append(String, Vec<u8>),
    Edit(String, Vec<(String, String)>),
    Delete(String),
    Mkdir(String),
    Symlink(String, String),
    Copy(String, String),
    Move(String, String),
    Garble(String),
}

#[derive(Debug, Default)]
struct Case {
    name: String,
    description: String,
    expect_ok: bool,
    line: Option<String>,
    file: Option<String>,
    check: bool,
    args: Vec<String>,
    same_output: bool,
    absent: Vec<String>,
    stderr_has: Vec<String>,
    stderr_lacks: Vec<String>,
    /// A known gap: what wawasan still gets wrong for this case. Its
    /// expectations must still fail (strictly: once they pass, the case
    /// says so and `known` must go); crashes, leftovers and snapshot
    /// changes are reported as always.
    known: Option<String>,
    ops: Vec<Op>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

// ---------------------------------------------------------------- parsing

fn parse_case(name: &str, text: &str) -> Result<Case, String> {
    let mut case = Case {
        name: name.to_string(),
        ..Case::default()
    };
    let mut expect = None;
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() && section_start(lines[i]).is_none() {
        let line = lines[i].trim();
        i += 1;
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if case.description.is_empty() {
                case.description = comment.trim().to_string();
            }
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("header line {i} is not `key = value`: {line}"))?;
        let value = value.trim().to_string();
        match key.trim() {
            "expect" => {
                expect = Some(match value.as_str() {
                    "ok" => true,
                    "error" => false,
                    other => return Err(format!("expect = {other}: use ok or error")),
                })
            }
            "line" => case.line = Some(value),
            "file" => case.file = Some(value),
            "check" => case.check = value == "yes",
            "args" => case.args = value.split_whitespace().map(String::from).collect(),
            "same_output" => case.same_output = value == "yes",
            "absent" => case.absent.push(value),
            "stderr_has" => case.stderr_has.push(value),
            "stderr_lacks" => case.stderr_lacks.push(value),
            "known" => case.known = Some(value),
            other => return Err(format!("unknown header key `{other}`")),
        }
    }
    case.expect_ok = expect.ok_or("no `expect =` line")?;
    if case.description.is_empty() {
        return Err("no `# description` line".into());
    }
    while i < lines.len() {
        let (verb, arg) = section_start(lines[i]).expect("at a section start");
        i += 1;
        let start = i;
        while i < lines.len() && section_start(lines[i]).is_none() {
            i += 1;
        }
        let mut body: Vec<&str> = lines[start..i].to_vec();
        while body.last().is_some_and(|l| l.trim().is_empty()) {
            body.pop();
        }
        case.ops.push(parse_op(verb, arg, &body)?);
    }
    if case.ops.is_empty() && case.args.is_empty() {
        return Err("the case changes nothing".into());
    }
    Ok(case)
}

fn section_start(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("--- ")?;
    let (verb, arg) = rest.split_once(' ').unwrap_or((rest, ""));
    VERBS.contains(&verb).then(|| (verb, arg.trim()))
}

fn text_of(body: &[&str]) -> Vec<u8> {
    body.iter()
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect()
}

fn two_paths(arg: &str) -> Result<(String, String), String> {
    let (a, b) = arg
        .split_once(" -> ")
        .ok_or_else(|| format!("`{arg}`: expected `A -> B`"))?;
    Ok((a.trim().to_string(), b.trim().to_string()))
}

fn parse_op(verb: &str, arg: &str, body: &[&str]) -> Result<Op, String> {
    let path = arg.to_string();
    if !matches!(verb, "symlink" | "copy" | "move") {
        check_rel(&path)?;
    }
    let no_body = |op: Op| {
        if body.is_empty() {
            Ok(op)
        } else {
            Err(format!("`--- {verb}` takes no text"))
        }
    };
    match verb {
        "write" => Ok(Op::Write(path, text_of(body))),
        "append" => Ok(Op::Append(path, text_of(body))),
        "generate" => Ok(Op::Write(path, expand_repeats(&text_of(body))?)),
        "bytes" => Ok(Op::Write(path, unescape(&body.concat())?)),
        "edit" => Ok(Op::Edit(path, parse_edits(body)?)),
        "delete" => no_body(Op::Delete(path)),
        "mkdir" => no_body(Op::Mkdir(path)),
        "garble" => no_body(Op::Garble(path)),
        "symlink" => {
            let (link, target) = two_paths(arg)?;
            check_rel(&link)?;
            no_body(Op::Symlink(link, target))
        }
        "copy" | "move" => {
            let (from, to) = two_paths(arg)?;
            check_rel(&from)?;
            check_rel(&to)?;
            no_body(if verb == "copy" {
                Op::Copy(from, to)
            } else {
                Op::Move(from, to)
            })
        }
        _ => unreachable!(),
    }
}

fn check_rel(path: &str) -> Result<(), String> {
    let p = Path::new(path);
    if path.is_empty()
        || p.is_absolute()
        || p.components().any(|c| matches!(c, Component::ParentDir))
    {
        return Err(format!("`{path}` must be a relative path inside the root"));
    }
    Ok(())
}

fn parse_edits(body: &[&str]) -> Result<Vec<(String, String)>, String> {
    // Chunks: (is_old, lines).
    let mut chunks: Vec<(bool, Vec<&str>)> = Vec::new();
    for line in body {
        let marker = line
            .strip_prefix("<<<")
            .map(|rest| (true, rest))
            .or_else(|| line.strip_prefix(">>>").map(|rest| (false, rest)));
        match marker {
            Some((old, rest)) => {
                let mut lines = Vec::new();
                if let Some(text) = rest.strip_prefix(' ') {
                    lines.push(text);
                } else if !rest.is_empty() {
                    return Err(format!("`{line}`: put a space after the marker"));
                }
                chunks.push((old, lines));
            }
            None => match chunks.last_mut() {
                Some((_, lines)) => lines.push(line),
                None => return Err(format!("edit text before `<<<`: {line}")),
            },
        }
    }
    if chunks.is_empty() || !chunks.len().is_multiple_of(2) {
        return Err("an edit needs `<<<` / `>>>` pairs".into());
    }
    chunks
        .chunks(2)
        .map(|pair| match pair {
            [(true, old), (false, new)] => Ok((old.join("\n"), new.join("\n"))),
            _ => Err("an edit needs `<<<` then `>>>`".into()),
        })
        .collect()
}

fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let next = *bytes.get(i + 1).ok_or("a lone `\\` at the end")?;
        i += 2;
        match next {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'0' => out.push(0),
            b'\\' => out.push(b'\\'),
            b'x' => {
                let hex = text.get(i..i + 2).ok_or("`\\x` needs two hex digits")?;
                out.push(u8::from_str_radix(hex, 16).map_err(|e| format!("\\x{hex}: {e}"))?);
                i += 2;
            }
            other => return Err(format!("unknown escape `\\{}`", other as char)),
        }
    }
    Ok(out)
}

fn expand_repeats(text: &[u8]) -> Result<Vec<u8>, String> {
    let text = String::from_utf8(text.to_vec()).map_err(|e| e.to_string())?;
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("%REPEAT:") {
        out.push_str(&rest[..at]);
        let spec = &rest[at + "%REPEAT:".len()..];
        let end = spec.find('%').ok_or("unclosed %REPEAT:")?;
        let (count, unit) = spec[..end]
            .split_once(':')
            .ok_or("%REPEAT:N:TEXT% needs N and TEXT")?;
        let count: usize = count.parse().map_err(|e| format!("%REPEAT count: {e}"))?;
        out.push_str(&unit.repeat(count));
        rest = &spec[end + 1..];
    }
    out.push_str(rest);
    Ok(out.into_bytes())
}

// ---------------------------------------------------------------- applying

fn replace_root(bytes: &[u8], root: &Path) -> Vec<u8> {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("<root>") => text
            .replace("<root>", &root.display().to_string())
            .into_bytes(),
        _ => bytes.to_vec(),
    }
}

fn remove_any(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) => Err(e),
    }
}

fn create_parent(path: &Path) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    Ok(())
}

fn apply(op: &Op, root: &Path) -> Result<(), String> {
    let at = |rel: &str| root.join(rel);
    let err = |rel: &str, e: std::io::Error| format!("{rel}: {e}");
    match op {
        Op::Write(rel, bytes) => {
            create_parent(&at(rel))?;
            std::fs::write(at(rel), replace_root(bytes, root)).map_err(|e| err(rel, e))
        }
        Op::Append(rel, bytes) => {
            let mut old = std::fs::read(at(rel)).map_err(|e| err(rel, e))?;
            old.extend(replace_root(bytes, root));
            std::fs::write(at(rel), old).map_err(|e| err(rel, e))
        }
        Op::Edit(rel, edits) => {
            let mut text = std::fs::read_to_string(at(rel)).map_err(|e| err(rel, e))?;
            for (old, new) in edits {
                if !text.contains(old.as_str()) {
                    return Err(format!("{rel} does not contain {old:?}"));
                }
                let new = String::from_utf8(replace_root(new.as_bytes(), root)).unwrap();
                text = text.replacen(old.as_str(), &new, 1);
            }
            std::fs::write(at(rel), text).map_err(|e| err(rel, e))
        }
        Op::Delete(rel) => remove_any(&at(rel)).map_err(|e| err(rel, e)),
        Op::Mkdir(rel) => std::fs::create_dir_all(at(rel)).map_err(|e| err(rel, e)),
        Op::Symlink(rel, target) => {
            create_parent(&at(rel))?;
            if std::fs::symlink_metadata(at(rel)).is_ok() {
                remove_any(&at(rel)).map_err(|e| err(rel, e))?;
            }
            let target = target.replace("<root>", &root.display().to_string());
            std::os::unix::fs::symlink(target, at(rel)).map_err(|e| err(rel, e))
        }
        Op::Copy(from, to) => {
            create_parent(&at(to))?;
            std::fs::copy(at(from), at(to))
                .map(drop)
                .map_err(|e| err(from, e))
        }
        Op::Move(from, to) => {
            create_parent(&at(to))?;
            std::fs::rename(at(from), at(to)).map_err(|e| err(from, e))
        }
        Op::Garble(rel) => {
            for entry in walkdir::WalkDir::new(at(rel)) {
                let entry = entry.map_err(|e| format!("{rel}: {e}"))?;
                if entry.file_type().is_file() {
                    let junk: Vec<u8> = (0..257u32).map(|i| (i * 37 % 251) as u8).collect();
                    std::fs::write(entry.path(), junk)
                        .map_err(|e| format!("{}: {e}", entry.path().display()))?;
                }
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------- running

struct Outcome {
    /// Exit code, or None when killed by a signal.
    code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    stderr: String,
}

fn run_wawasan(command: &str, root: &Path, args: &[String], scratch: &Path) -> Outcome {
    let err_path = scratch.join(format!("{command}.stderr"));
    let err_file = std::fs::File::create(&err_path).expect("stderr file");
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("<root>", &root.display().to_string()))
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .arg(command)
        .arg("--root")
        .arg(root)
        .args(&args)
        .env("WAWASAN_PROGRESS_AFTER_MS", "3600000")
        .env_remove("WAWASAN_TIMINGS")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err_file)
        .spawn()
        .expect("run wawasan");
    let started = Instant::now();
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break (status, false);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            break (child.wait().expect("wait"), true);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr =
        String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).into_owned();
    Outcome {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        stderr,
    }
}

/// `public/` as it is: missing, a file's bytes, or a folder's files.
#[derive(PartialEq)]
enum Tree {
    Missing,
    File(Vec<u8>),
    Dir(Vec<(PathBuf, Vec<u8>)>),
}

fn tree(path: &Path) -> Tree {
    match std::fs::symlink_metadata(path) {
        Err(_) => Tree::Missing,
        Ok(m) if m.is_dir() => Tree::Dir(common::snapshot(path)),
        Ok(_) => Tree::File(std::fs::read(path).unwrap_or_default()),
    }
}

fn root_entries(root: &Path) -> BTreeSet<String> {
    std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Root replaced by `<root>`, durations (`12.3ms`, `1.02s`, `4µs`) by `<time>`.
fn normalise(stderr: &str, root: &Path) -> String {
    let mut text = stderr.to_string();
    let mut roots = vec![root.display().to_string()];
    if let Ok(canonical) = root.canonicalize() {
        roots.push(canonical.display().to_string());
    }
    for r in roots {
        text = text.replace(&r, "<root>");
    }
    normalise_durations(&normalise_pids(&text))
}

/// The process id in staging folder names (`.public.old-4242`) as `<pid>`.
fn normalise_pids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = [".old-", ".building-"]
        .iter()
        .filter_map(|m| rest.find(m).map(|i| (i, m.len())))
        .min()
    {
        let (at, len) = at;
        out.push_str(&rest[..at + len]);
        rest = &rest[at + len..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push_str("<pid>");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

fn normalise_durations(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '.');
        if starts_word && chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j + 1 < chars.len() && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
                j += 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let rest: String = chars[j..chars.len().min(j + 2)].iter().collect();
            let unit = ["ns", "µs", "ms"]
                .iter()
                .find(|u| rest.starts_with(**u))
                .map(|u| u.chars().count())
                .or_else(|| rest.starts_with('s').then_some(1));
            if let Some(len) = unit {
                let end = j + len;
                if end >= chars.len() || !chars[end].is_alphanumeric() {
                    out.push_str("<time>");
                    i = end;
                    continue;
                }
            }
            out.extend(&chars[i..j]);
            i = j;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Whether `text` names `file:line` exactly (not `file:140` for `file:14`).
fn names_line(text: &str, line: &str) -> bool {
    text.match_indices(line)
        .any(|(at, _)| !text[at + line.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// Files of public/ outside assets/ with one of these extensions.
fn output_files(public: &Path, exts: &[&str]) -> Vec<PathBuf> {
    walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .filter(|p| {
            !p.strip_prefix(public)
                .is_ok_and(|r| r.starts_with("assets"))
        })
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
        })
        .collect()
}

/// `tests/fixtures/tiny` after a good build (its `public/` and
/// `.wawasan-cache/`), made once and copied for every case.
fn built_base(dir: &Path) -> PathBuf {
    let base = dir.join("base");
    let scratch = dir.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny"),
        &base,
    );
    let good = run_wawasan("build", &base, &[], &scratch);
    assert_eq!(
        good.code,
        Some(0),
        "the good base build failed:\n{}",
        good.stderr
    );
    base
}

/// Run one case on a copy of `base`; the problems found (empty: it passed).
fn run_case(case: &Case, base: &Path, bless: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("portal");
    let scratch = dir.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    common::copy_dir(base, &root);
    let good_public = if case.same_output {
        tree(&root.join("public"))
    } else {
        Tree::Missing
    };
    for op in &case.ops {
        if let Err(e) = apply(op, &root) {
            return vec![format!("cannot apply the case: {e}")];
        }
    }
    let mut commands = vec!["build"];
    if case.check {
        commands.push("check");
    }
    let mut transcript = String::new();
    for command in commands {
        let before = tree(&root.join("public"));
        let entries_before = root_entries(&root);
        let out = run_wawasan(command, &root, &case.args, &scratch);
        let stderr = normalise(&out.stderr, &root);
        let mut problem = |p: String| problems.push(format!("{command}: {p}"));
        let _ = writeln!(
            transcript,
            "$ wawasan {command}{}",
            case.args.iter().fold(String::new(), |s, a| s + " " + a)
        );
        transcript.push_str(&stderr);
        if out.timed_out {
            problem(format!("timed out after {}s (killed)", TIMEOUT.as_secs()));
        } else if let Some(signal) = out.signal {
            problem(format!(
                "killed by signal {signal} (abort or stack overflow)"
            ));
        }
        for bad in [
            "panicked",
            "RUST_BACKTRACE",
            "stack overflow",
            "overflowed its stack",
        ] {
            if stderr.contains(bad) {
                problem(format!("stderr contains `{bad}`"));
            }
        }
        if stderr.len() > MAX_STDERR {
            problem(format!(
                "stderr is {} bytes long (at most {MAX_STDERR})",
                stderr.len()
            ));
        }
        let leftovers: Vec<String> = root_entries(&root)
            .difference(&entries_before)
            .cloned()
            .collect();
        if !leftovers.is_empty() {
            problem(format!("left behind in the root: {leftovers:?}"));
        }
        for text in &case.stderr_has {
            if !stderr.contains(text.as_str()) {
                problem(format!("stderr does not contain {text:?}"));
            }
        }
        for text in &case.stderr_lacks {
            if names_line(&stderr, text) {
                problem(format!("stderr names {text:?}, which it should not"));
            }
        }
        if case.expect_ok {
            if out.code != Some(0) {
                problem(format!("expected success, exit status {:?}", out.code));
                continue;
            }
            if command != "build" {
                continue;
            }
            let public = root.join("public");
            if case.same_output && tree(&public) != good_public {
                problem("public/ differs from the good build's".to_string());
            }
            for file in output_files(&public, &["json"]) {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
                    problem(format!("{} is not valid JSON: {e}", file.display()));
                }
            }
            for text in &case.absent {
                for file in output_files(&public, &["html", "json", "csv"]) {
                    let bytes = std::fs::read(&file).unwrap_or_default();
                    if String::from_utf8_lossy(&bytes).contains(text.as_str()) {
                        problem(format!(
                            "{} contains {text:?}",
                            file.strip_prefix(&root).unwrap_or(&file).display()
                        ));
                    }
                }
            }
        } else {
            if out.code == Some(0) {
                problem("exit status 0, expected an error".to_string());
            }
            if !stderr.contains("hint:") {
                problem("no `hint:` in stderr".to_string());
            }
            if let Some(line) = &case.line
                && !names_line(&stderr, line)
            {
                problem(format!("stderr does not name `{line}`"));
            }
            if let Some(file) = &case.file
                && !stderr.contains(file.as_str())
            {
                problem(format!("stderr does not name `{file}`"));
            }
            if tree(&root.join("public")) != before {
                problem("public/ changed".to_string());
            }
        }
    }
    if let Some(gap) = &case.known {
        let expectation = |p: &String| {
            [
                "does not name",
                "no `hint:`",
                "exit status",
                "public/ changed",
            ]
            .iter()
            .any(|e| p.contains(e))
        };
        if problems.iter().any(expectation) {
            problems.retain(|p| !expectation(p));
            eprintln!("known gap {}: {gap}", case.name);
        } else {
            problems.push(format!(
                "the known gap `{gap}` is fixed: remove `known =` from the case"
            ));
        }
    }
    let snapshot = corpus_dir().join(format!("{}.stderr", case.name));
    if bless {
        std::fs::write(&snapshot, &transcript).expect("write snapshot");
    } else {
        let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
        if expected != transcript {
            problems.push(format!(
                "stderr differs from {} (- snapshot, + now):\n{}",
                snapshot
                    .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                    .unwrap_or(&snapshot)
                    .display(),
                diff(&expected, &transcript)
            ));
        }
    }
    if !problems.is_empty() && !problems.iter().any(|p| p.starts_with("stderr differs")) {
        problems.push(format!("stderr:\n{}", indent(&transcript)));
    }
    problems
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// A line diff (longest common subsequence) of two short texts.
fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            let _ = writeln!(out, "      {}", a[i]);
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = writeln!(out, "    + {}", b[j]);
            j += 1;
        } else {
            let _ = writeln!(out, "    - {}", a[i]);
            i += 1;
        }
    }
    out
}

fn load_cases() -> Vec<Result<Case, (String, String)>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).map_err(|e| (name.clone(), e.to_string()))?;
            parse_case(&name, &text).map_err(|e| (name, e))
        })
        .collect()
}

#[test]
fn bad_input_corpus() {
    let started = Instant::now();
    let bless = std::env::var("WAWASAN_BLESS").is_ok_and(|v| v == "1");
    let only = std::env::var("WAWASAN_CORPUS").unwrap_or_default();
    let loaded = load_cases();
    assert!(
        loaded.len() >= 85,
        "the corpus has {} cases, at least 85 expected",
        loaded.len()
    );
    let mut failures: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut cases = Vec::new();
    for case in loaded {
        match case {
            Ok(case) if case.name.contains(only.as_str()) => cases.push(case),
            Ok(_) => {}
            Err((name, e)) => {
                failures.push((name, String::new(), vec![format!("bad case file: {e}")]))
            }
        }
    }
    let base_dir = tempfile::tempdir().expect("temp dir");
    let base = built_base(base_dir.path());
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let started = Instant::now();
                    let problems = run_case(case, &base, bless);
                    results.lock().unwrap().push((
                        case.name.clone(),
                        case.description.clone(),
                        problems,
                        started.elapsed(),
                    ));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| std::cmp::Reverse(r.3));
    let slowest: Vec<String> = results
        .iter()
        .take(5)
        .map(|(name, _, _, t)| format!("{name} {:.1}s", t.as_secs_f64()))
        .collect();
    failures.extend(
        results
            .into_iter()
            .filter(|(_, _, p, _)| !p.is_empty())
            .map(|(name, description, problems, _)| (name, description, problems)),
    );
    failures.sort();
    let mut report = String::new();
    for (name, description, problems) in &failures {
        let _ = writeln!(report, "\n=== {name}: {description}");
        for p in problems {
            let _ = writeln!(report, "  - {p}");
        }
    }
    eprintln!(
        "corpus: {} cases run in {:.1}s, {} failing{}; slowest: {}",
        cases.len(),
        started.elapsed().as_secs_f64(),
        failures.len(),
        if bless { " (snapshots blessed)" } else { "" },
        slowest.join(", ")
    );
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases fail:\n{report}",
        failures.len(),
        cases.len()
    );
}
