//! Secrets and redaction: values that must never reach a log line, an error message or `Debug` output.

use std::fmt;

/// A secret string (HubSpot token, JWT signing key, Redis URL). `Debug` and `Display` print `***`;
/// only [`Secret::expose`] gives the value, at the one place that sends it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The value itself: call only where it is sent to its one destination.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A session id as logs show it: its first 6 characters and a `…`, enough to correlate lines of one
/// session without letting a log reader take the session over.
///
/// ```
/// assert_eq!(hubspot_mcp::obs::redact::session_hint("0123456789abcdef"), "012345…");
/// assert_eq!(hubspot_mcp::obs::redact::session_hint("ab"), "…");
/// ```
pub fn session_hint(id: &str) -> String {
    match id.get(..6) {
        Some(prefix) if id.len() > 12 => format!("{prefix}…"),
        _ => "…".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_hides_its_value() {
        let s = Secret::new("pat-na1-secret".into());
        assert_eq!(format!("{s:?} {s}"), "*** ***");
        assert_eq!(s.expose(), "pat-na1-secret");
    }
}
