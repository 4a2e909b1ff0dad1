//! HubSpot OAuth for the sandbox's one app ([`crate::OAUTH_CLIENT_ID`], a user-level app) and its two
//! users ([`crate::OAUTH_USERS`]), as HubSpot's 2026-03 OAuth API publishes it
//! (`PublicApiSpecs/Auth/Oauth/Rollouts/279897/2026-03/oauth.json`): the sign-in page standing in for
//! app.hubspot.com's `/oauth/authorize` (`authorize`, `page`), the token, introspection and revocation
//! endpoints (`endpoints`, errors in `error`), the codes and tokens (`tokens`), and what each user may
//! do (`users`). API calls made with an access token carry its [`Session`]: the user, the granted
//! scopes and the records the user sees.
//!
//! These endpoints authenticate by the client credentials in their form body, not by a bearer token,
//! and no fault knob or rate limit applies to them.

mod authorize;
mod endpoints;
mod error;
mod form;
mod page;
mod tokens;
mod users;

use serde_json::Value;

use crate::errors::correlation_id;
use crate::http::{Request, Response};

pub(crate) use tokens::{Refusal, Session, Tokens, ACCESS_PREFIX};

/// The OAuth app's id (`app_id`; the private app's is 3041567).
pub(crate) const OAUTH_APP_ID: u64 = 3_041_568;

/// The account's domain (`hub_domain` in introspection).
pub(crate) const HUB_DOMAIN: &str = "sandbox.example";

/// An OAuth endpoint of the route table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `GET /oauth/authorize`: the sign-in page.
    AuthorizePage,
    /// `POST /oauth/authorize`: the signed-in user's decision.
    Authorize,
    /// `POST /oauth/2026-03/token` (and `/oauth/v3/token`, `/oauth/v1/token`).
    Token,
    /// `POST /oauth/2026-03/token/introspect`.
    Introspect,
    /// `POST /oauth/2026-03/token/revoke`.
    Revoke,
}

/// Serves an OAuth endpoint.
pub(crate) fn handle(tokens: &Tokens, ep: Endpoint, req: &Request) -> Response {
    match ep {
        Endpoint::AuthorizePage => authorize::page(req),
        Endpoint::Authorize => authorize::decide(tokens, req),
        Endpoint::Token => endpoints::token(tokens, req),
        Endpoint::Introspect => endpoints::introspect(tokens, req),
        Endpoint::Revoke => endpoints::revoke(tokens, req),
    }
}

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

/// A JSON response that no cache keeps (RFC 6749 §5.1).
fn json(status: u16, body: Option<&Value>) -> Response {
    Response {
        status,
        headers: vec![
            header("Content-Type", "application/json;charset=utf-8"),
            header("Cache-Control", "no-store"),
            header("Pragma", "no-cache"),
            header("X-HubSpot-Correlation-Id", &correlation_id()),
        ],
        body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
    }
}

/// Headers of the HTML pages and redirects: not cached, not framed, no scripts.
fn page_headers() -> Vec<(String, String)> {
    vec![
        header("Cache-Control", "no-store"),
        header("X-Frame-Options", "DENY"),
        header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
        header("Referrer-Policy", "no-referrer"),
    ]
}

/// An HTML page.
fn html(status: u16, body: String) -> Response {
    let mut headers = vec![header("Content-Type", "text/html; charset=utf-8")];
    headers.extend(page_headers());
    Response {
        status,
        headers,
        body: body.into_bytes(),
    }
}

/// 302 to `location`.
fn redirect(location: &str) -> Response {
    let mut headers = vec![header("Location", location)];
    headers.extend(page_headers());
    Response {
        status: 302,
        headers,
        body: Vec::new(),
    }
}
