//! The fuzzing harness of `tests/fuzz.rs`: runs a proptest strategy against
//! a property once per `cargo test`, or for a time budget with fresh seeds
//! (`WAWASAN_FUZZ_SECS`), and turns panics, slow cases and stuck cases into
//! failures that show the input.

#![allow(dead_code)]

pub mod cells;
pub mod html;
pub mod inputs;
pub mod pages;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::hash::{BuildHasher, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

/// A case slower than this fails as a "super-slow input" (and is shrunk).
/// Normal cases take milliseconds; the margin absorbs a loaded machine.
const SLOW: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(10)
} else {
    Duration::from_secs(3)
};

/// A case running this long is taken for an infinite loop: its input is
/// printed and the process aborts (a stuck case cannot be unwound).
const STUCK: Duration = Duration::from_secs(90);

thread_local! {
    /// Whether a panic on this thread is a fuzz case's (recorded, not printed).
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last quiet panic on this thread happened.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Check `property` on values of `strategy`: `cases` cases, or with
/// `WAWASAN_FUZZ_SECS=N` rounds of `cases` cases with fresh seeds until N
/// seconds have passed. `WAWASAN_FUZZ_SEED=<64 hex digits>` replays a
/// round's seed (printed with any failure).
pub fn fuzz<S>(
    name: &str,
    cases: u32,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: Debug,
{
    install_panic_hook();
    let budget = std::env::var("WAWASAN_FUZZ_SECS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let fixed_seed = std::env::var("WAWASAN_FUZZ_SEED")
        .ok()
        .map(|s| parse_seed(&s));
    let watchdog = Watchdog::start(name);
    let started = Instant::now();
    let (mut rounds, mut total) = (0u64, 0u64);
    loop {
        let seed = fixed_seed.unwrap_or_else(fresh_seed);
        let config = Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 20_000,
            max_shrink_time: 120_000,
            ..Config::default()
        };
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let result = runner.run(&strategy, |value| {
            watchdog.enter(&value);
            let start = Instant::now();
            let outcome = run_quietly(|| property(value));
            watchdog.leave();
            let took = start.elapsed();
            outcome?;
            if took > SLOW {
                return Err(TestCaseError::fail(format!("slow case: {took:?}")));
            }
            Ok(())
        });
        rounds += 1;
        total += u64::from(cases);
        if let Err(e) = result {
            panic!(
                "fuzz target `{name}` failed (WAWASAN_FUZZ_SEED={}): {e}",
                hex(&seed)
            );
        }
        match budget {
            Some(b) if started.elapsed() < b && fixed_seed.is_none() => continue,
            _ => break,
        }
    }
    if budget.is_some() {
        eprintln!(
            "fuzz {name}: {total} cases in {rounds} rounds, {:.0?}, no failure",
            started.elapsed()
        );
    }
}

/// Run one case, turning a panic into a failure that says where it happened.
fn run_quietly(case: impl FnOnce() -> Result<(), TestCaseError>) -> Result<(), TestCaseError> {
    QUIET.with(|q| q.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(case));
    QUIET.with(|q| q.set(false));
    outcome.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(no message)".into());
        let at = LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_default();
        Err(TestCaseError::fail(format!("panicked{at}: {message}")))
    })
}

/// Panics of fuzz cases are recorded instead of printed (shrinking panics
/// hundreds of times); every other panic prints as usual.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(at));
            } else {
                default(info);
            }
        }));
    });
}

/// Aborts the process with the input when one case runs for `STUCK`.
struct Watchdog {
    current: Arc<Mutex<Option<(Instant, String)>>>,
    stop: Arc<AtomicBool>,
}

impl Watchdog {
    fn start(name: &str) -> Self {
        let current: Arc<Mutex<Option<(Instant, String)>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (watched, stopped, name) = (current.clone(), stop.clone(), name.to_string());
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let guard = watched.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((since, input)) = guard.as_ref()
                    && since.elapsed() > STUCK
                {
                    eprintln!(
                        "fuzz target `{name}`: one case has run for {:?}, stuck on input:\n{input}",
                        since.elapsed()
                    );
                    std::process::abort();
                }
            }
        });
        Watchdog { current, stop }
    }

    fn enter(&self, value: &dyn Debug) {
        let input = format!("{value:?}");
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), input));
    }

    fn leave(&self) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn fresh_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    for (i, chunk) in seed.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    seed
}

fn parse_seed(text: &str) -> [u8; 32] {
    let text = text.trim();
    let mut seed = [0u8; 32];
    assert_eq!(text.len(), 64, "WAWASAN_FUZZ_SEED takes 64 hex digits");
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex digits");
    }
    seed
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Fails the case when a `wawasan::Error` (or any error text) shows that a
/// panic was caught and turned into an error somewhere below.
pub fn check_error(err: &dyn std::fmt::Display) -> Result<(), TestCaseError> {
    let text = err.to_string();
    if text.contains("panicked") {
        return Err(TestCaseError::fail(format!(
            "error reports a panic: {text}"
        )));
    }
    Ok(())
}
