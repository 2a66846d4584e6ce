//! What a build is doing, as events for a front end to show: the binary
//! draws them on stderr (a bar on a terminal, plain lines in CI); `serve`
//! and the tests show nothing. A build is a known number of steps: every
//! source, query and analysis of every report, then rendering and writing.

use std::fmt;
use std::sync::Arc;

/// Receives a build's progress; every method may be called from any
/// thread, and does nothing by default.
pub trait Progress: Send + Sync {
    /// The build has `steps` steps in all.
    fn plan(&self, _steps: usize) {}
    /// A step started. `report` is the report's slug (empty for steps of
    /// the whole site).
    fn started(&self, _report: &str, _step: &str) {}
    /// `count` steps finished (more than one when a report's results came
    /// from the cache), with what they found, e.g. the rows read.
    fn finished(&self, _report: &str, _step: &str, _detail: &str, _count: usize) {}
}

/// A shared `Progress` that `BuildOptions` can hold.
#[derive(Clone)]
pub struct ProgressSink(pub Arc<dyn Progress>);

impl ProgressSink {
    /// A sink that shows nothing.
    pub fn silent() -> Self {
        ProgressSink(Arc::new(Silent))
    }
}

impl Default for ProgressSink {
    fn default() -> Self {
        ProgressSink::silent()
    }
}

impl fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressSink")
    }
}

impl std::ops::Deref for ProgressSink {
    type Target = dyn Progress;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

struct Silent;

impl Progress for Silent {}

/// Thousands separated by commas, for step details: `1,000,000`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}
