//! Secrets and redaction: values that must never reach a log line, an error message or `Debug` output.

/// A secret string: defined with the configuration, which reads every secret (see [`crate::config::Secret`]).
pub(crate) use crate::config::Secret;

/// A session id as logs show it: its first 6 characters and a `…`, enough to correlate lines of one
/// session without letting a log reader take the session over.
pub(crate) fn session_hint(id: &str) -> String {
    match id.get(..6) {
        Some(prefix) if id.len() > 12 => format!("{prefix}…"),
        _ => "…".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example that was this item's doctest (the item is crate-private now).
    #[test]
    fn session_hint_example() {
        assert_eq!(session_hint("0123456789abcdef"), "012345…");
        assert_eq!(session_hint("ab"), "…");
    }

    #[test]
    fn secret_hides_its_value() {
        let s = Secret::new("pat-na1-secret".into());
        assert_eq!(format!("{s:?} {s}"), "*** ***");
        assert_eq!(s.expose(), "pat-na1-secret");
    }
}
