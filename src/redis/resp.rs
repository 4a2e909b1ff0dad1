//! RESP2, the Redis wire format: commands out as arrays of bulk strings, replies in as one of five types.
//! Pure functions over bytes, so the parser is fuzzed on its own (tests/fuzz).

use std::fmt;
use std::io::BufRead;

/// One reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `+OK`.
    Status(String),
    /// `-ERR ...`: a command failed (the connection is still good).
    Error(String),
    /// `:42`.
    Int(i64),
    /// `$n` bytes, or `$-1` (nil).
    Bulk(Option<Vec<u8>>),
    /// `*n` replies, or `*-1` (nil).
    Array(Option<Vec<Reply>>),
}

/// Why a reply could not be read.
#[derive(Debug)]
pub enum ParseError {
    /// The socket failed or closed.
    Io(std::io::Error),
    /// The bytes are not RESP, or exceed a bound.
    Protocol(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Io(e) => write!(f, "connection: {e}"),
            ParseError::Protocol(m) => write!(f, "protocol: {m}"),
        }
    }
}

/// Largest bulk string accepted (a session is well under 1 KiB; Redis's own limit is 512 MiB).
const MAX_BULK: usize = 1 << 20;
/// Largest array accepted, and deepest nesting.
const MAX_ARRAY: usize = 1 << 16;
const MAX_DEPTH: usize = 8;
const MAX_LINE: usize = 64 * 1024;

/// Appends one command (an array of bulk strings) to `out`.
pub(crate) fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// Reads one reply.
pub fn read(r: &mut impl BufRead) -> Result<Reply, ParseError> {
    read_depth(r, 0)
}

fn read_line<R: BufRead>(r: &mut R) -> Result<Vec<u8>, ParseError> {
    let mut line = Vec::new();
    let n = std::io::Read::take(&mut *r, MAX_LINE as u64)
        .read_until(b'\n', &mut line)
        .map_err(ParseError::Io)?;
    if n == 0 {
        return Err(ParseError::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "closed by the server",
        )));
    }
    if !line.ends_with(b"\r\n") {
        return Err(ParseError::Protocol("line without CRLF or too long".into()));
    }
    line.truncate(line.len() - 2);
    Ok(line)
}

fn number(b: &[u8]) -> Result<i64, ParseError> {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ParseError::Protocol("bad number".into()))
}

fn read_depth(r: &mut impl BufRead, depth: usize) -> Result<Reply, ParseError> {
    if depth > MAX_DEPTH {
        return Err(ParseError::Protocol("nested too deep".into()));
    }
    let line = read_line(r)?;
    let (&kind, rest) = line
        .split_first()
        .ok_or_else(|| ParseError::Protocol("empty line".into()))?;
    let text = || String::from_utf8_lossy(rest).into_owned();
    match kind {
        b'+' => Ok(Reply::Status(text())),
        b'-' => Ok(Reply::Error(text())),
        b':' => Ok(Reply::Int(number(rest)?)),
        b'$' => {
            let n = number(rest)?;
            if n < 0 {
                return Ok(Reply::Bulk(None));
            }
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if n > MAX_BULK {
                return Err(ParseError::Protocol(format!("bulk of {n} bytes")));
            }
            let mut buf = vec![0u8; n + 2];
            r.read_exact(&mut buf).map_err(ParseError::Io)?;
            if !buf.ends_with(b"\r\n") {
                return Err(ParseError::Protocol("bulk without CRLF".into()));
            }
            buf.truncate(n);
            Ok(Reply::Bulk(Some(buf)))
        }
        b'*' => {
            let n = number(rest)?;
            if n < 0 {
                return Ok(Reply::Array(None));
            }
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if n > MAX_ARRAY {
                return Err(ParseError::Protocol(format!("array of {n} items")));
            }
            let mut items = Vec::with_capacity(n.min(64));
            for _ in 0..n {
                items.push(read_depth(r, depth + 1)?);
            }
            Ok(Reply::Array(Some(items)))
        }
        other => Err(ParseError::Protocol(format!(
            "unknown reply type {:?}",
            char::from(other)
        ))),
    }
}

impl Reply {
    /// The integer of an `Int` reply.
    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Reply::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The bytes of a non-nil bulk reply.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Reply::Bulk(Some(b)) => Some(b),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example that was this item's doctest (the item is crate-private now).
    #[test]
    fn encode_example() {
        let mut out = Vec::new();
        encode(&mut out, &[b"GET".as_slice(), b"k"]);
        assert_eq!(out, b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    }

    fn parse(b: &[u8]) -> Result<Reply, ParseError> {
        read(&mut std::io::BufReader::new(b))
    }

    #[test]
    fn every_reply_type() {
        assert_eq!(parse(b"+OK\r\n").ok(), Some(Reply::Status("OK".into())));
        assert_eq!(
            parse(b"-ERR wrong\r\n").ok(),
            Some(Reply::Error("ERR wrong".into()))
        );
        assert_eq!(parse(b":-7\r\n").ok(), Some(Reply::Int(-7)));
        assert_eq!(parse(b"$-1\r\n").ok(), Some(Reply::Bulk(None)));
        assert_eq!(
            parse(b"$5\r\nhe\r\nl\r\n").ok(),
            Some(Reply::Bulk(Some(b"he\r\nl".to_vec())))
        );
        assert_eq!(
            parse(b"*2\r\n:1\r\n*1\r\n$0\r\n\r\n").ok(),
            Some(Reply::Array(Some(vec![
                Reply::Int(1),
                Reply::Array(Some(vec![Reply::Bulk(Some(vec![]))]))
            ])))
        );
    }

    #[test]
    fn hostile_replies_are_refused_not_trusted() {
        assert!(parse(b"$99999999999\r\n").is_err());
        assert!(parse(b"*99999999999\r\n").is_err());
        assert!(parse(b"$3\r\nabcXX").is_err());
        assert!(parse(b"?\r\n").is_err());
        assert!(parse(b"").is_err());
        assert!(parse(&b"*1\r\n".repeat(20)).is_err(), "depth is bounded");
    }
}
