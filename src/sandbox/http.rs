//! The sandbox's small HTTP/1.1 server on `std::net`: one accept loop, one thread per open connection
//! (capped; over the cap a connection gets 503 and is closed), keep-alive, `Content-Length` and chunked
//! request bodies, `Expect: 100-continue`, bounded request heads and bodies, idle timeouts, and what
//! tiny_http cannot do and the fault knobs need: closing a connection without answering (`dropNext`).

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::Mutex;

use super::time::{http_date, now_ms};

/// A request.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    /// The path, still percent-encoded, without the query.
    pub path: String,
    /// The raw query string (after `?`), possibly empty.
    pub query: String,
    /// Header names are lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header called `name` (lower-case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response.
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the handler wants done.
pub(crate) enum Outcome {
    Respond(Response),
    /// Close the connection without a response.
    Drop,
}

/// Handles requests (from many connection threads at once).
pub(crate) trait Handler: Send + Sync + 'static {
    fn handle(&self, req: Request) -> Outcome;
}

/// Socket and size limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub max_connections: usize,
    pub max_body: usize,
    pub idle_timeout: Duration,
}

const MAX_LINE: usize = 16 * 1024;
const MAX_HEADERS: usize = 100;

/// A running server.
pub(crate) struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<HashMap<u64, TcpStream>>>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `listener` from background threads.
    pub(crate) fn start(
        listener: TcpListener,
        handler: Arc<dyn Handler>,
        limits: Limits,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<HashMap<u64, TcpStream>>> = Arc::default();
        let (stop2, conns2) = (Arc::clone(&stop), Arc::clone(&conns));
        let accept = std::thread::Builder::new()
            .name("sandbox-accept".into())
            .spawn(move || accept_loop(&listener, &handler, limits, &stop2, &conns2))?;
        Ok(Server {
            addr,
            stop,
            conns,
            accept: Some(accept),
        })
    }

    /// Stops accepting, closes every open connection and waits for the accept loop to end.
    pub(crate) fn stop(&mut self) {
        if self.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(if wake.is_ipv4() {
                [127, 0, 0, 1].into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        for (_, s) in self.conns.lock().drain() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop(
    listener: &TcpListener,
    handler: &Arc<dyn Handler>,
    limits: Limits,
    stop: &Arc<AtomicBool>,
    conns: &Arc<Mutex<HashMap<u64, TcpStream>>>,
) {
    let open = Arc::new(AtomicUsize::new(0));
    let next = AtomicU64::new(0);
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let mut stream = match conn {
            Ok(s) => s,
            Err(e) => {
                log::warn!("sandbox: accept failed: {e}");
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        if open.load(Ordering::SeqCst) >= limits.max_connections {
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        }
        let id = next.fetch_add(1, Ordering::Relaxed);
        if let Ok(clone) = stream.try_clone() {
            conns.lock().insert(id, clone);
        }
        open.fetch_add(1, Ordering::SeqCst);
        let guard = ConnGuard {
            id,
            open: Arc::clone(&open),
            conns: Arc::clone(conns),
        };
        let (h, s) = (Arc::clone(handler), Arc::clone(stop));
        let spawned = std::thread::Builder::new()
            .name("sandbox-conn".into())
            .stack_size(1024 * 1024)
            .spawn(move || {
                let _guard = guard;
                serve(stream, h.as_ref(), limits, &s);
            });
        if let Err(e) = spawned {
            // The closure (and with it the guard) was dropped: the count and registry are already undone.
            log::warn!("sandbox: cannot start a connection thread: {e}");
        }
    }
}

/// Undoes a connection's bookkeeping when its thread ends, even by a panic.
struct ConnGuard {
    id: u64,
    open: Arc<AtomicUsize>,
    conns: Arc<Mutex<HashMap<u64, TcpStream>>>,
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        if let Some(s) = self.conns.lock().remove(&self.id) {
            let _ = s.shutdown(Shutdown::Both);
        }
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

enum ReadError {
    Eof,
    Bad(&'static str),
    TooLarge(u16),
    Io,
}

fn read_line(r: &mut BufReader<TcpStream>, buf: &mut Vec<u8>) -> Result<usize, ReadError> {
    buf.clear();
    let n = r
        .by_ref()
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', buf)
        .map_err(|_| ReadError::Io)?;
    if buf.len() > MAX_LINE {
        return Err(ReadError::TooLarge(431));
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(n)
}

struct Head {
    method: String,
    target: String,
    version: String,
    headers: Vec<(String, String)>,
}

fn read_head(r: &mut BufReader<TcpStream>) -> Result<Head, ReadError> {
    let mut line = Vec::new();
    // Tolerate empty lines before a request line.
    loop {
        if read_line(r, &mut line)? == 0 {
            return Err(ReadError::Eof);
        }
        if !line.is_empty() {
            break;
        }
    }
    let text = String::from_utf8_lossy(&line).to_string();
    let mut parts = text.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad("malformed request line"));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || !target.starts_with('/') {
        return Err(ReadError::Bad("malformed request line"));
    }
    let mut headers = Vec::new();
    loop {
        if read_line(r, &mut line)? == 0 {
            return Err(ReadError::Io);
        }
        if line.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ReadError::TooLarge(431));
        }
        let l = String::from_utf8_lossy(&line);
        let Some((k, v)) = l.split_once(':') else {
            return Err(ReadError::Bad("malformed header"));
        };
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
        version: version.to_string(),
        headers,
    })
}

fn read_chunked(r: &mut BufReader<TcpStream>, max: usize) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    let mut line = Vec::new();
    loop {
        read_line(r, &mut line)?;
        let text = String::from_utf8_lossy(&line);
        let size_hex = text.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size_hex, 16).map_err(|_| ReadError::Bad("bad chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                if read_line(r, &mut line)? == 0 || line.is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len().saturating_add(size) > max {
            return Err(ReadError::TooLarge(413));
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])
            .map_err(|_| ReadError::Io)?;
        read_line(r, &mut line)?;
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        207 => "Multi-Status",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

fn write_response(
    w: &mut TcpStream,
    resp: &Response,
    keep_alive: bool,
    head_only: bool,
) -> io::Result<()> {
    let mut out = Vec::with_capacity(512 + resp.body.len());
    write!(out, "HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status))?;
    write!(out, "Date: {}\r\n", http_date(now_ms()))?;
    for (k, v) in &resp.headers {
        if !k.contains(['\r', '\n']) && !v.contains(['\r', '\n']) {
            write!(out, "{k}: {v}\r\n")?;
        }
    }
    let no_body = resp.status == 204 || resp.status == 304 || resp.status < 200;
    if !no_body {
        write!(out, "Content-Length: {}\r\n", resp.body.len())?;
    }
    write!(
        out,
        "Connection: {}\r\n\r\n",
        if keep_alive { "keep-alive" } else { "close" }
    )?;
    if !no_body && !head_only {
        out.extend_from_slice(&resp.body);
    }
    w.write_all(&out)?;
    w.flush()
}

fn plain(status: u16, text: &str) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
        body: text.as_bytes().to_vec(),
    }
}

fn serve(stream: TcpStream, handler: &dyn Handler, limits: Limits, stop: &AtomicBool) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(limits.idle_timeout));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while !stop.load(Ordering::SeqCst) {
        let head = match read_head(&mut reader) {
            Ok(h) => h,
            Err(ReadError::Bad(why)) => {
                let _ = write_response(&mut writer, &plain(400, why), false, false);
                break;
            }
            Err(ReadError::TooLarge(status)) => {
                let _ = write_response(
                    &mut writer,
                    &plain(status, "request head too large"),
                    false,
                    false,
                );
                break;
            }
            Err(ReadError::Eof | ReadError::Io) => break,
        };
        let header = |n: &str| {
            head.headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.to_ascii_lowercase())
        };
        let connection = header("connection").unwrap_or_default();
        let keep_alive = if head.version == "HTTP/1.0" {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        };
        let chunked = header("transfer-encoding").is_some_and(|t| t.contains("chunked"));
        let length = match header("content-length").map(|v| v.trim().parse::<usize>()) {
            None => 0,
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                let _ =
                    write_response(&mut writer, &plain(400, "bad Content-Length"), false, false);
                break;
            }
        };
        if !chunked && length > limits.max_body {
            let _ = write_response(
                &mut writer,
                &plain(413, "request body too large"),
                false,
                false,
            );
            break;
        }
        if (chunked || length > 0)
            && header("expect").is_some_and(|e| e == "100-continue")
            && writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err()
        {
            break;
        }
        let body = if chunked {
            match read_chunked(&mut reader, limits.max_body) {
                Ok(b) => b,
                Err(ReadError::TooLarge(_)) => {
                    let _ = write_response(
                        &mut writer,
                        &plain(413, "request body too large"),
                        false,
                        false,
                    );
                    break;
                }
                Err(ReadError::Bad(why)) => {
                    let _ = write_response(&mut writer, &plain(400, why), false, false);
                    break;
                }
                Err(_) => break,
            }
        } else {
            let mut b = vec![0u8; length];
            if reader.read_exact(&mut b).is_err() {
                break;
            }
            b
        };
        let (path, query) = match head.target.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (head.target.clone(), String::new()),
        };
        let head_only = head.method == "HEAD";
        let req = Request {
            method: head.method,
            path,
            query,
            headers: head.headers,
            body,
        };
        match handler.handle(req) {
            Outcome::Drop => {
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Outcome::Respond(resp) => {
                if write_response(&mut writer, &resp, keep_alive, head_only).is_err() {
                    break;
                }
            }
        }
        if !keep_alive {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}
