//! PKCE (RFC 7636), S256 only: the OAuth 2.1 profile the MCP authorization spec requires. `plain` and a
//! missing challenge are refused at the authorize step; the verifier is checked at the token step.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Whether `s` is 43 to 128 characters of `[A-Za-z0-9-._~]` (RFC 7636 §4.1; a S256 challenge is 43).
fn well_formed(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Checks the authorize request's challenge: `Err` says what is wrong, for the `invalid_request` redirect.
pub(crate) fn check_challenge(
    challenge: Option<&str>,
    method: Option<&str>,
) -> Result<(), &'static str> {
    let Some(challenge) = challenge else {
        return Err("code_challenge is required (PKCE with S256)");
    };
    match method {
        Some("S256") => {}
        None | Some("plain") => {
            return Err("code_challenge_method must be S256 (plain is not accepted)")
        }
        Some(_) => return Err("code_challenge_method must be S256"),
    }
    if challenge.len() != 43 || !well_formed(challenge) {
        return Err("code_challenge must be the base64url SHA-256 of the verifier (43 characters)");
    }
    Ok(())
}

/// True when `verifier` hashes to `challenge` (S256).
pub(crate) fn verify(verifier: &str, challenge: &str) -> bool {
    if !well_formed(verifier) {
        return false;
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    let computed = URL_SAFE_NO_PAD.encode(digest.as_ref());
    computed.len() == challenge.len()
        && computed
            .bytes()
            .zip(challenge.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc_7636_example() {
        assert!(verify(VERIFIER, CHALLENGE));
        assert!(!verify(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj",
            CHALLENGE
        ));
        assert!(!verify("short", CHALLENGE));
    }

    #[test]
    fn only_s256_challenges() {
        assert_eq!(check_challenge(Some(CHALLENGE), Some("S256")), Ok(()));
        assert!(check_challenge(Some(CHALLENGE), Some("plain")).is_err());
        assert!(check_challenge(Some(CHALLENGE), None).is_err());
        assert!(check_challenge(None, Some("S256")).is_err());
        assert!(check_challenge(Some("abc"), Some("S256")).is_err());
    }
}
