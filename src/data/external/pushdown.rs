//! Analyses pushed down to the database: a source's cleaning as SQL (its
//! renames as aliases, its filters as conditions whose values are bound
//! parameters) named `s`, an analysis' first aggregation as SQL over `s`,
//! and the fetch of the aggregate alone.
//!
//! The SQL uses only what PostgreSQL 12+ and Postgres-wire engines share:
//! `WITH s AS (...)`, `SELECT`, `CASE`, `NULLIF`, `CAST`,
//! `date_trunc('month', ...)`, `COUNT(DISTINCT ...)`, `SUM`, `MIN`, `MAX`, `GROUP BY`; identifiers always quoted, values always
//! `$n` parameters.

use super::parquet_sink::{ParquetSink, RowSink};
use super::postgres::{Connection, Select, quote_identifier};
use super::text_format::{Kind, binary_ready};
use crate::data::source::{Fetched, SourceSpec};
use crate::error::{Error, Result};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{FromSql, Type};
use std::path::Path;

/// An analysis' aggregation over the cleaned source `s`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregate {
    /// SQL over `s`, naming columns by their names after `rename`.
    pub sql: String,
    /// The parts of a plain `GROUP BY`, when the SQL is one: the
    /// aggregations of one source by the same keys share a scan (`merge`).
    pub grouped: Option<Grouped>,
    /// Columns (after `rename`) the aggregation reads.
    pub columns: Vec<String>,
    /// Of these, the ones it reads as dates (must be date or timestamp on
    /// the server) and as numbers (must be numeric).
    pub dates: Vec<String>,
    pub numbers: Vec<String>,
}

/// A plain `GROUP BY` over `s`: `(expression, alias)` of each key and of
/// each aggregated value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grouped {
    pub keys: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
}

impl Grouped {
    /// Grouped by the customer expression `customer` (read as
    /// `customer`), with `(alias, expression)` values.
    pub fn per_customer<'a>(
        customer: String,
        values: impl IntoIterator<Item = (&'a str, String)>,
    ) -> Grouped {
        Grouped {
            keys: vec![(customer, "customer".to_string())],
            values: values
                .into_iter()
                .map(|(alias, expr)| (expr, alias.to_string()))
                .collect(),
        }
    }

    fn sql(&self) -> String {
        let items: Vec<String> = self
            .keys
            .iter()
            .chain(&self.values)
            .map(|(expr, alias)| format!("{expr} AS {}", q(alias)))
            .collect();
        let keys: Vec<&str> = self.keys.iter().map(|(expr, _)| expr.as_str()).collect();
        format!(
            "SELECT {} FROM s GROUP BY {}",
            items.join(", "),
            keys.join(", ")
        )
    }
}

impl Aggregate {
    /// The aggregation `grouped`, reading `columns` (of which `dates` as
    /// dates and `numbers` as numbers).
    pub fn group_by(
        grouped: Grouped,
        columns: Vec<String>,
        dates: Vec<String>,
        numbers: Vec<String>,
    ) -> Aggregate {
        Aggregate {
            sql: grouped.sql(),
            grouped: Some(grouped),
            columns,
            dates,
            numbers,
        }
    }
}

/// An analysis' aggregate as the build fetched it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    pub fetched: Fetched,
    /// When it was computed in one query with other analyses' (`merge`):
    /// `(stored, read as)` of the keys and of this analysis' values.
    pub columns: Option<Vec<(String, String)>>,
    /// The aggregate is the source's order groups
    /// (`analysis::order_groups`), shared by the analyses that read them.
    pub order_groups: bool,
}

impl Pushed {
    /// Part `part` of the merged aggregate `merged` in `fetched`, whose own
    /// aggregation was `own`.
    pub fn part(fetched: Fetched, part: usize, own: &Aggregate) -> Pushed {
        let columns = own.grouped.as_ref().map(|g| {
            g.keys
                .iter()
                .map(|(_, alias)| (alias.clone(), alias.clone()))
                .chain(
                    g.values
                        .iter()
                        .map(|(_, alias)| (part_alias(part, alias), alias.clone())),
                )
                .collect()
        });
        Pushed {
            fetched,
            columns,
            order_groups: false,
        }
    }
}

/// The column of `part`'s value `alias` in a merged aggregate.
pub fn part_alias(part: usize, alias: &str) -> String {
    format!("{part}:{alias}")
}

/// One aggregation computing every part's values, when all are grouped by
/// the same keys: the keys once, then each part's values under
/// `part_alias(i, alias)`; `None` otherwise.
pub fn merge(parts: &[&Aggregate]) -> Option<Aggregate> {
    let first = parts.first()?.grouped.as_ref()?;
    let mut values = Vec::new();
    let (mut columns, mut dates, mut numbers) = (Vec::new(), Vec::new(), Vec::new());
    for (i, part) in parts.iter().enumerate() {
        let grouped = part.grouped.as_ref().filter(|g| g.keys == first.keys)?;
        values.extend(
            grouped
                .values
                .iter()
                .map(|(expr, alias)| (expr.clone(), part_alias(i, alias))),
        );
        for (all, mine) in [
            (&mut columns, &part.columns),
            (&mut dates, &part.dates),
            (&mut numbers, &part.numbers),
        ] {
            for column in mine {
                if !all.contains(column) {
                    all.push(column.clone());
                }
            }
        }
    }
    let grouped = Grouped {
        keys: first.keys.clone(),
        values,
    };
    Some(Aggregate::group_by(grouped, columns, dates, numbers))
}

/// `name` quoted for the SQL of an aggregate.
pub fn q(name: &str) -> String {
    quote_identifier(name)
}

/// Column `name` as a `double precision` number, NULL where it is not a
/// number (NaN), as the analyses read numbers from the rows.
pub fn number_or_null(name: &str) -> String {
    // NULLIF converts the value once (NaN equals NaN in PostgreSQL).
    let x = format!("CAST({} AS double precision)", q(name));
    format!("NULLIF({x}, {})", special("NaN"))
}

/// Column `name` as a `double precision` number, NULL where it is NaN or
/// infinite (customer value leaves those out of revenue).
pub fn finite_or_null(name: &str) -> String {
    let inf = special("Infinity");
    format!("NULLIF(NULLIF({}, {inf}), -{inf})", number_or_null(name))
}

/// A special float value (`NaN`, `Infinity`) as SQL.
fn special(name: &str) -> String {
    format!("CAST(CAST('{name}' AS text) AS double precision)")
}

/// A simple filter: `column op value`, `column IS [NOT] NULL` or
/// `column [NOT] IN (values)`; the values become parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub column: String,
    pub op: String,
    pub values: Vec<Literal>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Text(String),
    Number(String),
}

/// Why a source's cleaning cannot run as SQL under `aggregate` (then the
/// rows are fetched and the analysis runs here, with the same result):
/// a filter that is not `column op value`, or a derived or converted
/// column that the aggregation or a filter reads.
pub fn not_expressible(spec: &SourceSpec, aggregate: &Aggregate) -> Option<String> {
    let conditions = match conditions(spec) {
        Some(conditions) => conditions,
        None => {
            let f = spec.filters.iter().find(|f| parse_condition(f).is_none())?;
            return Some(format!("its filter `{f}` is not `column op value`"));
        }
    };
    // Derived and converted columns exist only once the rows are read: the
    // server can aggregate around them, not over them.
    let read = |name: &str| {
        aggregate.columns.iter().any(|c| c == name) || conditions.iter().any(|c| c.column == name)
    };
    if let Some(derived) = spec.derive.iter().find(|d| read(&d.name)) {
        return Some(format!(
            "it derives column `{}`, which the analysis or a filter reads",
            derived.name
        ));
    }
    if let Some(typed) = spec.types.keys().find(|name| read(name)) {
        return Some(format!(
            "it converts the type of column `{typed}`, which the analysis or a filter reads"
        ));
    }
    None
}

/// The source's filters as conditions (`None` if one is not simple).
pub fn conditions(spec: &SourceSpec) -> Option<Vec<Condition>> {
    spec.filters.iter().map(|f| parse_condition(f)).collect()
}

/// Parse `a <> 'x'`, `"Order Qty" >= 2`, `b IS NOT NULL`, `c IN ('x', 'y')`.
pub fn parse_condition(text: &str) -> Option<Condition> {
    let mut t = Tokens { s: text.trim() };
    let column = t.identifier()?;
    let op = t.operator()?;
    let values = match op.as_str() {
        "IS NULL" | "IS NOT NULL" => Vec::new(),
        "IN" | "NOT IN" => t.list()?,
        _ => vec![t.literal()?],
    };
    t.s.trim()
        .is_empty()
        .then_some(Condition { column, op, values })
}

struct Tokens<'a> {
    s: &'a str,
}

impl Tokens<'_> {
    fn skip(&mut self) {
        self.s = self.s.trim_start();
    }

    fn identifier(&mut self) -> Option<String> {
        self.skip();
        if let Some(rest) = self.s.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = rest.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c == '"' {
                    if chars.peek().is_some_and(|(_, n)| *n == '"') {
                        chars.next();
                        out.push('"');
                        continue;
                    }
                    self.s = &rest[i + 1..];
                    return Some(out);
                }
                out.push(c);
            }
            return None;
        }
        let end = self
            .s
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(self.s.len());
        let word = &self.s[..end];
        let starts_ok = word
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_');
        if !starts_ok || is_keyword(word) {
            return None;
        }
        self.s = &self.s[end..];
        Some(word.to_string())
    }

    fn word(&mut self, w: &str) -> bool {
        self.skip();
        let n = w.len();
        let matches = self.s.len() >= n
            && self.s[..n].eq_ignore_ascii_case(w)
            && !self.s[n..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
        if matches {
            self.s = &self.s[n..];
        }
        matches
    }

    fn operator(&mut self) -> Option<String> {
        self.skip();
        for op in ["<>", "!=", "<=", ">=", "=", "<", ">"] {
            if let Some(rest) = self.s.strip_prefix(op) {
                self.s = rest;
                return Some(if op == "!=" { "<>" } else { op }.to_string());
            }
        }
        if self.word("IS") {
            let not = self.word("NOT");
            return self
                .word("NULL")
                .then(|| if not { "IS NOT NULL" } else { "IS NULL" }.to_string());
        }
        let not = self.word("NOT");
        self.word("IN")
            .then(|| if not { "NOT IN" } else { "IN" }.to_string())
    }

    fn literal(&mut self) -> Option<Literal> {
        self.skip();
        if let Some(rest) = self.s.strip_prefix('\'') {
            let mut out = String::new();
            let mut chars = rest.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                        out.push('\'');
                        continue;
                    }
                    self.s = &rest[i + 1..];
                    return Some(Literal::Text(out));
                }
                out.push(c);
            }
            return None;
        }
        let end = self
            .s
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
            .unwrap_or(self.s.len());
        let number = &self.s[..end];
        number.parse::<f64>().ok()?;
        self.s = &self.s[end..];
        Some(Literal::Number(number.to_string()))
    }

    fn list(&mut self) -> Option<Vec<Literal>> {
        self.skip();
        self.s = self.s.strip_prefix('(')?;
        let mut values = vec![self.literal()?];
        loop {
            self.skip();
            if let Some(rest) = self.s.strip_prefix(')') {
                self.s = rest;
                return Some(values);
            }
            self.s = self.s.strip_prefix(',')?;
            values.push(self.literal()?);
        }
    }
}

fn is_keyword(word: &str) -> bool {
    [
        "AND", "OR", "NOT", "NULL", "IS", "IN", "TRUE", "FALSE", "CASE", "SELECT",
    ]
    .iter()
    .any(|k| k.eq_ignore_ascii_case(word))
}

/// A pushed-down fetch, ready to run: the source, its cleaning and the
/// aggregate.
#[derive(Clone, Debug)]
pub struct Pushdown {
    pub select: Select,
    pub rename: Vec<(String, String)>,
    pub conditions: Vec<Condition>,
    pub aggregate: Aggregate,
}

impl Pushdown {
    /// What identifies the aggregate's data, for the fetch cache key.
    pub fn identity(&self) -> String {
        format!(
            "pushdown\n{}\n{:?}\n{:?}\n{}",
            self.select.identity(),
            self.rename,
            self.conditions,
            self.aggregate.sql
        )
    }
}

/// Why the pushdown cannot run on this server's columns, if it cannot.
pub enum Outcome {
    Fetched(usize),
    NotPossible(String),
}

/// Run the aggregate on the server and write its rows to `dest` (Parquet).
pub fn fetch_aggregate(
    source: &str,
    connection: &Connection,
    pushdown: &Pushdown,
    dest: &Path,
) -> Result<Outcome> {
    let in_source = |e: Error| e.context(format!("source `{source}`"));
    let mut client = connection.connect().map_err(in_source)?;
    let from = pushdown.select.from_clause();
    // The source's columns and their server types.
    let probe = client
        .prepare(&format!("SELECT * FROM {from}"))
        .map_err(|e| in_source(connection.failure("cannot read the source from", &e)))?;
    let types: Vec<(String, String)> = probe
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), c.type_().name().to_string()))
        .collect();
    let original = |renamed: &str| -> String {
        pushdown
            .rename
            .iter()
            .find(|(_, new)| new == renamed)
            .map_or(renamed.to_string(), |(old, _)| old.clone())
    };
    let type_of = |renamed: &str| {
        let name = original(renamed);
        types
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
    };
    let agg = &pushdown.aggregate;
    for column in &agg.columns {
        if type_of(column).is_none() {
            return Ok(Outcome::NotPossible(format!("it has no column `{column}`")));
        }
    }
    for column in &agg.dates {
        let kind = Kind::of_type(&type_of(column).unwrap_or_default());
        if !matches!(kind, Kind::Date | Kind::Timestamp | Kind::TimestampTz) {
            return Ok(Outcome::NotPossible(format!(
                "column `{column}` is not a date on the server"
            )));
        }
    }
    for column in &agg.numbers {
        let kind = Kind::of_type(&type_of(column).unwrap_or_default());
        if !matches!(kind, Kind::Int | Kind::Float) {
            return Ok(Outcome::NotPossible(format!(
                "column `{column}` is not a number on the server"
            )));
        }
    }
    // The cleaned source: renamed columns, filters with bound values.
    let mut needed: Vec<&String> = agg.columns.iter().collect();
    needed.sort();
    needed.dedup();
    let select_list: Vec<String> = needed
        .iter()
        .map(|c| format!("{} AS {}", q(&original(c)), q(c)))
        .collect();
    let mut params: Vec<String> = Vec::new();
    let mut wheres = Vec::new();
    for condition in &pushdown.conditions {
        let Some(server_type) = type_of(&condition.column) else {
            return Ok(Outcome::NotPossible(format!(
                "its filter names `{}`, which it lacks",
                condition.column
            )));
        };
        let column = q(&original(&condition.column));
        let mut placeholder = |value: &Literal| {
            params.push(match value {
                Literal::Text(t) | Literal::Number(t) => t.clone(),
            });
            // The value, sent as text, read as the column's type.
            format!("CAST(CAST(${} AS text) AS {})", params.len(), server_type)
        };
        wheres.push(match condition.op.as_str() {
            "IS NULL" | "IS NOT NULL" => format!("{column} {}", condition.op),
            "IN" | "NOT IN" => {
                let list: Vec<String> = condition.values.iter().map(&mut placeholder).collect();
                format!("{column} {} ({})", condition.op, list.join(", "))
            }
            op => format!("{column} {op} {}", placeholder(&condition.values[0])),
        });
    }
    let where_clause = if wheres.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", wheres.join(" AND "))
    };
    let sql = format!(
        "WITH s AS (SELECT {} FROM {from}{where_clause}) {}",
        select_list.join(", "),
        agg.sql
    );
    let text_params: Vec<Type> = params.iter().map(|_| Type::TEXT).collect();
    let statement = client
        .prepare_typed(&sql, &text_params)
        .map_err(|e| in_source(connection.failure("the pushed-down aggregation failed on", &e)))?;
    // Rows arrive in binary form, streamed; types without a binary reader
    // here are cast (numbers to double precision, the rest to text).
    let outer: Vec<String> = statement
        .columns()
        .iter()
        .map(|c| {
            let (name, ty) = (q(c.name()), c.type_().name());
            match Kind::of_type(ty) {
                _ if binary_ready(ty) => name,
                Kind::Int | Kind::Float => format!("CAST({name} AS double precision) AS {name}"),
                _ => format!("CAST({name} AS text) AS {name}"),
            }
        })
        .collect();
    let outer = format!("SELECT {} FROM ({sql}) AS r", outer.join(", "));
    let statement = client
        .prepare_typed(&outer, &text_params)
        .map_err(|e| in_source(connection.failure("the pushed-down aggregation failed on", &e)))?;
    let types: Vec<String> = statement
        .columns()
        .iter()
        .map(|c| c.type_().name().to_string())
        .collect();
    // Streamed into the file a row group at a time.
    let kinds = statement
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), Kind::of_type(c.type_().name())))
        .collect();
    let mut sink = ParquetSink::new(dest, kinds);
    let bound = params.iter().map(|p| p as &dyn postgres::types::ToSql);
    let failed = |e: postgres::Error| {
        in_source(connection.failure("the pushed-down aggregation failed on", &e))
    };
    let mut stream = client.query_raw(&statement, bound).map_err(failed)?;
    while let Some(row) = stream.next().map_err(failed)? {
        for (i, builder) in sink.columns().iter_mut().enumerate() {
            let raw: Option<Raw> = row.get(i);
            builder
                .push_binary(&types[i], raw.map(|r| r.0))
                .map_err(in_source)?;
        }
        sink.row_done().map_err(in_source)?;
    }
    sink.finish().map_err(in_source).map(Outcome::Fetched)
}

/// A value's bytes as the server sent them, whatever its type.
struct Raw<'a>(&'a [u8]);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(toml_text: &str) -> SourceSpec {
        toml::from_str(&format!(
            "name = \"lines\"\ndatabase = \"w\"\ntable = \"t\"\n{toml_text}"
        ))
        .unwrap()
    }

    #[test]
    fn only_derived_or_converted_columns_the_aggregation_reads_stop_a_pushdown() {
        let agg = grouped(
            &["customer"],
            &[("SUM(\"amount\")", "revenue")],
            &["customer", "amount"],
        );
        let unrelated = source(
            "types = { product_id = \"string\" }\nderive = [{ name = \"twice\", expr = \"amount * 2\" }]\nfilters = [\"status <> 'x'\"]",
        );
        assert_eq!(not_expressible(&unrelated, &agg), None);
        let derived = source("derive = [{ name = \"amount\", expr = \"price * 2\" }]");
        assert_eq!(
            not_expressible(&derived, &agg).unwrap(),
            "it derives column `amount`, which the analysis or a filter reads"
        );
        let filtered =
            source("derive = [{ name = \"big\", expr = \"amount > 9\" }]\nfilters = [\"big = 1\"]");
        assert!(
            not_expressible(&filtered, &agg)
                .unwrap()
                .contains("column `big`")
        );
        let typed = source("types = { customer = \"string\" }");
        assert_eq!(
            not_expressible(&typed, &agg).unwrap(),
            "it converts the type of column `customer`, which the analysis or a filter reads"
        );
        let complex = source("filters = [\"a = 1 OR b = 2\"]");
        assert!(
            not_expressible(&complex, &agg)
                .unwrap()
                .starts_with("its filter `a = 1 OR b = 2`")
        );
    }

    fn grouped(keys: &[&str], values: &[(&str, &str)], columns: &[&str]) -> Aggregate {
        let pairs = |items: Vec<(String, String)>| items;
        Aggregate::group_by(
            Grouped {
                keys: pairs(keys.iter().map(|k| (q(k), k.to_string())).collect()),
                values: pairs(
                    values
                        .iter()
                        .map(|(e, a)| (e.to_string(), a.to_string()))
                        .collect(),
                ),
            },
            columns.iter().map(|c| c.to_string()).collect(),
            vec![],
            vec!["amount".to_string()],
        )
    }

    #[test]
    fn aggregates_by_the_same_keys_merge_into_one_query() {
        let a = grouped(
            &["customer"],
            &[("SUM(\"amount\")", "revenue")],
            &["customer", "amount"],
        );
        let b = grouped(
            &["customer"],
            &[("COUNT(*)", "orders")],
            &["customer", "order_id"],
        );
        assert_eq!(
            a.sql,
            "SELECT \"customer\" AS \"customer\", SUM(\"amount\") AS \"revenue\" FROM s GROUP BY \"customer\""
        );
        let merged = merge(&[&a, &b]).unwrap();
        assert_eq!(
            merged.sql,
            "SELECT \"customer\" AS \"customer\", SUM(\"amount\") AS \"0:revenue\", COUNT(*) AS \"1:orders\" FROM s GROUP BY \"customer\""
        );
        assert_eq!(merged.columns, ["customer", "amount", "order_id"]);
        assert_eq!(merged.numbers, ["amount"]);
        // Part 1 reads the key and its own value under its own names.
        let fetched = Fetched {
            file: "x.parquet".into(),
            format: crate::data::source::Format::Parquet,
            key: "k".into(),
        };
        let part = Pushed::part(fetched, 1, &b);
        assert_eq!(
            part.columns.unwrap(),
            [
                ("customer".to_string(), "customer".to_string()),
                ("1:orders".to_string(), "orders".to_string())
            ]
        );
        // Other keys, or SQL that is no plain GROUP BY, do not merge.
        let c = grouped(&["customer", "month"], &[("COUNT(*)", "n")], &["customer"]);
        assert!(merge(&[&a, &c]).is_none());
        let raw = Aggregate {
            grouped: None,
            ..a.clone()
        };
        assert!(merge(&[&a, &raw]).is_none());
    }

    fn text(s: &str) -> Literal {
        Literal::Text(s.into())
    }

    #[test]
    fn simple_filters_become_conditions_with_their_values_apart() {
        let c = parse_condition("status <> 'Cancelled'").unwrap();
        assert_eq!((c.column.as_str(), c.op.as_str()), ("status", "<>"));
        assert_eq!(c.values, [text("Cancelled")]);
        let c = parse_condition("\"Order \"\"Qty\" >= 2").unwrap();
        assert_eq!(c.column, "Order \"Qty");
        assert_eq!(c.values, [Literal::Number("2".into())]);
        let c = parse_condition("note = 'it''s; DROP TABLE x; --'").unwrap();
        assert_eq!(c.values, [text("it's; DROP TABLE x; --")]);
        let c = parse_condition("b is not null").unwrap();
        assert_eq!(c.op, "IS NOT NULL");
        let c = parse_condition("c NOT IN ('x', 'y')").unwrap();
        assert_eq!((c.op.as_str(), c.values.len()), ("NOT IN", 2));
        for complex in [
            "a = 1 OR b = 2",
            "a + 1 > 2",
            "lower(a) = 'x'",
            "a = 'unclosed",
            "a BETWEEN 1 AND 2",
            "a = b",
        ] {
            assert_eq!(parse_condition(complex), None, "{complex}");
        }
    }
}
