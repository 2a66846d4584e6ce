//! Test helpers: copy a fixture portal into a temporary folder, edit it,
//! run the real `wawasan` binary on it and read what it wrote.

#![allow(dead_code)]

pub mod browser;
pub mod pg;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub ok: bool,
    /// The exit code; `None` when a signal ended the process (an abort).
    pub code: Option<i32>,
    pub stderr: String,
}

impl Fixture {
    /// A copy of `tests/fixtures/<name>`.
    pub fn new(name: &str) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_dir(&src, dir.path());
        Fixture { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Replace `from` by `to` in a file of the portal; the text must be there.
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let path = self.path(rel);
        let text = std::fs::read_to_string(&path).expect("fixture file");
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Run `wawasan <command> --root <fixture>`.
    pub fn run(&self, command: &str) -> Run {
        self.run_with(command, &[])
    }

    /// Run `wawasan <command> --root <fixture> <args>`.
    pub fn run_with(&self, command: &str, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_wawasan"))
            .arg(command)
            .arg("--root")
            .arg(self.root())
            .args(args)
            .output()
            .expect("run wawasan");
        Run {
            ok: out.status.success(),
            code: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Build and insist that it worked.
    pub fn build(&self) -> &Self {
        let run = self.run("build");
        assert!(run.ok, "build failed:\n{}", run.stderr);
        self
    }

    /// The 1-based line of the first line of `rel` containing `needle`.
    pub fn line_of(&self, rel: &str, needle: &str) -> usize {
        self.read(rel)
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{rel} has no line with {needle:?}"))
            + 1
    }

    pub fn read(&self, rel: &str) -> String {
        let path = self.path(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn json(&self, rel: &str) -> serde_json::Value {
        serde_json::from_str(&self.read(rel)).expect("valid JSON")
    }
}

/// Copy the folder `src` to `dst`, creating it.
pub fn copy_dir(src: &Path, dst: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(src).unwrap();
        let target = dst.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file below `dir` with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The default theme's text of template `name` (to write an edited copy as
/// an override).
pub fn default_template(name: &str) -> &'static str {
    wawasan::render::theme::DEFAULT_TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no default template {name}"))
        .1
}
