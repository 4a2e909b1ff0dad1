//! The sandbox's HTTP transport on the project's vendored tiny_http (`vendor/tiny_http`, the one HTTP
//! parser in the project): tiny_http reads requests (keep-alive, `Content-Length` and chunked bodies,
//! `Expect: 100-continue`, bounded heads, socket timeouts, at most `max_connections` open connections,
//! 503 over the cap); one accept thread hands each request to a pool of worker threads (latency and
//! stall faults sleep in a worker). This module caps request bodies (413), converts between tiny_http's
//! types and the sandbox's [`Request`] and [`Response`], and for [`Outcome::Drop`] (`dropNext`) closes
//! the connection without answering (`Request::abort`, a local tiny_http patch: see
//! `vendor/tiny_http/PATCHES.md`).

use std::io::{self, ErrorKind, Read};
use std::net::{Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use threadpool::ThreadPool;

use crate::errors::{correlation_id, ApiError};

/// A request.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The path, still percent-encoded, without the query.
    pub(crate) path: String,
    /// The raw query string (after `?`), possibly empty.
    pub(crate) query: String,
    /// Header names are lower-cased.
    headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
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
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// What the handler wants done.
pub(crate) enum Outcome {
    Respond(Response),
    /// Close the connection without a response.
    Drop,
}

/// Handles requests (from many worker threads at once).
pub(crate) trait Handler: Send + Sync + 'static {
    fn handle(&self, req: Request) -> Outcome;
}

/// Socket and size limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) max_body: usize,
    pub(crate) idle_timeout: Duration,
}

/// Worker threads: more than the main server's, since latency and stall faults sleep in a worker.
const WORKERS: usize = 32;
/// How long the accept thread waits for a request before it looks at the stop flag again.
const POLL: Duration = Duration::from_millis(200);
/// Bounds a client that stops reading a response.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// A running server.
pub(crate) struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    inner: Arc<tiny_http::Server>,
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
        let conn_limits = tiny_http::ConnectionLimits {
            read_timeout: Some(limits.idle_timeout),
            write_timeout: Some(WRITE_TIMEOUT),
            max_connections: limits.max_connections,
            head_timeout: Some(limits.idle_timeout),
            ..tiny_http::ConnectionLimits::default()
        };
        let inner = tiny_http::Server::from_listener_with_limits(listener, conn_limits)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let inner = Arc::new(inner);
        let stop = Arc::new(AtomicBool::new(false));
        let (server, stop2) = (Arc::clone(&inner), Arc::clone(&stop));
        let accept = std::thread::Builder::new()
            .name("sandbox-accept".into())
            .spawn(move || accept_loop(&server, &handler, limits.max_body, &stop2))?;
        Ok(Server {
            addr,
            stop,
            inner,
            accept: Some(accept),
        })
    }

    /// Stops accepting, closes the listener and every open connection, and waits for the accept
    /// thread to end. Requests already handed to a worker run to the end; their responses are lost.
    pub(crate) fn stop(&mut self) {
        if self.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        self.inner.unblock();
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        self.inner.stop_accepting();
        wait_until_closed(self.addr);
        self.inner.close_connections();
        // Requests read but never handed out: their connections are closed; let them go. Twice quiet
        // in a row, as the first empty answer may be the accept thread's unused wake-up.
        let mut quiet = 0;
        while quiet < 2 {
            match self.inner.recv_timeout(Duration::from_millis(20)) {
                Ok(Some(rq)) => {
                    rq.abort();
                    quiet = 0;
                }
                _ => quiet += 1,
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits (at most a second) until the listening socket is closed: tiny_http's accept thread closes it
/// just after `stop_accepting` wakes it, and [`Server::stop`] returns with the listener closed.
fn wait_until_closed(mut addr: SocketAddr) {
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            [127, 0, 0, 1].into()
        } else {
            Ipv6Addr::LOCALHOST.into()
        });
    }
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(probe) => {
                drop(probe);
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(_) => return,
        }
    }
}

fn accept_loop(
    server: &tiny_http::Server,
    handler: &Arc<dyn Handler>,
    max_body: usize,
    stop: &AtomicBool,
) {
    let pool = threadpool::Builder::new()
        .num_threads(WORKERS)
        .thread_name("sandbox-worker".into())
        .build();
    while !stop.load(Ordering::SeqCst) {
        match server.recv_timeout(POLL) {
            Ok(Some(rq)) => dispatch(&pool, handler, rq, max_body),
            Ok(None) => {}
            Err(e) => {
                log::warn!("sandbox: receive failed: {e}");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

fn dispatch(pool: &ThreadPool, handler: &Arc<dyn Handler>, rq: tiny_http::Request, max: usize) {
    let handler = Arc::clone(handler);
    pool.execute(move || serve(rq, handler.as_ref(), max));
}

enum BodyError {
    /// Over the cap (413).
    TooLarge,
    /// An unparsable `Content-Length` or chunked framing (400).
    Malformed(&'static str),
    /// The client went away or stalled past the read timeout: close without answering.
    Broken,
}

fn read_body(rq: &mut tiny_http::Request, max: usize) -> Result<Vec<u8>, BodyError> {
    let has = |name: &'static str| rq.headers().iter().any(|h| h.field.equiv(name));
    // tiny_http decodes the body as chunked whenever a Transfer-Encoding is given.
    let chunked = has("Transfer-Encoding");
    if !chunked && has("Content-Length") && rq.body_length().is_none() {
        return Err(BodyError::Malformed("bad Content-Length"));
    }
    let length = rq.body_length().unwrap_or(0);
    if !chunked && length == 0 {
        // No body: nothing to read, and no `100 Continue` to send.
        return Ok(Vec::new());
    }
    if length > max {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(length);
    match rq.as_reader().take(max as u64 + 1).read_to_end(&mut body) {
        Ok(_) if body.len() > max => Err(BodyError::TooLarge),
        Ok(_) => Ok(body),
        Err(e) if matches!(e.kind(), ErrorKind::InvalidInput | ErrorKind::InvalidData) => {
            Err(BodyError::Malformed("malformed chunked body"))
        }
        Err(_) => Err(BodyError::Broken),
    }
}

fn plain(status: u16, text: &str) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
        body: text.as_bytes().to_vec(),
    }
}

/// 413 with HubSpot's error body.
fn too_large(max: usize) -> Response {
    let correlation = correlation_id();
    let e = ApiError::new(
        413,
        "VALIDATION_ERROR",
        format!("Request body too large: at most {max} bytes are accepted"),
    );
    Response {
        status: 413,
        headers: vec![
            (
                "Content-Type".into(),
                "application/json;charset=utf-8".into(),
            ),
            ("X-HubSpot-Correlation-Id".into(), correlation.clone()),
        ],
        body: e.body(&correlation).to_string().into_bytes(),
    }
}

/// The response for tiny_http: `Content-Length` always (never chunked), headers that would not make a
/// valid header line skipped.
fn to_tiny(resp: Response) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    let mut out = tiny_http::Response::from_data(resp.body)
        .with_status_code(resp.status)
        .with_chunked_threshold(usize::MAX);
    for (k, v) in &resp.headers {
        if k.eq_ignore_ascii_case("content-length")
            || k.contains(['\r', '\n'])
            || v.contains(['\r', '\n'])
        {
            continue;
        }
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            out.add_header(h);
        }
    }
    out
}

fn serve(mut rq: tiny_http::Request, handler: &dyn Handler, max_body: usize) {
    let target = rq.url().to_string();
    if !target.starts_with('/') {
        let _ = rq.respond_and_close(to_tiny(plain(400, "malformed request line")));
        return;
    }
    let body = match read_body(&mut rq, max_body) {
        Ok(b) => b,
        // The rest of the body is unread: answer, then close the connection.
        Err(BodyError::TooLarge) => {
            let _ = rq.respond_and_close(to_tiny(too_large(max_body)));
            return;
        }
        Err(BodyError::Malformed(why)) => {
            let _ = rq.respond_and_close(to_tiny(plain(400, why)));
            return;
        }
        Err(BodyError::Broken) => {
            rq.abort();
            return;
        }
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target, String::new()),
    };
    let headers = rq
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_string(),
            )
        })
        .collect();
    let req = Request {
        method: rq.method().as_str().to_string(),
        path,
        query,
        headers,
        body,
    };
    match handler.handle(req) {
        Outcome::Drop => rq.abort(),
        Outcome::Respond(resp) => {
            let _ = rq.respond(to_tiny(resp));
        }
    }
}
