//! hubspot-mcp patch: a strict `chunked` body decoder (RFC 9112 §7.1). Sizes are parsed by
//! `httparse::parse_chunk_size` (no sign, no overflow), every line is bounded and must end in CRLF,
//! trailer fields are read and dropped (bounded too), and a connection that ends inside the body is an
//! error, never a short body taken for a whole one.

use std::convert::TryFrom;
use std::io::{Error, ErrorKind, Read, Result};

/// Longest chunk-size line (with extensions) or trailer line.
const MAX_LINE: usize = 4096;
/// Most trailer lines.
const MAX_TRAILERS: usize = 32;

enum State {
    /// Before a chunk-size line.
    Size,
    /// Inside a chunk, with this many bytes left.
    Data(u64),
    /// The body is over.
    Done,
}

/// Decodes a chunked body from `source`.
pub struct ChunkedReader<R> {
    source: R,
    state: State,
}

fn bad(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidData,
        format!("malformed chunked body: {what}"),
    )
}

impl<R: Read> ChunkedReader<R> {
    /// A decoder over `source`, which is positioned at the first chunk-size line.
    pub fn new(source: R) -> Self {
        ChunkedReader {
            source,
            state: State::Size,
        }
    }

    fn byte(&mut self) -> Result<u8> {
        let mut b = [0u8; 1];
        loop {
            match self.source.read(&mut b) {
                Ok(0) => {
                    return Err(Error::new(
                        ErrorKind::UnexpectedEof,
                        "the connection ended inside a chunked body",
                    ))
                }
                Ok(_) => return Ok(b[0]),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// One line through its CRLF (included), bounded.
    fn line(&mut self) -> Result<Vec<u8>> {
        let mut line = Vec::new();
        loop {
            let b = self.byte()?;
            line.push(b);
            if b == b'\n' {
                if line.len() < 2 || line[line.len() - 2] != b'\r' {
                    return Err(bad("a line does not end with CRLF"));
                }
                return Ok(line);
            }
            if line.len() > MAX_LINE {
                return Err(bad("a line is too long"));
            }
        }
    }

    fn crlf(&mut self) -> Result<()> {
        if self.byte()? == b'\r' && self.byte()? == b'\n' {
            Ok(())
        } else {
            Err(bad("a chunk is not followed by CRLF"))
        }
    }
}

impl<R: Read> Read for ChunkedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        loop {
            match self.state {
                State::Done => return Ok(0),
                State::Size => {
                    let line = self.line()?;
                    let size = match httparse::parse_chunk_size(&line) {
                        Ok(httparse::Status::Complete((_, size))) => size,
                        _ => return Err(bad("a chunk size is not a hexadecimal number")),
                    };
                    if size == 0 {
                        for _ in 0..=MAX_TRAILERS {
                            if self.line()?.len() == 2 {
                                self.state = State::Done;
                                return Ok(0);
                            }
                        }
                        return Err(bad("too many trailer lines"));
                    }
                    self.state = State::Data(size);
                }
                State::Data(left) => {
                    if buf.is_empty() {
                        return Ok(0);
                    }
                    let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
                    let n = match self.source.read(&mut buf[..want]) {
                        Ok(0) => {
                            return Err(Error::new(
                                ErrorKind::UnexpectedEof,
                                "the connection ended inside a chunk",
                            ))
                        }
                        Ok(n) => n,
                        Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    };
                    let left = left - n as u64;
                    if left == 0 {
                        self.crlf()?;
                        self.state = State::Size;
                    } else {
                        self.state = State::Data(left);
                    }
                    return Ok(n);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        ChunkedReader::new(s).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn decodes_and_refuses() {
        assert_eq!(
            decode(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
        assert_eq!(decode(b"1\r\na\r\n0\r\nTrailer: x\r\n\r\n").unwrap(), b"a");
        for bad in [
            &b"+3\r\nabc\r\n0\r\n\r\n"[..],
            b"-1\r\n",
            b"3\nabc\r\n0\r\n\r\n",
            b"3\r\nabcX\r\n0\r\n\r\n",
            b"ffffffffffffffffffff\r\n",
            b"3\r\nab",
            b"3\r\nabc\r\n",
            b"0\r\n",
            b"zz\r\n",
        ] {
            assert!(decode(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let long = [b"1;".as_slice(), &[b'x'; 5000], b"\r\n"].concat();
        assert!(decode(&long).is_err());
    }
}
