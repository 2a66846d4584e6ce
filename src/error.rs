//! The one error type of the crate: what went wrong, where (file and line),
//! why (the cause chain) and what the user can do about it.

use std::fmt;
use std::path::{Path, PathBuf};

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error a user can act on: it names the file (and line where known),
/// says what went wrong, and may carry a hint about how to fix it. Boxed,
/// so that `Result`s stay small on the paths where nothing fails.
#[derive(Debug)]
pub struct Error(Box<Parts>);

/// What an error says and where.
#[derive(Debug)]
pub struct Parts {
    message: String,
    path: Option<PathBuf>,
    line: Option<usize>,
    column: Option<usize>,
    /// The offending line's text, when the file itself cannot be re-read
    /// cheaply (e.g. one line of a large data file).
    snippet: Option<String>,
    /// The setting of the front matter the error concerns.
    setting: Option<String>,
    hint: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error with a message and nothing else.
    pub fn new(message: impl Into<String>) -> Self {
        Error(Box::new(Parts {
            message: message.into(),
            path: None,
            line: None,
            column: None,
            snippet: None,
            setting: None,
            hint: None,
            source: None,
        }))
    }

    /// An I/O failure on `path`.
    pub fn io(action: &str, path: &Path, err: std::io::Error) -> Self {
        Error::new(format!("cannot {action} {}", path.display()))
            .at(path)
            .caused_by(err)
    }

    /// Attach the file this error concerns; an inner, more precise path wins.
    pub fn at(mut self, path: impl Into<PathBuf>) -> Self {
        if self.path.is_none() {
            self.path = Some(path.into());
        }
        self
    }

    /// Attach the 1-based line in the file; an inner, more precise line wins.
    pub fn line(mut self, line: usize) -> Self {
        if self.line.is_none() {
            self.line = Some(line);
        }
        self
    }

    /// Replace the line (when it was counted from another start).
    pub fn relocate_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Attach the 1-based column (in characters) on the line.
    pub fn column(mut self, column: usize) -> Self {
        if self.column.is_none() {
            self.column = Some(column);
        }
        self
    }

    /// Attach the column only when it is known.
    pub fn maybe_column(self, column: Option<usize>) -> Self {
        match column {
            Some(c) => self.column(c),
            None => self,
        }
    }

    /// Attach a location (file, and line and column where known) unless the
    /// error already names a file: a data file's error keeps its own
    /// position rather than taking the front-matter line of its setting.
    pub fn within(self, path: impl Into<PathBuf>, position: Option<(usize, usize)>) -> Self {
        if self.path.is_some() {
            return self;
        }
        let (line, column) = position.unzip();
        self.at(path).maybe_line(line).maybe_column(column)
    }

    /// Attach the text of the offending line.
    pub fn snippet(mut self, text: impl Into<String>) -> Self {
        if self.snippet.is_none() {
            self.snippet = Some(text.into());
        }
        self
    }

    /// Name the front-matter setting at fault (e.g. `amount` of an analysis),
    /// so the caller that knows the front matter can point at its line.
    pub fn setting(mut self, name: impl Into<String>) -> Self {
        if self.setting.is_none() {
            self.setting = Some(name.into());
        }
        self
    }

    /// Attach the line only when it is known.
    pub fn maybe_line(self, line: Option<usize>) -> Self {
        match line {
            Some(l) => self.line(l),
            None => self,
        }
    }

    /// Attach advice on how to fix the problem.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        if self.hint.is_none() {
            self.hint = Some(hint.into());
        }
        self
    }

    /// Replace the hint with a more fitting one.
    pub fn replace_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Add a sentence to the message.
    pub fn append(mut self, more: impl fmt::Display) -> Self {
        self.message = format!("{}; {more}", self.message);
        self
    }

    /// Attach the underlying cause.
    pub fn caused_by(mut self, err: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(err));
        self
    }

    /// Prefix the message with more context, keeping location and cause.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn line_number(&self) -> Option<usize> {
        self.line
    }

    pub fn column_number(&self) -> Option<usize> {
        self.column
    }

    pub fn snippet_text(&self) -> Option<&str> {
        self.snippet.as_deref()
    }

    pub fn hint_text(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The front-matter setting at fault, if the error names one.
    pub fn setting_name(&self) -> Option<&str> {
        self.setting.as_deref()
    }

    /// `file:line:col`, as far as known.
    pub fn location(&self) -> Option<String> {
        let path = self.path.as_ref()?.display();
        Some(match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
            (Some(l), None) => format!("{path}:{l}"),
            _ => path.to_string(),
        })
    }
}

impl std::ops::Deref for Error {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut Parts {
        &mut self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = self.location() {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}", self.message)?;
        let mut cause = self.source.as_deref().map(|e| e as &dyn std::error::Error);
        while let Some(c) = cause {
            write!(f, "\n  caused by: {c}")?;
            cause = c.source();
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<polars::prelude::PolarsError> for Error {
    fn from(err: polars::prelude::PolarsError) -> Self {
        Error::new("data processing failed").caused_by(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_cause_and_hint() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = Error::new("cannot read source")
            .at("content/a/_index.md")
            .line(7)
            .caused_by(io)
            .hint("check the path");
        assert_eq!(
            e.to_string(),
            "content/a/_index.md:7: cannot read source\n  caused by: gone\n  hint: check the path"
        );
    }

    #[test]
    fn inner_location_wins_over_outer() {
        let e = Error::new("x")
            .at("inner.csv")
            .line(3)
            .at("outer.md")
            .line(9);
        assert_eq!(e.path(), Some(Path::new("inner.csv")));
        assert_eq!(e.line_number(), Some(3));
    }
}
