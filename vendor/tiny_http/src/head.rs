//! hubspot-mcp patch: the request head and its message framing, read under bounds and parsed by
//! `httparse` (hyper's parser) instead of tiny_http's own line splitting.
//!
//! Reading ([`read_head`]) bounds each line (8 KiB), the number of header lines (100) and the whole
//! head (32 KiB), and needs CRLF line ends. Parsing ([`parse`]) is a pure function of the bytes, so it
//! can be fuzzed in memory; it decides the body's framing by RFC 9112 §6 and refuses every ambiguous
//! shape a proxy in front of us could read differently (request smuggling): an invalid or repeated
//! `Content-Length`, `Content-Length` with `Transfer-Encoding`, a transfer coding other than one final
//! `chunked`, `Transfer-Encoding` in HTTP/1.0, more than one `Host`, or none in HTTP/1.1.

use std::io::{ErrorKind, Read};

use crate::common::{HTTPVersion, Header, HeaderField, Method};

/// Longest header line (or request line).
pub const MAX_LINE: usize = 8 * 1024;
/// Most header lines.
pub const MAX_HEADERS: usize = 100;
/// Largest head, request line and every header line together.
pub const MAX_HEAD: usize = 32 * 1024;
/// Empty lines ignored before a request line (RFC 9112 §2.2), at most.
const MAX_LEADING_EMPTY_LINES: usize = 4;

/// How a request's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body.
    None,
    /// `Content-Length` bytes.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// A parsed request head.
#[derive(Debug)]
pub struct Head {
    /// The method.
    pub method: Method,
    /// The request target, as sent.
    pub target: String,
    /// HTTP/1.0 or HTTP/1.1.
    pub version: HTTPVersion,
    /// The header fields, in order.
    pub headers: Vec<Header>,
    /// How the body is delimited.
    pub framing: Framing,
    /// `Expect: 100-continue` was sent.
    pub expects_continue: bool,
}

/// Why a head is refused; each maps to one status, and every refusal closes the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadError {
    /// 400, with what was wrong.
    BadRequest(&'static str),
    /// 431: a line, the header count or the whole head is over its bound.
    TooLarge(&'static str),
    /// 501: a transfer coding this server does not implement.
    NotImplemented(&'static str),
    /// 505: a protocol version other than HTTP/1.0 or HTTP/1.1.
    VersionNotSupported,
    /// 417: an `Expect` other than `100-continue`.
    ExpectationFailed,
    /// 408: the head did not arrive within its deadline.
    TimedOut,
    /// The connection closed or failed before a whole head arrived: nothing to answer.
    Closed,
}

impl HeadError {
    /// The status this refusal is answered with (`None`: the connection is gone, answer nothing).
    pub fn status(&self) -> Option<u16> {
        match self {
            HeadError::BadRequest(_) => Some(400),
            HeadError::TooLarge(_) => Some(431),
            HeadError::NotImplemented(_) => Some(501),
            HeadError::VersionNotSupported => Some(505),
            HeadError::ExpectationFailed => Some(417),
            HeadError::TimedOut => Some(408),
            HeadError::Closed => None,
        }
    }

    /// A sentence a person can act on.
    pub fn message(&self) -> String {
        match self {
            HeadError::BadRequest(what) => format!("Bad Request: {what}"),
            HeadError::TooLarge(what) => format!(
                "Request Header Fields Too Large: {what} (at most {MAX_LINE} bytes a line, {MAX_HEADERS} header lines, {MAX_HEAD} bytes in all)"
            ),
            HeadError::NotImplemented(what) => format!("Not Implemented: {what}"),
            HeadError::VersionNotSupported => {
                "HTTP Version Not Supported: this server speaks HTTP/1.0 and HTTP/1.1".to_string()
            }
            HeadError::ExpectationFailed => {
                "Expectation Failed: only Expect: 100-continue is supported".to_string()
            }
            HeadError::TimedOut => {
                "Request Timeout: the request head did not arrive in time".to_string()
            }
            HeadError::Closed => "connection closed".to_string(),
        }
    }
}

/// Reads one head, through its blank line, from `source`: `Ok(None)` when the connection ends
/// cleanly before a request starts; `first_byte` is called once the first byte has arrived (the
/// caller starts the head's deadline there). A read error of kind `TimedOut`/`WouldBlock` after
/// the first byte is [`HeadError::TimedOut`]; before it, the idle connection just ends.
pub fn read_head<R: Read>(
    source: &mut R,
    mut first_byte: impl FnMut(),
) -> Result<Option<Vec<u8>>, HeadError> {
    let mut buf: Vec<u8> = Vec::with_capacity(512);
    let mut line_start = 0;
    let mut lines = 0;
    let mut leading_empty = 0;
    let mut byte = [0u8; 1];
    loop {
        let n = match source.read(&mut byte) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
                return if buf.is_empty() && leading_empty == 0 {
                    Ok(None)
                } else {
                    Err(HeadError::TimedOut)
                };
            }
            Err(_) => return Err(HeadError::Closed),
        };
        if n == 0 {
            return if buf.is_empty() && leading_empty == 0 {
                Ok(None)
            } else {
                Err(HeadError::Closed)
            };
        }
        if buf.is_empty() && leading_empty == 0 {
            first_byte();
        }
        let b = byte[0];
        buf.push(b);
        if b == b'\n' {
            let line = &buf[line_start..];
            if line.len() < 2 || line[line.len() - 2] != b'\r' {
                return Err(HeadError::BadRequest(
                    "a line of the request head does not end with CRLF",
                ));
            }
            if line.len() == 2 {
                if lines == 0 {
                    // An empty line before the request line (RFC 9112 §2.2).
                    leading_empty += 1;
                    if leading_empty > MAX_LEADING_EMPTY_LINES {
                        return Err(HeadError::BadRequest(
                            "empty lines instead of a request line",
                        ));
                    }
                    buf.clear();
                    line_start = 0;
                    continue;
                }
                return Ok(Some(buf));
            }
            lines += 1;
            if lines > MAX_HEADERS + 1 {
                return Err(HeadError::TooLarge("too many header lines"));
            }
            line_start = buf.len();
            continue;
        }
        if buf.len() - line_start > MAX_LINE {
            return Err(HeadError::TooLarge("a header line is too long"));
        }
        if buf.len() > MAX_HEAD {
            return Err(HeadError::TooLarge("the request head is too large"));
        }
    }
}

/// Parses a whole head (as [`read_head`] returns it) and decides the body's framing.
pub fn parse(bytes: &[u8]) -> Result<Head, HeadError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut slots);
    let status = match req.parse(bytes) {
        Ok(s) => s,
        Err(httparse::Error::Version) => return Err(version_error(bytes)),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(HeadError::TooLarge("too many header lines"))
        }
        Err(httparse::Error::HeaderName) => {
            return Err(HeadError::BadRequest("a header name is not a token"))
        }
        Err(httparse::Error::HeaderValue) => {
            return Err(HeadError::BadRequest(
                "a header value holds a control character",
            ))
        }
        Err(httparse::Error::Token) => {
            return Err(HeadError::BadRequest("the method is not a token"))
        }
        Err(_) => return Err(HeadError::BadRequest("the request line is malformed")),
    };
    if status.is_partial() {
        return Err(HeadError::BadRequest("the request head is incomplete"));
    }
    let method: Method = req
        .method
        .and_then(|m| m.parse().ok())
        .ok_or(HeadError::BadRequest("the method is not a token"))?;
    let target = req
        .path
        .ok_or(HeadError::BadRequest("the request line has no target"))?;
    if !(target.starts_with('/') || target == "*" || target.contains("://")) {
        return Err(HeadError::BadRequest("the request target is not a path"));
    }
    let version = match req.version {
        Some(0) => HTTPVersion(1, 0),
        Some(1) => HTTPVersion(1, 1),
        _ => return Err(HeadError::VersionNotSupported),
    };
    let mut headers = Vec::with_capacity(req.headers.len());
    let mut content_length: Option<u64> = None;
    let mut transfer_encoding: Option<&[u8]> = None;
    let mut hosts = 0;
    let mut expects_continue = false;
    for h in req.headers.iter() {
        let name = h.name;
        let value = h.value;
        if value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(HeadError::BadRequest(
                "a header value holds a control character",
            ));
        }
        if name.eq_ignore_ascii_case("content-length") {
            let n = parse_content_length(value)?;
            if content_length.is_some_and(|c| c != n) {
                return Err(HeadError::BadRequest(
                    "Content-Length is sent twice with different values",
                ));
            }
            content_length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            if transfer_encoding.is_some() {
                return Err(HeadError::BadRequest("Transfer-Encoding is sent twice"));
            }
            transfer_encoding = Some(value);
        } else if name.eq_ignore_ascii_case("host") {
            hosts += 1;
        } else if name.eq_ignore_ascii_case("expect") {
            if trim(value).eq_ignore_ascii_case(b"100-continue") {
                expects_continue = true;
            } else {
                return Err(HeadError::ExpectationFailed);
            }
        }
        let field = HeaderField::from_bytes(name.as_bytes())
            .map_err(|_| HeadError::BadRequest("a header name is not ASCII"))?;
        let value = ascii::AsciiString::from_ascii(trim(value))
            .map_err(|_| HeadError::BadRequest("a header value is not ASCII"))?;
        headers.push(Header { field, value });
    }
    if hosts > 1 {
        return Err(HeadError::BadRequest("Host is sent more than once"));
    }
    if hosts == 0 && version == HTTPVersion(1, 1) {
        return Err(HeadError::BadRequest("HTTP/1.1 requests must send Host"));
    }
    let framing = match (transfer_encoding, content_length) {
        (Some(_), Some(_)) => {
            return Err(HeadError::BadRequest(
                "Content-Length and Transfer-Encoding must not both be sent",
            ))
        }
        (Some(_), None) if version == HTTPVersion(1, 0) => {
            return Err(HeadError::BadRequest(
                "Transfer-Encoding is not defined for HTTP/1.0",
            ))
        }
        (Some(te), None) => transfer_framing(te)?,
        (None, Some(0)) | (None, None) => Framing::None,
        (None, Some(n)) => Framing::Length(n),
    };
    Ok(Head {
        method,
        target: target.to_string(),
        version,
        headers,
        framing,
        expects_continue,
    })
}

/// 505 for a well-formed `HTTP/x.y` other than 1.0 / 1.1, 400 for anything else.
fn version_error(bytes: &[u8]) -> HeadError {
    let line = bytes.split(|&b| b == b'\r').next().unwrap_or(&[]);
    let version = line.rsplit(|&b| b == b' ').next().unwrap_or(&[]);
    match version {
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            HeadError::VersionNotSupported
        }
        [b'H', b'T', b'T', b'P', b'/', major] if major.is_ascii_digit() => {
            HeadError::VersionNotSupported
        }
        _ => HeadError::BadRequest("the request line is malformed"),
    }
}

/// `Content-Length = 1*DIGIT` (RFC 9110 §8.6): no sign, no list, no overflow.
fn parse_content_length(value: &[u8]) -> Result<u64, HeadError> {
    let v = trim(value);
    if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) {
        return Err(HeadError::BadRequest(
            "Content-Length must be a decimal number of bytes",
        ));
    }
    v.iter()
        .try_fold(0u64, |acc, d| {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .ok_or(HeadError::BadRequest("Content-Length is out of range"))
}

/// Only one transfer coding is implemented: a lone `chunked`. RFC 9112 §6.3: a request whose final
/// coding is not `chunked` cannot be delimited (400); any other coding before it is one we do not
/// implement (501).
fn transfer_framing(te: &[u8]) -> Result<Framing, HeadError> {
    let codings: Vec<&[u8]> = te
        .split(|&b| b == b',')
        .map(trim)
        .filter(|c| !c.is_empty())
        .collect();
    let Some((last, before)) = codings.split_last() else {
        return Err(HeadError::BadRequest("Transfer-Encoding is empty"));
    };
    if !last.eq_ignore_ascii_case(b"chunked") {
        return Err(HeadError::BadRequest(
            "the final transfer coding must be chunked",
        ));
    }
    if before.iter().any(|c| c.eq_ignore_ascii_case(b"chunked")) {
        return Err(HeadError::BadRequest("chunked is applied more than once"));
    }
    if !before.is_empty() {
        return Err(HeadError::NotImplemented(
            "only the chunked transfer coding is supported",
        ));
    }
    Ok(Framing::Chunked)
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |e| e + 1);
    &v[start..end.max(start)]
}

/// Decodes a whole `chunked` body from `bytes` with the decoder requests use, reading at most `max`
/// decoded bytes (for tests and fuzzing: the server reads from the socket instead).
pub fn decode_chunked(bytes: &[u8], max: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    crate::util::ChunkedReader::new(bytes)
        .take(max)
        .read_to_end(&mut out)?;
    Ok(out)
}

/// Writes a refusal the connection cannot recover from: the status, `headers` (the server's
/// security headers), a JSON-RPC error body without an id (what MCP clients parse), and
/// `Connection: close`.
pub fn write_refusal<W: std::io::Write>(
    w: &mut W,
    status: u16,
    message: &str,
    headers: &[(String, String)],
) -> std::io::Result<()> {
    let mut escaped = String::with_capacity(message.len());
    for c in message.chars() {
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    let body = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{{\"code\":-32000,\"message\":\"{escaped}\"}}}}"
    );
    let reason = crate::StatusCode(status).default_reason_phrase();
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
    for (k, v) in headers {
        out.push_str(k);
        out.push_str(": ");
        out.push_str(v);
        out.push_str("\r\n");
    }
    if status == 503 {
        out.push_str("Retry-After: 1\r\n");
    }
    out.push_str(&format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    out.push_str(&body);
    w.write_all(out.as_bytes())?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(s: &str) -> Result<Head, HeadError> {
        let mut src = s.as_bytes();
        let bytes = read_head(&mut src, || {})?.ok_or(HeadError::Closed)?;
        parse(&bytes)
    }

    fn status(s: &str) -> Option<u16> {
        head(s).err().and_then(|e| e.status())
    }

    #[test]
    fn framing() {
        let h = head("POST /mcp HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n").unwrap();
        assert_eq!(h.framing, Framing::Length(12));
        let h =
            head("POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n").unwrap();
        assert_eq!(h.framing, Framing::Chunked);
        let h = head("GET / HTTP/1.0\r\n\r\n").unwrap();
        assert_eq!(h.framing, Framing::None);
        let h =
            head("\r\nGET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n");
        assert_eq!(h.unwrap().framing, Framing::Length(5));
    }

    #[test]
    fn smuggling_shapes_are_refused() {
        for (cl, why) in [
            ("abc", "letters"),
            ("-1", "sign"),
            ("+5", "plus"),
            ("99999999999999999999", "overflow"),
            ("5, 5", "list"),
            ("0x10", "hex"),
            ("", "empty"),
        ] {
            let r = format!("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {cl}\r\n\r\n");
            assert_eq!(status(&r), Some(400), "{why}");
        }
        let cases = [
            ("Content-Length: 5\r\nContent-Length: 6\r\n", 400),
            ("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400),
            ("Transfer-Encoding: gzip\r\n", 400),
            ("Transfer-Encoding: chunked, gzip\r\n", 400),
            ("Transfer-Encoding: gzip, chunked\r\n", 501),
            ("Transfer-Encoding: chunked, chunked\r\n", 400),
            (
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                400,
            ),
            ("Transfer-Encoding: \r\n", 400),
            ("Host: b\r\n", 400),
            ("X: a\x00b\r\n", 400),
            ("X: a\x01b\r\n", 400),
            ("X : a\r\n", 400),
            (" X: folded\r\n", 400),
            ("X: caf\u{e9}\r\n", 400),
            ("Expect: something\r\n", 417),
        ];
        for (extra, want) in cases {
            let r = format!("POST / HTTP/1.1\r\nHost: a\r\n{extra}\r\n");
            assert_eq!(status(&r), Some(want), "{extra:?}");
        }
        assert_eq!(
            status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Some(400)
        );
        assert_eq!(status("GET / HTTP/1.1\r\n\r\n"), Some(400), "no Host");
        assert_eq!(status("GET / HTTP/1.1\nHost: a\n\n"), Some(400), "bare LF");
        assert_eq!(
            status("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"),
            Some(400),
            "bare CR"
        );
        assert!(head("GET / HTTP/1.1\r\nHost: a\r\nX: tab\there\r\n\r\n").is_ok());
    }

    #[test]
    fn versions() {
        assert_eq!(status("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), Some(505));
        assert_eq!(status("GET / HTTP/3.0\r\nHost: a\r\n\r\n"), Some(505));
        assert_eq!(status("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), Some(505));
        assert_eq!(status("GET / HTTP/2\r\nHost: a\r\n\r\n"), Some(505));
        assert_eq!(status("GET / HTTP/0.9\r\nHost: a\r\n\r\n"), Some(505));
        assert_eq!(status("GET / HTTQ/1.1\r\nHost: a\r\n\r\n"), Some(400));
        assert_eq!(status("GET /\r\nHost: a\r\n\r\n"), Some(400));
        assert_eq!(status("GET nopath HTTP/1.1\r\nHost: a\r\n\r\n"), Some(400));
    }

    #[test]
    fn bounds() {
        let long = format!(
            "GET / HTTP/1.1\r\nHost: a\r\nX: {}\r\n\r\n",
            "a".repeat(MAX_LINE)
        );
        assert_eq!(status(&long), Some(431));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X{i}: 1\r\n")).collect();
        assert_eq!(
            status(&format!("GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n")),
            Some(431)
        );
        let big: String = (0..8)
            .map(|i| format!("X{i}: {}\r\n", "b".repeat(MAX_LINE - 8)))
            .collect();
        assert_eq!(
            status(&format!("GET / HTTP/1.1\r\nHost: a\r\n{big}\r\n")),
            Some(431)
        );
        assert_eq!(status("\r\n\r\n\r\n\r\n\r\n\r\n"), Some(400));
        // An idle connection that closes before sending anything is not an error.
        assert_eq!(read_head(&mut &b""[..], || {}), Ok(None));
        assert_eq!(
            read_head(&mut &b"GET / HT"[..], || {}),
            Err(HeadError::Closed)
        );
    }
}
