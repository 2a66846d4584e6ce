//! Chart building: turns a `ChartSpec` and its result table into ECharts
//! option JSON with `charming`, and embeds it safely in HTML.

pub mod spec;

pub use spec::{ChartKind, ChartSpec, ValueFormat};
