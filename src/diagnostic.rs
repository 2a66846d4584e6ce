//! Errors printed the way rustc prints them: the message, `--> file:line:col`,
//! the offending line with a caret under the column, the causes and one
//! hint; colour only when asked (a terminal), and never more than a few
//! lines, however long the line in the file.

use crate::error::Error;
use std::fmt::Write;
use std::path::Path;

/// Files larger than this are not re-read to show a line (data files can
/// be gigabytes); errors about them carry their own snippet.
const MAX_SOURCE_BYTES: u64 = 8 << 20;

/// Characters of the offending line shown around the column.
const WINDOW: usize = 100;

/// `err` as a multi-line diagnostic, coloured when `color`.
pub fn render(err: &Error, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{} {}",
        paint("1;31", "error"),
        paint("1", ":"),
        paint("1", err.message())
    );
    let line_text = err.line_number().and_then(|line| {
        err.snippet_text()
            .map(str::to_string)
            .or_else(|| err.path().and_then(|p| read_line(p, line)))
    });
    let gutter = err.line_number().map_or(1, |l| l.to_string().len());
    let pad = " ".repeat(gutter);
    if let Some(location) = err.location() {
        let _ = writeln!(out, "{pad}{} {location}", paint("1;34", "-->"));
    }
    if let (Some(line), Some(text)) = (err.line_number(), line_text) {
        let (shown, caret) = window(&text, err.column_number());
        let bar = paint("1;34", "|");
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(out, "{} {bar} {shown}", paint("1;34", &line.to_string()));
        if let Some(caret) = caret {
            let _ = writeln!(
                out,
                "{pad} {bar} {}{}",
                " ".repeat(caret),
                paint("1;31", "^")
            );
        }
    }
    let mut cause = std::error::Error::source(err);
    while let Some(c) = cause {
        let first = c.to_string();
        let first = first.lines().next().unwrap_or("");
        let _ = writeln!(
            out,
            "{pad} {} caused by: {}",
            paint("1;34", "="),
            bounded(first)
        );
        cause = c.source();
    }
    if let Some(hint) = err.hint_text() {
        let _ = writeln!(
            out,
            "{pad} {} {} {hint}",
            paint("1;34", "="),
            paint("1;36", "hint:")
        );
    }
    out
}

/// Line `line` (1-based) of a small text file, if it has one.
fn read_line(path: &Path, line: usize) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_SOURCE_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    text.lines()
        .nth(line.checked_sub(1)?)
        .map(|l| l.trim_end_matches('\r').to_string())
}

/// At most `WINDOW` characters of `text` around the 1-based `column` (tabs
/// and control characters shown as spaces), and the caret's offset in them.
fn window(text: &str, column: Option<usize>) -> (String, Option<usize>) {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let at = column.map(|c| c.saturating_sub(1).min(chars.len()));
    let start = match at {
        Some(at) if chars.len() > WINDOW => at.saturating_sub(WINDOW / 2),
        _ => 0,
    };
    let end = (start + WINDOW).min(chars.len());
    let mut shown = String::new();
    let mut caret = at.map(|a| a - start);
    if start > 0 {
        shown.push('…');
        caret = caret.map(|c| c + 1);
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret)
}

/// A cause's text, cut to a readable length.
fn bounded(text: &str) -> String {
    let mut out: String = text.chars().take(300).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_line_and_a_caret_under_the_column() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.md");
        std::fs::write(&file, "one\nSome {{ x ) }} text\n").unwrap();
        let err = Error::new("template syntax error: expected `}}`")
            .at(&file)
            .line(2)
            .column(11)
            .hint("close the tag");
        let text = render(&err, false);
        let expected = format!(
            "error: template syntax error: expected `}}}}`\n --> {}:2:11\n  |\n2 | Some {{{{ x ) }}}} text\n  |           ^\n  = hint: close the tag\n",
            file.display()
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let (shown, caret) = window(&line, Some(5001));
        assert!(shown.chars().count() <= WINDOW + 2, "{}", shown.len());
        let caret = caret.unwrap();
        assert_eq!(shown.chars().nth(caret), Some('X'));
    }

    #[test]
    fn colour_only_when_asked() {
        let err = Error::new("bad").hint("fix");
        assert!(!render(&err, false).contains('\x1b'));
        assert!(render(&err, true).contains("\x1b[1;31merror"));
    }
}
