//! TOML front matter between `+++` lines: splitting it from the Markdown
//! body and deserialising it with errors that point at the file and line.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use std::path::Path;

/// A Markdown file split into its front matter and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Split<'a> {
    /// The TOML text between the `+++` fences (empty when there is none).
    pub front_matter: &'a str,
    /// 1-based line of the first front-matter line in the file.
    pub front_matter_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// 1-based line of the first body line in the file.
    pub body_line: usize,
}

/// Split `text` into front matter and body. A file without a leading `+++`
/// line has an empty front matter.
pub fn split<'a>(text: &'a str, path: &Path) -> Result<Split<'a>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        return Ok(Split {
            front_matter: "",
            front_matter_line: 1,
            body: text,
            body_line: 1,
        });
    }
    let start = first.len();
    let mut offset = start;
    for (i, line) in lines.enumerate() {
        if line.trim_end() == "+++" {
            return Ok(Split {
                front_matter: &text[start..offset],
                front_matter_line: 2,
                body: &text[offset + line.len()..],
                body_line: i + 3,
            });
        }
        offset += line.len();
    }
    Err(Error::new("front matter is not closed")
        .at(path)
        .line(1)
        .hint("end the front matter with a line containing only `+++`"))
}

/// Deserialise front matter, mapping TOML errors to the file's line numbers.
pub fn parse<T: DeserializeOwned>(split: &Split, path: &Path) -> Result<T> {
    toml::from_str(split.front_matter).map_err(|e| {
        let line = e
            .span()
            .map(|s| split.front_matter_line + count_lines(&split.front_matter[..s.start]));
        Error::new(format!("invalid front matter: {}", e.message().trim_end()))
            .at(path)
            .maybe_line(line)
            .hint("see the front-matter reference in README.md")
    })
}

/// The 1-based line of the front matter (in file lines) where `needle`
/// first appears, for pointing semantic errors at their setting.
pub fn locate(split: &Split, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    split
        .front_matter
        .lines()
        .position(|l| l.contains(needle))
        .map(|i| split.front_matter_line + i)
}

fn count_lines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Meta {
        #[allow(dead_code)]
        title: String,
    }

    #[test]
    fn splits_front_matter_and_body_with_line_numbers() {
        let text = "+++\ntitle = \"A\"\n+++\n# Body\n";
        let s = split(text, Path::new("a.md")).unwrap();
        assert_eq!(s.front_matter, "title = \"A\"\n");
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn file_without_front_matter_is_all_body() {
        let s = split("# Just text\n", Path::new("a.md")).unwrap();
        assert_eq!(s.front_matter, "");
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn unclosed_front_matter_is_an_error_at_line_one() {
        let e = split("+++\ntitle = 1\n", Path::new("a.md")).unwrap_err();
        assert_eq!(e.line_number(), Some(1));
        assert!(e.to_string().contains("not closed"));
    }

    #[test]
    fn unknown_key_error_points_at_its_line() {
        let text = "+++\ntitle = \"A\"\ntitel = \"B\"\n+++\n";
        let s = split(text, Path::new("r/_index.md")).unwrap();
        let e = parse::<Meta>(&s, Path::new("r/_index.md")).unwrap_err();
        assert_eq!(e.line_number(), Some(3), "{e}");
        assert!(e.to_string().contains("titel"), "{e}");
    }

    #[test]
    fn locate_finds_the_setting_line() {
        let text = "+++\ntitle = \"A\"\namount = \"Amont\"\n+++\n";
        let s = split(text, Path::new("a.md")).unwrap();
        assert_eq!(locate(&s, "\"Amont\""), Some(3));
    }
}
