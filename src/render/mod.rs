//! Rendering: Markdown through Tera then pulldown-cmark, locale-aware
//! formatting, result tables as HTML, and the theme's page templates.

pub mod filters;
pub mod i18n;
pub mod locale;
pub mod markdown;
pub mod narrative;
pub mod placeholders;
pub mod references;
pub mod table_html;
pub mod template_loops;
pub mod tera_error;
pub mod text_values;
pub mod theme;
