//! Plain HTTP request and reply types: what handlers see instead of tiny_http's types, so the MCP
//! transport and the health endpoint can be tested without sockets.

use std::io::Write;
use std::net::IpAddr;
use std::sync::Arc;

use crate::http::sse::SseWriter;

/// The request method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// GET
    Get,
    /// HEAD
    Head,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// Anything else.
    Other(String),
}

/// A request with its body read (and capped).
#[derive(Debug, Clone)]
pub struct Req {
    /// Method.
    pub(crate) verb: Verb,
    /// Path without the query string.
    pub(crate) path: String,
    /// The query string (after `?`), if any.
    pub query: Option<String>,
    /// Headers, names lowercased, in arrival order.
    pub(crate) headers: Headers,
    /// The body.
    pub(crate) body: Vec<u8>,
    /// The peer's address.
    pub(crate) remote: Option<IpAddr>,
    /// This request's id (also sent back as `X-Request-Id`).
    pub(crate) request_id: String,
    /// Tells whether the client has gone (closed its connection) while the request is served.
    pub(crate) client_gone: Option<ClientGone>,
}

/// A probe of the client's connection: true once the client has closed it, so work on its behalf
/// can stop.
#[derive(Clone)]
pub(crate) struct ClientGone(Arc<dyn Fn() -> bool + Send + Sync>);

impl ClientGone {
    /// A probe that asks `f`.
    pub(crate) fn new(f: impl Fn() -> bool + Send + Sync + 'static) -> Self {
        ClientGone(Arc::new(f))
    }
    /// True once the client has gone.
    pub(crate) fn gone(&self) -> bool {
        (self.0)()
    }
}

impl std::fmt::Debug for ClientGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientGone")
    }
}

impl Req {
    /// A test request.
    pub fn new(verb: Verb, path: &str) -> Req {
        Req {
            verb,
            path: path.to_string(),
            query: None,
            headers: Headers::default(),
            body: Vec::new(),
            remote: None,
            request_id: String::new(),
            client_gone: None,
        }
    }

    /// Adds a header (builder style, for tests).
    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push(name, value);
        self
    }

    /// Sets the body (builder style, for tests).
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Req {
        self.body = body.into();
        self
    }

    /// The first value of header `name` (lowercase), trimmed.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(str::trim)
    }
}

/// A request's headers in one buffer (names lowercased, in arrival order): two allocations for a head,
/// not two per header.
#[derive(Debug, Clone, Default)]
pub(crate) struct Headers {
    /// Each name then its value, one after another.
    text: String,
    /// Where each name ends and its value ends in `text`.
    ends: Vec<(usize, usize)>,
}

impl Headers {
    /// Room for `n` headers of `bytes` in all.
    pub(crate) fn with_capacity(n: usize, bytes: usize) -> Headers {
        Headers {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(n),
        }
    }

    /// Adds a header (its name lowercased).
    pub(crate) fn push(&mut self, name: &str, value: &str) {
        self.text
            .extend(name.chars().map(|c| c.to_ascii_lowercase()));
        let name_end = self.text.len();
        self.text.push_str(value);
        self.ends.push((name_end, self.text.len()));
    }

    /// The first value of header `name` (lowercase), as sent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        let mut start = 0;
        for &(name_end, end) in &self.ends {
            if self.text.get(start..name_end) == Some(name) {
                return self.text.get(name_end..end);
            }
            start = end;
        }
        None
    }
}

/// A streamed body: runs on the worker with the socket, writing SSE events as they come.
type StreamFn = Box<dyn FnOnce(&mut SseWriter<'_>) + Send>;

/// A reply body.
pub enum ReplyBody {
    /// No body.
    Empty,
    /// A complete body with its content type.
    Full(&'static str, Vec<u8>),
    /// `text/event-stream`, written event by event.
    Sse(StreamFn),
}

/// A reply.
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub(crate) headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: ReplyBody,
}

impl Reply {
    /// A JSON reply.
    pub(crate) fn json(status: u16, body: String) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: ReplyBody::Full("application/json", body.into_bytes()),
        }
    }
    /// A reply with a body of the given type (such as the Prometheus exposition).
    pub(crate) fn text(status: u16, content_type: &'static str, body: String) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: ReplyBody::Full(content_type, body.into_bytes()),
        }
    }

    /// A reply with no body.
    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: ReplyBody::Empty,
        }
    }
    /// An SSE reply.
    pub(crate) fn sse(f: StreamFn) -> Reply {
        Reply {
            status: 200,
            headers: Vec::new(),
            body: ReplyBody::Sse(f),
        }
    }
    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
    /// The body as text, for tests (empty for streams).
    pub fn body_text(&self) -> String {
        match &self.body {
            ReplyBody::Full(_, b) => String::from_utf8_lossy(b).into_owned(),
            _ => String::new(),
        }
    }
    /// Runs a streamed body into `out` (tests; the server writes to the socket).
    pub fn stream_to(self, out: &mut dyn Write) {
        if let ReplyBody::Sse(f) = self.body {
            let mut w = SseWriter::new(out, false);
            f(&mut w);
        }
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.body_text())
            .finish()
    }
}

#[cfg(test)]
mod header_tests {
    use super::Headers;

    #[test]
    fn a_header_is_found_by_its_lowercase_name_first_value_first() {
        let mut h = Headers::default();
        for (n, v) in [
            ("Accept", "application/json"),
            ("accept-language", "fr"),
            ("X-Empty", ""),
            ("ACCEPT", "text/event-stream"),
            ("mcp-session-id", "s1"),
        ] {
            h.push(n, v);
        }
        assert_eq!(h.get("accept"), Some("application/json"));
        assert_eq!(h.get("accept-language"), Some("fr"));
        assert_eq!(h.get("x-empty"), Some(""));
        assert_eq!(h.get("mcp-session-id"), Some("s1"));
        assert_eq!(h.get("Accept"), None, "names are asked for in lowercase");
        assert_eq!(h.get("accep"), None);
        assert_eq!(Headers::default().get("accept"), None);
    }
}
