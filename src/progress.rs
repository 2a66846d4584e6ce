//! The binary's view of a build's progress on stderr (the library only
//! sends events, see `wawasan::site::progress`). Nothing is shown for a
//! build that is done within a second. After that, on a terminal a bar is
//! redrawn in place — the step running, steps done, time left — with a
//! line for each source loaded; when stderr is not a terminal (CI, a log
//! file) every finished step is one plain line. `--quiet` shows nothing.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use wawasan::site::progress::Progress;

/// How long a build runs before its progress is shown (the environment
/// variable `WAWASAN_PROGRESS_AFTER_MS` changes it, e.g. to 0 in tests).
fn quiet_start() -> Duration {
    std::env::var("WAWASAN_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// A progress view on stderr.
pub struct Reporter {
    started: Instant,
    view: View,
    state: Mutex<State>,
}

enum View {
    Bar(ProgressBar),
    Lines,
}

#[derive(Default)]
struct State {
    steps: usize,
    done: usize,
    /// Lines of the first second, shown if the build lasts longer.
    held: Vec<String>,
    /// Whether the progress is being shown.
    visible: bool,
    over: bool,
}

impl Reporter {
    /// A reporter for stderr, and the thread that shows it after a second.
    pub fn start() -> Arc<Reporter> {
        let view = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] [{bar:24}] {pos}/{len} {wide_msg} ~{eta} left",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            View::Bar(bar)
        } else {
            View::Lines
        };
        let reporter = Arc::new(Reporter {
            started: Instant::now(),
            view,
            state: Mutex::new(State::default()),
        });
        let delay = quiet_start();
        if delay.is_zero() {
            reporter.show();
            return reporter;
        }
        let later = Arc::downgrade(&reporter);
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            if let Some(reporter) = later.upgrade() {
                reporter.show();
            }
        });
        reporter
    }

    /// The build is over: clear the bar (a summary follows).
    pub fn finish(&self) {
        let mut state = self.lock();
        state.over = true;
        if let View::Bar(bar) = &self.view {
            bar.finish_and_clear();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Start showing progress: the held lines, then everything as it comes.
    fn show(&self) {
        let mut state = self.lock();
        if state.visible || state.over {
            return;
        }
        state.visible = true;
        match &self.view {
            View::Bar(bar) => {
                bar.set_draw_target(ProgressDrawTarget::stderr());
                bar.enable_steady_tick(Duration::from_millis(120));
                for line in state.held.drain(..) {
                    bar.println(line);
                }
            }
            View::Lines => {
                let mut err = std::io::stderr().lock();
                for line in state.held.drain(..) {
                    let _ = writeln!(err, "{line}");
                }
            }
        }
    }

    /// A line for the log: shown now, or held for the first second.
    fn line(&self, state: &mut State, line: String) {
        if !state.visible {
            state.held.push(line);
            return;
        }
        match &self.view {
            View::Bar(bar) => bar.println(line),
            View::Lines => eprintln!("{line}"),
        }
    }

    /// About how long the rest will take, from the pace so far.
    fn time_left(&self, state: &State) -> Option<Duration> {
        if state.done == 0 || state.done >= state.steps {
            return None;
        }
        let per_step = self.started.elapsed().as_secs_f64() / state.done as f64;
        Some(Duration::from_secs_f64(
            per_step * (state.steps - state.done) as f64,
        ))
    }
}

fn label(report: &str, step: &str) -> String {
    if report.is_empty() {
        step.to_string()
    } else {
        format!("{report}: {step}")
    }
}

impl Progress for Reporter {
    fn plan(&self, steps: usize) {
        self.lock().steps = steps;
        if let View::Bar(bar) = &self.view {
            bar.set_length(steps as u64);
        }
    }

    fn started(&self, report: &str, step: &str) {
        if let View::Bar(bar) = &self.view {
            bar.set_message(label(report, step));
        }
    }

    fn finished(&self, report: &str, step: &str, detail: &str, count: usize) {
        let mut state = self.lock();
        state.done += count;
        let what = match detail {
            "" => label(report, step),
            d => format!("{} ({d})", label(report, step)),
        };
        match &self.view {
            View::Bar(bar) => {
                bar.inc(count as u64);
                // Loaded sources are worth a line; the bar shows the rest.
                if step.starts_with("load ") {
                    self.line(&mut state, what);
                }
            }
            View::Lines => {
                let elapsed = self.started.elapsed().as_secs_f64();
                let left = self
                    .time_left(&state)
                    .map(|t| format!(", about {:.0} s left", t.as_secs_f64().ceil()))
                    .unwrap_or_default();
                let line = format!(
                    "[{elapsed:6.1}s] {what} — {}/{} steps{left}",
                    state.done, state.steps
                );
                self.line(&mut state, line);
            }
        }
    }
}
