//! A headless Chromium for the tests: `chromedriver` started on a free port
//! and spoken to over W3C WebDriver with a tiny blocking HTTP client (plain
//! TCP and serde_json), plus a static file server to load a built `public/`
//! over HTTP. Every wait is bounded; the browser and the driver are ended on
//! drop. Missing Chromium or chromedriver is a failure, not a skip.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Upper bound of a page load, a script, or the driver starting.
pub const WAIT: Duration = Duration::from_secs(30);

const INSTALL_HINT: &str = "the browser tests need Chromium and chromedriver: \
     run `apt-get install -y chromium chromium-driver` (Debian; `.ci/run` does this)";

/// A WebDriver session in headless Chromium, ended (with its driver) on drop.
pub struct Browser {
    driver: Child,
    address: String,
    session: String,
}

impl Browser {
    /// Start chromedriver and open a headless Chromium session.
    pub fn start() -> Browser {
        let chromedriver = find_program("chromedriver")
            .unwrap_or_else(|| panic!("no `chromedriver` on PATH; {INSTALL_HINT}"));
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}; {INSTALL_HINT}", chromedriver.display()));
        let mut browser = Browser {
            driver,
            address: format!("127.0.0.1:{port}"),
            session: String::new(),
        };
        browser.wait_for_driver();
        browser.session = browser.new_session();
        browser
    }

    fn wait_for_driver(&mut self) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Some(status)) = self.driver.try_wait() {
                panic!("chromedriver exited at start ({status}); {INSTALL_HINT}");
            }
            if let Ok(reply) = request(&self.address, "GET", "/status", None)
                && reply["value"]["ready"] == json!(true)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver not ready after {WAIT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn new_session(&self) -> String {
        let mut options = json!({
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-dev-shm-usage",
                "--disable-extensions", "--no-first-run", "--window-size=1280,900",
            ],
        });
        if Path::new("/usr/bin/chromium").exists() {
            options["binary"] = json!("/usr/bin/chromium");
        }
        let ms = WAIT.as_millis() as u64;
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": {"browser": "ALL"},
            "timeouts": {"pageLoad": ms, "script": ms, "implicit": 0},
        }}});
        let reply = request(&self.address, "POST", "/session", Some(&capabilities))
            .unwrap_or_else(|e| panic!("create a browser session: {e}"));
        match reply["value"]["sessionId"].as_str() {
            Some(id) => id.to_string(),
            None => panic!(
                "chromedriver could not start Chromium: {}; {INSTALL_HINT}",
                reply["value"]["message"]
            ),
        }
    }

    /// A command on this session; a WebDriver error is a panic naming it.
    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        expect_reply(method, path, self.try_command(method, path, body))
    }

    /// A command, or the driver's error (`error: message`).
    fn try_command(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let target = format!("/session/{}{path}", self.session);
        let reply = request(&self.address, method, &target, body)?;
        let value = reply.get("value").cloned().unwrap_or(Value::Null);
        match value.get("error").and_then(Value::as_str) {
            Some(error) => Err(format!("{error}: {}", value["message"])),
            None => Ok(value),
        }
    }

    /// Load `url` and wait (bounded) until the document has loaded. A page
    /// load that times out is tried once more: on a busy two-core machine
    /// headless Chromium's renderer has missed its deadline once.
    pub fn goto(&self, url: &str) {
        let body = json!({ "url": url });
        match self.try_command("POST", "/url", Some(&body)) {
            Err(e) if e.starts_with("timeout") => {
                eprintln!("page load timed out ({e}); loading {url} once more");
                self.command("POST", "/url", Some(&body));
            }
            first => {
                expect_reply("POST", "/url", first);
            }
        }
    }

    /// The current page's URL.
    pub fn url(&self) -> String {
        self.command("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Run `script` (a function body; `arguments[i]` are `args`) in the page
    /// and return what it returns.
    pub fn execute(&self, script: &str, args: &[Value]) -> Value {
        let body = json!({ "script": script, "args": args });
        self.command("POST", "/execute/sync", Some(&body))
    }

    /// Type `text` on the keyboard into whatever has the focus (WebDriver
    /// key actions, so the page sees trusted key events): `\u{E015}` is
    /// ArrowDown, `\u{E013}` ArrowUp, `\u{E007}` Enter, `\u{E00C}` Escape.
    pub fn type_keys(&self, text: &str) {
        let actions: Vec<Value> = text
            .chars()
            .flat_map(|c| {
                let key = c.to_string();
                [
                    json!({"type": "keyDown", "value": key}),
                    json!({"type": "keyUp", "value": key}),
                ]
            })
            .collect();
        let body = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.command("POST", "/actions", Some(&body));
    }

    /// Resize the window (in headless Chromium: the viewport) to
    /// `width` x `height` CSS pixels.
    pub fn set_window_size(&self, width: u32, height: u32) {
        let body = json!({ "width": width, "height": height });
        self.command("POST", "/window/rect", Some(&body));
    }

    /// Print the current page to PDF (WebDriver `print`) on paper of
    /// `width` x `height` centimetres, unscaled; the PDF's bytes.
    pub fn print_pdf(&self, width: f64, height: f64) -> Vec<u8> {
        let body = json!({
            "page": { "width": width, "height": height },
            "shrinkToFit": false,
            "background": false,
        });
        let encoded = self.command("POST", "/print", Some(&body));
        let encoded = encoded.as_str().expect("print returns base64 text");
        decode_base64(encoded).unwrap_or_else(|| panic!("print returned invalid base64"))
    }

    /// Save a PNG screenshot of the window to `path` (folders made as
    /// needed); the path, for a failing check's message.
    pub fn screenshot(&self, path: &Path) -> PathBuf {
        let encoded = self.command("GET", "/screenshot", None);
        let bytes = encoded
            .as_str()
            .and_then(decode_base64)
            .unwrap_or_else(|| panic!("screenshot returned no base64 PNG"));
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path.to_path_buf()
    }

    /// Run `script` until it returns something truthy, at most `timeout`;
    /// returns that value.
    pub fn wait_until(&self, script: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.execute(script, &[]);
            if truthy(&value) {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "waited {timeout:?} on {}: still {value}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The browser console messages since the last call: `(level, message)`,
    /// level being e.g. `SEVERE` for errors and uncaught exceptions.
    pub fn logs(&self) -> Vec<(String, String)> {
        let entries = self.command("POST", "/se/log", Some(&json!({ "type": "browser" })));
        entries
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
                (text("level"), text("message"))
            })
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let target = format!("/session/{}", self.session);
            let _ = request(&self.address, "DELETE", &target, None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Standard base64 (with or without padding) to bytes; `None` on a
/// character outside the alphabet.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut bits = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            bits |= value(c)? << (18 - 6 * i);
        }
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// JavaScript's truthiness of a returned value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// The first `name` on PATH.
fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Write `pdf` to `path` (folders made as needed) and return its text, by
/// `pdftotext` (poppler-utils).
pub fn pdf_text(path: &Path, pdf: &[u8]) -> String {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(path, pdf).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("run pdftotext: {e}; install it with `apt-get install -y poppler-utils`")
        });
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A port nobody listens on (the OS picks it; it is free again once the
/// probe closes).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().unwrap().port()
}

/// One HTTP/1.1 request with a JSON body, on a fresh connection; the
/// reply's body parsed as JSON.
fn request(
    address: &str,
    method: &str,
    target: &str,
    body: Option<&Value>,
) -> Result<Value, String> {
    let addr = address.parse().map_err(|e| format!("{address}: {e}"))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    // A command may itself wait up to WAIT (a page load, a script).
    stream
        .set_read_timeout(Some(WAIT + Duration::from_secs(15)))
        .map_err(|e| e.to_string())?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    // chromedriver keeps the connection open: read the head, then exactly
    // Content-Length bytes.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let split = loop {
        if let Some(split) = find(&raw, b"\r\n\r\n") {
            break split;
        }
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before the reply's head".into());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no Content-Length in {head:?}"))?;
    let mut body = raw.split_off(split + 4);
    while body.len() < length {
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed inside the reply's body".into());
        }
        body.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&body[..length]);
    serde_json::from_str(&text).map_err(|e| format!("{e} in reply {text:?}"))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A static file server for a folder (a built `public/`) on 127.0.0.1, as
/// a static host serves it: `GET` only, `/` and `dir/` give `index.html`,
/// nothing outside the folder. Runs until the test process ends.
pub struct StaticServer {
    pub address: String,
}

impl StaticServer {
    pub fn start(dir: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the static server");
        let address = listener.local_addr().unwrap().to_string();
        let root = dir.canonicalize().expect("the folder to serve");
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let root = root.clone();
                std::thread::spawn(move || serve_one(stream, &root));
            }
        });
        StaticServer { address }
    }

    /// `http://<address>/<path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.address, path.trim_start_matches('/'))
    }
}

fn serve_one(mut stream: TcpStream, root: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while find(&head, b"\r\n\r\n").is_none() {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut file = root.join(percent_decode(path).trim_start_matches('/'));
    if file.is_dir() {
        file = file.join("index.html");
    }
    let found = file
        .canonicalize()
        .ok()
        .filter(|f| f.starts_with(root) && f.is_file());
    let (status, kind, body) = match found.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
        Some((f, body)) => ("200 OK", content_type(&f), body),
        None => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A command's reply, or a panic naming the command and the driver's error.
fn expect_reply(method: &str, path: &str, reply: Result<Value, String>) -> Value {
    reply.unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}
