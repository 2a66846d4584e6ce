//! `wawasan bench --portal`: the example portal built over generated data of
//! growing size, side by side with the seeds' own stack — pandas,
//! scikit-learn and mlxtend running the same analyses
//! (`../shared/bench/pandas_pipeline.py`, in a virtual environment this
//! bench creates) — and with the floor: the bytes read once and a bare
//! polars scan and group-by of the Amazon file. Every run is a process of
//! its own, timed whole (start to exit) with its peak memory.

use super::floor;
use crate::error::{Error, Result};
use crate::generate::{Dataset, generate};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What to run.
pub struct PortalBench {
    /// Lines per dataset.
    pub sizes: Vec<usize>,
    /// Only these datasets (and the reports that read them); all if empty.
    pub datasets: Vec<Dataset>,
    /// The portal whose `content/` and `templates/` are built.
    pub root: PathBuf,
    /// The pandas pipeline; none: not run.
    pub pandas_script: Option<PathBuf>,
    /// Where the Python virtual environment lives (made once).
    pub venv: PathBuf,
    /// Where the generated data and the builds go (removed afterwards).
    pub scratch: PathBuf,
}

/// One measured process.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub seconds: f64,
    pub peak_mib: f64,
}

/// The measurements of one size.
#[derive(Debug)]
pub struct SizeRow {
    pub lines: usize,
    pub data_mib: f64,
    pub cold: Run,
    pub cached: Run,
    pub edited: Run,
    pub pandas: Option<Run>,
    pub bytes_once: f64,
    pub polars_floor: Option<Run>,
}

/// Run the bench; progress goes to stderr, the table is returned.
pub fn run(exe: &Path, bench: &PortalBench) -> Result<Vec<SizeRow>> {
    let datasets: Vec<Dataset> = if bench.datasets.is_empty() {
        Dataset::ALL.to_vec()
    } else {
        bench.datasets.clone()
    };
    let python = match &bench.pandas_script {
        Some(_) if datasets.len() == Dataset::ALL.len() => Some(python_env(&bench.venv)?),
        _ => None,
    };
    let mut rows = Vec::new();
    for &lines in &bench.sizes {
        let dir = bench.scratch.join(format!("portal-{lines}"));
        let _ = std::fs::remove_dir_all(&dir);
        let result = measure_size(exe, bench, &datasets, python.as_deref(), lines, &dir);
        let _ = std::fs::remove_dir_all(&dir);
        rows.push(result?);
    }
    Ok(rows)
}

fn measure_size(
    exe: &Path,
    bench: &PortalBench,
    datasets: &[Dataset],
    python: Option<&Path>,
    lines: usize,
    dir: &Path,
) -> Result<SizeRow> {
    let data = dir.join("data");
    let mut files = Vec::new();
    for &dataset in datasets {
        let started = Instant::now();
        files.extend(generate(dataset, lines, 42, &data.join(dataset.name()))?);
        eprintln!("generated {dataset} × {lines} in {:.1?}", started.elapsed());
    }
    copy_portal(&bench.root, dir, datasets)?;
    let data_bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let build = |extra: &[&str]| -> Result<Run> {
        let mut cmd = Command::new(exe);
        cmd.args(["build", "--quiet", "--root"])
            .arg(dir)
            .args(extra);
        measure(&mut cmd, "wawasan build")
    };
    let cold = build(&["--no-cache"])?;
    eprintln!(
        "  cold build {:.2} s, {:.0} MiB",
        cold.seconds, cold.peak_mib
    );
    build(&[])?; // fills the cache
    let cached = build(&[])?;
    eprintln!("  cached build {:.2} s", cached.seconds);
    touch_narrative(dir)?;
    let edited = build(&[])?;
    eprintln!("  after a narrative edit {:.2} s", edited.seconds);
    let pandas = match (python, &bench.pandas_script) {
        (Some(python), Some(script)) => {
            let mut cmd = Command::new(python);
            cmd.arg(script).arg(&data);
            let run = measure(&mut cmd, "the pandas pipeline")?;
            eprintln!("  pandas {:.1} s, {:.0} MiB", run.seconds, run.peak_mib);
            Some(run)
        }
        _ => None,
    };
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let (_, bytes_once) = floor::read_bytes(&paths)?;
    let amazon = files.iter().find(|f| f.ends_with("amazon_sale_report.csv"));
    let polars_floor = match amazon {
        Some(file) => {
            let mut cmd = Command::new(exe);
            cmd.arg("bench-floor").arg(file);
            Some(measure(&mut cmd, "the polars floor")?)
        }
        None => None,
    };
    Ok(SizeRow {
        lines,
        data_mib: data_bytes as f64 / (1024.0 * 1024.0),
        cold,
        cached,
        edited,
        pandas,
        bytes_once,
        polars_floor,
    })
}

/// The portal's settings, templates and the reports reading `datasets`.
fn copy_portal(root: &Path, dir: &Path, datasets: &[Dataset]) -> Result<()> {
    let content = root.join("content");
    let target = dir.join("content");
    std::fs::create_dir_all(&target).map_err(|e| Error::io("create", &target, e))?;
    let index = content.join("_index.md");
    std::fs::copy(&index, target.join("_index.md")).map_err(|e| Error::io("read", &index, e))?;
    let entries = std::fs::read_dir(&content).map_err(|e| Error::io("list", &content, e))?;
    for entry in entries.flatten() {
        let report = entry.path();
        let Ok(text) = std::fs::read_to_string(report.join("_index.md")) else {
            continue;
        };
        let reads = datasets
            .iter()
            .any(|d| text.contains(&format!("path = \"{}/", d.name())));
        if reads {
            copy_dir(&report, &target.join(entry.file_name()))?;
        }
    }
    let templates = root.join("templates");
    if templates.is_dir() {
        copy_dir(&templates, &dir.join("templates"))?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry =
            entry.map_err(|e| Error::new("cannot copy the portal").at(from).caused_by(e))?;
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).map_err(|e| Error::io("create", &dest, e))?;
        } else {
            std::fs::copy(entry.path(), &dest).map_err(|e| Error::io("write", &dest, e))?;
        }
    }
    Ok(())
}

/// Add a sentence to the first report's last page: a narrative-only edit.
fn touch_narrative(dir: &Path) -> Result<()> {
    let content = dir.join("content");
    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| p.file_name().is_some_and(|n| n != "_index.md"))
        .collect();
    let page = pages
        .pop()
        .ok_or_else(|| Error::new("the portal has no page to edit"))?;
    let mut text = std::fs::read_to_string(&page).map_err(|e| Error::io("read", &page, e))?;
    text.push_str("\nDiperbarui untuk pengukuran.\n");
    std::fs::write(&page, text).map_err(|e| Error::io("write", &page, e))
}

/// The Python of the bench's virtual environment, made on first use.
fn python_env(venv: &Path) -> Result<PathBuf> {
    let python = venv.join("bin").join("python");
    let ready = Command::new(&python)
        .args(["-c", "import pandas, sklearn, mlxtend"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ready {
        return Ok(python);
    }
    eprintln!("making the Python environment {} ...", venv.display());
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv)
        .status()
        .is_ok_and(|s| s.success());
    let installed = made
        && Command::new(&python)
            .args(["-m", "pip", "install", "--quiet"])
            .args(["pandas", "scikit-learn", "mlxtend"])
            .status()
            .is_ok_and(|s| s.success());
    if !installed {
        return Err(Error::new(format!(
            "cannot make the Python environment in {}",
            venv.display()
        ))
        .hint("the pandas comparison needs python3 with venv and the package registry; pass --no-pandas to skip it"));
    }
    Ok(python)
}

/// Run `cmd` to its end: wall time and peak memory; a failure is an error
/// with the end of its stderr.
pub fn measure(cmd: &mut Command, what: &str) -> Result<Run> {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::new(format!("cannot start {what}")).caused_by(e))?;
    let pid = child.id();
    let mut stderr = child.stderr;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = std::io::Read::read_to_string(s, &mut text);
        }
        text
    });
    let (status, peak_kib) = wait_with_peak(pid)?;
    let seconds = started.elapsed().as_secs_f64();
    let errors = reader.join().unwrap_or_default();
    if status != 0 {
        let tail: String = errors.lines().rev().take(12).collect::<Vec<_>>().join("\n");
        return Err(Error::new(format!("{what} failed")).hint(tail));
    }
    Ok(Run {
        seconds,
        peak_mib: peak_kib as f64 / 1024.0,
    })
}

/// Wait for process `pid`: its exit status and peak resident memory (KiB).
#[cfg(unix)]
fn wait_with_peak(pid: u32) -> Result<(i32, i64)> {
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value, and `wait4` writes
    // through the two pointers only, which live for the call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    if waited < 0 {
        return Err(Error::new("cannot wait for a bench process")
            .caused_by(std::io::Error::last_os_error()));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok((code, usage.ru_maxrss))
}

#[cfg(not(unix))]
fn wait_with_peak(_pid: u32) -> Result<(i32, i64)> {
    Err(Error::new(
        "the portal bench measures processes on Unix only",
    ))
}

/// The table for BENCHMARKS.md.
pub fn markdown(rows: &[SizeRow]) -> String {
    let mut out = String::from(
        "| lines per dataset | data | wawasan cold | cached | after a narrative edit | pandas pipeline | faster | memory | bytes read once | polars scan + group-by (Amazon) |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let run = |r: &Run| format!("{:.2} s, {:.0} MiB", r.seconds, r.peak_mib);
    for row in rows {
        let (pandas, faster, memory) = match &row.pandas {
            Some(p) => (
                run(p),
                format!("{:.1}×", p.seconds / row.cold.seconds),
                format!("{:.2}×", row.cold.peak_mib / p.peak_mib),
            ),
            None => ("—".into(), "—".into(), "—".into()),
        };
        out.push_str(&format!(
            "| {} | {:.0} MiB | {} | {} | {} | {pandas} | {faster} | {memory} | {:.2} s | {} |\n",
            row.lines,
            row.data_mib,
            run(&row.cold),
            run(&row.cached),
            run(&row.edited),
            row.bytes_once,
            row.polars_floor.as_ref().map_or("—".into(), run),
        ));
    }
    out
}
