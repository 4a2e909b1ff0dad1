//! A small blocking Redis client: RESP2 over TCP, or over TLS for `rediss://` (rustls, the build ureq
//! already brings), a few pooled connections, timeouts on everything.
//!
//! A pipeline is sent at most once as soon as any byte of it may have reached Redis: a reply that does
//! not come (a read timeout, a connection closed mid-reply) is an error, never a second send, since the
//! commands may have run (a script charging the shared HubSpot budget would charge it twice). Re-sent,
//! once and on a fresh connection, is only a pipeline that provably never left: its write failed before
//! one byte reached the socket. A pooled connection is checked before it is used (closed by the server,
//! or holding bytes nobody asked for: dropped, never written to).
//!
//! Written here rather than taken from the `redis` crate: we need a dozen commands and a few scripts;
//! docs/scale-out.md has the measured comparison (binary size, dependencies, lines).

pub mod resp;
pub mod tls;

use std::fmt;
use std::io::{self, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

pub use resp::Reply;

/// Why a Redis call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisError {
    /// Could not connect, or the connection failed or timed out.
    Io(String),
    /// The server sent something that is not RESP.
    Protocol(String),
    /// The server answered with an error (`-ERR ...`, `-NOAUTH ...`).
    Server(String),
    /// `REDIS_URL` cannot be used.
    Url(String),
    /// `rediss://`: no TLS session (certificate not trusted, wrong name, no TLS on that port) or no
    /// TLS configuration (an unreadable `HUBSPOT_CA_FILE`).
    Tls(String),
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisError::Io(m) => write!(f, "Redis unreachable: {m}"),
            RedisError::Protocol(m) => write!(f, "Redis protocol error: {m}"),
            RedisError::Server(m) => write!(f, "Redis refused: {m}"),
            RedisError::Url(m) => write!(f, "REDIS_URL: {m}"),
            RedisError::Tls(m) => write!(f, "Redis TLS: {m}"),
        }
    }
}

impl std::error::Error for RedisError {}

/// Where and how to connect (`redis[s]://[user[:password]@]host[:port][/db]`): `REDIS_URL` as the
/// configuration parsed it, once ([`crate::config::RedisTarget::parse`]).
pub use crate::config::RedisTarget as Target;

/// The socket, counting the bytes written to it: what proves a pipeline never left.
struct Counted {
    sock: TcpStream,
    written: u64,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.read(buf)
    }
}

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.sock.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sock.flush()
    }
}

enum Stream {
    Plain(Counted),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, Counted>>),
}

impl Stream {
    fn counted(&self) -> &Counted {
        match self {
            Stream::Plain(c) => c,
            Stream::Tls(t) => &t.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(c) => c.read(buf),
            Stream::Tls(t) => t.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(c) => c.write(buf),
            Stream::Tls(t) => t.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(c) => c.flush(),
            Stream::Tls(t) => t.flush(),
        }
    }
}

struct Conn {
    io: BufReader<Stream>,
}

impl Conn {
    /// Bytes written to the socket so far (TLS records included).
    fn written(&self) -> u64 {
        self.io.get_ref().counted().written
    }

    /// Whether a pooled connection can carry a pipeline: the server has not closed it and nothing is
    /// waiting on it (RESP2 without pub/sub sends nothing unasked; anything there means the stream is
    /// out of step or closing). Checked without blocking and without writing.
    fn usable(&mut self) -> bool {
        if !self.io.buffer().is_empty() {
            return false;
        }
        if let Stream::Tls(t) = self.io.get_mut() {
            match t.conn.process_new_packets() {
                Ok(st) if st.plaintext_bytes_to_read() == 0 && !st.peer_has_closed() => {}
                _ => return false,
            }
        }
        let sock = &self.io.get_ref().counted().sock;
        if sock.set_nonblocking(true).is_err() {
            return false;
        }
        let quiet =
            matches!(sock.peek(&mut [0u8; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        sock.set_nonblocking(false).is_ok() && quiet
    }
}

/// The client: cheap to share; connections are pooled.
pub struct Redis {
    target: Target,
    timeout: Duration,
    /// `rediss://`: the TLS configuration, or why there is none (every connection then fails with it).
    tls: Option<Result<Arc<rustls::ClientConfig>, String>>,
    idle: Mutex<Vec<Conn>>,
    max_idle: usize,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// One command's arguments.
type Command = Vec<Vec<u8>>;

/// Builds a `Command` from anything byte-like.
#[macro_export]
macro_rules! redis_cmd {
    ($($arg:expr),+ $(,)?) => {
        vec![$(AsRef::<[u8]>::as_ref(&$arg).to_vec()),+]
    };
}

/// The client `REDIS_URL` asks for, if any (the configuration has already refused a URL that does not
/// parse). Its connections time out after 2 s; at most `max_idle` stay pooled. With `rediss://`, the
/// server's certificate must chain to Mozilla's roots or to a CA of `HUBSPOT_CA_FILE`.
pub(crate) fn from_config(cfg: &crate::config::Config, max_idle: usize) -> Option<Redis> {
    let target = cfg.redis_target()?.clone();
    let timeout = Duration::from_secs(2);
    if !target.tls {
        return Some(Redis::new(target, timeout, max_idle));
    }
    let extra = match cfg.hubspot_ca_file() {
        None => Ok(None),
        Some(p) => std::fs::read(p)
            .map(Some)
            .map_err(|e| format!("HUBSPOT_CA_FILE {}: {e}", p.display())),
    };
    let tls = extra.and_then(|pem| tls::client_config(pem.as_deref()));
    if let Err(why) = &tls {
        log::error!(error = why.as_str(); "rediss://: no TLS configuration, Redis cannot be used");
    }
    Some(Redis::with_tls(target, timeout, max_idle, tls))
}

impl Redis {
    /// A client for `target`; nothing is connected until the first call. A `rediss://` target trusts
    /// Mozilla's roots (see [`Redis::with_tls`] for others).
    pub fn new(target: Target, timeout: Duration, max_idle: usize) -> Redis {
        let tls = if target.tls {
            tls::client_config(None)
        } else {
            Err(String::new())
        };
        Redis::with_tls(target, timeout, max_idle, tls)
    }

    /// A client for `target` using `tls` for `rediss://` (ignored for `redis://`); an `Err` is what
    /// every call answers.
    pub fn with_tls(
        target: Target,
        timeout: Duration,
        max_idle: usize,
        tls: Result<Arc<rustls::ClientConfig>, String>,
    ) -> Redis {
        let tls = target.tls.then_some(tls);
        Redis {
            target,
            timeout,
            tls,
            idle: Mutex::new(Vec::new()),
            max_idle,
        }
    }

    /// The `host:port` it talks to.
    pub(crate) fn addr(&self) -> &str {
        &self.target.addr
    }

    fn connect(&self) -> Result<Conn, RedisError> {
        let tls = match &self.tls {
            None => None,
            Some(Ok(cfg)) => Some(cfg),
            Some(Err(why)) => return Err(RedisError::Tls(why.clone())),
        };
        let addrs: Vec<_> = self
            .target
            .addr
            .to_socket_addrs()
            .map_err(|e| RedisError::Io(format!("{}: {e}", self.target.addr)))?
            .collect();
        let mut last = RedisError::Io(format!("{}: no address", self.target.addr));
        for a in addrs {
            let s = match TcpStream::connect_timeout(&a, self.timeout) {
                Ok(s) => s,
                Err(e) => {
                    last = RedisError::Io(format!("{a}: {e}"));
                    continue;
                }
            };
            let io = |e: io::Error| RedisError::Io(e.to_string());
            s.set_read_timeout(Some(self.timeout)).map_err(io)?;
            s.set_write_timeout(Some(self.timeout)).map_err(io)?;
            s.set_nodelay(true).map_err(io)?;
            let mut sock = Counted {
                sock: s,
                written: 0,
            };
            let stream = match tls {
                None => Stream::Plain(sock),
                Some(cfg) => {
                    let name = tls::server_name(&self.target.host).map_err(RedisError::Tls)?;
                    let mut conn = rustls::ClientConnection::new(Arc::clone(cfg), name)
                        .map_err(|e| RedisError::Tls(e.to_string()))?;
                    while conn.is_handshaking() {
                        conn.complete_io(&mut sock).map_err(|e| {
                            RedisError::Tls(format!(
                                "handshake with {a} ({}) failed: {e}; the certificate must name \
                                 that host and chain to Mozilla's roots or to HUBSPOT_CA_FILE",
                                self.target.host
                            ))
                        })?;
                    }
                    Stream::Tls(Box::new(rustls::StreamOwned::new(conn, sock)))
                }
            };
            let mut c = Conn {
                io: BufReader::new(stream),
            };
            let mut hello: Vec<Command> = Vec::new();
            if let Some(p) = &self.target.password {
                match &self.target.username {
                    Some(u) => hello.push(crate::redis_cmd!("AUTH", u, p.expose())),
                    None => hello.push(crate::redis_cmd!("AUTH", p.expose())),
                }
            }
            if self.target.db != 0 {
                hello.push(crate::redis_cmd!("SELECT", self.target.db.to_string()));
            }
            if !hello.is_empty() {
                for r in exchange(&mut c, &hello)? {
                    if let Reply::Error(e) = r {
                        // Never echo the password: Redis's errors do not contain it.
                        return Err(RedisError::Server(e));
                    }
                }
            }
            return Ok(c);
        }
        Err(last)
    }

    /// A pooled connection that passes [`Conn::usable`]; the others are dropped.
    fn pooled(&self) -> Option<Conn> {
        loop {
            let mut c = self.idle.lock().pop()?;
            if c.usable() {
                return Some(c);
            }
        }
    }

    /// Sends `cmds` in one write and reads their replies (a pipeline). A `-ERR` reply is returned as
    /// [`Reply::Error`] in its place; only connection and protocol failures are `Err`. Sent at most once
    /// once a byte of it may have reached Redis; a pooled connection whose write failed before any
    /// byte left is replaced and the pipeline sent on the fresh one.
    pub(crate) fn pipeline(&self, cmds: &[Command]) -> Result<Vec<Reply>, RedisError> {
        let (mut conn, from_pool) = match self.pooled() {
            Some(c) => (c, true),
            None => (self.connect()?, false),
        };
        let before = conn.written();
        let mut result = exchange(&mut conn, cmds);
        if from_pool && matches!(result, Err(RedisError::Io(_))) && conn.written() == before {
            // Not one byte of it left this process: nothing can have run.
            conn = self.connect()?;
            result = exchange(&mut conn, cmds);
        }
        if result.is_ok() {
            let mut idle = self.idle.lock();
            if idle.len() < self.max_idle {
                idle.push(conn);
            }
        }
        result
    }

    /// One command.
    pub fn cmd(&self, cmd: Command) -> Result<Reply, RedisError> {
        let mut r = self.pipeline(std::slice::from_ref(&cmd))?;
        r.pop()
            .ok_or_else(|| RedisError::Protocol("no reply".into()))
    }
}

fn exchange(c: &mut Conn, cmds: &[Command]) -> Result<Vec<Reply>, RedisError> {
    let mut out = Vec::with_capacity(64 * cmds.len());
    for cmd in cmds {
        let args: Vec<&[u8]> = cmd.iter().map(Vec::as_slice).collect();
        resp::encode(&mut out, &args);
    }
    let w = c.io.get_mut();
    w.write_all(&out)
        .and_then(|()| w.flush())
        .map_err(|e| RedisError::Io(e.to_string()))?;
    let mut replies = Vec::with_capacity(cmds.len());
    for _ in cmds {
        match resp::read(&mut c.io) {
            Ok(r) => replies.push(r),
            Err(resp::ParseError::Io(e)) => return Err(RedisError::Io(e.to_string())),
            Err(resp::ParseError::Protocol(m)) => return Err(RedisError::Protocol(m)),
        }
    }
    Ok(replies)
}
