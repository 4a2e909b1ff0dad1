//! A small blocking Redis client: RESP2 over `std::net::TcpStream`, a few pooled connections, timeouts
//! on everything, one retry on a fresh connection when a pooled one turns out to be dead.
//!
//! Written here rather than taken from the `redis` crate: we need eight commands and a script, the crate
//! is several times this size in the binary (whose budget is 5 MB), and its async half is not wanted.
//! `rediss://` (TLS) is refused at configuration time for now.

pub mod resp;
pub mod store;

use std::fmt;
use std::io::{BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use parking_lot::Mutex;

use crate::obs::redact::Secret;
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
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisError::Io(m) => write!(f, "Redis unreachable: {m}"),
            RedisError::Protocol(m) => write!(f, "Redis protocol error: {m}"),
            RedisError::Server(m) => write!(f, "Redis refused: {m}"),
            RedisError::Url(m) => write!(f, "REDIS_URL: {m}"),
        }
    }
}

impl std::error::Error for RedisError {}

/// Where and how to connect, from `redis://[user[:password]@]host[:port][/db]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    /// `host:port`.
    pub addr: String,
    /// ACL user (Redis 6+), when given with a password.
    pub username: Option<String>,
    /// `AUTH` password.
    pub password: Option<Secret>,
    /// `SELECT` database.
    pub db: u32,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("addr", &self.addr)
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

/// Percent-decoding for the user and password parts.
fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Target {
    /// Parses a `redis://` URL.
    ///
    /// ```
    /// use hubspot_mcp::redis::Target;
    /// let t = Target::parse("redis://default:p%40ss@redis.railway.internal:6380/2").unwrap();
    /// assert_eq!((t.addr.as_str(), t.db), ("redis.railway.internal:6380", 2));
    /// assert_eq!(t.password.as_ref().map(|p| p.expose()), Some("p@ss"));
    /// assert!(Target::parse("rediss://h").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<Target, RedisError> {
        if url.starts_with("rediss://") {
            return Err(RedisError::Url(
                "rediss:// (TLS) is not supported yet; use redis:// on a private network".into(),
            ));
        }
        let rest = url
            .strip_prefix("redis://")
            .ok_or_else(|| RedisError::Url("must start with redis://".into()))?;
        let (auth, hostpart) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let (hostport, db) = match hostpart.split_once('/') {
            Some((h, d)) if !d.is_empty() => (
                h,
                d.parse::<u32>()
                    .map_err(|_| RedisError::Url("the database after / must be a number".into()))?,
            ),
            Some((h, _)) => (h, 0),
            None => (hostpart, 0),
        };
        if hostport.is_empty() {
            return Err(RedisError::Url("no host".into()));
        }
        // A port is given after the host, or after the `]` of a bracketed IPv6 address.
        let has_port = match hostport.strip_prefix('[') {
            Some(v6) => v6.contains("]:"),
            None => hostport.contains(':'),
        };
        let addr = if has_port {
            hostport.to_string()
        } else {
            format!("{hostport}:6379")
        };
        let (username, password) = match auth {
            None => (None, None),
            Some(a) => match a.split_once(':') {
                Some((u, p)) => (
                    (!u.is_empty()).then(|| pct_decode(u)),
                    Some(Secret::new(pct_decode(p))),
                ),
                None => (None, Some(Secret::new(pct_decode(a)))),
            },
        };
        Ok(Target {
            addr,
            username,
            password,
            db,
        })
    }
}

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

/// The client: cheap to share; connections are pooled.
pub struct Redis {
    target: Target,
    timeout: Duration,
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
pub type Command = Vec<Vec<u8>>;

/// Builds a [`Command`] from anything byte-like.
#[macro_export]
macro_rules! redis_cmd {
    ($($arg:expr),+ $(,)?) => {
        vec![$(AsRef::<[u8]>::as_ref(&$arg).to_vec()),+]
    };
}

/// The client `REDIS_URL` asks for, if any (the configuration has already refused a URL that does not
/// parse). Its connections time out after 2 s; at most `max_idle` stay pooled.
pub fn from_config(cfg: &crate::config::Config, max_idle: usize) -> Option<Redis> {
    let target = Target::parse(cfg.redis_url()?.expose()).ok()?;
    Some(Redis::new(target, Duration::from_secs(2), max_idle))
}

impl Redis {
    /// A client for `target`; nothing is connected until the first call.
    pub fn new(target: Target, timeout: Duration, max_idle: usize) -> Redis {
        Redis {
            target,
            timeout,
            idle: Mutex::new(Vec::new()),
            max_idle,
        }
    }

    /// The `host:port` it talks to.
    pub fn addr(&self) -> &str {
        &self.target.addr
    }

    fn connect(&self) -> Result<Conn, RedisError> {
        let addrs: Vec<_> = self
            .target
            .addr
            .to_socket_addrs()
            .map_err(|e| RedisError::Io(format!("{}: {e}", self.target.addr)))?
            .collect();
        let mut last = RedisError::Io(format!("{}: no address", self.target.addr));
        for a in addrs {
            match TcpStream::connect_timeout(&a, self.timeout) {
                Ok(s) => {
                    let io = |e: std::io::Error| RedisError::Io(e.to_string());
                    s.set_read_timeout(Some(self.timeout)).map_err(io)?;
                    s.set_write_timeout(Some(self.timeout)).map_err(io)?;
                    s.set_nodelay(true).map_err(io)?;
                    let writer = s.try_clone().map_err(io)?;
                    let mut c = Conn {
                        reader: BufReader::new(s),
                        writer,
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
                Err(e) => last = RedisError::Io(format!("{a}: {e}")),
            }
        }
        Err(last)
    }

    /// Sends `cmds` in one write and reads their replies (a pipeline). A `-ERR` reply is returned as
    /// [`Reply::Error`] in its place; only connection and protocol failures are `Err`. A pooled
    /// connection that fails before anything was read is replaced and the pipeline sent once more.
    pub fn pipeline(&self, cmds: &[Command]) -> Result<Vec<Reply>, RedisError> {
        let pooled = self.idle.lock().pop();
        let (mut conn, fresh) = match pooled {
            Some(c) => (c, false),
            None => (self.connect()?, true),
        };
        let result = match exchange(&mut conn, cmds) {
            Err(RedisError::Io(_)) if !fresh => {
                conn = self.connect()?;
                exchange(&mut conn, cmds)
            }
            other => other,
        };
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
    c.writer
        .write_all(&out)
        .map_err(|e| RedisError::Io(e.to_string()))?;
    let mut replies = Vec::with_capacity(cmds.len());
    for _ in cmds {
        match resp::read(&mut c.reader) {
            Ok(r) => replies.push(r),
            Err(resp::ParseError::Io(e)) => return Err(RedisError::Io(e.to_string())),
            Err(resp::ParseError::Protocol(m)) => return Err(RedisError::Protocol(m)),
        }
    }
    Ok(replies)
}
