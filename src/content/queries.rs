//! Fenced ```sql blocks in Markdown: each names a query that polars SQL runs
//! over the report's tables. The block is replaced by the query's result
//! table (or by nothing, with `hide`), keeping the page's line numbers.

use crate::error::{Error, Result};
use std::path::Path;

/// A named SQL query found in a page.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlBlock {
    pub name: String,
    pub sql: String,
    /// 1-based line of the opening fence in the file.
    pub line: usize,
    /// Whether the result table is shown where the block stood.
    pub shown: bool,
    /// Whether the result is exported (CSV and workbook sheet) even when
    /// no page shows it.
    pub export: bool,
}

/// Take the ```sql blocks out of `body` (whose first line is file line
/// `body_line`). Returns the rewritten body and the queries, in order.
pub fn extract(body: &str, body_line: usize, path: &Path) -> Result<(String, Vec<SqlBlock>)> {
    let mut out = String::with_capacity(body.len());
    let mut blocks = Vec::new();
    let mut lines = body.split_inclusive('\n').enumerate();
    while let Some((i, line)) = lines.next() {
        let Some((fence, info)) = sql_fence(line) else {
            out.push_str(line);
            continue;
        };
        let file_line = body_line + i;
        let Info {
            name,
            shown,
            export,
        } = parse_info(info, path, file_line)?;
        let mut sql = String::new();
        let mut closed = false;
        let mut consumed = 1;
        for (_, inner) in lines.by_ref() {
            consumed += 1;
            if inner.trim_start().starts_with(fence) && inner.trim() == fence {
                closed = true;
                break;
            }
            sql.push_str(inner);
        }
        if !closed {
            return Err(Error::new(format!("```sql block `{name}` is not closed"))
                .at(path)
                .line(file_line)
                .hint(format!("end the block with a line containing only {fence}")));
        }
        if sql.trim().is_empty() {
            return Err(Error::new(format!("```sql block `{name}` holds no query"))
                .at(path)
                .line(file_line)
                .hint("write a SELECT between the fences, e.g. SELECT * FROM sales LIMIT 10, or remove the block"));
        }
        if shown {
            out.push_str(&format!("{{{{ table(name=\"{name}\") }}}}\n"));
        } else {
            out.push('\n');
        }
        out.extend(std::iter::repeat_n("\n", consumed - 1));
        blocks.push(SqlBlock {
            name,
            // Leading blank lines stay, so the query's line 1 is the line
            // after the fence (errors point into the file by it).
            sql: sql.trim_end().to_string(),
            line: file_line,
            shown,
            export,
        });
    }
    Ok((out, blocks))
}

/// The fence and info string of an opening ```sql / ~~~sql line.
fn sql_fence(line: &str) -> Option<(&'static str, &str)> {
    let trimmed = line.trim();
    for fence in ["```", "~~~"] {
        if let Some(rest) = trimmed.strip_prefix(fence) {
            let rest = rest.trim_start();
            if let Some(info) = rest.strip_prefix("sql")
                && (info.is_empty() || info.starts_with(char::is_whitespace))
            {
                return Some((fence, info.trim()));
            }
        }
    }
    None
}

/// What a ```sql fence's info string says after `sql`.
struct Info {
    name: String,
    shown: bool,
    export: bool,
}

fn parse_info(info: &str, path: &Path, line: usize) -> Result<Info> {
    let mut words = info.split_whitespace();
    let name = words.next().ok_or_else(|| {
        Error::new("a ```sql block needs a name")
            .at(path)
            .line(line)
            .hint("write the fence as ```sql top_cities (the name is how pages and charts refer to the result)")
    })?;
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::new(format!(
            "query name `{name}` may only contain letters, digits and _"
        ))
        .at(path)
        .line(line)
        .hint(format!(
            "pages read the result by this name, e.g. `{{{{ {}[0] }}}}`: write it with _ instead",
            name.replace(|c: char| !(c.is_ascii_alphanumeric() || c == '_'), "_")
        )));
    }
    let mut info = Info {
        name: name.to_string(),
        shown: true,
        export: false,
    };
    for option in words {
        match option {
            "hide" => info.shown = false,
            "export" => info.export = true,
            other => {
                return Err(Error::new(format!("unknown ```sql option `{other}`"))
                    .at(path)
                    .line(line)
                    .hint("the options are `hide` (run the query without showing its table) and `export` (offer its result as CSV and in the workbook)"));
            }
        }
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_block_with_table_call_and_keeps_line_count() {
        let body = "Intro\n```sql top\nSELECT 1 AS x\nFROM t\n```\nAfter\n";
        let (out, blocks) = extract(body, 5, Path::new("p.md")).unwrap();
        assert_eq!(out.lines().count(), body.lines().count());
        assert_eq!(out.lines().nth(5), Some("After"));
        assert!(out.contains("{{ table(name=\"top\") }}"));
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].name, "top");
        assert_eq!(blocks[0].sql, "SELECT 1 AS x\nFROM t");
        assert_eq!(blocks[0].line, 6);
        assert!(blocks[0].shown);
    }

    #[test]
    fn hidden_block_leaves_no_table() {
        let (out, blocks) =
            extract("```sql q hide\nSELECT 1\n```\n", 1, Path::new("p.md")).unwrap();
        assert!(!out.contains("table("));
        assert!(!blocks[0].shown);
        assert!(!blocks[0].export);
        let (_, blocks) = extract(
            "```sql q export hide\nSELECT 1\n```\n",
            1,
            Path::new("p.md"),
        )
        .unwrap();
        assert!(!blocks[0].shown && blocks[0].export);
        let e = extract("```sql q hidden\nSELECT 1\n```\n", 1, Path::new("p.md")).unwrap_err();
        assert!(
            e.to_string().contains("unknown ```sql option `hidden`"),
            "{e}"
        );
    }

    #[test]
    fn other_code_blocks_are_untouched() {
        let body = "```rust\nfn main() {}\n```\n```sqlx\nx\n```\n";
        let (out, blocks) = extract(body, 1, Path::new("p.md")).unwrap();
        assert_eq!(out, body);
        assert!(blocks.is_empty());
    }

    #[test]
    fn unnamed_and_unclosed_blocks_are_errors_with_lines() {
        let e = extract("a\n```sql\nSELECT 1\n```\n", 10, Path::new("p.md")).unwrap_err();
        assert_eq!(e.line_number(), Some(11));
        let e = extract("```sql q\nSELECT 1\n", 1, Path::new("p.md")).unwrap_err();
        assert!(e.to_string().contains("not closed"));
    }
}
