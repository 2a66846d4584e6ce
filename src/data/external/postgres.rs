//! PostgreSQL and Postgres-wire sources: the connection a portal declares
//! (its URL from environment variables; only user, hosts, ports and
//! database ever appear in messages or keys), the SQL a source sends, and
//! the fetch itself — the result's column types from `prepare`, its rows
//! through `COPY (...) TO STDOUT` in text form (a simple query where the
//! engine has no `COPY`), written to a Parquet copy.

use super::env;
use super::parquet_sink::{ParquetSink, RowSink};
use super::text_format::{Kind, read_copy};
use crate::config::DatabaseSpec;
use crate::data::source::{SourceSpec, Wanted};
use crate::error::{Error, Result};
use postgres::{Client, Config, NoTls, SimpleQueryMessage};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// A declared connection, resolved from its environment variables.
#[derive(Clone)]
pub struct Connection {
    /// The `[databases.NAME]` name.
    pub name: String,
    config: Config,
    /// `user@host:port/database`: what the fetch cache key hashes.
    pub identity: String,
    /// `host 127.0.0.1:5432, database shop` for messages.
    pub label: String,
}

impl std::fmt::Debug for Connection {
    /// Never the config: it holds the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Connection({}: {})", self.name, self.label)
    }
}

impl Connection {
    /// The connection `[databases.NAME]` declares, with its variables
    /// replaced. A password written into the file itself is refused.
    pub fn declare(name: &str, spec: &DatabaseSpec) -> Result<Connection> {
        let setting = format!("databases.{name}.url");
        let in_settings = |e: Error| e.context(format!("database `{name}`"));
        if !env::uses_variables(&spec.url)
            && Config::from_str(&spec.url).is_ok_and(|c| c.get_password().is_some())
        {
            return Err(in_settings(
                Error::new(format!("`{setting}` holds a password in the file"))
                    .hint(format!(
                        "put the URL in an environment variable and write `url = \"${{{}_URL}}\"`; content/ is committed and published",
                        name.to_uppercase()
                    )),
            ));
        }
        let url = env::expand(&spec.url, &setting).map_err(in_settings)?;
        let mut config = Config::from_str(&url).map_err(|e| {
            // The parser's message may quote the URL: say only what it is.
            let kind = if url.contains("://") {
                "URL"
            } else {
                "key-value string"
            };
            in_settings(Error::new(format!(
                "`{setting}` is not a PostgreSQL connection {kind}{}",
                parse_problem(&e.to_string())
            )))
            .hint("use `postgres://user:password@host:5432/database` (in the environment variable)")
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(15));
        }
        config.application_name("wawasan");
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .map(|h| match h {
                postgres::config::Host::Tcp(host) => host.clone(),
                #[cfg(unix)]
                postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
        let host = match (hosts.as_slice(), ports.as_slice()) {
            ([], _) => "localhost".to_string(),
            ([h], [p]) => format!("{h}:{p}"),
            ([h], []) => format!("{h}:5432"),
            _ => format!("{} (ports {})", hosts.join(","), ports.join(",")),
        };
        let database = config
            .get_dbname()
            .or(config.get_user())
            .unwrap_or("postgres")
            .to_string();
        let user = config.get_user().unwrap_or_default().to_string();
        Ok(Connection {
            name: name.to_string(),
            identity: format!("{user}@{host}/{database}"),
            label: format!("host {host}, database {database}"),
            config,
        })
    }

    /// Open a session, set for text output that reads back exactly.
    pub(super) fn connect(&self) -> Result<Client> {
        let mut client = self.config.connect(NoTls).map_err(|e| {
            let tls = e.to_string().to_lowercase().contains("tls");
            let err = self.failure("cannot connect to", &e);
            if tls {
                err.hint("wawasan connects without TLS for now: use `sslmode=disable` or `prefer`, or reach the server through a TLS tunnel")
            } else {
                err.hint("check that the server runs and accepts connections from here, and the URL's host, port, user and database")
            }
        })?;
        // ISO dates, UTC timestamps, shortest exact floats.
        for setting in [
            "SET DateStyle = 'ISO, YMD'",
            "SET TimeZone = 'UTC'",
            "SET extra_float_digits = 1",
            "SET client_encoding = 'UTF8'",
        ] {
            // Engines that lack a setting keep their default.
            let _ = client.batch_execute(setting);
        }
        Ok(client)
    }

    /// An error of this connection: its name, host and database (never the
    /// password) and the server's message.
    pub(super) fn failure(&self, what: &str, e: &postgres::Error) -> Error {
        Error::new(format!(
            "{what} database `{}` ({}): {}",
            self.name,
            self.label,
            server_message(e)
        ))
    }
}

/// The part of the URL parser's message worth showing (it never quotes
/// the URL's password).
fn parse_problem(message: &str) -> String {
    let safe = ["invalid", "unexpected", "unknown"];
    if safe.iter().any(|w| message.starts_with(w))
        && !message.contains("://")
        && !message.contains('@')
    {
        format!(" ({message})")
    } else {
        String::new()
    }
}

/// The server's message (with its detail and hint), or the client's.
fn server_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = format!("{} (SQLSTATE {})", db.message(), db.code().code());
            if let Some(detail) = db.detail() {
                text.push_str(&format!("; {detail}"));
            }
            if let Some(hint) = db.hint() {
                text.push_str(&format!("; server hint: {hint}"));
            }
            text
        }
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(inner) = source {
                text.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            text
        }
    }
}

/// What a database source reads.
#[derive(Clone, Debug)]
pub enum Select {
    /// The analyst's SQL, sent as written.
    Query(String),
    /// A table or view: the columns the report reads (all of them with
    /// `Wanted::All`), through quoted identifiers.
    Table {
        table: Vec<String>,
        wanted: Wanted,
        /// `rename` of the source: the report names columns after it.
        rename: Vec<(String, String)>,
    },
}

impl Select {
    pub fn of(spec: &SourceSpec, wanted: &Wanted) -> Result<Select> {
        if let Some(query) = &spec.query {
            let sql = query.trim().trim_end_matches(';').trim_end().to_string();
            if sql.is_empty() {
                return Err(Error::new("`query` is empty")
                    .setting("query")
                    .hint("write the SELECT whose result is the table"));
            }
            return Ok(Select::Query(sql));
        }
        let table = spec.table.as_deref().unwrap_or_default();
        let parts: Vec<String> = table.split('.').map(|p| p.trim().to_string()).collect();
        if parts.is_empty() || parts.len() > 2 || parts.iter().any(String::is_empty) {
            return Err(Error::new(format!("`table = \"{table}\"` is not `name` or `schema.name`"))
                .setting("table")
                .hint("name a table or view, e.g. `table = \"thelook.order_items\"`; for anything else write a `query`"));
        }
        Ok(Select::Table {
            table: parts,
            wanted: wanted.clone(),
            rename: spec
                .rename
                .iter()
                .map(|(a, b)| (a.clone(), b.clone()))
                .collect(),
        })
    }

    /// What identifies the data this select fetches (for the cache key).
    pub fn identity(&self) -> String {
        match self {
            Select::Query(sql) => format!("query\n{sql}"),
            Select::Table { table, wanted, .. } => {
                let columns = match wanted {
                    Wanted::All => "*".to_string(),
                    Wanted::Named(words) => words.iter().cloned().collect::<Vec<_>>().join(","),
                };
                format!("table\n{}\n{columns}", table.join("."))
            }
        }
    }

    /// What a `FROM` names: the quoted table, or the query as a subquery.
    pub fn from_clause(&self) -> String {
        match self {
            Select::Query(sql) => format!("({sql}) AS q"),
            Select::Table { table, .. } => table
                .iter()
                .map(|p| quote_identifier(p))
                .collect::<Vec<_>>()
                .join("."),
        }
    }

    /// The SQL to run, once the table's columns are known.
    fn sql(&self, client: &mut Client, connection: &Connection) -> Result<String> {
        let (table, wanted, rename) = match self {
            Select::Query(sql) => return Ok(sql.clone()),
            Select::Table {
                table,
                wanted,
                rename,
            } => (table, wanted, rename),
        };
        let from = table
            .iter()
            .map(|p| quote_identifier(p))
            .collect::<Vec<_>>()
            .join(".");
        let all = format!("SELECT * FROM {from}");
        if matches!(wanted, Wanted::All) {
            return Ok(all);
        }
        let statement = client.prepare(&all).map_err(|e| {
            connection
                .failure(&format!("cannot read table `{}` of", table.join(".")), &e)
                .setting("table")
                .hint("check the table's name (schema and table, as the server spells them) and that the user may read it")
        })?;
        let kept: Vec<String> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .filter(|name| {
                let renamed = rename
                    .iter()
                    .find(|(old, _)| old == name)
                    .map_or(name.as_str(), |(_, new)| new.as_str());
                wanted.keeps(renamed)
            })
            .collect();
        if kept.is_empty() {
            return Ok(all);
        }
        let columns: Vec<String> = kept.iter().map(|c| quote_identifier(c)).collect();
        Ok(format!("SELECT {} FROM {from}", columns.join(", ")))
    }
}

pub use crate::data::sql::quote_identifier;

/// Fetch `select` into a Parquet file at `dest`; returns the rows fetched.
pub fn fetch_to_parquet(
    source: &str,
    connection: &Connection,
    select: &Select,
    dest: &Path,
) -> Result<usize> {
    let in_source = |e: Error| e.context(format!("source `{source}`"));
    let mut client = connection.connect().map_err(in_source)?;
    let sql = select.sql(&mut client, connection).map_err(in_source)?;
    let setting = match select {
        Select::Query(_) => "query",
        Select::Table { .. } => "table",
    };
    let statement = client.prepare(&sql).map_err(|e| {
        in_source(connection.failure("the query failed on", &e))
            .setting(setting)
            .hint("run the query in psql against the same database to see what the server says")
    })?;
    let mut columns = Vec::new();
    for column in statement.columns() {
        let name = column.name();
        if columns.iter().any(|c: &(String, Kind)| c.0 == name) {
            return Err(in_source(
                Error::new(format!("the query's result has two columns named `{name}`"))
                    .setting(setting)
                    .hint(format!(
                        "give one of them another name with `AS`, e.g. `o.{name} AS order_{name}`"
                    )),
            ));
        }
        columns.push((name.to_string(), Kind::of_type(column.type_().name())));
    }
    // Streamed into the file a row group at a time.
    let mut sink = ParquetSink::new(dest, columns);
    let copied = match client.copy_out(format!("COPY ({sql}) TO STDOUT").as_str()) {
        Ok(reader) => Some(
            read_copy(reader, &mut sink)
                .map_err(|e| in_source(e.context(format!("database `{}`", connection.name))))?,
        ),
        Err(e) if copy_unsupported(&e) => None,
        Err(e) => {
            return Err(in_source(connection.failure("the query failed on", &e))
                .setting(setting)
                .hint(
                    "run the query in psql against the same database to see what the server says",
                ));
        }
    };
    if copied.is_none() {
        simple_rows(&mut client, &sql, &mut sink).map_err(|e| match e {
            Fetch::Server(e) => in_source(connection.failure("the query failed on", &e)),
            Fetch::Value(e) => in_source(e),
        })?;
    }
    sink.finish().map_err(in_source)
}

/// Engines without `COPY ... TO STDOUT` (e.g. Redshift) refuse it as
/// unsupported or as a syntax error.
fn copy_unsupported(e: &postgres::Error) -> bool {
    e.as_db_error().is_some_and(|db| {
        let code = db.code().code();
        code == "0A000" || code == "42601"
    })
}

enum Fetch {
    Server(postgres::Error),
    Value(Error),
}

/// The rows through the simple-query protocol, whose values are text as
/// COPY's are (the server's reply is held in memory: the fallback path).
fn simple_rows(
    client: &mut Client,
    sql: &str,
    sink: &mut ParquetSink,
) -> std::result::Result<(), Fetch> {
    let messages = client.simple_query(sql).map_err(Fetch::Server)?;
    for message in messages {
        if let SimpleQueryMessage::Row(row) = message {
            for (i, builder) in sink.columns().iter_mut().enumerate() {
                builder.push(row.get(i)).map_err(Fetch::Value)?;
            }
            sink.row_done().map_err(Fetch::Value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(url: &str) -> Result<Connection> {
        Connection::declare(
            "warehouse",
            &DatabaseSpec {
                url: url.to_string(),
            },
        )
    }

    #[test]
    fn a_password_written_in_the_file_is_refused() {
        let err = declared("postgres://ana:hunter2@db.example:5432/shop").unwrap_err();
        let text = format!("{err}");
        assert!(text.contains("holds a password"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn identity_and_label_never_hold_the_password() {
        // SAFETY: only this test sets this variable.
        unsafe {
            std::env::set_var(
                "WAWASAN_PG_TEST_URL",
                "postgres://ana:s3cret-pw@db.example:6543/shop",
            );
        }
        let c = declared("${WAWASAN_PG_TEST_URL}").unwrap();
        assert_eq!(c.identity, "ana@db.example:6543/shop");
        assert_eq!(c.label, "host db.example:6543, database shop");
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn a_bad_url_does_not_echo_itself() {
        // SAFETY: only this test sets this variable.
        unsafe {
            std::env::set_var("WAWASAN_PG_TEST_BAD", "postgres://ana:pw-9@db:notaport/x");
        }
        let err = declared("${WAWASAN_PG_TEST_BAD}").unwrap_err();
        assert!(!err.to_string().contains("pw-9"), "{err}");
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_identifier("order_items"), "\"order_items\"");
        assert_eq!(
            quote_identifier("a\"; DROP TABLE x; --"),
            "\"a\"\"; DROP TABLE x; --\""
        );
    }
}
