//! Live reload: the state of the last rebuild, the server-sent event stream
//! that tells browsers about it, and the script (with its error overlay)
//! injected into served HTML pages only — never into the files on disk.

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::watch;

/// Where browsers listen for rebuild events.
pub const EVENTS_PATH: &str = "/__wawasan/events";

/// What the browsers need to know about the site, published after each rebuild.
#[derive(Clone, Debug, Default)]
pub struct Status {
    /// Number of successful builds so far; a page served at an older version
    /// reloads as soon as it connects.
    pub version: u64,
    /// The error of the last rebuild, while the site is broken.
    pub error: Option<Arc<ErrorReport>>,
    /// Set on Ctrl-C: event streams end so the server can stop.
    pub closing: bool,
}

/// A build error as the overlay shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorReport {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub message: String,
    /// The message followed by its cause chain, as the terminal shows it.
    pub detail: String,
    pub hint: Option<String>,
}

impl ErrorReport {
    /// Take apart a build error for the overlay.
    pub fn from_error(error: &wawasan::Error) -> Self {
        let mut report = ErrorReport {
            file: error.path().map(|p| p.display().to_string()),
            line: error.line_number(),
            message: error.message().to_string(),
            detail: String::new(),
            hint: error.hint_text().map(str::to_string),
        };
        // The cause chain is only reachable through `Display`: drop the
        // location in front and the hint behind, both shown on their own.
        let text = error.to_string();
        let text = report
            .location()
            .and_then(|l| text.strip_prefix(&format!("{l}: ")))
            .unwrap_or(&text);
        let text = report
            .hint
            .as_ref()
            .and_then(|h| text.strip_suffix(&format!("\n  hint: {h}")))
            .unwrap_or(text);
        report.detail = text.to_string();
        report
    }

    /// `file:line`, `file` or nothing.
    fn location(&self) -> Option<String> {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => Some(format!("{f}:{l}")),
            (Some(f), None) => Some(f.clone()),
            _ => None,
        }
    }

    /// The overlay's inner HTML; every piece of text is escaped.
    pub fn to_html(&self) -> String {
        let mut html = String::from("<h2>Build failed</h2>");
        if let Some(location) = self.location() {
            html += &format!("<p><code>{}</code></p>", escape_html(&location));
        }
        html += &format!("<pre>{}</pre>", escape_html(&self.detail));
        if let Some(hint) = &self.hint {
            html += &format!("<p>Hint: {}</p>", escape_html(hint));
        }
        html += "<p><small>The last good version of the site is still served. \
                 Save a fix and this page reloads.</small></p>";
        html
    }

    /// The payload of a `build-error` event.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "detail": self.detail,
            "hint": self.hint,
            "html": self.to_html(),
        })
        .to_string()
    }
}

pub use wawasan::chart::escape_html;

/// The response to `GET /__wawasan/events`: a `ready` (or `build-error`)
/// event at once, then a `reload` or `build-error` event after every rebuild.
pub fn event_stream(
    status: watch::Receiver<Status>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    Sse::new(status_events(status)).keep_alive(KeepAlive::default())
}

fn status_events(rx: watch::Receiver<Status>) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let status = rx.borrow_and_update().clone();
        if status.closing {
            return None;
        }
        Some((Ok(status_event(&status, first)), (rx, false)))
    })
}

fn status_event(status: &Status, first: bool) -> Event {
    match (&status.error, first) {
        (Some(report), _) => Event::default().event("build-error").data(report.to_json()),
        (None, true) => Event::default()
            .event("ready")
            .data(status.version.to_string()),
        (None, false) => Event::default()
            .event("reload")
            .data(status.version.to_string()),
    }
}

/// The live-reload and overlay script for a page served at `version`.
pub fn script(version: u64) -> String {
    format!(
        "<script data-wawasan-live-reload>\n{}\n</script>\n",
        SCRIPT
            .replace("__VERSION__", &version.to_string())
            .replace("__EVENTS__", EVENTS_PATH)
    )
}

const SCRIPT: &str = r#"(() => {
  const version = __VERSION__;
  const source = new EventSource("__EVENTS__");
  const style = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
    "background:rgba(20,20,24,.94);color:#f4f4f5;font:15px/1.5 system-ui,sans-serif";
  const show = (report) => {
    let overlay = document.getElementById("wawasan-error-overlay");
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "wawasan-error-overlay";
      overlay.setAttribute("style", style);
      document.body.appendChild(overlay);
    }
    overlay.innerHTML = report.html;
  };
  source.addEventListener("ready", (e) => {
    if (Number(e.data) !== version) location.reload();
  });
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("build-error", (e) => show(JSON.parse(e.data)));
})();"#;

/// Insert `script` before the last `</body>` of an HTML page (at the end if
/// there is none).
pub fn inject(html: &[u8], script: &str) -> Vec<u8> {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_closing_body() {
        let page = b"<html><body><p>a</p></BODY></html>";
        let out = String::from_utf8(inject(page, "<s/>")).unwrap();
        assert_eq!(out, "<html><body><p>a</p><s/></BODY></html>");
        let bare = String::from_utf8(inject(b"<p>x</p>", "<s/>")).unwrap();
        assert_eq!(bare, "<p>x</p><s/>");
    }

    #[test]
    fn script_carries_the_version_and_the_events_path() {
        let s = script(7);
        assert!(s.contains("const version = 7;"));
        assert!(s.contains("new EventSource(\"/__wawasan/events\")"));
    }

    #[test]
    fn overlay_escapes_every_piece_of_text() {
        let error = wawasan::Error::new("unknown <b>ref</b>")
            .at("content/a&b.md")
            .line(4)
            .hint("use \"x\" or 'y'");
        let report = ErrorReport::from_error(&error);
        assert_eq!(report.file.as_deref(), Some("content/a&b.md"));
        assert_eq!(report.line, Some(4));
        assert_eq!(report.detail, "unknown <b>ref</b>");
        let html = report.to_html();
        assert!(html.contains("<code>content/a&amp;b.md:4</code>"), "{html}");
        assert!(html.contains("unknown &lt;b&gt;ref&lt;/b&gt;"), "{html}");
        assert!(html.contains("use &quot;x&quot; or &#39;y&#39;"), "{html}");
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn overlay_lists_the_causes() {
        let io = std::io::Error::other("disk on fire");
        let error = wawasan::Error::new("cannot read").caused_by(io);
        let report = ErrorReport::from_error(&error);
        assert_eq!(report.detail, "cannot read\n  caused by: disk on fire");
        assert!(report.to_html().contains("caused by: disk on fire"));
    }
}
