//! The `wawasan` command line: build, check, serve, init and generate.

mod allocator;
mod progress;
mod serve;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use wawasan::config::Paths;
use wawasan::generate::{Dataset, generate};
use wawasan::site::progress::ProgressSink;
use wawasan::site::{BuildOptions, BuildSummary};

/// wawasan turns Markdown narratives and data into a static insight portal.
///
/// A portal folder holds content/ (one folder per report, Markdown with TOML
/// front matter), data/ (the files the reports read) and templates/
/// (optional overrides of the default theme). `build` writes public/.
#[derive(Parser)]
#[command(name = "wawasan", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every analysis and write the portal to the output folder.
    ///
    /// The old output is replaced only when the whole build succeeded.
    Build(BuildArgs),
    /// Validate content, data, analyses and templates without writing anything.
    Check(PortalArgs),
    /// Build, then serve the portal on this machine and rebuild on every save.
    ///
    /// The browser reloads after each rebuild; a broken edit keeps the last
    /// good site up and shows the error over the page. Opens no browser.
    Serve {
        #[command(flatten)]
        portal: PortalArgs,
        #[command(flatten)]
        server: serve::ServeArgs,
    },
    /// Create a new portal that builds as it is, in DIR.
    Init {
        /// Folder to create the portal in (created if missing).
        dir: PathBuf,
    },
    /// Generate a sample dataset (deterministic for a seed) at any size.
    Generate {
        /// amazon, chocolate, thelook, kshoe or accounting.
        dataset: String,
        /// Number of rows (order lines / items / invoice lines); default: the committed sample's size.
        #[arg(long)]
        rows: Option<usize>,
        /// Seed of the random generator; the same seed gives the same bytes.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output folder; default data/<dataset>.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Time every analysis over generated data of growing size (release builds only make sense).
    ///
    /// Each case runs in its own process so that its peak memory is its own.
    /// Prints a Markdown table for BENCHMARKS.md.
    Bench {
        /// Row counts to generate, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
        rows: Vec<usize>,
        /// Only these cases (comma-separated); with --portal, datasets
        /// (amazon, chocolate, thelook, kshoe, accounting). Default all.
        #[arg(long, value_delimiter = ',')]
        cases: Vec<String>,
        /// Build the portal at --root over generated data instead, cold,
        /// cached and after a narrative edit, beside the pandas pipeline
        /// and the floor (bytes read once, a bare polars scan).
        #[arg(long)]
        portal: bool,
        /// The portal to build (--portal).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The pandas pipeline to compare with (--portal).
        #[arg(long, default_value = "../shared/bench/pandas_pipeline.py")]
        pandas_script: PathBuf,
        /// Skip the pandas pipeline (--portal).
        #[arg(long)]
        no_pandas: bool,
    },
    /// Run one benchmark case (used by `bench`).
    #[command(hide = true)]
    BenchCase {
        #[arg(long)]
        case: String,
        #[arg(long)]
        data: PathBuf,
    },
    /// Measure the floor of a build (used by `bench`): read FILE once, or
    /// scan and group it with bare polars.
    #[command(hide = true)]
    BenchFloor {
        file: PathBuf,
        /// `bytes`, `polars` or `polars-streaming`.
        #[arg(long, default_value = "polars")]
        how: String,
    },
}

#[derive(Args, Clone)]
struct BuildArgs {
    #[command(flatten)]
    portal: PortalArgs,
    /// Also write every report as one self-contained HTML file,
    /// OUTPUT/<report>.html (styles, scripts, ECharts and chart data inlined):
    /// it opens offline, e.g. from an e-mail attachment.
    #[arg(long)]
    single_file: bool,
    /// Refetch every database and loader source, whatever its `max_age`.
    #[arg(long)]
    refresh: bool,
}

#[derive(Args, Clone)]
struct PortalArgs {
    /// The portal's root folder.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Content folder [default: ROOT/content].
    #[arg(long)]
    content: Option<PathBuf>,
    /// Data folder [default: ROOT/data].
    #[arg(long)]
    data: Option<PathBuf>,
    /// Templates folder (theme overrides) [default: ROOT/templates].
    #[arg(long)]
    templates: Option<PathBuf>,
    /// Output folder [default: ROOT/public].
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Public URL of the site (overrides `base_url` in content/_index.md).
    #[arg(long)]
    base_url: Option<String>,
    /// Recompute every result instead of reusing .wawasan-cache/ (beside content/).
    #[arg(long)]
    no_cache: bool,
    /// Print nothing but errors (no progress, no summary).
    #[arg(long, short)]
    quiet: bool,
}

impl PortalArgs {
    fn options(&self) -> BuildOptions {
        let defaults = Paths::under(&self.root);
        BuildOptions {
            paths: Paths {
                root: self.root.clone(),
                content: self.content.clone().unwrap_or(defaults.content),
                data: self.data.clone().unwrap_or(defaults.data),
                templates: self.templates.clone().unwrap_or(defaults.templates),
                output: self.output.clone().unwrap_or(defaults.output),
            },
            base_url: self.base_url.clone(),
            cache_dir: (!self.no_cache).then(|| self.root.join(".wawasan-cache")),
            session: None,
            progress: Default::default(),
            single_file: false,
            refresh: false,
        }
    }

    /// The options with progress shown on stderr (unless `--quiet`), and
    /// the reporter to close when the build is over.
    fn options_with_progress(&self) -> (BuildOptions, Option<Arc<progress::Reporter>>) {
        let mut options = self.options();
        if self.quiet {
            return (options, None);
        }
        let reporter = progress::Reporter::start();
        options.progress = ProgressSink(reporter.clone());
        (options, Some(reporter))
    }
}

/// Stack of the threads that parse and render user input: deeply nested
/// templates or Markdown recurse in their parsers, and must end in an error,
/// never in a stack overflow. Only the pages touched are ever committed.
pub const STACK_BYTES: usize = 256 << 20;

fn main() -> ExitCode {
    allocator::purge_freed_memory_at_once();
    let cli = Cli::parse();
    // Panics inside the template engine become page errors (see
    // `Narrative::render`): say nothing for them; report any other.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_tera = info.location().is_some_and(|l| l.file().contains("/tera-"));
        if !in_tera {
            default_hook(info);
        }
    }));
    // Reports are computed and rendered on rayon's threads.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_BYTES / 4)
        .build_global();
    let worker = std::thread::Builder::new()
        .name("wawasan".into())
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli.command));
    let outcome = match worker {
        Ok(handle) => handle.join().unwrap_or_else(|_| {
            Err(wawasan::Error::new(
                "internal error: the build thread stopped",
            ))
        }),
        Err(e) => Err(wawasan::Error::new("cannot start the build thread").caused_by(e)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            use std::io::IsTerminal;
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", wawasan::diagnostic::render(&e, color));
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> wawasan::Result<()> {
    let started = Instant::now();
    match command {
        Command::Build(BuildArgs {
            portal: args,
            single_file,
            refresh,
        }) => {
            let (mut options, reporter) = args.options_with_progress();
            options.single_file = single_file;
            options.refresh = refresh;
            if !args.quiet {
                eprintln!("Building {} ...", options.paths.content.display());
            }
            let result = wawasan::site::build(&options);
            let summary = finish(reporter.as_deref(), result)?;
            if !args.quiet {
                print_summary(&summary);
                eprintln!(
                    "Wrote {} files to {} in {:.2?}",
                    summary.files,
                    options.paths.output.display(),
                    started.elapsed()
                );
            }
        }
        Command::Check(args) => {
            let (options, reporter) = args.options_with_progress();
            let result = wawasan::site::check(&options);
            let summary = finish(reporter.as_deref(), result)?;
            if !args.quiet {
                print_summary(&summary);
                eprintln!(
                    "Everything checks out ({:.2?}); nothing was written.",
                    started.elapsed()
                );
            }
        }
        Command::Serve { portal, server } => serve::run(portal.options(), &server)?,
        Command::Init { dir } => {
            let files = wawasan::scaffold::init(&dir)?;
            for f in &files {
                eprintln!("  created {}", f.display());
            }
            eprintln!(
                "New portal in {0}. Next: wawasan build --root {0}, then open {0}/public/index.html",
                dir.display()
            );
        }
        Command::Generate {
            dataset,
            rows,
            seed,
            out,
        } => {
            let dataset: Dataset = dataset.parse()?;
            let rows = rows.unwrap_or(dataset.default_rows());
            let out = out.unwrap_or_else(|| PathBuf::from("data").join(dataset.name()));
            let files = generate(dataset, rows, seed, &out)?;
            for f in &files {
                eprintln!("  wrote {}", f.display());
            }
            eprintln!(
                "Generated {dataset} ({rows} rows, seed {seed}) in {:.2?}",
                started.elapsed()
            );
        }
        Command::Bench {
            rows,
            cases,
            portal: true,
            root,
            pandas_script,
            no_pandas,
        } => run_portal_bench(rows, &cases, root, pandas_script, no_pandas)?,
        Command::Bench { rows, cases, .. } => run_bench(&rows, &cases)?,
        Command::BenchFloor { file, how } => {
            use wawasan::bench::floor;
            let (amount, seconds) = match how.as_str() {
                "bytes" => {
                    let (bytes, s) = floor::read_bytes(&[file.as_path()])?;
                    (bytes as usize, s)
                }
                "polars" => floor::scan_group_by(&file, false)?,
                "polars-streaming" => floor::scan_group_by(&file, true)?,
                other => {
                    return Err(wawasan::Error::new(format!("unknown floor `{other}`"))
                        .hint("use bytes, polars or polars-streaming"));
                }
            };
            println!("{amount} {seconds}");
        }
        Command::BenchCase { case, data } => {
            let m = wawasan::bench::run_case(wawasan::bench::case(&case)?, &data)?;
            println!(
                "{} {} {} {}",
                m.rows,
                m.load_seconds,
                m.run_seconds,
                m.peak_mib.unwrap_or(f64::NAN)
            );
        }
    }
    Ok(())
}

fn run_bench(sizes: &[usize], only: &[String]) -> wawasan::Result<()> {
    use wawasan::bench::CASES;
    use wawasan::error::Error;
    let exe = std::env::current_exe()
        .map_err(|e| Error::new("cannot find the wawasan binary").caused_by(e))?;
    println!(
        "| case | dataset | rows generated | rows read | load (s) | analysis (s) | peak memory (MiB) |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for &size in sizes {
        let scratch = ScratchDir::create()?;
        let dir = scratch.0.clone();
        for case in CASES
            .iter()
            .filter(|c| only.is_empty() || only.iter().any(|o| o == c.name))
        {
            let data = dir.join(case.dataset.name());
            if !data.exists() {
                let started = Instant::now();
                case.dataset.generate(size, &data)?;
                eprintln!(
                    "generated {} × {size} in {:.2?}",
                    case.dataset.name(),
                    started.elapsed()
                );
            }
            let out = std::process::Command::new(&exe)
                .args(["bench-case", "--case", case.name, "--data"])
                .arg(&data)
                .output()
                .map_err(|e| Error::new("cannot start a bench case").caused_by(e))?;
            if !out.status.success() {
                return Err(Error::new(format!(
                    "bench case {} failed: {}",
                    case.name,
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
            let text = String::from_utf8_lossy(&out.stdout);
            let f: Vec<&str> = text.split_whitespace().collect();
            let num = |i: usize| {
                f.get(i)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(f64::NAN)
            };
            println!(
                "| {} | {} | {size} | {} | {:.3} | {:.3} | {:.0} |",
                case.name,
                case.dataset.name(),
                f.first().unwrap_or(&"?"),
                num(1),
                num(2),
                num(3)
            );
        }
    }
    Ok(())
}

fn run_portal_bench(
    sizes: Vec<usize>,
    cases: &[String],
    root: PathBuf,
    pandas_script: PathBuf,
    no_pandas: bool,
) -> wawasan::Result<()> {
    use wawasan::bench::portal;
    let exe = std::env::current_exe()
        .map_err(|e| wawasan::Error::new("cannot find the wawasan binary").caused_by(e))?;
    let datasets = cases
        .iter()
        .map(|c| c.parse::<Dataset>())
        .collect::<wawasan::Result<Vec<_>>>()?;
    let pandas_script = (!no_pandas).then(|| {
        if pandas_script.is_relative() {
            root.join(&pandas_script)
        } else {
            pandas_script
        }
    });
    if let Some(script) = &pandas_script
        && !script.is_file()
    {
        return Err(wawasan::Error::new(format!(
            "the pandas pipeline {} does not exist",
            script.display()
        ))
        .hint("pass --pandas-script PATH, or --no-pandas"));
    }
    let scratch = ScratchDir::create()?;
    let bench = portal::PortalBench {
        sizes,
        datasets,
        root,
        pandas_script,
        venv: std::env::temp_dir().join("wawasan-bench-venv"),
        scratch: scratch.0.clone(),
    };
    let rows = portal::run(&exe, &bench)?;
    print!("{}", portal::markdown(&rows));
    Ok(())
}

/// A scratch folder for generated bench data, removed when dropped (also
/// when a case fails).
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn create() -> wawasan::Result<Self> {
        let dir = std::env::temp_dir().join(format!("wawasan-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| wawasan::Error::io("create", &dir, e))?;
        Ok(ScratchDir(dir))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Close the progress view before the build's outcome is printed.
fn finish<T>(
    reporter: Option<&progress::Reporter>,
    result: wawasan::Result<T>,
) -> wawasan::Result<T> {
    if let Some(reporter) = reporter {
        reporter.finish();
    }
    result
}

fn print_summary(s: &BuildSummary) {
    for warning in &s.warnings {
        eprintln!("warning: {warning}");
    }
    for fetched in &s.fetched {
        eprintln!("  {fetched}");
    }
    eprintln!("{}", counts_line(s));
    eprintln!(
        "  load {:.2?} · compute {:.2?} · render {:.2?} · write {:.2?}",
        s.load_time, s.compute_time, s.render_time, s.write_time
    );
}

/// The summary's line of counts, e.g.
/// `  1 reports (0 from cache), 2 pages, 3 analyses over 1,200 rows`.
fn counts_line(s: &BuildSummary) -> String {
    // Sources pushed down to a database read no rows here: their aggregate
    // rows are counted on the `fetched` lines.
    let over = match s.rows_read {
        0 => String::new(),
        rows => format!(" over {} rows", wawasan::site::progress::count(rows)),
    };
    format!(
        "  {} reports ({} from cache), {} pages, {} analyses{over}",
        s.reports, s.cached_reports, s.pages, s.analyses
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counts_line_groups_rows_and_leaves_out_none_read() {
        let mut s = BuildSummary {
            reports: 2,
            cached_reports: 1,
            pages: 5,
            analyses: 3,
            rows_read: 10_000_000,
            ..Default::default()
        };
        assert_eq!(
            counts_line(&s),
            "  2 reports (1 from cache), 5 pages, 3 analyses over 10,000,000 rows"
        );
        s.rows_read = 0;
        assert_eq!(
            counts_line(&s),
            "  2 reports (1 from cache), 5 pages, 3 analyses"
        );
    }
}
