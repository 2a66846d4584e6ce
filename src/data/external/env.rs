//! `${NAME}` in connection settings: replaced by environment variables when
//! the build connects, so that credentials live only in the environment.

use crate::error::{Error, Result};

/// `text` with every `${NAME}` replaced by the variable's value. A missing
/// variable is an error naming it (never a value).
pub fn expand(text: &str, setting: &str) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(
                Error::new(format!("`{setting}` has a `${{` without its closing `}}`"))
                    .hint("write the variable as `${NAME}`"),
            );
        };
        let name = &after[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(Error::new(format!(
                "`{setting}` names the environment variable `{name}`, which is not a variable name"
            ))
            .hint("use letters, digits and `_`, e.g. `${WAREHOUSE_URL}`"));
        }
        match std::env::var(name) {
            Ok(value) => out.push_str(&value),
            Err(_) => {
                return Err(Error::new(format!(
                    "the environment variable `{name}` (used by `{setting}`) is not set"
                ))
                .hint(format!(
                    "set it before building, e.g. `export {name}=postgres://user:password@host:5432/db`; in CI, from a repository secret"
                )));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether `text` names at least one variable.
pub fn uses_variables(text: &str) -> bool {
    text.contains("${")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_replaced_and_missing_ones_named() {
        // SAFETY: tests of this module alone set these variables.
        unsafe {
            std::env::set_var("WAWASAN_ENV_TEST_A", "db.example");
        }
        assert_eq!(
            expand("postgres://${WAWASAN_ENV_TEST_A}:5432/x", "url").unwrap(),
            "postgres://db.example:5432/x"
        );
        assert_eq!(expand("plain", "url").unwrap(), "plain");
        let err = expand("${WAWASAN_ENV_TEST_MISSING}", "url").unwrap_err();
        assert!(
            err.to_string().contains("`WAWASAN_ENV_TEST_MISSING`"),
            "{err}"
        );
        assert!(expand("${UNCLOSED", "url").is_err());
        assert!(expand("${a-b}", "url").is_err());
    }
}
