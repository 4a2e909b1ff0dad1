//! Attacks mixed into the soak's normal traffic for the whole run, as raw TCP on loopback against the
//! real binary (the front door of issue #9). Each attack thread holds one socket at a time and sleeps
//! briefly between attempts, so all of them together stay far below `MCP_MAX_PENDING_PER_IP` (128).
//!
//! Every answer must be the status its shape calls for, with exactly one response on the connection
//! (nothing smuggled behind it is answered) and the connection closed by the server; the only other
//! acceptable outcome is a close, a refused connection or a 503 while the server restarts.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::ACCEPT;

/// What the soak's threads share.
#[derive(Clone)]
pub struct Shared {
    pub addr: Arc<RwLock<SocketAddr>>,
    /// Bumped when the restart window opens and when it closes: odd while the server restarts.
    pub restart_gen: Arc<AtomicU64>,
    pub stop: Arc<AtomicBool>,
}

impl Shared {
    pub fn addr(&self) -> SocketAddr {
        *self.addr.read().unwrap()
    }

    /// Whether anything between `g0` (read before an exchange) and now fell in the restart window.
    pub fn in_restart_since(&self, g0: u64) -> bool {
        let g1 = self.restart_gen.load(Ordering::SeqCst);
        g0 != g1 || g0 % 2 == 1
    }
}

/// How many kinds of attack there are: slow heads, slow bodies, the ten quick shapes, JSON
/// amplification, slow batches.
pub const KINDS: usize = 14;

/// Attack answers by kind.
#[derive(Default)]
pub struct AttackTally {
    /// (kind, answer) -> count.
    pub answers: BTreeMap<(String, String), u64>,
    /// Unexplained answers.
    pub bad: Vec<String>,
    /// Slow batches the client left early.
    pub batches_left: u64,
}

/// What one attack connection saw.
struct Seen {
    status: u16,
    responses: usize,
    /// The server closed (or reset) the connection; false when the attacker gave up waiting.
    closed: bool,
    text: String,
}

impl Seen {
    fn refused() -> Seen {
        Seen {
            status: 0,
            responses: 0,
            closed: true,
            text: "connection refused".into(),
        }
    }

    fn of(bytes: &[u8], closed: bool) -> Seen {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let status = text
            .strip_prefix("HTTP/1.1 ")
            .and_then(|t| t.get(..3))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        Seen {
            status,
            responses: text.matches("HTTP/1.1 ").count(),
            closed,
            text,
        }
    }
}

fn connect(addr: SocketAddr) -> Option<TcpStream> {
    let s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(5))).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    Some(s)
}

/// Reads until the server closes the connection, at most ~5 s of silence.
fn read_until_closed(s: &mut TcpStream, mut out: Vec<u8>) -> Seen {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = [0u8; 8192];
    let closed = loop {
        match s.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                break false
            }
            Err(_) => break true,
        }
    };
    Seen::of(&out, closed)
}

/// Sends `bytes` on a new connection (a write error is fine: the server may refuse early) and reads
/// the whole answer.
fn exchange(addr: SocketAddr, bytes: &[u8]) -> Seen {
    let Some(mut s) = connect(addr) else {
        return Seen::refused();
    };
    let _ = s.write_all(bytes);
    read_until_closed(&mut s, Vec::new())
}

/// Sends `first`, then one `byte` every ~200 ms until the server answers or closes, or `limit` passes.
fn trickle(addr: SocketAddr, first: &[u8], byte: u8, limit: Duration) -> Seen {
    let Some(mut s) = connect(addr) else {
        return Seen::refused();
    };
    let _ = s.write_all(first);
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Seen::of(&[], true),
            Ok(n) => return read_until_closed(&mut s, buf[..n].to_vec()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Seen::of(&[], true),
        }
        if started.elapsed() > limit {
            return Seen::of(&[], false);
        }
        let _ = s.write_all(&[byte]);
    }
}

fn record(
    shared: &Shared,
    tally: &Mutex<AttackTally>,
    kind: &str,
    want: &[u16],
    seen: &Seen,
    g0: u64,
) {
    let in_restart = shared.in_restart_since(g0);
    let answer = if want.contains(&seen.status) && seen.responses == 1 && seen.closed {
        seen.status.to_string()
    } else if in_restart && (seen.status == 0 || seen.status == 503) && seen.closed {
        format!("{} (restart)", seen.status)
    } else {
        let mut t = tally.lock().unwrap();
        let text: String = seen.text.chars().take(300).collect();
        t.bad.push(format!(
            "{kind}: wanted {want:?}, got {} ({} responses, closed {}, restart {in_restart}): {text:?}",
            seen.status, seen.responses, seen.closed
        ));
        "UNEXPECTED".to_string()
    };
    *tally
        .lock()
        .unwrap()
        .answers
        .entry((kind.to_string(), answer))
        .or_default() += 1;
}

const BATCH: &str = "slow batch, client leaves";

fn stateless_head(extra: &str, length: usize) -> String {
    format!(
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\n\
         MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/list\r\n{extra}Content-Length: {length}\r\n\r\n"
    )
}

/// Shapes answered at once: (kind, bytes, wanted statuses).
fn quick_shapes() -> Vec<(&'static str, Vec<u8>, &'static [u16])> {
    let smuggled = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let smuggle = |framing: &str, body: &str| {
        format!(
            "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\n\
             {framing}\r\n{body}{smuggled}"
        )
        .into_bytes()
    };
    let msg = crate::support::stateless_body(1, "tools/list", json!({})).to_string();
    let with_origin = |origin: &str| {
        let mut head = stateless_head(&format!("Origin: {origin}\r\n"), msg.len()).into_bytes();
        head.extend_from_slice(msg.as_bytes());
        head
    };
    vec![
        (
            "smuggle CL+TE",
            smuggle(
                "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                "0\r\n\r\n",
            ),
            &[400],
        ),
        (
            "smuggle CL+CL",
            smuggle("Content-Length: 2\r\nContent-Length: 3\r\n", "{}"),
            &[400],
        ),
        (
            "smuggle CL abc",
            smuggle("Content-Length: abc\r\n", ""),
            &[400],
        ),
        (
            "smuggle TE gzip,chunked",
            smuggle("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"),
            &[501],
        ),
        (
            "HTTP/2.0",
            b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n".to_vec(),
            &[505],
        ),
        (
            "header line 9000 B",
            format!(
                "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
                "a".repeat(9000)
            )
            .into_bytes(),
            &[431],
        ),
        (
            "Expect: 200-ok",
            b"GET /health HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\n\r\n".to_vec(),
            &[417],
        ),
        (
            "Origin with CR",
            with_origin("http://localhost\rSet-Cookie: a=b"),
            &[400],
        ),
        (
            "Origin with NUL",
            with_origin("http://localhost\x00"),
            &[400],
        ),
        (
            "rebinding GET /metrics",
            b"GET /metrics HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"
                .to_vec(),
            &[403],
        ),
    ]
}

/// `[0,0,...]` of 1 MiB: within `MCP_MAX_BODY_BYTES` (1 MiB) but far over `MCP_MAX_JSON_VALUES`.
fn amplification_request() -> Vec<u8> {
    let mut body = String::with_capacity(1024 * 1024);
    body.push('[');
    while body.len() < 1024 * 1024 - 4 {
        body.push_str("0,");
    }
    body.push_str("0]");
    let mut req = stateless_head("Connection: close\r\n", body.len()).into_bytes();
    req.extend_from_slice(body.as_bytes());
    req
}

/// A 2025-03-26 batch of ten slow calls (300 ms each) on `sid`.
fn slow_batch(sid: &str) -> Vec<u8> {
    let items: Vec<Value> = (0..10)
        .map(|i| {
            json!({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                   "params": {"name": "echo", "arguments": {"text": "slow", "delayMs": 300}}})
        })
        .collect();
    let body = Value::Array(items).to_string();
    format!(
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\n\
         Mcp-Session-Id: {sid}\r\nMCP-Protocol-Version: 2025-03-26\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn spawn_loop(
    shared: &Shared,
    tally: &Arc<Mutex<AttackTally>>,
    pause: Duration,
    mut attack: impl FnMut(&Shared, &Mutex<AttackTally>) + Send + 'static,
) -> JoinHandle<()> {
    let (shared, tally) = (shared.clone(), Arc::clone(tally));
    std::thread::spawn(move || {
        while !shared.stop.load(Ordering::Relaxed) {
            attack(&shared, &tally);
            std::thread::sleep(pause);
        }
    })
}

/// Starts the attack threads (nine sockets at most at a time); they run until `shared.stop`.
/// `batch_sid` is a 2025-03-26 session for the slow batches.
pub fn start(
    shared: &Shared,
    tally: &Arc<Mutex<AttackTally>>,
    batch_sid: String,
) -> Vec<JoinHandle<()>> {
    let mut threads = Vec::new();
    // Slowloris heads: cut with 408 at MCP_HEAD_TIMEOUT_MS (2 s).
    for _ in 0..3 {
        threads.push(spawn_loop(
            shared,
            tally,
            Duration::from_millis(100),
            |sh, t| {
                let g0 = sh.restart_gen.load(Ordering::SeqCst);
                let seen = trickle(
                    sh.addr(),
                    b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
                    b'a',
                    Duration::from_secs(8),
                );
                record(sh, t, "slowloris head", &[408], &seen, g0);
            },
        ));
    }
    // Slow bodies: a declared length trickled; cut with 408 at MCP_READ_TIMEOUT_MS (3 s).
    for _ in 0..3 {
        threads.push(spawn_loop(
            shared,
            tally,
            Duration::from_millis(100),
            |sh, t| {
                let g0 = sh.restart_gen.load(Ordering::SeqCst);
                let mut first = stateless_head("", 4000).into_bytes();
                first.push(b'{');
                let seen = trickle(sh.addr(), &first, b' ', Duration::from_secs(10));
                record(sh, t, "slow body", &[408], &seen, g0);
            },
        ));
    }
    // Smuggling shapes, HTTP/2.0, oversized header line, Expect, control characters, rebinding.
    let shapes = quick_shapes();
    let mut next = 0;
    threads.push(spawn_loop(
        shared,
        tally,
        Duration::from_millis(50),
        move |sh, t| {
            let (kind, bytes, want) = &shapes[next % shapes.len()];
            next += 1;
            let g0 = sh.restart_gen.load(Ordering::SeqCst);
            let seen = exchange(sh.addr(), bytes);
            record(sh, t, kind, want, &seen, g0);
            if seen.text.contains("Set-Cookie") {
                t.lock()
                    .unwrap()
                    .bad
                    .push(format!("{kind}: injected header written back"));
            }
        },
    ));
    // JSON amplification: 413 naming MCP_MAX_JSON_VALUES, one body at a time.
    let amp = amplification_request();
    threads.push(spawn_loop(
        shared,
        tally,
        Duration::from_millis(250),
        move |sh, t| {
            let g0 = sh.restart_gen.load(Ordering::SeqCst);
            let seen = exchange(sh.addr(), &amp);
            record(sh, t, "JSON amplification 1 MiB", &[413], &seen, g0);
            if seen.status == 413 && !seen.text.contains("MCP_MAX_JSON_VALUES") {
                t.lock()
                    .unwrap()
                    .bad
                    .push(format!("413 without MCP_MAX_JSON_VALUES: {}", seen.text));
            }
        },
    ));
    // A 2025-03-26 batch of slow calls whose client leaves after 400 ms, before any answer.
    let batch = slow_batch(&batch_sid);
    threads.push(spawn_loop(
        shared,
        tally,
        Duration::from_millis(500),
        move |sh, t| {
            let g0 = sh.restart_gen.load(Ordering::SeqCst);
            let Some(mut s) = connect(sh.addr()) else {
                let seen = Seen::refused();
                record(sh, t, BATCH, &[], &seen, g0);
                return;
            };
            let _ = s.set_read_timeout(Some(Duration::from_millis(400)));
            let _ = s.write_all(&batch);
            let mut buf = [0u8; 4096];
            match s.read(&mut buf) {
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    drop(s);
                    let mut tl = t.lock().unwrap();
                    tl.batches_left += 1;
                    *tl.answers
                        .entry((BATCH.to_string(), "left early".to_string()))
                        .or_default() += 1;
                }
                Ok(n) => {
                    // An answer within 400 ms: only a refusal in the restart window is explained.
                    let seen = read_until_closed(&mut s, buf[..n].to_vec());
                    record(sh, t, BATCH, &[], &seen, g0);
                }
                Err(_) => {
                    let seen = Seen::of(&[], true);
                    record(sh, t, BATCH, &[], &seen, g0);
                }
            }
        },
    ));
    threads
}
