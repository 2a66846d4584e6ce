//! The HTTP side of `serve`: files from the output folder only (the request
//! path is decoded, checked segment by segment, canonicalized and held to
//! the folder's prefix), the live-reload script injected into HTML
//! responses, and the rebuild event stream.

use super::reload::{self, EVENTS_PATH, Status};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;

/// What the request handlers share.
pub struct AppState {
    /// The output folder (it may be swapped by a rebuild at any time).
    pub output: PathBuf,
    pub status: watch::Receiver<Status>,
}

/// Serve the site on `listener` until `shutdown` completes.
pub async fn serve(
    listener: std::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback(serve_file)
        .with_state(state)
}

async fn events(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    reload::event_stream(state.status.clone())
}

/// Where a request path leads inside the output folder.
#[derive(Debug, PartialEq)]
pub enum Resolved {
    /// A file (a directory's `index.html` included), canonical path.
    File(PathBuf),
    /// A directory asked for without the trailing slash its relative links need.
    AddSlash,
    NotFound,
    /// Outside the folder, or a path that tries to get there.
    Forbidden,
}

async fn serve_file(State(state): State<Arc<AppState>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return text_response(StatusCode::METHOD_NOT_ALLOWED, "Only GET and HEAD.");
    }
    let version = state.status.borrow().version;
    let output = state.output.clone();
    let path = uri.path().to_string();
    let found = tokio::task::spawn_blocking(move || {
        // A rebuild swaps the new output in with two renames: for that
        // instant the folder (or a file just resolved) is missing. Look
        // again, briefly, rather than answer 404 for a page that exists.
        let mut attempts = 0;
        loop {
            let found = match resolve(&output, &path) {
                Resolved::File(file) => {
                    std::fs::read(&file).map(|bytes| (Resolved::File(file), bytes))
                }
                other => Ok((other, Vec::new())),
            };
            let swapping = match &found {
                // (The folder may be back already: always look twice.)
                Ok((Resolved::NotFound, _)) => attempts == 0 || !output.is_dir(),
                Err(e) => e.kind() == std::io::ErrorKind::NotFound,
                Ok(_) => false,
            };
            attempts += 1;
            if !swapping || attempts > 200 {
                return found;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    })
    .await;
    match found {
        Ok(Ok((Resolved::File(file), bytes))) => file_response(&file, bytes, version),
        Ok(Ok((Resolved::AddSlash, _))) => redirect_with_slash(&uri),
        Ok(Ok((Resolved::NotFound, _))) => not_found(uri.path(), version),
        Ok(Ok((Resolved::Forbidden, _))) => {
            text_response(StatusCode::FORBIDDEN, "403 Forbidden: outside the site.")
        }
        Ok(Err(_)) | Err(_) => {
            text_response(StatusCode::INTERNAL_SERVER_ERROR, "Cannot read the file.")
        }
    }
}

/// Map a raw (percent-encoded) request path onto the output folder `root`.
pub fn resolve(root: &Path, raw_path: &str) -> Resolved {
    let Some(segments) = decode_segments(raw_path) else {
        return Resolved::Forbidden;
    };
    let Ok(root) = root.canonicalize() else {
        return Resolved::NotFound;
    };
    let candidate = segments.iter().fold(root.clone(), |p, s| p.join(s));
    match locate(&root, &candidate) {
        Resolved::File(dir) if dir.is_dir() => {
            if !raw_path.ends_with('/') {
                return Resolved::AddSlash;
            }
            match locate(&root, &dir.join("index.html")) {
                Resolved::File(index) if index.is_dir() => Resolved::NotFound,
                other => other,
            }
        }
        other => other,
    }
}

/// Canonicalize `candidate` (resolving symlinks) and keep it only inside `root`.
fn locate(root: &Path, candidate: &Path) -> Resolved {
    match candidate.canonicalize() {
        Ok(real) if real.starts_with(root) => Resolved::File(real),
        Ok(_) => Resolved::Forbidden,
        Err(_) => Resolved::NotFound,
    }
}

/// The path's segments, percent-decoded; `None` when any part tries to leave
/// the folder (`..`, a root or drive), or holds a backslash or NUL.
fn decode_segments(raw_path: &str) -> Option<Vec<String>> {
    let decoded = percent_decode(raw_path)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        if segment.is_empty() || segment == "." {
            continue;
        }
        let mut parts = Path::new(segment).components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(_)), None) => segments.push(segment.to_string()),
            _ => return None,
        }
    }
    Some(segments)
}

/// Decode `%XX` escapes; `None` on a malformed escape or invalid UTF-8.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "parquet" => "application/vnd.apache.parquet",
        _ => "application/octet-stream",
    }
}

fn is_html(content_type: &str) -> bool {
    content_type.starts_with("text/html")
}

fn file_response(path: &Path, bytes: Vec<u8>, version: u64) -> Response {
    let kind = content_type(path);
    let body = if is_html(kind) {
        reload::inject(&bytes, &reload::script(version))
    } else {
        bytes
    };
    response(StatusCode::OK, kind, body)
}

fn not_found(raw_path: &str, version: u64) -> Response {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Not found</title></head>\
         <body><h1>404 Not found</h1><p><code>{}</code> is not part of the site. \
         <a href=\"/\">Home</a></p></body></html>",
        reload::escape_html(raw_path)
    );
    let body = reload::inject(page.as_bytes(), &reload::script(version));
    response(StatusCode::NOT_FOUND, "text/html; charset=utf-8", body)
}

fn redirect_with_slash(uri: &Uri) -> Response {
    // One leading slash only, so the target can never be another host (`//host`).
    let mut location = format!("/{}/", uri.path().trim_start_matches('/'));
    if let Some(query) = uri.query() {
        location = format!("{location}?{query}");
    }
    let mut response = response(StatusCode::FOUND, "text/plain; charset=utf-8", Vec::new());
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn text_response(status: StatusCode, text: &str) -> Response {
    response(
        status,
        "text/plain; charset=utf-8",
        text.as_bytes().to_vec(),
    )
}

fn response(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site folder with `index.html`, `a/index.html`, `a/b.css`, and a
    /// `secret.txt` beside it (outside the site).
    fn site() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("public");
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("index.html"), "home").unwrap();
        std::fs::write(root.join("a/index.html"), "a").unwrap();
        std::fs::write(root.join("a/b.css"), "b").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "secret").unwrap();
        (tmp, root)
    }

    fn file(root: &Path, rel: &str) -> Resolved {
        Resolved::File(root.canonicalize().unwrap().join(rel))
    }

    #[test]
    fn files_and_directory_indexes_resolve() {
        let (_tmp, root) = site();
        assert_eq!(resolve(&root, "/"), file(&root, "index.html"));
        assert_eq!(resolve(&root, "/a/"), file(&root, "a/index.html"));
        assert_eq!(resolve(&root, "/a/b.css"), file(&root, "a/b.css"));
        assert_eq!(resolve(&root, "/a/./b.css"), file(&root, "a/b.css"));
        assert_eq!(resolve(&root, "/%61/b%2Ecss"), file(&root, "a/b.css"));
        assert_eq!(resolve(&root, "/a"), Resolved::AddSlash);
        assert_eq!(resolve(&root, "/missing.html"), Resolved::NotFound);
        // `//x` is the folder's `x`, not an absolute path.
        assert_eq!(resolve(&root, "//a/b.css"), file(&root, "a/b.css"));
    }

    #[test]
    fn traversal_is_forbidden() {
        let (_tmp, root) = site();
        for raw in [
            "/../secret.txt",
            "/a/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/..%2fsecret.txt",
            "/a/..%5c..%5csecret.txt",
            "/..\\secret.txt",
            "/index.html%00.css",
            "/%zz",
            "/%ff",
            "/a/..",
        ] {
            assert_eq!(resolve(&root, raw), Resolved::Forbidden, "{raw}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_site_are_forbidden() {
        let (tmp, root) = site();
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), root.join("up")).unwrap();
        std::os::unix::fs::symlink(root.join("a/b.css"), root.join("in.css")).unwrap();
        assert_eq!(resolve(&root, "/link.txt"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/up/secret.txt"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/in.css"), file(&root, "a/b.css"));
    }

    #[test]
    fn a_missing_output_folder_is_not_found() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(resolve(&tmp.path().join("public"), "/"), Resolved::NotFound);
    }

    #[test]
    fn content_types_follow_the_extension() {
        let ct = |p: &str| content_type(Path::new(p));
        assert_eq!(ct("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(ct("style.CSS"), "text/css; charset=utf-8");
        assert_eq!(ct("x.js"), "text/javascript; charset=utf-8");
        assert_eq!(ct("r/t.json"), "application/json");
        assert_eq!(ct("r/t.csv"), "text/csv; charset=utf-8");
        assert_eq!(
            ct("r/r.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(ct("i.svg"), "image/svg+xml");
        assert_eq!(ct("i.png"), "image/png");
        assert_eq!(ct("f.woff2"), "font/woff2");
        assert_eq!(ct(".nojekyll"), "application/octet-stream");
    }
}
