//! The `wawasan` command line: build, check, init and generate.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use wawasan::config::Paths;
use wawasan::generate::{Dataset, generate};
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
    Build(PortalArgs),
    /// Validate content, data, analyses and templates without writing anything.
    Check(PortalArgs),
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
}

impl PortalArgs {
    fn options(&self) -> BuildOptions {
        let defaults = Paths::under(&self.root);
        BuildOptions {
            paths: Paths {
                content: self.content.clone().unwrap_or(defaults.content),
                data: self.data.clone().unwrap_or(defaults.data),
                templates: self.templates.clone().unwrap_or(defaults.templates),
                output: self.output.clone().unwrap_or(defaults.output),
            },
            base_url: self.base_url.clone(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> wawasan::Result<()> {
    let started = Instant::now();
    match command {
        Command::Build(args) => {
            let options = args.options();
            eprintln!("Building {} ...", options.paths.content.display());
            let summary = wawasan::site::build(&options)?;
            print_summary(&summary);
            eprintln!(
                "Wrote {} files to {} in {:.2?}",
                summary.files,
                options.paths.output.display(),
                started.elapsed()
            );
        }
        Command::Check(args) => {
            let summary = wawasan::site::check(&args.options())?;
            print_summary(&summary);
            eprintln!(
                "Everything checks out ({:.2?}); nothing was written.",
                started.elapsed()
            );
        }
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
    }
    Ok(())
}

fn print_summary(s: &BuildSummary) {
    eprintln!(
        "  {} reports, {} pages, {} analyses over {} rows",
        s.reports, s.pages, s.analyses, s.rows_read
    );
    eprintln!(
        "  load {:.2?} · compute {:.2?} · render {:.2?} · write {:.2?}",
        s.load_time, s.compute_time, s.render_time, s.write_time
    );
}
