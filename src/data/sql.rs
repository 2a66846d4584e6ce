//! Running a report's SQL queries with polars SQL over the report's tables.
//! Results are deterministic: a query without a top-level `ORDER BY` is
//! sorted by all its columns, left to right.

use super::Tables;
use super::clean::polars_reason;
use crate::error::{Error, Result};
use polars::prelude::{DataFrame, DataType, IntoLazy, SortMultipleOptions};
use polars::sql::SQLContext;
use std::collections::BTreeSet;

/// Runs `sql` with every table registered under its name.
pub fn run_query(sql: &str, tables: &Tables) -> Result<DataFrame> {
    refuse_statements(sql)?;
    refuse_file_functions(sql)?;
    let mut ctx = SQLContext::new();
    for (name, df) in tables {
        ctx.register(name, df.clone().lazy());
    }
    let df = ctx
        .execute(sql)
        .and_then(|lf| lf.collect())
        .map_err(|e| {
            Error::new(format!("the SQL query failed: {}", polars_reason(&e))).hint(format!(
                    "tables: {}; put names with spaces or capitals in double quotes (\"Sales Channel\") and text in single quotes ('Cancelled')",
                    describe_tables(tables)
                ))
        })?;
    if has_top_level_order_by(sql) {
        Ok(df)
    } else {
        sort_by_all_columns(df)
    }
}

/// A query block holds one query: `SELECT`, `WITH … SELECT`, or a
/// parenthesised one. Statements (`CREATE TABLE`, `DROP`, `SHOW`, …) would
/// run without a result to show.
fn refuse_statements(sql: &str) -> Result<()> {
    let mut rest = sql.trim_start();
    // Comments before the query.
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    if rest.starts_with('(') || matches!(word.as_str(), "SELECT" | "WITH" | "FROM") {
        return Ok(());
    }
    Err(Error::new(format!(
        "the SQL block holds a `{word}` statement, not a query"
    ))
    .hint("a block is one SELECT (or WITH … SELECT) whose result the page shows; tables come from `[[sources]]` and earlier blocks"))
}

/// Polars SQL's table functions read any file of the machine
/// (`read_csv('/etc/passwd')`): queries read the report's tables only, as
/// sources read files only inside the data folder.
fn refuse_file_functions(sql: &str) -> Result<()> {
    const READERS: [&str; 6] = [
        "read_csv",
        "read_parquet",
        "read_ipc",
        "read_json",
        "read_ndjson",
        "read_excel",
    ];
    let called = bare_calls(sql);
    let Some(function) = called
        .iter()
        .find(|f| READERS.iter().any(|r| f.eq_ignore_ascii_case(r)))
    else {
        return Ok(());
    };
    Err(Error::new(format!(
        "the SQL query calls `{function}`, which would read a file directly"
    ))
    .hint("queries read the report's tables by name; declare the file as a `[[sources]]` entry (inside the data folder) and select from it"))
}

/// The names of the functions `sql` calls: bare words followed by `(`,
/// outside string literals, quoted identifiers and comments.
fn bare_calls(sql: &str) -> Vec<String> {
    let bytes = sql.as_bytes();
    let mut calls = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' => i = skip_past(bytes, i + 1, b"'"),
            b'"' | b'`' => i = skip_past(bytes, i + 1, &[c]),
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = skip_past(bytes, i + 2, b"\n"),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_past(bytes, i + 2, b"*/"),
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let rest = sql[i..].trim_start();
                if rest.starts_with('(') {
                    calls.push(sql[start..i].to_string());
                }
            }
            _ => i += 1,
        }
    }
    calls
}

/// Where in a query's text an error is (1-based line within the SQL, whose
/// first line follows the fence; and the column when known): the parser's
/// `Line: N, Column: M`, or the line naming the column polars could not
/// find, or else the first line.
pub fn error_position(sql: &str, message: &str) -> (usize, Option<usize>) {
    if let Some(at) = message.find("Line: ") {
        let numbers: Vec<usize> = message[at..]
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .take(2)
            .collect();
        if let [line, column] = numbers[..] {
            return (line.max(1), Some(column.max(1)));
        }
    }
    let name = between(message, "column \"", "\"")
        .or_else(|| between(message, "column `", "`"))
        .or_else(|| between(message, "relation '", "'"));
    if let Some(name) = name {
        for (i, text) in sql.lines().enumerate() {
            if let Some(byte) = text.find(&name) {
                return (i + 1, Some(text[..byte].chars().count() + 1));
            }
        }
    }
    (1, None)
}

/// The text between the first `start` and the next `end` of `text`.
fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(text[from..from + len].to_string())
}

/// `name (col, col, ...)` for each table, in name order.
fn describe_tables(tables: &Tables) -> String {
    if tables.is_empty() {
        return "none (declare `sources` first)".to_owned();
    }
    let parts: Vec<String> = tables
        .iter()
        .map(|(name, df)| {
            let cols: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
            format!("`{name}` ({})", cols.join(", "))
        })
        .collect();
    parts.join("; ")
}

/// Sorts by every sortable column, nulls last, so row order never depends
/// on how polars happened to schedule the query.
fn sort_by_all_columns(df: DataFrame) -> Result<DataFrame> {
    let keys: Vec<String> = df
        .columns()
        .iter()
        .filter(|c| {
            !matches!(
                c.dtype(),
                DataType::List(_) | DataType::Struct(_) | DataType::Array(_, _)
            )
        })
        .map(|c| c.name().to_string())
        .collect();
    if keys.is_empty() || df.height() < 2 {
        return Ok(df);
    }
    let options = SortMultipleOptions::default()
        .with_nulls_last(true)
        .with_maintain_order(true);
    Ok(df.sort(keys, options)?)
}

/// Whether the query ends with its own `ORDER BY` (not one inside
/// parentheses, such as a subquery or `OVER (ORDER BY ...)`), ignoring
/// quoted text and comments.
fn has_top_level_order_by(sql: &str) -> bool {
    let bytes = sql.as_bytes();
    let (mut i, mut depth, mut previous) = (0usize, 0i32, String::new());
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' | b'`' => i = skip_past(bytes, i + 1, &[c]),
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = skip_past(bytes, i + 2, b"\n"),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_past(bytes, i + 2, b"*/"),
            b'(' => (depth, i) = (depth + 1, i + 1),
            b')' => (depth, i) = (depth - 1, i + 1),
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = sql[start..i].to_ascii_uppercase();
                if depth == 0 && previous == "ORDER" && word == "BY" {
                    return true;
                }
                if depth == 0 {
                    previous = word;
                }
            }
            _ => i += 1,
        }
    }
    false
}

/// The names `sql` (a query or an expression) may refer to: every bare
/// word and every `"quoted"` or `` `quoted` `` identifier (string literals
/// are values, not names), and whether it selects all columns with `*` or
/// `t.*` (not `COUNT(*)` or a product). A superset of the columns it reads.
pub fn referenced_names(sql: &str) -> (BTreeSet<String>, bool) {
    let bytes = sql.as_bytes();
    let mut names = BTreeSet::new();
    let mut star = false;
    let mut previous = b'(';
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' => i = skip_past(bytes, i + 1, b"'"),
            b'"' | b'`' => {
                let end = skip_past(bytes, i + 1, &[c]);
                let inner = &sql[i + 1..end.saturating_sub(1).max(i + 1)];
                names.insert(inner.to_string());
                i = end;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = skip_past(bytes, i + 2, b"\n"),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_past(bytes, i + 2, b"*/"),
            b'*' => {
                // `SELECT *`, `a, *`, `t.*` select columns; `(*)` and
                // `x * y` do not.
                let word_before = previous.is_ascii_alphanumeric() || previous == b'_';
                let select_word = word_before && {
                    let before = sql[..i].trim_end();
                    let word_start = before
                        .char_indices()
                        .rfind(|(_, ch)| !(ch.is_ascii_alphanumeric() || *ch == '_'))
                        .map_or(0, |(p, ch)| p + ch.len_utf8());
                    matches!(
                        before[word_start..].to_ascii_uppercase().as_str(),
                        "SELECT" | "DISTINCT"
                    )
                };
                if previous == b',' || previous == b'.' || select_word {
                    star = true;
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' || !c.is_ascii() => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || !bytes[i].is_ascii())
                {
                    i += 1;
                }
                names.insert(sql[start..i].to_string());
                previous = b'a';
                continue;
            }
            _ => i += 1,
        }
        if !c.is_ascii_whitespace() && c != b'*' {
            previous = c;
        }
    }
    (names, star)
}

/// `sql` with each item parameter `$Field` (or `$"Field name"`) bound to
/// the one-row table `table` that holds the item's values: `x = $Field`
/// becomes `x IN (SELECT "Field" FROM "table")` and `x <> $Field` a
/// `NOT IN`, so a value never enters the SQL text. `fields` are the names
/// a parameter may use; an unknown one, or one used otherwise than
/// compared with `=` or `<>`, is an error saying so.
pub fn bind_item_params(
    sql: &str,
    fields: &[&str],
    table: &str,
) -> std::result::Result<String, String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' | b'`' => i = skip_past(bytes, i + 1, &[c]),
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = skip_past(bytes, i + 2, b"\n"),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_past(bytes, i + 2, b"*/"),
            b'$' if bytes.get(i + 1) == Some(&b'$') => i = skip_past(bytes, i + 2, b"$$"),
            b'$' => {
                let (name, end) = parameter_name(sql, i + 1)
                    .ok_or_else(|| "a `$` is not followed by a field name".to_string())?;
                if !fields.contains(&name.as_str()) {
                    return Err(format!(
                        "parameter `${name}`: the item has no field `{name}` (it has {})",
                        fields.join(", ")
                    ));
                }
                out.push_str(&sql[copied..i]);
                let before = out.trim_end();
                let (kept, negated) = if let Some(rest) = before
                    .strip_suffix("<>")
                    .or_else(|| before.strip_suffix("!="))
                {
                    (rest.trim_end().len(), true)
                } else if let Some(rest) = before.strip_suffix('=')
                    && !rest.ends_with(['<', '>', '!', '='])
                {
                    (rest.trim_end().len(), false)
                } else {
                    return Err(format!(
                        "parameter `${name}` can only be compared with = or <> (e.g. WHERE \"{name}\" = ${name})"
                    ));
                };
                out.truncate(kept);
                let not = if negated { " NOT" } else { "" };
                out.push_str(&format!(
                    "{not} IN (SELECT {} FROM {})",
                    quote_identifier(&name),
                    quote_identifier(table)
                ));
                i = end;
                copied = end;
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[copied..]);
    Ok(out)
}

/// The field name of a parameter starting at `from` (after its `$`) and
/// where it ends.
fn parameter_name(sql: &str, from: usize) -> Option<(String, usize)> {
    let rest = &sql[from..];
    if let Some(quoted) = rest.strip_prefix('"') {
        let close = quoted.find('"')?;
        return Some((quoted[..close].to_string(), from + close + 2));
    }
    let len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(rest.len(), |(p, _)| p);
    (len > 0).then(|| (rest[..len].to_string(), from + len))
}

/// `name` as a quoted SQL identifier: `"a""b"` for `a"b` (standard SQL,
/// read alike by polars and PostgreSQL).
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The index just after the next `end` at or after `from` (or the end).
fn skip_past(bytes: &[u8], from: usize, end: &[u8]) -> usize {
    (from..bytes.len())
        .find(|&j| bytes[j..].starts_with(end))
        .map_or(bytes.len(), |j| j + end.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_parameters_become_subqueries_of_the_item_table() {
        let fields = ["Country", "Sales Person"];
        let bound = bind_item_params(
            "SELECT * FROM sales WHERE Country = $Country AND \"Sales Person\" <> $\"Sales Person\" AND note = '$Country'",
            &fields,
            "item",
        )
        .unwrap();
        assert_eq!(
            bound,
            "SELECT * FROM sales WHERE Country IN (SELECT \"Country\" FROM \"item\") AND \"Sales Person\" NOT IN (SELECT \"Sales Person\" FROM \"item\") AND note = '$Country'"
        );
        let err = bind_item_params("SELECT $Country AS c", &fields, "item").unwrap_err();
        assert!(err.contains("only be compared with = or <>"), "{err}");
        let err = bind_item_params("SELECT 1 WHERE a >= $Country", &fields, "item").unwrap_err();
        assert!(err.contains("only be compared"), "{err}");
        let err = bind_item_params("SELECT 1 WHERE a = $Region", &fields, "item").unwrap_err();
        assert!(err.contains("no field `Region`"), "{err}");
        assert_eq!(
            bind_item_params("SELECT 1 -- $Country\n", &fields, "item").unwrap(),
            "SELECT 1 -- $Country\n"
        );
    }
    use polars::prelude::{AnyValue, df};

    fn tables() -> Tables {
        let sales = df!(
            "Category" => ["kurta", "Set", "kurta", "Top", "Set"],
            "Qty" => [1i64, 2, 3, 1, 4],
            "Status" => ["Shipped", "Shipped", "Cancelled", "Shipped", "Shipped"]
        )
        .unwrap();
        Tables::from([("sales".to_owned(), sales)])
    }

    fn rows(df: &DataFrame) -> Vec<String> {
        (0..df.height())
            .map(|i| {
                let row = df.get_row(i).unwrap();
                let cells: Vec<String> = row.0.iter().map(AnyValue::to_string).collect();
                cells.join("|")
            })
            .collect()
    }

    #[test]
    fn results_without_order_by_are_sorted_by_all_columns() {
        let q = "SELECT Category, SUM(Qty) AS qty FROM sales WHERE Status <> 'Cancelled' GROUP BY Category";
        // Shipped qty: Set 2+4 = 6, Top 1, kurta 1; byte order puts capitals first.
        let expected = ["\"Set\"|6", "\"Top\"|1", "\"kurta\"|1"];
        for _ in 0..5 {
            assert_eq!(rows(&run_query(q, &tables()).unwrap()), expected);
        }
    }

    #[test]
    fn order_by_is_respected() {
        let q = "SELECT Category, SUM(Qty) AS qty FROM sales GROUP BY Category ORDER BY qty DESC";
        // All rows: Set 6, kurta 1+3 = 4, Top 1.
        assert_eq!(
            rows(&run_query(q, &tables()).unwrap()),
            ["\"Set\"|6", "\"kurta\"|4", "\"Top\"|1"]
        );
    }

    #[test]
    fn error_positions_point_into_the_query() {
        let sql = "SELECT Category,\n       SUM(Amont) AS a\nFROM sales";
        let missing = "not found: unable to find column \"Amont\"; Did you mean \"Amount\"?";
        assert_eq!(error_position(sql, missing), (2, Some(12)));
        let parser =
            "sql parser error: Expected: an SQL statement, found: SELEC at Line: 3, Column: 5";
        assert_eq!(error_position(sql, parser), (3, Some(5)));
        assert_eq!(
            error_position(sql, "relation 'sales' was not found"),
            (3, Some(6))
        );
        assert_eq!(error_position(sql, "something else"), (1, None));
    }

    #[test]
    fn statements_other_than_queries_are_refused() {
        let err = run_query("CREATE TABLE x AS SELECT 1", &tables()).unwrap_err();
        assert!(err.message().contains("`CREATE` statement"), "{err}");
        for ok in [
            "-- top\nselect * from t",
            "WITH a AS (SELECT * FROM t) SELECT * FROM a",
            "(SELECT * FROM t)",
        ] {
            refuse_statements(ok).unwrap();
        }
    }

    #[test]
    fn table_functions_that_read_files_are_refused() {
        for sql in [
            "SELECT * FROM read_csv('/etc/passwd')",
            "select * from READ_PARQUET ('x.parquet')",
            "SELECT a FROM t UNION SELECT a FROM read_json('x')",
        ] {
            let err = run_query(sql, &tables()).unwrap_err();
            assert!(
                err.message().contains("would read a file directly"),
                "{sql}: {err}"
            );
        }
        // The words inside strings, quotes and comments are not calls.
        assert_eq!(
            bare_calls("SELECT 'read_csv(x)', \"read_csv\" (a), SUM(x) -- read_csv(\n FROM t"),
            ["SUM"]
        );
    }

    #[test]
    fn errors_list_the_tables() {
        let err = run_query("SELECT * FROM orders", &tables())
            .unwrap_err()
            .to_string();
        assert!(err.contains("the SQL query failed"), "{err}");
        assert!(
            err.contains("tables: `sales` (Category, Qty, Status)"),
            "{err}"
        );
    }

    #[test]
    fn referenced_names_are_words_and_quoted_identifiers() {
        let (names, star) = referenced_names(
            "SELECT \"Order ID\", COUNT(*) AS n, a.qty * 2 FROM sales a \
             WHERE Status <> 'Not A Column' -- comment_word\n GROUP BY `Sales Channel`",
        );
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "AS",
                "COUNT",
                "FROM",
                "GROUP",
                "Order ID",
                "SELECT",
                "Sales Channel",
                "Status",
                "WHERE",
                "a",
                "n",
                "qty",
                "sales",
                "BY"
            ]
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
        assert!(!star);
        assert!(referenced_names("SELECT * FROM t").1);
        assert!(referenced_names("select distinct * from t").1);
        assert!(referenced_names("SELECT a, * FROM t").1);
        assert!(referenced_names("SELECT t.* FROM t").1);
        assert!(!referenced_names("SELECT COUNT( * ) FROM t").1);
        assert!(!referenced_names("SELECT price * quantity FROM t").1);
    }

    #[test]
    fn top_level_order_by_detection() {
        assert!(has_top_level_order_by("select a from t order by a"));
        assert!(has_top_level_order_by(
            "SELECT a FROM t ORDER\n  BY a LIMIT 3"
        ));
        assert!(!has_top_level_order_by(
            "SELECT a, ROW_NUMBER() OVER (ORDER BY a) FROM t"
        ));
        assert!(!has_top_level_order_by(
            "SELECT * FROM (SELECT a FROM t ORDER BY a)"
        ));
        assert!(!has_top_level_order_by(
            "SELECT 'order by' AS x FROM t -- order by x"
        ));
        assert!(!has_top_level_order_by(
            "SELECT \"order\" /* ORDER BY */, by FROM t"
        ));
    }
}
