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

/// A parse error's position, as a message and hint. Tera reports a block
/// left open at the end of input, past the last line: then the tag that
/// opened it is the place, and closing it the fix; a position past the end
/// is never given.
pub fn syntax_error(
    text: &str,
    line: usize,
    column: usize,
    expected: &str,
) -> (usize, usize, String, String) {
    let lines = text.lines().count();
    if line > lines {
        if let Some((open_line, open_column, word)) = unclosed_tag(text) {
            return (
                open_line + 1,
                open_column,
                format!("template syntax error: this `{{% {word} %}}` is never closed"),
                format!("close it with {{% end{word} %}} where the {word} should end"),
            );
        }
        let last = text.lines().last().unwrap_or("");
        return (
            lines.max(1),
            last.chars().count().max(1),
            format!("template syntax error at the end of the file: {expected}"),
            SYNTAX_HINT.to_string(),
        );
    }
    (
        line,
        column,
        format!("template syntax error: {expected}"),
        SYNTAX_HINT.to_string(),
    )
}

const SYNTAX_HINT: &str = "values are written {{ name }} and tags {% if … %} … {% endif %}; \
    to show `{{` as text, put it inside {% raw %} … {% endraw %}";

/// The innermost block tag (`{% if %}`, `for`, `block`, `macro`,
/// `filter`, `raw`) that `text` opens and never closes: 0-based line,
/// 1-based column.
pub fn unclosed_tag(text: &str) -> Option<(usize, usize, &'static str)> {
    const BLOCKS: [&str; 6] = ["if", "for", "block", "macro", "filter", "raw"];
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("{%").map(|i| from + i) {
        let end = text[start..]
            .find("%}")
            .map_or(text.len(), |i| start + i + 2);
        let inner = text[start + 2..end.saturating_sub(2).max(start + 2)]
            .trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word = inner.split_whitespace().next().unwrap_or("");
        if BLOCKS.contains(&word) {
            open.push((word, start));
        } else if let Some(closed) = word.strip_prefix("end")
            && let Some(i) = open.iter().rposition(|(w, _)| *w == closed)
        {
            open.truncate(i);
        }
        from = end.max(start + 2);
    }
    let (word, at) = open.last()?;
    let word = BLOCKS.into_iter().find(|b| b == word)?;
    let line = text[..*at].matches('\n').count();
    let line_start = text[..*at].rfind('\n').map_or(0, |n| n + 1);
    Some((line, text[line_start..*at].chars().count() + 1, word))
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
    let (at, _) = names_in_tags(text, needle).into_iter().next()?;
    Some(position(text, at))
}

/// Where the first call `function(…)` in a tag of `text` lacks the
/// argument an error says it needs (``function `chart` needs name="..."``):
/// 0-based line, 1-based column. `None` when the error is not that one.
pub fn find_call_missing(text: &str, function: &str, chain: &[String]) -> Option<(usize, usize)> {
    let key = chain
        .iter()
        .find_map(|p| between(p, &format!("function `{function}` needs "), "="))?;
    names_in_tags(text, function)
        .into_iter()
        .find(|(_, rest)| {
            let Some(args) = rest.trim_start().strip_prefix('(') else {
                return false;
            };
            let args = args.split(')').next().unwrap_or("");
            !args.split(',').any(|arg| {
                arg.split_once('=')
                    .is_some_and(|(name, _)| name.trim() == key)
            })
        })
        .map(|(at, _)| position(text, at))
}

/// 0-based line and 1-based column (in characters) of byte `at`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    (line, text[start..at].chars().count() + 1)
}

/// Every place `needle` is a whole name inside a tag of `text`: its byte
/// offset, and the rest of the tag after it with strings blanked.
fn names_in_tags(text: &str, needle: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    if needle.is_empty() {
        return found;
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
                found.push((open + i, tag[i + needle.len()..].to_string()));
            }
            search = i + needle.len();
        }
        from = close.max(open + 2);
    }
    found
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

/// What went wrong, from Tera's innermost message (the outer ones only
/// say where, "Failed to render …"): its first line, at most 300
/// characters.
pub fn innermost_message(chain: &[String]) -> String {
    let innermost = chain.last().map_or("", String::as_str);
    innermost
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}

/// The name a "<kind> `name` not found" (or `'name'`) message gives, e.g.
/// kind `Filter`.
pub fn not_found(part: &str, kind: &str) -> Option<String> {
    between(part, &format!("{kind} `"), "` not found")
        .or_else(|| between(part, &format!("{kind} '"), "' not found"))
}

/// The root name of a dotted path: `sales` of `sales[0].amount`.
pub fn root_name(path: &str) -> String {
    path.split(['.', '['])
        .next()
        .unwrap_or_default()
        .to_string()
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
    fn the_call_without_its_name_is_found() {
        let text = "{{ chart(name=\"aov\") }}\n\nchart() in prose\n{{ chart( name = \"b\" ) }} {{ chart(title=\"x\") }}\n";
        let chain = vec![
            "Failed to render".to_string(),
            "function `chart` needs name=\"...\", e.g. chart(name=\"b2b.segments\")".to_string(),
        ];
        // Line 3 (0-based), the third call: the first two name their chart,
        // and the prose is no call.
        assert_eq!(find_call_missing(text, "chart", &chain), Some((3, 30)));
        assert_eq!(find_call_missing(text, "chart", &chain[..1]), None);
        assert_eq!(find_in_tags(text, "chart"), Some((0, 4)));
    }

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
    fn the_unclosed_block_is_found() {
        let text = "a\n{% for x in y %}\n{% if x %}{{ x }}{% endif %}\n{% if z %}\n{% endfor %}";
        // `{% endfor %}` closes the for (and the if inside it), so nothing
        // is left open; without it, the for is.
        assert_eq!(unclosed_tag(text), None);
        assert_eq!(
            unclosed_tag("a\n{% for x in y %}\n{% if x %}b{% endif %}\n"),
            Some((1, 1, "for"))
        );
        assert_eq!(unclosed_tag("x\n  {%- if a -%}\nb\n"), Some((1, 3, "if")));
        let (line, _, message, hint) = syntax_error("x\n{% if a %}\nb\n", 4, 1, "expected tag");
        assert_eq!(
            (line, message.as_str()),
            (2, "template syntax error: this `{% if %}` is never closed")
        );
        assert!(hint.contains("{% endif %}"), "{hint}");
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
