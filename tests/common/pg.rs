//! The PostgreSQL test server: its URL from the environment (`.ci/postgres
//! start` exports it). CI sets WAWASAN_REQUIRE_POSTGRES, so there a missing
//! server fails the tests; locally they say how to start one and pass.

use std::io::Write;
use std::sync::Once;

/// The command that starts a test server and exports its URL.
pub const START: &str = "eval \"$(bash .ci/postgres start)\"";

/// The test database's URL, or None (with a message, once) when no server
/// was started; panics when the server is required.
pub fn database_url() -> Option<String> {
    if let Some(url) = std::env::var("WAWASAN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        return Some(url);
    }
    if std::env::var_os("WAWASAN_REQUIRE_POSTGRES").is_some() {
        panic!(
            "WAWASAN_REQUIRE_POSTGRES is set but WAWASAN_TEST_DATABASE_URL is not: start the server with: {START}"
        );
    }
    // Written to stderr itself, past the test harness's capture, so that a
    // passing run still shows it.
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "PostgreSQL tests skipped: no server. Start one with: {START}"
        );
    });
    None
}

/// A client of the test database, when there is one; panics when the
/// server named by the URL cannot be reached.
pub fn client() -> Option<postgres::Client> {
    let url = database_url()?;
    let client = postgres::Client::connect(&url, postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "cannot connect to the test database ({}): {}. Is the server still running? \
             (`bash .ci/postgres status`; a new one: {START})",
            std::env::var("WAWASAN_PG_DIR").unwrap_or_default(),
            describe(&e)
        )
    });
    Some(client)
}

/// The server's message of a client error, else the error and its cause
/// (the `postgres` crate's own text is only its kind, e.g. "db error").
pub fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}
