//! `wawasan serve` end to end: the real binary on a copy of a portal, spoken
//! to over plain TCP (a tiny blocking HTTP client and an SSE reader). Every
//! wait is bounded, and the server is killed when a test ends.

mod common;

use common::Fixture;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// Upper bound of any wait: generous for debug builds on a busy machine.
const WAIT: Duration = Duration::from_secs(60);

/// A running `wawasan serve`, killed on drop.
struct Server {
    child: Child,
    address: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Start `wawasan serve --root <root> <args>` and wait for its address.
    fn start(root: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wawasan"))
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start wawasan serve");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let (lines, stdout_lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut server = Server {
            child,
            address: String::new(),
            log,
        };
        let line = stdout_lines
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("no address printed; log:\n{}", server.log()));
        let url = line
            .split_once("http://")
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .1;
        server.address = url.trim_end_matches('/').to_string();
        server
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Wait until the server's stderr holds `needle`.
    fn wait_log(&self, needle: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, target: &str) -> Reply {
        get(&self.address, target)
    }

    fn events(&self) -> Events {
        Events::open(&self.address)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    headers: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// `GET target` on a fresh connection, read to the end.
fn get(address: &str, target: &str) -> Reply {
    let mut stream = connect(address);
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the reply");
    let split = find(&raw, b"\r\n\r\n").expect("a complete HTTP head");
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let mut body = raw[split + 4..].to_vec();
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body).0;
    }
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn connect(address: &str) -> TcpStream {
    let addr = address.parse().expect("a socket address");
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Decode the complete chunks of a chunked body; also says how many bytes
/// were consumed.
fn dechunk(raw: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(eol) = find(&raw[pos..], b"\r\n") {
        let size_text = String::from_utf8_lossy(&raw[pos..pos + eol]).into_owned();
        let Ok(size) = usize::from_str_radix(size_text.trim(), 16) else {
            break;
        };
        let start = pos + eol + 2;
        if size == 0 || raw.len() < start + size + 2 {
            break;
        }
        out.extend_from_slice(&raw[start..start + size]);
        pos = start + size + 2;
    }
    (out, pos)
}

/// A live `/__wawasan/events` stream.
struct Events {
    stream: TcpStream,
    /// Undecoded bytes after the HTTP head.
    raw: Vec<u8>,
    head_done: bool,
    text: String,
}

impl Events {
    fn open(address: &str) -> Events {
        let mut stream = connect(address);
        write!(
            stream,
            "GET /__wawasan/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        Events {
            stream,
            raw: Vec::new(),
            head_done: false,
            text: String::new(),
        }
    }

    /// The next event (name, data) before `deadline`.
    fn next(&mut self, deadline: Instant) -> Option<(String, String)> {
        loop {
            if let Some(event) = self.take_event() {
                return Some(event);
            }
            if Instant::now() > deadline {
                return None;
            }
            let mut buf = [0u8; 8192];
            match self.stream.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => self.raw.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("event stream: {e}"),
            }
        }
    }

    fn take_event(&mut self) -> Option<(String, String)> {
        if !self.head_done {
            let end = find(&self.raw, b"\r\n\r\n")?;
            let head = String::from_utf8_lossy(&self.raw[..end]).into_owned();
            assert!(head.contains(" 200 "), "event stream refused: {head}");
            assert!(head.contains("text/event-stream"), "{head}");
            self.raw.drain(..end + 4);
            self.head_done = true;
        }
        let (bytes, used) = dechunk(&self.raw);
        self.raw.drain(..used);
        self.text.push_str(&String::from_utf8_lossy(&bytes));
        loop {
            let end = self.text.find("\n\n")?;
            let block: String = self.text.drain(..end + 2).collect();
            let mut name = String::from("message");
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                }
            }
            if !data.is_empty() {
                return Some((name, data.join("\n")));
            }
        }
    }

    /// Wait for an event named `name` and return its data; others are skipped.
    fn wait_for(&mut self, name: &str, server: &Server) -> String {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        while let Some((event, data)) = self.next(deadline) {
            if event == name {
                return data;
            }
            seen.push(event);
        }
        panic!(
            "no {name} event (saw {seen:?}); server log:\n{}",
            server.log()
        );
    }
}

fn line_of(f: &Fixture, rel: &str, needle: &str) -> usize {
    f.read(rel)
        .lines()
        .position(|l| l.contains(needle))
        .expect("the needle is in the file")
        + 1
}

#[test]
fn serves_the_site_with_the_reload_script_and_reloads_after_an_edit() {
    let f = Fixture::new("tiny");
    let server = Server::start(f.root(), &["--port", "0"]);

    let home = server.get("/");
    assert_eq!(home.status, 200, "{}", home.headers);
    assert!(
        home.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(home.body.contains("/__wawasan/events"), "{}", home.body);
    assert!(home.body.find("data-wawasan-live-reload") < home.body.rfind("</body>"));
    assert!(!f.read("public/index.html").contains("__wawasan"));

    let page = server.get("/shop/findings.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The top category is"), "{}", page.body);
    assert_eq!(server.get("/shop/").status, 200);
    let bare = server.get("/shop");
    assert_eq!(bare.status, 302);
    assert_eq!(bare.header("location").as_deref(), Some("/shop/"));
    let css = server.get("/assets/style.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(!css.body.contains("__wawasan"));
    let missing = server.get("/nope.html");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("/__wawasan/events"));

    let mut events = server.events();
    events.wait_for("ready", &server);
    f.edit(
        "content/shop/findings.md",
        "The top category is",
        "The leading category is",
    );
    events.wait_for("reload", &server);
    let page = server.get("/shop/findings.html");
    assert!(
        page.body.contains("The leading category is"),
        "{}",
        page.body
    );
    assert!(!f.read("public/shop/findings.html").contains("__wawasan"));
    server.wait_log("Changed: content shop/findings.md");
}

#[test]
fn a_broken_edit_shows_the_error_and_keeps_the_last_good_page() {
    let f = Fixture::new("tiny");
    let server = Server::start(f.root(), &["--port", "0"]);
    let mut events = server.events();
    events.wait_for("ready", &server);

    let rel = "content/shop/findings.md";
    f.edit(
        rel,
        "{{ by_category[0].Category }}",
        "{{ by_categry[0].Category }}",
    );
    let line = line_of(&f, rel, "by_categry");
    let error = events.wait_for("build-error", &server);
    assert!(error.contains("findings.md"), "{error}");
    assert!(error.contains(&format!("\"line\":{line}")), "{error}");
    assert!(error.contains("by_categry"), "{error}");
    server.wait_log(&format!("findings.md:{line}:"));

    let page = server.get("/shop/findings.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The top category is"), "{}", page.body);
    // A browser that connects while the site is broken sees the error at once.
    let mut late = server.events();
    assert!(
        late.wait_for("build-error", &server)
            .contains("findings.md")
    );

    f.edit(
        rel,
        "{{ by_categry[0].Category }}",
        "{{ by_category[0].Category }} indeed",
    );
    events.wait_for("reload", &server);
    late.wait_for("reload", &server);
    let page = server.get("/shop/findings.html");
    assert!(page.body.contains("indeed"), "{}", page.body);
}

#[test]
fn requests_outside_the_site_are_refused() {
    let f = Fixture::new("tiny");
    f.write("secret.txt", "TOP-SECRET-BYTES");
    let server = Server::start(f.root(), &["--port", "0"]);

    for target in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"] {
        let reply = server.get(target);
        assert_eq!(reply.status, 403, "{target}");
        assert!(!reply.body.contains("TOP-SECRET"), "{target}");
    }
    for target in [
        "/../Cargo.toml",
        "/%2e%2e/x",
        "/..%2fx",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/shop/../../secret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/secret.txt%00.html",
        "//secret.txt",
    ] {
        let reply = server.get(target);
        assert!(
            [400, 403, 404].contains(&reply.status),
            "{target}: {}",
            reply.status
        );
        assert!(!reply.body.contains("TOP-SECRET"), "{target}");
        assert!(!reply.body.contains("[package]"), "{target}");
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(f.path("secret.txt"), f.path("public/leak.txt")).unwrap();
        let reply = server.get("/leak.txt");
        assert_eq!(reply.status, 403);
        assert!(!reply.body.contains("TOP-SECRET"));
    }
}

#[test]
fn a_deleted_page_disappears() {
    let f = Fixture::new("tiny");
    let server = Server::start(f.root(), &["--port", "0"]);
    assert_eq!(server.get("/shop/findings.html").status, 200);
    let mut events = server.events();
    events.wait_for("ready", &server);
    std::fs::remove_file(f.path("content/shop/findings.md")).unwrap();
    events.wait_for("reload", &server);
    assert_eq!(server.get("/shop/findings.html").status, 404);
    assert!(!f.path("public/shop/findings.html").exists());
    assert_eq!(server.get("/shop/").status, 200);
}

#[test]
fn polling_sees_edits_too() {
    let f = Fixture::new("tiny");
    let server = Server::start(f.root(), &["--port", "0", "--poll"]);
    let mut events = server.events();
    events.wait_for("ready", &server);
    f.edit("content/_index.md", "A fixture portal.", "A polled portal.");
    events.wait_for("reload", &server);
    assert!(server.get("/").body.contains("A polled portal."));
    server.wait_log("Changed: settings _index.md");
}

/// Edit → page rewritten → reload event latency on the example portal in the
/// repository root: `cargo test --test serve -- --ignored --nocapture latency`.
#[test]
#[ignore]
fn measure_reload_latency_on_the_example_portal() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["content", "data", "templates"] {
        copy_dir(&repo.join(dir), &tmp.path().join(dir));
    }
    let server = Server::start(tmp.path(), &["--port", "0"]);
    let mut events = server.events();
    events.wait_for("ready", &server);
    let page = tmp.path().join("content/amazon-b2b/temuan.md");
    let original = std::fs::read_to_string(&page).unwrap();
    let mut times = Vec::new();
    for i in 0..20 {
        let started = Instant::now();
        std::fs::write(&page, format!("{original}\n\nLatency probe {i}.\n")).unwrap();
        events.wait_for("reload", &server);
        times.push(started.elapsed());
        let served = server.get("/amazon-b2b/temuan.html");
        assert!(served.body.contains(&format!("Latency probe {i}.")));
        std::thread::sleep(Duration::from_millis(300));
    }
    times.sort();
    let rebuilds: Vec<u64> = server
        .log()
        .lines()
        .filter_map(|l| {
            l.strip_prefix("Rebuilt in ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    let mut sorted = rebuilds;
    sorted.sort();
    println!(
        "edit -> reload event: median {:?}, min {:?}, max {:?} over {} edits; \
         rebuild alone: median {} ms",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        times.len(),
        sorted.get(sorted.len() / 2).copied().unwrap_or(0)
    );
}

fn copy_dir(src: &Path, dst: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        let target = dst.join(entry.path().strip_prefix(src).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
