//! Data loaders (as in Observable Framework): a source produced by a
//! command run in the portal root. This module runs it with a timeout,
//! streams its stdout (or takes the file its `output` names) into the fetch
//! cache, tells the data's format, keeps the tail of its stderr for the
//! error, and identifies a loader for the cache by its command line and the
//! content of the files its arguments name.

use super::How;
use crate::data::hash_file;
use crate::data::source::{Format, SourceSpec};
use crate::error::{Error, Result};
use serde::de::IgnoredAny;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

/// How long a loader may run when its source sets no `timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The most of a loader's stderr kept for its error: the last bytes...
const STDERR_BYTES: usize = 8 * 1024;
/// ...and of those, the last lines.
const STDERR_LINES: usize = 40;
/// How long stderr may stay open after the loader ended (a process it
/// started may still hold it) before the error is shown without the rest.
const STDERR_GRACE: Duration = Duration::from_millis(200);
/// The longest first line read to tell NDJSON from JSON.
const SNIFF_LINE_BYTES: u64 = 1 << 20;
/// The longest pause between two looks at a running loader.
const POLL_MAX: Duration = Duration::from_millis(50);

/// Extensions a fetched copy may have; copies of a key under another
/// extension are stale once a run succeeds.
const EXTENSIONS: [&str; 9] = [
    "csv", "parquet", "json", "ndjson", "xlsx", "xlsm", "xlsb", "xls", "ods",
];

/// What a loader produced: the file in the fetch cache, and its format.
pub struct LoaderOutput {
    pub file: PathBuf,
    pub format: Format,
}

/// The text identifying a loader for the fetch cache: its command line,
/// its `output`, and the xxh3 hash of every argument (the program too)
/// that names a file inside `root` — the script, say — so that editing the
/// script changes the key. Files outside `root` are never read, nor the
/// `output` file (which the loader itself rewrites).
pub fn identity(command: &[String], output: Option<&str>, root: &Path) -> Result<String> {
    let mut text = format!("command {command:?}\noutput {output:?}\n");
    let Ok(root) = root.canonicalize() else {
        return Ok(text);
    };
    let output = output.map(|o| real_or_joined(&root, o));
    for arg in command {
        let Some(file) = file_inside(&root, arg) else {
            continue;
        };
        if output.as_ref() == Some(&file) {
            continue;
        }
        let hash = hash_file(&file)?;
        text.push_str(&format!("file {arg:?} {hash:016x}\n"));
    }
    Ok(text)
}

/// The existing regular file `arg` names relative to `root` (canonical),
/// if it lies inside `root` once symbolic links are followed.
fn file_inside(root: &Path, arg: &str) -> Option<PathBuf> {
    if arg.trim().is_empty() {
        return None;
    }
    let real = root.join(arg).canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

fn real_or_joined(root: &Path, rel: &str) -> PathBuf {
    let joined = root.join(rel);
    joined.canonicalize().unwrap_or(joined)
}

/// Run the loader described by `how` in `root`; its data lands beside
/// `stem` as `<stem>.data.<ext>` (not `<stem>.<ext>`: `<stem>.json` is the
/// fetch record). A failed run leaves no copy behind.
pub fn run(spec: &SourceSpec, how: &How, root: &Path, stem: &Path) -> Result<LoaderOutput> {
    let How::Command {
        command,
        output,
        timeout,
        format,
    } = how
    else {
        return Err(Error::new(format!(
            "source `{}` is not produced by a loader",
            spec.name
        )));
    };
    let loader = Loader {
        source: &spec.name,
        command,
        output: output.as_deref(),
        timeout: *timeout,
        format: *format,
        root,
    };
    let captured = super::temporary_beside(stem);
    let result = loader.run(stem, &captured);
    // Gone already after a success (renamed into place).
    let _ = std::fs::remove_file(&captured);
    result
}

/// A loader source's settings, borrowed from its plan.
struct Loader<'a> {
    source: &'a str,
    command: &'a [String],
    output: Option<&'a str>,
    timeout: Duration,
    format: Option<Format>,
    root: &'a Path,
}

impl Loader<'_> {
    /// Run the command (stdout into `captured` unless it writes `output`),
    /// then move its data into place.
    fn run(&self, stem: &Path, captured: &Path) -> Result<LoaderOutput> {
        let output = self.output.map(|o| self.output_path(o)).transpose()?;
        let stdout = match output {
            Some(_) => Stdio::null(),
            None => {
                Stdio::from(File::create(captured).map_err(|e| Error::io("create", captured, e))?)
            }
        };
        let mut child = self.spawn(stdout)?;
        let stderr = child.stderr.take().map(StderrTail::collect).transpose()?;
        let status = self.wait(&mut child);
        let tail = stderr.map(StderrTail::finish).unwrap_or_default();
        match status? {
            None => return Err(self.too_long(&tail)),
            Some(status) if !status.success() => return Err(self.failed(status, &tail)),
            Some(_) => {}
        }
        let data = match &output {
            Some(file) => self.written(file)?,
            None => captured.to_path_buf(),
        };
        let format = self.format_of(&data)?;
        let dest = data_file(stem, &self.extension(format));
        match &output {
            Some(file) => move_file(file, captured, &dest)?,
            None => std::fs::rename(captured, &dest).map_err(|e| Error::io("write", &dest, e))?,
        }
        remove_stale_copies(stem, &dest);
        Ok(LoaderOutput { file: dest, format })
    }

    /// `output` under the root; it may not leave it.
    fn output_path(&self, output: &str) -> Result<PathBuf> {
        let rel = Path::new(output);
        let inside = rel.components().next().is_some()
            && rel
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside || rel.file_name().is_none() {
            return Err(Error::new(format!(
                "`output` of source `{}` is `{output}`, which is not a file inside the portal root",
                self.source
            ))
            .setting("output")
            .hint("give the file the loader writes relative to the portal root, without `..`, e.g. `output = \"loaders/out/invoices.parquet\"`"));
        }
        Ok(self.root.join(rel))
    }

    /// Start the command in the root, stdin empty, stderr captured.
    fn spawn(&self, stdout: Stdio) -> Result<Child> {
        let program = self.command.first().map(String::as_str).unwrap_or_default();
        if program.trim().is_empty() {
            return Err(Error::new(format!("`command` of source `{}` is empty", self.source))
                .setting("command")
                .hint("give the program and its arguments, e.g. `command = [\"python3\", \"loaders/invoices.py\"]`"));
        }
        // A program given by a path is found from the root, whatever the
        // platform's rule for relative paths with a working directory.
        let resolved = if Path::new(program).components().count() > 1 {
            self.root.join(program)
        } else {
            PathBuf::from(program)
        };
        Command::new(resolved)
            .args(&self.command[1..])
            .current_dir(self.root)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.cannot_start(program, e))
    }

    /// Wait for the loader to end: its status, or `None` when it ran past
    /// its timeout and was stopped.
    fn wait(&self, child: &mut Child) -> Result<Option<ExitStatus>> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            match child.try_wait() {
                Ok(None) => {}
                Ok(status) => return Ok(status),
                Err(e) => {
                    let _ = child.kill();
                    return Err(Error::new(format!(
                        "cannot wait for the loader of source `{}`",
                        self.source
                    ))
                    .caused_by(e));
                }
            }
            let left = self.timeout.saturating_sub(started.elapsed());
            if left.is_zero() {
                // Already ended if kill fails; reap it either way.
                let _ = child.kill();
                let _ = child.wait();
                return Ok(None);
            }
            std::thread::sleep(pause.min(left));
            pause = (pause * 2).min(POLL_MAX);
        }
    }

    /// The `output` file after a successful run.
    fn written(&self, file: &Path) -> Result<PathBuf> {
        if file.is_file() {
            return Ok(file.to_path_buf());
        }
        Err(Error::new(format!(
            "the loader of source `{}` (`{}`) finished without writing `{}`, its `output`",
            self.source,
            self.command_line(),
            self.output.unwrap_or_default()
        ))
        .setting("output")
        .hint(format!(
            "`output` names the file the loader writes, relative to the portal root; without `output` its stdout is the data. Run it by hand: {}",
            self.by_hand()
        )))
    }

    /// The `format` setting, else the extension of `output`, else what the
    /// bytes look like.
    fn format_of(&self, data: &Path) -> Result<Format> {
        let declared = self.format.or_else(|| self.output.and_then(format_of_name));
        let sniffed = sniff(data).map_err(|e| Error::io("read", data, e))?;
        match (declared, sniffed) {
            (_, None) => Err(self.empty()),
            (Some(format), _) | (None, Some(format)) => Ok(format),
        }
    }

    /// The fetched copy's extension: the format's, or for Excel the one
    /// of `output` (the reader tells the workbook kind by it).
    fn extension(&self, format: Format) -> String {
        let from_output = self
            .output
            .and_then(|o| Path::new(o).extension())
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match (format, from_output) {
            (Format::Excel, Some(ext)) if EXTENSIONS[4..].contains(&ext.as_str()) => ext,
            _ => extension_of(format).to_string(),
        }
    }

    /// `python3 loaders/x.py`, quoted as a shell would need it.
    fn command_line(&self) -> String {
        self.command
            .iter()
            .map(|arg| shell_quote(arg))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `cd ROOT && COMMAND`, to run the loader by hand.
    fn by_hand(&self) -> String {
        format!(
            "`cd {} && {}`",
            shell_quote(&self.root.display().to_string()),
            self.command_line()
        )
    }

    fn cannot_start(&self, program: &str, e: std::io::Error) -> Error {
        let root = self.root.display();
        let (message, hint) = match e.kind() {
            std::io::ErrorKind::NotFound => (
                format!(
                    "the loader of source `{}` cannot start: program `{program}` not found (loaders run in {root})",
                    self.source
                ),
                format!(
                    "install `{program}` or put it on PATH; a script of the portal is named by its path from the portal root, e.g. `command = [\"python3\", \"loaders/invoices.py\"]`"
                ),
            ),
            std::io::ErrorKind::PermissionDenied => (
                format!(
                    "the loader of source `{}` cannot start: `{program}` may not be run (loaders run in {root})",
                    self.source
                ),
                format!(
                    "make it executable (`chmod +x {program}`) or run it through its interpreter, e.g. `command = [\"sh\", \"{program}\"]`"
                ),
            ),
            _ => (
                format!(
                    "the loader of source `{}` cannot start `{program}` (loaders run in {root})",
                    self.source
                ),
                format!("run it by hand: {}", self.by_hand()),
            ),
        };
        Error::new(message)
            .caused_by(e)
            .setting("command")
            .hint(hint)
    }

    fn failed(&self, status: ExitStatus, stderr: &str) -> Error {
        Error::new(format!(
            "the loader of source `{}` failed: `{}` ended with {status}{}",
            self.source,
            self.command_line(),
            stderr_part(stderr)
        ))
        .setting("command")
        .hint(format!(
            "run it by hand to see what it does: {}",
            self.by_hand()
        ))
    }

    fn too_long(&self, stderr: &str) -> Error {
        Error::new(format!(
            "the loader of source `{}` (`{}`) did not finish within {} and was stopped{}",
            self.source,
            self.command_line(),
            describe_duration(self.timeout),
            stderr_part(stderr)
        ))
        .setting("command")
        .hint(format!(
            "give it more time with the source's `timeout` (e.g. `timeout = \"30m\"`), or run it by hand to see where it waits: {}",
            self.by_hand()
        ))
    }

    fn empty(&self) -> Error {
        let (what, setting) = match self.output {
            Some(output) => (format!("wrote nothing to `{output}`"), "output"),
            None => ("printed nothing".to_string(), "command"),
        };
        Error::new(format!(
            "the loader of source `{}` (`{}`) {what}",
            self.source,
            self.command_line()
        ))
        .setting(setting)
        .hint(format!(
            "a loader prints its data on stdout (CSV, JSON, NDJSON or Parquet) or writes the file named by `output`; run it by hand: {}",
            self.by_hand()
        ))
    }
}

/// `; its stderr ended with: ...` for a message, or nothing.
fn stderr_part(stderr: &str) -> String {
    if stderr.is_empty() {
        return "; it wrote nothing on stderr".to_string();
    }
    let indented: Vec<String> = stderr.lines().map(|l| format!("    {l}")).collect();
    format!("; its stderr ended with:\n{}", indented.join("\n"))
}

/// The last of a loader's stderr, collected by a thread while it runs.
struct StderrTail {
    tail: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

impl StderrTail {
    fn collect(mut stderr: ChildStderr) -> Result<StderrTail> {
        let tail = Arc::new(Mutex::new(Vec::new()));
        let (finished, done) = mpsc::channel();
        let kept = tail.clone();
        std::thread::Builder::new()
            .name("loader-stderr".into())
            .spawn(move || {
                let mut block = [0u8; 4096];
                while let Ok(n @ 1..) = stderr.read(&mut block) {
                    let mut bytes = kept.lock().unwrap_or_else(PoisonError::into_inner);
                    keep_last(&mut bytes, &block[..n]);
                }
                let _ = finished.send(());
            })
            .map_err(|e| Error::new("cannot read a loader's stderr").caused_by(e))?;
        Ok(StderrTail { tail, done })
    }

    /// The last lines, once stderr closed (or after a grace period).
    fn finish(self) -> String {
        let _ = self.done.recv_timeout(STDERR_GRACE);
        let bytes = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        last_lines(&bytes)
    }
}

/// Append `chunk`, keeping about the last `STDERR_BYTES` bytes.
fn keep_last(bytes: &mut Vec<u8>, chunk: &[u8]) {
    bytes.extend_from_slice(chunk);
    if bytes.len() > 2 * STDERR_BYTES {
        let cut = bytes.len() - STDERR_BYTES;
        bytes.drain(..cut);
    }
}

/// The last `STDERR_LINES` lines of the last `STDERR_BYTES` bytes, with
/// `...` first when something was cut.
fn last_lines(bytes: &[u8]) -> String {
    let start = bytes.len().saturating_sub(STDERR_BYTES);
    let text = String::from_utf8_lossy(&bytes[start..]);
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let from = lines.len().saturating_sub(STDERR_LINES);
    let mut shown = lines[from..].join("\n");
    if (from > 0 || start > 0) && !shown.is_empty() {
        shown.insert_str(0, "...\n");
    }
    shown
}

/// What a file's bytes look like: `PAR1` is Parquet; text whose first
/// character is `[` is JSON, `{` NDJSON when its first line is a whole
/// object and more lines follow (else JSON); anything else CSV. `None`
/// when it holds nothing but white space.
fn sniff(path: &Path) -> std::io::Result<Option<Format>> {
    let mut reader = BufReader::new(File::open(path)?);
    let head = reader.fill_buf()?;
    if head.starts_with(b"PAR1") {
        return Ok(Some(Format::Parquet));
    }
    if head.starts_with(b"\xef\xbb\xbf") {
        reader.consume(3);
    }
    let format = match first_byte(&mut reader)? {
        None => return Ok(None),
        Some(b'[') => Format::Json,
        Some(b'{') if is_ndjson(&mut reader)? => Format::Ndjson,
        Some(b'{') => Format::Json,
        Some(_) => Format::Csv,
    };
    Ok(Some(format))
}

/// The first byte that is not white space, left unread.
fn first_byte(reader: &mut impl BufRead) -> std::io::Result<Option<u8>> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(at) => {
                let byte = buf[at];
                reader.consume(at);
                return Ok(Some(byte));
            }
            None => {
                let all = buf.len();
                reader.consume(all);
            }
        }
    }
}

/// Whether the line at the reader is a whole JSON value and more text
/// follows it.
fn is_ndjson(reader: &mut impl BufRead) -> std::io::Result<bool> {
    let mut line = Vec::new();
    reader
        .by_ref()
        .take(SNIFF_LINE_BYTES)
        .read_until(b'\n', &mut line)?;
    if line.last() != Some(&b'\n') {
        return Ok(false);
    }
    let whole = serde_json::from_slice::<IgnoredAny>(&line).is_ok();
    Ok(whole && first_byte(reader)?.is_some())
}

/// The format a file name's extension stands for.
fn format_of_name(name: &str) -> Option<Format> {
    let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => Some(Format::Csv),
        "parquet" | "pq" => Some(Format::Parquet),
        "json" => Some(Format::Json),
        "ndjson" | "jsonl" => Some(Format::Ndjson),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(Format::Excel),
        _ => None,
    }
}

/// The extension of a fetched copy in `format`.
fn extension_of(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Parquet => "parquet",
        Format::Json => "json",
        Format::Ndjson => "ndjson",
        Format::Excel => "xlsx",
    }
}

/// `<stem>.data.<ext>`.
fn data_file(stem: &Path, ext: &str) -> PathBuf {
    let mut name = stem.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".data.{ext}"));
    stem.with_file_name(name)
}

/// Copies of the same key under other extensions (the loader printed
/// another format last time).
fn remove_stale_copies(stem: &Path, kept: &Path) {
    for ext in EXTENSIONS {
        let copy = data_file(stem, ext);
        if copy != kept {
            let _ = std::fs::remove_file(copy);
        }
    }
}

/// Move the loader's `output` file to `dest`: renamed when it can be (on
/// the same file system), else copied through `temporary` and removed.
fn move_file(file: &Path, temporary: &Path, dest: &Path) -> Result<()> {
    let regular = std::fs::symlink_metadata(file).is_ok_and(|m| m.file_type().is_file());
    if regular && std::fs::rename(file, dest).is_ok() {
        return Ok(());
    }
    std::fs::copy(file, temporary).map_err(|e| Error::io("copy", file, e))?;
    std::fs::rename(temporary, dest).map_err(|e| Error::io("write", dest, e))?;
    std::fs::remove_file(file).map_err(|e| Error::io("remove", file, e))
}

/// An argument as a POSIX shell reads it: bare when it is plain, else in
/// single quotes.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// `10m`, `90s`, `2h`: the largest unit that divides the duration.
fn describe_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    match [(86_400, "d"), (3600, "h"), (60, "m")]
        .into_iter()
        .find(|(unit, _)| secs.is_multiple_of(*unit))
    {
        Some((unit, name)) => format!("{}{name}", secs / unit),
        None => format!("{secs}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A portal root with a `cache/` folder for the fetched copies.
    struct Portal {
        dir: tempfile::TempDir,
    }

    impl Portal {
        fn new() -> Portal {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir(dir.path().join("cache")).unwrap();
            Portal { dir }
        }

        fn root(&self) -> &Path {
            self.dir.path()
        }

        fn write(&self, rel: &str, text: &str) {
            let path = self.root().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }

        fn how(command: &[&str], output: Option<&str>, timeout: Duration) -> How {
            How::Command {
                command: command.iter().map(|s| s.to_string()).collect(),
                output: output.map(str::to_string),
                timeout,
                format: None,
            }
        }

        /// Run `how` as source `sales`, its copy keyed `k1`.
        fn run(&self, how: &How) -> Result<LoaderOutput> {
            let spec = SourceSpec {
                name: "sales".into(),
                ..SourceSpec::default()
            };
            run(&spec, how, self.root(), &self.root().join("cache/k1"))
        }

        fn sh(&self, script: &str) -> Result<LoaderOutput> {
            self.run(&Self::how(&["sh", "-c", script], None, DEFAULT_TIMEOUT))
        }

        /// The names in `cache/`, sorted.
        fn cached(&self) -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(self.root().join("cache"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        }
    }

    fn message(result: Result<LoaderOutput>) -> Error {
        match result {
            Ok(out) => panic!("expected an error, got {}", out.file.display()),
            Err(e) => e,
        }
    }

    #[test]
    fn stdout_is_the_data_and_lands_in_the_cache() {
        let p = Portal::new();
        let out = p.sh("printf 'id,amount\\n1,10\\n2,32\\n'").unwrap();
        assert_eq!(out.format, Format::Csv);
        assert_eq!(out.file, p.root().join("cache/k1.data.csv"));
        assert_eq!(
            std::fs::read_to_string(&out.file).unwrap(),
            "id,amount\n1,10\n2,32\n"
        );
        // Nothing else: no temporary file left beside it.
        assert_eq!(p.cached(), ["k1.data.csv"]);
    }

    #[test]
    fn the_loader_runs_in_the_root_and_may_be_a_script_there() {
        let p = Portal::new();
        p.write("loaders/where.sh", "pwd\n");
        let out = p
            .run(&Portal::how(
                &["sh", "loaders/where.sh"],
                None,
                DEFAULT_TIMEOUT,
            ))
            .unwrap();
        let printed = std::fs::read_to_string(out.file).unwrap();
        assert_eq!(
            Path::new(printed.trim()).canonicalize().unwrap(),
            p.root().canonicalize().unwrap()
        );
    }

    #[test]
    fn a_file_named_by_output_is_moved_into_the_cache() {
        let p = Portal::new();
        let how = Portal::how(
            &[
                "sh",
                "-c",
                r#"mkdir -p out && printf '[{"a": 1}]' > out/x.json && echo noise"#,
            ],
            Some("out/x.json"),
            DEFAULT_TIMEOUT,
        );
        let out = p.run(&how).unwrap();
        assert_eq!(out.format, Format::Json);
        assert_eq!(out.file, p.root().join("cache/k1.data.json"));
        assert_eq!(std::fs::read_to_string(&out.file).unwrap(), "[{\"a\": 1}]");
        assert!(!p.root().join("out/x.json").exists(), "moved, not copied");
        assert_eq!(p.cached(), ["k1.data.json"]);
    }

    #[test]
    fn output_must_be_written_and_stay_inside_the_root() {
        let p = Portal::new();
        let missing = message(p.run(&Portal::how(&["true"], Some("out/x.csv"), DEFAULT_TIMEOUT)));
        assert!(
            missing
                .message()
                .contains("finished without writing `out/x.csv`"),
            "{missing}"
        );
        assert_eq!(missing.setting_name(), Some("output"));
        for bad in ["../x.csv", "/tmp/x.csv", "a/../../x.csv", ""] {
            let e = message(p.run(&Portal::how(&["true"], Some(bad), DEFAULT_TIMEOUT)));
            assert!(
                e.message().contains("not a file inside the portal root"),
                "{bad}: {e}"
            );
            assert_eq!(e.setting_name(), Some("output"));
        }
        assert_eq!(p.cached(), Vec::<String>::new());
    }

    #[test]
    fn the_format_is_told_from_the_bytes() {
        let cases = [
            (r#"printf '[{"a":1}]'"#, Format::Json),
            ("printf '  \\n [1]'", Format::Json),
            (r#"printf '{"a":1}\n{"a":2}\n'"#, Format::Ndjson),
            // One object alone, or one spread over lines, is a JSON document.
            (r#"printf '{"a":1}\n'"#, Format::Json),
            (r#"printf '{\n  "d": []\n}\n'"#, Format::Json),
            ("printf 'a,b\\n1,2\\n'", Format::Csv),
            ("printf 'PAR1xxxx'", Format::Parquet),
        ];
        for (script, expected) in cases {
            let p = Portal::new();
            let out = p.sh(script).unwrap();
            assert_eq!(out.format, expected, "{script}");
            assert_eq!(
                out.file.extension().unwrap(),
                extension_of(expected),
                "{script}"
            );
        }
    }

    #[test]
    fn the_format_setting_and_the_output_extension_win_over_the_bytes() {
        let p = Portal::new();
        let how = How::Command {
            command: vec!["sh".into(), "-c".into(), "printf 'a;b\\n1;2\\n'".into()],
            output: None,
            timeout: DEFAULT_TIMEOUT,
            format: Some(Format::Ndjson),
        };
        assert_eq!(p.run(&how).unwrap().format, Format::Ndjson);
        let how = Portal::how(
            &["sh", "-c", r#"printf '{"a":1}\n' > x.jsonl"#],
            Some("x.jsonl"),
            DEFAULT_TIMEOUT,
        );
        let out = p.run(&how).unwrap();
        assert_eq!(out.format, Format::Ndjson);
        // The copy of the earlier run under another extension is gone.
        assert_eq!(p.cached(), ["k1.data.ndjson"]);
    }

    #[test]
    fn printing_nothing_is_an_error() {
        let p = Portal::new();
        for script in ["true", "printf ' \\n\\n '"] {
            let e = message(p.sh(script));
            assert!(e.message().contains("printed nothing"), "{e}");
            assert!(e.hint_text().unwrap().contains("cd "), "{e}");
        }
        assert_eq!(p.cached(), Vec::<String>::new());
    }

    #[test]
    fn a_failed_run_shows_its_status_and_the_end_of_its_stderr() {
        let p = Portal::new();
        let script = "echo partial; for i in $(seq 1 100); do echo line$i >&2; done; exit 3";
        let e = message(p.sh(script));
        let text = e.message();
        assert!(
            text.contains("the loader of source `sales` failed"),
            "{text}"
        );
        assert!(text.contains("exit status: 3"), "{text}");
        // The last 40 lines, not the first ones.
        assert!(
            text.contains("line100") && text.contains("line61\n"),
            "{text}"
        );
        assert!(!text.contains("line60\n"), "{text}");
        assert_eq!(e.setting_name(), Some("command"));
        let hint = e.hint_text().unwrap();
        let root = p.root().display().to_string();
        assert!(hint.contains(&format!("`cd {root} && sh -c ")), "{hint}");
        // The partial output was not kept.
        assert_eq!(p.cached(), Vec::<String>::new());
    }

    #[test]
    fn a_loader_running_too_long_is_stopped() {
        let p = Portal::new();
        let started = Instant::now();
        let how = Portal::how(&["sleep", "30"], None, Duration::from_secs(1));
        let e = message(p.run(&how));
        let took = started.elapsed();
        assert!(took < Duration::from_secs(5), "took {took:?}");
        assert!(took >= Duration::from_secs(1), "took {took:?}");
        assert!(
            e.message()
                .contains("(`sleep 30`) did not finish within 1s"),
            "{e}"
        );
        assert!(e.hint_text().unwrap().contains("`timeout`"), "{e}");
        assert_eq!(p.cached(), Vec::<String>::new());
    }

    #[test]
    fn a_missing_program_is_named_with_the_root() {
        let p = Portal::new();
        let how = Portal::how(&["no-such-loader-program-x", "a"], None, DEFAULT_TIMEOUT);
        let e = message(p.run(&how));
        let root = p.root().display().to_string();
        assert!(
            e.message()
                .contains("program `no-such-loader-program-x` not found"),
            "{e}"
        );
        assert!(
            e.message().contains(&format!("loaders run in {root}")),
            "{e}"
        );
        assert_eq!(e.setting_name(), Some("command"));
    }

    #[test]
    fn identity_follows_the_script_not_other_files() {
        let p = Portal::new();
        p.write("loaders/sales.py", "print('a')\n");
        p.write("loaders/other.py", "x\n");
        let command = vec!["python3".to_string(), "loaders/sales.py".to_string()];
        let id = || identity(&command, None, p.root()).unwrap();
        let first = id();
        assert!(first.contains("\"loaders/sales.py\""), "{first}");
        p.write("loaders/other.py", "y\n");
        assert_eq!(id(), first, "an unrelated file changed");
        p.write("loaders/sales.py", "print('b')\n");
        assert_ne!(id(), first, "the script changed");
        // The output setting is part of it too.
        assert_ne!(identity(&command, Some("o.csv"), p.root()).unwrap(), id());
    }

    #[test]
    fn identity_reads_no_file_outside_the_root_nor_the_output() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("portal");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(outer.path().join("secret.txt"), "a").unwrap();
        std::fs::write(root.join("out.csv"), "a").unwrap();
        let command: Vec<String> = ["cat", "../secret.txt", "out.csv"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let before = identity(&command, Some("out.csv"), &root).unwrap();
        assert!(!before.contains("\nfile "), "{before}");
        std::fs::write(outer.path().join("secret.txt"), "b").unwrap();
        std::fs::write(root.join("out.csv"), "b").unwrap();
        assert_eq!(identity(&command, Some("out.csv"), &root).unwrap(), before);
    }

    #[test]
    fn stderr_keeps_its_last_bytes_and_lines() {
        let mut bytes = Vec::new();
        for i in 0..5000 {
            keep_last(&mut bytes, format!("{i:04}\n").as_bytes());
        }
        assert!(bytes.len() <= 2 * STDERR_BYTES);
        let shown = last_lines(&bytes);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), STDERR_LINES + 1);
        assert_eq!(lines[0], "...");
        assert_eq!(lines[1], "4960");
        assert_eq!(lines[STDERR_LINES], "4999");
        assert_eq!(last_lines(b"only\n"), "only");
    }

    #[test]
    fn arguments_are_quoted_as_a_shell_reads_them() {
        assert_eq!(shell_quote("loaders/x.py"), "loaders/x.py");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(describe_duration(Duration::from_secs(600)), "10m");
        assert_eq!(describe_duration(Duration::from_secs(90)), "90s");
        assert_eq!(describe_duration(Duration::from_secs(7200)), "2h");
    }
}
