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

/// Line and column of a parse error (` --> line:column`), if any.
pub fn parse_position(chain: &[String]) -> Option<(usize, usize)> {
    chain.iter().find_map(|part| {
        let at = part.find("--> ")? + 4;
        let (line, rest) = part[at..].split_once(':')?;
        let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((line.trim().parse().ok()?, column.parse().ok()?))
    })
}

/// A parse position that lies past the end of `text` (Tera reports an
/// unclosed tag at the end of input) moved to the end of its last line.
pub fn clamp_position(text: &str, line: usize, column: usize) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    if line <= lines.len() || lines.is_empty() {
        return (line, column);
    }
    let last = lines.len();
    (last, lines[last - 1].chars().count().max(1))
}

/// What a parse error expected (`expected a variable end (`}}`)`), from
/// the ` = ...` line of Tera's message.
pub fn syntax_expectation(chain: &[String]) -> Option<String> {
    chain.iter().find_map(|part| {
        part.lines()
            .find_map(|l| l.trim_start().strip_prefix("= "))
            .map(|s| s.trim().to_string())
    })
}

/// Where `needle` appears as a whole name inside a template tag
/// (`{{ … }}` or `{% … %}`) of `text`: 0-based line, 1-based column.
/// Text outside tags is not searched, so a word of the prose never
/// matches.
pub fn find_in_tags(text: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    let mut from = 0;
    while let Some(open) = find_tag_start(&text[from..]).map(|i| from + i) {
        let close = text[open + 2..]
            .find(['}', '%'])
            .map_or(text.len(), |i| open + 2 + i);
        let tag = &mask_strings(&text[open..close]);
        let mut search = 0;
        while let Some(i) = tag[search..].find(needle).map(|i| search + i) {
            let before = tag[..i].chars().next_back();
            let after = tag[i + needle.len()..].chars().next();
            let name_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if !name_char(before) && !name_char(after) {
                let at = open + i;
                let line = text[..at].matches('\n').count();
                let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
                return Some((line, text[start..at].chars().count() + 1));
            }
            search = i + needle.len();
        }
        from = close.max(open + 2);
    }
    None
}

/// The template a "Template '…' not found" error names (an include or
/// import of a missing file), if that is the error.
pub fn missing_template(chain: &[String]) -> Option<String> {
    chain.iter().find_map(|part| {
        between(part, "Template '[", "]' not found")
            .or_else(|| between(part, "Template '", "' not found"))
            .map(|n| n.split(", ").next().unwrap_or_default().to_string())
    })
}

/// Where `name` appears as a quoted string (`"name"` or `'name'`) in
/// `text`: 0-based line, 1-based column of the quote.
pub fn find_quoted(text: &str, name: &str) -> Option<(usize, usize)> {
    ['"', '\''].iter().find_map(|q| {
        let at = text.find(&format!("{q}{name}{q}"))?;
        let line = text[..at].matches('\n').count();
        let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        Some((line, text[start..at].chars().count() + 1))
    })
}

/// `tag` with the insides of its string literals blanked (same length), so
/// `table(name="sales")` does not count as naming `sales`.
fn mask_strings(tag: &str) -> String {
    let mut out = Vec::with_capacity(tag.len());
    let mut quote: Option<u8> = None;
    for &b in tag.as_bytes() {
        match quote {
            Some(q) if b == q => {
                quote = None;
                out.push(b);
            }
            Some(_) => out.push(b' '),
            None => {
                if matches!(b, b'"' | b'\'' | b'`') {
                    quote = Some(b);
                }
                out.push(b);
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

fn find_tag_start(text: &str) -> Option<usize> {
    let a = text.find("{{");
    let b = text.find("{%");
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A value for an error message: its JSON, at most 60 characters.
pub fn bounded_value(value: &serde_json::Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
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
    fn names_are_found_inside_tags_only_and_whole() {
        let text = "my text\n\nSay {{ xy }} and {{ y | money }}\n";
        assert_eq!(find_in_tags(text, "y"), Some((2, 21)));
        assert_eq!(find_in_tags(text, "text"), None);
        assert_eq!(
            find_in_tags("{% if a %}{{ b }}{% endif %}", "b"),
            Some((0, 14))
        );
    }

    #[test]
    fn parse_errors_give_their_position_and_expectation() {
        let mut tera = tera::Tera::default();
        let err = tera
            .add_raw_template("t", "a\nb {{ x ) }}\nc\n")
            .unwrap_err();
        let chain = chain(&err);
        assert_eq!(parse_position(&chain), Some((2, 8)));
        let expected = syntax_expectation(&chain).unwrap();
        assert!(expected.starts_with("expected"), "{expected}");
    }

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
