//! wawasan: a static insight-portal generator. Markdown narratives and data
//! go in; analyses run; a static HTML portal with ECharts charts comes out.
//!
//! Layers, each depending only on those above it:
//! `error`/`table` → `config` → `data` → `chart` → `analysis` → `content`
//! → `render` → `site`. The generator of sample data (`generate`) stands
//! aside. The CLI, the dev server and the file watcher live in the binary.

pub mod analysis;
pub mod bench;
pub mod chart;
pub mod config;
pub mod data;
pub mod diagnostic;
pub mod error;
pub mod table;

pub use error::{Error, Result};
pub mod content;
pub mod generate;
pub mod render;
pub mod scaffold;
pub mod site;
