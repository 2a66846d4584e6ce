//! Reading Tera's errors: the cause chain as text, the ` --> line:column`
//! of parse errors, and names quoted between markers.

/// The error and its causes, outermost first.
pub fn chain(err: &tera::Error) -> Vec<String> {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts
}

/// The template line of a parse error (` --> line:column`), if any.
pub fn parse_line(chain: &[String]) -> Option<usize> {
    chain.iter().find_map(|part| {
        let at = part.find("--> ")? + 4;
        let digits: String = part[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
}

/// The text between the first `start` and the next `end`.
pub fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(text[from..from + len].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_give_their_line() {
        let mut tera = tera::Tera::default();
        let err = tera
            .add_raw_template("t", "a\nb {{ x ) }}\nc\n")
            .unwrap_err();
        assert_eq!(parse_line(&chain(&err)), Some(2));
        assert_eq!(
            between("Variable `a.b` not found", "Variable `", "`"),
            Some("a.b".into())
        );
    }
}
