//! The token endpoints' errors in HubSpot's OAuth shape: RFC 6749's `error` and `error_description`
//! plus HubSpot's older `status` and `message`, e.g.
//! `{"error":"invalid_grant","error_description":"refresh token is invalid, expired or revoked",
//! "status":"BAD_REFRESH_TOKEN","message":"refresh token is invalid, expired or revoked"}`.
//! 400 for invalid_request, invalid_grant and unsupported_grant_type, 401 for invalid_client.

use serde_json::{json, Value};

/// An error of `/oauth/*/token`, `/token/introspect` or `/token/revoke`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OAuthError {
    /// A parameter is missing or repeated, or the body is not a form (400 invalid_request).
    InvalidRequest(String),
    /// The client_id is not the sandbox app's (401 invalid_client).
    UnknownClient,
    /// The client_secret does not match (401 invalid_client).
    BadSecret,
    /// The code is unknown, used, expired, or was issued for another redirect_uri (400 invalid_grant).
    BadAuthCode(&'static str),
    /// The refresh token is unknown or revoked (400 invalid_grant).
    BadRefreshToken,
    /// A grant_type other than authorization_code and refresh_token (400).
    UnsupportedGrantType(String),
    /// The system has no randomness to make a token from (500 server_error).
    NoRandomness,
}

impl OAuthError {
    /// The HTTP status.
    pub(crate) fn status(&self) -> u16 {
        match self {
            OAuthError::UnknownClient | OAuthError::BadSecret => 401,
            OAuthError::NoRandomness => 500,
            _ => 400,
        }
    }

    /// (RFC 6749 `error`, HubSpot `status`, description).
    fn parts(&self) -> (&'static str, &'static str, String) {
        match self {
            OAuthError::InvalidRequest(why) => ("invalid_request", "BAD_REQUEST", why.clone()),
            OAuthError::UnknownClient => (
                "invalid_client",
                "BAD_CLIENT_ID",
                "missing or unknown client id".into(),
            ),
            OAuthError::BadSecret => (
                "invalid_client",
                "BAD_CLIENT_SECRET",
                "client secret does not match the client id".into(),
            ),
            OAuthError::BadAuthCode(why) => ("invalid_grant", "BAD_AUTH_CODE", (*why).into()),
            OAuthError::BadRefreshToken => (
                "invalid_grant",
                "BAD_REFRESH_TOKEN",
                "refresh token is invalid, expired or revoked".into(),
            ),
            OAuthError::UnsupportedGrantType(g) => (
                "unsupported_grant_type",
                "BAD_GRANT_TYPE",
                format!(
                    "grant_type {g:?} is not supported; use authorization_code or refresh_token"
                ),
            ),
            OAuthError::NoRandomness => (
                "server_error",
                "INTERNAL_ERROR",
                "could not make a token".into(),
            ),
        }
    }

    /// The JSON body.
    pub(crate) fn body(&self) -> Value {
        let (error, status, description) = self.parts();
        json!({
            "error": error,
            "error_description": description,
            "status": status,
            "message": description,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let e = OAuthError::BadRefreshToken;
        assert_eq!(e.status(), 400);
        assert_eq!(
            e.body(),
            json!({"error": "invalid_grant", "error_description": "refresh token is invalid, expired or revoked",
                   "status": "BAD_REFRESH_TOKEN", "message": "refresh token is invalid, expired or revoked"})
        );
        assert_eq!(OAuthError::BadSecret.status(), 401);
        assert_eq!(OAuthError::UnknownClient.body()["error"], "invalid_client");
    }
}
