//! The content model: the portal, its reports and their pages, read from `content/` with TOML front matter.
