//! Response compression: gzip for JSON and text bodies of at least `MIN_BYTES` when the client's
//! `Accept-Encoding` allows it (the original design's `compression` middleware: level 6, 1 KiB
//! threshold, `x-no-compression` opts out). SSE streams are never compressed: a compressor buffers,
//! and progress events must leave as they happen.
//!
//! flate2 (pure-Rust miniz_oxide backend) is already in the tree through ureq's gzip decoding.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;

/// Bodies shorter than this are sent as they are (gzip's framing would eat the gain).
const MIN_BYTES: usize = 1024;

/// The original design's level: a good ratio for JSON at a moderate CPU cost.
const LEVEL: u32 = 6;

/// Whether a request's headers accept a gzip response: `Accept-Encoding` names `gzip` (or `*`) with a
/// non-zero quality, and `x-no-compression` is absent.
///
/// ```
/// use hubspot_mcp::http::gzip::accepts;
/// assert!(accepts(Some("gzip, deflate, br"), false));
/// assert!(accepts(Some("br;q=1.0, gzip;q=0.5"), false));
/// assert!(accepts(Some("*"), false));
/// assert!(!accepts(Some("gzip;q=0"), false));
/// assert!(!accepts(Some("identity"), false));
/// assert!(!accepts(None, false));
/// assert!(!accepts(Some("gzip"), true)); // x-no-compression
/// ```
pub fn accepts(accept_encoding: Option<&str>, no_compression: bool) -> bool {
    if no_compression {
        return false;
    }
    let Some(v) = accept_encoding else {
        return false;
    };
    let mut star = None;
    for item in v.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        match coding.as_str() {
            "gzip" | "x-gzip" => return q > 0.0,
            "*" => star = Some(q > 0.0),
            _ => {}
        }
    }
    star.unwrap_or(false)
}

/// Whether a body of this type and size is worth compressing.
pub(crate) fn worth_it(content_type: &str, len: usize) -> bool {
    len >= MIN_BYTES
        && (content_type.starts_with("application/json")
            || (content_type.starts_with("text/")
                && !content_type.starts_with("text/event-stream"))
            || content_type.starts_with("application/openmetrics-text"))
}

/// Compresses `body`; `None` if the encoder failed (then the body goes out as it is).
pub(crate) fn compress(body: &[u8]) -> Option<Vec<u8>> {
    let mut enc = GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        Compression::new(LEVEL),
    );
    enc.write_all(body).ok()?;
    enc.finish().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn round_trips_and_shrinks_json() {
        let body = serde_json::json!({"tools": vec!["hubspot_search_records"; 200]}).to_string();
        let z = compress(body.as_bytes()).unwrap_or_default();
        assert!(z.len() < body.len() / 10, "{} -> {}", body.len(), z.len());
        let mut back = String::new();
        flate2::read::GzDecoder::new(&z[..])
            .read_to_string(&mut back)
            .unwrap_or_default();
        assert_eq!(back, body);
    }

    #[test]
    fn only_text_like_bodies_over_the_threshold() {
        assert!(worth_it("application/json", MIN_BYTES));
        assert!(!worth_it("application/json", MIN_BYTES - 1));
        assert!(worth_it("text/plain; version=0.0.4", 5000));
        assert!(!worth_it("text/event-stream", 0));
        assert!(!worth_it("image/png", 5000));
    }
}
