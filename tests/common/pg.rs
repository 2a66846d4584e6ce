//! The PostgreSQL test server: its URL from the environment (`.ci/postgres
//! start` exports it). CI sets WAWASAN_REQUIRE_POSTGRES, so there a missing
//! server fails the tests; locally they say how to start one and pass.

use std::sync::Once;

/// The test database's URL, or None (with a message, once) when no server
/// was started; panics when the server is required.
pub fn database_url() -> Option<String> {
    if let Ok(url) = std::env::var("WAWASAN_TEST_DATABASE_URL") {
        return Some(url);
    }
    if std::env::var_os("WAWASAN_REQUIRE_POSTGRES").is_some() {
        panic!(
            "WAWASAN_REQUIRE_POSTGRES is set but WAWASAN_TEST_DATABASE_URL is not: start the server with `eval \"$(bash .ci/postgres start)\"`"
        );
    }
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        eprintln!(
            "PostgreSQL tests skipped: no server. Start one with: eval \"$(bash .ci/postgres start)\""
        )
    });
    None
}

/// A client of the test database, when there is one.
pub fn client() -> Option<postgres::Client> {
    let url = database_url()?;
    Some(
        postgres::Client::connect(&url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to the test database: {e}")),
    )
}
