//! A running `wawasan serve` for the tests: the real binary on a portal
//! folder, spoken to over plain TCP (a tiny blocking HTTP client and an SSE
//! reader). Every wait is bounded, and the server is killed on drop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// Upper bound of any wait: generous for debug builds on a busy machine.
pub const WAIT: Duration = Duration::from_secs(60);

/// A running `wawasan serve`, killed on drop.
pub struct Server {
    child: Child,
    pub address: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Start `wawasan serve --root <root> <args>` and wait for its address.
    pub fn start(root: &Path, args: &[&str]) -> Server {
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

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Wait until the server's stderr holds `needle`.
    pub fn wait_log(&self, needle: &str) {
        self.wait_log_line("", needle);
    }

    /// Wait until a line of the server's stderr starts with `start` and
    /// holds `needle`.
    pub fn wait_log_line(&self, start: &str, needle: &str) {
        let deadline = Instant::now() + WAIT;
        let found = |log: &str| {
            log.lines()
                .any(|l| l.starts_with(start) && l.contains(needle))
        };
        while !found(&self.log()) {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn get(&self, target: &str) -> Reply {
        get(&self.address, target)
    }

    pub fn events(&self) -> Events {
        Events::open(&self.address)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// `GET target` on a fresh connection, read to the end.
pub fn get(address: &str, target: &str) -> Reply {
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
pub struct Events {
    stream: TcpStream,
    /// Undecoded bytes after the HTTP head.
    raw: Vec<u8>,
    head_done: bool,
    text: String,
}

impl Events {
    pub fn open(address: &str) -> Events {
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
    pub fn next(&mut self, deadline: Instant) -> Option<(String, String)> {
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
    pub fn wait_for(&mut self, name: &str, server: &Server) -> String {
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
