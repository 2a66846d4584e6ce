//! Rendering: Markdown through Tera then pulldown-cmark, locale-aware formatting, and the page templates.
pub mod i18n;
