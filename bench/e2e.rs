//! End to end: the release binary (`serve`, on 127.0.0.1 port 0) over one keep-alive HTTP/1.1
//! connection, one stateless (2026-07-28) request at a time: the bytes written, the server's head
//! parsing, gate, body read, worker hand-off, dispatch, the reply written and read back. Its HubSpot is
//! the built-in sandbox, started in this process with HubSpot's rate limits lifted (under `serve --demo`
//! the sandbox keeps the 190 calls per ten seconds of a private app, and a HubSpot tool bench would
//! measure the wait for the limit, not the server). The server logs at `info`, as in production: one
//! access line per request, on its stderr, drained by a thread here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

/// The server process; killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `hubspot-mcp serve` against `base_url`; returns it with the address it logged.
fn start(base_url: &str) -> (Server, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hubspot-mcp"));
    cmd.arg("serve")
        .env_clear()
        .env("PORT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in support::server_env(base_url) {
        cmd.env(k, v);
    }
    cmd.env("LOG_LEVEL", "info");
    let mut child = cmd.spawn().expect("spawn hubspot-mcp");
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(t) = &tx {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                    if v["msg"] == "listening" {
                        let _ = t.send(v["addr"].as_str().unwrap_or("").to_string());
                        tx = None;
                    }
                }
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the server logs `listening`");
    (server, addr)
}

/// One keep-alive connection to the server.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    line: String,
    body: Vec<u8>,
}

impl Conn {
    fn open(addr: &str) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_nodelay(true).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        Conn {
            writer: s.try_clone().unwrap(),
            reader: BufReader::new(s),
            line: String::new(),
            body: Vec::new(),
        }
    }

    /// Sends `request` (a whole HTTP/1.1 request) and reads the response; returns its status, the body
    /// in `self.body`.
    fn exchange(&mut self, request: &[u8]) -> u16 {
        self.writer.write_all(request).unwrap();
        self.line.clear();
        self.reader.read_line(&mut self.line).unwrap();
        let status = self
            .line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut length = None;
        let mut chunked = false;
        loop {
            self.line.clear();
            self.reader.read_line(&mut self.line).unwrap();
            let l = self.line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse::<usize>().ok();
                } else if k.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = v.to_ascii_lowercase().contains("chunked");
                }
            }
        }
        self.body.clear();
        if chunked {
            loop {
                self.line.clear();
                self.reader.read_line(&mut self.line).unwrap();
                let n = usize::from_str_radix(self.line.trim(), 16).unwrap();
                let at = self.body.len();
                self.body.resize(at + n + 2, 0);
                self.reader.read_exact(&mut self.body[at..]).unwrap();
                self.body.truncate(at + n);
                if n == 0 {
                    break;
                }
            }
        } else {
            let n = length.expect("a Content-Length or a chunked body");
            self.body.resize(n, 0);
            self.reader.read_exact(&mut self.body).unwrap();
        }
        status
    }
}

fn requests(c: &mut Criterion) {
    let sandbox = support::sandbox();
    let (_server, addr) = start(&sandbox.base_url());
    let mut conn = Conn::open(&addr);
    let mut g = c.benchmark_group("e2e keep-alive");
    for (i, (label, method, name, params)) in support::requests().into_iter().enumerate() {
        let body = support::stateless_body(i as i64 + 1, method, params);
        let mut head = format!("POST /mcp HTTP/1.1\r\nHost: {addr}\r\n");
        for (k, v) in support::stateless_headers(method, name) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let request = [head.into_bytes(), body.into_bytes()].concat();
        let status = conn.exchange(&request);
        let text = String::from_utf8_lossy(&conn.body).into_owned();
        assert_eq!(status, 200, "{label}: {text}");
        assert!(!text.contains("\"isError\":true"), "{label}: {text}");
        g.bench_function(label, |b| {
            b.iter(|| assert_eq!(conn.exchange(&request), 200))
        });
    }
    g.finish();
}

criterion_group!(benches, requests);
criterion_main!(benches);
