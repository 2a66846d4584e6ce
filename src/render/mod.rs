//! Rendering: Markdown through Tera then pulldown-cmark, locale-aware formatting, and the page templates.

pub mod filters;
pub mod i18n;
pub mod locale;
