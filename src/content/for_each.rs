//! Pages generated once per value: the `for_each` setting of a page's front
//! matter, its title and slug patterns (`{Country}`), and how a value
//! becomes a URL-friendly slug.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;

/// `for_each = { table = "sales", key = "Country", sort = "-rows", limit = 20,
/// title = "Negara: {Country}", slug = "{Country}", split = ["sales"] }`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct ForEach {
    /// A source (one page per distinct value of `key`), or a query or an
    /// analysis table (one page per row).
    pub table: String,
    /// The column whose value names each page.
    pub key: String,
    /// An item field to order the pages by; `-field` for descending.
    /// Default: the key, ascending, for a source; the table's order for
    /// a query or analysis table.
    #[serde(default)]
    pub sort: Option<String>,
    /// Keep only the first N items after sorting (top N).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Each page's title, with `{field}` replaced by the item's value.
    #[serde(default)]
    pub title: Option<String>,
    /// Each page's slug pattern, made URL-friendly; default the key value.
    #[serde(default)]
    pub slug: Option<String>,
    /// Tables that hold only the item's rows on its page: sources (which
    /// the page's SQL then reads split) and analysis tables, each with a
    /// column named like `key`. Default: `table`, when it is a source.
    #[serde(default)]
    pub split: Option<Vec<String>>,
    /// The line of the setting in its page's file (for errors).
    #[serde(skip)]
    pub line: Option<usize>,
}

impl ForEach {
    /// Check the settings that do not need the data.
    pub fn check(&self, path: &Path, line: Option<usize>) -> Result<()> {
        let fail = |message: String, hint: &str| {
            Err(Error::new(message)
                .at(path)
                .maybe_line(line)
                .hint(hint.to_string()))
        };
        if self.table.trim().is_empty() || self.key.trim().is_empty() {
            return fail(
                "`for_each` needs a table and a key".to_string(),
                "write for_each = { table = \"sales\", key = \"Country\" }",
            );
        }
        if self.limit == Some(0) {
            return fail(
                "`for_each.limit` is 0, which makes no pages".to_string(),
                "give the number of pages to keep (e.g. limit = 20), or leave it out",
            );
        }
        for (name, pattern) in [("title", &self.title), ("slug", &self.slug)] {
            if let Some(pattern) = pattern
                && let Err(why) = Pattern::parse(pattern)
            {
                return fail(
                    format!("`for_each.{name}` = \"{pattern}\": {why}"),
                    "write fields in braces, e.g. \"Negara: {Country}\"",
                );
            }
        }
        Ok(())
    }
}

/// A title or slug pattern: text with `{field}` placeholders.
#[derive(Debug, PartialEq)]
pub struct Pattern(Vec<Part>);

#[derive(Debug, PartialEq)]
enum Part {
    Text(String),
    Field(String),
}

impl Pattern {
    pub fn parse(text: &str) -> std::result::Result<Pattern, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                return Err("a `{` is not closed".to_string());
            };
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let field = rest[open + 1..open + close].trim();
            if field.is_empty() {
                return Err("`{}` names no field".to_string());
            }
            parts.push(Part::Field(field.to_string()));
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err("a `}` has no `{`".to_string());
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Pattern(parts))
    }

    /// The pattern with each field replaced by the item's value as text;
    /// a field the item lacks is an error naming it.
    pub fn fill(&self, fields: &Map<String, Value>) -> std::result::Result<String, String> {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Field(f) => {
                    let value = fields.get(f).ok_or_else(|| {
                        let known: Vec<&str> = fields.keys().map(String::as_str).collect();
                        format!("no field `{f}` (the items have {})", known.join(", "))
                    })?;
                    out.push_str(&crate::table::cell_text(value));
                }
            }
        }
        Ok(out)
    }
}

/// A URL-friendly slug: ASCII letters and digits in lowercase, accented
/// Latin letters without their marks, everything else one `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// A Latin letter with a diacritic as its base letter(s); others unchanged.
fn fold_accent(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => "A",
        'æ' => "ae",
        'Æ' => "AE",
        'ç' | 'č' | 'ć' => "c",
        'Ç' | 'Č' | 'Ć' => "C",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ě' => "E",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ñ' | 'ń' => "n",
        'Ñ' | 'Ń' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => "O",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'ß' => "ss",
        'š' | 'ś' => "s",
        'Š' | 'Ś' => "S",
        'ž' | 'ź' | 'ż' => "z",
        'Ž' | 'Ź' | 'Ż' => "Z",
        _ => "",
    };
    let own = folded.is_empty().then_some(c);
    folded.chars().chain(own)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn slugs_are_lowercase_ascii_with_single_dashes() {
        assert_eq!(slugify("New Zealand"), "new-zealand");
        assert_eq!(slugify("  Côte d'Ivoire! "), "cote-d-ivoire");
        assert_eq!(slugify("Straße 42"), "strasse-42");
        assert_eq!(slugify("Can't Lose Them"), "can-t-lose-them");
        assert_eq!(slugify("日本"), "");
        assert_eq!(slugify("--a--b--"), "a-b");
    }

    #[test]
    fn patterns_fill_fields_and_name_missing_ones() {
        let fields = json!({"Country": "India", "rows": 12});
        let fields = fields.as_object().unwrap();
        let p = Pattern::parse("Negara {Country} ({rows} baris)").unwrap();
        assert_eq!(p.fill(fields).unwrap(), "Negara India (12 baris)");
        let err = Pattern::parse("{Region}")
            .unwrap()
            .fill(fields)
            .unwrap_err();
        assert!(err.contains("no field `Region`"), "{err}");
        assert!(err.contains("Country, rows"), "{err}");
        assert!(Pattern::parse("a {b").is_err());
        assert!(Pattern::parse("a } b").is_err());
        assert!(Pattern::parse("{ }").is_err());
    }
}
