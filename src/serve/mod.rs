//! `wawasan serve`: build the portal, serve the output folder on localhost,
//! rebuild after every saved change and tell the browsers to reload — or
//! show the build error over the page while the last good site stays up.
//! The site builder knows nothing of this; it only gets asked to rebuild.

mod http;
mod reload;
mod watch;

use clap::Args;
use notify_debouncer_full::DebouncedEvent;
use reload::{ErrorReport, Status};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};
use tokio::sync::watch as status_channel;
use wawasan::error::{Error, Result};
use wawasan::site::{BuildOptions, BuildSummary};

/// How many ports from `--port` on are tried before giving up.
const PORT_TRIES: u16 = 20;

/// The server's own options (the portal's folders come from the common ones).
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on; when it is taken the next free one is used (0: any free port).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Poll the files for changes instead of relying on the system's file
    /// events (for network drives, containers, WSL).
    #[arg(long)]
    pub poll: bool,
}

/// What the rebuild loop needs.
struct Rebuilder {
    options: BuildOptions,
    roots: watch::Roots,
    status: Arc<status_channel::Sender<Status>>,
    /// Held while the output is being written, so Ctrl-C waits for a swap in flight.
    writing: Arc<Mutex<()>>,
    /// Print how long each step of a rebuild took (`WAWASAN_TIMINGS=1`).
    timings: bool,
}

/// Build, serve and watch until Ctrl-C.
pub fn run(mut options: BuildOptions, args: &ServeArgs) -> Result<()> {
    // Remember results, data-file hashes, pages and the output between
    // rebuilds: a narrative edit then re-renders only the pages it touches
    // and rewrites only the files that changed.
    options.session = Some(wawasan::site::Session::default());
    if !options.paths.content.is_dir() {
        return Err(Error::new("no content folder to serve")
            .at(&options.paths.content)
            .hint("run wawasan in the portal's folder, or pass --root (or --content)"));
    }
    let roots = watch::Roots::new(&options.paths);
    let (batches_tx, batches) = mpsc::channel();
    // Watch before the first build so that nothing saved meanwhile is missed.
    let watcher = watch::start(&roots, args.poll, batches_tx)?;
    let (status_tx, status_rx) = status_channel::channel(Status::default());
    let rebuilder = Rebuilder {
        options,
        roots,
        status: Arc::new(status_tx),
        writing: Arc::new(Mutex::new(())),
        timings: std::env::var_os("WAWASAN_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0"),
    };
    eprintln!("Building {} ...", rebuilder.options.paths.content.display());
    rebuilder.rebuild();

    let listener = bind(args.bind, args.port)?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::new("cannot read the server's address").caused_by(e))?;
    let output = rebuilder.options.paths.output.clone();
    println!("Serving {} at http://{address}/", output.display());
    log_watched(&rebuilder.roots);

    let status = rebuilder.status.clone();
    let writing = rebuilder.writing.clone();
    std::thread::Builder::new()
        .name("rebuild".into())
        .stack_size(crate::STACK_BYTES)
        .spawn(move || rebuilder.rebuild_on_changes(watcher, batches))
        .map_err(|e| Error::new("cannot start the rebuild thread").caused_by(e))?;
    let state = Arc::new(http::AppState {
        output,
        status: status_rx,
    });
    serve_until_ctrl_c(listener, state, status)?;
    let _done = writing.lock().unwrap_or_else(PoisonError::into_inner);
    eprintln!("Stopped.");
    Ok(())
}

impl Rebuilder {
    /// Rebuild after each batch of changes (for as long as the server runs).
    fn rebuild_on_changes(
        self,
        mut watcher: watch::Watcher,
        batches: mpsc::Receiver<Vec<DebouncedEvent>>,
    ) {
        while let Ok(mut events) = batches.recv() {
            // Changes that came in during the last rebuild make one batch.
            events.extend(batches.try_iter().flatten());
            let changes = self.roots.changes(&events);
            if changes.is_empty() {
                continue;
            }
            for change in &changes {
                eprintln!("Changed: {change}");
            }
            // A folder created since (templates/, say) is watched before the
            // rebuild reads it, so that nothing saved in it is missed.
            match watcher.follow_new_folders(&self.roots) {
                Ok(true) => log_watched(&self.roots),
                Ok(false) => {}
                Err(e) => eprintln!("{e}"),
            }
            self.rebuild();
        }
    }

    /// Rebuild the site, swap the output in if it built, and tell the
    /// browsers (unless the site is exactly as they have it).
    fn rebuild(&self) {
        let _writing = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        let started = Instant::now();
        let result = rebuild_site(&self.options);
        let millis = started.elapsed().as_millis();
        let (first, broken) = {
            let status = self.status.borrow();
            (status.version == 0, status.error.is_some())
        };
        match &result {
            Ok(summary) if !first && !summary.changed_output() => {
                eprintln!("Rebuilt in {millis} ms: the site did not change.");
            }
            Ok(summary) => eprintln!(
                "{} in {millis} ms: {} reports, {} pages, {} files; \
                 ran {} of {} analyses, rendered {} pages, wrote {} files.",
                if first { "Built" } else { "Rebuilt" },
                summary.reports,
                summary.pages,
                summary.files,
                summary.analyses_run,
                summary.analyses,
                summary.pages_rendered,
                summary.files_written,
            ),
            Err(e) if first => eprintln!(
                "error: {e}\nThe build failed after {millis} ms; save a fix to build the site."
            ),
            Err(e) => eprintln!(
                "error: {e}\nThe build failed after {millis} ms; the last good site is still served."
            ),
        }
        if let (Ok(summary), true) = (&result, self.timings) {
            eprintln!(
                "  load {:.1?} · compute {:.1?} · render {:.1?} · write {:.1?}",
                summary.load_time, summary.compute_time, summary.render_time, summary.write_time
            );
        }
        // The terminal first, then the browsers.
        match &result {
            Ok(summary) if !first && !broken && !summary.changed_output() => {}
            Ok(_) => self.status.send_modify(|status| {
                status.version += 1;
                status.error = None;
            }),
            Err(e) => self
                .status
                .send_modify(|status| status.error = Some(Arc::new(ErrorReport::from_error(e)))),
        }
        // Only then remove the replaced output folder.
        if let Some(Err(e)) = self.options.session.as_ref().map(|s| s.clean_up()) {
            eprintln!("warning: {e}");
        }
    }
}

/// The one call into the site builder. With the session the site layer
/// re-runs only the analyses whose inputs changed, re-renders only the pages
/// whose inputs changed and writes only the files that changed.
fn rebuild_site(options: &BuildOptions) -> Result<BuildSummary> {
    wawasan::site::build(options)
}

fn log_watched(roots: &watch::Roots) {
    let watched: Vec<String> = roots
        .watched()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    eprintln!("Watching {} (Ctrl-C to stop)", watched.join(", "));
}

/// Listen on `port`, or on the next free port after it.
fn bind(ip: IpAddr, port: u16) -> Result<TcpListener> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_TRIES - 1)
    };
    for candidate in port..=last {
        match TcpListener::bind((ip, candidate)) {
            Ok(listener) => {
                if candidate != port {
                    eprintln!("Port {port} is in use; using port {candidate} instead.");
                }
                return Ok(listener);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => {
                return Err(
                    Error::new(format!("cannot listen on {ip} port {candidate}"))
                        .caused_by(e)
                        .hint("check --bind and --port"),
                );
            }
        }
    }
    Err(
        Error::new(format!("ports {port} to {last} on {ip} are all in use"))
            .hint("choose another with --port, or --port 0 for any free port"),
    )
}

/// Run the HTTP server until Ctrl-C, then close the event streams and stop.
fn serve_until_ctrl_c(
    listener: TcpListener,
    state: Arc<http::AppState>,
    status: Arc<status_channel::Sender<Status>>,
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::new("cannot start the server's runtime").caused_by(e))?;
    let shutdown = async move {
        if tokio::signal::ctrl_c().await.is_err() {
            // No Ctrl-C handler: run until the process is killed.
            std::future::pending::<()>().await;
        }
        eprintln!("Stopping ...");
        status.send_modify(|s| s.closing = true);
    };
    let served = runtime.block_on(http::serve(listener, state, shutdown));
    runtime.shutdown_timeout(Duration::from_secs(1));
    served.map_err(|e| Error::new("the HTTP server failed").caused_by(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_moves_to_the_next_free_one() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let taken = TcpListener::bind((ip, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        if port == u16::MAX {
            return;
        }
        let listener = bind(ip, port).unwrap();
        assert!(listener.local_addr().unwrap().port() > port);
    }
}
