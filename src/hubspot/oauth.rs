//! HubSpot's OAuth API (`/oauth/2026-03/...`), for signing people in (`MCP_AUTH_MODE=oauth`): exchange
//! the code HubSpot's authorize page returned, refresh a user's access token, read who a token belongs to
//! (introspection), revoke a refresh token. Every parameter goes in a form body (the client secret too,
//! as HubSpot documents); no token is ever put in a URL, a log line or an error message.
//!
//! These calls are never retried: a code is single-use, and a failed refresh is retried by the next
//! request that needs it.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{paths, Client, Error, ErrorKind};
use crate::obs::redact::Secret;

/// The operator's HubSpot app (`HUBSPOT_CLIENT_ID`, `HUBSPOT_CLIENT_SECRET`).
#[derive(Debug, Clone)]
pub(crate) struct App {
    /// The app's client id (public).
    pub(crate) client_id: String,
    /// The app's client secret.
    pub(crate) client_secret: Secret,
}

/// Tokens HubSpot issued to one user.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    /// Short-lived (30 minutes at HubSpot).
    pub(crate) access_token: Secret,
    /// Long-lived; HubSpot may return the same one on refresh.
    pub(crate) refresh_token: Secret,
    /// Seconds the access token lives.
    pub(crate) expires_in: u64,
}

/// Who signed in, from introspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The portal (hub id).
    pub(crate) hub_id: u64,
    /// The HubSpot user.
    pub(crate) user_id: u64,
    /// The user's email, when HubSpot says it.
    pub(crate) user: Option<String>,
    /// The portal's domain, when HubSpot says it.
    pub(crate) hub_domain: Option<String>,
    /// The scopes granted.
    pub(crate) scopes: Vec<String>,
    /// True for a user-level app (HubSpot enforces the user's own permissions).
    pub(crate) user_level: bool,
    /// The app the token was issued to.
    pub(crate) client_id: String,
}

/// Seconds HubSpot's OAuth calls may take at most.
const OAUTH_TIMEOUT: Duration = Duration::from_secs(10);

impl Client {
    /// Exchanges an authorization code (from HubSpot's authorize page) for tokens.
    pub(crate) fn oauth_exchange(
        &self,
        app: &App,
        code: &str,
        redirect_uri: &str,
        deadline: Instant,
    ) -> Result<Tokens, Error> {
        let body = self.oauth_post(
            paths::OAUTH_TOKEN,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &app.client_id),
                ("client_secret", app.client_secret.expose()),
                ("redirect_uri", redirect_uri),
                ("code", code),
            ],
            &[code, app.client_secret.expose()],
            deadline,
        )?;
        tokens(&body)
    }

    /// A new access token for a user's refresh token.
    pub(crate) fn oauth_refresh(
        &self,
        app: &App,
        refresh_token: &Secret,
        deadline: Instant,
    ) -> Result<Tokens, Error> {
        let body = self.oauth_post(
            paths::OAUTH_TOKEN,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &app.client_id),
                ("client_secret", app.client_secret.expose()),
                ("refresh_token", refresh_token.expose()),
            ],
            &[refresh_token.expose(), app.client_secret.expose()],
            deadline,
        )?;
        tokens(&body)
    }

    /// Who `access_token` belongs to. An inactive token is an `Api` error with category `invalid_token`.
    pub(crate) fn oauth_introspect(
        &self,
        app: &App,
        access_token: &Secret,
        deadline: Instant,
    ) -> Result<Identity, Error> {
        let v = self.oauth_post(
            paths::OAUTH_INTROSPECT,
            &[
                ("client_id", &app.client_id),
                ("client_secret", app.client_secret.expose()),
                ("token", access_token.expose()),
                ("token_type_hint", "access_token"),
            ],
            &[access_token.expose(), app.client_secret.expose()],
            deadline,
        )?;
        if v.get("active").and_then(Value::as_bool) != Some(true) {
            return Err(oauth_error(
                "invalid_token",
                "HubSpot says the token is not active",
            ));
        }
        let num = |k: &str| v.get(k).and_then(Value::as_u64);
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(hub_id), Some(user_id)) = (num("hub_id"), num("user_id")) else {
            return Err(Error::new(
                ErrorKind::Decode,
                "HubSpot's token introspection named no hub_id or user_id",
            ));
        };
        Ok(Identity {
            hub_id,
            user_id,
            user: text("user"),
            hub_domain: text("hub_domain"),
            scopes: v
                .get("scopes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            user_level: v
                .pointer("/signed_access_token/isUserLevel")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            client_id: text("client_id").unwrap_or_default(),
        })
    }

    /// POSTs a form to one of HubSpot's OAuth paths; `secrets` are scrubbed from any error.
    fn oauth_post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        secrets: &[&str],
        deadline: Instant,
    ) -> Result<Value, Error> {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Timeout,
                    "no time left to call HubSpot's OAuth API",
                )
            })?;
        self.stats
            .requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let result = self
            .agent
            .post(format!("{}{path}", self.base))
            .config()
            .timeout_global(Some(left.min(OAUTH_TIMEOUT)))
            .build()
            .send_form(form.iter().copied());
        let scrub = |mut e: Error| {
            for s in secrets.iter().filter(|s| !s.is_empty()) {
                e.message = e.message.replace(s, "***");
            }
            e
        };
        let mut resp = result.map_err(|e| scrub(super::classify(e).1))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .map_err(|e| scrub(super::classify(e).1))?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(body);
        }
        self.stats
            .errors
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // RFC 6749 errors first (`error`, `error_description`), then HubSpot's generic shape (`message`).
        let code = body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("hubspot_error");
        let message = body
            .get("error_description")
            .or_else(|| body.get("message"))
            .and_then(Value::as_str)
            .unwrap_or("HubSpot's OAuth API refused the request");
        // Secrets out before anything is cut (a token straddling the cut would leave its first part).
        let mut message = format!("HubSpot OAuth ({status}): {message}");
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            message = message.replace(s, "***");
        }
        let mut e = oauth_error(code, &message);
        e.status = Some(status);
        Err(scrub(e))
    }
}

/// An OAuth error from HubSpot: kind `Api`, category the OAuth error code (`invalid_grant`, ...).
fn oauth_error(code: &str, message: &str) -> Error {
    let mut e = Error::new(
        ErrorKind::Api,
        message.chars().take(300).collect::<String>(),
    );
    e.category = Some(code.chars().take(64).collect());
    e
}

/// Reads a token response.
fn tokens(v: &Value) -> Result<Tokens, Error> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    match (text("access_token"), text("refresh_token")) {
        (Some(a), Some(r)) => Ok(Tokens {
            access_token: Secret::new(a.to_string()),
            refresh_token: Secret::new(r.to_string()),
            expires_in: v.get("expires_in").and_then(Value::as_u64).unwrap_or(1800),
        }),
        _ => Err(Error::new(
            ErrorKind::Decode,
            "HubSpot's token response has no access_token or refresh_token",
        )),
    }
}
