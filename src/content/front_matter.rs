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
        // Inside a tagged table (an analysis) serde reports the table's
        // span; the key at fault is found from the message.
        let start = e
            .span()
            .map(|s| refine_start(split.front_matter, s.start, e.message()));
        let line = start.map(|s| split.front_matter_line + count_lines(&split.front_matter[..s]));
        let column = start.map(|s| column_at(split.front_matter, s));
        let hint = start
            .and_then(|s| table_for_list(split.front_matter, s, e.message()))
            .unwrap_or_else(|| "see the front-matter reference in README.md".to_string());
        Error::new(format!("invalid front matter: {}", e.message().trim_end()))
            .at(path)
            .maybe_line(line)
            .maybe_column(column)
            .hint(hint)
    })
}

/// The hint for a single table `[name]` where a list of tables is meant:
/// the header at `at` is `[name]` and serde wanted a sequence.
fn table_for_list(text: &str, at: usize, message: &str) -> Option<String> {
    if !message.starts_with("invalid type: map, expected a sequence") {
        return None;
    }
    let line = text.get(at..)?.lines().next()?.trim();
    let name = line.strip_prefix('[')?.strip_suffix(']')?;
    (!name.starts_with('[')).then(|| {
        format!("`[{name}]` is one table; each entry of the list `{name}` is written `[[{name}]]`")
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

/// Line and column (1-based; lines of the file) of the key at `keys` in the
/// front matter, e.g. `["analyses", "b2b", "amount"]`; a number picks an
/// array element (`["sources", "0", "path"]`). When the whole path is not
/// there, the deepest part found is given, so a missing setting points at
/// its own section.
pub fn locate_key(split: &Split, keys: &[&str]) -> Option<(usize, usize)> {
    let document = toml::de::DeTable::parse(split.front_matter).ok()?;
    walk(document.get_ref(), keys, split)
}

fn walk(table: &toml::de::DeTable, keys: &[&str], split: &Split) -> Option<(usize, usize)> {
    use toml::de::DeValue;
    let mut best = None;
    let mut current: Option<&DeValue> = None;
    let mut table = Some(table);
    for key in keys {
        let next = match (table, current) {
            (Some(t), _) => t
                .iter()
                .find(|(k, _)| k.get_ref() == key)
                .map(|(k, v)| (k.span().start, v)),
            (None, Some(DeValue::Array(items))) => key
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .map(|v| (v.span().start, v)),
            _ => None,
        };
        let Some((at, value)) = next else { break };
        best = Some(at);
        current = Some(value.get_ref());
        table = match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    let at = best?;
    Some((
        split.front_matter_line + count_lines(&split.front_matter[..at]),
        column_at(split.front_matter, at),
    ))
}

/// The offset of the key a serde message is about, searched in the table
/// that starts at `at` (up to the next table header): ``unknown field
/// `k` `` names the key; `invalid type: string "ten"` or `invalid value:
/// integer `-1`` give its value. Otherwise `at` itself — also when the
/// value found is a map: the table under the header is that map (e.g.
/// `[sources]` where `[[sources]]` is meant).
fn refine_start(text: &str, at: usize, message: &str) -> usize {
    let between = |a: &str, b: &str| {
        let from = message.find(a)? + a.len();
        Some(message[from..].split(b).next()?.to_string())
    };
    // What was found, not what was expected (`invalid type: map, expected
    // a sequence`).
    let found = between("invalid type: ", ", expected").unwrap_or_default();
    if found == "map" {
        return at.min(text.len());
    }
    let key = between("unknown field `", "`");
    let value = between("unknown variant `", "`")
        .map(|v| format!("\"{v}\""))
        .or_else(|| between("string \"", "\"").map(|v| format!("\"{v}\"")))
        .or_else(|| between("integer `", "`"))
        .or_else(|| between("floating point `", "`"))
        .or_else(|| between("boolean `", "`"))
        .or_else(|| (found == "sequence").then(|| "[".to_string()));
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    // Only a span on a table header is refined; others are exact already.
    if !text[line_start..].trim_start().starts_with('[') {
        return at;
    }
    let mut offset = line_start;
    for (i, line) in text[line_start..].split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        if i > 0 && trimmed.starts_with('[') {
            break;
        }
        if let Some((k, v)) = trimmed.split_once('=') {
            let indent = line.len() - trimmed.len();
            let k = k.trim().trim_matches('"');
            let hit = match (&key, &value) {
                (Some(key), _) => k == key,
                (None, Some(value)) => v.trim_start().starts_with(value.as_str()),
                (None, None) => false,
            };
            if hit {
                return offset + indent;
            }
        }
        offset += line.len();
    }
    at
}

/// 1-based column, in characters, of byte offset `at` of `text`.
pub fn column_at(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[start..at].chars().count() + 1
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
    fn errors_inside_a_table_point_at_the_key() {
        let fm =
            "a = 1\n[analyses.x]\nkind = \"k\"\ntop_m = 3\ntop_n = \"ten\"\n[other]\ntop_m = 1\n";
        let at = fm.find("[analyses.x]").unwrap();
        let key = refine_start(fm, at, "unknown field `top_m`, expected one of `top_n`");
        assert_eq!(&fm[key..key + 5], "top_m");
        assert!(key < fm.find("[other]").unwrap());
        let value = refine_start(fm, at, "invalid type: string \"ten\", expected usize");
        assert_eq!(&fm[value..value + 5], "top_n");
        assert_eq!(refine_start(fm, at, "missing field `table`"), at);
    }

    #[test]
    fn a_table_where_a_list_is_meant_points_at_its_header() {
        let text = "+++\ntitle = \"A\"\n\n[sources]\nname = \"s\"\nkinds = [\"x\"]\ntypes = { a = \"int\" }\n+++\n";
        #[derive(Deserialize, Debug)]
        struct WithSources {
            #[allow(dead_code)]
            sources: Vec<std::collections::BTreeMap<String, toml::Value>>,
        }
        let s = split(text, Path::new("r/_index.md")).unwrap();
        let e = parse::<WithSources>(&s, Path::new("r/_index.md")).unwrap_err();
        // Line 4 of the file is `[sources]`; lines 6 and 7 hold a list and
        // a map that must not be blamed.
        assert_eq!(
            (e.line_number(), e.column_number()),
            (Some(4), Some(1)),
            "{e}"
        );
        assert!(
            e.hint_text().unwrap().contains("written `[[sources]]`"),
            "{e}"
        );
        let fm = "[analyses.x]\nkind = \"k\"\nmix = [\"a\"]\n";
        let at = refine_start(fm, 0, "invalid type: sequence, expected a string");
        assert_eq!(&fm[at..at + 3], "mix");
    }

    #[test]
    fn locate_finds_the_setting_line() {
        let text = "+++\ntitle = \"A\"\namount = \"Amont\"\n+++\n";
        let s = split(text, Path::new("a.md")).unwrap();
        assert_eq!(locate(&s, "\"Amont\""), Some(3));
    }
}
