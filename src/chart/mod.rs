//! Chart building: turns a `ChartSpec` and its result table into ECharts
//! option JSON with `charming`, and embeds it safely in HTML.

mod axes;
pub mod build;
mod cartesian;
mod columns;
mod data;
pub mod embed;
mod graph;
mod heatmap;
mod pie;
mod scatter;
pub mod spec;
mod value_x;

pub use build::{SELECT_KEY, build_option, needs_gl};
pub use data::ChartData;
pub use embed::{chart_html, escape_html, has_chart, has_gl_chart, script_json};
pub use spec::{ChartKind, ChartSpec, ValueFormat};
